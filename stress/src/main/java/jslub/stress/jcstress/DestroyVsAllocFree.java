package jslub.stress.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import jslub.CacheBusyException;
import jslub.CacheDestroyedException;
import jslub.KmemCache;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * kmem_cache_destroy vs alloc and free of the same cache. CPU 1 holds object x of a slab that is
 * its CPU slab; actor A, on CPU 1, frees x and allocates once more (keeping what it gets); actor
 * B destroys the cache. jslub's promise: once destroy returns no object of the cache exists or
 * is handed out and every frame is back; a busy error reports live objects that exist.
 * r1: what A's alloc did — 1 got an object, 2 refused (cache destroyed); r2: B's destroy — 0
 * succeeded, 1 busy with live objects, 2 busy claiming none live; r3: 0 when the books balance
 * afterwards (frames all back once destroyed, else the cache shrinks to nothing after A's
 * object is freed), 1 if not, -1 if A's free of x was refused.
 */
@JCStressTest
@Description("kmem_cache_destroy vs kmem_cache_free + kmem_cache_alloc")
@Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "destroy saw a live object (x or A's new one) and refused")
@Outcome(id = "2, 0, 0", expect = ACCEPTABLE, desc = "A freed x, destroy won, A's alloc was refused")
@Outcome(expect = FORBIDDEN, desc = "an object returned by a destroyed cache, a spurious busy error, a refused free, or frames leaked")
@State
public class DestroyVsAllocFree {
  final KmemCache cache = Rig.newCache();
  final long x;
  int r1;
  int r2;
  int freeRefused;
  long got;

  public DestroyVsAllocFree() {
    Rig.on(1);
    x = cache.alloc();
  }

  @Actor
  public void cpu1() {
    Rig.on(1);
    try {
      cache.free(x);
    } catch (CacheDestroyedException e) {
      freeRefused = 1; // destroy cannot succeed while x is live: never legitimate
    }
    try {
      got = cache.alloc();
      r1 = got != 0 ? 1 : 0;
    } catch (CacheDestroyedException e) {
      r1 = 2;
    }
  }

  @Actor
  public void cpu2() {
    Rig.on(2);
    try {
      cache.destroy();
      r2 = 0;
    } catch (CacheBusyException e) {
      r2 = e.getMessage().contains("(0 live") ? 2 : 1;
    }
  }

  @Arbiter
  public void check(III_Result r) {
    r.r1 = r1;
    r.r2 = r2;
    Rig.on(0);
    if (freeRefused != 0) {
      r.r3 = -1;
      return;
    }
    try {
      if (!cache.isDestroyed()) {
        if (got != 0) {
          cache.free(got);
        }
        cache.destroy();
      }
      r.r3 = cache.core().framesHeld() == 0 && (r2 != 0 || got == 0) ? 0 : 1;
    } catch (RuntimeException e) {
      r.r3 = 1;
    }
  }
}
