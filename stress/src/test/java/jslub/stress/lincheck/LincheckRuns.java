package jslub.stress.lincheck;

import java.util.Locale;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.StressOptions;

/**
 * Lincheck options tuned for jslub (see the stress notes in docs): a freelist walk or build is
 * longer than Lincheck's default loop bound, so the bounds are raised; minimising a failure takes
 * minutes, so it is off. {@code -Djslub.lincheck.scale=N} multiplies the run sizes for long runs.
 */
final class LincheckRuns {
  static final int SCALE = Integer.getInteger("jslub.lincheck.scale", 1);

  private LincheckRuns() {}

  static ModelCheckingOptions modelChecking(int threads, int iterations, int invocations) {
    return new ModelCheckingOptions()
        .threads(threads).actorsPerThread(3).actorsBefore(2).actorsAfter(1)
        .iterations(iterations * SCALE).invocationsPerIteration(invocations * SCALE)
        .loopBound(200).loopIterationsBeforeThreadSwitch(100)
        .minimizeFailedScenario(false)
        .sequentialSpecification(AbstractAllocator.class);
  }

  static StressOptions stress(int threads, int iterations, int invocations) {
    return new StressOptions()
        .threads(threads).actorsPerThread(4).actorsBefore(2).actorsAfter(1)
        .iterations(iterations * SCALE).invocationsPerIteration(invocations * SCALE)
        .minimizeFailedScenario(false)
        .sequentialSpecification(AbstractAllocator.class);
  }

  /** Prints what ran and how long it took (a figure for reports, never an assertion). */
  static void report(String what, int iterations, int invocations, long t0) {
    System.out.printf(Locale.ROOT, "lincheck %s: %d scenarios x %d invocations in %.1f s%n",
        what, iterations * SCALE, invocations * SCALE, (System.nanoTime() - t0) / 1e9);
  }
}
