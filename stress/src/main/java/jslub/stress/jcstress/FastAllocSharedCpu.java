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
 * The fast path with another thread on the same CPU: what preemption or migration between
 * slab_alloc_node's word read and its CAS does in the kernel. CPU 0's slab S has objects 1..n-1
 * on c.freelist (object 0 is held). Actor A allocates once; actor B, on the same CPU, allocates
 * twice and frees its first object: the head comes back (ABA), and only the tid tells A's stale
 * (head, next) apart. r1: index in S of A's object; r2: index of B's kept object; r3: verdict.
 * NO_TID and TID_WRAP (its tid space so small it comes round) fail it: A installs a next pointer
 * B already took.
 */
@JCStressTest
@Description("slab_alloc_node vs alloc+alloc+free on the same CPU (ABA on c->freelist)")
@Outcome(id = "1, 3, 0", expect = ACCEPTABLE, desc = "A first: A got 1, B got 2 and 3 and freed 2")
@Outcome(id = "1, 2, 0", expect = ACCEPTABLE, desc = "B first: B got 1 and 2, freed 1; A got 1 back")
@Outcome(id = "2, 3, 0", expect = ACCEPTABLE, desc = "A between B's allocations")
@Outcome(id = "3, 2, 0", expect = ACCEPTABLE, desc = "A between B's second allocation and its free")
@Outcome(expect = FORBIDDEN, desc = "an object handed out twice or lost (a stale next pointer installed), or the books do not balance")
@State
public class FastAllocSharedCpu {
  final Fx fx = new Fx();
  final Slab s;
  long a;
  long b;

  public FastAllocSharedCpu() {
    Rig.on(0);
    long first = fx.alloc(); // a new slab becomes CPU 0's slab; 1..n-1 on c.freelist
    s = fx.core.slabOf(first);
    fx.hold(new long[] {first}, 0, 1);
  }

  @Actor
  public void actorA() {
    Rig.on(0);
    a = fx.cache.alloc();
  }

  @Actor
  public void actorB() {
    Rig.on(0);
    long b1 = fx.cache.alloc();
    b = fx.cache.alloc();
    fx.cache.free(b1);
  }

  @Arbiter
  public void check(III_Result r) {
    r.r1 = index(a);
    r.r2 = index(b);
    r.r3 = fx.verdict(a, b);
  }

  private int index(long o) {
    if (o == 0 || fx.core.slabOf(o) != s) {
      return -1;
    }
    return (int) ((o - s.base()) / fx.core.size()); // colour 0 at the first slab of a cache
  }
}
