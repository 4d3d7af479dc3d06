package jslub.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BuddyFrameAllocatorTest {
  static final int FRAME = 4096;

  /** A live block: first frame number and the count it was allocated with. */
  record Block(long frame, int count) {}

  static BuddyFrameAllocator buddy(int arenaFrames) {
    return new BuddyFrameAllocator((long) arenaFrames * FRAME, FRAME);
  }

  /** Allocates, checks alignment, range and (through {@code used}) overlap; null if exhausted. */
  static Block allocChecked(BuddyFrameAllocator b, int count, BitSet used) {
    long addr = b.allocFrames(count);
    if (addr == 0) {
      return null;
    }
    assertEquals(0, addr % FRAME, "frame aligned");
    long frame = addr / FRAME;
    int span = 1 << BuddyFrameAllocator.orderFor(count);
    assertTrue(frame >= 1, "frame 0 is never handed out");
    assertTrue(frame + span <= b.totalFrames() + 1, "inside the arena");
    assertEquals(0, frame % span, "naturally aligned to its order");
    for (long f = frame; f < frame + span; f++) {
      assertFalse(used.get((int) f), "frame " + f + " handed out twice");
      used.set((int) f);
    }
    return new Block(frame, count);
  }

  static void freeChecked(BuddyFrameAllocator b, Block blk, BitSet used) {
    int span = 1 << BuddyFrameAllocator.orderFor(blk.count());
    used.clear((int) blk.frame(), (int) blk.frame() + span);
    b.freeFrames(blk.frame() * FRAME, blk.count());
  }

  @Test
  void seedsMaximalAlignedBlocksInANonPowerOfTwoArena() {
    // Frames 1..99: 1 | 2-3 | 4-7 | 8-15 | 16-31 | 32-63 | 64-95 | 96-99
    BuddyFrameAllocator b = buddy(100);
    assertEquals(99, b.totalFrames());
    assertEquals(99, b.freeFrameCount());
    assertEquals(5, b.maxOrder());
    assertArrayEquals(new long[] {1, 1, 2, 1, 1, 2}, b.freeBlocksPerOrder());
  }

  @Test
  void seedsOneBlockPerOrderInA64MiBArena() {
    BuddyFrameAllocator b = new BuddyFrameAllocator(64L << 20, FRAME);
    assertEquals(16383, b.totalFrames());
    assertEquals(13, b.maxOrder(), "8192..16383 is one order-13 block");
    long[] expected = new long[14];
    java.util.Arrays.fill(expected, 1);
    assertArrayEquals(expected, b.freeBlocksPerOrder());
  }

  @Test
  void maxOrderCapLimitsBlocks() {
    BuddyFrameAllocator b = new BuddyFrameAllocator(64L << 20, FRAME, 10);
    assertEquals(10, b.maxOrder());
    assertEquals(0, b.allocFrames(2048), "order 11 exceeds the cap");
    // 1..1023 give one block of each order 0..9; 1024..16383 are fifteen order-10 blocks.
    assertEquals(15, b.freeBlocksPerOrder()[10]);
    long[] blocks = new long[15];
    for (int i = 0; i < blocks.length; i++) {
      blocks[i] = b.allocFrames(1024);
    }
    for (long x : blocks) {
      b.freeFrames(x, 1024); // order-10 buddies meet at the cap and stay apart
    }
    assertEquals(15, b.freeBlocksPerOrder()[10]);
  }

  @Test
  void splitsTheSmallestFittingBlockAndKeepsTheLowHalf() {
    // Frames 1..15: 1 (o0) | 2-3 (o1) | 4-7 (o2) | 8-15 (o3)
    BuddyFrameAllocator b = buddy(16);
    assertEquals(1 * FRAME, b.allocFrames(1), "the order-0 block first");
    assertEquals(2 * FRAME, b.allocFrames(1), "then the low half of 2-3");
    assertArrayEquals(new long[] {1, 0, 1, 1}, b.freeBlocksPerOrder(), "3 stayed free");
    assertEquals(3 * FRAME, b.allocFrames(1));
    assertEquals(4 * FRAME, b.allocFrames(1), "4-7 split into 4 | 5 | 6-7");
    assertArrayEquals(new long[] {1, 1, 0, 1}, b.freeBlocksPerOrder());
    assertEquals(6 * FRAME, b.allocFrames(2), "the order-1 block 6-7");
    assertEquals(8 * FRAME, b.allocFrames(3), "3 frames round up to order 2: 8-11 of 8-15");
    assertArrayEquals(new long[] {1, 0, 1, 0}, b.freeBlocksPerOrder());
    assertEquals(15 - 4 - 2 - 4, b.freeFrameCount());
  }

  @Test
  void coalescesWithFreeBuddiesUpTheOrders() {
    BuddyFrameAllocator b = buddy(16); // 1 | 2-3 | 4-7 | 8-15
    for (int i = 0; i < 15; i++) {
      assertNotEquals(0, b.allocFrames(1));
    }
    assertArrayEquals(new long[] {0, 0, 0, 0}, b.freeBlocksPerOrder());
    // 3 and 4 are adjacent order-0 blocks but not buddies (3's buddy is 2): no merge.
    b.freeFrames(3L * FRAME, 1);
    b.freeFrames(4L * FRAME, 1);
    assertArrayEquals(new long[] {2, 0, 0, 0}, b.freeBlocksPerOrder());
    for (int f = 8; f <= 14; f++) {
      b.freeFrames((long) f * FRAME, 1);
    }
    // 8+9 -> 8-9; 10+11 -> 10-11 -> 8-11; 12+13 -> 12-13; 14 waits for 15.
    assertArrayEquals(new long[] {3, 1, 1, 0}, b.freeBlocksPerOrder());
    b.freeFrames(15L * FRAME, 1);
    assertArrayEquals(new long[] {2, 0, 0, 1}, b.freeBlocksPerOrder(), "8-15 whole again");
    assertEquals(8L * FRAME, b.allocFrames(8));
  }

  @Test
  void exhaustionReturnsZeroAndFrame0IsNeverReturned() {
    BuddyFrameAllocator b = buddy(100);
    BitSet used = new BitSet();
    List<Block> live = new ArrayList<>();
    Block blk;
    while ((blk = allocChecked(b, 1, used)) != null) {
      live.add(blk);
    }
    assertEquals(99, live.size());
    assertFalse(used.get(0));
    assertEquals(0, b.freeFrameCount());
    assertEquals(0, b.allocFrames(1));
    assertEquals(0, b.allocFrames(64), "more than 2^maxOrder frames");
    // One free frame whose buddy is live: still nothing for an order-1 request.
    freeChecked(b, live.remove(10), used);
    assertEquals(0, b.allocFrames(2));
    assertNotEquals(0, b.allocFrames(1));
  }

  @Test
  void requestsLargerThanTheLargestOrderGetZero() {
    BuddyFrameAllocator b = buddy(100);
    assertEquals(0, b.allocFrames(33));
    assertEquals(0, b.allocFrames(Integer.MAX_VALUE));
    assertEquals(99, b.freeFrameCount());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
  void allocRejectsCountBelowOne(int count) {
    BuddyFrameAllocator b = buddy(16);
    assertThrows(IllegalArgumentException.class, () -> b.allocFrames(count));
  }

  enum FreeOrder { FORWARD, REVERSE, SHUFFLED }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(FreeOrder.class)
  void allocateEverythingThenFreeEverythingRestoresTheSeedShape(FreeOrder order) {
    for (int arena : new int[] {2, 3, 16, 100, 1000, 4096}) {
      BuddyFrameAllocator b = buddy(arena);
      long[] initial = b.freeBlocksPerOrder();
      Random rnd = new Random(arena * 31L + order.ordinal());
      BitSet used = new BitSet();
      List<Block> live = new ArrayList<>();
      // Mixed sizes until a few requests in a row fail, then single frames until nothing is left.
      for (int misses = 0; misses < 20; ) {
        Block blk = allocChecked(b, 1 + rnd.nextInt(40), used);
        if (blk == null) {
          misses++;
        } else {
          live.add(blk);
        }
      }
      Block blk;
      while ((blk = allocChecked(b, 1, used)) != null) {
        live.add(blk);
      }
      assertEquals(0, b.freeFrameCount(), "arena " + arena);
      switch (order) {
        case FORWARD -> {}
        case REVERSE -> Collections.reverse(live);
        case SHUFFLED -> Collections.shuffle(live, rnd);
      }
      for (Block x : live) {
        freeChecked(b, x, used);
      }
      assertEquals(b.totalFrames(), b.freeFrameCount(), "arena " + arena);
      assertArrayEquals(initial, b.freeBlocksPerOrder(), "arena " + arena + " " + order);
      // The free lists hold what the counts say: every frame can be handed out again.
      int again = 0;
      while (allocChecked(b, 1, used) != null) {
        again++;
      }
      assertEquals(b.totalFrames(), again, "arena " + arena + " " + order + ": frames again");
    }
  }

  @Test
  void order11BlocksIn64MiB() {
    BuddyFrameAllocator b = new BuddyFrameAllocator(64L << 20, FRAME);
    long[] initial = b.freeBlocksPerOrder();
    long blockBytes = 2048L * FRAME; // 8 MiB
    List<Long> got = new ArrayList<>();
    long a;
    while ((a = b.allocFrames(2048)) != 0) {
      assertEquals(0, a % blockBytes, "8 MiB block aligned to 8 MiB");
      got.add(a);
    }
    // 1..2047 hold only smaller blocks; 2048..16383 make seven order-11 blocks.
    assertEquals(7, got.size());
    for (long x : got) {
      b.freeFrames(x, 2048);
    }
    assertArrayEquals(initial, b.freeBlocksPerOrder());
    assertEquals(8192L * FRAME, b.allocFrames(8192), "the order-13 block is whole again");
  }

  // ---- invalid frees: each is rejected and changes nothing ----

  /** Asserts that {@code bad} throws IllegalArgumentException containing {@code words}. */
  static void assertRejectedUnchanged(BuddyFrameAllocator b, Runnable bad, String words) {
    long[] before = b.freeBlocksPerOrder();
    long free = b.freeFrameCount();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad::run);
    assertTrue(e.getMessage().contains(words), "message '" + e.getMessage() + "' lacks " + words);
    assertArrayEquals(before, b.freeBlocksPerOrder(), "free lists unchanged");
    assertEquals(free, b.freeFrameCount(), "free count unchanged");
  }

  @Test
  void invalidFreesAreRejectedAndChangeNothing() {
    BuddyFrameAllocator b = buddy(64);
    long three = b.allocFrames(3); // order 2, 4 frames
    long one = b.allocFrames(1);
    long never = 40L * FRAME; // inside a free block
    assertRejectedUnchanged(b, () -> b.freeFrames(three + 1, 3), "misaligned");
    assertRejectedUnchanged(b, () -> b.freeFrames(three + FRAME / 2, 3), "misaligned");
    assertRejectedUnchanged(b, () -> b.freeFrames(0, 1), "outside");
    assertRejectedUnchanged(b, () -> b.freeFrames(-FRAME, 1), "outside");
    assertRejectedUnchanged(b, () -> b.freeFrames(64L * FRAME, 1), "outside");
    assertRejectedUnchanged(b, () -> b.freeFrames(Long.MAX_VALUE & -FRAME, 1), "outside");
    assertRejectedUnchanged(b, () -> b.freeFrames(three, 0), "count");
    assertRejectedUnchanged(b, () -> b.freeFrames(three, 4), "3 frames were allocated");
    assertRejectedUnchanged(b, () -> b.freeFrames(three, 2), "3 frames were allocated");
    assertRejectedUnchanged(b, () -> b.freeFrames(three, 1), "3 frames were allocated");
    assertRejectedUnchanged(b, () -> b.freeFrames(three + FRAME, 1), "not the first frame");
    assertRejectedUnchanged(b, () -> b.freeFrames(never + FRAME, 1), "not the first frame");
    b.freeFrames(one, 1);
    assertRejectedUnchanged(b, () -> b.freeFrames(one, 1), "double free");
    // The live block survived every bad free and still frees normally.
    b.freeFrames(three, 3);
    assertRejectedUnchanged(b, () -> b.freeFrames(three, 3), "");
    assertEquals(b.totalFrames(), b.freeFrameCount());
    assertArrayEquals(buddy(64).freeBlocksPerOrder(), b.freeBlocksPerOrder());
  }

  /** The edges the constructor accepts: 1-byte frames, and a cap of order 0. */
  @Test
  void smallestValidSettingsWork() {
    BuddyFrameAllocator bytes = new BuddyFrameAllocator(16, 1); // 1 is a power of two
    assertEquals(15, bytes.totalFrames());
    assertEquals(8, bytes.allocFrames(8), "the order-3 block at frame 8");
    BuddyFrameAllocator flat = new BuddyFrameAllocator(16L * FRAME, FRAME, 0);
    assertEquals(0, flat.maxOrder());
    assertEquals(0, flat.allocFrames(2), "no order-1 block under a cap of 0");
    BitSet used = new BitSet();
    List<Block> live = new ArrayList<>();
    Block blk;
    while ((blk = allocChecked(flat, 1, used)) != null) {
      live.add(blk);
    }
    assertEquals(15, live.size());
    for (Block x : live) {
      freeChecked(flat, x, used); // buddies meet, but nothing merges past the cap
    }
    assertEquals(15, flat.freeBlocksPerOrder()[0]);
  }

  @Test
  void constructorRejectsBadGeometry() {
    assertThrows(IllegalArgumentException.class, () -> new BuddyFrameAllocator(1 << 20, 0));
    assertThrows(IllegalArgumentException.class, () -> new BuddyFrameAllocator(1 << 20, 3000));
    assertThrows(IllegalArgumentException.class, () -> new BuddyFrameAllocator(FRAME, FRAME));
    assertThrows(IllegalArgumentException.class, () -> new BuddyFrameAllocator(-1, FRAME));
    assertThrows(IllegalArgumentException.class, () -> new BuddyFrameAllocator(1 << 20, FRAME, -1));
    assertThrows(
        IllegalArgumentException.class, () -> new BuddyFrameAllocator(Long.MAX_VALUE, 64));
    BuddyFrameAllocator tiny = new BuddyFrameAllocator(2L * FRAME, FRAME);
    assertEquals(0, tiny.maxOrder());
    assertEquals(FRAME, tiny.allocFrames(1));
    assertEquals(0, tiny.allocFrames(1));
  }

  @Test
  void buddyinfoLooksLikeProc() {
    BuddyFrameAllocator b = buddy(100);
    String line = b.buddyinfo();
    assertTrue(line.startsWith("Node 0, zone   Normal "), line);
    assertTrue(line.endsWith("\n"));
    String[] fields = line.substring("Node 0, zone   Normal".length()).trim().split("\\s+");
    long[] counts = new long[fields.length];
    for (int i = 0; i < fields.length; i++) {
      counts[i] = Long.parseLong(fields[i]);
    }
    assertArrayEquals(b.freeBlocksPerOrder(), counts);
  }

  @Test
  void orderForRoundsUpToAPowerOfTwo() {
    assertEquals(0, BuddyFrameAllocator.orderFor(1));
    assertEquals(1, BuddyFrameAllocator.orderFor(2));
    assertEquals(2, BuddyFrameAllocator.orderFor(3));
    assertEquals(2, BuddyFrameAllocator.orderFor(4));
    assertEquals(3, BuddyFrameAllocator.orderFor(5));
    assertEquals(11, BuddyFrameAllocator.orderFor(2048));
    assertEquals(31, BuddyFrameAllocator.orderFor(Integer.MAX_VALUE));
  }
}
