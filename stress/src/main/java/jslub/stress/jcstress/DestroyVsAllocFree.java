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
 * kmem_cache_destroy vs alloc and free of the same cache. CPU 1 has a CPU slab with free objects
 * (one object allocated and freed there). Actor A, on CPU 1, allocates one object (the fast path)
 * and frees it again; actor B destroys the cache. jslub's promise: once destroy returns no object
 * of the cache exists or is handed out and every frame is back; a busy error reports live objects
 * that exist. r1: A's alloc — 1 got an object, 2 refused (destroyed); r2: B's destroy — 0
 * succeeded, 1 busy with live objects, 2 busy claiming none live; r3: 0 when the books balance
 * afterwards (every frame back once destroyed), 1 if not, -1 if A's free of its own object was
 * refused (destroy returned while it was live).
 */
@JCStressTest
@Description("kmem_cache_destroy vs kmem_cache_alloc + kmem_cache_free")
@Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "destroy came while A held its object and refused")
@Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "A allocated and freed first; destroy then succeeded")
@Outcome(id = "2, 0, 0", expect = ACCEPTABLE, desc = "destroy came first; A's alloc was refused")
@Outcome(expect = FORBIDDEN, desc = "an object live after destroy returned, a spurious busy error, or frames leaked")
@State
public class DestroyVsAllocFree {
  final KmemCache cache = Rig.newCache();
  int r1;
  int r2;
  int freeRefused;

  public DestroyVsAllocFree() {
    Rig.on(1);
    cache.free(cache.alloc()); // CPU 1's slab, with free objects on c.freelist
  }

  @Actor
  public void cpu1() {
    Rig.on(1);
    long got;
    try {
      got = cache.alloc();
      r1 = got != 0 ? 1 : 0;
    } catch (CacheDestroyedException e) {
      r1 = 2;
      return;
    }
    try {
      cache.free(got);
    } catch (CacheDestroyedException e) {
      freeRefused = 1; // destroy returned while this object was live
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
        cache.destroy();
      }
      r.r3 = cache.core().framesHeld() == 0 ? 0 : 1;
    } catch (RuntimeException e) {
      r.r3 = 1;
    }
  }
}
