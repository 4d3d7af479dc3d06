package jslub.kmalloc;

import java.util.concurrent.atomic.AtomicLong;
import jslub.memory.FrameAllocator;
import jslub.slab.FreeError;
import jslub.slab.MemMap;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * kmalloc_large() / free_large_kmalloc() (mm/slab_common.c): a request above
 * KMALLOC_MAX_CACHE_SIZE gets a whole block of {@code 2^order} frames straight from the page
 * allocator, naturally aligned, and no slab. The head frame records the order in the memmap so
 * that kfree and ksize find it (the kernel keeps it in the compound head page).
 */
final class KmallocLarge {
  private final FrameAllocator pages;
  private final MemMap memmap;
  private final int frameShift;
  private final AtomicLong blocks = new AtomicLong();
  private final AtomicLong frames = new AtomicLong();

  KmallocLarge(FrameAllocator pages, MemMap memmap, int frameShift) {
    this.pages = pages;
    this.memmap = memmap;
    this.frameShift = frameShift;
  }

  /**
   * get_order(): the smallest order whose block holds {@code size} bytes and is aligned to
   * {@code align} (blocks are naturally aligned, so a large enough block is aligned enough).
   */
  int order(long size, int align) {
    long need = Math.max(size, align);
    long framesNeeded = (need + (1L << frameShift) - 1) >>> frameShift;
    return 64 - Long.numberOfLeadingZeros(Math.max(1, framesNeeded) - 1);
  }

  /** kmalloc_large(): the block's address, or 0 when the page allocator refuses. */
  long kmallocLarge(long size, int align) {
    int order = order(size, align);
    if (order > 30) {
      return 0;
    }
    long base = pages.allocFrames(1 << order);
    if (base == 0) {
      return 0;
    }
    memmap.markLarge(base, order);
    blocks.incrementAndGet();
    frames.addAndGet(1L << order);
    return base;
  }

  /** The order of the live large block at {@code addr}, or -1 if there is none. */
  int orderOf(long addr) {
    return memmap.largeOrder(addr);
  }

  /**
   * free_large_kmalloc(): gives the block back. Of two racing frees of one block exactly one
   * wins (a CAS on the head's mark); the loser gets an error and changes nothing.
   *
   * @return null on success
   */
  @Nullable FreeError freeLarge(long addr) {
    int order = memmap.largeOrder(addr);
    if (order < 0 || !memmap.clearLarge(addr, order)) {
      return FreeError.NOT_SLAB;
    }
    blocks.decrementAndGet();
    frames.addAndGet(-(1L << order));
    pages.freeFrames(addr, 1 << order);
    return null;
  }

  /** ksize() of a large block: the whole block, page_size(folio). */
  long ksize(int order) {
    return 1L << (order + frameShift);
  }

  /** Live large blocks. */
  long blocks() {
    return blocks.get();
  }

  /** Frames held by live large blocks. */
  long frames() {
    return frames.get();
  }
}
