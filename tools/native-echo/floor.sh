#!/usr/bin/env bash
# The harness floor beside the machine's, measured back to back on the same workload:
# native-echo (C, epoll, one thread each side) and `perf load --target echo --target-process`,
# 20 connections, 256 B, fixed rate, latency from the intended send time. Each repeat runs the
# native floor and then perf at each rate in turn, so each pair sees the machine in the same
# state; the last lines give each rate's median p99 and the ratio perf/native.
#
#   tools/native-echo/floor.sh [--rates 5000,20000] [--duration 10] [--warmup 3] [--repeat 3]
#                              [--connections 20] [--size 256] [--perf "dotnet src/Perf.Cli/bin/Release/net10.0/perf.dll"]
#                              [--out DIR] [-- EXTRA perf load OPTIONS]
# Needs gcc and python3; build perf first (dotnet build -c Release).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rates="5000,20000"; duration=10; warmup=3; repeat=3; connections=20; size=256
perf="dotnet $root/src/Perf.Cli/bin/Release/net10.0/perf.dll"
out="$root/results/runs/$(date -u +%Y%m%d-%H%M%S)-floor"
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rates) rates="$2"; shift 2;;
    --duration) duration="$2"; shift 2;;
    --warmup) warmup="$2"; shift 2;;
    --repeat) repeat="$2"; shift 2;;
    --connections) connections="$2"; shift 2;;
    --size) size="$2"; shift 2;;
    --perf) perf="$2"; shift 2;;
    --out) out="$2"; shift 2;;
    --) shift; extra=("$@"); break;;
    *) echo "floor.sh: unknown option $1" >&2; exit 2;;
  esac
done
command -v gcc >/dev/null || { echo "floor.sh: needs gcc (apt-get install gcc)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "floor.sh: needs python3" >&2; exit 2; }
mkdir -p "$out"
native="$out/native-echo"
"$here/build.sh" "$native" >/dev/null

server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true; }
trap cleanup EXIT
summary="$out/floor.tsv"
printf 'repeat\tside\trate\tp50_us\tp99_us\tp999_us\tcpu_us_per_message\n' > "$summary"
"$native" server --listen 127.0.0.1:0 > "$out/native-server.out" 2>&1 &
server_pid=$!
for _ in $(seq 1 50); do grep -q "echo listening" "$out/native-server.out" && break; sleep 0.1; done
port="$(sed -n 's/^echo listening tcp=.*:\([0-9]*\)$/\1/p' "$out/native-server.out")"
# Per repeat and rate: the native floor, then perf at once, so both see the machine in the same state.
for r in $(seq 1 "$repeat"); do
  for rate in ${rates//,/ }; do
    line="$("$native" client --connect "127.0.0.1:$port" --connections "$connections" --rate "$rate" --size "$size" --duration "$duration" --warmup "$warmup")"
    python3 - "$line" "$r" "$rate" >> "$summary" <<'PY'
import sys
fields = dict(f.split('=', 1) for f in sys.argv[1].split() if '=' in f)
print('\t'.join([sys.argv[2], 'native', sys.argv[3], fields['p50_us'], fields['p99_us'], fields['p999_us'], fields['cpu_us_per_message']]))
PY
    tail -1 "$summary"
    json="$out/perf-echo-$rate-$r.json"
    $perf load --target echo --target-process --connections "$connections" --rate "$rate" --size "$size" \
      --duration "${duration}s" --warmup "${warmup}s" --out "$json" "${extra[@]}" > "$out/perf-echo-$rate-$r.log" 2>&1
    python3 - "$json" "$r" "$rate" >> "$summary" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); e = d['metrics']['end_to_end_us']
print('\t'.join([sys.argv[2], 'perf-echo', sys.argv[3], '%d' % e['p50'], '%d' % e['p99'], '%d' % e['p999'], '%.1f' % d['target']['cpu_us_per_message']]))
PY
    tail -1 "$summary"
  done
done
python3 - "$summary" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter='\t'))
for rate in sorted({int(r['rate']) for r in rows}):
    p99 = {side: statistics.median(float(r['p99_us']) for r in rows if r['side'] == side and int(r['rate']) == rate) for side in ('native', 'perf-echo')}
    print(f"rate {rate}: median p99 native {p99['native']:.0f} us, perf echo {p99['perf-echo']:.0f} us, ratio {p99['perf-echo'] / p99['native']:.2f}")
PY
echo "rows: $summary"
