"""Alarm management end to end over real processes: broker, simulator,
saver, prediction engine and rigstream-web.

Threshold rules set over HTTP (names with spaces) survive kill -9 of the
engine; acknowledgement with a name and a comment, shelve / unshelve, out of
service / in service go through the bridge to the engine, are refused with
the field named, 404 or 409 as they should be, and survive kill -9 of the
bridge; alert ids continue across an engine restart; an alarm whose rule is
gone after the restart is cleared; the saver's audit trail holds every
transition and every rule change with who and from where (GET /api/audit,
read after a kill -9 of the bridge).
"""
import json
import os
import signal
import time

import rigtest
from rigtest import Suite, check, free_port, wait_until
from webtest import get_json, start_web

SPP = "SPP above 0.5 bar"
HOOK = "Hook load > 0.1 kN"
GAS = "Gas over 100 %"


def ours(port, rule):
    st, doc = get_json(port, "/api/alerts")
    if st != 200:
        return []
    return [a for a in doc["active"] if a.get("rule") == rule]


def start_engine(suite, ctl, name, rules_file, state_file):
    engine = suite.start(name, "rigstream-engine", [],
                         {"ENGINE_CONTROL_PORT": str(ctl), "ENGINE_RULES_FILE": rules_file,
                          "ENGINE_STATE_FILE": state_file, "ENGINE_RECHECK_S": "4", "ENGINE_KPI_MS": "500"})
    engine.wait_for(r"ready: ", timeout=20)
    return engine


