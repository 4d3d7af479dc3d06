package jslub.slab;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.ReentrantLock;
import org.checkerframework.checker.lock.qual.Holding;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * {@code struct kmem_cache_cpu}: one CPU's view of a cache.
 *
 * <ul>
 *   <li>{@code word}: (freelist, tid), changed only by CAS — by the lockless fast paths, and by a
 *       slow path through {@link #claim}/{@link #release}.
 *   <li>{@link #slab}: {@code c->slab}, written only by a holder of {@link #lock} with the word
 *       claimed; read locklessly by the fast paths <em>after</em> they read the word, so a fast
 *       path that saw an old c.slab also holds an old word and its CAS fails.
 *   <li>{@link #partial()}: {@code c->partial}, the CPU partial list, only under {@link #lock}.
 * </ul>
 *
 * <p>{@link #lock} is {@code s->cpu_slab->lock} (local_lock). The kernel's local_lock also keeps
 * this CPU's own fast path out (interrupts/preemption off); Java threads sharing a virtual CPU
 * cannot be held off that way, so a slow path additionally claims the word (freelist := BUSY),
 * which makes every in-flight fast-path CAS of this CPU fail and sends new ones to the slow path.
 * Any thread may act for this CPU (flush, shrink) by taking the lock.
 */
final class KmemCacheCpu {
  private static final VarHandle WORD;

  static {
    try {
      WORD = MethodHandles.lookup().findVarHandle(KmemCacheCpu.class, "word", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  // Padding so that the words of neighbouring CPUs do not share a cache line.
  @SuppressWarnings("unused")
  private long p0, p1, p2, p3, p4, p5, p6;

  @SuppressWarnings("unused") // accessed through WORD
  private volatile long word;

  @SuppressWarnings("unused")
  private long q0, q1, q2, q3, q4, q5, q6;

  final int cpu;
  final CpuWord cw;
  final ReentrantLock lock = new ReentrantLock();

  /** c->slab. Written under {@link #lock} with the word claimed; read locklessly. */
  volatile @Nullable Slab slab;

  /** c->partial: head of the CPU partial list (linked by {@link Slab#partialNext}). */
  private @Nullable Slab partial;

  KmemCacheCpu(int cpu, CpuWord cw) {
    this.cpu = cpu;
    this.cw = cw;
    WORD.setVolatile(this, cw.make(0, cw.initTid(cpu)));
  }

  /** slub_percpu_partial(c). */
  @Holding("lock")
  @Nullable Slab partial() {
    return partial;
  }

  /** slub_set_percpu_partial(c, p). */
  @Holding("lock")
  void setPartial(@Nullable Slab p) {
    partial = p;
  }

  /** READ_ONCE of (c->freelist, c->tid), as one word. */
  long word() {
    return (long) WORD.getVolatile(this);
  }

  /** this_cpu_cmpxchg_double on (freelist, tid). */
  boolean cas(long expect, long update) {
    return WORD.compareAndSet(this, expect, update);
  }

  /**
   * Claims the word for a slow path: (freelist, tid) → (BUSY, tid). Returns the claimed word,
   * whose freelist the caller now owns.
   */
  @Holding("lock")
  long claim() {
    for (;;) {
      long w = word();
      if (cw.busy(w)) {
        throw new IllegalStateException("cpu word already claimed while holding the lock");
      }
      if (cas(w, cw.claimed(w))) {
        return w;
      }
    }
  }

  /**
   * Publishes the slow path's result: word := (freelist, next_tid). Every slow-path change of
   * c->freelist or c->slab thus bumps the tid, as the kernel does.
   */
  @Holding("lock")
  void release(long claimed, long freelist) {
    publish(cw.make(freelist, cw.nextTid(cw.tid(claimed))));
  }

  /** Ends a claim with word {@code w} (release, or BULK_NO_TID_BUMP's variant of it). */
  @Holding("lock")
  void publish(long w) {
    WORD.setVolatile(this, w);
  }
}
