package jslub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * docs/BAD-INPUT.md, entry by entry: each bad input throws the documented type with the
 * documented message, and afterwards validate() is clean, frames in use equal frames held by
 * slabs, and freeing the fixture's objects gives every frame back.
 */
class BadInputCatalogueTest {
  /** The fixture: caches c and d (64-byte objects), a live object in each, a freed one in c. */
  static final class Fx {
    final TestSystem t;
    final KmemCache c;
    final KmemCache d;
    final long a;
    final long b;
    final long gone;
    final long head;

    Fx(String debug) {
      t = TestSystem.of(2, 4L << 20, debug);
      c = t.sys.createCache("c", 64, 0);
      d = t.sys.createCache("d", 64, 0);
      a = c.alloc();
      b = d.alloc();
      long x = c.alloc();
      long y = c.alloc();
      c.free(x);
      c.free(y); // y is the CPU freelist head, x just behind it
      gone = x;
      head = y;
    }

    /** A frame of the arena that no slab holds. */
    long freeFrame() {
      for (long f = t.sys.memory().bytes() - 4096; f > 0; f -= 4096) {
        if (t.sys.machine().memmap().slabOf(f) == null) {
          return f;
        }
      }
      throw new AssertionError("no free frame");
    }
  }

  record Entry(String input, String debug, Class<? extends Throwable> type,
      Function<Fx, String> message, Consumer<Fx> call) {}

  private static Entry e(String input, Class<? extends Throwable> type, Function<Fx, String> msg,
      Consumer<Fx> call) {
    return new Entry(input, "", type, msg, call);
  }

  private static Entry debugF(String input, Class<? extends Throwable> type,
      Function<Fx, String> msg, Consumer<Fx> call) {
    return new Entry(input, "F", type, msg, call);
  }

  private static String hex(long v) {
    return "0x" + Long.toHexString(v);
  }

  static final String FRAME_MSG = " is not a power of two in [64, 131072] (kmalloc-8 must fit a"
      + " slab of one frame in 32767 objects)";

