"""rigstream-csv on Pason's published EDR export layout: a file written here
(600 rows, the quoted header with the units in parentheses in Pason's words,
separate YYYY/MM/DD and HH:MM:SS columns in rig-local time at UTC-6, crossing
midnight) replayed with --preset pason through the real broker into the real
saver, then read back from SQLite and compared value by value with the file
converted by factors written here from the definitions of the foot, the pound
and the gallon, apart from common/rs_units. Also: the column report at start,
the return-flow paddle kept as its own channel in percent, and a file in
which no column is a known channel refused with exit 1 and the columns named,
without waiting for a broker."""
import json
import os
import random
import sqlite3
from datetime import datetime, timedelta, timezone

import rigtest
from rigtest import Proc, Suite, binary, check, wait_until

WELL = "PASON_EDR"
PUB = "pason-edr"
ROWS = 600
OFFSET_H = -6

FT = 0.3048                                 # m per ft
LBF = 0.45359237 * 9.80665                  # N per lbf
GAL = 231 * 0.0254 ** 3 * 1000              # L per US gallon
IN2 = 0.0254 ** 2                           # m2 per square inch

# Pason column -> (channel, conversion to the suite's unit)
CONVERT = {
    "Hole Depth (feet)": ("hole_depth", lambda v: v * FT),
    "Bit Depth (feet)": ("bit_depth", lambda v: v * FT),
    "Rate Of Penetration (ft_per_hr)": ("rop", lambda v: v * FT),
    "Weight on Bit (klbs)": ("wob", lambda v: v * LBF),                   # klbf -> kN
    "Hook Load (klbs)": ("hook_load", lambda v: v * LBF),
    "Rotary RPM (RPM)": ("rpm", lambda v: v),
    "Rotary Torque (kft_lb)": ("torque", lambda v: v * LBF * FT),         # kft.lbf -> kN.m
    "Standpipe Pressure (psi)": ("spp", lambda v: v * LBF / IN2 / 1e5),   # psi -> bar
    "Total Pump Output (gal_per_min)": ("flow_in", lambda v: v * GAL),    # -> L/min
    "Total Mud Volume (barrels)": ("pit_volume", lambda v: v * 42 * GAL / 1000),  # -> m3
    "Block Height (feet)": ("block_pos", lambda v: v * FT),
    "Pump 1 strokes/min (SPM)": ("spm1", lambda v: v),
    "Mud Weight In (lbs_per_gal)": ("mud_density_in", lambda v: v * 0.45359237 / (GAL / 1000)),  # -> kg/m3
}
EXTRAS = {"Flow (flow_percent)": "flow_out_pct", "Total Gas (units)": "total_gas"}
HEADER = ["YYYY/MM/DD", "HH:MM:SS"] + list(CONVERT) + list(EXTRAS)


def near(a, b):
    return a is not None and abs(a - b) <= 1e-7 * max(1.0, abs(b))


def write_export(path):
    """The export and, per row, the UTC time and the values as written (None = blank or null)."""
    rnd = random.Random(20240314)
    start = datetime(2024, 3, 14, 23, 55, 0)    # rig-local; the file crosses midnight
    rows = []
    with open(path, "w", newline="") as f:
        f.write(",".join(f'"{h}"' for h in HEADER) + "\r\n")
        depth = 8000.0
        for i in range(ROWS):
            local = start + timedelta(seconds=i)
            depth += rnd.uniform(0, 0.05)
            vals = [depth, depth - rnd.uniform(0, 2), rnd.uniform(20, 200), rnd.uniform(5, 40),
                    rnd.uniform(150, 300), rnd.uniform(60, 180), rnd.uniform(5, 25), rnd.uniform(2500, 3500),
                    rnd.uniform(500, 800), rnd.uniform(400, 600), rnd.uniform(10, 90), rnd.uniform(80, 120),
                    rnd.uniform(9, 12), rnd.uniform(20, 60), rnd.uniform(0, 500)]
            cells = [f"{v:.2f}" for v in vals]
            got = [float(c) for c in cells]
            if i % 97 == 5:                       # a blank cell and a Pason null
                cells[4], got[4] = "", None
                cells[7], got[7] = "-999.25", None
            f.write(",".join([local.strftime("%Y/%m/%d"), local.strftime("%H:%M:%S")] + cells) + "\r\n")
            utc = (local - timedelta(hours=OFFSET_H)).replace(tzinfo=timezone.utc)
            rows.append((int(utc.timestamp()) * 1000000, got))
    return rows


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


