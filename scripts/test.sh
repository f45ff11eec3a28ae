#!/usr/bin/env bash
# test.sh: builds rigstream twice (plain with gcc, and with ASan/UBSan with
# clang) and runs every test in both builds.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/test.sh [--no-asan] [--help]

Installs missing build and test packages (as root; otherwise prints the
apt-get line), builds ./build (gcc, -DRS_WERROR=ON) and ./build-asan (clang,
-DRS_WERROR=ON, Debug, AddressSanitizer + UndefinedBehaviorSanitizer) and
runs ctest in each: warnings are errors under both compilers.
Unit and integration tests use their own free ports, so a suite started with
scripts/start_all.sh can keep running.

  --no-asan   skip the sanitizer build and its tests

Tests run two at a time (CTEST_PARALLEL_LEVEL, default 2); those that load
the machine or measure time run alone. Exits non-zero if a build or any test
fails.
EOF
}

asan=1
for arg in "$@"; do
  case "$arg" in
    -h | --help) usage; exit 0 ;;
    --no-asan) asan=0 ;;
    *) echo "test.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done

RS_SCRIPT=test.sh
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

ensure_packages "${RS_BUILD_DEPS[@]}" "${RS_TEST_DEPS[@]}"

# Integration tests need a python3 with Debian's zmq and msgpack modules; a
# python3 from pyenv or a virtualenv earlier on PATH may lack them.
python=()
if ! python3 -c 'import zmq, msgpack' 2>/dev/null && /usr/bin/python3 -c 'import zmq, msgpack' 2>/dev/null; then
  python=(-DPYTHON3=/usr/bin/python3)
fi

# Most tests wait on sockets and timers: two at a time halve the run.
export CTEST_PARALLEL_LEVEL=${CTEST_PARALLEL_LEVEL:-2}

summary=()
failed=0

# Runs ctest in DIR (label LABEL); records the outcome.
run_tests() {
  local dir=$1 label=$2 log result rc=0
  log=$dir/ctest.log
  rs_say "running the tests in $dir"
  (cd "$dir" && ctest --output-on-failure) 2>&1 | tee "$log" || rc=$?
  result=$(grep -Eo '[0-9]+% tests passed.*' "$log" | tail -n 1 || true)
  if [ "$rc" -eq 0 ]; then
    summary+=("$label: ${result:-passed}")
  else
    summary+=("$label: FAILED (${result:-see $log})")
    failed=1
  fi
}

rs_build build -DRS_WERROR=ON -DBUILD_TESTING=ON "${python[@]}"
run_tests build build

if [ "$asan" -eq 1 ]; then
  # clang here: its warnings differ from gcc's, and both builds treat them as errors.
  rs_build build-asan -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DRS_SANITIZE=ON -DRS_WERROR=ON \
    -DBUILD_TESTING=ON "${python[@]}"
  # LeakSanitizer needs ptrace, which some containers forbid: probe it once.
  export ASAN_OPTIONS=detect_leaks=1
  probe=$(build-asan/bin/rigstream-ctl --version 2>&1 || true)
  if [[ "$probe" == *'LeakSanitizer has encountered a fatal error'* ]]; then
    rs_say "LeakSanitizer does not work here (no ptrace?): running without leak checks"
    export ASAN_OPTIONS=detect_leaks=0
  fi
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  run_tests build-asan build-asan
else
  summary+=("build-asan: skipped (--no-asan)")
fi

line=${summary[0]}
for s in "${summary[@]:1}"; do line+=" | $s"; done
echo
if [ "$failed" -eq 0 ]; then rs_say "OK: $line"; else rs_say "FAILED: $line"; fi
exit "$failed"
