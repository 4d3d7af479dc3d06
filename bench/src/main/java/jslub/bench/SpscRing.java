package jslub.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded single-producer single-consumer ring of longs (or object slots), the hand-off of the
 * cross-thread rounds. Waits by spinning a little, then yielding: on a machine with fewer free
 * cores than runnable threads a pure spin would burn the time slice the other side needs.
 */
final class SpscRing {
  private static final VarHandle HEAD;
  private static final VarHandle TAIL;

  static {
    try {
      HEAD = MethodHandles.lookup().findVarHandle(SpscRing.class, "head", long.class);
      TAIL = MethodHandles.lookup().findVarHandle(SpscRing.class, "tail", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final long[] slots;
  private final Object[] refs;
  private final int mask;

  @SuppressWarnings("unused")
  private long p0, p1, p2, p3, p4, p5, p6;
  private volatile long head; // next slot to read, written by the consumer
  @SuppressWarnings("unused")
  private long q0, q1, q2, q3, q4, q5, q6;
  private volatile long tail; // next slot to write, written by the producer

  SpscRing(int capacityPow2) {
    slots = new long[capacityPow2];
    refs = new Object[capacityPow2];
    mask = capacityPow2 - 1;
  }

  void put(long v, Object ref) {
    long t = (long) TAIL.getOpaque(this);
    for (int spins = 0; t - (long) HEAD.getAcquire(this) > mask; spins++) {
      pause(spins);
    }
    slots[(int) (t & mask)] = v;
    refs[(int) (t & mask)] = ref;
    TAIL.setRelease(this, t + 1);
  }

  /** Waits for the next slot; returns its long, its object in {@link #lastRef}. */
  long take() {
    long h = (long) HEAD.getOpaque(this);
    for (int spins = 0; (long) TAIL.getAcquire(this) == h; spins++) {
      pause(spins);
    }
    long v = slots[(int) (h & mask)];
    lastRef = refs[(int) (h & mask)];
    refs[(int) (h & mask)] = null;
    HEAD.setRelease(this, h + 1);
    return v;
  }

  private static void pause(int spins) {
    if (spins < 100) {
      Thread.onSpinWait();
    } else {
      Thread.yield();
    }
  }

  /** The object of the slot the last {@link #take} returned (consumer side only). */
  Object lastRef;
}
