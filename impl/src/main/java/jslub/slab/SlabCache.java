package jslub.slab;

import org.checkerframework.checker.lock.qual.MayReleaseLocks;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import jslub.cpu.CpuId;
import jslub.memory.PhysicalMemory;
import org.checkerframework.checker.index.qual.Positive;
import org.checkerframework.checker.lock.qual.GuardSatisfied;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * {@code struct kmem_cache}: one cache of equally sized objects, with its per-CPU
 * ({@link KmemCacheCpu}) and per-node ({@link KmemCacheNode}) state.
 *
 * <p>The operations live in files named after the part of mm/slub.c they mirror:
 * {@link SlabAlloc} (allocation), {@link SlabFree} (free), {@link SlabDeactivate} (freezing and
 * unfreezing, flushing), {@link SlabShrink}, {@link SlabDebugPath} (SLAB_CONSISTENCY_CHECKS) and
 * {@link SlabValidate}. This class holds the state and the entry points.
 */
public final class SlabCache {
  final String name;
  final SlabLayout layout;
  /** s->size: object stride. */
  final @Positive int size;
  /** s->reciprocal_size: {@link Reciprocal#reciprocalValue} of {@link #size}, for obj_to_index. */
  final long reciprocalSize;
  /** s->offset: free pointer offset. */
  final int offset;
  /** s->min_partial. */
  final int minPartial;
  /** s->cpu_partial_slabs (0 when the CPU partial lists are off). */
  final int cpuPartialSlabs;
  /** kmem_cache_has_cpu_partial(). */
  final boolean cpuPartialOn;
  /** Linux 6.8+ delayed freezing (see {@link SlabMachine#delayedFreeze}); slow paths only. */
  final boolean delayedFreeze;
  /** SLAB_CONSISTENCY_CHECKS ("F"): every alloc and free takes the locked, checked path. */
  final boolean debug;
  /** s->random: the freelist-pointer obfuscation key. */
  final long random;
  final SlabMachine machine;
  /** machine.cpuId, machine.mem and machine.memmap, one load closer for the fast paths. */
  final CpuId cpuId;
  final PhysicalMemory mem;
  final MemMap memmap;
  final SlabStats stats;
  private final KmemCacheCpu[] cpuSlab;
  private final KmemCacheNode[] nodes;
  private final AtomicLong colourNext = new AtomicLong();
  /** Debug reports (slab_err / object_err lines), newest last. */
  final java.util.concurrent.ConcurrentLinkedQueue<String> reports =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  /** Frames held by this cache's slabs (for shrink's return value and accounting). */
  final AtomicLong framesHeld = new AtomicLong();
  /** Keeps {@link #shutdown()} from racing the slow paths; see {@link CacheGate}. */
  final CacheGate gate;

  /**
   * kmem_cache_create() minus the registry (which the API layer owns).
   *
   * @param debug SLAB_CONSISTENCY_CHECKS
   */
  public SlabCache(SlabMachine machine, String name, int objectSize, int align, boolean debug,
      boolean statsOn) {
    this.machine = machine;
    this.name = name;
    this.layout = SlabLayout.compute(objectSize, align, machine.frameSize(), machine.cacheLine,
        machine.cpus);
    this.size = layout.size;
    this.reciprocalSize = Reciprocal.reciprocalValue(layout.size);
    this.offset = layout.offset;
    this.minPartial = layout.minPartial();
    this.debug = debug;
    this.delayedFreeze = machine.delayedFreeze;
    // Debug caches keep no CPU slabs at all (Linux 6.2+), hence no CPU partial lists.
    this.cpuPartialOn = machine.cpuPartial && !debug;
    this.cpuPartialSlabs = layout.cpuPartialSlabs(cpuPartialOn);
    this.random = ThreadLocalRandom.current().nextLong();
    this.stats = new SlabStats(machine.cpus, statsOn);
    this.cpuId = machine.cpuId;
    this.mem = machine.mem;
    this.memmap = machine.memmap;
    this.cpuSlab = new KmemCacheCpu[machine.cpus];
    for (int i = 0; i < cpuSlab.length; i++) {
      cpuSlab[i] = new KmemCacheCpu(i, machine.cpuWord);
    }
    this.gate = new CacheGate(machine.cpus);
    this.nodes = new KmemCacheNode[machine.nodes];
    for (int i = 0; i < nodes.length; i++) {
      nodes[i] = new KmemCacheNode(i);
    }
  }

