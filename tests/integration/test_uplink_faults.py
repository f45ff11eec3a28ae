"""The uplink under faults, against a real mosquitto and a primary host:
- a broker address where nothing listens yet: a clear error, retries with
  back-off, the process keeps running, and once mosquitto is there every
  sample arrives (flagged historical);
- a full queue: a spool bounded to 10 kB while the broker is away drops the
  oldest samples first and counts them; the host gets exactly the newest ones;
- the primary host going offline: the session ends, no data flows while the
  host is offline, and when it is back everything held arrives, historical.
"""
import os
import time

import rigtest
import uplinktest
from rigtest import check, Suite, wait_until
from uplinktest import Host, Mosquitto, Recorder

RATE = 100
COUNT = 500


def main():
    args = rigtest.setup()
    mq = Mosquitto("mosquitto")         # not started yet: nothing listens on its port
    suite = Suite()
    suite.start_broker()
    rec = Recorder(suite)
    common = ["--url", f"mqtt://127.0.0.1:{mq.port}", "--primary-host", "centre", "--reconnect-min-ms", "200",
              "--reconnect-max-ms", "1000", "--keepalive-s", "5", "--backlog-rate", "5000"]
    up_a = suite.start("uplink-a", "rigstream-uplink", common + [
        "--spool", os.path.join(args.tmp, "a.db"), "--node", "rigA", "--topics", "telemetry.A-"])
    up_b = suite.start("uplink-b", "rigstream-uplink", common + [
        "--spool", os.path.join(args.tmp, "b.db"), "--node", "rigB", "--topics", "telemetry.B-",
        "--spool-max-bytes", "10000"])
    up_a.wait_for(r"ready", timeout=15)
    up_b.wait_for(r"ready", timeout=15)
    sim = suite.start("sim", "rigstream-sim", ["--well-ids", "A-01,B-01", "--rate", str(RATE), "--count",
                                               str(COUNT), "--seed", "11"])
    sim.wait_for(r"stopped:", timeout=30)
    wait_until(lambda: up_a.text().count("retrying") >= 3, timeout=10,
               what="repeated connection attempts")
    line = next(x for x in up_a.text().splitlines() if "retrying" in x)
    check("Connection refused" in line or "refused" in line.lower(),
          f"bad address: a clear error that keeps retrying: {line.split('uplink: ')[-1]}")
    check(up_a.alive() and up_b.alive(), "both uplinks keep running without a broker")
    mq.start()
    host = Host(args, mq.port, host_id="centre")
    host.wait_connected()
    wait_until(lambda: sum(1 for (w, _) in host.samples if w == "A-01") >= COUNT, timeout=20,
               what="every A-01 sample after the broker came up")
    uplinktest.check_samples_well(host, rec, "A-01", range(1, COUNT + 1), "bad address, then the broker")
    check(all(s["historical"] for (w, _), s in host.samples.items() if w == "A-01"),
          "what waited for the broker arrived flagged historical")

    wait_until(lambda: any(w == "B-01" and s == COUNT for (w, s) in host.samples), timeout=20,
               what="B-01's newest sample")
    time.sleep(0.5)
    b = sorted(s for (w, s) in host.samples if w == "B-01")
    check(b == list(range(b[0], COUNT + 1)) and b[0] > 1,
          f"full queue: the host has B-01's newest samples {b[0]}..{COUNT}, the oldest {b[0] - 1} were dropped")
    up_b.stop()
    m = up_b.wait_for(r"(\d+) dropped by the queue bounds", timeout=5)
    check(int(m.group(1)) == b[0] - 1, f"the uplink counted {m.group(1)} dropped, the host misses {b[0] - 1}")

    # Primary host offline: the session ends and nothing flows until it is back.
    sim2 = suite.start("sim2", "rigstream-sim", ["--well-ids", "A-02", "--rate", str(RATE), "--count", "1200",
                                                 "--seed", "12"])
    wait_until(lambda: sum(1 for (w, _) in host.samples if w == "A-02") >= 200, timeout=15,
               what="A-02 flowing")
    host.set_online(False)
    t_off = time.time()
    up_a.wait_for(r"primary host went offline", timeout=5)
    time.sleep(3)
    t_on = time.time()
    late = [t for w, t, _ in host.data_times if w == "A-02" and t_off + 0.3 < t < t_on]
    check(not late, f"no DDATA while the primary host is offline ({len(late)} arrived)")
    host.set_online(True)
    sim2.wait_for(r"stopped:", timeout=30)
    wait_until(lambda: sum(1 for (w, _) in host.samples if w == "A-02") >= 1200, timeout=20,
               what="every A-02 sample after the host came back")
    uplinktest.check_samples_well(host, rec, "A-02", range(1, 1201), "primary host offline/online")
    held = [s for (w, _), s in host.samples.items() if w == "A-02" and t_off * 1000 + 300 < s["ts"] < t_on * 1000]
    check(held and all(s["historical"] for s in held), f"the {len(held)} samples held meanwhile are historical")
    check(not host.seq_errors, f"seq continuity and aliases per node: {host.seq_errors[:5]}")
    check(up_a.stop() == 0, "uplink A exits 0")
    rec.close()
    host.close()
    sim.stop()
    sim2.stop()
    check(suite.broker.stop() == 0, "broker exits 0")
    mq.stop()


if __name__ == "__main__":
    main()
