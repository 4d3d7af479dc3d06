------------------------------ MODULE TraceBad ------------------------------
(* A hand-written trace that must NOT validate: after freeing object 1 to  *)
(* the cpu freelist, the next fast-path allocation claims to have been     *)
(* handed object 2 -- which the thread still holds (a double allocation   *)
(* as the Java side would log it).  The model can only hand out object 1, *)
(* so the replay gets stuck at the last record.                           *)
EXTENDS TraceSlub

TraceLog == <<
  [t |-> 1, a |-> "AllocReadCpuWord"],
  [t |-> 1, a |-> "AllocReadCpuSlab"],
  [t |-> 1, a |-> "SlabAllocLock"],
  [t |-> 1, a |-> "SlabAllocNewObjects"],
  [t |-> 1, a |-> "GetPartialLock"],
  [t |-> 1, a |-> "GetPartialNone"],
  [t |-> 1, a |-> "NewSlab"],
  [t |-> 1, a |-> "RetryLoadSlabLock"],
  [t |-> 1, a |-> "RetryLoadSlabInstall"],
  [t |-> 1, a |-> "LoadFreelist", held |-> {1}],
  [t |-> 1, a |-> "AllocReadCpuWord"],
  [t |-> 1, a |-> "AllocReadCpuSlab"],
  [t |-> 1, a |-> "AllocGetFreepointer"],
  [t |-> 1, a |-> "AllocCmpxchg", held |-> {1, 2}],
  [t |-> 1, a |-> "FreeReadCpuWord", obj |-> 1],
  [t |-> 1, a |-> "FreeReadCpuSlab"],
  [t |-> 1, a |-> "FreeCmpxchg", fl |-> 1],
  [t |-> 1, a |-> "AllocReadCpuWord"],
  [t |-> 1, a |-> "AllocReadCpuSlab"],
  [t |-> 1, a |-> "AllocGetFreepointer"],
  [t |-> 1, a |-> "AllocCmpxchg", held |-> {2}]
>>
=============================================================================