  /**
   * this_cpu_ptr(s->cpu_slab): the calling thread's CPU's kmem_cache_cpu, with one range check
   * (a CpuId outside [0, cpus) is a configuration error). May be stale the moment it returns,
   * which is harmless: the fast path then reads and CASes that CPU's word, tid included.
   */
  KmemCacheCpu thisCpuPtr() {
    int cpu = cpuId.currentCpu();
    KmemCacheCpu[] a = cpuSlab;
    if (cpu < 0 || cpu >= a.length) {
      throw new IllegalStateException("CpuId returned " + cpu + ", outside [0, " + a.length
          + ")");
    }
    return a[cpu];
  }

  KmemCacheCpu cpuSlab(int cpu) {
    if (cpu < 0 || cpu >= cpuSlab.length) {
      throw new IllegalArgumentException("no cpu " + cpu);
    }
    return cpuSlab[cpu];
  }

  int cpus() {
    return cpuSlab.length;
  }

  KmemCacheNode node(int node) {
    if (node < 0 || node >= nodes.length) {
      throw new IllegalArgumentException("no node " + node);
    }
    return nodes[node];
  }

  int nodeCount() {
    return nodes.length;
  }

  /** stat() on the calling thread's CPU. */
  void stat(Stat item) {
    if (stats.enabled()) {
      stats.inc(machine.currentCpu(), item);
    }
  }

  /** The colour for the next slab of {@code order}: (k mod colours) × step. */
  int nextColour(int order) {
    int colours = layout.colours(order);
    if (colours <= 1) {
      return 0;
    }
    return (int) (colourNext.getAndIncrement() % colours) * layout.colourStep;
  }

  // ------------------------------------------------------------------ entry points

  /** kmem_cache_alloc(): an object's address, or 0 if no frames are left. */
  @MayReleaseLocks
  public long alloc() {
    return SlabAlloc.slabAllocNode(this);
  }

  /**
   * kmem_cache_free(): frees {@code addr}, or reports why it cannot without changing anything.
   *
   * @return null on success
   */
  @MayReleaseLocks
  public @Nullable FreeError free(long addr) {
    if (addr == 0) {
      return FreeError.NULL_POINTER;
    }
    return free(memmap.slabOf(addr), addr);
  }

  /**
   * kmem_cache_free() for a caller that already looked the slab up (kfree's virt_to_slab); the
   * same checks apply, so a wrong {@code slab} is refused, never trusted.
   */
  @MayReleaseLocks
  public @Nullable FreeError free(@Nullable Slab slab, long addr) {
    FreeError e = checkFree(slab, addr);
    if (e != null || slab == null) {
      return e;
    }
    if (debug) {
      return SlabDebugPath.freeDebugGated(this, slab, addr);
    }
    return SlabFree.doSlabFree(this, slab, addr, addr, 1);
  }

  /** The cheap checks every free gets: in the arena, in a slab of this cache, on an object. */
  @Nullable FreeError checkFree(@Nullable Slab slab, long addr) {
    if (addr < 0 || addr >= mem.bytes()) {
      return FreeError.OUTSIDE_ARENA;
    }
    if (slab == null) {
      return FreeError.NOT_SLAB;
    }
    if (slab.cache != this) {
      return FreeError.WRONG_CACHE;
    }
    if (slab.indexOf(addr) < 0) {
      return FreeError.NOT_OBJECT;
    }
    return null;
  }

  /**
   * kmem_cache_alloc_bulk(): fills {@code out[0..n)}; returns n, or 0 (having freed what it got)
   * when frames run out.
   */
  @MayReleaseLocks
  public int allocBulk(long[] out, int n) {
    if (n < 0 || n > out.length) {
      throw new IllegalArgumentException("n=" + n + " outside [0, " + out.length + "]");
    }
    return SlabAlloc.allocBulk(this, out, n);
  }

  /**
   * kmem_cache_free_bulk(): frees {@code addrs[0..n)}. Every entry is checked first (an object of
   * this cache, once in the batch, not already free); if any fails, nothing is freed and the
   * array is untouched. Like the kernel, processed entries are set to 0 and 0 entries skipped.
   *
   * @return null on success, else the first refused entry (and nothing was freed)
   */
  @MayReleaseLocks
  public @Nullable BulkRefusal freeBulk(long[] addrs, int n) {
    if (n < 0 || n > addrs.length) {
      throw new IllegalArgumentException("n=" + n + " outside [0, " + addrs.length + "]");
    }
    return SlabFree.freeBulk(this, addrs, n);
  }

  /** The cache's slab of {@code addr}, if {@code addr} is in one of this cache's slabs. */
  public @Nullable Slab slabOf(long addr) {
    Slab s = machine.memmap.slabOf(addr);
    return s != null && s.cache == this ? s : null;
  }

