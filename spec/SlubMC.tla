------------------------------- MODULE SlubMC -------------------------------
(* Model values for Slub that a .cfg file cannot spell (functions).        *)
(* Each config picks a CPU map and says which threads may also bulk-alloc *)
(* or shrink; every thread allocates and frees.                           *)
EXTENDS Slub

CONSTANTS BulkThreads, ShrinkThreads

\* thread t runs on CPU (t-1) mod NCpus: with more threads than CPUs,
\* threads share CPUs (preemption / migration within a CPU)
CpuOfRoundRobin == [t \in Threads |-> (t - 1) % NCpus]
\* every thread on CPU 0
CpuOfZero == [t \in Threads |-> 0]

\* BulkThreads also call kmem_cache_free_bulk when MaxBulkFree > 0
OpsMC == [t \in Threads |-> {"alloc", "free"}
                            \cup (IF t \in BulkThreads THEN {"bulk"} ELSE {})
                            \cup (IF t \in BulkThreads /\ MaxBulkFree > 0 THEN {"freebulk"} ELSE {})
                            \cup (IF t \in ShrinkThreads THEN {"shrink"} ELSE {})]

=============================================================================
