package jslub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import jslub.slab.FreeError;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for the broken promises of issue 10: each case the issue lists, refused with
 * the right exception and message, and a refused call changes nothing.
 */
class PromisesKeptTest {
  private static String hex(long a) {
    return "0x" + Long.toHexString(a);
  }

  /** Everything freed and shrunk: the frames all come back and validate() is clean. */
  private static void drains(TestSystem t, KmemCache c, long... live) {
    for (long a : live) {
      c.free(a);
    }
    t.sys.shrink();
    assertEquals(List.of(), t.sys.validate());
    assertEquals(0, c.counts().activeObjs());
    assertEquals(0, t.framesInUse(), "every frame back");
  }

  private static long[] fill(TestSystem t, KmemCache c, int n) {
    long[] a = new long[n];
    for (int i = 0; i < n; i++) {
      a[i] = c.alloc();
      t.sys.segment(a[i], 8).set(ValueLayout.JAVA_LONG_UNALIGNED, 0, a[i]);
    }
    return a;
  }

  private static void intact(TestSystem t, long... live) {
    for (long a : live) {
      assertEquals(a, t.sys.segment(a, 8).get(ValueLayout.JAVA_LONG_UNALIGNED, 0),
          "object " + hex(a) + " overwritten");
    }
  }

  @Test
  void freeBulk_alreadyFreeOnTheCpuFreelistIsRefusedAndChangesNothing() {
    try (TestSystem t = TestSystem.of(1, 4L << 20, "")) {
      KmemCache c = t.sys.createCache("c", 64, 0);
      long[] a = fill(t, c, 4);
      c.free(a[1]); // x: now on the CPU freelist (but not its head after the next free)
      c.free(a[3]);
      long active = c.counts().activeObjs();
      long[] batch = {a[0], a[1]};
      InvalidFreeException e = assertThrows(InvalidFreeException.class,
          () -> c.freeBulk(batch, 2));
      assertEquals(FreeError.ALREADY_FREE, e.reason());
      assertEquals(a[1], e.address());
      assertEquals("c: Object already free " + hex(a[1]), e.getMessage());
      assertArrayEquals(new long[] {a[0], a[1]}, batch, "a refused batch is left untouched");
      assertEquals(active, c.counts().activeObjs());
      intact(t, a[0], a[2]);
      assertEquals(List.of(), c.validate());
      drains(t, c, a[0], a[2]);
    }
  }

  @Test
  void freeBulk_alreadyFreeOnTheSlabFreelistIsRefused() {
    try (TestSystem t = TestSystem.of(2, 4L << 20, "")) {
      KmemCache c = t.sys.createCache("c", 64, 0);
      t.onCpu(0);
      long[] a = fill(t, c, 4);
      t.onCpu(1);
      c.free(a[1]); // a remote free: onto the slab's own freelist
      c.free(a[2]);
      t.onCpu(0);
      InvalidFreeException e = assertThrows(InvalidFreeException.class,
          () -> c.freeBulk(new long[] {a[3], a[1]}, 2));
      assertEquals(a[1], e.address());
      intact(t, a[0], a[3]);
      assertEquals(List.of(), c.validate());
      assertEquals(2, c.counts().activeObjs());
      drains(t, c, a[0], a[3]);
    }
  }

  @Test
  void freeBulk_duplicateInTheBatchIsRefusedWithAndWithoutDebug() {
    for (String debug : new String[] {"", "F"}) {
      try (TestSystem t = TestSystem.of(1, 4L << 20, debug)) {
        KmemCache c = t.sys.createCache("c", 64, 0);
        long[] a = fill(t, c, 3);
        c.core().flushAll();
        long active = c.counts().activeObjs();
        InvalidFreeException e = assertThrows(InvalidFreeException.class,
            () -> c.freeBulk(new long[] {a[0], a[1], a[0]}, 3));
        assertEquals(FreeError.ALREADY_FREE, e.reason());
        assertEquals(a[0], e.address(), "debug=" + debug);
        assertEquals(active, c.counts().activeObjs(), "nothing freed, debug=" + debug);
        assertEquals(List.of(), c.validate());
        intact(t, a);
        drains(t, c, a);
      }
    }
  }

  @Test
  void freeBulk_doubleFreeOfAFreedObjectWithDebugRefusedBeforeAnyFree() {
    try (TestSystem t = TestSystem.of(1, 4L << 20, "F")) {
      KmemCache c = t.sys.createCache("c", 64, 0);
      long[] a = fill(t, c, 3);
      c.free(a[2]);
      InvalidFreeException e = assertThrows(InvalidFreeException.class,
          () -> c.freeBulk(new long[] {a[0], a[1], a[2]}, 3));
      assertEquals(a[2], e.address());
      assertEquals(2, c.counts().activeObjs());
      drains(t, c, a[0], a[1]);
    }
  }

