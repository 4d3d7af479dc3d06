package jslub;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import jslub.cpu.CpuId;
import jslub.cpu.VirtualCpus;
import jslub.kmalloc.Kmalloc;
import jslub.kmalloc.KmallocCaches;
import jslub.memory.BuddyFrameAllocator;
import jslub.memory.CountingFrameAllocator;
import jslub.memory.FrameAllocator;
import jslub.memory.PhysicalMemory;
import jslub.slab.FreeError;
import jslub.slab.Slab;
import jslub.slab.SlabCache;
import jslub.slab.SlabMachine;
import jslub.slab.SlabWord;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A slab system: one arena of "physical" memory, a page allocator, virtual CPUs, the kmalloc
 * caches and any named caches (the seed's {@code init_slab_system}). Thread-safe. Close it to
 * unmap the arena; every address it handed out is then dead.
 */
public final class SlabSystem implements AutoCloseable {
  /**
   * Largest frame size: the smallest class, kmalloc-8, must fit in one frame in at most
   * MAX_OBJS_PER_SLAB (32767) objects, the width of the slab's objects field.
   */
  public static final int MAX_FRAME_SIZE =
      Integer.highestOneBit(SlabWord.MAX_OBJS_PER_SLAB * KmallocCaches.KMALLOC_MIN_SIZE);

  /** Largest object a cache may hold: KMALLOC_MAX_SIZE, 8 MiB. */
  public static final long MAX_OBJECT_SIZE = KmallocCaches.KMALLOC_MAX_SIZE;

  private final PhysicalMemory mem;
  private final FrameAllocator pages;
  private final CountingFrameAllocator counted;
  private final CpuId cpuId;
  private final SlabMachine machine;
  private final KmallocCaches kmalloc;
  private final Kmalloc family;
  private final Map<String, KmemCache> caches = new ConcurrentHashMap<>();
  private final List<KmemCache> kmallocHandles = new ArrayList<>();
  private final boolean debugF;
  private final String debugFlags;
  private volatile boolean statsOn;

  private SlabSystem(Builder b) {
    this.mem = new PhysicalMemory(b.memoryBytes, b.frameSize);
    this.pages = b.frameAllocator != null ? b.frameAllocator.apply(mem)
        : new BuddyFrameAllocator(mem.bytes(), b.frameSize);
    this.cpuId = b.cpuId != null ? b.cpuId : new VirtualCpus(b.cpus);
    this.debugFlags = b.debug;
    this.debugF = b.debug.indexOf('F') >= 0;
    this.statsOn = b.stats;
    this.counted = new CountingFrameAllocator(pages);
    this.machine = new SlabMachine(mem, counted, cpuId, b.cpus, b.nodes, b.cacheLineSize,
        b.cpuPartial, b.delayedFreeze);
    // KMALLOC_MAX_CACHE_SIZE: two frames, as in the kernel, unless the seed's 8 MiB is asked for.
    this.kmalloc = new KmallocCaches(machine, debugF, statsOn,
        b.kmallocSlabsTo8M ? KmallocCaches.KMALLOC_MAX_SIZE : 2L * b.frameSize);
    Map<String, KmemCache> all = caches; // the reclaimer must not capture a half-built this
    this.family = new Kmalloc(machine, kmalloc, b.reclaim ? () -> shrinkAll(all) : null,
        b.trackRequested);
    for (int i = 0; i < kmalloc.classes(); i++) {
      KmemCache h = new KmemCache(this, kmalloc.cache(i));
      kmallocHandles.add(h);
      caches.put(h.name(), h);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * kmem_cache_create(): a new cache of {@code size}-byte objects aligned to {@code align}
   * (0 or a power of two).
   *
   * @throws CacheExistsException if a live cache has that name (kmalloc-* names included)
   * @throws IllegalArgumentException if size ≤ 0, size > {@link #MAX_OBJECT_SIZE}, or align is
   *     not 0 or a power of two, or is larger than {@link #MAX_OBJECT_SIZE}
   */
  public KmemCache createCache(String name, int size, int align) {
    if (name.isBlank()) {
      throw new IllegalArgumentException("cache name must not be blank");
    }
    if (size <= 0 || size > MAX_OBJECT_SIZE) {
      throw new IllegalArgumentException(
          "kmem_cache_create(" + name + "): size " + size + " outside 1.." + MAX_OBJECT_SIZE);
    }
    if (align < 0 || (align != 0 && Integer.bitCount(align) != 1)) {
      throw new IllegalArgumentException(
          "kmem_cache_create(" + name + "): align " + align + " is not a power of two");
    }
    if (align > MAX_OBJECT_SIZE) {
      throw new IllegalArgumentException("kmem_cache_create(" + name + "): align " + align
          + " is larger than the largest object (" + MAX_OBJECT_SIZE + ")");
    }
    KmemCache[] made = new KmemCache[1];
    KmemCache prev = caches.computeIfAbsent(name, n -> {
      made[0] = new KmemCache(this,
          new SlabCache(machine, n, size, align, debugF, statsOn));
      return made[0];
    });
    if (made[0] == null || prev != made[0]) {
      throw new CacheExistsException("kmem_cache_create(" + name + "): a cache of that name exists");
    }
    return prev;
  }

  /** Looks a cache up by name (kmalloc-* included), or null. */
  public @Nullable KmemCache cache(String name) {
    return caches.get(name);
  }

  /** Every live cache, kmalloc caches first, then named caches by name. */
  public List<KmemCache> caches() {
    List<KmemCache> all = new ArrayList<>(kmallocHandles);
    caches.values().stream().filter(c -> !kmallocHandles.contains(c))
        .sorted((a, b) -> a.name().compareTo(b.name())).forEach(all::add);
    return all;
  }

  void destroy(KmemCache c) {
    if (kmallocHandles.contains(c)) {
      throw new IllegalArgumentException("kmalloc caches cannot be destroyed: " + c.name());
    }
    synchronized (c) {
      if (c.isDestroyed()) {
        throw new CacheDestroyedException("cache " + c.name() + " was destroyed");
      }
      // Holds off the cache's own slow paths while it counts and frees (CacheGate), so the
      // verdict is exact: busy only with objects that exist, and once shut down nothing of the
      // cache is left or can be handed out.
      jslub.slab.CacheCounts k = c.core().shutdown();
      if (k != null) {
        throw new CacheBusyException("kmem_cache_destroy " + c.name()
            + ": Slab cache still has objects (" + k.activeObjs() + " live in " + k.slabs()
            + " slabs)");
      }
      c.markDestroyed();
      caches.remove(c.name(), c);
    }
  }

  /**
   * kmalloc(): at least {@code size} bytes aligned to {@code align} (0 = natural) from the
   * smallest fitting size class, or whole frames above KMALLOC_MAX_CACHE_SIZE (kmalloc_large).
   * Failure convention, as in {@link Kmalloc}: 0 (NULL) when memory runs out even after direct
   * reclaim, or when size exceeds {@link #MAX_OBJECT_SIZE}; {@link Kmalloc#ZERO_SIZE_PTR} for
   * size 0.
   *
   * @throws IllegalArgumentException only if size is negative or align is not a power of two
   */
  public long kmalloc(long size, int align) {
    return family.kmalloc(size, align);
  }

  /** kmalloc() with the minimum alignment. */
  public long kmalloc(long size) {
    return kmalloc(size, 0);
  }

  /**
   * kfree(): frees an object of any cache of this system or a large block; {@code kfree(0)} and
   * {@code kfree(ZERO_SIZE_PTR)} are no-ops.
   *
   * @throws InvalidFreeException if {@code addr} is not a live object (nothing changes)
   */
  public void kfree(long addr) {
    FreeError e = family.kfree(addr);
    if (e != null) {
      throw invalidFree(e, addr, "kfree");
    }
  }

  private InvalidFreeException invalidFree(FreeError e, long addr, String what) {
    Slab s = addr == 0 ? null : machine.memmap().slabOf(addr);
    return InvalidFreeException.of(e, addr, s == null ? what : s.cache().name(), "");
  }

  /**
   * ksize(): the usable size of the object at {@code addr}: its cache's object size, a large
   * block's whole size, 0 for ZERO_SIZE_PTR.
   *
   * @throws InvalidFreeException if {@code addr} is no object of this system
   */
  public int ksize(long addr) {
    long n = family.ksize(addr);
    if (n < 0) {
      throw InvalidFreeException.of(FreeError.NOT_SLAB, addr, "ksize", "");
    }
    return (int) Math.min(Integer.MAX_VALUE, n);
  }

  /**
   * A view of {@code [addr, addr+size)} bounded by the object holding {@code addr}: for a slab
   * object it may start inside the object but never reach past its usable size (the cache's
   * object size; for kmalloc, the class size); for a kmalloc_large block it starts at the block
   * and reaches at most its ksize. Whether the object is live is the caller's business, as with
   * any pointer.
   *
   * @throws IndexOutOfBoundsException if {@code addr} is in no object, {@code size} is
   *     negative, or the view would run past the object
   */
  public MemorySegment segment(long addr, long size) {
    Slab s = addr > 0 ? machine.memmap().slabOf(addr) : null;
    long start = s == null ? -1 : s.objectStart(addr);
    long end;
    String owner;
    if (s != null && start >= 0) {
      end = start + objectKsize(s);
      owner = s.cache().name();
    } else if (s == null && addr > 0 && family.ksize(addr) > 0) { // a kmalloc_large block
      start = addr;
      end = addr + family.ksize(addr);
      owner = "kmalloc_large";
    } else {
      throw new IndexOutOfBoundsException("segment(0x" + Long.toHexString(addr) + ", " + size
          + "): the address is in no slab object and starts no kmalloc_large block");
    }
    if (size < 0 || size > end - addr) {
      throw new IndexOutOfBoundsException("segment(0x" + Long.toHexString(addr) + ", " + size
          + ") runs past its object [0x" + Long.toHexString(start) + ", 0x"
          + Long.toHexString(end) + ") of " + owner);
    }
    return mem.slice(addr, size);
  }

  /**
   * The usable size of an object of {@code s} for segment bounds: the cache's object size (a
   * kmalloc class's size).
   */
  private static int objectKsize(Slab s) {
    return s.cache().objectSize();
  }

  /** A {@link SegmentAllocator} on kmalloc; segments are never freed by it (see newArena). */
  public SegmentAllocator asSegmentAllocator() {
    return new SlabSegmentAllocator(this);
  }

  /** An {@link Arena} whose segments come from kmalloc and are kfree'd when it is closed. */
  public Arena newArena() {
    return new SlabArena(this);
  }

  /** Direct reclaim's shrinker: every live cache shrunk; returns frames freed. */
  private static long shrinkAll(Map<String, KmemCache> all) {
    long n = 0;
    for (KmemCache c : all.values()) {
      if (!c.isDestroyed()) {
        n += c.core().shrink();
      }
    }
    return n;
  }

  /** Shrinks every cache; returns frames freed. */
  public long shrink() {
    long n = 0;
    for (KmemCache c : caches()) {
      n += c.core().shrink();
    }
    return n;
  }

  /** Validates every cache; returns "cache: problem" lines (empty when consistent). */
  public List<String> validate() {
    List<String> out = new ArrayList<>();
    for (KmemCache c : caches()) {
      for (String p : c.core().validate()) {
        out.add(c.name() + ": " + p);
      }
    }
    return out;
  }

  /** A snapshot for /proc/slabinfo, the slabinfo tool's summary and the stat counters. */
  public SlabInfo info() {
    return SlabInfo.snapshot(this);
  }

  /** Turns the SLUB stat counters on or off for every cache (CONFIG_SLUB_STATS). */
  public void setStats(boolean on) {
    statsOn = on;
    for (KmemCache c : caches()) {
      c.stats().setEnabled(on);
    }
  }

  public SlabMachine machine() {
    return machine;
  }

  public PhysicalMemory memory() {
    return mem;
  }

  public FrameAllocator frameAllocator() {
    return pages;
  }

  public CpuId cpuId() {
    return cpuId;
  }

  public int cpus() {
    return machine.cpus();
  }

  /** True when this system runs delayed freezing (Linux 6.8+), see the builder. */
  public boolean delayedFreeze() {
    return machine.delayedFreeze();
  }

  /** The debug flags the system was built with ("" for none). */
  public String debugFlags() {
    return debugFlags;
  }

  // ------------------------------------------------ the rest of the kmalloc family (Kmalloc)

  /**
   * krealloc(): resizes the object at {@code p}; in place while ksize holds {@code newSize},
   * else a new object receives the old contents (up to newSize) and {@code p} is freed.
   * krealloc(0, n) = kmalloc(n); krealloc(p, 0) frees p and returns ZERO_SIZE_PTR. Returns 0 when
   * memory runs out, and then {@code p} is untouched.
   *
   * @throws InvalidFreeException if {@code p} is not a live object (nothing changes)
   * @throws IllegalArgumentException if newSize is negative
   */
  public long krealloc(long p, long newSize) {
    long q = family.krealloc(p, newSize);
    if (q == -1) {
      throw invalidFree(FreeError.NOT_SLAB, p, "krealloc");
    }
    return q;
  }

  /** kzalloc(): kmalloc() with the object's usable size zeroed (__GFP_ZERO). */
  public long kzalloc(long size) {
    return family.zeroed(family.kmalloc(size, 0));
  }

  /**
   * kmalloc_array(): {@code n × size} bytes; 0 (NULL) if the product overflows.
   *
   * @throws IllegalArgumentException if n or size is negative
   */
  public long kmallocArray(long n, long size) {
    return family.kmallocArray(n, size, 0);
  }

  /** kcalloc(): kmalloc_array() zeroed; 0 (NULL) if n × size overflows. */
  public long kcalloc(long n, long size) {
    return family.zeroed(family.kmallocArray(n, size, 0));
  }

  /**
   * kfree_sensitive(): zeroes the object's whole usable size, then frees it.
   *
   * @throws InvalidFreeException if {@code addr} is not a live object (nothing changes)
   */
  public void kfreeSensitive(long addr) {
    if (addr != 0 && addr != Kmalloc.ZERO_SIZE_PTR && family.ksize(addr) < 0) {
      throw invalidFree(FreeError.NOT_SLAB, addr, "kfree_sensitive");
    }
    FreeError e = family.kfreeSensitive(addr);
    if (e != null) {
      throw invalidFree(e, addr, "kfree_sensitive");
    }
  }

  /**
   * Memory accounting: frames in use, bytes in slabs, bytes in live objects and bytes requested,
   * per cache and in total, plus large blocks and reclaim counters.
   */
  public MemoryUsage usage() {
    return MemoryUsage.snapshot(this, family, counted.framesInUse());
  }

  /** Frames the system holds right now (slabs and large blocks); O(1). */
  public long framesInUse() {
    return counted.framesInUse();
  }

  /** The kmalloc family's core (classes, large blocks, accounting), for tools. */
  public Kmalloc kmallocFamily() {
    return family;
  }

  /** Unmaps the arena. Every later access to its memory fails. */
  @Override
  public void close() {
    mem.close();
  }

  /** Builder for {@link SlabSystem} (the seed's init_slab_system parameters and more). */
  public static final class Builder {
    private int frameSize = 4096;
    private int cacheLineSize = 64;
    private int cpus = Math.max(1, Runtime.getRuntime().availableProcessors());
    private long memoryBytes = 64L << 20;
    private @Nullable Function<PhysicalMemory, FrameAllocator> frameAllocator;
    private @Nullable CpuId cpuId;
    private int nodes = 1;
    private String debug = "";
    private boolean stats;
    private boolean cpuPartial = true;
    private boolean delayedFreeze = SlabMachine.delayedFreezeByDefault();
    private boolean kmallocSlabsTo8M;
    private boolean reclaim = true;
    private boolean trackRequested;

    private Builder() {}

    /**
     * Serve every kmalloc size up to 8 MiB from slab classes (the seed's layout) instead of
     * sending sizes above two frames to the frame allocator (kmalloc_large). Default off.
     */
    public Builder kmallocSlabsTo8M(boolean on) {
      this.kmallocSlabsTo8M = on;
      return this;
    }

    /**
     * Direct reclaim: when the frame allocator refuses, shrink every cache and retry once.
     * Default on.
     */
    public Builder reclaim(boolean on) {
      this.reclaim = on;
      return this;
    }

    /**
     * Keep each kmalloc object's requested size (slub_debug's orig_size) so that
     * {@link SlabSystem#usage()} reports bytes requested. Costs 4 bytes of Java heap per 8 bytes
     * of arena. Default off.
     */
    public Builder trackRequested(boolean on) {
      this.trackRequested = on;
      return this;
    }

    /**
     * Frame (page) size in bytes, a power of two from 64 to {@link #MAX_FRAME_SIZE}. Default 4096.
     *
     * @throws IllegalArgumentException otherwise, naming the value
     */
    public Builder frameSize(int bytes) {
      if (bytes < 64 || Integer.bitCount(bytes) != 1 || bytes > MAX_FRAME_SIZE) {
        throw new IllegalArgumentException("frameSize " + bytes + " is not a power of two in [64, "
            + MAX_FRAME_SIZE + "] (kmalloc-8 must fit a slab of one frame in "
            + SlabWord.MAX_OBJS_PER_SLAB + " objects)");
      }
      this.frameSize = bytes;
      return this;
    }

    /**
     * Cache line size for colouring, a power of two ≥ 8 and at most the frame size (checked at
     * {@link #build()}). Default 64.
     */
    public Builder cacheLineSize(int bytes) {
      if (bytes < 8 || Integer.bitCount(bytes) != 1) {
        throw new IllegalArgumentException(
            "cacheLineSize " + bytes + " is not a power of two >= 8");
      }
      this.cacheLineSize = bytes;
      return this;
    }

    /** Number of (virtual) CPUs, ≥ 1. Default: available processors. */
    public Builder cpus(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("cpus " + n + " must be >= 1");
      }
      this.cpus = n;
      return this;
    }

    /** Size of the arena, at least two frames (checked at {@link #build()}). Default 64 MiB. */
    public Builder memoryBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("memoryBytes " + bytes + " must be > 0");
      }
      this.memoryBytes = bytes;
      return this;
    }

    /** Your page allocator; it must hand out frame-aligned blocks inside the arena. */
    public Builder frameAllocator(FrameAllocator fa) {
      this.frameAllocator = m -> fa;
      return this;
    }

    /** A page allocator made for the arena (e.g. a FaultyFrameAllocator around the buddy). */
    public Builder frameAllocator(Function<PhysicalMemory, FrameAllocator> factory) {
      this.frameAllocator = factory;
      return this;
    }

    /** Your CPU-id source; it must answer in [0, cpus). Default: {@link VirtualCpus}. */
    public Builder cpuId(CpuId id) {
      this.cpuId = id;
      return this;
    }

    /** NUMA nodes: only 1 is supported so far. */
    public Builder nodes(int k) {
      if (k != 1) {
        throw new IllegalArgumentException("nodes " + k + ": only 1 NUMA node is supported");
      }
      this.nodes = k;
      return this;
    }

    /** slub_debug flags: "F" (consistency checks) is implemented; others are refused. */
    public Builder debug(String flags) {
      for (char ch : flags.toCharArray()) {
        if (ch != 'F') {
          throw new IllegalArgumentException("debug flag '" + ch + "' is not implemented yet"
              + " (only F, SLAB_CONSISTENCY_CHECKS)");
        }
      }
      this.debug = flags;
      return this;
    }

    /** Count the SLUB stat items from the start (CONFIG_SLUB_STATS). Default off. */
    public Builder stats(boolean on) {
      this.stats = on;
      return this;
    }

    /** CONFIG_SLUB_CPU_PARTIAL. Default on. */
    public Builder cpuPartial(boolean on) {
      this.cpuPartial = on;
      return this;
    }

    /**
     * Delayed freezing, the Linux 6.8+ protocol: CPU partial slabs stay unfrozen and a node slab
     * is frozen only when it becomes a CPU slab. Default false (the ≤ 6.7 protocol) unless the
     * JVM runs with {@code -Djslub.protocol=delayed}.
     */
    public Builder delayedFreeze(boolean on) {
      this.delayedFreeze = on;
      return this;
    }

    /**
     * Builds the system.
     *
     * @throws IllegalArgumentException if the settings do not fit together (cache line larger
     *     than a frame, memory of fewer than two frames), naming the values
     */
    public SlabSystem build() {
      if (cacheLineSize > frameSize) {
        throw new IllegalArgumentException("cacheLineSize " + cacheLineSize
            + " is larger than frameSize " + frameSize);
      }
      if (memoryBytes / frameSize < 2) {
        throw new IllegalArgumentException("memoryBytes " + memoryBytes
            + " gives fewer than 2 frames of " + frameSize + " bytes");
      }
      return new SlabSystem(this);
    }
  }
}
