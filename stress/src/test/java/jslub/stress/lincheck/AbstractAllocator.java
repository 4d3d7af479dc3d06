package jslub.stress.lincheck;

/**
 * The sequential specification {@link AllocFreeTarget} is checked against: an allocator that only
 * knows which slots hold an object. alloc gives some free object (the arena is sized so that it
 * never runs out), free of a held object succeeds, shrink changes nothing a caller can see, and
 * destroy succeeds only when the cache holds nothing, after which every call on it fails.
 * Method names and results mirror {@link AllocFreeTarget} exactly; Lincheck pairs them by signature.
 */
public final class AbstractAllocator {
  private final boolean[] slots = new boolean[AllocFreeTarget.SLOTS];
  private final boolean[] kslots = new boolean[AllocFreeTarget.KSLOTS];
  private final boolean[] groups = new boolean[AllocFreeTarget.GROUPS];
  private boolean destroyed;

  public String alloc(int slot) {
    if (slots[slot]) {
      return AllocFreeTarget.OCCUPIED;
    }
    if (destroyed) {
      return AllocFreeTarget.DESTROYED;
    }
    slots[slot] = true;
    return AllocFreeTarget.OK;
  }

  public String free(int slot) {
    if (!slots[slot]) {
      return AllocFreeTarget.EMPTY;
    }
    slots[slot] = false;
    return AllocFreeTarget.OK;
  }

  public String allocBulk(int group) {
    if (groups[group]) {
      return AllocFreeTarget.OCCUPIED;
    }
    if (destroyed) {
      return AllocFreeTarget.DESTROYED;
    }
    groups[group] = true;
    return AllocFreeTarget.OK;
  }

  public String freeBulk(int group) {
    if (!groups[group]) {
      return AllocFreeTarget.EMPTY;
    }
    groups[group] = false;
    return AllocFreeTarget.OK;
  }

  public String kmalloc(int slot) {
    if (kslots[slot]) {
      return AllocFreeTarget.OCCUPIED;
    }
    kslots[slot] = true;
    return AllocFreeTarget.OK;
  }

  public String kfree(int slot) {
    if (!kslots[slot]) {
      return AllocFreeTarget.EMPTY;
    }
    kslots[slot] = false;
    return AllocFreeTarget.OK;
  }

  public String shrink() {
    return destroyed ? AllocFreeTarget.DESTROYED : AllocFreeTarget.OK;
  }

  public String destroy() {
    if (destroyed) {
      return AllocFreeTarget.DESTROYED;
    }
    for (boolean b : slots) {
      if (b) {
        return AllocFreeTarget.BUSY;
      }
    }
    for (boolean b : groups) {
      if (b) {
        return AllocFreeTarget.BUSY;
      }
    }
    destroyed = true;
    return AllocFreeTarget.OK;
  }

  public void migrate(int cpu) {}
}
