package jslub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import jslub.cpu.VirtualCpus;
import jslub.memory.BuddyFrameAllocator;
import jslub.memory.PhysicalMemory;
import jslub.slab.Stat;
import org.junit.jupiter.api.Test;

/**
 * Slab churn across CPUs: threads (two per virtual CPU, migrating now and then) fill and empty a
 * shared pool of slots with allocs, remote frees, bulk frees and concurrent shrinks, with a few
 * objects per slab so slabs keep moving between c.slab, c.partial, the node list and the page
 * allocator. Each object carries a tag its owner checks before freeing it (a double allocation
 * overwrites it); at the end the cache must validate and give every frame back. Runs on whichever
 * protocol the build selects (both, in the two surefire executions).
 */
class SlabChurnTest {
  private static final int THREADS = 4;
  private static final int CPUS = 2;
  private static final int SLOTS = 512;
  private static final int OPS = 60_000;
  private static final int SIZE = 1000; // a handful of objects per slab
  private static final long EMPTY = 0;
  private static final long BUSY = -1;

  @Test
  void churn_allocRemoteFreeBulkAndShrinkConcurrently_countsAndFramesExact() throws Exception {
    BuddyFrameAllocator[] buddy = new BuddyFrameAllocator[1];
    VirtualCpus vcpus = new VirtualCpus(CPUS);
    try (SlabSystem sys = SlabSystem.builder().cpus(CPUS).cpuId(vcpus).memoryBytes(16L << 20)
        .stats(true)
        .frameAllocator((PhysicalMemory m) -> buddy[0] = new BuddyFrameAllocator(m.bytes(), 4096))
        .build()) {
      long startFree = buddy[0].freeFrameCount();
      KmemCache c = sys.createCache("churn", SIZE, 0);
      AtomicLongArray slot = new AtomicLongArray(SLOTS);
      AtomicLongArray tag = new AtomicLongArray(SLOTS);
      AtomicLong nextTag = new AtomicLong(1);
      CyclicBarrier go = new CyclicBarrier(THREADS);
      ExecutorService ex = Executors.newFixedThreadPool(THREADS);
      try {
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int me = t;
          fs.add(ex.submit(() -> {
            SplittableRandom rnd = new SplittableRandom(1000 + me);
            vcpus.bindCurrent(me % CPUS);
            go.await();
            long[] bulk = new long[8];
            int[] from = new int[bulk.length];
            for (int op = 0; op < OPS; op++) {
              int r = rnd.nextInt(1000);
              if (r < 3) {
                vcpus.bindCurrent(rnd.nextInt(CPUS));
              } else if (r < 5) {
                c.shrink();
              } else if (r < 60) { // take up to 8 objects and free them with one bulk call
                int n = 0;
                for (int k = 0; k < bulk.length; k++) {
                  int i = rnd.nextInt(SLOTS);
                  long a = take(sys, slot, tag, i);
                  if (a != 0) {
                    from[n] = i;
                    bulk[n++] = a;
                  }
                }
                c.freeBulk(bulk, n);
                for (int k = 0; k < n; k++) {
                  slot.set(from[k], EMPTY);
                }
              } else {
                int i = rnd.nextInt(SLOTS);
                long a = take(sys, slot, tag, i);
                if (a != 0) {
                  c.free(a);
                  slot.set(i, EMPTY);
                } else if (slot.compareAndSet(i, EMPTY, BUSY)) {
                  long o = c.alloc();
                  if (o == 0) {
                    throw new AssertionError("out of frames");
                  }
                  long tg = nextTag.getAndIncrement();
                  sys.memory().putLong(o, tg);
                  sys.memory().putLong(o + SIZE - 8, ~tg);
                  tag.set(i, tg);
                  slot.set(i, o);
                }
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
      for (int i = 0; i < SLOTS; i++) {
        long a = take(sys, slot, tag, i);
        if (a != 0) {
          c.free(a);
        }
      }
      // The run must have gone through the paths it is meant to stress.
      for (Stat st : List.of(Stat.ALLOC_SLAB, Stat.FREE_SLAB, Stat.ALLOC_FROM_PARTIAL,
          Stat.CPU_PARTIAL_FREE, Stat.CPU_PARTIAL_ALLOC, Stat.CPU_PARTIAL_DRAIN,
          Stat.FREE_SLOWPATH)) {
        assertTrue(c.stats().total(st) > 0, () -> st + " never happened");
      }
      assertEquals(List.of(), c.validate());
      assertEquals(0, c.counts().activeObjs());
      c.shrink();
      assertEquals(0, c.counts().slabs());
      assertEquals(startFree, buddy[0].freeFrameCount(), "shrink returned every frame");
    }
  }

  /**
   * Claims slot {@code i} if it holds an object (slot := BUSY; the caller frees the object and
   * empties the slot) and checks the object's tag; 0 if the slot held none.
   */
  private static long take(SlabSystem sys, AtomicLongArray slot, AtomicLongArray tag, int i) {
    long a = slot.get(i);
    if (a <= 0 || !slot.compareAndSet(i, a, BUSY)) {
      return 0;
    }
    long tg = tag.get(i);
    if (sys.memory().getLong(a) != tg || sys.memory().getLong(a + SIZE - 8) != ~tg) {
      throw new AssertionError("object 0x" + Long.toHexString(a) + " clobbered: allocated twice?");
    }
    return a;
  }
}
