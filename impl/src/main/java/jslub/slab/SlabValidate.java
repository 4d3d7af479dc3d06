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
   * validate_slab_cache(): first each CPU's state as it stands (flushing would splice a corrupt
   * CPU freelist into its slab and hide it), then flush_all, then for each node under list_lock
   * check the partial list and every slab of the cache found in the memmap: freelist inside the
   * slab and on object boundaries, no cycle, inuse = objects − free, nothing frozen, list
   * membership and counts.
   */
  @MayReleaseLocks
  static List<String> validate(SlabCache s) {
    List<String> problems = new ArrayList<>();
    for (int cpu = 0; cpu < s.cpus(); cpu++) {
      KmemCacheCpu c = s.cpuSlab(cpu);
      c.lock.lock();
      try {
        long w = c.claim();
        long freelist = c.cw.freelist(w);
        try {
          validateCpu(s, c, freelist, problems);
        } finally {
          c.release(w, freelist);
        }
      } finally {
        c.lock.unlock();
      }
    }
    try {
      s.flushAllCpus(); // the caller is inside the cache's gate (CacheGate is not re-entrant)
    } catch (IllegalStateException e) {
      // A CPU state the flush's own checks refuse (e.g. an unfrozen CPU slab): report it with
      // what the CPU checks found rather than throw them away; the lists are not walked.
      problems.add("flush_all stopped: " + e.getMessage());
      return problems;
    }
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

  /**
   * One CPU, its word claimed: the CPU freelist lies in c.slab on object boundaries without a
   * cycle and shares no object with the slab's own freelist; c.slab and every CPU partial slab
   * are frozen, of this cache, with inuse = objects − (free on the slab's own freelist) (objects
   * on the CPU freelist count as in use while the slab is frozen).
   */
  @Holding("#2.lock")
  private static void validateCpu(SlabCache s, KmemCacheCpu c, long freelist,
      List<String> problems) {
    String cpu = "cpu " + c.cpu;
    Slab slab = c.slab;
    if (slab == null) {
      if (freelist != 0) {
        problems.add(cpu + ": freelist 0x" + Long.toHexString(freelist) + " but no cpu slab");
      }
    } else {
      boolean[] onCpu = new boolean[slab.objects];
      int cpuFree = walk(s, slab, freelist, onCpu, cpu + " freelist", problems);
      boolean[] onSlab = new boolean[slab.objects];
      int slabFree = checkFrozen(s, slab, onSlab, cpu + " slab", true, problems);
      for (int i = 0; i < onCpu.length && i < onSlab.length && cpuFree >= 0; i++) {
        if (onCpu[i] && onSlab[i]) {
          problems.add("object 0x" + Long.toHexString(slab.objectAt(i)) + " on two freelists ("
              + cpu + " and its slab's own): " + slab);
        }
      }
      if (slabFree >= 0 && cpuFree > SlabWord.inuse(slab.word())) {
        problems.add(cpu + " freelist holds " + cpuFree + " objects but the slab counts only "
            + SlabWord.inuse(slab.word()) + " in use: " + slab);
      }
    }
    int n = 0;
    for (Slab p = c.partial(); p != null; p = p.partialNext) {
      if (++n > s.machine.memmap.frames()) {
        problems.add(cpu + ": partial list longer than the memmap (cycle?)");
        return;
      }
      // Delayed freezing (6.8) keeps CPU partial slabs unfrozen; the primary protocol freezes them.
      checkFrozen(s, p, new boolean[p.objects], cpu + " partial slab", !s.delayedFreeze, problems);
    }
  }

  /**
   * A slab a CPU holds: frozen (when {@code frozen}), of this cache, own freelist sound,
   * inuse = objects − free.
   */
  private static int checkFrozen(SlabCache s, Slab slab, boolean[] seen, String what,
      boolean frozen, List<String> problems) {
    long w = slab.word();
    if (slab.cache != s) {
      problems.add(what + " belongs to cache " + slab.cache.name + ": " + slab);
      return -1;
    }
    if (frozen && !SlabWord.frozen(w)) {
      problems.add(what + " not frozen: " + slab);
    }
    int free = walk(s, slab, slab.freelist(w), seen, what + "'s freelist", problems);
    if (free >= 0 && SlabWord.inuse(w) != slab.objects - free) {
      problems.add(what + ": inuse=" + SlabWord.inuse(w) + " but objects-free="
          + (slab.objects - free) + " (a freelist cut short?): " + slab);
    }
    return free;
  }

  /**
   * Walks a freelist of {@code slab} from {@code head}, marking {@code seen}; returns the number
   * of objects on it, or -1 after reporting a pointer outside the slab's objects or a cycle.
   */
  private static int walk(SlabCache s, Slab slab, long head, boolean[] seen, String what,
      List<String> problems) {
    int free = 0;
    for (long p = head; p != 0; p = Freelist.get(s, p)) {
      int i = slab.indexOf(p);
      if (i < 0 || i >= seen.length) {
        problems.add("Freepointer corrupt: " + what + " reaches 0x" + Long.toHexString(p)
            + ", not an object of " + slab);
        return -1;
      }
      if (seen[i]) {
        problems.add("freelist cycle at object " + i + " on " + what + " of " + slab);
        return -1;
      }
      seen[i] = true;
      free++;
    }
    return free;
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
    int free = walk(s, slab, slab.freelist(w), new boolean[slab.objects], "the freelist",
        problems);
    if (free < 0) {
      return;
    }
    if (SlabWord.inuse(w) != slab.objects - free) {
      problems.add("inuse=" + SlabWord.inuse(w) + " but objects-free=" + (slab.objects - free)
          + " (a freelist cut short?): " + slab);
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
