package jslub.slab;

/**
 * Re-injectable historical races, for the stress tests and the bug corpus. Each switch changes
 * the same step as the same id in spec/Slub.tla (docs/model/BUGS.md says which step).
 *
 * <p>Each switch is a {@code static final boolean} read once from the system property
 * {@code jslub.bugs} (a comma-separated list of ids), so the JIT folds it away when off: the buggy
 * step is a branch in the one copy of the code, never a second copy. Never set in production.
 *
 * <p>The allocator tests a switch through its method ({@code if (Bugs.noTid())}), which the JIT
 * inlines and folds like the field; the buggy step's body is in {@link BugVariants}. Mutation
 * testing skips every line that calls this class or that one (docs/MUTATION.md): negating a
 * switch turns a race on rather than breaking the allocator.
 */
public final class Bugs {
  private static final String SPEC = System.getProperty("jslub.bugs", "");

  /** Fast-path CAS compares the freelist only, not the tid (the 2008 cmpxchg_local revert). */
  public static final boolean NO_TID = on("NO_TID");

  /** The tid space is 2 values per CPU, so it wraps within a few operations. */
  public static final boolean TID_WRAP = on("TID_WRAP");

  /**
   * Bulk alloc's "ran dry" exit publishes the emptied c.freelist without bumping the tid (fixed
   * in 2020); the exit that got every object still bumps.
   */
  public static final boolean BULK_NO_TID_BUMP = on("BULK_NO_TID_BUMP");

  /**
   * __slab_free updates the slab's freelist and counters by two separate CASes (the second
   * compares the counters it read first); every other slab-word CAS stays whole.
   */
  public static final boolean SPLIT_CAS = on("SPLIT_CAS");

  /** __slab_free puts a full slab on the CPU partial list without freezing it. */
  public static final boolean FREEZE_MISSING = on("FREEZE_MISSING");

  /**
   * Delayed freezing only: __slab_free drops the {@code prior && !on_node_partial} return, so it
   * does node-list work (remove_partial, discard) on a slab that is on a CPU partial list.
   */
  public static final boolean NO_LIST_RECHECK = on("NO_LIST_RECHECK");

  /**
   * __slab_free takes list_lock after its CAS instead of before, and decides slab_empty from the
   * CAS-time word, so an emptied slab acquired meanwhile is discarded unchecked.
   */
  public static final boolean DISCARD_RACE = on("DISCARD_RACE");

  private Bugs() {}

  /** {@link #NO_TID}. */
  static boolean noTid() {
    return NO_TID;
  }

  /** {@link #TID_WRAP}. */
  static boolean tidWrap() {
    return TID_WRAP;
  }

  /** {@link #BULK_NO_TID_BUMP}. */
  static boolean bulkNoTidBump() {
    return BULK_NO_TID_BUMP;
  }

  /** {@link #SPLIT_CAS}. */
  static boolean splitCas() {
    return SPLIT_CAS;
  }

  /** {@link #FREEZE_MISSING}. */
  static boolean freezeMissing() {
    return FREEZE_MISSING;
  }

  /** {@link #NO_LIST_RECHECK}. */
  static boolean noListRecheck() {
    return NO_LIST_RECHECK;
  }

  /** {@link #DISCARD_RACE}. */
  static boolean discardRace() {
    return DISCARD_RACE;
  }

  private static boolean on(String id) {
    for (String s : SPEC.split(",", -1)) {
      if (s.trim().equals(id)) {
        return true;
      }
    }
    return false;
  }

  /** The ids switched on in this JVM, for logs and reports. */
  public static String active() {
    return SPEC.isBlank() ? "none" : SPEC;
  }
}
