#!/usr/bin/env bash
# Records the captures in pcaps/ from kdp-sim serving the demo kernel, and the expected output of
# replaying each one. Usage: pcaps/regenerate.sh [BUILD_DIR]   (default: build)
#
# For every capture NAME:
#   NAME.pcap      what `kdpctl --record NAME.pcap COMMAND` wrote while talking to kdp-sim;
#   NAME.world     (kgmacros captures) the mkworld options of the fixture world it was recorded
#                  from; in NAME.cmd, @WORLD@ stands for the directory that world is written to
#                  (the replay needs its mach_kernel for symbols, and rebuilds it the same way);
#   NAME.cmd       the commands the replay test runs against it, one per line
#                  (`kdpctl --replay NAME.pcap LINE`);
#   NAME.expected  what each of those commands printed LIVE, against the kernel the capture was
#                  recorded from (stdout, stderr and exit status), so the replay is checked against
#                  the real thing, never against itself.
# tests/pcap/replay_captures.sh replays them (ctest `pcap_replay`). Only 127.0.0.1 is used.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
sim_bin="$build/tools/kdp-sim/kdp-sim"
kdpctl_bin="$build/tools/kdpctl/kdpctl"
mkworld_bin="$build/tools/fixtures/mkworld/mkworld"
for f in "$sim_bin" "$kdpctl_bin" "$mkworld_bin" "$build/demo.core"; do
  [ -e "$f" ] || { echo "regenerate: $f is missing; build first (cmake --build $build)" >&2; exit 1; }
done

work=$(mktemp -d)
# shellcheck source=../tests/pcap/sim_lib.sh
. "$here/../tests/pcap/sim_lib.sh"
trap 'stop_kdp_sim; rm -rf "$work"' EXIT

# The breakpoint scenario's CPU path: three instructions of Debugger (demo kernel), looping.
script=0xffffff8000396200,0xffffff8000396210,0xffffff8000396220,0xffffff8000396230
breakpoint=0xffffff8000396220

start_sim() {
  start_kdp_sim "$sim_bin" "$work" --script "$script" "$@"
  target="127.0.0.1:$port"
}

kdpctl() { "$kdpctl_bin" --state "$work/state" --target "$target" "$@"; }

# expect NAME LINE: run LINE live and append its output to NAME.expected (format shared with
# tests/pcap/replay_captures.sh), and LINE to NAME.cmd.
expect() {
  local name=$1 line=$2 status=0
  # shellcheck disable=SC2086  # LINE is a command line
  kdpctl ${line//@WORLD@/$work/world} >"$work/out" 2>"$work/err" || status=$?
  {
    echo "\$ kdpctl $line"
    cat "$work/out"
    sed 's/^/stderr: /' "$work/err"
    echo "exit $status"
  } >>"$here/$name.expected"
  echo "$line" >>"$here/$name.cmd"
}

# record NAME COMMAND...: run COMMAND live with --record NAME.pcap.
record() {
  local name=$1
  shift
  rm -f "$here/$name.pcap" "$here/$name.cmd" "$here/$name.expected"
  kdpctl --record "$here/$name.pcap" "$@" >/dev/null 2>&1 || true  # some scenarios fail on purpose
}

start_sim
record reattach reattach
expect reattach "version"
expect reattach "hostinfo"
expect reattach "--json hostinfo"

record xs x/s 0xffffff8000800000
expect xs "x/s 0xffffff8000800000"

# Crosses into the unmapped hole at 0xffffff8000400000: the kernel answers short.
record short_read x/4gx 0xffffff80003ffff0
expect short_read "x/4gx 0xffffff80003ffff0"
expect short_read "x/2gx 0xffffff8000400000"

record regs regs
expect regs "regs"
expect regs "--json regs"

record bt bt
expect bt "bt"

# A breakpoint hit: the stop arrives as KDP_EXCEPTION, kdpctl acks it; then the state at the stop.
kdpctl break "$breakpoint" >/dev/null
record breakpoint continue
kdpctl delete 1 >/dev/null || true
expect breakpoint "regs"

# The same read over a link losing 20 % of the datagrams each way, with duplicates and
# reordering (kdp-sim's seeded fault injector): the expected output is the clean link's.
rm -f "$here/lossy.cmd" "$here/lossy.expected" "$here/lossy.pcap"
expect lossy "x/64gx 0xffffff8000800000"
start_sim --loss 0.2 --dup 0.1 --reorder 0.1 --seed 7
kdpctl --retries 12 --record "$here/lossy.pcap" x/64gx 0xffffff8000800000 >/dev/null
stop_kdp_sim

# The kgmacros over a small fixture world (10 processes, 2 zombies, 23 kexts, a panic log, stacks
# into real 10.7.3 symbols): what users record from their VMs.
world_options="--procs 10 --seed 3"
# shellcheck disable=SC2086  # options list
"$mkworld_bin" $world_options -o "$work/world" >/dev/null
start_kdp_sim "$sim_bin" "$work" --core "$work/world/world.core" \
  --kernel-version "$(cat "$work/world/kernel_version.txt")"
target="127.0.0.1:$port"
for macro in showproctree showalltasks showallkmods showallstacks paniclog; do
  record "$macro" --kernel "$work/world/mach_kernel" "$macro"
  echo "$world_options" >"$here/$macro.world"
  expect "$macro" "--kernel @WORLD@/mach_kernel $macro"
done
expect showallkmods "--kernel @WORLD@/mach_kernel --json showallkmods"
stop_kdp_sim
ls -l "$here"/*.pcap
