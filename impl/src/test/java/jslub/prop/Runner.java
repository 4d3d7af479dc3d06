package jslub.prop;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import jslub.CacheBusyException;
import jslub.CacheDestroyedException;
import jslub.CacheExistsException;
import jslub.InvalidFreeException;
import jslub.KmemCache;
import jslub.SlabSystem;
import jslub.TestSystem;
import jslub.cpu.VirtualCpus;
import jslub.kmalloc.KmallocCaches;
import jslub.slab.SlabCache;
import jslub.slab.SlabLayout;
import jslub.slab.SlabProbe;

/**
 * Runs a sequence of {@link Op}s against a fresh slab system and a plain model of what must be
 * live, checking after every step: no two live objects overlap, each holds what its owner
 * wrote, each cache's live objects equal the model's, frames in use equal frames held by slabs,
 * validate() (every step or on VALIDATE), and that a step threw exactly when the model said —
 * a refused step changing nothing. At the end everything is freed and every frame must return.
 *
 * <p>Two threads: each step runs on the thread it names (the other thread waits), so the
 * interleaving is the input's; RACE steps run both at once.
 *
 * <p>Layouts: by default the seed's kmalloc slab classes up to 8 MiB without direct reclaim.
 * With the kernel's layout, sizes above two frames are kmalloc_large blocks (whole, naturally
 * aligned frames; the model counts their frames), and direct reclaim may be on: then an
 * allocation returns 0 only after reclaim ran and the retry's frame requests failed too, and
 * reclaim runs only when the first try's requests all failed.
 */
final class Runner implements AutoCloseable {
  static final long MEMORY = 8L << 20;
  static final int MAX_CACHES = 4;
  static final int MAX_BULK = 16;
  /**
   * RACE with churn: rounds per thread (a few hundred keep corpus replays short;
   * RaceScenariosTest asks for more, so that the threads overlap even on a loaded machine) and
   * objects held per round.
   */
  static final int CHURN_ROUNDS = 300;
  static final int CHURN_WINDOW = 8;
  private static final MemorySegment[] PATTERN = patterns();

  /** A model cache: a named cache or a kmalloc class. */
  static final class MCache {
    final KmemCache kc;
    final int ksize;
    final boolean kmalloc;
    boolean dead;
    long live;

    MCache(KmemCache kc, int ksize, boolean kmalloc) {
      this.kc = kc;
      this.ksize = ksize;
      this.kmalloc = kmalloc;
    }
  }

  /**
   * A live object the model knows: where, how big (its usable size, which the owner fills), whose,
   * and the byte its owner wrote.
   */
  static final class Held {
    final long addr;
    final int size;
    final MCache cache;
    byte fill;

    Held(long addr, int size, MCache cache, byte fill) {
      this.addr = addr;
      this.size = size;
      this.cache = cache;
      this.fill = fill;
    }
  }

  private final TestSystem t;
  private final SlabSystem sys;
  private final boolean debug;
  private final boolean validateEachStep;
  private final ExecutorService[] threads;
  private final int[] threadCpu;
  private final boolean large;
  private final boolean reclaim;
  /** kmalloc_large blocks (kernel layout only): a pseudo-cache, ksize per block. */
  private final MCache largeBlocks = new MCache(null, 0, true);
  private final List<MCache> named = new ArrayList<>();
  private final Map<String, MCache> kmalloc = new HashMap<>();
  private final List<Held> held = new ArrayList<>();
  private final List<Long> freed = new ArrayList<>();
  private int churnRounds = CHURN_ROUNDS;
  private int created;
  private int fills;
  private int step;
  private String trace = "";

  /**
   * @param threads 1 or 2 threads; with 2, {@code cpus} is 1 (both share a CPU) or 2
   */
  Runner(int threads, int cpus, boolean debug, boolean validateEachStep) {
    this(threads, cpus, debug, validateEachStep, false, false);
  }

