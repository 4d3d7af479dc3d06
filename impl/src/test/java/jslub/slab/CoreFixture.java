package jslub.slab;

import java.util.ArrayList;
import java.util.List;
import jslub.cpu.CpuId;
import jslub.memory.BuddyFrameAllocator;
import jslub.memory.FrameAllocator;
import jslub.memory.PhysicalMemory;

/**
 * A bare SLUB core for white-box tests: one arena, a buddy allocator, and a CPU id the test sets
 * by hand ({@link #onCpu}), so every path is deterministic and single-threaded.
 */
final class CoreFixture implements AutoCloseable {
  /** The five places a slab can be (plus "empty but kept" which is NODE_PARTIAL with inuse 0). */
  enum Place { CPU_SLAB, CPU_PARTIAL, NODE_PARTIAL, FULL_NO_LIST, DISCARDED }

  final PhysicalMemory mem;
  final BuddyFrameAllocator buddy;
  final SlabMachine machine;
  private volatile int cpu;

  CoreFixture(long bytes, int cpus, boolean cpuPartial) {
    this(bytes, cpus, cpuPartial, null);
  }

  CoreFixture(long bytes, int cpus, boolean cpuPartial,
      java.util.function.@org.checkerframework.checker.nullness.qual.Nullable Function<
          FrameAllocator, FrameAllocator> wrap) {
    this(bytes, cpus, cpuPartial, wrap, SlabMachine.delayedFreezeByDefault());
  }

  /** A fixture pinned to one protocol, whatever {@code -Djslub.protocol} says. */
  static CoreFixture withProtocol(long bytes, int cpus, boolean delayedFreeze) {
    return new CoreFixture(bytes, cpus, true, null, delayedFreeze);
  }

  private CoreFixture(long bytes, int cpus, boolean cpuPartial,
      java.util.function.@org.checkerframework.checker.nullness.qual.Nullable Function<
          FrameAllocator, FrameAllocator> wrap, boolean delayedFreeze) {
    mem = new PhysicalMemory(bytes, 4096);
    buddy = new BuddyFrameAllocator(bytes, 4096);
    FrameAllocator pages = wrap == null ? buddy : wrap.apply(buddy);
    CpuId id = () -> cpu;
    machine = new SlabMachine(mem, pages, id, cpus, 1, 64, cpuPartial, delayedFreeze);
  }

  SlabCache cache(String name, int size) {
    return new SlabCache(machine, name, size, 0, false, true);
  }

  SlabCache cache(String name, int size, int align) {
    return new SlabCache(machine, name, size, align, false, true);
  }

  void onCpu(int c) {
    cpu = c;
  }

  /** Runs {@code r} as if on CPU {@code c}, then returns to the CPU we were on. */
  void asCpu(int c, Runnable r) {
    int was = cpu;
    cpu = c;
    try {
      r.run();
    } finally {
      cpu = was;
    }
  }

  static KmemCacheCpu c(SlabCache s, int cpu) {
    return s.cpuSlab(cpu);
  }

  static long cpuFreelist(SlabCache s, int cpu) {
    KmemCacheCpu c = s.cpuSlab(cpu);
    return c.cw.freelist(c.word());
  }

  static long tid(SlabCache s, int cpu) {
    KmemCacheCpu c = s.cpuSlab(cpu);
    return c.cw.tid(c.word());
  }

  /** The CPU partial list of {@code cpu}, head first. */
  static List<Slab> cpuPartial(SlabCache s, int cpu) {
    List<Slab> out = new ArrayList<>();
    KmemCacheCpu c = s.cpuSlab(cpu);
    c.lock.lock();
    try {
      for (Slab p = c.partial(); p != null; p = p.partialNext) {
        out.add(p);
      }
    } finally {
      c.lock.unlock();
    }
    return out;
  }

  /** The node partial list, head first. */
  static List<Slab> nodePartial(SlabCache s) {
    List<Slab> out = new ArrayList<>();
    KmemCacheNode n = s.node(0);
    n.listLock.lock();
    try {
      for (Slab p = n.firstPartial(); p != null; p = p.listNext) {
        out.add(p);
      }
    } finally {
      n.listLock.unlock();
    }
    return out;
  }

  static int nrPartial(SlabCache s) {
    return s.node(0).nrPartial;
  }

  static long freelistOf(Slab slab) {
    return slab.freelist(slab.word());
  }

  /** Length of the in-band freelist starting at {@code head}. */
  static int chainLength(SlabCache s, long head) {
    int n = 0;
    for (long p = head; p != 0; p = Freelist.get(s, p)) {
      n++;
      if (n > 1 << 20) {
        throw new AssertionError("freelist cycle");
      }
    }
    return n;
  }

  /** Where {@code slab} is, derived from the structures (not from a field the code keeps). */
  Place placeOf(SlabCache s, Slab slab) {
    if (machine.memmap.slabOf(slab.base) != slab) {
      return Place.DISCARDED;
    }
    for (int i = 0; i < s.cpus(); i++) {
      if (s.cpuSlab(i).slab == slab) {
        return Place.CPU_SLAB;
      }
      if (cpuPartial(s, i).contains(slab)) {
        return Place.CPU_PARTIAL;
      }
    }
    if (nodePartial(s).contains(slab)) {
      return Place.NODE_PARTIAL;
    }
    return Place.FULL_NO_LIST;
  }

  @Override
  public void close() {
    mem.close();
  }
}
