package jslub.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import org.checkerframework.checker.lock.qual.GuardSatisfied;

/**
 * The machine's RAM: one off-heap arena, addressed by {@code long} byte offsets, where offset 0 is
 * NULL (frame 0 is never handed out, so no object can live at address 0).
 *
 * <p>The arena is shared ({@link Arena#ofShared()}): any thread may touch any object. Free pointers
 * live in-band in object memory and are read while other CPUs may be writing them (the kernel's
 * {@code get_freepointer_safe}); those accesses go through {@link #getLongOpaque} /
 * {@link #putLongOpaque} so a racing read sees some whole value, never a torn one.
 */
public final class PhysicalMemory implements AutoCloseable {
  /** Alignment of the arena base: one cache line, so colour offsets are real cache lines. */
  public static final long BASE_ALIGN = 64;

  private static final VarHandle LONG =
      ValueLayout.JAVA_LONG.varHandle().withInvokeExactBehavior();

  private final Arena arena;
  private final MemorySegment ram;
  private final int frameSize;
  private final int frameShift;
  private final long frames;

  /**
   * Maps {@code bytes} of RAM (rounded down to whole frames) in frames of {@code frameSize} bytes.
   *
   * @throws IllegalArgumentException if frameSize is not a power of two ≥ 64, or fewer than two
   *     frames result (frame 0 is reserved as NULL)
   */
  public PhysicalMemory(long bytes, int frameSize) {
    if (frameSize < 64 || Integer.bitCount(frameSize) != 1) {
      throw new IllegalArgumentException("frameSize must be a power of two >= 64, got " + frameSize);
    }
    long nframes = bytes / frameSize;
    if (nframes < 2) {
      throw new IllegalArgumentException(
          "memoryBytes " + bytes + " gives fewer than 2 frames of " + frameSize + " bytes");
    }
    this.frameSize = frameSize;
    this.frameShift = Integer.numberOfTrailingZeros(frameSize);
    this.frames = nframes;
    this.arena = Arena.ofShared();
    this.ram = arena.allocate(nframes * frameSize, Math.max(BASE_ALIGN, 64));
  }

  /** The whole arena; index {@code addr} is the byte at address {@code addr}. */
  public MemorySegment segment() {
    return ram;
  }

  public int frameSize() {
    return frameSize;
  }

  public int frameShift() {
    return frameShift;
  }

  /** Number of frames, including the reserved frame 0. */
  public long frameCount() {
    return frames;
  }

  public long bytes() {
    return frames << frameShift;
  }

  /** Frame number holding {@code addr} (the kernel's {@code virt_to_pfn}). */
  public long frameOf(long addr) {
    return addr >>> frameShift;
  }

  /** True iff {@code [addr, addr+len)} lies inside the arena and does not touch frame 0. */
  public boolean contains(long addr, long len) {
    return addr >= frameSize && len >= 0 && addr <= bytes() - len;
  }

  /** A bounds-checked view of {@code [addr, addr+size)}. */
  public MemorySegment slice(long addr, long size) {
    return ram.asSlice(addr, size);
  }

  public long getLong(long addr) {
    return (long) LONG.get(ram, addr);
  }

  public void putLong(long addr, long value) {
    LONG.set(ram, addr, value);
  }

  /** Untorn read of a word other CPUs may be writing (in-band free pointer). */
  public long getLongOpaque(long addr) {
    return (long) LONG.getOpaque(ram, addr);
  }

  public void putLongOpaque(long addr, long value) {
    LONG.setOpaque(ram, addr, value);
  }

  public byte getByte(long addr) {
    return ram.get(ValueLayout.JAVA_BYTE, addr);
  }

  public void putByte(long addr, byte value) {
    ram.set(ValueLayout.JAVA_BYTE, addr, value);
  }

  /** Fills {@code [addr, addr+len)} with {@code value} (poisoning, red zones). */
  public void fill(long addr, long len, byte value) {
    ram.asSlice(addr, len).fill(value);
  }

  /** Unmaps the arena; every later access throws {@link IllegalStateException}. */
  // @GuardSatisfied: the Lock Checker's default receiver does not match AutoCloseable.close's.
  @Override
  public void close(@GuardSatisfied PhysicalMemory this) {
    arena.close();
  }
}
