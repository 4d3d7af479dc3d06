#!/usr/bin/env bash
# Run every row of spec/manifest.tsv and proofs/manifest.tsv (optionally only one size)
# with scripts/tlc.sh and print a Markdown table: states, distinct states, depth, time.
#   scripts/model-results.sh [small|large]
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
size="${1:-}"
echo "| folder | config | size | expect | exit | states | distinct | depth | time (s) |"
echo "|---|---|---|---|---|---|---|---|---|"
for dir in spec proofs; do
  tail -n +2 "$ROOT/$dir/manifest.tsv" | while IFS=$'\t' read -r module config expect sz; do
    [ -z "$module" ] && continue
    [ -n "$size" ] && [ "$sz" != "$size" ] && continue
    out=$(mktemp)
    start=$(date +%s.%N)
    "$ROOT/scripts/tlc.sh" "$ROOT/$dir/$module" "$ROOT/$dir/$config" > "$out" 2>&1
    rc=$?
    end=$(date +%s.%N)
    line=$(grep -E '^[0-9,]+ states generated, [0-9,]+ distinct states found' "$out" | tail -1)
    states=$(echo "$line" | sed -E 's/^([0-9,]+) states generated.*/\1/')
    distinct=$(echo "$line" | sed -E 's/.* ([0-9,]+) distinct states found.*/\1/')
    depth=$(grep -E 'depth of the complete state graph search is' "$out" | sed -E 's/.* is ([0-9]+).*/\1/')
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %.1f |\n' "$dir" "$config" "$sz" "$expect" "$rc" \
      "${states:--}" "${distinct:--}" "${depth:--}" "$(echo "$end - $start" | bc)"
    rm -f "$out"
  done
done
