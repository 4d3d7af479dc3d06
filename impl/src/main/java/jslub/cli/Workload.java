package jslub.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import jslub.SlabSystem;

/**
 * The demo workload: each thread kmallocs objects of mixed sizes, stamps them, keeps a window of
 * live ones, frees most itself and hands a share to the next thread to free (remote frees, the
 * __slab_free path). Every object's stamp is checked before it is freed.
 */
final class Workload {
  private static final int[] SIZES = {8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 512, 1024, 3000};

  final SlabSystem sys;
  final int threads;
  final long opsPerThread;
  final AtomicLong done = new AtomicLong();
  final AtomicLong remoteFrees = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  final List<ConcurrentLinkedQueue<Long>> mailbox;

  Workload(SlabSystem sys, int threads, long opsPerThread) {
    this.sys = sys;
    this.threads = threads;
    this.opsPerThread = opsPerThread;
    this.mailbox = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      mailbox.add(new ConcurrentLinkedQueue<>());
    }
  }

  /** One thread's loop; returns the objects it still holds (freed by the caller later). */
  long[] run(int me, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    long[] live = new long[256];
    int n = 0;
    for (long op = 0; op < opsPerThread; op++) {
      Long remote = mailbox.get(me).poll();
      if (remote != null) {
        checkAndFree(remote);
        remoteFrees.incrementAndGet();
      }
      if (n == live.length || (n > 0 && rnd.nextInt(100) < 45)) {
        int i = rnd.nextInt(n);
        long a = live[i];
        live[i] = live[--n];
        if (rnd.nextInt(100) < 20) {
          mailbox.get((me + 1) % threads).add(a);
        } else {
          checkAndFree(a);
        }
      } else {
        int size = SIZES[rnd.nextInt(SIZES.length)];
        long a = sys.kmalloc(size);
        if (a == 0) {
          failed.incrementAndGet();
        } else {
          sys.memory().putLong(a, stamp(a));
          live[n++] = a;
        }
      }
      done.incrementAndGet();
    }
    long[] rest = new long[n];
    System.arraycopy(live, 0, rest, 0, n);
    return rest;
  }

  private static long stamp(long a) {
    return a * 0x9E3779B97F4A7C15L;
  }

  void checkAndFree(long a) {
    long v = sys.memory().getLong(a);
    if (v != stamp(a)) {
      throw new IllegalStateException("object 0x" + Long.toHexString(a) + " was overwritten");
    }
    sys.kfree(a);
  }
}
