package jslub.cli;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.StampedLock;
import jslub.CacheDestroyedException;
import jslub.KmemCache;
import jslub.SlabSystem;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The soak's named caches, each in a slot that can be retired, destroyed and re-created while
 * the other slots stay in use. Retiring a slot stops new allocations from it; its objects drain
 * as their holders free them; when none is left, the cache is destroyed and a new one (another
 * name, size and alignment) takes the slot. So {@code destroy()} never races an alloc or a free
 * of its own cache, only work in the other caches.
 */
final class SoakCaches {
  /** One slot. {@code live} counts objects handed out and not yet freed by the soak. */
  static final class Slot {
    final int index;
    final StampedLock lock = new StampedLock();
    final AtomicLong live = new AtomicLong();
    volatile KmemCache cache;
    volatile boolean retiring;
    int generation;

    Slot(int index, KmemCache cache) {
      this.index = index;
      this.cache = cache;
    }
  }

  private static final int[] ALIGNS = {0, 8, 16, 64, 256};

  private final SlabSystem sys;
  private final Slot[] slots;
  private final SplittableRandom shapes;
  final AtomicLong destroyed = new AtomicLong();

  SoakCaches(SlabSystem sys, int count, long seed) {
    this.sys = sys;
    this.shapes = new SplittableRandom(seed ^ 0x50A4L);
    this.slots = new Slot[count];
    for (int i = 0; i < count; i++) {
      slots[i] = new Slot(i, create(i, 0));
    }
  }

  private KmemCache create(int index, int generation) {
    int size;
    int align;
    synchronized (shapes) {
      size = 8 + shapes.nextInt(1000);
      align = ALIGNS[shapes.nextInt(ALIGNS.length)];
    }
    return sys.createCache("soak-" + index + "." + generation, size, align);
  }

  int count() {
    return slots.length;
  }

  Slot slot(int i) {
    return slots[i];
  }

  /**
   * Allocates {@code n} objects (bulk when n > 1) from the slot's cache unless it is retiring.
   * The flag is read under the read lock that {@link #retire} write-locks, so no allocation
   * starts after a retire and none is still running when it returns.
   *
   * @param size set to the cache's object size (read under the lock: the slot's cache may be
   *     replaced between two calls)
   * @return objects got, 0 if the frames ran out, -1 if the slot is retiring
   */
  int alloc(Slot s, long[] out, int n, int[] size) {
    long stamp = s.lock.readLock();
    try {
      if (s.retiring) {
        return -1;
      }
      KmemCache c = s.cache;
      size[0] = c.objectSize();
      int got;
      if (n == 1) {
        out[0] = c.alloc();
        got = out[0] == 0 ? 0 : 1;
      } else {
        got = c.allocBulk(out, n);
      }
      s.live.addAndGet(got);
      return got;
    } finally {
      s.lock.unlockRead(stamp);
    }
  }

  /** Runs {@code r} on the slot's cache unless it is retiring (so never on a destroyed one). */
  void ifActive(Slot s, java.util.function.Consumer<KmemCache> r) {
    long stamp = s.lock.readLock();
    try {
      if (!s.retiring) {
        r.accept(s.cache);
      }
    } finally {
      s.lock.unlockRead(stamp);
    }
  }

  /** Marks a slot retiring (no more allocations from it). False if it already was. */
  boolean retire(Slot s) {
    long stamp = s.lock.writeLock();
    try {
      if (s.retiring) {
        return false;
      }
      s.retiring = true;
      return true;
    } finally {
      s.lock.unlockWrite(stamp);
    }
  }

  /**
   * If the retiring slot has drained, destroys its cache, checks that the old handle refuses
   * work, and puts a fresh cache in the slot.
   *
   * @return null when done or not yet drained, else a violation
   */
  @Nullable String tryRecreate(Slot s) {
    long stamp = s.lock.writeLock();
    try {
      if (!s.retiring || s.live.get() != 0) {
        return null;
      }
      KmemCache old = s.cache;
      old.destroy();
      try {
        old.alloc();
        return "alloc on destroyed cache " + old.name() + " did not throw";
      } catch (CacheDestroyedException expected) {
        // the handle is dead, as the API says
      }
      s.generation++;
      s.cache = create(s.index, s.generation);
      s.retiring = false;
      destroyed.incrementAndGet();
      return null;
    } finally {
      s.lock.unlockWrite(stamp);
    }
  }

  /** Destroys every slot's cache at the end (all objects must be freed by then). */
  void destroyAll() {
    for (Slot s : slots) {
      s.cache.destroy();
    }
  }
}
