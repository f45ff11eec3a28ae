#!/usr/bin/env bash
# Web bridge and dashboard benchmark: 100 WebSocket clients at 10 Hz plus one
# that never reads (bench_ws.py), then the dashboard over 24 h of 1 Hz data for
# 12 channels in headless chromium (bench_dashboard.py + dashboard.mjs).
# Usage: bench/web/run.sh [BUILD_DIR] [CLIENTS] [RATE_HZ]
set -euo pipefail

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
    sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
fi
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "${1:-$here/../../build}" && pwd)"
clients="${2:-100}"
rate="${3:-10}"
for f in rigstream-web rigstream-broker rigstream-sim seed_db; do
    [[ -x "$build/bin/$f" ]] || { echo "run.sh: $build/bin/$f missing: build first" >&2; exit 1; }
done

/usr/bin/python3 "$here/bench_ws.py" --build-dir "$build" --clients "$clients" --rate "$rate"

if [[ ! -x /usr/bin/chromium ]] || ! command -v node > /dev/null || ! command -v npm > /dev/null; then
    echo "run.sh: dashboard part skipped: needs /usr/bin/chromium, node and npm" >&2
    exit 0
fi
# playwright-core as the e2e test installs it (tests/web/package-lock.json), in the build tree.
node_dir="$build/tests/web"
mkdir -p "$node_dir"
if [[ ! -f "$node_dir/node_modules/playwright-core/package.json" ]]; then
    cp "$here/../../tests/web/package.json" "$here/../../tests/web/package-lock.json" "$node_dir/"
    (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
/usr/bin/python3 "$here/bench_dashboard.py" --build-dir "$build" --node-dir "$node_dir"
