package jslub;

/** destroy() found live objects in the cache (__kmem_cache_shutdown: "Objects remaining"). Nothing was destroyed. */
public final class CacheBusyException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public CacheBusyException(String message) {
    super(message);
  }
}
