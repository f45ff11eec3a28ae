"""The web bridge's security settings with real processes and sockets:
refusing to listen beyond loopback without a write token (exit 2), bearer
tokens for writes and reads (401/403, counted), the WebSocket origin check,
limits on clients, bodies and WebSocket messages, the per-client request
rate (429 + Retry-After), paths that must never leave the frontend tree
(.., %2e%2e, encoded slashes, symlinks out of the tree, absolute paths,
NUL), and HTTPS/WSS with a self-signed certificate made by openssl here.
"""
import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import time

import rigtest
from rigtest import Proc, binary, check, free_port, Suite
from webtest import request
from wsclient import Closed, WsClient

WRITE = "write-token-for-tests-0001"
READ = "read-token-for-tests-00001"


def start(suite, name, env, https=False):
    port = free_port()
    full = {"WEB_PORT": str(port), "WEB_HOST": "127.0.0.1",
            "DATABASE_PATH": os.path.join(rigtest.ARGS.tmp, "none.db"), "ENGINE_CONTROL_PORT": str(free_port())}
    full.update(env)
    web = suite.start(name, "rigstream-web", [], full)
    web.wait_for(r"ready: https://" if https else r"ready: http://", timeout=10)
    return web, port


def status_of(port, method, path, body=None, token=None, headers=None):
    h = dict(headers or {})
    if token:
        h["Authorization"] = f"Bearer {token}"
    st, hdrs, data = request(port, method, path, body, headers=h)
    return st, hdrs, data


def security(port, token=READ):
    st, _, data = status_of(port, "GET", "/api/health", token=token)
    check(st == 200, f"health readable with a token: {st}")
    return json.loads(data)["webbridge"]["security"]


