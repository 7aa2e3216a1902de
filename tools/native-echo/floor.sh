#!/usr/bin/env bash
# The harness floor beside the machine's, measured back to back on the same workload:
# native-echo (C, epoll, one thread each side) and `perf load --target T --target-process`,
# 20 connections, 256 B, fixed rate, latency from the intended send time. Each repeat runs the
# native floor and then perf at each rate in turn, so each pair sees the machine in the same
# state. The last lines give each rate's median p99 and target CPU per message, with the ratio
# perf/native (of the medians, and the median and range of each back-to-back pair's ratio), and how much each side's CPU per message changes from the lowest rate to the
# highest: the native line is the machine's own change (a wake-up per message at a low rate,
# one per batch at a high one), the last line what perf's target spends above it.
#
#   tools/native-echo/floor.sh [--rates 5000,20000] [--duration 10] [--warmup 3] [--repeat 3]
#                              [--connections 20] [--size 256] [--target echo]
#                              [--target-cpus LIST --generator-cpus LIST]
#                              [--perf "dotnet src/Perf.Cli/bin/Release/net10.0/perf.dll"]
#                              [--out DIR] [-- EXTRA perf load OPTIONS]
#
# --target is a `perf load` target that runs as its own process (echo, relay-tcp, relay-ws,
# nats); the native side is always the C echo, the floor under all of them. With the CPU lists
# the native server and perf's target run on --target-cpus, the native client and perf's
# generator on --generator-cpus (taskset; `perf load` pins the same way). The native server's
# CPU comes from /proc/PID/schedstat over the client's measured window, perf's from the result's
# target section. Needs gcc, python3 (and taskset to pin); build perf first (dotnet build -c Release).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rates="5000,20000"; duration=10; warmup=3; repeat=3; connections=20; size=256; target=echo
target_cpus=""; generator_cpus=""
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
    --target) target="$2"; shift 2;;
    --target-cpus) target_cpus="$2"; shift 2;;
    --generator-cpus) generator_cpus="$2"; shift 2;;
    --perf) perf="$2"; shift 2;;
    --out) out="$2"; shift 2;;
    --) shift; extra=("$@"); break;;
    *) echo "floor.sh: unknown option $1" >&2; exit 2;;
  esac
done
case "$target" in
  echo|relay-tcp|relay-ws|nats) ;;
  *) echo "floor.sh: --target must be echo, relay-tcp, relay-ws or nats (a target perf runs as its own process), not '$target'" >&2; exit 2;;
esac
if { [ -z "$target_cpus" ] && [ -n "$generator_cpus" ]; } || { [ -n "$target_cpus" ] && [ -z "$generator_cpus" ]; }; then
  echo "floor.sh: give --target-cpus and --generator-cpus together" >&2; exit 2
fi
command -v gcc >/dev/null || { echo "floor.sh: needs gcc (apt-get install gcc)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "floor.sh: needs python3" >&2; exit 2; }
pin_target=(); pin_generator=(); perf_pins=()
if [ -n "$target_cpus" ]; then
  command -v taskset >/dev/null || { echo "floor.sh: pinning needs taskset (apt-get install util-linux)" >&2; exit 2; }
  pin_target=(taskset -c "$target_cpus"); pin_generator=(taskset -c "$generator_cpus")
  perf_pins=(--target-cpus "$target_cpus" --generator-cpus "$generator_cpus")
fi
mkdir -p "$out"
native="$out/native-echo"
"$here/build.sh" "$native" >/dev/null

server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true; }
trap cleanup EXIT
summary="$out/floor.tsv"
printf 'repeat\tside\trate\tp50_us\tp99_us\tp999_us\ttarget_cpu_us_per_message\tgenerator_cpu_us_per_message\n' > "$summary"
"${pin_target[@]}" "$native" server --listen 127.0.0.1:0 > "$out/native-server.out" 2>&1 &
server_pid=$!
for _ in $(seq 1 50); do grep -q "echo listening" "$out/native-server.out" && break; sleep 0.1; done
port="$(sed -n 's/^echo listening tcp=.*:\([0-9]*\)$/\1/p' "$out/native-server.out")"
# CPU time of the (single-threaded) native server in nanoseconds.
server_ns() { awk '{print $1}' "/proc/$server_pid/schedstat"; }