  /**
   * @param kernelLayout kmalloc slab classes up to two frames, kmalloc_large above (else the
   *     seed's slab classes up to 8 MiB)
   * @param reclaim direct reclaim on (kernel layout only)
   */
  Runner(int threads, int cpus, boolean debug, boolean validateEachStep, boolean kernelLayout,
      boolean reclaim) {
    this.t = kernelLayout ? TestSystem.kernelLayout(cpus, MEMORY, debug ? "F" : "", reclaim)
        : TestSystem.of(cpus, MEMORY, debug ? "F" : "");
    this.large = kernelLayout;
    this.reclaim = kernelLayout && reclaim;
    this.sys = t.sys;
    this.debug = debug;
    this.validateEachStep = validateEachStep;
    this.threads = new ExecutorService[threads];
    this.threadCpu = new int[threads];
    for (int i = 0; i < threads; i++) {
      this.threads[i] = Executors.newSingleThreadExecutor();
      int cpu = i % cpus;
      threadCpu[i] = cpu;
      on(i, () -> ((VirtualCpus) sys.cpuId()).bindCurrent(cpu));
    }
    for (int size : KmallocCaches.classSizes()) {
      String name = KmallocCaches.name(size);
      KmemCache kc = sys.cache(name);
      if (kc != null) { // the kernel layout has no classes above two frames
        kmalloc.put(name, new MCache(kc, size, true));
      }
    }
  }

  private static MemorySegment[] patterns() {
    MemorySegment[] p = new MemorySegment[256];
    for (int i = 0; i < 256; i++) {
      p[i] = Arena.global().allocate(16 << 10);
      p[i].fill((byte) i);
    }
    return p;
  }

  /** Rounds each thread churns in a RACE step with churn. */
  Runner churnRounds(int rounds) {
    this.churnRounds = rounds;
    return this;
  }

  // ------------------------------------------------------------------ running

  /** Runs every op, checking after each, then drains; throws AssertionError on a violation. */
  void run(List<Op> ops) {
    try {
      for (Op op : ops) {
        step++;
        trace = "step " + step + " " + op;
        Op o = threads.length == 1 ? new Op(op.kind(), op.a(), op.b(), op.c(), false) : op;
        if (o.kind() == Op.Kind.RACE) {
          race(o);
        } else {
          on(o.other() ? 1 : 0, () -> apply(o));
        }
        check(validateEachStep || o.kind() == Op.Kind.VALIDATE);
      }
      trace = "drain";
      drain();
    } catch (AssertionError e) {
      throw new AssertionError(trace + ": " + e.getMessage(), e);
    }
  }

  private void on(int thread, Runnable r) {
    Future<?> f = threads[thread].submit(r);
    join(f);
  }

  private static <T> T join(Future<T> f) {
    try {
      return f.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AssertionError a) {
        throw a;
      }
      throw new AssertionError("unexpected exception", e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("step did not finish (deadlock?)", e);
    }
  }

  private void apply(Op op) {
    switch (op.kind()) {
      case CREATE -> create(op);
      case ALLOC -> alloc(op);
      case FREE_HELD -> freeHeld(op);
      case FREE_ADDR -> freeAddr(op);
      case DOUBLE_FREE -> doubleFree(op);
      case KMALLOC -> kmalloc(op);
      case KFREE -> kfree(op);
      case ALLOC_BULK -> allocBulk(op);
      case FREE_BULK -> freeBulk(op);
      case SHRINK -> shrink(op);
      case DESTROY -> destroy(op);
      case MIGRATE -> migrate(op);
      // With reclaim an allocation makes up to twice the requests before it returns 0.
      case FAIL_FRAMES -> t.failNextFrames(1 + Math.floorMod(op.a(), reclaim ? 5 : 3));
      case KMALLOC_LARGE -> kmallocLarge(op);
      case WRITE_SEGMENT -> writeSegment(op);
      case VALIDATE, RACE -> { }
    }
  }

  // ------------------------------------------------------------------ the steps

  private void create(Op op) {
    int live = (int) named.stream().filter(m -> !m.dead).count();
    if (live >= MAX_CACHES) {
      return;
    }
    int sizeSel = Math.floorMod(op.a(), 64);
    int size = sizeSel == 0 ? 0 : sizeSel == 1 ? (int) SlabSystem.MAX_OBJECT_SIZE + 1
        : 1 + Math.floorMod(op.a() >>> 6, 1024);
    int alignSel = Math.floorMod(op.b(), 16);
    int align = alignSel == 0 || alignSel >= 14 ? 0 : alignSel == 12 ? 24
        : alignSel == 13 ? 16 << 20 : 1 << (alignSel - 1);
    boolean taken = Math.floorMod(op.c(), 8) == 0;
    String name = taken ? (named.isEmpty() ? "kmalloc-8" : named.get(0).kc.name())
        : "c" + created;
    boolean nameTaken = sys.cache(name) != null;
    Class<? extends Throwable> expect = size == 0 || size > SlabSystem.MAX_OBJECT_SIZE
        || align == 24 || align > SlabSystem.MAX_OBJECT_SIZE ? IllegalArgumentException.class
        : nameTaken ? CacheExistsException.class : null;
    KmemCache[] made = new KmemCache[1];
    refusedOrDone(expect, () -> made[0] = sys.createCache(name, size, align));
    if (expect == null) {
      created++;
      named.add(new MCache(made[0], size, false));
    }
  }

