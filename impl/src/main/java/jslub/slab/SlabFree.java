package jslub.slab;

import org.checkerframework.checker.lock.qual.Holding;
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
    for (;;) {
      KmemCacheCpu c = s.thisCpuPtr();
      CpuWord cw = c.cw;
      int cpu = c.cpu;
      if (SlabTrace.ON) SlabTrace.begin();
      long w = c.word();
      if (SlabTrace.ON) SlabTrace.endFree("FreeReadCpuWord", s, c, head);
      if (cw.busy(w)) {
        return slabFreeGated(s, slab, head, tail, cnt);
      }
      if (SlabTrace.ON) SlabTrace.begin();
      boolean other = c.slab != slab;
      if (SlabTrace.ON) SlabTrace.end("FreeReadCpuSlab");
      if (other) {
        return slabFreeGated(s, slab, head, tail, cnt);
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
   * __slab_free() inside the cache's gate ({@link CacheGate}). A shut-down cache has no slabs, so
   * a free that finds it dead is of an object in no slab.
   */
  @MayReleaseLocks
  static @Nullable FreeError slabFreeGated(SlabCache s, Slab slab, long head, long tail,
      int cnt) {
    int slot = s.gate.enter(s.machine.currentCpu());
    if (slot < 0) {
      return FreeError.NOT_SLAB;
    }
    try {
      return slabFree(s, slab, head, tail, cnt);
    } finally {
      s.gate.exit(slot);
    }
  }

  /**
   * __slab_free(): return {@code cnt} objects to their slab's own freelist by CAS on (freelist,
   * counters). The interesting transitions, decided inside the loop from the word just read:
   *
   * <ul>
   *   <li>frozen slab: just the CAS (FREE_FROZEN) — its CPU owns it;
   *   <li>full → partial, CPU partial lists on: freeze it in the same CAS (primary only; delayed
   *       freezing leaves it unfrozen) and put_cpu_partial (CPU_PARTIAL_FREE), no lock;
   *   <li>becomes empty, or full → partial without CPU partial lists: take list_lock
   *       <em>before</em> the CAS, so no acquire_slab can slip in, then discard it (slab_empty)
   *       if the node keeps enough partial slabs, or add it to the node list. Delayed freezing
   *       first returns if the slab had free objects but is not on the node list (6.8).
   * </ul>
   *
   * <p>Bug switches (the same steps as spec/Slub.tla, docs/model/BUGS.md): SPLIT_CAS splits the
   * CAS ({@link #slabUpdateFreelist}); DISCARD_RACE moves the list_lock from before the CAS to
   * after it, keeping the decision taken from the CAS-time word.
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
      if (tail == prior || SlabWord.inuse(old) - cnt < 0) { // naive double-free checks
        return FreeError.ALREADY_FREE;
      }
      Freelist.set(s, tail, prior);
      boolean lockFirst = needLock(s, old, cnt);
      if (Bugs.discardRace()) {
        lockFirst = false; // the bug takes list_lock after the CAS, below
      }
      if (lockFirst) {
        n.listLock.lock();
        boolean discard;
        try {
          if (SlabTrace.ON) SlabTrace.event("SlabFreeLock");
          if (SlabTrace.ON) SlabTrace.begin(); // the CAS and its list update are one model step
          long w = slabUpdateFreelist(s, slab, old, head, cnt);
          if (w == LOST) {
            if (SlabTrace.ON) SlabTrace.end("SlabFreeCmpxchg");
            s.stat(Stat.CMPXCHG_DOUBLE_FAIL);
            continue; // unlocks in finally, then retries
          }
          discard = freeLockedTail(s, n, slab, w, cnt);
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
      if (SlabTrace.ON) SlabTrace.begin();
      long w = slabUpdateFreelist(s, slab, old, head, cnt);
      if (SlabTrace.ON) SlabTrace.end("SlabFreeCmpxchg");
      if (w == LOST) {
        s.stat(Stat.CMPXCHG_DOUBLE_FAIL);
        continue;
      }
      if (Bugs.discardRace() && needLock(s, w, cnt)) {
        BugVariants.slabFreeLockAfterCas(s, n, slab, w, cnt);
      } else if (SlabWord.frozen(w)) {
        s.stat(Stat.FREE_FROZEN);
      } else if (freezeIt(s, w, cnt)) {
        putCpuPartial(s, s.cpuSlab(s.machine.currentCpu()), slab, true);
        s.stat(Stat.CPU_PARTIAL_FREE);
      }
      return null;
    }
  }

  /**
   * __slab_free's Linux 6.8+ early return ({@code prior && !on_node_partial}), under list_lock
   * after the CAS: a slab that had free objects yet is not on the node list sits on a CPU partial
   * list (or is being frozen); its list is not ours to touch. Always false for the primary
   * protocol, whose CPU partial slabs are frozen and never reach here. NO_LIST_RECHECK drops it.
   */
  private static boolean onCpuPartialDelayed(SlabCache s, Slab slab, boolean prior) {
    if (Bugs.noListRecheck()) return false; // one line: mutation testing skips it with the switch
    return s.delayedFreeze && prior && !slab.slabTestNodePartial();
  }

  /** The result of {@link #slabUpdateFreelist} when the (freelist) compare failed. */
  static final long LOST = -1L; // not a slab word: inuse 0xffff > objects 0x7fff

  /** (!new.inuse || !prior) && !was_frozen: the slab changes lists (model: NeedList). */
  private static boolean needList(long w, int cnt) {
    return (SlabWord.inuse(w) - cnt == 0 || SlabWord.freelistOff1(w) == 0) && !SlabWord.frozen(w);
  }

  /** A full slab is frozen in the CAS and goes to put_cpu_partial (model: FreezeIt). */
  private static boolean freezeIt(SlabCache s, long w, int cnt) {
    return needList(w, cnt) && s.cpuPartialOn && SlabWord.freelistOff1(w) == 0;
  }

  /** __slab_free takes list_lock for this word (model: NeedLock). */
  private static boolean needLock(SlabCache s, long w, int cnt) {
    return needList(w, cnt) && !freezeIt(s, w, cnt);
  }

  /**
   * slab_update_freelist() of __slab_free: (prior, counters) → (head, counters − cnt, frozen if
   * freezing), one CAS on the whole word (model: SlabFreeCmpxchg). SPLIT_CAS makes it two CASes
   * ({@link BugVariants#slabUpdateFreelistSplit}).
   *
   * @return the word the update was computed from, or {@link #LOST} if the compare failed
   */
  private static long slabUpdateFreelist(SlabCache s, Slab slab, long old, long head, int cnt) {
    if (Bugs.splitCas()) {
      return BugVariants.slabUpdateFreelistSplit(s, slab, old, head, cnt);
    }
    return slab.cas(old, updated(s, slab, old, head, cnt)) ? old : LOST;
  }

  /** The word __slab_free's CAS installs, computed from word {@code w}. */
  static long updated(SlabCache s, Slab slab, long w, long head, int cnt) {
    // Delayed freezing (6.8) hands a full slab to put_cpu_partial unfrozen.
    boolean freeze = freezeIt(s, w, cnt) && !s.delayedFreeze;
    if (Bugs.freezeMissing()) {
      freeze = false;
    }
    return slab.pack(head, SlabWord.inuse(w) - cnt, SlabWord.frozen(w) || freeze);
  }

  /**
   * The tail of __slab_free under list_lock, after the CAS computed from {@code w}: slab_empty
   * (remove_partial if it was on the list; the caller discards it after unlocking) when it is
   * empty and the node keeps min_partial slabs; add_partial if it was full and there are no CPU
   * partial lists (model: FreeLockedTail).
   *
   * @return true if the caller must discard the slab
   */
  @Holding("#2.listLock")
  static boolean freeLockedTail(SlabCache s, KmemCacheNode n, Slab slab, long w,
      int cnt) {
    boolean prior = SlabWord.freelistOff1(w) != 0;
    if (onCpuPartialDelayed(s, slab, prior)) {
      return false;
    }
    if (SlabWord.inuse(w) - cnt == 0 && n.nrPartial >= s.minPartial) { // slab_empty
      if (prior) {
        n.removePartial(slab);
        s.stat(Stat.FREE_REMOVE_PARTIAL);
      } // else: it was full, on no list (remove_full)
      return true;
    }
    if (!s.cpuPartialOn && !prior) {
      n.addPartial(slab, true);
      s.stat(Stat.FREE_ADD_PARTIAL);
    }
    return false;
  }

  static void discardEmpty(SlabCache s, Slab slab) {
    s.stat(Stat.FREE_SLAB);
    SlabDeactivate.discardSlab(s, slab);
  }

  /**
   * put_cpu_partial(): push a slab (frozen; unfrozen under delayed freezing) onto {@code c}'s CPU partial list. With {@code drain},
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
    if (SlabTrace.ON && !s.debug) SlabTrace.eventFreeBulk("KmemCacheFreeBulk", s, p, size);
    return freeBulkChecked(s, p, size);
  }

  /**
   * kmem_cache_free_bulk() of what a failed kmem_cache_alloc_bulk got: the same steps, without
   * the client's starting record (the model goes there straight from the failed allocation).
   */
  @MayReleaseLocks
  static void freeBulkCleanup(SlabCache s, long[] p, int size) {
    freeBulkChecked(s, p, size); // its own objects: never refused
  }

  @MayReleaseLocks
  private static @Nullable BulkRefusal freeBulkChecked(SlabCache s, long[] p, int size) {
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
        SlabDebugPath.freeDebugGated(s, slab, object);
        continue;
      }
      // build_detached_freelist: gather objects of the same slab below i, giving up after three
      // entries of other slabs (they are taken by later rounds). The check above made every
      // entry distinct and live, so linking them cannot cut a freelist.
      long head = object;
      int cnt = 1;
      long base = slab.base();
      long bytes = slab.bytes();
      Freelist.set(s, object, 0);
      int lookahead = 3;
      for (int j = i - 1; j >= 0 && lookahead > 0; j--) {
        long o = p[j];
        if (o == 0) {
          continue;
        }
        if (Long.compareUnsigned(o - base, bytes) < 0) { // in the slab: the same as virt_to_slab
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
