"""The Python client in docs/examples, written from docs/PROTOCOL.md alone,
against the real broker: it publishes samples the C logger accepts, and it
decodes everything the simulator and broker send without a rejection."""
import json
import os
import re
import sys

import rigtest
from rigtest import check, Proc, Suite


def client(suite, args, name):
    env = {"BROKER_FRONTEND_PORT": str(suite.front), "BROKER_BACKEND_PORT": str(suite.back),
           "BROKER_CONTROL_PORT": str(suite.ctl)}
    script = os.path.join(rigtest.ARGS.source_dir, "docs", "examples", "rigstream_client.py")
    return Proc(name, [sys.executable, script, *args], env)


def main():
    rigtest.setup()
    suite = Suite()
    suite.start_broker()
    log = suite.start("logger", "rigstream-logger", ["--json", "--topics", "telemetry.PY-1"])
    log.wait_for("ready", timeout=10)

    pub = client(suite, ["publish", "--well", "PY-1", "--count", "50", "--rate", "200"], "py-publish")
    rc = pub.p.wait(30)
    check(rc == 0, f"python publisher exits 0 ({pub.text().strip()})")
    # Whole lines only: the logger may be writing the next one.
    def lines():
        return log.text("out").split("\n")[:-1]
    rigtest.wait_until(lambda: len(lines()) >= 50, timeout=10,
                       what="the C logger to print 50 samples from the Python publisher")
    rows = [json.loads(x) for x in lines()]
    check([r["seq"] for r in rows[:50]] == list(range(1, 51)), "all 50 arrive in order, seq 1..50")
    check(rows[0]["ch"]["gas"] is None and rows[0]["ch"]["py_counter"] == 0,
          "NaN arrives as nil and an unknown channel is carried")
    check("rejected a message" not in log.text(), "the C side rejected nothing")

    sim = suite.start("sim", "rigstream-sim", ["--wells", "1", "--rate", "20", "--seed", "11"])
    sim.wait_for("publishing", timeout=10)
    sub = client(suite, ["subscribe", "--topic", "telemetry.", "--topic", "sys.", "--count", "40",
                         "--json", "--timeout", "10"], "py-subscribe")
    rc = sub.p.wait(40)
    check(rc == 0, "python subscriber received 40 messages")
    summary = sub.text()
    check("rejected 0" in summary, f"python subscriber rejected nothing: {summary.strip()}")
    msgs = [json.loads(x) for x in sub.text("out").splitlines()]
    kinds = {m["topic"].split(".")[0] for m in msgs}
    check("telemetry" in kinds and "sys" in kinds, f"decoded telemetry and heartbeats: {kinds}")
    tele = [m for m in msgs if m["topic"].startswith("telemetry.")]
    check(all(isinstance(m["ts"], int) and "hole_depth" in m["ch"] for m in tele),
          "simulator samples follow the documented layout")

    st = client(suite, ["status"], "py-status")
    check(st.p.wait(10) == 0 and '"component": "broker"' in st.text("out"),
          "python status query answered by the control endpoint")
    for p in (sim, log):
        check(p.stop() == 0, f"{p.name} exits 0")
    check(suite.broker.stop() == 0, "broker exits 0")
    print("test_python_client: all checks passed")


if __name__ == "__main__":
    main()
