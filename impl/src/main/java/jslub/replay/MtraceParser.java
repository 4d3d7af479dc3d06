package jslub.replay;

import java.util.List;

/**
 * glibc's mtrace output, as {@code MALLOC_TRACE} with libc_malloc_debug.so writes it
 * (malloc/mtrace-impl.c): {@code "= Start"}, then per call an optional {@code "@ CALLER "}
 * prefix and {@code "+ PTR SIZE"} (malloc, calloc, memalign, realloc(NULL, n)), {@code "- PTR"}
 * (free, realloc(p, 0)), {@code "< OLD"} followed by {@code "> NEW SIZE"} (realloc), or
 * {@code "! PTR SIZE"} (a failed realloc: nothing changed). Numbers are hex.
 */
final class MtraceParser {
  private final String file;
  private long pendingOld = -1;
  private long pendingLine;

  MtraceParser(String file) {
    this.file = file;
  }

  /** Parses one line into {@code out}; blank lines and "= Start/End" add nothing. */
  void parse(String raw, long line, List<TraceEvent> out) {
    String s = raw.strip();
    if (s.isEmpty() || s.startsWith("=")) {
      return;
    }
    String[] t = s.split("\\s+");
    int i = 0;
    if (t[0].equals("@")) {
      i = 2; // "@ caller" (the caller is one token: path:(sym+off)[addr] or path:[addr])
    }
    if (i >= t.length) {
      throw new TraceFormatException(file, line, raw, "no operation after the caller");
    }
    try {
      switch (t[i]) {
        case "+" -> out.add(TraceEvent.alloc(Hex.hex(t[i + 1]), Hex.hex(t[i + 2]), -1, 0, "",
            line, s));
        case "-" -> out.add(TraceEvent.free(Hex.hex(t[i + 1]), "", line, s));
        case "<" -> {
          pendingOld = Hex.hex(t[i + 1]);
          pendingLine = line;
        }
        case ">" -> {
          if (pendingOld < 0) {
            throw new TraceFormatException(file, line, raw, "'>' without a '<' before it");
          }
          out.add(TraceEvent.realloc(pendingOld, Hex.hex(t[i + 1]), Hex.hex(t[i + 2]), -1, -1,
              pendingLine, s));
          pendingOld = -1;
        }
        case "!" -> { } // realloc failed: the old block stays as it was
        default -> throw new TraceFormatException(file, line, raw, "unknown mtrace operation");
      }
    } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
      throw new TraceFormatException(file, line, raw, "malformed mtrace line");
    }
  }
}
