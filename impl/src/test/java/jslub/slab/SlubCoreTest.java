package jslub.slab;

import static jslub.slab.CoreFixture.Place.CPU_PARTIAL;
import static jslub.slab.CoreFixture.Place.CPU_SLAB;
import static jslub.slab.CoreFixture.Place.DISCARDED;
import static jslub.slab.CoreFixture.Place.FULL_NO_LIST;
import static jslub.slab.CoreFixture.Place.NODE_PARTIAL;
import static jslub.slab.CoreFixture.chainLength;
import static jslub.slab.CoreFixture.cpuFreelist;
import static jslub.slab.CoreFixture.cpuPartial;
import static jslub.slab.CoreFixture.freelistOf;
import static jslub.slab.CoreFixture.nodePartial;
import static jslub.slab.CoreFixture.nrPartial;
import static jslub.slab.CoreFixture.tid;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jslub.memory.FaultyFrameAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SLUB core's kernel functions one at a time, single-threaded with a hand-set CPU id, checking
 * the slab word, the CPU word, the lists and the stat counters before and after each step.
 *
 * <p>Geometry used throughout (2 CPUs, 4 KiB frames): a 256-byte cache has order 0, 16 objects
 * per slab, min_partial 5 and cpu_partial_slabs 7 (52 objects × 2 / 16, rounded up).
 */
class SlubCoreTest {
  private static final int OBJS = 16;

  private CoreFixture fx;
  private SlabCache s;

  /** Stat counters relative to a snapshot. */
  private static final class Delta {
    private final SlabCache s;
    private final Map<Stat, Long> base = new EnumMap<>(Stat.class);

    Delta(SlabCache s) {
      this.s = s;
      for (Stat st : Stat.values()) {
        base.put(st, s.stats().total(st));
      }
    }

    long of(Stat st) {
      return s.stats().total(st) - base.get(st);
    }
  }

  @BeforeEach
  void setUp() {
    fx = new CoreFixture(16L << 20, 2, true);
    s = fx.cache("t256", 256);
    fx.onCpu(0);
    assertEquals(0, s.layout().ooOrder);
    assertEquals(OBJS, s.layout().ooObjects);
    assertEquals(5, s.minPartial());
    assertEquals(7, s.cpuPartialSlabs());
  }

  /**
   * True when the suite runs on delayed freezing ({@code -Djslub.protocol=delayed}); the few
   * expectations that differ between the protocols branch on it.
   */
  private boolean delayed() {
    return fx.machine.delayedFreeze();
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  private long alloc() {
    long a = s.alloc();
    assertNotEquals(0, a, "out of frames");
    return a;
  }

  private long[] alloc(int n) {
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      out[i] = alloc();
    }
    return out;
  }

  private void free(long a) {
    assertNull(s.free(a), () -> "free 0x" + Long.toHexString(a));
  }

  private void freeOn(int cpu, long a) {
    fx.asCpu(cpu, () -> free(a));
  }

  private Slab slabOf(long a) {
    Slab sl = s.slabOf(a);
    assertTrue(sl != null, "no slab");
    return sl;
  }

  /**
   * Fixture: {@code k} new slabs put straight on the node partial list (tail), each with objects
   * 0..inuse-1 live and the rest on its own freelist — the state a deactivated slab would have,
   * built without going through the allocation paths under test. Returns the live objects.
   */
  private List<long[]> nodePartialSlabs(int k, int inuse) {
    return nodePartialSlabs(s, k, inuse);
  }

  static List<long[]> nodePartialSlabs(SlabCache c, int k, int inuse) {
    List<long[]> live = new ArrayList<>();
    KmemCacheNode n = c.node(0);
    for (int i = 0; i < k; i++) {
      Slab sl = SlabAlloc.newSlab(c, 0);
      assertTrue(sl != null, "out of frames");
      long[] objs = new long[inuse];
      for (int j = 0; j < inuse; j++) {
        objs[j] = sl.objectAt(j);
      }
      assertTrue(inuse < sl.objects);
      sl.initWord(sl.pack(sl.objectAt(inuse), inuse, false));
      n.listLock.lock();
      try {
        n.addPartial(sl, true);
      } finally {
        n.listLock.unlock();
      }
      live.add(objs);
    }
    return live;
  }

  // ------------------------------------------------------------------ slab_alloc_node

