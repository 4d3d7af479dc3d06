------------------------------- MODULE TraceOk -------------------------------
(* A hand-written trace in the format of docs/model/TRACE-FORMAT.md: one   *)
(* thread on CPU 0 allocates twice (slow path with a new slab, then the    *)
(* fast path) and frees its first object on the fast path.  It validates. *)
EXTENDS TraceSlub

TraceLog == <<
  [t |-> 1, a |-> "AllocReadCpuWord"],
  [t |-> 1, a |-> "AllocReadCpuSlab"],
  [t |-> 1, a |-> "SlabAllocLock"],
  [t |-> 1, a |-> "SlabAllocNewObjects", fl |-> 0, tid |-> 1],
  [t |-> 1, a |-> "GetPartialLock"],
  [t |-> 1, a |-> "GetPartialNone"],
  [t |-> 1, a |-> "NewSlab"],
  [t |-> 1, a |-> "RetryLoadSlabLock"],
  [t |-> 1, a |-> "RetryLoadSlabInstall", slab |-> 1],
  [t |-> 1, a |-> "LoadFreelist", fl |-> 2, tid |-> 2, held |-> {1}],
  [t |-> 1, a |-> "AllocReadCpuWord"],
  [t |-> 1, a |-> "AllocReadCpuSlab"],
  [t |-> 1, a |-> "AllocGetFreepointer"],
  [t |-> 1, a |-> "AllocCmpxchg", fl |-> 0, tid |-> 3, held |-> {1, 2}],
  [t |-> 1, a |-> "FreeReadCpuWord", obj |-> 1],
  [t |-> 1, a |-> "FreeReadCpuSlab"],
  [t |-> 1, a |-> "FreeCmpxchg", fl |-> 1, tid |-> 4, held |-> {2}]
>>
=============================================================================
