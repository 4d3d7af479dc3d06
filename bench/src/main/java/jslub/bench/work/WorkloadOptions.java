package jslub.bench.work;

import java.util.SplittableRandom;

/** The knobs every workload shares (set by {@link BenchMain}'s options). */
final class WorkloadOptions {
  int threads = 4;
  int cpus = 2;
  /** Total alloc + free operations over all threads. */
  long ops = 20_000_000;
  /** Slots per thread (larson), batch size (threadtest). */
  int objects = 1000;
  int rounds = 10;
  int minSize = 8;
  int maxSize = 256;
  long seed = 42;

  /** A size uniform in [minSize, maxSize]. */
  int randomSize(SplittableRandom rnd) {
    return minSize == maxSize ? minSize : rnd.nextInt(minSize, maxSize + 1);
  }
}
