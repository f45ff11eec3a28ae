"""Store-and-forward across outages. The simulator streams two wells while
mosquitto is killed -9 for 30 s and restarted, then the uplink itself is
killed -9 and restarted, then the rigstream broker is killed -9 and restarted. The test host (the primary host, so the uplink waits
for its STATE before sending after each reconnect) ends with every sample of
every well, none twice once keyed by (well, seq); what waited in the spool
arrives flagged historical with its original timestamp; the broker's will
delivers NDEATH with the killed session's bdSeq; and the heartbeat accounts
for all of it.
"""
import os
import signal
import time

import rigtest
import uplinktest
from rigtest import check, Suite, wait_until
from uplinktest import Host, Mosquitto, Recorder

WELLS = ["A-01", "A-02"]
RATE = 100
PER_WELL = 6000
OUTAGE_S = 30


def main():
    args = rigtest.setup()
    mq = Mosquitto("mosquitto").start()
    suite = Suite()
    suite.start_broker()
    host = Host(args, mq.port, host_id="centre")
    host.wait_connected()
    rec = Recorder(suite)
    spool = os.path.join(args.tmp, "spool.db")
    uplink_args = ["--url", f"mqtt://127.0.0.1:{mq.port}", "--spool", spool, "--topics", "telemetry.",
                   "--primary-host", "centre", "--reconnect-min-ms", "200", "--reconnect-max-ms", "1000",
                   "--keepalive-s", "5", "--backlog-rate", "2000"]
    up = suite.start("uplink", "rigstream-uplink", uplink_args)
    up.wait_for(r"online at", timeout=15)
    sim = suite.start("sim", "rigstream-sim", ["--wells", str(len(WELLS)), "--rate", str(RATE), "--count",
                                               str(PER_WELL), "--seed", "5"])
    wait_until(lambda: len(host.samples) >= 400, timeout=15, what="samples flowing before the outage")

    # 1. mosquitto killed -9 mid-stream, back after OUTAGE_S.
    mq.kill9()
    t_kill = time.time()
    before = len(host.samples)
    up.wait_for(r"MQTT 127\.0\.0\.1:\d+: .*retrying", timeout=10)
    time.sleep(OUTAGE_S)
    st = uplinktest.stats(suite)
    check(st.get("connected") == 0 and st.get("queued", 0) > RATE,
          f"while mosquitto is down: not connected, {st.get('queued')} records queued, oldest "
          f"{st.get('oldest_queued_s', 0):.1f} s")
    mq.start()
    t_back = time.time()
    host.wait_connected(15)
    wait_until(lambda: len(host.samples) > before + RATE * len(WELLS) * OUTAGE_S * 0.8, timeout=20,
               what="the backlog of the outage to arrive")

    # 2. The uplink killed -9 mid-stream, restarted 2 s later.
    deaths = len(host.deaths)
    born = {m.name: m.long_value for m in host.births[None].metrics}["bdSeq"]
    up.signal(signal.SIGKILL)
    up.p.wait()
    wait_until(lambda: len(host.deaths) > deaths, timeout=15, what="NDEATH from the will (keep-alive 5 s)")
    check(host.deaths[-1] == born, f"NDEATH for the ungraceful disconnect carries the session's bdSeq "
                                   f"{host.deaths[-1]} (NBIRTH said {born})")
    time.sleep(2)
    up = suite.start("uplink-again", "rigstream-uplink", uplink_args)
    m = up.wait_for(r"ready: .*\((\d+) stream\(s\) resumed, (\d+) record\(s\) queued\)", timeout=15)
    check(int(m.group(1)) >= len(WELLS), f"the restarted uplink resumed {m.group(1)} streams from its spool "
                                         f"({m.group(2)} records queued)")

    # 3. The rigstream broker killed -9 mid-stream and restarted: the uplink's
    # durable feed repairs what the broker dropped from the simulator's journal.
    check(sim.alive(), "the simulator is still streaming when the rigstream broker is killed")
    suite.broker.signal(signal.SIGKILL)
    suite.broker.p.wait()
    time.sleep(1.5)
    suite.start_broker(name="broker-again")
    sim.wait_for(r"stopped:", timeout=60)
    wait_until(lambda: len(host.samples) >= len(WELLS) * PER_WELL, timeout=40, what="every sample at the host")
    born2 = {m.name: m.long_value for m in host.births[None].metrics}["bdSeq"]
    check(born2 == (born + 1) % 256, f"the new session's bdSeq is {born2}")

    check(not host.seq_errors, f"seq continuity and aliases in every session: {host.seq_errors[:5]}")
    uplinktest.check_samples(host, rec, WELLS, PER_WELL, "after the three outages")
    hist = [s for s in host.samples.values() if s["historical"]]
    outage = [s for s in host.samples.values() if t_kill * 1000 + 500 < s["ts"] < t_back * 1000 - 500]
    check(len(hist) >= RATE * len(WELLS) * (OUTAGE_S - 2), f"{len(hist)} samples arrived flagged historical")
    check(outage and all(s["historical"] for s in outage),
          f"all {len(outage)} samples taken while mosquitto was down are historical")
    check(host.raw_samples - len(host.samples) < 2 * 100 * 20,
          f"{host.raw_samples - len(host.samples)} sent twice (unacknowledged when the uplink died), "
          f"none kept twice once keyed by (well, seq)")
    wait_until(lambda: uplinktest.stats(suite).get("queued", 1) == 0, timeout=10, what="an empty queue")
    st = uplinktest.stats(suite)
    check(st.get("dropped") == 0 and st.get("samples_historical", 0) > 0,
          f"heartbeat: {st.get('samples_sent')} sent in this run ({st.get('samples_historical')} historical), "
          f"0 dropped, bytes/hour {st.get('bytes_hour')}")
    check(up.stop() == 0, "uplink exits 0")
    rec.close()
    host.close()
    check(sim.stop() == 0, "simulator exits 0")
    check(suite.broker.stop() == 0, "broker exits 0")
    mq.stop()


if __name__ == "__main__":
    main()
