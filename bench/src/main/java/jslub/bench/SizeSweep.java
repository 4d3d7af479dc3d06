package jslub.bench;

import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import jslub.SlabSystem;
import org.openjdk.jmh.annotations.Param;
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
 * One alloc+free pair per size, 8 B to 8 KiB: jslub kmalloc/kfree, glibc malloc/free (FFM), and
 * Netty adaptive on its own threads (the fastest Netty row at 64 B).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
    "--sun-misc-unsafe-memory-access=allow", "-Dio.netty.allocator.useCacheForAllThreads=true",
    "-Djmh.executor=CUSTOM", "-Djmh.executor.class=jslub.bench.FtlExecutor"})
@State(Scope.Thread)
public class SizeSweep {
  @Param({"8", "16", "32", "64", "128", "256", "512", "1024", "2048", "4096", "8192"})
  public int size;

  SlabSystem sys;
  ByteBufAllocator adaptive;

  @Setup(Level.Trial)
  public void setup() {
    sys = Systems.plain();
    adaptive = new AdaptiveByteBufAllocator(true, true);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    sys.close();
  }

  @Benchmark
  public long jslubKmalloc() {
    long a = sys.kmalloc(size, 0);
    sys.kfree(a);
    return a;
  }

  @Benchmark
  public long glibcMalloc() {
    long p = Glibc.malloc(size);
    Glibc.free(p);
    return p;
  }

  @Benchmark
  public ByteBuf nettyAdaptive() {
    ByteBuf b = adaptive.directBuffer(size, size);
    b.release();
    return b;
  }
}
