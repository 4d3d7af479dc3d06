package jslub.slab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * validate() on deliberately corrupted state: each corruption the issue-10 bugs produced (or
 * could) must show in its report — on slab freelists and on CPU freelists, which validate()
 * inspects before flush_all splices them into their slabs.
 */
class ValidateSeesTest {
  private CoreFixture fx;
  private SlabCache s;

  @BeforeEach
  void setUp() {
    fx = new CoreFixture(8L << 20, 2, true);
    s = fx.cache("v", 64);
    fx.onCpu(0);
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  private long[] alloc(int n) {
    long[] a = new long[n];
    for (int i = 0; i < n; i++) {
      a[i] = s.alloc();
    }
    return a;
  }

  private static void reports(List<String> problems, String what) {
    assertTrue(problems.stream().anyMatch(p -> p.contains(what)),
        "expected a report containing '" + what + "', got " + problems);
  }

  @Test
  void cleanStateValidates() {
    long[] a = alloc(10);
    s.free(a[3]);
    fx.asCpu(1, () -> s.free(a[4]));
    assertEquals(List.of(), s.validate());
  }

  @Test
  void slabFreelistCutShort() {
    long[] a = alloc(10);
    for (int i = 0; i < 6; i++) {
      s.free(a[i]);
    }
    s.flushAll(); // the slab is now on the node partial list with six free objects
    Slab slab = s.slabOf(a[0]);
    long head = CoreFixture.freelistOf(slab);
    Freelist.set(s, Freelist.get(s, head), 0); // two objects left on the list, four lost
    reports(s.validate(), "a freelist cut short?");
  }

  @Test
  void frozenSlabFreelistCutShortBeforeTheFlush() {
    long[] a = alloc(10);
    fx.asCpu(1, () -> {
      for (int i = 0; i < 4; i++) {
        s.free(a[i]); // remote frees: onto the CPU-0 slab's own freelist
      }
    });
    Slab slab = s.slabOf(a[0]);
    Freelist.set(s, CoreFixture.freelistOf(slab), 0);
    reports(s.validate(), "cpu 0 slab: inuse=");
  }

  @Test
  void cpuFreelistPointerOutOfItsSlab() {
    long[] a = alloc(4);
    s.free(a[1]);
    s.free(a[2]); // CPU freelist: a[2] -> a[1] -> rest of the slab
    Freelist.set(s, a[2], a[1] + 8); // not an object boundary
    reports(s.validate(), "Freepointer corrupt: cpu 0 freelist");
  }

  @Test
  void cpuFreelistPointerIntoAnotherSlab() {
    long[] a = alloc(4);
    long other = s.layout().ooObjects;
    long[] more = alloc((int) other + 1); // at least one object in a second slab
    long foreign = more[more.length - 1];
    assertNotEquals(s.slabOf(a[0]), s.slabOf(foreign));
    s.free(foreign); // CPU 0 now runs the second slab
    long head = CoreFixture.cpuFreelist(s, 0);
    Freelist.set(s, head, a[1]); // an object of the first slab, in use
    reports(s.validate(), "Freepointer corrupt: cpu 0 freelist");
  }

  @Test
  void objectOnTwoFreelists() {
    long[] a = alloc(6);
    fx.asCpu(1, () -> s.free(a[4])); // on the slab's own freelist
    s.free(a[1]); // on CPU 0's freelist, its head
    Freelist.set(s, a[1], a[4]); // the CPU list now runs into the slab's list
    reports(s.validate(), "on two freelists");
  }

  @Test
  void slabFreelistPointerOutOfItsSlab() {
    long[] a = alloc(6);
    for (int i = 0; i < 3; i++) {
      s.free(a[i]);
    }
    s.flushAll();
    Slab slab = s.slabOf(a[0]);
    Freelist.set(s, CoreFixture.freelistOf(slab), slab.base + slab.bytes() + 64);
    reports(s.validate(), "Freepointer corrupt: the freelist reaches");
  }

  @Test
  void cycleOnTheCpuFreelist() {
    long[] a = alloc(6);
    s.free(a[1]);
    s.free(a[2]);
    Freelist.set(s, a[1], a[2]);
    reports(s.validate(), "freelist cycle");
  }

  @Test
  void cpuPartialSlabUnfrozen() {
    // A full slab gets a remote free: it is frozen onto that CPU's partial list. Unfreeze it by
    // hand, as FREEZE_MISSING would. (Primary protocol only: delayed freezing keeps CPU partial
    // slabs unfrozen by design.)
    org.junit.jupiter.api.Assumptions.assumeFalse(s.delayedFreeze,
        "CPU partial slabs are unfrozen under delayed freezing");
    long[] a = alloc(s.layout().ooObjects + 1);
    fx.asCpu(1, () -> s.free(a[0]));
    Slab slab = s.slabOf(a[0]);
    assertEquals(CoreFixture.Place.CPU_PARTIAL, fx.placeOf(s, slab));
    long w = slab.word();
    slab.cas(w, slab.pack(slab.freelist(w), SlabWord.inuse(w), false));
    reports(s.validate(), "cpu 1 partial slab not frozen");
  }
}
