package jslub.stress.lincheck;

import jslub.CacheDestroyedException;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;

/**
 * {@link AllocFreeTarget} plus bulk alloc/free, kmalloc/kfree, shrink, destroy and thread
 * migration between virtual CPUs: the whole API surface Lincheck checks.
 */
public abstract class SlabTarget extends AllocFreeTarget {
  protected SlabTarget(Setup s) {
    super(s);
  }

  @Operation
  public String allocBulk(@Param(name = "group") int group) {
    synchronized (groupLock[group]) {
      if (groups[group] != null) {
        return OCCUPIED;
      }
      long[] out = new long[BULK];
      int got;
      try {
        got = cache.allocBulk(out, BULK);
      } catch (CacheDestroyedException e) {
        return DESTROYED;
      }
      if (got != BULK) {
        return "bulk gave " + got;
      }
      for (int i = 0; i < BULK; i++) {
        sys.memory().putLong(out[i], stamp(1, group, i));
      }
      groups[group] = out;
      return OK;
    }
  }

  @Operation
  public String freeBulk(@Param(name = "group") int group) {
    synchronized (groupLock[group]) {
      long[] g = groups[group];
      if (g == null) {
        return EMPTY;
      }
      groups[group] = null;
      for (int i = 0; i < BULK; i++) {
        if (sys.memory().getLong(g[i]) != stamp(1, group, i)) {
          return CLOBBERED;
        }
      }
      return call(() -> cache.freeBulk(g, BULK));
    }
  }

  @Operation
  public String kmalloc(@Param(name = "kslot") int slot) {
    synchronized (kslotLock[slot]) {
      if (kslots[slot] != 0) {
        return OCCUPIED;
      }
      long a = sys.kmalloc(KSIZES[slot]);
      if (a == 0) {
        return "out of memory";
      }
      sys.memory().putLong(a, stamp(2, slot, 0));
      kslots[slot] = a;
      return OK;
    }
  }

  @Operation
  public String kfree(@Param(name = "kslot") int slot) {
    synchronized (kslotLock[slot]) {
      long a = kslots[slot];
      if (a == 0) {
        return EMPTY;
      }
      kslots[slot] = 0;
      if (sys.memory().getLong(a) != stamp(2, slot, 0)) {
        return CLOBBERED;
      }
      return call(() -> sys.kfree(a));
    }
  }

  /** kmem_cache_shrink (flush_all, then discard empty slabs); the frame count is not compared. */
  @Operation
  public String shrink() {
    return call(cache::shrink);
  }

  @Operation
  public String destroy() {
    return call(cache::destroy);
  }

  /** Moves the calling thread to another virtual CPU (a migration between two operations). */
  @Operation
  public void migrate(@Param(name = "cpu") int cpu) {
    vcpus.bindCurrent(cpu % vcpus.cpus());
  }
}
