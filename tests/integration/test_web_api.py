"""The web bridge's REST API over real HTTP: broker, simulator, saver,
prediction engine and rigstream-web as real processes.

Every endpoint's answer, every bad-parameter path (400 with a JSON message),
unknown wells and paths (404), wrong methods (405), thresholds through the
real prediction engine's control endpoint, the engine or the database
missing (503), alerts from the live topic and their
acknowledgement, and that no path outside the frontend tree is served.
"""
import json
import os
import socket
import time

import rigtest
from rigtest import check, Suite, wait_until
from rigtest import free_port
from webtest import Publisher, get_json, request, start_web, wait_history


def raw_get(port, path):
    """A request line sent as is (no client-side normalisation of '..')."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    return int(data.split(b" ", 2)[1]), data


ENGINE_STATES = ("drilling_rotary", "drilling_sliding", "reaming", "circulating", "off_bottom", "connection",
                 "in_slips", "tripping_in", "tripping_out", "shut_in", "out_of_hole")


def main():
    args = rigtest.setup()
    suite = Suite()
    suite.start_broker()
    db = os.path.join(args.tmp, "rigstream.db")
    sim = suite.start("sim", "rigstream-sim", ["--wells", "2", "--rate", "5", "--seed", "11"])
    sim.wait_for(r"publishing", timeout=10)
    saver = suite.start("saver", "rigstream-saver", [], {"DATABASE_PATH": db})
    engine_port = free_port()
    engine = suite.start("engine", "rigstream-engine", [], {"ENGINE_CONTROL_PORT": str(engine_port)})
    engine.wait_for(r"ready", timeout=10)
    web, port = start_web(suite, db=db, engine_port=engine_port)

    # --- health, wells, channels
    def health_ok():
        st, doc = get_json(port, "/api/health")
        comps = doc.get("components", {}) if doc else {}
        return st == 200 and all(c in comps and comps[c]["up"] for c in ("simulator", "broker")) and doc
    doc = wait_until(health_ok, timeout=15, what="health listing the simulator and broker as up")
    check(doc["broker"]["up"] and doc["broker"]["status"]["component"] == "broker",
          "/api/health carries the broker's STATUS")
    check("webbridge" in doc and doc["webbridge"]["version"], "/api/health describes the bridge itself")
    st, doc = get_json(port, "/api/health?verbose=1")
    check(st == 400 and "unknown parameter" in doc["error"], f"/api/health refuses parameters: {st} {doc}")

    wait_until(lambda: len(get_json(port, "/api/wells")[1]["wells"]) == 2, timeout=10, what="two live wells")
    st, doc = get_json(port, "/api/wells")
    names = sorted(w["well"] for w in doc["wells"])
    check(st == 200 and names == ["A-01", "A-02"] and all(w["live"] for w in doc["wells"]),
          f"/api/wells lists both live wells: {names}")
    st, doc = get_json(port, "/api/channels")
    units = {c["name"]: c["unit"] for c in doc["channels"]}
    check(st == 200 and len(units) == 21 and units["hook_load"] == "kN" and units["flow_in"] == "L/min",
          "/api/channels gives every known channel with its unit")
    imp = doc["units"]["imperial"]
    check(doc["units"]["default"] == "metric" and imp["kN"]["unit"] == "klbf"
          and abs(imp["kN"]["scale"] - 1 / 4.4482216) < 1e-9 and imp["degC"]["unit"] == "degF"
          and abs(imp["degC"]["offset"] - 32) < 1e-9 and abs(imp["degC"]["scale"] - 1.8) < 1e-9
          and all(units[c] not in imp or imp[units[c]]["unit"] != units[c] for c in units),
          f"/api/channels carries the imperial display factors: {sorted(imp)}")

    # --- history (from the saver's database, read-only)
    wait_history(port, "A-01")

    def recorded():
        wells = {w["well"]: w for w in get_json(port, "/api/wells")[1]["wells"]}
        h = wells.get("A-01", {}).get("history")
        return h if h and h["samples"] >= 30 else None
    h = wait_until(recorded, timeout=20, what="30 recorded samples of A-01 (6 s at 5 Hz)")
    check(True, f"/api/wells adds what the history holds ({h['samples']} samples of A-01)")
    now = int(time.time() * 1e6)
    st, doc = get_json(port, f"/api/history?well=A-01&from={h['first_ts']}&to={h['last_ts']}"
                             "&channels=hook_load,spp&points=10")
    check(st == 200 and doc["source"] in ("raw", "samples") and 5 <= doc["points"] <= 10 and len(doc["t"]) == doc["points"]
          and sum(doc["n"]) == h["samples"],
          f"/api/history downsamples {h['samples']} raw samples to {doc.get('points')} points (at most 10): {doc.get('n')} {doc.get('source')}")
    hl = doc["channels"]["hook_load"]
    check(hl["unit"] == "kN" and all(lo <= mean <= hi for lo, mean, hi in zip(hl["min"], hl["mean"], hl["max"])
                                     if lo is not None), "each point has min <= mean <= max")
    # The same range in milliseconds, with the unit: the same samples (ms floor the start, ceil the end).
    st2, doc2 = get_json(port, f"/api/history?well=A-01&from={h['first_ts'] // 1000}ms"
                               f"&to={-(-h['last_ts'] // 1000)}ms&channels=hook_load,spp&points=10")
    check(st2 == 200 and sum(doc2["n"]) == h["samples"],
          f"/api/history takes milliseconds with their unit ({sum(doc2.get('n', []))} samples)")
    iso_from = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 120))
    st, doc = get_json(port, f"/api/history?well=A-02&from={iso_from}")
    check(st == 200 and "hook_load" in doc["channels"] and "rop" in doc["channels"],
          "/api/history takes ISO times and defaults to the main channels")

    bad = [
        ("/api/history", 400, "missing parameter 'well'"),
        ("/api/history?well=", 400, "missing parameter 'well'"),
        ("/api/history?well=A.01", 400, "bad 'well'"),
        ("/api/history?well=ZZ-99", 404, "unknown well"),
        ("/api/history?well=A-01&from=yesterday", 400, "bad 'from'"),
        ("/api/history?well=A-01&to=1.5", 400, "bad 'to'"),
        ("/api/history?well=A-01&from=2000&to=1000", 400, "'from' is after 'to'"),
        ("/api/history?well=A-01&channels=Hook", 400, "bad channel name"),
        ("/api/history?well=A-01&channels=wob,,rpm", 400, "bad channel name"),
        ("/api/history?well=A-01&channels=wob,wob", 400, "named twice"),
        ("/api/history?well=A-01&channels=no_such_curve", 400, "no_such_curve"),
        ("/api/history?well=A-01&points=0", 400, "bad 'points'"),
        ("/api/history?well=A-01&points=10001", 400, "bad 'points'"),
        ("/api/history?well=A-01&points=ten", 400, "bad 'points'"),
        ("/api/history?well=A-01&colour=red", 400, "unknown parameter 'colour'"),
        ("/api/history?well=A-01&well=A-02", 400, "given twice"),
        ("/api/export.csv", 400, "missing parameter 'well'"),
        ("/api/export.csv?well=A-01&points=5", 400, "unknown parameter 'points'"),
        ("/api/export.csv?well=A-01&from=x", 400, "bad 'from'"),
        # Milliseconds since the epoch read as microseconds named 1970: refused, naming the parameter.
        ("/api/history?well=A-01&from=1796506200000", 400, "bad 'from': 1796506200000 looks like seconds or milliseconds"),
        ("/api/export.csv?well=A-01&to=1796506200", 400, "bad 'to': 1796506200 looks like seconds or milliseconds"),
        ("/api/export.csv?well=Q-1", 404, "unknown well"),
        ("/api/alerts?well=A%2001", 400, "bad 'well'"),
        ("/api/alerts?state=active", 400, "unknown parameter"),
        ("/api/wells?x", 400, "unknown parameter"),
        ("/api/channels?all=1", 400, "unknown parameter"),
        ("/api/nope", 404, "no such path"),
        ("/api/alerts/1/nope", 404, "no such path"),
        ("/api/alerts/abc/ack", 405, "POST"),
    ]
    for path, want, text in bad:
        st, doc = get_json(port, path)
        check(st == want and doc and text in doc.get("error", "") and doc.get("status") == want,
              f"GET {path} -> {want} '{text}' (got {st} {doc})")

    # --- CSV export
    st, headers, body = request(port, "GET", f"/api/export.csv?well=A-01&from={now - 60_000_000}&channels=wob,rpm")
    lines = body.decode().splitlines()
    check(st == 200 and headers["content-type"].startswith("text/csv") and lines[0] == "time,ts_us,pub,seq,wob,rpm"
          and len(lines) > 2 and "attachment" in headers.get("content-disposition", ""),
          f"/api/export.csv gives CSV with a header and {len(lines) - 1} rows")
    # The operator's CSV (units=): rig state, depth, a units row, values converted. The same closed range twice.
    rng = f"well=A-01&from={now - 60_000_000}&to={now}"
    def csv_rows(units):
        st, _, body = request(port, "GET", f"/api/export.csv?{rng}&units={units}")
        return st, [ln.split(",") for ln in body.decode().splitlines()]
    st_m, metric = csv_rows("metric")
    st_i, imperial = csv_rows("imperial")
    head = metric[0] if metric else []
    col = {name: i for i, name in enumerate(head)}
    check(st_m == 200 and head[:5] == ["time", "ts_us", "pub", "seq", "rig_state"]
          and "hole_depth" in col and "bit_depth" in col and "hook_load" in col,
          f"units=metric: header {','.join(head)}")
    check(metric[1][:5] == ["UTC", "us", "", "", ""] and metric[1][col["hole_depth"]] == "m"
          and metric[1][col["hook_load"]] == "kN" and imperial[1][col["hole_depth"]] == "ft"
          and imperial[1][col["hook_load"]] == "klbf" and imperial[1][col["spp"]] == "psi",
          f"a units row: metric {','.join(metric[1])}; imperial {','.join(imperial[1])}")
    # The engine's (from its KPIs), and the simulator's rig_state events before the engine's first.
    states = {r[col["rig_state"]] for r in metric[2:]}
    check(len(metric) > 4 and len(imperial) == len(metric) and "" not in states
          and states <= set(ENGINE_STATES) | {"drilling", "reaming", "circulating", "off_bottom", "connection",
                                              "in_slips", "tripping_out", "tripping_in", "shut_in"}
          and states & set(ENGINE_STATES),
          f"a rig state on each of the {len(metric) - 2} rows, the engine's: {sorted(states)}")
    ratios = [float(i[col["hole_depth"]]) / float(m[col["hole_depth"]]) for m, i in zip(metric[2:], imperial[2:])
              if m[col["hole_depth"]] and float(m[col["hole_depth"]]) > 0]
    check(ratios and all(abs(r - 3.28084) < 1e-4 for r in ratios) and metric[2][1] == imperial[2][1],
          f"imperial values converted: hole depth ft / m = {ratios[0] if ratios else None} over {len(ratios)} rows")
    st, doc = get_json(port, f"/api/export.csv?{rng}&units=furlongs")
    check(st == 400 and "units" in doc.get("error", ""), f"units=furlongs -> 400 ({st} {doc})")

    # --- a real feed has no rig_state events: the export's rig state comes from the engine's KPIs
    raw = Publisher(suite, "wits0-rig9")
    t0 = now - 600_000_000
    for i in range(90):
        depth = 1500.0 + i * 0.01
        raw.send("telemetry", "R-09", {"ts": t0 + i * 1_000_000, "ch": {
            "bit_depth": depth, "hole_depth": depth, "block_pos": 20.0 - i * 0.01, "wob": 90.0, "rpm": 120.0,
            "torque": 12.0, "hook_load": 900.0, "spp": 180.0, "flow_in": 2200.0, "flow_out": 2190.0,
            "rop": 36.0}})
        time.sleep(0.05)
    raw.close()
    r09 = f"well=R-09&from={t0}&to={t0 + 90_000_000}&units=metric"

    def engine_states():
        st, _, body = request(port, "GET", f"/api/export.csv?{r09}")
        rows = [ln.split(",") for ln in body.decode().splitlines()] if st == 200 else []
        states = [r[4] for r in rows[2:]]
        return len(rows) == 92 and states[-1] and states
    states = wait_until(engine_states, timeout=30, what="R-09's export rows with the engine's rig state")
    check(set(states) - {""} <= {"drilling_rotary", "drilling_sliding"} and states.count("") < 30,
          f"a feed without rig_state events: the export carries the engine's rig state "
          f"({states.count('')} rows before its first KPI): {sorted(set(states))}")

    # --- alerts from the live topic, acknowledgement
    pub = Publisher(suite)
    pub.alert("A-01", 9007, "raised", message="Pit gain 2.5 m3")
    pub.alert("A-02", 9008, "raised", severity="critical", message="Kick suspected")
    def ours(kind="active", path="/api/alerts"):
        # The engine may raise alerts of its own on the simulated data: look at ours.
        return [a for a in get_json(port, path)[1][kind] if a.get("pub") == "testengine"]
    wait_until(lambda: len(ours()) == 2, timeout=10, what="two active alerts from the live topic")
    mine = ours(path="/api/alerts?well=A-01")
    check([a["alert_id"] for a in mine] == [9007] and mine[0]["message"] == "Pit gain 2.5 m3"
          and mine[0]["acked"] is False and all(a["well"] == "A-01" for a in get_json(port, "/api/alerts?well=A-01")[1]["active"]),
          "/api/alerts?well= filters by well")
    check(mine[0]["type"] == "threshold" and mine[0]["rule"] == "pit_gain_high",
          f"/api/alerts keeps the alert's own type: {mine[0].get('type')}")
    st, doc = get_json(port, "/api/alerts/9007/ack", "POST", {"by": "driller", "comment": "shakers checked"})
    check(st == 200 and doc["acked"] and doc["acked_by"] == "driller", f"POST ack -> 200 acked: {st}")
    st, doc = get_json(port, "/api/alerts/9008/ack", "POST", "")
    check(st == 400 and doc["error"].startswith("by: required"), f"POST ack with an empty body: 400 naming 'by' {doc}")
    st, doc = get_json(port, "/api/alerts/9008/shelve", "POST", {"by": "driller", "reason": "noisy", "minutes": 5})
    check(st == 409 and "does not manage alarms" in doc["error"],
          f"shelving an alert of an engine that does not manage alarms: 409 {doc}")
    for path, body, want, text in [
            ("/api/alerts/999/ack", {"by": "driller"}, 404, "unknown alert"),
            ("/api/alerts/0/ack", None, 400, "bad alert id"),
            ("/api/alerts/-1/ack", None, 400, "bad alert id"),
            ("/api/alerts/abc/ack", None, 400, "bad alert id"),
            ("/api/alerts/9007/ack", "{not json", 400, "body: expected a JSON object"),
            ("/api/alerts/9007/ack", {"by": 5}, 400, "by: expected a string"),
            ("/api/alerts/9007/ack", {"by": "x" * 65}, 400, "by: 65 characters, at most 64"),
            ("/api/alerts/9007/ack", {"by": "Ana", "comment": "c" * 501}, 400, "comment: 501 characters, at most 500"),
            ("/api/alerts/9007/ack", {"by": "Ana", "reason": "x"}, 400, "reason: not a field of this request"),
            ("/api/alerts/9007/shelve", {"by": "Ana", "minutes": 5}, 400, "reason: required"),
            ("/api/alerts/9007/shelve", {"by": "Ana", "reason": "r", "minutes": 721}, 400, "minutes: a whole number"),
            ("/api/alerts/9007/shelve", {"by": "Ana", "reason": "r", "minutes": 1.5}, 400, "minutes: a whole number"),
            ("/api/alerts/9007/out-of-service", {"by": "Ana", "reason": "r" * 201}, 400, "reason: 201 characters"),
            ("/api/alerts/9007/ack", "x" * 70000, 413, "too large")]:
        st, doc = get_json(port, path, "POST", body)
        check(st == want and text in doc["error"], f"POST {path} -> {want} '{text}' (got {st} {doc})")
    pub.alert("A-01", 9007, "cleared")
    wait_until(lambda: len(ours()) == 1, timeout=10, what="alert 9007 cleared")
    hist = [a for a in ours("history") if a["alert_id"] == 9007]
    check(hist and hist[0]["acked"] and hist[0]["active"] is False,
          "a cleared alert moves to the history and keeps its acknowledgement")

    # The bridge acknowledged it alone: its own audit record reaches the saver.
    def bridge_acks():
        st, doc = get_json(port, "/api/audit?action=ack")
        return [e for e in doc.get("entries", []) if e["alert_id"] == 9007] if st == 200 else []
    rec = wait_until(bridge_acks, timeout=20, what="the bridge's acknowledgement in the audit trail")
    check(len(rec) == 1 and rec[0]["who"] == "driller" and rec[0]["addr"] == "127.0.0.1" and rec[0]["well"] == "A-01"
          and rec[0]["detail"] == "shakers checked", f"the bridge's ack in /api/audit: who, where, what: {rec}")

    # --- thresholds, forwarded to the prediction engine's control endpoint
    st, doc = get_json(port, "/api/thresholds")
    check(st == 200 and doc["ok"] and isinstance(doc["rules"], list), f"GET /api/thresholds from the engine: {doc}")
    new = {"rules": [{"name": "gas_high", "channel": "gas", "max": 5, "severity": "warning"}]}
    st, doc = get_json(port, "/api/thresholds", "PUT", new)
    check(st == 200 and doc["ok"] and doc["rules"] == 1, f"PUT /api/thresholds sets the engine's rules: {st} {doc}")
    st, doc = get_json(port, "/api/thresholds")
    check(st == 200 and [r["name"] for r in doc["rules"]] == ["gas_high"] and doc["rules"][0]["max"] == 5,
          "the engine now has the new rule")
    for body, want, text in [({"rules": [{"name": "x", "channel": "gas", "max": 1, "severity": "loud"}]}, 400,
                              "severity"),
                             ({"version": 1}, 400, "body must be"), ({"rules": [], "cmd": "reload"}, 400, "body must be"),
                             ("[1,2]", 400, "body must be"), ("{oops", 400, "body must be"),
                             ('{"rules":[],"rules":[]}', 400, "body must be")]:
        st, doc = get_json(port, "/api/thresholds", "PUT", body)
        check(st == want and text in doc["error"], f"PUT /api/thresholds {str(body)[:30]} -> {want} (got {st} {doc})")
    st, doc = get_json(port, "/api/thresholds")
    check([r["name"] for r in doc["rules"]] == ["gas_high"], "a refused PUT changed nothing")
    st, doc = get_json(port, "/api/thresholds", "POST", new)
    check(st == 405, f"POST /api/thresholds -> 405 ({st})")
    st, doc = get_json(port, "/api/history?well=A-01", "DELETE")
    check(st == 405, f"DELETE /api/history -> 405 ({st})")
    check(engine.stop() == 0, "engine exits 0 on SIGTERM")
    t0 = time.monotonic()
    st, doc = get_json(port, "/api/thresholds")
    check(st == 503 and "not answering" in doc["error"] and time.monotonic() - t0 < 5,
          f"engine down: 503 within the request timeout ({st})")

    # --- the frontend tree, and nothing outside it
    st, headers, body = request(port, "GET", "/")
    check(st == 200 and headers["content-type"].startswith("text/html") and b"rigstream" in body,
          "/ serves the dashboard")
    st, headers, _ = request(port, "GET", "/app.js")
    check(st == 200 and "javascript" in headers["content-type"], "/app.js with a JavaScript type")
    for path in ["/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/vendor/../../CMakeCache.txt",
                 "/.hidden", "//etc/passwd", "/no-such-file.js", "/vendor", "/..%2f..%2fetc%2fpasswd",
                 "/%2e%2e%2f%2e%2e%2fetc%2fpasswd"]:
        st, data = raw_get(port, path)
        check(st in (400, 404) and b"root:" not in data, f"GET {path} is refused ({st})")
    st, _, _ = request(port, "POST", "/index.html", "x")
    check(st == 405, f"POST on a file -> 405 ({st})")

    # --- without a database: history answers 503, the rest works
    web2, port2 = start_web(suite, name="web-nodb", db=os.path.join(args.tmp, "missing", "none.db"))
    st, doc = get_json(port2, "/api/history?well=A-01")
    check(st == 503 and "history not available" in doc["error"], f"no database: /api/history -> 503 ({st})")
    st, doc = get_json(port2, "/api/export.csv?well=A-01")
    check(st == 503, f"no database: /api/export.csv -> 503 ({st})")
    st, doc = get_json(port2, "/api/health")
    check(st == 200 and doc["history"]["available"] is False, "no database: health says history unavailable")
    check(web2.stop() == 0, "second bridge exits 0")

    pub.close()
    for p in (web, saver, sim):
        rc = p.stop()
        check(rc == 0, f"{p.name} exits 0 on SIGTERM")
    check("stopped:" in web.text(), "the bridge reports its counters on exit")
    suite.broker.stop()
    print("test_web_api: all checks passed")


if __name__ == "__main__":
    main()
