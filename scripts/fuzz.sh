#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz/) with clang into build-fuzz/ and
# runs each for SECONDS (default 60) from its seed corpus; exits non-zero on the
# first crash, leaving the crashing input in build-fuzz/.
# Usage: scripts/fuzz.sh [SECONDS] [HARNESS...]   (harnesses: decode config wits0)
set -euo pipefail
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
    sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
fi
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(decode config wits0)
command -v clang >/dev/null || { echo "fuzz.sh: clang is needed (apt-get install clang)" >&2; exit 1; }
build=$root/build-fuzz
CC=clang cmake -S "$root" -B "$build" -DRS_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
for h in "${harnesses[@]}"; do
    cmake --build "$build" -j"$(nproc)" --target "fuzz_$h" >/dev/null
    corpus=$build/corpus_$h
    mkdir -p "$corpus"
    seeds=()
    [ -d "$root/tests/fuzz/corpus_$h" ] && seeds=("$root/tests/fuzz/corpus_$h")
    echo "fuzz.sh: fuzz_$h for ${seconds}s"
    # The config parser reports bad input on stderr by design: keep it quiet.
    (cd "$build" && "$build/bin/fuzz_$h" -max_total_time="$seconds" -close_fd_mask=2 \
        "$corpus" "${seeds[@]}" 2>&1 | tail -n 3)
done
echo "fuzz.sh: no crash in ${harnesses[*]}"
