package jslub.slab;

import java.util.Arrays;

/**
 * Set operations on the entries {@code p[0..n)} of one kmem_cache_free_bulk batch, for
 * {@link SlabBulkCheck}: repeats, membership and ranges. Zero entries are skipped throughout (the
 * kernel skips NULL). Small batches are handled in place with no heap allocation; a large batch
 * uses a sorted copy, so the check stays O(n log n).
 */
final class BulkEntries {
  private BulkEntries() {}

  /** Fibonacci hashing's multiplier (2^64 / golden ratio), to spread object addresses. */
  private static final long PHI = 0x9E3779B97F4A7C15L;

  /** One of 64 bits chosen by the address's hash. */
  static long bit(long addr) {
    return 1L << (int) ((addr * PHI) >>> 58);
  }

  /**
   * The union of {@link #bit} over the non-zero entries: a link whose bit is clear is no entry.
   * 0 iff every entry is 0.
   */
  static long filter(long[] p, int n) {
    long mask = 0;
    for (int i = 0; i < n && i < p.length; i++) {
      if (p[i] != 0) {
        mask |= bit(p[i]);
      }
    }
    return mask;
  }

  /** The lowest {@code i < limit} with {@code p[i] == q}, or -1. */
  static int indexBelow(long[] p, int n, long q, int limit) {
    for (int i = 0; i < limit && i < n && i < p.length; i++) {
      if (p[i] == q) {
        return i;
      }
    }
    return -1;
  }

  /** Does one of {@code p[0..n)} lie in {@code [base, base + bytes)}? */
  static boolean anyIn(long base, long bytes, long[] p, int n) {
    for (int i = 0; i < n && i < p.length; i++) {
      if (p[i] != 0 && Long.compareUnsigned(p[i] - base, bytes) < 0) {
        return true;
      }
    }
    return false;
  }

  /** The lowest {@code i} such that {@code p[i]} (non-zero) equals an earlier entry, or -1. */
  static int firstRepeatSmall(long[] p, int n) {
    for (int i = 1; i < n && i < p.length; i++) {
      if (p[i] != 0 && indexBelow(p, n, p[i], i) >= 0) {
        return i;
      }
    }
    return -1;
  }

  /** The non-zero entries of {@code p[0..n)}, sorted (repeats kept). */
  static long[] sortedNonZero(long[] p, int n) {
    int m = 0;
    for (int i = 0; i < n && i < p.length; i++) {
      if (p[i] != 0) {
        m++;
      }
    }
    long[] sorted = new long[m];
    int k = 0;
    for (int i = 0; i < n && i < p.length && k < sorted.length; i++) {
      if (p[i] != 0) {
        sorted[k++] = p[i];
      }
    }
    Arrays.sort(sorted);
    return sorted;
  }

  /**
   * {@link #firstRepeatSmall} in O(n log n) with the batch's {@link #sortedNonZero} copy: each
   * entry claims the first slot of its value's run; a second claim is a repeat.
   */
  static int firstRepeatSorted(long[] p, int n, long[] sorted) {
    boolean any = false;
    for (int j = 1; j < sorted.length; j++) {
      any |= sorted[j] == sorted[j - 1];
    }
    if (!any) {
      return -1; // the common case: one pass over the copy
    }
    boolean[] claimed = new boolean[sorted.length];
    for (int i = 0; i < n && i < p.length; i++) {
      if (p[i] == 0) {
        continue;
      }
      int j = firstSlot(sorted, p[i]);
      if (j < 0 || j >= claimed.length) {
        throw new IllegalStateException("entry " + i + " is missing from its sorted copy");
      }
      if (claimed[j]) {
        return i;
      }
      claimed[j] = true;
    }
    return -1;
  }

  /** Is {@code q} one of the sorted entries? */
  static boolean contains(long[] sorted, long q) {
    return Arrays.binarySearch(sorted, q) >= 0;
  }

  /** The index just past the run of sorted entries from {@code j} in {@code [base, base+bytes)}. */
  static int endOfRun(long[] sorted, int j, long base, long bytes) {
    int k = j + 1;
    while (k >= 0 && k < sorted.length && Long.compareUnsigned(sorted[k] - base, bytes) < 0) {
      k++;
    }
    return k;
  }

  /** The first index of {@code q} in {@code sorted}, or -1. */
  private static int firstSlot(long[] sorted, long q) {
    int j = Arrays.binarySearch(sorted, q);
    for (int k = j - 1; k >= 0 && k < sorted.length && sorted[k] == q; k--) {
      j = k;
    }
    return j;
  }
}
