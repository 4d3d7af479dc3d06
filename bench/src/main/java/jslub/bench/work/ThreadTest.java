package jslub.bench.work;

import java.io.PrintStream;
import jslub.SlabSystem;

/**
 * threadtest (from the Hoard suite): each thread, independently, allocates a batch of objects of
 * one size and then frees the whole batch, many times over. No object crosses threads; it
 * measures how well per-CPU caching scales with threads.
 */
final class ThreadTest {
  private ThreadTest() {}

  static Footprint run(SlabSystem sys, WorkloadOptions o, PrintStream out)
      throws InterruptedException {
    Progress p = new Progress("threadtest", out);
    int batch = o.objects;
    long iterations = Math.max(1, o.ops / o.threads / (2L * batch));
    Thread[] ts = new Thread[o.threads];
    for (int t = 0; t < o.threads; t++) {
      ts[t] = new Thread(() -> {
        long[] objs = new long[batch];
        for (long it = 0; it < iterations; it++) {
          for (int i = 0; i < batch; i++) {
            objs[i] = sys.kmalloc(o.minSize, 0);
          }
          for (int i = 0; i < batch; i++) {
            sys.kfree(objs[i]);
          }
          p.ops.add(2L * batch);
        }
      }, "threadtest-" + t);
      ts[t].start();
    }
    p.await(ts);
    p.finish();
    return Footprint.of(sys);
  }
}
