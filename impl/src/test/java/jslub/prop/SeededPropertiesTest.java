package jslub.prop;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The property harness on op sequences from a seeded java.util.Random: fast, deterministic, and
 * free of the fuzzing engine, so it also serves mutation testing (-Ppit), where replaying the
 * whole Jazzer corpus for every mutant would take hours.
 */
class SeededPropertiesTest {
  static List<Op> ops(Random r, int n, boolean twoThreads) {
    Op.Kind[] kinds = Op.Kind.values();
    List<Op> ops = new ArrayList<>();
    ops.add(new Op(Op.Kind.CREATE, 2 | (r.nextInt(300) << 6), r.nextInt(12), 1, false));
    for (int i = 0; i < n; i++) {
      ops.add(new Op(kinds[r.nextInt(kinds.length)], r.nextInt(), r.nextInt(), r.nextInt(),
          twoThreads && r.nextBoolean()));
    }
    return ops;
  }

  @Test
  void oneThread() {
    Random r = new Random(1);
    for (int i = 0; i < 25; i++) {
      try (Runner run = new Runner(1, 2, false, i % 2 == 0)) {
        run.run(ops(r, 60, false));
      }
    }
  }

  @Test
  void debugF() {
    Random r = new Random(2);
    for (int i = 0; i < 15; i++) {
      try (Runner run = new Runner(1, 2, true, true)) {
        run.run(ops(r, 60, false));
      }
    }
  }

  /** The kernel's kmalloc layout (kmalloc_large), with and without direct reclaim. */
  @Test
  void kernelLayout() {
    Random r = new Random(4);
    for (int i = 0; i < 16; i++) {
      boolean two = i % 4 >= 2;
      try (Runner run = new Runner(two ? 2 : 1, 2, false, i % 3 == 0, true, i % 2 == 0)) {
        run.run(ops(r, 60, two));
      }
    }
  }

  @Test
  void twoThreads() {
    Random r = new Random(3);
    for (int i = 0; i < 20; i++) {
      try (Runner run = new Runner(2, 1 + i % 2, false, i % 3 == 0)) {
        run.run(ops(r, 60, true));
      }
    }
  }
}
