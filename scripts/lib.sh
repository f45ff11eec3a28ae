# shellcheck shell=bash disable=SC2034 # variables here are used by the scripts that source it
# lib.sh: what the rigstream scripts share. Sourced, never run: the repository
# root, the run and build directories, .env lookup and loading, the component list,
# Debian package checks and the build.

RS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RS_CALLER_DIR=$PWD
cd "$RS_ROOT" || exit 1

# Components of the suite in start order (stop order is the reverse):
# "name binary [args...]". The name is the component name the process reports
# in its heartbeats (and in rigstream-ctl STATUS); it also names its log and
# pid files. The broker comes first and is checked with PING; every other
# component is checked through the broker.
RS_COMPONENTS=(
  "broker rigstream-broker"
  "db_saver rigstream-saver"
  "simulator rigstream-sim"
  "console_logger rigstream-logger"
  "prediction_engine rigstream-engine"
  "webbridge rigstream-web"
)
RS_NAMES=()
declare -A RS_BIN RS_ARGS
for _entry in "${RS_COMPONENTS[@]}"; do
  read -r _name _bin _args <<<"$_entry"
  RS_NAMES+=("$_name")
  RS_BIN[$_name]=$_bin
  RS_ARGS[$_name]=$_args
done
unset _entry _name _bin _args

RS_BUILD_DEPS=(build-essential cmake pkg-config libzmq3-dev libczmq-dev libmsgpack-dev
  libsqlite3-dev libjansson-dev libcivetweb-dev libssl-dev libxml2-dev libmosquitto-dev libprotobuf-c-dev
  protobuf-c-compiler npm)
RS_TEST_DEPS=(python3 python3-zmq python3-msgpack chromium nodejs npm openssl clang libclang-rt-14-dev
  dpkg-dev lintian mmdebstrap mosquitto mosquitto-clients python3-paho-mqtt python3-protobuf iproute2)

# Directories whose sources the build depends on (for the staleness check).
RS_SOURCE_DIRS=(common broker publisher subscribers webbridge frontend docs/examples bench tests packaging)

rs_say() { printf '%s: %s\n' "${RS_SCRIPT:-rigstream}" "$*"; }
rs_die() { printf '%s: %s\n' "${RS_SCRIPT:-rigstream}" "$*" >&2; exit 1; }

# The settings file, found as the programs find theirs (common/include/rs_config.h):
# RIGSTREAM_ENV_FILE when set (/dev/null: none; the search stops there), else
# the first that exists of ./.env in the caller's directory, then the files
# of RIGSTREAM_ENV_SEARCH (':'-separated), by default this checkout's .env and
# /etc/rigstream/rigstream.env. Prints the path, or nothing when there is none.
rs_env_file() {
  if [ -n "${RIGSTREAM_ENV_FILE:-}" ]; then
    printf '%s\n' "$RIGSTREAM_ENV_FILE"
    return 0
  fi
  local search=${RIGSTREAM_ENV_SEARCH:-$RS_ROOT/.env:/etc/rigstream/rigstream.env} f
  local IFS=:
  for f in "$RS_CALLER_DIR/.env" $search; do
    [ -n "$f" ] && [ -e "$f" ] && { printf '%s\n' "$f"; return 0; }
  done
  return 0
}

