package jslub.replay;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;
import jslub.KmemCache;
import jslub.MemoryUsage;
import jslub.SlabSystem;
import jslub.memory.PhysicalMemory;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Replays a trace through jslub: every allocation becomes a kmalloc (or a kmem_cache_alloc from
 * a cache named like the traced one), every free a kfree, every realloc a krealloc. Each object
 * is stamped at both ends when it is allocated and checked when it is freed or moved, so an
 * allocator that hands out overlapping objects or loses contents is caught. The trace's own
 * faults (frees of addresses it never allocated, double frees, leaks) are counted and reported.
 *
 * <p>The replay runs on one virtual CPU, so it is deterministic: a second pass up to the event
 * where frames in use peaked reproduces that state exactly for slabinfo and the accounting.
 */
public final class Replayer {
  /** How to build the system a trace replays on. */
  public record Options(long memoryBytes, int frameSize, boolean slabsTo8M, boolean reclaim) {}

  /** A sample for the plot: the largest values seen since the previous sample. */
  public record Sample(int event, long liveBytes, long frameBytes) {}

  /** Everything a replay found. */
  public record Result(String name, Trace.Format format, int events, long allocs, long frees,
      long reallocs, long failedAllocs, long invalidFrees, long doubleFrees, List<String> examples,
      long leaks, long leakedBytes, List<String> corrupt, long peakLive, long peakUsable,
      long peakFrames, int peakFramesAt, long liveAtPeakFrames, long usableAtPeakFrames,
      int frameSize, double seconds, String slabinfoAtPeak, @Nullable MemoryUsage usageAtPeak,
      List<Sample> samples) {

    /** Events per second of the first (timed) pass. */
    public double opsPerSecond() {
      return seconds <= 0 ? 0 : events / seconds;
    }
  }

  private static final int PLOT_POINTS = 1500;

  private final SlabSystem sys;
  private final PhysicalMemory mem;
  private final Map<Long, Obj> live = new HashMap<>();
  private final Set<Long> freed = new HashSet<>();
  private final Map<String, KmemCache> caches = new HashMap<>();
  private final List<String> examples = new ArrayList<>();
  private final List<String> corrupt = new ArrayList<>();
  private long liveBytes;
  private long usableBytes;
  private long allocs;
  private long frees;
  private long reallocs;
  private long failed;
  private long invalid;
  private long doubles;
  private long serial;

  /** A live traced block: jslub's address, the size asked for, its usable size, its stamp. */
  private record Obj(long addr, long size, long usable, long stamp) {}

  private Replayer(SlabSystem sys) {
    this.sys = sys;
    this.mem = sys.memory();
  }

  private static SlabSystem build(Options o) {
    return SlabSystem.builder().cpus(1).memoryBytes(o.memoryBytes()).frameSize(o.frameSize())
        .kmallocSlabsTo8M(o.slabsTo8M()).reclaim(o.reclaim()).trackRequested(true).build();
  }

