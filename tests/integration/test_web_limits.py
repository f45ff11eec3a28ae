"""What history costs, and who may connect, against a real rigstream-web
over a real recorder database (seed_db writes 24 h of a well at 1 Hz
through the saver's own store).

- The history flood: 20 WebSocket clients each send one-hour "since"
  requests back to back. The bridge's RSS (VmRSS) and CPU (utime+stime of
  /proc/<pid>/stat) are sampled throughout: bounded while flooding, and
  within 10 s of the clients leaving the CPU is idle again and RSS is under
  40 MB. Refused requests get an error naming the limit. REST history and
  export (and then a WebSocket since of the same client) get 429 with
  Retry-After and a JSON reason when over the limits.
- since:0 and other degenerate "since" values get an error, never silence.
- The lock-out: a flood of raw WebSocket connections from rotating
  127.x.y.z addresses gets at most WEB_WS_PER_CLIENT of them (loopback is
  one client); with the slots filled, a dashboard-like connection (the
  bridge's own Origin) still connects and gets history. A second bridge
  with a small WEB_MAX_CLIENTS shows the reserve: raw clients stop short of
  it, the dashboard takes it; closed connections give their slots back.
- A history request past WEB_HISTORY_MAX_MS is stopped (413).
- Close frames over 125 bytes are closed with 1002.
"""
import base64
import os
import re
import socket
import struct
import subprocess
import threading
import time

import rigtest
from rigtest import check, Suite, wait_until
from webtest import get_json, request, start_web
from wsclient import Closed, WsClient

CLIENTS = 20
REQUESTS = 6            # one-hour "since" requests per client: 120 in all
HZ = os.sysconf("SC_CLK_TCK")


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / HZ


def cpu_pct(pid, seconds=1.0):
    c0, t0 = cpu_s(pid), time.monotonic()
    time.sleep(seconds)
    return 100.0 * (cpu_s(pid) - c0) / (time.monotonic() - t0)


def flood_client(port, origin, since, results, i):
    got = {"history": 0, "errors": [], "closed": None}
    try:
        c = WsClient("127.0.0.1", port, timeout=30, headers={"Origin": origin})
        c.recv(10)
        for _ in range(REQUESTS):
            c.send_json({"type": "subscribe", "since": since})
        # Read until every request is answered (history or an error), then
        # leave as a browser tab would.
        end = time.monotonic() + 40
        while time.monotonic() < end and got["history"] + len(got["errors"]) < REQUESTS:
            m = c.recv(end - time.monotonic())
            if m is None:
                break
            if m["type"] == "history":
                got["history"] += 1
            elif m["type"] == "error":
                got["errors"].append(m)
        c.close()
    except (Closed, OSError) as e:
        got["closed"] = str(e)
    results[i] = got


