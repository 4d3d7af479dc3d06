package jslub.stress.lincheck;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import jslub.CacheBusyException;
import jslub.CacheDestroyedException;
import jslub.InvalidFreeException;
import jslub.KmemCache;
import jslub.SlabSystem;
import jslub.cpu.VirtualCpus;
import jslub.memory.BuddyFrameAllocator;
import jslub.memory.PhysicalMemory;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;

/**
 * The concurrent object Lincheck drives, with only alloc and free (the operations a fast-path
 * race needs, so a failing scenario is found among few); {@link SlabTarget} adds the rest. One
 * slab system with a named cache and two kmalloc classes, seen through numbered slots so that
 * results compare with {@link AbstractAllocator} (which slot holds an object, never which
 * address).
 *
 * <p>Each slot has its own monitor, held across the real call: an operation on a slot takes
 * effect at the allocator call inside it, so a concurrent {@code destroy} sees exactly the
 * objects the slots say are held. Every object is stamped with its slot when allocated and the
 * stamp is checked before it is freed: an object handed to two slots shows as {@link #CLOBBERED}.
 * {@link #validate} frees what is left, then demands distinct objects, a clean
 * {@code validate()} and every frame back in the buddy allocator.
 */
@Param(name = "slot", gen = IntGen.class, conf = "0:2")
@Param(name = "kslot", gen = IntGen.class, conf = "0:1")
@Param(name = "group", gen = IntGen.class, conf = "0:1")
@Param(name = "cpu", gen = IntGen.class, conf = "0:1")
public abstract class AllocFreeTarget {
  static final int SLOTS = 3;
  static final int KSLOTS = 2;
  static final int GROUPS = 2;
  /** Objects per bulk group. */
  static final int BULK = 3;
  /** kmalloc size of each kslot: two different classes. */
  static final int[] KSIZES = {24, 100};

  static final String OK = "ok";
  static final String OCCUPIED = "occupied";
  static final String EMPTY = "empty";
  static final String DESTROYED = "destroyed";
  static final String BUSY = "busy";
  static final String CLOBBERED = "clobbered";

  /**
   * The machine a target runs on. {@code ballast} objects per CPU are allocated before the run
   * and held until its end, so that a few slot allocations fill a slab and frees then go to full
   * slabs (the {@code __slab_free} cases); only for targets without destroy.
   */
  record Setup(int cpus, int frameSize, int objectSize, long memoryBytes, int ballast) {
    Setup(int cpus, int frameSize, int objectSize, long memoryBytes) {
      this(cpus, frameSize, objectSize, memoryBytes, 0);
    }
  }

  final SlabSystem sys;
  final VirtualCpus vcpus;
  private final BuddyFrameAllocator buddy;
  final KmemCache cache;
  /** The kmalloc caches the kslots use, for the end-of-run checks. */
  private final List<KmemCache> kmallocUsed = new ArrayList<>();
  private final long framesAtStart;
  private final List<Long> ballast = new ArrayList<>();
  private final long[] slots = new long[SLOTS];
  final long[] kslots = new long[KSLOTS];
  final long[][] groups = new long[GROUPS][];
  private final Object[] slotLock = locks(SLOTS);
  final Object[] kslotLock = locks(KSLOTS);
  final Object[] groupLock = locks(GROUPS);

  protected AllocFreeTarget(Setup s) {
    BuddyFrameAllocator[] b = new BuddyFrameAllocator[1];
    vcpus = new VirtualCpus(s.cpus());
    sys = SlabSystem.builder().cpus(s.cpus()).cpuId(vcpus).frameSize(s.frameSize())
        .memoryBytes(s.memoryBytes())
        .frameAllocator((PhysicalMemory m) -> b[0] = new BuddyFrameAllocator(m.bytes(), s.frameSize()))
        .build();
    buddy = b[0];
    framesAtStart = buddy.freeFrameCount();
    cache = sys.createCache("lincheck", s.objectSize(), 8);
    prewarm(s.cpus(), s.ballast());
    for (KmemCache c : sys.caches()) {
      if (c.counts().slabs() > 0 && c != cache) {
        kmallocUsed.add(c);
      }
    }
  }