  @Test
  void builder_frameSizeTooLargeForKmalloc8IsRefusedNamingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SlabSystem.builder().frameSize(1 << 18));
    assertTrue(e.getMessage().startsWith("frameSize 262144 is not a power of two in [64, 131072]"),
        e.getMessage());
    try (SlabSystem sys = SlabSystem.builder().frameSize(SlabSystem.MAX_FRAME_SIZE).cpus(1)
        .memoryBytes(8L << 20).build()) {
      long a = sys.kmalloc(8);
      assertTrue(a != 0);
      sys.kfree(a);
      assertEquals(List.of(), sys.validate());
    }
  }

  @Test
  void arenaAndSegmentAllocator_checkBeforeAllocating() {
    try (TestSystem t = TestSystem.of(1, 4L << 20, "")) {
      KmemCache k8 = t.sys.cache("kmalloc-8");
      try (Arena arena = t.sys.newArena()) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> arena.allocate(-5, 8));
        assertEquals("bad size -5: outside [0, 8388608]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> arena.allocate(16, 3));
      }
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> t.sys.asSegmentAllocator().allocate(-5, 8));
      assertEquals("bad size -5: outside [0, 8388608]", e.getMessage());
      assertThrows(IllegalArgumentException.class,
          () -> t.sys.asSegmentAllocator().allocate((8L << 20) + 1, 8));
      t.sys.shrink();
      assertEquals(0, k8.counts().activeObjs(), "no kmalloc-8 object leaked");
      assertEquals(0, t.framesInUse());
    }
  }

  @Test
  void segment_isBoundedByTheObject() {
    try (TestSystem t = TestSystem.of(1, 4L << 20, "")) {
      KmemCache c = t.sys.createCache("hundred", 100, 0);
      long a = c.alloc();
      long b = c.alloc();
      assertEquals(100, t.sys.segment(a, 100).byteSize());
      assertEquals(50, t.sys.segment(a + 50, 50).byteSize());
      IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
          () -> t.sys.segment(a, 1024));
      assertEquals("segment(" + hex(a) + ", 1024) runs past its object [" + hex(a) + ", "
          + hex(a + 100) + ") of hundred", e.getMessage());
      assertThrows(IndexOutOfBoundsException.class, () -> t.sys.segment(a + 50, 51));
      assertThrows(IndexOutOfBoundsException.class, () -> t.sys.segment(a, -1));
      e = assertThrows(IndexOutOfBoundsException.class, () -> t.sys.segment(8, 8));
      assertEquals("segment(0x8, 8): the address is in no slab object and starts no kmalloc_large block", e.getMessage());
      long k = t.sys.kmalloc(100); // kmalloc-128: the whole class is usable
      assertEquals(128, t.sys.segment(k, 128).byteSize());
      assertThrows(IndexOutOfBoundsException.class, () -> t.sys.segment(k, 129));
      t.sys.kfree(k);
      drains(t, c, a, b);
    }
  }

  @Test
  void createCache_alignTooLargeSaysSo() {
    try (SlabSystem sys = SlabSystem.builder().cpus(1).memoryBytes(4L << 20).build()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> sys.createCache("big", 64, 16 << 20));
      assertEquals("kmem_cache_create(big): align 16777216 is larger than the largest object"
          + " (8388608)", e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> sys.createCache("odd", 64, 24));
      assertEquals("kmem_cache_create(odd): align 24 is not a power of two", e.getMessage());
    }
  }

  @Test
  void kfree_inTheReservedFrameIsNotASlabObject() {
    try (TestSystem t = TestSystem.of(1, 4L << 20, "")) {
      InvalidFreeException e = assertThrows(InvalidFreeException.class, () -> t.sys.kfree(8));
      assertEquals(FreeError.NOT_SLAB, e.reason());
      assertEquals("kfree: Attempt to free object outside of slab 0x8", e.getMessage());
      KmemCache c = t.sys.createCache("c", 64, 0);
      e = assertThrows(InvalidFreeException.class, () -> c.free(8));
      assertEquals(FreeError.NOT_SLAB, e.reason());
      assertEquals(List.of(), t.sys.validate());
      assertEquals(0, t.framesInUse());
    }
  }

  @Test
  void infoRow_unknownNameIsNull() {
    try (SlabSystem sys = SlabSystem.builder().cpus(1).memoryBytes(4L << 20).build()) {
      assertNull(sys.info().row("nope"));
      assertEquals("kmalloc-8", sys.info().row("kmalloc-8").name());
    }
  }

  @Test
  void segment_writeThroughAFullObjectKeepsTheNeighboursFreelist() {
    try (TestSystem t = TestSystem.of(1, 4L << 20, "")) {
      KmemCache c = t.sys.createCache("hundred", 100, 0);
      long a = c.alloc();
      MemorySegment s = t.sys.segment(a, 100);
      s.fill((byte) -1);
      long[] more = new long[30];
      for (int i = 0; i < more.length; i++) {
        more[i] = c.alloc();
      }
      assertEquals(List.of(), c.validate());
      c.freeBulk(more, more.length);
      drains(t, c, a);
    }
  }
}
