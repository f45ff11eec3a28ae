"""The web bridge's audit file against the real prediction engine: every
write (a threshold change, an acknowledgement) and every refused request is
one JSON line with the method, path, client, Origin, Host, how it was
authenticated, the status and the reason of a refusal. The file is kept
across a restart (appended, never emptied), and rotated by size: the
bridge keeps WEB_AUDIT_KEEP files of at most WEB_AUDIT_MAX_KB.
"""
import json
import os
import threading
import time

import rigtest
from rigtest import check, free_port, Suite
from webtest import get_json, request, start_web

RULES = {"rules": [{"name": "gas_high", "channel": "gas", "max": 5, "severity": "warning"}]}
WRITE = "audit-write-token-0001"


def lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def find(entries, **want):
    return [e for e in entries if all(e.get(k) == v for k, v in want.items())]


def main():
    args = rigtest.setup()
    suite = Suite()
    suite.start_broker()
    engine_port = free_port()
    engine = suite.start("engine", "rigstream-engine", [], {"ENGINE_CONTROL_PORT": str(engine_port)})
    engine.wait_for(r"ready", timeout=10)
    audit = os.path.join(os.environ["RIGSTREAM_RUN_DIR"], "logs", "web_audit.log")
    web, port = start_web(suite, engine_port=engine_port)
    check(f"audit: {audit}" in web.text(), "the bridge names its audit file, by default in the run's logs")
    host = f"127.0.0.1:{port}"

    # The dashboard's own write, and the attacks a page or a process could make.
    st, doc = get_json(port, "/api/thresholds", "PUT", RULES)
    check(st == 200, f"the dashboard's write is served: {st} {doc}")
    st, _, _ = request(port, "PUT", "/api/thresholds", json.dumps(RULES), dashboard=False,
                       headers={"Content-Type": "application/json"})
    check(st == 403, f"a write without X-Rigstream: 403 ({st})")
    st, _, _ = request(port, "PUT", "/api/thresholds", json.dumps(RULES), headers={"Origin": "http://evil.example"})
    check(st == 403, f"a write from a foreign origin: 403 ({st})")
    st, _, _ = request(port, "GET", "/api/wells", headers={"Host": "evil.example"})
    check(st == 421, f"a foreign Host (DNS rebinding): 421 ({st})")
    st, _, _ = request(port, "POST", "/api/alerts/4242/ack", {"by": "night shift"})
    check(st == 404, f"an acknowledgement of an unknown alert: 404 ({st})")

    # Each line is in the file before its answer leaves the bridge: read at once, no waiting.
    entries = lines(audit)
    ok = find(entries, event="write", method="PUT", path="/api/thresholds", status=200)
    check(len(ok) == 1 and ok[0]["auth"] == "x-rigstream" and ok[0]["client"] == "127.0.0.1"
          and ok[0]["host"] == host and "reason" not in ok[0] and ok[0]["time"].endswith("Z"),
          f"the write is audited with its client, Host and authentication: {ok}")
    csrf = find(entries, event="refused", path="/api/thresholds", status=403)
    check(len(csrf) == 2 and any("X-Rigstream" in e["reason"] for e in csrf)
          and any(e.get("origin") == "http://evil.example" and "origin" in e["reason"] for e in csrf),
          f"both refused writes are audited with their reason and Origin: {csrf}")
    rebind = find(entries, event="refused", status=421, host="evil.example")
    check(len(rebind) == 1 and rebind[0]["method"] == "GET" and "Host" in rebind[0]["reason"],
          f"the refused read (foreign Host) is audited: {rebind}")
    ack = find(entries, event="write", method="POST", path="/api/alerts/4242/ack", status=404)
    check(len(ack) == 1, f"the acknowledgement is audited with its status: {ack}")
    check(not find(entries, method="GET", status=200), "reads that went through are not audited")
    check("audit: PUT /api/thresholds from 127.0.0.1" in web.text(), "the write is logged at INFO too")
    web.stop()

    # A restart with a write token: the file is appended to, never emptied.
    before = len(lines(audit))
    web, port = start_web(suite, name="web2", engine_port=engine_port, extra_env={
        "WEB_WRITE_TOKEN": WRITE, "WEB_AUDIT_MAX_KB": "16", "WEB_AUDIT_KEEP": "2", "WEB_RATE_LIMIT": "0"})
    check(len(lines(audit)) == before, f"the restart kept the audit file: {len(lines(audit))} of {before} lines")
    st, _, _ = request(port, "PUT", "/api/thresholds", json.dumps(RULES),
                       headers={"Authorization": f"Bearer {WRITE}", "Content-Type": "application/json"})
    check(st == 200, f"a write with the write token: {st}")
    st, _, _ = request(port, "PUT", "/api/thresholds", json.dumps(RULES),
                       headers={"Authorization": "Bearer not-the-token-at-all", "Content-Type": "application/json"})
    check(st == 401, f"a write with a wrong token: 401 ({st})")
    entries = lines(audit)
    check(find(entries, event="write", status=200, auth="write-token")
          and find(entries, event="refused", status=401, auth="wrong-token"),
          "the token write and the wrong token are audited with how they authenticated")
    check(len(find(entries, event="write", auth="x-rigstream")) == 2, "the lines from before the restart are there")

    # Rotation: 16 KB files, two kept besides the current one.
    for i in range(300):
        request(port, "POST", f"/api/alerts/{9000 + i}/ack", {"by": "rotation"},
                headers={"Authorization": f"Bearer {WRITE}"})
    check(any(e["path"] == "/api/alerts/9299/ack" for e in lines(audit)),
          "the newest write is in the current file as soon as it is answered")
    sizes = {name: os.path.getsize(os.path.join(os.path.dirname(audit), name))
             for name in os.listdir(os.path.dirname(audit)) if name.startswith("web_audit.log")}
    print(f"audit files after 300 more writes: {sizes}")
    check(set(sizes) == {"web_audit.log", "web_audit.log.1", "web_audit.log.2"},
          f"rotated into file.1 and file.2, nothing older kept: {sorted(sizes)}")
    check(all(s <= 16 * 1024 for s in sizes.values()), f"each file within 16 KB: {sizes}")
    web.stop()

    # Order: a write's line is written before its answer is sent, so a client never holds an answer the audit
    # lacks (a bridge killed between the two would lose it). The audit file is a pipe the test keeps full: the
    # bridge's line cannot go in, so the answer must not come until the test makes room.
    fifo = os.path.join(rigtest.ARGS.tmp, "audit.fifo")
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    filler = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    try:
        while True:
            os.write(filler, b"x" * 4096)
    except BlockingIOError:
        pass
    web, port = start_web(suite, name="web3", engine_port=engine_port, extra_env={
        "WEB_WRITE_TOKEN": WRITE, "WEB_AUDIT_LOG": fifo, "WEB_RATE_LIMIT": "0"})
    answers = []
    writer = threading.Thread(target=lambda: answers.append(request(
        port, "PUT", "/api/thresholds", json.dumps(RULES),
        headers={"Authorization": f"Bearer {WRITE}", "Content-Type": "application/json"})[0]))
    writer.start()
    writer.join(2)
    check(not answers, f"no answer while the write's audit line cannot be written: {answers}")
    got = b""
    deadline = time.monotonic() + 10
    while (not answers or b"/api/thresholds" not in got) and time.monotonic() < deadline:
        try:
            got += os.read(reader, 65536)
        except BlockingIOError:
            time.sleep(0.05)
    writer.join(10)
    check(answers == [200], f"answered once its line was written: {answers}")
    line = json.loads(got.rstrip(b"x").split(b"\n")[-2].lstrip(b"x"))
    check(line["path"] == "/api/thresholds" and line["status"] == 200 and line["auth"] == "write-token",
          f"the line is the write's, with the status it was answered: {line}")
    os.close(filler)
    os.close(reader)
    suite.stop_all()
    print("ok")


if __name__ == "__main__":
    main()
