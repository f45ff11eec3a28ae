"""rigstream-replay with real processes: the committed Volve excerpt replayed
through the broker reaches a subscriber with every row, channels converted to
the suite's units and extra curves carried; a speed factor paces the rows;
clock-synchronised replay moves the times to now; the same rows written as
WITSML 1.3.1.1 read the same; broken input is refused with a clear message."""
import json
import os
import re
import time

import rigtest
from rigtest import check, Proc, Suite, binary, wait_until


def rows_of(path):
    text = open(path).read()
    names = re.search(r"<mnemonicList>(.*?)</mnemonicList>", text).group(1).split(",")
    rows = [r.split(",") for r in re.findall(r"<data>(.*?)</data>", text)]
    return names, rows


def as_131(path, out, n_rows):
    """The first n_rows of a WITSML 1.4 log written as WITSML 1.3.1.1 writes it: no mnemonicList or
    unitList, each logCurveInfo with its columnIndex, the index curve moved to the second column."""
    text = open(path).read()
    names, rows = rows_of(path)
    units = re.search(r"<unitList>(.*?)</unitList>", text).group(1).split(",")
    order = [1, 0] + list(range(2, len(names)))         # the file's columns: HKLD_AVG..., Time second
    infos = []
    for col, i in enumerate(order, start=1):
        infos.append(f"<logCurveInfo uid=\"{names[i]}\"><mnemonic>{names[i]}</mnemonic><unit>{units[i]}</unit>"
                     f"<columnIndex>{col}</columnIndex></logCurveInfo>")
    data = "".join("<data>" + ",".join(r[i] for i in order) + "</data>" for r in rows[:n_rows])
    head = re.search(r"<nameWell>.*?</nameWell>", text).group(0)
    open(out, "w").write(
        '<?xml version="1.0" encoding="UTF-8"?><logs xmlns="http://www.witsml.org/schemas/131" version="1.3.1.1">'
        f'<log uidWell="w" uidWellbore="b" uid="l">{head}<name>GenTime</name><indexType>date time</indexType>'
        f'<direction>increasing</direction><indexCurve columnIndex="2">{names[0]}</indexCurve>'
        f'<nullValue>-999.25</nullValue>{"".join(infos)}<logData>{data}</logData></log></logs>')


def samples(proc):
    return [json.loads(x) for x in proc.text("out").split("\n")[:-1]]


