package jslub.stress.jcstress;

import java.util.concurrent.atomic.AtomicLong;
import jslub.KmemCache;
import jslub.SlabSystem;
import jslub.cpu.VirtualCpus;

/**
 * The one {@link SlabSystem} of a forked jcstress JVM. Building a system per state is far too
 * slow, so every state gets a fresh cache of it instead. jcstress cannot see off-heap memory:
 * the arena is sized for all the states a run keeps alive at once (each holds a few 1 KiB slabs).
 */
final class Rig {
  /** CPU 0 builds the states; the actors run on CPUs 1 and 2, or share one CPU. */
  static final int CPUS = 3;

  static final VirtualCpus VCPUS = new VirtualCpus(CPUS);

  /** 512-byte frames and 64-byte objects: slabs of 16 objects, cheap to fill and to empty. */
  static final SlabSystem SYS = SlabSystem.builder()
      .cpus(CPUS)
      .cpuId(VCPUS)
      .frameSize(512)
      .memoryBytes(256L << 20)
      .stats(true)
      .build();

  static final int OBJECT_SIZE = 64;

  private static final AtomicLong NEXT = new AtomicLong();

  private Rig() {}

  /** A new cache with a name no other state uses. */
  static KmemCache newCache() {
    return SYS.createCache("jcs-" + NEXT.incrementAndGet(), OBJECT_SIZE, 0);
  }

  /** Rebinds the calling thread to virtual CPU {@code cpu} (a migration, seen at its next op). */
  static void on(int cpu) {
    VCPUS.bindCurrent(cpu);
  }
}
