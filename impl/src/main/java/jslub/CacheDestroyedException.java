package jslub;

/** An operation on a cache after destroy(): the handle is dead. */
public final class CacheDestroyedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public CacheDestroyedException(String message) {
    super(message);
  }
}
