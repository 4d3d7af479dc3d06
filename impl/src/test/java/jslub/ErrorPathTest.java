package jslub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import jslub.memory.BuddyFrameAllocator;
import jslub.memory.FaultyFrameAllocator;
import jslub.memory.FrameAllocator;
import jslub.memory.PhysicalMemory;
import jslub.slab.FreeError;
import org.junit.jupiter.api.Test;

/** docs/VERIFICATION.md §5: every bad input gets a typed error and leaves the allocator valid. */
class ErrorPathTest {
  private static final class Sys implements AutoCloseable {
    BuddyFrameAllocator buddy;
    final SlabSystem sys;
    final long startFree;

    Sys(String debug, Function<BuddyFrameAllocator, FrameAllocator> wrap) {
      sys = SlabSystem.builder().cpus(2).memoryBytes(16L << 20).debug(debug)
          .frameAllocator((PhysicalMemory m) -> {
            buddy = new BuddyFrameAllocator(m.bytes(), m.frameSize());
            return wrap.apply(buddy);
          }).build();
      startFree = buddy.freeFrameCount();
    }

    Sys(String debug) {
      this(debug, b -> b);
    }

    @Override
    public void close() {
      sys.close();
    }
  }

  /** Runs a bad call that must throw {@code type}, then checks nothing changed. */
  private static <T extends Throwable> T refused(Sys s, KmemCache c, Class<T> type, Runnable bad) {
    c.core().flushAll();
    long active = c.counts().activeObjs();
    long frames = s.buddy.freeFrameCount();
    T e = assertThrows(type, bad::run);
    assertEquals(List.of(), s.sys.validate());
    assertEquals(active, c.counts().activeObjs());
    assertEquals(frames, s.buddy.freeFrameCount());
    return e;
  }

  @Test
  void kmemCacheFree_nullIsInvalid() {
    try (Sys s = new Sys("")) {
      KmemCache c = s.sys.createCache("c", 48, 0);
      InvalidFreeException e = refused(s, c, InvalidFreeException.class, () -> c.free(0));
      assertEquals(FreeError.NULL_POINTER, e.reason());
    }
  }

  @Test
  void kfree_nullIsNoOp() {
    try (Sys s = new Sys("")) {
      s.sys.kfree(0);
      assertEquals(List.of(), s.sys.validate());
    }
  }

  @Test
  void free_addressOutsideArena() {
    try (Sys s = new Sys("")) {
      KmemCache c = s.sys.createCache("c", 48, 0);
      long a = c.alloc();
      long outside = s.sys.memory().bytes() + 64;
      assertEquals(FreeError.OUTSIDE_ARENA,
          refused(s, c, InvalidFreeException.class, () -> c.free(outside)).reason());
      assertEquals(FreeError.OUTSIDE_ARENA,
          refused(s, c, InvalidFreeException.class, () -> c.free(-64)).reason());
      refused(s, c, InvalidFreeException.class, () -> s.sys.kfree(outside));
      c.free(a);
    }
  }

  @Test
  void free_insideArenaButNotInSlab() {
    try (Sys s = new Sys("")) {
      KmemCache c = s.sys.createCache("c", 48, 0);
      long a = c.alloc();
      long frame = 0;
      for (long f = s.sys.memory().bytes() - 4096; f > 0; f -= 4096) {
        if (s.sys.machine().memmap().slabOf(f) == null) {
          frame = f;
          break;
        }
      }
      long addr = frame + 64;
      InvalidFreeException e = refused(s, c, InvalidFreeException.class, () -> c.free(addr));
      assertEquals(FreeError.NOT_SLAB, e.reason());
      assertTrue(e.getMessage().contains("Attempt to free object outside of slab"));
      assertEquals(FreeError.NOT_SLAB,
          refused(s, c, InvalidFreeException.class, () -> s.sys.kfree(addr)).reason());
      c.free(a);
    }
  }

  @Test
  void checkValidPointer_interiorPointerRefused() {
    try (Sys s = new Sys("")) {
      KmemCache c = s.sys.createCache("c", 48, 0);
      long a = c.alloc();
      assertEquals(FreeError.NOT_OBJECT,
          refused(s, c, InvalidFreeException.class, () -> c.free(a + 8)).reason());
      assertEquals(FreeError.NOT_OBJECT,
          refused(s, c, InvalidFreeException.class, () -> s.sys.kfree(a + 1)).reason());
      c.free(a);
      assertEquals(List.of(), s.sys.validate());
    }
  }

