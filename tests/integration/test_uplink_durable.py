"""The uplink loses no KPI and no alert, end to end to a real mosquitto:
- killed (-9) while the engine publishes KPIs and raises alerts, and
  restarted 3 s later: what it missed is repaired from the engine's replay
  journal and every kpi./alert. message a foreign recorder (a plain pyzmq
  subscriber that stays up) saw reaches the Sparkplug host; duplicates (sent
  but not yet acknowledged when it died) are counted;
- sent SIGTERM at the same instant as the broker, the simulator and the
  engine: the broker routes on until they have all gone
  (BROKER_STOP_GRACE_MS); the uplink reads on until the engine's
  end-of-stream (UPLINK_STOP_GRACE_MS) and sends
  what it read before its NDEATH, so the host has every message without a
  restart, and the ended streams leave no mark in the spool to resume.
"""
import json
import os
import re
import signal
import sqlite3
import time


import rigtest
from rigtest import check, Suite, wait_until
from uplinktest import Host, Mosquitto


def at_host(host):
    with host.lock:
        keys = list(host.other_keys)
    return set(keys), len(keys) - len(set(keys))


def main():
    args = rigtest.setup()
    mq = Mosquitto("mosquitto").start()
    host = Host(args, mq.port)
    host.wait_connected()
    suite = Suite()
    suite.start_broker()
    rec = rigtest.FeedRecorder(
        suite.back, key=lambda topic, m: (topic.split(".", 1)[1], topic.split(".", 1)[0], m["seq"]))
    check(rec.heard.wait(15), "the recorder hears the broker")

    config = os.path.join(args.tmp, "engine.json")
    with open(config, "w") as f:
        # Always true while pumping: raised, then updated every 60-120 s of
        # sample time (2-4 s here).
        json.dump({"version": 1, "rules": [{"name": "spp_any", "channel": "spp", "max": 0.5}]}, f)
    engine = suite.start("engine", "rigstream-engine", ["--config", config],
                         {"ENGINE_KPI_MS": "200", "ENGINE_CONTROL_PORT": "0"})
    engine.wait_for(r"ready", timeout=15)
    spool = os.path.join(args.tmp, "uplink.db")
    up_args = ["--url", f"mqtt://127.0.0.1:{mq.port}", "--topics", "kpi.,alert.", "--spool", spool,
               "--reconnect-min-ms", "100", "--reconnect-max-ms", "500"]
    uplink = suite.start("uplink", "rigstream-uplink", up_args)
    uplink.wait_for(r"ready", timeout=15)
    sim = suite.start("sim", "rigstream-sim", ["--wells", "2", "--speed", "30", "--rate", "10", "--seed", "4"])
    sim.wait_for(r"publishing", timeout=15)
    wait_until(lambda: len(at_host(host)[0]) >= 20, timeout=30, what="20 KPIs and alerts at the host")

    # 1. The uplink dies and misses a few seconds of KPIs and alerts.
    uplink.signal(signal.SIGKILL)
    uplink.p.wait()
    uplink.kill()
    missed_from = len(rec.snapshot())
    time.sleep(3.0)
    check(len(rec.snapshot()) - missed_from >= 20, "the engine went on publishing while the uplink was down")
    t0 = time.monotonic()
    uplink = suite.start("uplink-again", "rigstream-uplink", up_args)
    uplink.wait_for(r"ready", timeout=15)
    seen = rec.snapshot()
    wait_until(lambda: seen <= at_host(host)[0], timeout=30,
               what="what the uplink missed repaired from the journal and sent")
    catch_up = time.monotonic() - t0
    time.sleep(2.0)

    # 2. A parallel SIGTERM of the broker, the sources and the uplink.
    procs = (suite.broker, sim, engine, uplink)
    for p in procs:
        os.kill(p.pid, signal.SIGTERM)
    codes = {p.name: p.stop(timeout=30) for p in procs}
    check(all(c == 0 for c in codes.values()), f"all exit 0 after a parallel SIGTERM: {codes}")
    time.sleep(0.5)
    seen = rec.snapshot()
    have, dups = at_host(host)
    lost = seen - have
    kpis = sum(1 for _, k, _ in seen if k == "kpi")
    alerts = sum(1 for _, k, _ in seen if k == "alert")
    check(len(rec.epochs) == 1, f"one engine incarnation ({len(rec.epochs)} epoch(s))")
    check(alerts >= 2, f"alerts were published ({alerts})")
    check(not lost, f"0 of {kpis} KPIs and {alerts} alerts lost at the MQTT host ({len(lost)} missing, "
                    f"e.g. {sorted(lost)[:3]})")
    check(not (have - seen), f"nothing at the host the engine did not publish: {sorted(have - seen)[:3]}")
    check(not host.seq_errors, f"Sparkplug seq continuity and aliases: {host.seq_errors[:3]}")
    m = uplink.wait_for(r"(\d+) still queued", timeout=5)
    check(m.group(1) == "0", f"the stopped uplink left nothing queued ({m.group(1)})")
    con = sqlite3.connect(f"file:{spool}?mode=ro", uri=True, timeout=5)
    marks = con.execute("SELECT pub, topic, epoch, seq FROM marks").fetchall()
    con.close()
    check(marks == [], f"the engine's ended streams leave no mark to resume: {marks}")
    m = uplink.wait_for(r"(\d+) lost for good", timeout=5)
    check(m.group(1) == "0" and not re.search(r"seq \d+-\d+ lost for good", uplink.text()),
          f"the restarted uplink reported no loss ({m.group(1)} lost for good)")
    print(f"test_uplink_durable: {kpis} KPIs and {alerts} alerts seen, {len(lost)} lost, {dups} duplicate(s) "
          f"at the host; the restarted uplink caught up {catch_up:.1f} s after it started")
    rec.stop()
    host.close()
    mq.stop()
    print("test_uplink_durable: all checks passed")


if __name__ == "__main__":
    main()
