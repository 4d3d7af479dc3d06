package jslub;

import java.util.concurrent.atomic.AtomicInteger;
import jslub.cpu.VirtualCpus;
import jslub.memory.BuddyFrameAllocator;
import jslub.memory.FrameAllocator;
import jslub.memory.PhysicalMemory;

/**
 * A small system for tests that must see the page allocator: a buddy allocator the test can
 * count free frames of, wrapped in a switch that fails the next k frame requests.
 */
public final class TestSystem implements AutoCloseable {
  /** Fails the next {@link #failNext} requests, then passes them on; frees always pass. */
  public static final class FailNext implements FrameAllocator {
    final FrameAllocator inner;
    final AtomicInteger failNext = new AtomicInteger();

    FailNext(FrameAllocator inner) {
      this.inner = inner;
    }

    @Override
    public long allocFrames(int count) {
      if (failNext.getAndUpdate(k -> Math.max(0, k - 1)) > 0) {
        return 0;
      }
      return inner.allocFrames(count);
    }

    @Override
    public void freeFrames(long addr, int count) {
      inner.freeFrames(addr, count);
    }

    /** Requests still to be failed. */
    public int armed() {
      return failNext.get();
    }
  }

  public final SlabSystem sys;
  public final BuddyFrameAllocator buddy;
  public final FailNext faults;
  public final long startFree;

  private TestSystem(SlabSystem.Builder b) {
    this(b, true);
  }

  /**
   * @param seedLayout the property and catalogue tests mostly model kmalloc as slab classes only,
   *     with no reclaim: the seed's layout up to 8 MiB. Without it the builder's own kmalloc
   *     layout (kmalloc_large above two frames) and reclaim setting stand.
   */
  private TestSystem(SlabSystem.Builder b, boolean seedLayout) {
    if (seedLayout) {
      b.kmallocSlabsTo8M(true).reclaim(false);
    }
    BuddyFrameAllocator[] made = new BuddyFrameAllocator[1];
    FailNext[] wrap = new FailNext[1];
    this.sys = b.frameAllocator((PhysicalMemory m) -> {
      made[0] = new BuddyFrameAllocator(m.bytes(), m.frameSize());
      wrap[0] = new FailNext(made[0]);
      return wrap[0];
    }).build();
    this.buddy = made[0];
    this.faults = wrap[0];
    this.startFree = buddy.freeFrameCount();
  }

  /** {@code cpus} virtual CPUs, {@code memory} bytes of 4 KiB frames, debug flags {@code debug}. */
  public static TestSystem of(int cpus, long memory, String debug) {
    return new TestSystem(SlabSystem.builder().cpus(cpus).memoryBytes(memory).debug(debug));
  }

  public static TestSystem of(SlabSystem.Builder b) {
    return new TestSystem(b);
  }

  /**
   * The kernel's kmalloc layout (slab classes up to two frames, kmalloc_large above) with direct
   * reclaim on or off.
   */
  public static TestSystem kernelLayout(int cpus, long memory, String debug, boolean reclaim) {
    return new TestSystem(SlabSystem.builder().cpus(cpus).memoryBytes(memory).debug(debug)
        .reclaim(reclaim), false);
  }

  /** Fails the next {@code k} frame requests. */
  public void failNextFrames(int k) {
    faults.failNext.set(k);
  }

  /** Moves the calling thread to virtual CPU {@code cpu}. */
  public void onCpu(int cpu) {
    ((VirtualCpus) sys.cpuId()).bindCurrent(cpu);
  }

  /** Frames the buddy has handed out. */
  public long framesInUse() {
    return startFree - buddy.freeFrameCount();
  }

  /** Frames held by the slabs of every cache. */
  public long framesHeldBySlabs() {
    long n = 0;
    for (KmemCache c : sys.caches()) {
      n += c.core().framesHeld();
    }
    return n;
  }

  @Override
  public void close() {
    sys.close();
  }
}
