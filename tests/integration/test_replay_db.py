"""A recorded log through the whole suite into the database: the committed
Volve excerpt replayed by rigstream-replay --fast through the broker into
rigstream-saver, then read back with Python's sqlite3 and compared with the
XML row by row: exactly 2500 samples (seq 1..2500 once each), each at its
row's time, every known channel converted to the suite's units
(hook_load = HKLD_AVG / 1000 kN...), the other curves kept in `extra`, and
the minute aggregates adding up to the rows.

The log is from 2016: with the default retention (30 days of sample time)
the saver deletes it within seconds, which a second saver beside the first
shows; the first runs with DB_RETENTION_DAYS=0 and DB_AGG_RETENTION_DAYS=0
(keep forever, docs/STORAGE.md): the aggregates' 365 days would drop 2016's
minutes too."""
import json
import os
import re
import sqlite3
from datetime import datetime, timezone

import rigtest
from rigtest import check, Suite, wait_until

WELL = "F-9A"
PUB = "volve-db"

# channel column -> (mnemonic, conversion from the file's unit)
CONVERT = {
    "bit_depth": ("BITDEP", lambda v: v),
    "hole_depth": ("Depth", lambda v: v),
    "block_pos": ("BLOCKCOMP", lambda v: v),
    "rop": ("ROP_AVG", lambda v: v * 3600),             # m/s -> m/h
    "wob": ("WOB_AVG", lambda v: v / 1000),             # N -> kN
    "hook_load": ("HKLD_AVG", lambda v: v / 1000),      # N -> kN
    "rpm": ("SURF_RPM", lambda v: v * 60),              # c/s -> rpm
    "torque": ("TORQUE_AVG", lambda v: v / 1000),       # N.m -> kN.m
    "spp": ("PUMP", lambda v: v / 1e5),                 # Pa -> bar
    "casing_pressure": ("CHOKE_PRESS", lambda v: v / 1e5),
    "spm1": ("STRATE1", lambda v: v * 60),              # Hz -> spm
    "spm2": ("STRATE2", lambda v: v * 60),
    "flow_in": ("FLOWIN", lambda v: v * 60000),         # m3/s -> L/min
    "flow_out": ("FLOWOUT", lambda v: v * 60000),
    "pit_volume": ("PITTOT", lambda v: v),
    "pit_gain": ("GAINLOSSTOT", lambda v: v),
    "gas": ("TOTGAS", lambda v: v),                     # Euc taken as %
    "mud_temp_in": ("MTIN", lambda v: v - 273.15),      # K -> degC (0 K stays -273.15: a reading)
    "mud_temp_out": ("MTOUT", lambda v: v - 273.15),
    "mud_density_in": ("MWIN", lambda v: v),
    "mud_density_out": ("MWOUT", lambda v: v),
}


def rows_of(path):
    text = open(path).read()
    names = re.search(r"<mnemonicList>(.*?)</mnemonicList>", text).group(1).split(",")
    null = float(re.search(r"<nullValue>(.*?)</nullValue>", text).group(1))
    rows = [r.split(",") for r in re.findall(r"<data>(.*?)</data>", text)]
    return names, null, rows


def to_us(iso):
    t = datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    return int(round(t.timestamp() * 1e6))


def open_ro(path):
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)


def count(db):
    if not os.path.exists(db):
        return 0
    con = open_ro(db)
    try:
        return con.execute("SELECT count(*) FROM samples_v WHERE well = ? AND publisher = ?",
                           (WELL, PUB)).fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        con.close()


def near(a, b):
    return a is not None and abs(a - b) <= 1e-9 * max(1.0, abs(b))


