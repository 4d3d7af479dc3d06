package jslub.slab;

/**
 * In-band free pointers: a free object holds the address of the next free object at the cache's
 * {@code offset} (set_freepointer / get_freepointer / get_freepointer_safe).
 *
 * <p>Stored pointers are obfuscated as in CONFIG_SLAB_FREELIST_HARDENED: {@code ptr ^ s->random ^
 * swab(ptr_addr)}, so a use-after-free write of a plain address does not steer the allocator.
 */
final class Freelist {
  private Freelist() {}

  private static long encode(SlabCache s, long ptr, long ptrAddr) {
    return ptr ^ s.random ^ Long.reverseBytes(ptrAddr);
  }

  /** get_freepointer(): the next free object after {@code object}, 0 for NULL. */
  static long get(SlabCache s, long object) {
    long at = object + s.offset;
    return encode(s, s.mem.getLongOpaque(at), at);
  }

  /**
   * get_freepointer_safe(): the same read on the lockless fast path, where {@code object} may
   * have been allocated and overwritten by another thread since we read it. The value may then be
   * garbage; the caller's tid CAS fails and discards it. The arena is never unmapped while in use,
   * so the read itself cannot fault.
   */
  static long getSafe(SlabCache s, long object) {
    return get(s, object);
  }

  /** set_freepointer(): links {@code object} to {@code next}. */
  static void set(SlabCache s, long object, long next) {
    long at = object + s.offset;
    s.mem.putLongOpaque(at, encode(s, next, at));
  }
}
