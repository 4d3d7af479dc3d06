package jslub.bench;

import io.netty.util.concurrent.FastThreadLocalThread;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;

/**
 * {@link NettyPairs} run on Netty's own thread type ({@link FtlExecutor}): its thread caches and
 * Recycler work as in a Netty event loop. This is the Netty figure jslub's targets name.
 */
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
    "--sun-misc-unsafe-memory-access=allow", "-Dio.netty.allocator.useCacheForAllThreads=true",
    "-Djmh.executor=CUSTOM", "-Djmh.executor.class=jslub.bench.FtlExecutor"})
public class NettyPairsOnFtl extends NettyPairs {
  /** Refuses to measure on a plain thread (a -jvmArgsAppend on the command line drops ours). */
  @Setup(Level.Trial)
  public void onNettyThread() {
    if (!(Thread.currentThread() instanceof FastThreadLocalThread)) {
      throw new IllegalStateException("not on a FastThreadLocalThread: run with -Djmh.executor="
          + "CUSTOM -Djmh.executor.class=jslub.bench.FtlExecutor");
    }
  }
}
