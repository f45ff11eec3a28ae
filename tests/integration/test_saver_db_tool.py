"""rigstream-db over a database the real saver filled from the simulator:
wells and stats, CSV and JSON exports that match the database value for
value, a time-windowed export, a downsampled range, the database left
untouched (opened read-only), and clear errors with the documented exit
codes: 1 for an unknown well or an unreadable database, 2 for bad arguments
(from after to, a bad time, an unknown channel, a bad format or command).
"""
import csv
import io
import json
import os
import sqlite3
import subprocess

import rigtest
from rigtest import check, Suite, wait_until

WELLS = 2
PER_WELL = 1000


def tool(db, *argv):
    r = subprocess.run([rigtest.binary("rigstream-db"), "--db", db, *argv], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60,
                       env=dict(os.environ, RIGSTREAM_ENV_FILE=os.devnull))
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def iso(ts_us):
    import datetime
    return datetime.datetime.fromtimestamp(ts_us / 1e6, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def main():
    args = rigtest.setup()
    suite = Suite()
    suite.start_broker()
    db = os.path.join(args.tmp, "tool.db")
    saver = suite.start("saver", "rigstream-saver", ["--db", db])
    saver.wait_for(r"ready", timeout=15)
    sim = suite.start("sim", "rigstream-sim", ["--wells", str(WELLS), "--rate", "1000", "--count", str(PER_WELL),
                                               "--speed", "10", "--seed", "21"])
    sim.wait_for(r"stopped:", timeout=30)
    sim.stop()
    check(saver.stop() == 0, "saver stored the run and exited")
    suite.broker.stop()

    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    ref = con.execute("SELECT ts, seq, bit_depth, rop, casing_pressure FROM samples_v WHERE well = 'A-01' "
                      "ORDER BY ts, seq").fetchall()
    con.close()
    check(len(ref) == PER_WELL, f"the database holds {len(ref)} samples of A-01")
    mtime = os.stat(db).st_mtime_ns

    rc, out, err = tool(db, "wells")
    rows = list(csv.DictReader(io.StringIO(out)))
    check(rc == 0 and [r["well"] for r in rows] == ["A-01", "A-02"]
          and all(int(r["samples"]) == PER_WELL for r in rows), f"wells lists both wells: {out.strip()}")
    check(rows[0]["first"] == iso(ref[0][0])[:23] + "Z", f"with the first sample's time: {rows[0]['first']}")
    rc, out, err = tool(db, "wells", "--format", "json")
    lines = [json.loads(x) for x in out.splitlines()]
    check(rc == 0 and lines[1]["well"] == "A-02" and lines[1]["samples"] == PER_WELL, "wells --format json")
    rc, out, err = tool(db, "stats", "--format", "json")
    st = json.loads(out)
    check(rc == 0 and st["samples_stored"] == WELLS * PER_WELL and st["wells"] == WELLS and st["schema"] >= 1,
          f"stats: {st['samples_stored']} samples, {st['wells']} wells, schema {st['schema']}")

    # CSV export: every row, exact values, empty fields for no reading.
    rc, out, err = tool(db, "export", "--well", "A-01", "--channels", "bit_depth,rop,casing_pressure")
    rows = list(csv.DictReader(io.StringIO(out)))
    check(rc == 0 and len(rows) == PER_WELL, f"export csv: {len(rows)} rows")
    check(list(rows[0].keys()) == ["time", "ts_us", "pub", "seq", "bit_depth", "rop", "casing_pressure"],
          f"csv header: {list(rows[0].keys())}")
    same = all(int(r["ts_us"]) == ts and int(r["seq"]) == seq and float(r["bit_depth"]) == bd
               and (r["rop"] == "" if rop is None else float(r["rop"]) == rop)
               and (r["casing_pressure"] == "" if cp is None else float(r["casing_pressure"]) == cp)
               for r, (ts, seq, bd, rop, cp) in zip(rows, ref))
    check(same, "csv values equal the database's, exactly (round-trip numbers)")
    check(rows[0]["time"] == iso(ref[0][0])[:23] + "Z", f"csv time is ISO 8601 UTC: {rows[0]['time']}")
    check(any(r["casing_pressure"] == "" for r in rows), "a channel without reading exports as an empty field")

    # JSON export of a time window given as ISO times.
    lo, hi = ref[100][0], ref[199][0]
    rc, out, err = tool(db, "export", "--well", "A-01", "--from", iso(lo), "--to", iso(hi),
                        "--channels", "bit_depth,casing_pressure", "--format", "json")
    data = json.loads(out) if rc == 0 else []
    check(rc == 0 and len(data) == 100, f"export json over [{iso(lo)}, {iso(hi)}]: {len(data)} objects")
    check(all(o["ts_us"] == ref[100 + i][0] and o["bit_depth"] == ref[100 + i][2] for i, o in enumerate(data)),
          "json values equal the database's")
    check(all("casing_pressure" in o for o in data) and any(o["casing_pressure"] is None for o in data),
          "no reading is null in JSON")
    # Epoch seconds work too.
    rc, out, err = tool(db, "export", "--well", "A-02", "--from", str(lo // 1000000), "--to",
                        str(hi // 1000000 + 1), "--channels", "hole_depth")
    check(rc == 0 and len(out.splitlines()) > 50, "export accepts epoch seconds")

    # Downsampled range: at most N points, min <= mean <= max, covering all samples.
    rc, out, err = tool(db, "range", "--well", "A-01", "--points", "10", "--channels", "bit_depth",
                        "--format", "json")
    pts = json.loads(out) if rc == 0 else []
    check(rc == 0 and 1 <= len(pts) <= 10, f"range --points 10: {len(pts)} points")
    check(sum(p["n"] for p in pts) == PER_WELL
          and all(p["bit_depth"]["min"] <= p["bit_depth"]["mean"] <= p["bit_depth"]["max"] for p in pts),
          "points cover every sample, min <= mean <= max")
    check(min(p["bit_depth"]["min"] for p in pts) == min(r[2] for r in ref)
          and max(p["bit_depth"]["max"] for p in pts) == max(r[2] for r in ref), "range keeps the extremes")
    check(os.stat(db).st_mtime_ns == mtime, "the tool never wrote to the database")

    # Errors and exit codes.
    cases = [
        (("export", "--well", "Z-99"), 1, "unknown well"),
        (("export", "--well", "A-01", "--from", "2030-01-01T00:00:00Z", "--to", "2020-01-01T00:00:00Z"), 2,
         "after"),
        (("export", "--well", "A-01", "--from", "yesterday"), 2, "invalid time"),
        (("export", "--well", "A-01", "--to", "2026-13-45T99:00:00Z"), 2, "invalid time"),
        (("export", "--well", "A-01", "--channels", "bit_depth,no_such"), 2, "unknown channel"),
        (("export", "--well", "A-01", "--channels", "Bad-Name"), 2, "invalid channel name"),
        (("export", "--well", "A-01", "--format", "xml"), 2, "--format"),
        (("export",), 2, "needs --well"),
        (("frobnicate",), 2, "unknown command"),
        ((), 2, "give one command"),
        (("range", "--well", "A-01", "--points", "0"), 2, "points"),
    ]
    for argv, want, text in cases:
        rc, out, err = tool(db, *argv)
        check(rc == want and text in err, f"rigstream-db {' '.join(argv)} -> exit {rc}: {err.strip()}")
    rc, out, err = tool(os.path.join(args.tmp, "missing.db"), "wells")
    check(rc == 1 and "cannot open database" in err, f"a missing database -> exit 1: {err.strip()}")
    check(not os.path.exists(os.path.join(args.tmp, "missing.db")), "and it is not created")
    print("test_saver_db_tool: all checks passed")


if __name__ == "__main__":
    main()
