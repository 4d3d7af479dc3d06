package jslub.bench.work;

import java.io.PrintStream;
import java.util.SplittableRandom;
import jslub.SlabSystem;

/**
 * larson (after Larson and Krishnan's server benchmark): each thread owns an array of slots full
 * of objects of random sizes and, over and over, frees a random slot and refills it with a new
 * random size. After each round the thread ends and hands its array, still full, to a new thread
 * that carries on: objects allocated by one thread are freed by another, as in a server whose
 * connections outlive their worker threads. The objects still in the slots at the end are live,
 * which is what the utilisation figure measures.
 */
final class Larson {
  private Larson() {}

  static Footprint run(SlabSystem sys, WorkloadOptions o, PrintStream out)
      throws InterruptedException {
    int slotsPerThread = o.objects;
    long[][] slots = new long[o.threads][slotsPerThread];
    SplittableRandom seed = new SplittableRandom(o.seed);
    for (long[] s : slots) {
      for (int i = 0; i < s.length; i++) {
        s[i] = sys.kmalloc(o.randomSize(seed), 0);
      }
    }
    Progress p = new Progress("larson", out);
    long perRound = o.ops / o.rounds / o.threads;
    for (int round = 0; round < o.rounds; round++) {
      Thread[] gen = new Thread[o.threads];
      for (int t = 0; t < o.threads; t++) {
        long[] mine = slots[t];
        SplittableRandom rnd = seed.split();
        gen[t] = new Thread(() -> {
          for (long i = 0; i < perRound; i++) {
            int k = rnd.nextInt(mine.length);
            sys.kfree(mine[k]);
            mine[k] = sys.kmalloc(o.randomSize(rnd), 0);
            p.ops.add(2);
          }
        }, "larson-" + round + "-" + t);
        gen[t].start();
      }
      p.await(gen);
      // The next generation takes over the arrays shifted by one: thread t+1 frees what t made.
      long[] first = slots[0];
      System.arraycopy(slots, 1, slots, 0, slots.length - 1);
      slots[slots.length - 1] = first;
    }
    p.finish();
    return Footprint.of(sys);
  }
}
