package jslub.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jslub.replay.TraceEvent.Op;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trace formats, the oracle (replay --check) and the replay through jslub. */
class ReplayTest {
  /** The repository's sample traces (surefire runs in impl/). */
  static final Path TRACES = Path.of("..", "traces");

  @TempDir Path tmp;

  private static long count(Trace t, Op op) {
    return t.events().stream().filter(e -> e.op() == op).count();
  }

  @Test
  void mtrace_realGitTraceParsesEveryCall() throws IOException {
    Trace t = Trace.read(TRACES.resolve("git-log.mtrace.gz"));
    assertEquals(Trace.Format.MTRACE, t.format());
    // Counted in the file with awk: 10,075 '+', 9,624 '-', 627 '<'/'>' pairs.
    assertEquals(10_075, count(t, Op.ALLOC));
    assertEquals(9_624, count(t, Op.FREE));
    assertEquals(627, count(t, Op.REALLOC));
  }

  @Test
  void ftrace_kmemEventsFollowTheKernelFormat() throws IOException {
    Trace t = Trace.read(TRACES.resolve("kmem-sample.ftrace"));
    assertEquals(Trace.Format.FTRACE, t.format());
    assertEquals(10, count(t, Op.ALLOC));
    assertEquals(9, count(t, Op.FREE), "kfree(NULL) is dropped");
    TraceEvent first = t.events().get(0);
    assertEquals(0xffff888103e7c000L, first.addr());
    assertEquals(640, first.size());
    assertEquals(1024, first.granted());
    // kmem_cache_alloc prints no cache name (6.x): the cache is named after its object size;
    // kmem_cache_free prints name=.
    assertEquals("cache-256", t.events().get(2).cache());
    assertTrue(t.events().stream().anyMatch(e -> e.op() == Op.FREE && e.cache().equals("filp")));
  }

  @Test
  void check_passesTheRealAndCleanTraces() throws IOException {
    for (String f : List.of("git-log.mtrace.gz", "python-json.mtrace.gz", "kmem-sample.ftrace",
        "clean.trace")) {
      Trace t = Trace.read(TRACES.resolve(f));
      assertNull(TraceChecker.check(t), f);
    }
  }

  /** Every "## case" block of seeded-violations.trace is caught, at its last line. */
  @Test
  void check_catchesEverySeededViolation() throws IOException {
    Map<String, List<String>> cases = new LinkedHashMap<>();
    List<String> cur = null;
    for (String line : Files.readAllLines(TRACES.resolve("seeded-violations.trace"))) {
      if (line.startsWith("## ")) {
        cur = new ArrayList<>();
        cases.put(line.substring(3), cur);
      } else if (cur != null) {
        cur.add(line);
      }
    }
    Map<String, String> expect = Map.of("overlap", "overlaps", "misaligned", "not aligned to 8",
        "alignment asked for", "not aligned to 128", "double free", "double free",
        "never allocated", "never allocated", "realloc lost contents", "did not keep",
        "realloc of a freed block", "already freed");
    assertEquals(expect.keySet(), cases.keySet());
    for (var c : cases.entrySet()) {
      Path f = tmp.resolve("case.trace");
      Files.write(f, c.getValue());
      Trace t = Trace.read(f, Trace.Format.SIMPLE);
      TraceChecker.Violation v = TraceChecker.check(t);
      assertNotNull(v, c.getKey());
      assertEquals(t.events().size() - 1, v.index(), c.getKey());
      assertTrue(v.what().contains(expect.get(c.getKey())), c.getKey() + ": " + v.what());
    }
  }

  /** Violations seeded into the real glibc trace: each is found exactly where it was put. */
  @Test
  void check_catchesViolationsSeededIntoARealTrace() throws IOException {
    List<TraceEvent> real = Trace.read(TRACES.resolve("git-log.mtrace.gz")).events();
    int at = 5000;
    while (real.get(at).op() != Op.ALLOC || real.get(at).size() < 32) {
      at++;
    }
    TraceEvent a = real.get(at);
    List<List<TraceEvent>> seeded = new ArrayList<>();
    seeded.add(insert(real, at + 1, TraceEvent.alloc(a.addr() + 16, 16, -1, 0, "", 0, "seed")));
    seeded.add(insert(real, at + 1, TraceEvent.alloc(a.addr() - 16, 32, -1, 0, "", 0, "seed")));
    seeded.add(insert(real, at + 1, TraceEvent.free(a.addr() + 16, "", 0, "seed")));
    List<TraceEvent> twice = new ArrayList<>(real);
    int f = at;
    while (twice.get(f).op() != Op.FREE) {
      f++;
    }
    twice.add(f + 1, twice.get(f));
    seeded.add(twice);
    for (int i = 0; i < seeded.size(); i++) {
      TraceChecker.Violation v = TraceChecker.check(seeded.get(i), 16);
      assertNotNull(v, "seed " + i);
      assertEquals(i == 3 ? f + 1 : at + 1, v.index(), "seed " + i + ": " + v.what());
    }
    List<TraceEvent> misaligned = new ArrayList<>(real);
    misaligned.set(at, TraceEvent.alloc(a.addr() + 8, a.size() - 8, -1, 0, "", 0, "seed"));
    TraceChecker.Violation v = TraceChecker.check(misaligned, 16);
    assertNotNull(v);
    assertEquals(at, v.index());
    assertTrue(v.what().contains("not aligned to 16"), v.what());
  }

