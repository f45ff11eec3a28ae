"""Two of a kind on one broker, told apart by their instance names (--name or
the program's own variable, WITS0_NAME): two WITS0 readers, each fed by a
fake rig of its own, heartbeat on sys.wits0_mud and sys.wits0_mwd with their
own counters, publish under their own publisher ids, log under their names,
and both show in the broker's STATUS as rigstream-ctl prints it. A
subscriber (the saver) takes a name the same way. A name that is not an id
is refused with exit 2."""
import json
import os
import subprocess

import rigtest
from ingesttest import Collector, FakeServer, frame
from rigtest import Proc, Suite, binary, check, wait_until


def record01(i):
    return frame([(105, "240115"), (106, f"0930{i % 60:02d}"), (108, f"{2000 + i:.2f}"), (120, "120")])


def status(suite):
    p = subprocess.run([binary("rigstream-ctl"), "--control-port", str(suite.ctl), "STATUS"],
                       capture_output=True, text=True, timeout=10)
    return json.loads(p.stdout)["components"] if p.returncode == 0 else {}


def main():
    rigtest.setup()
    suite = Suite()
    suite.start_broker()
    col = Collector(suite, ["telemetry.", "sys.wits0", "sys.saver_b"])

    mud_rig, mwd_rig = FakeServer(), FakeServer()
    mud = suite.start("mud", "rigstream-wits0", ["--name", "wits0_mud", "--connect", f"127.0.0.1:{mud_rig.port}",
                                                 "--well", "W-1"])
    mwd = suite.start("mwd", "rigstream-wits0", ["--connect", f"127.0.0.1:{mwd_rig.port}", "--well", "W-1"],
                      extra_env={"WITS0_NAME": "wits0_mwd"})
    db = os.path.join(rigtest.ARGS.tmp, "named.db")
    saver = suite.start("saver", "rigstream-saver", ["--db", db], extra_env={"SAVER_NAME": "saver_b"})
    mud.wait_for("ready", timeout=10)
    mwd.wait_for("ready", timeout=10)
    mud_rig.accept()
    mwd_rig.accept()
    mud_rig.send(b"".join(record01(i) for i in range(5)))
    mwd_rig.send(b"".join(record01(i) for i in range(8)))

    def frames(name):
        return col.stats(name).get("frames", 0)
    wait_until(lambda: frames("wits0_mud") >= 5 and frames("wits0_mwd") >= 8, timeout=10,
               what="both readers' heartbeats counting their own frames")
    check(frames("wits0_mud") == 5 and frames("wits0_mwd") == 8,
          f"each heartbeat carries its own reader's counters (mud {frames('wits0_mud')}, mwd {frames('wits0_mwd')})")
    topics = {t for _, _, t, _ in col.messages() if t.startswith("sys.wits0")}
    check(topics == {"sys.wits0_mud", "sys.wits0_mwd"}, f"heartbeats on sys.<name>, none on sys.wits0: {topics}")
    hb = {t: b for _, _, t, b in col.messages() if t.startswith("sys.wits0")}
    check(hb["sys.wits0_mud"].get("component") == "wits0_mud" and hb["sys.wits0_mwd"].get("component") == "wits0_mwd",
          "the heartbeats name their instance")
    # Distinct (publisher, seq): a late joiner (the saver) can make the broker's
    # last-value cache send a sample again to every subscriber of its topic.
    seen = {(b["pub"], b["seq"]) for _, _, b in col.samples("W-1")}
    pubs = {}
    for pub, _ in seen:
        pubs[pub] = pubs.get(pub, 0) + 1
    check(pubs == {"wits0_mud": 5, "wits0_mwd": 8},
          f"the samples of one well come from two publisher ids, the instance names ({pubs})")

    def both_up():
        comps = status(suite)
        return comps if all(n in comps and comps[n].get("up") for n in ("wits0_mud", "wits0_mwd", "saver_b")) \
            else None
    comps = wait_until(both_up, timeout=10, what="wits0_mud, wits0_mwd and saver_b up in rigstream-ctl STATUS")
    check("wits0" not in comps, "no component under the shared default name")
    check(comps["wits0_mud"]["pid"] == mud.pid and comps["wits0_mwd"]["pid"] == mwd.pid
          and comps["saver_b"]["pid"] == saver.pid, "STATUS gives each instance its own process")
    check(comps["wits0_mud"]["pub"] == "wits0_mud" and comps["wits0_mwd"]["pub"] == "wits0_mwd"
          and comps["saver_b"]["pub"] == "saver_b",
          f"publisher ids from the names: {[comps[n]['pub'] for n in ('wits0_mud', 'wits0_mwd', 'saver_b')]}")
    check(comps["wits0_mud"]["stats"].get("frames") == 5 and comps["wits0_mwd"]["stats"].get("frames") == 8,
          "and each its own counters")
    check(" INFO  wits0_mud: ready" in mud.text() and " INFO  wits0_mwd: ready" in mwd.text()
          and " INFO  saver_b: " in saver.text(), "each logs under its name")

    for args, env, what in ((["--name", "mud pit"], None, "--name"),
                            ([], {"WITS0_NAME": "x" * 65}, "WITS0_NAME")):
        p = Proc("bad", [binary("rigstream-wits0"), "--file", "/dev/null", *args], env)
        rc = p.p.wait(10)
        check(rc == 2 and f"for {what}" in p.text() and "expected 1-64 of A-Z a-z 0-9 _ -" in p.text(),
              f"a name that is not an id ({what}): exit 2 with the reason (rc {rc})")

    check(mud.stop() == 0 and mwd.stop() == 0 and saver.stop() == 0, "all exit 0")
    col.close()
    suite.broker.stop()
    print("test_instance_name: all checks passed")


if __name__ == "__main__":
    main()
