package jslub.slab;

import org.checkerframework.checker.lock.qual.MayReleaseLocks;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The checks kmem_cache_free_bulk makes on every entry before it changes anything: each address
 * is an object of this cache, appears once in the batch, and is not already free.
 *
 * <p>"Already free" without debug: the kernel only catches the freelist-head case; building a
 * detached freelist over an already-free object would cut the freelist it sits on. So each
 * object is looked for, before any write, on every freelist it could be on: its slab's own
 * freelist (pushes only add at the head, so a walk from a read head is stable for objects the
 * caller owns) and the CPU freelist of a CPU whose c.slab is that slab — read with that CPU's
 * word claimed under its lock, so neither its fast paths nor a flush can move it meanwhile. Debug
 * caches have no CPU slabs: one walk of the slab freelist under list_lock (on_freelist) suffices.
 */
final class SlabBulkCheck {
  private SlabBulkCheck() {}

  /** The first bad entry of {@code p[0..size)}, or null if the batch may be freed. */
  @MayReleaseLocks
  static @Nullable BulkRefusal check(SlabCache s, long[] p, int size) {
    for (int i = 0; i < size && i < p.length; i++) {
      long object = p[i];
      if (object == 0) {
        continue; // the kernel skips NULL entries
      }
      FreeError e = s.checkFree(s.machine.memmap.slabOf(object), object);
      if (e != null) {
        return new BulkRefusal(e, i, object);
      }
      for (int j = 0; j < i; j++) {
        if (p[j] == object) { // the same object twice in one batch: the second is a double free
          return new BulkRefusal(FreeError.ALREADY_FREE, i, object);
        }
      }
    }
    for (int i = 0; i < size && i < p.length; i++) {
      long object = p[i];
      Slab slab = object == 0 ? null : s.machine.memmap.slabOf(object);
      if (slab != null && isFree(s, slab, object)) {
        return new BulkRefusal(FreeError.ALREADY_FREE, i, object);
      }
    }
    return null;
  }

  /** Is {@code object} (an object of {@code slab}) on a freelist now? */
  @MayReleaseLocks
  static boolean isFree(SlabCache s, Slab slab, long object) {
    if (s.debug) {
      KmemCacheNode n = s.node(slab.node);
      n.listLock.lock();
      try {
        return onList(s, slab, slab.freelist(slab.word()), object);
      } finally {
        n.listLock.unlock();
      }
    }
    for (int cpu = 0; cpu < s.cpus(); cpu++) {
      KmemCacheCpu c = s.cpuSlab(cpu);
      if (c.slab != slab) {
        continue;
      }
      boolean found = false;
      c.lock.lock();
      try {
        if (c.slab == slab) {
          long w = c.claim();
          long freelist = c.cw.freelist(w);
          try {
            found = onList(s, slab, freelist, object);
          } finally {
            c.release(w, freelist);
          }
        }
      } finally {
        c.lock.unlock();
      }
      if (found) {
        return true;
      }
    }
    return onList(s, slab, slab.freelist(slab.word()), object);
  }

  /**
   * on_freelist() without the report: walks at most {@code slab.objects} links and stops at a
   * pointer outside the slab (validate() is the place that reports corruption).
   */
  static boolean onList(SlabCache s, Slab slab, long head, long object) {
    long p = head;
    for (int n = 0; p != 0 && n <= slab.objects; n++) {
      if (p == object) {
        return true;
      }
      if (slab.indexOf(p) < 0) {
        return false;
      }
      p = Freelist.get(s, p);
    }
    return false;
  }
}
