"""/api/latest, /api/wells liveness and the health model, on the real broker
through the real web bridge.

A foreign publisher (docs/examples/rigstream_client.py, written from
docs/PROTOCOL.md alone) sends samples; /api/latest must answer each channel's
last value with that reading's own time, a channel that stopped reporting
keeps its older value and turns stale, and the engine's quality verdict and
rig state (a kpi message as the engine sends it) show beside the values.
Then health: a component that stops cleanly leaves /api/health "ok" and
scripts/monitor healthy; one killed without a word makes both unhealthy.
"""
import importlib.util
import json
import os
import subprocess
import time

import rigtest
import webtest
from rigtest import check, wait_until

WELL = "LT-1"
TIMEOUT_S = 2


def foreign_publisher(suite):
    path = os.path.join(rigtest.ARGS.source_dir, "docs", "examples", "rigstream_client.py")
    spec = importlib.util.spec_from_file_location("rigstream_client", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    pub = mod.Publisher(f"tcp://127.0.0.1:{suite.front}", "py-foreign")
    check(pub.wait_ready(10), "the foreign publisher sees the broker")
    return pub


def latest(port, well=None):
    status, doc = webtest.get_json(port, "/api/latest" + (f"?well={well}" if well else ""))
    return status, doc


def monitor(suite, run_dir):
    env = rigtest.scripts_env(run_dir, os.path.join(rigtest.ARGS.tmp, "none.db"), rigtest.ARGS.build_dir)
    env["BROKER_CONTROL_PORT"] = str(suite.ctl)
    script = os.path.join(rigtest.ARGS.source_dir, "scripts", "monitor")
    r = subprocess.run([script, "--json", "--no-rates"], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30, cwd=rigtest.ARGS.tmp)
    return r.returncode, json.loads(r.stdout.decode())


def main():
    rigtest.setup()
    suite = rigtest.Suite()
    suite.start_broker()
    web, port = webtest.start_web(suite, extra_env={"WEB_WELL_TIMEOUT_S": str(TIMEOUT_S)})

    status, doc = latest(port, WELL)
    check(status == 404, f"/api/latest of a well never seen answers 404 ({status})")
    status, doc = latest(port, "bad%20well")
    check(status == 400, f"a bad well name answers 400 ({status})")
    status, doc = webtest.get_json(port, "/api/latest?nope=1")
    check(status == 400, f"an unknown parameter answers 400 ({status})")

    # --- latest values from a foreign publisher --------------------------------
    pub = foreign_publisher(suite)
    t0 = int(time.time() * 1e6)
    pub.sample(WELL, {"hook_load": 1100.5, "wob": 80.25, "py_torque_aux": 7.0}, ts_us=t0)
    last_ts = t0 + 1_000_000
    last_seq = None
    # wob stops reporting; hook_load goes on (nil rpm: "no reading" is not a value).
    def send_more():
        nonlocal last_seq
        last_seq = pub.sample(WELL, {"hook_load": 1234.75, "rpm": float("nan")}, ts_us=last_ts)
    send_more()
    def has_latest():
        status, doc = latest(port, WELL)
        return doc if status == 200 and doc["channels"].get("hook_load", {}).get("value") == 1234.75 else None
    doc = wait_until(has_latest, timeout=15, what="/api/latest to show the foreign publisher's last sample")
    ch = doc["channels"]
    check(doc["well"] == WELL and doc["ts"] == last_ts, f"the well's ts is its last sample's ({doc['ts']})")
    check(doc["live"] is True and 0 <= doc["age_s"] < TIMEOUT_S, f"the well is live, age {doc['age_s']}")
    check(ch["hook_load"]["ts"] == last_ts and ch["hook_load"]["unit"] == "kN"
          and ch["hook_load"]["quality"] == "ok" and ch["hook_load"]["pub"] == "py-foreign",
          f"hook_load: last value, its time, unit, quality, publisher ({ch['hook_load']})")
    check(ch["wob"]["value"] == 80.25 and ch["wob"]["ts"] == t0,
          f"wob keeps its last value with its own older ts ({ch['wob']})")
    check(ch["py_torque_aux"]["value"] == 7.0 and ch["py_torque_aux"]["unit"] is None,
          "a custom channel is listed, unit unknown")
    check("rpm" not in ch, "a channel that only ever carried nil has no value")
    check(ch["hook_load"]["time"].startswith(time.strftime("%Y-", time.gmtime(last_ts / 1e6))),
          "each value carries its time in ISO 8601 too")

    status, all_doc = latest(port)
    check(status == 200 and [w["well"] for w in all_doc["wells"]] == [WELL], "/api/latest lists every well")

    # --- the engine's verdicts ----------------------------------------------
    engine = webtest.Publisher(suite, "prediction_engine")
    def send_kpi():
        engine.send("kpi", WELL, {"values": {"mse_mpa": 55.0}, "rig_state": "drilling_rotary",
                                  "block_weight_source": "learned",
                                  "quality": {"wob": "wob pinned at -89 kN"}})
        send_more()
        status, doc = latest(port, WELL)
        return doc if doc and doc["channels"]["wob"]["quality"] != "ok" else None
    doc = wait_until(send_kpi, timeout=15, what="the engine's quality verdict in /api/latest")
    check(doc["rig_state"] == "drilling_rotary" and doc["block_weight_source"] == "learned",
          f"rig state and block weight source from the engine ({doc.get('rig_state')})")
    check(doc["channels"]["wob"]["quality"] in ("wob pinned at -89 kN", "stale"),
          f"wob carries the engine's verdict ({doc['channels']['wob']['quality']})")
    check(doc["channels"]["hook_load"]["quality"] == "ok", "a channel the engine did not name stays ok")

    # --- silence: stale channels, a well no longer live ----------------------
    def wob_stale():
        send_more()
        doc = latest(port, WELL)[1]
        return doc if doc["channels"]["wob"]["quality"] == "stale" else None
    doc = wait_until(wob_stale, timeout=TIMEOUT_S + 15, what="wob to turn stale while hook_load goes on")
    check(doc["live"] and doc["channels"]["hook_load"]["quality"] in ("ok",),
          "the well stays live while hook_load reports")
    def not_live():
        status, doc = webtest.get_json(port, "/api/wells")
        w = [x for x in doc["wells"] if x["well"] == WELL]
        return w[0] if w and w[0]["live"] is False else None
    w = wait_until(not_live, timeout=TIMEOUT_S + 15, what="/api/wells to say the silent well is not live")
    check(w["age_s"] >= TIMEOUT_S, f"/api/wells gives age_s ({w['age_s']})")
    doc = latest(port, WELL)[1]
    check(doc["live"] is False and all(c["quality"] == "stale" for c in doc["channels"].values()),
          "after the silence every channel is stale and the well not live")
    pub.close()
    engine.close()

    # --- health: a clean stop is not a fault, a silent death is --------------
    run_dir = os.path.join(rigtest.ARGS.tmp, "run")
    os.makedirs(run_dir, exist_ok=True)
    logger = suite.start("logger", "rigstream-logger", ["--topics", "telemetry.none"])
    logger.wait_for("ready", timeout=10)
    def health_has(name, want):
        status, doc = webtest.get_json(port, "/api/health")
        c = (doc or {}).get("components", {}).get(name)
        return doc if c and c.get("health") == want else None
    wait_until(lambda: health_has("console_logger", "up"), timeout=15, what="the logger up in /api/health")
    check(logger.stop() == 0, "the logger stops cleanly")
    doc = wait_until(lambda: health_has("console_logger", "stopped"), timeout=15,
                     what="the logger's clean stop in /api/health")
    wait_until(lambda: webtest.get_json(port, "/api/health")[1]["status"] == "ok", timeout=15,
               what="/api/health ok after a clean stop")
    doc = webtest.get_json(port, "/api/health")[1]
    check(doc["problems"] == [], f"no problems after a clean stop ({doc['problems']})")
    rc, rep = monitor(suite, run_dir)
    check(rc == 0 and rep["healthy"], f"scripts/monitor agrees: healthy ({rep['problems']})")

    victim = suite.start("victim", "rigstream-logger", ["--topics", "telemetry.none", "--name", "logger_b"])
    victim.wait_for("ready", timeout=10)
    wait_until(lambda: health_has("logger_b", "up"), timeout=15, what="the second logger up in /api/health")
    victim.kill()
    doc = wait_until(lambda: health_has("logger_b", "down"), timeout=15,
                     what="a component killed without a word to be down")
    check(doc["status"] == "degraded" and any(p.startswith("logger_b:") for p in doc["problems"]),
          f"/api/health is degraded and names it ({doc['problems']})")
    rc, rep = monitor(suite, run_dir)
    check(rc == 1 and any(p.startswith("logger_b:") for p in rep["problems"]),
          f"scripts/monitor agrees: not healthy ({rep['problems']})")

    check(web.stop() == 0, "the web bridge exits 0")
    check(suite.broker.stop() == 0, "the broker exits 0")
    print("test_web_latest: all checks passed")


if __name__ == "__main__":
    main()
