package jslub.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import jslub.slab.Bugs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jslub soak}: a timed, checked, many-threaded run over the whole API (see {@link Soak});
 * exits 0 when every check passed, 1 with a report of each violation otherwise.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
    description = "Run a long random workload (kmalloc sizes, named caches, bulk, cross-thread"
        + " frees, migrations, shrink, flush_all, destroy/re-create, frame faults), checking"
        + " every object and, at the end, that every object and frame is back.")
final class SoakCommand implements Callable<Integer> {
  @Option(names = "--threads", description = "worker threads (default ${DEFAULT-VALUE})")
  int threads = 4;

  @Option(names = "--cpus", description = "virtual CPUs (default ${DEFAULT-VALUE})")
  int cpus = 2;

  @Option(names = "--seconds", description = "how long to run (default ${DEFAULT-VALUE})")
  double seconds = 10;

  @Option(names = "--seed", description = "random seed (default ${DEFAULT-VALUE})")
  long seed = 1;

  @Option(names = "--faults", description = "probability that a frame allocation fails"
      + " (default ${DEFAULT-VALUE})")
  double faults = 0.01;

  @Option(names = "--caches", description = "named caches alive at a time (default ${DEFAULT-VALUE})")
  int caches = 4;

  @Option(names = "--memory", description = "arena size (default ${DEFAULT-VALUE})")
  String memory = "64M";

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    SoakConfig cfg = new SoakConfig(threads, cpus, seconds, seed, faults, caches,
        Sizes.parse(memory));
    out.printf(Locale.ROOT, "jslub soak: %d threads on %d virtual CPUs, %.0f s, seed %d,"
        + " frame faults %.4f, %d named caches, arena %s, bugs %s%n", threads, cpus, seconds,
        seed, faults, caches, memory, Bugs.active());
    Soak.Result r = Soak.run(cfg, System.err);
    out.printf(Locale.ROOT, "%,d ops in %.1f s (%,.0f ops/s): %,d objects allocated and freed"
        + " (%,d freed by another thread), %,d allocations got 0 (%,d frame faults injected),"
        + " %d caches destroyed and re-created, frames used at peak %,d of %,d%n", r.ops(),
        r.seconds(), r.ops() / Math.max(r.seconds(), 1e-9), r.allocs(), r.remoteFrees(),
        r.allocFails(), r.faultsInjected(), r.cachesDestroyed(), r.framesPeak(), r.framesTotal());
    if (r.ok()) {
      out.println("soak OK: every stamp intact, every cache destroyed cleanly, validate clean,"
          + " counts zero, every frame back in the buddy allocator");
      return 0;
    }
    out.println("soak FAILED: " + r.violations().size() + " violation(s):");
    r.violations().stream().limit(20).forEach(v -> out.println("  " + v));
    return 1;
  }
}
