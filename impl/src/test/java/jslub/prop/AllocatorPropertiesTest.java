package jslub.prop;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import com.code_intelligence.jazzer.mutation.annotation.WithSize;
import java.util.List;

/**
 * Model-based properties of the allocator (see {@link Runner}), as Jazzer structured fuzz
 * tests. Without JAZZER_FUZZ each method replays its committed corpus in
 * src/test/resources/jslub/prop/AllocatorPropertiesTestInputs/&lt;method&gt;/ (every file there,
 * crash reproducers included); with JAZZER_FUZZ=1 it fuzzes (scripts/fuzz.sh).
 */
class AllocatorPropertiesTest {
  /** One thread, two CPUs (MIGRATE makes remote frees); validate() after every step or not. */
  @FuzzTest(maxDuration = "60s")
  void oneThread(boolean validateEachStep, @NotNull @WithSize(max = 48) List<@NotNull Op> ops) {
    try (Runner r = new Runner(1, 2, false, validateEachStep)) {
      r.run(ops);
    }
  }

  /** Debug F (SLAB_CONSISTENCY_CHECKS): every double free is refused, even a lone one. */
  @FuzzTest(maxDuration = "60s")
  void debugF(@NotNull @WithSize(max = 48) List<@NotNull Op> ops) {
    try (Runner r = new Runner(1, 2, true, true)) {
      r.run(ops);
    }
  }

  /**
   * The kernel's kmalloc layout: sizes above two frames are kmalloc_large blocks (KMALLOC_LARGE
   * steps), direct reclaim on or off; one thread, or two on two CPUs.
   */
  @FuzzTest(maxDuration = "60s")
  void kernelLayout(boolean reclaim, boolean twoThreads, boolean validateEachStep,
      @NotNull @WithSize(max = 48) List<@NotNull Op> ops) {
    try (Runner r = new Runner(twoThreads ? 2 : 1, 2, false, validateEachStep, true, reclaim)) {
      r.run(ops);
    }
  }

  /**
   * Two threads on one or two CPUs; the input picks which thread runs each step (cross-thread
   * frees) and RACE steps run both at once.
   */
  @FuzzTest(maxDuration = "60s")
  void twoThreads(boolean twoCpus, boolean validateEachStep,
      @NotNull @WithSize(max = 48) List<@NotNull Op> ops) {
    try (Runner r = new Runner(2, twoCpus ? 2 : 1, false, validateEachStep)) {
      r.run(ops);
    }
  }
}