def main():
    args = rigtest.setup()
    suite = Suite()
    suite.start_broker()
    db = os.path.join(args.tmp, "rig.db")
    state_dir = os.path.join(args.tmp, "state")
    rules_file = os.path.join(state_dir, "rules.json")
    state_file = os.path.join(state_dir, "alarms.json")
    ctl = free_port()
    saver = suite.start("saver", "rigstream-saver", [], {"DATABASE_PATH": db})
    saver.wait_for(r"ready", timeout=20)
    engine = start_engine(suite, ctl, "engine", rules_file, state_file)
    web, port = start_web(suite, db=db, engine_port=ctl)
    sim = suite.start("sim", "rigstream-sim", ["--rate", "5", "--seed", "3"])
    sim.wait_for(r"publishing", timeout=10)

    # --- rules: human names, clear errors naming the field, live and on disk
    for rules, text in [([{"name": "", "channel": "spp", "max": 1}], "rules[0].name: required"),
                        ([{"name": "x" * 65, "channel": "spp", "max": 1}], "rules[0].name: longer than 64"),
                        ([{"name": "tab\there", "channel": "spp", "max": 1}], "rules[0].name: control characters"),
                        ([{"name": " lead", "channel": "spp", "max": 1}], "rules[0].name: no spaces at the start")]:
        st, doc = get_json(port, "/api/thresholds", "PUT", {"rules": rules})
        check(st == 400 and doc["error"].startswith(text), f"bad rule name refused: {doc.get('error')}")
    new = {"by": "Ana Lima",
           "rules": [{"name": SPP, "channel": "spp", "max": 0.5, "severity": "critical"},
                     {"name": HOOK, "channel": "hook_load", "max": 0.1},
                     {"name": GAS, "channel": "gas", "max": 1000}]}
    st, doc = get_json(port, "/api/thresholds", "PUT", new)
    check(st == 200 and doc["saved"] and doc["file"] == rules_file, f"PUT /api/thresholds saved to the rules file: {doc}")
    with open(rules_file) as f:
        check([r["name"] for r in json.load(f)["rules"]] == [SPP, HOOK, GAS], "the rules file holds the rules by name")

    spp = wait_until(lambda: ours(port, SPP), timeout=30, what="the SPP rule's alarm")[0]
    hook = wait_until(lambda: ours(port, HOOK), timeout=30, what="the hook load rule's alarm")[0]
    check(spp["alarm_state"] == "unack_active" and spp["acked"] is False and spp["acked_by"] is None
          and spp["out_of_service"] is False and spp["shelved_until_us"] == 0 and "first_out" in spp,
          f"a new alarm is unack_active with the lifecycle fields: {spp}")
    sid, hid = spp["alert_id"], hook["alert_id"]

    # --- acknowledgement with a name and a comment
    st, doc = get_json(port, f"/api/alerts/{sid}/ack", "POST", {"by": "Ana Lima", "comment": "pumps checked, élan"})
    check(st == 200 and doc["alarm_state"] == "ack_active" and doc["acked_by"] == "Ana Lima"
          and doc["ack_comment"] == "pumps checked, élan" and doc["acked"] is True and doc["acked_us"] > 0,
          f"ack with a name and a comment: {st} {doc}")
    st, doc = get_json(port, f"/api/alerts/{sid}/ack", "POST", {"by": "Bo"})
    check(st == 409 and "already acknowledged by Ana Lima" in doc["error"], f"a second ack: 409 {doc}")
    st, doc = get_json(port, "/api/alerts/987654/ack", "POST", {"by": "Bo"})
    check(st == 404, f"ack of an unknown alarm: 404 {doc}")
    st, doc = get_json(port, f"/api/alerts/{sid}/ack", "POST", {"by": "  "})
    check(st == 400 and doc["error"].startswith("by: required"), f"a blank name: 400 {doc}")

    # --- shelve, unshelve, out of service, in service
    before = int(time.time() * 1e6)
    st, doc = get_json(port, f"/api/alerts/{hid}/shelve", "POST", {"by": "Bo", "reason": "sensor swap", "minutes": 30})
    check(st == 200 and abs(doc["shelved_until_us"] - (before + 30 * 60_000_000)) < 60_000_000,
          f"shelved for 30 minutes: {doc.get('shelved_until_us')}")
    st, doc = get_json(port, f"/api/alerts/{hid}/shelve", "POST", {"by": "Bo", "reason": "again", "minutes": 5})
    check(st == 409, f"shelving a shelved alarm: 409 {doc}")
    st, doc = get_json(port, f"/api/alerts/{hid}/unshelve", "POST", {"by": "Bo"})
    check(st == 200 and doc["shelved_until_us"] == 0, "unshelved")
    st, doc = get_json(port, f"/api/alerts/{hid}/unshelve", "POST", {"by": "Bo"})
    check(st == 409, f"unshelving an alarm not shelved: 409 {doc}")
    st, doc = get_json(port, f"/api/alerts/{hid}/out-of-service", "POST", {"by": "Bo", "reason": "load cell removed"})
    check(st == 200 and doc["out_of_service"] is True, "out of service")
    st, doc = get_json(port, f"/api/alerts/{hid}/shelve", "POST", {"by": "Bo", "reason": "x", "minutes": 5})
    check(st == 409 and "out of service" in doc["error"], f"shelving an alarm out of service: 409 {doc}")
    st, doc = get_json(port, f"/api/alerts/{hid}/in-service", "POST", {"by": "Bo"})
    check(st == 200 and doc["out_of_service"] is False, "back in service")

    # --- kill -9 of the bridge: the acknowledgement comes back from the engine
    web.p.send_signal(signal.SIGKILL)
    web.p.wait(10)
    web, port = start_web(suite, name="web2", db=db, engine_port=ctl)
    back = wait_until(lambda: ours(port, SPP), timeout=20, what="the alarm listed by the restarted bridge")[0]
    check(back["alert_id"] == sid and back["acked_by"] == "Ana Lima" and back["ack_comment"] == "pumps checked, élan",
          f"after kill -9 of the bridge the ack is still there: {back}")

    # --- kill -9 of the engine: rules, ids and the acknowledgement survive
    engine.p.send_signal(signal.SIGKILL)
    engine.p.wait(10)
    engine = start_engine(suite, ctl, "engine2", rules_file, state_file)
    check("3 rule(s)" in engine.text() and "2 alarm(s) carried" in engine.text(),
          "the restarted engine read its rules file and carried its two alarms")
    st, doc = get_json(port, "/api/thresholds")
    check(st == 200 and [r["name"] for r in doc["rules"]] == [SPP, HOOK, GAS], "the rules set over HTTP survived kill -9")
    # A new rule's alarm gets a new id; the SPP condition still holds, so its
    # alarm goes on with its old id and acknowledgement.
    more = {"by": "Bo", "rules": new["rules"][:2] + [dict(new["rules"][2], max=999),
                                                      {"name": "RPM above 0", "channel": "rpm", "max": -1}]}
    # The saver is down while the rules change, twice: both records reach the database once it is back (the
    # broker's last-value cache holds only the last one; the engine's journal has both).
    wait_until(lambda: any(e["action"] == "ack" and e["who"] == "Ana Lima"
                           for e in get_json(port, "/api/audit?action=ack")[1].get("entries", [])),
               timeout=20, what="the saver to hold the acknowledgement before it is killed")
    saver.p.send_signal(signal.SIGKILL)
    saver.p.wait(10)
    st, _ = get_json(port, "/api/thresholds", "PUT", more)
    check(st == 200, "a third rule added after the restart")
    st, _ = get_json(port, "/api/thresholds", "PUT", more)
    check(st == 200, "the same rules set again")
    saver = suite.start("saver2", "rigstream-saver", [], {"DATABASE_PATH": db})
    saver.wait_for(r"ready", timeout=20)
    rpm = wait_until(lambda: ours(port, "RPM above 0"), timeout=30, what="the new rule's alarm")[0]
    check(rpm["alert_id"] > max(sid, hid), f"a new alarm after the restart takes a new id: {rpm['alert_id']} > {max(sid, hid)}")
    still = ours(port, SPP)
    check(still and still[0]["alert_id"] == sid and still[0]["acked_by"] == "Ana Lima" and still[0]["active"],
          f"the SPP alarm kept its id and acknowledgement across the restart: {still}")

    # --- restart with the hook load rule gone: its alarm no longer holds
    engine.p.send_signal(signal.SIGKILL)
    engine.p.wait(10)
    fewer = os.path.join(state_dir, "fewer.json")
    with open(fewer, "w") as f:
        json.dump({"version": 1, "rules": [new["rules"][0]]}, f)
    engine = start_engine(suite, ctl, "engine3", fewer, state_file)

    def hook_returned():
        a = ours(port, HOOK)
        return a and a[0]["alarm_state"] == "rtn_unack" and a[0]["active"] is False and a

    gone = wait_until(hook_returned, timeout=40, what="the hook load alarm cleared after the restart")[0]
    check(gone["alert_id"] == hid and gone["detail"] == "no longer holds after the engine restarted",
          f"cleared by the engine, unacknowledged, still listed: {gone.get('detail')}")
    st, doc = get_json(port, f"/api/alerts/{hid}/ack", "POST", {"by": "Bo", "comment": "rule removed"})
    check(st == 200 and doc["alarm_state"] == "normal", f"acknowledged after its return: normal {doc.get('alarm_state')}")
    wait_until(lambda: not ours(port, HOOK), timeout=10, what="the normal alarm to leave the active list")
    st, doc = get_json(port, "/api/alerts")
    check(any(a["alert_id"] == hid for a in doc["history"]), "and it is in the history")
    # The bridge restarted again: its history comes back from the recorder.
    wait_until(lambda: get_json(port, f"/api/audit?action=ack&limit=50")[1]["entries"][0]["who"] == "Bo",
               timeout=20, what="the saver to record the last acknowledgement")
    web.p.send_signal(signal.SIGKILL)
    web.p.wait(10)
    web, port = start_web(suite, name="web3", db=db, engine_port=ctl)
    st, doc = get_json(port, "/api/alerts")
    past = [a for a in doc["history"] if a["alert_id"] == hid]
    check(len(past) == 1 and past[0]["alarm_state"] == "normal" and past[0]["acked_by"] == "Bo"
          and past[0]["ack_comment"] == "rule removed" and past[0]["well"] == "A-01",
          f"after another kill -9 of the bridge its history comes back from the database: {past}")
    check(any(a["alert_id"] == sid for a in doc["active"]), "and the active alarms from the engine")

    # --- the audit trail in the saver's database
    def audit(q=""):
        st, doc = get_json(port, "/api/audit" + q)
        return doc["entries"] if st == 200 else []

    want = [("ack", "Ana Lima", sid), ("shelve", "Bo", hid), ("unshelve", "Bo", hid), ("out_of_service", "Bo", hid),
            ("in_service", "Bo", hid), ("ack", "Bo", hid)]

    def complete():
        got = {(e["action"], e["who"], e["alert_id"]) for e in audit()}
        return all(w in got for w in want)

    wait_until(complete, timeout=30, what="every operator request in the audit trail")
    entries = audit()
    ack = [e for e in entries if e["action"] == "ack" and e["alert_id"] == sid][0]
    check(ack["addr"] == "127.0.0.1" and ack["detail"] == "pumps checked, élan" and ack["well"] == "A-01"
          and ack["ts_us"] >= before - 600_000_000, f"the ack's audit entry: who, from where, what: {ack}")
    shelve = [e for e in entries if e["action"] == "shelve"][0]
    check(shelve["detail"] == "30 min: sensor swap" and shelve["addr"] == "127.0.0.1", f"the shelve's: {shelve}")
    raised = [e for e in entries if e["action"] == "raise" and e["alert_id"] in (sid, hid)]
    check(len(raised) == 2 and all(e["who"] == "engine" for e in raised), "raises are in the trail, by the engine")
    cleared = [e for e in entries if e["action"] == "clear" and e["alert_id"] == hid]
    check(cleared and cleared[0]["detail"] == "no longer holds after the engine restarted",
          "the clear after the restart is in the trail")
    # Rule changes: who, from where, which rules were added or changed; a
    # refused rule set (the bad names above) is not a change.
    rules_set = sorted(wait_until(lambda: len(audit("?action=rules_set")) >= 3 and audit("?action=rules_set"),
                                  timeout=30, what="the three rule sets in the trail"), key=lambda e: e["ts_us"])
    check(len(rules_set) == 3, f"three rule sets in the trail (two made while the saver was down), the refused "
                               f"ones not: {rules_set}")
    first, second, third = rules_set
    check(third["who"] == "Bo" and third["detail"] == "no change", f"the same rules again: {third}")
    check(first["who"] == "Ana Lima" and first["addr"] == "127.0.0.1" and first["well"] is None
          and first["alert_id"] is None and first["detail"] == f'added: "{SPP}", "{HOOK}", "{GAS}"'
          and first["ts_us"] >= before - 600_000_000, f"the first rule change: {first}")
    check(second["who"] == "Bo" and second["addr"] == "127.0.0.1"
          and second["detail"] == f'added: "RPM above 0"; changed: "{GAS}"', f"the second rule change: {second}")
    check(all(e["action"] == "ack" for e in audit("?action=ack")) and len(audit("?action=ack")) >= 2,
          "?action= filters")
    check(len(audit("?limit=1")) == 1, "?limit= bounds the answer")
    check(audit("?well=B-09") == [], "?well= filters")
    for q, text in [("?limit=0", "limit:"), ("?since=yesterday", "since:"), ("?action=DROP%20TABLE", "action:"),
                    ("?who=x", "unknown parameter")]:
        st, doc = get_json(port, "/api/audit" + q)
        check(st == 400 and text in doc["error"], f"/api/audit{q} -> 400 '{text}' ({st} {doc})")

    for p in (sim, engine, web):
        check(p.stop() == 0, f"{p.name} exits 0")
    print("test_alarms: all checks passed")


if __name__ == "__main__":
    main()
