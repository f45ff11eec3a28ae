"""Two publishers feed one well: the saver keeps whose sample each row is,
and every export names it. rigstream-db export and GET /api/export.csv
carry a pub column beside seq, so each row is attributable by (pub, seq);
GET /api/history lists the publishers of the range. The default export
leaves the well's extra channels out and says so (a notice on stderr, the
X-Rigstream-Omitted-Channels header); channels=all includes them."""
import csv
import io
import os
import subprocess
import time

import rigtest
from rigtest import Suite, check, wait_until
from webtest import Publisher, get_json, request, start_web

PER_PUB = 10


def tool(db, *argv):
    r = subprocess.run([rigtest.binary("rigstream-db"), "--db", db, *argv], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60,
                       env=dict(os.environ, RIGSTREAM_ENV_FILE=os.devnull))
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def main():
    rigtest.setup()
    suite = Suite()
    suite.start_broker()
    db = os.path.join(rigtest.ARGS.tmp, "two.db")
    saver = suite.start("saver", "rigstream-saver", ["--db", db])
    saver.wait_for("ready", timeout=15)
    web, port = start_web(suite, db=db)
    # Readiness: a probe on another well reaches the database, so the
    # saver's subscription is in place before the two publishers send.
    probe = Publisher(suite, "probe")
    wait_until(lambda: probe.send("telemetry", "W-0", {"ch": {"wob": 1.0}})
               or tool(db, "wells")[1].count("W-0") > 0, timeout=30, what="the saver recording")
    probe.close()
    a, b = Publisher(suite, "acq-a"), Publisher(suite, "acq-b")
    for i in range(PER_PUB):
        a.send("telemetry", "W-1", {"ch": {"wob": 10.0 + i, "vendor_gr": 40.0 + i}})
        b.send("telemetry", "W-1", {"ch": {"wob": 20.0 + i}})
        time.sleep(0.01)

    def rows():
        rc, out, _ = tool(db, "export", "--well", "W-1", "--channels", "wob")
        return list(csv.DictReader(io.StringIO(out))) if rc == 0 else []
    wait_until(lambda: len(rows()) >= 2 * PER_PUB, timeout=30, what="both publishers' samples in the database")

    rc, out, err = tool(db, "export", "--well", "W-1", "--channels", "wob")
    got = list(csv.DictReader(io.StringIO(out)))
    check(out.splitlines()[0] == "time,ts_us,pub,seq,wob", f"export header: {out.splitlines()[0]}")
    keys = {(r["pub"], int(r["seq"])) for r in got}
    check(len(got) == 2 * PER_PUB and keys == {(p, s) for p in ("acq-a", "acq-b") for s in range(1, PER_PUB + 1)},
          f"every row is attributable by (pub, seq): {sorted(keys)[:4]}... ({len(got)} rows)")
    check(all(float(r["wob"]) == (10.0 if r["pub"] == "acq-a" else 20.0) + int(r["seq"]) - 1 for r in got),
          "each row's values are its publisher's")

    rc, out, err = tool(db, "export", "--well", "W-1")
    header = out.splitlines()[0].split(",")
    check(rc == 0 and "vendor_gr" not in header and "vendor_gr" in err and "--channels all" in err,
          f"the default export leaves the extra channel out and says so on stderr: {err.strip()}")
    rc, out, err = tool(db, "export", "--well", "W-1", "--channels", "all")
    got = list(csv.DictReader(io.StringIO(out)))
    check(rc == 0 and "vendor_gr" in got[0] and "hook_load" in got[0]
          and sorted(float(r["vendor_gr"]) for r in got if r["pub"] == "acq-a") == [40.0 + i for i in range(PER_PUB)]
          and all(r["vendor_gr"] == "" for r in got if r["pub"] == "acq-b") and "left out" not in err,
          "--channels all: every known channel and the extra one, with its values")

    st, headers, body = request(port, "GET", "/api/export.csv?well=W-1")
    lines = body.decode().splitlines()
    check(st == 200 and lines[0].startswith("time,ts_us,pub,seq,") and "vendor_gr" not in lines[0]
          and headers.get("x-rigstream-omitted-channels") == "vendor_gr",
          f"web default export names what it left out: {headers.get('x-rigstream-omitted-channels')}")
    st, headers, body = request(port, "GET", "/api/export.csv?well=W-1&channels=all")
    got = list(csv.DictReader(io.StringIO(body.decode())))
    check(st == 200 and "vendor_gr" in got[0] and "x-rigstream-omitted-channels" not in headers
          and {r["pub"] for r in got} == {"acq-a", "acq-b"} and len(got) == 2 * PER_PUB,
          "web channels=all includes the extra channel; rows name both publishers")
    st, headers, body = request(port, "GET", "/api/export.csv?well=W-1&channels=wob")
    check(st == 200 and "x-rigstream-omitted-channels" not in headers, "named channels: no omission to report")

    st, doc = get_json(port, "/api/history?well=W-1&channels=wob")
    check(st == 200 and doc.get("publishers") == ["acq-a", "acq-b"],
          f"/api/history lists the publishers of the range: {doc.get('publishers') if doc else None}")
    st, doc = get_json(port, "/api/history?well=W-1&channels=wob&from=0&to=1000000")
    check(st == 200 and doc.get("publishers") == [], "a range without samples lists no publisher")

    a.close()
    b.close()
    web.stop()
    check(saver.stop() == 0, "saver exits cleanly")
    print("test_export_publishers: all checks passed")


if __name__ == "__main__":
    main()
