#!/usr/bin/env bash
# For every pcaps/NAME.pcap, runs each line of NAME.cmd and compares with NAME.expected, which
# pcaps/regenerate.sh wrote from the same commands run live against the recorded kernel.
#   ctest `pcap_replay`: `kdpctl --replay NAME.pcap LINE` (headless: --replay opens no socket);
#   ctest `pcap_sim`:    `kdp-sim --from-pcap NAME.pcap` on 127.0.0.1 and `kdpctl LINE` against it.
# Usage: replay_captures.sh KDPCTL PCAPS_DIR [KDP_SIM]
set -uo pipefail
kdpctl_bin=$1
dir=$2
sim_bin=${3:-}
work=$(mktemp -d)
sim=
stop_sim() {
  [ -n "$sim" ] || return 0
  kill -INT "$sim" 2>/dev/null
  wait "$sim" 2>/dev/null
  sim=
}
trap 'stop_sim; rm -rf "$work"' EXIT

# Prints the options that point kdpctl at the capture: --replay, or a kdp-sim serving it.
source_for() {
  local pcap=$1 port=
  if [ -z "$sim_bin" ]; then
    echo "--replay $pcap"
    return
  fi
  stop_sim
  "$sim_bin" --from-pcap "$pcap" --listen 127.0.0.1:0 >"$work/sim.out" 2>"$work/sim.log" &
  sim=$!
  for _ in $(seq 200); do
    port=$(sed -n 's/^kdp-sim listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/sim.out")
    [ -n "$port" ] && break
    sleep 0.05
  done
  echo "--target 127.0.0.1:$port"
}
shopt -s nullglob
captures=("$dir"/*.pcap)
[ ${#captures[@]} -gt 0 ] || { echo "pcap_replay: no captures in $dir" >&2; exit 1; }
failed=0
for pcap in "${captures[@]}"; do
  name=${pcap%.pcap}
  [ -f "$name.cmd" ] || { echo "FAIL $(basename "$pcap"): no $(basename "$name").cmd"; failed=1; continue; }
  : >"$work/actual"
  source=$(source_for "$pcap")
  while IFS= read -r line; do
    status=0
    rm -f "$work/state"
    # shellcheck disable=SC2086  # LINE and SOURCE are option lists
    "$kdpctl_bin" --state "$work/state" $source $line >"$work/out" 2>"$work/err" || status=$?
    {
      echo "\$ kdpctl $line"
      cat "$work/out"
      sed 's/^/stderr: /' "$work/err"
      echo "exit $status"
    } >>"$work/actual"
  done <"$name.cmd"
  stop_sim
  if diff -u "$name.expected" "$work/actual" >"$work/diff"; then
    echo "ok   $(basename "$pcap") ($(wc -l <"$name.cmd") commands)"
  else
    echo "FAIL $(basename "$pcap"): replay differs from the live run ($source)"
    cat "$work/diff"
    failed=1
  fi
done
exit $failed
