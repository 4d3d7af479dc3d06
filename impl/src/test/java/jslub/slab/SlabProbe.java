package jslub.slab;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Test-side inspection of a system's slabs for the property tests: how many objects each cache
 * really has out (counted, not read from a counter the code keeps), without flushing anything.
 */
public final class SlabProbe {
  private SlabProbe() {}

  /**
   * Objects live in each cache that holds slabs: Σ inuse over its slabs in the memmap, minus the
   * objects on CPU freelists (they count as in use while their slab is frozen). Each CPU word is
   * claimed under its lock while its freelist is walked. For a quiescent system.
   */
  public static Map<SlabCache, Long> liveObjects(SlabMachine m) {
    Map<SlabCache, Long> live = new IdentityHashMap<>();
    int shift = m.mem.frameShift();
    for (int f = 1; f < m.memmap.frames(); f++) {
      long base = (long) f << shift;
      Slab slab = m.memmap.slabOf(base);
      if (slab != null && slab.base == base) {
        live.merge(slab.cache, (long) slab.inuse(), Long::sum);
      }
    }
    for (SlabCache s : live.keySet()) {
      long onCpus = 0;
      for (int cpu = 0; cpu < s.cpus(); cpu++) {
        onCpus += cpuFreelistLength(s, cpu);
      }
      live.merge(s, -onCpus, Long::sum);
    }
    return live;
  }

  private static int cpuFreelistLength(SlabCache s, int cpu) {
    KmemCacheCpu c = s.cpuSlab(cpu);
    c.lock.lock();
    try {
      long w = c.claim();
      long fl = c.cw.freelist(w);
      try {
        Slab slab = c.slab;
        int n = 0;
        for (long p = fl; p != 0 && slab != null && slab.indexOf(p) >= 0 && n <= slab.objects;
            p = Freelist.get(s, p)) {
          n++;
        }
        return n;
      } finally {
        c.release(w, fl);
      }
    } finally {
      c.lock.unlock();
    }
  }

  /** Is {@code addr} the start of an object slot of a slab of {@code s} (live or free)? */
  public static boolean isObjectStart(SlabMachine m, long addr) {
    Slab slab = m.memmap.slabOf(addr);
    return slab != null && slab.indexOf(addr) >= 0;
  }

  /** The smallest order of a new slab of {@code s} (its fallback order). */
  public static int minOrder(SlabCache s) {
    return s.layout.minOrder;
  }
}
