package jslub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import jslub.cpu.VirtualCpus;
import jslub.memory.BuddyFrameAllocator;
import jslub.memory.PhysicalMemory;
import org.junit.jupiter.api.Test;

/**
 * kmem_cache_destroy() racing the cache's own alloc and free, from other threads on the same and
 * on other virtual CPUs. jslub's promise (stronger than the kernel's, which calls such a race a
 * caller bug): once destroy returns, no object of the cache exists or can be handed out and every
 * frame is back; a busy error reports only live objects that exist.
 *
 * <p>Each worker holds at most one object at a time and frees it straight away, so a worker that
 * holds an object while destroy succeeds, or whose free of its own object is refused, or an
 * object handed out after destroy returned, is a broken promise. Workers stop after a bounded
 * number of pairs, so destroy gets its quiescent moment in every round. Without the gate
 * (CacheGate) this fails within a few rounds: objects come back after destroy, frames leak, and
 * busy errors say "0 live".
 */
class DestroyRaceTest {
  private static final int ROUNDS = 200;
  private static final int WORKERS = 3;

  @Test
  void destroyRacingAllocAndFree_losesNothing() throws Exception {
    run(false);
  }

  @Test
  void destroyRacingAllocAndFree_debugF() throws Exception {
    run(true);
  }

  private void run(boolean debug) throws Exception {
    BuddyFrameAllocator[] buddy = new BuddyFrameAllocator[1];
    VirtualCpus vcpus = new VirtualCpus(2);
    SlabSystem.Builder b = SlabSystem.builder().cpus(2).cpuId(vcpus).memoryBytes(16L << 20)
        .frameAllocator((PhysicalMemory m) -> buddy[0] = new BuddyFrameAllocator(m.bytes(), 4096));
    if (debug) {
      b.debug("F");
    }
    try (SlabSystem sys = b.build()) {
      long startFree = buddy[0].freeFrameCount();
      ConcurrentLinkedQueue<String> broken = new ConcurrentLinkedQueue<>();
      long busy = 0;
      for (int round = 0; round < ROUNDS && broken.isEmpty(); round++) {
        KmemCache c = sys.createCache("victim", 24 + (round % 5) * 40, 0);
        AtomicLong destroyedAt = new AtomicLong(Long.MAX_VALUE); // a sequence number, not a time
        AtomicLong seq = new AtomicLong();
        CountDownLatch started = new CountDownLatch(WORKERS);
        List<Thread> ts = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
          int me = w;
          Thread t = new Thread(() -> {
            vcpus.bindCurrent(me % 2); // workers 0 and 2 share CPU 0 with each other
            started.countDown();
            try {
              for (int i = 0; i < 3000; i++) {
                long o = c.alloc();
                long when = seq.incrementAndGet();
                if (o == 0) {
                  broken.add("alloc returned 0 with memory to spare");
                  return;
                }
                if (when > destroyedAt.get()) {
                  broken.add("object 0x" + Long.toHexString(o) + " handed out after destroy");
                }
                try {
                  c.free(o);
                } catch (RuntimeException e) {
                  broken.add("free of a held object refused: " + e);
                  return;
                }
                if (i % 7 == me) {
                  vcpus.bindCurrent((me + i) % 2); // migrate between the CPUs
                }
              }
            } catch (CacheDestroyedException expected) {
              // the way out once destroy succeeded
            }
          });
          ts.add(t);
          t.start();
        }
        started.await();
        for (;;) {
          try {
            c.destroy();
            destroyedAt.set(seq.incrementAndGet());
            break;
          } catch (CacheBusyException e) {
            busy++;
            if (e.getMessage().contains("(0 live")) {
              broken.add("busy with no live object: " + e.getMessage());
            }
            Thread.onSpinWait();
          }
        }
        for (Thread t : ts) {
          t.join();
        }
      }
      assertTrue(broken.isEmpty(), () -> String.join("\n", broken));
      assertEquals(List.of(), sys.validate());
      sys.shrink();
      assertEquals(startFree, buddy[0].freeFrameCount(), "every frame back in the buddy");
      System.out.println("destroy race: " + ROUNDS + " rounds, " + busy + " busy refusals");
    }
  }
}
