package jslub.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class VirtualCpusTest {
  /** Runs {@code body} on a fresh thread, waits, and rethrows what it threw (failed asserts). */
  static void onNewThread(Runnable body) throws InterruptedException {
    Throwable[] thrown = new Throwable[1];
    Thread t = Thread.ofPlatform().uncaughtExceptionHandler((th, e) -> thrown[0] = e).start(body);
    t.join();
    if (thrown[0] != null) {
      throw new AssertionError("on " + t.getName(), thrown[0]);
    }
  }

  @Test
  void rejectsBadArguments() {
    assertThrows(IllegalArgumentException.class, () -> new VirtualCpus(0));
    VirtualCpus v = new VirtualCpus(2);
    assertThrows(IllegalArgumentException.class, () -> v.bindCurrent(2));
    assertThrows(IllegalArgumentException.class, () -> v.bindCurrent(-1));
    assertThrows(IllegalArgumentException.class, () -> v.bind(Thread.currentThread(), 5));
    assertThrows(IllegalArgumentException.class, () -> VirtualCpus.fixed(-1));
    assertEquals(2, v.cpus());
  }

  @Test
  void newThreadsSpreadRoundRobinAndStayPut() throws Exception {
    VirtualCpus v = new VirtualCpus(4);
    int[] seen = new int[8];
    for (int i = 0; i < seen.length; i++) {
      int slot = i;
      onNewThread(
          () -> {
            seen[slot] = v.currentCpu();
            for (int k = 0; k < 100; k++) {
              if (v.currentCpu() != seen[slot]) {
                seen[slot] = -100; // moved without being rebound
              }
            }
          });
    }
    assertArrayEquals(new int[] {0, 1, 2, 3, 0, 1, 2, 3}, seen);
  }

  @Test
  void aConcurrentPoolSpreadsEvenly() throws Exception {
    VirtualCpus v = new VirtualCpus(3);
    AtomicInteger[] perCpu = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
    CountDownLatch go = new CountDownLatch(1);
    Thread[] ts = new Thread[9];
    for (int i = 0; i < ts.length; i++) {
      ts[i] =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      go.await();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                    perCpu[v.currentCpu()].incrementAndGet();
                  });
    }
    go.countDown();
    for (Thread t : ts) {
      t.join();
    }
    for (AtomicInteger n : perCpu) {
      assertEquals(3, n.get());
    }
  }

  @Test
  void bindCurrentMovesTheCallingThread() throws Exception {
    VirtualCpus v = new VirtualCpus(4);
    onNewThread(
        () -> {
          Thread me = Thread.currentThread();
          assertEquals(-1, v.cpuOf(me), "unbound before first use");
          assertEquals(0, v.currentCpu());
          v.bindCurrent(3);
          assertEquals(3, v.currentCpu());
          assertEquals(3, v.cpuOf(me));
          v.bindCurrent(1);
          assertEquals(1, v.currentCpu());
        });
  }

  @Test
  void bindMovesAnotherThreadAtItsNextCall() throws Exception {
    VirtualCpus v = new VirtualCpus(4);
    CountDownLatch firstCall = new CountDownLatch(1);
    CountDownLatch rebound = new CountDownLatch(1);
    int[] seen = new int[2];
    Thread t =
        Thread.ofPlatform()
            .start(
                () -> {
                  seen[0] = v.currentCpu();
                  firstCall.countDown();
                  try {
                    rebound.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  seen[1] = v.currentCpu();
                });
    firstCall.await();
    assertEquals(seen[0], v.cpuOf(t));
    v.bind(t, 2);
    assertEquals(2, v.cpuOf(t));
    rebound.countDown();
    t.join();
    assertArrayEquals(new int[] {0, 2}, seen);
  }

  @Test
  void bindBeforeFirstUseSetsTheStartingCpu() throws Exception {
    VirtualCpus v = new VirtualCpus(4);
    int[] seen = new int[1];
    Thread t = Thread.ofPlatform().unstarted(() -> seen[0] = v.currentCpu());
    v.bind(t, 3);
    t.start();
    t.join();
    assertEquals(3, seen[0]);
  }

  @Test
  void instancesAreIndependent() throws Exception {
    VirtualCpus a = new VirtualCpus(4);
    VirtualCpus b = new VirtualCpus(4);
    onNewThread(
        () -> {
          assertEquals(0, a.currentCpu());
          a.bindCurrent(3);
          assertEquals(0, b.currentCpu(), "b binds this thread afresh");
          b.bindCurrent(1);
          assertEquals(3, a.currentCpu(), "rebinding in b leaves a alone");
          assertEquals(1, b.currentCpu());
        });
    // a's round-robin moved on by one thread, b's by one too: both give CPU 1 next.
    onNewThread(() -> assertEquals(1, a.currentCpu()));
    onNewThread(() -> assertEquals(1, b.currentCpu()));
  }

  @Test
  void fixedAnswersTheSameCpuEverywhere() throws Exception {
    CpuId f = VirtualCpus.fixed(3);
    assertEquals(3, f.currentCpu());
    onNewThread(() -> assertEquals(3, f.currentCpu()));
  }

  @Test
  void currentCpuAllocatesNothingAfterTheFirstCall() {
    var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    VirtualCpus v = new VirtualCpus(4);
    long sum = v.currentCpu();
    for (int i = 0; i < 100_000; i++) {
      sum += v.currentCpu(); // warm up
    }
    long tid = Thread.currentThread().threadId();
    long before = mx.getThreadAllocatedBytes(tid);
    for (int i = 0; i < 1_000_000; i++) {
      sum += v.currentCpu();
    }
    long allocated = mx.getThreadAllocatedBytes(tid) - before;
    assertTrue(sum >= 0);
    assertTrue(allocated < 4096, "currentCpu allocated " + allocated + " bytes in 1e6 calls");
  }

  /**
   * Two live threads whose ids share a slot of the direct-mapped table each keep their own CPU,
   * and a move of one of them by another thread shows at its next call while the other holds
   * the slot.
   */
  @Test
  void threadsSharingASlotKeepTheirOwnCpus() throws Exception {
    VirtualCpus v = new VirtualCpus(4);
    int[] seen = new int[2];
    CountDownLatch took = new CountDownLatch(1);
    CountDownLatch moved = new CountDownLatch(1);
    Runnable body = () -> {
      seen[0] = v.currentCpu(); // takes the slot it shares with the test thread
      took.countDown();
      try {
        moved.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      seen[1] = v.currentCpu();
    };
    long me = Thread.currentThread().threadId();
    Thread twin = null;
    for (int i = 0; i < 4 * VirtualCpus.SLOTS && twin == null; i++) {
      Thread t = Thread.ofPlatform().unstarted(body); // ids are taken at construction
      if (Math.floorMod(t.threadId() - me, VirtualCpus.SLOTS) == 0) {
        twin = t;
      }
    }
    if (twin == null) {
      throw new AssertionError("no new thread id shares a slot with " + me);
    }
    v.bindCurrent(1);
    assertEquals(1, v.currentCpu()); // the test thread holds the slot
    v.bind(twin, 3);
    twin.start();
    took.await();
    assertEquals(1, v.currentCpu()); // the twin took the slot: a miss, still answered exactly
    v.bindCurrent(2);
    assertEquals(2, v.currentCpu()); // the test thread took it back
    v.bind(twin, 0); // the twin is moved by another thread while it does not hold the slot
    moved.countDown();
    twin.join();
    assertEquals(3, seen[0]);
    assertEquals(0, seen[1]);
    assertEquals(2, v.currentCpu());
  }

  /**
   * Two threads sharing a slot keep calling while another thread holds the registry's lock:
   * after their first call a miss takes no lock (a miss used to, so two threads sharing a slot
   * serialised on it at every call), and each still gets its own CPU.
   */
  @Test
  void threadsSharingASlotDoNotTakeTheLock() throws Exception {
    VirtualCpus v = new VirtualCpus(4);
    CountDownLatch bound = new CountDownLatch(2);
    CountDownLatch locked = new CountDownLatch(1);
    int[] wrong = new int[2];
    Thread first = Thread.ofPlatform().unstarted(pairBody(v, bound, locked, wrong, 0));
    Thread second = null;
    for (int i = 0; i < 4 * VirtualCpus.SLOTS && second == null; i++) {
      Thread t = Thread.ofPlatform().unstarted(pairBody(v, bound, locked, wrong, 1));
      if (Math.floorMod(t.threadId() - first.threadId(), VirtualCpus.SLOTS) == 0) {
        second = t; // ids are taken at construction
      }
    }
    if (second == null) {
      throw new AssertionError("no new thread id shares a slot with " + first.threadId());
    }
    Thread[] pair = {first, second};
    v.bind(first, 1);
    v.bind(second, 2);
    for (Thread t : pair) {
      t.start();
    }
    bound.await();
    synchronized (v.lock) {
      locked.countDown();
      for (Thread t : pair) {
        t.join(60_000); // a liveness bound, not a speed target
        assertTrue(!t.isAlive(), t.getName() + " blocked on the lock: a miss took it");
      }
    }
    assertArrayEquals(new int[] {0, 0}, wrong, "calls that answered another CPU");
  }

  /** One of the pair: binds, waits for the lock to be held, then calls currentCpu() often. */
  private static Runnable pairBody(VirtualCpus v, CountDownLatch bound, CountDownLatch locked,
      int[] wrong, int me) {
    return () -> {
      int cpu = v.currentCpu();
      bound.countDown();
      try {
        locked.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      for (int n = 0; n < 200_000; n++) {
        if (v.currentCpu() != cpu) {
          wrong[me]++;
        }
      }
    };
  }
}
