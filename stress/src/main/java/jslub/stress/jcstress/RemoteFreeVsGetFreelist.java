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
 * A remote free into a full CPU slab vs that CPU's get_freelist: S is CPU 0's slab, every object
 * allocated, c.freelist empty, S frozen with inuse = objects. CPU 1 frees x (a frozen free);
 * CPU 0 allocates: the slow path's get_freelist takes S's own freelist (x, if the free came
 * first) and sets inuse = objects again, else finds it empty, drops S and takes a new slab.
 * SPLIT_CAS's lost update lives here: its counters CAS compares with inuse = objects, which
 * get_freelist restored. r1: 0; r2: 1 if CPU 0 got x back, 2 if an object of a new slab; r3: verdict.
 */
@JCStressTest
@Description("__slab_free (frozen, remote) vs get_freelist on a full CPU slab")
@Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "the free came first; get_freelist took x back")
@Outcome(id = "0, 2, 0", expect = ACCEPTABLE, desc = "get_freelist found S empty first; the allocation came from a new slab")
@Outcome(expect = FORBIDDEN, desc = "a free lost or counted twice (inuse wrong), or the books do not balance")
@State
public class RemoteFreeVsGetFreelist {
  final Fx fx = new Fx();
  final Slab s;
  final long x;
  long got;

  public RemoteFreeVsGetFreelist() {
    Rig.on(0);
    long first = fx.alloc();
    s = fx.core.slabOf(first);
    long[] objs = new long[s.objects()];
    objs[0] = first;
    for (int i = 1; i < objs.length; i++) {
      objs[i] = fx.alloc(); // c.freelist runs empty; S stays CPU 0's slab, frozen and full
    }
    x = objs[0];
    fx.hold(objs, 1, objs.length);
  }

  @Actor
  public void cpu1() {
    Rig.on(1);
    fx.cache.free(x);
  }

  @Actor
  public void cpu0() {
    Rig.on(0);
    got = fx.cache.alloc();
  }

  @Arbiter
  public void check(III_Result r) {
    r.r1 = 0;
    r.r2 = got == x ? 1 : fx.core.slabOf(got) != s ? 2 : -1;
    r.r3 = fx.verdict(got);
  }
}
