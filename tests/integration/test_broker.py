"""Integration test of rigstream-broker and rigstream-ctl with raw pyzmq peers:
forwarding, prefix filtering, the last-value cache, malformed input, the
control endpoint, sys.broker heartbeats, the components table, bind errors and
shutdown."""
import os
import signal
import subprocess
import sys
import time

import json

import msgpack
import zmq

import rigtest
from rigtest import Proc, Suite, binary, check, fail, wait_until

EPOCH = int(time.time() * 1e6)
SEQ = {}


def body(topic, extra=None, pub="tpub"):
    """A valid MessagePack body for topic, numbered per topic."""
    kind, ident = topic.split(".", 1)
    SEQ[topic] = SEQ.get(topic, 0) + 1
    m = {"v": 1, "pub": pub, "epoch": EPOCH, "seq": SEQ[topic], "ts": int(time.time() * 1e6)}
    m["component" if kind == "sys" else "well"] = ident
    m.update(extra or {})
    return msgpack.packb(m)


class Peers:
    def __init__(self, suite):
        self.suite = suite
        self.ctx = zmq.Context.instance()
        self.socks = []

    def publisher(self):
        """An XPUB connected to the frontend, returned once the broker subscribed."""
        s = self.ctx.socket(zmq.XPUB)
        s.setsockopt(zmq.LINGER, 1000)
        s.setsockopt(zmq.RCVTIMEO, 5000)
        s.connect(f"tcp://127.0.0.1:{self.suite.front}")
        try:
            sub = s.recv()
        except zmq.Again:
            fail("broker never subscribed on the frontend")
        check(sub == b"\x01", "broker subscribes to everything on its frontend")
        self.socks.append(s)
        return s

    def subscriber(self, *prefixes):
        """A SUB on the backend, returned once the broker counts its subscriptions."""
        before = {p: self.sub_count(p) for p in prefixes}
        s = self.ctx.socket(zmq.SUB)
        s.setsockopt(zmq.LINGER, 0)
        s.setsockopt(zmq.RCVTIMEO, 3000)
        for p in prefixes:
            s.setsockopt(zmq.SUBSCRIBE, p.encode())
        s.connect(f"tcp://127.0.0.1:{self.suite.back}")
        for p in prefixes:
            wait_until(lambda p=p: self.sub_count(p) > before[p], 5, f"subscription '{p}' at the broker")
        self.socks.append(s)
        return s

    def status(self):
        reply = self.suite.control("STATUS")
        if reply is None:
            fail("no STATUS reply")
        return json.loads(reply)

    def sub_count(self, prefix):
        return self.status()["subscriptions"].get(prefix, 0)

    def close(self):
        for s in self.socks:
            s.close()


def recv_pair(sock):
    try:
        frames = sock.recv_multipart()
    except zmq.Again:
        return None
    if len(frames) != 2:
        fail(f"subscriber got {len(frames)} frames")
    return frames[0].decode(), msgpack.unpackb(frames[1])


def test_control(suite):
    check(suite.control("PING") == "PONG", "PING answers PONG")
    st = json.loads(suite.control("STATUS"))
    for key in ("component", "version", "pid", "uptime_s", "endpoints", "counters", "rates",
                "prefixes", "subscriptions", "lvc", "components", "drops_reported"):
        check(key in st, f"STATUS has '{key}'")
    check(st["component"] == "broker" and st["pid"] == suite.broker.pid, "STATUS names the broker and its pid")
    check(st["endpoints"]["frontend"] == f"tcp://127.0.0.1:{suite.front}", "STATUS shows the frontend endpoint")
    err = json.loads(suite.control("FROB"))
    check("unknown command 'FROB'" in err.get("error", ""), "unknown command gets a JSON error")

    # A DEALER without the empty delimiter gets an error and is counted; REQ still works.
    d = zmq.Context.instance().socket(zmq.DEALER)
    d.setsockopt(zmq.LINGER, 0)
    d.setsockopt(zmq.RCVTIMEO, 5000)
    d.connect(f"tcp://127.0.0.1:{suite.ctl}")
    d.send(b"PING")
    rep = d.recv_multipart()
    check(len(rep) == 2 and "without the delimiter" in json.loads(rep[1]).get("error", ""),
          "DEALER without the delimiter gets an error")
    wait_until(lambda: json.loads(suite.control("STATUS"))["counters"]["control_malformed"] >= 1, 5,
               "malformed control request counted")
    # ... and one with the delimiter is answered, as the protocol says.
    d.send_multipart([b"", b"PING"])
    check(d.recv_multipart() == [b"", b"PONG"], "DEALER with empty delimiter gets PONG")
    d.close()

    ctl = binary("rigstream-ctl")
    env = dict(os.environ, RIGSTREAM_ENV_FILE=os.devnull, BROKER_CONTROL_PORT=str(suite.ctl))
    r = subprocess.run([ctl, "PING"], env=env, capture_output=True, text=True, timeout=10)
    check(r.returncode == 0 and r.stdout.strip() == "PONG", "rigstream-ctl PING prints PONG, exit 0")
    r = subprocess.run([ctl, "--endpoint", f"tcp://127.0.0.1:{suite.ctl}", "STATUS"], env=env,
                       capture_output=True, text=True, timeout=10)
    check(r.returncode == 0 and json.loads(r.stdout)["component"] == "broker", "rigstream-ctl STATUS prints JSON")
    r = subprocess.run([ctl, "NOPE"], env=env, capture_output=True, text=True, timeout=10)
    check(r.returncode == 1 and "error" in r.stdout, "rigstream-ctl exits 1 on an error reply")
    dead = rigtest.free_port()
    r = subprocess.run([ctl, "--timeout-ms", "300", "--endpoint", f"tcp://127.0.0.1:{dead}", "PING"],
                       env=env, capture_output=True, text=True, timeout=10)
    check(r.returncode == 1 and f"no answer from tcp://127.0.0.1:{dead} within 300 ms" in r.stderr,
          "rigstream-ctl reports no answer, exit 1")


