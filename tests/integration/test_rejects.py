"""Rejections explained: every bad-body class a raw ZeroMQ publisher sends
through the real broker is counted by the SDK subscribers under its reason
(the strict decoder's error names, docs/PROTOCOL.md), with the publisher id
the body claims as the last offender, in their heartbeats; the broker's
STATUS, `rigstream-ctl rejects`, `/api/health` and `scripts/monitor` show
them."""
import json
import os
import subprocess
import time

import msgpack
import zmq

import rigtest
import webtest
from rigtest import check, wait_until

WELL = "REJ-1"
EPOCH = int(time.time() * 1e6)


def body(pub, **change):
    m = {"v": 1, "pub": pub, "epoch": EPOCH, "seq": 1, "ts": int(time.time() * 1e6), "well": WELL,
         "ch": {"wob": 12.5}}
    for k, v in change.items():
        if v is None:
            m.pop(k, None)
        else:
            m[k] = v
    return msgpack.packb(m)


# reason -> (publisher id the body claims, as the subscriber can read it; topic; body)
CASES = {
    "topic": ("bad-topic", f"telemetry.{WELL}!", body("bad-topic")),
    "msgpack": ("?", f"telemetry.{WELL}", body("bad-msgpack")[:-4]),
    "not_map": ("?", f"telemetry.{WELL}", msgpack.packb(["pub", "bad-list"])),
    "missing": ("bad-missing", f"telemetry.{WELL}", body("bad-missing", seq=None)),
    "type": ("bad-type", f"telemetry.{WELL}", body("bad-type", seq="1")),
    "version": ("bad-version", f"telemetry.{WELL}", body("bad-version", v=2)),
    "range": ("bad-range", f"telemetry.{WELL}", body("bad-range", seq=0)),
    "nonfinite": ("bad-nan", f"telemetry.{WELL}", body("bad-nan", ch={"wob": float("nan")})),
    "mismatch": ("bad-mismatch", f"telemetry.{WELL}", body("bad-mismatch", well="OTHER-2")),
}


def component(suite, name):
    text = suite.control("STATUS")
    return (json.loads(text).get("components", {}).get(name) or {}) if text else {}


def main():
    rigtest.setup()
    suite = rigtest.Suite()
    suite.start_broker()
    web, port = webtest.start_web(suite)
    logger = suite.start("logger", "rigstream-logger", ["--topics", "telemetry."])
    logger.wait_for("ready", timeout=10)
    wait_until(lambda: component(suite, "console_logger").get("up"), timeout=15, what="the logger's heartbeat")

    sock = zmq.Context.instance().socket(zmq.XPUB)
    sock.setsockopt(zmq.LINGER, 1000)
    sock.connect(f"tcp://127.0.0.1:{suite.front}")
    check(sock.poll(5000), "the broker subscribes to the raw publisher")
    sock.recv()

    for i, (reason, (pub, topic, data)) in enumerate(CASES.items(), start=1):
        def counted():
            # Resent until counted: the subscribers may still be joining.
            c = component(suite, "console_logger")
            st, info = c.get("stats") or {}, c.get("info") or {}
            if st.get(f"rejected.{reason}", 0) >= 1 and info.get("last_reject_reason") == reason:
                return c
            sock.send_multipart([topic.encode(), data])
            return None
        c = wait_until(counted, timeout=20, what=f"a '{reason}' rejection in the logger's heartbeat")
        info = c["info"]
        check(info["last_reject_pub"] == pub, f"{reason}: the last offender is '{pub}' ({info['last_reject_pub']})")
        check(info["last_reject_topic"].startswith("telemetry."), f"{reason}: with its topic ({info['last_reject_topic']})")
        by = {k[9:]: v for k, v in c["stats"].items() if k.startswith("rejected.")}
        check(set(by) == set(list(CASES)[:i]), f"{reason}: counted under its own reason only ({by})")
        check(c["stats"]["rejected"] == sum(by.values()), "the total is the sum of the reasons")
    check("from publisher 'bad-topic'" in logger.text(), "the log line names the publisher")

    ctl = subprocess.run([rigtest.binary("rigstream-ctl"), "rejects"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, timeout=30,
                         env={**os.environ, "RIGSTREAM_ENV_FILE": os.devnull, "BROKER_CONTROL_PORT": str(suite.ctl)})
    out = ctl.stdout.decode()
    check(ctl.returncode == 0, f"rigstream-ctl rejects exits 0 ({ctl.stderr.decode().strip()})")
    row = [x for x in out.splitlines() if x.startswith("console_logger")]
    check(row and all(f"{r}=" in row[0] for r in CASES) and "pub=bad-mismatch reason=mismatch" in row[0],
          f"rigstream-ctl rejects shows each reason and the last offender:\n{out}")

    # The web bridge reads every topic: it rejected the same, and says so.
    def web_counted():
        status, doc = webtest.get_json(port, "/api/health")
        c = (doc or {}).get("components", {}).get("webbridge") or {}
        return c if set(c.get("rejected_by") or {}) == set(CASES) else None
    c = wait_until(web_counted, timeout=15, what="/api/health to show the web bridge's rejections by reason")
    check(c["last_reject"]["pub"] == "bad-mismatch" and c["last_reject"]["reason"] == "mismatch",
          f"/api/health names the last offender ({c['last_reject']})")
    status, doc = webtest.get_json(port, "/api/health")
    lc = doc["components"]["console_logger"]
    check(lc["rejected_by"]["type"] >= 1 and lc["rejected"] >= len(CASES), "and the logger's, by reason")

    env = rigtest.scripts_env(os.path.join(rigtest.ARGS.tmp, "run"), os.path.join(rigtest.ARGS.tmp, "none.db"),
                              rigtest.ARGS.build_dir)
    env["BROKER_CONTROL_PORT"] = str(suite.ctl)
    r = subprocess.run([os.path.join(rigtest.ARGS.source_dir, "scripts", "monitor"), "--json", "--no-rates"],
                       env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30, cwd=rigtest.ARGS.tmp)
    rep = json.loads(r.stdout.decode())
    mc = rep["components"]["console_logger"]
    check(set(mc["rejected_by"]) == set(CASES) and mc["last_reject"]["pub"] == "bad-mismatch",
          f"scripts/monitor shows them by reason with the last offender ({mc['rejected_by']}, {mc['last_reject']})")
    r = subprocess.run([os.path.join(rigtest.ARGS.source_dir, "scripts", "monitor"), "--no-rates"],
                       env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30, cwd=rigtest.ARGS.tmp)
    check("last from bad-mismatch" in r.stdout.decode(), "and in its table")

    sock.close()
    check(logger.stop() == 0, "the logger exits 0")
    check(web.stop() == 0, "the web bridge exits 0")
    check(suite.broker.stop() == 0, "the broker exits 0")
    print("test_rejects: all checks passed")


if __name__ == "__main__":
    main()
