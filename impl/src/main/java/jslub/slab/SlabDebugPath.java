package jslub.slab;

import org.checkerframework.checker.lock.qual.MayReleaseLocks;
import org.checkerframework.checker.lock.qual.Holding;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * SLAB_CONSISTENCY_CHECKS ("F"): debug caches keep no CPU slabs (Linux 6.2+); every allocation
 * and free takes {@code list_lock} and is checked — alloc_single_from_partial,
 * alloc_single_from_new_slab and free_to_partial_list with free_debug_processing. Because all
 * free objects are then on slab freelists, on_freelist() catches every double free, immediate or
 * delayed, from any thread.
 */
final class SlabDebugPath {
  private SlabDebugPath() {}

  /** The debug allocation inside the cache's gate ({@link CacheGate}): 0 once shut down. */
  @MayReleaseLocks
  static long allocDebugGated(SlabCache s) {
    int slot = s.gate.enter(s.machine.currentCpu());
    if (slot < 0) {
      return 0;
    }
    try {
      return allocDebug(s);
    } finally {
      s.gate.exit(slot);
    }
  }

  /** The debug free of one object inside the cache's gate: NOT_SLAB once shut down. */
  @MayReleaseLocks
  static @Nullable FreeError freeDebugGated(SlabCache s, Slab slab, long addr) {
    int slot = s.gate.enter(s.machine.currentCpu());
    if (slot < 0) {
      return FreeError.NOT_SLAB;
    }
    try {
      return freeDebug(s, slab, addr, addr, 1);
    } finally {
      s.gate.exit(slot);
    }
  }

  /** The debug allocation: from the first node-partial slab, else a new slab. */
  @MayReleaseLocks
  static long allocDebug(SlabCache s) {
    KmemCacheNode n = s.node(0);
    n.listLock.lock();
    try {
      for (Slab slab = n.firstPartial(); slab != null; slab = n.firstPartial()) {
        long object = allocSingleFromPartial(s, n, slab);
        if (object != 0) {
          return object;
        }
      }
    } finally {
      n.listLock.unlock();
    }
    Slab slab = SlabAlloc.newSlab(s, 0);
    if (slab == null) {
      return 0;
    }
    s.stat(Stat.ALLOC_SLAB);
    return allocSingleFromNewSlab(s, n, slab);
  }

  /**
   * alloc_single_from_partial(): take one object; a full slab leaves the list (add_full). A
   * corrupt free pointer makes the slab unusable: all its objects are marked used and it leaves
   * the list ("Freepointer corrupt", slab_fix "Marking all objects used"); returns 0 then.
   */
  @Holding("#2.listLock")
  private static long allocSingleFromPartial(SlabCache s, KmemCacheNode n, Slab slab) {
    long old = slab.word();
    long object = slab.freelist(old);
    long next = object == 0 ? 0 : Freelist.get(s, object);
    if (object == 0 || (next != 0 && slab.indexOf(next) < 0)) {
      SlabValidate.report(s, "Freepointer corrupt", slab, object);
      slab.cas(old, slab.pack(0, slab.objects, false));
      n.removePartial(slab);
      return 0;
    }
    int inuse = SlabWord.inuse(old) + 1;
    if (!slab.cas(old, slab.pack(next, inuse, false))) {
      throw new IllegalStateException("debug slab word changed under list_lock: " + slab);
    }
    if (inuse == slab.objects) {
      n.removePartial(slab);
    }
    return object;
  }

  /** alloc_single_from_new_slab(): first object out, the slab onto the node list if not full. */
  @MayReleaseLocks
  private static long allocSingleFromNewSlab(SlabCache s, KmemCacheNode n, Slab slab) {
    long w = slab.word();
    long object = slab.freelist(w);
    long next = Freelist.get(s, object);
    slab.initWord(slab.pack(next, 1, false));
    n.listLock.lock();
    try {
      if (slab.objects > 1) {
        n.addPartial(slab, false);
      }
    } finally {
      n.listLock.unlock();
    }
    return object;
  }

  /**
   * free_to_partial_list() with free_debug_processing(): under list_lock, re-check that the slab
   * still holds the object and that the object is not already on the slab's freelist
   * (on_freelist), then free it; a full slab joins the node list, an empty one is discarded when
   * the node keeps min_partial.
   */
  @MayReleaseLocks
  static @Nullable FreeError freeDebug(SlabCache s, Slab slab, long head, long tail, int cnt) {
    KmemCacheNode n = s.node(slab.node);
    boolean discard;
    n.listLock.lock();
    try {
      if (s.machine.memmap.slabOf(head) != slab) {
        return FreeError.NOT_SLAB;
      }
      long old = slab.word();
      long prior = slab.freelist(old);
      if (onFreelist(s, slab, prior, head)) {
        SlabValidate.report(s, "Object already free", slab, head);
        return FreeError.ALREADY_FREE;
      }
      int inuse = SlabWord.inuse(old) - cnt;
      Freelist.set(s, tail, prior);
      if (!slab.cas(old, slab.pack(head, inuse, false))) {
        throw new IllegalStateException("debug slab word changed under list_lock: " + slab);
      }
      discard = inuse == 0 && n.nrPartial >= s.minPartial;
      if (prior == 0) { // was full, on no list
        if (!discard) {
          n.addPartial(slab, true);
          s.stat(Stat.FREE_ADD_PARTIAL);
        }
      } else if (discard) {
        n.removePartial(slab);
        s.stat(Stat.FREE_REMOVE_PARTIAL);
      }
      if (discard) {
        n.decSlabs(slab.objects);
      }
    } finally {
      n.listLock.unlock();
    }
    if (discard) {
      s.stat(Stat.FREE_SLAB);
      SlabDeactivate.freeSlab(s, slab);
    }
    return null;
  }

  /** on_freelist(): is {@code object} on the freelist starting at {@code head}? Bounded walk. */
  static boolean onFreelist(SlabCache s, Slab slab, long head, long object) {
    int n = 0;
    for (long p = head; p != 0 && n <= slab.objects; n++) {
      if (p == object) {
        return true;
      }
      if (slab.indexOf(p) < 0) {
        SlabValidate.report(s, "Freechain corrupt", slab, p);
        return false;
      }
      p = Freelist.get(s, p);
    }
    return false;
  }
}
