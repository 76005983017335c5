#!/usr/bin/env bash
# ctest `pcap_wireshark`: the Lua dissector (tools/wireshark/apple_kdp.lua) over every capture in
# pcaps/ with tshark: no malformed packets, no warnings, no Lua errors, and for every KDP datagram
# the header fields and command name tshark prints equal those of `kdpctl pcap decode --json`.
# kdp-sim served the captures on ephemeral ports, not 41139, so each capture is dissected three
# ways: "decode as" that port, the apple_kdp.port preference set to it (heuristic off), and the
# heuristic alone (no port named anywhere).
# Skips (exit 77) when tshark is absent, unless CI=true, where that is a failure.
# Usage: wireshark_check.sh KDPCTL DISSECTOR PCAPS_DIR
set -uo pipefail
kdpctl_bin=$1
lua=$2
dir=$3
if ! command -v tshark >/dev/null; then
  if [ "${CI:-}" = true ]; then
    echo "pcap_wireshark: tshark is not installed (CI=true: failing; .ci/install-deps installs it)" >&2
    exit 1
  fi
  echo "pcap_wireshark: SKIPPED: tshark is not installed (apt-get install tshark)"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work  # no user preferences or plugins
shopt -s nullglob
failed=0
# check_mode NAME PCAP TSHARK_OPTIONS...: one way of finding the KDP datagrams; 0 when tshark's
# view equals kdpctl's.
check_mode() {
  local mode=$1 pcap=$2
  shift 2
  tshark -n -X "lua_script:$lua" "$@" -r "$pcap" \
    -Y '_ws.malformed || _ws.expert.severity >= 6291456' >"$work/bad" 2>"$work/stderr.all"
  # tshark's notice about running as root is not about the capture.
  grep -v '^Running as user "root"' "$work/stderr.all" >"$work/stderr"
  if [ -s "$work/bad" ] || [ -s "$work/stderr" ]; then
    echo "FAIL $(basename "$pcap") ($mode): malformed packets, warnings or errors:"
    cat "$work/bad" "$work/stderr"
    return 1
  fi
  tshark -n -X "lua_script:$lua" "$@" -r "$pcap" -Y apple_kdp -T fields -E separator=, \
    -e frame.number -e apple_kdp.command -e apple_kdp.is_reply -e apple_kdp.seq -e apple_kdp.len \
    -e apple_kdp.key >"$work/tshark" 2>"$work/stderr"
  if ! python3 - "$work/tshark" "$work/kdpctl.json" >"$work/diff" <<'PY'
import json, sys
def boolean(text):
    return text.strip().lower() in ("1", "true")
tshark = []
for line in open(sys.argv[1]):
    number, command, is_reply, seq, length, key = line.strip().split(",")
    tshark.append((int(number), command, boolean(is_reply), int(seq, 0), int(length, 0), int(key, 0)))
ours = [(p["number"], p["command"], p["is_reply"], p["seq"], p["len"], p["key"])
        for p in json.load(open(sys.argv[2]))["packets"] if "command" in p]
if tshark != ours:
    for a, b in zip(tshark, ours):
        if a != b:
            print("first difference: tshark", a, "kdpctl", b)
            break
    print(len(tshark), "packets from tshark,", len(ours), "from kdpctl")
    sys.exit(1)
print(len(ours))
PY
  then
    echo "FAIL $(basename "$pcap") ($mode): tshark and kdpctl disagree"
    cat "$work/diff"
    return 1
  fi
  echo "ok   $(basename "$pcap") ($mode: $(cat "$work/diff") KDP datagrams, header fields and commands equal)"
}

for pcap in "$dir"/*.pcap; do
  "$kdpctl_bin" --json pcap decode "$pcap" >"$work/kdpctl.json"
  port=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["capture"]["kdp_port"])' "$work/kdpctl.json")
  [ "$port" != 41139 ] || { echo "FAIL $(basename "$pcap"): on 41139, so it tests no other port"; failed=1; }
  check_mode "decode as udp.port==$port" "$pcap" -d "udp.port==$port,apple_kdp" || failed=1
  check_mode "preference apple_kdp.port:$port" "$pcap" --disable-heuristic apple_kdp_udp -o "apple_kdp.port:$port" || failed=1
  check_mode "heuristic" "$pcap" || failed=1
done
exit $failed
