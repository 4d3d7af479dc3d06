package jslub.prop;

import com.code_intelligence.jazzer.mutation.annotation.NotNull;

/**
 * One step of a property-test run. The ints are free-form: the runner reduces them into range
 * (which cache, which held object, how many, which bad address...), so every value the fuzzer
 * produces is a meaningful step. {@code other} runs the step on the second thread (two-thread
 * harness only).
 */
public record Op(@NotNull Kind kind, int a, int b, int c, boolean other) {
  /** What a step does. */
  public enum Kind {
    /** kmem_cache_create with a size (a) and alignment (b), sometimes invalid or a taken name. */
    CREATE,
    /** kmem_cache_alloc on named cache a. */
    ALLOC,
    /** Free the a-th held object (kfree for kmalloc objects). */
    FREE_HELD,
    /** Free an arbitrary address (interior, random, frame 0, outside, foreign) to cache c. */
    FREE_ADDR,
    /** Free an address freed before (refused unless it was allocated again). */
    DOUBLE_FREE,
    /** kmalloc of size a, alignment b (sometimes invalid). */
    KMALLOC,
    /** kfree of held kmalloc object a, or kfree(0). */
    KFREE,
    /** kmem_cache_alloc_bulk of 1..16 objects. */
    ALLOC_BULK,
    /** kmem_cache_free_bulk of held objects chosen by b, with an extra entry chosen by c. */
    FREE_BULK,
    /** kmem_cache_shrink of one cache or of all. */
    SHRINK,
    /** kmem_cache_destroy (busy if objects are live). */
    DESTROY,
    /** Move the thread to CPU a. */
    MIGRATE,
    /** Fail the next 1..3 frame requests. */
    FAIL_FRAMES,
    /** Write a held object through segment(), in bounds or (refused) past its end. */
    WRITE_SEGMENT,
    /** validate() must report nothing. */
    VALIDATE,
    /** Both threads at once: each frees half of a cache's held objects and allocates a few. */
    RACE,
    /**
     * kmalloc above two frames (a kmalloc_large block in the kernel layout), at the boundary, or
     * above KMALLOC_MAX_SIZE; alignment chosen by b.
     */
    KMALLOC_LARGE
  }
}
