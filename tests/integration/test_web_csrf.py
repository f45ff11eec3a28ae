"""Cross-site requests and DNS rebinding against the zero-configuration
bridge (loopback, no token), with the real prediction engine behind it:
each attack a web page could make for the operator's browser is refused
with its status and a JSON reason, and the engine's rules read back
unchanged after every one. The dashboard's own way of writing (the
X-Rigstream header, a JSON body) still works, and the refusals are counted.
"""
import base64
import json
import os
import socket

from rigtest import check, free_port, Suite
import rigtest
from webtest import get_json, request, start_web
from wsclient import WsClient

RULES = {"rules": [{"name": "gas_high", "channel": "gas", "max": 5, "severity": "warning"}]}


def raw(port, data):
    """Sends bytes as they are; returns (status, body) of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(data)
        got = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
    head, _, body = got.partition(b"\r\n\r\n")
    parts = head.split(b" ", 2)
    return (int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0), body


def upgrade(port, host, origin):
    key = base64.b64encode(os.urandom(16)).decode()
    return raw(port, (f"GET /ws HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\nUpgrade: websocket\r\n"
                      f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                      "Connection: close\r\n\r\n").encode())


def main():
    rigtest.setup()
    suite = Suite()
    suite.start_broker()
    engine_port = free_port()
    engine = suite.start("engine", "rigstream-engine", [], {"ENGINE_CONTROL_PORT": str(engine_port)})
    engine.wait_for(r"ready", timeout=10)
    web, port = start_web(suite, engine_port=engine_port)

    st, doc = get_json(port, "/api/thresholds", "PUT", RULES)
    check(st == 200 and doc["ok"], f"the dashboard's own write (X-Rigstream, JSON) is served: {st} {doc}")

    def rules_unchanged(what):
        st, doc = get_json(port, "/api/thresholds")
        check(st == 200 and [r["name"] for r in doc["rules"]] == ["gas_high"], f"{what}: the rules are unchanged")

    def refused(what, want, st, body, reason):
        try:
            doc = json.loads(body)
        except ValueError:
            doc = {}
        check(st == want and doc.get("status") == want and reason in doc.get("error", ""),
              f"{what} -> {want} with a JSON reason ({st} {body[:120]!r})")

    wipe = b'{"rules":[]}'
    # The repro: a rebound name, its own origin, a simple request.
    st, _, body = request(port, "PUT", "/api/thresholds", wipe, dashboard=False,
                          headers={"Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}",
                                   "Content-Type": "text/plain"})
    refused("DNS rebinding: PUT with Host evil.example", 421, st, body, "WEB_ALLOWED_HOSTS")
    rules_unchanged("after the rebinding PUT")
    st, _, body = request(port, "GET", "/api/thresholds", headers={"Host": f"evil.example:{port}"})
    refused("DNS rebinding: a read with Host evil.example", 421, st, body, "not a name")
    st, _, body = request(port, "GET", "/", headers={"Host": f"evil.example:{port}"})
    check(st == 421, f"DNS rebinding: the dashboard page itself -> 421 ({st})")
    st, body = upgrade(port, f"evil.example:{port}", f"http://evil.example:{port}")
    refused("DNS rebinding: the live feed", 421, st, body, "not a name")

    # A page on another site posting to 127.0.0.1 directly.
    st, _, body = request(port, "PUT", "/api/thresholds", wipe, dashboard=False,
                          headers={"Origin": "http://evil.example", "Content-Type": "text/plain"})
    refused("cross-site PUT text/plain", 403, st, body, "origin")
    st, _, body = request(port, "POST", "/api/alerts/1/ack", "", dashboard=False,
                          headers={"Origin": "http://evil.example"})
    refused("cross-site acknowledgement", 403, st, body, "origin")
    st, hdrs, body = request(port, "OPTIONS", "/api/thresholds", dashboard=False,
                             headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "PUT",
                                      "Access-Control-Request-Headers": "x-rigstream, content-type"})
    refused("a preflight from another site", 403, st, body, "origin")
    check(not any(k.startswith("access-control-") for k in hdrs), f"no CORS header in the refusal: {hdrs}")
    st, hdrs, _ = request(port, "GET", "/index.html", headers={"Origin": f"http://127.0.0.1:{port}"})
    check(st == 200 and "access-control-allow-origin" not in hdrs, "no CORS header on files either")
    # The browser hid the Origin (a form, a redirect): no proof, no write.
    st, _, body = request(port, "PUT", "/api/thresholds", wipe, dashboard=False,
                          headers={"Content-Type": "text/plain"})
    refused("PUT without X-Rigstream", 403, st, body, "X-Rigstream")
    st, _, body = request(port, "PUT", "/api/thresholds", wipe, dashboard=False,
                          headers={"Content-Type": "application/json"})
    refused("PUT with a JSON body but without X-Rigstream", 403, st, body, "X-Rigstream")
    st, _, body = request(port, "PUT", "/api/thresholds", wipe, dashboard=False,
                          headers={"X-Rigstream": "1", "Content-Type": "text/plain"})
    refused("PUT text/plain with X-Rigstream", 415, st, body, "application/json")
    st, _, body = request(port, "PUT", "/api/thresholds", wipe, dashboard=False,
                          headers={"X-Rigstream": "1", "Content-Type": "application/x-www-form-urlencoded"})
    refused("PUT as a form", 415, st, body, "application/json")
    rules_unchanged("after the cross-site writes")

    # The live feed: the Origin against the allow-list, answered 403.
    st, body = upgrade(port, f"127.0.0.1:{port}", "http://evil.example")
    refused("a WebSocket from another site", 403, st, body, "origin")
    ws = WsClient("127.0.0.1", port, headers={"Origin": f"http://localhost:{port}"})
    check(ws.recv(5)["type"] == "hello", "a WebSocket from the dashboard's own origin (localhost) is served")
    ws.close()

    # Framing civetweb lets through.
    st, body = raw(port, b"GET /api/wells HTTP/1.1\r\nConnection: close\r\n\r\n")
    refused("HTTP/1.1 without Host", 400, st, body, "Host")
    st, body = raw(port, (f"PUT /api/thresholds HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Rigstream: 1\r\n"
                          "Content-Type: application/json\r\nContent-Length: 12\r\nContent-Length: 2\r\n"
                          "Connection: close\r\n\r\n").encode() + wipe)
    refused("two Content-Length headers", 400, st, body, "Content-Length")
    st, body = raw(port, (f"PUT /api/thresholds HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Rigstream: 1\r\n"
                          "Content-Type: application/json\r\nContent-Length: 12\r\nTransfer-Encoding: chunked\r\n"
                          "Connection: close\r\n\r\nc\r\n").encode() + wipe + b"\r\n0\r\n\r\n")
    refused("Content-Length with Transfer-Encoding", 400, st, body, "Transfer-Encoding")
    rules_unchanged("after the smuggling attempts")

    st, doc = get_json(port, "/api/health")
    sec = doc["webbridge"]["security"]
    check(sec["host_refused"] >= 4 and sec["origin_refused"] >= 4 and sec["csrf_refused"] >= 4,
          f"refusals counted: {sec}")

    # A name the operator configured is served.
    web2, port2 = start_web(suite, "web-named", engine_port=engine_port,
                            extra_env={"WEB_ALLOWED_HOSTS": "rig-dash.local"})
    st, _, _ = request(port2, "GET", "/api/wells", headers={"Host": f"rig-dash.local:{port2}"})
    check(st == 200, f"a Host in WEB_ALLOWED_HOSTS is served ({st})")
    st, _, _ = request(port2, "GET", "/api/wells", headers={"Host": f"other.local:{port2}"})
    check(st == 421, f"another name is not ({st})")
    suite.stop_all()
    print("test_web_csrf: all checks passed")


if __name__ == "__main__":
    main()
