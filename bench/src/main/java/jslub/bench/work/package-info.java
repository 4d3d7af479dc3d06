/**
 * The classic multi-threaded allocator benchmarks, re-implemented against jslub's kmalloc/kfree
 * (larson, threadtest, xmalloc-test, cache-scratch), and {@code jslub bench}'s entry point.
 */
package jslub.bench.work;