def test_forwarding(peers):
    pub = peers.publisher()
    sub = peers.subscriber("telemetry.F")
    # kpi first, then telemetry: one publisher, one path, so order holds and the
    # first thing the subscriber sees proves the kpi was filtered out.
    pub.send_multipart([b"kpi.F-01", body("kpi.F-01")])
    pub.send_multipart([b"telemetry.F-01", body("telemetry.F-01", {"ch": {"wob": 12.5}})])
    got = recv_pair(sub)
    check(got is not None and got[0] == "telemetry.F-01" and got[1]["ch"]["wob"] == 12.5,
          "subscriber gets telemetry, body intact")
    check(recv_pair_nowait(sub, 0.3) is None, "kpi not delivered to a telemetry subscriber")
    st = peers.status()
    check(st["prefixes"]["kpi"]["msgs"] >= 1 and st["prefixes"]["telemetry"]["msgs"] >= 1,
          "per-prefix counters count kpi and telemetry")
    check(st["counters"]["publishers_connected"] >= 1 and st["counters"]["subscribers_connected"] >= 1,
          "connections counted on both sides")
    return pub


def recv_pair_nowait(sock, seconds):
    if sock.poll(int(seconds * 1000)):
        return recv_pair(sock)
    return None


def test_lvc(peers, pub):
    pub.send_multipart([b"telemetry.L-01", body("telemetry.L-01", {"ch": {"rpm": 1.0}})])
    pub.send_multipart([b"telemetry.L-01", body("telemetry.L-01", {"ch": {"rpm": 2.0}})])
    pub.send_multipart([b"telemetry.L-02", body("telemetry.L-02", {"ch": {"rpm": 3.0}})])
    pub.send_multipart([b"kpi.L-01", body("kpi.L-01")])
    wait_until(lambda: peers.status()["lvc"]["topics"] >= 4, 5, "cache holds the new topics")
    sub = peers.subscriber("telemetry.L")
    a = recv_pair(sub)
    b = recv_pair(sub)
    check(a is not None and a[0] == "telemetry.L-01" and a[1]["ch"]["rpm"] == 2.0,
          "late joiner gets the latest telemetry.L-01 at once")
    check(b is not None and b[0] == "telemetry.L-02" and b[1]["ch"]["rpm"] == 3.0,
          "late joiner gets telemetry.L-02 at once")
    # Nothing else was replayed: the next message is a live one.
    pub.send_multipart([b"telemetry.L-99", body("telemetry.L-99")])
    c = recv_pair(sub)
    check(c is not None and c[0] == "telemetry.L-99", "no other cached topics replayed")
    check(peers.status()["counters"]["lvc_replayed"] >= 2, "replays counted")
    # A body the SDK would reject (a float ts) is forwarded as it is, but not
    # cached: a late joiner gets the last valid body of that topic, and the
    # refusal is counted by reason.
    bad = msgpack.unpackb(body("telemetry.L-01", {"ch": {"rpm": 9.0}}))
    bad["ts"] = float(bad["ts"])
    pub.send_multipart([b"telemetry.L-01", msgpack.packb(bad)])
    c = recv_pair(sub)
    check(c is not None and c[0] == "telemetry.L-01" and isinstance(c[1]["ts"], float),
          "an invalid body is still forwarded live")
    wait_until(lambda: peers.status()["lvc"]["rejected"] >= 1, 5, "invalid body refused by the cache")
    st = peers.status()["lvc"]
    check(st["rejected_by"].get("type") == 1, f"refusal counted by reason: {st['rejected_by']}")
    late = peers.subscriber("telemetry.L-01")
    d = recv_pair(late)
    check(d is not None and d[1]["ch"]["rpm"] == 2.0 and isinstance(d[1]["ts"], int),
          "a late joiner gets the last valid body, not the invalid one")
    late.close()
    peers.socks.remove(late)
    # A subscriber going away takes its subscriptions with it.
    sub.close()
    peers.socks.remove(sub)
    wait_until(lambda: peers.sub_count("telemetry.L") == 0, 5, "subscription gone after disconnect")
    check(peers.status()["counters"]["unsubscribes"] >= 1, "unsubscribe counted on disconnect")


