#!/usr/bin/env bash
# Uplink benchmark: codec bytes and speed (bench_uplink_codec), then real
# processes with mosquitto (e2e.py): throughput, bytes per sample, backlog
# drain after an outage, RSS. Usage: bench/uplink/run.sh [BUILD_DIR] [OUTAGE_S]
set -euo pipefail

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
    sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
fi
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-$here/../../build}"
outage="${2:-600}"
[[ -x "$build/bin/bench_uplink_codec" ]] || { echo "run.sh: $build/bin/bench_uplink_codec missing: build first" >&2; exit 1; }

"$build/bin/bench_uplink_codec" 200000
/usr/bin/python3 "$here/e2e.py" --build-dir "$build" --outage-s "$outage"
