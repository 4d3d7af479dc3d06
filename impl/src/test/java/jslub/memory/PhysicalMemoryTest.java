package jslub.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PhysicalMemoryTest {
  @ParameterizedTest
  @ValueSource(ints = {0, -4096, 1, 32, 63, 100, 4095})
  void rejectsBadFrameSize(int frameSize) {
    assertThrows(IllegalArgumentException.class, () -> new PhysicalMemory(1 << 20, frameSize));
  }

  @Test
  void rejectsFewerThanTwoFrames() {
    assertThrows(IllegalArgumentException.class, () -> new PhysicalMemory(4096, 4096));
    assertThrows(IllegalArgumentException.class, () -> new PhysicalMemory(8191, 4096));
    try (PhysicalMemory m = new PhysicalMemory(8192, 4096)) {
      assertEquals(2, m.frameCount());
    }
  }

  @Test
  void geometryRoundsDownToWholeFrames() {
    try (PhysicalMemory m = new PhysicalMemory(10 * 4096 + 100, 4096)) {
      assertEquals(10, m.frameCount());
      assertEquals(10 * 4096, m.bytes());
      assertEquals(12, m.frameShift());
      assertEquals(3, m.frameOf(3 * 4096 + 4095));
      assertEquals(0, m.segment().address() % PhysicalMemory.BASE_ALIGN);
    }
  }

  @Test
  void frame0IsReservedByContains() {
    try (PhysicalMemory m = new PhysicalMemory(4 * 4096, 4096)) {
      assertFalse(m.contains(0, 1), "NULL");
      assertFalse(m.contains(4095, 1), "last byte of frame 0");
      assertTrue(m.contains(4096, 8));
      assertTrue(m.contains(m.bytes() - 8, 8), "up to the last byte");
      assertFalse(m.contains(m.bytes() - 8, 9), "one past the end");
      assertFalse(m.contains(4096, -1));
      assertFalse(m.contains(-4096, 8));
      assertFalse(m.contains(4096, Long.MAX_VALUE), "no overflow");
      assertTrue(m.contains(4096, 0));
    }
  }

  @Test
  void sliceAndAccessorsAreBoundsChecked() {
    try (PhysicalMemory m = new PhysicalMemory(4 * 4096, 4096)) {
      assertEquals(64, m.slice(4096, 64).byteSize());
      assertThrows(IndexOutOfBoundsException.class, () -> m.slice(m.bytes() - 8, 16));
      assertThrows(IndexOutOfBoundsException.class, () -> m.slice(-1, 8));
      assertThrows(IndexOutOfBoundsException.class, () -> m.getLong(m.bytes() - 4));
      assertThrows(IndexOutOfBoundsException.class, () -> m.putByte(m.bytes(), (byte) 1));
    }
  }

  @Test
  void readsBackWhatWasWritten() {
    try (PhysicalMemory m = new PhysicalMemory(4 * 4096, 4096)) {
      m.putLong(4096, 0x1122334455667788L);
      assertEquals(0x1122334455667788L, m.getLong(4096));
      m.putLongOpaque(8192, -5);
      assertEquals(-5, m.getLongOpaque(8192));
      m.fill(12288, 16, (byte) 0x6b);
      assertEquals((byte) 0x6b, m.getByte(12288 + 15));
      assertEquals(0x6b6b6b6b6b6b6b6bL, m.getLong(12288 + 8));
      m.putByte(12288 + 16, (byte) 0xa5);
      assertEquals((byte) 0xa5, m.getByte(12288 + 16));
    }
  }

  @Test
  void closeMakesEveryAccessFail() {
    PhysicalMemory m = new PhysicalMemory(4 * 4096, 4096);
    m.putLong(4096, 1);
    m.close();
    assertThrows(IllegalStateException.class, () -> m.getLong(4096));
    assertThrows(IllegalStateException.class, () -> m.putByte(4096, (byte) 0));
    assertThrows(IllegalStateException.class, () -> m.slice(4096, 8).get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
  }
}
