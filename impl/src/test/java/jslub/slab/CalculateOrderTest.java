package jslub.slab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import jslub.kmalloc.KmallocCaches;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * calculate_order() (Linux 6.8+) against the orders the kernel picks for the kmalloc sizes, an
 * independent transcription of the kernel algorithm, and the waste bound it guarantees.
 */
class CalculateOrderTest {
  private static final int PAGE = 4096;

  /** Kernel results with 8..15 CPUs: min_objects = 4 * (fls(8) + 1) = 20. */
  @ParameterizedTest(name = "size {0}: order {1}, {2} objects")
  @CsvSource({
    "8, 0, 512", "16, 0, 256", "32, 0, 128", "64, 0, 64", "96, 0, 42", "128, 0, 32",
    "192, 0, 21", "256, 1, 32", "512, 2, 32", "1024, 3, 32", "2048, 3, 16", "4096, 3, 8",
    "8192, 3, 4"
  })
  void calculateOrder_matchesKernelWith8Cpus(int size, int order, int objects) {
    int got = SlabLayout.calculateOrder(size, 8, PAGE);
    assertEquals(order, got);
    assertEquals(objects, SlabLayout.orderObjects(got, size, PAGE));
    assertEquals(got, SlabLayout.calculateOrder(size, 15, PAGE), "fls(15) = fls(8)");
  }

  /** With 4 CPUs min_objects is 4 * (fls(4) + 1) = 16. */
  @ParameterizedTest(name = "size {0}: order {1}, {2} objects")
  @CsvSource({"256, 0, 16", "512, 1, 16", "1024, 2, 16", "2048, 3, 16"})
  void calculateOrder_matchesKernelWith4Cpus(int size, int order, int objects) {
    int got = SlabLayout.calculateOrder(size, 4, PAGE);
    assertEquals(order, got);
    assertEquals(objects, SlabLayout.orderObjects(got, size, PAGE));
  }

  @Test
  void calculateOrder_neverBelowGetOrderOfOneObject() {
    for (int cpus : new int[] {1, 2, 4, 8, 64}) {
      for (int size = 8; size <= (8 << 20); size += size < 65536 ? 8 : size / 8) {
        assertTrue(SlabLayout.calculateOrder(size, cpus, PAGE) >= SlabLayout.getOrder(size, PAGE),
            "size " + size);
      }
    }
  }

  @Test
  void calculateOrder_beyondSlubMaxOrderFallsBackToGetOrder() {
    assertEquals(8, SlabLayout.calculateOrder(1 << 20, 8, PAGE));
    assertEquals(SlabLayout.getOrder(1 << 20, PAGE), SlabLayout.calculateOrder(1 << 20, 2, PAGE));
    assertEquals(11, SlabLayout.calculateOrder(8 << 20, 2, PAGE));
    assertEquals(4, SlabLayout.calculateOrder(65536, 2, PAGE));
    // 5 pages + 8 bytes: no order ≤ 3 places it, so one object's worth (order 3 holds 1 …)
    int odd = 5 * PAGE + 8;
    assertEquals(3, SlabLayout.calculateOrder(odd, 2, PAGE), "order 3 fits 1 with 1/2 waste ok");
  }

  /**
   * Written from the kernel source independently of SlabLayout: calculate_order and
   * calc_slab_order of mm/slub.c (6.8+), slub_min_order 0, slub_max_order 3.
   */
  static int kernelCalculateOrder(int size, int nrCpus) {
    int fls = 32 - Integer.numberOfLeadingZeros(nrCpus);
    long minObjects = 4L * (fls + 1);
    long maxObjects = Math.max((PAGE << 3) / size, 1);
    minObjects = Math.min(minObjects, maxObjects);
    int minOrder = kernelGetOrder(minObjects * size);
    if ((((long) PAGE) << minOrder) / size > 32767) {
      return kernelGetOrder((long) size * 32767) - 1;
    }
    for (int fraction = 16; fraction > 1; fraction /= 2) {
      int order = minOrder;
      for (; order <= 3; order++) {
        long slab = (long) PAGE << order;
        if (slab % size <= slab / fraction) {
          break;
        }
      }
      if (order <= 3) {
        return order;
      }
    }
    return kernelGetOrder(size);
  }

  static int kernelGetOrder(long size) {
    int order = 0;
    while (((long) PAGE << order) < size) {
      order++;
    }
    return order;
  }

  @Test
  void calculateOrder_agreesWithIndependentKernelTranscription() {
    for (int cpus : new int[] {1, 2, 3, 4, 7, 8, 16, 64, 256}) {
      for (int size = 8; size <= 70000; size += 8) {
        assertEquals(kernelCalculateOrder(size, cpus), SlabLayout.calculateOrder(size, cpus, PAGE),
            "size " + size + ", cpus " + cpus);
      }
    }
  }

  // ------------------------------------------------------------------ waste

  record Waste(String name, int size, int order, int objects, long slabBytes, long wasted) {
    double lossPct() {
      return 100.0 * wasted / slabBytes;
    }
  }

  static Waste waste(int size, int cpus) {
    int order = SlabLayout.calculateOrder(size, cpus, PAGE);
    int objects = SlabLayout.orderObjects(order, size, PAGE);
    long slab = (long) PAGE << order;
    return new Waste(KmallocCaches.name(size), size, order, objects, slab,
        slab - (long) objects * size);
  }

  @Test
  void calculateOrder_kmallocClassesWasteAtMostOneEighth() {
    for (int cpus : new int[] {1, 2, 4, 8, 64}) {
      for (int size : KmallocCaches.classSizes()) {
        Waste w = waste(size, cpus);
        assertTrue(w.objects() >= 1);
        assertTrue(w.wasted() * 8 <= w.slabBytes(),
            w + " loses " + w.lossPct() + "% with " + cpus + " cpus");
      }
    }
  }

  static String wasteTable(int cpus) {
    StringBuilder sb = new StringBuilder();
    sb.append("| class | size | order | objects/slab | slab bytes | wasted bytes | loss % |\n");
    sb.append("|---|---:|---:|---:|---:|---:|---:|\n");
    for (int size : KmallocCaches.classSizes()) {
      Waste w = waste(size, cpus);
      sb.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %.2f |%n", w.name(),
          w.size(), w.order(), w.objects(), w.slabBytes(), w.wasted(), w.lossPct()));
    }
    return sb.toString();
  }

  @Test
  void wasteTable_writtenAsMarkdown() throws IOException {
    StringBuilder md = new StringBuilder();
    for (int cpus : new int[] {2, 8}) {
      int minObjects = 4 * (32 - Integer.numberOfLeadingZeros(cpus) + 1);
      md.append("### ").append(cpus).append(" CPUs (min_objects ").append(minObjects)
          .append(")\n\n").append(wasteTable(cpus)).append('\n');
    }
    Path out = Path.of("target", "waste-table.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, md.toString());
    System.out.println(md);
    assertTrue(Files.size(out) > 0);
  }
}
