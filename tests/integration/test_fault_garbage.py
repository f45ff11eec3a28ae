"""Garbage suite for the broker and the subscribers (saver, logger, engine).

While the simulator publishes a known run of valid samples, a raw publisher
sends the broker garbage: random bytes, truncated MessagePack, MessagePack of
the wrong types (a list, an int, fields of the wrong type), NaN and Inf
readings, timestamps beyond 2200 or before 1970, a topic with bad bytes, a
body claiming another well, unknown topics, bad frame counts, a 1 MB body and
a 100 MB frame; then garbage to the broker's control ROUTER and to the
engine's control port (random bytes, bad JSON, wrong frame shapes, each
answered with an error; 100 MB, past the hard cap, only survived).

Every case must be a counted rejection at the first component that sees it
(the broker for what it drops, each subscriber for what it cannot decode),
logged (rate limited), with no crash, and every valid sample still arriving:
the saver stores seq 1..N of the simulator's stream, the logger prints all N,
the engine processes all N. A sample dated 1970 is valid (replays carry old
times) and is stored, not rejected. test_broker.py covers the broker's frame
checks alone; this test follows the garbage through to the subscribers.
"""
import json
import math
import os
import random
import sqlite3
import struct
import time

import msgpack
import zmq

import rigtest
from rigtest import Suite, check, fail, wait_until

N = 3000
RATE = 500
EPOCH = int(time.time() * 1e6)
rng = random.Random(1234)


def status(suite):
    text = suite.control("STATUS")
    if text is None:
        fail("the broker does not answer STATUS")
    return json.loads(text)


def stats(suite, comp):
    return (status(suite).get("components", {}).get(comp) or {}).get("stats") or {}


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def sample(seq, ts=None, ch=None, well="G-01", raw=False):
    m = {"v": 1, "pub": "garb", "epoch": EPOCH, "seq": seq, "ts": int(time.time() * 1e6) if ts is None else ts,
         "well": well, "ch": ch if ch is not None else {"wob": 12.5}}
    return m if raw else msgpack.packb(m)


