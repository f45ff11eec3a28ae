"""End to end: broker + simulator with an injected kick + prediction engine.

The engine publishes kpi.<well> and an alert raised, then cleared, for the
kick (after the simulator's ground truth says it started); a SIGHUP re-reads
the configuration file and a new rule fires; the control endpoint lists and
replaces the rules (a removed rule's alert clears, a new one fires) and
refuses bad ones; a bad configuration file stops the engine with status 2.
"""
import json
import os
import signal

import rigtest
from rigtest import Proc, Suite, binary, check, fail, free_port, wait_until


def lines(proc):
    out = []
    for line in proc.text("out").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


def alerts(proc, **match):
    return [m for m in lines(proc) if m.get("kind") == "alert"
            and all(m.get(k) == v for k, v in match.items())]


def control(port, request, timeout_ms=3000):
    import zmq
    s = zmq.Context.instance().socket(zmq.REQ)
    s.setsockopt(zmq.LINGER, 0)
    s.setsockopt(zmq.RCVTIMEO, timeout_ms)
    s.connect(f"tcp://127.0.0.1:{port}")
    try:
        s.send_string(json.dumps(request))
        return json.loads(s.recv().decode())
    except zmq.Again:
        fail(f"no reply from the engine's control endpoint to {request}")
    finally:
        s.close()


def write_config(path, rules):
    with open(path, "w") as f:
        json.dump({"version": 1, "rules": rules}, f)


