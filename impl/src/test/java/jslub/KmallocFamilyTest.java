package jslub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import jslub.kmalloc.Kmalloc;
import jslub.memory.BuddyFrameAllocator;
import org.junit.jupiter.api.Test;

/**
 * The kmalloc family against the kernel's documented behaviour (mm/slab_common.c,
 * include/linux/slab.h): krealloc, kzalloc, kcalloc, kmalloc_array, kmem_cache_zalloc, ksize,
 * kfree_sensitive, kmalloc_large, direct reclaim and accounting.
 */
class KmallocFamilyTest {
  private static SlabSystem sys(boolean reclaim, boolean slabsTo8M, long mem) {
    return SlabSystem.builder().cpus(2).memoryBytes(mem).reclaim(reclaim)
        .kmallocSlabsTo8M(slabsTo8M).trackRequested(true).build();
  }

  private static void fill(SlabSystem s, long a, long n, int seed) {
    for (long i = 0; i < n; i++) {
      s.memory().putByte(a + i, (byte) (seed + i * 31));
    }
  }

  private static void check(SlabSystem s, long a, long n, int seed) {
    for (long i = 0; i < n; i++) {
      assertEquals((byte) (seed + i * 31), s.memory().getByte(a + i), "byte " + i);
    }
  }

  @Test
  void krealloc_inPlaceWhileKsizeHolds_elseMovesAndKeepsContents() {
    try (SlabSystem s = sys(true, false, 64L << 20)) {
      long a = s.kmalloc(100); // kmalloc-128
      fill(s, a, 100, 7);
      assertEquals(a, s.krealloc(a, 128), "ksize 128 still holds 128 bytes: in place");
      assertEquals(a, s.krealloc(a, 20), "shrinking stays in place");
      long b = s.krealloc(a, 129); // kmalloc-192: moves
      assertNotEquals(a, b);
      assertEquals(192, s.ksize(b));
      check(s, b, 100, 7);
      assertThrows(InvalidFreeException.class, () -> s.kfree(a), "old object was freed");
      long c = s.krealloc(b, 50_000); // large block
      assertEquals(0, c % 4096);
      assertEquals(65536, s.ksize(c));
      check(s, c, 100, 7);
      long d = s.krealloc(c, 300);
      check(s, d, 100, 7);
      assertEquals(Kmalloc.ZERO_SIZE_PTR, s.krealloc(d, 0), "krealloc(p, 0) frees p");
      assertThrows(InvalidFreeException.class, () -> s.kfree(d));
      long e = s.krealloc(0, 40);
      assertEquals(64, s.ksize(e), "krealloc(NULL, n) is kmalloc(n)");
      s.kfree(e);
      assertThrows(InvalidFreeException.class, () -> s.krealloc(e + 8, 100));
      assertThrows(InvalidFreeException.class, () -> s.krealloc(8, 100), "in no slab or block");
      assertEquals(List.of(), s.validate());
    }
  }

  @Test
  void krealloc_failureLeavesTheOldObject() {
    try (SlabSystem s = sys(true, false, 1L << 20)) {
      long a = s.kmalloc(64);
      fill(s, a, 64, 3);
      assertEquals(0, s.krealloc(a, 4L << 20), "no 4 MiB in a 1 MiB arena");
      check(s, a, 64, 3);
      s.kfree(a);
    }
  }

  @Test
  void kzalloc_kcalloc_kmemCacheZalloc_zero() {
    try (SlabSystem s = sys(true, false, 64L << 20)) {
      for (int round = 0; round < 2; round++) {
        long dirty = s.kmalloc(200);
        s.memory().fill(dirty, 256, (byte) -1);
        s.kfree(dirty);
        long z = s.kzalloc(200); // the same slot comes back first (LIFO freelist)
        assertEquals(dirty, z);
        for (int i = 0; i < 256; i++) {
          assertEquals(0, s.memory().getByte(z + i));
        }
        s.kfree(z);
      }
      long big = s.kmalloc(20_000);
      s.memory().fill(big, 32768, (byte) 9);
      s.kfree(big);
      long c = s.kcalloc(5000, 4);
      for (int i = 0; i < s.ksize(c); i++) {
        assertEquals(0, s.memory().getByte(c + i));
      }
      s.kfree(c);
      KmemCache k = s.createCache("z", 40, 8);
      long o = k.alloc();
      s.memory().fill(o, 40, (byte) 5);
      k.free(o);
      long o2 = k.zalloc();
      assertEquals(o, o2);
      for (int i = 0; i < 40; i++) {
        assertEquals(0, s.memory().getByte(o2 + i));
      }
      k.free(o2);
    }
  }

