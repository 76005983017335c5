#!/usr/bin/env bash
# For every pcaps/NAME.pcap, runs each line of NAME.cmd and compares with NAME.expected, which
# pcaps/regenerate.sh wrote from the same commands run live against the recorded kernel.
#   ctest `pcap_replay`: `kdpctl --replay NAME.pcap LINE` (headless: --replay opens no socket);
#   ctest `pcap_sim`:    `kdp-sim --from-pcap NAME.pcap` on 127.0.0.1 and `kdpctl LINE` against it.
# A capture with a NAME.world file was recorded from a fixture world: it is rebuilt here with
# $KDPCTL_MKWORLD and those options, and @WORLD@ in NAME.cmd names its directory.
# Usage: replay_captures.sh KDPCTL PCAPS_DIR [KDP_SIM]
set -uo pipefail
kdpctl_bin=$1
dir=$2
sim_bin=${3:-}
work=$(mktemp -d)
. "$(dirname "$0")/sim_lib.sh"
trap 'stop_kdp_sim; rm -rf "$work"' EXIT

# Sets $source to the options that point kdpctl at the capture: --replay, or a kdp-sim serving
# it (started here, in this shell, so stop_kdp_sim can end it).
point_at() {
  local pcap=$1
  if [ -z "$sim_bin" ]; then
    source="--replay $pcap"
    return
  fi
  start_kdp_sim "$sim_bin" "$work" --from-pcap "$pcap"
  source="--target 127.0.0.1:$port"
}
# Sets $world to the directory of NAME's fixture world (built once per capture), or empty.
world_of() {
  local name=$1
  world=
  [ -f "$name.world" ] || return 0
  [ -x "${KDPCTL_MKWORLD:-}" ] || { echo "FAIL $(basename "$name"): KDPCTL_MKWORLD is not set to mkworld"; return 1; }
  world="$work/world-$(basename "$name")"
  # shellcheck disable=SC2046  # NAME.world is an option list
  "$KDPCTL_MKWORLD" $(cat "$name.world") -o "$world" >/dev/null || { echo "FAIL $(basename "$name"): mkworld failed"; return 1; }
}
shopt -s nullglob
captures=("$dir"/*.pcap)
[ ${#captures[@]} -gt 0 ] || { echo "pcap_replay: no captures in $dir" >&2; exit 1; }
failed=0
for pcap in "${captures[@]}"; do
  name=${pcap%.pcap}
  [ -f "$name.cmd" ] || { echo "FAIL $(basename "$pcap"): no $(basename "$name").cmd"; failed=1; continue; }
  : >"$work/actual"
  world_of "$name" || { failed=1; continue; }
  point_at "$pcap"
  while IFS= read -r line; do
    status=0
    rm -f "$work/state"
    # --no-agent: an agent outlives this script (idle 1800 s) and, keyed by 127.0.0.1:PORT, answered a
    # later run's kdp-sim on the reused ephemeral port with the old kernel's handshake (wrong UUID).
    # shellcheck disable=SC2086  # LINE and SOURCE are option lists
    "$kdpctl_bin" --no-agent --state "$work/state" $source ${line//@WORLD@/$world} >"$work/out" 2>"$work/err" || status=$?
    {
      echo "\$ kdpctl $line"
      cat "$work/out"
      sed 's/^/stderr: /' "$work/err"
      echo "exit $status"
    } >>"$work/actual"
  done <"$name.cmd"
  stop_kdp_sim
  if diff -u "$name.expected" "$work/actual" >"$work/diff"; then
    echo "ok   $(basename "$pcap") ($(wc -l <"$name.cmd") commands)"
  else
    echo "FAIL $(basename "$pcap"): replay differs from the live run ($source)"
    cat "$work/diff"
    failed=1
  fi
done
exit $failed
