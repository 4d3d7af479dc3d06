package jslub.stress.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import jslub.slab.Slab;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Remote free vs acquire_slab: slab S heads the node partial list with one object in use, and
 * the node keeps min_partial other partial slabs, so S's last free discards it (slab_empty).
 * CPU 1 frees that last object; CPU 2, with no CPU slab, allocates: get_partial_node →
 * acquire_slab on S. The free takes list_lock before its CAS, so either it empties and discards S
 * first (the allocation comes from another slab) or acquire_slab freezes S first (the free is a
 * frozen free and the allocation comes from S). DISCARD_RACE opens the window between the two:
 * S is discarded while it is CPU 2's slab. r1: 0, or -1 if the free threw; r2: 1 if the object
 * came from S, 2 from another slab, -1 if the allocation failed or threw; r3: verdict.
 */
@JCStressTest
@Description("__slab_free (last object, slab_empty) vs acquire_slab")
@Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "acquire_slab froze S first; the free went into the frozen CPU slab")
@Outcome(id = "0, 2, 0", expect = ACCEPTABLE, desc = "the free emptied and discarded S first; the allocation took the next partial slab")
@Outcome(expect = FORBIDDEN, desc = "a slab discarded while in use, a free or alloc failed, or the books do not balance")
@State
public class LastFreeVsAcquireSlab {
  final Fx fx = new Fx();
  final long last;
  final Slab s;
  volatile int r1;
  volatile int r2;
  long got;

  public LastFreeVsAcquireSlab() {
    long[] objs = fx.fullSlab(0);
    s = fx.core.slabOf(objs[0]);
    last = objs[0];
    long[][] fill = fx.fullSlabs(fx.core.minPartial());
    fx.freeFrom(0, objs, 1); // S: frozen onto CPU 0's partial list, one object left
    fx.core.flushAll(); // S now heads the node partial list
    fx.toNodePartial(fill); // the fillers behind it: nr_partial > min_partial
  }

  @Actor
  public void cpu1() {
    Rig.on(1);
    try {
      fx.cache.free(last);
    } catch (RuntimeException e) {
      r1 = -1;
    }
  }

  @Actor
  public void cpu2() {
    Rig.on(2);
    try {
      long o = fx.cache.alloc();
      got = o;
      r2 = o == 0 ? -1 : fx.core.slabOf(o) == s ? 1 : 2;
    } catch (RuntimeException e) {
      r2 = -1;
    }
  }

  @Arbiter
  public void check(III_Result r) {
    r.r1 = r1;
    r.r2 = r2;
    r.r3 = fx.verdict(got);
  }
}
