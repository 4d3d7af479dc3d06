package jslub.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import jslub.MemoryUsage;
import jslub.replay.Replayer;
import jslub.replay.SvgPlot;
import jslub.replay.Trace;
import jslub.replay.TraceChecker;
import jslub.replay.TraceEvent;
import org.checkerframework.checker.nullness.qual.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jslub replay FILE…}: replays allocation traces (glibc mtrace, ftrace kmem events,
 * jslub's simple format) through kmalloc/kfree/krealloc and reports what the trace did wrong and
 * what jslub needed; with {@code --check}, checks another allocator's trace instead.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Replay allocation traces through jslub, or check another allocator's trace"
        + " (--check).",
        "Formats: glibc mtrace (MALLOC_TRACE), ftrace kmem events (kmalloc, kfree,"
        + " kmem_cache_alloc, kmem_cache_free), jslub's simple format; .gz is read too."})
final class ReplayCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "FILE", description = "trace files")
  List<Path> files = new ArrayList<>();

  @Option(names = "--check", description = "check the trace's own addresses (overlap, alignment,"
      + " size, frees, realloc contents); exit 1 at the first violation")
  boolean check;

  @Option(names = "--format", description = "mtrace, ftrace or simple (default: guessed)")
  String format = "";

  @Option(names = "--plot", paramLabel = "FILE.svg",
      description = "draw live bytes and frames in use over the trace (one file: FILE.svg;"
          + " several: FILE-<n>.svg)")
  @Nullable Path plot;

  @Option(names = "--memory", description = "arena size (default ${DEFAULT-VALUE})")
  String memory = "256M";

  @Option(names = "--frame-size", description = "frame size (default ${DEFAULT-VALUE})")
  int frameSize = 4096;

  @Option(names = "--slabs-to-8m", description = "serve every size up to 8 MiB from slab classes"
      + " (the seed's layout) instead of kmalloc_large")
  boolean slabsTo8M;

  @Option(names = "--no-reclaim", description = "no direct reclaim when frames run out")
  boolean noReclaim;

  @Option(names = "--context", description = "events shown around a violation (default"
      + " ${DEFAULT-VALUE})")
  int context = 3;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    int worst = 0;
    int k = 0;
    for (Path f : files) {
      Trace.@Nullable Format fmt = format.isEmpty() ? null
          : Trace.Format.valueOf(format.toUpperCase(Locale.ROOT));
      Trace t = Trace.read(f, fmt);
      if (check) {
        worst = Math.max(worst, check(t, out));
      } else {
        worst = Math.max(worst, replay(t, out, k++));
      }
    }
    return worst;
  }

  private int check(Trace t, PrintStream out) {
    TraceChecker.Violation v = TraceChecker.check(t);
    if (v == null) {
      out.printf(Locale.ROOT, "%s (%s, %d events): ok: no overlap, every block aligned to >= %d,"
          + " sizes honoured, every free and realloc of a live block%n", t.name(),
          t.format().name().toLowerCase(Locale.ROOT), t.events().size(), t.format().defaultAlign());
      return 0;
    }
    List<TraceEvent> ev = t.events();
    out.printf(Locale.ROOT, "%s: VIOLATION at event %d (line %d): %s%n", t.name(), v.index() + 1,
        ev.get(v.index()).line(), v.what());
    for (int i = Math.max(0, v.index() - context); i <= Math.min(ev.size() - 1, v.index() + context);
        i++) {
      out.printf(Locale.ROOT, "  %s line %6d: %s%n", i == v.index() ? ">>" : "  ", ev.get(i).line(),
          ev.get(i).text());
    }
    return 1;
  }

  private int replay(Trace t, PrintStream out, int k) throws Exception {
    Replayer.Options o = new Replayer.Options(Sizes.parse(memory), frameSize, slabsTo8M,
        !noReclaim);
    Progress bar = new Progress(t.name(), t.events().size());
    Replayer.Result r = Replayer.replay(t, o, bar.enabled() ? bar::show : null);
    bar.done();
    long fs = r.frameSize();
    out.printf(Locale.ROOT, "== %s (%s): %,d events: %,d allocs, %,d frees, %,d reallocs%n",
        r.name(), r.format().name().toLowerCase(Locale.ROOT), r.events(), r.allocs(), r.frees(),
        r.reallocs());
    out.printf(Locale.ROOT, "layout: %s; reclaim %s%n", slabsTo8M
        ? "slab classes up to 8 MiB (seed)" : "slab classes up to 2 frames, larger via"
        + " kmalloc_large", noReclaim ? "off" : "on");
    out.printf(Locale.ROOT, "trace faults: %,d frees of addresses never allocated, %,d double"
        + " frees, %,d leaks (%,d bytes)%n", r.invalidFrees(), r.doubleFrees(), r.leaks(),
        r.leakedBytes());
    for (String e : r.examples()) {
      out.println("  " + e);
    }
    out.printf(Locale.ROOT, "jslub: %,d allocations refused; objects stamped and checked: %s%n",
        r.failedAllocs(), r.corrupt().isEmpty() ? "all intact" : r.corrupt().size() + " BROKEN");
    for (String c : r.corrupt().subList(0, Math.min(5, r.corrupt().size()))) {
      out.println("  " + c);
    }
    double pl = Math.max(1, r.peakLive());
    out.printf(Locale.ROOT, "peak live bytes %,d; peak usable (ksize) bytes %,d; peak frames %,d"
        + " (%,d bytes) at event %,d%n", r.peakLive(), r.peakUsable(), r.peakFrames(),
        r.peakFrames() * fs, r.peakFramesAt() + 1);
    out.printf(Locale.ROOT, "peak frames / peak live bytes = %.2f; size rounding alone"
        + " (peak ksize / peak live) = %.2f%n", r.peakFrames() * fs / pl, r.peakUsable() / pl);
    long atPeak = r.peakFrames() * fs;
    out.printf(Locale.ROOT, "overhead at the frame peak: %,d bytes = size-class rounding %,d"
        + " + slab-level waste %,d (live %,d, usable %,d)%n", atPeak - r.liveAtPeakFrames(),
        r.usableAtPeakFrames() - r.liveAtPeakFrames(), atPeak - r.usableAtPeakFrames(),
        r.liveAtPeakFrames(), r.usableAtPeakFrames());
    out.printf(Locale.ROOT, "speed: %,.0f ops/s (%.3f s; one thread, stamping every object)%n",
        r.opsPerSecond(), r.seconds());
    out.println("slabinfo at the frame peak:");
    out.print(r.slabinfoAtPeak());
    MemoryUsage u = r.usageAtPeak();
    if (u != null) {
      out.println("accounting at the frame peak:");
      out.print(u);
    }
    Path p = plot;
    if (p != null) {
      if (files.size() > 1) {
        String n = String.valueOf(p.getFileName()).replaceFirst("\\.svg$", "");
        p = p.resolveSibling(n + "-" + (k + 1) + ".svg");
      }
      Files.writeString(p, SvgPlot.render(r), StandardCharsets.UTF_8);
      out.println("plot: " + p);
    }
    out.println();
    return r.corrupt().isEmpty() ? 0 : 2;
  }

  /** A progress bar on stderr for long traces (≥ 200k events). */
  private static final class Progress {
    private final String name;
    private final long total;
    private final boolean tty = System.console() != null;
    private final long t0 = System.nanoTime();
    private long last;

    Progress(String name, long total) {
      this.name = name;
      this.total = total;
    }

    boolean enabled() {
      return total >= 200_000;
    }

    void show(long i) {
      long now = System.nanoTime();
      if (now - last < 200_000_000L) {
        return;
      }
      last = now;
      int w = 30;
      int done = (int) (i * w / Math.max(1, total));
      String line = String.format(Locale.ROOT, "[replay %s] [%s%s] %3d%% %,.0f ev/s", name,
          "#".repeat(done), " ".repeat(w - done), i * 100 / Math.max(1, total),
          i / Math.max(1e-9, (now - t0) / 1e9));
      if (tty) {
        System.err.print("\r" + line);
      } else {
        System.err.println(line);
      }
    }

    void done() {
      if (enabled() && tty) {
        System.err.println();
      }
    }
  }
}
