package jslub.cli;

import java.util.Locale;

/** Parses "64M", "4k", "1G" into bytes (the units the kernel's command line takes). */
final class Sizes {
  private Sizes() {}

  static long parse(String s) {
    String t = s.trim().toUpperCase(Locale.ROOT);
    long mul = 1;
    if (t.endsWith("K")) {
      mul = 1L << 10;
    } else if (t.endsWith("M")) {
      mul = 1L << 20;
    } else if (t.endsWith("G")) {
      mul = 1L << 30;
    }
    if (mul != 1) {
      t = t.substring(0, t.length() - 1);
    }
    try {
      return Math.multiplyExact(Long.parseLong(t), mul);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("not a size: " + s + " (use e.g. 4096, 64M, 1G)");
    }
  }
}
