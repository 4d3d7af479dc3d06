package jslub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import jslub.cpu.CpuId;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * docs/BAD-INPUT.md, "A CpuId outside [0, cpus)": a user-supplied CpuId that answers cpus or -1
 * makes each entry point that asks it throw the documented message, and nothing changes (the
 * same checks as the catalogue's afterwards, with the CpuId answering in range again).
 */
class BadCpuIdTest {
  /** Answers {@link #bad} when set, else CPU 1 (so both CPU slots have been in use). */
  static final class Settable implements CpuId {
    volatile int bad = Integer.MIN_VALUE;

    @Override
    public int currentCpu() {
      return bad == Integer.MIN_VALUE ? 1 : bad;
    }
  }

  record Call(String name, Consumer<Fx> run) {}

  static final class Fx {
    final Settable cpu = new Settable();
    final TestSystem t = TestSystem.of(SlabSystem.builder().cpus(2).cpuId(cpu)
        .memoryBytes(4L << 20).stats(true));
    final KmemCache c = t.sys.createCache("c", 64, 0);
    final long a = c.alloc();
    final long k = t.sys.kmalloc(100);
  }

  static final List<Call> CALLS = List.of(
      new Call("alloc", f -> f.c.alloc()),
      new Call("free", f -> f.c.free(f.a)),
      new Call("kmalloc", f -> f.t.sys.kmalloc(100)),
      new Call("kfree", f -> f.t.sys.kfree(f.k)),
      new Call("allocBulk", f -> f.c.allocBulk(new long[4], 4)),
      new Call("freeBulk", f -> f.c.freeBulk(new long[] {f.a}, 1)));

  @TestFactory
  Stream<DynamicTest> aCpuIdOutOfRangeIsRefusedAndChangesNothing() {
    return Stream.of(2, -1).flatMap(bad -> CALLS.stream().map(call -> DynamicTest.dynamicTest(
        call.name() + " with CpuId answering " + bad, () -> {
          Fx f = new Fx();
          try {
            String before = f.t.sys.info().toString();
            long inUse = f.t.framesInUse();
            f.cpu.bad = bad;
            Throwable thrown = assertThrows(IllegalStateException.class, () -> call.run().accept(f));
            assertEquals("CpuId returned " + bad + ", outside [0, 2)", thrown.getMessage());
            f.cpu.bad = Integer.MIN_VALUE;
            assertEquals(before, f.t.sys.info().toString(), "slabinfo after " + call.name());
            assertEquals(inUse, f.t.framesInUse(), "frames after " + call.name());
            assertEquals(List.of(), f.t.sys.validate(), "validate() after " + call.name());
            f.c.free(f.a);
            f.t.sys.kfree(f.k);
            long[] two = new long[2];
            assertEquals(2, f.c.allocBulk(two, 2));
            f.c.freeBulk(two, 2);
            assertArrayEquals(new long[2], two);
            f.t.sys.shrink();
            assertEquals(List.of(), f.t.sys.validate());
            assertEquals(0, f.t.framesInUse(), "a frame leaked after " + call.name());
          } finally {
            f.t.close();
          }
        })));
  }
}
