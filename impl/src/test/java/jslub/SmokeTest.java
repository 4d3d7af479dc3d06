package jslub;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.*;
import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void allocFreeValidate() {
    try (SlabSystem sys = SlabSystem.builder().cpus(2).stats(true).build()) {
      KmemCache c = sys.createCache("obj", 40, 8);
      List<Long> got = new ArrayList<>();
      for (int i = 0; i < 10000; i++) {
        long a = c.alloc();
        assertNotEquals(0, a);
        sys.segment(a, 40).fill((byte) i);
        got.add(a);
      }
      assertEquals(10000, got.stream().distinct().count());
      for (long a : got) {
        c.free(a);
      }
      assertEquals(List.of(), c.validate());
      assertTrue(c.shrink() >= 0);
      assertEquals(0, c.counts().slabs());
      c.destroy();
      assertThrows(CacheDestroyedException.class, c::alloc);
      System.out.println(sys.info());
      System.out.println(sys.info().stats());
    }
  }

  @Test
  void crossThreadFreeExactCounts() throws Exception {
    try (SlabSystem sys = SlabSystem.builder().cpus(4).build()) {
      KmemCache c = sys.createCache("x", 64, 0);
      int threads = 4, per = 20000;
      BlockingQueue<Long>[] q = new BlockingQueue[threads];
      for (int i = 0; i < threads; i++) q[i] = new LinkedBlockingQueue<>();
      ExecutorService ex = Executors.newFixedThreadPool(threads);
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int me = t;
        fs.add(ex.submit(() -> {
          for (int i = 0; i < per; i++) {
            long a = c.alloc();
            if (a == 0) throw new AssertionError("oom");
            sys.memory().putLong(a, a);
            q[(me + 1) % threads].add(a);
            Long f = q[me].poll();
            if (f != null) {
              if (sys.memory().getLong(f) != f) throw new AssertionError("clobbered");
              c.free(f);
            }
          }
          return null;
        }));
      }
      for (Future<?> f : fs) f.get();
      ex.shutdown();
      for (var qq : q) for (Long a : qq) c.free(a);
      assertEquals(List.of(), c.validate());
      assertEquals(0, c.counts().activeObjs());
      c.shrink();
      assertEquals(0, c.counts().slabs());
    }
  }

  @Test
  void debugCatchesDelayedDoubleFree() {
    try (SlabSystem sys = SlabSystem.builder().cpus(2).debug("F").build()) {
      KmemCache c = sys.createCache("d", 32, 0);
      long a = c.alloc(), b = c.alloc();
      c.free(a);
      c.free(b);
      InvalidFreeException e = assertThrows(InvalidFreeException.class, () -> c.free(a));
      assertTrue(e.getMessage().contains("Object already free"), e.getMessage());
      assertEquals(List.of(), c.validate());
    }
  }
}
