package jslub.slab;

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
    CpuWord cw = s.machine.cpuWord;
    for (;;) {
      int cpu = s.machine.currentCpu();
      KmemCacheCpu c = s.cpuSlab(cpu);
      long w = c.word();
      Slab slab = c.slab;
      long object = cw.freelist(w);
      if (cw.busy(w) || object == 0 || slab == null) {
        return slabAllocSlowGated(s, c);
      }
      long next = Freelist.getSafe(s, object);
      if (updateCpuFreelistFast(c, w, next)) {
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
    CpuWord cw = c.cw;
    if (Bugs.NO_TID) {
      long cur = c.word();
      if (cw.busy(cur) || cw.freelist(cur) != cw.freelist(w)) {
        return false;
      }
      return c.cas(cur, cw.make(next, cw.nextTid(cw.tid(cur))));
    }
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
    long freelist = getPartialNode(s, s.node(0), c);
    Slab slab;
    if (freelist != 0) {
      slab = s.machine.memmap.slabOf(freelist);
      if (slab == null) {
        throw new IllegalStateException("acquired freelist 0x" + Long.toHexString(freelist)
            + " is not in a slab");
      }
    } else {
      slab = newSlab(s, 0);
      if (slab == null) {
        return 0;
      }
      s.stats.inc(c.cpu, Stat.ALLOC_SLAB);
      // A new slab is born frozen with its whole freelist taken (inuse = objects).
      long w = slab.word();
      freelist = slab.freelist(w);
      slab.initWord(slab.pack(0, slab.objects, true));
    }
    return installCpuSlab(s, c, slab, freelist);
  }

  /**
   * The part of ___slab_alloc under the CPU lock: load_freelist from c.freelist, else
   * get_freelist from c.slab (ALLOC_REFILL), else drop the exhausted c.slab (DEACTIVATE_BYPASS)
   * and take the next slab off c.partial (CPU_PARTIAL_ALLOC). Returns 0 if all are empty.
   */
  @MayReleaseLocks
  private static long allocFromCpuSlabs(SlabCache s, KmemCacheCpu c) {
    CpuWord cw = c.cw;
    c.lock.lock();
    try {
      long w = c.claim();
      Slab slab = c.slab;
      long freelist = cw.freelist(w);
      for (;;) {
        if (slab != null) {
          if (freelist == 0) {
            freelist = getFreelist(s, slab, c.cpu);
            if (freelist != 0) {
              s.stats.inc(c.cpu, Stat.ALLOC_REFILL);
            } else {
              c.slab = null; // exhausted: it is now a full slab on no list
              slab = null;
              s.stats.inc(c.cpu, Stat.DEACTIVATE_BYPASS);
            }
          }
          if (freelist != 0) { // load_freelist
            c.release(w, Freelist.get(s, freelist));
            return freelist;
          }
        } else if (freelist != 0) {
          throw new IllegalStateException("cpu " + c.cpu + " has a freelist but no slab");
        }
        Slab p = c.partial(); // new_slab: slub_percpu_partial(c)
        if (p == null) {
          c.release(w, 0);
          return 0;
        }
        c.setPartial(p.partialNext);
        p.partialNext = null;
        c.slab = p;
        slab = p;
        s.stats.inc(c.cpu, Stat.CPU_PARTIAL_ALLOC);
      }
    } finally {
      c.lock.unlock();
    }
  }

  /**
   * get_freelist(): takes c.slab's own freelist (objects freed remotely since it became the CPU
   * slab) in one CAS: freelist := NULL, inuse := objects, frozen := (freelist != NULL). An empty
   * result leaves the slab unfrozen, full and on no list.
   */
  static long getFreelist(SlabCache s, Slab slab, int cpu) {
    for (;;) {
      long old = slab.word();
      long freelist = slab.freelist(old);
      if (slab.cas(old, slab.pack(0, slab.objects, freelist != 0))) {
        return freelist;
      }
      s.stats.inc(cpu, Stat.CMPXCHG_DOUBLE_FAIL);
    }
  }

  /**
   * get_partial_node(): under list_lock, freeze slabs off the node partial list — the first
   * with its freelist for the caller (ALLOC_FROM_PARTIAL), more onto c.partial
   * (CPU_PARTIAL_NODE) until more than cpu_partial_slabs/2 were moved.
   *
   * @return the first slab's freelist (the slab is found from it through the memmap), or 0
   */
  // The Lock Checker forgets list_lock once putCpuPartial (which takes and releases only the CPU
  // lock, nested inside list_lock as in the kernel) returns; list_lock is in fact still held for
  // the next acquireSlab. Hence this one suppression.
  @SuppressWarnings("contracts.precondition")
  @MayReleaseLocks
  static long getPartialNode(SlabCache s, KmemCacheNode n, KmemCacheCpu c) {
    if (n.nrPartial == 0) { // racy peek, as the kernel's
      return 0;
    }
    long object = 0;
    int partialSlabs = 0;
    n.listLock.lock();
    try {
      Slab slab = n.firstPartial();
      while (slab != null) {
        Slab next = slab.listNext;
        long t = acquireSlab(s, n, slab, object == 0, c.cpu);
        if (t == 0) {
          break;
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
    if (!slab.cas(old, update)) {
      s.stats.inc(cpu, Stat.CMPXCHG_DOUBLE_FAIL);
      return 0;
    }
    n.removePartial(slab);
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
        long w = c.claim();
        flushSlab = c.slab;
        if (flushSlab == null) {
          c.slab = slab;
          c.release(w, Freelist.get(s, freelist)); // load_freelist
          return freelist;
        }
        flushFreelist = cw.freelist(w);
        c.slab = null;
        c.release(w, 0);
      } finally {
        c.lock.unlock();
      }
      SlabDeactivate.deactivateSlab(s, flushSlab, flushFreelist);
      s.stats.inc(c.cpu, Stat.CPUSLAB_FLUSH);
    }
  }

  /**
   * kmem_cache_alloc_bulk(): under the CPU lock (word claimed) pop c.freelist straight into
   * {@code p}; when it runs dry, publish (bumping the tid — the 2020 fix; not under
   * BULK_NO_TID_BUMP) and take ___slab_alloc for the next object. On failure frees what it got
   * and returns 0, as the kernel does.
   */
  @MayReleaseLocks
  static int allocBulk(SlabCache s, long[] p, int size) {
    if (s.debug) {
      for (int i = 0; i < size && i < p.length; i++) {
        long o = SlabDebugPath.allocDebugGated(s);
        if (o == 0) {
          SlabFree.freeBulk(s, p, i);
          return 0;
        }
        p[i] = o;
      }
      return size;
    }
    CpuWord cw = s.machine.cpuWord;
    KmemCacheCpu c = s.cpuSlab(s.machine.currentCpu());
    int i = 0;
    while (i < size && i < p.length) {
      c.lock.lock();
      try {
        long w = c.claim();
        long object = cw.freelist(w);
        while (i < size && i < p.length && object != 0) {
          p[i++] = object;
          object = Freelist.get(s, object);
        }
        if (Bugs.BULK_NO_TID_BUMP) {
          c.releaseSameTid(w, object);
        } else {
          c.release(w, object);
        }
      } finally {
        c.lock.unlock();
      }
      if (i < size && i < p.length) {
        // Gated per call, not around the whole bulk: the cleanup below frees through gated
        // paths, and a gate is not re-entrant. The locked pops above need no gate (shutdown's
        // flush takes the same CPU lock).
        long o = slabAllocSlowGated(s, c);
        if (o == 0) {
          SlabFree.freeBulk(s, p, i);
          return 0;
        }
        p[i++] = o;
      }
    }
    return size;
  }
}