def raw_upgrade(port, source, origin=None):
    """A WebSocket handshake from a given 127.x.y.z; returns (status, socket)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(10)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    extra = f"Origin: {origin}\r\n" if origin else ""
    s.sendall((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(4096)
        if not chunk:
            break
        head += chunk
    parts = head.split(b" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    if status != 101:
        s.close()
        return status, None, head
    return status, s, head


def main():
    args = rigtest.setup()
    suite = Suite()
    suite.start_broker()
    db = os.path.join(args.tmp, "rigstream.db")
    seed = rigtest.binary("seed_db")
    subprocess.run([seed, db, "24", "B-01"], check=True, capture_output=True)
    # ASan's allocator keeps freed memory in quarantine and maps shadow
    # memory: RSS means something only in the plain build.
    with open(os.path.join(args.build_dir, "CMakeCache.txt")) as f:
        sanitized = re.search(r"^RS_SANITIZE:BOOL=ON$", f.read(), re.M) is not None
    rss_limit = 1e9 if sanitized else 40
    if sanitized:
        print("sanitizer build: RSS is printed, not checked")
    web, port = start_web(suite, db=db)
    origin = f"http://127.0.0.1:{port}"
    pid = web.pid
    st, doc = get_json(port, "/api/wells")
    check(st == 200 and doc, f"wells: {st}")

    idle_rss = rss_mb(pid)
    since = int((time.time() - 3600) * 1e6)

    # --- since:0 and other degenerate values: an error, never silence
    c = WsClient("127.0.0.1", port, headers={"Origin": origin})
    c.recv(5)
    for bad in (0, "0", -5, "yesterday", int((time.time() + 3600) * 1e6)):
        c.send_json({"type": "subscribe", "since": bad})
        m, _ = c.recv_until(lambda m: m["type"] in ("error", "history"), timeout=10)
        check(m is not None and m["type"] == "error" and "since" in m["message"],
              f"since={bad!r} is answered with an error naming 'since': {m}")
    c.send_json({"type": "subscribe", "wells": ["B-01"], "since": since})
    m, _ = c.recv_until(lambda m: m["type"] in ("error", "history"), timeout=20)
    check(m is not None and m["type"] == "history" and len(m["ts"]) >= 3000,
          f"a valid one-hour since brings history: {m if m and m['type'] == 'error' else len(m.get('ts', []))}")
    c.close()

    # --- the history flood
    results = [None] * CLIENTS
    cpu0, t0 = cpu_s(pid), time.monotonic()
    threads = [threading.Thread(target=flood_client, args=(port, origin, since, results, i))
               for i in range(CLIENTS)]
    for t in threads:
        t.start()
    peak_rss, samples = 0.0, []
    last_c, last_t = cpu0, t0
    while any(t.is_alive() for t in threads):
        time.sleep(0.25)
        now_c, now_t = cpu_s(pid), time.monotonic()
        samples.append(100.0 * (now_c - last_c) / (now_t - last_t))
        last_c, last_t = now_c, now_t
        peak_rss = max(peak_rss, rss_mb(pid))
    for t in threads:
        t.join()
    flood_s = time.monotonic() - t0
    flood_cpu = cpu_s(pid) - cpu0
    left = time.monotonic()
    histories = sum(r["history"] for r in results if r)
    errors = [e for r in results if r for e in r["errors"]]
    limits = sorted({e.get("limit", "?") for e in errors})
    print(f"flood: {CLIENTS} clients x {REQUESTS} one-hour since: {histories} history answers, "
          f"{len(errors)} refusals ({', '.join(limits)}), {flood_s:.1f} s, bridge CPU {flood_cpu:.1f} s "
          f"(peak {max(samples or [0]):.0f}% of a core), RSS idle {idle_rss:.1f} MB peak {peak_rss:.1f} MB")
    check(all(r and not r["closed"] for r in results), f"every flood client was served: {results}")
    check(histories > 0, "some history was served during the flood")
    check(all(e.get("limit", "").startswith("WEB_") for e in errors),
          f"refused requests name their limit: {errors[:3]}")
    # One heavy request at a time per client (every loopback address is one)
    # and 10 s of CPU per client per minute (the defaults).
    check(flood_cpu < 12, f"the bridge's CPU during the flood within the client's budget: {flood_cpu:.1f} s")
    check(histories + len(errors) >= CLIENTS * REQUESTS,
          f"every request was answered (history or an error): {histories} + {len(errors)}")
    check(peak_rss < 100 or sanitized, f"RSS bounded during the flood: {peak_rss:.1f} MB")

    # --- back to idle within 10 s of the clients leaving
    def idle():
        return rss_mb(pid) < rss_limit and cpu_pct(pid, 1.0) < 5
    wait_until(idle, timeout=10, what="RSS under 40 MB and CPU idle after the flood")
    back_s = time.monotonic() - left
    print(f"after the flood: idle again {back_s:.1f} s after the clients left: RSS {rss_mb(pid):.1f} MB, "
          f"CPU {cpu_pct(pid, 1.0):.1f}% of a core")

    # --- the lock-out: raw clients from rotating loopback addresses
    held, refused = [], []
    for i in range(40):
        st, s, head = raw_upgrade(port, f"127.0.{i // 200}.{2 + i % 200}")
        (held.append(s) if s else refused.append((st, head)))
    print(f"lock-out: 40 raw WebSockets from 40 loopback addresses: {len(held)} accepted, {len(refused)} refused")
    check(len(held) == 8, f"loopback is one client: WEB_WS_PER_CLIENT (8) raw WebSockets, not 40: {len(held)}")
    check(all(st == 429 and b"WEB_WS_PER_CLIENT" in head for st, head in refused[:3]),
          f"the rest refused with 429 naming the limit: {refused[:1]}")
    dash = WsClient("127.0.0.1", port, headers={"Origin": origin})
    hello = dash.recv(5)
    dash.send_json({"type": "subscribe", "wells": ["B-01"], "since": since})
    m, _ = dash.recv_until(lambda m: m["type"] == "history", timeout=20)
    check(hello and hello["type"] == "hello" and m is not None,
          "the dashboard (its own Origin) still connects and gets history")

    # --- control frames over 125 bytes: closed with 1002
    mask = os.urandom(4)
    payload = b"\x03\xe8" + b"x" * 198
    dash.sock.sendall(struct.pack("!BBH", 0x88, 0x80 | 126, len(payload)) + mask
                      + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
    code = None
    try:
        while dash.recv(10) is not None:
            pass
    except Closed:
        code = getattr(dash, "close_code", None)
    check(code == 1002, f"a 200-byte close frame is answered with 1002: {code}")
    for s in held:
        s.close()
    web.stop()

    # --- the wall time of one request: a bridge allowing 100 ms (an export of
    # every channel over 24 h takes over a second)
    web3, port3 = start_web(suite, name="web3", db=db, extra_env={"WEB_HISTORY_MAX_MS": "100"})
    t0 = time.monotonic()
    day = int((time.time() - 24 * 3600) * 1e6)
    st, _, body = request(port3, "GET", f"/api/export.csv?well=B-01&from={day}&channels=all")
    took = time.monotonic() - t0
    print(f"export of 24 h with every channel under WEB_HISTORY_MAX_MS=100: {st} after {took:.2f} s")
    check(st == 413 and b"WEB_HISTORY_MAX_MS" in body and took < 5,
          f"a request over its time is stopped: 413 naming the limit: {st} {body[:200]}")
    st, doc = get_json(port3, "/api/wells")
    check(st == 200, "the bridge serves on")
    web3.stop()

    # --- the reserve: a bridge with 10 slots, 3 kept for the dashboard
    web2, port2 = start_web(suite, name="web2", db=db, extra_env={
        "WEB_MAX_CLIENTS": "10", "WEB_WS_RESERVE": "3", "WEB_WS_PER_CLIENT": "100",
        "WEB_HISTORY_CLIENT_ROWS": "400000", "WEB_HISTORY_WAIT_MS": "0"})
    pid2 = web2.pid

    # --- REST: history and exports over a client's budget get 429
    frm = int((time.time() - 23 * 3600) * 1e6)
    statuses, bodies = [], []
    lock = threading.Lock()

    def rest(path):
        st, hdrs, body = request(port2, "GET", path)
        with lock:
            statuses.append((st, hdrs.get("retry-after")))
            bodies.append(body)
    paths = [f"/api/export.csv?well=B-01&from={frm}" if i % 2 else f"/api/history?well=B-01&from={frm}&points=5000"
             for i in range(6)]
    ts = [threading.Thread(target=rest, args=(p,)) for p in paths]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    busy = [(s, r) for s, r in statuses if s == 429]
    print(f"REST: 6 concurrent history/export requests without waiting: {statuses}")
    check(any(s == 200 for s, _ in statuses) and busy and all(r and int(r) >= 1 for _, r in busy),
          f"concurrent heavy REST requests: some served, the rest 429 with Retry-After: {statuses}")
    check(all(b"WEB_HISTORY" in b for b in bodies if b.startswith(b"{\"error\"")),
          f"the 429 answers name their limit: {bodies[-1][:200]}")
    served, last = 0, None
    for _ in range(12):
        st, hdrs, body = request(port2, "GET", f"/api/export.csv?well=B-01&from={frm}")
        if st != 200:
            last = (st, hdrs.get("retry-after"), body)
            break
        served += 1
    print(f"REST: exports of 23 h one after the other: {served} served, then {last and last[:2]}")
    check(last and last[0] == 429 and int(last[1]) >= 1 and b"WEB_HISTORY_CLIENT_ROWS" in last[2],
          f"past the client's rows per minute: 429, Retry-After, the limit named: {last}")
    wait_until(lambda: rss_mb(pid2) < rss_limit, timeout=10, what="RSS under 40 MB after the exports")
    st, doc = get_json(port2, "/api/health")
    sec = doc["webbridge"]["security"] if st == 200 else {}
    check(sec.get("history_refused", 0) >= len(busy) + 1 and sec.get("history_rows", 0) >= 300000,
          f"/api/health counts the refusals and the rows read: {sec}")
    # The same budget holds for the WebSocket: the same client (loopback).
    c = WsClient("127.0.0.1", port2, headers={"Origin": f"http://127.0.0.1:{port2}"})
    c.recv(5)
    c.send_json({"type": "subscribe", "since": since})
    m, _ = c.recv_until(lambda m: m["type"] in ("error", "history"), timeout=20)
    check(m and m["type"] == "error" and m.get("limit") == "WEB_HISTORY_CLIENT_ROWS" and m["retry_after_s"] >= 1,
          f"a since over the client's rows: an error naming the limit, with when to retry: {m}")
    c.close()

    held, refused = [], []
    for i in range(15):
        st, s, head = raw_upgrade(port2, f"127.0.1.{2 + i}")
        (held.append(s) if s else refused.append((st, head)))
    check(len(held) == 7 and all(st == 503 and b"WEB_WS_RESERVE" in h for st, h in refused),
          f"raw clients take 7 of 10 slots, never the reserve: {len(held)} {refused[:1]}")
    dashes = []
    for _ in range(3):
        d = WsClient("127.0.0.1", port2, headers={"Origin": f"http://127.0.0.1:{port2}"})
        check(d.recv(5)["type"] == "hello", "a dashboard takes a reserved slot")
        dashes.append(d)
    st, s, head = raw_upgrade(port2, "127.0.1.99", origin=f"http://127.0.0.1:{port2}")
    check(st == 503 and b"WEB_MAX_CLIENTS" in head, f"with every slot taken, 503: {st}")
    for s in held:
        s.close()
    for d in dashes:
        d.close()

    # Closed connections give their slots back.
    def slots_back():
        got = [raw_upgrade(port2, f"127.0.2.{2 + i}")[1] for i in range(7)]
        for s in got:
            if s:
                s.close()
        return all(got)
    wait_until(slots_back, timeout=15, what="the 7 unreserved slots free again after the clients closed")
    web2.stop()
    suite.stop_all()
    print("ok")


if __name__ == "__main__":
    main()
