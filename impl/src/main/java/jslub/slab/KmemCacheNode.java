package jslub.slab;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.checkerframework.checker.lock.qual.Holding;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * {@code struct kmem_cache_node}: the per-NUMA-node part of a cache.
 *
 * <p>The node partial list holds unfrozen slabs that have free objects and are in use (full slabs
 * are on no list; empty ones are kept only up to {@code min_partial}). {@code list_lock} guards the
 * list; {@link #nrPartial} is also written only under it but may be read without it, as the
 * kernel's heuristics do (a stale read only changes a keep/discard decision).
 */
final class KmemCacheNode {
  final int node;
  /** n->list_lock. */
  final ReentrantLock listLock = new ReentrantLock();
  /** n->partial. */
  private final SlabList partial = new SlabList(); // only through @Holding("listLock") methods
  /** n->nr_partial: written under listLock, read racily by heuristics. */
  volatile int nrPartial;
  /** n->nr_slabs (atomic_long_t, changed without the lock). */
  final AtomicLong nrSlabs = new AtomicLong();
  /** n->total_objects. */
  final AtomicLong totalObjects = new AtomicLong();

  KmemCacheNode(int node) {
    this.node = node;
  }

  /** add_partial(): DEACTIVATE_TO_HEAD when {@code tail} is false. */
  @Holding("listLock")
  void addPartial(Slab slab, boolean tail) {
    if (slab.slabTestNodePartial()) {
      throw new IllegalStateException("add_partial: " + slab + " already on the node list");
    }
    if (tail) {
      partial.addTail(slab);
    } else {
      partial.addHead(slab);
    }
    slab.slabSetNodePartial();
    nrPartial = partial.size();
  }

  /** remove_partial(). */
  @Holding("listLock")
  void removePartial(Slab slab) {
    if (!slab.slabTestNodePartial()) {
      throw new IllegalStateException("remove_partial: " + slab + " not on the node list");
    }
    partial.remove(slab);
    slab.slabClearNodePartial();
    nrPartial = partial.size();
  }

  /** First slab of the partial list (walk with {@link Slab#listNext}). */
  @Holding("listLock")
  @Nullable Slab firstPartial() {
    return partial.first();
  }

  /** inc_slabs_node(). */
  void incSlabs(int objects) {
    nrSlabs.incrementAndGet();
    totalObjects.addAndGet(objects);
  }

  /** dec_slabs_node(). */
  void decSlabs(int objects) {
    nrSlabs.decrementAndGet();
    totalObjects.addAndGet(-objects);
  }
}
