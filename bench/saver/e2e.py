"""End-to-end saver benchmark: rigstream-sim at full speed -> rigstream-broker ->
rigstream-saver -> SQLite, all real processes on this machine.

Measures the sustained rate at which samples become visible in the database
(a concurrent reader polls it), checks that every published sample is stored
exactly once (rows lost must be 0) and reports database bytes per million
samples. Run by bench/saver/run.sh; usage:
  e2e.py --build-dir B [--per-well N] [--wells W] [--rate max]
"""
import argparse
import os
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
import rigtest  # noqa: E402
from rigtest import Suite  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--per-well", type=int, default=500000)
    ap.add_argument("--wells", type=int, default=2)
    ap.add_argument("--rate", default="max")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()
    rigtest.ARGS = types.SimpleNamespace(bin=os.path.join(os.path.abspath(args.build_dir), "bin"),
                                         tmp=tempfile.mkdtemp(prefix="bench-saver-"))
    db = os.path.join(rigtest.ARGS.tmp, "bench.db")
    expected = args.per_well * args.wells

    suite = Suite({"HEARTBEAT_MS": "1000"})
    suite.start_broker()
    saver = suite.start("saver", "rigstream-saver", ["--db", db])
    saver.wait_for(r"ready", timeout=15)
    sim = suite.start("sim", "rigstream-sim", ["--wells", str(args.wells), "--rate", args.rate,
                                               "--count", str(args.per_well), "--seed", "11"])
    sim.wait_for(r"publishing", timeout=15)
    t_start = time.monotonic()

    reader = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    count_sql = "SELECT coalesce(sum(rows), 0) FROM streams WHERE kind = 'telemetry'"
    first = None
    last_n, last_change = 0, time.monotonic()
    sim_done = None
    while True:
        n = reader.execute(count_sql).fetchone()[0]
        now = time.monotonic()
        if n and first is None:
            first = now
        if n != last_n:
            last_n, last_change = n, now
        if sim_done is None and not sim.alive():
            sim_done = now
        if n >= expected or now - last_change > 15:
            break
        time.sleep(0.05)
    t_end = time.monotonic()
    reader.close()
    sim.stop()
    rc = saver.stop(timeout=30)
    m = __import__("re").search(r"stopped: .*", saver.text())
    suite.stop_all()

    con = sqlite3.connect(db)
    rows = con.execute("SELECT count(*) FROM samples").fetchone()[0]
    per_stream = con.execute("SELECT s.topic, count(*), min(x.seq), max(x.seq), count(DISTINCT x.seq) "
                             "FROM samples x JOIN streams s ON s.id = x.stream GROUP BY s.topic").fetchall()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    size = os.path.getsize(db)
    dups = sum(c - d for _, c, _, _, d in per_stream)
    print(f"e2e: {args.wells} wells x {args.per_well} samples at --rate {args.rate}")
    print(f"  simulator published for        {(sim_done or t_end) - t_start:8.2f} s "
          f"({expected / max((sim_done or t_end) - t_start, 1e-9):,.0f} samples/s offered)")
    print(f"  first row visible after        {(first or t_end) - t_start:8.2f} s")
    print(f"  all rows visible after         {t_end - t_start:8.2f} s")
    print(f"  sustained end-to-end rate      {rows / max(t_end - t_start, 1e-9):12,.0f} rows/s")
    print(f"  rows stored {rows} of {expected}: lost {expected - rows}, duplicates {dups}")
    for topic, c, lo, hi, d in per_stream:
        print(f"    {topic}: {c} rows, seq {lo}..{hi}")
    print(f"  database: {size / 1e6:.1f} MB, {size / max(rows, 1) * 1e6 / 1e6:.1f} MB per million samples")
    print(f"  saver exit {rc}: {m.group(0) if m else '?'}")
    if args.keep:
        print(f"  kept {rigtest.ARGS.tmp}")
    else:
        shutil.rmtree(rigtest.ARGS.tmp, ignore_errors=True)
    return 0 if rows == expected and dups == 0 else 1


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.exit(main())
