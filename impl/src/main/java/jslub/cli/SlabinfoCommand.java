package jslub.cli;

import java.util.concurrent.Callable;
import jslub.SlabSystem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jslub slabinfo}: a fresh system, optionally after a short workload, reported like
 * /proc/slabinfo or tools/mm/slabinfo.
 */
@Command(name = "slabinfo", mixinStandardHelpOptions = true,
    description = "Print /proc/slabinfo (or the slabinfo tool's summary) of a system.")
final class SlabinfoCommand implements Callable<Integer> {
  @Option(names = "--ops", description = "operations per thread of a warm-up workload"
      + " (default ${DEFAULT-VALUE}: none)")
  long ops = 0;

  @Option(names = "--threads", description = "warm-up threads (default ${DEFAULT-VALUE})")
  int threads = 2;

  @Option(names = {"-s", "--summary"}, description = "tools/mm/slabinfo report instead")
  boolean summary;

  @Option(names = "--stats", description = "also print the SLUB stat counters")
  boolean stats;

  @Option(names = "--usage", description = "also print the memory accounting (frames, slab,"
      + " live and requested bytes per cache)")
  boolean usage;

  @Option(names = "--slabs-to-8m", description = "slab classes up to kmalloc-8M (the seed's"
      + " layout) instead of kmalloc_large above two frames")
  boolean slabsTo8M;

  @Override
  public Integer call() throws Exception {
    try (SlabSystem sys = SlabSystem.builder().cpus(threads).stats(stats)
        .kmallocSlabsTo8M(slabsTo8M).trackRequested(usage).build()) {
      if (ops > 0) {
        Workload w = new Workload(sys, threads, ops);
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
          int me = t;
          ts[t] = new Thread(() -> w.run(me, me));
          ts[t].start();
        }
        for (Thread t : ts) {
          t.join();
        }
      }
      System.out.print(summary ? sys.info().summary() : sys.info().toString());
      if (stats) {
        System.out.print(sys.info().stats());
      }
      if (usage) {
        System.out.print(sys.usage());
      }
    }
    return 0;
  }
}
