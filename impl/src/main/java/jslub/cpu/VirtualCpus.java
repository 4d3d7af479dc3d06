package jslub.cpu;

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
 * <p>{@code currentCpu()} is on the allocator's fast path: after a thread's first call it is one
 * {@code ThreadLocal} lookup and one volatile read, with no lock and no allocation. Bindings are
 * per instance: two systems in one JVM do not share them.
 */
public final class VirtualCpus implements CpuId {
  /** A thread's binding; mutable so {@link #bind} can move a thread without touching its map. */
  private static final class Binding {
    volatile int cpu;

    Binding(int cpu) {
      this.cpu = cpu;
    }
  }

  private final int cpus;

  /** The calling thread's binding, once it has one (the fast path). */
  private final ThreadLocal<@Nullable Binding> mine = new ThreadLocal<>();

  private final Object lock = new Object();

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
    if (cpus < 1) {
      throw new IllegalArgumentException("cpus must be >= 1, got " + cpus);
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

  @Override
  public int currentCpu() {
    Binding b = mine.get();
    if (b == null) {
      b = bindingOf(Thread.currentThread());
      mine.set(b);
    }
    return b.cpu;
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
