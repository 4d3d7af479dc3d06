#!/usr/bin/env bash
# Every figure of docs/PERFORMANCE.md in one command: builds bench/, runs the JMH pair set (with
# -prof gc) and the size sweep, the cross-thread rounds and the waste table, then draws the charts.
#   scripts/perf-run.sh [OUT_DIR]            full run (about 15 min on 2 cores)
#   JMH_ARGS="-f 1 -wi 2 -i 3" scripts/perf-run.sh /tmp/perf   shorter, for a noisy machine
#   SWEEP_ARGS=...     JMH options of the size sweep alone (default: JMH_ARGS)
#   SKIP_BUILD=1 ...   use bench/target/benchmarks.jar as it is
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/scripts/find-jdk.sh"
out="${1:-$root/docs/perf}"
mkdir -p "$out"
if [ -z "${SKIP_BUILD:-}" ]; then
  (cd "$root" && mvn -B -q -ntp -Dstyle.color=never -pl bench -am package -DskipTests)
fi
jar="$root/bench/target/benchmarks.jar"
java="$JAVA_HOME/bin/java"
# shellcheck disable=SC2086 # JMH_ARGS is a list of options
"$java" -jar "$jar" 'Floors|JslubPairs|GlibcPairs|NettyPairs' -prof gc ${JMH_ARGS:-} \
  -rf json -rff "$out/pairs.json" | tee "$out/pairs.txt"
# shellcheck disable=SC2086
"$java" -jar "$jar" 'SizeSweep' ${SWEEP_ARGS:-${JMH_ARGS:-}} -rf json -rff "$out/sweep.json" | tee "$out/sweep.txt"
"$java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -Dio.netty.allocator.useCacheForAllThreads=true -cp "$jar" jslub.bench.CrossThreadRounds \
  "${CROSS_ROUNDS:-9}" "${CROSS_ITEMS:-2000000}" "$out/cross.json" | tee "$out/cross.txt"
"$java" -cp "$jar" jslub.bench.work.WasteTable "$out/waste.json"
python3 "$root/scripts/perf-charts.py" --jmh "$out/pairs.json" "$out/sweep.json" \
  --cross "$out/cross.json" --waste "$out/waste.json" --out "$out"
