package jslub.stress.catcher;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import jslub.KmemCache;
import jslub.SlabSystem;
import jslub.cpu.VirtualCpus;
import jslub.memory.PhysicalMemory;
import jslub.slab.CacheCounts;

/**
 * A directed stress harness: {@code threads} workers on {@code cpus} virtual CPUs allocate, free,
 * hand objects to each other for remote frees, bulk-allocate and bulk-free, and migrate, in
 * rounds. Every object has one owner, recorded by CAS in an ownership table, and carries its
 * owner's stamp: an allocation of an owned object, a stamp overwritten while owned, a legitimate
 * free refused, or any exception from the allocator is caught at once. Each round ends quiescent:
 * every object freed, then flush, validate(), exact counts, shrink to zero slabs.
 */
final class OwnershipStress {
  /** One configuration of the harness. */
  record Config(String name, int threads, int cpus, int frameSize, int objectSize,
      int workingSet, boolean remote, boolean bulk, int migrateEvery, long roundMillis,
      boolean burst, boolean delayedFreeze) {}

  private final Config cfg;
  private final VirtualCpus vcpus;
  private final SlabSystem sys;
  private final PhysicalMemory mem;
  private final KmemCache cache;
  private final AtomicIntegerArray owner;
  private final AtomicReference<String> problem = new AtomicReference<>();
  private final ConcurrentLinkedQueue<Long> handoff = new ConcurrentLinkedQueue<>();
  private volatile boolean stop;

  OwnershipStress(Config cfg) {
    this.cfg = cfg;
    this.vcpus = new VirtualCpus(cfg.cpus());
    this.sys = SlabSystem.builder().cpus(cfg.cpus()).cpuId(vcpus).frameSize(cfg.frameSize())
        .memoryBytes(16L << 20).delayedFreeze(cfg.delayedFreeze()).build();
    this.mem = sys.memory();
    this.cache = sys.createCache("own", cfg.objectSize(), 0);
    this.owner = new AtomicIntegerArray((int) (mem.bytes() >>> 3));
  }

  /** Runs rounds until a problem is found or {@code seconds} pass. */
  Verdict run(double seconds) {
    long t0 = System.nanoTime();
    long end = t0 + (long) (seconds * 1e9);
    try (sys) {
      while (problem.get() == null && System.nanoTime() < end) {
        round();
      }
    } catch (RuntimeException | InterruptedException e) {
      problem.compareAndSet(null, "harness: " + e);
    }
    return new Verdict(cfg.name(), problem.get(), (System.nanoTime() - t0) / 1e9);
  }

  private void round() throws InterruptedException {
    stop = false;
    List<Thread> ts = new ArrayList<>();
    List<List<Long>> heldBy = new ArrayList<>();
    for (int i = 0; i < cfg.threads(); i++) {
      List<Long> held = new ArrayList<>();
      heldBy.add(held);
      int id = i + 1;
      Thread t = new Thread(() -> work(id, held), "own-" + id);
      vcpus.bind(t, i % cfg.cpus());
      ts.add(t);
    }
    ts.forEach(Thread::start);
    long until = System.nanoTime() + cfg.roundMillis() * 1_000_000L;
    while (System.nanoTime() < until && problem.get() == null) {
      Thread.sleep(5);
    }
    stop = true;
    for (Thread t : ts) {
      t.join();
    }
    if (problem.get() != null) {
      return;
    }
    // Quiescent: free everything on CPU 0, then the books must balance exactly.
    vcpus.bindCurrent(0);
    List<Long> all = new ArrayList<>(handoff);
    handoff.clear();
    heldBy.forEach(all::addAll);
    for (long o : all) {
      release(0, o);
      if (problem.get() != null) {
        return;
      }
    }
    cache.core().flushAll();
    List<String> v = cache.validate();
    if (!v.isEmpty()) {
      fail("validate() after the round: " + v.get(0));
      return;
    }
    CacheCounts k = cache.counts();
    if (k.activeObjs() != 0) {
      fail("counts after the round: " + k.activeObjs() + " active objects, 0 live");
      return;
    }
    cache.shrink();
    k = cache.counts();
    if (k.slabs() != 0 || k.frames() != 0) {
      fail("shrink left " + k.slabs() + " slabs / " + k.frames() + " frames with nothing live");
    }
  }

  private void work(int id, List<Long> held) {
    SplittableRandom rnd = new SplittableRandom(id * 7919L + System.nanoTime());
    long[] bulk = new long[8];
    int ops = 0;
    boolean draining = false;
    try {
      while (!stop && problem.get() == null) {
        ops++;
        if (cfg.burst()) { // fill to the working set, then free down to nothing: slabs cycle
          if (held.size() >= cfg.workingSet()) {
            draining = true;
          } else if (held.isEmpty()) {
            draining = false;
          }
        }
        if (cfg.migrateEvery() > 0 && ops % cfg.migrateEvery() == 0) {
          vcpus.bindCurrent(rnd.nextInt(cfg.cpus()));
        }
        int r = rnd.nextInt(100);
        if (held.size() < cfg.workingSet() && (cfg.burst() ? !draining : r < 50)) {
          if (cfg.bulk() && r < 10) {
            int n = 2 + rnd.nextInt(bulk.length - 1);
            if (cache.allocBulk(bulk, n) == n) {
              for (int i = 0; i < n; i++) {
                take(id, bulk[i]);
                held.add(bulk[i]);
              }
            }
          } else {
            long o = cache.alloc();
            if (o != 0) {
              take(id, o);
              held.add(o);
            }
          }
        } else if (!held.isEmpty()) {
          long o = held.remove(rnd.nextInt(held.size()));
          if (cfg.remote() && r < 75) {
            handoff.add(o); // another thread frees it (a remote free when on another CPU)
          } else if (cfg.bulk() && r > 95 && !held.isEmpty()) {
            long o2 = held.remove(held.size() - 1);
            check(id, o);
            check(id, o2);
            owner.set(idx(o), 0);
            owner.set(idx(o2), 0);
            bulk[0] = o;
            bulk[1] = o2;
            cache.freeBulk(bulk, 2);
          } else {
            release(id, o);
          }
        }
        if (cfg.remote()) {
          Long h = handoff.poll();
          if (h != null) {
            owner.set(idx(h), id); // ownership passes with the object (the queue orders it)
            mem.putLong(h, stamp(id, h));
            release(id, h);
          }
        }
      }
    } catch (RuntimeException | AssertionError e) {
      fail("thread " + id + ": " + e);
    }
  }

  private static long stamp(int id, long o) {
    return ((long) id << 48) ^ o;
  }

  private int idx(long o) {
    return (int) (o >>> 3);
  }

  private void take(int id, long o) {
    int prev = owner.getAndSet(idx(o), id);
    if (prev != 0) {
      fail("double allocation: object 0x" + Long.toHexString(o) + " handed to thread " + id
          + " while thread " + prev + " owns it");
      return;
    }
    mem.putLong(o, stamp(id, o));
  }

  private void check(int id, long o) {
    if (mem.getLong(o) != stamp(id, o) || owner.get(idx(o)) != id) {
      fail("object 0x" + Long.toHexString(o) + " of thread " + id + " was overwritten while owned");
    }
  }

  private void release(int id, long o) {
    if (id != 0) {
      check(id, o);
    }
    owner.set(idx(o), 0);
    try {
      cache.free(o);
    } catch (RuntimeException e) {
      fail("legitimate free of 0x" + Long.toHexString(o) + " refused: " + e.getMessage());
    }
  }

  private void fail(String what) {
    problem.compareAndSet(null, what);
  }
}
