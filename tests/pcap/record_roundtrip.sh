#!/usr/bin/env bash
# ctest `pcap_record`: `kdpctl --record` against kdp-sim on 127.0.0.1, then the recorded file
# replayed must print what the live command printed; the file must also survive a kill -9 of the
# recorder with every datagram written before it readable.
# Usage: record_roundtrip.sh KDPCTL KDP_SIM
set -uo pipefail
kdpctl_bin=$1
sim_bin=$2
work=$(mktemp -d)
. "$(dirname "$0")/sim_lib.sh"
trap 'stop_kdp_sim; rm -rf "$work"' EXIT
# A CPU path with no breakpoint on it: `continue` then waits forever (until killed).
start_kdp_sim "$sim_bin" "$work" --script 0xffffff8000396200,0xffffff8000396210
kdpctl() { "$kdpctl_bin" --no-agent --state "$work/state" --target "127.0.0.1:$port" "$@"; }
failed=0
for command in "regs" "x/8gx 0xffffff8000800000" "hostinfo"; do
  # shellcheck disable=SC2086
  kdpctl --record "$work/cap.pcap" $command >"$work/live" 2>&1
  # shellcheck disable=SC2086
  "$kdpctl_bin" --state "$work/state2" --replay "$work/cap.pcap" $command >"$work/replayed" 2>&1
  if diff -u "$work/live" "$work/replayed"; then echo "ok   $command: recorded and replayed alike"; else failed=1; fi
done

# Started directly, not through the kdpctl function: `$!` of a backgrounded function is the
# subshell running it, so kill -9 hit the subshell and left kdpctl waiting forever (and the test
# read a capture its still-living recorder kept flushing).
"$kdpctl_bin" --no-agent --state "$work/state" --target "127.0.0.1:$port" --record "$work/killed.pcap" continue >/dev/null 2>&1 &
victim=$!
# Wait until the RESUMECPUS reply is in the file, then kill without warning.
for _ in $(seq 200); do
  "$kdpctl_bin" pcap decode "$work/killed.pcap" 2>/dev/null | grep -q "KDP_RESUMECPUS reply" && break
  sleep 0.05
done
kill -9 "$victim"
wait "$victim" 2>/dev/null
if pgrep -f -- "--record $work/killed.pcap" >/dev/null; then
  echo "FAIL a kdpctl recording $work/killed.pcap outlived its kill -9"
  failed=1
fi
if "$kdpctl_bin" pcap decode "$work/killed.pcap" >"$work/killed.txt" 2>&1 && grep -q "KDP_RESUMECPUS reply" "$work/killed.txt"; then
  echo "ok   kill -9 during continue: $(grep -c -- '-->\|<--' "$work/killed.txt") datagrams readable"
else
  echo "FAIL the capture of a killed kdpctl is not readable to its last packet:"
  cat "$work/killed.txt"
  failed=1
fi
exit $failed
