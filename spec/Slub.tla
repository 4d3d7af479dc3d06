-------------------------------- MODULE Slub --------------------------------
(***************************************************************************)
(* The SLUB slab allocator as implemented by jslub, one action per atomic  *)
(* step of the Java code.  Read it beside Linux mm/slub.c (v6.7 for the    *)
(* primary protocol, v6.8 for Variant = "delayed_freeze"): every action    *)
(* carries the kernel function it stands for.                              *)
(*                                                                         *)
(* What is a step.  Each CAS, each read of a shared word whose value feeds *)
(* a later CAS across other shared reads, and each lock acquisition is one *)
(* action.  Three reductions keep the state space small; each is sound     *)
(* because the folded operations are invisible to every other thread:     *)
(*  R1 A CAS retry loop whose new value depends only on the old word and   *)
(*     on thread-private data (get_freelist, freeze_slab, the claim of    *)
(*     the cpu word, the unfreeze loop) is one read-modify-write action: a *)
(*     failed iteration changes nothing, and a successful CAS proves the   *)
(*     word still held the value read.  (acquire_slab is one attempt, not *)
(*     a loop: its success is AcquireSlab, its failure AcquireSlabFail.)   *)
(*  R2 A store to the in-band pointer of an object the thread owns         *)
(*     (set_freepointer before a push, the splice in deactivate_slab) is   *)
(*     folded into the CAS that publishes the object; pops of a claimed,   *)
(*     hence private, freelist are folded into one step.  Only a stale     *)
(*     reader can see such a store early, and its CAS fails (tid) or reads *)
(*     what the publishing CAS makes true.                                 *)
(*  R3 A critical section that only touches state nobody reads without    *)
(*     that lock (c->partial under the cpu lock; node list ops after the   *)
(*     slab-word CAS under list_lock) is folded with its unlock, and       *)
(*     discard_slab of an unreachable empty slab is folded into the step   *)
(*     that made it unreachable -- except in __slab_free, where the window *)
(*     before discard_slab is where DISCARD_RACE lives.                    *)
(*                                                                         *)
(* Java differs from the kernel in one way the model must show: threads    *)
(* sharing a CPU run the lockless fast paths while another thread is in   *)
(* that CPU's local_lock section (the kernel has irqs off there).  So a   *)
(* section takes c.lock and then CLAIMS the cpu word with one CAS          *)
(* (freelist, tid) -> (BUSY, tid); a fast path that sees BUSY diverts     *)
(* (alloc to ___slab_alloc, free to __slab_free), and one that read the   *)
(* word before the claim fails its CAS.  Inside, the holder owns the      *)
(* claimed freelist and c.slab.  The section ends with one store           *)
(* (new freelist, next_tid(tid)) -- the RELEASE -- and the unlock.  Taking *)
(* c.lock is folded into the claim and the unlock into the release        *)
(* (Lipton: acquire moves right, release moves left).  Sections that only  *)
(* touch c.partial take c.lock without claiming.                          *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets, TLC

CONSTANTS
    Threads,          \* thread ids 1..N (0 means "nobody" in lock words)
    NCpus,            \* CPUs are 0..NCpus-1
    CpuOf,            \* [Threads -> CPU]: where each thread runs (may share)
    NSlabs,           \* slab frames the page allocator can ever hand out
    NObjs,            \* slab->objects
    MinPartial,       \* s->min_partial
    CpuPartialSlabs,  \* s->cpu_partial_slabs; 0 = no per-CPU partial lists
    TidSpace,         \* number of distinct tid values (wraps), multiple of TidStep
    Ops,              \* [Threads -> SUBSET {"alloc","free","bulk","shrink","freebulk"}]
    BulkSize,         \* objects per kmem_cache_alloc_bulk call
    MaxBulkFree,      \* most objects per kmem_cache_free_bulk call (0: the client never calls it)
    MaxMigrations,    \* migrations of threads between CPUs in a run (0: CpuOf is fixed)
    MaxOps,           \* operations per thread, 0 = unbounded (liveness configs bound it)
    Bugs,             \* subset of the seven bug ids of docs/VERIFICATION.md section 2
    Variant           \* "primary" (<= 6.7) or "delayed_freeze" (6.8+)
    \* CpuOf is where each thread starts; with MaxMigrations > 0 it may move.

BugIds == {"NO_TID", "TID_WRAP", "BULK_NO_TID_BUMP", "SPLIT_CAS",
           "FREEZE_MISSING", "NO_LIST_RECHECK", "DISCARD_RACE"}

NULL       == 0                       \* NULL object, NULL slab, unlocked
BUSY       == -1                      \* reserved cpu freelist value: word claimed
Cpus       == 0 .. NCpus - 1
Slabs      == 1 .. NSlabs
NObjTotal  == NSlabs * NObjs
Obj        == 1 .. NObjTotal
\* Object numbering: slab s owns objects (s-1)*NObjs+1 .. s*NObjs, in
\* address order; a fresh slab links them in that order (like shuffle off).
SlabOf(o)  == (o - 1) \div NObjs + 1
ObjsOf(s)  == ((s - 1) * NObjs + 1) .. (s * NObjs)

RECURSIVE Pow2AtLeast(_, _)
Pow2AtLeast(n, p) == IF p >= n THEN p ELSE Pow2AtLeast(n, 2 * p)
TidStep    == Pow2AtLeast(NCpus, 1)           \* TID_STEP = roundup_pow_of_two(ncpus)
InitTid(c) == c % TidSpace                    \* init_tid
NextTid(x) == (x + TidStep) % TidSpace        \* next_tid, wrapping

Bug(b)        == b \in Bugs
Primary       == Variant = "primary"
HasCpuPartial == CpuPartialSlabs > 0          \* kmem_cache_has_cpu_partial

ASSUME /\ Bugs \subseteq BugIds
       /\ Variant \in {"primary", "delayed_freeze"}
       /\ Bug("NO_LIST_RECHECK") => ~Primary
       /\ CpuOf \in [Threads -> Cpus]
       /\ TidSpace % TidStep = 0 /\ TidSpace >= TidStep
       /\ Threads = 1 .. Cardinality(Threads)
       \* build_detached_freelist gives up after 3 entries of other slabs; with
       \* at most 4 entries it never does, so a slab's entries form one list.
       /\ MaxBulkFree \in 0 .. 4
       /\ MaxMigrations \in Nat

(* The packed slab word (freelist_aba_t): freelist head and the counters  *)
(* inuse, objects, frozen, as a record.  A frame that is not a slab holds *)
(* EmptyWord.                                                              *)
EmptyWord == [freelist |-> NULL, inuse |-> 0, objects |-> NObjs, frozen |-> FALSE]

VARIABLES
    \* struct kmem_cache_cpu, one per CPU
    cpuFreelist,   \* c->freelist  } one 64-bit word in Java: CAS, or the
    cpuTid,        \* c->tid       } release store of its claimer
    cpuSlab,       \* c->slab      (written only by the claimer of the word)
    cpuPartial,    \* c->partial as a sequence, head first (under cpuLock)
    cpuLock,       \* c->lock (local_lock): holder or NULL
    \* struct slab
    slab,          \* [Slabs -> SlabWord]
    live,          \* frames currently allocated as slabs
    next,          \* in-band free pointers: [Obj -> Obj \cup {NULL}]
    \* struct kmem_cache_node (one node)
    listLock,      \* n->list_lock: holder or NULL
    partial,       \* n->partial, head first
    nrPartial,     \* n->nr_partial
    \* threads
    pc,            \* program counter
    held,          \* objects the client owns
    l,             \* thread-local registers (record, see L0)
    stale,         \* TRUE once the cpu tid moved after this thread read it
    opsDone,       \* operations finished (only counted when MaxOps > 0)
    \* the scheduler
    sched          \* [bound |-> [Threads -> Cpus], moves |-> migrations so far]

cpuVars  == <<cpuFreelist, cpuTid, cpuSlab, cpuPartial, cpuLock>>
slabVars == <<slab, live, next>>
nodeVars == <<listLock, partial, nrPartial>>
vars     == <<cpuVars, slabVars, nodeVars, pc, held, l, stale, opsDone, sched>>

(* Thread-local registers.  Reset to L0 when an operation ends so that    *)
(* equal shared states are not split by leftover scratch values.          *)
L0 == [ cpu |-> 0,                     \* the CPU this operation acts for (see C)
        rfl |-> NULL, rtid |-> 0, rnext |-> NULL,   \* fast-path snapshot
        obj |-> NULL,                  \* object being freed (owned): head of the detached list
        dl |-> << >>,                  \* the rest of the detached list, in order (owned)
        cnt |-> 0,                     \* objects in the detached list (1 for kmem_cache_free)
        fbq |-> << >>,                 \* kmem_cache_free_bulk: detached lists still to free
        ck |-> 0,                      \* kmem_cache_free_bulk's entry check: CPU being checked
        cf |-> NULL,                   \* freelist claimed from the cpu word (owned)
        fs |-> NULL, old |-> EmptyWord,\* __slab_free / deactivate: slab word read
        sl |-> NULL, fl |-> NULL,      \* slab being loaded, private freelist chain
        xtra |-> 0,                    \* slabs put on c->partial by get_partial_node
        dsl |-> NULL, dfl |-> NULL, mode |-> "none", dret |-> "none", \* deactivate_slab args
        dtail |-> 0,                   \* deactivate_slab: 0 unread, 1 to head, 2 to tail
        psl |-> NULL,                  \* slab handed to put_cpu_partial
        detached |-> << >>, dset |-> {}, uret |-> "none", \* __unfreeze_partials
        got |-> {}, nb |-> 0,          \* bulk: objects got, objects still wanted
        ret |-> "none",                \* who called ___slab_alloc: "alloc" | "bulk"
        k |-> 0 ]                      \* shrink: CPU being flushed

