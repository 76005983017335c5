#!/usr/bin/env bash
# One-shot kdpctl commands in fresh processes, with and without the session agent, against kdp-sim
# on 127.0.0.1: "clean" (no faults, no delay), "lossless" (1 ms delay each way) and "lossy" (20 %
# loss + 10 % duplication + 10 % reordering, 1 ms delay): median and p99 (and max) wall time of
# `kdpctl hostinfo`, `kdpctl regs` and of a 256 KiB `dump` (hostinfo through the agent sends
# nothing: the handshake's answer is kept; regs is one READREGS; the dump 256 round trips at MAXBYTES 1024, so 1 ms of delay
# alone costs it 0.5 s: lossy is compared with "lossless", which has the same delay). Run by hand:
#   bench/cli_bench.sh [BUILD_DIR] [RUNS]        (defaults: build 40)
# Goal (issue 8): lossy <= 2x lossless at the median, no command over 10x its lossless median.
set -euo pipefail

build=${1:-build}
runs=${2:-40}
kdpctl=$build/tools/kdpctl/kdpctl
sim=$build/tools/kdp-sim/kdp-sim
work=$(mktemp -d /tmp/kdpctl-bench-XXXXXX)
sim_pid=
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

start_sim() {
  : >"$work/sim.out"
  "$sim" --listen 127.0.0.1:0 --log-level off "$@" >"$work/sim.out" 2>/dev/null &
  sim_pid=$!
  for _ in $(seq 200); do
    grep -q 'listening on' "$work/sim.out" && break
    sleep 0.01
  done
  sim_target=$(sed -n 's/^kdp-sim listening on //p' "$work/sim.out" | head -1)
}

stop_sim() {
  kill "$sim_pid" 2>/dev/null || true
  wait "$sim_pid" 2>/dev/null || true
  sim_pid=
}

now_us() { echo $(( $(date +%s%N) / 1000 )); }

# stats FILE -> "median p99 max" in ms (nearest-rank percentiles)
stats() {
  sort -n "$1" | awk '{ v[NR] = $1 } END {
    m = v[int((NR + 1) / 2)]; p = v[int(NR * 0.99 + 0.999999)]; if (p == "") p = v[NR];
    printf "%8.1f %8.1f %8.1f", m / 1000, p / 1000, v[NR] / 1000 }'
}

# measure LABEL -- kdpctl args...: appends one timing per run to $work/LABEL; counts failures
measure() {
  local label=$1; shift; shift
  local start end
  start=$(now_us)
  if ! "$@" >/dev/null 2>>"$work/errors"; then echo "$label" >>"$work/failures"; fi
  end=$(now_us)
  echo $((end - start)) >>"$work/$label"
}

run_config() {
  local net=$1 mode=$2; shift 2
  local target state="$work/state-$net-$mode"
  # Not in a $(...) subshell: sim_pid must reach stop_sim, or every kdp-sim outlives the run.
  start_sim "$@"
  target=$sim_target
  local -a cli=(env CI=false KDPCTL_RUNTIME_DIR="$work/run" "$kdpctl" --state "$state")
  [ "$mode" = direct ] && cli+=(--no-agent)
  "${cli[@]}" reattach "$target" >/dev/null
  for _ in $(seq "$runs"); do
    measure "$net-$mode-hostinfo" -- "${cli[@]}" hostinfo
    measure "$net-$mode-regs" -- "${cli[@]}" regs
    measure "$net-$mode-dump" -- "${cli[@]}" dump 0xffffff8000200000 256K -o "$work/dump.bin"
  done
  "${cli[@]}" detach >/dev/null 2>&1 || true
  stop_sim
}

: >"$work/failures"
mkdir -m 700 "$work/run"
lossy=(--loss 0.2 --dup 0.1 --reorder 0.1 --delay 1 --seed 7)
for mode in direct agent; do
  run_config clean "$mode"
  run_config lossless "$mode" --delay 1
  run_config lossy "$mode" "${lossy[@]}"
done

printf '%-28s %8s %8s %8s   (ms, %d runs each)\n' command median p99 max "$runs"
for mode in direct agent; do
  for cmd in hostinfo regs dump; do
    for net in clean lossless lossy; do
      printf '%-28s %s\n' "$mode $cmd $net" "$(stats "$work/$net-$mode-$cmd")"
    done
  done
done
echo "failed runs: $(wc -l <"$work/failures")"
sort "$work/failures" | uniq -c | sed 's/^/  /'
