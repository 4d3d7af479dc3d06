package jslub.stress.lincheck;

import org.junit.jupiter.api.Test;

/**
 * Linearizability of alloc/free, kmalloc/kfree, bulk alloc/free, shrink and destroy against
 * {@link AbstractAllocator}, in model-checking and stress modes, with threads sharing one virtual
 * CPU and spread over two, on 4 KiB frames and on 8-object slabs. Sized for {@code mvn verify}
 * (a model-checking invocation costs ~0.1 s of CPU here); {@code -Djslub.lincheck.scale=N}
 * multiplies every run for a long check.
 */
class SlabLincheckTest {
  @Test
  void modelCheckingAllOperationsOneCpu() {
    run("model checking, all operations, 2 threads on 1 CPU", () ->
        LincheckRuns.modelChecking(2, 5, 40).check(Targets.SharedCpu.class), 5, 40);
  }

  @Test
  void modelCheckingAllOperationsTwoCpus() {
    run("model checking, all operations, 2 threads on 2 CPUs", () ->
        LincheckRuns.modelChecking(2, 5, 40).check(Targets.TwoCpus.class), 5, 40);
  }

  @Test
  void modelCheckingFastPathsOneCpu() {
    run("model checking, alloc/free, 2 threads on 1 CPU", () ->
        LincheckRuns.modelChecking(2, 10, 20).check(Targets.FastPathSharedCpu.class), 10, 20);
  }

  @Test
  void stressAllOperationsThreeThreadsTwoCpus() {
    run("stress, all operations, 3 threads on 2 CPUs", () ->
        LincheckRuns.stress(3, 10, 500).check(Targets.TwoCpus.class), 10, 500);
  }

  @Test
  void stressSmallSlabsThreeThreadsOneCpu() {
    run("stress, all operations, 8-object slabs, 3 threads on 1 CPU", () ->
        LincheckRuns.stress(3, 10, 500).check(Targets.SmallSlabsSharedCpu.class), 10, 500);
  }

  private static void run(String what, Runnable check, int scenarios, int invocations) {
    long t0 = System.nanoTime();
    check.run();
    LincheckRuns.report(what, scenarios, invocations, t0);
  }
}
