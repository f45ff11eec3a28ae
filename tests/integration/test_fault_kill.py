"""Fault suite: kill -9 each component in turn while the supervised suite runs
(start_all.sh: broker, saver, simulator, logger, engine, web bridge).

Each time: the other components keep running (same pids) and the data keeps
flowing, the supervisor restarts the victim and counts it, scripts/monitor is
healthy again, the web bridge answers /api/health again. At the end the
database holds every sample the simulator published, each once: per stream
(one per simulator run) seq 1..last with no hole, where last is what the
simulator said it published (its heartbeat just before it was killed, its
"stopped" line at the clean stop)."""
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rigtest  # noqa: E402
from rigtest import alive, check, fail, read_pid, wait_until  # noqa: E402

args = rigtest.setup()
scripts = os.path.join(args.source_dir, "scripts")
run_dir = os.path.join(args.tmp, "run")
db = os.path.join(args.tmp, "rig.db")
NAMES = []     # what start_all.sh started, from its pid files
# The order of the kills: the broker in the middle, while data is being repaired.
VICTIMS = ["console_logger", "prediction_engine", "webbridge", "db_saver", "broker", "simulator"]
RATE = 200
T0 = time.monotonic()

env = rigtest.scripts_env(run_dir, db, args.build_dir, RIGSTREAM_RESTART_MIN_S=1, SIM_RATE=RATE, LOGGER_EVERY=1)


def script(name, *argv):
    r = subprocess.run([os.path.join(scripts, name), *argv], env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    return r.returncode, r.stdout.decode("utf-8", "replace")


import atexit  # noqa: E402
atexit.register(lambda: subprocess.run([os.path.join(scripts, "stop_all.sh")], env=env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))


def pid_of(name):
    return read_pid(run_dir, name)


def monitor():
    rc, out = script("monitor", "--json", "--no-rates")
    try:
        return rc, json.loads(out)
    except ValueError:
        return rc, {}


def streams():
    """{epoch: (rows, min seq, max seq, distinct seqs, mark)} of the simulator's telemetry."""
    if not os.path.exists(db):
        return {}
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return {e: (n, lo, hi, d, m) for e, n, lo, hi, d, m in con.execute(
            "SELECT s.epoch, count(*), min(x.seq), max(x.seq), count(DISTINCT x.seq), max(s.mark) "
            "FROM samples x JOIN streams s ON s.id = x.stream JOIN publishers p ON p.id = s.publisher "
            "WHERE p.name = 'sim' AND s.topic = 'telemetry.A-01' GROUP BY s.epoch")}
    except sqlite3.OperationalError:
        return {}
    finally:
        con.close()


def stored():
    return sum(v[0] for v in streams().values())


def health():
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{env['WEB_PORT']}/api/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def sim_seq():
    """The simulator's last published seq, from its heartbeat in the broker's STATUS."""
    _, rep = monitor()
    st = (rep.get("components", {}).get("simulator") or {}).get("stats") or {}
    return st.get("seq.telemetry.A-01")


def caught_up():
    """The saver's newest stream is contiguous up to (nearly) the simulator's last heartbeat."""
    seq, st = sim_seq(), streams()
    if not seq or not st:
        return False
    n, lo, hi, d, mark = st[max(st)]
    return mark >= seq - RATE // 5 and n == d == mark


rc, out = script("start_all.sh")
print(out)
if rc != 0:
    fail(f"start_all.sh exited {rc}")
NAMES[:] = sorted(f[:-4] for f in os.listdir(os.path.join(run_dir, "pids")))
check(set(VICTIMS) <= set(NAMES), f"start_all.sh started the suite: {NAMES}")
wait_until(lambda: monitor()[0] == 0, timeout=20, what="the suite to be healthy")
wait_until(lambda: stored() > RATE, timeout=20, what="samples in the database")
check(health(), "the web bridge answers /api/health")

killed_sim_seq = {}     # epoch of a killed simulator run -> seq its last heartbeat reported
for victim in VICTIMS:
    t = time.monotonic()
    before = {n: pid_of(n) for n in NAMES}
    if victim == "simulator":
        # What the broker's outage cost is repaired first (the journal dies with the simulator).
        wait_until(caught_up, timeout=30, what="the saver to catch up before the simulator is killed")
        epochs_before = set(streams())
        seq = sim_seq()
    old = before[victim]
    os.kill(old, signal.SIGKILL)
    wait_until(lambda: not alive(old), timeout=5, what=f"{victim} to die")
    rows_at_kill = stored()
    # The others keep working while it is down (the saver and the simulator
    # keep storing, except when the saver, the broker or the simulator is the one down).
    if victim not in ("db_saver", "broker", "simulator"):
        wait_until(lambda: stored() > rows_at_kill + RATE // 4, timeout=5,
                   what=f"samples still stored with {victim} down")
    wait_until(lambda: (pid_of(victim) or old) != old and alive(pid_of(victim)), timeout=10,
               what=f"{victim} to be restarted")
    wait_until(lambda: monitor()[0] == 0, timeout=20, what=f"the suite healthy after {victim} was killed")
    rc, rep = monitor()
    comps = rep["components"]
    check(comps[victim]["restarts"] == 1, f"{victim}: killed, restarted, 1 restart counted")
    check(all(pid_of(n) == before[n] and alive(before[n]) for n in NAMES if n != victim),
          f"{victim}: the other components kept running")
    wait_until(lambda: stored() > rows_at_kill + RATE // 2, timeout=10, what=f"data flowing after {victim}")
    if victim in ("webbridge", "broker"):
        wait_until(health, timeout=10, what="/api/health after the restart")
        check(True, f"{victim}: the web bridge answers /api/health")
    if victim == "simulator":
        wait_until(lambda: len(set(streams()) - epochs_before) == 1, timeout=10,
                   what="the restarted simulator's new stream")
        old_epoch = max(epochs_before)
        killed_sim_seq[old_epoch] = seq
    print(f"{victim}: back in {time.monotonic() - t:.1f} s")

# Everything the running simulator published is in, then stop cleanly.
wait_until(caught_up, timeout=30, what="the saver to catch up")
rc, out = script("stop_all.sh")
print(out)
check(rc == 0 and all(re.search(rf"^{n}\s+stopped cleanly", out, re.M) for n in NAMES),
      "stop_all.sh stops every component cleanly")
with open(os.path.join(run_dir, "logs", "simulator.log"), errors="replace") as f:
    m = re.findall(r"stopped: (\d+) samples", f.read())
check(m, "the simulator logged how many samples it published")
final = int(m[-1])

s = streams()
print("streams (epoch: rows, min, max, distinct, mark):", s)
check(len(s) == 2, f"two simulator runs in the database: {sorted(s)}")
first, last = sorted(s)
n, lo, hi, d, mark = s[last]
check((n, lo, hi, d, mark) == (final, 1, final, final, final),
      f"the last run: seq 1..{final} stored once each ({n} rows, {lo}..{hi}, {d} distinct, mark {mark})")
n, lo, hi, d, mark = s[first]
want = killed_sim_seq.get(first, 0)
check(lo == 1 and n == d == hi and hi >= want and mark == hi,
      f"the killed run: seq 1..{hi} stored once each, no hole, at least its last heartbeat's {want}"
      f" ({n} rows, mark {mark})")
for name in NAMES:
    with open(os.path.join(run_dir, "logs", f"{name}.log"), errors="replace") as f:
        check(not re.search(r"ERROR: \w+Sanitizer|runtime error:", f.read()), f"no sanitizer report in {name}.log")
print(f"PASS in {time.monotonic() - T0:.0f} s")
