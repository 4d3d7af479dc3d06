package jslub.bench;

import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
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
 * Netty's pooled and adaptive allocators, one directBuffer(64) + release pair (and a heap one
 * for adaptive), on plain JMH threads. Pooled gets a thread cache on plain threads only with
 * {@code io.netty.allocator.useCacheForAllThreads=true}, set here; Netty 4.2's Recycler still
 * recycles its buffer objects only on FastThreadLocalThreads ({@link NettyPairsOnFtl}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
    "--sun-misc-unsafe-memory-access=allow", "-Dio.netty.allocator.useCacheForAllThreads=true"})
@State(Scope.Thread)
public class NettyPairs {
  static final int SIZE = 64;

  ByteBufAllocator pooled;
  ByteBufAllocator adaptive;

  @Setup(Level.Trial)
  public void setup() {
    pooled = new PooledByteBufAllocator(true);
    adaptive = new AdaptiveByteBufAllocator(true, true);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    // Nothing to close: the allocators' memory goes with the fork.
  }

  @Benchmark
  public ByteBuf pooledPair() {
    ByteBuf b = pooled.directBuffer(SIZE, SIZE);
    b.release();
    return b;
  }

  @Benchmark
  public ByteBuf adaptivePair() {
    ByteBuf b = adaptive.directBuffer(SIZE, SIZE);
    b.release();
    return b;
  }

  /** Adaptive with a heap buffer: no off-heap memory at all (jslub's objects are off-heap). */
  @Benchmark
  public ByteBuf adaptiveHeapPair() {
    ByteBuf b = adaptive.heapBuffer(SIZE, SIZE);
    b.release();
    return b;
  }
}
