package jslub.bench.work;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import jslub.SlabInfo;
import jslub.SlabSystem;

/**
 * Loss per kmalloc class at the order calculate_order picks (2 CPUs, 4 KiB frames), as JSON for
 * scripts/perf-charts.py: loss = (slab bytes - objects x size) / slab bytes.
 */
public final class WasteTable {
  private WasteTable() {}

  public static void main(String[] args) throws IOException {
    StringBuilder sb = new StringBuilder("[\n");
    try (SlabSystem sys = SlabSystem.builder().frameSize(4096).cacheLineSize(64).cpus(2)
        .memoryBytes(64L << 20).build()) {
      boolean first = true;
      for (SlabInfo.Row r : sys.info().rows()) {
        if (!r.name().startsWith("kmalloc-")) {
          continue;
        }
        long slab = 4096L << r.order();
        long lost = slab - (long) r.objsPerSlab() * r.size();
        sb.append(first ? "" : ",\n").append(String.format(Locale.ROOT,
            "  {\"name\": \"%s\", \"size\": %d, \"order\": %d, \"objects\": %d, \"slabBytes\": %d,"
                + " \"lossBytes\": %d, \"lossPercent\": %.3f}", r.name(), r.size(), r.order(),
            r.objsPerSlab(), slab, lost, 100.0 * lost / slab));
        first = false;
      }
    }
    sb.append("\n]\n");
    if (args.length > 0) {
      Files.writeString(Path.of(args[0]), sb);
    } else {
      System.out.print(sb);
    }
  }
}