def main():
    args = rigtest.setup()
    suite = Suite()
    suite.start_broker()

    # Bad configuration files: clear message, exit status 2.
    bad = os.path.join(args.tmp, "bad.json")
    with open(bad, "w") as f:
        f.write('{"rules": [{"channel": "spp", "max": 300, "severity": "loud"}]}')
    p = suite.start("engine-bad", "rigstream-engine", ["--config", bad, "--control-port", "0"])
    rc = p.p.wait(20)
    check(rc == 2, f"bad configuration file: exit status {rc}")
    check("rules[0].severity" in p.text() and "bad.json" in p.text(),
          f"the error names the file and the field: {p.text().strip()[-200:]}")
    p = suite.start("engine-missing", "rigstream-engine", ["--config", os.path.join(args.tmp, "nope.json")])
    check(p.p.wait(20) == 2 and "nope.json" in p.text(), "missing configuration file: exit status 2")

    config = os.path.join(args.tmp, "engine.json")
    write_config(config, [{"name": "gas_high", "channel": "gas", "max": 90}])
    ctl_port = free_port()
    logger = suite.start("logger", "rigstream-logger", ["--json", "--topics", "kpi.,alert.,event."])
    logger.wait_for(r"ready", timeout=10)
    engine = suite.start("engine", "rigstream-engine", ["--config", config],
                         extra_env={"ENGINE_CONTROL_PORT": str(ctl_port), "ENGINE_KPI_MS": "200",
                                    "ENGINE_ROCK_CCS_MPA": "60"})
    engine.wait_for(r"ready: .* 1 rule\(s\)", timeout=10)

    # 30 simulated seconds per real second, one sample per 3 simulated s;
    # the kick starts at 300 s (10 s in) and lasts 300 s.
    sim = suite.start("sim", "rigstream-sim", ["--events", "kick@300:300", "--speed", "30", "--rate", "10",
                                               "--seed", "5"])
    sim.wait_for(r"publishing", timeout=10)

    wait_until(lambda: any(m.get("kind") == "kpi" for m in lines(logger)), timeout=20,
               what="kpi.A-01 from the engine")
    kpi = [m for m in lines(logger) if m.get("kind") == "kpi"][-1]
    vals = kpi.get("values", {})
    check(kpi["topic"] == "kpi.A-01" and isinstance(kpi.get("rig_state"), str),
          f"kpi.A-01 carries values and rig_state ({kpi.get('rig_state')})")
    check(all(k in vals for k in ("mse_stand_ratio", "ccs_mse_ratio", "mse_psi", "rop_avg5m", "flow_balance",
                                  "on_bottom_pct", "rop_next_stand", "pit_alarm_eta_min")),
          f"kpi values include the KPIs ({len(vals)} values)")
    check("drilling_efficiency" not in vals, "no KPI named drilling_efficiency (it had units)")
    # ENGINE_ROCK_CCS_MPA=60 reaches the KPIs: CCS / MSE of the 5-minute MSE.
    drilled = wait_until(lambda: [m["values"] for m in lines(logger) if m.get("kind") == "kpi"
                                  and m.get("values", {}).get("mse_avg5m_mpa")], timeout=20,
                         what="a KPI message with a 5-minute MSE")[-1]
    ratio = drilled.get("ccs_mse_ratio")
    check(ratio is not None and abs(ratio - 60 / drilled["mse_avg5m_mpa"]) <= 1e-6 * ratio,
          f"ccs_mse_ratio {ratio} = 60 MPa / mse_avg5m_mpa {drilled['mse_avg5m_mpa']}")

    raised = wait_until(lambda: alerts(logger, type="kick", state="raised"), timeout=60,
                        what="a kick alert raised")[0]
    start = [m for m in lines(logger) if m.get("kind") == "event" and m.get("event") == "kick"
             and m.get("phase") == "start"]
    check(len(start) == 1, "the simulator published the kick's start")
    delay = (raised["ts"] - start[0]["ts"]) / 1e6
    check(0 <= delay < 180, f"kick alert {delay:.0f} simulated s after the kick started")
    check(raised["severity"] in ("warning", "critical") and raised["alert_id"] >= 1
          and "kick" in raised["message"].lower() and raised.get("channel") == "flow_out"
          and raised["started_ts"] == raised["ts"],
          f"raised alert fields: {raised['message'][:80]}")
    cleared = wait_until(lambda: alerts(logger, type="kick", state="cleared",
                                        alert_id=raised["alert_id"]), timeout=90,
                         what="the kick alert cleared")[0]
    check(cleared["started_ts"] == raised["started_ts"] and cleared["ts"] > raised["ts"],
          f"cleared with the same id and start ({cleared['message']})")

    # SIGHUP: a rule that fires at once.
    write_config(config, [{"name": "spp_any", "channel": "spp", "max": 0.5}])
    engine.signal(signal.SIGHUP)
    engine.wait_for(r"configuration reloaded \(SIGHUP\).*1 rule", timeout=10)
    hit = wait_until(lambda: alerts(logger, type="threshold", rule="spp_any", state="raised"),
                     timeout=30, what="the reloaded rule's alert")[0]
    check(hit["threshold"] == 0.5 and hit["channel"] == "spp", "threshold alert carries rule, channel, threshold")
    check(engine.alive(), "the engine survives SIGHUP")

    # Control endpoint.
    r = control(ctl_port, {"cmd": "get_thresholds"})
    check(r["ok"] and [x["name"] for x in r["rules"]] == ["spp_any"], f"get_thresholds: {r['rules']}")
    r = control(ctl_port, {"cmd": "set_thresholds", "rules": [{"channel": "flow_in", "max": 10}]})
    check(r["ok"] and r["rules"] == 1 and r["saved"] is True, f"set_thresholds: {r}")
    wait_until(lambda: alerts(logger, rule="spp_any", state="cleared"), timeout=30,
               what="the removed rule's alert cleared")
    wait_until(lambda: alerts(logger, rule="flow_in_high", state="raised"), timeout=30,
               what="the new rule's alert")
    rules_file = os.path.join(os.environ["RIGSTREAM_RUN_DIR"], "state", "engine-rules.json")
    check(r["file"] == rules_file, f"set_thresholds saved to the rules file under the run directory: {r['file']}")
    with open(rules_file) as f:
        saved = json.load(f)
    check([x["name"] for x in saved["rules"]] == ["flow_in_high"], "set_thresholds saved the rules file")
    r = control(ctl_port, {"cmd": "set_thresholds", "rules": [{"channel": "spp"}]})
    check(not r["ok"] and "rules[0]" in r["error"], f"bad rules refused: {r.get('error')}")
    r = control(ctl_port, {"cmd": "status"})
    check(r["ok"] and r["wells"][0]["well"] == "A-01" and r["counters"]["samples"] > 0,
          f"status: {len(r['alerts'])} active alert(s), {r['counters']['samples']} samples")
    r = control(ctl_port, {"cmd": "reload"})
    check(r["ok"] and r["rules"] == 1, "reload through the control endpoint")

    status = json.loads(suite.control("STATUS"))
    check("prediction_engine" in status.get("components", {}), "the broker sees the engine's heartbeats")
    for p in (sim, engine, logger):
        check(p.stop() == 0, f"{p.name} exits 0 on SIGTERM")
    check("stopped:" in engine.text(), "the engine reports its counters on exit")
    check(suite.broker.stop() == 0, "broker exits 0")
    print("test_engine: all checks passed")


if __name__ == "__main__":
    main()
