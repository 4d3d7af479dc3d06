package jslub.memory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the frames another {@link FrameAllocator} has handed out and not got back (the
 * kernel's NR_SLAB_*, NR_KERNEL_MISC counters, folded into one): memory accounting reads frames
 * in use in O(1) whatever allocator sits underneath.
 */
public final class CountingFrameAllocator implements FrameAllocator {
  private final FrameAllocator inner;
  private final AtomicLong inUse = new AtomicLong();

  public CountingFrameAllocator(FrameAllocator inner) {
    this.inner = inner;
  }

  @Override
  public long allocFrames(int count) {
    long a = inner.allocFrames(count);
    if (a != 0) {
      inUse.addAndGet(count);
    }
    return a;
  }

  @Override
  public void freeFrames(long addr, int count) {
    inner.freeFrames(addr, count); // throws (and so counts nothing) on a bad block
    inUse.addAndGet(-count);
  }

  /** Frames handed out and not yet given back. */
  public long framesInUse() {
    return inUse.get();
  }
}