  /**
   * Test hook for stress/'s TidCommits check: CPU {@code cpu}'s (freelist, tid) word, read once,
   * as {tid, freelist address, 1 if a slow path has it claimed else 0}.
   */
  public long[] cpuWordView(int cpu) {
    KmemCacheCpu c = cpuSlab(cpu);
    long w = c.word();
    boolean busy = c.cw.busy(w);
    return new long[] {c.cw.tid(w), busy ? 0 : c.cw.freelist(w), busy ? 1 : 0};
  }

  /** flush_all(): every CPU's slab and partial list back to the node. */
  @MayReleaseLocks
  public void flushAll() {
    int slot = gate.enter(machine.currentCpu());
    if (slot < 0) {
      return; // shut down: nothing left to flush
    }
    try {
      flushAllCpus();
    } finally {
      gate.exit(slot);
    }
  }

  /** flush_all() for a caller already inside the gate (shrink, validate, shutdown). */
  @MayReleaseLocks
  void flushAllCpus() {
    for (int cpu = 0; cpu < cpuSlab.length; cpu++) {
      SlabDeactivate.flushCpuSlab(this, cpuSlab[cpu]);
      if (SlabTrace.ON) SlabTrace.event("ShrinkNextCpu");
    }
  }

  /** __kmem_cache_shrink(): flush, then discard every empty slab; returns frames freed. */
  @MayReleaseLocks
  public long shrink() {
    int slot = gate.enter(machine.currentCpu());
    if (slot < 0) {
      return 0;
    }
    try {
      return SlabShrink.kmemCacheShrink(this);
    } finally {
      gate.exit(slot);
    }
  }

  /**
   * __kmem_cache_shutdown(), the core of kmem_cache_destroy(): with every slow path held off
   * ({@link CacheGate}), flush every CPU and free every empty slab. If no object is left, the
   * cache is dead for good: every frame is back, later slow paths are refused (alloc returns 0,
   * a free finds no slab). Otherwise nothing more changes and the cache stays usable.
   *
   * @return null when the cache was shut down; else its counts, which then are exact (the cache
   *     was quiescent when they were taken), for the busy report
   */
  @MayReleaseLocks
  public @Nullable CacheCounts shutdown() {
    gate.close();
    boolean dead = false;
    try {
      // After the flush no fast path can succeed (every tid moved, every CPU freelist empty) and
      // every slow path waits at the gate, so the counts below cannot change under us.
      SlabShrink.kmemCacheShrink(this);
      CacheCounts k = SlabValidate.counts(this);
      if (k.slabs() != 0 || k.frames() != 0) {
        return k;
      }
      gate.kill();
      dead = true;
      return null;
    } finally {
      if (!dead) {
        gate.reopen();
      }
    }
  }

  /** True once {@link #shutdown()} has freed the cache: a 0 from alloc then means "destroyed". */
  public boolean isDead() {
    return gate.isDead();
  }

  public String name() {
    return name;
  }

  /** The machine (CPUs, memory, the CPU-word layout) this cache lives on. */
  public SlabMachine machine() {
    return machine;
  }

  public SlabLayout layout() {
    return layout;
  }

  public int objectSize() {
    return layout.objectSize;
  }

  public int size() {
    return size;
  }

  public boolean debug() {
    return debug;
  }

  public int minPartial() {
    return minPartial;
  }

  public int cpuPartialSlabs() {
    return cpuPartialSlabs;
  }

  /** The debug reports recorded so far (kernel-style "BUG cache: what" lines). */
  public java.util.List<String> reports() {
    return java.util.List.copyOf(reports);
  }

  public SlabStats stats() {
    return stats;
  }

  public long framesHeld() {
    return framesHeld.get();
  }

  /** Counters for slabinfo; see {@link CacheCounts}. */
  @MayReleaseLocks
  public CacheCounts counts() {
    return SlabValidate.counts(this);
  }

  /**
   * validate_slab_cache(): flushes the CPUs, then checks every slab and list; returns the
   * problems found (empty when consistent). Meant for a quiescent cache.
   */
  @MayReleaseLocks
  public java.util.List<String> validate() {
    int slot = gate.enter(machine.currentCpu());
    if (slot < 0) {
      return java.util.List.of();
    }
    try {
      return SlabValidate.validate(this);
    } finally {
      gate.exit(slot);
    }
  }

  @Override
  public String toString(@GuardSatisfied SlabCache this) {
    return name;
  }
}
