#!/usr/bin/env bash
# stop_all.sh: stops the components start_all.sh started, newest first.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/stop_all.sh [--help]

Stops the rigstream suite started by scripts/start_all.sh: sends SIGTERM to
each running component in reverse start order, waits up to
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

for ((i = ${#RS_NAMES[@]} - 1; i >= 0; i--)); do
  name=${RS_NAMES[i]}
  if ! pid=$(rs_live_pid "$name"); then
    rm -f "$PID_DIR/$name.pid"
    printf '%-16s was not running\n' "$name"
    continue
  fi
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + TIMEOUT_S))
  while rs_alive "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
  if rs_alive "$pid"; then
    kill -KILL "$pid" 2>/dev/null || true
    printf '%-16s killed (pid %s did not stop within %s s of SIGTERM; see %s)\n' \
      "$name" "$pid" "$TIMEOUT_S" "$LOG_DIR/$name.log"
  else
    printf '%-16s stopped cleanly (pid %s)\n' "$name" "$pid"
  fi
  rm -f "$PID_DIR/$name.pid"
done
