package jslub.bench.work;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import jslub.SlabSystem;
import jslub.bench.CrossThreadRounds;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jslub bench <name>}: the classic allocator workloads against kmalloc/kfree, with
 * progress, then ops/s, utilisation and loss; {@code --quick} runs the JMH headline set;
 * {@code cross-thread} runs the interleaved producer/consumer rounds.
 */
@Command(name = "jslub bench", mixinStandardHelpOptions = true,
    description = "Allocator workloads: larson, threadtest, xmalloc-test, cache-scratch, "
        + "cross-thread; or --quick (JMH headline set and the ratios against the targets).")
public final class BenchMain implements Callable<Integer> {
  @Parameters(arity = "0..1", paramLabel = "NAME",
      description = "larson | threadtest | xmalloc-test | cache-scratch | cross-thread")
  String name;

  @Option(names = "--quick", description = "JMH headline set (< 3 min) and the target ratios")
  boolean quick;

  @Option(names = "--json", description = "JSON output of --quick / cross-thread (default"
      + " ${DEFAULT-VALUE})", defaultValue = "bench-quick.json")
  String json;

  @Option(names = "--threads", defaultValue = "4") int threads;
  @Option(names = "--cpus", description = "virtual CPUs", defaultValue = "2") int cpus;
  @Option(names = "--ops", description = "total operations", defaultValue = "20000000") long ops;
  @Option(names = "--objects", description = "slots per thread (larson), batch (threadtest)",
      defaultValue = "1000") int objects;
  @Option(names = "--rounds", description = "thread generations (larson), rounds (cross-thread)",
      defaultValue = "10") int rounds;
  @Option(names = "--min", defaultValue = "8") int minSize;
  @Option(names = "--max", defaultValue = "256") int maxSize;
  @Option(names = "--seed", defaultValue = "42") long seed;
  @Option(names = "--memory-mib", defaultValue = "512") long memoryMib;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    if (quick) {
      Quick.run(json, out);
      return 0;
    }
    if (name == null) {
      CommandLine.usage(this, out);
      return 2;
    }
    if (name.equals("cross-thread")) {
      var r = CrossThreadRounds.run(rounds, (int) Math.min(ops / 10, Integer.MAX_VALUE), out);
      CrossThreadRounds.writeJson(java.nio.file.Path.of(json), r);
      return 0;
    }
    WorkloadOptions o = new WorkloadOptions();
    o.threads = threads;
    o.cpus = cpus;
    o.ops = ops;
    o.objects = objects;
    o.rounds = rounds;
    o.minSize = minSize;
    o.maxSize = maxSize;
    o.seed = seed;
    try (SlabSystem sys = SlabSystem.builder().frameSize(4096).cacheLineSize(64).cpus(cpus)
        .memoryBytes(memoryMib << 20).build()) {
      out.printf("%s: %d threads on %d virtual CPUs, %,d ops, sizes %d-%d B%n", name, threads,
          cpus, ops, minSize, maxSize);
      Footprint f = switch (name) {
        case "larson" -> Larson.run(sys, o, out);
        case "threadtest" -> ThreadTest.run(sys, o, out);
        case "xmalloc-test" -> XmallocTest.run(sys, o, out);
        case "cache-scratch" -> CacheScratch.run(sys, o, out);
        default -> throw new CommandLine.ParameterException(new CommandLine(this),
            "unknown workload " + name);
      };
      f.print(out, name.equals("larson"));
    }
    return 0;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchMain()).execute(args));
  }
}
