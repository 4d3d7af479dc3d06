package jslub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Debug F against a use after free that overwrites a free object's free pointer: a later free
 * in that slab reports "Freechain corrupt" and still frees (on_freelist gives up on the walk);
 * the next allocation from the slab reports "Freepointer corrupt", marks every object of the
 * slab used (its free objects are lost, as in the kernel) and takes a new slab. validate() then
 * sees consistent books.
 */
class DebugCorruptFreelistTest {
  @Test
  void aScribbledFreePointerIsReportedOnFreeAndOnAlloc() {
    try (TestSystem t = TestSystem.of(2, 4L << 20, "F")) {
      KmemCache c = t.sys.createCache("c", 64, 0);
      long a = c.alloc();
      long b = c.alloc();
      long d = c.alloc();
      c.free(b); // b heads the slab's freelist
      t.sys.memory().fill(b, 64, (byte) 0x5a); // the use after free
      c.free(a); // walks from b: the chain leaves the slab after one step
      assertTrue(c.reports().stream().anyMatch(r -> r.contains("Freechain corrupt")),
          c.reports().toString());
      int before = c.reports().size();
      long e = c.alloc(); // takes a (the head now), whose pointer leads to b: still fine
      assertEquals(a, e);
      long f = c.alloc(); // b: its pointer is garbage
      List<String> after = c.reports().subList(before, c.reports().size());
      assertTrue(after.stream().anyMatch(r -> r.contains("Freepointer corrupt")), after.toString());
      assertNotEquals(0, f);
      assertNotEquals(t.sys.machine().memmap().slabOf(a), t.sys.machine().memmap().slabOf(f),
          "the corrupt slab is given up: a new one serves");
      assertEquals(List.of(), t.sys.validate());
      c.free(d);
      c.free(e);
      c.free(f);
      assertEquals(List.of(), t.sys.validate());
    }
  }
}
