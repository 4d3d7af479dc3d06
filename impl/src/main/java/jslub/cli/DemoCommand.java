package jslub.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import jslub.KmemCache;
import jslub.SlabSystem;
import jslub.memory.BuddyFrameAllocator;
import jslub.slab.SlabMachine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jslub demo}: a multi-threaded kmalloc/kfree workload with cross-thread frees on the
 * default arena (buddy frames, virtual CPUs), a progress line while it runs, then
 * /proc/slabinfo, the slabinfo summary, the SLUB stats, and a shrink that gives every frame back.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run a multi-threaded workload with cross-thread frees, then print slabinfo"
        + " and stats.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--threads", description = "worker threads (default ${DEFAULT-VALUE})")
  int threads = 4;

  @Option(names = "--cpus", description = "virtual CPUs (default ${DEFAULT-VALUE})")
  int cpus = 2;

  @Option(names = "--ops", description = "operations per thread (default ${DEFAULT-VALUE})")
  long ops = 1_000_000;

  @Option(names = "--memory", description = "arena size (default ${DEFAULT-VALUE})")
  String memory = "64M";

  @Option(names = "--seed", description = "random seed (default ${DEFAULT-VALUE})")
  long seed = 42;

  @Option(names = "--debug", description = "slub_debug flags, e.g. F (default none)")
  String debug = "";

  @Option(names = "--delayed-freeze",
      description = "the Linux 6.8+ protocol (default: -Djslub.protocol, else <= 6.7)")
  boolean delayedFreeze = SlabMachine.delayedFreezeByDefault();

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    long bytes = Sizes.parse(memory);
    try (SlabSystem sys = SlabSystem.builder().cpus(cpus).memoryBytes(bytes).stats(true)
        .debug(debug).delayedFreeze(delayedFreeze).trackRequested(true).build()) {
      BuddyFrameAllocator buddy = (BuddyFrameAllocator) sys.frameAllocator();
      long framesAtStart = buddy.freeFrameCount();
      out.printf(Locale.ROOT, "jslub demo: %d threads on %d virtual CPUs, %d ops each, arena %s"
          + " (%d frames of %d B)%s%s%n", threads, cpus, ops, memory, buddy.totalFrames(),
          sys.memory().frameSize(), debug.isEmpty() ? "" : ", slub_debug=" + debug,
          sys.delayedFreeze() ? ", delayed freezing (6.8+)" : "");

      sys.setStats(false); // like a kernel without CONFIG_SLUB_STATS
      double nsPerPair = singleThreadAllocFree(sys);
      sys.setStats(true);
      out.printf(Locale.ROOT, "single thread: kmalloc(64)+kfree pair %.1f ns, stats off"
          + " (rough, no JMH)%n", nsPerPair);

      Workload w = new Workload(sys, threads, ops);
      List<long[]> leftovers = runThreads(w, out);
      out.printf(Locale.ROOT, "done: %d ops, %d remote frees, %d allocations refused%n%n",
          w.done.get(), w.remoteFrees.get(), w.failed.get());

      out.println(sys.info());
      out.println(sys.info().summary());
      out.println("SLUB stats (CONFIG_SLUB_STATS; caches with any activity):");
      out.println(sys.info().stats());
      out.println("memory accounting (SlabSystem.usage()):");
      out.println(sys.usage());

      for (long[] rest : leftovers) {
        for (long a : rest) {
          w.checkAndFree(a);
        }
      }
      for (var q : w.mailbox) {
        for (Long a : q) {
          w.checkAndFree(a);
        }
      }
      List<String> problems = sys.validate();
      long freed = sys.shrink();
      long back = buddy.freeFrameCount();
      out.printf(Locale.ROOT, "after freeing everything: validate %s; shrink gave back %d frames;"
          + " buddy free %d of %d at start%s%n", problems.isEmpty() ? "ok" : problems, freed,
          back, framesAtStart, back == framesAtStart ? " (all back)" : " (LEAK)");
      return problems.isEmpty() && back == framesAtStart ? 0 : 1;
    }
  }

  private List<long[]> runThreads(Workload w, PrintStream out) throws InterruptedException {
    List<long[]> leftovers = new ArrayList<>();
    List<Thread> ts = new ArrayList<>();
    Throwable[] error = new Throwable[1];
    for (int t = 0; t < threads; t++) {
      int me = t;
      Thread th = new Thread(() -> {
        long[] rest = w.run(me, w.hashCode() ^ (seed + me));
        synchronized (leftovers) {
          leftovers.add(rest);
        }
      }, "demo-" + t);
      th.setUncaughtExceptionHandler((x, e) -> error[0] = e);
      ts.add(th);
    }
    long total = (long) threads * ops;
    long t0 = System.nanoTime();
    ts.forEach(Thread::start);
    boolean tty = System.console() != null;
    while (ts.stream().anyMatch(Thread::isAlive)) {
      Thread.sleep(250);
      long d = w.done.get();
      double s = (System.nanoTime() - t0) / 1e9;
      String line = String.format(Locale.ROOT, "[demo] %,d / %,d ops  %3d%%  %.1f Mops/s",
          d, total, d * 100 / Math.max(1, total), d / 1e6 / Math.max(s, 1e-9));
      if (tty) {
        System.err.print("\r" + line);
      } else if (((System.nanoTime() - t0) / 250_000_000L) % 8 == 0) {
        System.err.println(line); // not a terminal: a line every ~2 s
      }
    }
    for (Thread th : ts) {
      th.join();
    }
    if (tty) {
      System.err.println();
    }
    if (error[0] != null) {
      throw new IllegalStateException("worker failed", error[0]);
    }
    out.printf(Locale.ROOT, "%,d ops in %.2f s%n", total, (System.nanoTime() - t0) / 1e9);
    return leftovers;
  }

  /** A rough single-thread figure: kmalloc(64)+kfree pairs, after a warm-up. */
  private static double singleThreadAllocFree(SlabSystem sys) {
    KmemCache kc = sys.cache("kmalloc-64");
    long sink = 0;
    int n = 2_000_000;
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < n; i++) {
        long a = sys.kmalloc(64);
        sink += a;
        sys.kfree(a);
      }
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      long a = sys.kmalloc(64);
      sink += a;
      sys.kfree(a);
    }
    long dt = System.nanoTime() - t0;
    if (sink == 42 && kc != null) {
      System.out.println(kc);
    }
    return (double) dt / n;
  }
}
