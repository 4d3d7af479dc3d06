package jslub.slab;

import org.checkerframework.checker.lock.qual.MayReleaseLocks;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Giving slabs up: deactivate_slab (a CPU slab back to the node), __unfreeze_partials /
 * unfreeze_partials (a CPU partial list back to the node), flush_slab / flush_cpu_slab, and
 * discard_slab (frames back to the page allocator). Linux ≤ 6.7 forms; under delayed freezing
 * (6.8+) __unfreeze_partials (there __put_partials) skips its CAS, and deactivate_slab keeps the
 * 6.7 lock-before-CAS order the model checks.
 */
final class SlabDeactivate {
  private SlabDeactivate() {}

  /**
   * deactivate_slab(): unfreeze a former CPU slab, splicing the CPU freelist it still had
   * ({@code freelist}, owned by the caller) in front of the slab's own freelist.
   *
   * <p>Stage one counts the CPU freelist. Stage two is a CAS loop computing the target mode from
   * the word just read: M_FREE (empty and the node has min_partial slabs: discard), M_PARTIAL
   * (has free objects: add to the node list — list_lock is taken <em>before</em> the CAS, so
   * acquire_slab never sees the slab unfrozen but off the list), or M_FULL (on no list).
   */
  @MayReleaseLocks
  static void deactivateSlab(SlabCache s, Slab slab, long freelist) {
    KmemCacheNode n = s.node(slab.node);
    long freelistTail = 0;
    int freeDelta = 0;
    for (long it = freelist; it != 0; ) {
      long next = Freelist.get(s, it);
      if ((next != 0 && slab.indexOf(next) < 0) || freeDelta >= slab.objects) {
        // freelist_corrupted(): keep what we counted, drop the rest (the kernel isolates it).
        break;
      }
      freelistTail = it;
      freeDelta++;
      it = next;
    }
    // The kernel reads slab->freelist for head/tail before stage one; stage one above only
    // walks our own detached list, so reading it here, in the first stage-two read, is the same.
    boolean first = true;
    boolean tail = false; // DEACTIVATE_TO_HEAD: a slab with only our free objects is cache-hot
    for (;;) {
      if (SlabTrace.ON) SlabTrace.begin();
      long old = slab.word();
      int nrPartial = n.nrPartial; // racy, as the kernel's
      if (SlabTrace.ON) SlabTrace.end("DeactivateRead");
      if (first) {
        first = false;
        if (slab.freelist(old) != 0) {
          s.stat(Stat.DEACTIVATE_REMOTE_FREES);
          tail = true;
        }
      }
      if (!SlabWord.frozen(old)) {
        throw new IllegalStateException("deactivate_slab: slab not frozen: " + slab);
      }
      int inuse = SlabWord.inuse(old);
      long newFreelist = slab.freelist(old);
      if (freelistTail != 0) {
        inuse -= freeDelta;
        Freelist.set(s, freelistTail, newFreelist);
        newFreelist = freelist;
      }
      long update = slab.pack(newFreelist, inuse, false);
      if (inuse == 0 && nrPartial >= s.minPartial) { // M_FREE
        if (SlabTrace.ON) SlabTrace.begin();
        boolean won = casOrCount(s, slab, old, update);
        if (won && SlabTrace.ON) SlabTrace.freed(slab);
        if (SlabTrace.ON) SlabTrace.end("DeactivateCmpxchg");
        if (won) {
          s.stat(Stat.DEACTIVATE_EMPTY);
          discardSlab(s, slab);
          s.stat(Stat.FREE_SLAB);
          return;
        }
      } else if (newFreelist != 0) { // M_PARTIAL
        n.listLock.lock();
        try {
          if (SlabTrace.ON) SlabTrace.event("DeactivateLock");
          if (SlabTrace.ON) SlabTrace.begin();
          boolean won = casOrCount(s, slab, old, update);
          if (won) {
            n.addPartial(slab, tail);
          }
          if (SlabTrace.ON) SlabTrace.end("DeactivateCmpxchg");
          if (won) {
            s.stat(tail ? Stat.DEACTIVATE_TO_TAIL : Stat.DEACTIVATE_TO_HEAD);
            return;
          }
        } finally {
          n.listLock.unlock();
        }
      } else { // M_FULL_NOLIST
        if (SlabTrace.ON) SlabTrace.begin();
        boolean won = casOrCount(s, slab, old, update);
        if (SlabTrace.ON) SlabTrace.end("DeactivateCmpxchg");
        if (won) {
          s.stat(Stat.DEACTIVATE_FULL);
          return;
        }
      }
    }
  }

  private static boolean casOrCount(SlabCache s, Slab slab, long old, long update) {
    if (slab.cas(old, update)) {
      return true;
    }
    s.stat(Stat.CMPXCHG_DOUBLE_FAIL);
    return false;
  }

