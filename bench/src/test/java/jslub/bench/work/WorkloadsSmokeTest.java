package jslub.bench.work;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import jslub.SlabSystem;
import org.junit.jupiter.api.Test;

/** Each workload runs briefly and leaves a consistent system; the figures are not checked. */
class WorkloadsSmokeTest {
  interface Workload {
    Footprint run(SlabSystem sys, WorkloadOptions o, PrintStream out) throws Exception;
  }

  private static Footprint small(Workload w, long expectLive) throws Exception {
    WorkloadOptions o = new WorkloadOptions();
    o.threads = 3;
    o.ops = 30_000;
    o.objects = 50;
    o.rounds = 3;
    PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    try (SlabSystem sys = SlabSystem.builder().cpus(2).memoryBytes(32L << 20).build()) {
      Footprint f = w.run(sys, o, out);
      assertEquals(List.of(), sys.validate());
      assertTrue(f.active() >= expectLive && f.active() <= f.total(), f.toString());
      assertTrue(f.loss() >= 0, f.toString());
      return f;
    }
  }

  @Test
  void larsonKeepsEverySlotLive() throws Exception {
    small(Larson::run, 3 * 50);
  }

  @Test
  void threadtest() throws Exception {
    small(ThreadTest::run, 0);
  }

  @Test
  void xmallocTest() throws Exception {
    small(XmallocTest::run, 0);
  }

  @Test
  void cacheScratch() throws Exception {
    small(CacheScratch::run, 0);
  }
}
