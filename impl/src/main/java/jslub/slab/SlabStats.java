package jslub.slab;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.checkerframework.checker.index.qual.Positive;

/**
 * Per-CPU stat counters of one cache ({@code struct kmem_cache_cpu::stat[]}).
 *
 * <p>Each CPU has its own row, padded to whole cache lines so CPUs do not false-share. The kernel
 * uses a plain per-CPU increment; here several threads may share a virtual CPU, so the increment
 * is an atomic add to keep the figures exact. Counting is off unless switched on, like
 * CONFIG_SLUB_STATS, and then costs one branch on a plain field.
 */
public final class SlabStats {
  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
  private static final int ITEMS = Stat.values().length;
  /** Row length: ITEMS rounded up to 8 longs (one 64-byte line) plus one line of padding. */
  private static final int ROW = ((ITEMS + 7) & ~7) + 8;

  private final long[] counts;
  private final int cpus;
  private volatile boolean enabled;

  SlabStats(@Positive int cpus, boolean enabled) {
    this.cpus = cpus;
    this.counts = new long[cpus * ROW];
    this.enabled = enabled;
  }

  /** stat(): counts one event on {@code cpu} if statistics are on. */
  void inc(int cpu, Stat item) {
    if (enabled) {
      add(cpu, item, 1);
    }
  }

  void add(int cpu, Stat item, long n) {
    if (enabled) {
      // cpu comes from a checked currentCpu() or a CPU slot: in range (the VarHandle checks too).
      SLOT.getAndAdd(counts, cpu * ROW + item.ordinal(), n);
    }
  }

  public boolean enabled() {
    return enabled;
  }

  public void setEnabled(boolean on) {
    enabled = on;
  }

  /** Sum over CPUs (the first number in the sysfs file). */
  public long total(Stat item) {
    long sum = 0;
    for (int cpu = 0; cpu < cpus; cpu++) {
      sum += perCpu(item, cpu);
    }
    return sum;
  }

  /** One CPU's count (the {@code C<n>=} terms in the sysfs file). */
  public long perCpu(Stat item, int cpu) {
    int i = cpu * ROW + item.ordinal();
    if (i < 0 || i >= counts.length) {
      throw new IndexOutOfBoundsException("cpu " + cpu);
    }
    return (long) SLOT.getVolatile(counts, i);
  }

  public int cpus() {
    return cpus;
  }

  /** The sysfs rendering: {@code "<total> C0=<n> C1=<n>"} (CPUs with zero are omitted). */
  public String sysfs(Stat item) {
    StringBuilder sb = new StringBuilder().append(total(item));
    for (int cpu = 0; cpu < cpus; cpu++) {
      long v = perCpu(item, cpu);
      if (v != 0) {
        sb.append(" C").append(cpu).append('=').append(v);
      }
    }
    return sb.toString();
  }
}
