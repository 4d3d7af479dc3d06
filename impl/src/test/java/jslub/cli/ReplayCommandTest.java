package jslub.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code jslub replay}: exit codes and what it prints. */
class ReplayCommandTest {
  @TempDir Path tmp;

  private record Run(int exit, String out) {}

  private static Run run(String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      int rc = new CommandLine(new Main()).execute(args);
      return new Run(rc, buf.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(old);
    }
  }

  @Test
  void check_cleanTracesExit0() {
    Run r = run("replay", "--check", "../traces/git-log.mtrace.gz", "../traces/clean.trace",
        "../traces/kmem-sample.ftrace");
    assertEquals(0, r.exit(), r.out());
    assertEquals(3, r.out().split(": ok:").length - 1, r.out());
  }

  @Test
  void check_firstViolationWithContextExit1() throws Exception {
    Path f = tmp.resolve("bad.trace");
    Files.write(f, List.of("a 0x1000 64", "a 0x2000 64", "f 0x1000", "a 0x3000 8", "f 0x1000",
        "a 0x4000 8", "f 0x2000"));
    Run r = run("replay", "--check", "--context", "1", f.toString());
    assertEquals(1, r.exit(), r.out());
    assertTrue(r.out().contains("VIOLATION at event 5 (line 5): free of 0x1000, already freed"),
        r.out());
    assertTrue(r.out().contains(">> line      5: f 0x1000"), r.out());
    assertTrue(r.out().contains("   line      4: a 0x3000 8"), r.out());
    assertTrue(r.out().contains("   line      6: a 0x4000 8"), r.out());
    assertTrue(!r.out().contains("line      3:"), r.out());
  }

  @Test
  void replay_printsTheReportAndWritesThePlot() {
    Path svg = tmp.resolve("p.svg");
    Run r = run("replay", "--memory", "64M", "--plot", svg.toString(),
        "../traces/python-json.mtrace.gz");
    assertEquals(0, r.exit(), r.out());
    for (String s : List.of("peak frames / peak live bytes =", "size rounding alone",
        "slab-level waste", "ops/s", "slabinfo at the frame peak:", "accounting at the frame peak:",
        "objects stamped and checked: all intact", "leaks")) {
      assertTrue(r.out().contains(s), s + " in\n" + r.out());
    }
    assertTrue(Files.exists(svg));
  }
}
