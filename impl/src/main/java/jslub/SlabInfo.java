package jslub;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import jslub.slab.CacheCounts;
import jslub.slab.SlabLayout;
import jslub.slab.SlabStats;
import jslub.slab.Stat;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A snapshot of every cache: {@link #toString()} is {@code /proc/slabinfo} (version 2.1),
 * {@link #summary()} is the default report of {@code tools/mm/slabinfo}, {@link #stats()} the
 * SLUB stat counters in the sysfs format.
 */
public final class SlabInfo {
  /** One cache's line. */
  public record Row(String name, int objectSize, int size, int objsPerSlab, int order,
      CacheCounts counts, String flags, SlabStats stats) {}

  private final List<Row> rows;
  private final int frameSize;

  private SlabInfo(List<Row> rows, int frameSize) {
    this.rows = rows;
    this.frameSize = frameSize;
  }

  static SlabInfo snapshot(SlabSystem sys) {
    List<Row> rows = new ArrayList<>();
    for (KmemCache c : sys.caches()) {
      SlabLayout l = c.core().layout();
      rows.add(new Row(c.name(), c.objectSize(), c.size(), l.ooObjects, l.ooOrder, c.counts(),
          c.core().debug() ? "F" : "", c.stats()));
    }
    return new SlabInfo(List.copyOf(rows), sys.memory().frameSize());
  }

  public List<Row> rows() {
    return rows;
  }

  /** The row of cache {@code name}, or null. */
  public @Nullable Row row(String name) {
    for (Row r : rows) {
      if (r.name().equals(name)) {
        return r;
      }
    }
    return null;
  }

  /** /proc/slabinfo (SLUB has no tunables: they print as 0). */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append("slabinfo - version: 2.1\n");
    sb.append("# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
        + " : tunables <limit> <batchcount> <sharedfactor>"
        + " : slabdata <active_slabs> <num_slabs> <sharedavail>\n");
    for (Row r : rows) {
      CacheCounts k = r.counts();
      sb.append(String.format(Locale.ROOT, "%-17s %6d %6d %6d %4d %4d : tunables %4d %4d %4d"
              + " : slabdata %6d %6d %6d%n", r.name(), k.activeObjs(), k.totalObjs(), r.size(),
          r.objsPerSlab(), 1 << r.order(), 0, 0, 0, k.slabs(), k.slabs(), 0));
    }
    return sb.toString();
  }

  /**
   * tools/mm/slabinfo's default report: Objects (in use), Objsize, Space, Slabs/Part/Cpu, O/S,
   * O (order), %Fr (partial slabs), %Ef (object bytes / slab bytes), Flg. Empty caches omitted.
   */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append("Name                   Objects Objsize           Space Slabs/Part/Cpu  O/S O"
        + " %Fr %Ef Flg\n");
    for (Row r : rows) {
      CacheCounts k = r.counts();
      if (k.slabs() == 0) {
        continue;
      }
      long space = k.frames() * (long) frameSize;
      long objects = k.activeObjs();
      long pct = k.slabs() == 0 ? 100 : k.partialSlabs() * 100 / k.slabs();
      long eff = space == 0 ? 100 : objects * r.objectSize() * 100 / space;
      String dist = (k.slabs() - k.cpuSlabs()) + "/" + k.partialSlabs() + "/" + k.cpuSlabs();
      sb.append(String.format(Locale.ROOT, "%-21s %8d %7d %15s %14s %4d %1d %3d %3d %s%n",
          r.name(), objects, r.objectSize(), storeSize(space), dist, r.objsPerSlab(),
          r.order(), pct, eff, r.flags()));
    }
    return sb.toString();
  }

  /** The SLUB stat counters of every cache that counted anything, sysfs style. */
  public String stats() {
    StringBuilder sb = new StringBuilder();
    for (Row r : rows) {
      SlabStats s = r.stats();
      boolean any = false;
      for (Stat st : Stat.values()) {
        if (s.total(st) != 0) {
          if (!any) {
            sb.append(r.name()).append(":\n");
            any = true;
          }
          sb.append(String.format(Locale.ROOT, "  %-24s %s%n", st.sysfsName(), s.sysfs(st)));
        }
      }
    }
    return sb.toString();
  }

  /** slabinfo's store_size(): 4.0K, 1.2M … */
  static String storeSize(long v) {
    String[] units = {"", "K", "M", "G", "T"};
    double d = v;
    int u = 0;
    while (d >= 1024 && u < units.length - 1) {
      d /= 1024;
      u++;
    }
    return u == 0 ? Long.toString(v) : String.format(Locale.ROOT, "%.1f%s", d, units[u]);
  }
}
