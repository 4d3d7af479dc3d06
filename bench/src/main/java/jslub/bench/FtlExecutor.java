package jslub.bench;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A JMH executor whose workers are Netty {@link FastThreadLocalThread}s
 * ({@code -Djmh.executor=CUSTOM -Djmh.executor.class=jslub.bench.FtlExecutor}); JMH calls the
 * (int, String) constructor.
 */
public final class FtlExecutor extends ThreadPoolExecutor {
  public FtlExecutor(int threads, String prefix) {
    super(threads, threads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(),
        new Factory(prefix));
  }

  private static final class Factory implements java.util.concurrent.ThreadFactory {
    private final String prefix;
    private final AtomicInteger n = new AtomicInteger();

    Factory(String prefix) {
      this.prefix = prefix;
    }

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new FastThreadLocalThread(r, prefix + "-ftl-" + n.getAndIncrement());
      t.setDaemon(true);
      return t;
    }
  }
}