def test_malformed(peers, pub):
    sub = peers.subscriber("")
    before = peers.status()["counters"]
    pub.send(b"telemetry.M-01")                                              # 1 frame
    pub.send_multipart([b"telemetry.M-01", body("telemetry.M-01"), b"x"])    # 3 frames
    pub.send_multipart([b"", body("telemetry.M-01")])                        # empty topic
    pub.send_multipart([b"telemetry.M-01", b"\x00" * (300 * 1024)])          # body > 256 KiB
    pub.send_multipart([b"telemetry." + b"X" * 200, body("telemetry.M-01")])  # topic > 128 B
    pub.send_multipart([b"telemetry.M-02", body("telemetry.M-02")])
    deadline = time.monotonic() + 5
    got = None
    while time.monotonic() < deadline:
        got = recv_pair(sub)
        if got is None or got[0].startswith("telemetry.M"):
            break
    check(got is not None and got[0] == "telemetry.M-02", "good message after malformed ones still flows")
    after = peers.status()["counters"]
    check(after["dropped_bad_frames"] - before["dropped_bad_frames"] == 3,
          "1-frame, 3-frame and empty-topic messages counted as bad_frames")
    check(after["dropped_too_big"] - before["dropped_too_big"] == 2, "huge body and long topic counted as too_big")
    check(peers.suite.broker.alive(), "broker survives malformed input")


def test_heartbeats(peers, pub):
    sub = peers.subscriber("sys.broker")
    deadline = time.monotonic() + 5
    hb = None
    while time.monotonic() < deadline:
        got = recv_pair(sub)
        if got and got[1]["stats"]["msgs_in"] > 0:
            hb = got[1]
            break
    check(hb is not None, "sys.broker heartbeat received")
    check(hb["component"] == "broker" and hb["pub"] == "broker" and hb["v"] == 1 and hb["seq"] >= 1,
          "heartbeat header fields")
    for k in ("msgs_in", "msgs_out", "bytes_in", "rate_in", "subscriptions", "lvc_topics", "lvc_rejected",
              "dropped_bad_frames", "dropped_too_big", "msgs.telemetry", "uptime_s", "pid"):
        check(k in hb["stats"], f"heartbeat stat '{k}'")
    check(hb["info"]["frontend"].endswith(str(peers.suite.front)) and hb["info"]["state"] == "running",
          "heartbeat info carries endpoints and state")
    first = hb["seq"]
    nxt = recv_pair(sub)
    check(nxt is not None and nxt[1]["seq"] == first + 1 and nxt[1]["epoch"] == hb["epoch"],
          "heartbeat seq goes up by one in the same epoch")

    # A subscriber's heartbeat lands in the components table; its "missing" is summed.
    pub.send_multipart([b"sys.fake_sub", body("sys.fake_sub", {
        "stats": {"pid": 4242, "uptime_s": 7, "gaps": 2, "missing": 5, "rejected": 1},
        "info": {"state": "running"}}, pub="fake-1")])
    wait_until(lambda: "fake_sub" in peers.status()["components"], 5, "component listed in STATUS")
    st = peers.status()
    comp = st["components"]["fake_sub"]
    check(comp["pub"] == "fake-1" and comp["pid"] == 4242 and comp["up"] is True
          and comp["stats"]["missing"] == 5 and comp["last_seen_ms_ago"] >= 0, "component entry")
    check(st["drops_reported"] == 5, "drops_reported sums subscribers' missing")
    pub.send_multipart([b"sys.fake_sub", body("sys.fake_sub", {
        "stats": {"missing": 6}, "info": {"state": "stopped"}}, pub="fake-1")])
    wait_until(lambda: peers.status()["components"]["fake_sub"]["up"] is False, 5,
               "a component that says it stopped is down")
    pub.send_multipart([b"sys.bogus", b"\xc1not msgpack"])
    wait_until(lambda: peers.status()["counters"]["sys_rejected"] >= 1, 5, "bad heartbeat counted")
    return sub


