package jslub.slab;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps {@code kmem_cache_destroy} from racing the cache's own operations.
 *
 * <p>The kernel leaves that race to the caller: destroying a cache that another CPU still uses is
 * a bug it does not defend against. jslub's API promises more — once destroy returns, no object
 * of the cache exists or can be handed out, and every frame is back — so it needs the cache to be
 * quiescent while {@link SlabCache#shutdown()} counts and frees. The lockless fast paths need no
 * gate: each is one CAS on the CPU word, and shutdown's flush of every CPU bumps each tid, so a
 * fast path either completed before the flush (its object is live and counted, or its free is
 * done) or fails its CAS and falls to a slow path. Every slow path (___slab_alloc, __slab_free,
 * bulk, shrink, the debug paths) runs inside {@link #enter}/{@link #exit}.
 *
 * <p>The gate is the SRCU pattern: a counter per CPU (padded to its own cache line, so slow paths
 * on different CPUs do not share a written line), incremented on entry, then the {@code closing}
 * flag read; shutdown writes the flag, then sums the counters. Both sides use volatile
 * (sequentially consistent) accesses, so at least one sees the other: either the entrant sees
 * {@code closing} and backs out, or shutdown sees its count and waits for it to leave.
 */
final class CacheGate {
  /** Longs per counter: 64 bytes, one cache line, so that two CPUs never write the same line. */
  private static final int STRIDE = 8;

  private final AtomicLongArray users;
  private final int cpus;
  /** Set while shutdown runs, and for good once the cache is dead. */
  private volatile boolean closing;
  /** The cache was shut down: entrants are refused for good. */
  private volatile boolean dead;

  CacheGate(int cpus) {
    this.cpus = cpus;
    this.users = new AtomicLongArray(cpus * STRIDE);
  }

  /**
   * Enter a slow path on behalf of {@code cpu}. Waits while a shutdown is deciding; returns the
   * slot to pass to {@link #exit}, or -1 if the cache is dead (the operation must not touch it).
   */
  int enter(int cpu) {
    int slot = Math.floorMod(cpu, cpus) * STRIDE;
    for (;;) {
      users.getAndIncrement(slot);
      if (!closing) {
        return slot;
      }
      users.getAndDecrement(slot);
      while (closing) {
        if (dead) {
          return -1;
        }
        LockSupport.parkNanos(10_000L); // shutdown is rare and short: a polite wait is enough
      }
    }
  }

  /** Leave a slow path entered with {@link #enter} (which returned {@code slot}). */
  void exit(int slot) {
    users.getAndDecrement(slot);
  }

  /**
   * Close the gate: new entrants wait, and this returns once every slow path in progress has
   * left. The caller then owns the cache's slow paths until {@link #reopen} or {@link #kill}.
   */
  void close() {
    closing = true;
    while (inside() != 0) {
      Thread.onSpinWait();
      Thread.yield();
    }
  }

  /** Shutdown found live objects: let the waiting operations go on. */
  void reopen() {
    closing = false;
  }

  /** Shutdown freed everything: waiting and future operations are refused. */
  void kill() {
    dead = true;
  }

  boolean isDead() {
    return dead;
  }

  private long inside() {
    long sum = 0;
    for (int i = 0; i < cpus; i++) {
      sum += users.get(i * STRIDE);
    }
    return sum;
  }
}
