package jslub.bench.work;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts operations from every worker and prints a progress line about once a second, then the
 * run's ops/s.
 */
final class Progress {
  final LongAdder ops = new LongAdder();
  private final String name;
  private final PrintStream out;
  private final long start = System.nanoTime();
  private long lastPrint = start;
  private long lastOps;

  Progress(String name, PrintStream out) {
    this.name = name;
    this.out = out;
  }

  /** Waits for {@code workers}, printing a line each second. */
  void await(Thread... workers) throws InterruptedException {
    for (Thread t : workers) {
      while (t.isAlive()) {
        t.join(200);
        tick();
      }
    }
  }

  private void tick() {
    long now = System.nanoTime();
    if (now - lastPrint < 1_000_000_000L) {
      return;
    }
    long n = ops.sum();
    out.printf(Locale.ROOT, "%s: %.0f s, %,d ops, %,.0f ops/s in the last second%n", name,
        (now - start) / 1e9, n, (n - lastOps) / ((now - lastPrint) / 1e9));
    lastPrint = now;
    lastOps = n;
  }

  /** Prints and returns the run's ops/s. */
  double finish() {
    double secs = (System.nanoTime() - start) / 1e9;
    double rate = ops.sum() / secs;
    out.printf(Locale.ROOT, "%s: %,d ops in %.2f s = %,.0f ops/s%n", name, ops.sum(), secs, rate);
    return rate;
  }
}
