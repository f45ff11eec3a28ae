#!/usr/bin/env bash
# start_all.sh: installs what is missing, builds if needed, and starts the
# rigstream suite in the background, one log and pid file per component.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/start_all.sh [--help]

Starts the rigstream suite on this machine in the background: the broker,
the database saver, the drilling simulator, the console logger, the
prediction engine and the web dashboard, each under scripts/supervise.

- Installs missing Debian packages when run as root (otherwise prints the
  apt-get line to run) and builds ./build when it is missing or stale.
- Logs go to run/logs/<component>.log, pids to run/pids/<component>.pid.
- A component that dies is restarted with a back-off (1 s doubling to 60 s),
  logged and counted (scripts/monitor shows the counts). Logs are rotated
  at each start (the last run's becomes <component>.log.1, 5 kept) and by
  size. See scripts/supervise --help and docs/OPERATIONS.md.
- Waits until every component is healthy; if one does not come up, prints
  the end of its log, stops what it started and exits 1.
- Settings come from the environment, then .env (see .env.example).

Environment: RIGSTREAM_RUN_DIR (run), RIGSTREAM_BUILD_DIR (build),
RIGSTREAM_NO_BUILD=1 (use the build as it is), RIGSTREAM_START_TIMEOUT_S (20),
RIGSTREAM_DEMO=0 (the simulator's own defaults: one well at 1 Hz, real
time, instead of the demo: 40 times faster, a connection, lost circulation
and its alarm, then a trip out, all within 5 minutes; SIM_* settings given
in the environment or .env win over the demo's).
Stop the suite with scripts/stop_all.sh.
EOF
}

case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  '') ;;
  *) echo "start_all.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
esac

RS_SCRIPT=start_all.sh
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
TIMEOUT_S=${RIGSTREAM_START_TIMEOUT_S:-20}
# The demo scenario (docs/SIMULATOR.md): the simulator's clock 40 times real
# time, a trip after the first full stand, lost circulation 25 simulated
# minutes in (37 s real).
if [ "${RIGSTREAM_DEMO:-1}" != 0 ]; then
  export SIM_SPEED=${SIM_SPEED:-40} SIM_RATE=${SIM_RATE:-10} SIM_TRIP_EVERY=${SIM_TRIP_EVERY:-1}
  export SIM_EVENTS=${SIM_EVENTS-lost_circulation@1500:900}
fi

running=()
for name in "${RS_NAMES[@]}"; do
  if pid=$(rs_live_pid "$name"); then
    running+=("$name (pid $pid)")
  elif pid=$(rs_sup_pid "$name"); then
    running+=("$name (supervisor pid $pid)")
  fi
done
if [ ${#running[@]} -gt 0 ]; then
  rs_say "already running: $(printf '%s, ' "${running[@]}" | sed 's/, $//')" >&2
  rs_say "see scripts/monitor, or stop it first with scripts/stop_all.sh" >&2
  exit 1
fi

ensure_packages "${RS_BUILD_DEPS[@]}"
ensure_build
for bin in "${RS_BIN[@]}" rigstream-ctl; do
  rs_bin "$bin" >/dev/null || rs_die "$bin is not built (looked in $BUILD_DIR/bin and PATH)"
done
CTL=$(rs_bin rigstream-ctl)

mkdir -p "$PID_DIR" "$LOG_DIR"
started=()

# Starts NAME under scripts/supervise (which restarts it when it dies) and
# waits for its pid file.
start() {
  local name=$1 sup pid
  rm -f "$PID_DIR/$name.pid"
  # Its own session: the suite outlives this script and the terminal's Ctrl-C.
  setsid "$RS_ROOT/scripts/supervise" "$name" </dev/null >>"$LOG_DIR/supervise.log" 2>&1 &
  sup=$!
  disown "$sup"
  started+=("$name")
  until [ -s "$PID_DIR/$name.pid" ]; do
    rs_alive "$sup" || give_up "the supervisor of $name exited (see $LOG_DIR/supervise.log)" "$name"
    [ "$SECONDS" -lt "$deadline" ] || give_up "$name did not start within ${TIMEOUT_S} s" "$name"
    sleep 0.05
  done
  pid=$(<"$PID_DIR/$name.pid")
  rs_say "started $name (pid $pid)"
}

# Whether NAME's process is alive and has logged that it is ready.
ready() {
  rs_live_pid "$1" >/dev/null && grep -qw ready "$LOG_DIR/$1.log"
}

# Waits for ready NAME; gives up when it exits or at the deadline.
wait_ready() {
  until ready "$1"; do
    rs_live_pid "$1" >/dev/null || give_up "$1 exited" "$1"
    [ "$SECONDS" -lt "$deadline" ] || give_up "$1 did not get ready within ${TIMEOUT_S} s" "$1"
    sleep 0.2
  done
}

# Prints REASON and the end of each named log, stops what was started, exits 1.
give_up() {
  local name
  trap - INT TERM
  rs_say "$1" >&2
  for name in "${@:2}"; do
    echo "--- last lines of $LOG_DIR/$name.log" >&2
    tail -n 20 "$LOG_DIR/$name.log" >&2 || true
  done
  rs_say "stopping what was started" >&2
  "$RS_ROOT/scripts/stop_all.sh" >&2 || true
  exit 1
}
trap 'give_up "interrupted"' INT TERM

deadline=$((SECONDS + TIMEOUT_S))
start broker
wait_ready broker
until "$CTL" PING --timeout-ms 500 >/dev/null 2>&1; do
  rs_live_pid broker >/dev/null || give_up "the broker exited" broker
  [ "$SECONDS" -lt "$deadline" ] || give_up "the broker did not answer PING within ${TIMEOUT_S} s" broker
done

others=("${RS_NAMES[@]:1}")
for name in "${others[@]}"; do start "$name"; done
for name in "${others[@]}"; do wait_ready "$name"; done
# Healthy means up in the broker's STATUS: their heartbeats arrive.
if [ ${#others[@]} -gt 0 ]; then
  left=$((deadline - SECONDS))
  [ "$left" -gt 0 ] || left=1
  if ! out=$("$CTL" wait "${others[@]}" --timeout-ms "$((left * 1000))" 2>&1); then
    printf '%s\n' "$out" >&2
    down=()
    for name in "${others[@]}"; do [[ "$out" != *"$name"* ]] || down+=("$name"); done
    [ ${#down[@]} -gt 0 ] || down=("${others[@]}")
    give_up "not up in the broker's STATUS within ${TIMEOUT_S} s: ${down[*]}" "${down[@]}"
  fi
fi

cat <<EOF

rigstream is running: ${started[*]}
  dashboard:  http://${WEB_HOST:-127.0.0.1}:${WEB_PORT:-8080}/
  logs:       $LOG_DIR/<component>.log
  live data:  tail -f $LOG_DIR/console_logger.log
  health:     scripts/monitor
  stop:       scripts/stop_all.sh
  simulator:  speed ${SIM_SPEED:-1}, events: ${SIM_EVENTS:-none} (RIGSTREAM_DEMO=0: a quiet 1 Hz rig)
EOF
