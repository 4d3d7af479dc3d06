----------------------------- MODULE Refinement -----------------------------
(***************************************************************************)
(* Slub refines SlabAbstract.  The refinement mapping: a client owns what  *)
(* it holds plus what a bulk call has already taken for it; every other    *)
(* object is abstractly free -- whether it sits on a CPU freelist, a slab  *)
(* freelist, in a thread's hands mid-operation, or in a frame that is not  *)
(* a slab right now.  Hence:                                               *)
(*   - the CAS (or slow-path step) that hands an object to a client is     *)
(*     abstract Alloc(t, o); it needs o abstractly free, i.e. held by      *)
(*     nobody: a double allocation breaks the refinement;                  *)
(*   - the first step of kmem_cache_free (the object leaves held[t]) is    *)
(*     abstract Free(t, o);                                                *)
(*   - every other step (reads, lock steps, slab and list bookkeeping, a   *)
(*     failed allocation) leaves the mapping unchanged: it stutters.       *)
(***************************************************************************)
EXTENDS SlubMC

Owned   == [t \in Threads |-> held[t] \cup l[t].got]
FreeAbs == Obj \ UNION {Owned[t] : t \in Threads}

Abs == INSTANCE SlabAbstract WITH free <- FreeAbs, owned <- Owned

\* checked by TLC as a PROPERTY: every behaviour of Spec is one of Abs!Spec
AbsSpec == Abs!Spec
=============================================================================
