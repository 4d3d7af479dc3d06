package jslub.slab;

import org.checkerframework.checker.index.qual.IndexOrHigh;
import org.checkerframework.checker.lock.qual.MayReleaseLocks;
import org.checkerframework.checker.lock.qual.Holding;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The allocation side of mm/slub.c: slab_alloc_node (lockless fast path), ___slab_alloc,
 * get_freelist, get_partial_node / acquire_slab, new_slab (allocate_slab), the retry_load_slab
 * install, and kmem_cache_alloc_bulk. Lock order: {@code list_lock} before a CPU's lock; no path
 * holds a CPU's lock while it takes a list_lock.
 */
final class SlabAlloc {
  private SlabAlloc() {}

  /**
   * slab_alloc_node(): pop c.freelist with one (freelist, tid) CAS; no lock, no heap allocation.
   * Steps, in this order: read the word (tid, freelist); read c.slab; read the next pointer of
   * the head (possibly stale); CAS. Any slow-path change in between bumped the tid, so the CAS
   * fails and we retry.
   */
  @MayReleaseLocks
  static long slabAllocNode(SlabCache s) {
    if (s.debug) {
      return SlabDebugPath.allocDebugGated(s);
    }
    for (;;) {
      KmemCacheCpu c = s.thisCpuPtr();
      CpuWord cw = c.cw;
      int cpu = c.cpu;
      if (SlabTrace.ON) SlabTrace.begin();
      long w = c.word();
      if (SlabTrace.ON) SlabTrace.end("AllocReadCpuWord", s, c);
      if (cw.busy(w)) {
        return slabAllocSlowGated(s, c);
      }
      if (SlabTrace.ON) SlabTrace.begin();
      Slab slab = c.slab;
      if (SlabTrace.ON) SlabTrace.end("AllocReadCpuSlab");
      long object = cw.freelist(w);
      if (object == 0 || slab == null) {
        return slabAllocSlowGated(s, c);
      }
      if (SlabTrace.ON) SlabTrace.begin();
      long next = Freelist.getSafe(s, object);
      if (SlabTrace.ON) SlabTrace.end("AllocGetFreepointer");
      if (SlabTrace.ON) SlabTrace.begin();
      boolean won = updateCpuFreelistFast(c, w, next);
      if (SlabTrace.ON) SlabTrace.end("AllocCmpxchg", s, c);
      if (won) {
        s.stats.inc(cpu, Stat.ALLOC_FASTPATH);
        return object;
      }
      s.stats.inc(cpu, Stat.CMPXCHG_DOUBLE_CPU_FAIL); // note_cmpxchg_failure
    }
  }

  /**
   * __update_cpu_freelist_fast(): CAS (head, tid) → (next, next_tid(tid)). Under NO_TID only the
   * freelist head is compared, so a head that was popped and pushed back (ABA) passes.
   */
  static boolean updateCpuFreelistFast(KmemCacheCpu c, long w, long next) {
    if (Bugs.noTid()) {
      return BugVariants.updateCpuFreelistFastNoTid(c, w, next);
    }
    CpuWord cw = c.cw;
    return c.cas(w, cw.make(next, cw.nextTid(cw.tid(w))));
  }

  /**
   * ___slab_alloc() inside the cache's gate ({@link CacheGate}): 0 if the cache was shut down.
   */
  @MayReleaseLocks
  static long slabAllocSlowGated(SlabCache s, KmemCacheCpu c) {
    int slot = s.gate.enter(c.cpu);
    if (slot < 0) {
      return 0;
    }
    try {
      return slabAllocSlow(s, c);
    } finally {
      s.gate.exit(slot);
    }
  }

