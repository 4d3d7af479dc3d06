------------------------------ MODULE SlubView ------------------------------
(***************************************************************************)
(* A VIEW for the large correct configurations: it forgets values that no  *)
(* later step can observe, so TLC merges states that differ only in them.  *)
(* Sound for the safety invariants of Slub, and only for Bugs = {}; the    *)
(* argument is in docs/model/RESULTS.md ("Symmetry and views"), and its    *)
(* premise, ViewPremise, is checked as an invariant in every run that     *)
(* uses the view.                                                         *)
(*                                                                         *)
(* Forgotten:                                                              *)
(*  - next[o] of an object on no freelist chain (allocated, being freed,  *)
(*    or of a discarded slab).  Only a chain walk or the fast path's      *)
(*    get_freepointer reads next[], and every way back onto a chain       *)
(*    writes next[o] first (set_freepointer, new_slab, discard);          *)
(*  - a stale fast path's snapshot (rnext; rfl once the NULL check of     *)
(*    AllocReadCpuSlab is behind it): its CAS fails whatever they hold,   *)
(*    and the failure path clears them.                                   *)
(***************************************************************************)
EXTENDS SlubMC

LiveNext == LET R == Range(AllChains) IN [o \in Obj |-> IF o \in R THEN next[o] ELSE NULL]

LView(t) == IF stale[t]
            THEN [l[t] EXCEPT !.rnext = NULL, !.rfl = IF pc[t] = "a_slab" THEN @ ELSE NULL]
            ELSE l[t]

View == <<cpuFreelist, cpuTid, cpuSlab, cpuPartial, cpuLock, slab, live, LiveNext,
          listLock, partial, nrPartial, pc, held, [t \in Threads |-> LView(t)], stale, opsDone, sched>>

(* The premise: a fast path whose tid is still good reads next[] of an     *)
(* object that is on a chain (so its next pointer is one the view keeps). *)
FastPathReadsChain ==
    \A t \in Threads : (pc[t] \in {"a_next", "a_cas"} /\ ~stale[t]) => l[t].rfl \in Range(AllChains)
ViewPremise == Bugs = {} /\ FastPathReadsChain
=============================================================================
