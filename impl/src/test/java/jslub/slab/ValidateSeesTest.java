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

  /**
   * The report of one corruption is its consequences, each once: {@code lines} lines (what a
   * check that gave up on a list must not add to, or a check repeated for one slab would).
   */
  private static void lines(List<String> problems, int lines) {
    assertEquals(lines, problems.size(), "lines in " + problems);
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
    Freelist.set(s, Freelist.get(s, head), 0); // two objects left on the list, 58 lost
    List<String> p = s.validate();
    reports(p, "a freelist cut short?");
    reports(p, "inuse=4 but objects-free=" + (slab.objects - 2));
    lines(p, 1);
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
    List<String> p = s.validate();
    reports(p, "cpu 0 slab: inuse=" + (slab.objects - 4) + " but objects-free="
        + (slab.objects - 1));
    lines(p, 2);
  }

  @Test
  void cpuFreelistPointerOutOfItsSlab() {
    long[] a = alloc(4);
    s.free(a[1]);
    s.free(a[2]); // CPU freelist: a[2] -> a[1] -> rest of the slab
    Freelist.set(s, a[2], a[1] + 8); // not an object boundary
    List<String> p = s.validate();
    reports(p, "Freepointer corrupt: cpu 0 freelist");
    lines(p, 1);
  }

  @Test
  void cpuFreelistPointerFarPastItsSlab() {
    long[] a = alloc(4);
    s.free(a[1]);
    s.free(a[2]);
    long far = a[1] + (1L << 33); // more than 4 GiB past the slab's base
    Freelist.set(s, a[2], far);
    List<String> p = s.validate();
    reports(p, "Freepointer corrupt: cpu 0 freelist reaches 0x" + Long.toHexString(far));
    lines(p, 1);
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
    List<String> p = s.validate();
    reports(p, "Freepointer corrupt: cpu 0 freelist");
    lines(p, 1);
  }

  @Test
  void objectOnTwoFreelists() {
    long[] a = alloc(6);
    fx.asCpu(1, () -> s.free(a[4])); // on the slab's own freelist
    s.free(a[1]); // on CPU 0's freelist, its head
    Freelist.set(s, a[1], a[4]); // the CPU list now runs into the slab's list
    List<String> p = s.validate();
    reports(p, "on two freelists");
    lines(p, 2);
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
    List<String> p = s.validate();
    reports(p, "Freepointer corrupt: the freelist reaches");
    lines(p, 1);
  }

  @Test
  void cycleOnTheCpuFreelist() {
    long[] a = alloc(6);
    s.free(a[1]);
    s.free(a[2]);
    Freelist.set(s, a[1], a[2]);
    List<String> p = s.validate();
    reports(p, "freelist cycle");
    lines(p, 2);
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
    List<String> p = s.validate();
    reports(p, "cpu 1 partial slab not frozen");
    lines(p, 1);
  }

  // ------------------------------------------------------------------ node lists and counts

  /** Six frees after a flush: a slab on the node partial list with six free objects. */
  private Slab nodePartialSlab() {
    long[] a = alloc(10);
    for (int i = 0; i < 6; i++) {
      s.free(a[i]);
    }
    s.flushAll();
    Slab slab = s.slabOf(a[0]);
    assertEquals(CoreFixture.Place.NODE_PARTIAL, fx.placeOf(s, slab));
    return slab;
  }

  @Test
  void nodePartialSlabNotMarked() {
    Slab slab = nodePartialSlab();
    slab.onNodePartial = false;
    List<String> p = s.validate();
    reports(p, "slab on the partial list not marked so");
    reports(p, "partial slab on no list after flush_all");
    lines(p, 2);
  }

  @Test
  void frozenSlabOnTheNodeList() {
    Slab slab = nodePartialSlab();
    long w = slab.word();
    slab.cas(w, slab.pack(slab.freelist(w), SlabWord.inuse(w), true));
    List<String> p = s.validate();
    reports(p, "frozen slab on the node partial list");
    reports(p, "slab still frozen after flush_all");
    lines(p, 2);
  }

  @Test
  void fullSlabOnTheNodeList() {
    Slab slab = nodePartialSlab();
    long w = slab.word();
    slab.cas(w, slab.pack(0, slab.objects, false)); // consistent counts, but no free object
    List<String> p = s.validate();
    reports(p, "full slab on the node partial list");
    reports(p, "full slab on the partial list");
    lines(p, 2);
  }

  @Test
  void partialSlabOnNoList() {
    unlist(s, nodePartialSlab());
    List<String> p = s.validate();
    reports(p, "partial slab on no list after flush_all");
    lines(p, 1);
  }

  /** remove_partial under list_lock and nothing else: the slab is left on no list. */
  private static void unlist(SlabCache c, Slab slab) {
    KmemCacheNode n = c.node(0);
    n.listLock.lock();
    try {
      n.removePartial(slab);
    } finally {
      n.listLock.unlock();
    }
  }

  @Test
  void debugSlabWithFreeObjectsOnNoList() {
    SlabCache dc = new SlabCache(fx.machine, "dbg", 64, 0, true, false);
    long[] a = new long[4];
    for (int i = 0; i < a.length; i++) {
      a[i] = dc.alloc();
    }
    dc.free(a[0]); // debug caches keep no CPU slab: the slab is on the node partial list
    unlist(dc, dc.slabOf(a[1]));
    List<String> p = dc.validate();
    reports(p, "debug slab with free objects on no list");
    lines(p, 1);
  }

  @Test
  void nrPartialDisagreesWithTheList() {
    nodePartialSlab();
    s.node(0).nrPartial = 3;
    List<String> p = s.validate();
    reports(p, "nr_partial=3 but the list holds 1");
    lines(p, 1);
  }

  @Test
  void nrSlabsAndTotalObjectsDisagreeWithTheMemmap() {
    nodePartialSlab();
    s.node(0).nrSlabs.incrementAndGet();
    s.node(0).totalObjects.addAndGet(5);
    List<String> p = s.validate();
    reports(p, "nr_slabs=2 but the memmap holds 1");
    reports(p, "total_objects=" + (s.layout().ooObjects + 5) + " but the slabs hold "
        + s.layout().ooObjects);
    lines(p, 2);
  }

  @Test
  void objectsFieldDisagreesWithTheSlab() {
    Slab slab = nodePartialSlab();
    long w = slab.word();
    long bad = SlabWord.pack(SlabWord.freelistOff1(w), SlabWord.inuse(w), slab.objects - 1,
        false);
    slab.cas(w, bad);
    List<String> p = s.validate();
    reports(p, "objects field " + (slab.objects - 1) + " != " + slab.objects);
    lines(p, 1);
  }

  @Test
  void cpuFreelistLongerThanTheSlabsInUseCount() {
    long[] a = alloc(3); // CPU 0 holds the slab; its freelist has objects - 3 objects
    Slab slab = s.slabOf(a[0]);
    long w = slab.word();
    slab.cas(w, slab.pack(slab.freelist(w), 2, true));
    List<String> p = s.validate();
    reports(p, "freelist holds " + (slab.objects - 3)
        + " objects but the slab counts only 2 in use");
    lines(p, 3);
  }

  @Test
  void cpuSlabUnfrozen() {
    long[] a = alloc(3);
    Slab slab = s.slabOf(a[0]);
    long w = slab.word();
    slab.cas(w, slab.pack(slab.freelist(w), SlabWord.inuse(w), false));
    List<String> p = s.validate(); // reported, not thrown, though the flush refuses the slab
    reports(p, "cpu 0 slab not frozen");
    reports(p, "flush_all stopped: deactivate_slab: slab not frozen");
    lines(p, 2);
  }

  /** A debug report names the object and its slab (slab_err / object_err). */
  @Test
  void debugReportNamesTheObjectAndItsSlab() {
    SlabCache dc = new SlabCache(fx.machine, "dbg", 64, 0, true, false);
    long a = dc.alloc();
    dc.alloc();
    assertEquals(null, dc.free(a));
    assertNotEquals(null, dc.free(a), "the double free is refused");
    String r = String.join("\n", dc.reports());
    assertTrue(r.contains("BUG dbg (Not tainted): Object already free object=0x"
        + Long.toHexString(a) + " in slab@0x" + Long.toHexString(dc.slabOf(a).base)), r);
  }

  /** slabinfo's CPU slab count: each CPU's slab plus the slabs on CPU partial lists. */
  @Test
  void cpuSlabsCountsCpuSlabsAndCpuPartialSlabs() {
    long[] a = alloc(s.layout().ooObjects + 1); // slab A full (on no list), slab B CPU 0's
    assertEquals(1, s.counts().cpuSlabs());
    fx.asCpu(1, () -> s.alloc()); // slab C, CPU 1's
    assertEquals(2, s.counts().cpuSlabs());
    assertEquals(3, s.counts().slabs());
    fx.asCpu(1, () -> s.free(a[0])); // A gets a free object: onto CPU 1's partial list
    assertEquals(CoreFixture.Place.CPU_PARTIAL, fx.placeOf(s, s.slabOf(a[0])));
    assertEquals(3, s.counts().cpuSlabs());
    assertEquals(0, s.counts().partialSlabs());
    s.flushAll();
    assertEquals(0, s.counts().cpuSlabs());
  }
}
