#!/usr/bin/env bash
# The demo job: start kdp-sim (a simulated, stopped Mac OS X 10.7.3 kernel) on 127.0.0.1, take it
# over with `kdpctl reattach` showing every KDP packet decoded, then look around like a user would.
# Usage: tools/demo.sh [BUILD_DIR]   (default: build)
set -euo pipefail
build=${1:-build}
sim_bin="$build/tools/kdp-sim/kdp-sim"
kdpctl_bin="$build/tools/kdpctl/kdpctl"
kernel="$build/demo_kernel"
for f in "$sim_bin" "$kdpctl_bin"; do
  [ -x "$f" ] || { echo "demo: $f is missing; build first (cmake --build $build)" >&2; exit 1; }
done

work=$(mktemp -d)
"$sim_bin" --listen 127.0.0.1:0 >"$work/sim.out" 2>"$work/sim.log" &
sim=$!
trap 'kill "$sim" 2>/dev/null || true; wait "$sim" 2>/dev/null || true; rm -rf "$work"' EXIT

port=
for _ in $(seq 100); do
  port=$(sed -n 's/^kdp-sim listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/sim.out")
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || { echo "demo: kdp-sim did not start:" >&2; cat "$work/sim.log" >&2; exit 1; }

kdpctl() { "$kdpctl_bin" --state "$work/state" "$@"; }
step() { printf '\n$ kdpctl %s\n' "$*"; kdpctl "$@"; }

echo "kdp-sim is listening on 127.0.0.1:$port"
step -v reattach "127.0.0.1:$port"
step x/4gx 0xffffff8000200000
step regs
if [ -f "$kernel" ]; then
  step --kernel "$kernel" bt
  step --kernel "$kernel" x/6i Debugger
fi
step detach

kill -INT "$sim"
wait "$sim" || true
printf '\nkdp-sim statistics:\n'
cat "$work/sim.out" | tail -n +2
