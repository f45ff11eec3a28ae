"""End-to-end uplink benchmark with real processes on this machine:
rigstream-sim -> rigstream-broker -> rigstream-uplink -> mosquitto -> a
counting MQTT subscriber.

1. Throughput: the simulator at full speed; samples per second acknowledged
   by mosquitto (the uplink's own counter), Sparkplug then JSON, and payload
   bytes per sample on the wire for each.
2. Backlog drain: mosquitto is down for --outage-s while live data flows at
   --live-rate samples/s per well; then it comes back, and the time for the
   backlog to drain behind the live data gives the drain rate.
3. The uplink's resident memory (VmRSS, and its peak VmHWM).

Usage: e2e.py --build-dir B [--samples N] [--outage-s S] [--live-rate R] [--wells W]
"""
import argparse
import json
import os
import sys
import tempfile
import threading
import time
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
import rigtest  # noqa: E402
from rigtest import Suite  # noqa: E402
import uplinktest  # noqa: E402
import paho.mqtt.client as mqtt  # noqa: E402


def rss(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS", "VmHWM")):
                k, v = line.split(":")
                out[k] = int(v.split()[0]) / 1024
    return out


class Counter:
    def __init__(self, port):
        self.n = self.bytes = 0
        self.c = mqtt.Client(client_id=f"bench-{os.getpid()}")
        self.c.on_connect = lambda c, u, f, rc: c.subscribe([("spBv1.0/#", 0), ("rigstream/#", 0)])
        self.c.on_message = self._msg
        self.c.connect("127.0.0.1", port)
        self.c.loop_start()

    def _msg(self, c, u, m):
        self.n += 1
        self.bytes += len(m.payload)

    def close(self):
        self.c.disconnect()
        self.c.loop_stop()


def stats(suite):
    return uplinktest.stats(suite)


def wait_stat(suite, key, pred, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = stats(suite).get(key)
        if v is not None and pred(v):
            return v
        time.sleep(0.1)
    raise SystemExit(f"timed out waiting for {key}")


def throughput(suite, args, mq, mode, n):
    spool = os.path.join(rigtest.ARGS.tmp, f"tp-{mode}.db")
    up = suite.start(f"uplink-{mode}", "rigstream-uplink", [
        "--url", f"mqtt://127.0.0.1:{mq.port}", "--mode", mode, "--spool", spool, "--topics", "telemetry.",
        "--max-inflight", "1000", "--batch", "20", "--rcvhwm", "2000000"])
    up.wait_for(r"online at", timeout=15)
    counter = Counter(mq.port)
    time.sleep(0.5)
    t0 = time.monotonic()
    sim = suite.start(f"sim-{mode}", "rigstream-sim", ["--wells", str(args.wells), "--rate", "max", "--count",
                                                       str(n), "--publisher-id", f"tp{mode}"])
    total = n * args.wells
    wait_stat(suite, "samples_sent", lambda v: v >= total, 600)
    dt = time.monotonic() - t0
    st = stats(suite)
    mem = rss(up.pid)
    sim.wait_for(r"stopped:", timeout=60)
    sim.stop()
    up.stop()
    counter.close()
    per = st["bytes_sent"] / st["samples_sent"]
    print(f"{mode:9s}: {total} samples in {dt:.1f} s = {total / dt:,.0f} samples/s acknowledged, "
          f"{per:.0f} payload bytes/sample ({st['messages_sent']:.0f} messages), RSS {mem['VmRSS']:.1f} MB "
          f"(peak {mem['VmHWM']:.1f} MB)", flush=True)
    return per


def drain(suite, args, mq):
    spool = os.path.join(rigtest.ARGS.tmp, "drain.db")
    up = suite.start("uplink-drain", "rigstream-uplink", [
        "--url", f"mqtt://127.0.0.1:{mq.port}", "--spool", spool, "--topics", "telemetry.",
        "--reconnect-min-ms", "500", "--reconnect-max-ms", "1000", "--backlog-rate", str(args.backlog_rate)])
    up.wait_for(r"online at", timeout=15)
    sim = suite.start("sim-live", "rigstream-sim", ["--wells", str(args.wells), "--rate", str(args.live_rate),
                                                    "--publisher-id", "live"])
    time.sleep(3)
    mq.kill9()
    print(f"mosquitto down for {args.outage_s} s while {args.wells} wells stream {args.live_rate} samples/s "
          f"each ...", flush=True)
    time.sleep(args.outage_s)
    st = stats(suite)
    queued = st["queued"]
    print(f"  queued: {queued:.0f} samples, {st['queued_bytes'] / 1e6:.1f} MB in the spool, oldest "
          f"{st['oldest_queued_s']:.0f} s", flush=True)
    hist0 = st.get("samples_historical", 0)
    mq.start()
    t0 = time.monotonic()
    wait_stat(suite, "online", lambda v: v == 1, 30)
    wait_stat(suite, "backlog", lambda v: v > 0, 10)
    wait_stat(suite, "backlog", lambda v: v == 0, 3600)
    dt = time.monotonic() - t0
    st = stats(suite)
    hist = st["samples_historical"] - hist0
    mem = rss(up.pid)
    print(f"  backlog of {hist:.0f} samples drained in {dt:.1f} s = {hist / dt:,.0f} samples/s behind live data "
          f"(cap UPLINK_BACKLOG_RATE={args.backlog_rate}); live kept flowing; RSS {mem['VmRSS']:.1f} MB "
          f"(peak {mem['VmHWM']:.1f} MB); bytes/hour counter {st['bytes_hour'] / 1e6:.1f} MB", flush=True)
    sim.stop()
    up.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--samples", type=int, default=50000, help="per well, throughput runs")
    ap.add_argument("--wells", type=int, default=2)
    ap.add_argument("--outage-s", type=float, default=600)
    ap.add_argument("--live-rate", type=float, default=10)
    ap.add_argument("--backlog-rate", type=float, default=500)
    a = ap.parse_args()
    rigtest.ARGS = types.SimpleNamespace(build_dir=a.build_dir, source_dir=os.path.join(HERE, "..", ".."),
                                         bin=os.path.join(os.path.abspath(a.build_dir), "bin"),
                                         tmp=tempfile.mkdtemp(prefix="bench-uplink-"))
    mq = uplinktest.Mosquitto("mosquitto").start()
    suite = Suite({"HEARTBEAT_MS": "200"})
    suite.start_broker()
    spb = throughput(suite, a, mq, "sparkplug", a.samples)
    js = throughput(suite, a, mq, "json", a.samples)
    print(f"bytes on the wire per sample: Sparkplug {spb:.0f}, JSON {js:.0f} ({js / spb:.2f}x)", flush=True)
    drain(suite, a, mq)
    suite.broker.stop()
    mq.stop()


if __name__ == "__main__":
    main()
