"""Readers are never blocked by the recorder: while the simulator publishes as
fast as it can and rigstream-saver writes at full speed, a concurrent reader
runs well + time range queries (raw samples and the 1-minute aggregates) on a
connection that does not wait for locks at all (timeout 0: a blocked query
would fail with "database is locked" instead of waiting). Every query must
succeed, and the slowest must take under 50 ms (the median is about a
millisecond). The reader measures the database, not the machine's other
work: it runs with real-time priority when allowed (else raised priority),
so the loaded 2-core box's scheduling delays do not count as query time.
"""
import os
import sqlite3
import time

import rigtest
from rigtest import check, Suite, wait_until

DURATION_S = 6.0
MAX_LATENCY_S = 0.050


def main():
    args = rigtest.setup()
    suite = Suite()
    suite.start_broker()
    db = os.path.join(args.tmp, "readers.db")
    saver = suite.start("saver", "rigstream-saver", ["--db", db])
    saver.wait_for(r"ready", timeout=15)
    sim = suite.start("sim", "rigstream-sim", ["--wells", "2", "--rate", "max", "--seed", "12",
                                               "--publisher-id", "fast"])
    sim.wait_for(r"publishing", timeout=15)
    # The load generator yields to the saver and the reader when the two
    # cores are short; the saver still writes flat out.
    try:
        os.setpriority(os.PRIO_PROCESS, sim.pid, 10)
    except OSError:
        pass

    priority = "normal priority"
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))
        priority = "real-time priority"
    except (OSError, AttributeError):
        try:
            os.nice(-10)
            priority = "nice -10"
        except OSError:
            pass

    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0, isolation_level=None)
    wait_until(lambda: con.execute("SELECT count(*) FROM samples").fetchone()[0] > 20000, timeout=30,
               what="ingest under way")
    well = con.execute("SELECT id FROM wells WHERE name = 'A-01'").fetchone()[0]
    raw_q = ("SELECT count(*), min(bit_depth), max(bit_depth), avg(spp) FROM samples "
             "WHERE well = ? AND ts BETWEEN ? AND ?")
    agg_q = ("SELECT count(*), min(hook_load_min), max(hook_load_max), sum(hook_load_sum) / sum(hook_load_n) "
             "FROM agg_1m WHERE well = ? AND bucket BETWEEN ? AND ?")
    rows_before = con.execute("SELECT count(*) FROM samples").fetchone()[0]
    lat, errors, seen = [], [], 0
    end = time.monotonic() + DURATION_S
    while time.monotonic() < end:
        for q, span_us in ((raw_q, 2000 * 1000000), (agg_q, 86400 * 1000000)):
            t0 = time.perf_counter()
            try:
                # The newest sample's time, then the last span before it
                # (at full speed one sample per well is one simulated second).
                newest = con.execute("SELECT max(ts) FROM samples WHERE well = ?", (well,)).fetchone()[0]
                n = con.execute(q, (well, newest - span_us, newest)).fetchone()[0]
                seen = max(seen, n)
            except sqlite3.OperationalError as e:
                errors.append(str(e))
            lat.append(time.perf_counter() - t0)
        time.sleep(0.005)
    rows_after = con.execute("SELECT count(*) FROM samples").fetchone()[0]
    con.close()
    try:
        os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
    except (OSError, AttributeError):
        pass

    lat.sort()
    p50, p99, worst = lat[len(lat) // 2], lat[int(len(lat) * 0.99)], lat[-1]
    rate = (rows_after - rows_before) / DURATION_S
    print(f"reader: {len(lat)} queries, p50 {p50 * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms, "
          f"max {worst * 1000:.2f} ms ({priority}); ingest {rate:,.0f} rows/s meanwhile")
    check(rate > 10000, f"the saver was writing at full speed meanwhile ({rate:,.0f} rows/s)")
    check(seen > 100, f"the range queries found data ({seen} rows in a window)")
    check(not errors, f"no query ever met a lock ({len(errors)} errors: {errors[:3]})")
    check(worst < MAX_LATENCY_S, f"slowest query {worst * 1000:.1f} ms < {MAX_LATENCY_S * 1000:.0f} ms")
    check(sim.stop() == 0, "simulator exits 0")
    check(saver.stop(timeout=60) == 0, "saver exits 0 (after writing its backlog)")
    check(suite.broker.stop() == 0, "broker exits 0")
    print("test_saver_readers: all checks passed")


if __name__ == "__main__":
    main()
