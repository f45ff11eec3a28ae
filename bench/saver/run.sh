#!/usr/bin/env bash
# Saver benchmark: the insert path against raw SQLite (bench_saver), then the
# whole pipeline with real processes (e2e.py: simulator at full speed ->
# broker -> saver). Usage: bench/saver/run.sh [BUILD_DIR] [SAMPLES_PER_WELL]
set -euo pipefail

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
    sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
fi
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-$here/../../build}"
per_well="${2:-500000}"
[[ -x "$build/bin/bench_saver" ]] || { echo "run.sh: $build/bin/bench_saver missing: build first" >&2; exit 1; }

"$build/bin/bench_saver" "$((per_well * 2))" 1000 "${TMPDIR:-/tmp}"
/usr/bin/python3 "$here/e2e.py" --build-dir "$build" --per-well "$per_well" --wells 2 --rate max