  private MCache namedCache(int sel) {
    return named.isEmpty() ? null : named.get(Math.floorMod(sel, named.size()));
  }

  private byte nextFill() {
    return (byte) (17 + 31 * ++fills);
  }

  private void own(MCache m, long addr, int size) {
    Held h = new Held(addr, size, m, nextFill());
    sys.segment(addr, size).fill(h.fill);
    held.add(h);
    m.live++;
  }

  private void alloc(Op op) {
    MCache m = namedCache(op.a());
    if (m == null) {
      return;
    }
    if (m.dead) {
      refusedOrDone(CacheDestroyedException.class, m.kc::alloc);
      return;
    }
    int armed = armed();
    long[] runs = reclaimCounters();
    long a = m.kc.alloc();
    reclaimKept(runs, armed, slabRequests(m), a, "alloc");
    if (a == 0) {
      zeroOnlyUnderFaults(armed, m, "alloc", reclaim);
      return;
    }
    own(m, a, m.ksize);
  }

  private int armed() {
    return t.faults.armed();
  }

  /** Frame requests a new slab of {@code m} makes before it gives up: oo, then s->min. */
  private static int slabRequests(MCache m) {
    SlabLayout l = m.kc.core().layout();
    return l.ooOrder > l.minOrder ? 2 : 1;
  }

  /**
   * An allocation may return 0 only if frame requests failed: one when the cache's preferred
   * order is already its smallest, else two (the preferred order, then the fallback to s->min);
   * twice that when direct reclaim retried it.
   */
  private void zeroOnlyUnderFaults(int armedBefore, MCache m, String what, boolean retried) {
    int needed = slabRequests(m) * (retried ? 2 : 1);
    if (armedBefore - armed() < needed) {
      throw new AssertionError(what + " returned 0 after " + (armedBefore - armed())
          + " failed frame requests (needs " + needed + "; frames in use " + t.framesInUse()
          + ")");
    }
  }

  private void freeHeld(Op op) {
    if (held.isEmpty()) {
      return;
    }
    Held h = held.get(Math.floorMod(op.a(), held.size()));
    if (h.cache.kmalloc || Math.floorMod(op.b(), 4) == 0) {
      sys.kfree(h.addr); // kfree takes objects of any cache
    } else {
      h.cache.kc.free(h.addr);
    }
    forget(h);
  }

  private void forget(Held h) {
    held.remove(h);
    h.cache.live--;
    freed.add(h.addr);
    if (freed.size() > 64) {
      freed.remove(0);
    }
  }

  private Held heldAt(long addr) {
    for (Held h : held) {
      if (h.addr == addr) {
        return h;
      }
    }
    return null;
  }

  /** An address for a bad free: interior, random, frame 0, outside, negative, foreign. */
  private long badAddress(int kind, int b) {
    long bytes = sys.memory().bytes();
    switch (Math.floorMod(kind, 6)) {
      case 0 -> {
        if (!held.isEmpty()) {
          Held h = held.get(Math.floorMod(b, held.size()));
          return h.addr + Math.floorMod(b >>> 8, h.size);
        }
        return 64;
      }
      case 1 -> {
        return Math.floorMod((long) b * 8, bytes);
      }
      case 2 -> {
        return 8 + Math.floorMod(b, 4000);
      }
      case 3 -> {
        return bytes + Math.floorMod(b, 1 << 16);
      }
      case 4 -> {
        return -8 - Math.floorMod(b, 1 << 16);
      }
      default -> {
        return held.isEmpty() ? 0 : held.get(Math.floorMod(b, held.size())).addr;
      }
    }
  }

  /** A free slot of some slab: freeing it is a double free, caught only with debug F. */
  private boolean freeSlot(long addr) {
    return addr > 0 && heldAt(addr) == null && SlabProbe.isObjectStart(sys.machine(), addr);
  }

