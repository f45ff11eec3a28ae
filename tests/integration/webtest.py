"""webtest: helpers shared by the web bridge's integration tests: start
rigstream-web against a rigtest Suite, make HTTP requests, publish crafted
messages (alerts) the way the prediction engine does.
"""
import http.client
import json
import os
import time

import rigtest
from rigtest import binary, free_port, wait_until


def start_web(suite, name="web", db=None, engine_port=None, extra_env=None):
    """Starts rigstream-web on a free port; returns (proc, port)."""
    port = free_port()
    env = {"WEB_PORT": str(port), "WEB_HOST": "127.0.0.1",
           "DATABASE_PATH": db or os.path.join(rigtest.ARGS.tmp, "none.db"),
           "ENGINE_CONTROL_PORT": str(engine_port or free_port())}
    env.update(extra_env or {})
    web = suite.start(name, "rigstream-web", [], env)
    web.wait_for(r"ready: http://", timeout=10)
    return web, port


def request(port, method, path, body=None, headers=None, raw_path=False, dashboard=True):
    """One HTTP request; returns (status, headers dict, body bytes). With
    `dashboard` a write carries what the dashboard's writes carry (the
    X-Rigstream header, a JSON Content-Type for a body); the security tests
    send writes without them."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        skip_host = any(k.lower() == "host" for k in (headers or {}))
        conn.putrequest(method, path, skip_accept_encoding=True, skip_host=skip_host)
        hdrs = {"Content-Length": str(len(body.encode() if isinstance(body, str) else (body or b"")))}
        if dashboard and method not in ("GET", "HEAD"):
            hdrs["X-Rigstream"] = "1"
            if body:
                hdrs["Content-Type"] = "application/json"
        hdrs.update(headers or {})
        for k, v in hdrs.items():
            conn.putheader(k, v)
        conn.endheaders(body.encode() if isinstance(body, str) else body)
        r = conn.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data
    finally:
        conn.close()


def get_json(port, path, method="GET", body=None):
    status, headers, data = request(port, method, path, body)
    try:
        doc = json.loads(data.decode())
    except ValueError:
        doc = None
    return status, doc


class Publisher:
    """An XPUB on the broker's frontend that waits until the broker is connected."""

    def __init__(self, suite, pub_id="testengine"):
        import zmq
        self.zmq = zmq
        self.sock = zmq.Context.instance().socket(zmq.XPUB)
        self.sock.setsockopt(zmq.LINGER, 1000)
        self.sock.connect(f"tcp://127.0.0.1:{suite.front}")
        if not self.sock.poll(5000):
            rigtest.fail("the broker never subscribed to the test publisher")
        self.sock.recv()
        self.pub = pub_id
        self.epoch = int(time.time() * 1e6)
        self.seq = {}

    def send(self, kind, well, fields):
        import msgpack
        topic = f"{kind}.{well}"
        self.seq[topic] = self.seq.get(topic, 0) + 1
        body = {"v": 1, "pub": self.pub, "epoch": self.epoch, "seq": self.seq[topic],
                "ts": int(time.time() * 1e6), "well": well}
        body.update(fields)
        self.sock.send_multipart([topic.encode(), msgpack.packb(body)])

    def alert(self, well, alert_id, state, severity="warning", message="test alert", **extra):
        fields = {"alert_id": alert_id, "state": state, "severity": severity, "type": "threshold",
                  "rule": "pit_gain_high", "message": message, "channel": "pit_gain", "value": 2.5,
                  "threshold": 2.0}
        fields.update(extra)
        self.send("alert", well, fields)

    def close(self):
        self.sock.close()


def wait_history(port, well, timeout=20):
    """Waits until the saver has recorded samples of `well` the bridge can read."""
    def ready():
        status, doc = get_json(port, f"/api/history?well={well}&channels=hook_load&points=10")
        return status == 200 and doc["points"] > 0
    wait_until(ready, timeout=timeout, what=f"recorded history of {well}")


__all__ = ["start_web", "request", "get_json", "Publisher", "wait_history", "binary"]
