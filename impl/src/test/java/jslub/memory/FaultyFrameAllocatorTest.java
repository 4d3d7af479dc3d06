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

  /**
   * The random policy's draw is SplitMix64's output for state seed + i * golden gamma: for seed
   * 0 the published first outputs of SplitMix64 seeded with 0, scaled to [0, 1) by their top 53
   * bits.
   */
  @Test
  void unitDoubleIsSplitMix64() {
    long[] outputs = {0xE220A8397B1DCDAFL, 0x6E789E6AA1B965F4L, 0x06C45D188009454FL};
    for (int i = 0; i < outputs.length; i++) {
      assertEquals((outputs[i] >>> 11) * 0x1.0p-53, FaultyFrameAllocator.unitDouble(0, i + 1),
          "request " + (i + 1));
    }
    double sum = 0;
    for (long i = 1; i <= 10_000; i++) {
      double u = FaultyFrameAllocator.unitDouble(7, i);
      assertTrue(u >= 0 && u < 1, "in [0, 1): " + u);
      sum += u;
    }
    assertEquals(0.5, sum / 10_000, 0.02, "uniform: mean near 1/2");
  }

  @Test
  void failRandomlyFailsAboutTheRequestedShare() {
    for (double p : new double[] {0.05, 0.5, 0.9}) {
      int failed = failingIndices(FaultyFrameAllocator.failRandomly(new Counting(), p, 3), 4000)
          .size();
      assertEquals(p * 4000, failed, 4000 * 0.04, "p = " + p);
    }
  }

  @Test
  void namesItsPolicyAndItsInner() {
    Counting inner = new Counting();
    assertEquals("FaultyFrameAllocator[failKth(3)]", FaultyFrameAllocator.failKth(inner, 3).toString());
    assertEquals("FaultyFrameAllocator[failAfter(0)]",
        FaultyFrameAllocator.failAfter(inner, 0).toString());
    assertEquals("FaultyFrameAllocator[failRandomly(0.25, seed=9)]",
        FaultyFrameAllocator.failRandomly(inner, 0.25, 9).toString());
    assertTrue(FaultyFrameAllocator.failAfter(inner, 1).inner() == inner);
  }
}