  @Test
  void kmallocArray_overflowIsNull_negativeIsRefused() {
    try (SlabSystem s = sys(true, false, 64L << 20)) {
      assertEquals(0, s.kmallocArray(Long.MAX_VALUE / 2, 3));
      assertEquals(0, s.kcalloc(1L << 32, 1L << 32));
      assertEquals(0, s.kmallocArray(3, 4L << 20), "12 MiB > KMALLOC_MAX_SIZE");
      assertThrows(IllegalArgumentException.class, () -> s.kmallocArray(-1, 8));
      long a = s.kmallocArray(10, 12);
      assertEquals(128, s.ksize(a));
      s.kfree(a);
      assertEquals(Kmalloc.ZERO_SIZE_PTR, s.kmallocArray(0, 8));
      assertEquals(Kmalloc.ZERO_SIZE_PTR, s.kmallocArray(8, 0), "8 elements of 0 bytes");
    }
  }

  /** With the seed's layout (slab classes up to 8 MiB) the largest request is a kmalloc-8M object. */
  @Test
  void theLargestRequestInTheSeedLayoutIsASlabObject() {
    try (TestSystem t = TestSystem.of(1, 32L << 20, "")) {
      long a = t.sys.kmalloc(8L << 20);
      assertNotEquals(0, a);
      assertEquals("kmalloc-8M", java.util.Objects.requireNonNull(
          t.sys.machine().memmap().slabOf(a)).cache().name());
      t.sys.kfree(a);
    }
  }

  @Test
  void failureConvention_nullZeroSizePtrAndExceptions() {
    try (SlabSystem s = sys(true, false, 64L << 20)) {
      assertEquals(Kmalloc.ZERO_SIZE_PTR, s.kmalloc(0));
      assertEquals(0, s.ksize(Kmalloc.ZERO_SIZE_PTR));
      s.kfree(Kmalloc.ZERO_SIZE_PTR);
      s.kfree(0);
      assertEquals(0, s.kmalloc((8L << 20) + 1), "above KMALLOC_MAX_SIZE: NULL");
      assertThrows(IllegalArgumentException.class, () -> s.kmalloc(-1));
      assertThrows(IllegalArgumentException.class, () -> s.kmalloc(64, 24));
    }
  }

  @Test
  void kfreeSensitive_zeroesBeforeFreeing() {
    try (SlabSystem s = sys(true, false, 64L << 20)) {
      long a = s.kmalloc(64);
      s.memory().fill(a, 64, (byte) 0x77);
      s.kfreeSensitive(a);
      for (int i = 0; i < 64; i++) { // bytes 32..39 now hold the hardened free pointer
        if (i < 32 || i >= 40) { // (s->offset: the middle of the object, as in the kernel)
          assertEquals(0, s.memory().getByte(a + i), "byte " + i);
        }
      }
      long big = s.kmalloc(100_000);
      s.memory().fill(big, s.ksize(big), (byte) 0x66);
      s.kfreeSensitive(big);
      for (long i = 0; i < 131072; i += 4096) {
        assertEquals(0, s.memory().getByte(big + i));
      }
      assertThrows(InvalidFreeException.class, () -> s.kfreeSensitive(a));
      assertThrows(InvalidFreeException.class, () -> s.kfreeSensitive(8), "in no slab or block");
    }
  }

  @Test
  void kmallocLarge_wholeNaturallyAlignedFrames_kfreeAndKsizeWork() {
    try (SlabSystem s = sys(true, false, 64L << 20)) {
      BuddyFrameAllocator buddy = (BuddyFrameAllocator) s.frameAllocator();
      long free0 = buddy.freeFrameCount();
      assertEquals(null, s.cache("kmalloc-16k"), "no slab class above 2 frames");
      assertNotEquals(null, s.cache("kmalloc-8k"));
      long a = s.kmalloc(8193);
      assertEquals(16384, s.ksize(a));
      assertEquals(0, a % 16384, "naturally aligned");
      assertEquals(free0 - 4, buddy.freeFrameCount());
      long b = s.kmalloc(3L << 20);
      assertEquals(4L << 20, s.ksize(b));
      assertEquals(0, b % (4L << 20));
      assertThrows(InvalidFreeException.class, () -> s.kfree(a + 4096), "interior pointer");
      MemoryUsage u = s.usage();
      MemoryUsage.CacheUsage large = u.caches().get(u.caches().size() - 1);
      assertEquals("large", large.name());
      assertEquals(2, large.liveObjects());
      assertEquals(4 + 1024, large.frames());
      assertEquals(8193 + (3L << 20), large.requestedBytes());
      s.kfree(a);
      assertThrows(InvalidFreeException.class, () -> s.kfree(a), "double free of a large block");
      s.kfree(b);
      assertEquals(free0, buddy.freeFrameCount(), "every frame back without any shrink");
      assertEquals(0, s.usage().caches().get(s.usage().caches().size() - 1).frames());
    }
  }

