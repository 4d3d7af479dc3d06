package jslub.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The jslub command line: {@code demo}, {@code slabinfo} (tools/mm/slabinfo's role), {@code replay},
 * {@code soak} and {@code trace-check}.
 */
@Command(
    name = "jslub",
    mixinStandardHelpOptions = true,
    version = "jslub 0.1.0",
    description = "A Java reference implementation of the Linux SLUB slab allocator.",
    subcommands = {DemoCommand.class, SlabinfoCommand.class, ReplayCommand.class, SoakCommand.class,
        TraceCheckCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }
}