  @Test
  void cacheFromObj_wrongCacheRefusedWithKernelMessage() {
    try (Sys s = new Sys("")) {
      KmemCache x = s.sys.createCache("X", 64, 0);
      KmemCache y = s.sys.createCache("Y", 64, 0);
      long a = y.alloc();
      InvalidFreeException e = refused(s, x, InvalidFreeException.class, () -> x.free(a));
      assertEquals(FreeError.WRONG_CACHE, e.reason());
      assertTrue(e.getMessage().contains("Wrong slab cache. X but object is from Y"),
          e.getMessage());
      y.free(a);
      assertEquals(List.of(), s.sys.validate());
    }
  }

  @Test
  void doubleFree_immediateCaughtWithoutDebugAsFreelistHead() {
    try (Sys s = new Sys("")) {
      KmemCache c = s.sys.createCache("c", 64, 0);
      long a = c.alloc();
      long b = c.alloc();
      c.free(a);
      InvalidFreeException e = refused(s, c, InvalidFreeException.class, () -> c.free(a));
      assertEquals(FreeError.ALREADY_FREE, e.reason());
      assertTrue(e.getMessage().contains("Object already free"));
      c.free(b);
      c.core().flushAll();
      assertEquals(0, c.counts().activeObjs());
    }
  }

  @Test
  void doubleFree_delayedCaughtWithDebugF() {
    try (Sys s = new Sys("F")) {
      KmemCache c = s.sys.createCache("d", 32, 0);
      long a = c.alloc();
      long b = c.alloc();
      long k = c.alloc();
      c.free(a);
      c.free(b);
      InvalidFreeException e = refused(s, c, InvalidFreeException.class, () -> c.free(a));
      assertTrue(e.getMessage().contains("Object already free"), e.getMessage());
      assertTrue(c.reports().stream().anyMatch(r -> r.contains("Object already free")));
      c.free(k);
      assertEquals(List.of(), s.sys.validate());
    }
  }

  @Test
  void doubleFree_crossThreadCaughtWithDebugF() throws Exception {
    try (Sys s = new Sys("F")) {
      KmemCache c = s.sys.createCache("d", 32, 0);
      long keep = c.alloc();
      long[] got = new long[4];
      Thread t = new Thread(() -> {
        for (int i = 0; i < got.length; i++) {
          got[i] = c.alloc();
        }
        c.free(got[1]);
        c.free(got[2]);
      });
      t.start();
      t.join();
      InvalidFreeException e = refused(s, c, InvalidFreeException.class, () -> c.free(got[1]));
      assertTrue(e.getMessage().contains("Object already free"));
      c.free(got[0]);
      c.free(got[3]);
      c.free(keep);
      assertEquals(List.of(), s.sys.validate());
      assertEquals(0, c.counts().activeObjs());
    }
  }

  @Test
  void kmemCacheDestroy_afterDestroyEveryCallThrows() {
    try (Sys s = new Sys("")) {
      KmemCache c = s.sys.createCache("gone", 64, 0);
      long a = c.alloc();
      c.free(a);
      c.destroy();
      assertThrows(CacheDestroyedException.class, c::alloc);
      assertThrows(CacheDestroyedException.class, () -> c.free(a));
      assertThrows(CacheDestroyedException.class, c::destroy);
      assertThrows(CacheDestroyedException.class, c::shrink);
      assertNull(s.sys.cache("gone"));
      assertEquals(s.startFree, s.buddy.freeFrameCount(), "destroy gave every frame back");
      s.sys.createCache("gone", 64, 0); // the name is free again
    }
  }

  @Test
  void kmemCacheDestroy_withLiveObjectsIsBusyAndCacheStillWorks() {
    try (Sys s = new Sys("")) {
      KmemCache c = s.sys.createCache("busy", 64, 0);
      long a = c.alloc();
      assertThrows(CacheBusyException.class, c::destroy);
      assertEquals(List.of(), c.validate());
      long b = c.alloc();
      assertNotEquals(0, b);
      c.free(a);
      c.free(b);
      c.destroy();
      assertEquals(s.startFree, s.buddy.freeFrameCount());
    }
  }