  private void freeAddr(Op op) {
    long addr = badAddress(op.a(), op.b());
    if (freeSlot(addr) && !debug) {
      return; // undefined without debug F (only a freelist-head double free is caught)
    }
    Held h = heldAt(addr);
    MCache m = Math.floorMod(op.c(), 3) == 0 ? null : namedCache(op.c());
    if (m == null) { // kfree
      if (addr == 0 || addr == jslub.kmalloc.Kmalloc.ZERO_SIZE_PTR) {
        sys.kfree(addr); // kfree(NULL) and kfree(ZERO_SIZE_PTR) are no-ops, as in the kernel
        return;
      }
      refusedOrDone(h == null ? InvalidFreeException.class : null, () -> sys.kfree(addr));
    } else if (m.dead) {
      refusedOrDone(CacheDestroyedException.class, () -> m.kc.free(addr));
      return;
    } else {
      h = h != null && h.cache == m ? h : null;
      refusedOrDone(h == null ? InvalidFreeException.class : null, () -> m.kc.free(addr));
    }
    if (h != null) {
      forget(h);
    }
  }

  private void doubleFree(Op op) {
    if (freed.isEmpty()) {
      return;
    }
    long addr = freed.get(Math.floorMod(op.a(), freed.size()));
    if (heldAt(addr) != null) {
      return; // allocated again since: a legal free, not this step's business
    }
    MCache m = namedCache(op.b());
    if (debug) {
      refusedOrDone(InvalidFreeException.class, () -> sys.kfree(addr));
    } else if (m != null && !m.dead) {
      // Without debug, a single double free is caught only at the freelist head; the bulk free
      // checks every entry, so it must refuse exactly.
      long[] one = {addr};
      refusedOrDone(InvalidFreeException.class, () -> m.kc.freeBulk(one, 1));
      if (one[0] != addr) {
        throw new AssertionError("refused freeBulk changed its array");
      }
    }
  }

  /** A kmalloc the kernel answers without allocating: the answer, and (checked after the step) nothing changed. */
  private static void expectNothingChanged(long expected, long got, String call) {
    if (got != expected) {
      throw new AssertionError(call + " returned 0x" + Long.toHexString(got) + ", the kernel's answer is 0x"
          + Long.toHexString(expected));
    }
  }

  private static int classOf(long size, int align) {
    int[] sizes = KmallocCaches.classSizes();
    int a = Math.max(align, 1);
    for (int s : sizes) {
      if (s >= size && Integer.lowestOneBit(s) >= a) {
        return s;
      }
    }
    return -1;
  }

  private void kmalloc(Op op) {
    int sel = Math.floorMod(op.a(), 32);
    long size = sel == 0 ? 0 : sel == 1 ? SlabSystem.MAX_OBJECT_SIZE + 1
        : 1 + Math.floorMod(op.a() >>> 5, sel < 8 ? 192 : 8192);
    int alignSel = Math.floorMod(op.b(), 20);
    int align = alignSel < 8 ? 0 : alignSel == 19 ? 3 : 1 << (alignSel - 8);
    kmallocSized(size, align);
  }

  /**
   * kmalloc of a size above two frames (and the boundaries around it): a kmalloc_large block
   * in the kernel layout, a slab class of the seed's layout otherwise.
   */
  private void kmallocLarge(Op op) {
    int sel = Math.floorMod(op.a(), 16);
    int maxCache = 2 * sys.memory().frameSize();
    long size = sel == 0 ? KmallocCaches.KMALLOC_MAX_SIZE + 1 : sel == 1 ? maxCache
        : sel == 2 ? maxCache + 1 : maxCache + 1 + Math.floorMod(op.a() >>> 4, 56 << 10);
    int alignSel = Math.floorMod(op.b(), 8);
    int align = alignSel < 5 ? 0 : 1 << (8 + 3 * (alignSel - 5)); // 256 B, 2 KiB, 16 KiB
    kmallocSized(size, align);
  }

  private void kmallocSized(long size, int align) {
    if (align == 3) { // not a power of two: the one kmalloc input refused with an exception
      refusedOrDone(IllegalArgumentException.class, () -> sys.kmalloc(size, align));
      return;
    }
    // The kernel's answers, which change nothing: kmalloc(0) is ZERO_SIZE_PTR, and a size or
    // alignment no class can serve is NULL (the failure convention in the README).
    if (size == 0) {
      expectNothingChanged(jslub.kmalloc.Kmalloc.ZERO_SIZE_PTR, sys.kmalloc(size, align), "kmalloc(0)");
      return;
    }
    int cls = size > SlabSystem.MAX_OBJECT_SIZE ? -1 : classOf(size, align);
    if (cls < 0) {
      expectNothingChanged(0, sys.kmalloc(size, align), "kmalloc(" + size + ", " + align + ")");
      return;
    }
    MCache m = kmalloc.get(KmallocCaches.name(cls));
    if (m == null) {
      largeBlock(size, align);
      return;
    }
    int armed = armed();
    long[] runs = reclaimCounters();
    long a = sys.kmalloc(size, align);
    reclaimKept(runs, armed, slabRequests(m), a, "kmalloc");
    if (a == 0) {
      zeroOnlyUnderFaults(armed, m, "kmalloc", reclaim);
      return;
    }
    if (align > 0 && a % align != 0) {
      throw new AssertionError("kmalloc(" + size + ", " + align + ") = 0x" + Long.toHexString(a)
          + " is not aligned");
    }
    if (sys.ksize(a) < size) {
      throw new AssertionError("ksize " + sys.ksize(a) + " < " + size);
    }
    own(m, a, m.ksize);
  }