def main():
    rigtest.setup()
    excerpt = os.path.join(rigtest.ARGS.source_dir, "tests", "data", "volve_F-9_excerpt.xml")
    names, null, rows = rows_of(excerpt)
    col = {n: i for i, n in enumerate(names)}
    check(len(rows) == 2500, "the excerpt holds 2500 rows")

    suite = Suite()
    suite.start_broker()
    db = os.path.join(rigtest.ARGS.tmp, "keep.db")
    pruned_db = os.path.join(rigtest.ARGS.tmp, "pruned.db")
    # Aggregates have their own retention (365 days): 2016's would go too.
    keep = suite.start("saver", "rigstream-saver", ["--db", db],
                       extra_env={"DB_RETENTION_DAYS": "0", "DB_AGG_RETENTION_DAYS": "0"})
    prune = suite.start("saver30", "rigstream-saver", ["--db", pruned_db])
    keep.wait_for(r"ready", timeout=15)
    prune.wait_for(r"ready", timeout=15)

    rep = suite.start("replay", "rigstream-replay", ["--fast", "--well", WELL, "--publisher-id", PUB, excerpt])
    check(rep.p.wait(60) == 0, "replay of the excerpt exits 0")
    check("2500 rows published" in rep.text(), "the replay reports 2500 rows published")
    wait_until(lambda: count(db) >= 2500, timeout=30, what="2500 samples in the database")

    con = open_ro(db)
    n, lo, hi, distinct = con.execute(
        "SELECT count(*), min(seq), max(seq), count(DISTINCT seq) FROM samples_v WHERE well = ? AND publisher = ?",
        (WELL, PUB)).fetchone()
    check((n, lo, hi, distinct) == (2500, 1, 2500, 2500),
          f"exactly 2500 samples, seq 1..2500 once each ({n} rows, seq {lo}..{hi}, {distinct} distinct)")
    cols = list(CONVERT)
    got = con.execute(f"SELECT seq, ts, {', '.join(cols)}, extra FROM samples_v "
                      f"WHERE well = ? AND publisher = ? ORDER BY seq", (WELL, PUB)).fetchall()
    bad_ts = [s for (s, ts, *_), r in zip(got, rows) if ts != to_us(r[0])]
    check(not bad_ts, f"every sample carries its row's time ({len(bad_ts)} differ; first row "
                      f"{datetime.fromtimestamp(got[0][1] / 1e6, timezone.utc).isoformat()})")
    bad = {}
    for g, r in zip(got, rows):
        for i, c in enumerate(cols):
            mnem, fn = CONVERT[c]
            cell = r[col[mnem]]
            want = None if cell == "" or float(cell) == null else fn(float(cell))
            ok = g[2 + i] is None if want is None else near(g[2 + i], want)
            if not ok:
                bad.setdefault(c, (g[0], g[2 + i], want))
    check(not bad, f"all {len(cols)} known channels of every row match the XML converted: "
                   f"hook_load = HKLD_AVG / 1000, rpm = SURF_RPM x 60... (mismatches: {bad})")
    extra0 = json.loads(got[0][-1])
    mapped = {m for m, _ in CONVERT.values()}
    check(len(extra0) == len(names) - 1 - len(mapped),
          f"the {len(names) - 1 - len(mapped)} other curves are kept in extra ({len(extra0)})")
    bad_code = sum(1 for g, r in zip(got, rows)
                   if json.loads(g[-1]).get("rigactivitycode") != float(r[col["RigActivityCode"]]))
    check(bad_code == 0, "the vendor's RigActivityCode travels as extra.rigactivitycode on every row")
    ex = {x for (x,) in con.execute("SELECT e.name FROM extra_channels e JOIN wells w ON w.id = e.well "
                                    "WHERE w.name = ?", (WELL,))}
    check({"rigactivitycode", "mse"} <= ex, "extra_channels lists the well's vendor curves")
    n_agg, hk_max, hk_n = con.execute(
        "SELECT sum(n), max(hook_load_max), sum(hook_load_n) FROM agg_1m a JOIN wells w ON w.id = a.well "
        "WHERE w.name = ?", (WELL,)).fetchone()
    want_max = max(float(r[col["HKLD_AVG"]]) for r in rows) / 1000
    check(n_agg == 2500 and hk_n == 2500 and near(hk_max, want_max),
          f"minute aggregates add up to the rows (n {n_agg}, hook load max {hk_max} kN)")
    con.close()

    # The same rows under the default 30-day retention: stored, then gone within seconds.
    def stored_then_pruned():
        if not os.path.exists(pruned_db):
            return None
        con = open_ro(pruned_db)
        try:
            stored = con.execute("SELECT sum(stored) FROM ingest_stats").fetchone()[0] or 0
        except sqlite3.OperationalError:
            stored = 0
        finally:
            con.close()
        return stored if stored >= 2500 and count(pruned_db) == 0 else None
    stored = wait_until(stored_then_pruned, timeout=30, what="the 30-day saver to store, then prune, the 2016 rows")
    check(stored >= 2500, f"with the default retention the 2016 rows are stored ({stored}), then pruned (none left)")
    con = open_ro(db)
    n_agg = con.execute("SELECT sum(n) FROM agg_1m a JOIN wells w ON w.id = a.well WHERE w.name = ?",
                        (WELL,)).fetchone()[0]
    con.close()
    check(count(db) == 2500 and n_agg == 2500, "with retention 0 all 2500 rows and their aggregates stay")

    check(keep.stop() == 0, "the saver exits 0 on SIGTERM, everything written")
    check(prune.stop() == 0, "the second saver exits 0")
    suite.broker.stop()
    print("test_replay_db: all checks passed")


if __name__ == "__main__":
    main()
