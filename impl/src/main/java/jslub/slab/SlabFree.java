package jslub.slab;

import org.checkerframework.checker.lock.qual.MayReleaseLocks;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The free side of mm/slub.c: do_slab_free (lockless fast path), __slab_free (the CAS loop on
 * the slab word), put_cpu_partial, and kmem_cache_free_bulk with build_detached_freelist.
 */
final class SlabFree {
  private SlabFree() {}

  /**
   * do_slab_free(): if the object's slab is this CPU's c.slab, push the detached list
   * {@code head..tail} ({@code cnt} objects, already linked) onto c.freelist with one
   * (freelist, tid) CAS; otherwise __slab_free. The word is read before c.slab (see
   * {@link KmemCacheCpu}).
   */
  @MayReleaseLocks
  static @Nullable FreeError doSlabFree(SlabCache s, Slab slab, long head, long tail, int cnt) {
    CpuWord cw = s.machine.cpuWord;
    for (;;) {
      int cpu = s.machine.currentCpu();
      KmemCacheCpu c = s.cpuSlab(cpu);
      long w = c.word();
      if (cw.busy(w) || c.slab != slab) {
        return slabFree(s, slab, head, tail, cnt);
      }
      long freelist = cw.freelist(w);
      if (tail == freelist) { // set_freepointer's naive double-free check, before any write
        return FreeError.ALREADY_FREE;
      }
      Freelist.set(s, tail, freelist);
      if (SlabAlloc.updateCpuFreelistFast(c, w, head)) {
        s.stats.inc(cpu, Stat.FREE_FASTPATH);
        return null;
      }
      s.stats.inc(cpu, Stat.CMPXCHG_DOUBLE_CPU_FAIL);
    }
  }

  /**
   * __slab_free(): return {@code cnt} objects to their slab's own freelist by CAS on (freelist,
   * counters). The interesting transitions, decided inside the loop from the word just read:
   *
   * <ul>
   *   <li>frozen slab: just the CAS (FREE_FROZEN) — its CPU owns it;
   *   <li>full → partial, CPU partial lists on: freeze it in the same CAS and put_cpu_partial
   *       (CPU_PARTIAL_FREE), no lock;
   *   <li>becomes empty, or full → partial without CPU partial lists: take list_lock
   *       <em>before</em> the CAS, so no acquire_slab can slip in, then discard it (slab_empty)
   *       if the node keeps enough partial slabs, or add it to the node list.
   * </ul>
   */
  @MayReleaseLocks
  static @Nullable FreeError slabFree(SlabCache s, Slab slab, long head, long tail, int cnt) {
    s.stat(Stat.FREE_SLOWPATH);
    KmemCacheNode n = s.node(slab.node);
    for (;;) {
      long old = slab.word();
      long prior = slab.freelist(old);
      int inuse = SlabWord.inuse(old) - cnt;
      if (tail == prior || inuse < 0) { // naive double-free checks, before any write
        return FreeError.ALREADY_FREE;
      }
      boolean wasFrozen = SlabWord.frozen(old);
      boolean needsList = (inuse == 0 || prior == 0) && !wasFrozen;
      boolean freeze = needsList && s.cpuPartialOn && prior == 0;
      Freelist.set(s, tail, prior);
      if (!needsList || freeze) {
        // FREEZE_MISSING: the slab goes to the CPU partial list but is left unfrozen.
        long update = slab.pack(head, inuse, wasFrozen || (freeze && !Bugs.FREEZE_MISSING));
        if (!slab.cas(old, update)) {
          s.stat(Stat.CMPXCHG_DOUBLE_FAIL);
          continue;
        }
        if (wasFrozen) {
          s.stat(Stat.FREE_FROZEN);
        } else if (freeze) {
          putCpuPartial(s, s.cpuSlab(s.machine.currentCpu()), slab, true);
          s.stat(Stat.CPU_PARTIAL_FREE);
        }
        return null;
      }
      if (Bugs.DISCARD_RACE) {
        // The bug: CAS first, lock after; acquire_slab may take the slab in between.
        if (!slab.cas(old, slab.pack(head, inuse, false))) {
          continue;
        }
        n.listLock.lock();
        try {
          if (inuse == 0 && n.nrPartial >= s.minPartial) {
            if (prior != 0) {
              n.removePartial(slab);
            }
          } else {
            return null;
          }
        } finally {
          n.listLock.unlock();
        }
        discardEmpty(s, slab);
        return null;
      }
      n.listLock.lock();
      boolean discard = false;
      try {
        if (!slab.cas(old, slab.pack(head, inuse, false))) {
          s.stat(Stat.CMPXCHG_DOUBLE_FAIL);
          continue; // unlocks in finally, then retries
        }
        if (inuse == 0 && n.nrPartial >= s.minPartial) { // slab_empty
          if (prior != 0) {
            n.removePartial(slab);
            s.stat(Stat.FREE_REMOVE_PARTIAL);
          } // else: it was full, on no list (remove_full)
          discard = true;
        } else if (!s.cpuPartialOn && prior == 0) {
          n.addPartial(slab, true);
          s.stat(Stat.FREE_ADD_PARTIAL);
        }
      } finally {
        n.listLock.unlock();
      }
      if (discard) {
        discardEmpty(s, slab);
      }
      return null;
    }
  }

