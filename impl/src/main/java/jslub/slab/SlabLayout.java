package jslub.slab;

import org.checkerframework.checker.index.qual.NonNegative;
import org.checkerframework.checker.index.qual.Positive;

/**
 * Object and slab geometry of a cache: the kernel's {@code calculate_sizes()},
 * {@code calculate_order()} (Linux 6.8+ form: waste fractions 1/16, 1/8, 1/4, 1/2 tried from the
 * order {@code min_objects} needs up to {@code slub_max_order}), {@code oo}/{@code min} and the
 * seed's colouring.
 */
public final class SlabLayout {
  /** slub_max_order: PAGE_ALLOC_COSTLY_ORDER. */
  public static final int SLUB_MAX_ORDER = 3;
  /** Minimum object alignment (ARCH_SLAB_MINALIGN): room and alignment for a free pointer. */
  public static final int MIN_ALIGN = 8;

  /** Requested object size (s->object_size). */
  public final int objectSize;
  /** Object stride in the slab, aligned (s->size). */
  public final @Positive int size;
  /** Object alignment (s->align). */
  public final int align;
  /** Offset of the free pointer inside a free object (s->offset). */
  public final int offset;
  /** Preferred order and objects per slab (s->oo). */
  public final int ooOrder;
  public final int ooObjects;
  /** Fallback when the preferred order cannot be had (s->min). */
  public final int minOrder;
  public final int minObjects;
  /** Colour step: a cache line, or the alignment if larger (keeps objects aligned). */
  public final int colourStep;
  public final int frameSize;

  private SlabLayout(int objectSize, @Positive int size, int align, int offset, int ooOrder,
      int ooObjects, int minOrder, int minObjects, int colourStep, int frameSize) {
    this.objectSize = objectSize;
    this.size = size;
    this.align = align;
    this.offset = offset;
    this.ooOrder = ooOrder;
    this.ooObjects = ooObjects;
    this.minOrder = minOrder;
    this.minObjects = minObjects;
    this.colourStep = colourStep;
    this.frameSize = frameSize;
  }

  /**
   * calculate_sizes() + calculate_order().
   *
   * @param objectSize bytes the user asked for, ≥ 1
   * @param align requested alignment, a power of two (0 means {@link #MIN_ALIGN})
   * @param cpus CPU count, which sets {@code min_objects} as in the kernel
   */
  public static SlabLayout compute(int objectSize, int align, int frameSize, int cacheLine,
      int cpus) {
    int a = Math.max(align, MIN_ALIGN);
    int size = alignUp(alignUp(objectSize, MIN_ALIGN), a);
    if (objectSize < 1 || size < MIN_ALIGN) {
      throw new IllegalArgumentException("object size must be >= 1, got " + objectSize);
    }
    // Free pointer in the middle of the object (Linux 5.7+): a small overflow or underflow from a
    // neighbour hits object data before it hits the pointer. It always fits: below 16 bytes the
    // offset is 0 (and size >= 8); from 16 on, objectSize / 2 + 8 <= objectSize <= size.
    int offset = (objectSize / 2) & ~(MIN_ALIGN - 1);
    int order = calculateOrder(size, cpus, frameSize);
    int minOrder = getOrder(size, frameSize);
    return new SlabLayout(objectSize, size, a, offset, order,
        orderObjects(order, size, frameSize), minOrder, orderObjects(minOrder, size, frameSize),
        Math.max(cacheLine, a), frameSize);
  }

  static int alignUp(int v, int a) {
    return (v + a - 1) & -a;
  }

  /** order_objects(): how many objects of {@code size} fit in 2^order frames. */
  public static @NonNegative int orderObjects(int order, @Positive int size, int frameSize) {
    long n = ((long) frameSize << order) / size;
    return n <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, n);
  }

  /** get_order(): the smallest order whose block holds {@code size} bytes. */
  public static int getOrder(long size, int frameSize) {
    long frames = (size + frameSize - 1) / frameSize;
    return 64 - Long.numberOfLeadingZeros(Math.max(frames, 1) - 1); // fls(frames - 1)
  }

  /** fls(): 1-based index of the most significant set bit, 0 for 0. */
  static int fls(int x) {
    return 32 - Integer.numberOfLeadingZeros(x);
  }

  /** calc_slab_order(): smallest order in [minOrder, maxOrder] wasting ≤ 1/fract of the slab. */
  static int calcSlabOrder(@Positive int size, int minOrder, int maxOrder, int fract, int frameSize) {
    int order;
    for (order = minOrder; order <= maxOrder; order++) {
      long slabSize = (long) frameSize << order;
      long rem = slabSize % size;
      if (rem <= slabSize / fract) {
        break;
      }
    }
    return order;
  }

  /** calculate_order() of Linux 6.8+ (slub_min_order 0, slub_min_objects 0). */
  public static int calculateOrder(@Positive int size, int cpus, int frameSize) {
    int minObjects = 4 * (fls(cpus) + 1);
    int maxObjects = Math.max(orderObjects(SLUB_MAX_ORDER, size, frameSize), 1);
    minObjects = Math.min(minObjects, maxObjects);
    int minOrder = getOrder((long) minObjects * size, frameSize);
    if (orderObjects(minOrder, size, frameSize) > SlabWord.MAX_OBJS_PER_SLAB) {
      return getOrder((long) size * SlabWord.MAX_OBJS_PER_SLAB, frameSize) - 1;
    }
    for (int fraction = 16; fraction > 1; fraction /= 2) {
      int order = calcSlabOrder(size, minOrder, SLUB_MAX_ORDER, fraction, frameSize);
      if (order <= SLUB_MAX_ORDER) {
        return order;
      }
    }
    // Larger than slub_max_order can place: one object's worth (the kernel's MAX_PAGE_ORDER
    // bound is the frame allocator's business here; it returns 0 if it has no such block).
    return getOrder(size, frameSize);
  }

  /** Bytes left over at the end of a slab of {@code order}. */
  public int leftover(int order) {
    long slab = (long) frameSize << order;
    return (int) (slab - (long) orderObjects(order, size, frameSize) * size);
  }

  /** Number of distinct colours a slab of {@code order} can take. */
  public int colours(int order) {
    return leftover(order) / colourStep + 1;
  }

  /** min_partial: clamp(ilog2(size) / 2, 5, 10) (set_min_partial). */
  public int minPartial() {
    int ilog2 = 31 - Integer.numberOfLeadingZeros(size);
    return Math.max(5, Math.min(10, ilog2 / 2));
  }

  /** set_cpu_partial(): the object budget of the CPU partial list, by object size. */
  public int cpuPartialObjects(boolean cpuPartialOn) {
    if (!cpuPartialOn) {
      return 0;
    } else if (size >= frameSize) {
      return 6;
    } else if (size >= 1024) {
      return 24;
    } else if (size >= 256) {
      return 52;
    }
    return 120;
  }

  /** slub_set_cpu_partial(): the object budget turned into slabs, assuming half-full slabs. */
  public int cpuPartialSlabs(boolean cpuPartialOn) {
    int objs = cpuPartialObjects(cpuPartialOn);
    return (objs * 2 + ooObjects - 1) / ooObjects;
  }
}
