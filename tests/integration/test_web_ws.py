"""The web bridge's WebSocket feed with real clients (wsclient.py, RFC 6455 on
the socket module) against broker, simulator, saver and rigstream-web.

A client that sends nothing gets every well at the default 2 Hz; subscribe
filters wells and channels and sets the rate; bad messages get an error;
"since" brings recorded history. Then a deliberately slow client (tiny
receive buffer, never reads) while a fast client must keep receiving every
well on time, ingestion must not lose anything, and the slow client, when it
reads again, gets a "dropped" notice and the newest values.
"""
import json
import os
import time

import rigtest
from rigtest import check, Suite, wait_until
from webtest import Publisher, get_json, start_web, wait_history
from wsclient import Closed, WsClient

WELLS = 6
RATE = 20           # samples per second per well for the flood part


def collect(ws, seconds, types=("sample",)):
    """Messages of the given types received during `seconds`."""
    out = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        m = ws.recv(end - time.monotonic())
        if m is None:
            break
        if m["type"] in types:
            out.append(m)
    return out


def main():
    args = rigtest.setup()
    suite = Suite()
    suite.start_broker()
    db = os.path.join(args.tmp, "rigstream.db")
    sim = suite.start("sim", "rigstream-sim", ["--wells", str(WELLS), "--rate", str(RATE), "--seed", "5"])
    sim.wait_for(r"publishing", timeout=10)
    saver = suite.start("saver", "rigstream-saver", [], {"DATABASE_PATH": db})
    web, port = start_web(suite, db=db)
    wait_until(lambda: len(get_json(port, "/api/wells")[1]["wells"]) == WELLS, timeout=10, what="all wells live")

    # --- a client that sends nothing: every well, 2 Hz each, at once
    t0 = time.monotonic()
    c = WsClient("127.0.0.1", port)
    hello = c.recv(3)
    check(hello and hello["type"] == "hello" and hello["max_rate_hz"] == 2, f"hello first: {hello}")
    first, _ = c.recv_until(lambda m: m["type"] == "sample", timeout=2)
    check(first is not None and time.monotonic() - t0 < 1.0,
          f"first sample within {time.monotonic() - t0:.2f}s without subscribing")
    msgs = collect(c, 3.0)
    per_well = {}
    for m in msgs:
        per_well[m["well"]] = per_well.get(m["well"], 0) + 1
    check(len(per_well) == WELLS and all(4 <= n <= 8 for n in per_well.values()),
          f"default: every well at about 2 Hz over 3 s: {per_well}")
    check(all(m["ch"].get("hook_load") is not None and "time" in m and m["ts"] > 0 for m in msgs),
          "samples carry channels, ts (µs) and ISO time")

    # --- subscribe: one well, two channels, 5 Hz
    c.send_json({"type": "subscribe", "wells": ["A-02"], "channels": ["spp", "flow_in"], "max_rate_hz": 5})
    ack, _ = c.recv_until(lambda m: m["type"] == "subscribed", timeout=3)
    check(ack and ack["wells"] == ["A-02"] and ack["max_rate_hz"] == 5, f"subscribed acknowledged: {ack}")
    msgs = collect(c, 3.0)
    wells = {m["well"] for m in msgs}
    keys = {k for m in msgs for k in m["ch"]}
    check(wells == {"A-02"} and keys == {"spp", "flow_in"}, f"only A-02 with spp and flow_in: {wells} {keys}")
    check(12 <= len(msgs) <= 18, f"5 Hz for 3 s gives about 15 samples: {len(msgs)}")

    # --- bad messages: an error, the connection stays
    for bad in ['{"type":"subscribe","max_rate_hz":0}', '{"type":"subscribe","wells":"A-01"}', 'nonsense',
                '{"type":"subscribe","channels":["BAD!"]}', '{"type":"dance"}']:
        c.send_text(bad)
        err, _ = c.recv_until(lambda m: m["type"] == "error", timeout=3)
        check(err and err["message"], f"{bad[:40]} -> error: {err and err['message']}")
    c.send_json({"type": "ping"})
    pong, _ = c.recv_until(lambda m: m["type"] == "pong", timeout=3)
    check(pong is not None, "ping answered")
    c.close()

    # --- since: recorded history first
    wait_history(port, "A-01")
    time.sleep(1.0)     # at least a second of recorded samples before `since`... and after
    since = int((time.time() - 1.0) * 1e6)
    h = WsClient("127.0.0.1", port)
    h.send_json({"type": "subscribe", "wells": ["A-01"], "channels": ["hook_load"], "since": since})
    hist, skipped = h.recv_until(lambda m: m["type"] in ("history", "error"), timeout=5)
    check(hist and hist["type"] == "history" and hist["well"] == "A-01" and len(hist["ts"]) >= 5
          and all(t >= since for t in hist["ts"]) and len(hist["values"]["hook_load"]) == len(hist["ts"]),
          f"since: {len(hist['ts']) if hist and 'ts' in hist else hist} recorded samples of A-01 from the history")
    h.close()

    # --- alerts reach every client
    a = WsClient("127.0.0.1", port)
    pub = Publisher(suite)
    pub.alert("A-03", 1, "raised", message="Flow out high")
    alert, _ = a.recv_until(lambda m: m["type"] == "alert", timeout=5)
    check(alert and alert["alert_id"] == 1 and alert["well"] == "A-03" and alert["active"],
          "an alert on the live topic reaches the client")
    check(alert["alert_type"] == "threshold" and alert["rule"] == "pit_gain_high",
          f"the engine's alert type travels as alert_type: {alert.get('alert_type')}")
    a.close()

    # --- slow client versus fast client
    slow = WsClient("127.0.0.1", port, rcvbuf=4096)
    slow.send_json({"type": "subscribe", "max_rate_hz": 50})
    fast = WsClient("127.0.0.1", port)
    fast.send_json({"type": "subscribe", "max_rate_hz": 50})
    fast.recv_until(lambda m: m["type"] == "subscribed", timeout=3)
    collect(fast, 0.5)

    def dropped_total():
        return get_json(port, "/api/health")[1]["webbridge"]["dropped"]
    base_drop = dropped_total()
    counts, last_at, gaps = {}, {}, []
    end = time.monotonic() + 8.0
    while time.monotonic() < end:
        m = fast.recv(1.0)
        if m and m["type"] == "sample":
            now = time.monotonic()
            if m["well"] in last_at:
                gaps.append(now - last_at[m["well"]])
            last_at[m["well"]] = now
            counts[m["well"]] = counts.get(m["well"], 0) + 1
    got = sum(counts.values())
    check(len(counts) == WELLS and got >= WELLS * RATE * 8 * 0.8,
          f"the fast client kept receiving every well at full rate while the slow one is stuck: {got} samples "
          f"in 8 s (expected about {WELLS * RATE * 8})")
    gaps.sort()
    check(gaps and gaps[-1] < 0.5, f"no stall for the fast client: longest wait between two samples of a well "
          f"{gaps[-1] * 1000:.0f} ms (period {1000 // RATE} ms, p99 {gaps[int(len(gaps) * 0.99)] * 1000:.0f} ms)")
    drops = wait_until(lambda: (dropped_total() - base_drop) or None, timeout=10,
                       what="the slow client's queue to overflow (dropped counted)")
    check(drops > 0, f"the bridge counted {drops} updates dropped for the slow client")

    # Ingestion lost nothing: the bridge's own subscriber saw no gap.
    def bridge_stats():
        st = json.loads(suite.control("STATUS"))
        return st["components"].get("webbridge", {}).get("stats")
    stats = wait_until(bridge_stats, timeout=5, what="the bridge's heartbeat in the broker's STATUS")
    check(stats.get("missing", 0) == 0 and stats.get("gaps", 0) == 0,
          f"ingestion kept up: gaps {stats.get('gaps')}, missing {stats.get('missing')}")

    # The slow client reads again: a dropped notice, then current values.
    notice, skipped = slow.recv_until(lambda m: m["type"] == "dropped", timeout=15)
    check(notice and notice["count"] > 0, f"slow client told: dropped {notice and notice['count']}")
    fresh, _ = slow.recv_until(lambda m: m["type"] == "sample" and time.time() - m["ts"] / 1e6 < 1.0, timeout=10)
    check(fresh is not None, "then the slow client gets current values (newest first), not a stale backlog")
    slow.close()
    fast.close()
    pub.close()

    # --- client limit: beyond WEB_MAX_CLIENTS the handshake is refused
    small, sport = start_web(suite, name="web-small", db=db, extra_env={"WEB_MAX_CLIENTS": "1"})
    one = WsClient("127.0.0.1", sport)
    check(one.recv(3)["type"] == "hello", "first client of a 1-client bridge accepted")
    try:
        WsClient("127.0.0.1", sport)
        refused = False
    except (Closed, OSError):
        refused = True
    check(refused, "second client refused (WEB_MAX_CLIENTS=1)")
    one.close()
    check(small.stop() == 0, "the 1-client bridge exits 0")

    for p in (web, saver, sim):
        check(p.stop() == 0, f"{p.name} exits 0 on SIGTERM")
    suite.broker.stop()
    print("test_web_ws: all checks passed")


if __name__ == "__main__":
    main()
