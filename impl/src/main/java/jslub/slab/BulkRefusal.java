package jslub.slab;

/**
 * Why kmem_cache_free_bulk refused a whole batch: the first bad entry's error, its index in the
 * array and the address it held. Made only on the refusal path, so a successful bulk free
 * allocates nothing.
 */
public record BulkRefusal(FreeError error, int index, long address) {}