  /**
   * ___slab_alloc(): the slow path, acting for CPU {@code c}. First from c.slab / c.partial under
   * the CPU's lock; then, without it, from the node partial list or a new slab, which it installs
   * as c.slab (retry_load_slab).
   *
   * @return an object, or 0 when no frames are left (slab_out_of_memory)
   */
  @MayReleaseLocks
  static long slabAllocSlow(SlabCache s, KmemCacheCpu c) {
    s.stats.inc(c.cpu, Stat.ALLOC_SLOWPATH);
    long object = allocFromCpuSlabs(s, c);
    if (object != 0) {
      return object;
    }
    long got = getPartialNode(s, s.node(0), c);
    @Nullable Slab slab = got == 0 ? null : s.machine.memmap.slabOf(got);
    if (got != 0 && slab == null) {
      throw new IllegalStateException("get_partial_node gave 0x" + Long.toHexString(got)
          + ", which is in no slab");
    }
    // The primary protocol's acquire_slab took the freelist under list_lock; 6.8 freezes the
    // slab now, with list_lock dropped (freeze_slab).
    long freelist = slab == null ? 0 : s.delayedFreeze ? freezeSlab(s, slab, c.cpu) : got;
    if (slab == null) {
      slab = newSlab(s, 0);
      if (slab == null) {
        if (SlabTrace.ON) SlabTrace.event("NewSlabFail");
        return 0;
      }
      s.stats.inc(c.cpu, Stat.ALLOC_SLAB);
      // A new slab is born frozen with its whole freelist taken (inuse = objects).
      long w = slab.word();
      freelist = slab.freelist(w);
      slab.initWord(slab.pack(0, slab.objects, true));
      if (SlabTrace.ON) SlabTrace.eventNewSlab("NewSlab", slab);
    }
    return installCpuSlab(s, c, slab, freelist);
  }

  /**
   * The part of ___slab_alloc under the CPU lock: load_freelist from c.freelist, else
   * get_freelist from c.slab (ALLOC_REFILL), else drop the exhausted c.slab (DEACTIVATE_BYPASS)
   * or take the next slab off c.partial (CPU_PARTIAL_ALLOC). As in the kernel, dropping c.slab
   * and taking a CPU-partial slab each end the locked section (unlock, then redo), so each is one
   * section of its own. Returns 0 if c.slab and c.partial are both empty (new_objects).
   */
  @MayReleaseLocks
  private static long allocFromCpuSlabs(SlabCache s, KmemCacheCpu c) {
    CpuWord cw = c.cw;
    for (;;) {
      c.lock.lock();
      try {
        if (SlabTrace.ON) SlabTrace.begin();
        long w = c.claim();
        if (SlabTrace.ON) SlabTrace.end("SlabAllocLock", s, c);
        Slab slab = c.slab;
        long freelist = cw.freelist(w);
        if (slab != null) {
          if (freelist != 0) { // load_freelist from the claimed c.freelist
            if (SlabTrace.ON) SlabTrace.begin();
            c.release(w, Freelist.get(s, freelist));
            if (SlabTrace.ON) SlabTrace.end("SlabAllocLoadFreelist", s, c);
            return freelist;
          }
          freelist = getFreelist(s, slab, c.cpu);
          if (freelist != 0) {
            s.stats.inc(c.cpu, Stat.ALLOC_REFILL);
            if (SlabTrace.ON) SlabTrace.begin();
            c.release(w, Freelist.get(s, freelist));
            if (SlabTrace.ON) SlabTrace.end("LoadFreelist", s, c);
            return freelist;
          }
          if (SlabTrace.ON) SlabTrace.begin(); // fast paths read c.slab: the write is the step
          c.slab = null; // exhausted: it is now a full slab on no list
          if (SlabTrace.ON) SlabTrace.end("SlabAllocDropSlab", s, c);
          s.stats.inc(c.cpu, Stat.DEACTIVATE_BYPASS);
          if (SlabTrace.ON) SlabTrace.begin();
          c.release(w, 0);
          if (SlabTrace.ON) SlabTrace.end("SlabAllocDropSlabTid", s, c);
          continue; // unlock, goto new_slab (which locks again)
        }
        if (freelist != 0) {
          throw new IllegalStateException("cpu " + c.cpu + " has a freelist but no slab");
        }
        Slab p = c.partial(); // new_slab: slub_percpu_partial(c)
        if (p == null) {
          if (SlabTrace.ON) SlabTrace.begin();
          c.release(w, 0);
          if (SlabTrace.ON) SlabTrace.end("SlabAllocNewObjects", s, c);
          return 0;
        }
        c.setPartial(p.partialNext);
        p.partialNext = null;
        if (SlabTrace.ON) SlabTrace.begin();
        c.slab = p;
        if (s.delayedFreeze) {
          // 6.9+ (the delayed-freezing kernels since "directly load freelist from cpu partial
          // slab"): the popped slab is unfrozen; get_freelist freezes it in this same locked
          // block (the kernel counts no ALLOC_REFILL here), then load_freelist. It had free
          // objects when queued, and nobody allocates from a CPU partial slab, so the freelist
          // is not empty. One model step (CpuPartialAlloc): the word is claimed, so nobody reads
          // c.slab in between, and the CAS only races with frees into the slab (R1).
          freelist = getFreelist(s, p, c.cpu, false);
        }
        if (SlabTrace.ON) SlabTrace.end("CpuPartialAlloc", s, c);
        s.stats.inc(c.cpu, Stat.CPU_PARTIAL_ALLOC);
        if (s.delayedFreeze) {
          if (freelist == 0) {
            throw new IllegalStateException("cpu partial slab without free objects: " + p);
          }
          if (SlabTrace.ON) SlabTrace.begin();
          c.release(w, Freelist.get(s, freelist));
          if (SlabTrace.ON) SlabTrace.end("LoadFreelist", s, c);
          return freelist;
        }
        if (SlabTrace.ON) SlabTrace.begin();
        c.release(w, 0);
        if (SlabTrace.ON) SlabTrace.end("CpuPartialAllocUnlock", s, c);
      } finally {
        c.lock.unlock();
      }
    }
  }

