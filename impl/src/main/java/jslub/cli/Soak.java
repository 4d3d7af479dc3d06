package jslub.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import jslub.KmemCache;
import jslub.SlabSystem;
import jslub.cpu.VirtualCpus;
import jslub.memory.BuddyFrameAllocator;
import jslub.memory.FaultyFrameAllocator;
import jslub.memory.FrameAllocator;
import jslub.memory.PhysicalMemory;
import jslub.slab.CacheCounts;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The soak engine behind {@code jslub soak} (and its short JUnit run): {@link SoakWorker}s hammer
 * one system until time is up, then everything is freed and checked: every stamp intact, every
 * named cache destroyed cleanly, validate() clean, no slab left in any cache, the soak's own
 * alloc and free counts equal, and every frame back in the buddy allocator.
 */
final class Soak {
  /** An object handed to another thread to free. */
  record Handoff(long addr, long stamp, int kind, int size) {}

  /** The outcome and the figures of a run. */
  record Result(List<String> violations, long ops, double seconds, long allocs, long frees,
      long remoteFrees, long allocFails, long faultsInjected, long cachesDestroyed,
      long framesTotal, long framesPeak) {
    boolean ok() {
      return violations.isEmpty();
    }
  }

  final SoakConfig cfg;
  final SlabSystem sys;
  final VirtualCpus vcpus;
  final BuddyFrameAllocator buddy;
  final @Nullable FaultyFrameAllocator faulty;
  final SoakCaches caches;
  final List<KmemCache> kmallocCaches = new ArrayList<>();
  final List<ConcurrentLinkedQueue<Handoff>> mailbox = new ArrayList<>();
  final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
  volatile boolean stop;

  final LongAdder ops = new LongAdder();
  final LongAdder allocs = new LongAdder();
  final LongAdder frees = new LongAdder();
  final LongAdder allocFails = new LongAdder();
  final LongAdder remoteFrees = new LongAdder();
  final LongAdder bulkAllocs = new LongAdder();
  final LongAdder bulkFrees = new LongAdder();
  final LongAdder migrations = new LongAdder();
  final LongAdder shrinks = new LongAdder();
  final LongAdder flushes = new LongAdder();

  private Soak(SoakConfig cfg, SlabSystem sys, VirtualCpus vcpus, BuddyFrameAllocator buddy,
      @Nullable FaultyFrameAllocator faulty) {
    this.cfg = cfg;
    this.sys = sys;
    this.vcpus = vcpus;
    this.buddy = buddy;
    this.faulty = faulty;
    this.caches = new SoakCaches(sys, cfg.caches(), cfg.seed());
    for (KmemCache c : sys.caches()) {
      if (c.name().startsWith("kmalloc-")) {
        kmallocCaches.add(c);
      }
    }
    for (int i = 0; i < cfg.threads(); i++) {
      mailbox.add(new ConcurrentLinkedQueue<>());
    }
  }

  /** Runs a soak, printing a progress line about once a second to {@code progress}. */
  static Result run(SoakConfig cfg, PrintStream progress) throws InterruptedException {
    VirtualCpus vcpus = new VirtualCpus(cfg.cpus());
    BuddyFrameAllocator[] buddy = new BuddyFrameAllocator[1];
    FaultyFrameAllocator[] faulty = new FaultyFrameAllocator[1];
    try (SlabSystem sys = SlabSystem.builder().cpus(cfg.cpus()).cpuId(vcpus)
        .memoryBytes(cfg.memoryBytes()).frameAllocator((PhysicalMemory m) -> {
          buddy[0] = new BuddyFrameAllocator(m.bytes(), m.frameSize());
          FrameAllocator fa = buddy[0];
          if (cfg.faults() > 0) {
            fa = faulty[0] = FaultyFrameAllocator.failRandomly(buddy[0], cfg.faults(), cfg.seed());
          }
          return fa;
        }).build()) {
      return new Soak(cfg, sys, vcpus, buddy[0], faulty[0]).go(progress);
    }
  }

