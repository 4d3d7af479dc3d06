---------------------------- MODULE SlabAbstract ----------------------------
(***************************************************************************)
(* What an object allocator promises, and nothing more: a set of free      *)
(* objects; alloc hands any free object to the caller or fails; free takes *)
(* back an object the caller holds.  Slub.tla refines this module (see     *)
(* proofs/Refinement.tla).                                                 *)
(***************************************************************************)
EXTENDS FiniteSets

CONSTANTS Threads, Obj

VARIABLES free,    \* objects nobody holds
          owned    \* [Threads -> SUBSET Obj]: what each client holds

vars == <<free, owned>>

TypeOK == free \subseteq Obj /\ owned \in [Threads -> SUBSET Obj]

Init == free = Obj /\ owned = [t \in Threads |-> {}]

\* alloc succeeds with any free object
Alloc(t, o) == /\ o \in free
               /\ free' = free \ {o}
               /\ owned' = [owned EXCEPT ![t] = @ \cup {o}]

\* alloc may fail (no memory): nothing changes, which is a stuttering step

\* free returns an object the caller holds
Free(t, o) == /\ o \in owned[t]
              /\ free' = free \cup {o}
              /\ owned' = [owned EXCEPT ![t] = @ \ {o}]

Next == \E t \in Threads, o \in Obj : Alloc(t, o) \/ Free(t, o)

Spec == Init /\ [][Next]_vars

\* every object is free or held by exactly one client
Exclusive == /\ \A t, u \in Threads : t # u => owned[t] \cap owned[u] = {}
             /\ \A t \in Threads : owned[t] \cap free = {}
=============================================================================