  /** get_freelist(), logged as its own step (GetFreelist). */
  static long getFreelist(SlabCache s, Slab slab, int cpu) {
    return getFreelist(s, slab, cpu, true);
  }

  /**
   * get_freelist(): takes c.slab's own freelist (objects freed remotely since it became the CPU
   * slab) in one CAS: freelist := NULL, inuse := objects, frozen := (freelist != NULL). An empty
   * result leaves the slab unfrozen, full and on no list.
   *
   * @param logStep log the winning CAS as the model's GetFreelist; false when the caller's own
   *     step (CpuPartialAlloc, under delayed freezing) contains it
   */
  static long getFreelist(SlabCache s, Slab slab, int cpu, boolean logStep) {
    for (;;) {
      long old = slab.word();
      long freelist = slab.freelist(old);
      if (SlabTrace.ON) SlabTrace.begin();
      boolean won = slab.cas(old, slab.pack(0, slab.objects, freelist != 0));
      if (SlabTrace.ON) SlabTrace.endIf(won && logStep, "GetFreelist");
      if (won) {
        return freelist;
      }
      s.stats.inc(cpu, Stat.CMPXCHG_DOUBLE_FAIL);
    }
  }

  /**
   * get_partial_node(): under list_lock, take slabs off the node partial list — the first for
   * the caller (ALLOC_FROM_PARTIAL), more onto c.partial (CPU_PARTIAL_NODE) until more than
   * cpu_partial_slabs/2 were moved. How a slab is taken is the one step the protocols differ in:
   * the primary protocol (≤ 6.7) freezes it by CAS (acquire_slab), taking the caller's slab's
   * freelist; delayed freezing (6.8+) only does remove_partial and leaves the slabs unfrozen (the
   * caller runs freeze_slab after list_lock is dropped).
   *
   * @return 0 if no slab was taken; else an address in the caller's slab (found from it through
   *     the memmap): primary, the freelist acquire_slab took; delayed, the slab's base
   */
  // The Lock Checker forgets list_lock once putCpuPartial (which takes and releases only the CPU
  // lock, nested inside list_lock as in the kernel) returns; list_lock is in fact still held for
  // the next slab. Hence this one suppression.
  @SuppressWarnings("contracts.precondition")
  @MayReleaseLocks
  static long getPartialNode(SlabCache s, KmemCacheNode n, KmemCacheCpu c) {
    if (SlabTrace.ON) SlabTrace.begin();
    boolean none = n.nrPartial == 0; // racy peek, as the kernel's
    if (SlabTrace.ON) SlabTrace.endIf(none, "GetPartialPeekEmpty");
    if (none) {
      return 0;
    }
    long object = 0;
    int partialSlabs = 0;
    n.listLock.lock();
    try {
      if (SlabTrace.ON) SlabTrace.event("GetPartialLock");
      Slab slab = n.firstPartial();
      if (slab == null && SlabTrace.ON) SlabTrace.event("GetPartialNone");
      while (slab != null) {
        Slab next = slab.listNext;
        long t;
        if (s.delayedFreeze) { // 6.8: remove_partial only, no CAS
          if (SlabWord.frozen(slab.word())) {
            throw new IllegalStateException("get_partial_node: frozen slab on the node list: "
                + slab);
          }
          if (SlabTrace.ON) SlabTrace.begin();
          n.removePartial(slab);
          if (SlabTrace.ON) SlabTrace.end(object == 0 ? "AcquireSlab" : "AcquireSlabExtra");
          t = slab.base;
        } else {
          t = acquireSlab(s, n, slab, object == 0, c.cpu);
          if (t == 0) {
            break;
          }
        }
        if (object == 0) {
          object = t;
          s.stats.inc(c.cpu, Stat.ALLOC_FROM_PARTIAL);
        } else {
          SlabFree.putCpuPartial(s, c, slab, false);
          s.stats.inc(c.cpu, Stat.CPU_PARTIAL_NODE);
          partialSlabs++;
        }
        if (!s.cpuPartialOn || partialSlabs > s.cpuPartialSlabs / 2) {
          break;
        }
        slab = next;
      }
    } finally {
      n.listLock.unlock();
    }
    return object;
  }

