"""The rig network with CURVE, across a real interface: two network namespaces
joined by a veth pair stand for the acquisition PC (broker and saver, 10.77.0.1)
and the company man's laptop (simulator and logger, 10.77.0.2).

Checks: a plaintext broker refuses the rig-network address (exit 2); with
CURVE the data crosses the veth to the saver and the logger; a killed and
restarted saver repairs what it missed from the simulator's replay journal
over CURVE; a client whose certificate is not in the allow-list and a client
without CURVE get nothing and are counted in the broker's STATUS; so is a
rigstream-ctl without keys. A WITS0 listener (no CURVE possible) needs the
insecure override, which is logged. The engine's control endpoint (thresholds)
answers an allowed client on the laptop and nobody else, and a Python client
set up as docs/SECURITY.md shows receives telemetry.

Needs root and iproute2 (`ip netns`); exits 77 (skipped) where namespaces
cannot be made. The namespaces and veth pair are removed however the test ends.
"""
import atexit
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import rigtest
from rigtest import Proc, binary, check, fail, wait_until

TAG = os.getpid() % 100000
NS_A, NS_B = f"rsA{TAG}", f"rsB{TAG}"
VETH_A, VETH_B = f"rsva{TAG}", f"rsvb{TAG}"
ADDR_A, ADDR_B = "10.77.0.1", "10.77.0.2"
RATE, COUNT = 100, 800
created = []


def ip(*args):
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=10)


def netns_mounted():
    """/run/netns is a mount point (os.path.ismount misses a bind mount on the same device)."""
    try:
        with open("/proc/self/mountinfo") as f:
            return any(line.split()[4] == "/run/netns" for line in f)
    except OSError:
        return False


RUN_NETNS_WAS_MOUNTED = netns_mounted()


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(77)


def cleanup():
    """Processes first (they hold the namespaces), then the namespaces; the
    veth pair goes with them."""
    for p in list(Proc.running):
        p.kill()
    for ns in reversed(created):
        ip("netns", "del", ns)
    created.clear()
    # `ip netns add` bind-mounts /run/netns on itself; leave the machine as found.
    if not RUN_NETNS_WAS_MOUNTED and netns_mounted() and not os.listdir("/run/netns"):
        subprocess.run(["umount", "/run/netns"], capture_output=True, timeout=10)


def make_network():
    if os.geteuid() != 0:
        skip("network namespaces need root")
    if not shutil.which("ip"):
        skip("iproute2 (ip) is not installed")
    for ns in (NS_A, NS_B):
        r = ip("netns", "add", ns)
        if r.returncode != 0:
            skip(f"cannot create network namespace {ns}: {r.stderr.strip()}")
        created.append(ns)
    steps = [("link", "add", VETH_A, "netns", NS_A, "type", "veth", "peer", "name", VETH_B, "netns", NS_B),
             ("-n", NS_A, "addr", "add", f"{ADDR_A}/24", "dev", VETH_A),
             ("-n", NS_B, "addr", "add", f"{ADDR_B}/24", "dev", VETH_B),
             ("-n", NS_A, "link", "set", VETH_A, "up"), ("-n", NS_B, "link", "set", VETH_B, "up"),
             ("-n", NS_A, "link", "set", "lo", "up"), ("-n", NS_B, "link", "set", "lo", "up")]
    for step in steps:
        r = ip(*step)
        if r.returncode != 0:
            skip(f"cannot set up the veth pair (ip {' '.join(step)}): {r.stderr.strip()}")


def in_ns(ns, name, prog, args=(), env=None):
    # `ip netns exec` execs the program in place: the pid is the program's.
    return Proc(name, ["ip", "netns", "exec", ns, binary(prog), *args], env)


def run_in_ns(ns, prog, args=(), env=None, timeout=15):
    full = dict(os.environ, RIGSTREAM_ENV_FILE=os.devnull, **(env or {}))
    return subprocess.run(["ip", "netns", "exec", ns, binary(prog), *args], capture_output=True,
                          text=True, timeout=timeout, env=full, cwd=rigtest.ARGS.tmp)


