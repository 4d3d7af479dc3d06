package jslub.slab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import jslub.KmemCache;
import jslub.SlabSystem;
import org.junit.jupiter.api.Test;

/**
 * A cache's geometry (calculate_sizes, calculate_order, set_min_partial, set_cpu_partial) for
 * many sizes, alignments, frame sizes and CPU counts, against the kernel's rules written out
 * here a second time from mm/slub.c, and against every cache of a real kernel's slabinfo; then the
 * geometry seen from outside: where a slab's objects lie (colour, alignment, the last object
 * inside the slab).
 */
class SlabGeometryTest {
  /** What the kernel computes for a cache, by its rules (PAGE_SIZE = {@code frame}). */
  record Kernel(int size, int offset, int order, int objects, int minOrder, int minObjects,
      int minPartial, int cpuPartialObjects, int cpuPartialSlabs) {

    static Kernel of(int objectSize, int align, int frame, int cpus) {
      int a = Math.max(align, 8); // ARCH_SLAB_MINALIGN / sizeof(void *)
      int size = roundUp(roundUp(objectSize, 8), a);
      int offset = Math.min((objectSize / 2) / 8 * 8, size - 8); // free pointer mid-object
      int order = calculateOrder(size, cpus, frame);
      int objects = (int) (((long) frame << order) / size);
      int minOrder = getOrder(size, frame);
      int minObjects = (int) (((long) frame << minOrder) / size);
      int ilog2 = 31 - Integer.numberOfLeadingZeros(size);
      int minPartial = Math.min(10, Math.max(5, ilog2 / 2)); // MIN_PARTIAL 5, MAX_PARTIAL 10
      int cpuObjs = size >= frame ? 6 : size >= 1024 ? 24 : size >= 256 ? 52 : 120;
      int cpuSlabs = (cpuObjs * 2 + objects - 1) / objects; // DIV_ROUND_UP(nr_objects * 2, oo)
      return new Kernel(size, offset, order, objects, minOrder, minObjects, minPartial, cpuObjs,
          cpuSlabs);
    }

    static int roundUp(int v, int a) {
      return (v + a - 1) / a * a;
    }

    static int getOrder(long bytes, int frame) {
      int order = 0;
      while (((long) frame << order) < bytes) {
        order++;
      }
      return order;
    }

    /** calculate_order (6.8+): slub_max_order 3, min_objects 4 * (fls(nr_cpus) + 1). */
    static int calculateOrder(int size, int cpus, int frame) {
      int fls = 32 - Integer.numberOfLeadingZeros(cpus);
      long minObjects = 4L * (fls + 1);
      long maxObjects = Math.max(((long) frame << 3) / size, 1);
      minObjects = Math.min(minObjects, maxObjects);
      int minOrder = getOrder(minObjects * size, frame);
      if (((long) frame << minOrder) / size > 32767) { // MAX_OBJS_PER_PAGE
        return getOrder((long) size * 32767, frame) - 1;
      }
      for (int fraction = 16; fraction > 1; fraction /= 2) {
        for (int order = minOrder; order <= 3; order++) {
          long slab = (long) frame << order;
          if (slab % size <= slab / fraction) {
            return order;
          }
        }
      }
      return getOrder(size, frame);
    }
  }

  @Test
  void computeFollowsTheKernelForManySizesAlignsFramesAndCpus() {
    int checked = 0;
    List<String> wrong = new ArrayList<>();
    for (int frame : new int[] {1024, 4096, 16384, 65536, 131072}) {
      for (int cpus : new int[] {1, 2, 3, 4, 8, 64}) {
        for (int align : new int[] {0, 1, 8, 16, 64, 256, 4096}) {
          for (int size = 1; size <= 3 * frame; size += size < 256 ? 1 : 1 + size / 37) {
            SlabLayout l = SlabLayout.compute(size, align, frame, 64, cpus);
            Kernel k = Kernel.of(size, align, frame, cpus);
            Kernel got = new Kernel(l.size, l.offset, l.ooOrder, l.ooObjects, l.minOrder,
                l.minObjects, l.minPartial(), l.cpuPartialObjects(true),
                l.cpuPartialSlabs(true));
            if (!k.equals(got) && wrong.size() < 5) {
              wrong.add("size " + size + " align " + align + " frame " + frame + " cpus "
                  + cpus + ": kernel " + k + ", jslub " + got);
            }
            checked++;
          }
        }
      }
    }
    assertEquals(List.of(), wrong);
    assertTrue(checked > 10_000, "checked " + checked);
  }

  @Test
  void noCpuPartialMeansNoBudget() {
    SlabLayout l = SlabLayout.compute(100, 0, 4096, 64, 4);
    assertEquals(0, l.cpuPartialObjects(false));
    assertEquals(0, l.cpuPartialSlabs(false));
  }

