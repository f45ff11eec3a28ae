"""The suite scripts end to end: the configuration docs match the programs'
option tables, start_all.sh starts the suite from the build under test, the
logger prints telemetry, monitor reports everything up, the demo's rig state and its lost circulation
alarm reach the dashboard's API,
start_all.sh refuses a second start, stop_all.sh stops everything (twice is
harmless), and a broker that cannot bind makes start_all.sh clean up and fail;
the logs of the earlier runs stay on disk, rotated (NAME.log.1, .2), not emptied.
Run in a temporary run directory on free ports, with building switched off."""
import atexit
import json
import os
import re
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rigtest  # noqa: E402
from rigtest import alive, check, fail, read_pid, wait_until  # noqa: E402
from webtest import get_json  # noqa: E402

args = rigtest.setup()
scripts = os.path.join(os.path.abspath(args.source_dir), "scripts")
run_dir = os.path.join(args.tmp, "run")
# The components start_all.sh starts, as scripts/lib.sh lists them.
with open(os.path.join(scripts, "lib.sh")) as _f:
    _lib = _f.read()
NAMES = re.findall(r'^\s+"(\w+) rigstream-', _lib.split("RS_COMPONENTS=(", 1)[1].split(")", 1)[0], re.M)

env = rigtest.scripts_env(run_dir, os.path.join(args.tmp, "rigstream.db"), args.build_dir)


def script(name, *argv, quiet=False):
    r = subprocess.run([os.path.join(scripts, name), *argv], env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    out = r.stdout.decode("utf-8", "replace")
    if not quiet:
        print(f"--- {name} {' '.join(argv)} -> {r.returncode}\n{out}", end="")
    return r.returncode, out


def log(name):
    """The text of run/logs/NAME.log (NAME may be "broker.log.1": a rotated copy)."""
    path = os.path.join(run_dir, "logs", name if ".log" in name else f"{name}.log")
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return ""


def pids():
    found = {name: read_pid(run_dir, name) for name in NAMES}
    return {name: pid for name, pid in found.items() if pid is not None}


# Whatever happens, leave nothing running.
atexit.register(lambda: subprocess.run([os.path.join(scripts, "stop_all.sh")], env=env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

for name in ("start_all.sh", "stop_all.sh", "supervise", "monitor", "test.sh", "config_docs.sh"):
    rc, out = script(name, "--help", quiet=True)
    check(rc == 0 and "Usage:" in out, f"{name} --help")

rc, out = script("config_docs.sh", "--check")
check(rc == 0, "README.md and .env.example list every program's options (else: scripts/config_docs.sh --write)")

rc, out = script("start_all.sh")
if rc != 0:
    fail(f"start_all.sh exited {rc}")
check("rigstream is running" in out and "scripts/stop_all.sh" in out, "start_all.sh says where to look")
first = pids()
check(sorted(first) == sorted(NAMES) and all(alive(p) for p in first.values()),
      f"every component runs with a pid file: {first}")

wait_until(lambda: re.search(r"\bbit_depth=\d", log("console_logger")), timeout=20,
           what="telemetry lines in console_logger.log")
check(True, "the logger prints telemetry")
# The demo scenario by default: the simulator on a fast clock with its scripted event.
check(re.search(r"publishing 1 well\(s\) at 10 Hz \(speed 40,", log("simulator")) is not None
      and "lost_circulation@1500:900" in out, "start_all.sh runs the demo scenario (speed 40, lost circulation)")

wait_until(lambda: script("monitor", quiet=True)[0] == 0, timeout=20, what="monitor to report all up")
check(True, "monitor exits 0 with everything up")
rc, out = script("monitor", "--json")
status = json.loads(out)
comps = status.get("components", {})
check(rc == 0 and all(comps.get(n, {}).get("up") for n in ("simulator", "console_logger")),
      "monitor --json: simulator and console_logger are up")

# The demo end to end on these ports, as an operator sees it: the engine's rig state on the dashboard's API,
# then the scripted lost circulation (25 simulated minutes in, about 40 s) raises its alarm.
web_port = int(env["WEB_PORT"])


def api(path):
    try:
        st, doc = get_json(web_port, path)
    except OSError:
        return {}
    return doc if st == 200 and isinstance(doc, dict) else {}


states = wait_until(lambda: [w["rig_state"] for w in api("/api/wells").get("wells", []) if w.get("rig_state")],
                    timeout=30, what="the demo well's rig state on /api/wells")
check(True, f"the dashboard shows the demo well's rig state: {states}")
alarm = wait_until(lambda: [a for a in api("/api/alerts").get("active", []) if a.get("type") == "lost_circulation"],
                   timeout=100, what="the demo's lost circulation alarm on /api/alerts")[0]
check(alarm["well"] == "A-01" and alarm["alarm_state"] == "unack_active" and "Lost circulation" in alarm["message"],
      f"the demo's lost circulation alarm is raised and waits for acknowledgement: {alarm['message'][:60]}")

rc, out = script("start_all.sh")
check(rc != 0 and "already running" in out, "a second start_all.sh refuses")
check(pids() == first and all(alive(p) for p in first.values()), "and leaves the running suite alone")

rc, out = script("stop_all.sh")
check(rc == 0, "stop_all.sh exits 0")
for name in NAMES:
    check(re.search(rf"^{name}\s+stopped cleanly", out, re.M), f"{name} stopped cleanly")
check(not pids(), "pid files are removed")
check(not any(alive(p) for p in first.values()), "no component process is left")
for name in NAMES:
    text = log(name)
    check(not re.search(r"ERROR: \w+Sanitizer|runtime error:", text), f"no sanitizer report in {name}.log")

first_logs = {name: log(name) for name in NAMES}
check(re.search(r"\bready\b", first_logs["broker"]) and "stopping" in first_logs["broker"],
      "broker.log holds the first run from ready to stopping")

rc, out = script("stop_all.sh")
check(rc == 0 and out.count("was not running") == len(NAMES), "a second stop_all.sh is harmless")
rc, _ = script("monitor")
check(rc == 1, "monitor exits 1 when the broker is gone")

# A broker that cannot bind: start_all.sh shows why, cleans up and fails.
with socket.socket() as blocker:
    blocker.bind(("127.0.0.1", int(env["BROKER_BACKEND_PORT"])))
    blocker.listen()
    rc, out = script("start_all.sh")
check(rc == 1 and "broker.log" in out and "in use" in out, "start_all.sh reports a broker that cannot bind")
check(not pids(), "and leaves no pid files behind")

# Start, stop, start again: the first run's lines are still on disk.
second = log("broker")
check("in use" in second and not re.search(r"\bready\b", second), "the new start wrote a fresh broker.log")
check(log("broker.log.1") == first_logs["broker"], "the first run's broker log is kept whole as broker.log.1")
check(log("console_logger") == first_logs["console_logger"], "logs of components not started again are untouched")
with socket.socket() as blocker:
    blocker.bind(("127.0.0.1", int(env["BROKER_BACKEND_PORT"])))
    blocker.listen()
    rc, out = script("start_all.sh", quiet=True)
check(rc == 1 and log("broker.log.2") == first_logs["broker"] and log("broker.log.1") == second,
      "one more start shifts them: broker.log.2 is the first run, broker.log.1 the second")

print("PASS")
