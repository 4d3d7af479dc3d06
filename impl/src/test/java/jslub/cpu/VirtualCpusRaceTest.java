package jslub.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * bind() racing a thread's own lockless miss path: thread T shares its slot with a neighbour U,
 * so T keeps missing, reading its binding and retaking the slot, while a mover rebinds T again
 * and again. After bind(T, cpu of generation g) returns, the mover publishes g; every answer T
 * gets after reading g must be the CPU of g or of a later generation. A slot left holding a
 * stale CPU (T retaking its slot without re-reading its binding, or bind() not rewriting the
 * slot T holds) breaks this.
 */
class VirtualCpusRaceTest {
  private static final int CPUS = 64;
  private static final int MOVES = 100_000;

  @Test
  void aMoveShowsAtTheNextCallWhileTheSlotIsContended() throws Exception {
    for (int round = 0; round < 10; round++) {
      race();
    }
  }

  private static void race() throws Exception {
    VirtualCpus v = new VirtualCpus(CPUS);
    AtomicInteger generation = new AtomicInteger(); // the last generation whose bind returned
    AtomicReference<String> failure = new AtomicReference<>();
    boolean[] stop = new boolean[1];
    Thread t = Thread.ofPlatform().unstarted(() -> {
      while (generation.get() < MOVES && failure.get() == null) {
        int g1 = generation.get();
        int c = v.currentCpu();
        int g2 = generation.get();
        boolean ok = false;
        for (int g = g1; g <= g2 + 1 && !ok; g++) { // g2 + 1: a bind in flight may show early
          ok = c == g % CPUS;
        }
        if (!ok) {
          failure.set("answered CPU " + c + " after generation " + g1 + " (to " + g2 + ")");
        }
      }
    });
    Thread u = null;
    for (int i = 0; i < 4 * VirtualCpus.SLOTS && u == null; i++) {
      Thread cand = Thread.ofPlatform().unstarted(() -> {
        while (!stopped(stop)) {
          v.currentCpu(); // keeps taking the slot it shares with T
        }
      });
      if (Math.floorMod(cand.threadId() - t.threadId(), VirtualCpus.SLOTS) == 0) {
        u = cand;
      }
    }
    if (u == null) {
      throw new AssertionError("no thread id shares a slot with " + t.threadId());
    }
    v.bind(t, 0);
    v.bind(u, CPUS - 1);
    u.start();
    t.start();
    for (int g = 1; g <= MOVES && failure.get() == null && t.isAlive(); g++) {
      v.bind(t, g % CPUS);
      generation.set(g);
    }
    t.join();
    synchronized (stop) {
      stop[0] = true;
    }
    u.join();
    assertEquals(null, failure.get());
  }

  private static boolean stopped(boolean[] stop) {
    synchronized (stop) {
      return stop[0];
    }
  }
}
