package jslub.bench.work;

import java.io.PrintStream;
import java.util.Locale;
import jslub.SlabInfo;
import jslub.SlabSystem;

/**
 * What a workload leaves behind, from slabinfo: utilisation = active / total objects over every
 * cache, and loss = slab bytes - active objects x object size (bytes the slabs hold that no live
 * object uses: free slots, rounding of object_size up to size, leftover at a slab's end).
 */
record Footprint(long active, long total, long slabBytes, long objectBytes) {
  static Footprint of(SlabSystem sys) {
    long active = 0;
    long total = 0;
    long slabBytes = 0;
    long objectBytes = 0;
    long frame = sys.memory().frameSize();
    for (SlabInfo.Row r : sys.info().rows()) {
      active += r.counts().activeObjs();
      total += r.counts().totalObjs();
      slabBytes += r.counts().frames() * frame;
      objectBytes += r.counts().activeObjs() * r.objectSize();
    }
    return new Footprint(active, total, slabBytes, objectBytes);
  }

  double utilisation() {
    return total == 0 ? 1 : active / (double) total;
  }

  long loss() {
    return slabBytes - objectBytes;
  }

  /** Prints both figures; {@code target} adds larson's utilisation target. */
  void print(PrintStream out, boolean target) {
    out.printf(Locale.ROOT,
        "utilisation: %,d active / %,d total objects = %.1f %%%s%n", active, total,
        100 * utilisation(), target ? " (target >= 90 %)" : "");
    out.println("  (slabinfo's active_objs: free objects of CPU slabs count as active)");
    out.printf(Locale.ROOT, "loss: %,d slab bytes - %,d object bytes = %,d bytes (%.1f %% of the"
        + " slab bytes)%n", slabBytes, objectBytes, loss(),
        slabBytes == 0 ? 0 : 100.0 * loss() / slabBytes);
  }
}
