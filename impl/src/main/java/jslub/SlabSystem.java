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
import jslub.kmalloc.KmallocCaches;
import jslub.memory.BuddyFrameAllocator;
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
  private final CpuId cpuId;
  private final SlabMachine machine;
  private final KmallocCaches kmalloc;
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
    this.machine = new SlabMachine(mem, pages, cpuId, b.cpus, b.nodes, b.cacheLineSize,
        b.cpuPartial);
    this.kmalloc = new KmallocCaches(machine, debugF, statsOn);
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
      c.core().shrink();
      jslub.slab.CacheCounts k = c.core().counts();
      if (k.slabs() != 0) {
        throw new CacheBusyException("kmem_cache_destroy " + c.name()
            + ": Slab cache still has objects (" + k.activeObjs() + " live in " + k.slabs()
            + " slabs)");
      }
      c.markDestroyed();
      caches.remove(c.name(), c);
    }
  }

  /**
   * kmalloc(): at least {@code size} bytes aligned to {@code align} from the smallest fitting
   * size class; 0 when frames run out.
   *
   * @throws IllegalArgumentException if size ≤ 0 or above 8 MiB, or align is not a power of two
   */
  public long kmalloc(long size, int align) {
    if (align < 0 || (align != 0 && Integer.bitCount(align) != 1)) {
      throw new IllegalArgumentException("kmalloc: align " + align + " is not a power of two");
    }
    if (size <= 0) {
      throw new IllegalArgumentException(
          "kmalloc(" + size + "): the kernel would return ZERO_SIZE_PTR; jslub refuses");
    }
    return kmalloc.kmalloc(size, align);
  }

  /** kmalloc() with the minimum alignment. */
  public long kmalloc(long size) {
    return kmalloc(size, 0);
  }

  /**
   * kfree(): frees an object of any cache of this system; {@code kfree(0)} is a no-op.
   *
   * @throws InvalidFreeException if {@code addr} is not a live slab object (nothing changes)
   */
  public void kfree(long addr) {
    FreeError e = kmalloc.kfree(machine, addr);
    if (e != null) {
      Slab s = addr == 0 ? null : machine.memmap().slabOf(addr);
      throw InvalidFreeException.of(e, addr, s == null ? "kfree" : s.cache().name(), "");
    }
  }

  /** ksize(): the usable size of the object at {@code addr} (its cache's object size). */
  public int ksize(long addr) {
    Slab s = machine.memmap().slabOf(addr);
    if (s == null) {
      throw InvalidFreeException.of(FreeError.NOT_SLAB, addr, "ksize", "");
    }
    return s.cache().size();
  }

  /**
   * A view of {@code [addr, addr+size)} bounded by the slab object holding {@code addr}: it may
   * start inside the object but never reach past its usable size (the cache's object size; for
   * kmalloc, the class size). Whether the object is live is the caller's business, as with any
   * pointer.
   *
   * @throws IndexOutOfBoundsException if {@code addr} is in no slab object, {@code size} is
   *     negative, or the view would run past the end of the object
   */
  public MemorySegment segment(long addr, long size) {
    Slab s = addr > 0 ? machine.memmap().slabOf(addr) : null;
    long start = s == null ? -1 : s.objectStart(addr);
    if (s == null || start < 0) {
      throw new IndexOutOfBoundsException("segment(0x" + Long.toHexString(addr) + ", " + size
          + "): the address is in no slab object");
    }
    long end = start + objectKsize(s);
    if (size < 0 || size > end - addr) {
      throw new IndexOutOfBoundsException("segment(0x" + Long.toHexString(addr) + ", " + size
          + ") runs past its object [0x" + Long.toHexString(start) + ", 0x"
          + Long.toHexString(end) + ") of " + s.cache().name());
    }
    return mem.slice(addr, size);
  }

  /**
   * The usable size of an object of {@code s} for segment bounds: the cache's object size (a
   * kmalloc class's size). Private on purpose: the public ksize() is the kmalloc family's.
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

  /** The debug flags the system was built with ("" for none). */
  public String debugFlags() {
    return debugFlags;
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

    private Builder() {}

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
