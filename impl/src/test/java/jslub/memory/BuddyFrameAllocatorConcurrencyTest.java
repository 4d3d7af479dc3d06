package jslub.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BuddyFrameAllocatorConcurrencyTest {
  static final int FRAME = 4096;
  static final int THREADS = 4;
  static final int OPS = 50_000;

  /**
   * Four threads allocate and free at random against a small arena (so it runs dry and blocks
   * split and merge all the time). A shared bitmap, claimed frame by frame with CAS, proves no
   * frame is ever in two live blocks; at the end every frame is free and the seed shape is back.
   */
  @Test
  void concurrentAllocFreeNeverOverlapsAndReturnsEverything() throws Exception {
    BuddyFrameAllocator b = new BuddyFrameAllocator(1024L * FRAME, FRAME);
    long[] initial = b.freeBlocksPerOrder();
    AtomicIntegerArray owner = new AtomicIntegerArray(1024); // 0 = free, else thread id + 1
    ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    AtomicLong exhausted = new AtomicLong();
    CyclicBarrier start = new CyclicBarrier(THREADS);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int id = t + 1;
      Random rnd = new Random(0x5EED + t);
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      start.await();
                      run(b, id, rnd, owner, errors, exhausted);
                    } catch (Throwable e) {
                      errors.add(e.toString());
                    }
                  }));
    }
    for (Thread t : threads) {
      t.join();
    }
    assertTrue(errors.isEmpty(), String.join("\n", errors));
    assertTrue(exhausted.get() > 0, "the arena should have run dry at least once");
    assertEquals(b.totalFrames(), b.freeFrameCount());
    assertArrayEquals(initial, b.freeBlocksPerOrder());
  }

  private static void run(
      BuddyFrameAllocator b,
      int id,
      Random rnd,
      AtomicIntegerArray owner,
      ConcurrentLinkedQueue<String> errors,
      AtomicLong exhausted) {
    List<long[]> live = new ArrayList<>(); // {frame, count}
    for (int op = 0; op < OPS && errors.isEmpty(); op++) {
      if (live.isEmpty() || rnd.nextInt(100) < 55) {
        int count = 1 + rnd.nextInt(rnd.nextBoolean() ? 4 : 64);
        long addr = b.allocFrames(count);
        if (addr == 0) {
          exhausted.incrementAndGet();
          continue;
        }
        long frame = addr / FRAME;
        int span = 1 << BuddyFrameAllocator.orderFor(count);
        if (frame < 1 || frame % span != 0) {
          errors.add("bad block " + frame + " for count " + count);
        }
        for (long f = frame; f < frame + span; f++) {
          if (!owner.compareAndSet((int) f, 0, id)) {
            errors.add("frame " + f + " given to " + id + " while owned by " + owner.get((int) f));
          }
        }
        live.add(new long[] {frame, count});
      } else {
        long[] blk = live.remove(rnd.nextInt(live.size()));
        release(b, id, blk, owner, errors);
      }
    }
    for (long[] blk : live) {
      release(b, id, blk, owner, errors);
    }
  }

  private static void release(
      BuddyFrameAllocator b,
      int id,
      long[] blk,
      AtomicIntegerArray owner,
      ConcurrentLinkedQueue<String> errors) {
    int span = 1 << BuddyFrameAllocator.orderFor((int) blk[1]);
    // Unclaim before freeing: once freed, another thread may get the block at once.
    for (long f = blk[0]; f < blk[0] + span; f++) {
      if (!owner.compareAndSet((int) f, id, 0)) {
        errors.add("frame " + f + " of " + id + " stolen by " + owner.get((int) f));
      }
    }
    b.freeFrames(blk[0] * FRAME, (int) blk[1]);
  }
}
