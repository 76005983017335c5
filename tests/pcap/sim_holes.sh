#!/usr/bin/env bash
# kdp-sim --from-pcap serves only the bytes a capture holds: a read of bytes the recorded session
# never read fails as on a real kernel, even inside a page the capture partly holds, and never
# returns invented zeros. pcaps/showproctree.pcap read 733 bytes of the proc at 0xffffff8007400440
# (to 0xffffff800740071d) and the next proc from 0xffffff8007400880: 0xffffff8007400800 lies in
# between, on a page the capture holds in part.
# Usage: sim_holes.sh KDPCTL KDP_SIM PCAPS_DIR
set -uo pipefail
kdpctl_bin=$1 sim_bin=$2 dir=$3
work=$(mktemp -d)
. "$(dirname "$0")/sim_lib.sh"
trap 'stop_kdp_sim; rm -rf "$work"' EXIT
start_kdp_sim "$sim_bin" "$work" --from-pcap "$dir/showproctree.pcap"
run() { "$kdpctl_bin" --no-agent --state "$work/state" --target "127.0.0.1:$port" "$@"; }
failed=0
held=$(run x/gx 0xffffff8007400440) || { echo "FAIL: a captured read failed"; failed=1; }
[ "$held" = "0xffffff8007400440:	0xffffff8007400000" ] || { echo "FAIL: captured bytes read back as: $held"; failed=1; }
if out=$(run x/gx 0xffffff8007400800 2>&1); then
  echo "FAIL: bytes the capture does not hold were served: $out"
  failed=1
elif [[ "$out" != *"Cannot access memory at address 0xffffff8007400800"* ]]; then
  echo "FAIL: unexpected error: $out"
  failed=1
fi
[ $failed = 0 ] && echo "ok: captured bytes served, uncaptured ones refused"
exit $failed
