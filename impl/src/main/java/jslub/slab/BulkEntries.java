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

  /** Fibonacci hashing of an address: bits 58..63 and 52..57 pick its two filter bits. */
  static long hash(long addr) {
    return addr * PHI;
  }

  /** The address's bit in the filter's first half, from its {@link #hash}. */
  private static long lowBit(long h) {
    return 1L << (int) (h >>> 58);
  }

  /** Its bit in the second half: a shift uses the count's low 6 bits, here hash bits 52..57. */
  private static long highBit(long h) {
    return 1L << (int) (h >>> 52);
  }

  /**
   * The first half of the batch's filter, a 128-bit Bloom filter with two bits per non-zero
   * entry (returned as two longs, since an array would allocate): 0 iff every entry is 0.
   */
  static long filterLow(long[] p, int n) {
    long mask = 0;
    for (int i = 0; i < n && i < p.length; i++) {
      if (p[i] != 0) {
        mask |= lowBit(hash(p[i]));
      }
    }
    return mask;
  }

  /** The second half of the batch's filter (see {@link #filterLow}). */
  static long filterHigh(long[] p, int n) {
    long mask = 0;
    for (int i = 0; i < n && i < p.length; i++) {
      if (p[i] != 0) {
        mask |= highBit(hash(p[i]));
      }
    }
    return mask;
  }

  /**
   * May {@code q} be an entry? False means it is certainly none. With 16 entries about 5 % of
   * other addresses pass (one 64-bit half alone let 22 % through).
   */
  static boolean filterHit(long low, long high, long q) {
    long h = hash(q);
    return (low & lowBit(h)) != 0 && (high & highBit(h)) != 0;
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

  /**
   * The lowest {@code i} such that {@code p[i]} (non-zero) equals an earlier entry, or -1. The
   * filter of the entries before {@code i} is built as it goes, so an entry is compared with the
   * earlier ones only when it passes the filter: about n compares for a batch with no repeat,
   * instead of n^2 / 2.
   */
  static int firstRepeatSmall(long[] p, int n) {
    long low = 0;
    long high = 0;
    for (int i = 0; i < n && i < p.length; i++) {
      long q = p[i];
      if (q == 0) {
        continue;
      }
      if (filterHit(low, high, q) && indexBelow(p, n, q, i) >= 0) {
        return i;
      }
      long h = hash(q);
      low |= lowBit(h);
      high |= highBit(h);
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
