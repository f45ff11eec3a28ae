"""monitor.py: the suite's state on one screen, for scripts/monitor.

Reads the broker's STATUS (rigstream-ctl), which holds every component's last
sys.* heartbeat, twice one heartbeat apart for message rates, and adds what the
run directory knows (pid files, supervisor restart counts) and the database's
row count. Prints a table or JSON; exits 0 only when the suite is healthy (the
rules are in docs/OPERATIONS.md and in `health` below).
"""
import argparse
import json
import os
import sqlite3
import subprocess
import sys
import time

SUBSCRIBERS = ("db_saver", "console_logger", "prediction_engine", "webbridge")
# Counters whose per-second rate is worth showing, first found is the main one.
RATE_KEYS = ("stored", "delivered", "sent", "received", "ws_sent")


def status(ctl, timeout_ms):
    try:
        r = subprocess.run([ctl, "STATUS", "--timeout-ms", str(timeout_ms)], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout_ms / 1000 + 5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if r.returncode != 0:
        return None
    try:
        return json.loads(r.stdout)
    except ValueError:
        return None


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def read_int(path):
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def run_state(run_dir, names):
    """What the run directory says: component pid (alive or not), supervisor, restarts."""
    out = {}
    for name in names:
        pid = read_int(os.path.join(run_dir, "pids", f"{name}.pid"))
        sup = read_int(os.path.join(run_dir, "supervise", f"{name}.pid"))
        restarts = read_int(os.path.join(run_dir, "supervise", f"{name}.restarts"))
        if pid is None and sup is None:
            continue
        out[name] = {
            "pid": pid, "pid_alive": bool(pid and alive(pid)),
            "supervised": bool(sup and alive(sup)), "restarts": restarts,
        }
    return out


def db_rows(path):
    """Rows the saver has written to the database (its streams table keeps the count)."""
    if not path or not os.path.exists(path):
        return None
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.5)
        try:
            return con.execute("SELECT coalesce(sum(rows), 0) FROM streams").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return None


def rates(prev, cur):
    """Per-second rates of RATE_KEYS between two heartbeats of each component."""
    out = {}
    for name, c in (cur or {}).get("components", {}).items():
        p = (prev or {}).get("components", {}).get(name)
        if not p or p.get("pid") != c.get("pid"):
            continue
        ps, cs = p.get("stats") or {}, c.get("stats") or {}
        dt = (cs.get("uptime_s") or 0) - (ps.get("uptime_s") or 0)
        if dt <= 0:
            continue
        out[name] = {k: max(0.0, (cs[k] - ps[k]) / dt) for k in RATE_KEYS
                     if isinstance(cs.get(k), (int, float)) and isinstance(ps.get(k), (int, float))}
    return out


def second_status(ctl, first, timeout_ms):
    """STATUS again once every up component has sent another heartbeat (bounded wait)."""
    hb = (first.get("heartbeat_ms") or 1000) / 1000
    deadline = time.monotonic() + min(3.0, 2.5 * hb)
    beats = {n: c.get("heartbeats") for n, c in first.get("components", {}).items() if c.get("up")}
    cur = None
    while time.monotonic() < deadline:
        time.sleep(min(0.2, hb / 2))
        cur = status(ctl, timeout_ms)
        if cur is None:
            return None
        comps = cur.get("components", {})
        if all((comps.get(n) or {}).get("heartbeats") != b for n, b in beats.items()):
            break
    return cur


def num(stats, *keys):
    total, found = 0, False
    for k in keys:
        v = stats.get(k)
        if isinstance(v, (int, float)):
            total += v
            found = True
    return int(total) if found else None


