package jslub.slab;

/**
 * Why a free was refused. The free path returns one of these (or null on success) instead of
 * throwing, so that the core stays below the public API layer and allocates nothing; the API
 * turns it into {@code InvalidFreeException} with the kernel's wording.
 */
public enum FreeError {
  /** kmem_cache_free(s, NULL). */
  NULL_POINTER("NULL pointer"),
  /** The address is not in the arena at all. */
  OUTSIDE_ARENA("Address outside of the arena"),
  /** The frame holds no slab (free_consistency_checks, !folio_test_slab). */
  NOT_SLAB("Attempt to free object outside of slab"),
  /** cache_from_obj(): the object belongs to another cache. */
  WRONG_CACHE("Wrong slab cache"),
  /** check_valid_pointer(): not the start of an object. */
  NOT_OBJECT("Invalid object pointer"),
  /** on_freelist() in debug, or the naive freelist-head check (set_freepointer's BUG_ON). */
  ALREADY_FREE("Object already free");

  private final String kernelMessage;

  FreeError(String kernelMessage) {
    this.kernelMessage = kernelMessage;
  }

  /** The kernel's message for this failure. */
  public String kernelMessage() {
    return kernelMessage;
  }
}