def main():
    rigtest.setup()
    excerpt = os.path.join(rigtest.ARGS.source_dir, "tests", "data", "volve_F-9_excerpt.xml")
    names, rows = rows_of(excerpt)
    suite = Suite()
    suite.start_broker()
    log = suite.start("logger", "rigstream-logger", ["--json", "--topics", "telemetry."])
    log.wait_for("ready", timeout=10)

    rep = suite.start("replay", "rigstream-replay", ["--fast", "--well", "F-9A", excerpt])
    check(rep.p.wait(60) == 0, "replay of the excerpt exits 0")
    check("2500 rows published" in rep.text(), "replay reports 2500 rows")
    wait_until(lambda: log.text("out").count("\n") >= 2500, timeout=20, what="2500 samples at the logger")
    got = samples(log)
    check(len(got) == 2500 and all(g["well"] == "F-9A" for g in got), "every row arrived, as well F-9A")
    col = {n: i for i, n in enumerate(names)}
    bad = 0
    for g, r in zip(got, rows):
        ch = g["ch"]
        def near(a, b):
            return abs(a - b) <= 1e-6 * max(1.0, abs(b))
        if not (near(ch["hook_load"], float(r[col["HKLD_AVG"]]) / 1000)
                and near(ch["bit_depth"], float(r[col["BITDEP"]]))
                and near(ch["rpm"], float(r[col["SURF_RPM"]]) * 60)
                and near(ch["mud_temp_in"], float(r[col["MTIN"]]) - 273.15)
                and near(ch["flow_in"], float(r[col["FLOWIN"]]) * 60000)
                and ch["rigactivitycode"] == float(r[col["RigActivityCode"]])):
            bad += 1
    check(bad == 0, "hook load, bit depth, rpm, temperature and flow converted; vendor rig state carried")
    first_ts = got[0]["ts"]
    check(got[0]["time"] == "2016-09-29T19:33:01.000Z", "timestamps are the log's own")
    check(len(got[0]["ch"]) == 78, "all 78 curves travel (known channels plus extras)")

    # The same rows as WITSML 1.3.1.1 (columns by columnIndex, the time in the second one) read the same.
    old = os.path.join(rigtest.ARGS.tmp, "excerpt-131.xml")
    as_131(excerpt, old, 200)
    log131 = suite.start("logger131", "rigstream-logger", ["--json", "--topics", "telemetry.F-9B"])
    log131.wait_for("ready", timeout=10)
    r131 = suite.start("replay131", "rigstream-replay", ["--fast", "--well", "F-9B", old])
    check(r131.p.wait(60) == 0 and "200 rows published" in r131.text(), "a WITSML 1.3.1.1 log replays: 200 rows")
    wait_until(lambda: log131.text("out").count("\n") >= 200, timeout=20, what="200 samples of the 1.3.1 log")
    got131 = samples(log131)
    check(len(got131) == 200 and all(a["ch"] == b["ch"] and a["ts"] == b["ts"] for a, b in zip(got131, got)),
          "its samples are those of the same rows read as WITSML 1.4 (times, channels, units)")

    # Pacing: the first 120 s of the log (to 19:35:01) at 60x take 2 s.
    log2 = suite.start("logger2", "rigstream-logger", ["--json", "--topics", "telemetry.PACE"])
    log2.wait_for("ready", timeout=10)
    t0 = time.monotonic()
    pace = suite.start("pace", "rigstream-replay", ["--speed", "60", "--well", "PACE", excerpt],
                       extra_env={"REPLAY_JOURNAL": "0"})
    wait_until(lambda: any(s["time"] >= "2016-09-29T19:35:01" for s in samples(log2)), timeout=20,
               what="paced rows up to 19:35:01")
    dt = time.monotonic() - t0
    check(1.5 <= dt <= 6.0, f"120 s of log at 60x took {dt:.1f} s")
    check(pace.stop() == 0, "paced replay stops on SIGTERM with exit 0")

    # Clock-synchronised from an instant in the log: times move to now.
    log3 = suite.start("logger3", "rigstream-logger", ["--json", "--topics", "telemetry.SYNC"])
    log3.wait_for("ready", timeout=10)
    sync = suite.start("sync", "rigstream-replay", ["--clock-sync", "--start", "2016-09-29T21:29:00Z",
                                                    "--well", "SYNC", excerpt])
    wait_until(lambda: len(samples(log3)) >= 1, timeout=10, what="the first clock-synchronised sample")
    s0 = samples(log3)[0]
    now_us = time.time() * 1e6
    check(abs(s0["ts"] - now_us) < 5e6, "clock-synchronised samples carry the current time")
    check(sync.stop() == 0, "clock-synchronised replay stops on SIGTERM")

    # Broken input.
    trunc = os.path.join(rigtest.ARGS.tmp, "truncated.xml")
    data = open(excerpt, "rb").read()
    open(trunc, "wb").write(data[: len(data) // 2])
    t = suite.start("trunc", "rigstream-replay", ["--fast", trunc])
    check(t.p.wait(30) == 1 and re.search(r"truncated XML \(after \d+ data rows\)", t.text()),
          "a truncated log: exit 1 with the row count reached")
    m = suite.start("missing", "rigstream-replay", ["--fast", "/nonexistent.xml"])
    check(m.p.wait(10) == 1 and "cannot open" in m.text(), "a missing file: exit 1 with a message")
    b = Proc("badstart", [binary("rigstream-replay"), "--start", "yesterday", excerpt])
    check(b.p.wait(10) == 2 and "--start" in b.text(), "a bad --start: exit 2 with a message")
    check(log.stop() == 0 and log2.stop() == 0 and log3.stop() == 0 and log131.stop() == 0, "loggers exit 0")
    suite.broker.stop()
    print("test_replay: all checks passed")


if __name__ == "__main__":
    main()
