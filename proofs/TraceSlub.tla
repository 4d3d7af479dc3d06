------------------------------ MODULE TraceSlub ------------------------------
(***************************************************************************)
(* Trace validation: replay a run of the Java allocator, one record per   *)
(* atomic step, against Slub.  A trace is a TLA+ module that EXTENDS this *)
(* one and defines TraceLog (the format is in docs/model/TRACE-FORMAT.md); *)
(* its .cfg sets  Trace <- TraceLog  and the Slub constants of the run.   *)
(* Verdict: TLC exits 0 when some behaviour of Slub matches every record; *)
(* it reports "Invariant TraceNotStuck is violated" at the first record    *)
(* the model cannot take (exit 12).                                       *)
(***************************************************************************)
EXTENDS SlubMC

CONSTANT Trace          \* << [t |-> thread, a |-> action name, ...], ... >>

VARIABLE i,             \* records replayed so far
         log            \* = Trace, kept in the state: TLC then reads it as a value
                        \* instead of re-evaluating the whole literal at each access

tvars == <<vars, i, log>>

\* Not an allocator step: a client hands an object it holds to another
\* client (who may free it later: a cross-thread free).  Both are idle.
Give(t, u, o) ==
    /\ pc[t] = "idle" /\ u \in Threads /\ u # t /\ o \in held[t]
    /\ held' = [held EXCEPT ![t] = @ \ {o}, ![u] = @ \cup {o}]
    /\ UNCHANGED <<cpuVars, slabVars, nodeVars, pc, l, stale, opsDone, sched>>

\* the Slub action a record names, for its thread
Act(e) ==
    CASE
          e.a = "AllocReadCpuWord" -> AllocReadCpuWord(e.t)
       [] e.a = "AllocReadCpuSlab" -> AllocReadCpuSlab(e.t)
       [] e.a = "AllocGetFreepointer" -> AllocGetFreepointer(e.t)
       [] e.a = "AllocCmpxchg" -> AllocCmpxchg(e.t)
       [] e.a = "FreeReadCpuWord" -> FreeReadCpuWord(e.t, e.obj)
       [] e.a = "FreeReadCpuSlab" -> FreeReadCpuSlab(e.t)
       [] e.a = "FreeCmpxchg" -> FreeCmpxchg(e.t)
       [] e.a = "SlabAllocLock" -> SlabAllocLock(e.t)
       [] e.a = "SlabAllocLoadFreelist" -> SlabAllocLoadFreelist(e.t)
       [] e.a = "GetFreelist" -> GetFreelist(e.t)
       [] e.a = "LoadFreelist" -> LoadFreelist(e.t)
       [] e.a = "SlabAllocDropSlab" -> SlabAllocDropSlab(e.t)
       [] e.a = "SlabAllocDropSlabTid" -> SlabAllocDropSlabTid(e.t)
       [] e.a = "CpuPartialAlloc" -> CpuPartialAlloc(e.t)
       [] e.a = "CpuPartialAllocUnlock" -> CpuPartialAllocUnlock(e.t)
       [] e.a = "SlabAllocNewObjects" -> SlabAllocNewObjects(e.t)
       [] e.a = "GetPartialPeekEmpty" -> GetPartialPeekEmpty(e.t)
       [] e.a = "GetPartialLock" -> GetPartialLock(e.t)
       [] e.a = "AcquireSlabFail" -> AcquireSlabFail(e.t)
       [] e.a = "AcquireSlab" -> AcquireSlab(e.t)
       [] e.a = "AcquireSlabExtra" -> AcquireSlabExtra(e.t)
       [] e.a = "PutCpuPartialNoDrain" -> PutCpuPartialNoDrain(e.t)
       [] e.a = "GetPartialNone" -> GetPartialNone(e.t)
       [] e.a = "FreezeSlab" -> FreezeSlab(e.t)
       [] e.a = "NewSlab" -> NewSlab(e.t)
       [] e.a = "NewSlabFail" -> NewSlabFail(e.t)
       [] e.a = "RetryLoadSlabLock" -> RetryLoadSlabLock(e.t)
       [] e.a = "RetryLoadSlabFlush" -> RetryLoadSlabFlush(e.t)
       [] e.a = "RetryLoadSlabFlushTid" -> RetryLoadSlabFlushTid(e.t)
       [] e.a = "RetryLoadSlabInstall" -> RetryLoadSlabInstall(e.t)
       [] e.a = "DeactivateRead" -> DeactivateRead(e.t)
       [] e.a = "DeactivateLock" -> DeactivateLock(e.t)
       [] e.a = "DeactivateCmpxchg" -> DeactivateCmpxchg(e.t)
       [] e.a = "SlabFreeRead" -> SlabFreeRead(e.t)
       [] e.a = "SlabFreeLock" -> SlabFreeLock(e.t)
       [] e.a = "SlabFreeCmpxchg" -> SlabFreeCmpxchg(e.t)
       [] e.a = "SlabFreeCounters" -> SlabFreeCounters(e.t)
       [] e.a = "SlabFreeLockLate" -> SlabFreeLockLate(e.t)
       [] e.a = "DiscardSlab" -> DiscardSlab(e.t)
       [] e.a = "PutCpuPartial" -> PutCpuPartial(e.t)
       [] e.a = "UnfreezeLock" -> UnfreezeLock(e.t)
       [] e.a = "UnfreezeOne" -> UnfreezeOne(e.t)
       [] e.a = "UnfreezeDone" -> UnfreezeDone(e.t)
       [] e.a = "FlushLock" -> FlushLock(e.t)
       [] e.a = "FlushSlab" -> FlushSlab(e.t)
       [] e.a = "FlushSlabTid" -> FlushSlabTid(e.t)
       [] e.a = "UnfreezePartials" -> UnfreezePartials(e.t)
       [] e.a = "ShrinkNextCpu" -> ShrinkNextCpu(e.t)
       [] e.a = "ShrinkLock" -> ShrinkLock(e.t)
       [] e.a = "ShrinkDiscard" -> ShrinkDiscard(e.t)
       [] e.a = "BulkLock" -> BulkLock(e.t)
       [] e.a = "BulkPop" -> BulkPop(e.t)
       [] e.a = "KmemCacheFreeBulk" -> KmemCacheFreeBulk(e.t, e.objs)
       [] e.a = "BulkCheckCpu" -> BulkCheckCpu(e.t)
       [] e.a = "BulkCheckRelease" -> BulkCheckRelease(e.t)
       [] e.a = "SetTaskCpu" -> SetTaskCpu(e.t, e.cpu)
       [] e.a = "Give" -> Give(e.t, e.to, e.obj)

