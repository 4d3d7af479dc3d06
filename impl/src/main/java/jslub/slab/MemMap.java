package jslub.slab;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import jslub.memory.PhysicalMemory;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The memmap: frame number → {@link Slab}, like the kernel's struct page array and
 * {@code virt_to_slab()}. Every frame of a slab (head and tail) maps to the slab, so any interior
 * address finds its slab in O(1) — that is how {@code kfree} finds the cache.
 *
 * <p>Entries are published with release stores and read with acquire loads: a thread that got an
 * object address from another thread sees the slab that owns it.
 */
public final class MemMap {
  private final AtomicReferenceArray<@Nullable Slab> map;

  /**
   * Per frame: {@code order + 1} if the frame heads a large kmalloc block (kmalloc_large: a
   * compound page that is not a slab, its order kept in the head page), else 0.
   */
  private final AtomicIntegerArray large;
  private final int frameShift;

  MemMap(PhysicalMemory mem) {
    long frames = mem.frameCount();
    if (frames > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("arena has more than 2^31 frames: " + frames);
    }
    this.map = new AtomicReferenceArray<>((int) frames);
    this.large = new AtomicIntegerArray((int) frames);
    this.frameShift = mem.frameShift();
  }

  /**
   * Maps every frame of {@code slab} to it (allocate_slab's page setup). The slab's frames came
   * from the frame allocator, so they lie in the map (else the array's own check throws).
   */
  void install(Slab slab) {
    int first = (int) (slab.base >>> frameShift);
    int n = 1 << slab.order;
    for (int i = first; i < first + n; i++) {
      map.setRelease(i, slab);
    }
  }

  /** Unmaps a slab about to go back to the frame allocator (__free_slab). */
  void remove(Slab slab) {
    int first = (int) (slab.base >>> frameShift);
    int n = 1 << slab.order;
    for (int i = first; i < first + n; i++) {
      map.setRelease(i, null);
    }
  }

  /** virt_to_slab(): the slab holding {@code addr}, or null if that frame is not in a slab. */
  public @Nullable Slab slabOf(long addr) {
    long f = addr >>> frameShift; // unsigned: a negative addr gives an f past the map
    if (f >= map.length()) {
      return null;
    }
    return map.getAcquire((int) f);
  }

  /** Number of frame slots (including frame 0). */
  public int frames() {
    return map.length();
  }

  /**
   * Marks {@code base} as the head of a large kmalloc block of {@code order} (the kernel's
   * compound head with its order; the block is no slab, so virt_to_slab stays NULL). The block
   * comes from the frame allocator: {@code base} is a frame of the arena other than frame 0.
   */
  public void markLarge(long base, int order) {
    large.setRelease((int) (base >>> frameShift), order + 1);
  }

  /**
   * The order of the large kmalloc block headed exactly at {@code addr}, or -1 if {@code addr}
   * is not such a head (an interior address included).
   */
  public int largeOrder(long addr) {
    long f = addr >>> frameShift; // unsigned: a negative addr gives an f past the map
    if (f >= large.length() || (addr & ((1L << frameShift) - 1)) != 0) {
      return -1;
    }
    return large.getAcquire((int) f) - 1; // frame 0 is never marked: -1
  }

  /**
   * Clears the large mark of the block at {@code base} if it still has {@code order}; of two
   * racing frees of one block exactly one wins. {@code base} is a head {@link #largeOrder} found.
   *
   * @return true if this call cleared it
   */
  public boolean clearLarge(long base, int order) {
    return large.compareAndSet((int) (base >>> frameShift), order + 1, 0);
  }
}
