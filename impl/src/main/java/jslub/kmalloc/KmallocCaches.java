package jslub.kmalloc;

import jslub.slab.SlabCache;
import jslub.slab.SlabMachine;

/**
 * The kmalloc size classes (mm/slab_common.c): kmalloc-8 … kmalloc-192 through the
 * {@code size_index} table (so 96 and 192 serve 65–96 and 129–192), then powers of two up to
 * KMALLOC_MAX_CACHE_SIZE. Like the kernel, that is two frames by default and larger sizes go to
 * the page allocator ({@link KmallocLarge}); the seed's slab classes up to kmalloc-8M stay
 * available by passing {@link #KMALLOC_MAX_SIZE} as the largest cache size.
 */
public final class KmallocCaches {
  /** KMALLOC_MIN_SIZE. */
  public static final int KMALLOC_MIN_SIZE = 8;
  /** KMALLOC_MAX_SIZE: the largest kmalloc here, 8 MiB. */
  public static final long KMALLOC_MAX_SIZE = 8L << 20;

  /** Class sizes, smallest first. */
  static final int[] SIZES = sizes();

  /**
   * size_index[]: for sizes 1..192, {@code SIZE_INDEX[(size - 1) / 8]} is the class index. This
   * is the kernel's table with KMALLOC_MIN_SIZE 8 (kmalloc_size_index, setup_kmalloc_cache_index_table).
   */
  private static final byte[] SIZE_INDEX = {
    0, // 1..8      kmalloc-8
    1, // 9..16     kmalloc-16
    2, 2, // 17..32  kmalloc-32
    3, 3, 3, 3, // 33..64 kmalloc-64
    4, 4, 4, 4, // 65..96 kmalloc-96
    5, 5, 5, 5, // 97..128 kmalloc-128
    6, 6, 6, 6, 6, 6, 6, 6 // 129..192 kmalloc-192
  };

  private final SlabCache[] caches;

  /**
   * Creates the classes up to {@code maxCacheSize} (KMALLOC_MAX_CACHE_SIZE, at least 8 and at most
   * {@link #KMALLOC_MAX_SIZE}).
   */
  public KmallocCaches(SlabMachine machine, boolean debug, boolean stats, long maxCacheSize) {
    int n = 0;
    while (n < SIZES.length && SIZES[n] <= maxCacheSize) {
      n++;
    }
    if (n == 0) {
      throw new IllegalArgumentException("KMALLOC_MAX_CACHE_SIZE " + maxCacheSize + " < 8");
    }
    caches = new SlabCache[n];
    for (int i = 0; i < n; i++) {
      int size = SIZES[i];
      // Power-of-two classes are naturally aligned (their slabs are naturally aligned buddy
      // blocks and have no leftover to colour); 96 and 192 get their lowest set bit.
      int align = Integer.lowestOneBit(size);
      caches[i] = new SlabCache(machine, name(size), size,
          Math.min(align, machine.memory().frameSize()), debug, stats);
    }
  }

  private static int[] sizes() {
    int n = 7 + (23 - 8 + 1); // 8..192 (7 classes), then 2^8..2^23
    int[] s = new int[n];
    int[] small = {8, 16, 32, 64, 96, 128, 192};
    System.arraycopy(small, 0, s, 0, small.length);
    for (int i = 0; i < n - small.length; i++) {
      s[small.length + i] = 256 << i;
    }
    return s;
  }

  /** The kernel's name for a class: kmalloc-96, kmalloc-1k, kmalloc-8M. */
  public static String name(int size) {
    if (size >= (1 << 20) && size % (1 << 20) == 0) {
      return "kmalloc-" + (size >> 20) + "M";
    }
    if (size >= 1024 && size % 1024 == 0) {
      return "kmalloc-" + (size >> 10) + "k";
    }
    return "kmalloc-" + size;
  }

  /**
   * kmalloc_index() / kmalloc_size_index(): the class for {@code size} bytes aligned to
   * {@code align}, or -1 if none. The smallest class at least as large whose objects are
   * aligned to {@code align} (a class of size c guarantees its lowest set bit).
   */
  public static int sizeIndex(long size, int align) {
    if (size <= 0 || size > KMALLOC_MAX_SIZE) {
      return -1;
    }
    int i;
    if (size <= 192) {
      i = SIZE_INDEX[(int) (size - 1) / 8];
    } else {
      i = 7 + Math.max(0, 64 - Long.numberOfLeadingZeros(size - 1) - 8);
    }
    int a = Math.max(align, 1);
    for (; i < SIZES.length; i++) {
      if ((Integer.lowestOneBit(SIZES[i]) & -a) != 0 && SIZES[i] >= size) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The slab class for {@code size} bytes aligned to {@code align} among the classes this system
   * has, or -1 when the request belongs to the page allocator (kmalloc_large).
   */
  public int slabIndex(long size, int align) {
    int i = sizeIndex(size, align);
    return i < caches.length ? i : -1;
  }

  public SlabCache cache(int index) {
    if (index < 0 || index >= caches.length) {
      throw new IllegalArgumentException("no kmalloc class " + index);
    }
    return caches[index];
  }

  public int classes() {
    return caches.length;
  }

  /** The class sizes, smallest first. */
  public static int[] classSizes() {
    return SIZES.clone();
  }
}
