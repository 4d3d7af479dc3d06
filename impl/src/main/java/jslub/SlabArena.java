package jslub;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@link Arena} on kmalloc: every segment it allocates is kfree'd when it closes. Its
 * segments are views of the system's shared arena, so their scope is that arena's: they stay
 * accessible after close (like any dangling pointer) until the system is closed. Confined to
 * one thread at a time like {@code Arena.ofConfined()}, but not checked.
 */
final class SlabArena implements Arena {
  private final SlabSystem sys;
  private final List<Long> addrs = new ArrayList<>();
  private boolean closed;

  SlabArena(SlabSystem sys) {
    this.sys = sys;
  }

  @Override
  public MemorySegment allocate(long byteSize, long byteAlignment) {
    if (closed) {
      throw new IllegalStateException("arena closed");
    }
    SlabSegmentAllocator.Allocation a =
        SlabSegmentAllocator.allocateAddr(sys, byteSize, byteAlignment);
    addrs.add(a.addr());
    // Arena.allocate promises zeroed memory: kzalloc, not kmalloc.
    return a.segment().fill((byte) 0);
  }

  @Override
  public MemorySegment.Scope scope() {
    return sys.memory().segment().scope();
  }

  @Override
  public void close() {
    if (closed) {
      throw new IllegalStateException("arena already closed");
    }
    closed = true;
    for (long a : addrs) {
      sys.kfree(a);
    }
    addrs.clear();
  }
}