  static List<Entry> catalogue() {
    Class<IllegalArgumentException> iae = IllegalArgumentException.class;
    Class<InvalidFreeException> inv = InvalidFreeException.class;
    Class<IndexOutOfBoundsException> oob = IndexOutOfBoundsException.class;
    return List.of(
        // --- builder
        e("builder frameSize(32)", iae, f -> "frameSize 32" + FRAME_MSG,
            f -> SlabSystem.builder().frameSize(32)),
        e("builder frameSize(100)", iae, f -> "frameSize 100" + FRAME_MSG,
            f -> SlabSystem.builder().frameSize(100)),
        e("builder frameSize(1 << 18)", iae, f -> "frameSize 262144" + FRAME_MSG,
            f -> SlabSystem.builder().frameSize(1 << 18)),
        e("builder cacheLineSize(48)", iae, f -> "cacheLineSize 48 is not a power of two >= 8",
            f -> SlabSystem.builder().cacheLineSize(48)),
        e("builder cacheLineSize(8192) with 4 KiB frames, at build()", iae,
            f -> "cacheLineSize 8192 is larger than frameSize 4096",
            f -> SlabSystem.builder().cacheLineSize(8192).build()),
        e("builder cpus(0)", iae, f -> "cpus 0 must be >= 1", f -> SlabSystem.builder().cpus(0)),
        e("builder memoryBytes(0)", iae, f -> "memoryBytes 0 must be > 0",
            f -> SlabSystem.builder().memoryBytes(0)),
        e("builder memoryBytes(4096), at build()", iae,
            f -> "memoryBytes 4096 gives fewer than 2 frames of 4096 bytes",
            f -> SlabSystem.builder().memoryBytes(4096).build()),
        e("builder nodes(2)", iae, f -> "nodes 2: only 1 NUMA node is supported",
            f -> SlabSystem.builder().nodes(2)),
        e("builder debug(\"Z\")", iae,
            f -> "debug flag 'Z' is not implemented yet (only F, SLAB_CONSISTENCY_CHECKS)",
            f -> SlabSystem.builder().debug("Z")),
        // --- kmem_cache_create
        e("createCache blank name", iae, f -> "cache name must not be blank",
            f -> f.t.sys.createCache(" ", 64, 0)),
        e("createCache size 0", iae, f -> "kmem_cache_create(x): size 0 outside 1..8388608",
            f -> f.t.sys.createCache("x", 0, 0)),
        e("createCache size 8 MiB + 1", iae,
            f -> "kmem_cache_create(x): size 8388609 outside 1..8388608",
            f -> f.t.sys.createCache("x", (8 << 20) + 1, 0)),
        e("createCache align 24", iae, f -> "kmem_cache_create(x): align 24 is not a power of two",
            f -> f.t.sys.createCache("x", 64, 24)),
        e("createCache align -8", iae, f -> "kmem_cache_create(x): align -8 is not a power of two",
            f -> f.t.sys.createCache("x", 64, -8)),
        e("createCache align 16 MiB", iae, f -> "kmem_cache_create(x): align 16777216 is larger"
            + " than the largest object (8388608)", f -> f.t.sys.createCache("x", 64, 16 << 20)),
        e("createCache of a taken name", CacheExistsException.class,
            f -> "kmem_cache_create(kmalloc-8): a cache of that name exists",
            f -> f.t.sys.createCache("kmalloc-8", 8, 0)),
        // --- kmalloc
        e("kmalloc(8, align 3)", iae, f -> "kmalloc: align 3 is not a power of two",
            f -> f.t.sys.kmalloc(8, 3)),
        // --- kmem_cache_free / kfree
        e("free(0)", inv, f -> "c: NULL pointer 0x0", f -> f.c.free(0)),
        e("free past the arena", inv, f -> "c: Address outside of the arena "
            + hex(f.t.sys.memory().bytes()), f -> f.c.free(f.t.sys.memory().bytes())),
        e("free of a negative address", inv, f -> "c: Address outside of the arena "
            + hex(-64), f -> f.c.free(-64)),
        e("kfree past the arena", inv, f -> "kfree: Address outside of the arena "
            + hex(f.t.sys.memory().bytes() + 8), f -> f.t.sys.kfree(f.t.sys.memory().bytes() + 8)),
        e("kfree at the arena's end", inv, f -> "kfree: Address outside of the arena "
            + hex(f.t.sys.memory().bytes()), f -> f.t.sys.kfree(f.t.sys.memory().bytes())),
        e("kfree(8): reserved frame 0", inv, f -> "kfree: Attempt to free object outside of slab"
            + " 0x8", f -> f.t.sys.kfree(8)),
        e("free in a frame no slab holds", inv, f -> "c: Attempt to free object outside of slab "
            + hex(f.freeFrame() + 64), f -> f.c.free(f.freeFrame() + 64)),
        e("free of an interior pointer", inv, f -> "c: Invalid object pointer " + hex(f.a + 8),
            f -> f.c.free(f.a + 8)),
        e("free to the wrong cache", inv, f -> "c: Wrong slab cache. c but object is from d ("
            + hex(f.b) + ")", f -> f.c.free(f.b)),
        e("double free of the CPU freelist head (no debug)", inv,
            f -> "c: Object already free " + hex(f.head), f -> f.c.free(f.head)),
        debugF("delayed double free (debug F)", inv, f -> "c: Object already free " + hex(f.gone),
            f -> f.c.free(f.gone)),
        // --- bulk
        e("freeBulk with an already-free entry (no debug)", inv,
            f -> "c: Object already free " + hex(f.gone),
            f -> f.c.freeBulk(new long[] {f.a, f.gone}, 2)),
        e("freeBulk with a flushed free object first", inv,
            f -> "c: Object already free " + hex(f.gone),
            f -> { f.c.core().flushAll(); f.c.freeBulk(new long[] {f.gone, f.a}, 2); }),
        e("freeBulk of two flushed free objects, head first", inv,
            f -> "c: Object already free " + hex(f.head),
            f -> { f.c.core().flushAll(); f.c.freeBulk(new long[] {f.head, f.gone}, 2); }),
        e("freeBulk of two flushed free objects, head second", inv,
            f -> "c: Object already free " + hex(f.gone),
            f -> { f.c.core().flushAll(); f.c.freeBulk(new long[] {f.gone, f.head}, 2); }),
        e("freeBulk with the same object twice", inv, f -> "c: Object already free " + hex(f.a),
            f -> f.c.freeBulk(new long[] {f.a, f.a}, 2)),
        debugF("freeBulk with the same object twice (debug F)", inv,
            f -> "c: Object already free " + hex(f.a),
            f -> f.c.freeBulk(new long[] {f.a, f.a}, 2)),
        e("freeBulk with another cache's object", inv,
            f -> "c: Wrong slab cache. c but object is from d (" + hex(f.b) + ")",
            f -> f.c.freeBulk(new long[] {f.a, f.b}, 2)),
        e("freeBulk n larger than the array", iae, f -> "n=3 outside [0, 2]",
            f -> f.c.freeBulk(new long[] {f.a, 0}, 3)),
        e("allocBulk n larger than the array", iae, f -> "n=3 outside [0, 2]",
            f -> f.c.allocBulk(new long[2], 3)),
        e("stats().perCpu of cpu 2 with 2 cpus", oob, f -> "cpu 2",
            f -> f.c.stats().perCpu(jslub.slab.Stat.ALLOC_FASTPATH, 2)),
        e("stats().perCpu of cpu -1", oob, f -> "cpu -1",
            f -> f.c.stats().perCpu(jslub.slab.Stat.ALLOC_FASTPATH, -1)),
        // --- cache lifecycle
        e("destroy with a live object", CacheBusyException.class,
            f -> "kmem_cache_destroy c: Slab cache still has objects (1 live in 1 slabs)",
            f -> f.c.destroy()),
        e("destroy a kmalloc cache", iae, f -> "kmalloc caches cannot be destroyed: kmalloc-8",
            f -> f.t.sys.cache("kmalloc-8").destroy()),
        e("alloc after destroy", CacheDestroyedException.class, f -> "cache e was destroyed",
            f -> { KmemCache x = f.t.sys.createCache("e", 8, 0); x.destroy(); x.alloc(); }),
        // --- segment views
        e("segment past the end of the object", oob, f -> "segment(" + hex(f.a) + ", 65) runs"
            + " past its object [" + hex(f.a) + ", " + hex(f.a + 64) + ") of c",
            f -> f.t.sys.segment(f.a, 65)),
        e("segment of negative size", oob, f -> "segment(" + hex(f.a) + ", -1) runs past its"
            + " object [" + hex(f.a) + ", " + hex(f.a + 64) + ") of c",
            f -> f.t.sys.segment(f.a, -1)),
        e("segment in no slab object", oob, f -> "segment(0x8, 8): the address is in no slab"
            + " object and starts no kmalloc_large block", f -> f.t.sys.segment(8, 8)),
        // --- Arena / SegmentAllocator
        e("Arena.allocate(-5, 8)", iae, f -> "bad size -5: outside [0, 8388608]",
            f -> { try (Arena ar = f.t.sys.newArena()) { ar.allocate(-5, 8); } }),
        e("Arena.allocate(8, 3)", iae, f -> "bad alignment 3: not a power of two in [1, 8388608]",
            f -> { try (Arena ar = f.t.sys.newArena()) { ar.allocate(8, 3); } }),
        e("SegmentAllocator.allocate(8 MiB + 1, 8)", iae, f -> "bad size 8388609: outside [0,"
            + " 8388608]", f -> f.t.sys.asSegmentAllocator().allocate((8 << 20) + 1, 8)),
        e("Arena.allocate after close", IllegalStateException.class, f -> "arena closed",
            f -> { Arena ar = f.t.sys.newArena(); ar.close(); ar.allocate(8, 8); }),
        e("Arena closed twice", IllegalStateException.class, f -> "arena already closed",
            f -> { Arena ar = f.t.sys.newArena(); ar.close(); ar.close(); }));
  }

