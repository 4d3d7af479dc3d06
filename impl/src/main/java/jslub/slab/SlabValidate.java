package jslub.slab;

import org.checkerframework.checker.lock.qual.MayReleaseLocks;
import java.util.ArrayList;
import java.util.List;
import org.checkerframework.checker.lock.qual.Holding;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * validate_slab_cache() and the counters behind slabinfo (count_partial, show_slab_objects).
 */
final class SlabValidate {
  private SlabValidate() {}

  /** slab_err()/object_err(): records a debug report on the cache (and nothing else). */
  static void report(SlabCache s, String what, @Nullable Slab slab, long object) {
    s.reports.add("BUG " + s.name + " (Not tainted): " + what
        + (object != 0 ? " object=0x" + Long.toHexString(object) : "")
        + (slab != null ? " in " + slab : ""));
  }

  /** Counters for /proc/slabinfo; takes list_lock and each CPU lock briefly. */
  @MayReleaseLocks
  static CacheCounts counts(SlabCache s) {
    long slabs = 0;
    long total = 0;
    long partial = 0;
    long freeInPartial = 0;
    for (int node = 0; node < s.nodeCount(); node++) {
      KmemCacheNode n = s.node(node);
      slabs += n.nrSlabs.get();
      total += n.totalObjects.get();
      n.listLock.lock();
      try {
        partial += n.nrPartial;
        for (Slab slab = n.firstPartial(); slab != null; slab = slab.listNext) {
          freeInPartial += slab.objects - SlabWord.inuse(slab.word()); // count_partial(count_free)
        }
      } finally {
        n.listLock.unlock();
      }
    }
    long cpuSlabs = 0;
    for (int cpu = 0; cpu < s.cpus(); cpu++) {
      KmemCacheCpu c = s.cpuSlab(cpu);
      c.lock.lock();
      try {
        if (c.slab != null) {
          cpuSlabs++;
        }
        for (Slab p = c.partial(); p != null; p = p.partialNext) {
          cpuSlabs++;
        }
      } finally {
        c.lock.unlock();
      }
    }
    return new CacheCounts(total - freeInPartial, total, slabs, partial, cpuSlabs,
        s.framesHeld.get());
  }

  /**
   * validate_slab_cache(): flush_all, then for each node under list_lock check the partial list
   * and every slab of the cache found in the memmap: freelist inside the slab and on object
   * boundaries, no cycle, inuse = objects − free, nothing frozen, list membership and counts.
   */
  @MayReleaseLocks
  static List<String> validate(SlabCache s) {
    s.flushAllCpus();
    List<String> problems = new ArrayList<>();
    for (int node = 0; node < s.nodeCount(); node++) {
      KmemCacheNode n = s.node(node);
      n.listLock.lock();
      try {
        validateNode(s, n, problems);
      } finally {
        n.listLock.unlock();
      }
    }
    return problems;
  }

  @Holding("#2.listLock")
  private static void validateNode(SlabCache s, KmemCacheNode n, List<String> problems) {
    int listed = 0;
    for (Slab slab = n.firstPartial(); slab != null; slab = slab.listNext) {
      listed++;
      long w = slab.word();
      if (!slab.onNodePartial) {
        problems.add("slab on the partial list not marked so: " + slab);
      }
      if (SlabWord.frozen(w)) {
        problems.add("frozen slab on the node partial list: " + slab);
      }
      if (slab.freelist(w) == 0) {
        problems.add("full slab on the node partial list: " + slab);
      }
      if (listed > n.nrSlabs.get() + 1) {
        problems.add("node partial list longer than nr_slabs (cycle?)");
        break;
      }
    }
    if (listed != n.nrPartial) {
      problems.add("nr_partial=" + n.nrPartial + " but the list holds " + listed);
    }
    long slabs = 0;
    long objects = 0;
    MemMap mm = s.machine.memmap;
    int shift = s.machine.mem.frameShift();
    for (int f = 1; f < mm.frames(); f++) {
      Slab slab = mm.slabOf((long) f << shift);
      if (slab == null || slab.cache != s || slab.base != ((long) f << shift)
          || slab.node != n.node) {
        continue;
      }
      slabs++;
      objects += slab.objects;
      validateSlab(s, slab, problems);
    }
    if (slabs != n.nrSlabs.get()) {
      problems.add("nr_slabs=" + n.nrSlabs.get() + " but the memmap holds " + slabs);
    }
    if (objects != n.totalObjects.get()) {
      problems.add("total_objects=" + n.totalObjects.get() + " but the slabs hold " + objects);
    }
  }

  /** validate_slab() / check_slab() / on_freelist() for one slab of a flushed cache. */
  private static void validateSlab(SlabCache s, Slab slab, List<String> problems) {
    long w = slab.word();
    if (SlabWord.objects(w) != slab.objects) {
      problems.add("objects field " + SlabWord.objects(w) + " != " + slab.objects + ": " + slab);
    }
    if (SlabWord.frozen(w)) {
      problems.add("slab still frozen after flush_all: " + slab);
    }
    int free = 0;
    boolean[] seen = new boolean[slab.objects];
    for (long p = slab.freelist(w); p != 0; p = Freelist.get(s, p)) {
      int i = slab.indexOf(p);
      if (i < 0 || i >= seen.length) {
        problems.add("Freepointer corrupt: 0x" + Long.toHexString(p) + " in " + slab);
        return;
      }
      if (seen[i]) {
        problems.add("freelist cycle at object " + i + " in " + slab);
        return;
      }
      seen[i] = true;
      free++;
    }
    if (SlabWord.inuse(w) != slab.objects - free) {
      problems.add("inuse=" + SlabWord.inuse(w) + " but objects-free=" + (slab.objects - free)
          + ": " + slab);
    }
    if (free > 0 && !slab.onNodePartial && !s.debug) {
      problems.add("partial slab on no list after flush_all: " + slab);
    }
    if (free > 0 && !slab.onNodePartial && s.debug) {
      problems.add("debug slab with free objects on no list: " + slab);
    }
    if (free == 0 && slab.onNodePartial) {
      problems.add("full slab on the partial list: " + slab);
    }
  }
}
