package jslub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The stress tools' view of a CPU word ({@code SlabCache.cpuWordView}, read by stress/'s
 * TidCommits check): the freelist it shows is the next object handed out, and each fast-path
 * operation moves the tid on by the kernel's TID_STEP, roundup_pow_of_two(cpus), from CPU k's
 * first tid k.
 */
class CpuWordViewTest {
  @Test
  void tidStepsByTheCpuCountRoundedUpToAPowerOfTwo() {
    int[][] cpusStride = {{1, 1}, {2, 2}, {3, 4}, {5, 8}};
    for (int[] cs : cpusStride) {
      int cpus = cs[0];
      int stride = cs[1];
      try (TestSystem t = TestSystem.of(cpus, 4L << 20, "")) {
        t.onCpu(cpus - 1);
        KmemCache c = t.sys.createCache("c", 64, 0);
        long a = c.alloc(); // the slow path gives this CPU a slab
        long[] v = c.core().cpuWordView(cpus - 1);
        assertEquals(0, v[2], "not claimed between operations");
        assertEquals(cpus - 1, v[0] % stride, "CPU k's tids are k modulo the step");
        long b = c.alloc(); // fast path
        assertEquals(v[1], b, "the view's freelist is the next object handed out");
        long[] w = c.core().cpuWordView(cpus - 1);
        assertEquals(v[0] + stride, w[0], cpus + " cpus: one fast-path pop, one step");
        c.free(b); // fast path
        assertEquals(w[0] + stride, c.core().cpuWordView(cpus - 1)[0], "one fast-path push");
        assertEquals(b, c.core().cpuWordView(cpus - 1)[1]);
        c.free(a);
      }
    }
  }
}
