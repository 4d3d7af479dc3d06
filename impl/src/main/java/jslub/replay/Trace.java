package jslub.replay;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A parsed allocation trace: its events in order and the format they came in. Files ending in
 * .gz are decompressed on the fly.
 *
 * @param name the file's name
 * @param format the format the file was read as
 * @param events the events, in trace order
 */
public record Trace(String name, Format format, List<TraceEvent> events) {

  /** The trace formats and what each guarantees about alignment by default. */
  public enum Format {
    /** glibc mtrace; malloc's alignment on x86-64 is 16 bytes (MALLOC_ALIGNMENT). */
    MTRACE(16),
    /** ftrace kmem events; kmalloc guarantees ARCH_KMALLOC_MINALIGN, 8 bytes. */
    FTRACE(8),
    /** jslub's own format; 8 bytes unless a line says otherwise. */
    SIMPLE(8);

    private final int defaultAlign;

    Format(int defaultAlign) {
      this.defaultAlign = defaultAlign;
    }

    /** The alignment every block of this format must have unless its line asks for more. */
    public int defaultAlign() {
      return defaultAlign;
    }
  }

  /** Reads {@code file}, guessing the format from its first lines. */
  public static Trace read(Path file) throws IOException {
    return read(file, null);
  }

  /** Reads {@code file} as {@code format}, or guesses when it is null. */
  public static Trace read(Path file, @Nullable Format format) throws IOException {
    Format f = format != null ? format : guess(file);
    String name = fileName(file);
    List<TraceEvent> out = new ArrayList<>();
    MtraceParser m = new MtraceParser(name);
    FtraceParser k = new FtraceParser(name);
    SimpleParser p = new SimpleParser(name);
    try (BufferedReader r = open(file)) {
      long n = 0;
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        n++;
        switch (f) {
          case MTRACE -> m.parse(line, n, out);
          case FTRACE -> k.parse(line, n, out);
          case SIMPLE -> p.parse(line, n, out);
        }
      }
    }
    return new Trace(name, f, List.copyOf(out));
  }

  /** mtrace if a line looks like glibc's, ftrace if one names a kmem event, else simple. */
  static Format guess(Path file) throws IOException {
    try (BufferedReader r = open(file)) {
      int seen = 0;
      for (String line = r.readLine(); line != null && seen < 50; line = r.readLine()) {
        String s = line.strip();
        if (s.isEmpty()) {
          continue;
        }
        seen++;
        if (s.startsWith("= Start") || s.startsWith("@ ") || s.matches("^[+\\-<>!] 0x.*")) {
          return Format.MTRACE;
        }
        if (s.startsWith("# tracer:") || s.matches(".* (kmalloc|kfree|kmem_cache_alloc"
            + "|kmem_cache_free|kmalloc_node|kmem_cache_alloc_node): .*")) {
          return Format.FTRACE;
        }
        if (s.toLowerCase(Locale.ROOT).startsWith("# jslub-trace")) {
          return Format.SIMPLE;
        }
      }
    }
    return Format.SIMPLE;
  }

  private static String fileName(Path file) {
    Path n = file.getFileName();
    return n == null ? file.toString() : n.toString();
  }

  private static BufferedReader open(Path file) throws IOException {
    InputStream in = Files.newInputStream(file);
    if (fileName(file).endsWith(".gz")) {
      in = new GZIPInputStream(in, 1 << 16);
    }
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1), 1 << 16);
  }
}