# Per repeat and rate: the native floor, then perf at once, so both see the machine in the same state.
for r in $(seq 1 "$repeat"); do
  for rate in ${rates//,/ }; do
    client_out="$out/native-client-$rate-$r.out"
    "${pin_generator[@]}" "$native" client --connect "127.0.0.1:$port" --connections "$connections" --rate "$rate" --size "$size" \
      --duration "$duration" --warmup "$warmup" > "$client_out" &
    client_pid=$!
    sleep "$warmup"; before="$(server_ns)"
    wait "$client_pid"; after="$(server_ns)"
    python3 - "$(cat "$client_out")" "$r" "$rate" "$before" "$after" >> "$summary" <<'PY'
import sys
fields = dict(f.split('=', 1) for f in sys.argv[1].split() if '=' in f)
delivered = int(fields['delivered'])
server_us = (int(sys.argv[5]) - int(sys.argv[4])) / 1000 / delivered if delivered else 0
print('\t'.join([sys.argv[2], 'native', sys.argv[3], fields['p50_us'], fields['p99_us'], fields['p999_us'], '%.1f' % server_us, fields['cpu_us_per_message']]))
PY
    tail -1 "$summary"
    json="$out/perf-$target-$rate-$r.json"
    $perf load --target "$target" --target-process "${perf_pins[@]}" --connections "$connections" --rate "$rate" --size "$size" \
      --duration "${duration}s" --warmup "${warmup}s" --out "$json" "${extra[@]}" > "$out/perf-$target-$rate-$r.log" 2>&1
    python3 - "$json" "$r" "$rate" "$target" >> "$summary" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); e = d['metrics']['end_to_end_us']
print('\t'.join([sys.argv[2], 'perf-' + sys.argv[4], sys.argv[3], '%d' % e['p50'], '%d' % e['p99'], '%d' % e['p999'],
                 '%.1f' % d['target']['cpu_us_per_message'], '%.1f' % d['generator']['cpu_us_per_message']]))
PY
    tail -1 "$summary"
  done
done

python3 - "$summary" "$target" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter='\t'))
sides = ('native', 'perf-' + sys.argv[2])
def median(side, rate, column):
    return statistics.median(float(r[column]) for r in rows if r['side'] == side and int(r['rate']) == rate)
rates = sorted({int(r['rate']) for r in rows})
def pair_ratios(rate):
    # Each repeat's perf run over the native run just before it: the two saw the same minute.
    by = {(r['repeat'], r['side']): float(r['p99_us']) for r in rows if int(r['rate']) == rate}
    return [by[(k, sides[1])] / by[(k, 'native')] for k, side in by if side == 'native' and (k, sides[1]) in by]
for rate in rates:
    p99 = [median(s, rate, 'p99_us') for s in sides]
    cpu = [median(s, rate, 'target_cpu_us_per_message') for s in sides]
    pairs = pair_ratios(rate)
    print(f"rate {rate}: median p99 native {p99[0]:.0f} us, {sides[1]} {p99[1]:.0f} us, ratio {p99[1] / p99[0]:.2f} "
          f"(median of the back-to-back pairs' ratios {statistics.median(pairs):.2f}, range {min(pairs):.2f}-{max(pairs):.2f}); "
          f"target CPU native {cpu[0]:.1f} us/msg, {sides[1]} {cpu[1]:.1f} us/msg")
if len(rates) > 1:
    def line(label, cpu):
        spread = f", max/min {max(cpu) / min(cpu):.2f}" if min(cpu) > 0 else ", max/min undefined (not above the floor at every rate)"
        print(f"{label} from {rates[0]} to {rates[-1]} msgs/s: " + ' -> '.join(f'{c:.1f}' for c in cpu) + " us/msg" + spread)
    cpu = {side: [median(side, rate, 'target_cpu_us_per_message') for rate in rates] for side in sides}
    for side in sides:
        line(f"{side} target CPU", cpu[side])
    # What the target spends above the C echo at each rate: its own work, without the wake-up
    # cost that every event-driven server pays more of at a low rate.
    line(f"{sides[1]} target CPU above the native floor", [p - n for p, n in zip(cpu[sides[1]], cpu['native'])])
PY
echo "rows: $summary"
