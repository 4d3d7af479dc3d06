package jslub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import jslub.slab.CacheCounts;
import jslub.slab.SlabLayout;
import jslub.slab.Stat;
import org.junit.jupiter.api.Test;

/**
 * new_slab()'s order fallback (allocate_slab: try s->oo, then s->min), seen from outside: the
 * slab a cache got, by its frames and objects in slabinfo's counts, and the ORDER_FALLBACK
 * counter. One failed frame request must cost the caller nothing (the fallback order serves);
 * the fallback is taken only when the preferred order failed; two failures return 0 and change
 * nothing.
 */
class OrderFallbackTest {
  /** 1000-byte objects on two CPUs: oo is order 2 (16 objects), min order 0 (4 objects). */
  private static final int SIZE = 1000;

  private static TestSystem system() {
    return TestSystem.of(SlabSystem.builder().cpus(2).memoryBytes(4L << 20).stats(true));
  }

  @Test
  void theLayoutHasAFallback() {
    try (TestSystem t = system()) {
      SlabLayout l = t.sys.createCache("c", SIZE, 0).core().layout();
      assertEquals(2, l.ooOrder);
      assertEquals(16, l.ooObjects);
      assertEquals(0, l.minOrder);
      assertEquals(4, l.minObjects);
      // slabinfo advertises the preferred geometry (objperslab, pagesperslab)
      String line = t.sys.info().toString().lines().filter(s -> s.startsWith("c ")).findFirst()
          .orElseThrow();
      assertTrue(line.matches("c\\s+0\\s+0\\s+1000\\s+16\\s+4 : .*"), line);
    }
  }

  @Test
  void withoutFailuresEverySlabHasThePreferredOrder() {
    try (TestSystem t = system()) {
      KmemCache c = t.sys.createCache("c", SIZE, 0);
      for (int i = 0; i < 40; i++) {
        assertNotEquals(0, c.alloc());
      }
      CacheCounts k = c.counts();
      assertEquals(3, k.slabs());
      assertEquals(3 * 4, k.frames(), "three order-2 slabs");
      assertEquals(3 * 16, k.totalObjs());
      assertEquals(0, c.stats().total(Stat.ORDER_FALLBACK));
      assertEquals(List.of(), c.validate());
    }
  }

  @Test
  void oneFailedRequestFallsBackToTheMinimumOrderAndTheAllocationSucceeds() {
    try (TestSystem t = system()) {
      KmemCache c = t.sys.createCache("c", SIZE, 0);
      t.failNextFrames(1);
      long a = c.alloc();
      assertNotEquals(0, a, "the minimum order serves after the preferred order failed");
      assertEquals(0, t.faults.armed());
      CacheCounts k = c.counts();
      assertEquals(1, k.slabs());
      assertEquals(1, k.frames(), "an order-0 slab");
      assertEquals(4, k.totalObjs(), "with s->min's object count");
      assertEquals(1, t.framesInUse());
      assertEquals(1, c.stats().total(Stat.ORDER_FALLBACK));
      // the fallback slab is used up before the next (preferred-order) slab is made
      for (int i = 1; i < 5; i++) {
        assertNotEquals(0, c.alloc());
      }
      k = c.counts();
      assertEquals(2, k.slabs());
      assertEquals(1 + 4, k.frames(), "the next slab has the preferred order again");
      assertEquals(4 + 16, k.totalObjs());
      assertEquals(1, c.stats().total(Stat.ORDER_FALLBACK));
      assertEquals(List.of(), c.validate());
    }
  }

  @Test
  void twoFailedRequestsReturnZeroAndChangeNothing() {
    try (TestSystem t = system()) {
      KmemCache c = t.sys.createCache("c", SIZE, 0);
      t.failNextFrames(2);
      assertEquals(0, c.alloc());
      assertEquals(0, t.faults.armed(), "both orders were asked for");
      assertEquals(0, c.counts().slabs());
      assertEquals(0, t.framesInUse());
      assertEquals(0, c.stats().total(Stat.ORDER_FALLBACK), "a failed fallback is no fallback");
      assertNotEquals(0, c.alloc(), "the next request is served");
      assertEquals(4, c.counts().frames());
    }
  }

  @Test
  void aCacheWhosePreferredOrderIsItsMinimumAsksOnce() {
    try (TestSystem t = system()) {
      KmemCache c = t.sys.createCache("small", 64, 0);
      SlabLayout l = c.core().layout();
      assertEquals(l.minOrder, l.ooOrder);
      t.failNextFrames(2);
      assertEquals(0, c.alloc());
      assertEquals(1, t.faults.armed(), "no fallback request when oo is already s->min");
      assertEquals(0, c.alloc(), "the second armed failure was left for this one");
      assertEquals(0, t.faults.armed());
      assertEquals(0, t.framesInUse());
      assertNotEquals(0, c.alloc());
      assertEquals(1, t.framesInUse());
    }
  }
}