  @Test
  void kmemCacheCreate_badArgumentsRefused() {
    try (Sys s = new Sys("")) {
      assertThrows(IllegalArgumentException.class, () -> s.sys.createCache("a", 0, 0));
      assertThrows(IllegalArgumentException.class, () -> s.sys.createCache("a", -5, 0));
      assertThrows(IllegalArgumentException.class,
          () -> s.sys.createCache("a", (8 << 20) + 1, 0));
      assertThrows(IllegalArgumentException.class, () -> s.sys.createCache("a", 64, 3));
      assertThrows(IllegalArgumentException.class, () -> s.sys.createCache("a", 64, 48));
      assertThrows(IllegalArgumentException.class, () -> s.sys.createCache("a", 64, -8));
      assertNull(s.sys.cache("a"));
      s.sys.createCache("a", 64, 0);
      assertThrows(CacheExistsException.class, () -> s.sys.createCache("a", 32, 0));
      assertThrows(CacheExistsException.class, () -> s.sys.createCache("kmalloc-64", 64, 0));
      assertThrows(CacheExistsException.class, () -> s.sys.createCache("kmalloc-8M", 8, 0));
      assertEquals(64, s.sys.cache("a").objectSize());
      assertEquals(List.of(), s.sys.validate());
    }
  }

  @Test
  void kmalloc_zeroAndAboveMaxRefused() {
    try (Sys s = new Sys("")) {
      assertThrows(IllegalArgumentException.class, () -> s.sys.kmalloc(0));
      assertThrows(IllegalArgumentException.class, () -> s.sys.kmalloc(-1));
      assertThrows(IllegalArgumentException.class, () -> s.sys.kmalloc((8L << 20) + 1));
      assertThrows(IllegalArgumentException.class, () -> s.sys.kmalloc(64, 24));
      assertEquals(s.startFree, s.buddy.freeFrameCount());
      assertEquals(List.of(), s.sys.validate());
    }
  }

  /** Allocates until {@code max} objects or failure, frees all, shrinks: no frame may leak. */
  private static void exerciseUnderFaults(Function<BuddyFrameAllocator, FrameAllocator> wrap,
      String debug, boolean expectFailure) {
    try (Sys s = new Sys(debug, wrap)) {
      KmemCache c = s.sys.createCache("f", 700, 0);
      List<Long> live = new ArrayList<>();
      int zeros = 0;
      for (int i = 0; i < 3000; i++) {
        long a = (i % 3 == 0) ? s.sys.kmalloc(1 + i % 5000) : c.alloc();
        if (a == 0) {
          zeros++;
        } else {
          live.add(a);
        }
        if (i % 5 == 0) {
          long[] bulk = new long[13];
          int n = c.allocBulk(bulk, 13);
          assertTrue(n == 0 || n == 13);
          if (n == 0) {
            zeros++;
            for (long b : bulk) {
              assertEquals(0, b, "a failed bulk alloc frees what it got and zeroes it");
            }
          } else {
            for (long b : bulk) {
              live.add(b);
            }
          }
        }
        if (i % 7 == 0 && !live.isEmpty()) {
          s.sys.kfree(live.remove(live.size() / 2));
        }
      }
      if (expectFailure) {
        assertTrue(zeros > 0, "the fault injector should have made some allocation fail");
      }
      assertEquals(List.of(), s.sys.validate());
      for (long a : live) {
        s.sys.kfree(a);
      }
      s.sys.shrink();
      assertEquals(List.of(), s.sys.validate());
      assertEquals(s.startFree, s.buddy.freeFrameCount(), "every frame back after shrink");
      assertEquals(0, c.counts().slabs());
    }
  }

  @Test
  void newSlab_frameAllocatorFailingFromTheStartMakesAllocReturnZero() {
    try (Sys s = new Sys("", b -> FaultyFrameAllocator.failAfter(b, 0))) {
      KmemCache c = s.sys.createCache("f", 64, 0);
      assertEquals(0, c.alloc());
      assertEquals(0, s.sys.kmalloc(100));
      assertEquals(0, c.allocBulk(new long[3], 3));
      assertEquals(List.of(), s.sys.validate());
    }
  }

  @Test
  void newSlab_frameAllocatorFailingAfterNNothingLeaks() {
    for (int n : new int[] {1, 2, 5, 17, 60}) {
      exerciseUnderFaults(b -> FaultyFrameAllocator.failAfter(b, n), "", true);
    }
    exerciseUnderFaults(b -> FaultyFrameAllocator.failAfter(b, 9), "F", true);
  }

  @Test
  void newSlab_frameAllocatorFailingKthOrRandomlyNothingLeaks() {
    for (int k : new int[] {1, 2, 3, 10, 31}) {
      exerciseUnderFaults(b -> FaultyFrameAllocator.failKth(b, k), "", false);
    }
    for (long seed = 1; seed <= 4; seed++) {
      long sd = seed;
      exerciseUnderFaults(b -> FaultyFrameAllocator.failRandomly(b, 0.3, sd), "", true);
    }
    exerciseUnderFaults(b -> FaultyFrameAllocator.failRandomly(b, 0.3, 99), "F", true);
  }
}
