package jslub.memory;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;
import org.checkerframework.checker.lock.qual.GuardSatisfied;

/**
 * Fault injection for the page allocator (the kernel's {@code fail_page_alloc}): wraps another
 * {@link FrameAllocator} and makes chosen requests fail, so every "no frames" path of the slab
 * layer can be driven on purpose.
 *
 * <p>Requests are numbered 1, 2, 3, ... in the order they reach this wrapper; whether request
 * {@code i} fails is a pure function of {@code i} and the policy (for the random policy, of the
 * seed too). A run that issues the same requests therefore fails at the same places, however its
 * threads interleave. A failed request returns 0 without calling the inner allocator; frees always
 * pass through.
 */
public final class FaultyFrameAllocator implements FrameAllocator {
  private final FrameAllocator inner;
  private final LongPredicate failsAt;
  private final String policy;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong injected = new AtomicLong();

  private FaultyFrameAllocator(FrameAllocator inner, LongPredicate failsAt, String policy) {
    this.inner = inner;
    this.failsAt = failsAt;
    this.policy = policy;
  }

  /** Fails only request number {@code k} (1-based). */
  public static FaultyFrameAllocator failKth(FrameAllocator inner, long k) {
    if (k < 1) {
      throw new IllegalArgumentException("k is 1-based, got " + k);
    }
    return new FaultyFrameAllocator(inner, i -> i == k, "failKth(" + k + ")");
  }

  /** Lets the first {@code n} requests through and fails every later one. */
  public static FaultyFrameAllocator failAfter(FrameAllocator inner, long n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, got " + n);
    }
    return new FaultyFrameAllocator(inner, i -> i > n, "failAfter(" + n + ")");
  }

  /**
   * Fails each request with probability {@code p}. The choice for request {@code i} is drawn from
   * a hash of {@code (seed, i)}, not from a shared generator, so it does not depend on timing.
   */
  public static FaultyFrameAllocator failRandomly(FrameAllocator inner, double p, long seed) {
    if (!(p >= 0.0 && p <= 1.0)) {
      throw new IllegalArgumentException("p must be in [0, 1], got " + p);
    }
    return new FaultyFrameAllocator(
        inner, i -> unitDouble(seed, i) < p, "failRandomly(" + p + ", seed=" + seed + ")");
  }

  /** A uniform double in [0, 1) determined by {@code (seed, i)} (SplitMix64 finaliser). */
  static double unitDouble(long seed, long i) {
    long z = seed + i * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z ^= z >>> 31;
    return (z >>> 11) * 0x1.0p-53;
  }

  @Override
  public long allocFrames(int count) {
    if (count < 1) {
      // An invalid request is the caller's bug, not an allocation to count or to fail.
      throw new IllegalArgumentException("count must be >= 1, got " + count);
    }
    long i = requests.incrementAndGet();
    if (failsAt.test(i)) {
      injected.incrementAndGet();
      return 0;
    }
    return inner.allocFrames(count);
  }

  @Override
  public void freeFrames(long addr, int count) {
    inner.freeFrames(addr, count);
  }

  /** Allocation requests seen so far (failed or not). */
  public long requests() {
    return requests.get();
  }

  /** Requests this wrapper failed on purpose (not counting failures of the inner allocator). */
  public long injectedFailures() {
    return injected.get();
  }

  public FrameAllocator inner() {
    return inner;
  }

  @Override
  public String toString(@GuardSatisfied FaultyFrameAllocator this) {
    return "FaultyFrameAllocator[" + policy + "]";
  }
}