  /**
   * kmalloc_large: a block of 2^order whole frames, order = get_order(max(size, align)), aligned
   * to its own size, ksize the whole block; frames in use grow by exactly the block (less what
   * reclaim gave back). 0 only after the request failed (and, with reclaim, its retry too), or
   * when the buddy has no free block that large.
   */
  private void largeBlock(long size, int align) {
    int frame = sys.memory().frameSize();
    int order = SlabLayout.getOrder(Math.max(size, align), frame);
    long blockBytes = (long) frame << order;
    int armed = armed();
    long[] runs = reclaimCounters();
    long frames = t.framesInUse();
    boolean servable = buddyHasBlock(order); // else the first try may fail with no fault
    long a = sys.kmalloc(size, align);
    reclaimKept(runs, armed, servable ? 1 : 0, a, "kmalloc_large");
    if (a == 0) {
      if (armed - armed() < (reclaim ? 2 : 1) && buddyHasBlock(order)) {
        throw new AssertionError("kmalloc(" + size + ", " + align + ") returned 0 after "
            + (armed - armed()) + " failed frame requests, with a free block of order " + order);
      }
      return;
    }
    if (a % blockBytes != 0) {
      throw new AssertionError("large block 0x" + Long.toHexString(a) + " of order " + order
          + " is not naturally aligned");
    }
    if (sys.ksize(a) != blockBytes) {
      throw new AssertionError("ksize of a large block " + sys.ksize(a) + ", expected "
          + blockBytes);
    }
    long reclaimed = sys.kmallocFamily().reclaimFrames() - runs[2];
    if (t.framesInUse() != frames + (1L << order) - reclaimed) {
      throw new AssertionError("kmalloc_large of order " + order + ": frames in use " + frames
          + " -> " + t.framesInUse() + " (reclaim gave back " + reclaimed + ")");
    }
    own(largeBlocks, a, (int) blockBytes);
  }

  private boolean buddyHasBlock(int order) {
    long[] free = t.buddy.freeBlocksPerOrder();
    for (int o = order; o < free.length; o++) {
      if (free[o] > 0) {
        return true;
      }
    }
    return false;
  }

  /** Direct reclaim's counters: runs, runs whose retry succeeded, frames given back. */
  private long[] reclaimCounters() {
    var k = sys.kmallocFamily();
    return new long[] {k.reclaimRuns(), k.reclaimSaved(), k.reclaimFrames()};
  }

  /**
   * Reclaim ran at most once, only when it is on and the first try's {@code requests} frame
   * requests had all failed; a 0 with reclaim on means it ran; a run is "saved" exactly when
   * the retry returned an object.
   */
  private void reclaimKept(long[] before, int armedBefore, int requests, long result,
      String what) {
    long[] after = reclaimCounters();
    long runs = after[0] - before[0];
    long saved = after[1] - before[1];
    String state = what + ": reclaim runs +" + runs + ", saved +" + saved + ", result 0x"
        + Long.toHexString(result) + ", failed requests " + (armedBefore - armed());
    if (runs < 0 || runs > 1 || (!reclaim && runs != 0)) {
      throw new AssertionError(state + " (reclaim " + (reclaim ? "on" : "off") + ")");
    }
    if (reclaim && result == 0 && runs != 1) {
      throw new AssertionError(state + ": returned 0 without trying reclaim");
    }
    if (runs == 1 && armedBefore - armed() < requests) {
      throw new AssertionError(state + ": reclaim ran though the first try did not fail");
    }
    if (saved != (runs == 1 && result != 0 ? 1 : 0)) {
      throw new AssertionError(state + ": saved counts the wrong runs");
    }
  }

  private void kfree(Op op) {
    List<Held> mine = held.stream().filter(h -> h.cache.kmalloc).toList();
    if (mine.isEmpty() || Math.floorMod(op.b(), 8) == 0) {
      sys.kfree(0);
      return;
    }
    Held h = mine.get(Math.floorMod(op.a(), mine.size()));
    sys.kfree(h.addr);
    forget(h);
  }

