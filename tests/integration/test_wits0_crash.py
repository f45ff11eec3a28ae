"""A crashed acquisition reader loses nothing it read. The saver is down
(kill -9) while a WITS0 reader publishes, then the reader is killed (-9) as
well: what it read exists only in its replay journal, which it keeps on disk
(REPLAY_JOURNAL_DIR, on by default for acquisition). Restarted, it continues
the same stream (same epoch, seqs going on) and serves the saver's repairs
from that journal: every frame read before and after the crash reaches the
database once, with no gap row. With the journal in memory only
(REPLAY_JOURNAL_DIR=off) the same crash would leave the frames the saver
missed lost.
"""
import os
import signal
import sqlite3
import sys

import rigtest
from ingesttest import Collector, FakeServer, frame
from rigtest import check, Suite, wait_until


def record(i):
    return frame([(105, "240115"), (106, f"10{(i // 60) % 60:02d}{i % 60:02d}"), (108, f"{2000 + i * 0.1:.2f}"),
                  (113, "25.4"), (120, "120")])


def stored(db):
    if not os.path.exists(db):
        return []
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return con.execute("SELECT publisher, epoch, seq FROM samples_v WHERE well = 'W-K' ORDER BY seq").fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        con.close()


def main():
    memory_only = "--memory-only" in sys.argv     # by hand: shows the loss without the disk journal
    if memory_only:
        sys.argv.remove("--memory-only")
    args = rigtest.setup()
    suite = Suite()
    suite.start_broker()
    col = Collector(suite, ["telemetry.W-K"])
    db = os.path.join(args.tmp, "wits.db")
    env = {"REPLAY_JOURNAL_DIR": "off"} if memory_only else {}
    saver = suite.start("saver", "rigstream-saver", ["--db", db])
    saver.wait_for(r"ready", timeout=15)
    rig = FakeServer()
    reader_args = ["--connect", f"127.0.0.1:{rig.port}", "--well", "W-K"]
    reader = suite.start("wits0", "rigstream-wits0", reader_args, env)
    reader.wait_for("ready", timeout=15)
    rig.accept()
    rig.send(b"".join(record(i) for i in range(50)))
    wait_until(lambda: len(stored(db)) >= 50, timeout=20, what="the first 50 frames stored")

    # The saver goes down; the reader goes on, then crashes too.
    saver.signal(signal.SIGKILL)
    saver.p.wait()
    rig.send(b"".join(record(i) for i in range(50, 150)))
    wait_until(lambda: len(col.samples("W-K")) >= 150, timeout=20, what="150 frames published")
    reader.signal(signal.SIGKILL)
    reader.p.wait()
    rig.drop()

    reader = suite.start("wits0-again", "rigstream-wits0", reader_args, env)
    reader.wait_for("ready", timeout=15)
    if not memory_only:
        reader.wait_for(r"continuing epoch .* \(\d+ message\(s\) read back\)", timeout=5)
    rig.accept()
    rig.send(b"".join(record(i) for i in range(150, 200)))
    wait_until(lambda: len(col.samples("W-K")) >= 200, timeout=20, what="200 frames published")
    saver = suite.start("saver-again", "rigstream-saver", ["--db", db])
    saver.wait_for(r"ready", timeout=15)

    seen = {(b["pub"], b["epoch"], b["seq"]) for _, _, b in col.samples("W-K")}
    wait_until(lambda: seen <= set(stored(db)), timeout=30,
               what="every frame the reader published stored, also those the saver missed")
    rows = stored(db)
    epochs = {e for _, e, _ in rows}
    check(len(epochs) == 1 and [s for _, _, s in rows] == list(range(1, 201)),
          f"one stream, seq 1..200 once each, across the crash ({len(rows)} rows, {len(epochs)} epoch(s))")
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    gaps = con.execute("SELECT * FROM gaps").fetchall()
    con.close()
    check(gaps == [], f"no gap rows: {gaps}")
    check(reader.stop() == 0, "reader stops cleanly")
    journal = os.path.join(args.tmp, "data", "journal")
    check(not [f for f in os.listdir(journal) if f.endswith(".jnl")],
          f"a clean stop removes the disk journal: {os.listdir(journal)}")
    check(saver.stop() == 0, "saver exits 0")
    col.close()
    rig.close()
    check(suite.broker.stop() == 0, "broker exits 0")
    print("test_wits0_crash: all checks passed")


if __name__ == "__main__":
    main()
