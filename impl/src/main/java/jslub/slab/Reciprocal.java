package jslub.slab;

/**
 * lib/math/reciprocal_div.c: division of a 32-bit value by a fixed divisor as a multiply and two
 * shifts. obj_to_index uses it (s->reciprocal_size) so that a free does not divide by the
 * object size, which is not a compile-time constant. The value is packed into one long so the
 * fast path loads one field: bits 0-31 the multiplier m, 32-39 sh1, 40-47 sh2.
 */
final class Reciprocal {
  private Reciprocal() {}

  /**
   * reciprocal_value(d): with l = fls(d - 1), m = floor(2^32 * (2^l - d) / d) + 1, sh1 = min(l,
   * 1), sh2 = max(l - 1, 0). Exact for every dividend in [0, 2^32).
   */
  static long reciprocalValue(int d) {
    if (d < 1) {
      throw new IllegalArgumentException("reciprocal of " + d);
    }
    int l = 32 - Integer.numberOfLeadingZeros(d - 1); // fls(d - 1)
    long m = Long.divideUnsigned((1L << 32) * ((1L << l) - d), d) + 1;
    int sh1 = Math.min(l, 1);
    int sh2 = Math.max(l - 1, 0);
    return (m & 0xFFFF_FFFFL) | ((long) sh1 << 32) | ((long) sh2 << 40);
  }

  /** reciprocal_divide(a, R): a / d for 0 &lt;= a &lt; 2^32, with R = reciprocalValue(d). */
  static long reciprocalDivide(long a, long r) {
    long t = (a * (r & 0xFFFF_FFFFL)) >>> 32;
    return (t + ((a - t) >>> ((r >>> 32) & 0xFF))) >>> (r >>> 40);
  }
}
