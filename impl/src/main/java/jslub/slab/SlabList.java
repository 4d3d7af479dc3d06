package jslub.slab;

import org.checkerframework.checker.lock.qual.GuardSatisfied;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * An intrusive doubly-linked list of slabs through {@link Slab#listPrev}/{@link Slab#listNext}
 * (the kernel's {@code list_head slab_list}). Not thread-safe: the owner's lock guards it.
 */
final class SlabList {
  private @Nullable Slab head;
  private @Nullable Slab tail;
  private int size;

  @Nullable Slab first(@GuardSatisfied SlabList this) {
    return head;
  }

  int size(@GuardSatisfied SlabList this) {
    return size;
  }

  void addHead(@GuardSatisfied SlabList this, Slab s) {
    s.listPrev = null;
    s.listNext = head;
    if (head != null) {
      head.listPrev = s;
    } else {
      tail = s;
    }
    head = s;
    size++;
  }

  void addTail(@GuardSatisfied SlabList this, Slab s) {
    s.listNext = null;
    s.listPrev = tail;
    if (tail != null) {
      tail.listNext = s;
    } else {
      head = s;
    }
    tail = s;
    size++;
  }

  void remove(@GuardSatisfied SlabList this, Slab s) {
    Slab p = s.listPrev;
    Slab n = s.listNext;
    if (p != null) {
      p.listNext = n;
    } else {
      head = n;
    }
    if (n != null) {
      n.listPrev = p;
    } else {
      tail = p;
    }
    s.listPrev = null;
    s.listNext = null;
    size--;
  }
}
