package jslub;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

/**
 * The seed's {@code GlobalAlloc}: a {@link SegmentAllocator} backed by kmalloc. Segments are
 * views of the system's arena; free them with {@link SlabSystem#kfree(long)} on
 * {@link MemorySegment#address()} minus the arena base, or use {@link SlabSystem#newArena()}.
 */
final class SlabSegmentAllocator implements SegmentAllocator {
  private final SlabSystem sys;

  SlabSegmentAllocator(SlabSystem sys) {
    this.sys = sys;
  }

  @Override
  public MemorySegment allocate(long byteSize, long byteAlignment) {
    return allocateAddr(sys, byteSize, byteAlignment).segment;
  }

  record Allocation(long addr, MemorySegment segment) {}

  /**
   * Checks the request, then kmallocs and views the object; a refused request allocates nothing.
   *
   * @throws IllegalArgumentException if the size is negative or above {@link
   *     SlabSystem#MAX_OBJECT_SIZE}, or the alignment is not a power of two up to that size
   */
  static Allocation allocateAddr(SlabSystem sys, long byteSize, long byteAlignment) {
    if (byteAlignment <= 0 || Long.bitCount(byteAlignment) != 1
        || byteAlignment > SlabSystem.MAX_OBJECT_SIZE) {
      throw new IllegalArgumentException("bad alignment " + byteAlignment
          + ": not a power of two in [1, " + SlabSystem.MAX_OBJECT_SIZE + "]");
    }
    if (byteSize < 0 || byteSize > SlabSystem.MAX_OBJECT_SIZE) {
      throw new IllegalArgumentException("bad size " + byteSize + ": outside [0, "
          + SlabSystem.MAX_OBJECT_SIZE + "]");
    }
    // A zero-size request still gets a distinct object (the smallest class).
    long size = Math.max(1, byteSize);
    long addr = sys.kmalloc(size, (int) byteAlignment);
    if (addr == 0) {
      throw new OutOfMemoryError("jslub: no frames left for kmalloc(" + byteSize + ")");
    }
    return new Allocation(addr, sys.segment(addr, byteSize));
  }
}
