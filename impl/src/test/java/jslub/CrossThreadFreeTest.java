package jslub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import jslub.cpu.VirtualCpus;
import jslub.memory.BuddyFrameAllocator;
import jslub.memory.PhysicalMemory;
import org.junit.jupiter.api.Test;

/**
 * Threads in a ring: each allocates, writes its pattern, hands the object to the next thread,
 * which checks the pattern and frees it (a remote free, __slab_free on another CPU's slab). At
 * the end the counts must be exact and shrink must give back every frame.
 */
class CrossThreadFreeTest {
  private static final int THREADS = 4;
  private static final int PER_THREAD = 40_000;
  private static final int SIZE = 72;

  private void ring(int cpus, boolean migrate) throws Exception {
    BuddyFrameAllocator[] buddy = new BuddyFrameAllocator[1];
    VirtualCpus vcpus = new VirtualCpus(cpus);
    try (SlabSystem sys = SlabSystem.builder().cpus(cpus).cpuId(vcpus).memoryBytes(64L << 20)
        .stats(true)
        .frameAllocator((PhysicalMemory m) -> buddy[0] = new BuddyFrameAllocator(m.bytes(), 4096))
        .build()) {
      long startFree = buddy[0].freeFrameCount();
      KmemCache c = sys.createCache("ring", SIZE, 0);
      List<BlockingQueue<Long>> q = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        q.add(new ArrayBlockingQueue<>(PER_THREAD));
      }
      AtomicLong allocs = new AtomicLong();
      AtomicLong frees = new AtomicLong();
      CyclicBarrier go = new CyclicBarrier(THREADS);
      ExecutorService ex = Executors.newFixedThreadPool(THREADS);
      try {
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int me = t;
          fs.add(ex.submit(() -> {
            vcpus.bindCurrent(me % cpus);
            go.await();
            for (int i = 0; i < PER_THREAD; i++) {
              if (migrate && i % 997 == 0) {
                vcpus.bindCurrent((me + i / 997) % cpus);
              }
              long a = c.alloc();
              if (a == 0) {
                throw new AssertionError("out of frames");
              }
              allocs.incrementAndGet();
              long tag = ((long) me << 48) ^ a;
              sys.memory().putLong(a, tag);
              sys.memory().putLong(a + SIZE - 8, ~tag);
              q.get((me + 1) % THREADS).add(a);
              Long f = q.get(me).poll();
              if (f != null) {
                long owner = (me + THREADS - 1) % THREADS;
                long want = (owner << 48) ^ f;
                if (sys.memory().getLong(f) != want || sys.memory().getLong(f + SIZE - 8) != ~want) {
                  throw new AssertionError("object 0x" + Long.toHexString(f) + " clobbered");
                }
                c.free(f);
                frees.incrementAndGet();
              }
            }
            return null;
          }));
        }
        for (Future<?> f : fs) {
          f.get();
        }
      } finally {
        ex.shutdownNow();
      }
      for (BlockingQueue<Long> qq : q) {
        for (Long a : qq) {
          c.free(a);
          frees.incrementAndGet();
        }
      }
      assertEquals((long) THREADS * PER_THREAD, allocs.get());
      assertEquals(allocs.get(), frees.get());
      assertEquals(List.of(), c.validate());
      c.core().flushAll();
      assertEquals(0, c.counts().activeObjs());
      assertEquals(c.stats().total(jslub.slab.Stat.ALLOC_FASTPATH)
          + c.stats().total(jslub.slab.Stat.ALLOC_SLOWPATH), allocs.get(),
          "every allocation counted once, fast or slow");
      long held = c.core().framesHeld();
      assertEquals(held, c.shrink());
      assertEquals(0, c.counts().slabs());
      assertEquals(startFree, buddy[0].freeFrameCount(), "shrink returned every frame");
    }
  }

  @Test
  void slabFree_crossThreadRingExactCounts() throws Exception {
    ring(THREADS, false);
  }

  @Test
  void slabFree_crossThreadRingFourThreadsOnTwoCpusMigrating() throws Exception {
    ring(2, true);
  }
}
