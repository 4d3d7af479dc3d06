package jslub.slab;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.checkerframework.checker.index.qual.NonNegative;
import org.checkerframework.checker.lock.qual.GuardSatisfied;
import org.checkerframework.checker.lock.qual.LockingFree;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * {@code struct slab}: one slab of a cache — a block of 2^order frames cut into objects.
 *
 * <p>The mutable state that lockless paths share is the packed {@link SlabWord} ({@code freelist},
 * {@code inuse}, {@code objects}, {@code frozen}), changed only by {@link #cas}. The list links are
 * owned by whoever holds the slab: the node's {@code list_lock} for {@link #listPrev}/{@link
 * #listNext} (node partial list), the CPU's lock for {@link #partialNext} (CPU partial list).
 *
 * <p>Metadata lives outside the slab, like the kernel's struct page array: {@link MemMap} maps
 * every frame of the slab back to this object.
 */
public final class Slab {
  private static final VarHandle WORD;

  static {
    try {
      WORD = MethodHandles.lookup().findVarHandle(Slab.class, "word", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** {@code slab->slab_cache}. */
  final SlabCache cache;
  /** Address of the first frame. */
  final long base;
  /** Allocation order: the slab spans 2^order frames. */
  final int order;
  /** The slab's span in bytes (frame size << order), kept for the bulk check's range tests. */
  private final long bytes;
  /** Offset of object 0 from {@link #base}: this slab's colour. */
  final int colourOffset;
  /** Number of objects (also in the word; kept here for lock-free index math). */
  final @NonNegative int objects;
  /** {@code slab_nid()}. */
  final int node;

  /** The packed word; read directly (volatile), written only through WORD (CAS). */
  private volatile long word;

  // --- node partial list links: read and written only under the node's list_lock (SlabList) ---
  @Nullable Slab listPrev;
  @Nullable Slab listNext;
  /**
   * True while on the node partial list; under list_lock. The kernel keeps this bit in
   * slab->flags (PG_workingset) since 6.8; delayed freezing's __slab_free depends on it.
   */
  boolean onNodePartial;

  // --- CPU partial list links (slab->next, slab->slabs): under the owning CPU's lock ---
  @Nullable Slab partialNext;
  /** Number of slabs on the CPU partial list from this one down, like {@code slab->slabs}. */
  int partialSlabs;

  Slab(SlabCache cache, long base, int order, int colourOffset, @NonNegative int objects,
      int node) {
    this.cache = cache;
    this.base = base;
    this.order = order;
    this.bytes = cache.machine.frameSize() << order;
    this.colourOffset = colourOffset;
    this.objects = objects;
    this.node = node;
  }

  /** slab_test_node_partial(): on the node partial list? Caller holds the node's list_lock. */
  boolean slabTestNodePartial() {
    return onNodePartial;
  }

  /** slab_set_node_partial(): called by add_partial under list_lock. */
  void slabSetNodePartial() {
    onNodePartial = true;
  }

  /** slab_clear_node_partial(): called by remove_partial under list_lock. */
  void slabClearNodePartial() {
    onNodePartial = false;
  }

  /** Reads the packed word (kernel: READ_ONCE of slab->freelist and slab->counters together). */
  @LockingFree
  long word(@GuardSatisfied Slab this) {
    return word;
  }

  /** Initialises the word of a slab no other thread can see yet. */
  void initWord(long w) {
    WORD.setVolatile(this, w);
  }

  /** slab_update_freelist(): {@code cmpxchg_double_slab} on (freelist, counters). */
  boolean cas(long expect, long update) {
    return WORD.compareAndSet(this, expect, update);
  }

  /** The freelist head of word {@code w} as an address, 0 for NULL. */
  @LockingFree
  long freelist(@GuardSatisfied Slab this, long w) {
    long off1 = SlabWord.freelistOff1(w);
    return off1 == 0 ? 0 : base + off1 - 1;
  }

  /** Builds a word for this slab. */
  long pack(long freelistAddr, int inuse, boolean frozen) {
    long off1 = freelistAddr == 0 ? 0 : freelistAddr - base + 1;
    return SlabWord.pack(off1, inuse, objects, frozen);
  }

  /** Address of object {@code i}. */
  long objectAt(int i) {
    return base + colourOffset + (long) i * cache.size;
  }

  /**
   * obj_to_index() and check_valid_pointer(): the index of the object at {@code addr}, or -1 if
   * {@code addr} is not the start of an object of this slab.
   */
  int indexOf(long addr) {
    long rel = addr - base - colourOffset;
    if (rel < 0) {
      return -1;
    }
    if (rel >>> 32 != 0) {
      return -1; // 4 GiB or more past the base: no slab is that large
    }
    int size = cache.size;
    // obj_to_index: reciprocal_divide (a multiply) instead of a division by the non-constant
    // size; it is exact below 2^32, far beyond any slab.
    long i = Reciprocal.reciprocalDivide(rel, cache.reciprocalSize);
    if (i >= objects || rel != i * size) {
      return -1;
    }
    return (int) i;
  }

  /**
   * The start of the object whose slot holds {@code addr}, or -1 if {@code addr} is in this slab's
   * colour offset or leftover tail (for bounds checks on views of an object).
   */
  public long objectStart(long addr) {
    long rel = addr - base - colourOffset;
    if (rel < 0 || rel / cache.size >= objects) {
      return -1;
    }
    return addr - rel % cache.size;
  }

  /** Size of the slab in bytes. */
  long bytes() {
    return bytes;
  }

  public long base() {
    return base;
  }

  public int objects() {
    return objects;
  }

  @LockingFree
  public int inuse(@GuardSatisfied Slab this) {
    return SlabWord.inuse(word());
  }

  @LockingFree
  public boolean frozen(@GuardSatisfied Slab this) {
    return SlabWord.frozen(word());
  }

  public SlabCache cache() {
    return cache;
  }

  @Override
  public String toString(@GuardSatisfied Slab this) {
    long w = word();
    return "slab@0x" + Long.toHexString(base) + "{order=" + order + ", objects=" + objects
        + ", inuse=" + SlabWord.inuse(w) + ", frozen=" + SlabWord.frozen(w)
        + ", freelist=0x" + Long.toHexString(freelist(w)) + "}";
  }
}