  /**
   * Replays {@code t}; {@code progress} (may be null) hears the event index now and then.
   * Runs the trace twice: once timed and measured, once up to the peak for slabinfo.
   */
  public static Result replay(Trace t, Options o, @Nullable LongConsumer progress) {
    List<TraceEvent> ev = t.events();
    int n = ev.size();
    int step = Math.max(1, n / PLOT_POINTS);
    List<Sample> samples = new ArrayList<>();
    long peakLive = 0;
    long peakUsable = 0;
    long peakFrames = -1;
    int peakAt = -1;
    long liveAtPeak = 0;
    long usableAtPeak = 0;
    Replayer r;
    long t0;
    long t1;
    try (SlabSystem sys = build(o)) {
      r = new Replayer(sys);
      long bucketLive = 0;
      long bucketFrames = 0;
      t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        r.apply(ev.get(i));
        long frames = sys.framesInUse();
        if (frames > peakFrames) {
          peakFrames = frames;
          peakAt = i;
          liveAtPeak = r.liveBytes;
          usableAtPeak = r.usableBytes;
        }
        peakLive = Math.max(peakLive, r.liveBytes);
        peakUsable = Math.max(peakUsable, r.usableBytes);
        bucketLive = Math.max(bucketLive, r.liveBytes);
        bucketFrames = Math.max(bucketFrames, frames);
        if ((i + 1) % step == 0 || i == n - 1) {
          samples.add(new Sample(i + 1, bucketLive, bucketFrames * o.frameSize()));
          bucketLive = 0;
          bucketFrames = 0;
        }
        if (progress != null && (i & 0xffff) == 0) {
          progress.accept(i);
        }
      }
      t1 = System.nanoTime();
      r.leakReport();
    }
    String info = "";
    MemoryUsage usage = null;
    if (peakAt >= 0) {
      try (SlabSystem sys = build(o)) {
        Replayer again = new Replayer(sys);
        for (int i = 0; i <= peakAt; i++) {
          again.apply(ev.get(i));
        }
        info = sys.info().summary();
        usage = sys.usage();
      }
    }
    long leakedBytes = 0;
    for (Obj x : r.live.values()) {
      leakedBytes += x.size();
    }
    return new Result(t.name(), t.format(), n, r.allocs, r.frees, r.reallocs, r.failed,
        r.invalid, r.doubles, List.copyOf(r.examples), r.live.size(), leakedBytes,
        List.copyOf(r.corrupt), peakLive, peakUsable, Math.max(0, peakFrames), peakAt, liveAtPeak,
        usableAtPeak, o.frameSize(), (t1 - t0) / 1e9, info, usage, List.copyOf(samples));
  }

  private void leakReport() {
    int shown = 0;
    for (Map.Entry<Long, Obj> e : live.entrySet()) {
      if (shown++ == 3) {
        break;
      }
      examples.add("leak: 0x" + Long.toHexString(e.getKey()) + " (" + e.getValue().size()
          + " bytes) never freed");
    }
  }

  /** One event. */
  void apply(TraceEvent e) {
    switch (e.op()) {
      case ALLOC -> {
        allocs++;
        allocate(e, e.addr(), e.size(), e.align(), e.cache());
      }
      case FREE -> {
        frees++;
        Obj o = take(e, e.addr());
        if (o != null) {
          sys.kfree(o.addr());
        }
      }
      case REALLOC -> {
        reallocs++;
        Obj o = take(e, e.oldAddr());
        if (o == null) {
          allocate(e, e.addr(), e.size(), 0, "");
          return;
        }
        long q = sys.krealloc(o.addr(), e.size());
        if (q == 0 && e.size() > 0) {
          failed++;
          live.put(e.oldAddr(), o); // realloc failed: the old block stays
          liveBytes += o.size();
          usableBytes += o.usable();
          return;
        }
        long keep = Math.min(8, Math.min(o.size(), e.size()));
        if (!stampHolds(q, keep, o.stamp())) {
          corrupt.add("krealloc lost the contents of a " + o.size() + "-byte block moved to "
              + e.size() + " bytes at " + e.where());
        }
        place(e.addr(), q, e.size());
      }
    }
  }

  private void allocate(TraceEvent e, long traceAddr, long size, int align, String cache) {
    if (live.containsKey(traceAddr)) {
      invalid++;
      note("allocation of 0x" + Long.toHexString(traceAddr) + ", already live, at " + e.where());
      Obj old = take(e, traceAddr);
      if (old != null) {
        sys.kfree(old.addr());
      }
    }
    long a;
    if (cache.isEmpty()) {
      a = sys.kmalloc(size, align);
    } else {
      a = cacheFor(cache, size).alloc();
    }
    if (a == 0) {
      failed++;
      return;
    }
    place(traceAddr, a, size);
  }

  private KmemCache cacheFor(String name, long size) {
    KmemCache c = caches.get(name);
    if (c == null) {
      String n = sys.cache(name) == null ? name : "trace:" + name;
      c = sys.createCache(n, (int) Math.max(1, size), 8);
      caches.put(name, c);
    }
    return c;
  }

  private void place(long traceAddr, long a, long size) {
    long stamp = mix(++serial);
    long usable = sys.ksize(a);
    write(a, Math.min(8, size), stamp);
    if (size > 8) {
      write(a + size - Math.min(8, size - 8), Math.min(8, size - 8), ~stamp);
    }
    live.put(traceAddr, new Obj(a, size, usable, stamp));
    freed.remove(traceAddr);
    liveBytes += size;
    usableBytes += usable;
  }

  /** Removes a live block for a free or realloc, checking its stamps; null if not live. */
  private @Nullable Obj take(TraceEvent e, long traceAddr) {
    Obj o = live.remove(traceAddr);
    if (o == null) {
      if (freed.contains(traceAddr)) {
        doubles++;
        note("double free of 0x" + Long.toHexString(traceAddr) + " at " + e.where());
      } else {
        invalid++;
        note("free of 0x" + Long.toHexString(traceAddr) + ", never allocated in the trace, at "
            + e.where());
      }
      return null;
    }
    freed.add(traceAddr);
    liveBytes -= o.size();
    usableBytes -= o.usable();
    long size = o.size();
    boolean ok = stampHolds(o.addr(), Math.min(8, size), o.stamp())
        && (size <= 8 || stampHolds(o.addr() + size - Math.min(8, size - 8),
            Math.min(8, size - 8), ~o.stamp()));
    if (!ok) {
      corrupt.add("stamp of a live " + size + "-byte object at jslub 0x"
          + Long.toHexString(o.addr()) + " was overwritten (found at " + e.where() + ")");
    }
    return o;
  }

  private void note(String s) {
    if (examples.size() < 6) {
      examples.add(s);
    }
  }

  private void write(long a, long n, long v) {
    for (int i = 0; i < n; i++) {
      mem.putByte(a + i, (byte) (v >>> (8 * i)));
    }
  }

  private boolean stampHolds(long a, long n, long v) {
    for (int i = 0; i < n; i++) {
      if (mem.getByte(a + i) != (byte) (v >>> (8 * i))) {
        return false;
      }
    }
    return true;
  }

  /** A 64-bit mixer (splitmix64's finaliser) so that neighbouring stamps differ in every byte. */
  private static long mix(long x) {
    long z = x * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

}
