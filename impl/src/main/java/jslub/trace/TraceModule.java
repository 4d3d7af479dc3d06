package jslub.trace;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.StringJoiner;

/**
 * Writes a recorded run as a TLA+ module that EXTENDS TraceSlub (proofs/TraceSlub.tla), its TLC
 * config, and a side file with the Java stack of every record (for reports of a rejected run).
 */
public final class TraceModule {
  private TraceModule() {}

  /**
   * Writes {@code name.tla}, {@code name.cfg} and {@code name.stacks} into {@code dir}.
   *
   * @param bulkSize the n of every kmem_cache_alloc_bulk call of the run (the model's BulkSize)
   */
  public static void write(Path dir, String name, TraceRecorder r, int bulkSize)
      throws IOException {
    Files.createDirectories(dir);
    List<String> records = r.records();
    String variant = variant(r);
    try (Writer w = Files.newBufferedWriter(dir.resolve(name + ".tla"), StandardCharsets.UTF_8)) {
      w.write("---- MODULE " + name + " ----\n");
      w.write("\\* Recorded by jslub trace-check: " + records.size() + " steps of "
          + r.threads() + " threads; cache " + r.cache().name() + "; protocol " + variant
          + ".\n");
      w.write("EXTENDS TraceSlub\n\n");
      // The protocol the Java run used; the config must replay it on the same Slub variant.
      w.write("RunVariant == \"" + variant + "\"\n");
      w.write("ASSUME Variant = RunVariant\n\n");
      StringJoiner cpus = new StringJoiner(", ", "<<", ">>");
      for (int c : r.cpuOf()) {
        cpus.add(Integer.toString(c));
      }
      w.write("CpuOfRun == " + cpus + "\n");
      w.write("OpsRun == [t \\in Threads |-> {\"alloc\", \"free\", \"bulk\", \"shrink\","
          + " \"freebulk\"}]\n\n");
      w.write("TraceLog == <<\n");
      for (int i = 0; i < records.size(); i++) {
        w.write("  " + records.get(i) + (i + 1 < records.size() ? ",\n" : "\n"));
      }
      w.write(">>\n====\n");
    }
    StringJoiner threads = new StringJoiner(", ", "{", "}");
    for (int t = 1; t <= r.threads(); t++) {
      threads.add(Integer.toString(t));
    }
    int ncpus = r.cache().machine().cpus();
    String cfg = String.join("\n",
        "\\* " + name + ": constants of the recorded run",
        "CONSTANTS",
        "  Threads = " + threads,
        "  NCpus = " + ncpus,
        "  CpuOf <- CpuOfRun",
        "  NSlabs = " + r.slabs(),
        "  NObjs = " + r.objectsPerSlab(),
        "  MinPartial = " + r.cache().minPartial(),
        "  CpuPartialSlabs = " + r.cache().cpuPartialSlabs(),
        "  TidSpace = " + r.tidSpace(),
        "  Ops <- OpsRun",
        "  BulkThreads = {}",
        "  ShrinkThreads = {}",
        "  BulkSize = " + bulkSize,
        "  MaxBulkFree = " + r.maxBulkFree(),
        "  MaxMigrations = " + r.migrations(),
        "  MaxOps = 0",
        "  Bugs = {}",
        "  Variant = \"" + variant + "\"",
        "  Trace <- TraceLog",
        "SPECIFICATION TraceSpec",
        "INVARIANTS TraceNotStuck TraceInv",
        "");
    Files.writeString(dir.resolve(name + ".cfg"), cfg, StandardCharsets.UTF_8);
    try (Writer w = Files.newBufferedWriter(dir.resolve(name + ".stacks"),
        StandardCharsets.UTF_8)) {
      for (int i = 1; i <= records.size(); i++) {
        w.write(i + "\t" + records.get(i - 1) + "\t" + site(r.stack(i)) + "\n");
      }
    }
  }

  /**
   * The model's Variant for the protocol the run's cache used: "primary" (Linux &le; 6.7) or
   * "delayed_freeze" (6.8+).
   */
  public static String variant(TraceRecorder r) {
    return r.cache().machine().delayedFreeze() ? "delayed_freeze" : "primary";
  }

  /** The frames of a step's stack below the trace hook, as "Class.method:line <- ...". */
  static String site(StackTraceElement[] stack) {
    StringJoiner j = new StringJoiner(" <- ");
    int n = 0;
    for (StackTraceElement e : stack) {
      String c = e.getClassName();
      if (c.contains("SlabTrace") || c.startsWith("java.")) {
        continue;
      }
      j.add(c.substring(c.lastIndexOf('.') + 1) + "." + e.getMethodName() + ":"
          + e.getLineNumber());
      if (++n == 8) {
        break;
      }
    }
    return j.toString();
  }
}
