#!/usr/bin/env python3
"""A rigstream client in Python, written from docs/PROTOCOL.md alone.

Needs Debian's python3-zmq and python3-msgpack and nothing else.

  rigstream_client.py publish   [--well PY-1] [--count 10] [--rate 10]
  rigstream_client.py subscribe [--topic telemetry.] [--count 10] [--json]
  rigstream_client.py status

Broker address: --host/--frontend-port/--backend-port/--control-port, or the
same environment variables as the suite (BROKER_HOST, BROKER_FRONTEND_PORT,
BROKER_BACKEND_PORT, BROKER_CONTROL_PORT). On the rig network with CURVE
(docs/SECURITY.md): --curve-server-key/--curve-cert or CURVE_SERVER_KEY and
CURVE_CERT, as for the suite's programs.
"""
import argparse
import json
import math
import os
import sys
import time

import msgpack
import zmq
import zmq.auth

SCHEMA_VERSION = 1


def now_us():
    return time.time_ns() // 1000


def apply_curve(sock, curve):
    """Makes sock a CURVE client before it connects. curve is (server_key,
    cert): the broker's public key (40 Z85 characters or its certificate file)
    and our own certificate (NAME.cert_secret from rigstream-keys); None = off."""
    if not curve:
        return
    server_key, cert = curve
    if len(server_key) == 40 and not os.path.exists(server_key):
        sock.curve_serverkey = server_key.encode()
    else:
        sock.curve_serverkey, _ = zmq.auth.load_certificate(server_key)
    sock.curve_publickey, sock.curve_secretkey = zmq.auth.load_certificate(cert)


class Publisher:
    """Publishes on the broker's frontend with per-topic sequence numbers."""

    def __init__(self, endpoint, pub_id, curve=None):
        self.ctx = zmq.Context.instance()
        # XPUB rather than PUB so we can see the broker's subscription and know
        # it is connected before the first message (see "Sockets").
        self.sock = self.ctx.socket(zmq.XPUB)
        self.sock.setsockopt(zmq.LINGER, 2000)
        apply_curve(self.sock, curve)
        self.sock.connect(endpoint)
        self.pub_id = pub_id
        self.epoch = now_us()
        self.seqs = {}

    def wait_ready(self, timeout_s=10.0):
        if self.sock.poll(int(timeout_s * 1000)):
            frame = self.sock.recv()
            return frame[:1] == b"\x01"
        return False

    def _send(self, topic, body):
        seq = self.seqs.get(topic, 0) + 1
        self.seqs[topic] = seq
        msg = {"v": SCHEMA_VERSION, "pub": self.pub_id, "epoch": self.epoch, "seq": seq}
        msg.update(body)
        self.sock.send_multipart([topic.encode(), msgpack.packb(msg, use_bin_type=True)])
        return seq

    def sample(self, well, channels, ts_us=None):
        # NaN or infinity is invalid on the wire: send nil ("no reading") instead.
        ch = {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
              for k, v in channels.items()}
        return self._send(f"telemetry.{well}",
                          {"ts": ts_us or now_us(), "well": well, "ch": ch})

    def heartbeat(self, component, stats, info=None):
        return self._send(f"sys.{component}",
                          {"ts": now_us(), "component": component, "stats": stats,
                           "info": info or {"state": "running"}})

    def close(self):
        self.sock.close()


class Subscriber:
    """Reads and validates messages; tracks sequences per (pub, topic)."""

    KINDS = ("telemetry", "event", "kpi", "alert", "sys", "audit")

    def __init__(self, endpoint, topics, curve=None):
        self.ctx = zmq.Context.instance()
        self.sock = self.ctx.socket(zmq.SUB)
        apply_curve(self.sock, curve)
        self.sock.connect(endpoint)
        for t in topics:
            self.sock.setsockopt(zmq.SUBSCRIBE, t.encode())
        self.last = {}        # (pub, topic) -> (epoch, seq)
        self.gaps = 0
        self.missing = 0
        self.duplicates = 0
        self.rejected = 0

    def validate(self, topic, body):
        """Returns the decoded body, or raises ValueError with the reason."""
        kind, dot, ident = topic.partition(".")
        if kind not in self.KINDS or not dot or not ident or "." in ident or len(topic) > 128:
            raise ValueError("topic")
        msg = msgpack.unpackb(body, raw=False, strict_map_key=True)
        if not isinstance(msg, dict):
            raise ValueError("not_map")
        for key in ("v", "pub", "epoch", "seq", "ts"):
            if key not in msg:
                raise ValueError("missing")
        if msg["v"] != SCHEMA_VERSION:
            raise ValueError("version")
        for key in ("epoch", "seq", "ts"):
            if not isinstance(msg[key], int) or isinstance(msg[key], bool):
                raise ValueError("type")
        if msg["epoch"] < 1 or msg["seq"] < 1:
            raise ValueError("range")
        own = msg.get("component" if kind in ("sys", "audit") else "well")
        if own != ident:
            raise ValueError("mismatch")
        if kind == "audit" and not ("action" in msg and "by" in msg):
            raise ValueError("missing")
        values = msg.get("ch") if kind == "telemetry" else msg.get("values") if kind == "kpi" else None
        if kind == "telemetry" and not isinstance(values, dict):
            raise ValueError("missing")
        for v in (values or {}).values():
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
                raise ValueError("type")
            if isinstance(v, float) and not math.isfinite(v):
                raise ValueError("nonfinite")
        return msg

    def receive(self, timeout_ms=5000):
        """Returns (topic, msg) for the next new message, or None on timeout."""
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            left = int((deadline - time.monotonic()) * 1000)
            if left <= 0 or not self.sock.poll(left):
                return None
            frames = self.sock.recv_multipart()
            if len(frames) != 2:
                self.rejected += 1
                continue
            try:
                topic = frames[0].decode()
                msg = self.validate(topic, frames[1])
            except (ValueError, UnicodeDecodeError, msgpack.exceptions.ExtraData,
                    msgpack.exceptions.UnpackException):
                self.rejected += 1
                continue
            key = (msg["pub"], topic)
            prev = self.last.get(key)
            if prev:
                epoch, seq = prev
                if msg["epoch"] < epoch:
                    continue
                if msg["epoch"] == epoch:
                    if msg["seq"] <= seq:
                        self.duplicates += 1      # e.g. a last-value-cache replay
                        continue
                    if msg["seq"] > seq + 1:
                        self.gaps += 1
                        self.missing += msg["seq"] - seq - 1
            self.last[key] = (msg["epoch"], msg["seq"])
            return topic, msg

    def close(self):
        self.sock.close()


