package jslub.kmalloc;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;
import jslub.memory.PhysicalMemory;
import jslub.slab.FreeError;
import jslub.slab.Slab;
import jslub.slab.SlabCache;
import jslub.slab.SlabMachine;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The kmalloc family of mm/slab_common.c over the size classes and the page allocator:
 * kmalloc, kfree, ksize, krealloc, kmalloc_array, kfree_sensitive, and direct reclaim.
 *
 * <p>Failure convention (the kernel's, carried into Java): an allocation that the kernel answers
 * with NULL returns 0 — memory exhausted (after one reclaim-and-retry), a size above
 * {@link KmallocCaches#KMALLOC_MAX_SIZE}, a count × size that overflows. A size of 0 returns
 * {@link #ZERO_SIZE_PTR}, a distinct non-NULL address that must not be touched and that kfree
 * and krealloc accept. Only arguments no C caller could pass (a negative size or count, an
 * alignment that is not a power of two) throw {@link IllegalArgumentException}.
 */
public final class Kmalloc {
  /**
   * ZERO_SIZE_PTR: what kmalloc(0) returns. It lies in frame 0, which is never handed out, so
   * it is never a real object, and any access through {@code segment} of more than 0 bytes is
   * still inside the arena but belongs to no one.
   */
  public static final long ZERO_SIZE_PTR = 16;

  private final SlabMachine machine;
  private final KmallocCaches caches;
  private final KmallocLarge large;
  private final @Nullable LongSupplier reclaim;

  /** Per 8-byte granule (KMALLOC_MIN_SIZE): the size asked for, when tracking; else null. */
  private final @Nullable AtomicIntegerArray origSize;

  /** Per class, and one slot past the last for large blocks: bytes requested, objects live. */
  private final AtomicLongArray requested;

  private final AtomicLongArray live;
  private final AtomicLong reclaimRuns = new AtomicLong();
  private final AtomicLong reclaimSaved = new AtomicLong();
  private final AtomicLong reclaimFrames = new AtomicLong();

  /**
   * @param reclaim shrinks every cache and returns the frames freed, or null for no reclaim
   * @param trackRequested keep each object's requested size (slub_debug's orig_size), so that
   *     accounting can report bytes requested; costs 4 bytes of heap per 8 bytes of arena
   */
  public Kmalloc(SlabMachine machine, KmallocCaches caches, @Nullable LongSupplier reclaim,
      boolean trackRequested) {
    this.machine = machine;
    this.caches = caches;
    PhysicalMemory mem = machine.memory();
    this.large = new KmallocLarge(machine.pages(), machine.memmap(), mem.frameShift());
    this.reclaim = reclaim;
    long granules = mem.bytes() >>> 3;
    if (trackRequested && granules > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("arena too large to track requested sizes");
    }
    this.origSize = trackRequested ? new AtomicIntegerArray((int) granules) : null;
    this.requested = new AtomicLongArray(caches.classes() + 1);
    this.live = new AtomicLongArray(caches.classes() + 1);
  }

  /**
   * kmalloc() / __kmalloc_node(): at least {@code size} bytes aligned to {@code align} (0 = the
   * class's natural alignment) from the smallest fitting slab class, or from the page allocator
   * above KMALLOC_MAX_CACHE_SIZE (kmalloc_large). See the class comment for 0 and exceptions.
   */
  public long kmalloc(long size, int align) {
    checkAlign(align);
    if (size < 0) {
      throw new IllegalArgumentException("kmalloc(" + size + "): negative size");
    }
    if (size == 0) {
      return ZERO_SIZE_PTR;
    }
    if (size > KmallocCaches.KMALLOC_MAX_SIZE) {
      return 0;
    }
    int i = caches.slabIndex(size, align);
    long a;
    if (i >= 0) {
      SlabCache c = caches.cache(i);
      a = c.alloc();
      if (a == 0 && reclaim != null) {
        a = reclaimed(c, size, align);
      }
    } else {
      a = large.kmallocLarge(size, align);
      if (a == 0 && reclaim != null) {
        a = reclaimed(null, size, align);
      }
      i = caches.classes();
    }
    if (a != 0) {
      account(i, a, size);
    }
    return a;
  }

  /**
   * Direct reclaim, once: the allocator refused, so shrink every cache and retry (the seed's
   * "reclaim when the page manager feels pressure"; the kernel's __alloc_pages_direct_reclaim
   * calling the shrinkers). {@code c} is the slab class, or null for a large block.
   */
  private long reclaimed(@Nullable SlabCache c, long size, int align) {
    LongSupplier r = reclaim;
    if (r == null) {
      return 0;
    }
    reclaimRuns.incrementAndGet();
    reclaimFrames.addAndGet(r.getAsLong());
    long a = c != null ? c.alloc() : large.kmallocLarge(size, align);
    if (a != 0) {
      reclaimSaved.incrementAndGet();
    }
    return a;
  }

  /**
   * For kmem_cache_alloc() after its first try returned 0: direct reclaim and one retry, or 0
   * when reclaim is off or did not help.
   */
  public long retryAfterReclaim(SlabCache c) {
    return reclaim == null ? 0 : reclaimed(c, c.objectSize(), 0);
  }

  private void account(int cls, long a, long size) {
    AtomicIntegerArray o = origSize;
    if (o != null) {
      o.set((int) (a >>> 3), (int) size);
      requested.addAndGet(cls, size);
      live.incrementAndGet(cls);
    }
  }

  /**
   * Takes {@code a}'s requested size out of the books before the object is freed: once it is
   * back on a freelist another CPU may allocate it and record its own size in the same slot.
   * Returns what to hand to {@link #reaccount} if the free is then refused.
   */
  private int unaccount(int cls, long a) {
    AtomicIntegerArray o = origSize;
    if (o == null || cls < 0) {
      return 0;
    }
    int size = o.getAndSet((int) (a >>> 3), 0);
    requested.addAndGet(cls, -size);
    live.decrementAndGet(cls);
    return size;
  }

  /**
   * Undoes {@link #unaccount} after a refused free: the live count always; the size only if the
   * object stays live ({@code sizeToo}). A free refused because the object is already free (for a
   * large block: its mark already cleared) lost to a racing free of it, whose unaccount found the
   * slot empty: the size taken here is that freed object's, and the slot may already hold the
   * size of the object's next owner, so both stay as they are.
   */
  private void reaccount(int cls, long a, int size, boolean sizeToo) {
    AtomicIntegerArray o = origSize;
    if (o != null && cls >= 0) {
      if (sizeToo) {
        o.set((int) (a >>> 3), size);
        requested.addAndGet(cls, size);
      }
      live.incrementAndGet(cls);
    }
  }

  /**
   * kfree(): frees a slab object of any cache, or a large block; kfree(NULL) and
   * kfree(ZERO_SIZE_PTR) do nothing.
   *
   * @return null on success, else why nothing was done
   */
  public @Nullable FreeError kfree(long addr) {
    if (addr == 0 || addr == ZERO_SIZE_PTR) {
      return null;
    }
    Slab slab = machine.memmap().slabOf(addr);
    if (slab == null) {
      if (large.orderOf(addr) >= 0) {
        int cls = caches.classes();
        int size = unaccount(cls, addr);
        FreeError e = large.freeLarge(addr);
        if (e != null) {
          reaccount(cls, addr, size, false); // a racing kfree of the block cleared its mark
        }
        return e;
      }
      // Frame 0 (NULL's frame) is in the arena but never a slab: not a slab object, not "outside".
      return addr > 0 && addr < machine.memory().bytes() ? FreeError.NOT_SLAB
          : FreeError.OUTSIDE_ARENA;
    }
    if (origSize == null) {
      return slab.cache().free(slab, addr);
    }
    int cls = classOf(slab.cache());
    int size = unaccount(cls, addr);
    FreeError e = slab.cache().free(slab, addr);
    if (e != null) {
      reaccount(cls, addr, size, e != FreeError.ALREADY_FREE);
    }
    return e;
  }

  /** The kmalloc class index of {@code c}, or -1 for a named cache. */
  private int classOf(SlabCache c) {
    int i = KmallocCaches.sizeIndex(c.objectSize(), 0);
    return i >= 0 && i < caches.classes() && caches.cache(i) == c ? i : -1;
  }

  /**
   * ksize() / __ksize(): the usable size of the object or large block at {@code addr}, 0 for
   * ZERO_SIZE_PTR, or -1 if {@code addr} is neither (the caller reports it).
   */
  public long ksize(long addr) {
    if (addr == ZERO_SIZE_PTR) {
      return 0;
    }
    Slab s = machine.memmap().slabOf(addr);
    if (s != null) {
      return s.cache().size();
    }
    int order = large.orderOf(addr);
    return order >= 0 ? large.ksize(order) : -1;
  }

  /**
   * krealloc(): resizes the object at {@code p} to {@code newSize}. In place when the object's
   * usable size (ksize) already holds {@code newSize}; otherwise a new object gets the old one's
   * ksize bytes (up to newSize) and the old one is freed. krealloc(NULL, n) is kmalloc(n);
   * krealloc(p, 0) frees p and returns ZERO_SIZE_PTR. On failure it returns 0 and {@code p} is
   * untouched.
   *
   * @throws IllegalArgumentException if newSize is negative
   * @return the object's address, 0 if memory ran out, or -1 if {@code p} is no live object
   *     (the caller reports it; nothing changed)
   */
  public long krealloc(long p, long newSize) {
    if (newSize < 0) {
      throw new IllegalArgumentException("krealloc(" + newSize + "): negative size");
    }
    if (p == 0 || p == ZERO_SIZE_PTR) {
      return kmalloc(newSize, 0);
    }
    long ks = ksize(p);
    if (ks < 0) {
      return -1;
    }
    if (newSize == 0) {
      return kfree(p) == null ? ZERO_SIZE_PTR : -1;
    }
    if (newSize <= ks) {
      AtomicIntegerArray o = origSize;
      if (o != null) {
        Slab s = machine.memmap().slabOf(p);
        int cls = s == null ? caches.classes() : classOf(s.cache());
        if (cls >= 0) {
          requested.addAndGet(cls, newSize - o.getAndSet((int) (p >>> 3), (int) newSize));
        }
      }
      return p;
    }
    long q = kmalloc(newSize, 0);
    if (q == 0) {
      return 0;
    }
    long n = Math.min(ks, newSize);
    machine.memory().slice(q, n).copyFrom(machine.memory().slice(p, n));
    FreeError e = kfree(p);
    if (e != null) {
      kfree(q); // p was freed concurrently: undo, report
      return -1;
    }
    return q;
  }

  /**
   * kmalloc_array(): {@code n} elements of {@code size} bytes, or 0 (NULL) if n × size
   * overflows (check_mul_overflow).
   */
  public long kmallocArray(long n, long size, int align) {
    if (n < 0 || size < 0) {
      throw new IllegalArgumentException("kmalloc_array(" + n + ", " + size + "): negative");
    }
    long hi = Math.multiplyHigh(n, size);
    long bytes = n * size;
    if (hi != 0 || bytes < 0) {
      return 0;
    }
    return kmalloc(bytes, align);
  }

  /**
   * kfree_sensitive(): zeroes the whole usable size (ksize) before freeing, so no secret
   * survives in the freed memory.
   *
   * @return null on success, else why nothing was done
   */
  public @Nullable FreeError kfreeSensitive(long addr) {
    if (addr == 0 || addr == ZERO_SIZE_PTR) {
      return null;
    }
    long ks = ksize(addr);
    if (ks < 0) {
      return kfree(addr);
    }
    machine.memory().fill(addr, ks, (byte) 0);
    return kfree(addr);
  }

  /** Zeroes the usable size of a fresh object (__GFP_ZERO); a no-op for 0 and ZERO_SIZE_PTR. */
  public long zeroed(long addr) {
    if (addr != 0 && addr != ZERO_SIZE_PTR) {
      machine.memory().fill(addr, ksize(addr), (byte) 0);
    }
    return addr;
  }

  private static void checkAlign(int align) {
    if (align < 0 || (align != 0 && Integer.bitCount(align) != 1)) {
      throw new IllegalArgumentException("kmalloc: align " + align + " is not a power of two");
    }
  }

  // ---------------------------------------------------------------- accounting

  /** Whether requested sizes are tracked (else requested and live counts are -1). */
  public boolean tracksRequested() {
    return origSize != null;
  }

  /** Bytes requested by live objects of class {@code cls} (classes() = large), or -1. */
  public long requestedBytes(int cls) {
    return origSize == null ? -1 : requested.get(cls);
  }

  /** Live objects of class {@code cls} (classes() = large blocks), or -1 when not tracked. */
  public long liveObjects(int cls) {
    return origSize == null ? -1 : live.get(cls);
  }

  /** Live large blocks. */
  public long largeBlocks() {
    return large.blocks();
  }

  /** Frames held by large blocks. */
  public long largeFrames() {
    return large.frames();
  }

  /** Times an allocation failed and direct reclaim ran. */
  public long reclaimRuns() {
    return reclaimRuns.get();
  }

  /** Reclaim runs after which the retry succeeded. */
  public long reclaimSaved() {
    return reclaimSaved.get();
  }

  /** Frames the reclaim runs gave back. */
  public long reclaimFrames() {
    return reclaimFrames.get();
  }

  public KmallocCaches caches() {
    return caches;
  }
}