def raw_get(port, target):
    """Sends a request line exactly as given; returns (status, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode("latin-1"))
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head = data.split(b"\r\n", 1)[0].decode("latin-1")
    parts = head.split(" ")
    return (int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0), data


_refused = [0]


def refused_start(suite, env, pattern, what):
    _refused[0] += 1
    full = {"WEB_PORT": str(free_port()), "DATABASE_PATH": os.path.join(rigtest.ARGS.tmp, "none.db")}
    full.update(env)
    p = suite.start(f"refused{_refused[0]}", "rigstream-web", [], full)
    rc = p.p.wait(timeout=10)
    check(rc == 2 and pattern in p.text(), f"{what}: exit {rc}, says '{pattern}'")


def ws_refused(port, **kw):
    try:
        WsClient("127.0.0.1", port, timeout=3, **kw).close()
        return False
    except (Closed, OSError):
        return True


def main():
    args = rigtest.setup()
    suite = Suite()
    suite.start_broker()

    # --- configuration that must not start
    refused_start(suite, {"WEB_HOST": "0.0.0.0"}, "set WEB_WRITE_TOKEN", "0.0.0.0 without a write token")
    refused_start(suite, {"WEB_HOST": "127.0.0.1", "WEB_WRITE_TOKEN": "short"}, "at least 16",
                  "a write token under 16 characters")
    refused_start(suite, {"WEB_WRITE_TOKEN": WRITE, "WEB_READ_TOKEN": WRITE}, "must differ", "read = write token")
    refused_start(suite, {"WEB_ALLOW_ORIGINS": "evil.example"}, "WEB_ALLOW_ORIGINS", "an origin without a scheme")
    refused_start(suite, {"WEB_TLS_CERT": os.path.join(args.tmp, "missing.pem")}, "cannot read",
                  "a missing certificate")

    # --- a frontend tree with traps: symlinks out of it, a secret next to it
    root = os.path.join(args.tmp, "front")
    os.makedirs(os.path.join(root, "sub"))
    with open(os.path.join(root, "index.html"), "w") as f:
        f.write("<!doctype html><title>rig</title>")
    with open(os.path.join(root, "sub", "a.txt"), "w") as f:
        f.write("inside")
    secret = os.path.join(args.tmp, "secret.txt")
    with open(secret, "w") as f:
        f.write("TOP-SECRET-MARKER")
    os.symlink(secret, os.path.join(root, "link.txt"))
    os.symlink(args.tmp, os.path.join(root, "outdir"))

    web, port = start(suite, "web", {"WEB_WRITE_TOKEN": WRITE, "WEB_READ_TOKEN": READ, "WEB_ROOT": root,
                                     "WEB_MAX_CLIENTS": "2", "WEB_MAX_BODY": "1024", "WEB_WS_MAX_MESSAGE": "256",
                                     "WEB_ALLOW_ORIGINS": "http://ops.rig:9000", "WEB_RATE_LIMIT": "1000"})

    # --- tokens
    st, hdrs, _ = status_of(port, "GET", "/api/health")
    check(st == 401 and hdrs.get("www-authenticate", "").startswith("Bearer"),
          f"read without a token -> 401 with WWW-Authenticate: {st} {hdrs.get('www-authenticate')}")
    check(status_of(port, "GET", "/api/alerts", token="wrong-token-000000000")[0] == 401, "a wrong token -> 401")
    check(status_of(port, "GET", "/api/alerts", token=READ)[0] == 200, "the read token reads")
    check(status_of(port, "GET", "/api/alerts", token=WRITE)[0] == 200, "the write token reads too")
    check(status_of(port, "GET", "/api/alerts?token=" + READ)[0] == 200, "a read token in the query (downloads)")
    check(status_of(port, "GET", "/")[0] == 200, "the dashboard's files need no token (the sign-in page)")
    check(status_of(port, "POST", "/api/alerts/1/ack", "")[0] == 401, "acknowledge without a token -> 401")
    st, _, data = status_of(port, "POST", "/api/alerts/1/ack", "", token=READ)
    check(st == 403 and b"write token" in data, f"acknowledge with the read token -> 403: {st} {data[:80]}")
    check(status_of(port, "POST", f"/api/alerts/1/ack?token={WRITE}", "")[0] == 401,
          "a write token in the query does not count for a write")
    st, _, data = status_of(port, "POST", "/api/alerts/1/ack", {"by": "driller"}, token=WRITE)
    check(st == 404, f"acknowledge with the write token passes (unknown alert -> 404): {st}")
    st, _, _ = status_of(port, "PUT", "/api/thresholds", {"rules": []}, token=READ)
    check(st == 403, f"thresholds with the read token -> 403: {st}")
    st, _, _ = status_of(port, "PUT", "/api/thresholds", {"rules": []}, token=WRITE)
    check(st == 503, f"thresholds with the write token reach the engine (absent -> 503): {st}")

    # --- WebSocket: token, origin, number of clients
    check(ws_refused(port), "WebSocket without a token is refused")
    ok = WsClient("127.0.0.1", port, path=f"/ws?token={READ}",
                  headers={"Origin": f"http://127.0.0.1:{port}"})
    check(ok.recv(3)["type"] == "hello", "WebSocket with the read token from the page's own origin")
    check(ws_refused(port, path=f"/ws?token={READ}", headers={"Origin": "http://evil.example"}),
          "WebSocket from a foreign origin is refused")
    check(ws_refused(port, path=f"/ws?token={READ}", headers={"Origin": "null"}), "origin 'null' is refused")
    ops = WsClient("127.0.0.1", port, path="/ws", headers={"Origin": "http://ops.rig:9000",
                                                           "Authorization": f"Bearer {WRITE}"})
    check(ops.recv(3)["type"] == "hello", "an allow-listed origin, token in the header")
    check(ws_refused(port, path=f"/ws?token={READ}"), "a third client over WEB_MAX_CLIENTS=2 is refused")

    # --- message and body limits
    ops.send_text(json.dumps({"type": "subscribe", "wells": ["A-01"] * 40}))
    try:
        while ops.recv(3) is not None:
            pass
        closed = None
    except Closed:
        closed = ops.close_code
    check(closed == 1009, f"a WebSocket message over 256 bytes closes with 1009: {closed}")
    ops.close()
    st, _, _ = status_of(port, "PUT", "/api/thresholds", {"rules": [], "pad": "x" * 2000}, token=WRITE)
    check(st == 413, f"a body over WEB_MAX_BODY=1024 -> 413: {st}")
    ok.send_json({"type": "ping"})
    pong, _ = ok.recv_until(lambda m: m["type"] == "pong", timeout=3)
    check(pong is not None, "the other client is unaffected")
    ok.close()

    # --- paths: nothing outside the tree, ever
    check(raw_get(port, "/sub/a.txt")[0] == 200, "a file inside the tree")
    for target in ["/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/%2e%2e/etc/passwd", "/sub/..%2f..%2fsecret.txt",
                   "/sub%2f..%2f..%2fsecret.txt", "/..%5csecret.txt", "/link.txt", "/outdir/secret.txt",
                   secret, "//etc/passwd", "/etc/passwd", "/index.html%00.txt",
                   "/sub/a.txt%00", "/%00", "/.%2e/secret.txt", "/sub/./../../secret.txt",
                   "http://127.0.0.1/../secret.txt", "/..;/secret.txt", "/%252e%252e/secret.txt"]:
        st, data = raw_get(port, target)
        # civetweb closes an absolute URI for another resource unanswered (0).
        expected = (0, 400, 404) if target.startswith("http:") else (400, 404)
        check(st in expected and b"TOP-SECRET-MARKER" not in data and b"root:" not in data,
              f"GET {target} -> {st}, nothing leaked")

    sec = security(port)
    check(sec["auth_failed"] >= 4 and sec["forbidden"] >= 2 and sec["origin_refused"] >= 2 and sec["ws_refused"] >= 1
          and sec["ws_too_large"] == 1 and sec["body_too_large"] == 1 and sec["read_auth"] and sec["write_auth"],
          f"counted in /api/health: {sec}")
    check("refused" in web.text() and "origin" in web.text(), "refusals are logged")
    check(web.stop() == 0, "the bridge stops cleanly")

    # --- request rate: 5/s per client, bursts of 20
    web, port = start(suite, "web-rate", {"WEB_RATE_LIMIT": "5"})
    statuses, retry = [], None
    for _ in range(40):
        st, hdrs, _ = request(port, "GET", "/api/channels")
        statuses.append(st)
        if st == 429:
            retry = hdrs.get("retry-after")
    n429 = statuses.count(429)
    check(statuses[:15].count(200) == 15 and n429 >= 10 and retry and int(retry) >= 1,
          f"over the rate: 429 with Retry-After ({n429} of 40, Retry-After {retry})")
    time.sleep(int(retry) + 0.5)
    st, _, data = request(port, "GET", "/api/health")
    check(st == 200 and json.loads(data)["webbridge"]["security"]["rate_limited"] == n429,
          f"after Retry-After the client is served again, and 429s are counted: {st}")
    time.sleep(1.5)
    ws = WsClient("127.0.0.1", port)
    for _ in range(40):
        ws.send_json({"type": "ping"})
    answers = []
    while True:
        m = ws.recv(1.5)
        if m is None:
            break
        if m["type"] in ("pong", "error"):
            answers.append(m["type"])
    ws.close()
    check(answers.count("pong") >= 10 and answers.count("error") >= 10 and len(answers) == 40,
          f"WebSocket messages over the rate get an error, the rest an answer "
          f"({answers.count('pong')} pongs, {answers.count('error')} errors)")
    check(web.text().count("over the request rate") < 5, "rate-limited warnings are themselves rate limited")
    check(web.stop() == 0, "the rate-limited bridge stops cleanly")

    # --- TLS with a self-signed certificate
    if not shutil.which("openssl"):
        print("skip: TLS part needs the openssl command")
    else:
        key, crt, pem = (os.path.join(args.tmp, n) for n in ("key.pem", "crt.pem", "server.pem"))
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt,
                        "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                       check=True, capture_output=True)
        with open(pem, "w") as out:
            out.write(open(key).read() + open(crt).read())
        os.chmod(pem, 0o600)
        web, port = start(suite, "web-tls", {"WEB_TLS_CERT": pem}, https=True)
        ctx = ssl.create_default_context(cafile=crt)
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
        conn.request("GET", "/api/health")
        r = conn.getresponse()
        doc = json.loads(r.read())
        conn.close()
        check(r.status == 200 and doc["webbridge"]["security"]["tls"], "HTTPS with the self-signed certificate")
        wss = WsClient("127.0.0.1", port, ssl_context=ctx, headers={"Origin": f"https://127.0.0.1:{port}"})
        check(wss.recv(3)["type"] == "hello", "WSS from the https origin")
        wss.close()
        check(ws_refused(port, ssl_context=ctx, headers={"Origin": f"http://127.0.0.1:{port}"}),
              "WSS refuses the plain-http origin of the same host")
        st, _ = (0, b"")
        try:
            st, _ = raw_get(port, "/api/health")
        except OSError:
            pass
        check(st != 200, f"plain HTTP to the TLS port is not served: {st}")
        old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        old.load_verify_locations(crt)
        old.maximum_version = ssl.TLSVersion.TLSv1_1
        try:
            c = http.client.HTTPSConnection("127.0.0.1", port, context=old, timeout=5)
            c.request("GET", "/")
            c.getresponse()
            legacy = True
        except (ssl.SSLError, OSError):
            legacy = False
        check(not legacy, "TLS 1.1 and older are refused")
        check(web.alive(), "the TLS bridge survives a plain-HTTP and an old-TLS client")
        check(web.stop() == 0, "the TLS bridge stops cleanly")
    suite.stop_all()
    print("PASS")


if __name__ == "__main__":
    main()
