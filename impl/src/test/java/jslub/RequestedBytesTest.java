package jslub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * Requested-size accounting ({@code trackRequested}, slub_debug's orig_size) as {@code usage()}
 * shows it: kmalloc adds the size asked for, kfree takes it away, an in-place krealloc replaces
 * it, and a refused kfree (double free, interior pointer) leaves the books as they were. Objects
 * of named caches that kfree frees stay out of the kmalloc books; untracked, usage() says -1.
 */
class RequestedBytesTest {
  private static MemoryUsage.CacheUsage row(SlabSystem s, String name) {
    return s.usage().caches().stream().filter(r -> r.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no row " + name + " in " + s.usage()));
  }

  @Test
  void slabObjectsAsked() {
    try (SlabSystem s = SlabSystem.builder().cpus(2).memoryBytes(4L << 20).trackRequested(true)
        .build()) {
      long a = s.kmalloc(100);
      long b = s.kmalloc(70);
      assertEquals(100, row(s, "kmalloc-128").requestedBytes());
      assertEquals(1, row(s, "kmalloc-128").liveObjects());
      assertEquals(70, row(s, "kmalloc-96").requestedBytes());
      assertEquals(a, s.krealloc(a, 120), "in place");
      assertEquals(120, row(s, "kmalloc-128").requestedBytes());
      assertThrows(InvalidFreeException.class, () -> s.kfree(a + 8));
      assertEquals(120, row(s, "kmalloc-128").requestedBytes(), "a refused kfree changes nothing");
      assertEquals(1, row(s, "kmalloc-128").liveObjects());
      s.kfree(a);
      assertThrows(InvalidFreeException.class, () -> s.kfree(a), "double free of the head");
      assertEquals(0, row(s, "kmalloc-128").requestedBytes());
      assertEquals(0, row(s, "kmalloc-128").liveObjects());
      s.kfree(b);
      assertEquals(0, row(s, "kmalloc-96").requestedBytes());
    }
  }

  @Test
  void largeBlocksAsked() {
    try (SlabSystem s = SlabSystem.builder().cpus(2).memoryBytes(4L << 20).trackRequested(true)
        .build()) {
      long a = s.kmalloc(20_000);
      assertEquals(20_000, row(s, "large").requestedBytes());
      assertEquals(1, row(s, "large").liveObjects());
      assertEquals(8, row(s, "large").frames(), "20,000 bytes: an order-3 block");
      assertThrows(InvalidFreeException.class, () -> s.kfree(a + 4096));
      assertThrows(InvalidFreeException.class, () -> s.kfree(a + 8), "inside the head frame");
      assertEquals(20_000, row(s, "large").requestedBytes());
      s.kfree(a);
      assertThrows(InvalidFreeException.class, () -> s.kfree(a));
      assertEquals(0, row(s, "large").requestedBytes());
      assertEquals(0, row(s, "large").liveObjects());
      assertEquals(0, s.framesInUse());
    }
  }

  private static SlabSystem tracked() {
    return SlabSystem.builder().cpus(2).memoryBytes(4L << 20).trackRequested(true).build();
  }

  /** kmalloc-8 is class 0; a+4 lies in a's first 8-byte granule, where its size is kept. */
  @Test
  void smallestClassAsked() {
    try (SlabSystem s = tracked()) {
      long a = s.kmalloc(5);
      assertEquals(5, row(s, "kmalloc-8").requestedBytes());
      assertEquals(a, s.krealloc(a, 7), "in place");
      assertEquals(7, row(s, "kmalloc-8").requestedBytes());
      assertThrows(InvalidFreeException.class, () -> s.kfree(a + 4));
      assertEquals(7, row(s, "kmalloc-8").requestedBytes(), "a refused kfree changes nothing");
      assertEquals(1, row(s, "kmalloc-8").liveObjects());
      s.kfree(a);
      assertEquals(0, row(s, "kmalloc-8").requestedBytes());
      assertEquals(0, row(s, "kmalloc-8").liveObjects());
    }
  }

  /**
   * kfree of a named cache's object: one of kmalloc-8's size (not the class's cache) and one
   * past the largest kmalloc class (16 KiB with 4 KiB frames).
   */
  @Test
  void namedCachesStayOutOfTheKmallocBooks() {
    try (SlabSystem s = tracked()) {
      KmemCache small = s.createCache("small", 8, 0);
      KmemCache big = s.createCache("big", 16384, 0);
      long k = s.kmalloc(5);
      long o = small.alloc();
      long p = big.alloc();
      s.kfree(o);
      s.kfree(p);
      assertEquals(5, row(s, "kmalloc-8").requestedBytes());
      assertEquals(1, row(s, "kmalloc-8").liveObjects());
      assertEquals(0, row(s, "large").requestedBytes());
      s.kfree(k);
      assertEquals(0, row(s, "kmalloc-8").liveObjects());
    }
  }

  /**
   * Without tracking, usage() takes live objects from slabinfo's active_objs (which counts a CPU
   * slab's objects as active, as the kernel does) and says -1 for requested bytes.
   */
  @Test
  void untrackedBooks() {
    try (SlabSystem s = SlabSystem.builder().cpus(2).memoryBytes(4L << 20).build()) {
      long a = s.kmalloc(100);
      long big = s.kmalloc(20_000);
      assertEquals(s.cache("kmalloc-128").counts().activeObjs(),
          row(s, "kmalloc-128").liveObjects());
      assertEquals(-1, row(s, "kmalloc-128").requestedBytes());
      assertEquals(1, row(s, "large").liveObjects());
      assertEquals(-1, row(s, "large").requestedBytes());
      assertEquals(-1, s.usage().requestedBytes());
      s.kfree(a);
      s.kfree(big);
      assertEquals(0, row(s, "large").liveObjects());
    }
  }
}