def counts(db, pub):
    """(rows, min seq, max seq, distinct) of each telemetry stream of pub."""
    if not os.path.exists(db):
        return {}
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return {t: (n, lo, hi, d) for t, n, lo, hi, d in con.execute(
            "SELECT s.topic, count(*), min(x.seq), max(x.seq), count(DISTINCT x.seq) "
            "FROM samples x JOIN streams s ON s.id = x.stream JOIN publishers p ON p.id = s.publisher "
            "WHERE p.name = ? AND s.kind = 'telemetry' GROUP BY s.topic", (pub,))}
    except sqlite3.OperationalError:
        return {}
    finally:
        con.close()


#  Run with the laptop namespace's Python: pyzmq clients as docs/SECURITY.md
#  shows. argv: keys dir, broker backend endpoint, engine control endpoint.
PY_CLIENTS = r"""
import json, sys, zmq, zmq.auth
keys, backend, engine = sys.argv[1:4]
ctx = zmq.Context.instance()
out = {}
sub = ctx.socket(zmq.SUB)
sub.curve_publickey, sub.curve_secretkey = zmq.auth.load_certificate(keys + "/laptop.cert_secret")
sub.curve_serverkey, _ = zmq.auth.load_certificate(keys + "/broker.cert")
sub.setsockopt(zmq.SUBSCRIBE, b"telemetry.")
sub.rcvtimeo = 5000
sub.connect(backend)
try:
    out["sub"] = sub.recv_multipart()[0].decode()
except zmq.Again:
    out["sub"] = None
engine_key, _ = zmq.auth.load_certificate(keys + "/acq.cert")
for who in ("laptop", "intruder", None):
    req = ctx.socket(zmq.REQ)
    req.linger = 0
    req.rcvtimeo = 3000 if who == "laptop" else 1500
    if who:
        req.curve_publickey, req.curve_secretkey = zmq.auth.load_certificate(f"{keys}/{who}.cert_secret")
        req.curve_serverkey = engine_key
    req.connect(engine)
    req.send(b'{"cmd": "ping"}')
    try:
        out[str(who)] = json.loads(req.recv())
    except zmq.Again:
        out[str(who)] = None
    req.close()
print(json.dumps(out))
"""


def rx_bytes(ns, dev):
    r = ip("-n", ns, "-j", "-s", "link", "show", dev)
    try:
        return json.loads(r.stdout)[0]["stats64"]["rx"]["bytes"]
    except (ValueError, KeyError, IndexError):
        return 0


