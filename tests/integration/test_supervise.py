"""Supervision and monitoring: start_all.sh runs the suite under supervision,
scripts/monitor shows it healthy (table, JSON, exit 0); a component killed
with SIGKILL makes the monitor exit 1 and name it, the supervisor restarts
it, counts and logs the restart, and the monitor is healthy again with the
count shown; logs rotate at the size limit keeping N files; stop_all.sh
stops a suite whose supervisor is waiting to restart something, and nothing
comes back afterwards. Temporary run directory, free ports, no build."""
import glob
import json
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rigtest  # noqa: E402
from rigtest import alive, check, fail, read_pid, wait_until  # noqa: E402

args = rigtest.setup()
scripts = os.path.join(args.source_dir, "scripts")
run_dir = os.path.join(args.tmp, "run")
LOG_MAX_KB, LOG_KEEP = 8, 2

env = rigtest.scripts_env(run_dir, os.path.join(args.tmp, "rig.db"), args.build_dir,
                         RIGSTREAM_LOG_MAX_KB=LOG_MAX_KB, RIGSTREAM_LOG_KEEP=LOG_KEEP,
                         RIGSTREAM_RESTART_MIN_S=2, SIM_RATE=50)


def script(name, *argv, extra=None):
    r = subprocess.run([os.path.join(scripts, name), *argv], env={**env, **(extra or {})},
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def pid_of(name, sub="pids"):
    return read_pid(run_dir, name, sub)


def monitor_json():
    rc, out, err = script("monitor", "--json")
    try:
        return rc, json.loads(out)
    except ValueError:
        fail(f"monitor --json printed no JSON (rc {rc}): {out!r} {err!r}")


atexit_env = dict(env)
import atexit  # noqa: E402
atexit.register(lambda: subprocess.run([os.path.join(scripts, "stop_all.sh")], env=atexit_env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

rc, out, err = script("monitor", "--bogus")
check(rc == 2 and "unknown argument" in err, "monitor: a bad argument exits 2")
rc, out, err = script("monitor")
check(rc == 1 and "does not answer" in out, "monitor exits 1 and says so when nothing runs")

rc, out, err = script("start_all.sh")
print(out, err)
if rc != 0:
    fail(f"start_all.sh exited {rc}")
names = sorted(f[:-4] for f in os.listdir(os.path.join(run_dir, "pids")))
check({"broker", "db_saver", "simulator", "console_logger", "prediction_engine", "webbridge"} <= set(names),
      f"start_all.sh started the suite: {names}")
sups = {n: pid_of(n, "supervise") for n in names}
check(all(p and alive(p) for p in sups.values()), f"each component has a live supervisor: {sups}")

wait_until(lambda: script("monitor", "--no-rates")[0] == 0, timeout=20, what="monitor healthy")
rc, out, err = script("monitor")
print(out)
check(rc == 0 and out.rstrip().endswith("healthy"), "monitor: table, exit 0, says healthy")
for n in names:
    check(re.search(rf"^{n}\s+up\s+{pid_of(n)}\s", out, re.M), f"table: {n} up with its pid")
check(re.search(r"^db_saver .* db [\d.]+ MB {2}\d+ rows", out, re.M), "table: database size and rows")
check(re.search(r"^webbridge .* 0 ws clients", out, re.M), "table: WebSocket clients")
m = re.search(r"^simulator\s+up\s+\d+\s+\S+\s+0\s+([\d.]+)", out, re.M)
check(m and 30 < float(m.group(1)) < 80, f"table: simulator rate near 50 msg/s ({m and m.group(1)})")

rc, rep = monitor_json()
comps = rep["components"]
check(rc == 0 and rep["healthy"] and rep["problems"] == [], "monitor --json: healthy, no problems")
check(sorted(comps) == sorted(names), f"monitor --json lists every component: {sorted(comps)}")
check(all(comps[n]["up"] and comps[n]["restarts"] == 0 and comps[n]["supervised"] for n in names),
      "monitor --json: all up, supervised, no restarts")
check(comps["db_saver"]["db_rows"] > 0 and comps["db_saver"]["db_bytes"] > 0, "monitor --json: database figures")
# The saver commits in batches: one reading may fall between two commits.
rates = wait_until(lambda: (lambda r: r if r.get("stored", 0) > 20 else None)(
    monitor_json()[1]["components"]["db_saver"]["rates"]), timeout=15, what="the saver's store rate")
check(rates["stored"] > 20, f"monitor --json: saver stores ({rates})")
check(rep["broker_status"]["components"]["simulator"]["up"], "monitor --json carries the broker's STATUS")
delays = {n: comps[n]["delay_s"] for n in ("db_saver", "console_logger", "prediction_engine", "webbridge")}
check(all(d is not None and 0 <= d < 2 for d in delays.values()), f"monitor --json: subscribers read in time {delays}")
rc, out, err = script("monitor", "--no-rates", "--max-delay-s", "-1")
check(rc == 1 and re.search(r"console_logger: reads \d+ s behind", out), "a subscriber reading behind is not healthy")

# Kill the logger: the monitor names it at once, the supervisor brings it back.
victim = pid_of("console_logger")
os.kill(victim, signal.SIGKILL)
wait_until(lambda: not alive(victim), timeout=5, what="the logger to die")
rc, rep = monitor_json()
check(rc == 1 and not rep["healthy"] and any(p.startswith("console_logger:") for p in rep["problems"]),
      f"monitor exits 1 naming the killed component: {rep['problems']}")
rc, out, err = script("monitor", "--no-rates")
check(rc == 1 and re.search(r"^NOT HEALTHY: .*console_logger", out, re.M), "the table says NOT HEALTHY")
wait_until(lambda: (pid_of("console_logger") or victim) != victim and alive(pid_of("console_logger")),
           timeout=10, what="the logger to be restarted")
wait_until(lambda: script("monitor", "--no-rates")[0] == 0, timeout=15, what="monitor healthy after the restart")
rc, rep = monitor_json()
check(rc == 0 and rep["components"]["console_logger"]["restarts"] == 1, "monitor shows 1 restart of the logger")
with open(os.path.join(run_dir, "logs", "supervise.log")) as f:
    slog = f.read()
check(re.search(r"console_logger killed by signal 9 .* restarting in 2 s", slog), "the restart is logged")
check(all(alive(p) for n, p in sups.items()), "every supervisor still runs")

# Logs stay bounded: the logger prints every sample, about 50 lines a second.
log = os.path.join(run_dir, "logs", "console_logger.log")
wait_until(lambda: os.path.exists(f"{log}.{LOG_KEEP}"), timeout=30, what=f"{log}.{LOG_KEEP}")
time.sleep(1.5)


def log_files():
    """The logs and their sizes, read again if a rotation renamed one meanwhile."""
    for _ in range(20):
        try:
            names = sorted(glob.glob(log + "*"))
            return names, [os.path.getsize(f) for f in names]
        except FileNotFoundError:
            time.sleep(0.05)
    raise RuntimeError("the logs kept rotating under the check")


files, sizes = log_files()
check(files == [log] + [f"{log}.{i}" for i in range(1, LOG_KEEP + 1)], f"{LOG_KEEP} old logs kept: {files}")
# A file is checked once a second, so it can pass the limit by a second's output.
check(all(s < LOG_MAX_KB * 1024 + 32 * 1024 for s in sizes), f"every log within bounds: {sizes}")

# Stop while a supervisor waits to restart: stop_all.sh wins, nothing comes back.
# The web bridge is the first stopped, well inside its 2 s back-off.
victim = pid_of("webbridge")
os.kill(victim, signal.SIGKILL)
wait_until(lambda: "webbridge killed by signal 9" in open(os.path.join(run_dir, "logs", "supervise.log")).read(),
           timeout=5, what="the supervisor to see the engine die")
rc, out, err = script("stop_all.sh")
print(out, err)
check(rc == 0, "stop_all.sh exits 0")
for n in names:
    if n == "webbridge":
        check(re.search(rf"^{n}\s+stopped \(its supervisor was waiting", out, re.M), f"{n} stopped in its back-off")
    else:
        check(re.search(rf"^{n}\s+stopped cleanly", out, re.M), f"{n} stopped cleanly")
check(not any(alive(p) for p in sups.values()), "no supervisor is left")
time.sleep(2.5)
check(not glob.glob(os.path.join(run_dir, "pids", "*.pid")), "no pid file reappears (nothing restarted)")
for n in names:
    with open(os.path.join(run_dir, "logs", f"{n}.log"), errors="replace") as f:
        check(not re.search(r"ERROR: \w+Sanitizer|runtime error:", f.read()), f"no sanitizer report in {n}.log")
print("PASS")
