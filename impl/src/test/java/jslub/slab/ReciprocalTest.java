package jslub.slab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * reciprocal_divide must equal a division for every dividend below 2^32 and every divisor an
 * object size can be; obj_to_index relies on it on every free.
 */
class ReciprocalTest {
  private static void check(int d, long a) {
    long r = Reciprocal.reciprocalValue(d);
    assertEquals(a / d, Reciprocal.reciprocalDivide(a, r), () -> a + " / " + d);
  }

  @Test
  void exactForEveryKmallocSizeAndSlabOffset() {
    // Every 8-aligned size up to 64 KiB, at every offset a 32 KiB slab has, and around multiples.
    for (int d = 8; d <= 65536; d += 8) {
      for (long a = 0; a < 32768; a += 8) {
        check(d, a);
      }
      for (long k = 1; k < 8; k++) {
        check(d, k * d - 1);
        check(d, k * d);
        check(d, k * d + 1);
      }
    }
  }

  @Test
  void exactOverTheWholeDividendRange() {
    SplittableRandom rnd = new SplittableRandom(13);
    for (int i = 0; i < 2_000_000; i++) {
      int d = 1 + rnd.nextInt(Integer.MAX_VALUE);
      if (rnd.nextBoolean()) {
        d = 1 + rnd.nextInt(1 << 16);
      }
      check(d, rnd.nextLong(1L << 32));
      check(d, (1L << 32) - 1);
    }
    for (int d = 1; d < 4096; d++) {
      check(d, (1L << 32) - 1);
      check(d, (1L << 32) - 1 - d);
    }
  }
}