def garbage_bodies():
    """(label, topic, body) the broker forwards and every telemetry subscriber must reject."""
    good = sample(1)
    cases = []
    for i in range(20):
        cases.append(("random bytes", b"telemetry.G-01", rng.randbytes(rng.randint(1, 400))))
    for cut in (1, 5, len(good) // 2, len(good) - 1):
        cases.append(("truncated msgpack", b"telemetry.G-01", good[:cut]))
    cases.append(("trailing bytes", b"telemetry.G-01", good + b"\xc0"))
    cases.append(("a list, not a map", b"telemetry.G-01", msgpack.packb([1, 2, 3])))
    cases.append(("an integer", b"telemetry.G-01", msgpack.packb(42)))
    cases.append(("an empty map", b"telemetry.G-01", msgpack.packb({})))
    for field, value in (("seq", "one"), ("epoch", -5), ("ts", "now"), ("ch", [1, 2]), ("well", 7),
                         ("v", 99), ("pub", ""), ("seq", 0)):
        m = sample(2, raw=True)
        m[field] = value
        cases.append((f"wrong {field}", b"telemetry.G-01", msgpack.packb(m)))
    m = sample(2, raw=True)
    del m["seq"]
    cases.append(("missing seq", b"telemetry.G-01", msgpack.packb(m)))
    cases.append(("a channel that is a string", b"telemetry.G-01", sample(2, ch={"wob": "heavy"})))
    for v in (math.nan, math.inf, -math.inf):
        cases.append((f"reading {v}", b"telemetry.G-01", sample(2, ch={"wob": v})))
    # A float32 NaN too: msgpack-python packs floats as float64 unless told.
    m = msgpack.packb(sample(2, raw=True))
    cases.append(("float32 NaN", b"telemetry.G-01",
                  m.replace(b"\xcb" + struct.pack(">d", 12.5), b"\xca" + struct.pack(">f", math.nan))))
    cases.append(("ts in 2300", b"telemetry.G-01", sample(2, ts=int(330 * 365.25 * 86400e6))))
    cases.append(("ts before 1970", b"telemetry.G-01", sample(2, ts=-1000)))
    cases.append(("ts far beyond 64 bits of sense", b"telemetry.G-01", sample(2, ts=2 ** 64 - 1)))
    cases.append(("body for another well", b"telemetry.G-01", sample(2, well="Z-99")))
    cases.append(("topic with bad bytes", b"telemetry.G\xff\x00", sample(2)))
    cases.append(("topic without an id", b"telemetry.", sample(2)))
    return cases


def main():
    args = rigtest.setup()
    db = os.path.join(args.tmp, "garbage.db")
    suite = Suite()
    broker = suite.start_broker()
    # Retention off: the 1970 sample below must stay (30 days would prune it at once).
    saver = suite.start("saver", "rigstream-saver", ["--db", db, "--retention-days", "0"])
    logger = suite.start("logger", "rigstream-logger", ["--json"])
    ctl_port = rigtest.free_port()
    engine = suite.start("engine", "rigstream-engine", [], {"ENGINE_CONTROL_PORT": str(ctl_port)})
    for p in (saver, logger, engine):
        p.wait_for(r"ready", timeout=15)
    subs = {"db_saver": saver, "console_logger": logger, "prediction_engine": engine}
    wait_until(lambda: all((status(suite)["components"].get(c) or {}).get("up") for c in subs), 10,
               "the subscribers' heartbeats")
    before = {c: stats(suite, c) for c in subs}
    b0 = status(suite)["counters"]

    ctx = zmq.Context.instance()

    def publisher():
        s = ctx.socket(zmq.XPUB)
        s.setsockopt(zmq.LINGER, 2000)
        s.setsockopt(zmq.RCVTIMEO, 5000)
        s.connect(f"tcp://127.0.0.1:{suite.front}")
        try:
            s.recv()     # the broker's subscription: it listens now
        except zmq.Again:
            fail("the broker never subscribed on its frontend")
        return s

    pub = publisher()
    sim = suite.start("sim", "rigstream-sim", ["--rate", str(RATE), "--count", str(N), "--seed", "5"])
    sim.wait_for(r"publishing", timeout=15)

    cases = garbage_bodies()
    rejected = 0
    for label, topic, body in cases:
        pub.send_multipart([topic, body])
        rejected += 1
        time.sleep(0.01)     # spread over the valid stream
    # Valid but odd: a sample dated 1970, which subscribers must accept.
    pub.send_multipart([b"telemetry.G-01", sample(1, ts=1)])
    # Unknown topics: forwarded by the broker, subscribed by nobody here.
    for t in (b"nonsense", b"foo.bar", b"telemetryX.G-01", b"sys.G-01"):
        pub.send_multipart([t, rng.randbytes(50)])
    # Frames the broker drops itself.
    pub.send(b"telemetry.G-01")                                             # one frame
    pub.send_multipart([b"telemetry.G-01", sample(3), b"extra"])           # three frames
    pub.send_multipart([b"", sample(3)])                                    # empty topic
    pub.send_multipart([b"telemetry.G-01", b"\x00" * (1024 * 1024)])       # 1 MB body
    rss_before = rss_kb(broker.pid)
    # 100 MB: past the frontend's 16 MB cap, so libzmq drops the connection
    # before it buffers the frame; the sender reconnects by itself.
    big = publisher()
    big.setsockopt(zmq.LINGER, 0)
    big.send_multipart([b"telemetry.G-01", b"\x00" * (100 * 1024 * 1024)])
    time.sleep(1.0)
    big.close()
    check(broker.alive(), "the broker survives a 100 MB frame")
    rss_after = rss_kb(broker.pid)
    check(rss_after - rss_before < 32 * 1024, f"and does not buffer it: RSS {rss_before} -> {rss_after} kB")

    # Garbage to the broker's control ROUTER: each request gets an error reply.
    def ctl_rejected():
        c = status(suite)["counters"]
        return c["control_malformed"], c["control_unknown"], c["control_too_big"]
    m0, u0, t0 = ctl_rejected()
    d = ctx.socket(zmq.DEALER)
    d.setsockopt(zmq.LINGER, 0)
    d.setsockopt(zmq.RCVTIMEO, 5000)
    d.connect(f"tcp://127.0.0.1:{suite.ctl}")
    ctl_bad = [[rng.randbytes(100)], [b"", rng.randbytes(300)], [b"", b"STATUS", b"more"],
               [b"", b"\xff\xfe\x00"], [b"", b"x" * 4000], [b""]]
    for frames in ctl_bad:
        d.send_multipart(frames)
        try:
            rep = d.recv_multipart()
        except zmq.Again:
            fail(f"the broker did not answer {frames!r:.60}")
        check(len(rep) == 2 and json.loads(rep[1]).get("error"), f"broker answers {frames!r:.60} with an error")
    m1, u1, t1 = ctl_rejected()
    check((m1 - m0, u1 - u0, t1 - t0) == (3, 1, 2), f"broker: 3 malformed, 1 unknown and 2 too large control "
                                                    f"requests counted ({m1 - m0}, {u1 - u0}, {t1 - t0})")
    d.send_multipart([b"", b"x" * (50 * 1024 * 1024)])                    # past its 32 MiB cap: disconnected
    time.sleep(0.5)
    d.close()
    check(broker.alive(), "the broker survives garbage on its control endpoint")
    check(suite.control("PING") == "PONG", "the control endpoint still answers PING")

    # Garbage to the engine's control port.
    r = ctx.socket(zmq.REQ)
    r.setsockopt(zmq.LINGER, 0)
    r.setsockopt(zmq.RCVTIMEO, 3000)
    r.connect(f"tcp://127.0.0.1:{ctl_port}")
    refused = 0
    for req in (rng.randbytes(200), b"{\"cmd\":", b"[1,2]", b"{\"cmd\": 5}", b"{\"cmd\": \"frob\"}",
                b"{\"cmd\": \"set_thresholds\", \"rules\": [{\"channel\": \"wob\", \"max\": \"NaN\"}]}",
                b"{\"cmd\": \"set_thresholds\", \"rules\": 7}", b"\x00" * 1000):
        r.send(req)
        try:
            rep = json.loads(r.recv())
        except zmq.Again:
            fail(f"the engine did not answer {req[:40]!r}")
        check(rep.get("ok") is False and rep.get("error"), f"engine refuses {req[:40]!r}: {rep.get('error')}")
        refused += 1
    r.close()
    d = ctx.socket(zmq.DEALER)
    d.setsockopt(zmq.LINGER, 0)
    d.connect(f"tcp://127.0.0.1:{ctl_port}")
    d.setsockopt(zmq.RCVTIMEO, 5000)
    for frames in ([b"no delimiter"], [b"", b"a", b"b"], [b"x", b"y"]):
        d.send_multipart(frames)
        try:
            rep = d.recv_multipart()
        except zmq.Again:
            fail(f"the engine did not answer {frames!r}")
        check(len(rep) == 2 and json.loads(rep[1]).get("ok") is False, f"engine answers {frames!r} with an error")
    wait_until(lambda: stats(suite, "prediction_engine").get("control_malformed", 0) >= 3, 5,
               "the engine's malformed control requests counted")
    d.send_multipart([b"", b"x" * (100 * 1024 * 1024)])                   # past its 32 MiB cap
    time.sleep(0.5)
    d.close()
    check(engine.alive(), "the engine survives garbage on its control port")
    r = ctx.socket(zmq.REQ)
    r.setsockopt(zmq.LINGER, 0)
    r.setsockopt(zmq.RCVTIMEO, 3000)
    r.connect(f"tcp://127.0.0.1:{ctl_port}")
    r.send(b'{"cmd": "ping"}')
    check(json.loads(r.recv()).get("reply") == "pong", "the engine's control port still answers ping")
    r.close()

    # Every valid sample arrives everywhere.
    sim.wait_for(r"stopped:", timeout=30)

    def saved():
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return con.execute(
                "SELECT count(*), min(x.seq), max(x.seq), count(DISTINCT x.seq) FROM samples x "
                "JOIN streams s ON s.id = x.stream JOIN publishers p ON p.id = s.publisher "
                "WHERE p.name = 'sim' AND s.topic = 'telemetry.A-01'").fetchone()
        except sqlite3.OperationalError:
            return None
        finally:
            con.close()
    wait_until(lambda: (saved() or (0,))[0] >= N, 20, "the saver to store every sample")
    check(saved() == (N, 1, N, N), f"the saver holds seq 1..{N} once each: {saved()}")

    def printed():
        out = []
        for line in logger.text("out").splitlines():
            try:
                m = json.loads(line)
            except ValueError:
                continue     # the line being written
            if m.get("kind") == "telemetry" and m.get("well") == "A-01":
                out.append(m)
        return out
    wait_until(lambda: len(printed()) >= N, 10, "the logger to print every sample")
    seqs = [m.get("seq") for m in printed()]
    check(sorted(seqs) == list(range(1, N + 1)), f"the logger printed seq 1..{N} once each ({len(seqs)} lines)")
    wait_until(lambda: stats(suite, "prediction_engine").get("samples", 0) - before["prediction_engine"].get(
        "samples", 0) >= N, 10, "the engine to process every sample")

    # Every rejection counted by each subscriber, nothing more, nothing lost.
    wait_until(lambda: all(stats(suite, c).get("rejected", 0) - before[c].get("rejected", 0) >= rejected
                           for c in subs), 10, "the rejections in the subscribers' heartbeats")
    time.sleep(0.5)
    for c, proc in subs.items():
        st = stats(suite, c)
        delta = {k: st.get(k, 0) - before[c].get(k, 0) for k in ("rejected", "bad_frames", "missing", "gaps")}
        # The durable saver also follows every sys.* heartbeat: the bad one too.
        want = rejected + (1 if c == "db_saver" else 0)
        check(delta["rejected"] == want and delta["bad_frames"] == 0,
              f"{c}: {want} garbage messages rejected and counted ({delta})")
        check(delta["missing"] == 0, f"{c}: nothing lost ({delta})")
        check("rejected a message on 'telemetry.G" in proc.text(), f"{c}: the rejections are logged")
        check(proc.alive(), f"{c} is still running")
        lines = proc.text().count("rejected a message")
        check(lines < rejected, f"{c}: the log is rate limited ({lines} lines for {rejected} rejections)")
    est = stats(suite, "prediction_engine")
    check(est.get("control_refused", 0) == refused and est.get("control_malformed", 0) >= 3,
          f"engine: control garbage counted (refused {est.get('control_refused')}, "
          f"malformed {est.get('control_malformed')})")
    check("control: refused a request" in engine.text() and "control: malformed request answered with an error" in engine.text(),
          "engine: control garbage logged")

    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    old = con.execute("SELECT count(*), min(ts) FROM samples_v WHERE publisher = 'garb'").fetchone()
    con.close()
    check(old == (1, 1), f"the 1970 sample is stored (valid), the garbage is not: {old}")

    b1 = status(suite)["counters"]
    bd = {k: b1[k] - b0[k] for k in ("dropped_bad_frames", "dropped_too_big", "sys_rejected")}
    check(bd["dropped_bad_frames"] == 3, f"broker: 1-frame, 3-frame and empty-topic messages counted ({bd})")
    check(bd["dropped_too_big"] == 1, f"broker: the 1 MB body counted as too big ({bd})")
    check(bd["sys_rejected"] >= 1, f"broker: the bad sys.G-01 heartbeat counted ({bd})")
    st = status(suite)
    check(st["prefixes"]["other"]["msgs"] >= 3, "broker: unknown topics counted under 'other'")
    blog = broker.text()
    check("dropped a 1-frame message" in blog and "body 1048576 bytes (max 262144)" in blog
          and "sys.G-01: heartbeat not understood" in blog, "broker: drops logged (rate limited)")

    for name, p in (("sim", sim), ("engine", engine), ("logger", logger), ("saver", saver), ("broker", broker)):
        check(p.stop() == 0, f"{name} exits 0")
    print("test_fault_garbage: all checks passed")


if __name__ == "__main__":
    main()
