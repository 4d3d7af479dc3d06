package jslub.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floors: what one alloc+free pair of a 64-byte object costs with nothing but the data
 * structure. jslub's fast path is a two-CAS freelist plus the checks an allocator needs, so
 * {@link #twoCas} is the figure its pair is held against (target: at most 1.5 times it).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class Floors {
  static final int OBJECTS = 64;
  static final long SIZE = 64;
  private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

  // Thread-local stack of addresses (a per-thread cache with nothing shared).
  long[] stack;
  int top;

  // Intrusive freelist: the next pointer lives in the free object, the head in a field.
  Arena arena;
  MemorySegment seg;
  long head;

  // Two-CAS freelist: the head lives in the segment at offset 0 and changes only by CAS.
  MemorySegment casSeg;

  // Bump allocation that never frees (Arena's slicingAllocator), reset when the slab runs out.
  MemorySegment slab;
  SegmentAllocator slicer;
  long sliced;

  @Setup(Level.Trial)
  public void setup() {
    arena = Arena.ofShared();
    stack = new long[OBJECTS];
    for (int i = 0; i < OBJECTS; i++) {
      stack[i] = 64 + i * SIZE;
    }
    top = OBJECTS;
    seg = arena.allocate((OBJECTS + 1) * SIZE, 64);
    head = link(seg);
    casSeg = arena.allocate((OBJECTS + 1) * SIZE, 64);
    casSeg.set(ValueLayout.JAVA_LONG, 0, link(casSeg));
    slab = arena.allocate(1 << 20, 64);
    slicer = SegmentAllocator.slicingAllocator(slab);
  }

  /** Links objects 1..OBJECTS of {@code s} into a freelist (offset 0 = NULL); returns the head. */
  private static long link(MemorySegment s) {
    for (int i = 1; i < OBJECTS; i++) {
      s.set(ValueLayout.JAVA_LONG, i * SIZE, (i + 1) * SIZE);
    }
    s.set(ValueLayout.JAVA_LONG, OBJECTS * SIZE, 0L);
    return SIZE;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    arena.close();
  }

  /** Pop and push on a thread-local long[] stack. */
  @Benchmark
  public long stackPair() {
    long a = stack[--top];
    stack[top++] = a;
    return a;
  }

  /** Pop and push on an intrusive freelist in a segment, no atomics. */
  @Benchmark
  public long intrusivePair() {
    long a = head;
    head = seg.get(ValueLayout.JAVA_LONG, a);
    seg.set(ValueLayout.JAVA_LONG, a, head);
    head = a;
    return a;
  }

  /** Pop and push on a freelist whose head changes by VarHandle CAS on the segment. */
  @Benchmark
  public long twoCas() {
    long a;
    for (;;) {
      a = (long) LONG.getVolatile(casSeg, 0L);
      long next = casSeg.get(ValueLayout.JAVA_LONG, a);
      if (LONG.compareAndSet(casSeg, 0L, a, next)) {
        break;
      }
    }
    for (;;) {
      long h = (long) LONG.getVolatile(casSeg, 0L);
      casSeg.set(ValueLayout.JAVA_LONG, a, h);
      if (LONG.compareAndSet(casSeg, 0L, h, a)) {
        return a;
      }
    }
  }

  /** Arena.slicingAllocator: a bump pointer with no free at all (the lower bound of alloc). */
  @Benchmark
  public long slicing() {
    if (++sliced == (1 << 20) / SIZE) {
      sliced = 0;
      slicer = SegmentAllocator.slicingAllocator(slab);
    }
    return slicer.allocate(SIZE, 8).address();
  }
}
