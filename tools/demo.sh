#!/usr/bin/env bash
# The demo job: start kdp-sim (a simulated, stopped Mac OS X 10.7.3 kernel) on 127.0.0.1, take it
# over with `kdpctl reattach` showing every KDP packet decoded, then look around like a user would.
# It serves the demo world the build writes (demo_world/: 40 processes, see tools/fixtures/world)
# when present, else the small demo snapshot (demo.core).
# Usage: tools/demo.sh [BUILD_DIR]   (default: build)
set -euo pipefail
build=${1:-build}
sim_bin="$build/tools/kdp-sim/kdp-sim"
kdpctl_bin="$build/tools/kdpctl/kdpctl"
world="$build/demo_world"
for f in "$sim_bin" "$kdpctl_bin"; do
  [ -x "$f" ] || { echo "demo: $f is missing; build first (cmake --build $build)" >&2; exit 1; }
done

sim_args=()
kernel="$build/demo_kernel"
if [ -f "$world/world.core" ] && [ -f "$world/kernel_version.txt" ] && [ -f "$world/mach_kernel" ]; then
  # The world's KERNELVERSION text carries its kernel's UUID, so `--kernel mach_kernel` matches.
  sim_args=(--core "$world/world.core" --kernel-version "$(cat "$world/kernel_version.txt")")
  kernel="$world/mach_kernel"
fi

work=$(mktemp -d)
"$sim_bin" --listen 127.0.0.1:0 "${sim_args[@]}" >"$work/sim.out" 2>"$work/sim.log" &
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
if [ ${#sim_args[@]} -gt 0 ]; then
  step x/x 0xffffff8000200000   # the kernel's Mach-O magic
  step x/s 0xffffff8000002000   # the low-memory globals: "Catfish "
fi
step regs
if [ -f "$kernel" ]; then
  step --kernel "$kernel" bt
  step --kernel "$kernel" x/6i Debugger
  # The kgmacros commands: the process tree and the task list, as kgmacros printed them. The guard
  # keeps the demo running with a kdpctl that lacks them (`help NAME` fails for an unknown NAME);
  # the help text is captured first so that grep -q cannot cut kdpctl off (pipefail).
  for command in showproctree showalltasks; do
    usage=$(kdpctl help "$command" 2>/dev/null || true)
    if grep -q "^usage: kdpctl $command" <<<"$usage"; then
      step --kernel "$kernel" "$command"
    fi
  done
fi
step detach

kill -INT "$sim"
wait "$sim" || true
printf '\nkdp-sim statistics:\n'
cat "$work/sim.out" | tail -n +2