def main():
    env = os.environ.get
    ap = argparse.ArgumentParser(description="rigstream client (Python)")
    ap.add_argument("--host", default=env("BROKER_HOST", "127.0.0.1"))
    ap.add_argument("--frontend-port", type=int, default=int(env("BROKER_FRONTEND_PORT", "5555")))
    ap.add_argument("--backend-port", type=int, default=int(env("BROKER_BACKEND_PORT", "5556")))
    ap.add_argument("--control-port", type=int, default=int(env("BROKER_CONTROL_PORT", "5557")))
    ap.add_argument("--curve-server-key", default=env("CURVE_SERVER_KEY", ""),
                    help="the broker's public key or certificate file: turns CURVE on")
    ap.add_argument("--curve-cert", default=env("CURVE_CERT", ""), help="our own NAME.cert_secret")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("publish")
    p.add_argument("--well", default="PY-1")
    p.add_argument("--pub-id", default=f"py-{os.getpid()}")
    p.add_argument("--count", type=int, default=10)
    p.add_argument("--rate", type=float, default=10.0)
    s = sub.add_parser("subscribe")
    s.add_argument("--topic", action="append", default=None)
    s.add_argument("--count", type=int, default=10)
    s.add_argument("--timeout", type=float, default=10.0)
    s.add_argument("--json", action="store_true")
    sub.add_parser("status")
    a = ap.parse_args()
    curve = None
    if a.curve_server_key:
        if not a.curve_cert:
            print("CURVE needs our own certificate too (--curve-cert or CURVE_CERT)", file=sys.stderr)
            return 2
        curve = (a.curve_server_key, a.curve_cert)

    if a.cmd == "publish":
        pub = Publisher(f"tcp://{a.host}:{a.frontend_port}", a.pub_id, curve)
        if not pub.wait_ready():
            print("no broker at the frontend within 10 s", file=sys.stderr)
            return 1
        depth = 1000.0
        for i in range(a.count):
            depth += 0.01
            pub.sample(a.well, {"bit_depth": depth, "hole_depth": depth, "rpm": 120,
                                "wob": 100.0 + i % 7, "gas": float("nan"), "py_counter": i})
            if a.rate > 0:
                time.sleep(1.0 / a.rate)
        pub.heartbeat("py_client", {"sent": a.count})
        pub.close()
        print(f"published {a.count} samples on telemetry.{a.well}")
        return 0

    if a.cmd == "subscribe":
        s = Subscriber(f"tcp://{a.host}:{a.backend_port}", a.topic or ["telemetry."], curve)
        got = 0
        while got < a.count:
            r = s.receive(int(a.timeout * 1000))
            if r is None:
                break
            topic, msg = r
            got += 1
            if a.json:
                print(json.dumps({"topic": topic, **msg}))
            else:
                print(topic, msg.get("seq"), msg.get("ch") or msg.get("stats") or msg.get("event"))
        print(f"received {got}, gaps {s.gaps}, missing {s.missing}, duplicates {s.duplicates}, "
              f"rejected {s.rejected}", file=sys.stderr)
        s.close()
        return 0 if got >= a.count else 1

    if a.cmd == "status":
        ctx = zmq.Context.instance()
        req = ctx.socket(zmq.REQ)
        req.setsockopt(zmq.LINGER, 0)
        apply_curve(req, curve)
        req.connect(f"tcp://{a.host}:{a.control_port}")
        req.send(b"STATUS")
        if not req.poll(2000):
            print("no answer from the broker's control endpoint", file=sys.stderr)
            return 1
        print(json.dumps(json.loads(req.recv()), indent=2))
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
