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
  /**
   * The Linux 6.8+ protocol ("delayed freezing"): CPU partial slabs stay unfrozen, a node slab
   * is frozen only when it becomes c->slab, and the node-partial flag guards __slab_free's list
   * work. False: the Linux &le; 6.7 protocol. Read on slow paths only.
   */
  final boolean delayedFreeze;

  /** System property naming the default protocol: {@code primary} (or unset) or {@code delayed}. */
  public static final String PROTOCOL_PROPERTY = "jslub.protocol";

  /**
   * The protocol a system gets unless its builder says otherwise: {@code -Djslub.protocol=delayed}
   * selects delayed freezing, so the whole test suite can be rerun on it unchanged.
   */
  public static boolean delayedFreezeByDefault() {
    String p = System.getProperty(PROTOCOL_PROPERTY, "primary").trim();
    return switch (p) {
      case "", "primary" -> false;
      case "delayed" -> true;
      default -> throw new IllegalArgumentException(
          "-D" + PROTOCOL_PROPERTY + "=" + p + ": expected primary or delayed");
    };
  }

  public SlabMachine(
      PhysicalMemory mem, FrameAllocator pages, CpuId cpuId, int cpus, int nodes, int cacheLine,
      boolean cpuPartial) {
    this(mem, pages, cpuId, cpus, nodes, cacheLine, cpuPartial, delayedFreezeByDefault());
  }

  public SlabMachine(
      PhysicalMemory mem, FrameAllocator pages, CpuId cpuId, int cpus, int nodes, int cacheLine,
      boolean cpuPartial, boolean delayedFreeze) {
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
    this.delayedFreeze = delayedFreeze;
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

  /** True when this system runs the Linux 6.8+ delayed-freezing protocol. */
  public boolean delayedFreeze() {
    return delayedFreeze;
  }

  public CpuWord cpuWord() {
    return cpuWord;
  }
}
