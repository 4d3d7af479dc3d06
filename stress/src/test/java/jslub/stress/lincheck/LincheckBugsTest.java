package jslub.stress.lincheck;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Locale;
import jslub.slab.Bugs;
import org.jetbrains.lincheck.datastructures.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Shows that the Lincheck checks fail on a broken allocator: runs only when {@code jslub.bugs}
 * names a switch, and passes only if Lincheck finds a violation. For example
 * {@code mvn -pl stress -am verify -Djslub.bugs=NO_TID -Dtest=LincheckBugsTest
 * -Dsurefire.failIfNoSpecifiedTests=false}. Each bug gets the machine where its race is
 * cheapest to reach: NO_TID and TID_WRAP need two threads on one CPU (NO_TID is caught, through
 * the end-of-run check, in about a minute); the slab-word races (SPLIT_CAS and the like) need
 * frees from two CPUs into one full slab, hence 8-object slabs with ballast. SPLIT_CAS is not
 * caught by these short scenarios yet (2,000 model-checking and 50,000 stress invocations found
 * nothing); {@code jslub soak --cpus 1} catches it in seconds.
 */
@EnabledIfSystemProperty(named = "jslub.bugs", matches = ".*[A-Z].*")
class LincheckBugsTest {
  @Test
  void lincheckFindsTheSwitchedOnBug() {
    String bugs = Bugs.active();
    Options<?, ?> opts;
    Class<?> target;
    if (Bugs.SPLIT_CAS || Bugs.FREEZE_MISSING || Bugs.DISCARD_RACE) {
      opts = LincheckRuns.modelChecking(2, 100, 20);
      target = Targets.FastPathSmallSlabs.class;
    } else {
      opts = LincheckRuns.modelChecking(2, 100, 20);
      target = Targets.FastPathSharedCpu.class;
    }
    long t0 = System.nanoTime();
    try {
      opts.check(target);
    } catch (AssertionError e) {
      String msg = String.valueOf(e.getMessage());
      int cut = msg.indexOf("The following interleaving");
      System.out.printf(Locale.ROOT, "lincheck caught %s on %s in %.1f s:%n%s%n", bugs,
          target.getSimpleName(), (System.nanoTime() - t0) / 1e9,
          cut > 0 ? msg.substring(0, cut) : msg);
      return;
    }
    fail("Lincheck found no violation with -Djslub.bugs=" + bugs + " on "
        + target.getSimpleName());
  }
}
