package jslub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import jslub.memory.FrameAllocator;
import jslub.memory.PhysicalMemory;
import org.junit.jupiter.api.Test;

/**
 * docs/BAD-INPUT.md, "A FrameAllocator that answers with a bad block": a user-supplied page
 * allocator whose block is not frame-aligned or runs past the arena is refused by new_slab with
 * the documented message, before any slab is built on it.
 */
class BadFrameAllocatorTest {
  private static void refused(java.util.function.LongUnaryOperator answer, String expected) {
    AtomicLong bytes = new AtomicLong();
    try (SlabSystem s = SlabSystem.builder().cpus(1).memoryBytes(1L << 20)
        .frameAllocator((PhysicalMemory m) -> {
          bytes.set(m.bytes());
          return new FrameAllocator() {
            @Override
            public long allocFrames(int count) {
              return answer.applyAsLong(m.bytes());
            }

            @Override
            public void freeFrames(long addr, int count) {}
          };
        }).build()) {
      KmemCache c = s.createCache("x", 1024, 0); // order-1 slabs: two frames per request
      IllegalStateException e = assertThrows(IllegalStateException.class, c::alloc);
      assertEquals(expected.replace("END", Long.toHexString(bytes.get() - 4096)),
          e.getMessage());
      assertEquals(0, c.counts().slabs());
      assertEquals(List.of(), s.validate());
    }
  }

  @Test
  void aBlockNotOnAFrameBoundary() {
    refused(end -> 4096 + 8, "frame allocator returned a bad block 0x1008 of 2 frames");
  }

  @Test
  void aBlockRunningPastTheArena() {
    refused(end -> end - 4096, "frame allocator returned a bad block 0xEND of 2 frames");
  }
}
