"""The recorder end to end: broker + simulator + rigstream-saver as real
processes, the database read with Python's sqlite3 while they run.

Samples become visible to a concurrent reader within about a second; every
stream holds exactly what the simulator published (count and seq range, no
duplicates), events included; the saver's counters travel in its heartbeat;
SIGTERM writes what is still in memory; and a database that cannot be written
(a path that cannot be created, a read-only file) gives a clear error while
the saver keeps buffering, stores everything once the file is writable
again, and exits 1 if it stops with rows it could not write.
"""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import time

import rigtest
from rigtest import check, Suite, wait_until

WELLS = 2
PER_WELL = 3000
RATE = 500


def open_ro(path):
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)


def stream_table(db, pub):
    """{topic: (count, min seq, max seq, distinct seqs)} of one publisher's samples and events.
    (The broker's last-value cache also hands a new saver the latest sample of
    earlier runs' publishers: those are real samples, stored too.)"""
    con = open_ro(db)
    out = {}
    for table in ("samples", "events"):
        for topic, n, lo, hi, d in con.execute(
                f"SELECT s.topic, count(*), min(x.seq), max(x.seq), count(DISTINCT x.seq) "
                f"FROM {table} x JOIN streams s ON s.id = x.stream JOIN publishers p ON p.id = s.publisher "
                f"WHERE p.name = ? GROUP BY s.topic", (pub,)):
            out[topic] = (n, lo, hi, d)
    con.close()
    return out


def sample_count(db, pub):
    if not os.path.exists(db):
        return 0
    con = open_ro(db)
    try:
        return con.execute("SELECT count(*) FROM samples x JOIN streams s ON s.id = x.stream "
                           "JOIN publishers p ON p.id = s.publisher WHERE p.name = ?", (pub,)).fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        con.close()


def check_complete(db, pub, label):
    streams = stream_table(db, pub)
    for w in range(1, WELLS + 1):
        topic = f"telemetry.A-{w:02d}"
        n, lo, hi, d = streams.get(topic, (0, 0, 0, 0))
        check((n, lo, hi, d) == (PER_WELL, 1, PER_WELL, PER_WELL),
              f"{label}: {topic} holds seq 1..{PER_WELL} once each: {n} rows, seq {lo}..{hi}, {d} distinct")
        n, lo, hi, d = streams.get(f"event.A-{w:02d}", (0, 0, 0, 0))
        check(n >= 1 and lo == 1 and hi == n and d == n,
              f"{label}: event.A-{w:02d} stored without loss or duplicate ({n} events, seq {lo}..{hi})")


def saver_stats(suite):
    st = suite.control("STATUS")
    if not st:
        return None
    return json.loads(st).get("components", {}).get("db_saver", {}).get("stats")


