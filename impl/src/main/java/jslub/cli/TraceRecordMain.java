package jslub.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import jslub.KmemCache;
import jslub.SlabSystem;
import jslub.cpu.VirtualCpus;
import jslub.slab.Bugs;
import jslub.slab.SlabCache;
import jslub.slab.SlabTrace;
import jslub.trace.TraceModule;
import jslub.trace.TraceRecorder;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The recording half of {@code jslub trace-check}, run in a JVM started with
 * {@code -Djslub.trace=true} (and {@code -Djslub.bugs=...}): records R multi-threaded runs of one
 * cache and writes each as a TLA+ trace module. Thread t is bound to CPU (t-1) mod C, so with
 * more threads than CPUs two threads share a CPU. Each thread allocates, bulk-allocates
 * ({@link #BULK} objects), frees, bulk-frees up to {@link #MAX_BULK_FREE} objects of one slab
 * (kmem_cache_free_bulk with a detached list of several objects), hands objects to another thread
 * which frees them (remote frees), moves itself to another CPU between operations (migration),
 * and now and then shrinks the cache.
 *
 * <p>Arguments: threads cpus ops runs seed outDir objectSize.
 */
public final class TraceRecordMain {
  /** n of every kmem_cache_alloc_bulk call (the model's BulkSize). */
  static final int BULK = 3;
  /** The most objects of one kmem_cache_free_bulk call (the model assumes at most 4). */
  static final int MAX_BULK_FREE = 3;
  /** The largest tid space TLC's 32-bit integers can step through. */
  static final long TLC_TID_SPACE = 1L << 30;

  private TraceRecordMain() {}

  public static void main(String[] args) throws Exception {
    if (!SlabTrace.ON) {
      System.err.println("trace-record: run with -Djslub.trace=true");
      System.exit(2);
    }
    int threads = Integer.parseInt(args[0]);
    int cpus = Integer.parseInt(args[1]);
    int ops = Integer.parseInt(args[2]);
    int runs = Integer.parseInt(args[3]);
    long seed = Long.parseLong(args[4]);
    Path out = Path.of(args[5]);
    int size = Integer.parseInt(args[6]);
    for (int run = 1; run <= runs; run++) {
      String problem = recordOne(threads, cpus, ops, seed + run * 7919L, out, "Run" + run, size);
      if (problem != null) {
        System.err.println("trace-record: run " + run + ": " + problem);
        System.exit(2);
      }
    }
  }

  /** Records one run into {@code out/name.*}; returns a recording problem or null. */
  static @Nullable String recordOne(int threads, int cpus, int ops, long seed, Path out, String name,
      int size) throws Exception {
    VirtualCpus vc = new VirtualCpus(cpus);
    try (SlabSystem sys = SlabSystem.builder().cpus(cpus).cpuId(vc).memoryBytes(16L << 20)
        .build()) {
      KmemCache cache = sys.createCache("trace-" + size, size, 8);
      SlabCache core = cache.core();
      long tidSpace = Math.min(TLC_TID_SPACE, 1L << core.machine().cpuWord().tidBits());
      TraceRecorder rec = new TraceRecorder(core, tidSpace, 0.3);
      List<Thread> ts = new ArrayList<>();
      List<ConcurrentLinkedQueue<Long>> mailbox = new ArrayList<>();
      CyclicBarrier start = new CyclicBarrier(threads);
      Throwable[] error = new Throwable[1];
      for (int i = 0; i < threads; i++) {
        mailbox.add(new ConcurrentLinkedQueue<>());
      }
      for (int i = 0; i < threads; i++) {
        int me = i;
        Thread t = new Thread(() -> {
          try {
            start.await();
            client(cache, core, vc, me, ts, mailbox, ops, new SplittableRandom(seed * 31 + me));
          } catch (Throwable e) {
            SlabTrace.abandon();
            synchronized (error) {
              if (error[0] == null) {
                error[0] = e;
              }
            }
          }
        }, "trace-client-" + (i + 1));
        ts.add(t);
        vc.bind(t, i % cpus);
        rec.register(t, i % cpus);
      }
      SlabTrace.install(rec);
      try {
        for (Thread t : ts) {
          t.start();
        }
        for (Thread t : ts) {
          t.join();
        }
      } finally {
        SlabTrace.install(null);
      }
      TraceModule.write(out, name, rec, BULK);
      System.out.printf(Locale.ROOT, "recorded %s: %d steps, %d slabs of %d objects%s%n", name,
          rec.records().size(), rec.slabs(), rec.objectsPerSlab(),
          error[0] == null ? "" : " (a client stopped: " + error[0] + "; the trace up to there"
              + " is checked)");
      if (error[0] != null && Bugs.active().equals("none")) {
        // Correct code must not throw: the step that threw is never logged, so the truncated
        // trace could pass for an accepted run.
        return "a client threw with no bug switched on: " + error[0];
      }
      return rec.problem();
    }
  }

  private static void client(KmemCache cache, SlabCache core, VirtualCpus vc, int me,
      List<Thread> ts, List<ConcurrentLinkedQueue<Long>> mailbox, int ops,
      SplittableRandom rnd) {
    int cpus = vc.cpus();
    List<Long> held = new ArrayList<>();
    long[] bulk = new long[BULK];
    int n = ts.size();
    for (int k = 0; k < ops; k++) {
      Long got = mailbox.get(me).poll(); // given to us by another client: ours to free now
      if (got != null) {
        held.add(got);
      }
      int r = rnd.nextInt(100);
      if (r < 36 && held.size() < 48) {
        long o = cache.alloc();
        if (o != 0) {
          held.add(o);
        }
      } else if (r < 44 && held.size() < 48) {
        if (cache.allocBulk(bulk, BULK) == BULK) {
          for (long o : bulk) {
            held.add(o);
          }
        }
      } else if (r < 54 && n > 1 && !held.isEmpty()) {
        int u = (me + 1 + rnd.nextInt(n - 1)) % n;
        long o = held.remove(rnd.nextInt(held.size()));
        SlabTrace.give(core, o, ts.get(u)); // logged before u can see it
        mailbox.get(u).add(o);
      } else if (r < 56) {
        cache.shrink();
      } else if (r < 64 && !held.isEmpty()) {
        freeBulkOfOneSlab(cache, core, held, rnd);
      } else if (r < 67 && cpus > 1) {
        int cur = vc.cpuOf(Thread.currentThread());
        SlabTrace.setTaskCpu(vc, (cur + 1 + rnd.nextInt(cpus - 1)) % cpus);
      } else if (!held.isEmpty()) {
        cache.free(held.remove(rnd.nextInt(held.size())));
      }
    }
    for (long o : held) {
      cache.free(o);
    }
  }

  /**
   * kmem_cache_free_bulk of 1..{@link #MAX_BULK_FREE} held objects of one slab, in random order,
   * never the same object twice: one detached list, freed with one CAS.
   */
  private static void freeBulkOfOneSlab(KmemCache cache, SlabCache core, List<Long> held,
      SplittableRandom rnd) {
    Object slab = core.slabOf(held.get(rnd.nextInt(held.size())));
    List<Long> same = new ArrayList<>();
    for (long o : held) {
      if (core.slabOf(o) == slab) {
        same.add(o);
      }
    }
    int k = 1 + rnd.nextInt(Math.min(same.size(), MAX_BULK_FREE));
    long[] p = new long[k];
    for (int i = 0; i < k; i++) {
      long o = same.remove(rnd.nextInt(same.size()));
      held.remove(Long.valueOf(o));
      p[i] = o;
    }
    cache.freeBulk(p, k);
  }
}
