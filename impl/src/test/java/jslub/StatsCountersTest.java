package jslub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jslub.cpu.VirtualCpus;
import jslub.slab.SlabStats;
import jslub.slab.Stat;
import org.junit.jupiter.api.Test;

/**
 * The SLUB stat counters (CONFIG_SLUB_STATS) as a user reads them — {@code info().stats()} in
 * the sysfs format and {@link SlabStats} — after sequences whose counts are known: one CPU filling
 * two slabs, frees on the fast path, work split over two CPUs, counting switched off and on.
 */
class StatsCountersTest {
  private static SlabSystem system(boolean stats) {
    return SlabSystem.builder().cpus(2).memoryBytes(4L << 20).stats(stats).build();
  }

  private static void onCpu(SlabSystem sys, int cpu) {
    ((VirtualCpus) sys.cpuId()).bindCurrent(cpu);
  }

  /** The sysfs line of {@code stat} in {@code info().stats()}, e.g. "alloc_fastpath 3 C0=3". */
  private static String line(SlabSystem sys, String cache, Stat stat) {
    String all = sys.info().stats();
    int at = all.indexOf(cache + ":\n");
    assertTrue(at >= 0, cache + " counted nothing: " + all);
    return all.substring(at).lines().skip(1).takeWhile(l -> l.startsWith("  "))
        .map(String::trim).filter(l -> l.startsWith(stat.sysfsName() + " ")).findFirst()
        .map(l -> l.replaceAll("\\s+", " ")).orElse(stat.sysfsName() + " (none)");
  }

  @Test
  void oneCpuFillingTwoSlabs() {
    try (SlabSystem sys = system(true)) {
      onCpu(sys, 0);
      KmemCache c = sys.createCache("c", 64, 0);
      int perSlab = c.core().layout().ooObjects; // 64 with 4 KiB frames
      long[] a = new long[perSlab + 1];
      for (int i = 0; i < a.length; i++) {
        a[i] = c.alloc();
        assertNotEquals(0, a[i]);
      }
      // The first object and the first of the second slab take ___slab_alloc; the second time
      // the exhausted CPU slab is dropped (deactivate bypass). The rest pop the CPU freelist.
      assertEquals("alloc_slowpath 2 C0=2", line(sys, "c", Stat.ALLOC_SLOWPATH));
      assertEquals("alloc_slab 2 C0=2", line(sys, "c", Stat.ALLOC_SLAB));
      assertEquals("alloc_fastpath " + (perSlab - 1) + " C0=" + (perSlab - 1),
          line(sys, "c", Stat.ALLOC_FASTPATH));
      assertEquals("deactivate_bypass 1 C0=1", line(sys, "c", Stat.DEACTIVATE_BYPASS));
      assertEquals("alloc_refill (none)", line(sys, "c", Stat.ALLOC_REFILL));
      // The last object belongs to the CPU slab: freed on the fast path, allocated again there.
      c.free(a[perSlab]);
      assertEquals("free_fastpath 1 C0=1", line(sys, "c", Stat.FREE_FASTPATH));
      assertEquals(a[perSlab], c.alloc(), "LIFO: the object just freed comes back first");
      assertEquals(perSlab, c.stats().total(Stat.ALLOC_FASTPATH));
      assertEquals(0, c.stats().total(Stat.FREE_SLOWPATH));
    }
  }

  @Test
  void eachCpuCountsItsOwnWork() {
    try (SlabSystem sys = system(true)) {
      KmemCache c = sys.createCache("c", 64, 0);
      onCpu(sys, 0);
      for (int i = 0; i < 3; i++) {
        c.alloc();
      }
      onCpu(sys, 1);
      for (int i = 0; i < 5; i++) {
        c.alloc();
      }
      SlabStats s = c.stats();
      assertEquals(1, s.perCpu(Stat.ALLOC_SLOWPATH, 0));
      assertEquals(1, s.perCpu(Stat.ALLOC_SLOWPATH, 1));
      assertEquals(2, s.perCpu(Stat.ALLOC_FASTPATH, 0));
      assertEquals(4, s.perCpu(Stat.ALLOC_FASTPATH, 1));
      assertEquals(6, s.total(Stat.ALLOC_FASTPATH));
      assertEquals("alloc_fastpath 6 C0=2 C1=4", line(sys, "c", Stat.ALLOC_FASTPATH));
      assertEquals(2, s.cpus());
      assertThrows(IndexOutOfBoundsException.class, () -> s.perCpu(Stat.ALLOC_FASTPATH, 2));
      assertThrows(IndexOutOfBoundsException.class, () -> s.perCpu(Stat.ALLOC_FASTPATH, -1));
    }
  }

  @Test
  void aCpuThatCountedNothingIsLeftOutOfTheSysfsLine() {
    try (SlabSystem sys = system(true)) {
      KmemCache c = sys.createCache("c", 64, 0);
      onCpu(sys, 1);
      c.alloc();
      c.alloc();
      assertEquals("alloc_fastpath 1 C1=1", line(sys, "c", Stat.ALLOC_FASTPATH));
      assertEquals("1 C1=1", c.stats().sysfs(Stat.ALLOC_FASTPATH));
      assertEquals("0", c.stats().sysfs(Stat.FREE_FASTPATH));
    }
  }

