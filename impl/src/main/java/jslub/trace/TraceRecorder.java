package jslub.trace;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import jslub.slab.SlabCache;
import jslub.slab.SlabTrace;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Receives the core's steps (as the {@link SlabTrace.Sink}) and turns them into records of the
 * model's vocabulary (docs/model/TRACE-FORMAT.md): threads numbered 1..N in registration order,
 * slabs renumbered the way the model's NewSlab numbers them (the lowest number not in use; a
 * discarded slab frees its number), objects as {@code (slab - 1) * NObjs + index + 1}, the tid
 * reduced modulo the tid space given to TLC. Everything runs under the core's step lock, so the
 * records come in the order the steps took effect.
 */
public final class TraceRecorder implements SlabTrace.Sink {
  private final SlabCache cache;
  private final Map<Thread, Integer> threadIds = new HashMap<>();
  private final List<Integer> cpuOf = new ArrayList<>();
  private final IdentityHashMap<Object, Integer> slabNum = new IdentityHashMap<>();
  private final TreeSet<Integer> freeNums = new TreeSet<>();
  private int maxNum;
  private int objects = -1;
  private final long tidSpace;
  private final double yieldChance;
  private final List<String> records = new ArrayList<>();
  private final List<String> actions = new ArrayList<>();
  private final List<StackTraceElement[]> stacks = new ArrayList<>();
  private @Nullable String problem;
  private int migrations;
  private int maxBulkFree;

  /**
   * @param tidSpace the model's TidSpace (the Java tid space, capped to what TLC's integers hold)
   * @param yieldChance probability that a thread yields after a step (varies the schedules)
   */
  public TraceRecorder(SlabCache cache, long tidSpace, double yieldChance) {
    this.cache = cache;
    this.tidSpace = tidSpace;
    this.yieldChance = yieldChance;
  }

  /** Declares a client thread (model thread ids follow this order) and the CPU it is bound to. */
  public synchronized void register(Thread t, int cpu) {
    threadIds.put(t, threadIds.size() + 1);
    cpuOf.add(cpu);
  }

  @Override
  public synchronized void step(SlabTrace.Step s) {
    Integer t = threadIds.get(s.thread);
    if (t == null) {
      fail("step " + s.action + " by unregistered thread " + s.thread.getName());
      return;
    }
    if (s.born != null) {
      int n = freeNums.isEmpty() ? ++maxNum : freeNums.pollFirst();
      slabNum.put(s.born, n);
      if (objects < 0) {
        objects = s.objects;
      } else if (objects != s.objects) {
        fail("slabs with different object counts: " + objects + " and " + s.objects);
      }
    }
    StringBuilder b = new StringBuilder();
    b.append("[t |-> ").append(t).append(", a |-> \"").append(s.action).append('"');
    if (s.obj != null) {
      b.append(", obj |-> ").append(obj(s.obj));
    }
    if (!s.objs.isEmpty()) {
      StringBuilder a = new StringBuilder();
      for (SlabTrace.Ref r : s.objs) {
        a.append(a.length() == 0 ? "" : ", ").append(obj(r));
      }
      b.append(", objs |-> <<").append(a).append(">>");
      maxBulkFree = Math.max(maxBulkFree, s.objs.size());
    }
    if (s.toCpu >= 0) {
      b.append(", cpu |-> ").append(s.toCpu);
      migrations++;
    }
    if (s.to != null) {
      Integer u = threadIds.get(s.to);
      b.append(", to |-> ").append(u == null ? -1 : u);
    }
    if (s.hasCpu && s.fl != null) {
      b.append(", cpu |-> ").append(s.cpu);
      b.append(", fl |-> ").append(obj(s.fl));
      b.append(", tid |-> ").append(Long.remainderUnsigned(s.tid, tidSpace));
      b.append(", slab |-> ").append(slab(s.cpuSlab));
    }
    b.append(']');
    for (Object f : s.freed) {
      Integer n = slabNum.remove(f);
      if (n == null) {
        fail("freed a slab that was never numbered");
      } else {
        freeNums.add(n);
      }
    }
    records.add(b.toString());
    actions.add(s.action);
    stacks.add(s.stack);
  }

  @Override
  public void after() {
    if (yieldChance > 0 && ThreadLocalRandom.current().nextDouble() < yieldChance) {
      Thread.yield();
    }
  }

  private int slab(@Nullable Object slab) {
    if (slab == null) {
      return 0;
    }
    Integer n = slabNum.get(slab);
    if (n == null) {
      fail("a slab the trace never saw created");
      return 0;
    }
    return n;
  }

  private int obj(SlabTrace.Ref r) {
    if (r == SlabTrace.Ref.BUSY) {
      return -1;
    }
    if (r.slab() == null) {
      if (r.index() != 0) {
        fail("an address outside every slab");
      }
      return 0;
    }
    return (slab(r.slab()) - 1) * Math.max(objects, 1) + r.index() + 1;
  }

  private void fail(String why) {
    if (problem == null) {
      problem = why + " (at record " + (records.size() + 1) + ")";
    }
  }

  /** The first recording problem (an event the format cannot express), or null. */
  public synchronized @Nullable String problem() {
    return problem;
  }

  public synchronized List<String> records() {
    return List.copyOf(records);
  }

  public synchronized List<String> actions() {
    return List.copyOf(actions);
  }

  /** The Java stack of record {@code i} (1-based). */
  public synchronized StackTraceElement[] stack(int i) {
    return stacks.get(i - 1);
  }

  public synchronized int threads() {
    return threadIds.size();
  }

  public synchronized List<Integer> cpuOf() {
    return List.copyOf(cpuOf);
  }

  /** Highest slab number used: the model's NSlabs. */
  public synchronized int slabs() {
    return Math.max(maxNum, 1);
  }

  /** SetTaskCpu records so far: the model's MaxMigrations for this run. */
  public synchronized int migrations() {
    return migrations;
  }

  /** The longest kmem_cache_free_bulk array so far: the model's MaxBulkFree for this run. */
  public synchronized int maxBulkFree() {
    return maxBulkFree;
  }

  /** The model's NObjs. */
  public synchronized int objectsPerSlab() {
    return objects < 0 ? cache.layout().ooObjects : objects;
  }

  public long tidSpace() {
    return tidSpace;
  }

  public SlabCache cache() {
    return cache;
  }
}
