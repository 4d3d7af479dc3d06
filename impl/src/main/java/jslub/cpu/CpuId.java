package jslub.cpu;

/**
 * The seed's extern {@code current_cpu_id()}; the kernel's {@code smp_processor_id()}.
 *
 * <p>Java cannot disable preemption, so the answer may be stale the moment it is returned: the
 * calling thread may have "migrated". SLUB is built for exactly that (the tid check on the fast
 * path, the per-CPU lock on the slow path), so the allocator stays correct for any answer in
 * {@code [0, cpus)}, including several threads sharing one CPU.
 */
@FunctionalInterface
public interface CpuId {
  /** The CPU the calling thread runs on now, in {@code [0, cpus)}. */
  int currentCpu();
}
