"""A shelved alarm comes back by itself, over real processes: broker,
simulator, saver, prediction engine and rigstream-web.

An alarm shelved for the shortest time the API allows (1 minute) is shown
shelved until then; when the minute is over the engine lifts the shelf on
its own: the alarm is no longer shelved in /api/alerts, still waits for its
acknowledgement, and the audit trail holds the shelve (who, from where, why)
and its expiry by the engine. Most of the test is that minute's wait.
"""
import os
import time

import rigtest
from rigtest import Suite, check, free_port, wait_until
from webtest import get_json, start_web

RULE = "SPP above 0.5 bar"


def alarm(port, alert_id):
    st, doc = get_json(port, "/api/alerts")
    if st != 200:
        return None
    return next((a for a in doc["active"] if a["alert_id"] == alert_id), None)


def audit(port, alert_id):
    st, doc = get_json(port, "/api/audit?limit=200")
    return [e for e in doc.get("entries", []) if e.get("alert_id") == alert_id] if st == 200 else []


def main():
    args = rigtest.setup()
    suite = Suite()
    suite.start_broker()
    db = os.path.join(args.tmp, "rig.db")
    ctl = free_port()
    saver = suite.start("saver", "rigstream-saver", [], {"DATABASE_PATH": db})
    saver.wait_for(r"ready", timeout=20)
    engine = suite.start("engine", "rigstream-engine", [],
                         {"ENGINE_CONTROL_PORT": str(ctl),
                          "ENGINE_RULES_FILE": os.path.join(args.tmp, "rules.json"),
                          "ENGINE_STATE_FILE": os.path.join(args.tmp, "alarms.json")})
    engine.wait_for(r"ready: ", timeout=20)
    web, port = start_web(suite, db=db, engine_port=ctl)
    sim = suite.start("sim", "rigstream-sim", ["--rate", "5", "--seed", "4"])
    sim.wait_for(r"publishing", timeout=10)

    st, doc = get_json(port, "/api/thresholds", "PUT",
                       {"by": "Cy", "rules": [{"name": RULE, "channel": "spp", "max": 0.5, "severity": "critical"}]})
    check(st == 200, f"rule set: {st} {doc}")
    a = wait_until(lambda: next((x for x in get_json(port, "/api/alerts")[1].get("active", [])
                                 if x.get("rule") == RULE), None), timeout=30, what="the rule's alarm")
    aid = a["alert_id"]

    t0 = time.time()
    st, doc = get_json(port, f"/api/alerts/{aid}/shelve", "POST",
                       {"by": "Cy", "reason": "pressure sensor recalibration", "minutes": 1})
    until_s = doc.get("shelved_until_us", 0) / 1e6
    check(st == 200 and abs(until_s - (t0 + 60)) < 5, f"alarm {aid} shelved for one minute (until {until_s:.1f}, "
          f"{until_s - t0:.1f} s from now)")
    time.sleep(5)
    a = alarm(port, aid)
    check(a is not None and a["shelved_until_us"] / 1e6 > time.time() and a["alarm_state"] == "unack_active",
          f"5 s later it is still shelved, and still active: {a and (a['alarm_state'], a['shelved_until_us'])}")

    # The minute passes; the engine lifts the shelf itself (no request).
    time.sleep(max(0.0, until_s - time.time()))
    back = wait_until(lambda: (lambda x: x if x and not x["shelved_until_us"] else None)(alarm(port, aid)),
                      timeout=30, what="the alarm no longer shelved")
    t_back = time.time()
    check(back["alarm_state"] == "unack_active" and t_back - until_s < 30,
          f"the shelf expired by itself {t_back - until_s:.1f} s after its end: the alarm is back, "
          f"{back['alarm_state']}")
    entries = wait_until(lambda: (lambda e: e if any(x["action"] == "shelve_expired" for x in e) else None)(
        audit(port, aid)), timeout=20, what="the expiry in the audit trail")
    shelve = next(e for e in entries if e["action"] == "shelve")
    expired = next(e for e in entries if e["action"] == "shelve_expired")
    check(shelve["who"] == "Cy" and shelve["addr"] == "127.0.0.1" and "recalibration" in (shelve["detail"] or ""),
          f"the audit trail has the shelve with who, where and why: {shelve}")
    check(expired["who"] == "engine", f"and its expiry, by the engine: {expired}")
    print("test_alarm_shelve: all checks passed")


if __name__ == "__main__":
    main()
