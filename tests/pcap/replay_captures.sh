#!/usr/bin/env bash
# ctest `pcap_replay`: for every pcaps/NAME.pcap, runs each line of NAME.cmd as
# `kdpctl --replay NAME.pcap LINE` (no network: --replay never opens a socket) and compares with
# NAME.expected, which pcaps/regenerate.sh wrote from the same commands run live.
# Usage: replay_captures.sh KDPCTL PCAPS_DIR
set -uo pipefail
kdpctl_bin=$1
dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shopt -s nullglob
captures=("$dir"/*.pcap)
[ ${#captures[@]} -gt 0 ] || { echo "pcap_replay: no captures in $dir" >&2; exit 1; }
failed=0
for pcap in "${captures[@]}"; do
  name=${pcap%.pcap}
  [ -f "$name.cmd" ] || { echo "FAIL $(basename "$pcap"): no $(basename "$name").cmd"; failed=1; continue; }
  : >"$work/actual"
  while IFS= read -r line; do
    status=0
    rm -f "$work/state"
    # shellcheck disable=SC2086  # LINE is a command line
    "$kdpctl_bin" --state "$work/state" --replay "$pcap" $line >"$work/out" 2>"$work/err" || status=$?
    {
      echo "\$ kdpctl $line"
      cat "$work/out"
      sed 's/^/stderr: /' "$work/err"
      echo "exit $status"
    } >>"$work/actual"
  done <"$name.cmd"
  if diff -u "$name.expected" "$work/actual" >"$work/diff"; then
    echo "ok   $(basename "$pcap") ($(wc -l <"$name.cmd") commands)"
  else
    echo "FAIL $(basename "$pcap"): replay differs from the live run"
    cat "$work/diff"
    failed=1
  fi
done
exit $failed
