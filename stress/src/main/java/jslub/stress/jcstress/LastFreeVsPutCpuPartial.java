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
 * The last free (discard) vs put_cpu_partial's drain: CPU 1's partial list is full
 * (cpu_partial_slabs slabs), one of them S with a single object in use, and the node keeps
 * min_partial slabs. CPU 2 frees S's last object; CPU 1 frees into a full slab T, which
 * put_cpu_partial pushes after detaching the full list and unfreezing it (__unfreeze_partials).
 * S must be discarded exactly once: by the unfreeze if the free came first (S empty and frozen),
 * else by the free's slab_empty once S is on the node list. r1: 1 if the unfreeze discarded S;
 * r2: 1 if the free did (remove_partial); r3: verdict.
 */
@JCStressTest
@Description("__slab_free (last object) vs put_cpu_partial draining the list that holds the slab")
@Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "the free emptied S while frozen; the drain discarded it")
@Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "the drain put S on the node list; the free emptied and discarded it")
@Outcome(expect = FORBIDDEN, desc = "S discarded twice or never, a free threw, or the books do not balance")
@State
public class LastFreeVsPutCpuPartial {
  final Fx fx = new Fx();
  final long last;
  final long t;

  public LastFreeVsPutCpuPartial() {
    int minPartial = fx.core.minPartial();
    int cps = fx.core.cpuPartialSlabs();
    long[][] all = fx.fullSlabs(minPartial + cps + 1);
    fx.toNodePartial(java.util.Arrays.copyOf(all, minPartial));
    long[] s = all[minPartial];
    long[] tSlab = all[minPartial + 1];
    last = s[0];
    t = tSlab[0];
    fx.hold(tSlab, 1, tSlab.length);
    fx.freeFrom(1, s, 1); // S frozen on CPU 1's partial list, one object in use
    for (int i = minPartial + 2; i < all.length; i++) { // cps - 1 more: the list is full
      fx.freeFrom(1, all[i], all[i].length - 1);
      fx.hold(all[i], 0, all[i].length - 1);
    }
  }

  @Actor
  public void cpu2() {
    Rig.on(2);
    fx.cache.free(last);
  }

  @Actor
  public void cpu1() {
    Rig.on(1);
    fx.cache.free(t);
  }

  @Arbiter
  public void check(III_Result r) {
    r.r1 = (int) fx.stat(Stat.DEACTIVATE_EMPTY, 1);
    r.r2 = (int) fx.stat(Stat.FREE_REMOVE_PARTIAL, 2);
    r.r3 = fx.verdict();
  }
}
