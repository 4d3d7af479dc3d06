package jslub;

/** createCache was given a name that a live cache already has (kmem_cache_create's duplicate check). */
public final class CacheExistsException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public CacheExistsException(String message) {
    super(message);
  }
}