  /**
   * Inputs the kernel answers with NULL or ZERO_SIZE_PTR rather than refusing (the failure
   * convention in the README): the same answers here, and nothing changes.
   */
  @Test
  void kmallocAnswersLikeTheKernel() {
    Fx f = new Fx("");
    assertEquals(jslub.kmalloc.Kmalloc.ZERO_SIZE_PTR, f.t.sys.kmalloc(0), "kmalloc(0)");
    assertEquals(0, f.t.sys.kmalloc((8 << 20) + 1), "kmalloc(8 MiB + 1)");
    assertEquals(0, f.t.sys.kmalloc(8, 16 << 20), "kmalloc(8, align 16 MiB)");
    f.t.sys.kfree(jslub.kmalloc.Kmalloc.ZERO_SIZE_PTR);
    assertEquals(List.of(), f.t.sys.validate());
    assertEquals(f.t.framesHeldBySlabs(), f.t.framesInUse());
  }

  @TestFactory
  Stream<DynamicTest> everyEntryRefusedAsDocumented() {
    return catalogue().stream().map(en -> DynamicTest.dynamicTest(en.input(), () -> {
      Fx f = new Fx(en.debug());
      try {
        Throwable thrown = assertThrows(en.type(), () -> en.call().accept(f), en.input());
        assertEquals(en.message().apply(f), thrown.getMessage(), en.input());
        assertEquals(List.of(), f.t.sys.validate(), "validate() after " + en.input());
        assertEquals(f.t.framesHeldBySlabs(), f.t.framesInUse(), "frames after " + en.input());
        f.c.free(f.a);
        f.d.free(f.b);
        f.t.sys.shrink();
        assertEquals(List.of(), f.t.sys.validate());
        assertEquals(0, f.t.framesInUse(), "a frame leaked after " + en.input());
      } finally {
        f.t.close();
      }
    }));
  }

