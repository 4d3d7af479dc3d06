package jslub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import jslub.kmalloc.KmallocCaches;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** kmalloc/kfree: size classes, alignment, names, and kfree finding the cache. */
class KmallocTest {
  private static SlabSystem sys;

  @BeforeAll
  static void start() {
    // The seed's slab classes up to 8 MiB; KmallocFamilyTest covers kmalloc_large.
    sys = SlabSystem.builder().cpus(2).memoryBytes(64L << 20).kmallocSlabsTo8M(true).build();
  }

  @AfterAll
  static void stop() {
    sys.close();
  }

  /** The class sizes written out by hand, independent of KmallocCaches. */
  private static long expectedClass(long size) {
    long[] small = {8, 16, 32, 64, 96, 128, 192};
    for (long c : small) {
      if (size <= c) {
        return c;
      }
    }
    long c = 256;
    while (c < size) {
      c <<= 1;
    }
    return c;
  }

  @Test
  void kmallocIndex_everySizeUpTo20000MapsToSmallestClass() {
    for (int size = 1; size <= 20000; size++) {
      long a = sys.kmalloc(size);
      assertNotEquals(0, a);
      assertEquals(expectedClass(size), sys.ksize(a), "size " + size);
      sys.segment(a, size).fill((byte) 0x5a); // the whole request is usable
      sys.kfree(a);
    }
    assertEquals(96, sys.ksize(keepFree(65)));
    assertEquals(96, sys.ksize(keepFree(96)));
    assertEquals(128, sys.ksize(keepFree(97)));
    assertEquals(192, sys.ksize(keepFree(129)));
    assertEquals(192, sys.ksize(keepFree(192)));
    assertEquals(256, sys.ksize(keepFree(193)));
    assertEquals(List.of(), sys.validate());
  }

  private static long keepFree(long size) {
    long a = sys.kmalloc(size);
    sys.kfree(a);
    return a; // the slab stays (CPU slab), so ksize still answers for the address
  }

  @Test
  void kmallocIndex_powersOfTwoUpTo8MiB() {
    for (int k = 0; k <= 23; k++) {
      long size = 1L << k;
      long a = sys.kmalloc(size);
      assertNotEquals(0, a, "2^" + k);
      assertEquals(Math.max(8, size), sys.ksize(a));
      assertEquals(0, a % Math.min(size, 4096), "power-of-two classes are naturally aligned");
      sys.kfree(a);
      if (k >= 3 && k < 23) {
        long b = sys.kmalloc(size + 1);
        assertEquals(expectedClass(size + 1), sys.ksize(b));
        sys.kfree(b);
      }
    }
    sys.shrink();
    assertEquals(List.of(), sys.validate());
  }

  @Test
  void kmalloc_alignmentHonouredUpToFrameSize() {
    Random r = new Random(7);
    for (int align = 1; align <= 4096; align <<= 1) {
      List<Long> got = new ArrayList<>();
      for (int i = 0; i < 150; i++) {
        long size = 1 + r.nextInt(i % 10 == 0 ? 9000 : 300);
        long a = sys.kmalloc(size, align);
        assertNotEquals(0, a);
        assertEquals(0, a % align, "kmalloc(" + size + ", " + align + ")");
        assertTrue(sys.ksize(a) >= size);
        got.add(a);
      }
      for (long a : got) {
        sys.kfree(a);
      }
    }
    assertEquals(List.of(), sys.validate());
  }

  @Test
  void kfree_findsTheCacheFromTheAddress() {
    KmemCache k96 = sys.cache("kmalloc-96");
    KmemCache k4k = sys.cache("kmalloc-4k");
    k96.core().flushAll();
    k4k.core().flushAll();
    long base96 = k96.counts().activeObjs();
    long base4k = k4k.counts().activeObjs();
    long a = sys.kmalloc(70);
    long b = sys.kmalloc(3000);
    assertEquals(k96.core(), k96.core().slabOf(a).cache());
    assertEquals(k4k.core(), k4k.core().slabOf(b).cache());
    sys.kfree(b);
    sys.kfree(a);
    k96.core().flushAll();
    k4k.core().flushAll();
    assertEquals(base96, k96.counts().activeObjs());
    assertEquals(base4k, k4k.counts().activeObjs());
  }

  @Test
  void kmallocCaches_namedLikeTheKernel() {
    List<String> names = new ArrayList<>();
    for (KmemCache c : sys.caches()) {
      if (c.name().startsWith("kmalloc-")) {
        names.add(c.name());
      }
    }
    assertEquals(List.of("kmalloc-8", "kmalloc-16", "kmalloc-32", "kmalloc-64", "kmalloc-96",
        "kmalloc-128", "kmalloc-192", "kmalloc-256", "kmalloc-512", "kmalloc-1k", "kmalloc-2k",
        "kmalloc-4k", "kmalloc-8k", "kmalloc-16k", "kmalloc-32k", "kmalloc-64k", "kmalloc-128k",
        "kmalloc-256k", "kmalloc-512k", "kmalloc-1M", "kmalloc-2M", "kmalloc-4M", "kmalloc-8M"),
        names);
    assertEquals("kmalloc-1k", KmallocCaches.name(1024));
    assertEquals("kmalloc-8M", KmallocCaches.name(8 << 20));
  }
}
