#!/bin/bash
# Runs the end-to-end suite (`npm run e2e`) N times in a row (default 5), stopping at the first
# failure, and prints one row per run for the table of lab/README.md: when it started (UTC),
# its result (vitest's count of tests), its wall time and the load average as it ended.
# Each run's full output is kept in DIR (default: a new folder under /tmp).
#
#   lab/e2e-repeat.sh [N [DIR]]
#
# Exits 0 when every run passed, 1 at the first that did not.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

runs=${1:-5}
case "$runs" in '' | *[!0-9]*) echo "usage: lab/e2e-repeat.sh [N [DIR]]" >&2; exit 2 ;; esac
dir=${2:-$(mktemp -d /tmp/lifeboat-e2e-repeat.XXXXXX)}
mkdir -p "$dir"

echo "| date (UTC) | result | wall time |"
echo "|---|---|---|"
for ((i = 1; i <= runs; i++)); do
  log="$dir/run-$i.log"
  when=$(date -u '+%Y-%m-%d %H:%M')
  start=$(date +%s)
  rc=0
  NO_COLOR=1 npm run e2e >"$log" 2>&1 || rc=$?
  took=$(($(date +%s) - start))
  # vitest's summary line, e.g. "Tests  23 passed (23)", without its colours
  tests=$(sed -E 's/\x1b\[[0-9;]*m//g' "$log" | awk '/^ *Tests /{ $1 = ""; sub(/^ +/, ""); gsub(/ \| /, ", "); print; exit }')
  load=$(cut -d' ' -f1 /proc/loadavg)
  printf '| %s | run %d of %d: %s (load average %s at its end) | %dm %02ds |\n' \
    "$when" "$i" "$runs" "${tests:-no summary (see $log)}" "$load" $((took / 60)) $((took % 60))
  if [ "$rc" -ne 0 ]; then
    echo "run $i failed (exit $rc): $log" >&2
    exit 1
  fi
done
echo "all $runs runs passed; their output is in $dir" >&2
