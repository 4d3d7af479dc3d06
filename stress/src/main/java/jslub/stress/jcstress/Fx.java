package jslub.stress.jcstress;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import jslub.slab.CacheCounts;
import jslub.InvalidFreeException;
import jslub.KmemCache;
import jslub.slab.Slab;
import jslub.slab.SlabCache;
import jslub.slab.Stat;

/**
 * A state's cache and the slab states the races start from, built only through the public API;
 * then the arbiter's conservation check and teardown ({@link #verdict}). Thread-safe in the sense
 * jcstress needs: each fixture touches only its own cache, from one thread at a time.
 */
final class Fx {
  /** Arbiter verdicts (the third result of every test). */
  static final int OK = 0;
  static final int DOUBLE_ALLOC = 1;
  static final int COUNTS_WRONG = 2;
  static final int INVALID = 3;
  static final int FREE_REFUSED = 4;
  static final int LEAK = 5;
  static final int CRASH = 6;
  static final int ACTOR_THREW = 7;

  final KmemCache cache = Rig.newCache();
  final SlabCache core = cache.core();

  /** Objects allocated by the setup and still live; the arbiter frees them. */
  private final List<Long> held = new ArrayList<>();

  long alloc() {
    long o = cache.alloc();
    if (o == 0) {
      throw new IllegalStateException("arena exhausted: raise Rig's memoryBytes");
    }
    return o;
  }

  /** Holds {@code objs[from..to)}: the setup keeps them live for the arbiter to free. */
  void hold(long[] objs, int from, int to) {
    for (int i = from; i < to; i++) {
      held.add(objs[i]);
    }
  }

  void hold(long... objs) {
    for (long o : objs) {
      if (o != 0) {
        held.add(o);
      }
    }
  }

  /**
   * A full slab, unfrozen, on no list: every object of one new slab allocated on {@code cpu},
   * then flush_all (deactivate_slab, M_FULL). Its objects in address order; none is held yet.
   */
  long[] fullSlab(int cpu) {
    Rig.on(cpu);
    long first = alloc();
    Slab slab = core.slabOf(first);
    if (slab == null) {
      throw new IllegalStateException("setup: object outside the cache");
    }
    long[] objs = new long[slab.objects()];
    objs[0] = first;
    for (int i = 1; i < objs.length; i++) {
      objs[i] = alloc();
      if (core.slabOf(objs[i]) != slab) {
        throw new IllegalStateException("setup: the cache had another slab with free objects");
      }
    }
    core.flushAll();
    return objs;
  }

  /**
   * Frees {@code objs[from..]} on {@code cpu}: the first free freezes the full slab onto that
   * CPU's partial list, the rest are frozen frees.
   */
  void freeFrom(int cpu, long[] objs, int from) {
    Rig.on(cpu);
    for (int i = from; i < objs.length; i++) {
      cache.free(objs[i]);
    }
  }

  /** {@code k} full slabs (see {@link #fullSlab}), made on CPU 0 before any is freed into. */
  long[][] fullSlabs(int k) {
    long[][] f = new long[k][];
    for (int i = 0; i < k; i++) {
      f[i] = fullSlab(0);
    }
    return f;
  }

  /**
   * Frees one object of each full slab on CPU 0 and holds the rest, then flush_all: the slabs
   * join the node partial list at its tail, one free object each. With min_partial of them, an
   * emptied slab is discarded rather than kept.
   */
  void toNodePartial(long[][] slabs) {
    for (long[] objs : slabs) {
      freeFrom(0, objs, objs.length - 1);
      hold(objs, 0, objs.length - 1);
    }
    core.flushAll();
  }

  long stat(Stat item, int cpu) {
    return core.stats().perCpu(item, cpu);
  }

  /**
   * The arbiter's check, then teardown. {@code live} are the objects the actors hold (0 = none);
   * together with the setup's they must be every allocated object exactly once: no object twice,
   * probe allocations on every CPU return none of them, after flush_all the active count is
   * exactly their number, validate() is clean, each frees without complaint, and afterwards
   * shrink leaves no slab. The cache is destroyed when all that holds.
   */
  int verdict(long... live) {
    Rig.on(0);
    try {
      Set<Long> all = new HashSet<>();
      for (long o : held) {
        if (!all.add(o)) {
          return DOUBLE_ALLOC;
        }
      }
      for (long o : live) {
        if (o != 0 && !all.add(o)) {
          return DOUBLE_ALLOC;
        }
      }
      for (int cpu = 0; cpu < Rig.CPUS; cpu++) { // probes: a stale freelist hands out a live one
        Rig.on(cpu);
        for (int i = 0; i < 3; i++) {
          long p = cache.alloc();
          if (p != 0 && !all.add(p)) {
            return DOUBLE_ALLOC;
          }
        }
      }
      Rig.on(0);
      core.flushAll();
      CacheCounts k = cache.counts();
      if (k.activeObjs() != all.size()) {
        return COUNTS_WRONG;
      }
      if (!cache.validate().isEmpty()) {
        return INVALID;
      }
      for (long o : all) {
        try {
          cache.free(o);
        } catch (InvalidFreeException e) {
          return FREE_REFUSED;
        }
      }
      cache.shrink();
      k = cache.counts();
      if (k.slabs() != 0 || k.activeObjs() != 0 || k.frames() != 0) {
        return LEAK;
      }
      cache.destroy();
      return OK;
    } catch (RuntimeException e) {
      return CRASH;
    }
  }
}