-----------------------------------------------------------------------------
(* Freelists are chains of in-band pointers.  Chain follows next[] from a *)
(* head; the length bound makes a cycle (a corrupted list) show as a      *)
(* repeated object instead of looping.                                    *)
RECURSIVE ChainF(_, _, _)
ChainF(nx, h, k) == IF h = NULL \/ k = 0 THEN << >> ELSE <<h>> \o ChainF(nx, nx[h], k - 1)
ChainIn(nx, h)   == ChainF(nx, h, NObjTotal + 1)
Chain(h)         == ChainIn(next, h)
Last(s)          == s[Len(s)]
Nx(o)            == IF o = NULL THEN NULL ELSE next[o]
Range(s)         == {s[i] : i \in DOMAIN s}
Occ(s, x)        == Cardinality({i \in DOMAIN s : s[i] = x})
Without(s, x)    == SelectSeq(s, LAMBDA y : y # x)
MinOf(S)         == CHOOSE x \in S : \A y \in S : x <= y
RECURSIVE CatAll(_)
CatAll(ss)       == IF ss = << >> THEN << >> ELSE Head(ss) \o CatAll(Tail(ss))

(* Link the private chain starting at h in front of tailTo (R2).          *)
SpliceNext(h, tailTo) == IF h = NULL THEN next
                         ELSE [next EXCEPT ![Last(Chain(h))] = tailTo]

(* The CPU an operation acts for.  Java reads the thread's CPU (CpuId,     *)
(* smp_processor_id) at the top of each fast-path try -- AllocReadCpuWord, *)
(* FreeReadCpuWord -- and once at the start of kmem_cache_alloc_bulk, and  *)
(* keeps that KmemCacheCpu for the rest of the try, its slow path included *)
(* (the kernel re-reads it after new_slab; Java installs the new slab on    *)
(* the CPU it started on, under that CPU's lock).  __slab_free's           *)
(* put_cpu_partial reads the CPU afresh (PutCpuPartial).                   *)
C(t) == l[t].cpu
Bound(t) == sched.bound[t]   \* the thread's CPU now (changes only by SetTaskCpu)
Goto(t, p)   == pc' = [pc EXCEPT ![t] = p]
SetL(t, r)   == l' = [l EXCEPT ![t] = r]

(* The fast-path window: between reading the cpu word and its CAS.        *)
FastWindow == {"a_slab", "a_next", "a_cas", "f_slab", "f_cas"}
(* Where a thread has claimed a cpu word (between LockClaim and Release). *)
ClaimPcs == {"s_check", "s_load", "s_drop", "s_droptid", "s_cpurel", "r_check",
             "r_flushtid", "k_slab", "k_word", "b_pop", "fb_rel"}

(* next_tid on CPU c by thread t.  The stale flags stand for an unbounded *)
(* tid: whoever read the word before this bump will fail its CAS.         *)
Bump(t, c) ==
    /\ cpuTid' = [cpuTid EXCEPT ![c] = NextTid(@)]
    /\ stale' = [u \in Threads |->
                   IF u = t THEN FALSE
                   ELSE IF C(u) = c /\ pc[u] \in FastWindow THEN TRUE
                   ELSE stale[u]]
NoBump(t) == cpuTid' = cpuTid /\ stale' = [stale EXCEPT ![t] = FALSE]

(* Claim the cpu word of CPU c for thread t: lock + CAS to BUSY (R1: the *)
(* CAS is retried until it wins; nothing else happens in between).       *)
LockClaim(t, c) ==
    /\ cpuLock[c] = NULL
    /\ cpuLock' = [cpuLock EXCEPT ![c] = t]
    /\ cpuFreelist' = [cpuFreelist EXCEPT ![c] = BUSY]
(* End of a local_lock section: word := (fl, next_tid(tid)); unlock.     *)
Release(t, c, fl) ==
    /\ cpuFreelist' = [cpuFreelist EXCEPT ![c] = fl]
    /\ Bump(t, c)
    /\ cpuLock' = [cpuLock EXCEPT ![c] = NULL]

(* The (freelist, tid) compare of this_cpu_cmpxchg_double on the tid half. *)
(* Correct: the tid must be the one read and must not have gone round     *)
(* (a 64-bit tid never wraps within one fast path; the stale flag says    *)
(* so).  TID_WRAP: only the wrapped value is compared.  NO_TID: nothing.  *)
TidOK(t, c) ==
    CASE Bug("NO_TID")   -> TRUE
      [] Bug("TID_WRAP") -> cpuTid[c] = l[t].rtid
      [] OTHER           -> cpuTid[c] = l[t].rtid /\ ~stale[t]

(* An operation ends: back to idle with clean registers.                   *)
Done(t) ==
    /\ pc' = [pc EXCEPT ![t] = "idle"]
    /\ l' = [l EXCEPT ![t] = L0]
    /\ opsDone' = IF MaxOps = 0 THEN opsDone ELSE [opsDone EXCEPT ![t] = @ + 1]

(* The detached list a free has in hand: head l.obj, then l.dl.  The      *)
(* links between its objects were written by build_detached_freelist on   *)
(* objects the thread owns; they become visible with the CAS that         *)
(* publishes the list, so they are written there (R2), with tail -> to.   *)
DetList(t) == <<l[t].obj>> \o l[t].dl
LinkDetached(t, to) ==
    LET d == DetList(t) IN
    [o \in Obj |-> IF \E i \in 1 .. Len(d) : d[i] = o
                   THEN LET i == CHOOSE i \in 1 .. Len(d) : d[i] = o
                        IN IF i < Len(d) THEN d[i + 1] ELSE to
                   ELSE next[o]]

(* kmem_cache_free_bulk's lists, in the order it frees them: from the end  *)
(* of the array, the last entry's slab first; each list holds that slab's *)
(* entries in array order (head = lowest index, tail = the last entry).    *)
RECURSIVE DetachedLists(_)
DetachedLists(p) ==
    IF p = << >> THEN << >>
    ELSE LET s == SlabOf(p[Len(p)]) IN
         <<SelectSeq(p, LAMBDA o : SlabOf(o) = s)>> \o DetachedLists(SelectSeq(p, LAMBDA o : SlabOf(o) # s))
\* registers for freeing the first of the lists q (do_slab_free from its first step)
NextList(q) == [L0 EXCEPT !.obj = Head(Head(q)), !.dl = Tail(Head(q)), !.cnt = Len(Head(q)), !.fbq = Tail(q)]
\* the orders in which the objects of S can stand in an array
Perms(S) == {f \in [1 .. Cardinality(S) -> S] : Range(f) = S}

(* A detached list is back in the allocator: kmem_cache_free ends, and    *)
(* kmem_cache_free_bulk goes on with its next list, if any.               *)
FreeDone(t) ==
    IF l[t].fbq = << >> THEN Done(t)
    ELSE /\ pc' = [pc EXCEPT ![t] = "f_read"]
         /\ l' = [l EXCEPT ![t] = NextList(l[t].fbq)]
         /\ UNCHANGED opsDone

(* ___slab_alloc returns object o (NULL: out of frames) to its caller.     *)
SlowReturn(t, o) ==
    IF l[t].ret = "alloc"
    THEN /\ held' = [held EXCEPT ![t] = IF o = NULL THEN @ ELSE @ \cup {o}]
         /\ Done(t)
    ELSE LET got == IF o = NULL THEN l[t].got ELSE l[t].got \cup {o}
             nb  == l[t].nb - 1
         IN IF o = NULL /\ got # {}
            THEN \* the bulk allocation failed: kmem_cache_free_bulk(s, i, p) of
                 \* what it got, at once (the array's order is the order the objects
                 \* came in, which the model does not keep: any order)
                 /\ \E p \in Perms(got) : l' = [l EXCEPT ![t] = [L0 EXCEPT !.fbq = DetachedLists(p)]]
                 /\ pc' = [pc EXCEPT ![t] = "fb_check"]
                 /\ UNCHANGED <<held, opsDone>>
            ELSE IF o = NULL \/ nb = 0
            THEN /\ held' = [held EXCEPT ![t] = @ \cup got]
                 /\ Done(t)
            ELSE /\ pc' = [pc EXCEPT ![t] = "b_lock"]
                 /\ l' = [l EXCEPT ![t] = [L0 EXCEPT !.ret = "bulk", !.got = got, !.nb = nb, !.cpu = l[t].cpu]]
                 /\ UNCHANGED <<held, opsDone>>

(* discard_slab -> free_slab: the frame goes back to the page allocator.  *)
DiscardNext(D) == [o \in Obj |-> IF SlabOf(o) \in D THEN NULL ELSE next[o]]

-----------------------------------------------------------------------------
Init ==
    /\ cpuFreelist = [c \in Cpus |-> NULL]
    /\ cpuTid      = [c \in Cpus |-> InitTid(c)]
    /\ cpuSlab     = [c \in Cpus |-> NULL]
    /\ cpuPartial  = [c \in Cpus |-> << >>]
    /\ cpuLock     = [c \in Cpus |-> NULL]
    /\ slab        = [s \in Slabs |-> EmptyWord]
    /\ live        = {}
    /\ next        = [o \in Obj |-> NULL]
    /\ listLock    = NULL
    /\ partial     = << >>
    /\ nrPartial   = 0
    /\ pc          = [t \in Threads |-> "idle"]
    /\ held        = [t \in Threads |-> {}]
    /\ l           = [t \in Threads |-> L0]
    /\ stale       = [t \in Threads |-> FALSE]
    /\ opsDone     = [t \in Threads |-> 0]
    /\ sched       = [bound |-> CpuOf, moves |-> 0]

-----------------------------------------------------------------------------
(*************************** Clients ****************************************)
CanStart(t, op) == pc[t] = "idle" /\ op \in Ops[t] /\ (MaxOps = 0 \/ opsDone[t] < MaxOps)

(* A client starts an operation with its first step (the choice is        *)
(* thread-local, so it is folded into that step): AllocReadCpuWord,        *)
(* FreeReadCpuWord, BulkLock and FlushLock are also enabled when idle.     *)
(* kmem_cache_alloc -> slab_alloc_node; kmem_cache_free -> do_slab_free    *)
(* (a client frees only what it holds); kmem_cache_alloc_bulk;            *)
(* kmem_cache_shrink -> __kmem_cache_shrink.                              *)

-----------------------------------------------------------------------------
(*************** slab_alloc_node: the lockless fast path ********************)
\* tid = READ_ONCE(c->tid); object = c->freelist  -- one 64-bit read in Java
AllocReadCpuWord(t) ==
    /\ pc[t] = "a_read" \/ CanStart(t, "alloc")
    /\ stale' = [stale EXCEPT ![t] = FALSE]
    /\ LET c == Bound(t) IN             \* c = raw_cpu_ptr(s->cpu_slab), read at every try
       IF cpuFreelist[c] = BUSY          \* claimed: take the slow path (blocks on c.lock)
       THEN Goto(t, "s_lock") /\ SetL(t, [L0 EXCEPT !.ret = "alloc", !.cpu = c])
       ELSE /\ Goto(t, "a_slab")
            /\ SetL(t, [(IF pc[t] = "idle" THEN [L0 EXCEPT !.ret = "alloc"] ELSE l[t])
                          EXCEPT !.cpu = c, !.rfl = cpuFreelist[c], !.rtid = cpuTid[c]])
    /\ UNCHANGED <<cpuVars, slabVars, nodeVars, held, opsDone>>
    /\ UNCHANGED sched

\* slab = c->slab; if (!object || !slab) -> __slab_alloc.  Read after the
\* word: c->slab only changes while the word is claimed, and the release
\* bumps tid, so a stale pairing of word and slab always fails the CAS below.
AllocReadCpuSlab(t) ==
    /\ pc[t] = "a_slab"
    /\ IF l[t].rfl = NULL \/ cpuSlab[C(t)] = NULL
       THEN /\ Goto(t, "s_lock")
            /\ SetL(t, [l[t] EXCEPT !.rfl = NULL, !.rtid = 0])
            /\ stale' = [stale EXCEPT ![t] = FALSE]
       ELSE /\ Goto(t, "a_next") /\ UNCHANGED <<l, stale>>
    /\ UNCHANGED <<cpuVars, slabVars, nodeVars, held, opsDone>>
    /\ UNCHANGED sched

\* next_object = get_freepointer_safe(s, object): may read a stale pointer
\* of an object someone else has already taken.
AllocGetFreepointer(t) ==
    /\ pc[t] = "a_next"
    /\ SetL(t, [l[t] EXCEPT !.rnext = next[l[t].rfl]])
    /\ Goto(t, "a_cas")
    /\ UNCHANGED <<cpuVars, slabVars, nodeVars, held, stale, opsDone>>
    /\ UNCHANGED sched

\* this_cpu_cmpxchg_double(freelist, tid: object, tid -> next_object, next_tid)
AllocCmpxchg(t) ==
    /\ pc[t] = "a_cas"
    /\ LET c == C(t) IN
       IF cpuFreelist[c] = l[t].rfl /\ TidOK(t, c)
       THEN /\ cpuFreelist' = [cpuFreelist EXCEPT ![c] = l[t].rnext]
            /\ Bump(t, c)
            /\ held' = [held EXCEPT ![t] = @ \cup {l[t].rfl}]
            /\ Done(t)
            /\ UNCHANGED <<cpuSlab, cpuPartial, cpuLock, slabVars, nodeVars>>
       ELSE /\ Goto(t, "a_read")                     \* goto redo
            /\ SetL(t, [l[t] EXCEPT !.rfl = NULL, !.rtid = 0, !.rnext = NULL])
            /\ stale' = [stale EXCEPT ![t] = FALSE]
            /\ UNCHANGED <<cpuVars, slabVars, nodeVars, held, opsDone>>
    /\ UNCHANGED sched

-----------------------------------------------------------------------------
(*************** do_slab_free: the lockless fast path ***********************)
\* tid = READ_ONCE(c->tid); freelist = c->freelist  -- one read in Java.
\* When idle, this step also picks the object o to free out of held[t]
\* (kmem_cache_free: a detached list of one).  At "f_read" it frees the
\* detached list in hand (a retry, or kmem_cache_free_bulk's next list).
FreeReadCpuWord(t, o) ==
    /\ \/ pc[t] = "f_read" /\ o = l[t].obj /\ UNCHANGED held
       \/ CanStart(t, "free") /\ o \in held[t] /\ held' = [held EXCEPT ![t] = @ \ {o}]
    /\ stale' = [stale EXCEPT ![t] = FALSE]
    /\ LET c == Bound(t)                \* c = raw_cpu_ptr(s->cpu_slab), read at every try
           d == IF pc[t] = "idle" THEN [L0 EXCEPT !.obj = o, !.cnt = 1]
                ELSE [L0 EXCEPT !.obj = o, !.dl = l[t].dl, !.cnt = l[t].cnt, !.fbq = l[t].fbq]
       IN IF cpuFreelist[c] = BUSY       \* claimed: __slab_free is right for any slab
          THEN Goto(t, "sf_read") /\ SetL(t, [d EXCEPT !.cpu = c])
          ELSE Goto(t, "f_slab") /\ SetL(t, [d EXCEPT !.cpu = c, !.rfl = cpuFreelist[c], !.rtid = cpuTid[c]])
    /\ UNCHANGED <<cpuVars, slabVars, nodeVars, opsDone>>
    /\ UNCHANGED sched

\* if (slab != c->slab) __slab_free(...)
FreeReadCpuSlab(t) ==
    /\ pc[t] = "f_slab"
    /\ IF SlabOf(l[t].obj) = cpuSlab[C(t)]
       THEN Goto(t, "f_cas") /\ UNCHANGED <<l, stale>>
       ELSE /\ Goto(t, "sf_read")
            /\ SetL(t, [l[t] EXCEPT !.rfl = NULL, !.rtid = 0])
            /\ stale' = [stale EXCEPT ![t] = FALSE]
    /\ UNCHANGED <<cpuVars, slabVars, nodeVars, held, opsDone>>
    /\ UNCHANGED sched

\* set_freepointer(tail, freelist) (R2) + cmpxchg (freelist, tid -> head, next_tid)
FreeCmpxchg(t) ==
    /\ pc[t] = "f_cas"
    /\ LET c == C(t)  o == l[t].obj IN
       IF cpuFreelist[c] = l[t].rfl /\ TidOK(t, c)
       THEN /\ next' = LinkDetached(t, l[t].rfl)
            /\ cpuFreelist' = [cpuFreelist EXCEPT ![c] = o]
            /\ Bump(t, c)
            /\ FreeDone(t)
            /\ UNCHANGED <<cpuSlab, cpuPartial, cpuLock, slab, live, nodeVars, held>>
       ELSE /\ Goto(t, "f_read")
            /\ SetL(t, [l[t] EXCEPT !.rfl = NULL, !.rtid = 0])
            /\ stale' = [stale EXCEPT ![t] = FALSE]
            /\ UNCHANGED <<cpuVars, slabVars, nodeVars, held, opsDone>>
    /\ UNCHANGED sched

-----------------------------------------------------------------------------
(*************** ___slab_alloc: the slow path *******************************)
\* local_lock_irqsave(&s->cpu_slab->lock) = take c.lock and claim the word
SlabAllocLock(t) ==
    /\ pc[t] = "s_lock"
    /\ LockClaim(t, C(t))
    /\ SetL(t, [l[t] EXCEPT !.cf = cpuFreelist[C(t)]])
    /\ Goto(t, "s_check")
    /\ UNCHANGED <<cpuTid, cpuSlab, cpuPartial, slabVars, nodeVars, held, stale, opsDone>>
    /\ UNCHANGED sched

\* load_freelist: the claimed c->freelist is not empty (a free refilled it):
\* hand out its head, release the rest.
SlabAllocLoadFreelist(t) ==
    /\ pc[t] = "s_check" /\ cpuSlab[C(t)] # NULL /\ l[t].cf # NULL
    /\ LET o == l[t].cf IN
       /\ Release(t, C(t), next[o])
       /\ SlowReturn(t, o)
    /\ UNCHANGED <<cpuSlab, cpuPartial, slabVars, nodeVars>>
    /\ UNCHANGED sched

\* freelist = get_freelist(s, slab): slab-word CAS (R1) taking the slab's
\* freelist, inuse = objects, frozen = (freelist != NULL).
GetFreelist(t) ==
    /\ pc[t] = "s_check" /\ cpuSlab[C(t)] # NULL /\ l[t].cf = NULL
    /\ LET s == cpuSlab[C(t)]  w == slab[s] IN
       /\ slab' = [slab EXCEPT ![s] = [w EXCEPT !.freelist = NULL, !.inuse = w.objects,
                                                 !.frozen = (w.freelist # NULL)]]
       /\ SetL(t, [l[t] EXCEPT !.fl = w.freelist])
       /\ Goto(t, IF w.freelist # NULL THEN "s_load" ELSE "s_drop")
    /\ UNCHANGED <<cpuVars, live, next, nodeVars, held, stale, opsDone>>
    /\ UNCHANGED sched

\* load_freelist with a private chain (after get_freelist, or c->slab = slab
\* in retry_load_slab): hand out its head, release the word with the rest.
LoadFreelist(t) ==
    /\ pc[t] = "s_load"
    /\ LET f == l[t].fl IN
       /\ Release(t, C(t), Nx(f))
       /\ SlowReturn(t, f)
    /\ UNCHANGED <<cpuSlab, cpuPartial, slabVars, nodeVars>>
    /\ UNCHANGED sched

\* get_freelist found nothing (the slab is now unfrozen and full):
\* c->slab = NULL ...
SlabAllocDropSlab(t) ==
    /\ pc[t] = "s_drop"
    /\ cpuSlab' = [cpuSlab EXCEPT ![C(t)] = NULL]
    /\ Goto(t, "s_droptid")
    /\ UNCHANGED <<cpuFreelist, cpuTid, cpuPartial, cpuLock, slabVars, nodeVars, held, l, stale, opsDone>>
    /\ UNCHANGED sched

\* ... c->tid = next_tid(c->tid); local_unlock: release (NULL, next tid);
\* goto new_slab (which takes the lock again).
SlabAllocDropSlabTid(t) ==
    /\ pc[t] = "s_droptid"
    /\ Release(t, C(t), l[t].cf)
    /\ Goto(t, "s_lock") /\ SetL(t, [l[t] EXCEPT !.cf = NULL, !.fl = NULL])
    /\ UNCHANGED <<cpuSlab, cpuPartial, slabVars, nodeVars, held, opsDone>>
    /\ UNCHANGED sched

\* new_slab: slab = c->slab = slub_percpu_partial(c) (CPU_PARTIAL_ALLOC).
\* Primary: the slab is frozen already; unlock (release) and goto redo.
\* delayed_freeze: the slab is unfrozen; 6.8 runs get_freelist on it in
\* the same locked block (folded here: the word is claimed), then load_freelist.
CpuPartialAlloc(t) ==
    /\ pc[t] = "s_check" /\ cpuSlab[C(t)] = NULL /\ cpuPartial[C(t)] # << >>
    /\ LET c == C(t)  s == Head(cpuPartial[c])  w == slab[s] IN
       /\ cpuSlab' = [cpuSlab EXCEPT ![c] = s]
       /\ cpuPartial' = [cpuPartial EXCEPT ![c] = Tail(@)]
       /\ IF Primary
          THEN Goto(t, "s_cpurel") /\ UNCHANGED <<slab, l>>
          ELSE /\ slab' = [slab EXCEPT ![s] = [w EXCEPT !.freelist = NULL, !.inuse = w.objects,
                                                        !.frozen = (w.freelist # NULL)]]
               /\ SetL(t, [l[t] EXCEPT !.fl = w.freelist])
               /\ Goto(t, "s_load")
    /\ UNCHANGED <<cpuFreelist, cpuTid, cpuLock, live, next, nodeVars, held, stale, opsDone>>
    /\ UNCHANGED sched

\* primary, after CPU_PARTIAL_ALLOC: local_unlock (release); goto redo
CpuPartialAllocUnlock(t) ==
    /\ pc[t] = "s_cpurel"
    /\ Release(t, C(t), l[t].cf)
    /\ Goto(t, "s_lock") /\ SetL(t, [l[t] EXCEPT !.cf = NULL])
    /\ UNCHANGED <<cpuSlab, cpuPartial, slabVars, nodeVars, held, opsDone>>
    /\ UNCHANGED sched

\* new_objects: no c->slab, no cpu partial: release, get_partial_node.
\* (list_lock is never taken while holding the cpu lock: order list_lock -> cpu lock)
SlabAllocNewObjects(t) ==
    /\ pc[t] = "s_check" /\ cpuSlab[C(t)] = NULL /\ cpuPartial[C(t)] = << >>
    /\ Release(t, C(t), l[t].cf)
    /\ Goto(t, "g_lock") /\ SetL(t, [l[t] EXCEPT !.cf = NULL])
    /\ UNCHANGED <<cpuSlab, cpuPartial, slabVars, nodeVars, held, opsDone>>
    /\ UNCHANGED sched

-----------------------------------------------------------------------------
(*************** get_partial_node *******************************************)
AfterPartial == IF Primary THEN "r_lock" ELSE "g_freeze"
\* keep scanning?  !kmem_cache_has_cpu_partial || partial_slabs > cpu_partial_slabs/2 -> break
MoreFromNode(xtra, rest) == HasCpuPartial /\ rest # << >> /\ ~(xtra > CpuPartialSlabs \div 2)

\* if (!n || !n->nr_partial) return NULL: the lockless peek of nr_partial
\* found the node list empty; go to new_slab without taking list_lock.
GetPartialPeekEmpty(t) ==
    /\ pc[t] = "g_lock" /\ nrPartial = 0
    /\ Goto(t, "n_new")
    /\ UNCHANGED <<cpuVars, slabVars, nodeVars, held, l, stale, opsDone>>
    /\ UNCHANGED sched

\* spin_lock_irqsave(&n->list_lock)
GetPartialLock(t) ==
    /\ pc[t] = "g_lock" /\ listLock = NULL
    /\ listLock' = t
    /\ Goto(t, "g_scan")
    /\ UNCHANGED <<cpuVars, slabVars, partial, nrPartial, held, l, stale, opsDone>>
    /\ UNCHANGED sched

\* acquire_slab(mode = 1) on the first slab + remove_partial (under list_lock;
\* R1).  Primary: the CAS freezes the slab and takes its freelist.
\* delayed_freeze: only remove_partial; freeze_slab comes after unlock.
AcquireSlab(t) ==
    /\ pc[t] = "g_scan" /\ l[t].sl = NULL /\ partial # << >>
    /\ LET s == Head(partial)  w == slab[s]  more == MoreFromNode(0, Tail(partial)) IN
       /\ slab' = IF Primary
                  THEN [slab EXCEPT ![s] = [w EXCEPT !.freelist = NULL, !.inuse = w.objects, !.frozen = TRUE]]
                  ELSE slab
       /\ partial' = Tail(partial)
       /\ nrPartial' = nrPartial - 1
       /\ SetL(t, [l[t] EXCEPT !.sl = s, !.fl = IF Primary THEN w.freelist ELSE NULL])
       /\ listLock' = IF more THEN t ELSE NULL
       /\ Goto(t, IF more THEN "g_scan" ELSE AfterPartial)
    /\ UNCHANGED <<cpuVars, live, next, held, stale, opsDone>>
    /\ UNCHANGED sched

\* acquire_slab(mode = 0) on a further slab: freeze it, leave its freelist
\* (primary); remove_partial; then put_cpu_partial(s, slab, 0).
AcquireSlabExtra(t) ==
    /\ pc[t] = "g_scan" /\ l[t].sl # NULL /\ partial # << >>
    /\ LET s == Head(partial)  w == slab[s] IN
       /\ slab' = IF Primary THEN [slab EXCEPT ![s] = [w EXCEPT !.frozen = TRUE]] ELSE slab
       /\ partial' = Tail(partial)
       /\ nrPartial' = nrPartial - 1
       /\ SetL(t, [l[t] EXCEPT !.psl = s])
       /\ Goto(t, "g_pcp")
    /\ UNCHANGED <<cpuVars, listLock, live, next, held, stale, opsDone>>
    /\ UNCHANGED sched

\* acquire_slab is one CAS attempt; it fails when a lockless __slab_free
\* changed the slab word between its read and the CAS.  get_partial_node
\* then stops scanning: unlock; with no slab yet, new_slab.  (An over-
\* approximation: the model lets the CAS fail whenever the list is not
\* empty, as if such a free had just happened.)
AcquireSlabFail(t) ==
    /\ pc[t] = "g_scan" /\ partial # << >>
    /\ listLock' = NULL
    /\ Goto(t, IF l[t].sl = NULL THEN "n_new" ELSE AfterPartial)
    /\ UNCHANGED <<cpuVars, slabVars, partial, nrPartial, held, l, stale, opsDone>>
    /\ UNCHANGED sched

\* put_cpu_partial(s, slab, drain = 0) while holding list_lock: takes the
\* cpu lock, pushes, unlocks (R3).  drain = 0 never detaches the old list.
PutCpuPartialNoDrain(t) ==
    /\ pc[t] = "g_pcp" /\ cpuLock[C(t)] = NULL
    /\ LET c == C(t)  x == l[t].xtra + 1  more == MoreFromNode(x, partial) IN
       /\ cpuPartial' = [cpuPartial EXCEPT ![c] = <<l[t].psl>> \o @]
       /\ SetL(t, [l[t] EXCEPT !.psl = NULL, !.xtra = x])
       /\ listLock' = IF more THEN t ELSE NULL
       /\ Goto(t, IF more THEN "g_scan" ELSE AfterPartial)
    /\ UNCHANGED <<cpuFreelist, cpuTid, cpuSlab, cpuLock, slabVars, partial, nrPartial, held, stale, opsDone>>
    /\ UNCHANGED sched

\* node list empty: unlock, go to new_slab
GetPartialNone(t) ==
    /\ pc[t] = "g_scan" /\ l[t].sl = NULL /\ partial = << >>
    /\ listLock' = NULL
    /\ Goto(t, "n_new")
    /\ UNCHANGED <<cpuVars, slabVars, partial, nrPartial, held, l, stale, opsDone>>
    /\ UNCHANGED sched

\* delayed_freeze (6.8): freeze_slab -- take the freelist, inuse = objects,
\* frozen = 1, after the slab left the node list (R1).
FreezeSlab(t) ==
    /\ pc[t] = "g_freeze"
    /\ LET s == l[t].sl  w == slab[s] IN
       /\ slab' = [slab EXCEPT ![s] = [w EXCEPT !.freelist = NULL, !.inuse = w.objects, !.frozen = TRUE]]
       /\ SetL(t, [l[t] EXCEPT !.fl = w.freelist])
       /\ Goto(t, "r_lock")
    /\ UNCHANGED <<cpuVars, live, next, nodeVars, held, stale, opsDone>>
    /\ UNCHANGED sched

-----------------------------------------------------------------------------
(*************** new_slab / allocate_slab ***********************************)
\* A frame from the page allocator (lowest free frame, so slab numbering is
\* deterministic), objects linked in order, born frozen with its freelist
\* taken and inuse = objects.
NewSlab(t) ==
    /\ pc[t] = "n_new" /\ Slabs \ live # {}
    /\ LET s == MinOf(Slabs \ live)  first == (s - 1) * NObjs + 1 IN
       /\ live' = live \cup {s}
       /\ next' = [o \in Obj |-> IF SlabOf(o) = s
                                THEN (IF o < s * NObjs THEN o + 1 ELSE NULL)
                                ELSE next[o]]
       /\ slab' = [slab EXCEPT ![s] = [freelist |-> NULL, inuse |-> NObjs,
                                       objects |-> NObjs, frozen |-> TRUE]]
       /\ SetL(t, [l[t] EXCEPT !.sl = s, !.fl = first])
       /\ Goto(t, "r_lock")
    /\ UNCHANGED <<cpuVars, nodeVars, held, stale, opsDone>>
    /\ UNCHANGED sched

\* the frame allocator fails: slab_out_of_memory, ___slab_alloc returns NULL
NewSlabFail(t) ==
    /\ pc[t] = "n_new" /\ Slabs \subseteq live
    /\ SlowReturn(t, NULL)
    /\ UNCHANGED <<cpuVars, slabVars, nodeVars, stale>>
    /\ UNCHANGED sched

-----------------------------------------------------------------------------
(*************** retry_load_slab ********************************************)
RetryLoadSlabLock(t) ==
    /\ pc[t] = "r_lock"
    /\ LockClaim(t, C(t))
    /\ SetL(t, [l[t] EXCEPT !.cf = cpuFreelist[C(t)]])
    /\ Goto(t, "r_check")
    /\ UNCHANGED <<cpuTid, cpuSlab, cpuPartial, slabVars, nodeVars, held, stale, opsDone>>
    /\ UNCHANGED sched

\* if (unlikely(c->slab)): another thread of this CPU installed a slab while
\* we were unlocked.  flush_slab = c->slab, flush_freelist = the claimed
\* freelist; c->slab = NULL ...
RetryLoadSlabFlush(t) ==
    /\ pc[t] = "r_check" /\ cpuSlab[C(t)] # NULL
    /\ cpuSlab' = [cpuSlab EXCEPT ![C(t)] = NULL]
    /\ SetL(t, [l[t] EXCEPT !.dsl = cpuSlab[C(t)], !.dfl = l[t].cf, !.cf = NULL])
    /\ Goto(t, "r_flushtid")
    /\ UNCHANGED <<cpuFreelist, cpuTid, cpuPartial, cpuLock, slabVars, nodeVars, held, stale, opsDone>>
    /\ UNCHANGED sched

\* ... c->freelist = NULL; c->tid = next_tid: release (NULL); then
\* deactivate_slab(flush_slab, flush_freelist); goto retry_load_slab.
RetryLoadSlabFlushTid(t) ==
    /\ pc[t] = "r_flushtid"
    /\ Release(t, C(t), NULL)
    /\ SetL(t, [l[t] EXCEPT !.dret = "r_lock"])
    /\ Goto(t, "d_read")
    /\ UNCHANGED <<cpuSlab, cpuPartial, slabVars, nodeVars, held, opsDone>>
    /\ UNCHANGED sched

\* c->slab = slab; goto load_freelist
RetryLoadSlabInstall(t) ==
    /\ pc[t] = "r_check" /\ cpuSlab[C(t)] = NULL
    /\ cpuSlab' = [cpuSlab EXCEPT ![C(t)] = l[t].sl]
    /\ SetL(t, [l[t] EXCEPT !.sl = NULL])
    /\ Goto(t, "s_load")
    /\ UNCHANGED <<cpuFreelist, cpuTid, cpuPartial, cpuLock, slabVars, nodeVars, held, stale, opsDone>>
    /\ UNCHANGED sched

-----------------------------------------------------------------------------
(*************** deactivate_slab (<= 6.7 form) ******************************)
(* Stage one counts the detached cpu freelist (private); stage two is a   *)
(* CAS loop that splices it in front of the slab freelist and unfreezes.  *)
(* For M_PARTIAL the list_lock is taken before the CAS, so acquire_slab  *)
(* never sees the slab unfrozen and off the list.                         *)
DeactMode(w, f) ==
    LET inuse == w.inuse - Len(Chain(f))
        fl    == IF f # NULL THEN f ELSE w.freelist
    IN IF inuse = 0 /\ nrPartial >= MinPartial THEN "free"
       ELSE IF fl # NULL THEN "partial" ELSE "full"

\* old.freelist/old.counters = READ_ONCE(...); decide the target mode
\* (nr_partial read without the lock, as in the kernel).  The first read
\* also fixes head or tail (if (slab->freelist) tail = DEACTIVATE_TO_TAIL):
\* the kernel reads it before stage one, which only walks the private list.
DeactivateRead(t) ==
    /\ pc[t] = "d_read"
    /\ LET w == slab[l[t].dsl]  m == DeactMode(w, l[t].dfl) IN
       /\ SetL(t, [l[t] EXCEPT !.old = w, !.mode = m,
                    !.dtail = IF @ # 0 THEN @ ELSE IF w.freelist # NULL THEN 2 ELSE 1])
       /\ Goto(t, IF m = "partial" THEN "d_lock" ELSE "d_cas")
    /\ UNCHANGED <<cpuVars, slabVars, nodeVars, held, stale, opsDone>>
    /\ UNCHANGED sched

\* M_PARTIAL: spin_lock_irqsave(&n->list_lock) before the CAS
DeactivateLock(t) ==
    /\ pc[t] = "d_lock" /\ listLock = NULL
    /\ listLock' = t
    /\ Goto(t, "d_cas")
    /\ UNCHANGED <<cpuVars, slabVars, partial, nrPartial, held, l, stale, opsDone>>
    /\ UNCHANGED sched

\* slab_update_freelist(old -> spliced, inuse -= free_delta, frozen = 0);
\* on failure unlock and redo.  On success: M_PARTIAL add_partial (tail if
\* the slab had remote frees) + unlock (R3); M_FREE discard_slab (R3);
\* M_FULL nothing.
DeactivateCmpxchg(t) ==
    /\ pc[t] = "d_cas"
    /\ LET s == l[t].dsl  w == l[t].old  f == l[t].dfl  m == l[t].mode
           nw == [w EXCEPT !.freelist = IF f # NULL THEN f ELSE w.freelist,
                           !.inuse = w.inuse - Len(Chain(f)), !.frozen = FALSE]
       IN IF slab[s] = w
          THEN /\ IF m = "free"
                  THEN /\ live' = live \ {s}
                       /\ slab' = [slab EXCEPT ![s] = EmptyWord]
                       /\ next' = DiscardNext({s})
                  ELSE /\ slab' = [slab EXCEPT ![s] = nw]
                       /\ next' = SpliceNext(f, w.freelist)
                       /\ UNCHANGED live
               /\ IF m = "partial"
                  THEN /\ partial' = IF l[t].dtail = 2 THEN Append(partial, s) ELSE <<s>> \o partial
                       /\ nrPartial' = nrPartial + 1
                       /\ listLock' = NULL
                  ELSE UNCHANGED nodeVars
               /\ Goto(t, l[t].dret)
               /\ SetL(t, [l[t] EXCEPT !.dsl = NULL, !.dfl = NULL, !.old = EmptyWord,
                                       !.mode = "none", !.dret = "none", !.dtail = 0])
          ELSE /\ listLock' = IF m = "partial" THEN NULL ELSE listLock
               /\ Goto(t, "d_read")
               /\ UNCHANGED <<slabVars, partial, nrPartial, l>>
    /\ UNCHANGED <<cpuVars, held, stale, opsDone>>
    /\ UNCHANGED sched

-----------------------------------------------------------------------------
(*************** __slab_free: the slow free path ****************************)
Prior(w)     == w.freelist
\* n = cnt, the objects of the detached list (1 for kmem_cache_free)
NewInuse(w, n) == w.inuse - n
WasFrozen(w) == w.frozen
\* (!new.inuse || !prior) && !was_frozen
NeedList(w, n)  == (NewInuse(w, n) = 0 \/ Prior(w) = NULL) /\ ~WasFrozen(w)
\* primary: a full slab gets frozen and goes to the cpu partial list
FreezeIt(w, n)  == Primary /\ NeedList(w, n) /\ HasCpuPartial /\ Prior(w) = NULL
NewFrozen(w, n) == WasFrozen(w) \/ (FreezeIt(w, n) /\ ~Bug("FREEZE_MISSING"))
\* the slab must go to put_cpu_partial(drain = 1) after the CAS
ToCpuPartial(w, n) == IF Primary THEN FreezeIt(w, n)
                   ELSE NeedList(w, n) /\ HasCpuPartial /\ Prior(w) = NULL
\* n = get_node(); spin_lock_irqsave(&n->list_lock) inside the loop
NeedLock(w, n)  == IF Primary THEN NeedList(w, n) /\ ~FreezeIt(w, n)
                ELSE NeedList(w, n) /\ (~HasCpuPartial \/ Prior(w) # NULL)
LockBefore(w, n) == NeedLock(w, n) /\ ~Bug("DISCARD_RACE")
LockAfter(w, n)  == NeedLock(w, n) /\ Bug("DISCARD_RACE")

\* prior = slab->freelist; counters = slab->counters (one atomic read in Java)
SlabFreeRead(t) ==
    /\ pc[t] = "sf_read"
    /\ LET s == SlabOf(l[t].obj)  w == slab[s] IN
       /\ SetL(t, [l[t] EXCEPT !.fs = s, !.old = w])
       /\ Goto(t, IF LockBefore(w, l[t].cnt) THEN "sf_lock" ELSE "sf_cas")
    /\ UNCHANGED <<cpuVars, slabVars, nodeVars, held, stale, opsDone>>
    /\ UNCHANGED sched

SlabFreeLock(t) ==
    /\ pc[t] = "sf_lock" /\ listLock = NULL
    /\ listLock' = t
    /\ Goto(t, "sf_cas")
    /\ UNCHANGED <<cpuVars, slabVars, partial, nrPartial, held, l, stale, opsDone>>
    /\ UNCHANGED sched

(* After the CAS, holding list_lock (R3): the tail of __slab_free.        *)
(* Sets listLock, partial, nrPartial, pc, l, opsDone.                     *)
FreeLockedTail(t, s, w) ==
    IF ~Primary /\ Prior(w) # NULL /\ s \notin Range(partial) /\ ~Bug("NO_LIST_RECHECK")
    THEN \* 6.8: prior && !on_node_partial -> the slab is on a cpu partial list: hands off
         /\ listLock' = NULL /\ UNCHANGED <<partial, nrPartial>> /\ FreeDone(t)
    ELSE IF NewInuse(w, l[t].cnt) = 0 /\ nrPartial >= MinPartial
    THEN \* slab_empty: remove_partial if it was on the list; unlock; discard_slab
         /\ IF Prior(w) # NULL
            THEN partial' = Without(partial, s) /\ nrPartial' = nrPartial - 1
            ELSE UNCHANGED <<partial, nrPartial>>
         /\ listLock' = NULL
         /\ Goto(t, "sf_discard")
         /\ SetL(t, [l[t] EXCEPT !.obj = NULL, !.dl = << >>])
         /\ UNCHANGED opsDone
    ELSE IF ~HasCpuPartial /\ Prior(w) = NULL
    THEN \* was full, on no list: add_partial(n, slab, DEACTIVATE_TO_TAIL)
         /\ partial' = Append(partial, s) /\ nrPartial' = nrPartial + 1
         /\ listLock' = NULL /\ FreeDone(t)
    ELSE /\ listLock' = NULL /\ UNCHANGED <<partial, nrPartial>> /\ FreeDone(t)

(* After a successful slab-word update.                                   *)
AfterFreeCas(t, s, w) ==
    IF listLock = t THEN FreeLockedTail(t, s, w)
    ELSE /\ UNCHANGED nodeVars
         /\ IF LockAfter(w, l[t].cnt)
            THEN Goto(t, "sf_lock2") /\ SetL(t, [l[t] EXCEPT !.obj = NULL, !.dl = << >>]) /\ UNCHANGED opsDone
            ELSE IF ~WasFrozen(w) /\ ToCpuPartial(w, l[t].cnt)
            THEN Goto(t, "p_lock") /\ SetL(t, [L0 EXCEPT !.psl = s, !.fbq = l[t].fbq]) /\ UNCHANGED opsDone
            ELSE FreeDone(t)      \* was_frozen (FREE_FROZEN) or nothing to do

\* set_freepointer(tail, prior) (R2) + slab_update_freelist(prior,
\* counters -> head, counters - cnt).  On failure unlock (if locked), retry.
\* SPLIT_CAS: only the freelist half here; the counters follow separately.
SlabFreeCmpxchg(t) ==
    /\ pc[t] = "sf_cas"
    /\ LET s == l[t].fs  w == l[t].old  o == l[t].obj  cur == slab[s] IN
       IF Bug("SPLIT_CAS")
       THEN IF cur.freelist = Prior(w)
            THEN /\ slab' = [slab EXCEPT ![s].freelist = o]
                 /\ next' = LinkDetached(t, Prior(w))
                 /\ Goto(t, "sf_cnt") /\ SetL(t, [l[t] EXCEPT !.obj = NULL, !.dl = << >>])
                 /\ UNCHANGED <<live, nodeVars, opsDone>>
            ELSE /\ listLock' = IF listLock = t THEN NULL ELSE listLock
                 /\ Goto(t, "sf_read")
                 /\ UNCHANGED <<slabVars, partial, nrPartial, l, opsDone>>
       ELSE IF cur = w
            THEN /\ slab' = [slab EXCEPT ![s] = [w EXCEPT !.freelist = o, !.inuse = NewInuse(w, l[t].cnt),
                                                          !.frozen = NewFrozen(w, l[t].cnt)]]
                 /\ next' = LinkDetached(t, Prior(w))
                 /\ UNCHANGED live
                 /\ AfterFreeCas(t, s, w)
            ELSE /\ listLock' = IF listLock = t THEN NULL ELSE listLock
                 /\ Goto(t, "sf_read")
                 /\ UNCHANGED <<slabVars, partial, nrPartial, l, opsDone>>
    /\ UNCHANGED <<cpuVars, held, stale>>
    /\ UNCHANGED sched

\* SPLIT_CAS only: the second CAS, on the counters alone (re-read on failure)
SlabFreeCounters(t) ==
    /\ pc[t] = "sf_cnt" /\ Bug("SPLIT_CAS")
    /\ LET s == l[t].fs  w == l[t].old  cur == slab[s] IN
       IF cur.inuse = w.inuse /\ cur.frozen = w.frozen
       THEN /\ slab' = [slab EXCEPT ![s] = [cur EXCEPT !.inuse = NewInuse(w, l[t].cnt), !.frozen = NewFrozen(w, l[t].cnt)]]
            /\ AfterFreeCas(t, s, w)
       ELSE /\ SetL(t, [l[t] EXCEPT !.old = [w EXCEPT !.inuse = cur.inuse, !.frozen = cur.frozen]])
            /\ UNCHANGED <<slab, nodeVars, pc, opsDone>>
    /\ UNCHANGED <<cpuVars, live, next, held, stale>>
    /\ UNCHANGED sched

\* DISCARD_RACE only: list_lock taken after the CAS; the slab_empty decision
\* uses the values of the CAS without re-checking them under the lock.
SlabFreeLockLate(t) ==
    /\ pc[t] = "sf_lock2" /\ listLock = NULL
    /\ FreeLockedTail(t, l[t].fs, l[t].old)
    /\ UNCHANGED <<cpuVars, slabVars, held, stale>>
    /\ UNCHANGED sched

\* discard_slab(s, slab) after slab_empty's unlock
DiscardSlab(t) ==
    /\ pc[t] = "sf_discard"
    /\ LET s == l[t].fs IN
       /\ live' = live \ {s}
       /\ slab' = [slab EXCEPT ![s] = EmptyWord]
       /\ next' = DiscardNext({s})
    /\ FreeDone(t)
    /\ UNCHANGED <<cpuVars, nodeVars, held, stale>>
    /\ UNCHANGED sched

-----------------------------------------------------------------------------
(*************** put_cpu_partial(drain = 1) / __unfreeze_partials ***********)
\* Under this CPU's lock (R3): if the list already holds >= cpu_partial_slabs
\* slabs, detach it for unfreezing; push the slab; unlock.  "This CPU" is
\* read here (Java: currentCpu() in __slab_free), not at the free's start.
PutCpuPartial(t) ==
    /\ pc[t] = "p_lock" /\ cpuLock[Bound(t)] = NULL
    /\ LET c == Bound(t)  old == cpuPartial[c]
           drain == old # << >> /\ Len(old) >= CpuPartialSlabs IN
       /\ cpuPartial' = [cpuPartial EXCEPT ![c] = IF drain THEN <<l[t].psl>> ELSE <<l[t].psl>> \o old]
       /\ IF drain
          THEN Goto(t, "u_lock") /\ SetL(t, [L0 EXCEPT !.detached = old, !.uret = "done", !.fbq = l[t].fbq])
                 /\ UNCHANGED opsDone
          ELSE FreeDone(t)
    /\ UNCHANGED <<cpuFreelist, cpuTid, cpuSlab, cpuLock, slabVars, nodeVars, held, stale>>
    /\ UNCHANGED sched

UnfreezeLock(t) ==
    /\ pc[t] = "u_lock" /\ listLock = NULL
    /\ listLock' = t
    /\ Goto(t, "u_one")
    /\ UNCHANGED <<cpuVars, slabVars, partial, nrPartial, held, l, stale, opsDone>>
    /\ UNCHANGED sched

\* One slab of the detached list, under list_lock: CAS frozen -> 0 (R1;
\* delayed_freeze: already unfrozen, no CAS); then discard later if empty
\* and the node has enough partial slabs, else add_partial to the tail.
UnfreezeOne(t) ==
    /\ pc[t] = "u_one" /\ l[t].detached # << >>
    /\ LET s == Head(l[t].detached)  w == slab[s]
           drop == w.inuse = 0 /\ nrPartial >= MinPartial IN
       /\ slab' = IF Primary THEN [slab EXCEPT ![s].frozen = FALSE] ELSE slab
       /\ IF drop
          THEN /\ SetL(t, [l[t] EXCEPT !.detached = Tail(@), !.dset = @ \cup {s}])
               /\ UNCHANGED <<partial, nrPartial>>
          ELSE /\ SetL(t, [l[t] EXCEPT !.detached = Tail(@)])
               /\ partial' = Append(partial, s) /\ nrPartial' = nrPartial + 1
    /\ UNCHANGED <<cpuVars, live, next, listLock, pc, held, stale, opsDone>>
    /\ UNCHANGED sched

\* unlock; discard the empty ones (R3); return
UnfreezeDone(t) ==
    /\ pc[t] = "u_one" /\ l[t].detached = << >>
    /\ listLock' = NULL
    /\ live' = live \ l[t].dset
    /\ slab' = [s \in Slabs |-> IF s \in l[t].dset THEN EmptyWord ELSE slab[s]]
    /\ next' = DiscardNext(l[t].dset)
    /\ IF l[t].uret = "done"          \* put_cpu_partial's drain, in a free
       THEN FreeDone(t)
       ELSE Goto(t, l[t].uret) /\ SetL(t, [l[t] EXCEPT !.dset = {}, !.uret = "none"])
              /\ UNCHANGED opsDone
    /\ UNCHANGED <<cpuVars, partial, nrPartial, held, stale>>
    /\ UNCHANGED sched

-----------------------------------------------------------------------------
(*************** __kmem_cache_shrink: flush_all, then the node list *********)
\* flush_slab on CPU k, done by any thread: take k's lock and claim its word
FlushLock(t) ==
    /\ pc[t] = "k_lock" \/ CanStart(t, "shrink")   \* starting: k = 0 (L0)
    /\ LockClaim(t, l[t].k)
    /\ SetL(t, [l[t] EXCEPT !.cf = cpuFreelist[l[t].k]])
    /\ Goto(t, "k_slab")
    /\ UNCHANGED <<cpuTid, cpuSlab, cpuPartial, slabVars, nodeVars, held, stale, opsDone>>
    /\ UNCHANGED sched

\* slab = c->slab; freelist = claimed; c->slab = NULL
FlushSlab(t) ==
    /\ pc[t] = "k_slab"
    /\ LET k == l[t].k IN
       /\ cpuSlab' = [cpuSlab EXCEPT ![k] = NULL]
       /\ SetL(t, [l[t] EXCEPT !.dsl = cpuSlab[k], !.dfl = l[t].cf, !.cf = NULL])
       /\ Goto(t, "k_word")
    /\ UNCHANGED <<cpuFreelist, cpuTid, cpuPartial, cpuLock, slabVars, nodeVars, held, stale, opsDone>>
    /\ UNCHANGED sched

\* c->freelist = NULL; c->tid = next_tid: release; unlock; deactivate_slab if there was a slab
FlushSlabTid(t) ==
    /\ pc[t] = "k_word"
    /\ Release(t, l[t].k, NULL)
    /\ IF l[t].dsl # NULL
       THEN Goto(t, "d_read") /\ SetL(t, [l[t] EXCEPT !.dret = "k_plock"])
       ELSE Goto(t, "k_plock") /\ UNCHANGED l
    /\ UNCHANGED <<cpuSlab, cpuPartial, slabVars, nodeVars, held, opsDone>>
    /\ UNCHANGED sched

\* unfreeze_partials: under k's lock detach c->partial (R3), then __unfreeze_partials
UnfreezePartials(t) ==
    /\ pc[t] = "k_plock" /\ cpuLock[l[t].k] = NULL
    /\ LET k == l[t].k  d == cpuPartial[k] IN
       /\ cpuPartial' = [cpuPartial EXCEPT ![k] = << >>]
       /\ IF d # << >>
          THEN Goto(t, "u_lock") /\ SetL(t, [l[t] EXCEPT !.detached = d, !.uret = "k_next"])
          ELSE Goto(t, "k_next") /\ UNCHANGED l
    /\ UNCHANGED <<cpuFreelist, cpuTid, cpuSlab, cpuLock, slabVars, nodeVars, held, stale, opsDone>>
    /\ UNCHANGED sched

ShrinkNextCpu(t) ==
    /\ pc[t] = "k_next"
    /\ IF l[t].k + 1 < NCpus
       THEN Goto(t, "k_lock") /\ SetL(t, [l[t] EXCEPT !.k = @ + 1])
       ELSE Goto(t, "k_node") /\ UNCHANGED l
    /\ UNCHANGED <<cpuVars, slabVars, nodeVars, held, stale, opsDone>>
    /\ UNCHANGED sched

ShrinkLock(t) ==
    /\ pc[t] = "k_node" /\ listLock = NULL
    /\ listLock' = t
    /\ Goto(t, "k_scan")
    /\ UNCHANGED <<cpuVars, slabVars, partial, nrPartial, held, l, stale, opsDone>>
    /\ UNCHANGED sched

\* SHRINK_PROMOTE_MAX: slabs with 1..32 free objects are re-sorted to the
\* front, fewest free first (stable); the others keep their order behind.
FreeCount(s) == slab[s].objects - slab[s].inuse
ShrinkPromote(P) ==
    CatAll([k \in 1 .. (IF NObjs < 32 THEN NObjs ELSE 32) |->
               SelectSeq(P, LAMBDA s : FreeCount(s) = k)])
    \o SelectSeq(P, LAMBDA s : FreeCount(s) > 32)

\* list_for_each_entry_safe(slab, &n->partial): the empty ones (inuse read
\* under list_lock) leave the list, the rest are re-sorted by free count;
\* unlock; free the empty ones (R3).
ShrinkDiscard(t) ==
    /\ pc[t] = "k_scan"
    /\ LET E == {s \in Range(partial) : slab[s].inuse = 0} IN
       /\ partial' = ShrinkPromote(SelectSeq(partial, LAMBDA s : s \notin E))
       /\ nrPartial' = nrPartial - Cardinality(E)
       /\ listLock' = NULL
       /\ live' = live \ E
       /\ slab' = [s \in Slabs |-> IF s \in E THEN EmptyWord ELSE slab[s]]
       /\ next' = DiscardNext(E)
    /\ Done(t)
    /\ UNCHANGED <<cpuVars, held, stale>>
    /\ UNCHANGED sched

-----------------------------------------------------------------------------
(*************** kmem_cache_alloc_bulk **************************************)
\* local_lock_irq = take c.lock and claim the word
BulkLock(t) ==
    /\ pc[t] = "b_lock" \/ CanStart(t, "bulk")
    /\ LET c == IF pc[t] = "idle" THEN Bound(t) ELSE C(t) IN  \* the CPU is read once, at the start
       /\ LockClaim(t, c)
       /\ SetL(t, [(IF pc[t] = "idle" THEN [L0 EXCEPT !.ret = "bulk", !.nb = BulkSize] ELSE l[t])
                     EXCEPT !.cf = cpuFreelist[c], !.cpu = c])
    /\ Goto(t, "b_pop")
    /\ UNCHANGED <<cpuTid, cpuSlab, cpuPartial, slabVars, nodeVars, held, stale, opsDone>>
    /\ UNCHANGED sched

\* object = c->freelist; c->freelist = get_freepointer(object), as often as
\* wanted and possible: pops of the claimed (private) freelist, folded
\* into one step.  Enough: c->tid = next_tid; unlock -- release the rest.
\* Freelist empty first: c->tid = next_tid (the 2020 fix; BULK_NO_TID_BUMP
\* omits it); unlock; ___slab_alloc for one object.
BulkPop(t) ==
    /\ pc[t] = "b_pop"
    /\ LET c == C(t)  ch == Chain(l[t].cf)  k == IF Len(ch) < l[t].nb THEN Len(ch) ELSE l[t].nb
           got == l[t].got \cup Range(SubSeq(ch, 1, k))  nb == l[t].nb - k
           rest == IF k < Len(ch) THEN ch[k + 1] ELSE NULL IN
       IF nb = 0
       THEN /\ Release(t, c, rest)
            /\ held' = [held EXCEPT ![t] = @ \cup got]
            /\ Done(t)
       ELSE /\ cpuFreelist' = [cpuFreelist EXCEPT ![c] = NULL]
            /\ IF Bug("BULK_NO_TID_BUMP") THEN NoBump(t) ELSE Bump(t, c)
            /\ cpuLock' = [cpuLock EXCEPT ![c] = NULL]
            /\ Goto(t, "s_lock")
            /\ SetL(t, [l[t] EXCEPT !.got = got, !.nb = nb, !.cf = NULL])
            /\ UNCHANGED <<held, opsDone>>
    /\ UNCHANGED <<cpuSlab, cpuPartial, slabVars, nodeVars>>
    /\ UNCHANGED sched

-----------------------------------------------------------------------------
(*************** kmem_cache_free_bulk **************************************)
\* The client frees the objects of array p (1 .. MaxBulkFree objects it
\* holds, in any order).  jslub first checks every entry (SlabBulkCheck: an
\* object of this cache, once in the batch, on no freelist -- the last by
\* walking the CPU freelists of the CPUs whose c->slab is a slab of the
\* batch, with the word claimed, BulkCheckCpu / BulkCheckRelease); then
\* build_detached_freelist links each slab's entries into one list (the
\* links are written on objects the thread owns: R2, folded into the CAS
\* that publishes them) and do_slab_free frees that list with cnt objects.
\* every array the client could pass (a constant set, so that TLC names the action)
BulkArrays == UNION {{f \in [1 .. k -> Obj] : Cardinality(Range(f)) = k} : k \in 1 .. MaxBulkFree}

KmemCacheFreeBulk(t, p) ==
    /\ CanStart(t, "freebulk")
    /\ Len(p) \in 1 .. MaxBulkFree /\ Range(p) \subseteq held[t] /\ Cardinality(Range(p)) = Len(p)
    /\ held' = [held EXCEPT ![t] = @ \ Range(p)]
    /\ Goto(t, "fb_check")
    /\ SetL(t, [L0 EXCEPT !.fbq = DetachedLists(p)])
    /\ UNCHANGED <<cpuVars, slabVars, nodeVars, stale, opsDone>>
    /\ UNCHANGED sched

\* the slabs of the batch still in hand (during the check: all of them)
BatchSlabs(t) == {SlabOf(o) : o \in Range(CatAll(l[t].fbq))}

\* after CPU ck: the next CPU, or the first detached list (do_slab_free)
CheckNext(t, r) ==
    IF r.ck + 1 < NCpus
    THEN Goto(t, "fb_check") /\ SetL(t, [r EXCEPT !.ck = @ + 1])
    ELSE Goto(t, "f_read") /\ SetL(t, NextList(r.fbq))

\* SlabBulkCheck on CPU ck (jslub's; the kernel checks nothing here without
\* debug): c->slab holds no object of the batch -- go on (a lockless peek,
\* or the re-check after taking the lock); else take c.lock and claim the
\* word, so that the CPU freelist stays put while it is walked.
BulkCheckCpu(t) ==
    /\ pc[t] = "fb_check"
    /\ LET k == l[t].ck IN
       IF cpuSlab[k] \in BatchSlabs(t)
       THEN /\ LockClaim(t, k)
            /\ SetL(t, [l[t] EXCEPT !.cf = cpuFreelist[k]])
            /\ Goto(t, "fb_rel")
            /\ UNCHANGED <<cpuTid, stale>>
       ELSE /\ CheckNext(t, l[t])
            /\ UNCHANGED <<cpuFreelist, cpuTid, cpuLock, stale>>
    /\ UNCHANGED <<cpuSlab, cpuPartial, slabVars, nodeVars, held, opsDone>>
    /\ UNCHANGED sched

\* the walk found none of the batch (the client is honest): release the word
\* as it was, with the next tid (KmemCacheCpu.release); unlock
BulkCheckRelease(t) ==
    /\ pc[t] = "fb_rel"
    /\ Release(t, l[t].ck, l[t].cf)
    /\ CheckNext(t, [l[t] EXCEPT !.cf = NULL])
    /\ UNCHANGED <<cpuSlab, cpuPartial, slabVars, nodeVars, held, opsDone>>
    /\ UNCHANGED sched

-----------------------------------------------------------------------------
(*************** the scheduler **********************************************)
\* set_task_cpu: thread t now runs on CPU c (Java: VirtualCpus.bind, or any
\* CpuId answer).  Only t's next reads of its CPU see it (AllocReadCpuWord,
\* FreeReadCpuWord, BulkLock's start, PutCpuPartial); a step already under
\* way keeps the KmemCacheCpu it read.  Since nothing else reads Bound(t),
\* a move commutes with every other step, so it is enough to let it happen
\* where t is about to read it: idle, before a fast path's re-read, before
\* put_cpu_partial.  At most MaxMigrations moves in a run.
SetTaskCpu(t, c) ==
    /\ sched.moves < MaxMigrations
    /\ pc[t] \in {"idle", "a_read", "f_read", "p_lock"}
    /\ c # Bound(t)
    /\ sched' = [bound |-> [sched.bound EXCEPT ![t] = c], moves |-> sched.moves + 1]
    /\ UNCHANGED <<cpuVars, slabVars, nodeVars, pc, held, l, stale, opsDone>>

-----------------------------------------------------------------------------
(* Every step of thread t except starting an operation.                   *)
StepAny(t) ==
    \/ AllocReadCpuWord(t) \/ AllocReadCpuSlab(t) \/ AllocGetFreepointer(t) \/ AllocCmpxchg(t)
    \/ (\E o \in Obj : FreeReadCpuWord(t, o)) \/ FreeReadCpuSlab(t) \/ FreeCmpxchg(t)
    \/ SlabAllocLock(t) \/ SlabAllocLoadFreelist(t) \/ GetFreelist(t) \/ LoadFreelist(t)
    \/ SlabAllocDropSlab(t) \/ SlabAllocDropSlabTid(t) \/ CpuPartialAlloc(t) \/ CpuPartialAllocUnlock(t)
    \/ SlabAllocNewObjects(t)
    \/ GetPartialPeekEmpty(t) \/ GetPartialLock(t) \/ AcquireSlab(t) \/ AcquireSlabExtra(t)
    \/ AcquireSlabFail(t) \/ PutCpuPartialNoDrain(t)
    \/ GetPartialNone(t) \/ FreezeSlab(t) \/ NewSlab(t) \/ NewSlabFail(t)
    \/ RetryLoadSlabLock(t) \/ RetryLoadSlabFlush(t) \/ RetryLoadSlabFlushTid(t) \/ RetryLoadSlabInstall(t)
    \/ DeactivateRead(t) \/ DeactivateLock(t) \/ DeactivateCmpxchg(t)
    \/ SlabFreeRead(t) \/ SlabFreeLock(t) \/ SlabFreeCmpxchg(t) \/ SlabFreeCounters(t)
    \/ SlabFreeLockLate(t) \/ DiscardSlab(t)
    \/ PutCpuPartial(t) \/ UnfreezeLock(t) \/ UnfreezeOne(t) \/ UnfreezeDone(t)
    \/ FlushLock(t) \/ FlushSlab(t) \/ FlushSlabTid(t) \/ UnfreezePartials(t) \/ ShrinkNextCpu(t)
    \/ ShrinkLock(t) \/ ShrinkDiscard(t)
    \/ BulkLock(t) \/ BulkPop(t)
    \/ (\E p \in BulkArrays : KmemCacheFreeBulk(t, p)) \/ BulkCheckCpu(t) \/ BulkCheckRelease(t)
    \/ (\E c \in Cpus : SetTaskCpu(t, c))

\* For fairness: the steps of an operation already started (not the start).
Step(t) == pc[t] # "idle" /\ StepAny(t)

\* Bounded runs end; the final stutter keeps TLC's deadlock check for real deadlocks.
Terminated == /\ MaxOps > 0
              /\ \A t \in Threads : pc[t] = "idle" /\ opsDone[t] = MaxOps
              /\ UNCHANGED vars

\* StepAny(t) also contains the first steps, which start an operation when
\* the thread is idle; Next is a plain disjunction so TLC names each action.
Next == (\E t \in Threads : StepAny(t)) \/ Terminated

Spec     == Init /\ [][Next]_vars
FairSpec == Spec /\ \A t \in Threads : WF_vars(Step(t))

-----------------------------------------------------------------------------
(********************* Invariants (docs/VERIFICATION.md section 1) ***********)
TypeOK ==
    /\ cpuFreelist \in [Cpus -> Obj \cup {NULL, BUSY}]
    /\ \A c \in Cpus : cpuFreelist[c] = BUSY <=> cpuLock[c] # NULL /\ pc[cpuLock[c]] \in ClaimPcs
    /\ cpuTid \in [Cpus -> 0 .. TidSpace - 1]
    /\ cpuSlab \in [Cpus -> Slabs \cup {NULL}]
    /\ \A c \in Cpus : Range(cpuPartial[c]) \subseteq Slabs
    /\ cpuLock \in [Cpus -> Threads \cup {NULL}]
    /\ \A s \in Slabs : slab[s].freelist \in Obj \cup {NULL} /\ slab[s].inuse \in 0 .. NObjs
                        /\ slab[s].objects = NObjs /\ slab[s].frozen \in BOOLEAN
    /\ live \subseteq Slabs
    /\ next \in [Obj -> Obj \cup {NULL}]
    /\ listLock \in Threads \cup {NULL}
    /\ Range(partial) \subseteq Slabs
    /\ nrPartial \in 0 .. NSlabs
    /\ held \in [Threads -> SUBSET Obj]
    /\ stale \in [Threads -> BOOLEAN]
    /\ \A t \in Threads : stale[t] => pc[t] \in FastWindow
    /\ sched.bound \in [Threads -> Cpus] /\ sched.moves \in 0 .. MaxMigrations

\* Objects a thread has in its hands mid-operation: the object it is
\* freeing, a private chain (taken from a slab, not yet on a cpu word), a
\* detached cpu freelist on its way back to its slab, bulk objects so far.
Hands(t) == (IF l[t].obj # NULL THEN <<l[t].obj>> ELSE << >>) \o l[t].dl \o CatAll(l[t].fbq)
            \o Chain(l[t].cf) \o Chain(l[t].fl) \o Chain(l[t].dfl)
WordChain(c) == IF cpuFreelist[c] = BUSY THEN << >> ELSE Chain(cpuFreelist[c])
\* sum of the values of a function with a finite domain
SumFn(f) == LET RECURSIVE S(_)
                S(X) == IF X = {} THEN 0 ELSE LET x == CHOOSE x \in X : TRUE IN f[x] + S(X \ {x})
            IN S(DOMAIN f)
SeqOf(F(_), n) == [i \in 1 .. n |-> F(i)]
\* every freelist and every thread's hands, concatenated (evaluated once per state)
AllChains ==
    CatAll(SeqOf(LAMBDA i : WordChain(i - 1), NCpus)
           \o SeqOf(LAMBDA i : Chain(slab[i].freelist), NSlabs)
           \o [t \in Threads |-> Hands(t)])
\* how many places hold object o, given P = AllChains
CountIn(P, o) == Cardinality({t \in Threads : o \in held[t] \/ o \in l[t].got}) + Occ(P, o)

NoDoubleAllocation ==
    \A t, u \in Threads : t # u => (held[t] \cup l[t].got) \cap (held[u] \cup l[u].got) = {}

Conservation == LET P == AllChains IN \A o \in Obj : SlabOf(o) \in live => CountIn(P, o) = 1

\* (A SPLIT_CAS update in flight -- freelist written, counters not yet -- is
\* excluded, so that bug must show counts that stay wrong.)
Counts == \A s \in live :
            (\A t \in Threads : ~(pc[t] = "sf_cnt" /\ l[t].fs = s))
               => slab[s].inuse = slab[s].objects - Len(Chain(slab[s].freelist))

\* Where a slab can be "owned" by the per-CPU layer: c->slab, a c->partial
\* entry, or a thread's hands between taking it and publishing it.
SlabHomes(s) ==
      Cardinality({c \in Cpus : cpuSlab[c] = s})
    + SumFn([c \in Cpus |-> Occ(cpuPartial[c], s)])
    + Cardinality({t \in Threads : s \in {l[t].sl, l[t].dsl, l[t].psl}})
    + SumFn([t \in Threads |-> Occ(l[t].detached, s)])
CpuPartialSet == UNION {Range(cpuPartial[c]) : c \in Cpus}
\* primary: frozen <=> owned by exactly one CPU-side home; never on the node list.
\* delayed_freeze: c->partial slabs stay unfrozen; frozen <=> c->slab or in hands.
\* (Excepted: the claimed window after get_freelist found the slab empty and
\* unfroze it, before c->slab = NULL -- the kernel's irq-off window.)
Dropping(s) == \E t \in Threads : pc[t] = "s_drop" /\ cpuSlab[C(t)] = s
Frozen ==
    \A s \in live : ~Dropping(s) =>
        /\ SlabHomes(s) <= 1
        /\ slab[s].frozen => s \notin Range(partial)
        /\ IF Primary
           THEN slab[s].frozen <=> SlabHomes(s) = 1
           ELSE /\ s \in CpuPartialSet => ~slab[s].frozen
                /\ (\E c \in Cpus : cpuSlab[c] = s) => slab[s].frozen

Lists ==
    /\ nrPartial = Len(partial)
    /\ \A s \in Slabs : Occ(partial, s) + SumFn([c \in Cpus |-> Occ(cpuPartial[c], s)]) <= 1
    /\ \A s \in Range(partial) : s \in live /\ ~slab[s].frozen /\ slab[s].freelist # NULL

\* Discarded slabs hold nothing and are referenced by nothing.
Discard ==
    LET P == AllChains IN
    \A s \in Slabs \ live :
        /\ slab[s].inuse = 0
        /\ s \notin Range(partial) /\ s \notin CpuPartialSet
        /\ \A c \in Cpus : cpuSlab[c] = s => Dropping(s)   \* see Frozen
        /\ \A t \in Threads : s \notin {l[t].sl, l[t].dsl, l[t].psl} /\ s \notin Range(l[t].detached)
        /\ \A o \in ObjsOf(s) : CountIn(P, o) = 0

\* The tid commits every change of the cpu word (the point of next_tid):
\* a fast path whose tid has not moved since it read the word (the real,
\* unbounded tid: the same value and not stale) still finds the freelist
\* it read, or the word claimed (a claim changes the freelist to BUSY and
\* bumps only at its release, which makes the pending CAS fail either way);
\* a fast free also still finds its object's slab in c->slab.
TidCommits ==
    \A t \in Threads :
        (pc[t] \in FastWindow /\ cpuTid[C(t)] = l[t].rtid /\ ~stale[t]) =>
            \/ cpuFreelist[C(t)] = BUSY
            \/ /\ cpuFreelist[C(t)] = l[t].rfl
               /\ pc[t] = "f_cas" => cpuSlab[C(t)] = SlabOf(l[t].obj)

\* A CPU freelist holds only objects of that CPU's c->slab, and is empty
\* when c->slab is NULL (while the word is not claimed).  A foreign object
\* on a CPU freelist would be handed out by the fast path as if it came
\* from c->slab, and freed back into the wrong slab's counts.
CpuWordOfSlab ==
    \A c \in Cpus : cpuLock[c] = NULL =>
        IF cpuSlab[c] = NULL THEN cpuFreelist[c] = NULL
        ELSE Range(Chain(cpuFreelist[c])) \subseteq ObjsOf(cpuSlab[c])

\* A slab some thread has in its hands mid-operation (taken, not yet placed).
InHands(s) ==
    \E t \in Threads :
        \/ s \in {l[t].sl, l[t].psl, l[t].dsl} \cup l[t].dset \cup Range(l[t].detached)
        \/ pc[t] = "sf_discard" /\ l[t].fs = s

\* No partial slab is lost: an unfrozen slab with free objects is on the node
\* partial list (delayed_freeze: or on a cpu partial list) unless a thread
\* holds it mid-operation.  A slab that drops off every list while it still
\* has free objects is a leak the other invariants do not see.
ListedIfPartial ==
    \A s \in live :
        (~slab[s].frozen /\ slab[s].freelist # NULL /\ ~InHands(s))
            => s \in Range(partial) \/ (~Primary /\ s \in CpuPartialSet)

(* Lock discipline, checked rather than assumed: a thread is at a step     *)
(* that runs under list_lock exactly when it holds list_lock.  (The model  *)
(* folds list operations into the CAS or unlock step that does them, R3;  *)
(* this catches a path that reaches such a step without the lock, or that *)
(* releases a lock another thread holds.)                                  *)
UnderListLock(t) ==
    \/ pc[t] \in {"g_scan", "g_pcp", "u_one", "k_scan"}
    \/ pc[t] = "d_cas" /\ l[t].mode = "partial"
    \/ pc[t] \in {"sf_cas", "sf_cnt"} /\ LockBefore(l[t].old, l[t].cnt)
ListLockOwner == \A t \in Threads : UnderListLock(t) <=> listLock = t

Inv == TypeOK /\ NoDoubleAllocation /\ Conservation /\ Counts /\ Frozen /\ Lists /\ Discard
       /\ TidCommits /\ CpuWordOfSlab /\ ListedIfPartial /\ ListLockOwner

(*************************** Liveness ****************************************)
\* Every started alloc/free/bulk/shrink completes (checked with MaxOps > 0:
\* the CAS loops are lock-free, not wait-free, so with endless clients a
\* thread can lose every race).
OpsComplete == \A t \in Threads : (pc[t] # "idle") ~> (pc[t] = "idle")

(*************************** Symmetry ****************************************)
\* Threads on the same CPU with the same operations are interchangeable.
\* Used only for safety checks (TLC's symmetry is unsound for liveness).
=============================================================================
