package jslub.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FaultyFrameAllocatorTest {
  /** An inner allocator that never runs out and counts what reaches it. */
  static final class Counting implements FrameAllocator {
    final AtomicLong allocs = new AtomicLong();
    final AtomicLong frees = new AtomicLong();

    @Override
    public long allocFrames(int count) {
      return 4096 * allocs.incrementAndGet();
    }

    @Override
    public void freeFrames(long addr, int count) {
      frees.incrementAndGet();
    }
  }

  /** The 1-based indices of the failing requests among the first {@code n}. */
  static List<Long> failingIndices(FaultyFrameAllocator fa, int n) {
    List<Long> failed = new ArrayList<>();
    for (long i = 1; i <= n; i++) {
      if (fa.allocFrames(1) == 0) {
        failed.add(i);
      }
    }
    return failed;
  }

  @Test
  void failKthFailsOnlyThatRequest() {
    Counting inner = new Counting();
    FaultyFrameAllocator fa = FaultyFrameAllocator.failKth(inner, 3);
    assertEquals(List.of(3L), failingIndices(fa, 10));
    assertEquals(10, fa.requests());
    assertEquals(1, fa.injectedFailures());
    assertEquals(9, inner.allocs.get(), "a failed request never reaches the inner allocator");
  }

  @Test
  void failKthOfTheFirstRequest() {
    FaultyFrameAllocator fa = FaultyFrameAllocator.failKth(new Counting(), 1);
    assertEquals(List.of(1L), failingIndices(fa, 5));
  }

  @Test
  void failAfterLetsTheFirstNThrough() {
    Counting inner = new Counting();
    FaultyFrameAllocator fa = FaultyFrameAllocator.failAfter(inner, 4);
    assertEquals(List.of(5L, 6L, 7L, 8L), failingIndices(fa, 8));
    assertEquals(4, inner.allocs.get());
    assertEquals(4, fa.injectedFailures());
    assertEquals(List.of(1L, 2L, 3L), failingIndices(FaultyFrameAllocator.failAfter(inner, 0), 3));
  }

  @Test
  void failRandomlyIsReproducibleFromTheSeed() {
    List<Long> a = failingIndices(FaultyFrameAllocator.failRandomly(new Counting(), 0.3, 42), 2000);
    List<Long> b = failingIndices(FaultyFrameAllocator.failRandomly(new Counting(), 0.3, 42), 2000);
    List<Long> c = failingIndices(FaultyFrameAllocator.failRandomly(new Counting(), 0.3, 43), 2000);
    assertEquals(a, b, "same seed, same failures");
    assertNotEquals(a, c, "another seed, other failures");
    assertTrue(a.size() > 500 && a.size() < 700, "about 30% of 2000 failed: " + a.size());
  }

  @Test
  void failRandomlyEdgeProbabilities() {
    assertEquals(List.of(), failingIndices(FaultyFrameAllocator.failRandomly(new Counting(), 0, 1), 500));
    assertEquals(500, failingIndices(FaultyFrameAllocator.failRandomly(new Counting(), 1, 1), 500).size());
  }

  @Test
  void freesAlwaysPassThrough() {
    Counting inner = new Counting();
    FaultyFrameAllocator fa = FaultyFrameAllocator.failAfter(inner, 0);
    fa.freeFrames(4096, 1);
    fa.freeFrames(8192, 2);
    assertEquals(2, inner.frees.get());
    assertEquals(0, fa.requests(), "frees are not requests");
  }

  @Test
  void wrapsARealBuddyAllocator() {
    BuddyFrameAllocator buddy = new BuddyFrameAllocator(64 * 4096, 4096);
    FaultyFrameAllocator fa = FaultyFrameAllocator.failKth(buddy, 2);
    long a = fa.allocFrames(1);
    assertEquals(0, fa.allocFrames(1));
    long c = fa.allocFrames(1);
    assertNotEquals(0, a);
    assertNotEquals(0, c);
    assertEquals(buddy.totalFrames() - 2, buddy.freeFrameCount(), "the failed request took nothing");
    fa.freeFrames(a, 1);
    fa.freeFrames(c, 1);
    assertEquals(buddy.totalFrames(), buddy.freeFrameCount());
  }

  @Test
  void rejectsBadArguments() {
    Counting inner = new Counting();
    assertThrows(IllegalArgumentException.class, () -> FaultyFrameAllocator.failKth(inner, 0));
    assertThrows(IllegalArgumentException.class, () -> FaultyFrameAllocator.failAfter(inner, -1));
    assertThrows(IllegalArgumentException.class, () -> FaultyFrameAllocator.failRandomly(inner, -0.1, 1));
    assertThrows(IllegalArgumentException.class, () -> FaultyFrameAllocator.failRandomly(inner, 1.1, 1));
    assertThrows(IllegalArgumentException.class, () -> FaultyFrameAllocator.failRandomly(inner, Double.NaN, 1));
    FaultyFrameAllocator fa = FaultyFrameAllocator.failAfter(inner, 10);
    assertThrows(IllegalArgumentException.class, () -> fa.allocFrames(0));
    assertEquals(0, fa.requests(), "an invalid request is not counted");
  }

  @Test
  void countsExactlyUnderConcurrency() throws Exception {
    Counting inner = new Counting();
    FaultyFrameAllocator fa = FaultyFrameAllocator.failKth(inner, 2000);
    Thread[] ts = new Thread[4];
    for (int t = 0; t < ts.length; t++) {
      ts[t] = Thread.ofPlatform().start(() -> {
        for (int i = 0; i < 1000; i++) {
          fa.allocFrames(1);
        }
      });
    }
    for (Thread t : ts) {
      t.join();
    }
    assertEquals(4000, fa.requests());
    assertEquals(1, fa.injectedFailures());
    assertEquals(3999, inner.allocs.get());
  }
}