def live_run(suite, tmp):
    """Default settings: visibility latency, exact content, heartbeat counters."""
    db = os.path.join(tmp, "live", "data", "rig.db")     # parent directories are created
    saver = suite.start("saver", "rigstream-saver", ["--db", db])
    saver.wait_for(r"ready", timeout=15)
    check(os.path.exists(db), "the saver created the database and its directories")
    sim = suite.start("sim", "rigstream-sim", ["--wells", str(WELLS), "--rate", str(RATE),
                                               "--count", str(PER_WELL), "--seed", "3",
                                               "--events", "kick@1:2", "--publisher-id", "sim1"])
    sim.wait_for(r"publishing", timeout=15)
    # A concurrent reader: the newest sample it sees is never far behind the
    # wall clock (sample times are simulated time mapped onto the wall clock).
    con = open_ro(db)
    lags = []
    deadline = time.monotonic() + 20
    while sim.alive() and time.monotonic() < deadline:
        time.sleep(0.1)
        row = con.execute("SELECT max(ts), count(*) FROM samples").fetchone()
        # (no other publisher has written to this database yet)
        if row[0] is not None and row[1] < WELLS * PER_WELL:
            lags.append(time.time() - row[0] / 1e6)
    con.close()
    check(len(lags) >= 10, f"the reader polled while data flowed ({len(lags)} polls)")
    worst = max(lags) if lags else 99
    check(worst < 1.0, f"samples visible to a concurrent reader within 1 s (worst lag {worst * 1000:.0f} ms)")
    wait_until(lambda: sample_count(db, "sim1") == WELLS * PER_WELL, timeout=15,
               what=f"{WELLS * PER_WELL} samples in the database")
    check_complete(db, "sim1", "live")
    con = open_ro(db)
    kicks = con.execute("SELECT well, phase, event_id FROM events_v WHERE event = 'kick' ORDER BY well, ts").fetchall()
    con.close()
    check(len(kicks) == 2 * WELLS and all(p in ("start", "end") for _, p, _ in kicks),
          f"the injected kick's start and end are stored for each well: {kicks}")
    stats = wait_until(lambda: (lambda s: s if s and s.get("stored", 0) >= WELLS * PER_WELL else None)(
        saver_stats(suite)), timeout=10, what="db_saver heartbeat with its counters")
    check(all(k in stats for k in ("stored", "batches", "buffered", "write_errors", "dropped", "db_bytes",
                                   "last_flush_ms")),
          f"heartbeat carries stored, batches, buffered, write_errors, dropped, db_bytes, last_flush_ms: "
          f"{sorted(stats)}")
    check(stats["write_errors"] == 0 and stats["dropped"] == 0 and stats["db_bytes"] > 0,
          f"no write errors, nothing dropped, db_bytes {stats['db_bytes']:.0f}")
    check(sim.stop() == 0, "simulator exits 0")
    check(saver.stop() == 0, "saver exits 0 on SIGTERM")
    check(re.search(r"stopped: .* 0 dropped, 0 not written", saver.text()) is not None,
          "saver logs its final counts")
    con = open_ro(db)
    n_runs, stored = con.execute("SELECT count(*), max(stored) FROM ingest_stats").fetchone()
    con.close()
    check(n_runs == 1 and stored >= WELLS * PER_WELL, f"ingest statistics recorded ({stored} stored)")


def sigterm_run(suite, tmp):
    """Rows still in memory at SIGTERM are written before exit."""
    db = os.path.join(tmp, "term.db")
    saver = suite.start("saver2", "rigstream-saver", ["--db", db],
                        {"DB_FLUSH_MS": "60000", "DB_BATCH_ROWS": "1000000"})
    saver.wait_for(r"ready", timeout=15)
    sim = suite.start("sim2", "rigstream-sim", ["--wells", str(WELLS), "--rate", "2000",
                                                "--count", str(PER_WELL), "--seed", "4",
                                                "--publisher-id", "sim2"])
    sim.wait_for(r"stopped:", timeout=30)
    sim.stop()
    # Everything has reached the saver (its heartbeat counts it) but nothing
    # is written: batches of a million rows, flushed once a minute.
    wait_until(lambda: (lambda s: s and s.get("buffered", 0) >= WELLS * PER_WELL)(saver_stats(suite)),
               timeout=15, what="all samples buffered in the saver")
    check(sample_count(db, "sim2") == 0, "nothing written before SIGTERM")
    check(saver.stop() == 0, "saver exits 0 on SIGTERM")
    n = sample_count(db, "sim2")
    check(n == WELLS * PER_WELL, f"SIGTERM flushed everything: {n} rows")
    check_complete(db, "sim2", "after SIGTERM")


