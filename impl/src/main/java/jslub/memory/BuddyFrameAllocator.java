package jslub.memory;

import java.util.Arrays;
import org.checkerframework.checker.index.qual.IndexFor;
import org.checkerframework.checker.lock.qual.GuardSatisfied;
import org.checkerframework.checker.lock.qual.GuardedBy;
import org.checkerframework.checker.lock.qual.Holding;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The default page allocator: a binary buddy system, the kernel's {@code mm/page_alloc.c} reduced
 * to one zone on one node.
 *
 * <p>Frames {@code [1, totalBytes / frameSize)} are managed; frame 0 is never handed out, so
 * address 0 stays NULL. A block of order {@code k} is {@code 2^k} frames and starts at a frame
 * number that is a multiple of {@code 2^k} (natural alignment). The slab layer relies on that: a
 * power-of-two kmalloc object in a power-of-two slab is then aligned to its own size.
 *
 * <p>State lives in flat arrays indexed by frame number, like the kernel's {@code struct page}
 * array: a state byte per frame (is it a block head, free or allocated, of which order — the
 * kernel's {@code PageBuddy} and {@code page_private}) and intrusive doubly linked free lists per
 * order ({@code free_area[order]}, linked through {@code page->buddy_list}). The common path
 * therefore allocates nothing on the heap. One lock guards it all, as {@code zone->lock} does; the
 * critical sections are O(maxOrder).
 */
public final class BuddyFrameAllocator implements FrameAllocator {
  /** State of a frame that heads no block: a tail frame, or reserved frame 0. */
  private static final byte NOT_HEAD = -1;

  /** Added to an allocated head's order, so one byte tells free heads from allocated ones. */
  private static final byte ALLOCATED = 64;

  /** Free-list terminator. Frame 0 is never a free block, so its number can serve as NIL. */
  private static final int NIL = 0;

  private final Object lock = new Object();
  private final int frameSize;
  private final int frameShift;
  private final int maxOrder;

  /** Frames in the arena, including reserved frame 0; the length of every per-frame array. */
  private final int arenaFrames;

  /**
   * Per frame: {@code order} for a free head, {@code ALLOCATED + order} for an allocated head,
   * else NOT_HEAD. All four per-frame arrays have {@code arenaFrames} entries.
   */
  private final byte @GuardedBy("lock") [] state;

  /** Per free head: the next and previous free block of the same order, or NIL. */
  private final int @GuardedBy("lock") [] next;

  private final int @GuardedBy("lock") [] prev;

  /**
   * Per allocated head: the frame count the caller asked for, so a free with another count is
   * caught even when both counts round up to the same order.
   */
  private final int @GuardedBy("lock") [] requested;

  /** Per order: the first free block, or NIL ({@code free_area[order].free_list}). */
  private final int @GuardedBy("lock") [] freeHead;

  /** Per order: how many free blocks ({@code free_area[order].nr_free}). */
  private final long @GuardedBy("lock") [] nrFree;

  /**
   * Manages the frames of an arena of {@code totalBytes} with the largest order the arena allows.
   *
   * @throws IllegalArgumentException if frameSize is not a positive power of two, the arena holds
   *     fewer than 2 frames, or more frames than an {@code int} can number
   */
  public BuddyFrameAllocator(long totalBytes, int frameSize) {
    this(totalBytes, frameSize, Integer.MAX_VALUE);
  }

  /**
   * As {@link #BuddyFrameAllocator(long, int)}, but no block exceeds order {@code maxOrderCap}
   * (the kernel's {@code MAX_PAGE_ORDER}).
   */
  public BuddyFrameAllocator(long totalBytes, int frameSize, int maxOrderCap) {
    if (frameSize < 1 || Integer.bitCount(frameSize) != 1) {
      throw new IllegalArgumentException("frameSize must be a power of two, got " + frameSize);
    }
    if (maxOrderCap < 0) {
      throw new IllegalArgumentException("maxOrderCap must be >= 0, got " + maxOrderCap);
    }
    long n = totalBytes / frameSize;
    if (n < 2 || n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "an arena of " + totalBytes + " bytes gives " + n + " frames of " + frameSize
              + "; need at least 2 (frame 0 is NULL) and fewer than 2^31");
    }
    int frames = Math.toIntExact(n);
    // Frame 0 is reserved, so an order-k block needs a start >= 2^k with start + 2^k <= n:
    // the largest possible order is floor(log2 n) - 1, which is >= 0 as n >= 2.
    int orders = Math.min(maxOrderCap, 30 - Integer.numberOfLeadingZeros(frames)) + 1;
    if (frames < 0 || orders < 1) {
      throw new AssertionError("unreachable: n >= 2 was checked above");
    }
    this.frameSize = frameSize;
    this.frameShift = Integer.numberOfTrailingZeros(frameSize);
    this.arenaFrames = frames;
    this.maxOrder = orders - 1;
    this.state = new byte[frames];
    this.next = new int[frames];
    this.prev = new int[frames];
    this.requested = new int[frames];
    this.freeHead = new int[orders];
    this.nrFree = new long[orders];
    synchronized (lock) {
      Arrays.fill(state, NOT_HEAD);
      seed();
    }
  }

  /** Splits {@code [1, arenaFrames)} into maximal naturally aligned blocks, all free. */
  @Holding("lock")
  private void seed() {
    int f = 1;
    while (f < arenaFrames) {
      int k = Math.min(maxOrder, Integer.numberOfTrailingZeros(f));
      while (f + (1L << k) > arenaFrames) {
        k--;
      }
      pushFree(f, k);
      f += 1 << k;
    }
  }

  /** The order of the smallest block holding {@code count >= 1} frames. */
  static int orderFor(int count) {
    return 32 - Integer.numberOfLeadingZeros(count - 1);
  }

  @Override
  public long allocFrames(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be >= 1, got " + count);
    }
    int order = orderFor(count);
    if (order > maxOrder) {
      return 0;
    }
    int block;
    synchronized (lock) {
      block = takeBlock(order, count);
    }
    return (long) block << frameShift;
  }

  /**
   * Removes the first free block of the smallest order {@code >= order}, splits it down to
   * {@code order} keeping the low half and freeing each high half (the kernel's
   * {@code __rmqueue_smallest} + {@code expand}), and marks it allocated.
   *
   * @return the block's first frame, or NIL if no free block is large enough
   */
  @Holding("lock")
  private int takeBlock(int order, int count) {
    int k = order;
    while (k <= maxOrder && headOf(k) == NIL) {
      k++;
    }
    if (k > maxOrder) {
      return NIL;
    }
    int block = headOf(k);
    unlinkFree(block, k);
    while (k > order) {
      k--;
      pushFree(block + (1 << k), k);
    }
    int b = frameIndex(block);
    state[b] = (byte) (ALLOCATED + order);
    requested[b] = count;
    return block;
  }

  @Override
  public void freeFrames(long addr, int count) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be >= 1, got " + count);
    }
    if ((addr & (frameSize - 1)) != 0) {
      throw new IllegalArgumentException(
          "free of misaligned address 0x" + Long.toHexString(addr) + " (frame size " + frameSize
              + ")");
    }
    if (addr < frameSize || (addr >> frameShift) >= arenaFrames) {
      throw new IllegalArgumentException(
          "free of address 0x" + Long.toHexString(addr) + " outside the managed frames [1, "
              + arenaFrames + ")");
    }
    int frame = (int) (addr >> frameShift);
    synchronized (lock) {
      String error = checkAllocated(frame, count);
      if (error != null) {
        throw new IllegalArgumentException(error);
      }
      releaseBlock(frame, orderFor(count));
    }
  }

  /** Why {@code frame} with {@code count} is not a live allocation, or null if it is one. */
  @Holding("lock")
  private @Nullable String checkAllocated(int frame, int count) {
    int f = frameIndex(frame);
    int s = state[f];
    if (s == NOT_HEAD) {
      return "free of frame " + frame + ": not the first frame of an allocated block";
    }
    if (s < ALLOCATED) {
      return "double free of frame " + frame + " (a free block of order " + s + " starts there)";
    }
    if (requested[f] != count) {
      return "free of frame " + frame + " with count " + count + ", but " + requested[f]
          + " frames were allocated there";
    }
    return null;
  }

  /**
   * Frees the block at {@code frame} and merges it with its buddy while the buddy is a free block
   * of the same order (the kernel's {@code __free_one_page}).
   */
  @Holding("lock")
  private void releaseBlock(int frame, int order) {
    int block = frame;
    int k = order;
    state[frameIndex(block)] = NOT_HEAD;
    while (k < maxOrder) {
      int buddy = block ^ (1 << k);
      // A free head of the same order: it cannot be frame 0 nor lie past the end.
      if (buddy >= arenaFrames || state[frameIndex(buddy)] != k) {
        break;
      }
      unlinkFree(buddy, k);
      state[frameIndex(buddy)] = NOT_HEAD;
      block &= ~(1 << k);
      k++;
    }
    pushFree(block, k);
  }

  /** Makes {@code block} a free head of {@code order} at the front of that order's list. */
  @Holding("lock")
  private void pushFree(int block, int order) {
    int k = orderIndex(order);
    int b = frameIndex(block);
    int first = freeHead[k];
    state[b] = (byte) order;
    next[b] = first;
    prev[b] = NIL;
    if (first != NIL) {
      prev[frameIndex(first)] = block;
    }
    freeHead[k] = block;
    nrFree[k]++;
  }

  /** Takes the free head {@code block} off the list of {@code order}. */
  @Holding("lock")
  private void unlinkFree(int block, int order) {
    int k = orderIndex(order);
    int b = frameIndex(block);
    int n = next[b];
    int p = prev[b];
    if (p == NIL) {
      freeHead[k] = n;
    } else {
      next[frameIndex(p)] = n;
    }
    if (n != NIL) {
      prev[frameIndex(n)] = p;
    }
    nrFree[k]--;
  }

  @Holding("lock")
  private int headOf(int order) {
    return freeHead[orderIndex(order)];
  }

  /**
   * {@code frame} as an index into the per-frame arrays. Every caller passes a frame number that
   * the allocator's invariants keep in range; the check turns a broken invariant into an error
   * instead of silent corruption, and proves the index to the Index Checker.
   */
  @Holding("lock")
  private @IndexFor({"this.state", "this.next", "this.prev", "this.requested"}) int frameIndex(
      int frame) {
    // Four compares, not one: the Index Checker cannot see that the arrays have one length.
    if (frame < 0
        || frame >= state.length
        || frame >= next.length
        || frame >= prev.length
        || frame >= requested.length) {
      throw new AssertionError("frame " + frame + " out of range [0, " + arenaFrames + ")");
    }
    return frame;
  }

  /** {@code order} as an index into the per-order arrays (see {@link #frameIndex}). */
  @Holding("lock")
  private @IndexFor({"this.freeHead", "this.nrFree"}) int orderIndex(int order) {
    if (order < 0 || order >= freeHead.length || order >= nrFree.length) {
      throw new AssertionError("order " + order + " out of range [0, " + maxOrder + "]");
    }
    return order;
  }

  // ---- observability ----

  /** Number of free frames (the kernel's {@code NR_FREE_PAGES}). */
  public long freeFrameCount() {
    synchronized (lock) {
      long total = 0;
      for (int k = 0; k <= maxOrder; k++) {
        total += nrFree[orderIndex(k)] << k;
      }
      return total;
    }
  }

  /** Number of frames this allocator manages: every frame of the arena except frame 0. */
  public long totalFrames() {
    return arenaFrames - 1L;
  }

  /** The largest order a block can have; {@link #allocFrames} of more than 2^maxOrder gives 0. */
  public int maxOrder() {
    return maxOrder;
  }

  /** Free blocks per order, index = order (one row of {@code /proc/buddyinfo}). */
  public long[] freeBlocksPerOrder() {
    synchronized (lock) {
      long[] copy = new long[nrFree.length];
      System.arraycopy(nrFree, 0, copy, 0, copy.length);
      return copy;
    }
  }

  /** This allocator as a {@code /proc/buddyinfo} line: free blocks per order. */
  public String buddyinfo() {
    long[] counts = freeBlocksPerOrder();
    StringBuilder sb = new StringBuilder(String.format("Node %d, zone %8s ", 0, "Normal"));
    for (long c : counts) {
      sb.append(String.format("%6d ", c));
    }
    return sb.append('\n').toString();
  }

  // Object.toString is @LockingFree for the Lock Checker, so this shows only the fixed geometry;
  // the free counts need the lock (see buddyinfo()).
  @Override
  public String toString(@GuardSatisfied BuddyFrameAllocator this) {
    return "BuddyFrameAllocator[frames=" + (arenaFrames - 1) + ", frameSize=" + frameSize
        + ", maxOrder=" + maxOrder + "]";
  }
}