  @Test
  void slabAlloc_firstAllocationTakesNewSlabFrozenAsCpuSlab() {
    long tid0 = tid(s, 0);
    assertEquals(0, tid0, "init_tid: a CPU's first tid is its number");
    assertEquals(1, tid(s, 1));
    Delta d = new Delta(s);
    long a = alloc();
    Slab slab = slabOf(a);
    assertEquals(1, d.of(Stat.ALLOC_SLOWPATH));
    assertEquals(1, d.of(Stat.ALLOC_SLAB));
    assertEquals(0, d.of(Stat.ALLOC_FASTPATH));
    assertEquals(CPU_SLAB, fx.placeOf(s, slab));
    assertTrue(slab.frozen());
    assertEquals(OBJS, slab.inuse(), "a CPU slab's objects all count as in use");
    assertEquals(0, freelistOf(slab), "the whole freelist moved to the CPU");
    assertEquals(slab.objectAt(0), a, "objects are handed out in address order");
    assertEquals(slab.objectAt(1), cpuFreelist(s, 0));
    assertNotEquals(tid0, tid(s, 0), "installing c.slab bumps the tid");
    assertEquals(1, s.framesHeld());
    assertEquals(1, s.counts().slabs());
  }

  @Test
  void slabAllocNode_fastPathPopsCpuFreelistAndBumpsTidByStride() {
    alloc();
    long head = cpuFreelist(s, 0);
    long next = Freelist.get(s, head);
    long tid = tid(s, 0);
    long slabWord = slabOf(head).word();
    Delta d = new Delta(s);
    long b = alloc();
    assertEquals(head, b);
    assertEquals(next, cpuFreelist(s, 0));
    assertEquals(1, d.of(Stat.ALLOC_FASTPATH));
    assertEquals(0, d.of(Stat.ALLOC_SLOWPATH));
    assertEquals(tid + 2, tid(s, 0), "next_tid steps by roundup_pow_of_two(2 cpus) = 2");
    assertEquals(slabWord, slabOf(b).word(), "the fast path never touches the slab word");
  }

  @Test
  void doSlabFree_fastPathPushesOntoCpuFreelistWhenSlabIsCpuSlab() {
    long a = alloc();
    long b = alloc();
    long head = cpuFreelist(s, 0);
    long tid = tid(s, 0);
    long slabWord = slabOf(b).word();
    Delta d = new Delta(s);
    free(b);
    assertEquals(1, d.of(Stat.FREE_FASTPATH));
    assertEquals(0, d.of(Stat.FREE_SLOWPATH));
    assertEquals(b, cpuFreelist(s, 0));
    assertEquals(head, Freelist.get(s, b), "the freed object links to the old head");
    assertEquals(tid + 2, tid(s, 0));
    assertEquals(slabWord, slabOf(b).word());
    assertEquals(b, alloc(), "LIFO: the object just freed is the next one handed out");
    free(a);
  }

  @Test
  void doSlabFree_naiveDoubleFreeCheckCatchesCpuFreelistHead() {
    long a = alloc();
    free(a);
    long tid = tid(s, 0);
    assertEquals(FreeError.ALREADY_FREE, s.free(a));
    assertEquals(a, cpuFreelist(s, 0), "nothing changed");
    assertEquals(tid, tid(s, 0));
    assertEquals(List.of(), s.validate());
  }

  // ------------------------------------------------------------------ ___slab_alloc

  @Test
  void slabAlloc_exhaustedCpuSlabIsLeftFullOnNoList_deactivateBypass() {
    long[] objs = alloc(OBJS);
    Slab first = slabOf(objs[0]);
    assertEquals(0, cpuFreelist(s, 0));
    assertEquals(CPU_SLAB, fx.placeOf(s, first));
    Delta d = new Delta(s);
    long x = alloc();
    Slab second = slabOf(x);
    assertNotEquals(first, second);
    assertEquals(1, d.of(Stat.DEACTIVATE_BYPASS));
    assertEquals(1, d.of(Stat.ALLOC_SLAB));
    assertEquals(FULL_NO_LIST, fx.placeOf(s, first));
    assertFalse(first.frozen(), "get_freelist found nothing, so the slab was unfrozen");
    assertEquals(OBJS, first.inuse());
    assertEquals(CPU_SLAB, fx.placeOf(s, second));
  }

  @Test
  void getFreelist_refillsFromRemoteFreesAndStaysFrozenOnlyIfNonEmpty() {
    long[] objs = alloc(OBJS);
    Slab slab = slabOf(objs[0]);
    Delta d = new Delta(s);
    freeOn(1, objs[3]);
    freeOn(1, objs[7]);
    assertEquals(2, d.of(Stat.FREE_FROZEN), "remote frees into a frozen slab");
    assertEquals(OBJS - 2, slab.inuse());
    assertTrue(slab.frozen());
    assertEquals(objs[7], freelistOf(slab));
    assertEquals(CPU_SLAB, fx.placeOf(s, slab));

    long got = alloc();
    assertEquals(objs[7], got);
    assertEquals(1, d.of(Stat.ALLOC_REFILL));
    assertEquals(0, d.of(Stat.ALLOC_SLAB));
    assertEquals(OBJS, slab.inuse(), "get_freelist: inuse := objects");
    assertEquals(0, freelistOf(slab));
    assertTrue(slab.frozen(), "frozen stays 1: the freelist taken was non-empty");
    assertEquals(objs[3], cpuFreelist(s, 0));
    assertEquals(objs[3], alloc());
    // Direct: an empty slab freelist unfreezes.
    assertEquals(0, SlabAlloc.getFreelist(s, slab, 0));
    assertFalse(slab.frozen(), "frozen := 0 when get_freelist takes nothing");
    assertEquals(OBJS, slab.inuse());
    // put it back in the frozen state the CPU expects, then let the allocator drop it
    slab.initWord(slab.pack(0, OBJS, true));
  }

