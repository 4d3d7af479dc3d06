package jslub;

import jslub.slab.FreeError;

/**
 * A free the allocator refused: the address is not a live object of the cache it was given to.
 * Thrown before anything changed, so the allocator stays valid. The message carries the kernel's
 * wording ({@link FreeError#kernelMessage()}).
 */
public final class InvalidFreeException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final FreeError reason;
  private final long address;

  public InvalidFreeException(FreeError reason, long address, String message) {
    super(message);
    this.reason = reason;
    this.address = address;
  }

  /** Why the free was refused. */
  public FreeError reason() {
    return reason;
  }

  /** The address that was passed. */
  public long address() {
    return address;
  }

  static InvalidFreeException of(FreeError e, long addr, String cache, String detail) {
    if (e == FreeError.WRONG_CACHE && !detail.isEmpty()) {
      // cache_from_obj(): "Wrong slab cache. <s> but object is from <cachep>"
      return new InvalidFreeException(e, addr, cache + ": " + e.kernelMessage() + ". " + detail
          + " (0x" + Long.toHexString(addr) + ")");
    }
    String msg = cache + ": " + e.kernelMessage() + " 0x" + Long.toHexString(addr)
        + (detail.isEmpty() ? "" : " (" + detail + ")");
    return new InvalidFreeException(e, addr, msg);
  }
}
