------------------------------- MODULE IndInv -------------------------------
(***************************************************************************)
(* Is the invariant strong enough?  Start TLC not from Init but from EVERY *)
(* quiescent state (all threads idle) allowed by TypeOK /\ IndInv, and     *)
(* check IndInv on everything reachable from them.  Mid-operation states  *)
(* are not enumerated from TypeOK (the thread registers make that space   *)
(* far too big); they are reached by running the threads.  So this checks *)
(* that IndInv is closed under Next from any quiescent IndInv state -- a  *)
(* state TLC would not otherwise visit, e.g. one with slabs on lists and  *)
(* objects spread over clients that no short run from Init produces.      *)
(* IndInv is Inv (which includes CpuWordOfSlab and ListedIfPartial) made  *)
(* stronger by the facts the proof needs:                                  *)
(*   HeldLive:      clients hold objects of live slabs only;              *)
(*   CpuPartialNotFull: a slab on a cpu partial list has free objects;    *)
(*   NextInSlab:    free pointers stay inside their slab.                 *)
(***************************************************************************)
EXTENDS SlubMC

HeldLive == \A t \in Threads : \A o \in held[t] : SlabOf(o) \in live

CpuPartialNotFull == \A s \in CpuPartialSet : slab[s].freelist # NULL

\* In-band free pointers stay inside their slab, and a discarded slab's are
\* cleared: every write of next[] stores an object of the same slab or NULL.
NextInSlab ==
    \A o \in Obj : next[o] \in (IF SlabOf(o) \in live THEN ObjsOf(SlabOf(o)) ELSE {}) \cup {NULL}

IndInv == Inv /\ HeldLive /\ CpuPartialNotFull /\ NextInSlab

Seqs(S, n) == UNION {[1 .. k -> S] : k \in 0 .. n}

\* every quiescent state of the (small) configuration that satisfies TypeOK /\ IndInv
QuiescentInit ==
    /\ cpuFreelist \in [Cpus -> Obj \cup {NULL}]
    /\ cpuTid = [c \in Cpus |-> InitTid(c)]
    /\ cpuSlab \in [Cpus -> Slabs \cup {NULL}]
    /\ cpuPartial \in [Cpus -> Seqs(Slabs, 1)]
    /\ cpuLock = [c \in Cpus |-> NULL]
    /\ live \in SUBSET Slabs
    /\ slab \in [Slabs -> [freelist : Obj \cup {NULL}, inuse : 0 .. NObjs,
                           objects : {NObjs}, frozen : BOOLEAN]]
    /\ next \in [Obj -> Obj \cup {NULL}]
    /\ listLock = NULL
    /\ partial \in Seqs(Slabs, NSlabs)
    /\ nrPartial = Len(partial)
    /\ pc = [t \in Threads |-> "idle"]
    /\ held \in [Threads -> SUBSET Obj]
    /\ l = [t \in Threads |-> L0]
    /\ stale = [t \in Threads |-> FALSE]
    /\ opsDone = [t \in Threads |-> 0]
    /\ sched = [bound |-> CpuOf, moves |-> 0]
    /\ IndInv

IndSpec == QuiescentInit /\ [][Next]_vars

(* The same start, enumerated constructively so that domains with 2 CPUs  *)
(* and 2 slabs stay small enough: each conjunct filters as soon as the    *)
(* variables it reads are chosen (TLC evaluates Init left to right), and  *)
(* what an invariant pins down (inuse from the freelist, the objects the  *)
(* clients hold) is not enumerated freely.  It allows exactly the states  *)
(* QuiescentInit allows: every filter below is implied by TypeOK /\ IndInv *)
(* (NextInSlab, Counts, CpuWordOfSlab, Lists, Frozen, HeldLive), and the  *)
(* final conjunct is IndInv itself.                                        *)
Words(s) == [freelist : ObjsOf(s) \cup {NULL}, inuse : 0 .. NObjs, objects : {NObjs}, frozen : BOOLEAN]
QuiescentInitBuilt ==
    /\ live \in SUBSET Slabs
    /\ next \in {f \in [Obj -> Obj \cup {NULL}] :
                   \A o \in Obj : f[o] \in (IF SlabOf(o) \in live THEN ObjsOf(SlabOf(o)) ELSE {}) \cup {NULL}}
    /\ slab \in {f \in [Slabs -> UNION {Words(s) : s \in Slabs} \cup {EmptyWord}] :
                   \A s \in Slabs : IF s \in live THEN f[s] \in Words(s) ELSE f[s] = EmptyWord}
    /\ \A s \in live : slab[s].inuse = NObjs - Len(Chain(slab[s].freelist))
    /\ cpuSlab \in [Cpus -> live \cup {NULL}]
    /\ cpuFreelist \in [Cpus -> Obj \cup {NULL}]
    /\ cpuTid = [c \in Cpus |-> InitTid(c)]
    /\ cpuLock = [c \in Cpus |-> NULL]
    /\ CpuWordOfSlab
    /\ cpuPartial \in [Cpus -> Seqs(live, 1)]
    /\ partial \in Seqs(live, NSlabs)
    /\ nrPartial = Len(partial)
    /\ listLock = NULL
    /\ pc = [t \in Threads |-> "idle"]
    /\ l = [t \in Threads |-> L0]
    /\ stale = [t \in Threads |-> FALSE]
    /\ opsDone = [t \in Threads |-> 0]
    /\ sched = [bound |-> CpuOf, moves |-> 0]
    /\ Lists /\ Frozen
    /\ held \in [Threads -> SUBSET UNION {ObjsOf(s) : s \in live}]
    /\ IndInv

IndSpecBuilt == QuiescentInitBuilt /\ [][Next]_vars

\* The same start with Inv less ListedIfPartial and CpuWordOfSlab (the Inv of
\* an earlier model): TLC finds it is not inductive (a partially free,
\* unfrozen slab on no list breaks Lists), which is why Inv now has them.
InvWithoutListing == TypeOK /\ NoDoubleAllocation /\ Conservation /\ Counts /\ Frozen /\ Lists
                     /\ Discard /\ TidCommits /\ ListLockOwner
QuiescentInitWeak == QuiescentInit!1 /\ QuiescentInit!2 /\ QuiescentInit!3 /\ QuiescentInit!4
                     /\ QuiescentInit!5 /\ QuiescentInit!6 /\ QuiescentInit!7 /\ QuiescentInit!8
                     /\ QuiescentInit!9 /\ QuiescentInit!10 /\ QuiescentInit!11 /\ QuiescentInit!12
                     /\ QuiescentInit!13 /\ QuiescentInit!14 /\ QuiescentInit!15 /\ QuiescentInit!16
                     /\ QuiescentInit!17
                     /\ InvWithoutListing
IndSpecWeak == QuiescentInitWeak /\ [][Next]_vars
=============================================================================
