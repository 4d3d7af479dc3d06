package jslub.bench.work;

import java.io.PrintStream;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import jslub.SlabSystem;

/**
 * xmalloc-test (after Lever and Boreham's test): threads allocate batches of random-size objects
 * and post each batch to a shared queue; whichever thread polls a batch frees it. Most frees are
 * thus of another thread's objects, batched the way a producer hands work to a pool.
 */
final class XmallocTest {
  private XmallocTest() {}

  static final int BATCH = 64;

  static Footprint run(SlabSystem sys, WorkloadOptions o, PrintStream out)
      throws InterruptedException {
    Progress p = new Progress("xmalloc-test", out);
    ConcurrentLinkedQueue<long[]> queue = new ConcurrentLinkedQueue<>();
    long batches = Math.max(1, o.ops / o.threads / (2L * BATCH));
    SplittableRandom seed = new SplittableRandom(o.seed);
    Thread[] ts = new Thread[o.threads];
    for (int t = 0; t < o.threads; t++) {
      SplittableRandom rnd = seed.split();
      ts[t] = new Thread(() -> {
        for (long b = 0; b < batches; b++) {
          long[] batch = new long[BATCH];
          for (int i = 0; i < BATCH; i++) {
            batch[i] = sys.kmalloc(o.randomSize(rnd), 0);
          }
          queue.add(batch);
          long[] theirs = queue.poll();
          if (theirs != null) {
            for (long a : theirs) {
              sys.kfree(a);
            }
          }
          p.ops.add(2L * BATCH);
        }
      }, "xmalloc-" + t);
      ts[t].start();
    }
    p.await(ts);
    for (long[] left; (left = queue.poll()) != null; ) { // drain what nobody polled
      for (long a : left) {
        sys.kfree(a);
      }
    }
    p.finish();
    return Footprint.of(sys);
  }
}
