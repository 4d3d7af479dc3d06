#!/usr/bin/env bash
# Long fuzzing runs of the allocator's property tests (impl/src/test/java/jslub/prop).
#
#   scripts/fuzz.sh [method] [duration] [bugs]
#     method    oneThread | debugF | twoThreads | kernelLayout   (default twoThreads)
#     duration  Jazzer duration, e.g. 10m, 2h     (default 10m)
#     bugs      -Djslub.bugs ids to switch on, e.g. SPLIT_CAS (default none)
#
# One fuzz test per JVM. The working corpus grows in impl/.cifuzz-corpus/ (not committed). A
# failing input is written by Jazzer as crash-<sha1> into
# impl/src/test/resources/jslub/prop/AllocatorPropertiesTestInputs/<method>/, so the next plain
# `mvn test` (no JAZZER_FUZZ) replays it as a regression test; commit it with the fix.
# To promote good inputs to the committed corpus: copy files from impl/.cifuzz-corpus/ into that
# directory (keep it small: every `mvn verify` replays all of it).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/find-jdk.sh
method="${1:-twoThreads}"
duration="${2:-10m}"
bugs="${3:-}"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
JAZZER_FUZZ=1 exec mvn -B -ntp -pl impl -am test \
  -Dtest="jslub.prop.AllocatorPropertiesTest#${method}" -Dsurefire.failIfNoSpecifiedTests=false \
  -Djazzer.max_duration="${duration}" -Djslub.bugs="${bugs}"