  /**
   * __unfreeze_partials(): unfreeze each slab of a detached CPU partial list and put it on the
   * node list, or, if empty and the node already keeps min_partial slabs, discard it after the
   * lock is dropped. As in the kernel, list_lock is held across consecutive slabs of the same
   * node (taken when the node changes, dropped at the end). Under delayed freezing the slabs are
   * unfrozen already: 6.8's __put_partials only reads inuse.
   */
  @MayReleaseLocks
  static void unfreezePartialsList(SlabCache s, @Nullable Slab partial) {
    Slab discard = null;
    while (partial != null) {
      KmemCacheNode n = s.node(partial.node);
      Slab discardBefore = discard;
      n.listLock.lock();
      try {
        if (SlabTrace.ON) SlabTrace.event("UnfreezeLock");
        while (partial != null && partial.node == n.node) {
          Slab slab = partial;
          partial = slab.partialNext;
          slab.partialNext = null;
          for (;;) {
            int inuse;
            if (SlabTrace.ON) SlabTrace.begin();
            if (s.delayedFreeze) { // 6.8 __put_partials: the slab is unfrozen already, no CAS
              inuse = SlabWord.inuse(slab.word());
            } else {
              long old = slab.word();
              long update = slab.pack(slab.freelist(old), SlabWord.inuse(old), false);
              if (!casOrCount(s, slab, old, update)) {
                if (SlabTrace.ON) SlabTrace.endIf(false, "UnfreezeOne");
                continue;
              }
              inuse = SlabWord.inuse(update);
            }
            if (inuse == 0 && n.nrPartial >= s.minPartial) {
              slab.partialNext = discard;
              discard = slab;
            } else {
              n.addPartial(slab, true);
              s.stat(Stat.FREE_ADD_PARTIAL);
            }
            if (SlabTrace.ON) SlabTrace.end("UnfreezeOne");
            break;
          }
        }
        if (SlabTrace.ON) SlabTrace.unfreezeDone(discard, discardBefore);
      } finally {
        n.listLock.unlock();
      }
    }
    while (discard != null) {
      Slab slab = discard;
      discard = slab.partialNext;
      slab.partialNext = null;
      s.stat(Stat.DEACTIVATE_EMPTY);
      discardSlab(s, slab);
      s.stat(Stat.FREE_SLAB);
    }
  }

  /** unfreeze_partials(): detach {@code c}'s CPU partial list under its lock and unfreeze it. */
  @MayReleaseLocks
  static void unfreezePartials(SlabCache s, KmemCacheCpu c) {
    Slab list;
    c.lock.lock();
    try {
      list = c.partial();
      c.setPartial(null);
      if (SlabTrace.ON) SlabTrace.event("UnfreezePartials");
    } finally {
      c.lock.unlock();
    }
    if (list != null) {
      unfreezePartialsList(s, list);
    }
  }

  /**
   * flush_cpu_slab() = flush_slab() + unfreeze_partials(): any thread may do this for any CPU by
   * taking its lock; c.slab and its CPU freelist are detached (the tid bumped) and deactivated.
   */
  @MayReleaseLocks
  static void flushCpuSlab(SlabCache s, KmemCacheCpu c) {
    Slab slab;
    long freelist;
    c.lock.lock();
    try {
      if (SlabTrace.ON) SlabTrace.begin();
      long w = c.claim();
      if (SlabTrace.ON) SlabTrace.end("FlushLock", s, c);
      slab = c.slab;
      freelist = c.cw.freelist(w);
      if (SlabTrace.ON) SlabTrace.begin(); // fast paths read c.slab: the write is the step
      c.slab = null;
      if (SlabTrace.ON) SlabTrace.end("FlushSlab", s, c);
      if (SlabTrace.ON) SlabTrace.begin();
      c.release(w, 0);
      if (SlabTrace.ON) SlabTrace.end("FlushSlabTid", s, c);
    } finally {
      c.lock.unlock();
    }
    if (slab != null) {
      deactivateSlab(s, slab, freelist);
      s.stat(Stat.CPUSLAB_FLUSH);
    }
    unfreezePartials(s, c);
  }

  /**
   * discard_slab(): dec_slabs_node, then free_slab — unmap it from the memmap and give the frames
   * back. The caller guarantees the slab is empty, unfrozen and on no list.
   */
  static void discardSlab(SlabCache s, Slab slab) {
    s.node(slab.node).decSlabs(slab.objects);
    freeSlab(s, slab);
  }

  /** free_slab(): unmap from the memmap and return the frames (accounting already done). */
  static void freeSlab(SlabCache s, Slab slab) {
    s.machine.memmap.remove(slab);
    s.framesHeld.addAndGet(-(1L << slab.order));
    s.machine.pages.freeFrames(slab.base, 1 << slab.order);
  }
}
