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
 * flush_all vs a fast free: S is CPU 0's slab with two objects allocated. Actor A, on CPU 0, frees
 * one of them (do_slab_free: S is c.slab, so a push onto c.freelist by (freelist, tid) CAS);
 * actor B, on CPU 1, runs flush_all, which claims CPU 0's word under its lock, detaches c.slab and
 * its freelist and deactivates S. r1: 1 if A's free took the fast path, 0 if it found S flushed
 * and took __slab_free; r2: 0; r3: verdict.
 */
@JCStressTest
@Description("flush_all (flush_cpu_slab, deactivate_slab) vs do_slab_free's fast path")
@Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "the fast free came first; the flush carried it into S")
@Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "the flush came first; the free went to __slab_free")
@Outcome(expect = FORBIDDEN, desc = "a free lost in a flushed c.freelist, a free threw, or the books do not balance")
@State
public class FlushAllVsFastFree {
  final Fx fx = new Fx();
  final long a;

  public FlushAllVsFastFree() {
    Rig.on(0);
    a = fx.alloc();
    fx.hold(new long[] {fx.alloc()}, 0, 1);
  }

  @Actor
  public void cpu0() {
    Rig.on(0);
    fx.cache.free(a);
  }

  @Actor
  public void cpu1() {
    Rig.on(1);
    fx.core.flushAll();
  }

  @Arbiter
  public void check(III_Result r) {
    r.r1 = (int) fx.stat(Stat.FREE_FASTPATH, 0);
    r.r2 = 0;
    r.r3 = fx.verdict();
  }
}
