package jslub.stress.catcher;

import java.util.concurrent.atomic.AtomicReference;
import jslub.KmemCache;
import jslub.SlabSystem;
import jslub.cpu.VirtualCpus;

/**
 * The model's TidCommits invariant, watched on the Java code: every change of a CPU's (freelist,
 * tid) word bumps the tid, so a fast path whose tid still matches finds the freelist it read. A
 * watcher samples CPU 0's word in a tight loop; two unclaimed samples with the same tid and
 * different freelists are a change the tid did not commit. Bulk allocations on CPU 0 larger than
 * its freelist exercise kmem_cache_alloc_bulk's "ran dry" exit, a fast-path thread and a freer
 * share the CPU. (The double allocation the kernel suffered cannot follow in jslub: the model
 * shows it and docs/model/BUGS.md explains why; this catches the broken promise itself.)
 */
final class TidCommitsWatch {
  private final SlabSystem sys;
  private final VirtualCpus vcpus = new VirtualCpus(2);
  private final KmemCache cache;
  private final AtomicReference<String> problem = new AtomicReference<>();
  private volatile boolean stop;

  TidCommitsWatch() {
    sys = SlabSystem.builder().cpus(2).cpuId(vcpus).frameSize(512).memoryBytes(16L << 20)
        .build();
    cache = sys.createCache("tid", 32, 0);
  }

  Verdict run(double seconds) {
    long t0 = System.nanoTime();
    long end = t0 + (long) (seconds * 1e9);
    Thread bulk = new Thread(this::bulkLoop, "bulk");
    Thread fast = new Thread(this::fastLoop, "fast");
    vcpus.bind(bulk, 0);
    vcpus.bind(fast, 0);
    bulk.start();
    fast.start();
    long[] last = cache.core().cpuWordView(0);
    try (sys) {
      while (problem.get() == null && System.nanoTime() < end) {
        long[] w = cache.core().cpuWordView(0);
        if (w[2] == 0 && last[2] == 0 && w[0] == last[0] && w[1] != last[1]) {
          problem.compareAndSet(null, "TidCommits: CPU 0's freelist changed from 0x"
              + Long.toHexString(last[1]) + " to 0x" + Long.toHexString(w[1])
              + " under the same tid " + w[0]);
        }
        last = w;
      }
      stop = true;
      bulk.join();
      fast.join();
    } catch (InterruptedException e) {
      problem.compareAndSet(null, "interrupted");
    }
    return new Verdict("tid-commits", problem.get(), (System.nanoTime() - t0) / 1e9);
  }

  /** Bulk allocations bigger than a slab's freelist, freed again at once. */
  private void bulkLoop() {
    long[] p = new long[24];
    try {
      while (!stop && problem.get() == null) {
        if (cache.allocBulk(p, p.length) == p.length) {
          cache.freeBulk(p, p.length);
        }
      }
    } catch (RuntimeException e) {
      problem.compareAndSet(null, "bulk thread: " + e);
    }
  }

  /** Fast-path allocations and frees on the same CPU. */
  private void fastLoop() {
    try {
      while (!stop && problem.get() == null) {
        long o = cache.alloc();
        if (o != 0) {
          cache.free(o);
        }
      }
    } catch (RuntimeException e) {
      problem.compareAndSet(null, "fast thread: " + e);
    }
  }
}
