"""The recorder loses nothing across crashes: kill -9 of the saver mid-stream
(restarted seconds later, it resumes each stream from the database and the
SDK repairs the rest from the simulator's replay journal), and a broker
restart mid-stream (the saver stays up and repairs what the broker dropped).
Either way the database ends with every sample the simulator published, each
exactly once, and a contiguous mark per stream. When the journal is too short
to cover the outage, what cannot be recovered is recorded as a permanent gap:
stored seqs and gaps together cover every seq exactly once, and the mark
still reaches the end.
"""
import json
import os
import signal
import sqlite3
import time

import rigtest
from rigtest import check, Suite, wait_until

WELLS = 2
PER_WELL = 8000
RATE = 1000


def counts(db, pub):
    """{topic: (rows, min seq, max seq, distinct, mark)} of one publisher's telemetry."""
    if not os.path.exists(db):
        return {}
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return {t: (n, lo, hi, d, m) for t, n, lo, hi, d, m in con.execute(
            "SELECT s.topic, count(*), min(x.seq), max(x.seq), count(DISTINCT x.seq), max(s.mark) "
            "FROM samples x JOIN streams s ON s.id = x.stream JOIN publishers p ON p.id = s.publisher "
            "WHERE p.name = ? AND s.kind = 'telemetry' GROUP BY s.topic", (pub,))}
    except sqlite3.OperationalError:
        return {}
    finally:
        con.close()


def total(db, pub):
    return sum(v[0] for v in counts(db, pub).values())