def report(st, run, names, rate, rows, max_delay_s):
    """The combined view: {healthy, problems, broker, components}."""
    problems = []
    comps = {}
    if st is None:
        problems.append("broker: does not answer STATUS")
    known = (st or {}).get("components", {})
    # Expected: what start_all.sh started (pid file or supervisor), else the
    # suite's list as the broker knows it; plus any other component the broker
    # heard from that did not say it stopped.
    # A component that said it stopped (its last heartbeat) is not a fault
    # unless the run directory says it should be running.
    said_stopped = {n for n, c in known.items() if c.get("state") == "stopped"}
    expected = [n for n in names if n in run] or [n for n in names if (n in known and n not in said_stopped)
                                                  or n == "broker"]
    expected += [n for n in known if n not in expected and n not in said_stopped]
    order = [n for n in names if n in expected or n in known] + sorted(n for n in known if n not in names)
    for name in order:
        r = run.get(name, {})
        if name == "broker":
            c = {"up": st is not None, "pid": (st or {}).get("pid"), "uptime_s": (st or {}).get("uptime_s"),
                 "state": "running" if st else None}
            stats = dict((st or {}).get("counters", {}))
            stats["rate_in"] = (st or {}).get("rates", {}).get("in_msgs_per_s")
        else:
            k = known.get(name) or {}
            stats = k.get("stats") or {}
            c = {"up": bool(k.get("up")), "pid": k.get("pid"), "uptime_s": k.get("uptime_s"),
                 "state": k.get("state"), "last_seen_ms_ago": k.get("last_seen_ms_ago")}
        c["pid"] = r.get("pid") if r.get("pid_alive") else c["pid"]
        c["expected"] = name in expected
        c["supervised"] = r.get("supervised", False)
        c["restarts"] = r.get("restarts")
        c["rates"] = rate.get(name, {}) if name != "broker" else {"in": stats.get("rate_in")}
        c["gaps"] = num(stats, "gaps")
        c["missing"] = num(stats, "missing", "lost_permanently")
        c["rejected"] = num(stats, "rejected", "bad_frames", "dropped_bad_frames", "dropped_too_big",
                            "control_malformed", "control_unknown", "control_refused", "sys_rejected")
        c["rejected_by"] = {k[9:]: int(v) for k, v in stats.items()
                            if k.startswith("rejected.") and isinstance(v, (int, float))}
        info = (known.get(name) or {}).get("info") or {}
        c["last_reject"] = ({"pub": info.get("last_reject_pub"), "reason": info.get("last_reject_reason"),
                             "topic": info.get("last_reject_topic")} if info.get("last_reject_pub") else None)
        c["dropped"] = num(stats, "dropped", "dropped_send", "ws_dropped", "send_errors")
        c["queue"] = num(stats, "buffered", "repair_pending")
        c["delay_s"] = stats["delay_ms"] / 1000 if isinstance(stats.get("delay_ms"), (int, float)) else None
        if name == "db_saver":
            c["db_bytes"] = num(stats, "db_bytes")
            c["db_rows"] = rows
        if name == "webbridge":
            c["ws_clients"] = num(stats, "clients")
        if name == "uplink":
            # Store-and-forward: a lost link queues, it is not a fault of the rig.
            c["link"] = {k: stats.get(k) for k in ("connected", "queued", "queued_bytes", "oldest_queued_s",
                                                   "sent_per_s", "bytes_per_s", "bytes_hour")}
        c["stats"] = stats
        why = []
        if c["expected"]:
            if not c["up"]:
                why.append("down (no recent heartbeat)" if name != "broker" else "down")
            if r and not r.get("pid_alive"):
                why.append("its process is gone" + (", supervisor restarting it" if c["supervised"] else ""))
            if name in SUBSCRIBERS and c["up"] and stats.get("broker_up") == 0:
                why.append("does not hear the broker")
            if name == "db_saver" and c["up"] and stats.get("db_ok") == 0:
                why.append("cannot write the database")
            if c["up"] and c["delay_s"] is not None and c["delay_s"] > max_delay_s:
                why.append(f"reads {c['delay_s']:.0f} s behind (more than {max_delay_s:g} s)")
        c["healthy"] = not why
        problems += [f"{name}: {w}" for w in why]
        comps[name] = c
    return {"healthy": not problems, "problems": problems, "time": time.time(),
            "components": comps, "broker_status": st}