  @Test
  void countingOffCountsNothingAndCanBeSwitchedOn() {
    try (SlabSystem sys = system(false)) {
      onCpu(sys, 0);
      KmemCache c = sys.createCache("c", 64, 0);
      long a = c.alloc();
      c.free(a);
      assertEquals(false, c.stats().enabled());
      assertEquals("", sys.info().stats(), "no cache counted anything");
      for (Stat st : Stat.values()) {
        assertEquals(0, c.stats().total(st), st.name());
      }
      sys.setStats(true);
      assertTrue(c.stats().enabled());
      c.free(c.alloc());
      assertEquals("alloc_fastpath 1 C0=1", line(sys, "c", Stat.ALLOC_FASTPATH));
      assertEquals("free_fastpath 1 C0=1", line(sys, "c", Stat.FREE_FASTPATH));
      sys.setStats(false);
      c.free(c.alloc());
      assertEquals(1, c.stats().total(Stat.ALLOC_FASTPATH), "off again: nothing counted");
      KmemCache later = sys.createCache("later", 32, 0);
      later.alloc();
      assertEquals(0, later.stats().total(Stat.ALLOC_SLOWPATH), "a new cache follows the system");
    }
  }

  @Test
  void sysfsNamesAreTheKernels() {
    assertEquals("alloc_fastpath", Stat.ALLOC_FASTPATH.sysfsName());
    assertEquals("cpu_partial_drain", Stat.CPU_PARTIAL_DRAIN.sysfsName());
    assertEquals("order_fallback", Stat.ORDER_FALLBACK.sysfsName());
  }

  /**
   * Counters that must add up over any single-threaded sequence: every allocation is counted
   * once, on the fast path or the slow path, and likewise every free; slabs made minus slabs
   * freed is the slabs the cache holds; after everything is freed and shrunk every slab made
   * was freed.
   */
  @Test
  void countersAddUpOverARandomSequence() {
    java.util.Random r = new java.util.Random(5);
    try (SlabSystem sys = system(true)) {
      KmemCache c = sys.createCache("c", 200, 0);
      java.util.List<Long> held = new java.util.ArrayList<>();
      long allocs = 0;
      long frees = 0;
      for (int step = 0; step < 3000; step++) {
        int op = r.nextInt(20);
        if (op < 10 || held.isEmpty()) {
          held.add(c.alloc());
          allocs++;
        } else if (op < 19) {
          c.free(held.remove(r.nextInt(held.size())));
          frees++;
        } else if (r.nextBoolean()) {
          onCpu(sys, r.nextInt(2));
        } else {
          c.shrink();
        }
        SlabStats st = c.stats();
        assertEquals(allocs, st.total(Stat.ALLOC_FASTPATH) + st.total(Stat.ALLOC_SLOWPATH),
            "step " + step);
        assertEquals(frees, st.total(Stat.FREE_FASTPATH) + st.total(Stat.FREE_SLOWPATH),
            "step " + step);
        assertEquals(c.counts().slabs(), st.total(Stat.ALLOC_SLAB) - st.total(Stat.FREE_SLAB),
            "step " + step);
      }
      for (long a : held) {
        c.free(a);
      }
      c.shrink();
      assertEquals(0, c.counts().slabs());
      assertEquals(c.stats().total(Stat.ALLOC_SLAB), c.stats().total(Stat.FREE_SLAB));
      assertTrue(c.stats().total(Stat.ALLOC_SLAB) > 3, "the sequence made several slabs");
    }
  }

  /**
   * A debug cache (no CPU slabs; every free under list_lock): seven full slabs freed one slab at
   * a time. Each becomes partial on its first free (free_add_partial); an empty slab is kept while
   * the node holds fewer than min_partial (5) partial slabs, else it is taken off the list and
   * freed; shrink frees the rest.
   */
  @Test
  void debugCacheFreesCountedAgainstMinPartial() {
    try (SlabSystem sys = SlabSystem.builder().cpus(2).memoryBytes(4L << 20).stats(true)
        .debug("F").build()) {
      KmemCache c = sys.createCache("d", 64, 0);
      int per = c.core().layout().ooObjects;
      assertEquals(5, c.core().layout().minPartial());
      long[] a = new long[7 * per];
      for (int i = 0; i < a.length; i++) {
        a[i] = c.alloc();
      }
      assertEquals(7, c.stats().total(Stat.ALLOC_SLAB));
      java.util.Arrays.sort(a); // one slab after another (order-0 slabs, objects in order)
      for (long x : a) {
        c.free(x);
      }
      assertEquals(7, c.stats().total(Stat.FREE_ADD_PARTIAL));
      assertEquals(3, c.stats().total(Stat.FREE_REMOVE_PARTIAL), "slabs 5, 6, 7 were freed");
      assertEquals(3, c.stats().total(Stat.FREE_SLAB));
      assertEquals(4, c.counts().slabs());
      assertEquals(4, c.counts().partialSlabs(), "the kept empty slabs are on the node list");
      assertEquals(4, c.shrink(), "shrink frees the four kept slabs' frames");
      assertEquals(7, c.stats().total(Stat.FREE_SLAB));
      assertEquals(0, sys.framesInUse());
    }
  }
}
