"""Control endpoints always reply, and take commands exactly.

Against a real broker and a real prediction engine, each malformed request
(two frames from a REQ, no delimiter from a DEALER, an empty frame, bytes that
are not UTF-8, a 1 MB and a 10 MB frame, a 20 MB JSON body, "status",
"STATUS\\0junk") gets one error reply, read with a receive timeout so that a
missing reply fails the test instead of hanging it; each is counted by
reason. A frame above the hard cap (32 MiB) is dropped by libzmq with the
connection: the process lives on and answers the next client.

Also: the broker bound with BROKER_BIND=localhost (and the engine's control
endpoint with ENGINE_CONTROL_BIND=localhost) listens on 127.0.0.1, and a bind
name that is neither an address nor an interface makes it exit non-zero
with a clear message.
"""
import json
import os
import subprocess

import zmq

import rigtest
from rigtest import Suite, binary, check, fail, wait_until

MB = 1000 * 1000
TIMEOUT_MS = 15000          # a 20 MB frame over loopback on a loaded machine


def socket(kind, port):
    s = zmq.Context.instance().socket(kind)
    s.setsockopt(zmq.LINGER, 0)
    s.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
    s.connect(f"tcp://127.0.0.1:{port}")
    return s


def ask(port, frames, what, dealer=False):
    """Sends frames on a fresh REQ (or DEALER) socket; returns the reply
    frame, failing the test when none comes in time."""
    s = socket(zmq.DEALER if dealer else zmq.REQ, port)
    try:
        s.send_multipart(frames)
        reply = s.recv_multipart()
    except zmq.Again:
        fail(f"no reply within {TIMEOUT_MS} ms to {what}")
    finally:
        s.close()
    if dealer:
        check(len(reply) == 2 and reply[0] == b"", f"{what}: the reply comes with the empty delimiter")
        return reply[1]
    check(len(reply) == 1, f"{what}: one reply frame")
    return reply[0]


def broker_error(port, frames, what, want, dealer=False):
    reply = ask(port, frames, what, dealer)
    try:
        err = json.loads(reply).get("error", "")
    except ValueError:
        fail(f"{what}: the reply is not JSON: {reply[:80]!r}")
    check(want in err, f"broker answers {what} with an error: {err[:120]}")


def engine_error(port, frames, what, want, dealer=False):
    reply = ask(port, frames, what, dealer)
    try:
        doc = json.loads(reply)
    except ValueError:
        fail(f"{what}: the reply is not JSON: {reply[:80]!r}")
    check(doc.get("ok") is False and want in doc.get("error", ""),
          f"engine answers {what} with an error: {doc.get('error', '')[:120]}")


def test_broker(suite):
    c0 = json.loads(suite.control("STATUS"))["counters"]
    port = suite.ctl
    broker_error(port, [b"PING", b"PING"], "a 2-frame REQ", "a request is one frame; got 2")
    broker_error(port, [b"PING"], "a DEALER without the delimiter", "without the delimiter", dealer=True)
    broker_error(port, [b"", b"PING", b"x", b"y"], "a 3-frame DEALER request", "got 3", dealer=True)
    broker_error(port, [b"x" * MB], "a 1 MB PING frame", "request too large: 1000000 bytes")
    broker_error(port, [b"PING" + b"\0" * (10 * MB)], "a 10 MB PING frame", "request too large: 10000004 bytes")
    broker_error(port, [b"status"], "'status'", "unknown command 'status'")
    broker_error(port, [b"ping"], "'ping'", "unknown command 'ping'")
    broker_error(port, [b"STATUS\0junk"], "'STATUS\\0junk'", "unknown command 'STATUS?junk'")
    broker_error(port, [b"PING\n"], "'PING\\n'", "unknown command")
    broker_error(port, [b""], "an empty frame", "unknown command ''")
    broker_error(port, [b"\xff\xfe\xc3\xa9"], "bytes that are not UTF-8", "unknown command '????'")
    c1 = json.loads(suite.control("STATUS"))["counters"]
    got = {k: c1[k] - c0[k] for k in ("control_malformed", "control_unknown", "control_too_big")}
    check(got == {"control_malformed": 3, "control_unknown": 6, "control_too_big": 2},
          f"each refusal counted by reason: {got}")
    check("control: request too large" in suite.broker.text() and "control: unknown command" in suite.broker.text()
          and "control: a request is one frame" in suite.broker.text(), "and logged")

    # Above the hard cap libzmq drops the connection: no reply can be sent.
    s = socket(zmq.REQ, port)
    s.setsockopt(zmq.RCVTIMEO, 1000)
    s.send(b"x" * (33 * 1024 * 1024))
    try:
        s.recv()
        fail("a frame above the hard cap got a reply")
    except zmq.Again:
        pass
    s.close()
    check(suite.broker.alive() and suite.control("PING") == "PONG",
          "after a frame above the hard cap the broker still answers PING")
    check(json.loads(ask(port, [b"STATUS"], "STATUS"))["component"] == "broker", "STATUS answers")