\* optional observations of the Java side, compared after the step
\* (the CPU word observed is cpu's when the record names one -- flush_slab acts
\* on every CPU -- else the thread's own)
Field(e, f) == f \in DOMAIN e
ObsCpu(e) == IF Field(e, "cpu") THEN e.cpu ELSE C(e.t)
Observed(e) ==
    /\ Field(e, "fl")   => cpuFreelist'[ObsCpu(e)] = e.fl
    /\ Field(e, "tid")  => cpuTid'[ObsCpu(e)] = e.tid % TidSpace
    /\ Field(e, "slab") => cpuSlab'[ObsCpu(e)] = e.slab
    /\ Field(e, "held") => held'[e.t] = e.held
    /\ Field(e, "pc")   => pc'[e.t] = e.pc

TraceInit == Init /\ i = 0 /\ log = Trace

TraceStep ==
    /\ i < Len(log)
    /\ LET e == log[i + 1] IN
         /\ e.t \in Threads
         /\ Act(e)
         /\ Observed(e)
    /\ i' = i + 1
    /\ UNCHANGED log

\* the whole trace matched: stay here (no false deadlock)
TraceEnd == i = Len(log) /\ UNCHANGED tvars

TraceNext == TraceStep \/ TraceEnd

TraceSpec == TraceInit /\ [][TraceNext]_tvars

\* a replay that cannot take its next record is a mismatch; the number of
\* that record is printed ("STUCK") so a reader need not wait for the trace
TraceNotStuck == i < Len(log) => (ENABLED TraceStep \/ (PrintT(<<"STUCK", i + 1>>) /\ FALSE))

\* the states the trace passes through also keep the model's invariants
\* ("BROKEN" names the last record replayed)
TraceInv == Inv \/ (PrintT(<<"BROKEN", i>>) /\ FALSE)

=============================================================================
