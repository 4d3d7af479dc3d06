/**
 * Benchmarks of jslub against the physical floors, glibc malloc (through FFM) and Netty's pooled
 * and adaptive allocators, plus the classic allocator workloads. Nothing here is a test: figures
 * come from JMH runs (docs/PERFORMANCE.md), never from assertions.
 */
package jslub.bench;