def test_engine(suite):
    port = rigtest.free_port()
    engine = suite.start("engine", "rigstream-engine", [], {"ENGINE_CONTROL_PORT": str(port),
                                                            "ENGINE_CONTROL_BIND": "localhost"})
    engine.wait_for(r"ready", timeout=20)
    check(f"control tcp://127.0.0.1:{port}" in engine.text(), "ENGINE_CONTROL_BIND=localhost binds 127.0.0.1")
    engine_error(port, [b'{"cmd": "ping"}', b'{"cmd": "ping"}'], "a 2-frame REQ", "one frame of JSON; got 2")
    engine_error(port, [b'{"cmd": "ping"}'], "a DEALER without the delimiter", "without the delimiter",
                 dealer=True)
    engine_error(port, [b""], "an empty frame", "not JSON")
    engine_error(port, [b"\xff\xfe\xc3\xa9"], "bytes that are not UTF-8", "not JSON")
    engine_error(port, [b'{"cmd": "PING"}'], "'PING' in JSON", "unknown cmd")
    engine_error(port, [b'{"cmd": "ping"}\0junk'], "JSON with trailing bytes", "not JSON")
    engine_error(port, [b" " * (2 * MB)], "a 2 MB body", "larger than 1 MiB")
    engine_error(port, [b'{"cmd": "ping", "x": "' + b"y" * (20 * MB) + b'"}'], "a 20 MB body", "larger than 1 MiB")
    s = socket(zmq.REQ, port)
    s.setsockopt(zmq.RCVTIMEO, 1000)
    s.send(b"x" * (33 * 1024 * 1024))
    try:
        s.recv()
        fail("a frame above the engine's hard cap got a reply")
    except zmq.Again:
        pass
    s.close()
    check(engine.alive(), "the engine survives a frame above its hard cap")
    reply = json.loads(ask(port, [b'{"cmd": "ping"}'], "ping"))
    check(reply.get("reply") == "pong", "and still answers ping")
    wait_until(lambda: ((json.loads(suite.control("STATUS"))["components"].get("prediction_engine") or {})
                        .get("stats") or {}).get("control_malformed", 0) >= 2, 10,
               "the engine's malformed requests counted in its heartbeat")
    check("control: malformed request answered with an error" in engine.text(), "and logged")
    engine.stop()


def test_bind():
    front, back, ctl = rigtest.free_ports(3)
    env = {"BROKER_BIND": "localhost", "BROKER_FRONTEND_PORT": str(front), "BROKER_BACKEND_PORT": str(back),
           "BROKER_CONTROL_PORT": str(ctl)}
    b = rigtest.Proc("broker-localhost", [binary("rigstream-broker")], env)
    b.wait_for(r"ready", timeout=10)
    check(f"control tcp://127.0.0.1:{ctl}" in b.text(), "BROKER_BIND=localhost binds 127.0.0.1")
    check(json.loads(ask(ctl, [b"STATUS"], "STATUS on 127.0.0.1"))["component"] == "broker",
          "the broker bound to localhost answers on 127.0.0.1")
    check(b.stop() == 0, "and stops cleanly")
    r = subprocess.run([binary("rigstream-broker")], env=dict(os.environ, **dict(env, BROKER_BIND="no-such-if")),
                       capture_output=True, text=True, timeout=20)
    check(r.returncode != 0 and '"no-such-if" is not an address to listen on' in r.stderr,
          f"a bad bind name exits {r.returncode} with a clear message: {r.stderr.strip()[-160:]}")


def main():
    rigtest.setup()
    suite = Suite()
    suite.start_broker()
    test_broker(suite)
    test_engine(suite)
    test_bind()
    suite.stop_all()
    print("PASS")


if __name__ == "__main__":
    main()
