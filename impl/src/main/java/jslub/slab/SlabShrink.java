package jslub.slab;

import org.checkerframework.checker.lock.qual.MayReleaseLocks;
import java.util.ArrayList;
import java.util.List;

/** __kmem_cache_shrink(): give back every empty slab and sort the partial list. */
final class SlabShrink {
  /** SHRINK_PROMOTE_MAX: slabs with up to this many free objects are sorted to the front. */
  static final int SHRINK_PROMOTE_MAX = 32;

  private SlabShrink() {}

  /**
   * __kmem_cache_shrink(): flush_all, then under list_lock move every empty node-partial slab to
   * a discard list and put the fullest slabs first (so allocation fills them and the emptier
   * ones may drain). Empty slabs are freed after the lock is dropped. Under list_lock an
   * unfrozen slab with inuse 0 cannot change (no object to free, and acquiring needs the lock),
   * so the plain read of inuse is stable.
   *
   * @return frames given back by this cache since the call began (exact when quiescent)
   */
  @MayReleaseLocks
  static long kmemCacheShrink(SlabCache s) {
    long before = s.framesHeld.get();
    s.flushAllCpus();
    List<Slab> discard = new ArrayList<>();
    for (int node = 0; node < s.nodeCount(); node++) {
      KmemCacheNode n = s.node(node);
      List<List<Slab>> promote = new ArrayList<>();
      for (int i = 0; i < SHRINK_PROMOTE_MAX; i++) {
        promote.add(new ArrayList<>());
      }
      n.listLock.lock();
      try {
        if (SlabTrace.ON) SlabTrace.event("ShrinkLock");
        // The scan and re-sort are one model step (ShrinkDiscard): the free counts it sorts by
        // are read as of one instant.
        if (SlabTrace.ON) SlabTrace.begin();
        for (Slab slab = n.firstPartial(); slab != null; ) {
          Slab next = slab.listNext;
          int free = slab.objects - SlabWord.inuse(slab.word());
          if (free == slab.objects) {
            n.removePartial(slab);
            n.decSlabs(slab.objects);
            discard.add(slab);
            if (SlabTrace.ON) SlabTrace.freed(slab);
          } else if (free <= SHRINK_PROMOTE_MAX && free >= 1) {
            n.removePartial(slab);
            promote.get(free - 1).add(slab);
          }
          slab = next;
        }
        for (int i = SHRINK_PROMOTE_MAX - 1; i >= 0; i--) {
          List<Slab> l = promote.get(i);
          for (int j = l.size() - 1; j >= 0; j--) {
            n.addPartial(l.get(j), false);
          }
        }
        if (SlabTrace.ON) SlabTrace.end("ShrinkDiscard");
      } finally {
        n.listLock.unlock();
      }
    }
    for (Slab slab : discard) {
      s.stat(Stat.FREE_SLAB);
      SlabDeactivate.freeSlab(s, slab);
    }
    return Math.max(0, before - s.framesHeld.get());
  }
}