  private void allocBulk(Op op) {
    MCache m = namedCache(op.a());
    if (m == null) {
      return;
    }
    int n = 1 + Math.floorMod(op.b(), MAX_BULK);
    long[] out = new long[n];
    if (m.dead) {
      refusedOrDone(CacheDestroyedException.class, () -> m.kc.allocBulk(out, n));
      return;
    }
    int armed = armed();
    long liveBefore = liveOf(m);
    int got = m.kc.allocBulk(out, n);
    if (got == 0) {
      zeroOnlyUnderFaults(armed, m, "allocBulk", false); // bulk alloc does not reclaim
      if (liveOf(m) != liveBefore) {
        throw new AssertionError("a failed allocBulk kept objects");
      }
      return;
    }
    if (got != n) {
      throw new AssertionError("allocBulk returned " + got + " of " + n);
    }
    for (long a : out) {
      own(m, a, m.ksize);
    }
  }

  private void freeBulk(Op op) {
    MCache m = namedCache(op.a());
    if (m == null) {
      return;
    }
    List<Held> mine = held.stream().filter(h -> h.cache == m).toList();
    List<Long> entries = new ArrayList<>();
    int want = Math.min(mine.size(), Math.floorMod(op.b(), MAX_BULK + 1));
    for (int k = 0; k < mine.size() && entries.size() < want; k++) {
      long a = mine.get(Math.floorMod(op.b() + k * 7, mine.size())).addr;
      if (!entries.contains(a)) {
        entries.add(a);
      }
    }
    long extra;
    switch (Math.floorMod(op.c(), 8)) {
      case 1 -> extra = entries.isEmpty() ? 0 : entries.get(0); // duplicate
      case 2 -> extra = freed.isEmpty() ? 0 : freed.get(Math.floorMod(op.c() >>> 3, freed.size()));
      case 3 -> { // a live object of another cache
        Held f = held.stream().filter(h -> h.cache != m).findFirst().orElse(null);
        extra = f == null ? 0 : f.addr;
      }
      case 4 -> extra = entries.isEmpty() ? 0 : entries.get(0) + 8;
      case 5 -> extra = badAddress(op.c() >>> 3, op.b());
      default -> extra = -1; // none
    }
    if (extra != -1) {
      entries.add(Math.floorMod(op.c() >>> 6, entries.size() + 1), extra);
    }
    long[] arr = entries.stream().mapToLong(Long::longValue).toArray();
    boolean bad = false;
    List<Long> seen = new ArrayList<>();
    for (long a : arr) {
      if (a == 0) {
        continue;
      }
      Held h = heldAt(a);
      bad |= h == null || h.cache != m || seen.contains(a);
      seen.add(a);
    }
    if (m.dead) {
      refusedOrDone(CacheDestroyedException.class, () -> m.kc.freeBulk(arr, arr.length));
      return;
    }
    long[] before = arr.clone();
    Set<Long> badEntries = new java.util.HashSet<>();
    List<Long> seen2 = new ArrayList<>();
    for (long a : arr) {
      Held h = heldAt(a);
      if (a != 0 && (h == null || h.cache != m || seen2.contains(a))) {
        badEntries.add(a);
      }
      seen2.add(a);
    }
    Throwable e = refusedOrDone(bad ? InvalidFreeException.class : null,
        () -> m.kc.freeBulk(arr, arr.length));
    if (bad) {
      if (!java.util.Arrays.equals(before, arr)) {
        throw new AssertionError("refused freeBulk changed its array");
      }
      long named = ((InvalidFreeException) e).address();
      if (!badEntries.contains(named)) {
        throw new AssertionError("freeBulk refused naming 0x" + Long.toHexString(named)
            + ", not a bad entry");
      }
      return;
    }
    for (long a : seen) {
      forget(heldAt(a));
    }
  }

  private void shrink(Op op) {
    MCache m = Math.floorMod(op.a(), 3) == 0 ? null : namedCache(op.a());
    if (m == null) {
      sys.shrink();
    } else if (m.dead) {
      refusedOrDone(CacheDestroyedException.class, m.kc::shrink);
    } else {
      m.kc.shrink();
    }
  }

  private void destroy(Op op) {
    MCache m = namedCache(op.a());
    if (m == null) {
      return;
    }
    Class<? extends Throwable> expect = m.dead ? CacheDestroyedException.class
        : m.live > 0 ? CacheBusyException.class : null;
    refusedOrDone(expect, m.kc::destroy);
    if (expect == null) {
      m.dead = true;
    }
  }

