package jslub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * Requested-size accounting ({@code trackRequested}, slub_debug's orig_size) as {@code usage()}
 * shows it: kmalloc adds the size asked for, kfree takes it away, an in-place krealloc replaces
 * it, and a refused kfree (double free, interior pointer) leaves the books as they were.
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
      assertEquals(20_000, row(s, "large").requestedBytes());
      s.kfree(a);
      assertThrows(InvalidFreeException.class, () -> s.kfree(a));
      assertEquals(0, row(s, "large").requestedBytes());
      assertEquals(0, row(s, "large").liveObjects());
      assertEquals(0, s.framesInUse());
    }
  }
}