  @Test
  void slabAlloc_takesCpuPartialSlab_cpuPartialAlloc() {
    long[] a = alloc(OBJS);
    Slab sa = slabOf(a[0]);
    long b = alloc(); // sa becomes full on no list; sb is c.slab
    Slab sb = slabOf(b);
    assertEquals(FULL_NO_LIST, fx.placeOf(s, sa));
    Delta d = new Delta(s);
    free(a[5]); // sa is not c.slab: __slab_free, full → partial, onto c.partial
    assertEquals(1, d.of(Stat.CPU_PARTIAL_FREE));
    assertEquals(CPU_PARTIAL, fx.placeOf(s, sa));
    assertEquals(!delayed(), sa.frozen(), "frozen on c.partial only in the primary protocol");
    alloc(OBJS - 1); // exhaust sb
    long got = alloc();
    assertEquals(a[5], got);
    assertEquals(1, d.of(Stat.CPU_PARTIAL_ALLOC));
    // Both take the popped slab's freelist with get_freelist; ≤ 6.7 does it after goto redo
    // (ALLOC_REFILL), 6.8 in the CPU_PARTIAL_ALLOC block itself (no ALLOC_REFILL).
    assertEquals(delayed() ? 0 : 1, d.of(Stat.ALLOC_REFILL));
    assertTrue(sa.frozen(), "the CPU slab is frozen in both protocols");
    assertEquals(1, d.of(Stat.DEACTIVATE_BYPASS));
    assertEquals(0, d.of(Stat.ALLOC_SLAB));
    assertEquals(CPU_SLAB, fx.placeOf(s, sa));
    assertEquals(FULL_NO_LIST, fx.placeOf(s, sb));
    assertEquals(List.of(), cpuPartial(s, 0));
  }

  @Test
  void getPartialNode_firstSlabForCpuAndExtraSlabsToCpuPartialUpToHalfBudget() {
    nodePartialSlabs(7, 10);
    assertEquals(7, nrPartial(s));
    List<Slab> before = nodePartial(s);
    Delta d = new Delta(s);
    long got = alloc();
    assertEquals(1, d.of(Stat.ALLOC_FROM_PARTIAL));
    // get_partial_node stops once more than cpu_partial_slabs / 2 = 3 extra slabs moved
    assertEquals(4, d.of(Stat.CPU_PARTIAL_NODE));
    assertEquals(0, d.of(Stat.ALLOC_SLAB));
    Slab first = before.get(0);
    assertSame(first, slabOf(got));
    assertEquals(CPU_SLAB, fx.placeOf(s, first));
    assertEquals(OBJS, first.inuse(), "acquire_slab for the CPU takes the whole freelist");
    assertEquals(2, nrPartial(s));
    List<Slab> cp = cpuPartial(s, 0);
    assertEquals(4, cp.size());
    for (int i = 1; i <= 4; i++) {
      Slab x = before.get(i);
      assertTrue(cp.contains(x));
      assertEquals(!delayed(), x.frozen(), "6.8 moves them to c.partial unfrozen");
      assertEquals(10, x.inuse(), "slabs bound for c.partial keep their freelists");
      assertEquals(OBJS - 10, chainLength(s, freelistOf(x)));
    }
    assertEquals(List.of(before.get(5), before.get(6)), nodePartial(s));
    assertEquals(List.of(), s.validate());
  }

  @Test
  void getPartialNode_takesOnlyOneSlabWhenCpuPartialIsOff() {
    fx.close();
    fx = new CoreFixture(16L << 20, 2, false);
    s = fx.cache("nocpupartial", 256);
    fx.onCpu(0);
    nodePartialSlabs(4, 10);
    Delta d = new Delta(s);
    alloc();
    assertEquals(1, d.of(Stat.ALLOC_FROM_PARTIAL));
    assertEquals(0, d.of(Stat.CPU_PARTIAL_NODE));
    assertEquals(3, nrPartial(s));
  }