  @Test
  void check_catchesAGrantLessThanTheRequest() {
    List<TraceEvent> ev = List.of(TraceEvent.alloc(0x1000, 100, 64, 0, "", 1, "seed"));
    TraceChecker.Violation v = TraceChecker.check(ev, 8);
    assertNotNull(v);
    assertTrue(v.what().contains("granted 64"), v.what());
  }

  private static List<TraceEvent> insert(List<TraceEvent> l, int at, TraceEvent e) {
    List<TraceEvent> c = new ArrayList<>(l);
    c.add(at, e);
    return c;
  }

  private static final Replayer.Options KERNEL = new Replayer.Options(64L << 20, 4096, false, true);
  private static final Replayer.Options SEED = new Replayer.Options(64L << 20, 4096, true, true);

  @Test
  void replay_realTrace_largeAllocationsCutTheSlabWaste() throws IOException {
    Trace t = Trace.read(TRACES.resolve("python-json.mtrace.gz"));
    Replayer.Result after = Replayer.replay(t, KERNEL, null);
    Replayer.Result before = Replayer.replay(t, SEED, null);
    for (Replayer.Result r : List.of(after, before)) {
      assertEquals(List.of(), r.corrupt());
      assertEquals(0, r.failedAllocs());
      assertEquals(0, r.invalidFrees());
      assertEquals(0, r.doubleFrees());
      assertTrue(r.peakFrames() * 4096 >= r.usableAtPeakFrames());
      assertTrue(r.slabinfoAtPeak().contains("kmalloc-1k"));
    }
    assertEquals(before.peakLive(), after.peakLive());
    assertEquals(before.peakUsable(), after.peakUsable(), "same classes, same rounding");
    assertTrue(after.peakFrames() < before.peakFrames(),
        after.peakFrames() + " frames vs " + before.peakFrames());
    long wasteAfter = after.peakFrames() * 4096 - after.usableAtPeakFrames();
    long wasteBefore = before.peakFrames() * 4096 - before.usableAtPeakFrames();
    assertTrue(wasteAfter < wasteBefore / 4, wasteAfter + " vs " + wasteBefore);
    assertTrue(before.slabinfoAtPeak().contains("kmalloc-4M")
        || before.slabinfoAtPeak().contains("kmalloc-2M")
        || before.slabinfoAtPeak().contains("kmalloc-1M"));
    assertTrue(!after.slabinfoAtPeak().contains("kmalloc-16k"));
  }

  @Test
  void replay_reportsTheTracesOwnFaults() throws IOException {
    Path f = tmp.resolve("faults.trace");
    Files.write(f, List.of("a 1 10", "a 2 20", "f 1", "f 1", "f 3", "r 2 4 300", "a 5 0",
        "r 9 10 50"));
    Replayer.Result r = Replayer.replay(Trace.read(f), KERNEL, null);
    assertEquals(1, r.doubleFrees());
    assertEquals(2, r.invalidFrees(), "f 3 and the realloc of 9");
    assertEquals(3, r.leaks(), "4 (moved from 2), 5 (size 0), 10");
    assertEquals(350, r.leakedBytes());
    assertEquals(List.of(), r.corrupt());
  }

  @Test
  void svg_hasBothCurves() throws IOException {
    Replayer.Result r = Replayer.replay(Trace.read(TRACES.resolve("clean.trace")), KERNEL, null);
    String svg = SvgPlot.render(r);
    assertTrue(svg.startsWith("<svg "));
    assertEquals(2, svg.split("<polyline").length - 1);
    assertTrue(svg.trim().endsWith("</svg>"));
  }
}
