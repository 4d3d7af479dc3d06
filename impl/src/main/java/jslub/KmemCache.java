package jslub;

import java.util.List;
import jslub.slab.BulkRefusal;
import jslub.slab.CacheCounts;
import jslub.slab.FreeError;
import jslub.slab.Slab;
import jslub.slab.SlabCache;
import jslub.slab.SlabStats;

/**
 * A named object cache (the seed's {@code Cache}; the kernel's {@code struct kmem_cache *}
 * handle). Thread-safe; {@link #alloc()} and {@link #free(long)} take the lockless fast path.
 */
public final class KmemCache {
  private final SlabSystem system;
  private final SlabCache core;
  private volatile boolean destroyed;

  KmemCache(SlabSystem system, SlabCache core) {
    this.system = system;
    this.core = core;
  }

  /**
   * kmem_cache_alloc(): an object's address, or 0 when frames run out even after direct reclaim
   * (shrinking every cache and retrying once, unless the system was built with reclaim off).
   */
  public long alloc() {
    checkAlive();
    long object = core.alloc();
    if (object == 0) {
      if (core.isDead()) { // destroyed while we were on our way in
        throw destroyedException();
      }
      object = system.kmallocFamily().retryAfterReclaim(core);
      if (object == 0 && core.isDead()) {
        throw destroyedException();
      }
    }
    return object;
  }

  /** kmem_cache_zalloc(): {@link #alloc()} with the object zeroed; 0 when frames run out. */
  public long zalloc() {
    long a = alloc();
    if (a != 0) {
      system.memory().fill(a, core.objectSize(), (byte) 0);
    }
    return a;
  }

  /**
   * kmem_cache_free(): frees an object of this cache.
   *
   * @throws InvalidFreeException if {@code addr} is not a live object of this cache (nothing
   *     changes); a double free is always caught with debug "F", otherwise only when the object
   *     is the freelist head (the kernel's naive check)
   */
  public void free(long addr) {
    checkAlive();
    FreeError e = core.free(addr);
    if (e != null) {
      if (core.isDead()) { // destroyed while we were on our way in
        throw destroyedException();
      }
      throw invalid(e, addr);
    }
  }

  /** kmem_cache_alloc_bulk(): fills {@code out[0..n)}; returns n, or 0 if frames ran out. */
  public int allocBulk(long[] out, int n) {
    checkAlive();
    int got = core.allocBulk(out, n);
    if (got == 0 && n > 0 && core.isDead()) {
      throw destroyedException();
    }
    return got;
  }

  /**
   * kmem_cache_free_bulk(): frees {@code addrs[0..n)}; every entry is checked first (an object of
   * this cache, not twice in the batch, not already free) and nothing is freed if one fails.
   * Processed entries are set to 0 and 0 entries are skipped, as in the kernel.
   *
   * @throws InvalidFreeException naming the first refused entry; the array and the cache are
   *     then unchanged
   */
  public void freeBulk(long[] addrs, int n) {
    checkAlive();
    BulkRefusal r = core.freeBulk(addrs, n);
    if (r != null) {
      throw invalid(r.error(), r.address());
    }
  }

  /** kmem_cache_shrink(): flush the CPUs, give back every empty slab; returns frames freed. */
  public long shrink() {
    checkAlive();
    return core.shrink();
  }

  /**
   * kmem_cache_destroy(): flushes and shrinks; if objects are still live, throws
   * {@link CacheBusyException} and the cache stays usable. Afterwards every call throws
   * {@link CacheDestroyedException}.
   */
  public void destroy() {
    checkAlive();
    system.destroy(this);
  }

  /** validate_slab_cache(): problems found (empty when consistent); for a quiescent cache. */
  public List<String> validate() {
    checkAlive();
    return core.validate();
  }

  public String name() {
    return core.name();
  }

  /** The size asked for (s->object_size). */
  public int objectSize() {
    return core.objectSize();
  }

  /** The stride of objects in a slab (s->size). */
  public int size() {
    return core.size();
  }

  public CacheCounts counts() {
    return core.counts();
  }

  public SlabStats stats() {
    return core.stats();
  }

  /** Debug reports ("BUG cache (Not tainted): ...") recorded so far. */
  public List<String> reports() {
    return core.reports();
  }

  /** The core structure, for tests and tools that look inside (kernel: struct kmem_cache). */
  public SlabCache core() {
    return core;
  }

  public boolean isDestroyed() {
    return destroyed;
  }

  void markDestroyed() {
    destroyed = true;
  }

  private void checkAlive() {
    if (destroyed) {
      throw destroyedException();
    }
  }

  private CacheDestroyedException destroyedException() {
    return new CacheDestroyedException("cache " + core.name() + " was destroyed");
  }

  private InvalidFreeException invalid(FreeError e, long addr) {
    String detail = "";
    if (e == FreeError.WRONG_CACHE) {
      Slab s = system.machine().memmap().slabOf(addr);
      detail = core.name() + " but object is from " + (s == null ? "?" : s.cache().name());
    }
    return InvalidFreeException.of(e, addr, core.name(), detail);
  }

  @Override
  public String toString() {
    return core.name();
  }
}
