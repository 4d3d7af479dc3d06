package jslub.replay;

/**
 * One event of an allocation trace, whatever format it came from.
 *
 * @param op what happened
 * @param addr the block's address (for REALLOC the new one); in a replay it only names the block
 * @param oldAddr REALLOC: the block that was resized; else 0
 * @param size bytes requested (ALLOC, REALLOC); 0 for FREE
 * @param granted bytes the traced allocator says it gave (ftrace bytes_alloc), or -1
 * @param align alignment asked for, or 0 for the format's default
 * @param cache kmem_cache name (ftrace kmem_cache_* events), or "" for kmalloc/malloc
 * @param preHash REALLOC: hash of the first min(old, new) bytes before the call, or -1
 * @param postHash REALLOC: hash of the same bytes read at the new address after it, or -1
 * @param line line number in the file (1-based)
 * @param text the line as written (for reports)
 */
public record TraceEvent(Op op, long addr, long oldAddr, long size, long granted, int align,
    String cache, long preHash, long postHash, long line, String text) {

  /** The operations a trace records. */
  public enum Op {
    ALLOC,
    FREE,
    REALLOC
  }

  static TraceEvent alloc(long addr, long size, long granted, int align, String cache, long line,
      String text) {
    return new TraceEvent(Op.ALLOC, addr, 0, size, granted, align, cache, -1, -1, line, text);
  }

  static TraceEvent free(long addr, String cache, long line, String text) {
    return new TraceEvent(Op.FREE, addr, 0, 0, -1, 0, cache, -1, -1, line, text);
  }

  static TraceEvent realloc(long oldAddr, long addr, long size, long pre, long post, long line,
      String text) {
    return new TraceEvent(Op.REALLOC, addr, oldAddr, size, -1, 0, "", pre, post, line, text);
  }

  /** "line N: text", for reports. */
  public String where() {
    return "line " + line + ": " + text;
  }
}
