package jslub.slab;

import org.checkerframework.checker.lock.qual.LockingFree;

/**
 * The slab's packed word: the kernel's {@code freelist_aba_t} — freelist head and counters in one
 * 64-bit value, so that {@code cmpxchg_double_slab} can change both atomically.
 *
 * <pre>
 *  63                              32 31     30            16 15            0
 * +----------------------------------+--------+----------------+---------------+
 * | freelist: offset in slab + 1     | frozen | objects (15)   | inuse (16)    |
 * |   (0 = NULL)                     |  (1)   |                |               |
 * +----------------------------------+--------+----------------+---------------+
 * </pre>
 *
 * The freelist is stored relative to the slab's base so that the arena size is not bounded by
 * this word (a slab is at most 2^32 bytes). {@code objects} is 15 bits like the kernel's
 * (MAX_OBJS_PER_PAGE = 32767).
 */
public final class SlabWord {
  /** The kernel's MAX_OBJS_PER_PAGE: the objects field is 15 bits. */
  public static final int MAX_OBJS_PER_SLAB = 0x7fff;

  private static final long INUSE_MASK = 0xffffL;
  private static final int OBJECTS_SHIFT = 16;
  private static final long FROZEN_BIT = 1L << 31;
  private static final int FREELIST_SHIFT = 32;

  /**
   * The counters half (inuse, objects, frozen), the kernel's {@code slab->counters}; only
   * SPLIT_CAS's variant ({@link BugVariants}) updates it apart from the freelist half.
   */
  static final long COUNTERS_MASK = 0xffff_ffffL;

  private SlabWord() {}

  @LockingFree
  static long pack(long freelistOff1, int inuse, int objects, boolean frozen) {
    return (freelistOff1 << FREELIST_SHIFT)
        | (frozen ? FROZEN_BIT : 0)
        | ((long) objects << OBJECTS_SHIFT)
        | (inuse & INUSE_MASK);
  }

  /** Freelist field: 0 for NULL, else the head's offset from the slab base plus one. */
  @LockingFree
  static long freelistOff1(long w) {
    return w >>> FREELIST_SHIFT;
  }

  @LockingFree
  public static int inuse(long w) {
    return (int) (w & INUSE_MASK);
  }

  @LockingFree
  public static int objects(long w) {
    return (int) ((w >>> OBJECTS_SHIFT) & MAX_OBJS_PER_SLAB);
  }

  @LockingFree
  public static boolean frozen(long w) {
    return (w & FROZEN_BIT) != 0;
  }
}
