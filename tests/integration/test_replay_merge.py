"""Several logs of one wellbore replayed as one well, through the broker into
the real saver: the committed GenTime and CementData excerpts of the same
hours (GenTime 20:40-21:10, CementData 20:30-21:20 on 2016-09-29) given as two
files, and again as a directory. The database then holds one sample per
distinct instant of the two logs, no timestamp twice, the union of their
channels (curves only GenTime or only CementData has, in `extra`), hook load
from the finer GenTime while it runs and from CementData's raw HKLD outside
it. rigstream-replay says at start which curve feeds each rig-state channel
and warns about those no log feeds (CementData alone has no rpm)."""
import os
import re
import sqlite3
from datetime import datetime, timezone

import rigtest
from rigtest import check, Suite, wait_until

PUB = "volve-merge"


def rows_of(path):
    text = open(path).read()
    names = re.search(r"<mnemonicList>(.*?)</mnemonicList>", text).group(1).split(",")
    rows = [r.split(",") for r in re.findall(r"<data>(.*?)</data>", text)]
    return names, rows


def to_us(iso):
    t = datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    return int(round(t.timestamp() * 1e6))


def open_ro(path):
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)


def count(db, well):
    if not os.path.exists(db):
        return 0
    con = open_ro(db)
    try:
        return con.execute("SELECT count(*) FROM samples_v WHERE well = ?", (well,)).fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        con.close()


def main():
    rigtest.setup()
    data = os.path.join(rigtest.ARGS.source_dir, "tests", "data")
    gen = os.path.join(data, "volve_F-9_merge_GenTime.xml")
    cem = os.path.join(data, "volve_F-9_merge_CementData.xml")
    gnames, grows = rows_of(gen)
    cnames, crows = rows_of(cem)
    gcol = {n: i for i, n in enumerate(gnames)}
    ccol = {n: i for i, n in enumerate(cnames)}
    instants = sorted({to_us(r[0]) for r in grows} | {to_us(r[0]) for r in crows})
    gen_first, gen_last = to_us(grows[0][0]), to_us(grows[-1][0])

    suite = Suite()
    suite.start_broker()
    db = os.path.join(rigtest.ARGS.tmp, "merge.db")
    saver = suite.start("saver", "rigstream-saver", ["--db", db],
                        extra_env={"DB_RETENTION_DAYS": "0", "DB_AGG_RETENTION_DAYS": "0"})
    saver.wait_for(r"ready", timeout=15)

    rep = suite.start("replay", "rigstream-replay", ["--fast", "--well", "F9-files", "--publisher-id", PUB,
                                                     gen, cem])
    check(rep.p.wait(60) == 0, "replay of two logs exits 0")
    text = rep.text()
    check(f"{len(instants)} rows published" in text,
          f"one sample per distinct instant of the two logs ({len(grows)} + {len(crows)} rows, "
          f"{len(instants)} instants)")
    check("hook_load<-HKLD_AVG (mnemonic)" in text and "hook_load<-HKLD (mnemonic)" in text,
          "the start report names the curve feeding hook load in each log (HKLD_AVG, HKLD)")
    check("no log feeds" not in text, "no rig-state channel missing: GenTime has them all")
    wait_until(lambda: count(db, "F9-files") >= len(instants), timeout=30, what="the merged samples in the db")

    con = open_ro(db)
    n, distinct = con.execute("SELECT count(*), count(DISTINCT ts) FROM samples_v WHERE well = ?",
                              ("F9-files",)).fetchone()
    check(n == len(instants) and distinct == n, f"{n} samples stored, {distinct} distinct timestamps")
    got = con.execute("SELECT ts, hook_load, rpm, extra FROM samples_v WHERE well = ? ORDER BY ts",
                      ("F9-files",)).fetchall()
    check([g[0] for g in got] == instants, "the samples are at the logs' own instants, in order")
    ex = {x for (x,) in con.execute("SELECT e.name FROM extra_channels e JOIN wells w ON w.id = e.well "
                                    "WHERE w.name = ?", ("F9-files",))}
    check({"mse", "cemstage", "rigactivitycode"} <= ex,
          "the union of channels: mse (GenTime only), cemstage (CementData only), the vendor's label")
    by_ts_c = {to_us(r[0]): r for r in crows}
    by_ts_g = {to_us(r[0]): r for r in grows}
    before = [g for g in got if g[0] < gen_first]
    check(len(before) == sum(1 for r in crows if to_us(r[0]) < gen_first) and all(abs(g[1] - float(by_ts_c[g[0]][ccol["HKLD"]]) / 1000) < 1e-9 for g in before)
          and all(g[2] is None for g in before),
          f"before GenTime starts: hook load is CementData's HKLD, no rpm ({len(before)} samples)")
    inside = [g for g in got if g[0] in by_ts_g and g[0] > gen_first]
    bad = [g for g in inside if abs(g[1] - float(by_ts_g[g[0]][gcol["HKLD_AVG"]]) / 1000) > 1e-9]
    check(len(inside) > 600 and not bad,
          f"at GenTime's rows, hook load is GenTime's HKLD_AVG ({len(inside)} samples, {len(bad)} differ)")
    con.close()

    # A directory of the same two logs: the same stream.
    d = os.path.join(rigtest.ARGS.tmp, "wellbore")
    os.mkdir(d)
    os.symlink(gen, os.path.join(d, "gen.xml"))
    os.symlink(cem, os.path.join(d, "cem.xml"))
    rep2 = suite.start("replay-dir", "rigstream-replay", ["--fast", "--well", "F9-dir", "--publisher-id",
                                                          PUB + "-dir", d])
    check(rep2.p.wait(60) == 0 and f"{len(instants)} rows published" in rep2.text(),
          "a directory of the two logs replays the same number of samples")
    wait_until(lambda: count(db, "F9-dir") >= len(instants), timeout=30, what="the directory's samples")

    # CementData alone: it has no bit depth, rpm, torque or wob, and says so.
    rep3 = suite.start("replay-cem", "rigstream-replay", ["--fast", "--well", "F9-cem", "--publisher-id",
                                                          PUB + "-cem", cem])
    check(rep3.p.wait(60) == 0, "replay of CementData alone exits 0")
    check(re.search(r"WARN.*no log feeds: bit_depth rpm torque wob", rep3.text()) is not None,
          "a warning names the rig-state channels no log feeds")

    check(saver.stop() == 0, "the saver exits 0 on SIGTERM")
    suite.broker.stop()
    print("test_replay_merge: all checks passed")


if __name__ == "__main__":
    main()
