#!/usr/bin/env bash
# Flaky tests are gate failures too (#22): runs the README's test command N times in a row on a
# fresh clone of REF, while a second clone is rebuilt from scratch over and over beside it (the
# load a CI runner sees when other jobs build). Prints one line per run and exits non-zero when any
# run failed. Usage: tools/flaky-check/repeat-tests.sh [N=10] [REF=HEAD] [WORKDIR=/tmp/repeat-tests]
set -u
runs=${1:-10}
ref=${2:-HEAD}
work=${3:-/tmp/repeat-tests}
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [RUNS (a positive whole number)] [REF] [WORKDIR]; got RUNS '$runs'" >&2; exit 2; }
repo=$(cd "$(dirname "$0")/../.." && pwd)
# A process still writing into an old work folder (a killed run's child) would leave it half gone.
rm -rf "$work" && mkdir -p "$work" || { echo "cannot empty $work: is an earlier run still going?" >&2; exit 2; }
for clone in tests beside; do
  git clone -q "$repo" "$work/$clone" && git -C "$work/$clone" checkout -q "$ref" || { echo "cannot clone $repo at $ref" >&2; exit 2; }
done
echo "commit $(git -C "$work/tests" log --oneline -1)"

# The build beside: a full rebuild of the second clone until the runs are over.
(
  cd "$work/beside"
  n=0
  while [ ! -f "$work/stop" ]; do
    n=$((n + 1))
    start=$(date +%s)
    dotnet build Perf.sln -c Release --no-incremental >"$work/beside.log" 2>&1
    echo "beside build $n rc $? $(($(date +%s) - start)) s" >>"$work/beside.txt"
  done
) &
beside=$!
sleep 20 # the build beside is under way before the first run

failed_runs=0
cd "$work/tests"
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  dotnet test Perf.sln -c Release >"$work/run$i.log" 2>&1
  status=$?
  counts=$(grep -E '^\s*(Passed|Failed)!\s+-\s+Failed:' "$work/run$i.log" |
    awk -F'[:,]' '{ f += $2; p += $4; s += $6 } END { printf "%d passed, %d failed, %d skipped", p, f, s }')
  [ "$status" -ne 0 ] && failed_runs=$((failed_runs + 1))
  echo "run $i: exit $status, $counts, $(($(date +%s) - start)) s, builds beside so far: $(wc -l <"$work/beside.txt" 2>/dev/null || echo 0)"
  grep -E '\[FAIL\]' "$work/run$i.log" | sed 's/^/  /'
done

touch "$work/stop"
wait "$beside"
echo "$((runs - failed_runs)) of $runs runs passed; logs in $work"
[ "$failed_runs" -eq 0 ]
