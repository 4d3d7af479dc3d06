package jslub.slab;

import static jslub.slab.CoreFixture.Place.CPU_PARTIAL;
import static jslub.slab.CoreFixture.Place.CPU_SLAB;
import static jslub.slab.CoreFixture.Place.FULL_NO_LIST;
import static jslub.slab.CoreFixture.Place.NODE_PARTIAL;
import static jslub.slab.CoreFixture.chainLength;
import static jslub.slab.CoreFixture.cpuPartial;
import static jslub.slab.CoreFixture.freelistOf;
import static jslub.slab.CoreFixture.nodePartial;
import static jslub.slab.CoreFixture.nrPartial;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The steps Linux 6.8 changed, one at a time (delayed freezing, pinned whatever
 * {@code -Djslub.protocol} says): get_partial_node without a CAS, freeze_slab after list_lock,
 * __slab_free's on_node_partial return, and __unfreeze_partials without a CAS. The rest of the
 * core runs on this protocol through the second surefire execution of {@link SlubCoreTest}.
 */
class DelayedFreezeCoreTest {
  private static final int OBJS = 16;
  private CoreFixture fx;
  private SlabCache s;

  @BeforeEach
  void setUp() {
    fx = CoreFixture.withProtocol(16L << 20, 2, true);
    s = fx.cache("t256", 256);
    fx.onCpu(0);
    assertTrue(s.delayedFreeze);
    assertEquals(OBJS, s.layout().ooObjects);
    assertEquals(7, s.cpuPartialSlabs());
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  @Test
  void getPartialNode_removesSlabsUnfrozenAndFreezeSlabTakesTheFreelist() {
    SlubCoreTest.nodePartialSlabs(s, 7, 10);
    List<Slab> before = nodePartial(s);
    Slab got = s.slabOf(SlabAlloc.getPartialNode(s, s.node(0), s.cpuSlab(0)));
    assertSame(before.get(0), got);
    assertFalse(got.frozen(), "6.8: no CAS under list_lock");
    assertFalse(got.onNodePartial, "remove_partial cleared the node-partial flag");
    assertEquals(10, got.inuse());
    List<Slab> cp = cpuPartial(s, 0);
    assertEquals(List.of(before.get(4), before.get(3), before.get(2), before.get(1)), cp);
    for (Slab x : cp) {
      assertFalse(x.frozen(), "CPU partial slabs stay unfrozen");
      assertEquals(10, x.inuse());
    }
    assertEquals(2, nrPartial(s));

    long head = freelistOf(got);
    assertEquals(head, SlabAlloc.freezeSlab(s, got, 0));
    assertTrue(got.frozen());
    assertEquals(OBJS, got.inuse());
    assertEquals(0, freelistOf(got));
    assertThrows(IllegalStateException.class, () -> SlabAlloc.freezeSlab(s, got, 0),
        "freeze_slab of a frozen slab is a bug (VM_BUG_ON)");
  }

  @Test
  void slabFree_emptyingASlabBetweenRemovePartialAndFreezeSlabLeavesIt() {
    // 10 node slabs: one for the caller, four to c.partial, five (= min_partial) stay.
    List<long[]> live = SlubCoreTest.nodePartialSlabs(s, 10, 1);
    Slab got = s.slabOf(SlabAlloc.getPartialNode(s, s.node(0), s.cpuSlab(0)));
    assertSame(s.slabOf(live.get(0)[0]), got);
    assertEquals(s.minPartial(), nrPartial(s));
    // A remote free empties it while it is off every list and unfrozen: prior != NULL and not
    // on the node list, so __slab_free returns after its CAS -- no slab_empty, although the
    // node keeps min_partial slabs (NO_LIST_RECHECK goes on to remove_partial here).
    fx.asCpu(1, () -> assertNull(s.free(live.get(0)[0])));
    assertEquals(0, got.inuse());
    assertSame(got, s.slabOf(got.base), "not discarded");
    assertEquals(s.minPartial(), nrPartial(s));
    long fl = SlabAlloc.freezeSlab(s, got, 0);
    assertEquals(OBJS, chainLength(s, fl), "freeze_slab takes every object");
  }

  @Test
  void slabAlloc_nodeSlabBecomesFrozenCpuSlab() {
    SlubCoreTest.nodePartialSlabs(s, 2, 4);
    Slab first = nodePartial(s).get(0);
    long a = s.alloc();
    assertSame(first, s.slabOf(a));
    assertEquals(CPU_SLAB, fx.placeOf(s, first));
    assertTrue(first.frozen());
    assertEquals(OBJS, first.inuse());
    Slab second = cpuPartial(s, 0).get(0);
    assertEquals(CPU_PARTIAL, fx.placeOf(s, second));
    assertFalse(second.frozen());
    assertEquals(List.of(), s.validate());
  }

  @Test
  void unfreezePartials_movesUnfrozenCpuPartialSlabsToNodeTail() {
    long[] objs = new long[3 * OBJS];
    for (int i = 0; i < objs.length; i++) {
      objs[i] = s.alloc();
    }
    Slab a = s.slabOf(objs[0]);
    Slab b = s.slabOf(objs[OBJS]);
    assertEquals(FULL_NO_LIST, fx.placeOf(s, a));
    assertNull(s.free(objs[1]));
    assertNull(s.free(objs[OBJS + 1]));
    assertEquals(List.of(b, a), cpuPartial(s, 0));
    assertFalse(a.frozen() || b.frozen());
    SlabDeactivate.unfreezePartials(s, s.cpuSlab(0));
    assertEquals(NODE_PARTIAL, fx.placeOf(s, a));
    assertEquals(NODE_PARTIAL, fx.placeOf(s, b));
    assertEquals(List.of(b, a), nodePartial(s), "to the tail, in c.partial order");
    assertEquals(OBJS - 1, a.inuse());
    assertEquals(List.of(), s.validate());
  }
}