def unwritable_path(suite, tmp):
    """A database path that cannot be created: clear error, keeps buffering, exit 1 at stop."""
    db = "/proc/rigstream-no-such-dir/rig.db"
    saver = suite.start("saver3", "rigstream-saver", ["--db", db])
    saver.wait_for(r"ready", timeout=15)
    err = saver.text()
    check("cannot open or create the file" in err and db in err,
          f"clear error for an unwritable path: {err.strip().splitlines()[0] if err.strip() else ''}")
    sim = suite.start("sim3", "rigstream-sim", ["--wells", "1", "--rate", "200", "--count", "100",
                                                "--seed", "5", "--publisher-id", "sim3"])
    sim.wait_for(r"stopped:", timeout=30)
    sim.stop()
    stats = wait_until(lambda: (lambda s: s if s and s.get("buffered", 0) >= 100 else None)(saver_stats(suite)),
                       timeout=15, what="the saver buffering while the database is unavailable")
    check(stats["write_errors"] >= 1 and stats["db_ok"] == 0, f"heartbeat shows the failure: {stats}")
    check(saver.alive(), "the saver keeps running")
    rc = saver.stop(timeout=20)
    check(rc == 1, f"it exits 1 when it stops with rows it could not write (exit {rc})")
    check(re.search(r"\d+ row\(s\) could not be written", saver.text()) is not None,
          "and says how many rows were lost")


def readonly_file(suite, tmp):
    """A read-only database file: clear error, buffering, then recovery when it is writable again."""
    ro_dir = os.path.join(tmp, "ro")
    os.makedirs(ro_dir)
    db = os.path.join(ro_dir, "rig.db")
    # An existing, valid database first (with the saver's schema).
    saver = suite.start("saver4a", "rigstream-saver", ["--db", db])
    saver.wait_for(r"ready", timeout=15)
    check(saver.stop() == 0, "a first saver created the database")
    prefix = []
    if os.geteuid() == 0:
        # root writes read-only files anyway: run the saver as nobody.
        os.chmod(tmp, 0o711)
        for p in [ro_dir] + [os.path.join(ro_dir, f) for f in os.listdir(ro_dir)]:
            os.chown(p, 65534, 65534)
        prefix = [shutil.which("setpriv") or "/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                  "--clear-groups"]
    os.chmod(db, 0o444)
    env = dict(suite.env)
    saver = rigtest.Proc("saver4", prefix + [rigtest.binary("rigstream-saver"), "--db", db], env)
    saver.wait_for(r"ready", timeout=15)
    check("read-only" in saver.text(), "clear error for a read-only database file")
    sim = suite.start("sim4", "rigstream-sim", ["--wells", str(WELLS), "--rate", str(RATE),
                                                "--count", str(PER_WELL), "--seed", "6",
                                                "--publisher-id", "sim4"])
    # Watched through the heartbeat only: a reader opening the file as
    # another user would create the WAL index (-shm) with its own owner.
    stats = wait_until(lambda: (lambda s: s if s and s.get("buffered", 0) > 100 else None)(saver_stats(suite)),
                       timeout=20, what="the saver buffering while the file is read-only")
    check(stats["stored"] == 0 and stats["db_ok"] == 0, "nothing stored while read-only")
    os.chmod(db, 0o644)
    sim.wait_for(r"stopped:", timeout=30)
    sim.stop()
    wait_until(lambda: (lambda s: s and s.get("stored", 0) >= WELLS * PER_WELL and s.get("buffered") == 0)(
        saver_stats(suite)), timeout=30, what="the buffered samples written once the file is writable")
    check_complete(db, "sim4", "after read-only recovery")
    check(re.search(r"writing again after \d+ failed attempt", saver.text()) is not None,
          "the saver logs the recovery")
    check(saver.stop() == 0, "saver exits 0")


def main():
    args = rigtest.setup()
    suite = Suite()
    suite.start_broker()
    live_run(suite, args.tmp)
    sigterm_run(suite, args.tmp)
    unwritable_path(suite, args.tmp)
    readonly_file(suite, args.tmp)
    check(suite.broker.stop() == 0, "broker exits 0")
    print("test_saver: all checks passed")


if __name__ == "__main__":
    main()
