#!/usr/bin/env bash
# Builds native-echo (the machine's loopback floor) next to this script, or at $1.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/native-echo}"
gcc -O2 -Wall -Wextra -o "$out" "$here/native-echo.c"
echo "$out"