  @Test
  void acquireSlab_freezesAndUnlinksWithOrWithoutTakingFreelist() {
    nodePartialSlabs(2, 4);
    List<Slab> list = nodePartial(s);
    Slab x = list.get(0);
    Slab y = list.get(1);
    long xHead = freelistOf(x);
    long yHead = freelistOf(y);
    KmemCacheNode n = s.node(0);
    n.listLock.lock();
    try {
      assertEquals(xHead, SlabAlloc.acquireSlab(s, n, x, true, 0));
      assertEquals(yHead, SlabAlloc.acquireSlab(s, n, y, false, 0));
    } finally {
      n.listLock.unlock();
    }
    assertTrue(x.frozen());
    assertEquals(OBJS, x.inuse());
    assertEquals(0, freelistOf(x));
    assertTrue(y.frozen());
    assertEquals(4, y.inuse());
    assertEquals(yHead, freelistOf(y));
    assertEquals(0, nrPartial(s));
    assertFalse(x.onNodePartial || y.onNodePartial);
    // hand them back the way the kernel would: deactivate with the taken freelist / none
    SlabDeactivate.deactivateSlab(s, x, xHead);
    SlabDeactivate.deactivateSlab(s, y, 0);
    assertEquals(List.of(), s.validate());
  }

  // ------------------------------------------------------------------ deactivate_slab

  @Test
  void deactivateSlab_mPartialSplicesCpuFreelistAndAddsToHead() {
    long[] mine = alloc(5);
    Slab slab = slabOf(mine[0]);
    free(mine[4]); // fast path: back on the CPU freelist, no remote frees
    nodePartialSlabs(1, 4);
    Slab other = nodePartial(s).get(0);
    int cpuFree = chainLength(s, cpuFreelist(s, 0));
    assertEquals(OBJS - 4, cpuFree);
    long head = cpuFreelist(s, 0);
    long tid = tid(s, 0);
    Delta d = new Delta(s);
    SlabDeactivate.flushCpuSlab(s, s.cpuSlab(0));
    assertEquals(1, d.of(Stat.DEACTIVATE_TO_HEAD));
    assertEquals(0, d.of(Stat.DEACTIVATE_REMOTE_FREES));
    assertEquals(1, d.of(Stat.CPUSLAB_FLUSH));
    assertEquals(List.of(slab, other), nodePartial(s), "DEACTIVATE_TO_HEAD: a cache-hot slab");
    assertFalse(slab.frozen());
    assertEquals(head, freelistOf(slab), "the CPU freelist became the slab's freelist");
    assertEquals(cpuFree, chainLength(s, freelistOf(slab)));
    assertEquals(4, slab.inuse());
    assertEquals(0, cpuFreelist(s, 0));
    assertNull(s.cpuSlab(0).slab);
    assertEquals(tid + 2, tid(s, 0), "flush_slab bumps the tid");
    assertEquals(List.of(), s.validate());
  }

  @Test
  void deactivateSlab_remoteFreesSendSlabToTail() {
    long[] mine = alloc(5);
    Slab slab = slabOf(mine[0]);
    freeOn(1, mine[0]); // remote free: onto the slab's own freelist
    nodePartialSlabs(1, 4);
    Slab other = nodePartial(s).get(0);
    Delta d = new Delta(s);
    SlabDeactivate.flushCpuSlab(s, s.cpuSlab(0));
    assertEquals(1, d.of(Stat.DEACTIVATE_REMOTE_FREES));
    assertEquals(1, d.of(Stat.DEACTIVATE_TO_TAIL));
    assertEquals(List.of(other, slab), nodePartial(s));
    assertEquals(4, slab.inuse(), "11 CPU-free objects and 1 remote free subtracted");
    assertEquals(OBJS - 4, chainLength(s, freelistOf(slab)));
    assertEquals(List.of(), s.validate());
  }

  @Test
  void deactivateSlab_fullSlabGoesOnNoList() {
    long[] objs = alloc(OBJS);
    Slab slab = slabOf(objs[0]);
    Delta d = new Delta(s);
    SlabDeactivate.flushCpuSlab(s, s.cpuSlab(0));
    assertEquals(1, d.of(Stat.DEACTIVATE_FULL));
    assertEquals(FULL_NO_LIST, fx.placeOf(s, slab));
    assertFalse(slab.frozen());
    assertEquals(OBJS, slab.inuse());
  }

  @Test
  void deactivateSlab_emptySlabIsDiscardedOnlyWhenNodeHasMinPartial() {
    long a = alloc();
    Slab slab = slabOf(a);
    nodePartialSlabs(5, 1); // nr_partial = 5 = min_partial
    free(a); // fast path: all 16 objects now on CPU 0's freelist
    long framesFree = fx.buddy.freeFrameCount();
    Delta d = new Delta(s);
    SlabDeactivate.flushCpuSlab(s, s.cpuSlab(0));
    assertEquals(1, d.of(Stat.DEACTIVATE_EMPTY));
    assertEquals(1, d.of(Stat.FREE_SLAB));
    assertEquals(DISCARDED, fx.placeOf(s, slab));
    assertEquals(framesFree + 1, fx.buddy.freeFrameCount());
    assertEquals(5, nrPartial(s));

    // With fewer than min_partial node slabs the empty slab is kept on the node list.
    SlabCache t = fx.cache("keep", 256);
    long b = t.alloc();
    Slab kept = t.slabOf(b);
    assertNull(t.free(b));
    SlabDeactivate.flushCpuSlab(t, t.cpuSlab(0));
    assertEquals(NODE_PARTIAL, fx.placeOf(t, kept));
    assertEquals(0, kept.inuse());
    assertEquals(List.of(), t.validate());
  }

