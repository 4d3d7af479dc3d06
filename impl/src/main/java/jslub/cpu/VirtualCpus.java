package jslub.cpu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.WeakHashMap;
import org.checkerframework.checker.lock.qual.GuardedBy;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The default {@link CpuId}: a fixed number of virtual CPUs that threads are bound to, standing in
 * for the scheduler.
 *
 * <p>A thread is bound on its first {@link #currentCpu()} call, round-robin over the CPUs, so a
 * pool of N threads spreads evenly; more threads than CPUs share CPUs, which SLUB tolerates (see
 * {@link CpuId}). {@link #bindCurrent} and {@link #bind} move a thread to another CPU, simulating
 * migration; the move shows at the thread's next {@code currentCpu()} call.
 *
 * <p>{@code currentCpu()} is on the allocator's fast path twice per alloc+free pair, so it is
 * Java's nearest thing to the kernel's {@code this_cpu_ptr} (a segment-register offset): the
 * thread's id indexes a small direct-mapped table whose one {@code long} holds (thread id, CPU),
 * read with acquire. A hit is one load and a compare after {@code Thread.currentThread()} (which
 * the JIT reads from a register); no ThreadLocal map, no lock, no allocation. A miss (first call,
 * or another live thread holds the slot) reads the thread's own binding through a ThreadLocal,
 * with no lock after the thread's first call, and takes the slot by CAS when it is empty or at
 * every {@value #EVICT_AFTER}th miss: two threads sharing a slot neither serialise on a lock nor
 * bounce the slot's cache line on every call, and a dead thread's slot is taken over.
 *
 * <p>Exactness: a move shows at the thread's next call. {@link #bind} writes the binding's CPU,
 * then rewrites the thread's slot if the thread holds it; a thread taking its slot writes the
 * slot, then re-reads its binding's CPU. Both are volatile, so one of the two sees the other's
 * write and the slot cannot keep a stale CPU. The allocator would stay correct even with a stale
 * answer (see {@link CpuId}): a fast path reads and CASes one CPU's word, whose tid catches any
 * change made in between. Bindings are per instance: two systems in one JVM do not share them.
 */
public final class VirtualCpus implements CpuId {
  /** A thread's binding; mutable so {@link #bind} can move a thread without touching its map. */
  private static final class Binding {
    /** Written under {@link #lock} (bind), read locklessly by the owning thread. */
    volatile int cpu;

    /** The owning thread's misses since it last took its slot; only that thread touches it. */
    int misses;

    Binding(int cpu) {
      this.cpu = cpu;
    }
  }

  /** A thread that misses its slot takes it over at this many misses (if not empty before). */
  static final int EVICT_AFTER = 64;

  /** Slots of the direct-mapped table (a power of two); threads whose ids differ by it share one. */
  static final int SLOTS = 1024;

  /** CPUs fit in the low 16 bits of a slot. */
  static final int MAX_CPUS = 1 << 16;

  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

  private final int cpus;

  /**
   * Slot {@code id & (SLOTS - 1)} holds {@code id << 16 | cpu} for the thread of id {@code id}
   * that last installed itself there, or 0 (no thread has id 0). Written under {@link #lock}
   * with release stores; read locklessly with acquire loads.
   */
  private final long[] slots = new long[SLOTS];

  /** Guards the bindings' registry; package-private so a test can hold it against a miss. */
  final Object lock = new Object();

  /** The calling thread's binding in this instance, once it has one (the lockless miss path). */
  private final ThreadLocal<@Nullable Binding> own = new ThreadLocal<>();

  /**
   * Every bound thread's binding, so another thread can rebind it. Weak keys: a dead thread's
   * entry goes away with the thread.
   */
  private final @GuardedBy("lock") Map<Thread, Binding> byThread = new WeakHashMap<>();

  /** The CPU the next new thread gets, round-robin; [0] only, an array so it can be guarded. */
  private final int @GuardedBy("lock") [] nextCpu = new int[1];

  /**
   * @throws IllegalArgumentException if {@code cpus < 1}
   */
  public VirtualCpus(int cpus) {
    if (cpus < 1 || cpus > MAX_CPUS) {
      throw new IllegalArgumentException("cpus must be in [1, " + MAX_CPUS + "], got " + cpus);
    }
    this.cpus = cpus;
  }

  /** A provider that answers {@code cpu} for every thread (tests, single-CPU setups). */
  public static CpuId fixed(int cpu) {
    if (cpu < 0) {
      throw new IllegalArgumentException("cpu must be >= 0, got " + cpu);
    }
    return () -> cpu;
  }

  /** smp_processor_id() through this_cpu_ptr's stand-in: the thread's slot, else the lock. */
  @Override
  public int currentCpu() {
    long id = Thread.currentThread().threadId();
    int i = (int) (id & (SLOTS - 1));
    long e = (long) SLOT.getAcquire(slots, i);
    if (e >>> 16 == id) {
      return (int) (e & (MAX_CPUS - 1));
    }
    return miss(id, i, e);
  }

  /**
   * The slot holds another thread (or none): answer from the thread's own binding, and take the
   * slot when it is empty or at every {@link #EVICT_AFTER}th miss.
   */
  private int miss(long id, int i, long seen) {
    Binding b = own.get();
    if (b == null) { // the thread's first call in this instance: the only locked step
      synchronized (lock) {
        b = bindingOf(Thread.currentThread());
      }
      own.set(b);
    }
    int cpu = b.cpu;
    if (seen != 0 && ++b.misses < EVICT_AFTER) {
      return cpu;
    }
    b.misses = 0;
    long mine = id << 16 | cpu;
    if (SLOT.compareAndSet(slots, i, seen, mine)) {
      int now = b.cpu; // a bind() since the read above may have missed our slot: fix it
      if (now != cpu) {
        SLOT.compareAndSet(slots, i, mine, id << 16 | now);
        cpu = now;
      }
    }
    return cpu;
  }

  /** Moves the calling thread to {@code cpu}. */
  public void bindCurrent(int cpu) {
    bind(Thread.currentThread(), cpu);
  }

  /**
   * Moves {@code thread} to {@code cpu}; it sees the move at its next {@link #currentCpu()}. A
   * thread not bound yet starts on {@code cpu} instead of its round-robin CPU.
   */
  public void bind(Thread thread, int cpu) {
    checkCpu(cpu);
    synchronized (lock) {
      Binding b = byThread.get(thread);
      if (b == null) {
        byThread.put(thread, new Binding(cpu));
      } else {
        b.cpu = cpu;
      }
      // The thread holds its slot: move it there too. Only the thread itself and this (locked)
      // method write a slot holding its id; a CAS that fails saw the thread fix the slot or
      // another thread take it, so look again.
      long id = thread.threadId();
      int i = (int) (id & (SLOTS - 1));
      for (;;) {
        long e = (long) SLOT.getVolatile(slots, i);
        if (e >>> 16 != id || SLOT.compareAndSet(slots, i, e, id << 16 | cpu)) {
          break;
        }
      }
    }
  }

  /** The CPU {@code thread} is bound to, or -1 if it is not bound yet. */
  public int cpuOf(Thread thread) {
    synchronized (lock) {
      Binding b = byThread.get(thread);
      return b == null ? -1 : b.cpu;
    }
  }

  public int cpus() {
    return cpus;
  }

  /** {@code thread}'s binding, creating it on the next round-robin CPU if it has none. */
  private Binding bindingOf(Thread thread) {
    synchronized (lock) {
      Binding b = byThread.get(thread);
      if (b == null) {
        b = new Binding(nextCpu[0]);
        nextCpu[0] = (nextCpu[0] + 1) % cpus;
        byThread.put(thread, b);
      }
      return b;
    }
  }

  private void checkCpu(int cpu) {
    if (cpu < 0 || cpu >= cpus) {
      throw new IllegalArgumentException("cpu " + cpu + " out of range [0, " + cpus + ")");
    }
  }
}
