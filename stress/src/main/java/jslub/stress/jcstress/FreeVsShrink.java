package jslub.stress.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Free vs kmem_cache_shrink: slab S is on the node partial list with one object in use and the
 * node keeps fewer than min_partial slabs, so its last free leaves it empty on the list. CPU 1
 * frees that object while CPU 2 shrinks the cache (flush_all, then every empty node-partial slab
 * discarded under list_lock). r1: 0, or -1 if the free threw; r2: 1 if the shrink gave S's frames
 * back, 0 if it found S still in use; r3: verdict.
 */
@JCStressTest
@Description("__slab_free (last object) vs __kmem_cache_shrink")
@Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "the free emptied S first; shrink discarded it")
@Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "shrink passed S while in use; the free left it empty on the list")
@Outcome(expect = FORBIDDEN, desc = "a slab discarded while in use, a free failed, or the books do not balance")
@State
public class FreeVsShrink {
  final Fx fx = new Fx();
  final long last;
  int r1;
  long freed;

  public FreeVsShrink() {
    long[] objs = fx.fullSlab(0);
    last = objs[0];
    fx.freeFrom(0, objs, 1);
    fx.core.flushAll(); // S alone on the node partial list, one object in use
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
    freed = fx.cache.shrink();
  }

  @Arbiter
  public void check(III_Result r) {
    r.r1 = r1;
    r.r2 = freed > 0 ? 1 : 0;
    r.r3 = fx.verdict();
  }
}
