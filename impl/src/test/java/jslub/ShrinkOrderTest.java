package jslub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;
import jslub.slab.Slab;
import org.junit.jupiter.api.Test;

/**
 * kmem_cache_shrink() re-sorts the node partial list so the fullest slabs come first (a slab with
 * one free object before one with two): the next allocation after it takes the fullest slab.
 */
class ShrinkOrderTest {
  @Test
  void theSlabWithOneFreeObjectServesTheNextAllocation() {
    try (SlabSystem s = SlabSystem.builder().cpus(1).memoryBytes(4L << 20).build()) {
      KmemCache c = s.createCache("c", 64, 0);
      int per = c.core().layout().ooObjects;
      List<Long> objs = new ArrayList<>();
      for (int i = 0; i < 3 * per; i++) {
        objs.add(c.alloc());
      }
      Slab a = slabOf(s, objs.get(0));
      Slab b = slabOf(s, objs.get(per));
      assertNotEquals(a, b);
      assertEquals(b, slabOf(s, objs.get(2 * per - 1)), "the second slab is full of ours");
      c.free(objs.get(per)); // b: two free objects, freed first
      c.free(objs.get(per + 1));
      c.free(objs.get(0)); // a: one free object
      c.core().flushAll(); // both onto the node partial list
      c.shrink();
      long next = c.alloc();
      assertEquals(a, slabOf(s, next), "the fullest slab first");
    }
  }

  private static Slab slabOf(SlabSystem s, long addr) {
    return java.util.Objects.requireNonNull(s.machine().memmap().slabOf(addr));
  }
}
