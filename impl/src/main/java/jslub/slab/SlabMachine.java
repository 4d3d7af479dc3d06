package jslub.slab;

import jslub.cpu.CpuId;
import jslub.memory.FrameAllocator;
import jslub.memory.PhysicalMemory;
import org.checkerframework.checker.index.qual.Positive;

/**
 * What every cache of one system shares: the arena, the page allocator, the memmap, the CPU-id
 * source and the CPU-word encoding. The kernel has these as globals; here one {@code SlabMachine}
 * per {@code SlabSystem} keeps two systems in one JVM independent.
 */
public final class SlabMachine {
  final PhysicalMemory mem;
  final FrameAllocator pages;
  final MemMap memmap;
  final CpuId cpuId;
  final @Positive int cpus;
  final @Positive int nodes;
  final int cacheLine;
  final CpuWord cpuWord;
  /** CONFIG_SLUB_CPU_PARTIAL. */
  final boolean cpuPartial;

  public SlabMachine(
      PhysicalMemory mem, FrameAllocator pages, CpuId cpuId, int cpus, int nodes, int cacheLine,
      boolean cpuPartial) {
    if (cpus < 1) {
      throw new IllegalArgumentException("cpus must be >= 1, got " + cpus);
    }
    if (nodes != 1) {
      // kmem_cache_node is per node throughout; only page placement per node is missing.
      throw new IllegalArgumentException("only 1 NUMA node is supported so far, got " + nodes);
    }
    if (cacheLine < 8 || Integer.bitCount(cacheLine) != 1) {
      throw new IllegalArgumentException("cacheLineSize must be a power of two >= 8");
    }
    this.mem = mem;
    this.pages = pages;
    this.memmap = new MemMap(mem);
    this.cpuId = cpuId;
    this.cpus = cpus;
    this.nodes = nodes;
    this.cacheLine = cacheLine;
    this.cpuWord = new CpuWord(mem.bytes(), cpus);
    this.cpuPartial = cpuPartial;
  }

  /** smp_processor_id(), checked: a CpuId outside [0, cpus) is a configuration error. */
  int currentCpu() {
    int cpu = cpuId.currentCpu();
    if (cpu < 0 || cpu >= cpus) {
      throw new IllegalStateException("CpuId returned " + cpu + ", outside [0, " + cpus + ")");
    }
    return cpu;
  }

  int frameSize() {
    return mem.frameSize();
  }

  public PhysicalMemory memory() {
    return mem;
  }

  /** The page allocator slabs come from (kmalloc_large uses it directly, as the kernel does). */
  public FrameAllocator pages() {
    return pages;
  }

  public MemMap memmap() {
    return memmap;
  }

  public int cpus() {
    return cpus;
  }

  public CpuWord cpuWord() {
    return cpuWord;
  }
}
