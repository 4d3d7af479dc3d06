package jslub.stress.lincheck;

/** The machines the Lincheck runs use; Lincheck needs a class with a no-argument constructor. */
public final class Targets {
  private Targets() {}

  /** Every thread on one virtual CPU: the fast paths of different threads race on one word. */
  public static final class SharedCpu extends SlabTarget {
    public SharedCpu() {
      super(new Setup(1, 4096, 40, 256 << 10));
    }
  }

  /** Two virtual CPUs: frees are remote and slabs move between CPU and node lists. */
  public static final class TwoCpus extends SlabTarget {
    public TwoCpus() {
      super(new Setup(2, 4096, 40, 256 << 10));
    }
  }

  /** 8-object slabs (64-byte frames, 8-byte objects): slabs fill and empty within a scenario. */
  public static final class SmallSlabs extends SlabTarget {
    public SmallSlabs() {
      super(new Setup(2, 64, 8, 128 << 10));
    }
  }

  /** 8-object slabs with every thread on one CPU. */
  public static final class SmallSlabsSharedCpu extends SlabTarget {
    public SmallSlabsSharedCpu() {
      super(new Setup(1, 64, 8, 128 << 10));
    }
  }

  /** alloc/free only, every thread on one CPU: the fast-path tid race (NO_TID, TID_WRAP). */
  public static final class FastPathSharedCpu extends AllocFreeTarget {
    public FastPathSharedCpu() {
      super(new Setup(1, 4096, 40, 256 << 10));
    }
  }

  /**
   * alloc/free only, 8-object slabs on two CPUs, 6 of each CPU's first slab held as ballast: the
   * slots fill slabs, and frees from two CPUs meet in one full slab (SPLIT_CAS).
   */
  public static final class FastPathSmallSlabs extends AllocFreeTarget {
    public FastPathSmallSlabs() {
      super(new Setup(2, 64, 8, 128 << 10, 6));
    }
  }
}
