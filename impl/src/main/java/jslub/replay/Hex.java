package jslub.replay;

/** Number parsing shared by the trace formats. */
final class Hex {
  private Hex() {}

  /** A hex number with or without 0x ("0x55bb…", "000000004b0d6a8e"), or "(null)" as 0. */
  static long hex(String s) {
    if (s.equals("(null)")) {
      return 0;
    }
    String t = s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
    return Long.parseUnsignedLong(t, 16);
  }

  /** "0x…" as hex, else decimal. */
  static long number(String s) {
    return s.startsWith("0x") || s.startsWith("0X") ? hex(s) : Long.parseLong(s);
  }
}
