"""The gaps table is an audit: each row a proven loss or an unknown tail,
never a clean stop. A publisher that stops cleanly says the last seq of each
topic in its last heartbeat (its end-of-stream), and the saver closes those
streams without a gap row; restarting it (same publisher id, new epoch) adds
none either. A publisher killed with -9 says nothing: its old streams get an
'unknown_tail' row, not a 'loss'. And the whole suite stopped with
stop_all.sh and started again with start_all.sh leaves 0 rows in gaps.
"""
import os
import signal
import sqlite3
import subprocess
import time

import rigtest
from rigtest import check, Suite, wait_until


def query(db, sql, args=()):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return con.execute(sql, args).fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        con.close()


def streams(db, pub):
    return query(db, "SELECT epoch, topic, mark, closed, end_seq, rows FROM streams_v WHERE publisher = ? "
                     "ORDER BY epoch, topic", (pub,))


def gaps(db, pub=None):
    if pub:
        return query(db, "SELECT kind, epoch, topic, from_seq, to_seq FROM gaps_v WHERE publisher = ?", (pub,))
    return query(db, "SELECT kind, publisher, epoch, topic, from_seq, to_seq FROM gaps_v")


def sim_args(pub):
    # Events too: an event stream has few messages, its end must close it as well.
    return ["--wells", "2", "--rate", "100", "--speed", "30", "--events", "kick@60:60,washout@150:30",
            "--seed", "3", "--publisher-id", pub]


def publisher_restarts(suite, tmp):
    db = os.path.join(tmp, "restarts.db")
    saver = suite.start("saver", "rigstream-saver", ["--db", db])
    saver.wait_for(r"ready", timeout=15)

    # A clean stop, then the same publisher again: a new epoch, no gap.
    for run in range(2):
        sim = suite.start(f"sim{run}", "rigstream-sim", sim_args("simE"))
        sim.wait_for(r"publishing", timeout=15)
        wait_until(lambda: len({e for e, *_ in streams(db, "simE")}) == run + 1
                   and sum(r[5] for r in streams(db, "simE") if r[0] == max(e for e, *_ in streams(db, "simE")))
                   >= 300, timeout=30, what=f"run {run} of simE stored")
        check(sim.stop() == 0, f"simE run {run} stops cleanly")
    wait_until(lambda: all(r[3] for r in streams(db, "simE")), timeout=20,
               what="every stream of both clean runs closed")
    rows = streams(db, "simE")
    kinds = {t.split(".")[0] for _, t, *_ in rows}
    check(kinds == {"telemetry", "event"}, f"telemetry and event streams stored: {sorted(kinds)}")
    check(all(end == mark and closed == 1 for _, _, mark, closed, end, _ in rows),
          f"each stream closed at its end-of-stream seq: {[(t, m, e) for _, t, m, _, e, _ in rows]}")
    check(gaps(db, "simE") == [], f"0 gap rows after clean stops and a restart: {gaps(db, 'simE')}")

    # A publisher killed mid-stream says nothing: an unknown tail, not a loss.
    sim = suite.start("sim-k", "rigstream-sim", sim_args("simK"))
    sim.wait_for(r"publishing", timeout=15)
    wait_until(lambda: sum(r[5] for r in streams(db, "simK")) >= 300, timeout=30, what="simK stored")
    sim.signal(signal.SIGKILL)
    sim.p.wait()
    sim.kill()
    sim = suite.start("sim-k2", "rigstream-sim", sim_args("simK"))
    sim.wait_for(r"publishing", timeout=15)
    wait_until(lambda: len({e for e, *_ in streams(db, "simK")}) == 2, timeout=30, what="simK's new epoch")
    old = min(e for e, *_ in streams(db, "simK"))
    old_topics = {t for e, t, *_ in streams(db, "simK") if e == old}
    wait_until(lambda: {t for k, e, t, _, _ in gaps(db, "simK") if e == old} == old_topics, timeout=20,
               what="a gap row for each stream of the killed incarnation")
    g = gaps(db, "simK")
    check(all(k == "unknown_tail" and to is None and e == old for k, e, _, _, to in g),
          f"the killed incarnation's streams end in unknown tails, no proven loss: {g}")
    marks = {t: m for e, t, m, *_ in streams(db, "simK") if e == old}
    check(all(fr == marks[t] + 1 for _, _, t, fr, _ in g), "each unknown tail starts right after its mark")
    check(sim.stop() == 0, "simK stops cleanly")
    check(saver.stop() == 0, "saver exits 0")


def whole_suite(tmp):
    run_dir = os.path.join(tmp, "suite")
    db = os.path.join(tmp, "suite.db")
    env = rigtest.scripts_env(run_dir, db, rigtest.ARGS.build_dir, SIM_RATE=200, SIM_WELLS=2, SIM_SPEED=30,
                              SIM_EVENTS="kick@60:60", ENGINE_KPI_MS=200)
    scripts = os.path.join(rigtest.ARGS.source_dir, "scripts")

    def script(name):
        r = subprocess.run([os.path.join(scripts, name)], env=env, capture_output=True, text=True, timeout=120)
        return r.returncode, r.stdout + r.stderr

    try:
        for run in range(2):
            rc, out = script("start_all.sh")
            check(rc == 0, f"start_all.sh run {run} exits 0: {out[-400:]}")
            wait_until(lambda: len({e for e, t, *_ in streams(db, "sim") if t.startswith("telemetry.")})
                       == run + 1 and len({e for e, t, *_ in streams(db, "prediction_engine")
                                           if t.startswith("kpi.")}) == run + 1,
                       timeout=40, what=f"samples and KPIs of run {run} stored")
            time.sleep(2.0)
            rc, out = script("stop_all.sh")
            check(rc == 0 and "killed" not in out, f"stop_all.sh run {run} stops everything cleanly: {out}")
    finally:
        script("stop_all.sh")
    rows = streams(db, "sim") + streams(db, "prediction_engine")
    kinds = {t.split(".")[0] for _, t, *_ in rows}
    check({"telemetry", "event", "kpi"} <= kinds, f"samples, events and KPIs stored: {sorted(kinds)}")
    check(all(closed == 1 and end == mark for _, _, mark, closed, end, _ in rows),
          f"every stream of both runs closed at its end: {[(t, m, c, e) for _, t, m, c, e, _ in rows]}")
    check(gaps(db) == [], f"0 rows in gaps after stop_all.sh + start_all.sh: {gaps(db)}")


def main():
    args = rigtest.setup()
    suite = Suite()
    suite.start_broker()
    publisher_restarts(suite, args.tmp)
    check(suite.broker.stop() == 0, "broker exits 0")
    whole_suite(args.tmp)
    print("test_end_of_stream: all checks passed")


if __name__ == "__main__":
    main()