  private Result go(PrintStream progress) throws InterruptedException {
    long framesTotal = buddy.totalFrames();
    long freeAtStart = buddy.freeFrameCount();
    List<SoakWorker> workers = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < cfg.threads(); t++) {
      SoakWorker w = new SoakWorker(this, t, cfg.seed() * 1_000_003L + t);
      workers.add(w);
      threads.add(new Thread(w, "soak-" + t));
    }
    long t0 = System.nanoTime();
    long end = t0 + (long) (cfg.seconds() * 1e9);
    threads.forEach(Thread::start);
    long framesPeak = 0;
    long lastOps = 0;
    long lastT = t0;
    while (!stop && System.nanoTime() < end) {
      Thread.sleep(Math.max(1, Math.min(1000, (end - System.nanoTime()) / 1_000_000)));
      long now = System.nanoTime();
      long o = ops.sum();
      long used = freeAtStart - buddy.freeFrameCount();
      framesPeak = Math.max(framesPeak, used);
      progress.printf(Locale.ROOT, "[soak] %5.1f s  %,d ops  %,.0f ops/s  live %,d  frames %,d/%,d"
          + "  caches destroyed %d  frame faults %d%n", (now - t0) / 1e9, o,
          (o - lastOps) / Math.max(1e-9, (now - lastT) / 1e9), allocs.sum() - frees.sum(),
          used, framesTotal, caches.destroyed.get(), faulty == null ? 0 : faulty.injectedFailures());
      lastOps = o;
      lastT = now;
    }
    stop = true;
    for (Thread t : threads) {
      t.join();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    finish(workers, freeAtStart);
    return new Result(List.copyOf(violations), ops.sum(), seconds, allocs.sum(), frees.sum(),
        remoteFrees.sum(), allocFails.sum(), faulty == null ? 0 : faulty.injectedFailures(),
        caches.destroyed.get(), framesTotal, framesPeak);
  }

  /** Frees what the workers still hold, then checks that the system is whole again. */
  private void finish(List<SoakWorker> workers, long freeAtStart) {
    for (SoakWorker w : workers) {
      SoakObjects h = w.held;
      while (h.n > 0) {
        checkAndFree(h.addr[0], h.stamp[0], h.kind[0], h.size[0]);
        h.remove(0);
      }
    }
    for (ConcurrentLinkedQueue<Handoff> q : mailbox) {
      for (Handoff x = q.poll(); x != null; x = q.poll()) {
        checkAndFree(x.addr(), x.stamp(), x.kind(), x.size());
      }
    }
    if (allocs.sum() != frees.sum()) {
      violation("allocated " + allocs.sum() + " objects but freed " + frees.sum());
    }
    for (int i = 0; i < caches.count(); i++) {
      SoakCaches.Slot s = caches.slot(i);
      if (s.live.get() != 0) {
        violation(s.cache.name() + ": " + s.live.get() + " objects unaccounted for");
      }
    }
    try {
      caches.destroyAll();
    } catch (RuntimeException e) {
      violation("destroy at the end: " + e.getMessage());
    }
    for (String p : sys.validate()) {
      violation("validate: " + p);
    }
    sys.shrink();
    for (KmemCache c : sys.caches()) {
      CacheCounts k = c.counts();
      if (k.slabs() != 0 || k.activeObjs() != 0 || c.core().framesHeld() != 0) {
        violation(c.name() + ": after freeing everything " + k);
      }
    }
    long back = buddy.freeFrameCount();
    if (back != freeAtStart) {
      violation("buddy has " + back + " free frames, " + freeAtStart + " at start ("
          + (freeAtStart - back) + " leaked)");
    }
  }

  void violation(String what) {
    violations.add(what);
    stop = true;
  }

  void stamp(long a, long st, int size) {
    sys.memory().putLong(a, st);
    if (size >= 16) {
      sys.memory().putLong(a + ((size - 8) & ~7L), ~st);
    }
  }

  /** True if both stamps are intact; else records a violation naming the owner. */
  boolean checkStamp(long a, long st, int size) {
    long head = sys.memory().getLong(a);
    long tail = size >= 16 ? sys.memory().getLong(a + ((size - 8) & ~7L)) : ~st;
    if (head == st && tail == ~st) {
      return true;
    }
    violation(String.format(Locale.ROOT, "object 0x%x (size %d) of thread %d, sequence %d, was"
        + " overwritten: head %016x tail %016x, expected %016x", a, size, (st >>> 48) - 1,
        st & 0xFFFF_FFFF_FFFFL, head, tail, st));
    return false;
  }

  /** Checks the stamps, then frees the object into its cache (kfree for kmalloc objects). */
  void checkAndFree(long a, long st, int kind, int size) {
    if (!checkStamp(a, st, size)) {
      return;
    }
    if (kind == SoakObjects.KMALLOC) {
      sys.kfree(a);
    } else {
      SoakCaches.Slot s = caches.slot(kind);
      s.cache.free(a);
      s.live.decrementAndGet();
    }
    frees.increment();
  }
}
