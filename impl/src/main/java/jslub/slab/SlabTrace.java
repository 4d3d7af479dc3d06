package jslub.slab;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import jslub.cpu.VirtualCpus;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The hook through which the core logs each atomic step for trace validation
 * (docs/model/TRACE-FORMAT.md). The recorder that numbers and writes the steps lives above this
 * layer, in {@code jslub.trace}, and installs itself as the {@link Sink}.
 *
 * <p>Off unless the JVM runs with {@code -Djslub.trace=true}. {@link #ON} is a static final, so
 * every call site, written {@code if (SlabTrace.ON) ...}, is folded away by the JIT when off: no
 * allocation and no extra memory access on the fast paths.
 *
 * <p>When on, a step is bracketed by {@link #begin} and one of the {@code end} methods: the step
 * lock (a spin lock that the Lock Checker does not treat as a lock; it guards no field) makes the
 * shared access and the log append one indivisible action, so the order of the log is the order
 * in which the steps took effect (a linearization). Lock acquisitions are logged just after the
 * acquire and releases just before the unlock, inside the locked region; both are movers.
 */
public final class SlabTrace {
  /** Tracing is on for this JVM. */
  public static final boolean ON = Boolean.getBoolean("jslub.trace");

  /** A freelist head as the model sees it: NULL, BUSY, or object {@code index} of a slab. */
  public record Ref(@Nullable Object slab, int index) {
    public static final Ref NULL = new Ref(null, 0);
    public static final Ref BUSY = new Ref(null, -1);
  }

  /** One logged step. Slabs are identified by their Java object; the recorder renumbers them. */
  public static final class Step {
    public final String action;
    public final Thread thread;
    /** The object a free starts with ({@code FreeReadCpuWord}), else null. */
    public @Nullable Ref obj;
    /** The CPU word and c.slab of the CPU the step acted on, read inside the step (or null). */
    public @Nullable Ref fl;
    public long tid;
    public int cpu = -1;
    public @Nullable Object cpuSlab;
    public boolean hasCpu;
    /** The client the object goes to ({@code Give}), else null. */
    public @Nullable Thread to;
    /** A slab that came into existence at this step (NewSlab), with its object count. */
    public @Nullable Object born;
    public int objects;
    /** The array of a kmem_cache_free_bulk call ({@code KmemCacheFreeBulk}), else empty. */
    public final List<Ref> objs = new ArrayList<>(0);
    /** The CPU a thread moves to ({@code SetTaskCpu}), else -1. */
    public int toCpu = -1;
    /** Slabs given back to the page allocator at this step (the model frees their numbers). */
    public final List<Object> freed = new ArrayList<>(0);
    /** The Java stack of the step, for reports. */
    public final StackTraceElement[] stack;

    Step(String action) {
      this.action = action;
      this.thread = Thread.currentThread();
      this.stack = new Throwable().getStackTrace();
    }
  }

  /** The receiver of steps (installed by jslub.trace). Called under the step lock. */
  public interface Sink {
    void step(Step s);

    /** Called after the step lock is dropped (a recorder may yield here to vary schedules). */
    default void after() {}
  }

  private static final AtomicReference<@Nullable Thread> OWNER = new AtomicReference<>();
  private static int depth; // only touched by the owner
  private static volatile @Nullable Sink sink;
  /** Slabs freed in the open bracket (only the step-lock owner touches it). */
  private static final List<Object> PENDING_FREED = new ArrayList<>();

  private SlabTrace() {}

  /** Installs the receiver (null: steps are bracketed but dropped). */
  public static void install(@Nullable Sink s) {
    sink = s;
  }

  /**
   * Drops the step lock if the calling thread holds it: for a client whose operation threw in
   * the middle of a step (a corrupted run with a bug switched on), so the others can go on.
   */
  public static void abandon() {
    if (OWNER.get() == Thread.currentThread()) {
      depth = 0;
      PENDING_FREED.clear();
      OWNER.set(null);
    }
  }

  /** Starts a step: takes the step lock (reentrant). */
  static void begin() {
    Thread me = Thread.currentThread();
    if (OWNER.get() == me) {
      depth++;
      return;
    }
    while (!OWNER.compareAndSet(null, me)) {
      Thread.yield();
    }
    depth = 1;
  }

  private static void finish(Step st) {
    List<Object> f = PENDING_FREED;
    st.freed.addAll(f);
    f.clear();
    Sink k = sink;
    if (k != null) {
      k.step(st);
    }
    if (--depth == 0) {
      OWNER.set(null);
      if (k != null) {
        k.after();
      }
    }
  }

  /** Ends a step that names no CPU. */
  static void end(String action) {
    finish(new Step(action));
  }

  /** Ends a step on CPU word {@code c}: the word and c.slab are observed as the step left them. */
  static void end(String action, SlabCache s, KmemCacheCpu c) {
    Step st = new Step(action);
    observe(st, s, c);
    finish(st);
  }

  /** Ends the first step of a free of {@code object} (FreeReadCpuWord). */
  static void endFree(String action, SlabCache s, KmemCacheCpu c, long object) {
    Step st = new Step(action);
    st.obj = ref(s, object);
    observe(st, s, c);
    finish(st);
  }

  /** A NewSlab step: {@code slab} now exists (it was private until now). */
  static void eventNewSlab(String action, Slab slab) {
    begin();
    Step st = new Step(action);
    st.born = slab;
    st.objects = slab.objects;
    finish(st);
  }

  /**
   * Ends a step that is logged only if {@code logged}: a failed CAS of a retry loop that re-reads
   * (the model folds those, R1), or a lockless peek whose result changes nothing.
   */
  static void endIf(boolean logged, String action) {
    if (logged) {
      end(action);
    } else {
      PENDING_FREED.clear();
      if (--depth == 0) {
        OWNER.set(null);
      }
    }
  }

  /** UnfreezeDone: the slabs unfreeze_partials put on its discard list since {@code before}. */
  static void unfreezeDone(@Nullable Slab discard, @Nullable Slab before) {
    begin();
    for (Slab d = discard; d != null && d != before; d = d.partialNext) {
      freed(d);
    }
    end("UnfreezeDone");
  }

  /** Marks {@code slab} as given back within the current step (call between begin and end). */
  static void freed(Slab slab) {
    PENDING_FREED.add(slab);
  }

  /** A step at which the model gives {@code slab} back to the page allocator. */
  static void eventFreed(String action, Slab slab) {
    begin();
    freed(slab);
    end(action);
  }

  /**
   * A client hands the object at {@code addr}, which it holds, to client {@code to} (not an
   * allocator step: the trace spec moves the object between the two clients' hands). Call it
   * before the object becomes visible to {@code to}.
   */
  public static void give(SlabCache s, long addr, Thread to) {
    if (!ON) {
      return;
    }
    begin();
    Step st = new Step("Give");
    st.obj = ref(s, addr);
    st.to = to;
    finish(st);
  }

  /**
   * The start of kmem_cache_free_bulk by a client: the objects leave its hands in the order of
   * its array (the model's KmemCacheFreeBulk).
   */
  static void eventFreeBulk(String action, SlabCache s, long[] p, int n) {
    begin();
    Step st = new Step(action);
    for (int i = 0; i < n && i < p.length; i++) {
      st.objs.add(ref(s, p[i]));
    }
    finish(st);
  }

  /**
   * set_task_cpu: the calling thread moves to {@code cpu} (the model's SetTaskCpu). The move and
   * its record are one step, so the log shows it before the thread's next read of its CPU. A
   * client calls it between its operations.
   */
  public static void setTaskCpu(VirtualCpus vc, int cpu) {
    if (!ON) {
      vc.bindCurrent(cpu);
      return;
    }
    begin();
    vc.bindCurrent(cpu);
    Step st = new Step("SetTaskCpu");
    st.toCpu = cpu;
    finish(st);
  }

  /** A whole step that is a single event (a lock just taken, a decision on private data). */
  static void event(String action) {
    begin();
    end(action);
  }

  /** As {@link #event(String)}, observing CPU word {@code c}. */
  static void event(String action, SlabCache s, KmemCacheCpu c) {
    begin();
    end(action, s, c);
  }

  private static void observe(Step st, SlabCache s, KmemCacheCpu c) {
    long w = c.word();
    CpuWord cw = c.cw;
    st.fl = cw.busy(w) ? Ref.BUSY : ref(s, cw.freelist(w));
    st.tid = cw.tid(w);
    st.cpu = c.cpu;
    st.cpuSlab = c.slab;
    st.hasCpu = true;
  }

  private static Ref ref(SlabCache s, long addr) {
    if (addr == 0) {
      return Ref.NULL;
    }
    Slab slab = s.machine.memmap.slabOf(addr);
    if (slab == null) {
      return new Ref(null, -2); // not in a slab: the model has no such object
    }
    return new Ref(slab, slab.indexOf(addr));
  }
}
