package jslub.bench;

import java.util.concurrent.TimeUnit;
import jslub.KmemCache;
import jslub.SlabSystem;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * jslub through the public API a user calls: kmem_cache_alloc/free, kmalloc/kfree, the bulk pair
 * (per object) and a debug "F" cache, each one alloc+free pair of a 64-byte object.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class JslubPairs {
  static final int BULK = 16;

  SlabSystem sys;
  KmemCache cache;
  SlabSystem debugSys;
  KmemCache debugCache;
  long[] batch;

  @Setup(Level.Trial)
  public void setup() {
    sys = Systems.plain();
    cache = sys.createCache("bench-64", 64, 8);
    debugSys = SlabSystem.builder().frameSize(4096).cacheLineSize(64).cpus(2)
        .memoryBytes(16L << 20).debug("F").build();
    debugCache = debugSys.createCache("bench-64-F", 64, 8);
    batch = new long[BULK];
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    sys.close();
    debugSys.close();
  }

  /** KmemCache.alloc + free: slab_alloc_node and do_slab_free, both lockless. */
  @Benchmark
  public long cachePair() {
    long a = cache.alloc();
    cache.free(a);
    return a;
  }

  /** kmalloc(64) + kfree: size-class lookup, then the same fast paths; kfree finds the slab. */
  @Benchmark
  public long kmallocPair() {
    long a = sys.kmalloc(64, 0);
    sys.kfree(a);
    return a;
  }

  /** kmem_cache_alloc_bulk + kmem_cache_free_bulk of 16 objects; the figure is per object. */
  @Benchmark
  @OperationsPerInvocation(BULK)
  public long bulk16() {
    cache.allocBulk(batch, BULK);
    long first = batch[0];
    cache.freeBulk(batch, BULK);
    return first;
  }

  /** A debug "F" cache: every alloc and free takes list_lock and runs the consistency checks. */
  @Benchmark
  public long debugPair() {
    long a = debugCache.alloc();
    debugCache.free(a);
    return a;
  }
}