  // ------------------------------------------------------------------ __slab_free

  @Test
  void slabFree_intoFrozenSlabJustCounts_freeFrozen() {
    long[] objs = alloc(4);
    Slab slab = slabOf(objs[0]);
    Delta d = new Delta(s);
    freeOn(1, objs[1]);
    assertEquals(1, d.of(Stat.FREE_SLOWPATH));
    assertEquals(1, d.of(Stat.FREE_FROZEN));
    assertEquals(CPU_SLAB, fx.placeOf(s, slab));
    assertEquals(objs[1], freelistOf(slab));
    assertEquals(OBJS - 1, slab.inuse());
    assertTrue(slab.frozen());
  }

  @Test
  void slabFree_fullSlabIsFrozenAndPutOnCpuPartial_cpuPartialFree() {
    long[] objs = alloc(OBJS);
    Slab full = slabOf(objs[0]);
    alloc(); // full leaves the CPU
    assertEquals(FULL_NO_LIST, fx.placeOf(s, full));
    long tid = tid(s, 1);
    Delta d = new Delta(s);
    freeOn(1, objs[9]);
    assertEquals(1, d.of(Stat.CPU_PARTIAL_FREE));
    assertEquals(0, d.of(Stat.FREE_ADD_PARTIAL));
    assertEquals(!delayed(), full.frozen(),
        "≤ 6.7 __slab_free freezes the slab in the same CAS; 6.8 leaves it unfrozen");
    assertEquals(CPU_PARTIAL, fx.placeOf(s, full));
    assertEquals(List.of(full), cpuPartial(s, 1), "put_cpu_partial on the freeing CPU");
    assertEquals(1, full.partialSlabs);
    assertEquals(OBJS - 1, full.inuse());
    assertEquals(objs[9], freelistOf(full));
    assertEquals(tid, tid(s, 1), "put_cpu_partial does not touch the CPU word");
    assertEquals(0, nrPartial(s));
  }

  @Test
  void slabFree_lastObjectDiscardsSlabWhenNodeHasMinPartial_freeSlab() {
    List<long[]> live = nodePartialSlabs(6, 1);
    assertEquals(6, nrPartial(s));
    Slab victim = slabOf(live.get(2)[0]);
    long framesFree = fx.buddy.freeFrameCount();
    Delta d = new Delta(s);
    free(live.get(2)[0]);
    assertEquals(1, d.of(Stat.FREE_REMOVE_PARTIAL));
    assertEquals(1, d.of(Stat.FREE_SLAB));
    assertEquals(DISCARDED, fx.placeOf(s, victim));
    assertEquals(5, nrPartial(s));
    assertEquals(framesFree + 1, fx.buddy.freeFrameCount());
    assertEquals(5, s.counts().slabs());
    // Now nr_partial = 5 still ≥ min_partial: the next one goes too …
    free(live.get(0)[0]);
    assertEquals(4, nrPartial(s));
    // … but below min_partial an emptied slab stays on the node list.
    Slab keep = slabOf(live.get(1)[0]);
    free(live.get(1)[0]);
    assertEquals(NODE_PARTIAL, fx.placeOf(s, keep));
    assertEquals(0, keep.inuse());
    assertEquals(4, nrPartial(s));
    assertEquals(List.of(), s.validate());
  }

