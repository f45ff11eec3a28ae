#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz/fuzz_*.c) with clang into
# build-fuzz/ (or $RS_FUZZ_BUILD_DIR) and runs each for SECONDS (default 60)
# from its seed corpus under ASan/UBSan; exits non-zero on the first crash,
# leaving the crashing input in the build directory.
# Usage: scripts/fuzz.sh [SECONDS] [HARNESS...]   (default: every harness; names without fuzz_, e.g. decode web_ws)
set -euo pipefail
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
    sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
fi
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then
    for src in "$root"/tests/fuzz/fuzz_*.c; do
        name=$(basename "$src" .c)
        harnesses+=("${name#fuzz_}")
    done
fi
command -v clang >/dev/null || { echo "fuzz.sh: clang is needed (apt-get install clang)" >&2; exit 1; }
# clang without its runtime (Debian: libclang-rt-14-dev) cannot link libFuzzer:
# exit 77, which ctest reports as skipped.
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'int LLVMFuzzerTestOneInput (const char *d, unsigned long n) { return (int) (d && n > 1e9); }' >"$probe/p.c"
if ! clang -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" 2>/dev/null; then
    echo "fuzz.sh: clang cannot link libFuzzer with ASan/UBSan (install libclang-rt-14-dev)" >&2
    exit 77
fi
build=${RS_FUZZ_BUILD_DIR:-$root/build-fuzz}
mkdir -p "$build"
build=$(cd "$build" && pwd)
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