  /**
   * freeze_slab() (Linux 6.8+): one CAS loop on a slab the caller took off the node list —
   * freelist := NULL, inuse := objects, frozen := 1. Returns the freelist taken, never empty:
   * only frees touch the slab meanwhile, and they only add objects.
   */
  static long freezeSlab(SlabCache s, Slab slab, int cpu) {
    for (;;) {
      long old = slab.word();
      if (SlabWord.frozen(old)) {
        throw new IllegalStateException("freeze_slab: slab already frozen: " + slab);
      }
      long freelist = slab.freelist(old);
      if (freelist == 0) {
        throw new IllegalStateException("freeze_slab: node slab without free objects: " + slab);
      }
      if (SlabTrace.ON) SlabTrace.begin();
      boolean won = slab.cas(old, slab.pack(0, slab.objects, true));
      if (SlabTrace.ON) SlabTrace.endIf(won, "FreezeSlab");
      if (won) {
        return freelist;
      }
      s.stats.inc(cpu, Stat.CMPXCHG_DOUBLE_FAIL);
    }
  }

  /**
   * acquire_slab(): freeze a node-partial slab by CAS and take it off the list. With
   * {@code takeFreelist} the caller also takes all its free objects (inuse := objects); otherwise
   * the freelist stays in the slab (it is bound for c.partial). Returns the slab's freelist as it
   * was, or 0 if the CAS lost a race with a free (the caller stops scanning).
   */
  @Holding("#2.listLock")
  static long acquireSlab(SlabCache s, KmemCacheNode n, Slab slab, boolean takeFreelist,
      int cpu) {
    long old = slab.word();
    long freelist = slab.freelist(old);
    if (SlabWord.frozen(old)) {
      throw new IllegalStateException("acquire_slab: frozen slab on the node list: " + slab);
    }
    long update = takeFreelist
        ? slab.pack(0, slab.objects, true)
        : slab.pack(freelist, SlabWord.inuse(old), true);
    if (SlabTrace.ON) SlabTrace.begin();
    if (!slab.cas(old, update)) {
      if (SlabTrace.ON) SlabTrace.end("AcquireSlabFail");
      s.stats.inc(cpu, Stat.CMPXCHG_DOUBLE_FAIL);
      return 0;
    }
    n.removePartial(slab);
    if (SlabTrace.ON) SlabTrace.end(takeFreelist ? "AcquireSlab" : "AcquireSlabExtra");
    return freelist;
  }

  /**
   * new_slab() / allocate_slab(): frames for a slab of the preferred order ({@code oo}), falling
   * back to the minimum order ({@code min}) when they are short; objects linked in address order.
   * The slab is returned unfrozen with its full freelist, not yet visible to any list.
   */
  static @Nullable Slab newSlab(SlabCache s, int node) {
    SlabLayout l = s.layout;
    int order = l.ooOrder;
    long base = s.machine.pages.allocFrames(1 << order);
    if (base == 0 && l.minOrder < order) {
      order = l.minOrder;
      base = s.machine.pages.allocFrames(1 << order);
      if (base != 0) {
        s.stat(Stat.ORDER_FALLBACK);
      }
    }
    if (base == 0) {
      return null;
    }
    long bytes = (long) s.machine.frameSize() << order;
    if (base % s.machine.frameSize() != 0 || !s.machine.mem.contains(base, bytes)) {
      throw new IllegalStateException("frame allocator returned a bad block 0x"
          + Long.toHexString(base) + " of " + (1 << order) + " frames");
    }
    int objects = SlabLayout.orderObjects(order, s.size, s.machine.frameSize());
    Slab slab = new Slab(s, base, order, s.nextColour(order), objects, node);
    long prev = 0;
    for (int i = objects - 1; i >= 0; i--) {
      long obj = slab.objectAt(i);
      Freelist.set(s, obj, prev);
      prev = obj;
    }
    slab.initWord(slab.pack(prev, 0, false));
    s.machine.memmap.install(slab);
    s.node(node).incSlabs(objects);
    s.framesHeld.addAndGet(1L << order);
    return slab;
  }

