package jslub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import jslub.slab.FreeError;
import org.junit.jupiter.api.Test;

/**
 * kmem_cache_free_bulk's entry check on batches on both sides of its small/large split (up to 32
 * entries it works in place; above, on a sorted copy): random batches of live objects, zeros and
 * at most one planted bad entry (a repeat, an object already free on a CPU or slab freelist, an
 * object of another cache, an address inside an object). A bad batch is refused naming the
 * entry the rules pick (the lowest entry that is foreign or a repeat, else the lowest already
 * free), with the array and the allocator unchanged; a good batch frees every entry.
 */
class BulkLargeBatchTest {
  private enum Plant { NONE, REPEAT, ALREADY_FREE, OTHER_CACHE, INSIDE }

  private static void run(long seed, int rounds, boolean debug) {
    SplittableRandom rnd = new SplittableRandom(seed);
    try (TestSystem t = TestSystem.of(SlabSystem.builder().cpus(2).memoryBytes(16L << 20)
        .debug(debug ? "F" : ""))) {
      KmemCache c = t.sys.createCache("c", 48, 0);
      KmemCache other = t.sys.createCache("other", 48, 0);
      long foreign = other.alloc();
      List<Long> live = new ArrayList<>();
      List<Long> freed = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        while (live.size() < 400) { // single and bulk allocations: objects of many slabs
          if (rnd.nextBoolean()) {
            live.add(c.alloc());
          } else {
            long[] got = new long[1 + rnd.nextInt(40)];
            assertEquals(got.length, c.allocBulk(got, got.length));
            for (long a : got) {
              live.add(a);
            }
          }
        }
        freed.removeIf(live::contains); // handed out again: live, not free
        for (int k = 0; k < 30; k++) { // some frees, so freelists hold objects of the batch's slabs
          long a = live.remove(rnd.nextInt(live.size()));
          c.free(a);
          freed.add(a);
        }
        int n = new int[] {5, 20, 32, 33, 64, 150, 300}[rnd.nextInt(7)];
        List<Long> batch = new ArrayList<>();
        List<Long> pool = new ArrayList<>(live);
        while (batch.size() < n) {
          batch.add(rnd.nextInt(10) == 0 ? 0L : pool.remove(rnd.nextInt(pool.size())));
        }
        Plant plant = Plant.values()[rnd.nextInt(Plant.values().length)];
        long bad = switch (plant) {
          case NONE -> 0;
          case REPEAT -> firstNonZero(batch);
          case ALREADY_FREE -> freed.get(rnd.nextInt(freed.size()));
          case OTHER_CACHE -> foreign;
          case INSIDE -> firstNonZero(batch) + 8;
        };
        if (plant != Plant.NONE && bad != 0) {
          // A repeat goes after its original; anything else anywhere.
          int from = plant == Plant.REPEAT ? batch.indexOf(bad) + 1 : 0;
          batch.add(from + rnd.nextInt(batch.size() - from + 1), bad);
        }
        long[] arr = batch.stream().mapToLong(Long::longValue).toArray();
        long[] before = arr.clone();
        if (plant == Plant.NONE || bad == 0) {
          c.freeBulk(arr, arr.length);
          for (long a : before) {
            if (a != 0) {
              live.remove(a);
              freed.add(a);
            }
          }
          assertArrayEquals(new long[arr.length], arr, "processed entries are set to 0");
        } else {
          InvalidFreeException e = assertThrows(InvalidFreeException.class,
              () -> c.freeBulk(arr, arr.length), plant + " in a batch of " + arr.length);
          assertEquals(bad, e.address(), plant + ": the refusal names the planted entry");
          assertEquals(expectedReason(plant), e.reason(), e.getMessage());
          assertArrayEquals(before, arr, "a refused batch is left as it was");
        }
        assertEquals(List.of(), c.validate(), "after round " + round);
        if (freed.size() > 200) {
          freed.subList(0, 100).clear();
        }
      }
      for (long a : live) {
        c.free(a);
      }
      other.free(foreign);
      c.destroy();
      other.destroy();
      assertEquals(0, t.framesInUse(), "every object came back");
    }
  }

  private static FreeError expectedReason(Plant plant) {
    return switch (plant) {
      case REPEAT, ALREADY_FREE -> FreeError.ALREADY_FREE;
      case OTHER_CACHE -> FreeError.WRONG_CACHE;
      case INSIDE -> FreeError.NOT_OBJECT;
      case NONE -> throw new IllegalArgumentException("no plant");
    };
  }

  private static long firstNonZero(List<Long> batch) {
    return batch.stream().filter(a -> a != 0).findFirst().orElse(0L);
  }

  @Test
  void batchesOnBothSidesOfTheSplit() {
    for (long seed = 1; seed <= 6; seed++) {
      run(seed, 60, false);
    }
  }

  /**
   * The same with debug F: no CPU slabs, so every free object sits on its slab's freelist, most
   * of them behind its head (on_freelist walks the list under list_lock).
   */
  @Test
  void batchesOnBothSidesOfTheSplitWithDebugF() {
    for (long seed = 11; seed <= 13; seed++) {
      run(seed, 40, true);
    }
  }
}
