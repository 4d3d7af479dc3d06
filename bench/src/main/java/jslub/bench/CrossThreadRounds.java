package jslub.bench;

import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jslub.KmemCache;
import jslub.SlabSystem;
import jslub.cpu.VirtualCpus;

/**
 * Cross-thread producer/consumer: one thread allocates 64-byte objects and hands them through an
 * SPSC ring to a second thread that frees them (every jslub free is then remote: __slab_free).
 * One JVM runs repeated rounds, each round every allocator once in a rotating order, so drift of
 * a shared machine hits all of them alike; the report is the median per allocator and the spread
 * (min, max) over rounds. The handoff row moves the same longs with no allocation at all.
 *
 * <p>{@code java -cp bench/target/benchmarks.jar jslub.bench.CrossThreadRounds [rounds] [items]
 * [json-out]}.
 */
public final class CrossThreadRounds {
  static final int RING = 1024;
  static final int SIZE = 64;

  /** One producer/consumer pair of operations: make an item, dispose of it on the other side. */
  interface Kind {
    String name();

    /** Producer side: the item (a long, or an object with its long 0). */
    void produce(SpscRing ring);

    /** Consumer side. */
    void consume(SpscRing ring);

    /** Called once on the producer thread before it starts. */
    default void producerStart() {}

    /** Called once on the consumer thread before it starts. */
    default void consumerStart() {}

    default boolean nettyThreads() {
      return false;
    }

    default void close() {}
  }

  private CrossThreadRounds() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    int items = args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000;
    Map<String, double[]> r = run(rounds, items, System.out);
    if (args.length > 2) {
      writeJson(Path.of(args[2]), r);
    }
  }

  /** Runs the rounds; returns ns per item per round, by allocator name. */
  public static Map<String, double[]> run(int rounds, int items, PrintStream out)
      throws InterruptedException {
    List<Kind> kinds = kinds();
    Map<String, double[]> ns = new LinkedHashMap<>();
    for (Kind k : kinds) {
      ns.put(k.name(), new double[rounds]);
    }
    for (Kind k : kinds) { // warm-up round, not recorded
      once(k, Math.max(1, items / 4));
    }
    for (int round = 0; round < rounds; round++) {
      for (int j = 0; j < kinds.size(); j++) {
        Kind k = kinds.get((round + j) % kinds.size());
        ns.get(k.name())[round] = once(k, items);
      }
      out.printf(Locale.ROOT, "round %d/%d done%n", round + 1, rounds);
    }
    for (Kind k : kinds) {
      k.close();
    }
    out.printf(Locale.ROOT, "%-16s %10s %10s %10s %8s%n", "cross-thread", "median ns", "min", "max",
        "spread");
    for (Map.Entry<String, double[]> e : ns.entrySet()) {
      double[] v = e.getValue().clone();
      Arrays.sort(v);
      double med = v[v.length / 2];
      out.printf(Locale.ROOT, "%-16s %10.1f %10.1f %10.1f %7.0f%%%n", e.getKey(), med, v[0],
          v[v.length - 1], 100 * (v[v.length - 1] - v[0]) / med);
    }
    return ns;
  }

  /** One producer/consumer run of {@code items}; ns per item, from start to the last free. */
  static double once(Kind k, int items) throws InterruptedException {
    SpscRing ring = new SpscRing(RING);
    Runnable producer = () -> {
      k.producerStart();
      for (int i = 0; i < items; i++) {
        k.produce(ring);
      }
    };
    Runnable consumer = () -> {
      k.consumerStart();
      for (int i = 0; i < items; i++) {
        k.consume(ring);
      }
    };
    Thread p = k.nettyThreads() ? new FastThreadLocalThread(producer) : new Thread(producer);
    Thread c = k.nettyThreads() ? new FastThreadLocalThread(consumer) : new Thread(consumer);
    long t0 = System.nanoTime();
    c.start();
    p.start();
    p.join();
    c.join();
    return (System.nanoTime() - t0) / (double) items;
  }

  static List<Kind> kinds() {
    List<Kind> kinds = new ArrayList<>();
    kinds.add(new Kind() {
      @Override
      public String name() {
        return "handoff";
      }

      @Override
      public void produce(SpscRing ring) {
        ring.put(64, null);
      }

      @Override
      public void consume(SpscRing ring) {
        ring.take();
      }
    });
    kinds.add(jslub());
    kinds.add(netty("netty-adaptive", new AdaptiveByteBufAllocator(true, true)));
    kinds.add(netty("netty-pooled", new PooledByteBufAllocator(true)));
    return kinds;
  }

  /** jslub: producer on virtual CPU 0, consumer on CPU 1, so each free is a remote one. */
  static Kind jslub() {
    SlabSystem sys = Systems.plain();
    KmemCache cache = sys.createCache("cross-64", SIZE, 8);
    VirtualCpus cpus = (VirtualCpus) sys.cpuId();
    return new Kind() {
      @Override
      public String name() {
        return "jslub";
      }

      @Override
      public void producerStart() {
        cpus.bindCurrent(0);
      }

      @Override
      public void consumerStart() {
        cpus.bindCurrent(1);
      }

      @Override
      public void produce(SpscRing ring) {
        ring.put(cache.alloc(), null);
      }

      @Override
      public void consume(SpscRing ring) {
        cache.free(ring.take());
      }

      @Override
      public void close() {
        sys.close();
      }
    };
  }

  static Kind netty(String name, ByteBufAllocator a) {
    return new Kind() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public void produce(SpscRing ring) {
        ring.put(0, a.directBuffer(SIZE, SIZE));
      }

      @Override
      public void consume(SpscRing ring) {
        ring.take();
        ((ByteBuf) ring.lastRef).release();
      }

      @Override
      public boolean nettyThreads() {
        return true;
      }
    };
  }

  /** The rounds as JSON: {"name": {"median": m, "min": a, "max": b, "rounds": [...]}, ...}. */
  public static void writeJson(Path file, Map<String, double[]> ns) throws IOException {
    StringBuilder sb = new StringBuilder("{\n");
    int i = 0;
    for (Map.Entry<String, double[]> e : ns.entrySet()) {
      double[] v = e.getValue().clone();
      Arrays.sort(v);
      sb.append(String.format(Locale.ROOT, "  \"%s\": {\"median\": %.2f, \"min\": %.2f, "
          + "\"max\": %.2f, \"rounds\": %s}%s%n", e.getKey(), v[v.length / 2], v[0],
          v[v.length - 1], Arrays.toString(e.getValue()), ++i < ns.size() ? "," : ""));
    }
    sb.append("}\n");
    Files.writeString(file, sb.toString());
  }
}
