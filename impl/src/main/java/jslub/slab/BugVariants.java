package jslub.slab;

import org.checkerframework.checker.lock.qual.Holding;
import org.checkerframework.checker.lock.qual.MayReleaseLocks;

/**
 * The buggy steps that the switches in {@link Bugs} turn back on, kept out of the allocator's
 * own methods so that the switch at each call site is one line ({@code if (Bugs.x()) …}). Like
 * {@link Bugs}, this class is left out of mutation testing: correct code never runs it, and each
 * variant is checked the other way round (it must make a check fail, docs/STRESS.md).
 */
final class BugVariants {
  private BugVariants() {}

  /**
   * __update_cpu_freelist_fast() under NO_TID: only the freelist head is compared, so a head
   * that was popped and pushed back (ABA) passes.
   */
  static boolean updateCpuFreelistFastNoTid(KmemCacheCpu c, long w, long next) {
    CpuWord cw = c.cw;
    long cur = c.word();
    if (cw.busy(cur) || cw.freelist(cur) != cw.freelist(w)) {
      return false;
    }
    return c.cas(cur, cw.make(next, cw.nextTid(cw.tid(cur))));
  }

  /** init_tid()'s mask under TID_WRAP: two tid values per CPU, so a tid comes round quickly. */
  static long wrappedTidMask(long stride) {
    return stride * 2 - 1;
  }

  /**
   * Bulk alloc's "ran dry" exit under BULK_NO_TID_BUMP (the bug fixed in 2020): the emptied
   * freelist is published under the claimed tid instead of the next one.
   */
  @Holding("#1.lock")
  static void releaseSameTid(KmemCacheCpu c, long claimed, long freelist) {
    c.publish(c.cw.make(freelist, c.cw.tid(claimed)));
  }

  /**
   * The tail of __slab_free under DISCARD_RACE: list_lock taken only after the CAS, and
   * slab_empty decided from the CAS-time word {@code w}, so a slab acquire_slab took meanwhile
   * may be discarded unchecked.
   */
  @MayReleaseLocks
  static void slabFreeLockAfterCas(SlabCache s, KmemCacheNode n, Slab slab, long w, int cnt) {
    boolean discard;
    n.listLock.lock();
    try {
      discard = SlabFree.freeLockedTail(s, n, slab, w, cnt);
    } finally {
      n.listLock.unlock();
    }
    if (discard) {
      SlabFree.discardEmpty(s, slab);
    }
  }

  /**
   * slab_update_freelist() of __slab_free under SPLIT_CAS: two CASes instead of one. The
   * freelist half alone, compared with the prior read; then the counters half alone
   * (SlabFreeCounters), compared with the counters read first and, when they changed meanwhile,
   * recomputed from the fresh counters and tried again. A change that leaves the counters as they
   * were (get_freelist taking the freelist of a full frozen slab) passes that compare: the lost
   * update.
   *
   * @return the word the update was computed from (with the counters the second CAS replaced),
   *     or {@link SlabFree#LOST} if the freelist compare failed
   */
  static long slabUpdateFreelistSplit(SlabCache s, Slab slab, long old, long head, int cnt) {
    long headHalf = freelistHalf(slab.pack(head, 0, false));
    long cur;
    do { // first CAS: the freelist half
      cur = slab.word();
      if (freelistHalf(cur) != freelistHalf(old)) {
        return SlabFree.LOST;
      }
    } while (!slab.cas(cur, headHalf | counters(cur)));
    long w = old;
    for (;;) { // second CAS: the counters half
      cur = slab.word();
      if (counters(cur) != counters(w)) {
        w = freelistHalf(w) | counters(cur); // re-read, recompute
        continue;
      }
      long upd = counters(SlabFree.updated(s, slab, w, head, cnt));
      if (slab.cas(cur, freelistHalf(cur) | upd)) {
        return w;
      }
    }
  }

  /** The counters half of a slab word (inuse, objects, frozen): the kernel's slab->counters. */
  private static long counters(long w) {
    return w & SlabWord.COUNTERS_MASK;
  }

  /** The freelist half of a slab word, in place. */
  private static long freelistHalf(long w) {
    return w & ~SlabWord.COUNTERS_MASK;
  }
}
