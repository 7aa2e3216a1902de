#!/usr/bin/env bash
# Per 16 KiB message on this machine's libcrypto: callgrind instructions (exact, load-proof; the
# AVX2 code, as valgrind has no AVX-512) and user CPU seconds (min of ROUNDS interleaved rounds;
# run alone for a figure), for openssl speed's streaming method, its -aead method and a seal.
#   tools/aead-methods/measure.sh [ROUNDS=6] [MESSAGES=300000]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rounds=${1:-6}
messages=${2:-300000}
bin=$(mktemp -d)/methods
trap 'rm -rf "$(dirname "$bin")"' EXIT
gcc -O2 -o "$bin" "$here/methods.c" -lcrypto
count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" "$3" 2>&1 | awk '/Collected/ {print $NF}'; }
for cipher in ChaCha20-Poly1305 AES-256-GCM; do
  for mode in stream aead seal; do
    a=$(count "$cipher" "$mode" 200); b=$(count "$cipher" "$mode" 400)
    echo "$cipher $mode: $(( (b - a) / 200 )) instructions per 16 KiB (callgrind)"
  done
  for mode in stream aead seal; do
    best=
    for _ in $(seq "$rounds"); do
      t=$( { /usr/bin/time -f %U "$bin" "$cipher" "$mode" "$messages" >/dev/null; } 2>&1 )
      best=$(awk -v a="${best:-$t}" -v b="$t" 'BEGIN {print (b < a ? b : a)}')
    done
    echo "$cipher $mode: $best s user for $messages x 16 KiB (min of $rounds)"
  done
done
