"""WebSocket fan-out benchmark of rigstream-web: broker, simulator and bridge
as real processes (a publisher in this process stamps each sample's ts when it
sends it); N clients (one process, non-blocking sockets) subscribe to
every sample at R Hz, plus one slow client that never reads. Prints delivered
updates/s, latency from the sample's time (ts) to receipt (p50, p99, max), and the bridge's CPU (from
/proc/<pid>/stat). Run by bench/web/run.sh; usage:
  bench_ws.py --build-dir B [--clients 100] [--rate 10] [--wells 1] [--seconds 20]
"""
import argparse
import json
import os
import selectors
import socket
import random
import struct
import sys
import tempfile
import threading
import time
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
import rigtest  # noqa: E402
from rigtest import Suite, free_port  # noqa: E402
from webtest import Publisher  # noqa: E402
from wsclient import WsClient  # noqa: E402


def cpu_s(pid):
    """User + system CPU seconds of a process."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Reader:
    """Parses the server's (unmasked) frames out of a non-blocking socket."""

    def __init__(self, ws):
        self.sock = ws.sock
        self.buf = ws.buf
        self.sock.setblocking(False)

    def frames(self):
        try:
            chunk = self.sock.recv(262144)
        except BlockingIOError:
            return []
        if not chunk:
            raise ConnectionError("closed")
        self.buf += chunk
        out = []
        while len(self.buf) >= 2:
            b1 = self.buf[1] & 0x7F
            at = 2
            if b1 == 126:
                if len(self.buf) < 4:
                    break
                b1, at = struct.unpack("!H", self.buf[2:4])[0], 4
            elif b1 == 127:
                if len(self.buf) < 10:
                    break
                b1, at = struct.unpack("!Q", self.buf[2:10])[0], 10
            if len(self.buf) < at + b1:
                break
            if self.buf[0] & 0x0F == 0x1:
                out.append(self.buf[at:at + b1])
            self.buf = self.buf[at + b1:]
        return out


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--rate", type=float, default=10, help="samples/s per well, and each client's max_rate_hz")
    ap.add_argument("--wells", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=20)
    args = ap.parse_args()
    rigtest.ARGS = types.SimpleNamespace(bin=os.path.join(os.path.abspath(args.build_dir), "bin"),
                                         tmp=tempfile.mkdtemp(prefix="bench-web-"))
    suite = Suite({"HEARTBEAT_MS": "1000"})
    suite.start_broker()
    pub = Publisher(suite, "benchpub")
    stop = threading.Event()

    def publish():
        # Evenly spaced in time; ts is the wall clock at the moment of sending.
        period, nxt = 1.0 / args.rate, time.monotonic()
        while not stop.is_set():
            for w in range(args.wells):
                ch = {"hook_load": 900 + random.random(), "wob": 100 + random.random(), "rpm": 120.0,
                      "torque": 8.0, "spp": 190 + random.random(), "flow_in": 2300.0, "flow_out": 2290.0,
                      "pit_volume": 80.0, "pit_gain": 0.1, "gas": 1.0, "rop": 25.0, "bit_depth": 2000.0}
                pub.send("telemetry", f"B-{w + 1:02d}", {"ch": ch})
            nxt += period
            time.sleep(max(0.0, nxt - time.monotonic()))

    port = free_port()
    web = suite.start("web", "rigstream-web", [], {
        "WEB_PORT": str(port), "WEB_MAX_CLIENTS": str(args.clients + 8),
        "DATABASE_PATH": os.path.join(rigtest.ARGS.tmp, "none.db"), "ENGINE_CONTROL_PORT": str(free_port())})
    web.wait_for(r"ready: http://", timeout=15)

    sel = selectors.DefaultSelector()
    readers = []
    for i in range(args.clients):
        ws = WsClient("127.0.0.1", port)
        ws.send_json({"type": "subscribe", "max_rate_hz": args.rate})
        r = Reader(ws)
        readers.append(r)
        sel.register(r.sock, selectors.EVENT_READ, r)
    slow = WsClient("127.0.0.1", port, rcvbuf=4096)
    slow.send_json({"type": "subscribe", "max_rate_hz": 50})
    threading.Thread(target=publish, daemon=True).start()

    def pump(until, record):
        n = 0
        while time.monotonic() < until:
            for key, _ in sel.select(timeout=0.2):
                now_us = time.time() * 1e6
                for payload in key.data.frames():
                    if not record:
                        continue
                    if b'"type":"sample"' not in payload:
                        continue
                    m = json.loads(payload)
                    n += 1
                    lat.append((now_us - m["ts"]) / 1000)
        return n

    lat = []
    pump(time.monotonic() + 3, False)                      # warm-up: hello, latest values, subscribed
    cpu0, t0, own0 = cpu_s(web.p.pid), time.monotonic(), os.times()
    n = pump(t0 + args.seconds, True)
    dt = time.monotonic() - t0
    cpu1, own1 = cpu_s(web.p.pid), os.times()
    alive = web.alive()
    expected = args.clients * args.wells * args.rate
    print(f"web bridge fan-out: {args.clients} clients x {args.wells} well(s) at {args.rate:g} Hz "
          f"(+1 client that never reads), {dt:.1f} s, {os.cpu_count()} CPUs")
    print(f"  delivered      {n / dt:9.0f} updates/s   (published x clients = {expected:.0f}/s, "
          f"{100 * n / dt / expected:.1f}%)")
    print(f"  latency        p50 {pct(lat, 50):6.1f} ms   p99 {pct(lat, 99):6.1f} ms   max {max(lat or [0]):6.1f} ms"
          "   (sample ts -> received, same clock)")
    print(f"  bridge CPU     {100 * (cpu1 - cpu0) / dt:6.1f}% of one core   (bench clients: "
          f"{100 * ((own1.user - own0.user) + (own1.system - own0.system)) / dt:.1f}%)")
    print(f"  bridge alive   {alive}; slow client connected: {slow.sock.fileno() >= 0}")
    for r in readers:
        r.sock.close()
    slow.sock.close()
    stop.set()
    pub.close()
    web.stop()
    suite.broker.stop()
    return 0 if alive and n > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
