package jslub.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A short soak (the engine of {@code jslub soak}): three threads on two virtual CPUs with frame
 * faults, caches destroyed and re-created. It passes only if every stamp held, every frame came
 * back and the counts are exact; with {@code -Djslub.bugs=SPLIT_CAS} it fails within seconds.
 */
class SoakTest {
  @Test
  void shortSoakLeavesTheSystemWhole() throws Exception {
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    Soak.Result r = Soak.run(new SoakConfig(3, 2, 3, 7, 0.02, 3, 32L << 20),
        new PrintStream(progress, true, StandardCharsets.UTF_8));
    assertEquals(List.of(), r.violations());
    assertEquals(r.allocs(), r.frees());
    // The run must have exercised what it claims to, or passing means little.
    assertTrue(r.remoteFrees() > 0, "no cross-thread frees");
    assertTrue(r.cachesDestroyed() > 0, "no cache destroyed and re-created");
    assertTrue(r.faultsInjected() > 0, "no frame fault injected");
    assertTrue(progress.toString(StandardCharsets.UTF_8).contains("[soak]"), "no progress line");
  }
}
