package jslub.replay;

import java.util.List;

/**
 * jslub's own trace format, one event per line ('#' starts a comment; numbers are decimal or
 * 0x-hex):
 *
 * <pre>
 *   a ADDR SIZE [ALIGN]              allocation of SIZE bytes (ALIGN: a power of two, 0 = default)
 *   f ADDR                           free
 *   r OLD NEW SIZE [PRE POST]        realloc of OLD to SIZE bytes, now at NEW
 * </pre>
 *
 * In a replay ADDR only names a block; for {@code --check} it is the address the traced
 * allocator returned. PRE and POST let a recorder state that realloc kept the contents: PRE is
 * any hash of the first min(old size, SIZE) bytes read at OLD just before the call, POST the same
 * hash of the same number of bytes read at NEW just after it; the check requires PRE = POST.
 */
final class SimpleParser {
  private final String file;

  SimpleParser(String file) {
    this.file = file;
  }

  void parse(String raw, long line, List<TraceEvent> out) {
    int hash = raw.indexOf('#');
    String s = (hash >= 0 ? raw.substring(0, hash) : raw).strip();
    if (s.isEmpty()) {
      return;
    }
    String[] t = s.split("\\s+");
    try {
      switch (t[0]) {
        case "a" -> {
          if (t.length < 3 || t.length > 4) {
            throw new TraceFormatException(file, line, raw, "expected: a ADDR SIZE [ALIGN]");
          }
          int align = t.length == 4 ? (int) Hex.number(t[3]) : 0;
          out.add(TraceEvent.alloc(Hex.number(t[1]), Hex.number(t[2]), -1, align, "", line, s));
        }
        case "f" -> {
          if (t.length != 2) {
            throw new TraceFormatException(file, line, raw, "expected: f ADDR");
          }
          out.add(TraceEvent.free(Hex.number(t[1]), "", line, s));
        }
        case "r" -> {
          if (t.length != 4 && t.length != 6) {
            throw new TraceFormatException(file, line, raw, "expected: r OLD NEW SIZE [PRE POST]");
          }
          long pre = t.length == 6 ? Hex.number(t[4]) : -1;
          long post = t.length == 6 ? Hex.number(t[5]) : -1;
          out.add(TraceEvent.realloc(Hex.number(t[1]), Hex.number(t[2]), Hex.number(t[3]), pre,
              post, line, s));
        }
        default -> throw new TraceFormatException(file, line, raw, "unknown operation " + t[0]);
      }
    } catch (NumberFormatException e) {
      throw new TraceFormatException(file, line, raw, "malformed number");
    }
  }
}
