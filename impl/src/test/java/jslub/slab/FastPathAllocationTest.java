package jslub.slab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import jslub.KmemCache;
import jslub.SlabSystem;
import org.junit.jupiter.api.Test;

/**
 * docs/DESIGN.md §5: the lockless fast paths allocate nothing on the Java heap. Measured with the
 * JVM's per-thread allocation counter over many alloc/free pairs that stay on the fast path
 * (the stat counters prove they did).
 */
class FastPathAllocationTest {
  private static final int PAIRS = 200_000;

  @Test
  void slabAllocNodeAndDoSlabFreeAllocateNoJavaHeap() {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    try (SlabSystem sys = SlabSystem.builder().cpus(1).stats(true).build()) {
      KmemCache kc = sys.createCache("fast", 64, 0);
      SlabCache s = kc.core();
      for (int round = 0; round < 5; round++) { // let the JIT compile both paths
        pairs(s);
      }
      long fastAllocBefore = s.stats().total(Stat.ALLOC_FASTPATH);
      long fastFreeBefore = s.stats().total(Stat.FREE_FASTPATH);
      long before = mx.getCurrentThreadAllocatedBytes();
      pairs(s);
      long allocated = mx.getCurrentThreadAllocatedBytes() - before;
      assertEquals(PAIRS, s.stats().total(Stat.ALLOC_FASTPATH) - fastAllocBefore);
      assertEquals(PAIRS, s.stats().total(Stat.FREE_FASTPATH) - fastFreeBefore);
      // A few hundred bytes of slack for the JVM's own bookkeeping; one boxed long per pair
      // would be 3.2 MB.
      assertTrue(allocated < 4096, "fast paths allocated " + allocated + " bytes on the heap");
    }
  }

  private static void pairs(SlabCache s) {
    for (int i = 0; i < PAIRS; i++) {
      long a = s.alloc();
      if (a == 0 || s.free(a) != null) {
        throw new AssertionError("alloc/free failed at " + i);
      }
    }
  }
}
