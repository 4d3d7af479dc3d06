package jslub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import jslub.cpu.VirtualCpus;
import org.junit.jupiter.api.Test;

/**
 * Two threads on two CPUs kfree the same object at once, round after round (a slab object and a
 * kmalloc_large block): exactly one kfree succeeds, the other is refused, and the books
 * (usage()'s live objects and requested bytes) come back to zero every round. Slab objects need
 * debug F for "exactly one": without it, as in the kernel, two racing frees of one object can
 * both get through (one onto the CPU freelist, one onto the slab's); large blocks are freed by a
 * CAS on the head's mark either way.
 */
class RacingDoubleKfreeTest {
  private static MemoryUsage.CacheUsage row(SlabSystem s, String name) {
    return s.usage().caches().stream().filter(r -> r.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no row " + name));
  }

  private static void race(long size, String rowName, String debug, int rounds)
      throws InterruptedException {
    try (SlabSystem s = SlabSystem.builder().cpus(2).memoryBytes(4L << 20).trackRequested(true)
        .debug(debug).build()) {
      VirtualCpus cpus = (VirtualCpus) s.cpuId();
      cpus.bindCurrent(0);
      AtomicLong target = new AtomicLong();
      AtomicInteger round = new AtomicInteger();
      AtomicInteger done = new AtomicInteger();
      AtomicInteger wins = new AtomicInteger();
      List<Throwable> odd = new ArrayList<>();
      Thread other = new Thread(() -> {
        cpus.bindCurrent(1);
        for (int r = 1; r <= rounds; r++) {
          while (round.get() < r) {
            Thread.onSpinWait();
          }
          try {
            s.kfree(target.get());
            wins.incrementAndGet();
          } catch (InvalidFreeException e) {
            // the loser
          } catch (Throwable t) {
            synchronized (odd) {
              odd.add(t);
            }
          }
          done.incrementAndGet();
        }
      });
      other.start();
      for (int r = 1; r <= rounds; r++) {
        target.set(s.kmalloc(size));
        round.set(r);
        try {
          s.kfree(target.get());
          wins.incrementAndGet();
        } catch (InvalidFreeException e) {
          // the loser
        }
        while (done.get() < r) {
          Thread.onSpinWait();
        }
        assertEquals(r, wins.get(), "round " + r + ": exactly one kfree wins");
        if (r % 100 == 0 || r == rounds) {
          assertEquals(0, row(s, rowName).liveObjects(), "round " + r);
          assertEquals(0, row(s, rowName).requestedBytes(), "round " + r);
        }
      }
      other.join();
      assertEquals(List.of(), odd);
      assertEquals(0, row(s, rowName).requestedBytes());
      assertEquals(0, row(s, rowName).liveObjects());
      assertEquals(List.of(), s.validate());
    }
  }

  @Test
  void aSlabObject() throws InterruptedException {
    race(100, "kmalloc-128", "F", 300); // fewer rounds: debug frees are slower
  }

  @Test
  void aLargeBlock() throws InterruptedException {
    race(20_000, "large", "", 1_000);
  }
}
