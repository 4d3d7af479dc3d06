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
 * word claimed under its lock (once per CPU for the whole batch), so neither its fast paths nor a
 * flush can move it meanwhile. Debug
 * caches have no CPU slabs: one walk of the slab freelist under list_lock (on_freelist) suffices.
 */
final class SlabBulkCheck {
  private SlabBulkCheck() {}

  /**
   * Batches up to this size are checked with no heap allocation (pairwise duplicate test, a
   * 64-bit filter in front of the linear membership test); larger ones sort a copy of the
   * entries, so a batch of n costs O(n log n + list lengths x log n), not O(n^2).
   */
  static final int SMALL_BATCH = 32;

  /** The first bad entry of {@code p[0..size)}, or null if the batch may be freed. */
  @MayReleaseLocks
  static @Nullable BulkRefusal check(SlabCache s, long[] p, int size) {
    int n = Math.max(0, Math.min(size, p.length));
    long @Nullable [] sorted = n > SMALL_BATCH ? BulkEntries.sortedNonZero(p, n) : null;
    int repeat = sorted == null ? BulkEntries.firstRepeatSmall(p, n)
        : BulkEntries.firstRepeatSorted(p, n, sorted);
    int last = repeat < 0 ? n : repeat;
    for (int i = 0; i < last && i < p.length; i++) {
      long object = p[i];
      if (object == 0) {
        continue; // the kernel skips NULL entries
      }
      FreeError e = s.checkFree(s.machine.memmap.slabOf(object), object);
      if (e != null) {
        return new BulkRefusal(e, i, object);
      }
    }
    if (repeat >= 0 && repeat < p.length) { // the same object twice in one batch: a double free
      return new BulkRefusal(FreeError.ALREADY_FREE, repeat, p[repeat]);
    }
    if (s.debug) {
      for (int i = 0; i < n && i < p.length; i++) {
        long object = p[i];
        Slab slab = object == 0 ? null : s.machine.memmap.slabOf(object);
        if (slab != null && onSlabFreelistLocked(s, slab, object)) {
          return new BulkRefusal(FreeError.ALREADY_FREE, i, object);
        }
      }
      return null;
    }
    long low = BulkEntries.filterLow(p, n);
    long high = BulkEntries.filterHigh(p, n);
    if (low == 0) {
      return null; // nothing to free: no CPU word is touched
    }
    int found = onCpuFreelists(s, p, n, low, high, sorted);
    // Each slab's own freelist once for the batch (not once per entry): a batch is usually
    // many objects of few slabs, and a walk per entry made the check cost O(batch x freelist).
    if (sorted == null) {
      Slab prev = null;
      for (int i = 0; i < n && i < p.length; i++) {
        if (p[i] == 0
            || (prev != null && Long.compareUnsigned(p[i] - prev.base(), prev.bytes()) < 0)) {
          continue; // the previous entry's slab (the common run): its list was walked
        }
        Slab slab = s.machine.memmap.slabOf(p[i]);
        prev = slab;
        if (slab != null && !BulkEntries.anyIn(slab.base(), slab.bytes(), p, i)) {
          long head = slab.freelist(slab.word());
          found = lower(found, firstOnList(s, slab, head, p, n, low, high, null));
        }
      }
    } else { // a slab is one address range, so its entries are one run of the sorted copy
      for (int j = 0; j >= 0 && j < sorted.length; ) {
        Slab slab = s.machine.memmap.slabOf(sorted[j]);
        if (slab == null) { // every entry was checked to be in a slab above
          throw new IllegalStateException("entry 0x" + Long.toHexString(sorted[j])
              + " left its slab during the check");
        }
        long head = slab.freelist(slab.word());
        found = lower(found, firstOnList(s, slab, head, p, n, low, high, sorted));
        j = BulkEntries.endOfRun(sorted, j, slab.base(), slab.bytes());
      }
    }
    if (found < 0 || found >= p.length) {
      return null;
    }
    return new BulkRefusal(FreeError.ALREADY_FREE, found, p[found]);
  }

  /**
   * One walk of the list at {@code head} (at most {@code slab.objects} links, stopping at a
   * pointer outside the slab): the lowest index of {@code p[0..n)} whose entry is on it, or -1.
   * {@code low} and {@code high} are the batch's filter ({@link BulkEntries#filterLow}),
   * {@code sorted} its sorted copy for a large batch, else null.
   */
  static int firstOnList(SlabCache s, Slab slab, long head, long[] p, int n, long low,
      long high, long @Nullable [] sorted) {
    int found = -1;
    long base = slab.base();
    long bytes = slab.bytes();
    long q = head;
    for (int k = 0; q != 0 && k <= slab.objects; k++) {
      // Most links are no entry of the batch: the filter turns them away with one multiply.
      if (BulkEntries.filterHit(low, high, q)
          && (sorted == null || BulkEntries.contains(sorted, q))) {
        int i = BulkEntries.indexBelow(p, n, q, found < 0 ? n : found);
        if (i >= 0) {
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
  private static int onCpuFreelists(SlabCache s, long[] p, int n, long low, long high,
      long @Nullable [] sorted) {
    int found = -1;
    for (int cpu = 0; cpu < s.cpus(); cpu++) {
      KmemCacheCpu c = s.cpuSlab(cpu);
      if (SlabTrace.ON) SlabTrace.begin();
      boolean peek = holdsEntry(c.slab, p, n); // lockless peek
      if (SlabTrace.ON) SlabTrace.endIf(!peek, "BulkCheckCpu");
      if (!peek) {
        continue;
      }
      c.lock.lock();
      try {
        if (SlabTrace.ON) SlabTrace.begin();
        Slab slab = c.slab;
        if (slab == null || !holdsEntry(slab, p, n)) {
          if (SlabTrace.ON) SlabTrace.end("BulkCheckCpu");
          continue; // it changed meanwhile: nothing of ours can be on it
        }
        long w = c.claim();
        if (SlabTrace.ON) SlabTrace.end("BulkCheckCpu", s, c);
        long freelist = c.cw.freelist(w);
        found = lower(found, firstOnList(s, slab, freelist, p, n, low, high, sorted)); // one walk
        if (SlabTrace.ON) SlabTrace.begin();
        c.release(w, freelist);
        if (SlabTrace.ON) SlabTrace.end("BulkCheckRelease", s, c);
      } finally {
        c.lock.unlock();
      }
    }
    return found;
  }

  /** The lower of two entry indices where -1 means none. */
  private static int lower(int a, int b) {
    return a < 0 || (b >= 0 && b < a) ? b : a;
  }

  /** Is {@code slab} (read by the caller) the slab of one of the entries? */
  private static boolean holdsEntry(@Nullable Slab slab, long[] p, int n) {
    return slab != null && BulkEntries.anyIn(slab.base(), slab.bytes(), p, n);
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