def main():
    rigtest.setup()
    atexit.register(cleanup)
    #  ctest's timeout sends SIGTERM: still clean the namespaces up.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    make_network()
    tmp = rigtest.ARGS.tmp
    keys = os.path.join(tmp, "keys")
    allowed = os.path.join(keys, "allowed")

    def keytool(*args):
        r = subprocess.run([binary("rigstream-keys"), *args], capture_output=True, text=True, timeout=10,
                           env=dict(os.environ, RIGSTREAM_ENV_FILE=os.devnull, CURVE_KEYS_DIR=keys))
        check(r.returncode == 0, f"rigstream-keys {' '.join(args)}")
        return r.stdout

    keytool("server")
    for name in ("acq", "saver", "laptop"):
        keytool("client", name)
    keytool("client", "intruder", "--no-allow")
    listing = keytool("list")
    check("intruder" in listing.split("allow-list:")[0] and "intruder" not in listing.split("allow-list:")[1],
          "the intruder has a certificate but is not in the allow-list")

    front, back, ctl = rigtest.free_ports(3)
    ports = {"BROKER_FRONTEND_PORT": str(front), "BROKER_BACKEND_PORT": str(back),
             "BROKER_CONTROL_PORT": str(ctl), "HEARTBEAT_MS": "300"}

    #  A plaintext broker may not listen on the rig network.
    r = run_in_ns(NS_A, "rigstream-broker", env=dict(ports, BROKER_BIND=ADDR_A))
    check(r.returncode == 2 and f"refusing to listen on tcp://{ADDR_A}:{front}" in r.stderr,
          f"plaintext broker on {ADDR_A} refuses to start (exit {r.returncode})")

    broker = in_ns(NS_A, "broker", "rigstream-broker", env=dict(
        ports, BROKER_BIND=ADDR_A, CURVE_SERVER_CERT=f"{keys}/broker.cert_secret", CURVE_ALLOW_DIR=allowed))
    broker.wait_for(r"ready: .*CURVE on")

    def client(cert, **extra):
        env = dict(ports, BROKER_HOST=ADDR_A, CURVE_SERVER_KEY=f"{keys}/broker.cert",
                   CURVE_CERT=f"{keys}/{cert}.cert_secret")
        env.update(extra)
        return env

    def status():
        r = run_in_ns(NS_B, "rigstream-ctl", ["STATUS"], client("laptop"))
        check(r.returncode == 0, f"rigstream-ctl with the laptop's certificate gets STATUS ({r.stderr.strip()})")
        return json.loads(r.stdout)

    db = os.path.join(tmp, "rig.db")
    saver = in_ns(NS_A, "saver", "rigstream-saver", env=client("saver", DATABASE_PATH=db))
    saver.wait_for(r"ready")
    sim = in_ns(NS_B, "sim", "rigstream-sim",
                ["--rate", str(RATE), "--count", str(COUNT), "--seed", "5", "--publisher-id", "acq1"],
                client("acq", CURVE_ALLOW_DIR=allowed, REPLAY_ENDPOINT=f"tcp://{ADDR_B}:*"))
    sim.wait_for(r"replay journal: .* served on tcp://10\.77\.0\.2:\d+ with CURVE")
    logger = in_ns(NS_B, "logger", "rigstream-logger", ["--color", "never"], client("laptop"))
    logger.wait_for(r"A-01 #\d+ hole_depth=", timeout=15, which="out")
    check(True, "the logger on the laptop prints telemetry that crossed the veth")
    wait_until(lambda: sum(v[0] for v in counts(db, "acq1").values()) >= 100, 15,
               "the saver stores telemetry from the other namespace")

    #  The saver goes down and comes back: the gap is repaired from the
    #  simulator's journal, a CURVE server in the other namespace.
    saver.signal(signal.SIGKILL)
    saver.p.wait()
    time.sleep(1.5)
    saver = in_ns(NS_A, "saver-again", "rigstream-saver", env=client("saver", DATABASE_PATH=db))
    saver.wait_for(r"ready.*\(([1-9]\d*) stream\(s\) resumed\)")

    #  Outsiders, while the simulator still publishes.
    intruder = in_ns(NS_B, "intruder", "rigstream-logger", ["--color", "never"], client("intruder"))
    plain = in_ns(NS_B, "plain", "rigstream-logger", ["--color", "never"],
                  dict(ports, BROKER_HOST=ADDR_A))
    wait_until(lambda: status()["counters"]["auth_rejected"] >= 1, 10,
               "the intruder's handshake counted as refused by the allow-list")
    wait_until(lambda: status()["counters"]["handshake_failed"] >= 1, 10,
               "the plaintext client's handshake counted as failed")
    r = run_in_ns(NS_B, "rigstream-ctl", ["--timeout-ms", "700", "PING"], dict(ports, BROKER_HOST=ADDR_A))
    check(r.returncode == 1 and "PONG" not in r.stdout, "rigstream-ctl without keys gets no answer")

    #  The engine's control endpoint on the rig network, and clients in Python.
    eng_port = rigtest.free_port()
    r = run_in_ns(NS_A, "rigstream-engine", env=dict(ports, BROKER_HOST=ADDR_A, ENGINE_CONTROL_BIND=ADDR_A,
                                                     ENGINE_CONTROL_PORT=str(eng_port)))
    check(r.returncode == 2 and "refusing to listen" in r.stderr,
          f"a plaintext engine refuses a control endpoint on {ADDR_A} (exit {r.returncode})")
    engine = in_ns(NS_A, "engine", "rigstream-engine", env=client(
        "acq", CURVE_ALLOW_DIR=allowed, ENGINE_CONTROL_BIND=ADDR_A, ENGINE_CONTROL_PORT=str(eng_port)))
    engine.wait_for(r"ready:")
    r = subprocess.run(["ip", "netns", "exec", NS_B, sys.executable, "-c", PY_CLIENTS, keys,
                        f"tcp://{ADDR_A}:{back}", f"tcp://{ADDR_A}:{eng_port}"],
                       capture_output=True, text=True, timeout=30)
    try:
        py = json.loads(r.stdout)
    except ValueError:
        fail(f"the Python clients failed: {r.stderr.strip()}")
    check(py["sub"] == "telemetry.A-01", "a pyzmq subscriber set up as in docs/SECURITY.md gets telemetry")
    check(py["laptop"] == {"ok": True, "reply": "pong"}, f"the engine answers the laptop over CURVE: {py['laptop']}")
    check(py["intruder"] is None, "the engine does not answer a certificate outside the allow-list")
    check(py["None"] is None, "the engine does not answer a client without CURVE")
    check(engine.stop() == 0, "engine exits 0")

    #  WITS0 cannot carry CURVE: on the rig network only with the override.
    wits_port = rigtest.free_port()
    wenv = client("acq", CURVE_ALLOW_DIR=allowed, WITS0_LISTEN=f"{ADDR_B}:{wits_port}", WITS0_WELL="W-1")
    r = run_in_ns(NS_B, "rigstream-wits0", env=wenv)
    check(r.returncode == 2 and "refusing to listen" in r.stderr, "a WITS0 listener on the rig network is refused")
    wits = in_ns(NS_B, "wits0", "rigstream-wits0", env=dict(wenv, ALLOW_INSECURE_BIND="1"))
    wits.wait_for(r"ready: WITS0 from listen")
    check("INSECURE: WITS0 listener listens on" in wits.text(), "the insecure override is logged as INSECURE")
    check(wits.stop() == 0, "wits0 exits 0")

    sim.wait_for(r"stopped:", timeout=30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and counts(db, "acq1").get("telemetry.A-01", (0,))[0] < COUNT:
        time.sleep(0.2)
    n, lo, hi, d = counts(db, "acq1").get("telemetry.A-01", (0, 0, 0, 0))
    check(saver.wait_for(r"gap on telemetry\.A-01 from acq1: \d+ message\(s\) lost.*\(repairing\)"),
          "the restarted saver found the messages it missed")
    check((n, lo, hi, d) == (COUNT, 1, COUNT, COUNT),
          f"the saver holds seq 1..{COUNT} once each after the repair ({n} rows, seq {lo}..{hi}, {d} distinct)")

    st = status()
    check(st.get("curve") is True, "STATUS says CURVE is on")
    comps = st.get("components", {})
    check(all(c in comps for c in ("simulator", "db_saver", "console_logger")),
          f"the components are known to the broker: {sorted(comps)}")
    check("intruder" not in intruder.text("out") and "#" not in intruder.text("out"),
          "the intruder received no telemetry")
    check("#" not in plain.text("out"), "the plaintext client received no telemetry")
    check("refused this program's certificate" in intruder.text(), "the intruder is told why it gets nothing")
    check(rx_bytes(NS_A, VETH_A) > 50_000 and rx_bytes(NS_B, VETH_B) > 50_000,
          "the traffic crossed the veth pair")
    check("rejected a connection on the" in broker.text(), "the broker logs the rejected handshakes")

    for p in (intruder, plain, logger):
        check(p.stop() == 0, f"{p.name} exits 0")
    check(saver.stop() == 0, "saver exits 0")
    check(sim.stop() == 0, "simulator exits 0")
    check(broker.stop() == 0, "broker exits 0")
    cleanup()
    check(ip("netns", "list").stdout.find(NS_A) < 0, "namespaces removed")


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except BaseException as exc:
        fail(f"unexpected error: {exc!r}")
