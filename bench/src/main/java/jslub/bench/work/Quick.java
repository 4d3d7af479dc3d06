package jslub.bench.work;

import java.io.PrintStream;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * {@code jslub bench --quick}: the JMH headline set (two-CAS floor, jslub cache and kmalloc pairs,
 * bulk 16, glibc, Netty adaptive on its own threads) in shortened iterations, then the ratios
 * against the targets of docs/PERFORMANCE.md. Two forks, so a bad fork shows as error.
 */
final class Quick {
  private Quick() {}

  static final String FLOOR = "jslub.bench.Floors.twoCas";
  static final String CACHE = "jslub.bench.JslubPairs.cachePair";
  static final String KMALLOC = "jslub.bench.JslubPairs.kmallocPair";
  static final String BULK = "jslub.bench.JslubPairs.bulk16";
  static final String GLIBC = "jslub.bench.GlibcPairs.mallocPair";
  static final String NETTY = "jslub.bench.NettyPairsOnFtl.adaptivePair";

  static void run(String jsonOut, PrintStream out) throws RunnerException {
    Options opt = new OptionsBuilder()
        .include("^(" + String.join("|", FLOOR, CACHE, KMALLOC, BULK, GLIBC, NETTY)
            .replace(".", "\\.") + ")$")
        .forks(2)
        .warmupIterations(2).warmupTime(TimeValue.seconds(1))
        .measurementIterations(3).measurementTime(TimeValue.seconds(1))
        .resultFormat(ResultFormatType.JSON).result(jsonOut)
        .build();
    Collection<RunResult> results = new Runner(opt).run();
    Map<String, Double> ns = new HashMap<>();
    for (RunResult r : results) {
      ns.put(r.getParams().getBenchmark(), r.getPrimaryResult().getScore());
    }
    printRatios(ns, out);
    out.println("JSON: " + jsonOut);
  }

  static void printRatios(Map<String, Double> ns, PrintStream out) {
    out.println();
    out.println("ns per alloc+free pair (64 B): noisy unless the machine is quiet");
    for (String b : new String[] {FLOOR, CACHE, KMALLOC, BULK, GLIBC, NETTY}) {
      Double v = ns.get(b);
      out.printf(Locale.ROOT, "  %-45s %8s%n", b.substring("jslub.bench.".length()),
          v == null ? "-" : String.format(Locale.ROOT, "%.1f", v));
    }
    out.println("targets (docs/PERFORMANCE.md):");
    ratio(ns, out, CACHE, FLOOR, 1.5, "cache pair <= 1.5 x two-CAS floor");
    ratio(ns, out, CACHE, GLIBC, 1.0, "cache pair <= glibc malloc+free (FFM)");
    ratio(ns, out, CACHE, NETTY, 0.6, "cache pair <= 0.6 x Netty adaptive on its threads");
    ratio(ns, out, BULK, FLOOR, 0.6, "bulk 16 per object <= 0.6 x two-CAS floor");
    ratio(ns, out, KMALLOC, GLIBC, Double.NaN, "kmalloc pair / glibc (no target)");
  }

  private static void ratio(Map<String, Double> ns, PrintStream out, String a, String b,
      double target, String what) {
    Double x = ns.get(a);
    Double y = ns.get(b);
    if (x == null || y == null) {
      out.printf(Locale.ROOT, "  %-52s missing%n", what);
      return;
    }
    double r = x / y;
    String verdict = Double.isNaN(target) ? "" : r <= target ? "met" : "MISSED";
    out.printf(Locale.ROOT, "  %-52s %5.2f  %s%n", what, r, verdict);
  }
}
