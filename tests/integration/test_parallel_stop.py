"""A parallel SIGTERM of the whole suite loses nothing: the broker, the
saver, a simulator at 1 kHz per well and the engine are sent SIGTERM at the
same instant (as a supervisor or a shutdown might). The saver reads on until
each publisher's end-of-stream has arrived (SAVER_STOP_GRACE_MS), and the
broker routes on until they have all gone (BROKER_STOP_GRACE_MS), so the
database holds every message a foreign recorder (a plain pyzmq subscriber)
saw, and every seq up to the end each publisher announced: each stream is
closed at its end-of-stream, and the gaps table is empty.
"""
import os
import re
import signal
import sqlite3
import time


import rigtest
from rigtest import check, Suite, wait_until


def stored(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        rows = set()
        for table in ("samples", "events", "kpis", "alerts"):
            rows |= set(con.execute(
                f"SELECT p.name, s.epoch, s.topic, x.seq FROM {table} x JOIN streams s ON s.id = x.stream "
                "JOIN publishers p ON p.id = s.publisher"))
        streams = con.execute("SELECT topic, mark, closed, end_seq, rows FROM streams").fetchall()
        gaps = con.execute("SELECT * FROM gaps").fetchall()
        return rows, streams, gaps
    finally:
        con.close()


def main():
    args = rigtest.setup()
    suite = Suite()
    suite.start_broker()
    rec = rigtest.FeedRecorder(suite.back, ("telemetry.", "event.", "kpi.", "alert."))
    check(rec.heard.wait(15), "the recorder hears the broker")
    db = os.path.join(args.tmp, "parallel.db")
    saver = suite.start("saver", "rigstream-saver", ["--db", db])
    saver.wait_for(r"ready", timeout=15)
    engine = suite.start("engine", "rigstream-engine", [], {"ENGINE_KPI_MS": "200", "ENGINE_CONTROL_PORT": "0"})
    engine.wait_for(r"ready", timeout=15)
    sim = suite.start("sim", "rigstream-sim", ["--wells", "2", "--rate", "1000", "--speed", "1",
                                               "--seed", "6", "--publisher-id", "simP"])
    sim.wait_for(r"publishing", timeout=15)
    wait_until(lambda: sum(1 for p, _, t, _ in rec.snapshot() if t.startswith("kpi.")) >= 10, timeout=30,
               what="samples and KPIs flowing")
    time.sleep(2.0)

    # The same instant for all four.
    procs = (suite.broker, saver, sim, engine)
    t0 = time.monotonic()
    for p in procs:
        os.kill(p.pid, signal.SIGTERM)
    codes = {p.name: p.stop(timeout=30) for p in procs}
    took = time.monotonic() - t0
    check(all(c == 0 for c in codes.values()), f"all exit 0 after a parallel SIGTERM: {codes}")
    time.sleep(0.5)
    seen = rec.snapshot()
    have, streams, gaps = stored(db)
    lost = seen - have
    samples = sum(1 for _, _, t, _ in seen if t.startswith("telemetry."))
    kpis = sum(1 for _, _, t, _ in seen if t.startswith("kpi."))
    check(samples >= 4000, f"the simulator published at 1 kHz per well ({samples} samples seen)")
    check(not lost, f"0 of {len(seen)} messages lost ({samples} samples, {kpis} KPIs): "
                    f"{len(lost)} missing, e.g. {sorted(lost)[:3]}")
    check(all(closed == 1 and end == mark for _, mark, closed, end, _ in streams),
          f"each stream closed at its end-of-stream: {streams}")
    # Every stream began after the saver was ready: seq 1 to its end, each once.
    short = [(t, end, n) for t, _, _, end, n in streams if n != end]
    check(not short, f"every seq up to each publisher's announced end is stored: {short}")
    check(gaps == [], f"no gap rows: {gaps}")
    drained = re.search(r"every connection to the frontend closed after (\d+) ms", suite.broker.text())
    check(drained, "the broker routed on until its publishers and subscribers had gone")
    print(f"test_parallel_stop: {len(seen)} messages ({samples} samples, {kpis} KPIs), {len(lost)} lost, "
          f"{sum(n for *_, n in streams)} rows in {len(streams)} streams each to its end; all stopped "
          f"{took:.1f} s after SIGTERM, the broker {drained.group(1)} ms after the last client went")
    rec.stop()
    print("test_parallel_stop: all checks passed")


if __name__ == "__main__":
    main()
