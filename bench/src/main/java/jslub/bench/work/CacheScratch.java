package jslub.bench.work;

import java.io.PrintStream;
import jslub.SlabSystem;

/**
 * cache-scratch (from the Hoard suite): passive false sharing. The main thread allocates one small
 * object per worker and hands it over; each worker frees it, then repeatedly allocates an object
 * of the same size, writes it many times and frees it. An allocator that gives a worker memory on
 * a cache line another worker writes makes the lines bounce; per-CPU slabs should keep workers
 * on separate slabs.
 */
final class CacheScratch {
  private CacheScratch() {}

  static final int WRITES = 100;

  static Footprint run(SlabSystem sys, WorkloadOptions o, PrintStream out)
      throws InterruptedException {
    Progress p = new Progress("cache-scratch", out);
    int size = o.minSize;
    long[] handed = new long[o.threads];
    for (int t = 0; t < o.threads; t++) {
      handed[t] = sys.kmalloc(size, 0);
    }
    long iterations = Math.max(1, o.ops / o.threads);
    Thread[] ts = new Thread[o.threads];
    var mem = sys.memory();
    for (int t = 0; t < o.threads; t++) {
      long first = handed[t];
      ts[t] = new Thread(() -> {
        sys.kfree(first);
        for (long it = 0; it < iterations; it++) {
          long a = sys.kmalloc(size, 0);
          for (int w = 0; w < WRITES; w++) {
            mem.putByte(a + (w % size), (byte) w);
          }
          sys.kfree(a);
          p.ops.add(1);
        }
      }, "scratch-" + t);
      ts[t].start();
    }
    p.await(ts);
    p.finish();
    return Footprint.of(sys);
  }
}