def main():
    rigtest.setup()
    export = os.path.join(rigtest.ARGS.tmp, "edr_export.csv")
    rows = write_export(export)

    suite = Suite()
    suite.start_broker()
    db = os.path.join(rigtest.ARGS.tmp, "pason.db")
    saver = suite.start("saver", "rigstream-saver", ["--db", db],
                        extra_env={"DB_RETENTION_DAYS": "0", "DB_AGG_RETENTION_DAYS": "0"})
    saver.wait_for(r"ready", timeout=15)

    csv = suite.start("csv", "rigstream-csv", ["--fast", "--preset", "pason", "--utc-offset", str(OFFSET_H),
                                               "--well", WELL, "--publisher-id", PUB, export])
    check(csv.p.wait(60) == 0, "the Pason export replays, exit 0")
    log = csv.text()
    check(f"stopped: {ROWS} rows published, 0 skipped before --start, 0 bad rows, 0 bad cells" in log,
          f"{ROWS} rows published, none bad")
    check('column "YYYY/MM/DD": the date' in log and 'column "HH:MM:SS": the time of day' in log,
          "the split date and time columns are reported")
    check('column "Hole Depth (feet)" -> hole_depth: feet (header) to m, x 0.3048' in log
          and 'column "Total Pump Output (gal_per_min)" -> flow_in: gal_per_min (header) to L/min' in log,
          "each converted column is reported with its unit and factor")
    check("column \"Total Gas (units)\": unit 'units' does not convert" in log and " WARN " in log,
          "gas in 'units' is not taken for %: a warning names it")
    check("13 known channels, 2 extra channels" in log, "13 known channels, 2 extras")
    wait_until(lambda: count(db) >= ROWS, timeout=30, what=f"{ROWS} samples in the database")

    con = open_ro(db)
    cols = [c for c, _ in CONVERT.values()]
    got = con.execute(f"SELECT seq, ts, {', '.join(cols)}, flow_out, extra FROM samples_v "
                      f"WHERE well = ? AND publisher = ? ORDER BY seq", (WELL, PUB)).fetchall()
    check(len(got) == ROWS and [g[0] for g in got] == list(range(1, ROWS + 1)),
          f"exactly {ROWS} samples, seq 1..{ROWS} ({len(got)})")
    bad_ts = [g[0] for g, (ts, _) in zip(got, rows) if g[1] != ts]
    check(not bad_ts, f"every sample carries its row's local time + 6 h ({len(bad_ts)} differ)")
    check(got[0][1] == int(datetime(2024, 3, 15, 5, 55, tzinfo=timezone.utc).timestamp()) * 1000000,
          "the first row, 23:55:00 local on 2024-03-14 at UTC-6, is 05:55:00 UTC on the 15th")
    bad = {}
    for g, (_, vals) in zip(got, rows):
        for i, (channel, fn) in enumerate(CONVERT.values()):
            want = None if vals[i] is None else fn(vals[i])
            ok = g[2 + i] is None if want is None else near(g[2 + i], want)
            if not ok:
                bad.setdefault(channel, (g[0], g[2 + i], want))
    check(not bad, f"all {len(cols)} converted channels of every row match the file converted here "
                   f"(mismatches: {bad})")
    nulls = sum(1 for g in got if g[2 + 4] is None) + sum(1 for g in got if g[2 + 7] is None)
    check(nulls == 2 * len([i for i in range(ROWS) if i % 97 == 5]), f"blank and -999.25 cells stored as nil ({nulls})")
    paddle = len(CONVERT)
    bad_extra = [g[0] for g, (_, vals) in zip(got, rows)
                 if json.loads(g[-1]).get("flow_out_pct") != vals[paddle]
                 or json.loads(g[-1]).get("total_gas") != vals[paddle + 1]]
    check(not bad_extra and all(g[-2] is None for g in got),
          f"the flow paddle is its own channel flow_out_pct, in %, unconverted; flow_out stays empty "
          f"({len(bad_extra)} differ)")
    con.close()

    # No known channel: exit 1 naming the columns, at once (no broker needed).
    vendor = os.path.join(rigtest.ARGS.tmp, "vendor.csv")
    with open(vendor, "w") as f:
        f.write('"YYYY/MM/DD","HH:MM:SS","Line Wear (ton_miles)","Differential Pressure (psi)"\r\n'
                "2024/03/14,06:00:00,10,200\r\n")
    p = Proc("vendor", [binary("rigstream-csv"), "--fast", vendor])
    rc = p.p.wait(20)
    err = p.text()
    check(rc == 1 and "none of the 4 columns is a known channel" in err
          and '"Line Wear (ton_miles)" (extra line_wear)' in err and '"HH:MM:SS" (time)' in err
          and "--preset or --map" in err, f"a file with no known channel: exit 1 naming the columns (rc {rc})")

    check(saver.stop() == 0, "the saver exits 0")
    suite.broker.stop()
    print("test_csv_pason: all checks passed")


if __name__ == "__main__":
    main()
