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
 * kmem_cache_free_bulk vs a remote free into the same full, unfrozen slab: CPU 1 frees three
 * objects of S in one bulk call (build_detached_freelist: one __slab_free of a 3-object list,
 * inuse -= 3), CPU 2 frees a fourth. The first CAS freezes S onto its CPU's partial list.
 * r1/r2: 1 if that CPU froze S, 0 if it freed into the frozen slab, -1 if it threw; r3: verdict.
 */
@JCStressTest
@Description("kmem_cache_free_bulk (detached freelist) vs __slab_free on one full slab")
@Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "the bulk free came first and froze S onto CPU 1")
@Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "the single free came first and froze S onto CPU 2")
@Outcome(expect = FORBIDDEN, desc = "both or neither froze S, a free threw, or the books do not balance")
@State
public class BulkFreeVsRemoteFree {
  final Fx fx = new Fx();
  final long[] objs = fx.fullSlab(0);
  int threw;

  public BulkFreeVsRemoteFree() {
    fx.hold(objs, 4, objs.length);
  }

  @Actor
  public void cpu1() {
    Rig.on(1);
    try {
      fx.cache.freeBulk(new long[] {objs[0], objs[1], objs[2]}, 3);
    } catch (RuntimeException e) {
      synchronized (this) {
        threw |= 1;
      }
    }
  }

  @Actor
  public void cpu2() {
    Rig.on(2);
    try {
      fx.cache.free(objs[3]);
    } catch (RuntimeException e) {
      synchronized (this) {
        threw |= 2;
      }
    }
  }

  @Arbiter
  public void check(III_Result r) {
    r.r1 = (threw & 1) != 0 ? -1 : (int) fx.stat(Stat.CPU_PARTIAL_FREE, 1);
    r.r2 = (threw & 2) != 0 ? -1 : (int) fx.stat(Stat.CPU_PARTIAL_FREE, 2);
    r.r3 = fx.verdict();
  }
}