  @Test
  void unfreezePartials_discardsSlabEmptiedWhileOnCpuPartial() {
    SlabCache big = fx.cache("big", 2048); // 2 CPUs: order 3, 16 objects
    long[] objs = new long[big.layout().ooObjects];
    for (int i = 0; i < objs.length; i++) {
      objs[i] = big.alloc();
    }
    Slab slab = big.slabOf(objs[0]);
    SlabDeactivate.flushCpuSlab(big, big.cpuSlab(0));
    assertEquals(FULL_NO_LIST, fx.placeOf(big, slab));
    nodePartialSlabs(big, 5, 1);
    // The first free puts it on CPU 1's partial list. Primary: frozen, so the rest are frees into
    // a frozen slab. Delayed: unfrozen; the last free takes list_lock, finds the slab off the
    // node list and returns (the 6.8 re-check; NO_LIST_RECHECK would remove_partial it here).
    Delta d = new Delta(big);
    fx.asCpu(1, () -> {
      for (long o : objs) {
        assertNull(big.free(o));
      }
    });
    assertEquals(1, d.of(Stat.CPU_PARTIAL_FREE));
    assertEquals(delayed() ? 0 : objs.length - 1, d.of(Stat.FREE_FROZEN));
    assertEquals(0, d.of(Stat.FREE_REMOVE_PARTIAL));
    assertEquals(0, d.of(Stat.FREE_SLAB));
    assertEquals(CPU_PARTIAL, fx.placeOf(big, slab));
    assertEquals(0, slab.inuse());
    assertEquals(!delayed(), slab.frozen());
    assertEquals(5, nrPartial(big));
    SlabDeactivate.unfreezePartials(big, big.cpuSlab(1));
    assertEquals(1, d.of(Stat.DEACTIVATE_EMPTY), "unfreeze_partials discards an empty slab");
    assertEquals(1, d.of(Stat.FREE_SLAB));
    assertEquals(DISCARDED, fx.placeOf(big, slab));
    assertEquals(5, nrPartial(big));
    assertEquals(List.of(), big.validate());
  }

  @Test
  void slabFree_fullSlabEmptiedAtOnceIsDiscardedFromNoList() {
    fx.close();
    fx = new CoreFixture(16L << 20, 2, false);
    s = fx.cache("nocpupartial", 256);
    fx.onCpu(0);
    long[] objs = alloc(OBJS);
    Slab slab = slabOf(objs[0]);
    alloc();
    assertEquals(FULL_NO_LIST, fx.placeOf(s, slab));
    nodePartialSlabs(5, 1);
    long framesFree = fx.buddy.freeFrameCount();
    Delta d = new Delta(s);
    assertNull(s.freeBulk(objs, OBJS)); // one detached freelist of 16: inuse 16 → 0
    assertEquals(1, d.of(Stat.FREE_SLOWPATH));
    assertEquals(1, d.of(Stat.FREE_SLAB));
    assertEquals(0, d.of(Stat.FREE_REMOVE_PARTIAL), "it was on no list (remove_full)");
    assertEquals(0, d.of(Stat.FREE_ADD_PARTIAL));
    assertEquals(DISCARDED, fx.placeOf(s, slab));
    assertEquals(framesFree + 1, fx.buddy.freeFrameCount());
  }

  @Test
  void slabFree_withoutCpuPartialFullSlabJoinsNodeListTail_freeAddPartial() {
    fx.close();
    fx = new CoreFixture(16L << 20, 2, false);
    s = fx.cache("nocpupartial", 256);
    fx.onCpu(0);
    assertEquals(0, s.cpuPartialSlabs());
    long[] objs = alloc(OBJS);
    Slab listed = slabOf(objs[0]);
    alloc(); // `listed` is full on no list
    assertEquals(FULL_NO_LIST, fx.placeOf(s, listed));
    nodePartialSlabs(1, 4);
    Slab head = nodePartial(s).get(0);
    Delta d = new Delta(s);
    free(listed.objectAt(0));
    assertEquals(1, d.of(Stat.FREE_ADD_PARTIAL));
    assertEquals(0, d.of(Stat.CPU_PARTIAL_FREE));
    assertFalse(listed.frozen());
    assertEquals(List.of(head, listed), nodePartial(s), "added at the tail");
    assertEquals(List.of(), cpuPartial(s, 0));
  }

  @Test
  void slabFree_naiveDoubleFreeCheckCatchesSlabFreelistHead() {
    long[] objs = alloc(3);
    freeOn(1, objs[1]);
    Slab slab = slabOf(objs[1]);
    long w = slab.word();
    fx.asCpu(1, () -> assertEquals(FreeError.ALREADY_FREE, s.free(objs[1])));
    assertEquals(w, slab.word(), "refused before any write");
    free(objs[0]);
    free(objs[2]);
    assertEquals(List.of(), s.validate());
    assertEquals(0, s.counts().activeObjs());
  }

  // ------------------------------------------------------------------ put_cpu_partial

