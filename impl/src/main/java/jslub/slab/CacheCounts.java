package jslub.slab;

/**
 * One cache's counters, as /proc/slabinfo and tools/mm/slabinfo show them.
 *
 * @param activeObjs objects not free on a node-partial slab (the kernel's active_objs: objects on
 *     CPU slabs count as active)
 * @param totalObjs objects in all slabs (num_objs)
 * @param slabs slabs held (num_slabs)
 * @param partialSlabs slabs on the node partial lists
 * @param cpuSlabs CPU slabs plus slabs on CPU partial lists
 * @param frames frames held by the slabs
 */
public record CacheCounts(
    long activeObjs, long totalObjs, long slabs, long partialSlabs, long cpuSlabs, long frames) {}