  /**
   * retry_load_slab: install {@code slab} (frozen, its freelist taken by us) as c.slab and hand
   * out its first object. If another thread of this CPU installed a slab meanwhile, that one is
   * flushed (deactivate_slab, CPUSLAB_FLUSH) and we try again.
   */
  @MayReleaseLocks
  private static long installCpuSlab(SlabCache s, KmemCacheCpu c, Slab slab, long freelist) {
    CpuWord cw = c.cw;
    for (;;) {
      Slab flushSlab;
      long flushFreelist;
      c.lock.lock();
      try {
        if (SlabTrace.ON) SlabTrace.begin();
        long w = c.claim();
        if (SlabTrace.ON) SlabTrace.end("RetryLoadSlabLock", s, c);
        flushSlab = c.slab;
        if (flushSlab == null) {
          if (SlabTrace.ON) SlabTrace.begin();
          c.slab = slab;
          if (SlabTrace.ON) SlabTrace.end("RetryLoadSlabInstall", s, c);
          if (SlabTrace.ON) SlabTrace.begin();
          c.release(w, Freelist.get(s, freelist)); // load_freelist
          if (SlabTrace.ON) SlabTrace.end("LoadFreelist", s, c);
          return freelist;
        }
        flushFreelist = cw.freelist(w);
        if (SlabTrace.ON) SlabTrace.begin();
        c.slab = null;
        if (SlabTrace.ON) SlabTrace.end("RetryLoadSlabFlush", s, c);
        if (SlabTrace.ON) SlabTrace.begin();
        c.release(w, 0);
        if (SlabTrace.ON) SlabTrace.end("RetryLoadSlabFlushTid", s, c);
      } finally {
        c.lock.unlock();
      }
      SlabDeactivate.deactivateSlab(s, flushSlab, flushFreelist);
      s.stats.inc(c.cpu, Stat.CPUSLAB_FLUSH);
    }
  }

  /**
   * kmem_cache_alloc_bulk(): under the CPU lock (word claimed) pop c.freelist straight into
   * {@code p}; when it runs dry, publish (bumping the tid — the 2020 fix; BULK_NO_TID_BUMP keeps
   * the tid on this exit only, as the model's BulkPop) and take ___slab_alloc for the next
   * object. On failure frees what it got
   * and returns 0, as the kernel does.
   */
  @MayReleaseLocks
  static int allocBulk(SlabCache s, long[] p, @IndexOrHigh("#2") int size) {
    if (s.debug) {
      for (int i = 0; i < size; i++) {
        long o = SlabDebugPath.allocDebugGated(s);
        if (o == 0) {
          SlabFree.freeBulkCleanup(s, p, i);
          return 0;
        }
        p[i] = o;
      }
      return size;
    }
    CpuWord cw = s.machine.cpuWord;
    KmemCacheCpu c = s.cpuSlab(s.machine.currentCpu());
    int i = 0;
    while (i < size) {
      c.lock.lock();
      try {
        if (SlabTrace.ON) SlabTrace.begin();
        long w = c.claim();
        if (SlabTrace.ON) SlabTrace.end("BulkLock", s, c);
        long object = cw.freelist(w);
        while (i < size && object != 0) {
          p[i++] = object;
          object = Freelist.get(s, object);
        }
        if (SlabTrace.ON) SlabTrace.begin();
        if (Bugs.bulkNoTidBump() && i < size) {
          // The 2020 bug: the "ran dry" exit publishes the emptied freelist under the old tid.
          BugVariants.releaseSameTid(c, w, object);
        } else {
          c.release(w, object);
        }
        if (SlabTrace.ON) SlabTrace.end("BulkPop", s, c);
      } finally {
        c.lock.unlock();
      }
      if (i < size) {
        // Gated per call, not around the whole bulk: the cleanup below frees through gated
        // paths, and a gate is not re-entrant. The locked pops above need no gate (shutdown's
        // flush takes the same CPU lock).
        long o = slabAllocSlowGated(s, c);
        if (o == 0) {
          SlabFree.freeBulkCleanup(s, p, i);
          return 0;
        }
        p[i++] = o;
      }
    }
    return size;
  }
}
