"""Garbage to the web bridge over raw sockets, while a normal WebSocket client
watches live data: malformed request lines, huge headers, huge and lying
bodies, bad JSON bodies (wrong types, deep nesting, huge numbers, invalid
UTF-8), bad query strings, and bad WebSocket frames (unknown opcodes,
binary, fragments, reserved bits, unmasked, absurd and truncated lengths,
random bytes, oversized and non-UTF-8 messages). Every case must be
refused (a 4xx, a WebSocket close or error, or civetweb closing the
connection), counted in /api/health, and the bridge must keep running with
the watcher receiving samples throughout.
"""
import json
import os
import socket
import struct
import threading
import time

import rigtest
from rigtest import check, Suite, wait_until
from webtest import get_json, request, start_web
from wsclient import Closed, WsClient


class Watcher(threading.Thread):
    """A well-behaved WebSocket client recording when samples arrive."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.ws = WsClient("127.0.0.1", port)
        self.ws.send_json({"type": "subscribe", "max_rate_hz": 10})
        self.times = []
        self.error = None
        self.stop = False

    def run(self):
        try:
            while not self.stop:
                m = self.ws.recv(1.0)
                if m and m.get("type") == "sample":
                    self.times.append(time.monotonic())
        except (Closed, OSError, ValueError) as e:
            self.error = e

    def recent(self, seconds=2.0):
        return sum(1 for t in self.times if t > time.monotonic() - seconds)


def raw(port, data, read=True, timeout=5.0):
    """Sends bytes on a fresh connection; returns the status of the answer
    (0 when the connection closed unanswered)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(data)
        except OSError:
            pass   # the server may close before reading it all
        if not read:
            return 0
        got = b""
        try:
            while b"\r\n" not in got:
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += chunk
        except (socket.timeout, ConnectionResetError):
            pass
    line = got.split(b"\r\n", 1)[0].split(b" ")
    return int(line[1]) if len(line) > 1 and line[1].isdigit() else 0


def ws_raw(port, frame, expect_close=True):
    """Opens a WebSocket, sends raw bytes; returns (close code or None,
    first JSON message or None)."""
    c = WsClient("127.0.0.1", port)
    c.recv(3)   # hello
    c.sock.sendall(frame)
    code, msg = None, None
    try:
        end = time.monotonic() + 3
        while time.monotonic() < end:
            m = c.recv(end - time.monotonic())
            if m and m.get("type") in ("error", "pong", "subscribed"):
                msg = m
                break
    except (Closed, OSError):
        code = getattr(c, "close_code", None) or "closed"
    c.sock.close()
    return code, msg


