"""rigstream-csv with real processes: the synthetic Pason EDR export and
Volve time log (tests/data) replayed through the broker with their presets,
nulls and junk rows handled; a speed factor paces the rows; a
clock-synchronised replay carries today's times and, stopped for a while,
sends what fell due at once and is back on time after; a mapping file;
broken input refused with a clear message."""
import os
import re
import signal
import time

import rigtest
from ingesttest import Collector
from rigtest import Proc, Suite, binary, check, wait_until


def near(a, b, tol=1e-6):
    return a is not None and abs(a - b) <= tol * max(1.0, abs(b))


def main():
    rigtest.setup()
    data = os.path.join(rigtest.ARGS.source_dir, "tests", "data")
    pason = os.path.join(data, "pason_edr_synthetic.csv")
    volve = os.path.join(data, "volve_timelog_synthetic.csv")
    suite = Suite()
    suite.start_broker()
    col = Collector(suite, ["telemetry.", "sys.csv"])

    # 1. The Pason preset, as fast as possible.
    p = suite.start("pason", "rigstream-csv", ["--fast", "--preset", "pason", "--well", "PASON", pason])
    check(p.p.wait(30) == 0, "the Pason export replays, exit 0")
    check(re.search(r"stopped: 48 rows published, 0 skipped before --start, 2 bad rows, 1 bad cells, "
                    r"2 null values, 2 unit rows, 1 repeated headers", p.text()), "48 rows; junk counted, not fatal")
    check("column \"Flow Out\": unit '%' does not convert" in p.text(), "a column in % is named in a warning")
    wait_until(lambda: len(col.samples("PASON")) >= 48, timeout=10, what="48 Pason samples")
    got = [b["ch"] for _, _, b in col.samples("PASON")]
    g = got[0]
    check(near(g["hole_depth"], 2438.4) and near(g["hook_load"], 210 * 4.4482216) and near(g["spp"], 3100 * 0.068947573)
          and near(g["flow_in"], 650 * 3.7854118) and near(g["mud_temp_in"], 35) and near(g["rop"], 180 * 0.3048)
          and near(g["pit_volume"], 480.5 * 0.15898729) and near(g["torque"], 12.5 * 1.3558179),
          "imperial columns converted to the suite's units")
    check(g["x_flow_out"] == 42 and g["rop_1ft"] == 175 and "flow_out" not in g, "other columns travel as extras")
    check(got[2]["hook_load"] is None and got[4]["spp"] is None and got[7]["rpm"] is None,
          "blank, -999.25 and junk cells are nil")
    ts = [b["ts"] for _, _, b in col.samples("PASON")]
    check(ts[0] == 1710396000000000 and all(b - a == 5000000 for a, b in zip(ts, ts[1:])),
          "Date and Time columns give the sample times, 5 s apart, across the repeated header")

    # 2. The Volve preset: ISO times, mostly empty columns.
    v = suite.start("volve", "rigstream-csv", ["--fast", "--preset", "volve", volve])
    check(v.p.wait(30) == 0 and "stopped: 40 rows published" in v.text(), "the Volve log replays, exit 0")
    wait_until(lambda: len(col.samples("volve_timelog_synthetic")) >= 40, timeout=10, what="40 Volve samples")
    vs = [b for _, _, b in col.samples("volve_timelog_synthetic")]
    check(vs[0]["ts"] == 1475177581000000 and near(vs[0]["ch"]["wob"], 8.5 * 9.80665)
          and near(vs[0]["ch"]["spp"], 185) and near(vs[0]["ch"]["mud_density_in"], 1320),
          "well named after the file; kkgf, kPa, g/cm3 converted")
    check(vs[3]["ch"]["wob"] is None and vs[6]["ch"]["gas"] is None and "resistivity_ohm_m" not in vs[0]["ch"]
          and vs[0]["ch"]["gamma_ray_api"] == 60 and "gamma_ray_api" not in vs[1]["ch"],
          "nulls are nil; empty extra columns are left out")

    # 3. Pacing: the Pason export's 235 s at 60x take about 4 s.
    t0 = time.monotonic()
    s = suite.start("speed", "rigstream-csv", ["--speed", "60", "--preset", "pason", "--well", "SPEED", pason],
                    extra_env={"REPLAY_JOURNAL": "0"})
    check(s.p.wait(60) == 0, "the paced replay exits 0")
    arr = [m for m, _, _ in col.samples("SPEED")]
    span = arr[-1] - arr[0] if arr else 0
    check(len(arr) == 48 and 3.0 <= span <= 9.0 and time.monotonic() - t0 >= 3.0,
          f"235 s of log at 60x took {span:.1f} s")

    # 4. Clock-synchronised from a start instant, stopped and resumed: catch-up.
    c = suite.start("sync", "rigstream-csv", ["--clock-sync", "--start", "2016-09-29T19:33:11Z", "--preset", "volve",
                                              "--well", "SYNC", volve])
    wait_until(lambda: len(col.samples("SYNC")) >= 2, timeout=10, what="the first clock-synchronised samples")
    first = col.samples("SYNC")[0]
    check(abs(first[2]["ts"] / 1e6 - first[1]) < 1.0, "the first row replayed carries the current time")
    c.signal(signal.SIGSTOP)
    stopped_at = time.monotonic()
    time.sleep(2.5)
    c.signal(signal.SIGCONT)
    resumed_at = time.monotonic()
    wait_until(lambda: any(m > resumed_at + 1.5 for m, _, _ in col.samples("SYNC")), timeout=10,
               what="rows after the catch-up")
    c.stop()
    rows = col.samples("SYNC")
    shifts = {b["ts"] - (1475177591 + i) * 1000000 for i, (_, _, b) in enumerate(rows)}
    check(len(shifts) == 1, "every row keeps its place: one time shift for all, no row skipped")
    late = [m for m, _, b in rows if stopped_at < b["ts"] / 1e6 - first[2]["ts"] / 1e6 + first[0] < resumed_at]
    check(len(late) >= 2 and max(late) - min(late) < 0.8 and min(late) >= resumed_at - 0.1,
          f"rows due while stopped ({len(late)}) are sent at once when it resumes")
    after = [(m, w, b) for m, w, b in rows if m > resumed_at + 0.8]
    check(after and all(abs(w - b["ts"] / 1e6) < 0.8 for _, w, b in after),
          f"then it is on time again: {[(round(m - resumed_at, 2), round(w - b['ts'] / 1e6, 2)) for m, w, b in rows]}")

    # 5. A mapping file; --print-preset prints one.
    pp = Proc("print", [binary("rigstream-csv"), "--print-preset", "pason"])
    check(pp.p.wait(10) == 0 and "Hookload = hook_load klbf" in pp.text("out"), "--print-preset prints a preset")
    mp = os.path.join(rigtest.ARGS.tmp, "my.map")
    with open(mp, "w") as f:
        f.write("stamp = @datetime\nHKLD = hook_load kkgf\nnotes = @ignore\n")
    csv = os.path.join(rigtest.ARGS.tmp, "mine.csv")
    with open(csv, "w") as f:
        f.write("stamp;HKLD;notes;vendor\r\n2024-03-14 06:00:00;100,5;hello;3\r\n1710396001;-999.25;;4\r\n")
    m = suite.start("map", "rigstream-csv", ["--fast", "--map", mp, "--utc-offset", "1", csv])
    check(m.p.wait(30) == 0, "a file with a mapping file, semicolons and decimal commas")
    wait_until(lambda: len(col.samples("mine")) >= 2, timeout=10, what="the mapped samples")
    ms = [b for _, _, b in col.samples("mine")]
    check(ms[0]["ts"] == 1710392400000000 and near(ms[0]["ch"]["hook_load"], 100.5 * 9.80665)
          and ms[0]["ch"]["vendor"] == 3 and "notes" not in ms[0]["ch"] and ms[1]["ch"]["hook_load"] is None
          and ms[1]["ts"] == 1710396001000000, "mapped, converted, local time shifted, epoch seconds read")

    # 6. Broken input.
    def run(args, env=None):
        p = Proc("bad", [binary("rigstream-csv"), *args], env)
        return p.p.wait(20), p.text()
    rc, err = run(["--fast", "/nonexistent.csv"])
    check(rc == 1 and "cannot open" in err, "a missing file: exit 1")
    rc, err = run(["--preset", "nope", pason])
    check(rc == 2 and "expected pason, volve" in err, "an unknown preset: exit 2")
    rc, err = run(["--start", "yesterday", pason])
    check(rc == 2 and "--start" in err, "a bad --start: exit 2")
    rc, err = run(["--fast", "--preset", "pason", volve], suite.env)
    check(rc == 1 and re.search(r"no header line with the time column YYYY/MM/DD or HH:MM:SS or Date or Time "
                                r"in \d+ lines", err),
          "a file that is not the preset's layout: exit 1 with the reason")
    rc, err = run(["--fast", "--map", "/nonexistent.map", pason])
    check(rc == 2 and "cannot open the mapping file" in err, "a missing mapping file: exit 2")

    col.close()
    suite.broker.stop()
    print("test_csv: all checks passed")


if __name__ == "__main__":
    main()
