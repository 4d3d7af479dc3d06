package jslub.prop;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The two-thread harness on inputs built to make both threads free into the same slabs at once
 * (full, unfrozen slabs after a shrink; then RACE), from fixed seeds, so the races the fuzzer
 * may take long to reach run in every build. With -Djslub.bugs=SPLIT_CAS or FREEZE_MISSING the
 * properties must fail (docs/PROPERTIES.md shows the command and output).
 */
class RaceScenariosTest {
  static final int ROUNDS = 40;

  /** create a cache, fill a few slabs, flush them to the node, race frees into them; repeat. */
  static List<Op> scenario(Random r) {
    List<Op> ops = new ArrayList<>();
    ops.add(new Op(Op.Kind.CREATE, (r.nextInt(4) + 2) | (r.nextInt(200) << 6), 0, 1, false));
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 4; i++) {
        ops.add(new Op(Op.Kind.ALLOC_BULK, 0, 15, 0, r.nextBoolean()));
      }
      ops.add(new Op(Op.Kind.SHRINK, 1, 0, 0, r.nextBoolean())); // flush: slabs full, unfrozen
      ops.add(new Op(Op.Kind.RACE, 0, r.nextInt(9), 0, r.nextBoolean()));
      ops.add(new Op(Op.Kind.VALIDATE, 0, 0, 0, false));
    }
    return ops;
  }

  @Test
  void twoCpusRemoteFreesIntoSharedSlabs() {
    Random r = new Random(42);
    for (int i = 0; i < ROUNDS; i++) {
      try (Runner run = new Runner(2, 2, false, false)) {
        run.run(scenario(r));
      }
    }
  }

  /**
   * Both threads on one CPU churn through their lockless fast paths at once (RACE with churn),
   * so their CASes on the CPU word collide; objects they allocated before stay live meanwhile.
   */
  static List<Op> fastPathScenario(Random r) {
    List<Op> ops = new ArrayList<>();
    ops.add(new Op(Op.Kind.CREATE, (r.nextInt(4) + 2) | (r.nextInt(200) << 6), 0, 1, false));
    for (int round = 0; round < 3; round++) {
      ops.add(new Op(Op.Kind.ALLOC_BULK, 0, r.nextInt(16), 0, r.nextBoolean()));
      ops.add(new Op(Op.Kind.RACE, 0, r.nextInt(9), 1, r.nextBoolean()));
      ops.add(new Op(Op.Kind.VALIDATE, 0, 0, 0, false));
    }
    return ops;
  }

  @Test
  void oneCpuFastPathsCollide() {
    Random r = new Random(11);
    for (int i = 0; i < ROUNDS / 4; i++) {
      try (Runner run = new Runner(2, 1, false, false).churnRounds(3000)) {
        run.run(fastPathScenario(r));
      }
    }
  }

  @Test
  void oneCpuTwoThreads() {
    Random r = new Random(7);
    for (int i = 0; i < ROUNDS / 2; i++) {
      try (Runner run = new Runner(2, 1, false, false)) {
        run.run(scenario(r));
      }
    }
  }
}