def check_all_stored(db, pub, label):
    """Waits (up to a minute: repairs are asked for in chunks) and checks every stream."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        c = counts(db, pub)
        if len(c) == WELLS and all(v[0] >= PER_WELL and v[4] >= PER_WELL for v in c.values()):
            break
        time.sleep(0.2)
    c = counts(db, pub)
    for w in range(1, WELLS + 1):
        topic = f"telemetry.A-{w:02d}"
        n, lo, hi, d, mark = c.get(topic, (0, 0, 0, 0, 0))
        check((n, lo, hi, d) == (PER_WELL, 1, PER_WELL, PER_WELL),
              f"{label}: {topic} holds seq 1..{PER_WELL} once each ({n} rows, seq {lo}..{hi}, {d} distinct)")
        check(mark == PER_WELL, f"{label}: {topic} mark is {mark}")


def kill_saver(suite, tmp):
    db = os.path.join(tmp, "kill.db")
    saver = suite.start("saver", "rigstream-saver", ["--db", db])
    saver.wait_for(r"ready", timeout=15)
    sim = suite.start("sim", "rigstream-sim", ["--wells", str(WELLS), "--rate", str(RATE), "--count",
                                               str(PER_WELL), "--seed", "8", "--publisher-id", "simA"])
    sim.wait_for(r"publishing", timeout=15)
    wait_until(lambda: total(db, "simA") >= 2000, timeout=30, what="2000 samples stored before the crash")
    saver.signal(signal.SIGKILL)
    saver.p.wait()
    at_kill = total(db, "simA")
    check(at_kill < WELLS * PER_WELL, f"saver killed (-9) mid-stream with {at_kill} samples stored")
    time.sleep(2.0)
    saver = suite.start("saver-again", "rigstream-saver", ["--db", db])
    m = saver.wait_for(r"ready.*\((\d+) stream\(s\) resumed\)", timeout=15)
    check(int(m.group(1)) >= WELLS, f"the restarted saver resumed {m.group(1)} streams from the database")
    sim.wait_for(r"stopped:", timeout=60)
    check_all_stored(db, "simA", "after kill -9")
    check(sim.stop() == 0, "simulator exits 0")
    check(saver.stop() == 0, "restarted saver exits 0")


def restart_broker(suite, tmp):
    db = os.path.join(tmp, "broker.db")
    saver = suite.start("saver2", "rigstream-saver", ["--db", db])
    saver.wait_for(r"ready", timeout=15)
    sim = suite.start("sim2", "rigstream-sim", ["--wells", str(WELLS), "--rate", str(RATE), "--count",
                                                str(PER_WELL), "--seed", "9", "--publisher-id", "simB"])
    sim.wait_for(r"publishing", timeout=15)
    wait_until(lambda: total(db, "simB") >= 2000, timeout=30, what="2000 samples stored before the broker restart")
    suite.broker.signal(signal.SIGKILL)
    suite.broker.p.wait()
    time.sleep(2.0)
    suite.start_broker(name="broker-again")
    check(total(db, "simB") < WELLS * PER_WELL, "broker restarted mid-stream")
    sim.wait_for(r"stopped:", timeout=60)
    check_all_stored(db, "simB", "after a broker restart")
    check(sim.stop() == 0, "simulator exits 0")
    check(saver.stop() == 0, "saver exits 0")


def short_journal(suite, tmp):
    db = os.path.join(tmp, "gaps.db")
    per_well = 6000
    saver = suite.start("saver3", "rigstream-saver", ["--db", db])
    saver.wait_for(r"ready", timeout=15)
    sim = suite.start("sim3", "rigstream-sim", ["--wells", "1", "--rate", str(RATE), "--count", str(per_well),
                                                "--seed", "10", "--publisher-id", "simC"],
                      {"REPLAY_JOURNAL": "300"})
    sim.wait_for(r"publishing", timeout=15)
    wait_until(lambda: total(db, "simC") >= 1500, timeout=30, what="1500 samples stored before the crash")
    saver.signal(signal.SIGKILL)
    saver.p.wait()
    time.sleep(2.0)     # ~2000 messages published: far more than the journal's 300
    saver = suite.start("saver3-again", "rigstream-saver", ["--db", db])
    saver.wait_for(r"ready", timeout=15)
    sim.wait_for(r"stopped:", timeout=60)

    def settled():
        c = counts(db, "simC").get("telemetry.A-01")
        return c if c and c[4] >= per_well else None
    wait_until(settled, timeout=60, what="the stream's mark to reach its last seq")
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    seqs = [r[0] for r in con.execute("SELECT seq FROM samples_v WHERE publisher = 'simC' ORDER BY seq")]
    gaps = con.execute("SELECT from_seq, to_seq FROM gaps_v WHERE publisher = 'simC' "
                       "AND topic = 'telemetry.A-01' ORDER BY from_seq").fetchall()
    con.close()
    lost = sum(b - a + 1 for a, b in gaps if b)
    check(len(gaps) >= 1 and lost > 0 and all(b for _, b in gaps),
          f"the unrecoverable part is recorded as permanent gap(s): {gaps}")
    covered = sorted(seqs + [x for a, b in gaps for x in range(a, b + 1)])
    check(covered == list(range(1, per_well + 1)),
          f"stored seqs ({len(seqs)}) and gaps ({lost} seqs) cover 1..{per_well} exactly once")
    check(len(seqs) == len(set(seqs)), "no duplicates")
    st = json.loads(suite.control("STATUS") or "{}").get("components", {}).get("db_saver", {}).get("stats", {})
    check(st.get("gaps_recorded", 0) >= 1 and st.get("lost_permanently", 0) == lost,
          f"its heartbeat counts them: gaps_recorded {st.get('gaps_recorded')}, "
          f"lost_permanently {st.get('lost_permanently')}")
    check(sim.stop() == 0 and saver.stop() == 0, "simulator and saver exit 0")


def main():
    args = rigtest.setup()
    suite = Suite()
    suite.start_broker()
    kill_saver(suite, args.tmp)
    restart_broker(suite, args.tmp)
    short_journal(suite, args.tmp)
    check(suite.broker.stop() == 0, "broker exits 0")
    print("test_saver_durable: all checks passed")


if __name__ == "__main__":
    main()