# Loads NAME=value lines from the settings file (rs_env_file) into the
# environment, without overriding variables that are already set: the
# environment wins over .env, as in the programs. Exports RIGSTREAM_ENV_FILE
# as that file (/dev/null when there is none), so the programs the scripts
# start read the same one whatever their working directory; RS_ENV_USED says
# which it was, for messages.
rs_load_env() {
  local file
  file=$(rs_env_file)
  RS_ENV_USED=${file:-none}
  export RIGSTREAM_ENV_FILE=${file:-/dev/null}
  [ -n "$file" ] || return 0
  [ -r "$file" ] || rs_die "cannot read the settings file $file (RIGSTREAM_ENV_FILE)"
  local line name value n=0
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    line=${line#"${line%%[![:space:]]*}"}
    case "$line" in '' | '#'*) continue ;; esac
    line=${line#export }
    name=${line%%=*}
    [[ "$line" == *=* && "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] ||
      rs_die "$file:$n: expected NAME=value"
    value=${line#*=}
    case "$value" in
      \"*\") value=${value:1:${#value}-2} ;;
      \'*\') value=${value:1:${#value}-2} ;;
      *) value=${value%%[[:space:]]#*}; value=${value%"${value##*[![:space:]]}"} ;;
    esac
    [ -n "${!name+x}" ] || export "$name=$value"
  done <"$file"
}

rs_load_env
RUN_DIR=${RIGSTREAM_RUN_DIR:-./run}
BUILD_DIR=${RIGSTREAM_BUILD_DIR:-./build}
PID_DIR=$RUN_DIR/pids
LOG_DIR=$RUN_DIR/logs
SUP_DIR=$RUN_DIR/supervise

# The uplink to the operations centre runs when its MQTT broker is configured
# (and is stopped while its pid file says it runs).
if [ -n "${UPLINK_URL:-}" ] || [ -f "$PID_DIR/uplink.pid" ]; then
  RS_NAMES+=(uplink) RS_BIN[uplink]=rigstream-uplink RS_ARGS[uplink]=
fi

# Path of a built program: the build directory's, else one on PATH.
rs_bin() {
  if [ -x "$BUILD_DIR/bin/$1" ]; then
    printf '%s\n' "$BUILD_DIR/bin/$1"
  elif command -v "$1" >/dev/null 2>&1; then
    command -v "$1"
  else
    return 1
  fi
}

# Installs the Debian packages given that are missing: as root with apt-get,
# otherwise prints the command to run and exits 1.
ensure_packages() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    rs_say "not a Debian system: make sure these are installed: $*" >&2
    return 0
  fi
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' && continue
    # Node.js from another source (its npm included) serves as well as Debian's.
    case $p in
      nodejs) command -v node >/dev/null 2>&1 && continue ;;
      npm) command -v npm >/dev/null 2>&1 && continue ;;
    esac
    missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    rs_say "missing Debian packages; install them with:" >&2
    printf '  sudo apt-get install -y %s\n' "${missing[*]}" >&2
    exit 1
  fi
  rs_say "installing ${missing[*]}"
  if [ -z "${RS_APT_UPDATED:-}" ]; then
    apt-get update -q
    RS_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Configures (when asked or needed) and builds DIR with the CMake options
# given, then marks it fresh. The stamp is taken before the build starts, so
# a source saved during the build still makes the next check see it as stale.
rs_build() {
  local dir=$1
  shift
  mkdir -p "$dir"
  touch "$dir/.rigstream-stamp.new"
  rs_say "building $dir"
  cmake -S "$RS_ROOT" -B "$dir" "$@" >"$dir/configure.log" 2>&1 || {
    cat "$dir/configure.log" >&2
    rs_die "configuring $dir failed"
  }
  cmake --build "$dir" -j"$(nproc)" || rs_die "building $dir failed"
  mv "$dir/.rigstream-stamp.new" "$dir/.rigstream-stamp"
}

# True when BUILD_DIR was built by rs_build after every source last changed.
rs_build_fresh() {
  local stamp=$BUILD_DIR/.rigstream-stamp dirs=() d
  [ -f "$stamp" ] || return 1
  for d in "${RS_SOURCE_DIRS[@]}"; do [ -d "$d" ] && dirs+=("$d"); done
  [ -z "$(find CMakeLists.txt "${dirs[@]}" \( -name '*.c' -o -name '*.h' -o -name CMakeLists.txt \) \
    -newer "$stamp" -print -quit)" ]
}

# Builds BUILD_DIR when it is missing or older than a source; does nothing
# with RIGSTREAM_NO_BUILD=1. The unit tests are built too, so that
# `ctest --test-dir build -R NAME` runs one right after (the integration
# tests are registered when python3 is there).
ensure_build() {
  if [ "${RIGSTREAM_NO_BUILD:-0}" = 1 ]; then
    return 0
  fi
  rs_build_fresh && return 0
  rs_build "$BUILD_DIR" -DRS_WERROR=ON -DBUILD_TESTING=ON
}

# Whether process PID exists and has not exited (a zombie has).
rs_alive() {
  local stat
  kill -0 "$1" 2>/dev/null || return 1
  [ -d /proc/self ] || return 0
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# The pid in component NAME's pid file when that process is alive and still
# runs the component's program (not a recycled pid); fails otherwise.
rs_live_pid() {
  local name=$1 bin=${RS_BIN[$1]} pid cmd
  [ -f "$PID_DIR/$name.pid" ] || return 1
  pid=$(<"$PID_DIR/$name.pid")
  [[ "$pid" =~ ^[0-9]+$ ]] && rs_alive "$pid" || return 1
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ "$cmd" == *"$bin"* ]] || return 1
  printf '%s\n' "$pid"
}

# The pid of component NAME's supervisor (scripts/supervise) when it is alive
# and still that script (not a recycled pid); fails otherwise.
rs_sup_pid() {
  local pid cmd
  [ -f "$SUP_DIR/$1.pid" ] || return 1
  pid=$(<"$SUP_DIR/$1.pid")
  [[ "$pid" =~ ^[0-9]+$ ]] && rs_alive "$pid" || return 1
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ "$cmd" == *supervise* ]] || return 1
  printf '%s\n' "$pid"
}