  /**
   * One slab per CPU in each cache before the scenario starts, so the scenario's allocations
   * take the fast paths and the (long, switch-point-free) freelist build stays out of it.
   */
  private void prewarm(int cpus, int ballastPerCpu) {
    for (int cpu = cpus - 1; cpu >= 0; cpu--) {
      vcpus.bindCurrent(cpu);
      cache.free(cache.alloc());
      for (int i = 0; i < ballastPerCpu; i++) {
        ballast.add(cache.alloc());
      }
      for (int size : KSIZES) {
        sys.kfree(sys.kmalloc(size));
      }
    }
  }

  private static Object[] locks(int n) {
    Object[] l = new Object[n];
    for (int i = 0; i < n; i++) {
      l[i] = new Object();
    }
    return l;
  }

  /** The stamp a slot writes into its object: which kind of slot and which one. */
  static long stamp(int kind, int slot, int i) {
    return 0x5AB0_0000_0000_0000L | ((long) kind << 16) | ((long) slot << 8) | i;
  }

  @Operation
  public String alloc(@Param(name = "slot") int slot) {
    synchronized (slotLock[slot]) {
      if (slots[slot] != 0) {
        return OCCUPIED;
      }
      long a;
      try {
        a = cache.alloc();
      } catch (CacheDestroyedException e) {
        return DESTROYED;
      }
      if (a == 0) {
        return "out of memory";
      }
      sys.memory().putLong(a, stamp(0, slot, 0));
      slots[slot] = a;
      return OK;
    }
  }

  @Operation
  public String free(@Param(name = "slot") int slot) {
    synchronized (slotLock[slot]) {
      long a = slots[slot];
      if (a == 0) {
        return EMPTY;
      }
      slots[slot] = 0;
      if (sys.memory().getLong(a) != stamp(0, slot, 0)) {
        return CLOBBERED;
      }
      return call(() -> cache.free(a));
    }
  }

  static String call(Runnable r) {
    try {
      r.run();
      return OK;
    } catch (CacheDestroyedException e) {
      return DESTROYED;
    } catch (CacheBusyException e) {
      return BUSY;
    } catch (InvalidFreeException e) {
      return "invalid free: " + e.getMessage();
    }
  }

  /**
   * After each run: no object held twice, everything freed, validate() clean and every frame back
   * in the buddy allocator. The arena is unmapped here (Lincheck builds a target per run).
   */
  @Validate
  public void validate() {
    try {
      List<Long> held = new ArrayList<>();
      for (long a : slots) {
        if (a != 0) {
          held.add(a);
        }
      }
      for (long[] g : groups) {
        if (g != null) {
          for (long a : g) {
            held.add(a);
          }
        }
      }
      held.addAll(ballast);
      List<Long> kheld = new ArrayList<>();
      for (long a : kslots) {
        if (a != 0) {
          kheld.add(a);
        }
      }
      Set<Long> seen = new HashSet<>();
      for (long a : held) {
        if (!seen.add(a)) {
          throw new AssertionError("object 0x" + Long.toHexString(a) + " held by two slots");
        }
      }
      for (long a : kheld) {
        if (!seen.add(a)) {
          throw new AssertionError("kmalloc object 0x" + Long.toHexString(a) + " held twice");
        }
      }
      // The core, not the handle: a destroyed cache must still give its objects back here.
      for (long a : held) {
        if (cache.core().free(a) != null) {
          throw new AssertionError("held object 0x" + Long.toHexString(a) + " refused by free");
        }
      }
      for (long a : kheld) {
        sys.kfree(a);
      }
      // Only the caches this target used: checking all ~25 under Lincheck's instrumentation is slow.
      List<String> problems = new ArrayList<>(cache.core().validate());
      cache.core().shrink();
      for (KmemCache c : kmallocUsed) {
        problems.addAll(c.core().validate());
        c.core().shrink();
      }
      if (!problems.isEmpty()) {
        throw new AssertionError("validate: " + problems);
      }
      long back = buddy.freeFrameCount();
      if (back != framesAtStart) {
        throw new AssertionError("frames leaked: buddy has " + back + " free, " + framesAtStart
            + " at start");
      }
    } finally {
      sys.close();
    }
  }
}
