package jslub.cpu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.WeakHashMap;
import org.checkerframework.checker.lock.qual.GuardedBy;

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
 * or another thread took the slot) takes the lock, finds the binding and installs it. Exactness
 * is kept: {@link #bind} rewrites the thread's slot under the same lock, so a move shows at the
 * next call as before. The allocator would stay correct even with a stale answer (see
 * {@link CpuId}): a fast path reads and CASes one CPU's word, whose tid catches any change made
 * in between. Bindings are per instance: two systems in one JVM do not share them.
 */
public final class VirtualCpus implements CpuId {
  /** A thread's binding; mutable so {@link #bind} can move a thread without touching its map. */
  private static final class Binding {
    int cpu; // under lock

    Binding(int cpu) {
      this.cpu = cpu;
    }
  }

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
    long e = (long) SLOT.getAcquire(slots, (int) (id & (SLOTS - 1)));
    if (e >>> 16 == id) {
      return (int) (e & (MAX_CPUS - 1));
    }
    return install(Thread.currentThread());
  }

  /** The slow path of {@link #currentCpu}: binds {@code thread} if new and takes its slot. */
  private int install(Thread thread) {
    synchronized (lock) {
      int cpu = bindingOf(thread).cpu;
      publish(thread.threadId(), cpu);
      return cpu;
    }
  }

  /** Writes (id, cpu) into id's slot; the caller holds {@link #lock}. */
  private void publish(long id, int cpu) {
    SLOT.setRelease(slots, (int) (id & (SLOTS - 1)), id << 16 | cpu);
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
      long id = thread.threadId();
      long e = (long) SLOT.getAcquire(slots, (int) (id & (SLOTS - 1)));
      if (e >>> 16 == id) { // the thread holds its slot: move it there too
        publish(id, cpu);
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
