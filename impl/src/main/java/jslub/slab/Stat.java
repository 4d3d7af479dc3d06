package jslub.slab;

import java.util.Locale;

/**
 * The SLUB statistics items ({@code enum stat_item}, CONFIG_SLUB_STATS), in the kernel's order.
 * {@link #sysfsName()} is the file name under /sys/kernel/slab/&lt;cache&gt;/.
 */
public enum Stat {
  /** Allocation from the CPU freelist by the lockless fast path. */
  ALLOC_FASTPATH,
  /** Allocation that took ___slab_alloc. */
  ALLOC_SLOWPATH,
  /** Free to the CPU freelist by the lockless fast path. */
  FREE_FASTPATH,
  /** Free that took __slab_free. */
  FREE_SLOWPATH,
  /** __slab_free into a frozen slab. */
  FREE_FROZEN,
  /** A free put the slab on the node partial list. */
  FREE_ADD_PARTIAL,
  /** A free took the slab off the node partial list. */
  FREE_REMOVE_PARTIAL,
  /** ___slab_alloc got a slab from the node partial list. */
  ALLOC_FROM_PARTIAL,
  /** ___slab_alloc allocated a new slab. */
  ALLOC_SLAB,
  /** ___slab_alloc refilled the CPU freelist from c.slab's own freelist. */
  ALLOC_REFILL,
  /** The CPU slab was on the wrong node. */
  ALLOC_NODE_MISMATCH,
  /** A slab went back to the page allocator. */
  FREE_SLAB,
  /** A CPU slab was flushed to make room or on request. */
  CPUSLAB_FLUSH,
  /** Deactivated slab was full: on no list. */
  DEACTIVATE_FULL,
  /** Deactivated slab was empty: discarded. */
  DEACTIVATE_EMPTY,
  /** Deactivated slab went to the head of the node partial list. */
  DEACTIVATE_TO_HEAD,
  /** Deactivated slab went to the tail of the node partial list. */
  DEACTIVATE_TO_TAIL,
  /** Deactivated slab had remote frees on its own freelist. */
  DEACTIVATE_REMOTE_FREES,
  /** c.slab was dropped because it had no free objects left. */
  DEACTIVATE_BYPASS,
  /** The preferred order failed; the minimum order was used. */
  ORDER_FALLBACK,
  /** A (freelist, tid) CAS on the CPU word failed. */
  CMPXCHG_DOUBLE_CPU_FAIL,
  /** A (freelist, counters) CAS on a slab word failed. */
  CMPXCHG_DOUBLE_FAIL,
  /** ___slab_alloc took a slab from the CPU partial list. */
  CPU_PARTIAL_ALLOC,
  /** __slab_free froze a full slab and put it on the CPU partial list. */
  CPU_PARTIAL_FREE,
  /** get_partial_node moved an extra slab to the CPU partial list. */
  CPU_PARTIAL_NODE,
  /** put_cpu_partial drained a full CPU partial list to the node. */
  CPU_PARTIAL_DRAIN;

  /** The kernel's sysfs file name, e.g. {@code alloc_fastpath}. */
  public String sysfsName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
