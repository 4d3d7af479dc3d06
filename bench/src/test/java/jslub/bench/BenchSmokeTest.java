package jslub.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The build's check of bench/: every benchmark method runs a few times as plain code (so a
 * broken setup or a benchmark that throws fails here, not an hour into a JMH run), and the
 * annotation processor ran (the BenchmarkList names every benchmark class). No timing.
 */
class BenchSmokeTest {
  static final int CALLS = 1000;

  @Test
  void benchmarkListNamesEveryClass() throws IOException {
    String list;
    try (InputStream in = getClass().getResourceAsStream("/META-INF/BenchmarkList")) {
      assertNotNull(in, "no META-INF/BenchmarkList: the JMH annotation processor did not run");
      list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    for (String c : new String[] {"Floors", "JslubPairs", "GlibcPairs", "NettyPairs",
        "NettyPairsOnFtl", "SizeSweep"}) {
      assertTrue(list.contains("jslub.bench." + c), c + " missing from the BenchmarkList");
    }
  }

  @Test
  void floors() {
    Floors f = new Floors();
    f.setup();
    for (int i = 0; i < CALLS; i++) {
      assertEquals(f.stackPair(), f.stackPair());
      assertEquals(f.intrusivePair(), f.intrusivePair());
      assertEquals(f.twoCas(), f.twoCas());
      assertNotEquals(0, f.slicing());
    }
    f.tearDown();
  }

  @Test
  void jslubPairs() {
    JslubPairs b = new JslubPairs();
    b.setup();
    for (int i = 0; i < CALLS; i++) {
      assertNotEquals(0, b.cachePair());
      assertNotEquals(0, b.kmallocPair());
      assertNotEquals(0, b.bulk16());
      assertNotEquals(0, b.debugPair());
    }
    assertEquals(List.of(), b.cache.validate());
    assertEquals(List.of(), b.debugCache.validate());
    b.tearDown();
  }

  @Test
  void glibcAndNetty() {
    GlibcPairs g = new GlibcPairs();
    NettyPairs n = new NettyPairs();
    n.setup();
    for (int i = 0; i < CALLS; i++) {
      assertNotEquals(0, g.mallocPair());
      assertEquals(0, n.pooledPair().refCnt());
      assertEquals(0, n.adaptivePair().refCnt());
      assertEquals(0, n.adaptiveHeapPair().refCnt());
    }
    n.tearDown();
  }

  @Test
  void sizeSweep() {
    SizeSweep s = new SizeSweep();
    for (int size : new int[] {8, 64, 8192}) {
      s.size = size;
      s.setup();
      for (int i = 0; i < 100; i++) {
        assertNotEquals(0, s.jslubKmalloc());
        assertNotEquals(0, s.glibcMalloc());
        assertEquals(0, s.nettyAdaptive().refCnt());
      }
      s.tearDown();
    }
  }

  @Test
  void crossThreadRounds() throws InterruptedException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    Map<String, double[]> r = CrossThreadRounds.run(2, 2000, new PrintStream(buf, true,
        StandardCharsets.UTF_8));
    assertEquals(4, r.size());
    for (double[] v : r.values()) {
      assertEquals(2, v.length);
      assertTrue(v[0] > 0 && v[1] > 0);
    }
  }
}
