package jslub.memory;

/**
 * The page allocator SPI (the seed's extern {@code alloc_frames} / {@code free_frames}; the kernel's
 * {@code alloc_pages} / {@code __free_pages}).
 *
 * <p>Addresses are byte offsets into the system's {@link PhysicalMemory}; 0 is NULL and is never a
 * valid block. A block of {@code count} frames is frame-aligned and lies wholly inside the arena.
 * Implementations must be thread-safe: slabs are allocated and discarded from every CPU.
 */
public interface FrameAllocator {
  /**
   * Allocates {@code count} contiguous frames.
   *
   * @param count number of frames, at least 1
   * @return the address of the first frame, or 0 if the request cannot be met
   */
  long allocFrames(int count);

  /**
   * Returns a block obtained from {@link #allocFrames(int)} with the same {@code count}.
   *
   * @throws IllegalArgumentException if the block was not allocated here with that count
   */
  void freeFrames(long addr, int count);
}