  private void migrate(Op op) {
    int cpu = Math.floorMod(op.a(), sys.cpus());
    ((VirtualCpus) sys.cpuId()).bindCurrent(cpu);
  }

  private void writeSegment(Op op) {
    if (held.isEmpty()) {
      return;
    }
    Held h = held.get(Math.floorMod(op.a(), held.size()));
    if (Math.floorMod(op.b(), 2) == 0) {
      byte fill = nextFill();
      sys.segment(h.addr, h.size).fill(fill);
      h.fill = fill;
      return;
    }
    int off = Math.floorMod(op.c(), h.size + 1);
    long len = h.size - off + 1 + Math.floorMod(op.b() >>> 1, 1024);
    refusedOrDone(IndexOutOfBoundsException.class,
        () -> sys.segment(h.addr + off, len).fill((byte) 0x5a));
  }

  /**
   * Both threads at once on one named cache: each frees half its held objects, allocates k.
   * With churn (odd c) each then runs rounds of: allocate a window of objects, stamp each with
   * its owner and round, check every stamp, free them. On one CPU the two threads' lockless
   * fast paths then CAS the same CPU word, so a CAS that wins when it should lose shows as an
   * object handed to both threads at once (a stamp overwritten) or a count gone wrong.
   */
  private void race(Op op) {
    MCache m = namedCache(op.a());
    if (m == null || m.dead || threads.length < 2) {
      return;
    }
    List<Held> mine = held.stream().filter(h -> h.cache == m).toList();
    int k = Math.floorMod(op.b(), 9);
    boolean churn = Math.floorMod(op.c(), 2) == 1;
    var mem = sys.memory();
    long[][] got = new long[2][k];
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Integer>> fs = new ArrayList<>();
    for (int th = 0; th < 2; th++) {
      int me = th;
      List<Held> half = new ArrayList<>();
      for (int i = 0; i < mine.size(); i++) {
        if ((i + (op.other() ? 1 : 0)) % 2 == me) {
          half.add(mine.get(i));
        }
      }
      Callable<Integer> body = () -> {
        go.await();
        int j = 0;
        for (int i = 0; i < half.size() || j < k; i++) {
          if (i < half.size()) {
            m.kc.free(half.get(i).addr);
          }
          if (j < k) {
            got[me][j++] = m.kc.alloc();
          }
        }
        if (churn) {
          long[] win = new long[CHURN_WINDOW];
          for (int round = 0; round < churnRounds; round++) {
            int n = 0;
            for (; n < CHURN_WINDOW; n++) {
              long a = m.kc.alloc();
              if (a == 0) {
                break; // frames failed (FAIL_FRAMES): the round ends early
              }
              win[n] = a;
              mem.putLong(a, stamp(me, round, n));
            }
            for (int i = 0; i < n; i++) {
              long seen = mem.getLong(win[i]);
              if (seen != stamp(me, round, i)) {
                throw new AssertionError("object 0x" + Long.toHexString(win[i])
                    + " handed to both threads at once: thread " + me + " wrote "
                    + Long.toHexString(stamp(me, round, i)) + ", found " + Long.toHexString(seen));
              }
              m.kc.free(win[i]);
            }
          }
        }
        return 0;
      };
      fs.add(threads[th].submit(body));
    }
    int armed = armed();
    go.countDown();
    for (Future<Integer> f : fs) {
      join(f);
    }
    for (Held h : mine) {
      forget(h);
    }
    for (long[] g : got) {
      for (long a : g) {
        if (a == 0) {
          zeroOnlyUnderFaults(armed, m, "alloc in a race", reclaim);
        } else {
          own(m, a, m.ksize);
        }
      }
    }
  }

  /** A churn stamp: owner thread, round and slot; never a freelist pointer (top bit set). */
  private static long stamp(int thread, int round, int slot) {
    return Long.MIN_VALUE | ((long) thread << 40) | ((long) round << 8) | slot;
  }

  // ------------------------------------------------------------------ checking

