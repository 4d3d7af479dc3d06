package jslub.slab;

import org.checkerframework.checker.index.qual.IndexOrHigh;
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
 * word claimed under its lock (once per CPU for the whole batch), so neither its fast paths nor a
 * flush can move it meanwhile. Debug
 * caches have no CPU slabs: one walk of the slab freelist under list_lock (on_freelist) suffices.
 */
final class SlabBulkCheck {
  private SlabBulkCheck() {}

  /** The first bad entry of {@code p[0..size)}, or null if the batch may be freed. */
  @MayReleaseLocks
  static @Nullable BulkRefusal check(SlabCache s, long[] p, @IndexOrHigh("#2") int size) {
    for (int i = 0; i < size; i++) {
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
    if (s.debug) {
      for (int i = 0; i < size; i++) {
        long object = p[i];
        Slab slab = object == 0 ? null : s.machine.memmap.slabOf(object);
        if (slab != null && onSlabFreelistLocked(s, slab, object)) {
          return new BulkRefusal(FreeError.ALREADY_FREE, i, object);
        }
      }
      return null;
    }
    int n = size;
    boolean any = false;
    for (int i = 0; i < n; i++) {
      any |= p[i] != 0;
    }
    if (!any) {
      return null; // nothing to free: no CPU word is touched
    }
    int found = onCpuFreelists(s, p, n);
    // Each slab's own freelist once for the batch (not once per entry): a batch is usually
    // many objects of few slabs, and a walk per entry made the check cost O(batch x freelist).
    for (int i = 0; i < n; i++) {
      Slab slab = p[i] == 0 ? null : s.machine.memmap.slabOf(p[i]);
      if (slab != null && !slabSeenBefore(s, slab, p, i)) {
        int k = firstOnList(s, slab, slab.freelist(slab.word()), p, n);
        if (k >= 0 && (found < 0 || k < found)) {
          found = k;
        }
      }
    }
    if (found < 0 || found >= p.length) {
      return null;
    }
    return new BulkRefusal(FreeError.ALREADY_FREE, found, p[found]);
  }

  /** Is {@code slab} the slab of an entry before index {@code i}? (Its list was walked then.) */
  private static boolean slabSeenBefore(SlabCache s, Slab slab, long[] p,
      @IndexOrHigh("#3") int i) {
    for (int j = 0; j < i; j++) {
      if (p[j] != 0 && s.machine.memmap.slabOf(p[j]) == slab) {
        return true;
      }
    }
    return false;
  }

  /**
   * One walk of the list at {@code head} (at most {@code slab.objects} links, stopping at a
   * pointer outside the slab): the lowest index of {@code p[0..n)} whose entry is on it, or -1.
   */
  static int firstOnList(SlabCache s, Slab slab, long head, long[] p,
      @IndexOrHigh("#4") int n) {
    int found = -1;
    long base = slab.base();
    long bytes = slab.bytes();
    long q = head;
    for (int k = 0; q != 0 && k <= slab.objects; k++) {
      for (int i = 0; i < n && (found < 0 || i < found); i++) {
        if (p[i] == q) {
          found = i;
        }
      }
      // A range check, not obj_to_index: the walk only has to stay inside the slab (at most
      // slab.objects links); a link that is no object boundary is validate()'s to report.
      if (Long.compareUnsigned(q - base, bytes) >= 0) {
        break;
      }
      q = Freelist.get(s, q);
    }
    return found;
  }

  /** Debug caches: one walk of the slab freelist under list_lock (on_freelist). */
  @MayReleaseLocks
  private static boolean onSlabFreelistLocked(SlabCache s, Slab slab, long object) {
    KmemCacheNode n = s.node(slab.node);
    n.listLock.lock();
    try {
      return onList(s, slab, slab.freelist(slab.word()), object);
    } finally {
      n.listLock.unlock();
    }
  }

  /**
   * Looks for the entries of {@code p[0..n)} on the CPU freelists: each CPU whose c.slab is the
   * slab of an entry is claimed once for the whole batch (its lock taken, its word claimed, so
   * neither its fast paths nor a flush can move the list), walked for every entry, released.
   * One claim per CPU rather than per entry: fewer tid bumps for the fast paths to lose to.
   * Each CPU is one model step (spec/Slub.tla BulkCheckCpu: a skip, or the claim), plus the
   * release (BulkCheckRelease).
   *
   * @return the lowest index found on a CPU freelist, or -1
   */
  @MayReleaseLocks
  private static int onCpuFreelists(SlabCache s, long[] p, @IndexOrHigh("#2") int n) {
    int found = -1;
    for (int cpu = 0; cpu < s.cpus(); cpu++) {
      KmemCacheCpu c = s.cpuSlab(cpu);
      if (SlabTrace.ON) SlabTrace.begin();
      boolean peek = holdsEntry(s, c.slab, p, n); // lockless peek
      if (SlabTrace.ON) SlabTrace.endIf(!peek, "BulkCheckCpu");
      if (!peek) {
        continue;
      }
      c.lock.lock();
      try {
        if (SlabTrace.ON) SlabTrace.begin();
        Slab slab = c.slab;
        if (slab == null || !holdsEntry(s, slab, p, n)) {
          if (SlabTrace.ON) SlabTrace.end("BulkCheckCpu");
          continue; // it changed meanwhile: nothing of ours can be on it
        }
        long w = c.claim();
        if (SlabTrace.ON) SlabTrace.end("BulkCheckCpu", s, c);
        long freelist = c.cw.freelist(w);
        int k = firstOnList(s, slab, freelist, p, n); // one walk for the whole batch
        if (k >= 0 && (found < 0 || k < found)) {
          found = k;
        }
        if (SlabTrace.ON) SlabTrace.begin();
        c.release(w, freelist);
        if (SlabTrace.ON) SlabTrace.end("BulkCheckRelease", s, c);
      } finally {
        c.lock.unlock();
      }
    }
    return found;
  }

  /** Is {@code slab} (read by the caller) the slab of one of the entries? */
  private static boolean holdsEntry(SlabCache s, @Nullable Slab slab, long[] p,
      @IndexOrHigh("#3") int n) {
    if (slab == null) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (p[i] != 0 && s.machine.memmap.slabOf(p[i]) == slab) {
        return true;
      }
    }
    return false;
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
