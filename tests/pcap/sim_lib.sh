# Sourced by the pcap scripts (pcaps/regenerate.sh, tests/pcap/*.sh): one kdp-sim on 127.0.0.1.
#   start_kdp_sim SIM_BIN WORK_DIR [kdp-sim options...]  sets $sim (pid) and $port, or exits 1
#   stop_kdp_sim                                         SIGINT and wait; no-op when none runs
sim=
port=
start_kdp_sim() {
  local bin=$1 work=$2
  shift 2
  stop_kdp_sim
  "$bin" --listen 127.0.0.1:0 "$@" >"$work/sim.out" 2>"$work/sim.log" &
  sim=$!
  port=
  for _ in $(seq 200); do
    port=$(sed -n 's/^kdp-sim listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/sim.out")
    [ -n "$port" ] && return 0
    sleep 0.05
  done
  echo "kdp-sim did not start:" >&2
  cat "$work/sim.log" >&2
  exit 1
}
stop_kdp_sim() {
  [ -n "$sim" ] || return 0
  kill -INT "$sim" 2>/dev/null
  wait "$sim" 2>/dev/null
  sim=
}
