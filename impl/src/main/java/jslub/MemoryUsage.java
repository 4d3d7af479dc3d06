package jslub;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import jslub.kmalloc.Kmalloc;
import jslub.slab.CacheCounts;

/**
 * Memory accounting for one system: frames in use, bytes held in slabs, bytes in live objects
 * and bytes requested, per cache and in total (the kernel spreads this over /proc/meminfo's
 * Slab and the NR_SLAB_* counters, slabinfo and slub_debug's orig_size).
 *
 * <p>Live objects follow slabinfo's {@code active_objs}: objects on a CPU slab count as in use
 * unless the system tracks requested sizes ({@code trackRequested}), in which case kmalloc
 * classes report their exact live objects and requested bytes; otherwise requested is -1 for
 * kmalloc classes. A named cache's requested bytes are its live objects × its object size.
 *
 * @param caches one row per cache with any slab, then a "large" row for kmalloc_large blocks
 * @param framesInUse every frame the system holds (slabs and large blocks)
 * @param frameSize bytes per frame
 * @param reclaimRuns times direct reclaim ran; {@code reclaimSaved} of them let the retry succeed
 * @param reclaimFrames frames direct reclaim gave back
 */
public record MemoryUsage(List<CacheUsage> caches, long framesInUse, int frameSize,
    long reclaimRuns, long reclaimSaved, long reclaimFrames) {

  /**
   * One cache's figures (for the "large" row: frames and bytes of kmalloc_large blocks).
   *
   * @param liveBytes live objects × the stride (s->size); a large block's whole size
   * @param requestedBytes bytes the callers asked for, or -1 when not tracked
   */
  public record CacheUsage(String name, long frames, long slabBytes, long liveObjects,
      long liveBytes, long requestedBytes) {}

  static MemoryUsage snapshot(SlabSystem sys, Kmalloc k, long framesInUse) {
    int frameSize = sys.memory().frameSize();
    List<CacheUsage> rows = new ArrayList<>();
    int cls = 0;
    for (KmemCache c : sys.caches()) {
      boolean kmallocClass = cls < k.caches().classes() && c.core() == k.caches().cache(cls);
      CacheCounts n = c.counts();
      long live = kmallocClass && k.tracksRequested() ? k.liveObjects(cls) : n.activeObjs();
      long requested = kmallocClass ? k.requestedBytes(cls) : live * c.objectSize();
      if (kmallocClass) {
        cls++;
      }
      if (n.slabs() == 0 && live <= 0) {
        continue;
      }
      rows.add(new CacheUsage(c.name(), n.frames(), n.frames() * frameSize, live,
          live * c.size(), requested));
    }
    int large = k.caches().classes();
    rows.add(new CacheUsage("large", k.largeFrames(), k.largeFrames() * frameSize,
        k.largeBlocks(), k.largeFrames() * frameSize, k.requestedBytes(large)));
    return new MemoryUsage(List.copyOf(rows), framesInUse, frameSize, k.reclaimRuns(),
        k.reclaimSaved(), k.reclaimFrames());
  }

  /** Bytes in slabs and large blocks (frames held by caches × frame size). */
  public long slabBytes() {
    return caches.stream().mapToLong(CacheUsage::slabBytes).sum();
  }

  /** Bytes in live objects and large blocks. */
  public long liveBytes() {
    return caches.stream().mapToLong(CacheUsage::liveBytes).sum();
  }

  /** Bytes requested, or -1 if any row does not know. */
  public long requestedBytes() {
    long sum = 0;
    for (CacheUsage c : caches) {
      if (c.requestedBytes() < 0) {
        return -1;
      }
      sum += c.requestedBytes();
    }
    return sum;
  }

  /** The usage table: one line per cache, then the totals. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%-14s %8s %12s %10s %12s %12s%n", "cache", "frames",
        "slab_bytes", "live_objs", "live_bytes", "requested"));
    for (CacheUsage c : caches) {
      sb.append(String.format(Locale.ROOT, "%-14s %8d %12d %10d %12d %12s%n", c.name(),
          c.frames(), c.slabBytes(), c.liveObjects(), c.liveBytes(),
          c.requestedBytes() < 0 ? "-" : Long.toString(c.requestedBytes())));
    }
    long req = requestedBytes();
    sb.append(String.format(Locale.ROOT, "%-14s %8d %12d %10s %12d %12s%n", "total",
        framesInUse, slabBytes(), "", liveBytes(), req < 0 ? "-" : Long.toString(req)));
    sb.append(String.format(Locale.ROOT, "reclaim: %d runs, %d retries succeeded, %d frames"
        + " given back%n", reclaimRuns, reclaimSaved, reclaimFrames));
    return sb.toString();
  }
}