def test_bind_errors(suite):
    p = Proc("broker2", [binary("rigstream-broker")], suite.env)
    try:
        p.p.wait(10)
    except subprocess.TimeoutExpired:
        fail("second broker on the same ports did not exit")
    text = p.text()
    check(p.p.returncode == 1, "second broker on busy ports exits 1")
    check(f"cannot bind frontend tcp://127.0.0.1:{suite.front}: Address already in use" in text,
          "bind error names the endpoint and the reason")
    p.stop()


def test_exposed_and_ipc():
    tmp = rigtest.ARGS.tmp
    env = {"BROKER_BIND": "0.0.0.0", "BROKER_FRONTEND_PORT": str(rigtest.free_port()),
           "BROKER_BACKEND_PORT": str(rigtest.free_port()), "BROKER_CONTROL_PORT": str(rigtest.free_port())}
    #  Off the loopback without CURVE: refused, exit 2, with the way out.
    r = subprocess.run([binary("rigstream-broker")], capture_output=True, text=True, timeout=10,
                       env=dict(os.environ, RIGSTREAM_ENV_FILE=os.devnull, **env))
    check(r.returncode == 2, f"plaintext broker on 0.0.0.0 refuses to start (exit {r.returncode})")
    check("refusing to listen on tcp://0.0.0.0:" in r.stderr and "CURVE" in r.stderr
          and "ALLOW_INSECURE_BIND" in r.stderr, "the refusal says why and how")
    #  The explicit override starts it, loudly.
    p = Proc("broker-exposed", [binary("rigstream-broker")], dict(env, ALLOW_INSECURE_BIND="1"))
    p.wait_for("ready")
    check("INSECURE" in p.text(), "the insecure override is logged as INSECURE")
    check(p.stop() == 0, "exposed broker stops cleanly")

    ctl_ep = f"ipc://{tmp}/ctl.sock"
    env = {"BROKER_FRONTEND_ENDPOINT": f"ipc://{tmp}/front.sock",
           "BROKER_BACKEND_ENDPOINT": f"ipc://{tmp}/back.sock", "BROKER_CONTROL_ENDPOINT": ctl_ep}
    p = Proc("broker-ipc", [binary("rigstream-broker")], env)
    p.wait_for("ready")
    r = subprocess.run([binary("rigstream-ctl"), "--endpoint", ctl_ep, "PING"], capture_output=True,
                       text=True, timeout=10, env=dict(os.environ, RIGSTREAM_ENV_FILE=os.devnull))
    check(r.stdout.strip() == "PONG", "ipc endpoints work")
    check(p.stop() == 0, "ipc broker stops cleanly")


def test_shutdown(suite, peers, pub, hb_sub):
    # SIGTERM with a publisher connected: the broker routes on for it (its
    # last messages and end-of-stream) until it goes, within the grace.
    sub = peers.subscriber("telemetry.S")
    suite.broker.signal(signal.SIGTERM)
    suite.broker.wait_for(r"routing on for up to 3000 ms until the \d+ connection\(s\) to the frontend close",
                          timeout=5)
    pub.send_multipart([b"telemetry.S-01", body("telemetry.S-01", {"ch": {"wob": 7.5}})])
    got = recv_pair_nowait(sub, 2.0)
    check(got is not None and got[0] == "telemetry.S-01", "a message sent after SIGTERM is still routed")
    t0 = time.monotonic()
    for s in [s for s in peers.socks if s.socket_type == zmq.XPUB]:
        s.setsockopt(zmq.LINGER, 0)
        s.close()
        peers.socks.remove(s)
    rc = suite.broker.stop(timeout=5)
    took = time.monotonic() - t0
    check(rc == 0, "SIGTERM → exit 0")
    check(took < 2.0, f"broker stopped quickly once its publishers had gone ({took:.2f} s)")
    check("every connection to the frontend closed" in suite.broker.text(), "the drain's end is logged")
    check("totals:" in suite.broker.text(), "final counters logged")
    last = None
    while True:
        got = recv_pair_nowait(hb_sub, 1.0)
        if got is None:
            break
        last = got
    check(last is not None and last[1]["info"]["state"] == "stopped", "last heartbeat says stopped")


def main():
    rigtest.setup()
    suite = Suite()
    suite.start_broker()
    peers = Peers(suite)
    try:
        test_control(suite)
        pub = test_forwarding(peers)
        test_lvc(peers, pub)
        test_malformed(peers, pub)
        hb_sub = test_heartbeats(peers, pub)
        test_bind_errors(suite)
        test_shutdown(suite, peers, pub, hb_sub)
        test_exposed_and_ipc()
        # SIGINT works like SIGTERM.
        suite.start_broker(name="broker-int")
        check(suite.broker.stop(sig=signal.SIGINT) == 0, "SIGINT → exit 0")
    finally:
        peers.close()
        suite.stop_all()
    print("test_broker: all passed")


if __name__ == "__main__":
    main()