  @Test
  void slabsTo8M_optionKeepsTheSeedClasses() {
    try (SlabSystem s = sys(true, true, 64L << 20)) {
      assertNotEquals(null, s.cache("kmalloc-8M"));
      long a = s.kmalloc(8193);
      assertEquals("kmalloc-16k", s.machine().memmap().slabOf(a).cache().name());
      s.kfree(a);
    }
  }

  /** The scenario: 14 × kmalloc(4 MiB) freed, then kmalloc(8 MiB). */
  @Test
  void reclaim_shrinksAndRetriesOnce_andCanBeTurnedOff() {
    for (boolean reclaim : new boolean[] {true, false}) {
      try (SlabSystem s = sys(reclaim, true, 64L << 20)) {
        List<Long> got = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
          got.add(s.kmalloc(4L << 20));
        }
        got.forEach(s::kfree);
        long big = s.kmalloc(8L << 20);
        MemoryUsage u = s.usage();
        if (reclaim) {
          assertNotEquals(0, big, "reclaim gives the empty slabs back, the retry succeeds");
          assertEquals(1, u.reclaimRuns());
          assertEquals(1, u.reclaimSaved());
          assertTrue(u.reclaimFrames() > 0);
        } else {
          assertEquals(0, big, "without reclaim the empty slabs stay held");
          assertEquals(0, u.reclaimRuns());
        }
      }
    }
  }

  @Test
  void usage_accountsFramesSlabsLiveAndRequested() {
    try (SlabSystem s = sys(true, false, 64L << 20)) {
      long a = s.kmalloc(100);
      long b = s.kmalloc(100);
      long c = s.kmalloc(1000);
      MemoryUsage u = s.usage();
      MemoryUsage.CacheUsage k128 = u.caches().stream()
          .filter(r -> r.name().equals("kmalloc-128")).findFirst().orElseThrow();
      assertEquals(2, k128.liveObjects());
      assertEquals(256, k128.liveBytes());
      assertEquals(200, k128.requestedBytes());
      assertEquals(1000 + 200, u.requestedBytes());
      long held = 0;
      for (KmemCache k : s.caches()) {
        held += k.core().framesHeld();
      }
      assertEquals(held, u.framesInUse());
      assertEquals(held * 4096, u.slabBytes());
      s.kfree(a);
      s.kfree(b);
      s.kfree(c);
      assertEquals(0, s.usage().requestedBytes());
    }
  }

  /**
   * Requested-size accounting under cross-CPU reuse: an object freed on one thread is allocated
   * at once by another that shares its virtual CPU. The books must balance when all is freed.
   */
  @Test
  void usage_requestedBytesBalanceUnderConcurrentReuse() throws Exception {
    try (SlabSystem s = SlabSystem.builder().cpus(1).memoryBytes(16L << 20)
        .trackRequested(true).build()) {
      Thread[] ts = new Thread[4];
      Throwable[] err = new Throwable[1];
      for (int t = 0; t < ts.length; t++) {
        int me = t;
        ts[t] = new Thread(() -> {
          for (int i = 0; i < 200_000; i++) {
            long a = s.kmalloc(65 + (i + me) % 32); // kmalloc-96, sizes differ per thread
            s.kfree(a);
          }
        });
        ts[t].setUncaughtExceptionHandler((x, e) -> err[0] = e);
        ts[t].start();
      }
      for (Thread t : ts) {
        t.join();
      }
      assertNull(err[0]);
      MemoryUsage u = s.usage();
      assertEquals(0, u.requestedBytes(), u.toString());
      assertTrue(u.caches().stream().allMatch(c -> c.liveObjects() == 0), u.toString());
    }
  }
}