def frame(opcode, payload, fin=True, mask=True, rsv=0, length=None):
    n = len(payload) if length is None else length
    b0 = (0x80 if fin else 0) | rsv | opcode
    mbit = 0x80 if mask else 0
    if n < 126:
        head = struct.pack("!BB", b0, mbit | n)
    elif n < 65536:
        head = struct.pack("!BBH", b0, mbit | 126, n)
    else:
        head = struct.pack("!BBQ", b0, mbit | 127, n)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def main():
    args = rigtest.setup()
    suite = Suite()
    suite.start_broker()
    sim = suite.start("sim", "rigstream-sim", ["--wells", "1", "--rate", "10", "--seed", "3"])
    sim.wait_for(r"publishing", timeout=10)
    # The request rate has its own test (test_web_security); here it would
    # answer 429 before the cases under test.
    web, port = start_web(suite, extra_env={"WEB_RATE_LIMIT": "0"})
    wait_until(lambda: len(get_json(port, "/api/wells")[1]["wells"]) == 1, timeout=10, what="the well is live")
    watcher = Watcher(port)
    watcher.start()
    wait_until(lambda: watcher.recent() > 0, timeout=5, what="the watcher receives samples")

    def still_live(what):
        check(web.alive() and watcher.error is None and watcher.recent(2.5) > 0,
              f"after {what}: bridge up, watcher still receiving ({watcher.recent(2.5)} samples in 2.5 s)")

    # --- malformed HTTP
    http_cases = {
        "garbage line": b"GARBAGE\r\n\r\n",
        "method only": b"GET\r\n\r\n",
        "HTTP/9.9": b"GET / HTTP/9.9\r\nHost: localhost\r\n\r\n",
        "header without colon": b"GET / HTTP/1.1\r\nHost: localhost\r\nNo colon here\r\n\r\n",
        "binary request": b"\x00\x01\x02\xff" * 100 + b"\r\n\r\n",
        "random bytes": os.urandom(3000) + b"\r\n\r\n",
        "20 kB request line": b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "100 kB header": b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"b" * 100000 + b"\r\n\r\n",
        "200 headers": b"GET / HTTP/1.1\r\nHost: localhost\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(200)) + b"\r\n",
        "negative length": b"POST /api/alerts/1/ack HTTP/1.1\r\nHost: localhost\r\nContent-Length: -5\r\n\r\n",
        "huge length number": b"POST /api/alerts/1/ack HTTP/1.1\r\nHost: localhost\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        "length not a number": b"POST /api/alerts/1/ack HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\n\r\n",
        "bad chunk size": b"PUT /api/thresholds HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
        "empty request": b"\r\n\r\n",
        "NUL in method": b"G\x00T / HTTP/1.1\r\nHost: localhost\r\n\r\n",
    }
    for name, data in http_cases.items():
        st = raw(port, data)
        check(st == 0 or 400 <= st < 500 or st == 505, f"HTTP {name}: refused ({st or 'closed'})")
    raw(port, b"GET /api/hea", read=False)    # truncated, then gone
    slow = [socket.create_connection(("127.0.0.1", port)) for _ in range(5)]
    for s in slow:
        s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")   # never finished
    check(get_json(port, "/api/channels")[0] == 200, "served while 5 half-sent requests hang")
    for s in slow:
        s.close()
    still_live("malformed HTTP")

    # --- huge and lying bodies
    st = raw(port, b"POST /api/alerts/1/ack HTTP/1.1\r\nHost: localhost\r\nX-Rigstream: 1\r\n"
             b"Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{}")
    check(st == 413, f"a declared 100 MB body is refused before reading it: {st}")
    chunk = b"%x\r\n%s\r\n" % (65536, b"x" * 65536)
    st = raw(port, b"PUT /api/thresholds HTTP/1.1\r\nHost: localhost\r\nX-Rigstream: 1\r\n"
             b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk * 4
             + b"0\r\n\r\n")
    check(st == 413, f"a 256 kB chunked body is refused: {st}")
    st, _, _ = request(port, "PUT", "/api/thresholds", "[" * 70000)
    check(st == 413, f"a body over 64 kB -> 413: {st}")

    # --- bad JSON bodies: the bridge refuses them itself (the engine is not even running)
    bodies = [b'{"rules": "x"}', b"[1,2]", b'{"rules":[', b'"' * 1000, b"[" * 50000, b'{"rules":[1e99999]}',
              b'{"rules":[123456789012345678901234567890]}', b'{"rules":["\xff\xfe"]}', b'{"rules":[],"save":"yes"}',
              b'{"rules":[],"cmd":"shutdown"}', b'{"rules":[],"rules":[]}', b"\xef\xbb\xbf{}", b'{"rules":[]}\x00',
              b"", b"null", b"true", b"1e400", b'{"rules":[],' + b'"k":{' * 3000 + b"}" * 3000 + b"}"]
    for body in bodies:
        st, _, data = request(port, "PUT", "/api/thresholds", body)
        check(st == 400 and b"error" in data, f"thresholds body {body[:30]!r}...: 400 ({st})")
    for body in [b'{"by": 5}', b'{"by":"\xc3\x28"}', b'{"by":"a\\u0000b"}', b"[" * 50000, b'{"by":"x","z":1}',
                 b'{"by":' + b"9" * 400 + b"}", b'{"by":"' + b"w" * 65 + b'"}', b"\xff"]:
        st, _, data = request(port, "POST", "/api/alerts/1/ack", body)
        check(st == 400, f"ack body {body[:30]!r}...: 400 ({st})")
    still_live("bad bodies")

    # --- bad query strings
    for q in ["well=%ff%fe", "well=A-01&from=99999999999999999999999", "well=A-01&channels=,,,",
              "well=A-01&points=-1", "well=A&well=B", "well=A%00B", "well=A-01&points=1e3",
              "&".join(f"p{i}=1" for i in range(20)), "well=" + "w" * 5000, "well=A-01&from=2026-13-45T99:99:99Z",
              "well=A-01&channels=" + ",".join(f"c{i}" for i in range(40)), "%zz=1", "well=A-01&to=-1"]:
        st, _, _ = request(port, "GET", "/api/history?" + q)
        check(st == 400, f"history?{q[:40]}: 400 ({st})")
    still_live("bad queries")

    # --- bad WebSocket frames
    cases = [
        ("opcode 0x3", frame(0x3, b"{}"), (1002,)),
        ("opcode 0xB (control)", frame(0xB, b""), (1002, "closed")),
        ("binary message", frame(0x2, b"\x00\x01\x02"), (1003,)),
        ("unfinished fragment", frame(0x1, b'{"type":', fin=False), (1002,)),
        ("reserved bits", frame(0x1, b'{"type":"ping"}', rsv=0x40), (1002,)),
        ("2^63 length", struct.pack("!BBQ", 0x81, 0xFF, 1 << 63) + os.urandom(4), ("closed", 1002)),
        ("message over 4 kB", frame(0x1, b'{"type":"ping","x":"' + b"y" * 5000 + b'"}'), (1009,)),
        ("1 MB message", frame(0x1, b"z" * (1 << 20)), (1009,)),
        ("random bytes", os.urandom(4096), ("closed", 1002, 1003, 1009, None)),
    ]
    for name, data, expected in cases:
        code, msg = ws_raw(port, data)
        check(code in expected, f"WebSocket {name}: refused (close {code}, message {msg})")
    code, msg = ws_raw(port, frame(0x1, b'{"type":"\xff\xfe"}'))
    check(code is None and msg and msg["type"] == "error", f"WebSocket non-UTF-8 text: an error message ({msg})")
    code, msg = ws_raw(port, frame(0x1, b"[" * 3000))
    check(code is None and msg and msg["type"] == "error", f"WebSocket deep nesting: an error message ({msg})")
    # Truncated frames: a header promising more than ever comes, then the client leaves.
    for head in [struct.pack("!BB", 0x81, 0x80 | 100) + os.urandom(4) + b"abc",
                 struct.pack("!BBQ", 0x81, 0xFF, 100 << 20) + os.urandom(4) + b"x" * 1024, b"\x81"]:
        c = WsClient("127.0.0.1", port)
        c.recv(3)
        c.sock.sendall(head)
        time.sleep(0.2)
        c.sock.close()
    # civetweb 1.15 does not check the mask bit: an unmasked frame is read
    # as if masked with zeros (RFC 6455 says close). It gets no further
    # than any other message.
    code, msg = ws_raw(port, frame(0x1, b'{"type":"ping"}', mask=False))
    check(msg is not None or code is not None, f"unmasked frame: handled like any message ({code}, {msg})")
    still_live("bad WebSocket frames")
    wait_until(lambda: get_json(port, "/api/health")[1]["webbridge"]["clients"] == 1, timeout=15,
               what="the bad WebSocket clients are gone, the watcher remains")

    st, health = get_json(port, "/api/health")
    sec = health["webbridge"]["security"]
    check(sec["http_rejected"] >= 5 and sec["body_too_large"] >= 3 and sec["ws_bad_frames"] >= 4
          and sec["ws_too_large"] >= 2 and sec["ws_bad_messages"] >= 2 and sec["http_errors"] >= 40,
          f"every kind counted: {sec}")
    log = web.text()
    check("refused a request" in log and "closing the WebSocket" in log, "rejections are logged")
    check(len(log.splitlines()) < 200, f"logging stays rate limited: {len(log.splitlines())} lines")
    # Live data still flows once all the garbage is through.
    n0 = len(watcher.times)
    wait_until(lambda: len(watcher.times) >= n0 + 5, timeout=10, what="live samples after the garbage")
    watcher.stop = True
    watcher.join(3)
    gaps = [b - a for a, b in zip(watcher.times, watcher.times[1:])]
    check(len(watcher.times) > 10 and max(gaps) < 3.0,
          f"live data never stalled: {len(watcher.times)} samples, longest gap {max(gaps):.2f} s")
    check(web.stop() == 0, "the bridge stops cleanly")
    suite.stop_all()
    print("PASS")


if __name__ == "__main__":
    main()
