#!/usr/bin/env bash
# stop_all.sh: stops the components start_all.sh started, newest first.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/stop_all.sh [--help]

Stops the rigstream suite started by scripts/start_all.sh: sends SIGTERM to
each component's supervisor (which passes it on and restarts nothing after
it; to the component itself when it has none) in reverse start order, but
the uplink, the saver and the broker last (publishers end their streams
while the durable subscribers still listen), waits up to
RIGSTREAM_STOP_TIMEOUT_S (10) seconds for each, then SIGKILLs it (and says
so). Removes the pid files and prints one line per component. Exits 0, also
when nothing was running.
EOF
}

case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  '') ;;
  *) echo "stop_all.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
esac

RS_SCRIPT=stop_all.sh
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
TIMEOUT_S=${RIGSTREAM_STOP_TIMEOUT_S:-10}

# Waits until PID is gone or SECONDS passes DEADLINE; fails if it is not gone.
gone_by() {
  while rs_alive "$1" && [ "$SECONDS" -lt "$2" ]; do sleep 0.1; done
  ! rs_alive "$1"
}

# Newest first, except that the durable subscribers (the uplink, then the
# saver) and the broker go last: every publisher has stopped and sent its
# last messages and end-of-stream before they stop, so no stream is left
# open or with a gap.
LAST=(uplink db_saver broker)
ORDER=()
for ((i = ${#RS_NAMES[@]} - 1; i >= 0; i--)); do
  [[ " ${LAST[*]} " == *" ${RS_NAMES[i]} "* ]] || ORDER+=("${RS_NAMES[i]}")
done
for name in "${LAST[@]}"; do
  if [[ " ${RS_NAMES[*]} " == *" $name "* ]]; then ORDER+=("$name"); fi
done

for name in "${ORDER[@]}"; do
  sup=$(rs_sup_pid "$name") || sup=
  pid=$(rs_live_pid "$name") || pid=
  if [ -z "$sup" ] && [ -z "$pid" ]; then
    rm -f "$PID_DIR/$name.pid" "$SUP_DIR/$name.pid"
    printf '%-16s was not running\n' "$name"
    continue
  fi
  deadline=$((SECONDS + TIMEOUT_S))
  # The supervisor passes SIGTERM on and restarts nothing after it; without
  # one (killed, or an older start), the component gets it directly.
  if [ -n "$sup" ]; then
    kill -TERM "$sup" 2>/dev/null || true
    gone_by "$sup" "$deadline" || true
    # A component it had just restarted.
    if p=$(rs_live_pid "$name"); then pid=$p; fi
  fi
  killed=0
  if [ -n "$pid" ]; then
    [ -n "$sup" ] || kill -TERM "$pid" 2>/dev/null || true
    if ! gone_by "$pid" "$deadline"; then
      kill -KILL "$pid" 2>/dev/null || true
      killed=1
    fi
  fi
  # Its supervisor notices within a second that the component is gone.
  if [ -n "$sup" ] && ! gone_by "$sup" $((SECONDS + 3)); then
    kill -KILL "$sup" 2>/dev/null || true
  fi
  if [ "$killed" -eq 1 ]; then
    printf '%-16s killed (pid %s did not stop within %s s of SIGTERM; see %s)\n' \
      "$name" "$pid" "$TIMEOUT_S" "$LOG_DIR/$name.log"
  elif [ -n "$pid" ]; then
    printf '%-16s stopped cleanly (pid %s)\n' "$name" "$pid"
  else
    printf '%-16s stopped (its supervisor was waiting to restart it)\n' "$name"
  fi
  rm -f "$PID_DIR/$name.pid" "$SUP_DIR/$name.pid"
done
