package jslub.cli;

/**
 * What a soak runs: {@code threads} workers on {@code cpus} virtual CPUs for {@code seconds},
 * frame allocations failing with probability {@code faults}, {@code caches} named caches.
 */
record SoakConfig(int threads, int cpus, double seconds, long seed, double faults, int caches,
    long memoryBytes) {
  SoakConfig {
    if (threads < 1 || cpus < 1 || caches < 1 || seconds < 0) {
      throw new IllegalArgumentException("threads, cpus and caches must be >= 1, seconds >= 0");
    }
    if (!(faults >= 0 && faults < 1)) {
      throw new IllegalArgumentException("faults must be in [0, 1), got " + faults);
    }
  }
}
