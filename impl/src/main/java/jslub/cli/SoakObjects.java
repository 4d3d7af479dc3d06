package jslub.cli;

/**
 * The objects one soak worker holds: address, stamp, kind (a cache slot, or {@link #KMALLOC})
 * and size, in parallel arrays so the loop allocates nothing per object. The stamp (owner in the
 * top 16 bits, a per-owner sequence below) is written at the object's start and, inverted, at
 * its end; {@link Soak#checkStamp} reads both back before the object is freed.
 */
final class SoakObjects {
  static final int KMALLOC = -1;

  final long[] addr;
  final long[] stamp;
  final int[] kind;
  final int[] size;
  int n;

  SoakObjects(int capacity) {
    addr = new long[capacity];
    stamp = new long[capacity];
    kind = new int[capacity];
    size = new int[capacity];
  }

  boolean full() {
    return n == addr.length;
  }

  int room() {
    return addr.length - n;
  }

  void add(long a, long st, int k, int sz) {
    addr[n] = a;
    stamp[n] = st;
    kind[n] = k;
    size[n] = sz;
    n++;
  }

  /** Removes entry i by moving the last entry into its place. */
  void remove(int i) {
    n--;
    addr[i] = addr[n];
    stamp[i] = stamp[n];
    kind[i] = kind[n];
    size[i] = size[n];
  }
}
