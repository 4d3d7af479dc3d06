package jslub.slab;

/**
 * Encoding of a {@code kmem_cache_cpu}'s (freelist, tid) pair as one 64-bit word, the unit of the
 * fast path's {@code this_cpu_cmpxchg_double}.
 *
 * <pre>
 *  63                  addrBits addrBits-1                  0
 * +----------------------------+-----------------------------+
 * | tid                        | freelist address / 8        |
 * +----------------------------+-----------------------------+
 * </pre>
 *
 * Objects are 8-byte aligned, so the address field needs {@code addrBits = bitlength(arena/8)}
 * bits; the tid takes the rest. For the default 64 MiB arena that is 24 + 40 bits: a thread would
 * have to stall between its read of the word and its CAS while 2^40 / (roundup_pow_of_two(cpus))
 * operations happen on its CPU for the tid to wrap (the kernel's tid is a full 64-bit word). A
 * 1 TiB arena leaves 26 tid bits. The all-ones address field is {@link #busy BUSY}: no object
 * lives at the top of the arena, so it never collides with a real address.
 *
 * <p>BUSY marks a word claimed by a slow path that holds the CPU's lock (see
 * {@link KmemCacheCpu#claim}); it is the Java stand-in for the kernel's "interrupts off on this
 * CPU", which is how ___slab_alloc keeps the same CPU's fast path out.
 */
public final class CpuWord {
  private final int addrBits;
  private final long addrMask;
  private final long tidMask;
  private final long stride;

  /**
   * @param arenaBytes size of the arena (bounds the addresses stored)
   * @param cpus number of CPUs (the tid stride is {@code roundup_pow_of_two(cpus)})
   */
  public CpuWord(long arenaBytes, int cpus) {
    this.addrBits = 64 - Long.numberOfLeadingZeros(arenaBytes >>> 3);
    this.addrMask = (1L << addrBits) - 1;
    this.stride = roundupPowOfTwo(cpus);
    long fullTid = -1L >>> addrBits;
    // TID_WRAP: two tid values per CPU, so a stalled fast path sees its tid come round again.
    this.tidMask = Bugs.tidWrap() ? BugVariants.wrappedTidMask(stride) : fullTid;
  }

  static long roundupPowOfTwo(int n) {
    return n <= 1 ? 1 : Long.highestOneBit((long) n - 1) << 1;
  }

  /** init_tid(): a CPU's first tid is its number, so tids of different CPUs never meet. */
  long initTid(int cpu) {
    return cpu & tidMask;
  }

  /** next_tid(): steps by the CPU-count stride, wrapping within the tid field. */
  long nextTid(long tid) {
    return (tid + stride) & tidMask;
  }

  long make(long freelist, long tid) {
    return (tid << addrBits) | (freelist >>> 3);
  }

  long freelist(long w) {
    return (w & addrMask) << 3;
  }

  long tid(long w) {
    return w >>> addrBits;
  }

  /** True iff a slow path holding the CPU's lock has claimed the word. */
  boolean busy(long w) {
    return (w & addrMask) == addrMask;
  }

  /** The claimed form of {@code w}: same tid, freelist BUSY. */
  long claimed(long w) {
    return w | addrMask;
  }

  /** Number of tid bits actually used (smaller than 64 - addrBits only under TID_WRAP). */
  public int tidBits() {
    return 64 - Long.numberOfLeadingZeros(tidMask);
  }
}
