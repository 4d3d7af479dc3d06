package jslub.cli;

import java.util.SplittableRandom;
import jslub.KmemCache;

/**
 * One soak thread: a random mix of kmalloc/kfree of random sizes and alignments, named-cache
 * alloc/free, bulk alloc/free, frees handed to another thread, migrations to another virtual CPU,
 * shrink and flush_all, and retiring caches so they get destroyed and re-created. Every object it
 * allocates is stamped; every object it frees, its own or handed over, is checked first.
 */
final class SoakWorker implements Runnable {
  private static final int HELD = 256;
  private static final int MAX_BULK = 16;
  private static final int[] ALIGNS = {8, 16, 32, 64, 128, 256};

  private final Soak soak;
  private final int me;
  private final SplittableRandom rnd;
  final SoakObjects held = new SoakObjects(HELD);
  private final long[] bulk = new long[MAX_BULK];
  private final int[] objSize = new int[1];
  private long seq;
  private long steps;

  SoakWorker(Soak soak, int me, long seed) {
    this.soak = soak;
    this.me = me;
    this.rnd = new SplittableRandom(seed);
  }

  @Override
  public void run() {
    try {
      soak.vcpus.bindCurrent(me % soak.vcpus.cpus());
      while (!soak.stop) {
        step();
      }
    } catch (Throwable t) {
      soak.violation("worker " + me + " threw " + t);
    }
  }

  private void step() {
    for (int i = 0; i < 4; i++) {
      Soak.Handoff h = soak.mailbox.get(me).poll();
      if (h == null) {
        break;
      }
      soak.checkAndFree(h.addr(), h.stamp(), h.kind(), h.size());
      soak.remoteFrees.increment();
    }
    int r = held.full() ? 5_000 : rnd.nextInt(10_000); // full: free one
    if (r < 3_600) {
      allocOne();
    } else if (r < 4_000) {
      allocBulk();
    } else if (r < 7_600) {
      freeOne();
    } else if (r < 7_900) {
      freeBulk();
    } else if (r < 8_000) {
      soak.vcpus.bindCurrent(rnd.nextInt(soak.vcpus.cpus()));
      soak.migrations.increment();
    } else if (r < 8_003) {
      housekeeping();
    }
    if ((++steps & 0xff) == 0) {
      recreateDrained();
    }
    soak.ops.increment();
  }

  private long nextStamp() {
    return ((long) (me + 1) << 48) | (++seq & 0xFFFF_FFFF_FFFFL);
  }

  private void allocOne() {
    if (rnd.nextInt(100) < 55) {
      int size = kmallocSize();
      int align = rnd.nextInt(10) == 0 ? ALIGNS[rnd.nextInt(ALIGNS.length)] : 0;
      long a = soak.sys.kmalloc(size, align);
      if (a == 0) {
        soak.allocFails.increment();
        return;
      }
      if (align != 0 && a % align != 0) {
        soak.violation("kmalloc(" + size + ", " + align + ") gave misaligned 0x"
            + Long.toHexString(a));
      }
      keep(a, SoakObjects.KMALLOC, size);
    } else {
      SoakCaches.Slot s = soak.caches.slot(rnd.nextInt(soak.caches.count()));
      int got = soak.caches.alloc(s, bulk, 1, objSize);
      if (got <= 0) {
        if (got == 0) {
          soak.allocFails.increment();
        }
        return;
      }
      keep(bulk[0], s.index, objSize[0]);
    }
  }

  /** Sizes spread over every kmalloc class up to 64 KiB, small ones most often. */
  private int kmallocSize() {
    int bits = 3 + rnd.nextInt(rnd.nextInt(8) == 0 ? 14 : 9);
    return Math.max(8, (1 << bits) - rnd.nextInt(1 << (bits - 1)));
  }

  private void allocBulk() {
    int n = 2 + rnd.nextInt(MAX_BULK - 1);
    if (held.room() < n) {
      return;
    }
    SoakCaches.Slot s = soak.caches.slot(rnd.nextInt(soak.caches.count()));
    int got = soak.caches.alloc(s, bulk, n, objSize);
    if (got <= 0) {
      if (got == 0) {
        soak.allocFails.increment();
      }
      return;
    }
    if (got != n) {
      soak.violation("allocBulk(" + n + ") returned " + got);
    }
    soak.bulkAllocs.increment();
    for (int i = 0; i < got; i++) {
      keep(bulk[i], s.index, objSize[0]);
    }
  }

  private void keep(long a, int kind, int size) {
    long st = nextStamp();
    soak.stamp(a, st, size);
    held.add(a, st, kind, size);
    soak.allocs.increment();
  }

  private void freeOne() {
    if (held.n == 0) {
      return;
    }
    int i = rnd.nextInt(held.n);
    long a = held.addr[i];
    long st = held.stamp[i];
    int kind = held.kind[i];
    int size = held.size[i];
    held.remove(i);
    if (soak.mailbox.size() > 1 && rnd.nextInt(100) < 20) {
      int to = (me + 1 + rnd.nextInt(soak.mailbox.size() - 1)) % soak.mailbox.size();
      soak.mailbox.get(to).add(new Soak.Handoff(a, st, kind, size));
    } else {
      soak.checkAndFree(a, st, kind, size);
    }
  }

  /** kmem_cache_free_bulk of up to 16 held objects of one named cache. */
  private void freeBulk() {
    if (held.n == 0) {
      return;
    }
    int kind = held.kind[rnd.nextInt(held.n)];
    if (kind == SoakObjects.KMALLOC) {
      return;
    }
    int n = 0;
    for (int i = held.n - 1; i >= 0 && n < MAX_BULK; i--) {
      if (held.kind[i] == kind) {
        if (!soak.checkStamp(held.addr[i], held.stamp[i], held.size[i])) {
          return;
        }
        bulk[n++] = held.addr[i];
        held.remove(i);
      }
    }
    SoakCaches.Slot s = soak.caches.slot(kind);
    KmemCache c = s.cache;
    c.freeBulk(bulk, n);
    s.live.addAndGet(-n);
    soak.frees.add(n);
    soak.bulkFrees.increment();
  }

  /**
   * Rare: flush_all or shrink a named cache, shrink every kmalloc cache, or retire a named cache.
   * Named caches are touched only while not retiring, so none of this races their destroy.
   */
  private void housekeeping() {
    SoakCaches.Slot s = soak.caches.slot(rnd.nextInt(soak.caches.count()));
    switch (rnd.nextInt(4)) {
      case 0 -> {
        soak.caches.ifActive(s, c -> c.core().flushAll());
        soak.flushes.increment();
      }
      case 1 -> {
        soak.caches.ifActive(s, KmemCache::shrink);
        soak.shrinks.increment();
      }
      case 2 -> {
        for (KmemCache c : soak.kmallocCaches) {
          c.shrink();
        }
        soak.shrinks.increment();
      }
      default -> soak.caches.retire(s);
    }
  }

  private void recreateDrained() {
    for (int i = 0; i < soak.caches.count(); i++) {
      SoakCaches.Slot s = soak.caches.slot(i);
      if (s.retiring && s.live.get() == 0) {
        String v = soak.caches.tryRecreate(s);
        if (v != null) {
          soak.violation(v);
        }
      }
    }
  }
}
