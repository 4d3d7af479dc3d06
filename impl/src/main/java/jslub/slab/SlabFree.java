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
      if (SlabTrace.ON) SlabTrace.begin();
      long w = c.word();
      if (SlabTrace.ON) SlabTrace.endFree("FreeReadCpuWord", s, c, head);
      if (cw.busy(w)) {
        return slabFree(s, slab, head, tail, cnt);
      }
      if (SlabTrace.ON) SlabTrace.begin();
      boolean other = c.slab != slab;
      if (SlabTrace.ON) SlabTrace.end("FreeReadCpuSlab");
      if (other) {
        return slabFree(s, slab, head, tail, cnt);
      }
      long freelist = cw.freelist(w);
      if (tail == freelist) { // set_freepointer's naive double-free check, before any write
        return FreeError.ALREADY_FREE;
      }
      Freelist.set(s, tail, freelist);
      if (SlabTrace.ON) SlabTrace.begin();
      boolean won = SlabAlloc.updateCpuFreelistFast(c, w, head);
      if (SlabTrace.ON) SlabTrace.end("FreeCmpxchg", s, c);
      if (won) {
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
      if (SlabTrace.ON) SlabTrace.begin();
      long old = slab.word();
      if (SlabTrace.ON) SlabTrace.end("SlabFreeRead");
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
        if (SlabTrace.ON) SlabTrace.begin();
        boolean won = slab.cas(old, update);
        if (SlabTrace.ON) SlabTrace.end("SlabFreeCmpxchg");
        if (!won) {
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
        if (SlabTrace.ON) SlabTrace.event("SlabFreeLock");
        if (SlabTrace.ON) SlabTrace.begin(); // the CAS and its list update are one model step
        if (!slab.cas(old, slab.pack(head, inuse, false))) {
          if (SlabTrace.ON) SlabTrace.end("SlabFreeCmpxchg");
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
        if (SlabTrace.ON) SlabTrace.end("SlabFreeCmpxchg");
      } finally {
        n.listLock.unlock();
      }
      if (discard) {
        if (SlabTrace.ON) SlabTrace.eventFreed("DiscardSlab", slab);
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
      if (SlabTrace.ON) SlabTrace.event(drain ? "PutCpuPartial" : "PutCpuPartialNoDrain");
    } finally {
      c.lock.unlock();
    }
    if (toUnfreeze != null) {
      SlabDeactivate.unfreezePartialsList(s, toUnfreeze);
      s.stat(Stat.CPU_PARTIAL_DRAIN);
    }
  }

  /**
   * kmem_cache_free_bulk(): checks every address first (nothing is freed if one is bad), then
   * repeatedly builds a detached freelist of objects of one slab (build_detached_freelist, with
   * the kernel's lookahead of 3 misses) and frees it with one do_slab_free.
   */
  @MayReleaseLocks
  static @Nullable FreeError freeBulk(SlabCache s, long[] p, int size) {
    if (size < 0 || size > p.length) {
      throw new IllegalArgumentException("size " + size + " outside [0, " + p.length + "]");
    }
    for (int i = 0; i < size; i++) {
      if (p[i] == 0) {
        continue; // the kernel skips NULL entries
      }
      FreeError e = s.checkFree(s.machine.memmap.slabOf(p[i]), p[i]);
      if (e != null) {
        return e;
      }
    }
    FreeError first = null;
    for (int i = size - 1; i >= 0; i--) {
      long object = p[i];
      p[i] = 0;
      Slab slab = object == 0 ? null : s.machine.memmap.slabOf(object);
      if (slab == null) {
        continue;
      }
      FreeError e;
      if (s.debug) {
        e = SlabDebugPath.freeDebug(s, slab, object, object, 1);
      } else {
        // build_detached_freelist: gather objects of the same slab below i, giving up after
        // three entries of other slabs (they are taken by later rounds).
        long head = object;
        long tail = object;
        int cnt = 1;
        Freelist.set(s, object, 0);
        int lookahead = 3;
        boolean duplicate = false;
        for (int j = i - 1; j >= 0 && lookahead > 0; j--) {
          long o = p[j];
          if (o == 0) {
            continue;
          }
          if (s.machine.memmap.slabOf(o) == slab) {
            if (o == head) { // the same object twice in a row: naive double-free check
              // Drop the duplicate entry: processing it in a later round would overwrite the
              // free pointer of an object that is by then on a freelist.
              duplicate = true;
              p[j] = 0;
              break;
            }
            Freelist.set(s, o, head);
            head = o;
            cnt++;
            p[j] = 0;
          } else {
            lookahead--;
          }
        }
        e = doSlabFree(s, slab, head, tail, cnt);
        if (e == null && duplicate) {
          e = FreeError.ALREADY_FREE;
        }
      }
      if (e != null && first == null) {
        first = e;
      }
    }
    return first;
  }
}
