"""soak: the whole suite at 1 kHz for a while; RSS and open descriptors must stay flat.

Starts the suite with scripts/start_all.sh (supervised, in a temporary run
directory, on free ports), the simulator at --rate samples/s per well, the
logger printing every sample (so log rotation runs too) and one WebSocket
client on the dashboard. Every --interval seconds it reads each component's
VmRSS and the number of entries in /proc/PID/fd. After the run it prints a
table and fails (exit 1) when, between the end of the warm-up and the end of
the run, a component's

  RSS grew by more than max(--rss-tol-mb, --rss-tol-pct % of its level after warm-up), or
  open descriptors grew by more than --fd-tol,

or when a component was restarted, run/logs outgrows its rotation bound, the suite is not healthy at the end
(scripts/monitor), samples were lost (subscriber gaps) or the saver stored
less than 95 % of what was published. The levels compared are medians of
three samples, so one reading caught mid-allocation does not decide.

Some memory fills by design before it levels off, and RSS is judged only
when the warm-up outlasts it (FILL_S): the engine keeps 5 and 15 minute
windows of every sample for its KPIs (at 1 kHz about 170 MB per well once
full, after 900 s); the saver's SQLite page cache is 16 MB; the simulator's
replay journal is cut to --journal-s seconds of samples here. A shorter
run reports those components' RSS without judging it (descriptors are
always judged). The default warm-up covers them all: a fifth of the run,
at least 960 s when the run is long enough.
Usage: bench/soak/soak.py [--minutes M | --seconds S] [options]; see --help.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))
import rigtest  # noqa: E402  (the suite's environment and pid files, as the tests use them)
from wsclient import WsClient  # noqa: E402
# The components start_all.sh started: those with a pid file (set after the start).
NAMES = []
# Seconds of running at 1 kHz before a component's bounded buffers are full
# (see the docstring); the simulator's is set by --journal-s.
LOG_MAX_KB, LOG_KEEP = 2048, 3
FILL_S = {"prediction_engine": 930, "db_saver": 240}


def proc_sample(pid):
    """(RSS kB, open fds) of pid, or None when it is gone."""
    try:
        rss = None
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
        return rss, len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def dir_size(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(root, f))
            except OSError:
                pass
    return total


class WsReader(threading.Thread):
    """One dashboard client that reads whatever it is sent, until stopped."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.client = WsClient("127.0.0.1", port)
        self.client.send_json({"type": "subscribe", "max_rate_hz": 10})
        self.frames = 0
        self.error = None
        self.stop = False

    def run(self):
        try:
            while not self.stop:
                if self.client.recv(timeout=2.0) is not None:
                    self.frames += 1
        except Exception as e:  # noqa: BLE001 - reported, not fatal to the reader
            self.error = e


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.split("\n")[2:]))
    ap.add_argument("--build-dir", default=os.path.join(SOURCE, "build"))
    ap.add_argument("--source-dir", default=SOURCE)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--minutes", type=float)
    g.add_argument("--seconds", type=float)
    ap.add_argument("--rate", type=int, default=1000, help="samples per second per well (1000)")
    ap.add_argument("--wells", type=int, default=1)
    ap.add_argument("--interval", type=float, help="seconds between samples (run / 30, 2..60)")
    ap.add_argument("--warmup", type=float,
                    help="seconds before the baseline (a fifth of the run, 10 at least; 960 when the run is long enough)")
    ap.add_argument("--journal-s", type=float, default=10.0,
                    help="seconds of samples the simulator's replay journal keeps (10)")
    ap.add_argument("--rss-tol-mb", type=float, default=4.0)
    ap.add_argument("--rss-tol-pct", type=float, default=10.0)
    ap.add_argument("--fd-tol", type=int, default=2)
    ap.add_argument("--no-rss", action="store_true",
                    help="report RSS without judging it (sanitizer builds: ASan's quarantine grows by design)")
    ap.add_argument("--json-out", help="also write the figures to this file")
    ap.add_argument("--keep", action="store_true", help="keep the run directory")
    a = ap.parse_args()
    duration = a.seconds if a.seconds else 60 * (a.minutes if a.minutes else 30)
    interval = a.interval or min(60.0, max(2.0, duration / 30))
    fill = dict(FILL_S, simulator=a.journal_s + 10)
    warmup = a.warmup
    if warmup is None:
        warmup = max(10.0, duration / 5)
        if duration >= 960 + 10 * interval:
            warmup = max(warmup, 960.0)
    if duration < warmup + 3 * interval:
        ap.error(f"a run of {duration:.0f} s is too short for a {warmup:.0f} s warm-up and 3 samples")

    tmp = tempfile.mkdtemp(prefix="rigsoak-")
    run_dir = os.path.join(tmp, "run")
    scripts = os.path.join(a.source_dir, "scripts")
    env = rigtest.scripts_env(run_dir, os.path.join(tmp, "soak.db"), a.build_dir,
                              RIGSTREAM_LOG_MAX_KB=LOG_MAX_KB, RIGSTREAM_LOG_KEEP=LOG_KEEP,
                              HEARTBEAT_MS=1000, SIM_RATE=a.rate, SIM_WELLS=a.wells,
                              REPLAY_JOURNAL=max(1000, int(a.journal_s * a.rate)))
    web = int(env["WEB_PORT"])

    def script(name, *argv):
        r = subprocess.run([os.path.join(scripts, name), *argv], env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=180)
        return r.returncode, r.stdout.decode("utf-8", "replace")

    rc, out = script("start_all.sh")
    if rc != 0:
        print(out)
        print("soak: start_all.sh failed", file=sys.stderr)
        return 1
    order = ["broker", "db_saver", "simulator", "console_logger", "prediction_engine", "webbridge"]
    NAMES[:] = sorted((f[:-4] for f in os.listdir(os.path.join(run_dir, "pids")) if f.endswith(".pid")),
                      key=lambda n: (order.index(n) if n in order else len(order), n))
    failures = []
    samples = {n: [] for n in NAMES}     # (t, rss kB, fds)
    pids = {n: rigtest.read_pid(run_dir, n) for n in NAMES}
    ws = None
    try:
        try:
            ws = WsReader(web)
            ws.start()
        except Exception as e:  # noqa: BLE001
            failures.append(f"no WebSocket client: {e}")
        t0 = time.monotonic()
        print(f"soak: {duration:.0f} s at {a.rate} Hz x {a.wells} well(s), sampling every {interval:.0f} s, "
              f"warm-up {warmup:.0f} s; run directory {run_dir}", flush=True)
        while True:
            t = time.monotonic() - t0
            for n in NAMES:
                pid = rigtest.read_pid(run_dir, n)
                if pid != pids[n]:
                    failures.append(f"{n} changed pid {pids[n]} -> {pid} (restarted)")
                    pids[n] = pid
                s = proc_sample(pid) if pid else None
                if s and s[0] is not None:
                    samples[n].append((t, s[0], s[1]))
            if t >= duration:
                break
            time.sleep(min(interval, max(0.0, duration - t)))
        rc, mon = script("monitor", "--json")
        try:
            rep = json.loads(mon)
        except ValueError:
            rep = {"healthy": False, "problems": [mon.strip()], "components": {}}
        if rc != 0:
            failures.append("not healthy at the end: " + "; ".join(rep.get("problems", [])))
        comps = rep.get("components", {})
        for n in NAMES:
            st = (comps.get(n) or {}).get("stats") or {}
            if st.get("missing", 0) or st.get("lost_permanently", 0):
                failures.append(f"{n} lost samples: missing {st.get('missing')}, "
                                f"lost_permanently {st.get('lost_permanently')}")
            if (comps.get(n) or {}).get("restarts"):
                failures.append(f"{n} was restarted {comps[n]['restarts']} time(s)")
        sim = (comps.get("simulator") or {}).get("stats") or {}
        saver = (comps.get("db_saver") or {}).get("stats") or {}
        published = sum(v for k, v in sim.items() if k.startswith("seq.telemetry."))
        stored = saver.get("stored", 0)
        if published < 0.9 * a.rate * a.wells * duration:
            failures.append(f"the simulator published {published} samples, short of {a.rate} Hz")
        if stored < 0.95 * published:
            failures.append(f"the saver stored {stored} of {published} published")
        if ws:
            ws.stop = True
            if ws.error:
                failures.append(f"the WebSocket client failed: {ws.error}")
            elif ws.frames == 0:
                failures.append("the WebSocket client received nothing")
        logs = dir_size(os.path.join(run_dir, "logs"))
        # Rotation keeps each log within its limit plus about a second of output.
        bound = (len(NAMES) + 1) * (LOG_KEEP + 1) * (LOG_MAX_KB + 512) * 1024
        if logs > bound:
            failures.append(f"run/logs holds {logs / 1e6:.1f} MB, more than rotation allows ({bound / 1e6:.1f} MB)")
    finally:
        rc, out = script("stop_all.sh")
        if rc != 0:
            failures.append("stop_all.sh failed")

    rows = []
    print(f"\n{'component':<18} {'RSS MB start':>12} {'end':>7} {'max':>7} {'growth':>8} {'allowed':>8} "
          f"{'fds start':>9} {'end':>5} {'max':>5}  verdict")
    for n in NAMES:
        pts = [p for p in samples[n] if p[0] >= warmup]
        if len(pts) < 3:
            failures.append(f"{n}: fewer than 3 samples after the warm-up")
            continue
        rss0 = statistics.median(p[1] for p in pts[:3])
        rss1 = statistics.median(p[1] for p in pts[-3:])
        fd0 = int(statistics.median(p[2] for p in pts[:3]))
        fd1 = int(statistics.median(p[2] for p in pts[-3:]))
        allowed = max(a.rss_tol_mb * 1024, rss0 * a.rss_tol_pct / 100)
        judged = warmup >= fill.get(n, 0) and not a.no_rss
        bad = []
        if judged and rss1 - rss0 > allowed:
            bad.append("RSS grew")
        if fd1 - fd0 > a.fd_tol:
            bad.append("fds grew")
        failures += [f"{n}: {b} (RSS {rss0 / 1024:.1f} -> {rss1 / 1024:.1f} MB, fds {fd0} -> {fd1})" for b in bad]
        row = {"component": n, "rss_start_kb": rss0, "rss_end_kb": rss1, "rss_max_kb": max(p[1] for p in pts),
               "rss_first_kb": samples[n][0][1], "fds_start": fd0, "fds_end": fd1,
               "fds_max": max(p[2] for p in pts), "allowed_kb": allowed, "rss_judged": judged, "ok": not bad}
        rows.append(row)
        print(f"{n:<18} {rss0 / 1024:>12.1f} {rss1 / 1024:>7.1f} {row['rss_max_kb'] / 1024:>7.1f} "
              f"{(rss1 - rss0) / 1024:>+8.1f} {allowed / 1024:>8.1f} {fd0:>9} {fd1:>5} {row['fds_max']:>5}  "
              f"{', '.join(bad) if bad else 'ok' if judged else 'ok (fds only)' if a.no_rss else f'ok (fds; RSS fills for {fill[n]:.0f} s)'}")
    print(f"\npublished {published} samples, stored {stored}, WebSocket frames {ws.frames if ws else 0}, "
          f"logs {logs / 1e6:.1f} MB at the end")
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump({"duration_s": duration, "rate": a.rate, "wells": a.wells, "warmup_s": warmup,
                       "published": published, "stored": stored, "log_bytes": logs, "components": rows,
                       "failures": failures}, f, indent=1)
    if not a.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print("\nSOAK FAILED:\n  " + "\n  ".join(failures))
        return 1
    print("\nsoak passed: open descriptors" + (" flat (RSS not judged)" if a.no_rss else " and RSS flat"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