  private static void discardEmpty(SlabCache s, Slab slab) {
    s.stat(Stat.FREE_SLAB);
    SlabDeactivate.discardSlab(s, slab);
  }

  /**
   * put_cpu_partial(): push a frozen slab onto {@code c}'s CPU partial list. With {@code drain},
   * a list already holding cpu_partial_slabs is first detached and unfrozen to the node
   * (CPU_PARTIAL_DRAIN) — outside the CPU lock, since unfreezing takes list_lock.
   */
  @MayReleaseLocks
  static void putCpuPartial(SlabCache s, KmemCacheCpu c, Slab slab, boolean drain) {
    Slab toUnfreeze = null;
    c.lock.lock();
    try {
      Slab old = c.partial();
      int slabs = 0;
      if (old != null) {
        if (drain && old.partialSlabs >= s.cpuPartialSlabs) {
          toUnfreeze = old;
          old = null;
        } else {
          slabs = old.partialSlabs;
        }
      }
      slab.partialSlabs = slabs + 1;
      slab.partialNext = old;
      c.setPartial(slab);
    } finally {
      c.lock.unlock();
    }
    if (toUnfreeze != null) {
      SlabDeactivate.unfreezePartialsList(s, toUnfreeze);
      s.stat(Stat.CPU_PARTIAL_DRAIN);
    }
  }

  /**
   * kmem_cache_free_bulk(): checks every entry first ({@link SlabBulkCheck}: in this cache, once
   * in the batch, not already free; nothing is changed if one fails), then repeatedly builds a
   * detached freelist of objects of one slab (build_detached_freelist, with the kernel's
   * lookahead of 3 misses) and frees it with one do_slab_free.
   *
   * @return null when every entry was freed, else the refused entry (nothing was freed)
   */
  @MayReleaseLocks
  static @Nullable BulkRefusal freeBulk(SlabCache s, long[] p, int size) {
    if (size < 0 || size > p.length) {
      throw new IllegalArgumentException("size " + size + " outside [0, " + p.length + "]");
    }
    BulkRefusal refused = SlabBulkCheck.check(s, p, size);
    if (refused != null) {
      return refused;
    }
    for (int i = size - 1; i >= 0; i--) {
      long object = p[i];
      p[i] = 0;
      Slab slab = object == 0 ? null : s.machine.memmap.slabOf(object);
      if (slab == null) {
        continue;
      }
      if (s.debug) {
        SlabDebugPath.freeDebug(s, slab, object, object, 1);
        continue;
      }
      // build_detached_freelist: gather objects of the same slab below i, giving up after three
      // entries of other slabs (they are taken by later rounds). The check above made every
      // entry distinct and live, so linking them cannot cut a freelist.
      long head = object;
      int cnt = 1;
      Freelist.set(s, object, 0);
      int lookahead = 3;
      for (int j = i - 1; j >= 0 && lookahead > 0; j--) {
        long o = p[j];
        if (o == 0) {
          continue;
        }
        if (s.machine.memmap.slabOf(o) == slab) {
          Freelist.set(s, o, head);
          head = o;
          cnt++;
          p[j] = 0;
        } else {
          lookahead--;
        }
      }
      doSlabFree(s, slab, head, object, cnt);
    }
    return null;
  }
}