def fmt_uptime(s):
    if not isinstance(s, (int, float)):
        return "-"
    s = int(s)
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 86400}d{s % 86400 // 3600:02d}h"


def fmt_delay(s):
    return "-" if s is None else f"{s:.1f}s" if s < 100 else f"{s:.0f}s"


def fmt_n(v):
    return "-" if v is None else str(v)


def table(rep):
    lines = []
    st = rep["broker_status"]
    if st:
        cnt = st.get("counters", {})
        r = st.get("rates", {})
        lines.append(f"broker {st.get('version', '?')}  in {r.get('in_msgs_per_s', 0):.1f} msg/s  "
                     f"out {r.get('out_msgs_per_s', 0):.1f} msg/s  publishers {cnt.get('publishers_connected', 0)}  "
                     f"subscribers {cnt.get('subscribers_connected', 0)}")
    lines.append(f"{'component':<18} {'state':<7} {'pid':>7} {'uptime':>7} {'restarts':>8} {'msg/s':>8} "
                 f"{'queue':>6} {'delay':>6} {'gaps':>5} {'lost':>5} {'rejected':>8} {'dropped':>7}  other")
    for name, c in rep["components"].items():
        state = "up" if c["up"] else ("stopped" if c.get("state") == "stopped" else "DOWN")
        if not c["healthy"] and c["up"]:
            state = "SICK"
        rt = c["rates"]
        main = next((rt[k] for k in ("in",) + RATE_KEYS if isinstance(rt.get(k), (int, float))), None)
        other = []
        if "db_bytes" in c:
            if c["db_bytes"] is not None:
                other.append(f"db {c['db_bytes'] / 1e6:.1f} MB")
            if c["db_rows"] is not None:
                other.append(f"{c['db_rows']} rows")
        if c.get("rejected_by"):
            why = " ".join(f"{k}={v}" for k, v in sorted(c["rejected_by"].items()))
            last = c.get("last_reject") or {}
            other.append(f"rejected {why}" + (f", last from {last['pub']} on {last['topic']}" if last else ""))
        if c.get("ws_clients") is not None:
            other.append(f"{c['ws_clients']} ws clients")
        link = c.get("link")
        if link and link.get("connected") is not None:
            other.append(f"mqtt {'connected' if link['connected'] else 'DISCONNECTED'}, "
                         f"{fmt_n(num(link, 'queued'))} queued (oldest {fmt_delay(link.get('oldest_queued_s'))}), "
                         f"{link.get('bytes_per_s') or 0:.0f} B/s, {(link.get('bytes_hour') or 0) / 1e6:.2f} MB/h")
        lines.append(f"{name:<18} {state:<7} {fmt_n(c['pid']):>7} {fmt_uptime(c['uptime_s']):>7} "
                     f"{fmt_n(c['restarts']):>8} {'-' if main is None else f'{main:.1f}':>8} {fmt_n(c['queue']):>6} {fmt_delay(c['delay_s']):>6} "
                     f"{fmt_n(c['gaps']):>5} {fmt_n(c['missing']):>5} {fmt_n(c['rejected']):>8} "
                     f"{fmt_n(c['dropped']):>7}  {'  '.join(other)}")
    lines.append("healthy" if rep["healthy"] else "NOT HEALTHY: " + "; ".join(rep["problems"]))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(prog="monitor", add_help=False)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--watch", nargs="?", const=2.0, type=float, default=None)
    ap.add_argument("--no-rates", action="store_true")
    ap.add_argument("--timeout-ms", type=int, default=2000)
    ap.add_argument("--max-delay-s", type=float, default=10.0)
    a, rest = ap.parse_known_args()
    if rest:
        print(f"monitor: unknown argument {rest[0]} (see --help)", file=sys.stderr)
        return 2
    if a.watch is not None and a.watch <= 0:
        print("monitor: --watch needs a positive number of seconds", file=sys.stderr)
        return 2
    ctl = os.environ["RS_MONITOR_CTL"]
    run_dir = os.environ.get("RS_MONITOR_RUN_DIR", "run")
    names = os.environ.get("RS_MONITOR_COMPONENTS", "").split()
    db = os.environ.get("DATABASE_PATH", "./data/rigstream.db")

    prev = status(ctl, a.timeout_ms)
    while True:
        if a.watch is None:
            cur = prev if (a.no_rates or prev is None) else second_status(ctl, prev, a.timeout_ms)
            rate = rates(prev, cur)
        else:
            cur = status(ctl, a.timeout_ms)
            rate = rates(prev, cur)
        rep = report(cur, run_state(run_dir, names), names, rate, db_rows(db), a.max_delay_s)
        if a.json:
            print(json.dumps(rep), flush=True)
        else:
            if a.watch is not None:
                sys.stdout.write("\x1b[H\x1b[2J" + time.strftime("%Y-%m-%d %H:%M:%S  ") + "\n")
            print(table(rep), flush=True)
        if a.watch is None:
            return 0 if rep["healthy"] else 1
        prev = cur if cur is not None else prev
        try:
            time.sleep(a.watch)
        except KeyboardInterrupt:
            return 0 if rep["healthy"] else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
