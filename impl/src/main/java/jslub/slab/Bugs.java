package jslub.slab;

/**
 * Re-injectable historical races (VERIFICATION.md §2), for the stress tests and the bug corpus.
 *
 * <p>Each switch is a {@code static final boolean} read once from the system property
 * {@code jslub.bugs} (a comma-separated list of ids), so the JIT folds it away when off: the buggy
 * step is a branch in the one copy of the code, never a second copy. Never set in production.
 */
public final class Bugs {
  private static final String SPEC = System.getProperty("jslub.bugs", "");

  /** Fast-path CAS compares the freelist only, not the tid (the 2008 cmpxchg_local revert). */
  public static final boolean NO_TID = on("NO_TID");

  /** The tid space is 2 values per CPU, so it wraps within a few operations. */
  public static final boolean TID_WRAP = on("TID_WRAP");

  /** Bulk alloc publishes its pops of c.freelist without bumping the tid (fixed in 2020). */
  public static final boolean BULK_NO_TID_BUMP = on("BULK_NO_TID_BUMP");

  /** The slab's freelist and counters are updated by two separate CASes. */
  public static final boolean SPLIT_CAS = on("SPLIT_CAS");

  /** __slab_free puts a full slab on the CPU partial list without freezing it. */
  public static final boolean FREEZE_MISSING = on("FREEZE_MISSING");

  /**
   * Delayed freezing only: __slab_free drops the {@code prior && !on_node_partial} return, so it
   * does node-list work (remove_partial, discard) on a slab that is on a CPU partial list.
   */
  public static final boolean NO_LIST_RECHECK = on("NO_LIST_RECHECK");

  /** __slab_free takes list_lock after its CAS, so an emptied slab is discarded unchecked. */
  public static final boolean DISCARD_RACE = on("DISCARD_RACE");

  private Bugs() {}

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
