package jslub.replay;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The oracle: checks another allocator's trace, with the addresses it returned, the way jslub
 * checks itself. Every live block occupies {@code [addr, addr + max(size, 1))}; the checks are
 * that no two live blocks overlap, every block is aligned (to its line's alignment, else the
 * format's default), a traced granted size is at least the requested one, no free or realloc
 * names an address that is not live (never allocated, or already freed), and a realloc that
 * states content hashes kept the contents. The first violation stops the check.
 */
public final class TraceChecker {
  /** The first violation: the index of the event in the trace and what is wrong. */
  public record Violation(int index, String what) {}

  private TraceChecker() {}

  /** Checks {@code t}; returns its first violation, or null if there is none. */
  public static @Nullable Violation check(Trace t) {
    return check(t.events(), t.format().defaultAlign());
  }

  /** Checks {@code events} with {@code defaultAlign} for lines that ask for none. */
  public static @Nullable Violation check(List<TraceEvent> events, int defaultAlign) {
    TreeMap<Long, Long> live = new TreeMap<>(Long::compareUnsigned); // start -> end (exclusive)
    Set<Long> freed = new HashSet<>();
    for (int i = 0; i < events.size(); i++) {
      TraceEvent e = events.get(i);
      String bad = switch (e.op()) {
        case ALLOC -> place(live, freed, e, defaultAlign);
        case FREE -> release(live, freed, e.addr(), "free");
        case REALLOC -> {
          String r = release(live, freed, e.oldAddr(), "realloc");
          if (r == null) {
            r = place(live, freed, e, defaultAlign);
          }
          if (r == null && e.preHash() != -1 && e.preHash() != e.postHash()) {
            r = "realloc did not keep the contents: hash 0x" + Long.toHexString(e.preHash())
                + " before, 0x" + Long.toHexString(e.postHash()) + " after";
          }
          yield r;
        }
      };
      if (bad != null) {
        return new Violation(i, bad);
      }
    }
    return null;
  }

  private static @Nullable String place(TreeMap<Long, Long> live, Set<Long> freed, TraceEvent e,
      int defaultAlign) {
    long a = e.addr();
    long size = Math.max(1, e.size());
    int align = Math.max(e.align(), defaultAlign);
    if (a == 0) {
      return "allocation returned NULL but the trace goes on using it";
    }
    if ((a & (align - 1)) != 0) {
      return "block 0x" + Long.toHexString(a) + " is not aligned to " + align;
    }
    if (e.granted() >= 0 && e.granted() < e.size()) {
      return "granted " + e.granted() + " bytes for a request of " + e.size();
    }
    long end = a + size;
    Map.Entry<Long, Long> below = live.floorEntry(a);
    if (below != null && Long.compareUnsigned(below.getValue(), a) > 0) {
      return overlap(a, end, below);
    }
    Map.Entry<Long, Long> above = live.higherEntry(a);
    if (above != null && Long.compareUnsigned(above.getKey(), end) < 0) {
      return overlap(a, end, above);
    }
    live.put(a, end);
    freed.remove(a);
    return null;
  }

  private static String overlap(long a, long end, Map.Entry<Long, Long> other) {
    return "block [0x" + Long.toHexString(a) + ", 0x" + Long.toHexString(end)
        + ") overlaps live block [0x" + Long.toHexString(other.getKey()) + ", 0x"
        + Long.toHexString(other.getValue()) + ")";
  }

  private static @Nullable String release(TreeMap<Long, Long> live, Set<Long> freed, long a,
      String what) {
    if (live.remove(a) != null) {
      freed.add(a);
      return null;
    }
    return freed.contains(a) ? what + " of 0x" + Long.toHexString(a) + ", already freed (double free)"
        : what + " of 0x" + Long.toHexString(a) + ", which was never allocated";
  }
}
