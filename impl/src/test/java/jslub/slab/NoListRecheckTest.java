package jslub.slab;

import static jslub.slab.CoreFixture.Place.CPU_PARTIAL;
import static jslub.slab.CoreFixture.nodePartial;
import static jslub.slab.CoreFixture.nrPartial;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The directed run for NO_LIST_RECHECK (the model's {@code bug_no_list_recheck.cfg} in Java):
 * under delayed freezing a slab on a CPU partial list is unfrozen, so the free that empties it
 * reaches __slab_free's locked tail with {@code prior != NULL}. Correct code returns there (the
 * slab is not on the node list); with {@code -Djslub.bugs=NO_LIST_RECHECK} it goes on to
 * slab_empty and remove_partial on a slab that is not on the node list, which
 * {@link KmemCacheNode#removePartial} refuses, so this test fails.
 *
 * <p>Pinned to delayed freezing whatever {@code -Djslub.protocol} says; the primary protocol
 * never reaches the re-check (its CPU partial slabs are frozen).
 */
class NoListRecheckTest {
  private CoreFixture fx;
  private SlabCache s;

  @BeforeEach
  void setUp() {
    fx = CoreFixture.withProtocol(16L << 20, 2, true);
    s = fx.cache("t256", 256); // order 0, 16 objects per slab, min_partial 5
    fx.onCpu(0);
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  @Test
  void lastFreeIntoCpuPartialSlabLeavesNodeListAlone() {
    long[] objs = new long[s.layout().ooObjects];
    for (int i = 0; i < objs.length; i++) {
      objs[i] = s.alloc();
    }
    Slab victim = s.slabOf(objs[0]);
    assertFalse(victim == null);
    SlabDeactivate.flushCpuSlab(s, s.cpuSlab(0)); // victim: full, unfrozen, on no list
    SlubCoreTest.nodePartialSlabs(s, s.minPartial(), 1); // nr_partial = min_partial
    List<Slab> nodeBefore = nodePartial(s);

    fx.asCpu(1, () -> {
      // The first free puts victim (full -> partial) on CPU 1's partial list, unfrozen; the
      // others find it unfrozen with prior != NULL; the last empties it with the node at
      // min_partial, the case where only the on_node_partial check keeps it off slab_empty.
      for (long o : objs) {
        assertNull(s.free(o));
      }
    });

    assertEquals(CPU_PARTIAL, fx.placeOf(s, victim));
    assertEquals(0, victim.inuse());
    assertFalse(victim.frozen());
    assertEquals(nodeBefore, nodePartial(s), "the node list is untouched");
    assertEquals(s.minPartial(), nrPartial(s));
    assertEquals(List.of(), s.validate()); // __unfreeze_partials discards the empty slab
  }
}
