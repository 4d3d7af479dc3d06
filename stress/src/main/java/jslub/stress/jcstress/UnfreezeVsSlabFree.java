package jslub.stress.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import jslub.slab.Stat;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * __unfreeze_partials vs __slab_free: slab S is frozen on CPU 1's partial list (a free on CPU 1
 * found it full). CPU 2 frees another object of S while CPU 0 runs flush_all, whose
 * unfreeze_partials CASes S unfrozen and adds it to the node list under list_lock. r1: 0; r2: 1
 * if the free saw S frozen (FREE_FROZEN), 0 if it saw it unfrozen on the node list; r3: verdict.
 */
@JCStressTest
@Description("__unfreeze_partials vs __slab_free on one slab")
@Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "the free came first, into the frozen slab")
@Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "S was unfrozen to the node list first; a plain remote free")
@Outcome(expect = FORBIDDEN, desc = "a free failed, the unfreeze lost a free, or the books do not balance")
@State
public class UnfreezeVsSlabFree {
  final Fx fx = new Fx();
  final long[] objs = fx.fullSlab(0);
  int r1;

  public UnfreezeVsSlabFree() {
    Rig.on(1);
    fx.cache.free(objs[0]); // S frozen onto CPU 1's partial list
    fx.hold(objs, 2, objs.length);
  }

  @Actor
  public void flusher() {
    Rig.on(0);
    fx.core.flushAll();
  }

  @Actor
  public void cpu2() {
    Rig.on(2);
    try {
      fx.cache.free(objs[1]);
    } catch (RuntimeException e) {
      r1 = -1;
    }
  }

  @Arbiter
  public void check(III_Result r) {
    r.r1 = r1;
    r.r2 = (int) fx.stat(Stat.FREE_FROZEN, 2);
    r.r3 = fx.verdict();
  }
}