  @Test
  void putCpuPartial_drainsListOfCpuPartialSlabsToNode_cpuPartialDrain() {
    long[] objs = alloc(OBJS * 8);
    alloc(); // the 8 slabs are now full, on no list
    List<Slab> slabs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      slabs.add(slabOf(objs[i * OBJS]));
    }
    Delta d = new Delta(s);
    for (int i = 0; i < 7; i++) {
      free(objs[i * OBJS]);
      assertEquals(i + 1, cpuPartial(s, 0).get(0).partialSlabs, "slab->slabs counts the list");
    }
    assertEquals(7, cpuPartial(s, 0).size());
    assertEquals(0, d.of(Stat.CPU_PARTIAL_DRAIN));
    free(objs[7 * OBJS]); // the list holds cpu_partial_slabs = 7: drain, then push
    assertEquals(1, d.of(Stat.CPU_PARTIAL_DRAIN));
    assertEquals(7, d.of(Stat.FREE_ADD_PARTIAL));
    assertEquals(List.of(slabs.get(7)), cpuPartial(s, 0));
    assertEquals(1, slabs.get(7).partialSlabs);
    assertEquals(7, nrPartial(s));
    for (int i = 0; i < 7; i++) {
      assertEquals(NODE_PARTIAL, fx.placeOf(s, slabs.get(i)));
      assertFalse(slabs.get(i).frozen());
    }
    assertEquals(List.of(), s.validate());
  }

  @Test
  void unfreezePartials_movesCpuPartialSlabsToNodeTailUnfrozen() {
    long[] objs = alloc(OBJS * 3);
    alloc();
    for (int i = 0; i < 3; i++) {
      free(objs[i * OBJS]);
    }
    List<Slab> cp = cpuPartial(s, 0);
    assertEquals(3, cp.size());
    Delta d = new Delta(s);
    SlabDeactivate.unfreezePartials(s, s.cpuSlab(0));
    assertEquals(3, d.of(Stat.FREE_ADD_PARTIAL));
    assertEquals(List.of(), cpuPartial(s, 0));
    assertEquals(cp, nodePartial(s), "each added at the tail, in list order");
    for (Slab x : cp) {
      assertFalse(x.frozen());
      assertEquals(OBJS - 1, x.inuse());
    }
  }

  // ------------------------------------------------------------------ flush / shrink

  @Test
  void flushAll_leavesNoCpuStateAndExactCounts() {
    long[] objs = alloc(OBJS * 3 + 5);
    fx.asCpu(1, () -> alloc(7));
    free(objs[0]);
    free(objs[OBJS + 1]);
    free(objs[OBJS * 3 + 4]);
    s.flushAll();
    for (int c = 0; c < 2; c++) {
      assertNull(s.cpuSlab(c).slab);
      assertEquals(0, cpuFreelist(s, c));
      assertEquals(List.of(), cpuPartial(s, c));
    }
    assertEquals(0, s.counts().cpuSlabs());
    assertEquals(OBJS * 3 + 5 + 7 - 3, s.counts().activeObjs());
    assertEquals(List.of(), s.validate());
  }

  @Test
  void kmemCacheShrink_discardsEveryEmptySlabAndSortsPartialByFreeCount() {
    // Six slabs with 16 live objects each, then free to leave 3, 16(empty), 1, 15, 0, 8 free … 
    int[] freeCounts = {3, 16, 1, 15, 16, 8};
    long[] objs = alloc(OBJS * freeCounts.length);
    for (int i = 0; i < freeCounts.length; i++) {
      for (int j = 0; j < freeCounts[i]; j++) {
        freeOn(1, objs[i * OBJS + j]);
      }
    }
    long framesFree = fx.buddy.freeFrameCount();
    long freed = s.shrink();
    assertEquals(2, freed, "the two empty slabs go back, min_partial notwithstanding");
    assertEquals(framesFree + 2, fx.buddy.freeFrameCount());
    assertEquals(4, s.counts().slabs());
    List<Slab> list = nodePartial(s);
    assertEquals(4, list.size());
    int prev = 0;
    for (Slab x : list) {
      int free = x.objects - x.inuse();
      assertTrue(free >= prev, "partial list sorted by free objects, fullest first: " + list);
      prev = free;
    }
    assertEquals(1, list.get(0).objects - list.get(0).inuse());
    assertEquals(List.of(), s.validate());
    assertEquals(0, s.shrink(), "nothing more to give back");
  }

  @Test
  void kmemCacheShrink_returnsAllFramesOnceEverythingIsFree() {
    long start = fx.buddy.freeFrameCount();
    long[] objs = alloc(500);
    fx.asCpu(1, () -> {
      for (int i = 0; i < 250; i++) {
        free(objs[i]);
      }
    });
    for (int i = 250; i < 500; i++) {
      free(objs[i]);
    }
    long held = s.framesHeld();
    assertTrue(held > 0);
    assertEquals(held, s.shrink());
    assertEquals(start, fx.buddy.freeFrameCount());
    assertEquals(0, s.counts().slabs());
  }

  // ------------------------------------------------------------------ bulk

  @Test
  void allocBulk_fillsDistinctObjectsAndBumpsTid() {
    long[] out = new long[40];
    long tid = tid(s, 0);
    assertEquals(40, s.allocBulk(out, 40));
    Set<Long> seen = new HashSet<>();
    for (long o : out) {
      assertNotEquals(0, o);
      assertTrue(seen.add(o));
    }
    assertNotEquals(tid, tid(s, 0));
    s.flushAll();
    assertEquals(40, s.counts().activeObjs());
    assertNull(s.freeBulk(out, 40));
    assertArrayEquals(new long[40], out, "kmem_cache_free_bulk zeroes processed entries");
    s.flushAll();
    assertEquals(0, s.counts().activeObjs());
    assertEquals(List.of(), s.validate());
  }

  @Test
  void freeBulk_detachedFreelistGroupsObjectsOfOneSlab() {
    long[] out = new long[OBJS * 2];
    assertEquals(out.length, s.allocBulk(out, out.length));
    alloc(); // both slabs now full, off the CPU
    Delta d = new Delta(s);
    long[] first = java.util.Arrays.copyOf(out, OBJS); // all of slab 0
    assertNull(s.freeBulk(first, OBJS));
    // One __slab_free for the whole detached list (cnt = 16): the full slab is frozen onto
    // c.partial even though it is now empty, as the kernel does.
    assertEquals(1, d.of(Stat.FREE_SLOWPATH));
    assertEquals(1, d.of(Stat.CPU_PARTIAL_FREE));
    Slab s0 = slabOf(out[0]);
    assertEquals(0, s0.inuse());
    assertEquals(CPU_PARTIAL, fx.placeOf(s, s0));
    assertEquals(OBJS, chainLength(s, freelistOf(s0)));
  }

  @Test
  void freeBulk_refusesWholeBatchIfOneAddressIsInvalid() {
    long[] out = new long[4];
    s.allocBulk(out, 4);
    long[] bad = {out[0], out[1], out[2] + 8, out[3]};
    assertEquals(new BulkRefusal(FreeError.NOT_OBJECT, 2, out[2] + 8), s.freeBulk(bad, 4));
    assertEquals(out[0], bad[0], "nothing processed");
    s.flushAll();
    assertEquals(4, s.counts().activeObjs());
    assertNull(s.freeBulk(out, 4));
  }

  @Test
  void freeBulk_sameObjectTwiceIsRefusedAndNothingIsFreed() {
    long[] out = new long[8];
    assertEquals(8, s.allocBulk(out, 8));
    long[] dup = {out[3], out[3]};
    assertEquals(new BulkRefusal(FreeError.ALREADY_FREE, 1, out[3]), s.freeBulk(dup, 2));
    assertEquals(out[3], dup[0], "a refused batch is left as it was");
    assertEquals(List.of(), s.validate());
    assertEquals(8, s.counts().activeObjs(), "nothing freed by the refused batch");
    assertNull(s.freeBulk(out, out.length));
    assertEquals(List.of(), s.validate());
    assertEquals(0, s.counts().activeObjs(), "no object lost by the refused duplicate");
  }

  @Test
  void allocBulk_failureFreesWhatItGotAndReturnsZero() {
    fx.close();
    fx = new CoreFixture(16L << 20, 2, true, b -> FaultyFrameAllocator.failAfter(b, 2));
    s = fx.cache("faulty", 256);
    fx.onCpu(0);
    long start = fx.buddy.freeFrameCount();
    long[] out = new long[100];
    assertEquals(0, s.allocBulk(out, 100));
    assertArrayEquals(new long[100], out);
    s.flushAll();
    assertEquals(0, s.counts().activeObjs());
    assertEquals(List.of(), s.validate());
    s.shrink();
    assertEquals(start, fx.buddy.freeFrameCount());
  }

  // ------------------------------------------------------------------ colouring

  @Test
  void newSlab_coloursSuccessiveSlabsByCacheLineModColours() {
    SlabCache c = fx.cache("c360", 360);
    SlabLayout l = c.layout();
    int colours = l.colours(l.ooOrder);
    assertTrue(colours >= 3, "need several colours, got " + colours);
    assertEquals(64, l.colourStep);
    int slabsN = colours * 2 + 1;
    List<Slab> made = new ArrayList<>();
    for (int i = 0; i < slabsN * l.ooObjects; i++) {
      long o = c.alloc();
      assertEquals(0, o % 8);
      Slab sl = c.slabOf(o);
      if (!made.contains(sl)) {
        made.add(sl);
        assertEquals(sl.base + (long) (made.size() - 1) % colours * 64, o,
            "slab " + (made.size() - 1) + "'s first object");
      }
    }
    assertEquals(slabsN, made.size());
  }

  @Test
  void newSlab_colouringKeepsLargeAlignment() {
    SlabCache c = fx.cache("a128", 200, 128);
    assertEquals(256, c.size());
    assertEquals(128, c.layout().colourStep);
    Set<Integer> offsets = new HashSet<>();
    for (int i = 0; i < 400; i++) {
      long o = c.alloc();
      assertEquals(0, o % 128);
      offsets.add(c.slabOf(o).colourOffset);
    }
    assertTrue(offsets.size() >= 1);
  }
}