  /**
   * Every cache of a real kernel: the /proc/slabinfo of the Linux 6.18 machine jslub was built
   * on (2 possible CPUs, 4 KiB pages; the file is in the test resources). calculate_order depends
   * only on the stride (the objsize column) and the CPU count, so a jslub cache of that size on
   * a 2-CPU system must print the same objperslab and pagesperslab.
   */
  @Test
  void slabinfoOfARealKernel() throws IOException {
    List<String[]> real = new ArrayList<>();
    try (InputStream in = SlabGeometryTest.class.getResourceAsStream(
        "slabinfo-linux-6.18-2cpus.txt")) {
      assertNotNull(in);
      for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
        if (!line.startsWith("#") && !line.startsWith("slabinfo")) {
          real.add(line.trim().split("\\s+"));
        }
      }
    }
    assertTrue(real.size() > 200, "caches read: " + real.size());
    try (SlabSystem sys = SlabSystem.builder().cpus(2).memoryBytes(1L << 20).build()) {
      List<String> wrong = new ArrayList<>();
      for (int i = 0; i < real.size(); i++) {
        String[] f = real.get(i);
        String name = "real" + i;
        sys.createCache(name, Integer.parseInt(f[3]), 0);
        String mine = sys.info().toString().lines().filter(l -> l.startsWith(name + " "))
            .findFirst().orElseThrow();
        String[] g = mine.trim().split("\\s+");
        if (!(g[3].equals(f[3]) && g[4].equals(f[4]) && g[5].equals(f[5]))) {
          wrong.add(f[0] + " (objsize " + f[3] + "): the kernel " + f[4] + " objects in " + f[5]
              + " pages, jslub " + g[4] + " in " + g[5]);
        }
      }
      assertEquals(List.of(), wrong);
    }
  }

  /**
   * Where objects lie: slab k of a cache starts its objects at colour (k mod colours) × step
   * (step = the cache line, or the alignment if larger; colours = leftover / step + 1), every
   * object is aligned, and the last one ends inside the slab.
   */
  @Test
  void objectsOfSuccessiveSlabsCycleThroughTheColours() {
    try (SlabSystem sys = SlabSystem.builder().cpus(2).memoryBytes(4L << 20).build()) {
      KmemCache c = sys.createCache("c", 1000, 0); // order 2, 16 objects, 384 bytes left
      SlabLayout l = c.core().layout();
      assertEquals(384, l.leftover(l.ooOrder));
      assertEquals(64, l.colourStep);
      assertEquals(7, l.colours(l.ooOrder));
      long slabBytes = 4096L << l.ooOrder;
      for (int k = 0; k < 9; k++) {
        long first = c.alloc();
        long base = first & -slabBytes; // buddy blocks are naturally aligned
        assertEquals((k % 7) * 64L, first - base, "slab " + k + "'s colour");
        long last = first;
        for (int i = 1; i < l.ooObjects; i++) {
          last = c.alloc();
          assertEquals(first + (long) i * l.size, last, "objects in address order");
        }
        assertTrue(last + l.size <= base + slabBytes, "the last object ends inside the slab");
      }
      assertEquals(List.of(), c.validate());
    }
  }

  @Test
  void aCacheLineAlignedCacheColoursInWholeAlignments() {
    try (SlabSystem sys = SlabSystem.builder().cpus(2).memoryBytes(4L << 20).build()) {
      KmemCache c = sys.createCache("c", 700, 256); // size 768: order 2 holds 21, 256 left
      SlabLayout l = c.core().layout();
      assertEquals(768, l.size);
      assertEquals(256, l.colourStep);
      assertEquals(2, l.colours(l.ooOrder));
      long slabBytes = 4096L << l.ooOrder;
      for (int k = 0; k < 4; k++) {
        long first = c.alloc();
        assertEquals((k % 2) * 256L, first - (first & -slabBytes));
        for (int i = 1; i < l.ooObjects; i++) {
          assertEquals(0, c.alloc() % 256, "every object keeps its alignment");
        }
      }
    }
  }

  @Test
  void aSlabWithNoLeftoverHasOneColour() {
    try (SlabSystem sys = SlabSystem.builder().cpus(2).memoryBytes(4L << 20).build()) {
      KmemCache c = sys.createCache("c", 64, 0);
      SlabLayout l = c.core().layout();
      assertEquals(0, l.leftover(l.ooOrder));
      assertEquals(1, l.colours(l.ooOrder));
      for (int k = 0; k < 3; k++) {
        long first = c.alloc();
        assertEquals(0, first % 4096, "every slab starts at its base");
        for (int i = 1; i < l.ooObjects; i++) {
          c.alloc();
        }
      }
    }
  }
}
