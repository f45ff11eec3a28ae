"""Grafana through the Infinity data source, as docs/GRAFANA.md sets it up:
the requests its backend makes (server-side: no Origin, the Host of the
configured URL, Grafana's User-Agent and Accept headers, the dashboard's time
range substituted as ${__from}ms and ${__to}ms), against the real bridge over
a saver and simulator, and the answers read the way the panel settings read
them: /api/latest?format=rows as a table of flat rows, the CSV export as a
time series (a `time` column in ISO 8601, numeric channel columns). No CORS
header is needed or sent: the web security stays as it is."""
import csv
import io
import json
import os
import time

import rigtest
import webtest
from rigtest import check, wait_until

WELL = "A-01"
# What Infinity's backend sends (Go's HTTP client under Grafana's name).
INFINITY = {"User-Agent": "Grafana/11.6.0", "Accept": "application/json, text/plain, */*",
            "Accept-Encoding": "identity"}


def main():
    args = rigtest.setup()
    suite = rigtest.Suite()
    suite.start_broker()
    db = os.path.join(args.tmp, "grafana.db")
    saver = suite.start("saver", "rigstream-saver", ["--db", db])
    saver.wait_for(r"ready", timeout=15)
    sim = suite.start("sim", "rigstream-sim", ["--well-ids", WELL, "--rate", "10", "--seed", "4"])
    sim.wait_for(r"publishing|ready", timeout=15)
    web, port = webtest.start_web(suite, db=db)
    webtest.wait_history(port, WELL)
    host = {"Host": f"127.0.0.1:{port}"}

    # Table panel: JSON, URL /api/latest?format=rows, rows as they come.
    def rows():
        st, hd, body = webtest.request(port, "GET", f"/api/latest?well={WELL}&format=rows", headers={**INFINITY, **host})
        return (st, hd, json.loads(body)) if st == 200 else None
    st, hd, doc = wait_until(rows, timeout=20, what="/api/latest rows")
    check(isinstance(doc, list) and doc and all(isinstance(r, dict) for r in doc),
          f"/api/latest?format=rows is an array of flat rows ({len(doc)})")
    cols = {"well", "channel", "value", "unit", "time", "ts", "quality", "live", "rig_state"}
    check(all(set(r) == cols for r in doc), f"every row has the panel's columns: {sorted(cols)}")
    check(all(not isinstance(r[c], (dict, list)) for r in doc for c in cols), "no nested values in a row")
    hl = [r for r in doc if r["channel"] == "hook_load"]
    check(len(hl) == 1 and isinstance(hl[0]["value"], (int, float)) and hl[0]["unit"] == "kN"
          and hl[0]["time"].endswith("Z"), f"hook load as a number with its unit and ISO time: {hl}")
    check(not any(k.startswith("access-control-") for k in hd), "no CORS header: none is needed server-side")
    st, _, _ = webtest.request(port, "GET", f"/api/latest?well={WELL}&format=table", headers={**INFINITY, **host})
    check(st == 400, f"an unknown format is refused ({st})")

    # Time-series panel: CSV, URL /api/export.csv with the dashboard's range.
    def panel_path():
        to_ms = int(time.time() * 1000) + 1000          # ${__to} and ${__from}: the last 10 minutes
        from_ms = to_ms - 10 * 60 * 1000
        return f"/api/export.csv?well={WELL}&channels=hook_load,spp,rop&from={from_ms}ms&to={to_ms}ms"

    def export():
        st, hd, body = webtest.request(port, "GET", panel_path(), headers={**INFINITY, **host})
        table = list(csv.DictReader(io.StringIO(body.decode()))) if st == 200 else []
        return (st, hd, table) if len(table) > 5 else None
    st, hd, table = wait_until(export, timeout=30, what="a few seconds of samples in the export")
    check(st == 200 and hd.get("content-type", "").startswith("text/csv"), f"the export answers CSV ({st})")
    check(len(table) > 5 and {"time", "hook_load", "spp", "rop"} <= set(table[0]),
          f"CSV with a time column and the channels ({len(table)} rows)")
    check(all(r["time"].endswith("Z") and "T" in r["time"] for r in table), "time as ISO 8601 UTC")
    check(all(float(r["hook_load"]) > 0 for r in table if r["hook_load"]), "channel columns parse as numbers")
    # A foreign Host (Grafana elsewhere, the bridge not told) is refused, not
    # answered: the allow-list is what docs/GRAFANA.md asks to extend.
    st, _, _ = webtest.request(port, "GET", panel_path(), headers={**INFINITY, "Host": "grafana-box.example:3000"})
    check(st == 421, f"a Host the bridge was not given is refused ({st})")
    suite.stop_all()


if __name__ == "__main__":
    main()
