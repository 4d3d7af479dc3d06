package jslub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * kmem_cache_alloc_bulk / kmem_cache_free_bulk touch exactly the first n entries of an array
 * that is longer: the rest is neither written nor freed. (The property harness always passes
 * arrays of exactly n, so it cannot see an off-by-one at the end.)
 */
class BulkBoundsTest {
  private static final long SENTINEL = -7;

  private static void check(boolean debug) {
    try (TestSystem t = TestSystem.of(SlabSystem.builder().cpus(2).memoryBytes(4L << 20)
        .debug(debug ? "F" : ""))) {
      KmemCache c = t.sys.createCache("c", 48, 0);
      t.onCpu(0);
      for (int n : new int[] {1, 5, 63, 64, 65, 130}) {
        long[] out = new long[n + 9];
        Arrays.fill(out, SENTINEL);
        assertEquals(n, c.allocBulk(out, n));
        Set<Long> distinct = new HashSet<>();
        for (int i = 0; i < n; i++) {
          assertNotEquals(0, out[i]);
          distinct.add(out[i]);
        }
        assertEquals(n, distinct.size(), "n distinct objects");
        for (int i = n; i < out.length; i++) {
          assertEquals(SENTINEL, out[i], "entry " + i + " past n = " + n + " was written");
        }
        assertEquals(List.of(), c.validate());
        long freed = c.alloc(); // freed from CPU 1: onto its slab's own freelist
        t.onCpu(1);
        c.free(freed);
        t.onCpu(0);
        out[n] = freed; // a free object just past n: refused if it were looked at
        c.freeBulk(out, n); // so would the sentinels past it
        for (int i = 0; i < n; i++) {
          assertEquals(0, out[i], "processed entries are set to 0");
        }
        assertEquals(freed, out[n]);
        for (int i = n + 1; i < out.length; i++) {
          assertEquals(SENTINEL, out[i]);
        }
        assertEquals(List.of(), c.validate());
        c.shrink();
        assertEquals(0, t.framesInUse(), "every object of the batch came back (n = " + n + ")");
      }
    }
  }

  @Test
  void onlyTheFirstNEntries() {
    check(false);
  }

  @Test
  void onlyTheFirstNEntriesWithDebugF() {
    check(true);
  }
}
