package jslub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Objects;
import org.junit.jupiter.api.Test;

/** slabinfo's flags column: "F" for every cache of a system built with debug F, else empty. */
class SlabInfoFlagsTest {
  private static String flags(SlabSystem s, String name) {
    return Objects.requireNonNull(s.info().row(name), name).flags();
  }

  @Test
  void debugCachesShowF() {
    try (SlabSystem s = SlabSystem.builder().cpus(2).memoryBytes(4L << 20).debug("F").build()) {
      s.createCache("c", 64, 0);
      assertEquals("F", flags(s, "c"));
      assertEquals("F", flags(s, "kmalloc-64"));
    }
    try (SlabSystem s = SlabSystem.builder().cpus(2).memoryBytes(4L << 20).build()) {
      s.createCache("c", 64, 0);
      assertEquals("", flags(s, "c"));
      assertEquals("", flags(s, "kmalloc-64"));
    }
  }
}