  /**
   * A slab of 96-byte objects in a 4 KiB frame holds 42 and leaves a tail: the address where a
   * 43rd object would start is no object (free refuses it, segment finds no object there).
   */
  @Test
  void theTailPastTheLastObjectIsNoObject() {
    Fx f = new Fx("");
    try {
      KmemCache x = f.t.sys.createCache("x", 96, 0);
      int per = java.util.Objects.requireNonNull(f.t.sys.info().row("x")).objsPerSlab();
      assertEquals(42, per);
      long[] objs = new long[per];
      long last = 0;
      for (int i = 0; i < per; i++) {
        objs[i] = x.alloc();
        last = Math.max(last, objs[i]);
      }
      long past = last + 96;
      assertEquals(f.t.sys.machine().memmap().slabOf(last), f.t.sys.machine().memmap()
          .slabOf(past), "the tail is in the same slab");
      InvalidFreeException e = assertThrows(InvalidFreeException.class, () -> x.free(past));
      assertEquals("x: Invalid object pointer " + hex(past), e.getMessage());
      IndexOutOfBoundsException v = assertThrows(IndexOutOfBoundsException.class,
          () -> f.t.sys.segment(past, 8));
      assertEquals("segment(" + hex(past) + ", 8): the address is in no slab object and starts"
          + " no kmalloc_large block", v.getMessage());
      for (long o : objs) {
        x.free(o);
      }
      assertEquals(List.of(), f.t.sys.validate());
      x.destroy();
    } finally {
      f.t.close();
    }
  }

  /**
   * A double free into an empty slab the node keeps (min_partial): the head is caught by the
   * naive head check, any other object because the slab's in-use count would go below 0.
   */
  @Test
  void doubleFreeIntoAnEmptyKeptSlab() {
    Fx f = new Fx("");
    try {
      KmemCache z = f.t.sys.createCache("z", 64, 0);
      long x = z.alloc();
      long y = z.alloc();
      z.free(x);
      z.free(y);
      z.core().flushAll(); // the slab, now empty, stays on the node list
      assertEquals(1, z.counts().slabs());
      for (long o : new long[] {x, y}) {
        InvalidFreeException e = assertThrows(InvalidFreeException.class, () -> z.free(o));
        assertEquals("z: Object already free " + hex(o), e.getMessage());
      }
      assertEquals(List.of(), f.t.sys.validate());
      z.destroy();
    } finally {
      f.t.close();
    }
  }

  /** The ends of the builder's ranges are accepted: 64- and 128 KiB frames, 8-byte cache lines. */
  @Test
  void theEdgesOfTheBuilderRangesWork() {
    for (SlabSystem.Builder b : List.of(SlabSystem.builder().frameSize(64).memoryBytes(1L << 20),
        SlabSystem.builder().frameSize(1 << 17).memoryBytes(16L << 20),
        SlabSystem.builder().cacheLineSize(8).memoryBytes(1L << 20))) {
      try (SlabSystem s = b.cpus(1).build()) {
        KmemCache c = s.createCache("c", 8, 0);
        long o = c.alloc();
        assertEquals(0, o % 8);
        c.free(o);
        assertEquals(List.of(), s.validate());
      }
    }
  }

  /** n = 0 asks for nothing: allocBulk returns 0, freeBulk frees nothing; neither throws. */
  @Test
  void bulkOfZeroIsNoError() {
    Fx f = new Fx("");
    try {
      long[] arr = {f.a, 0};
      assertEquals(0, f.c.allocBulk(new long[2], 0));
      f.c.freeBulk(arr, 0);
      assertEquals(f.a, arr[0], "nothing freed");
      assertEquals(List.of(), f.t.sys.validate());
    } finally {
      f.t.close();
    }
  }

  @Test
  void infoRowOfAnUnknownNameIsNullNotAnError() {
    Fx f = new Fx("");
    try {
      assertNull(f.t.sys.info().row("nope"));
    } finally {
      f.t.close();
    }
  }
}
