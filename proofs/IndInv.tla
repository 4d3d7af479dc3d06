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
(* IndInv is Inv strengthened by the facts the proof needs:               *)
(*   CpuWordOfSlab: a CPU freelist holds only objects of that CPU's c.slab *)
(*                  (and is empty when c.slab is NULL);                   *)
(*   HeldLive:      clients hold objects of live slabs only;              *)
(*   ListedIfPartial: an unfrozen slab with free objects is on the node    *)
(*                  partial list (delayed_freeze: or on a cpu partial     *)
(*                  list), unless a thread holds it mid-operation;        *)
(*   CpuPartialNotFull: a slab on a cpu partial list has free objects.    *)
(***************************************************************************)
EXTENDS SlubMC

CpuWordOfSlab ==
    \A c \in Cpus : cpuLock[c] = NULL =>
        IF cpuSlab[c] = NULL THEN cpuFreelist[c] = NULL
        ELSE Range(Chain(cpuFreelist[c])) \subseteq ObjsOf(cpuSlab[c])

HeldLive == \A t \in Threads : \A o \in held[t] : SlabOf(o) \in live

InHands(s) ==
    \E t \in Threads :
        \/ s \in {l[t].sl, l[t].psl, l[t].dsl} \cup l[t].dset \cup Range(l[t].detached)
        \/ pc[t] = "sf_discard" /\ l[t].fs = s

ListedIfPartial ==
    \A s \in live :
        (~slab[s].frozen /\ slab[s].freelist # NULL /\ ~InHands(s))
            => s \in Range(partial) \/ (~Primary /\ s \in CpuPartialSet)

CpuPartialNotFull == \A s \in CpuPartialSet : slab[s].freelist # NULL

IndInv == Inv /\ CpuWordOfSlab /\ HeldLive /\ ListedIfPartial /\ CpuPartialNotFull

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
    /\ IndInv

IndSpec == QuiescentInit /\ [][Next]_vars

\* The same start with the plain Inv only: TLC finds that Inv alone is not
\* strong enough (a partially free, unfrozen slab on no list breaks Lists).
QuiescentInitWeak == QuiescentInit!1 /\ QuiescentInit!2 /\ QuiescentInit!3 /\ QuiescentInit!4
                     /\ QuiescentInit!5 /\ QuiescentInit!6 /\ QuiescentInit!7 /\ QuiescentInit!8
                     /\ QuiescentInit!9 /\ QuiescentInit!10 /\ QuiescentInit!11 /\ QuiescentInit!12
                     /\ QuiescentInit!13 /\ QuiescentInit!14 /\ QuiescentInit!15 /\ QuiescentInit!16
                     /\ Inv
IndSpecWeak == QuiescentInitWeak /\ [][Next]_vars
=============================================================================