  /**
   * Runs a step the model says must throw {@code expect} (null: must not throw); a refused step
   * must leave the frames and every cache's live objects as they were. Returns what was thrown.
   */
  private Throwable refusedOrDone(Class<? extends Throwable> expect, Runnable r) {
    long frames = t.framesInUse();
    Map<SlabCache, Long> live = SlabProbe.liveObjects(sys.machine());
    Throwable thrown = null;
    try {
      r.run();
    } catch (RuntimeException e) {
      thrown = e;
    }
    if (expect == null && thrown != null) {
      throw new AssertionError("the model says this succeeds, but it threw " + thrown, thrown);
    }
    if (expect != null) {
      if (thrown == null) {
        throw new AssertionError("the model says " + expect.getSimpleName()
            + ", but the call succeeded");
      }
      if (!expect.isInstance(thrown)) {
        throw new AssertionError("expected " + expect.getSimpleName() + ", got " + thrown,
            thrown);
      }
      if (thrown.getMessage() == null || thrown.getMessage().isBlank()) {
        throw new AssertionError("refusal without a message: " + thrown);
      }
      // A busy destroy has flushed and shrunk first (documented, as in the kernel): it may give
      // empty slabs' frames back, never take frames or change objects.
      boolean mayShrink = thrown instanceof CacheBusyException;
      if (mayShrink ? t.framesInUse() > frames : t.framesInUse() != frames) {
        throw new AssertionError("a refused call changed frames in use: " + frames + " -> "
            + t.framesInUse());
      }
      if (!live.equals(SlabProbe.liveObjects(sys.machine()))) {
        throw new AssertionError("a refused call changed live objects: " + live + " -> "
            + SlabProbe.liveObjects(sys.machine()));
      }
    }
    return thrown;
  }

  private static String nameOf(MCache m) {
    return m.kc == null ? "kmalloc_large" : m.kc.name();
  }

  private long liveOf(MCache m) {
    return SlabProbe.liveObjects(sys.machine()).getOrDefault(m.kc.core(), 0L);
  }

  /** The per-step properties. */
  void check(boolean validate) {
    List<Held> sorted = new ArrayList<>(held);
    sorted.sort(Comparator.comparingLong(h -> h.addr));
    for (int i = 1; i < sorted.size(); i++) {
      Held p = sorted.get(i - 1);
      Held q = sorted.get(i);
      if (p.addr + p.size > q.addr) {
        throw new AssertionError("live objects overlap: 0x" + Long.toHexString(p.addr) + "+"
            + p.size + " and 0x" + Long.toHexString(q.addr));
      }
    }
    for (Held h : held) {
      MemorySegment obj = sys.segment(h.addr, h.size);
      MemorySegment pat = PATTERN[h.fill & 0xff];
      for (long off = 0; off < h.size; off += pat.byteSize()) {
        long n = Math.min(pat.byteSize(), h.size - off);
        long mm = MemorySegment.mismatch(obj, off, off + n, pat, 0, n);
        if (mm >= 0) {
          throw new AssertionError("object 0x" + Long.toHexString(h.addr) + " of "
              + nameOf(h.cache) + " lost what its owner wrote at byte " + (off + mm));
        }
      }
    }
    Map<SlabCache, Long> live = SlabProbe.liveObjects(sys.machine());
    List<MCache> all = new ArrayList<>(named);
    all.addAll(kmalloc.values());
    for (MCache m : all) {
      if (m.dead) {
        continue;
      }
      long real = live.getOrDefault(m.kc.core(), 0L);
      if (real != m.live) {
        throw new AssertionError(m.kc.name() + " has " + real + " live objects, the model "
            + m.live);
      }
    }
    long largeFrames = 0;
    for (Held h : held) {
      if (h.cache == largeBlocks) {
        largeFrames += h.size / sys.memory().frameSize();
      }
    }
    var k = sys.kmallocFamily();
    if (k.largeBlocks() != largeBlocks.live || k.largeFrames() != largeFrames) {
      throw new AssertionError("kmalloc_large holds " + k.largeBlocks() + " blocks of "
          + k.largeFrames() + " frames, the model " + largeBlocks.live + " of " + largeFrames);
    }
    if (t.framesInUse() != t.framesHeldBySlabs() + largeFrames) {
      throw new AssertionError("frames in use " + t.framesInUse() + " but slabs hold "
          + t.framesHeldBySlabs() + " and large blocks " + largeFrames);
    }
    if (validate) {
      List<String> problems = sys.validate();
      if (!problems.isEmpty()) {
        throw new AssertionError("validate(): " + problems);
      }
    }
  }

  /** Frees every held object, shrinks, and checks every frame came back. */
  private void drain() {
    t.failNextFrames(0);
    for (Held h : new ArrayList<>(held)) {
      on(0, () -> sys.kfree(h.addr));
      forget(h);
    }
    check(true);
    on(0, sys::shrink);
    if (t.framesInUse() != 0) {
      throw new AssertionError("frames leaked: " + t.framesInUse() + " in use after freeing"
          + " everything and shrinking");
    }
  }

  @Override
  public void close() {
    for (ExecutorService e : threads) {
      e.shutdownNow();
    }
    t.close();
  }
}
