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
 * Two remote frees into one full, unfrozen slab on no list (__slab_free vs __slab_free). The
 * first to CAS sees prior == NULL, freezes the slab and puts it on its CPU's partial list; the
 * other sees it frozen (FREE_FROZEN). r1/r2: 1 if that actor's CPU froze the slab, 0 if it did a
 * frozen free, -1 if its free threw; r3: the arbiter's verdict ({@link Fx}).
 */
@JCStressTest
@Description("__slab_free vs __slab_free on one full slab")
@Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "CPU 1 froze it (put_cpu_partial), CPU 2 freed into the frozen slab")
@Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "CPU 2 froze it (put_cpu_partial), CPU 1 freed into the frozen slab")
@Outcome(expect = FORBIDDEN, desc = "both or neither froze it, a free threw, or an object was lost or counted twice")
@State
public class TwoRemoteFreesFullSlab {
  final Fx fx = new Fx();
  final long[] objs = fx.fullSlab(0);
  int threw;

  {
    fx.hold(objs, 2, objs.length);
  }

  @Actor
  public void cpu1() {
    free(1, objs[0]);
  }

  @Actor
  public void cpu2() {
    free(2, objs[1]);
  }

  private void free(int cpu, long o) {
    Rig.on(cpu);
    try {
      fx.cache.free(o);
    } catch (RuntimeException e) {
      synchronized (this) {
        threw |= cpu;
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
