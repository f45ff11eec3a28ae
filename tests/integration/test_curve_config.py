"""CURVE configuration on one machine: rigstream-keys (server, client, allow,
revoke, list, show, and its refusals); every listening program refuses a
non-loopback address without CURVE (exit 2, before listening), and bad CURVE
settings stop a program with exit 2 and a reason; a revoked client is refused
by a running broker without a restart, and an allowed one gets through, over
loopback TCP with CURVE; the web bridge reaches the broker's STATUS and the
engine's thresholds over CURVE, with one shared set of variables.
"""
import json
import os
import subprocess

import rigtest
from rigtest import Proc, Suite, binary, check, wait_until
from webtest import get_json, start_web


def run(prog, args=(), env=None, timeout=15):
    full = dict(os.environ, RIGSTREAM_ENV_FILE=os.devnull, **(env or {}))
    return subprocess.run([binary(prog), *args], capture_output=True, text=True, timeout=timeout, env=full,
                          cwd=rigtest.ARGS.tmp)


def main():
    rigtest.setup()
    keys = os.path.join(rigtest.ARGS.tmp, "keys")
    allowed = os.path.join(keys, "allowed")
    kenv = {"CURVE_KEYS_DIR": keys}

    r = run("rigstream-keys", ["server"], kenv)
    check(r.returncode == 0 and os.path.exists(f"{keys}/broker.cert_secret"), "keys: server certificate made")
    check(os.stat(f"{keys}/broker.cert_secret").st_mode & 0o077 == 0, "keys: the secret file is private (0600)")
    r = run("rigstream-keys", ["server"], kenv)
    check(r.returncode == 1 and "already exists" in r.stderr, "keys: an existing certificate is not overwritten")
    check(run("rigstream-keys", ["client", "pc"], kenv).returncode == 0
          and os.path.exists(f"{allowed}/pc.cert"), "keys: client certificate made and allowed")
    check(run("rigstream-keys", ["client", "tablet", "--no-allow"], kenv).returncode == 0
          and not os.path.exists(f"{allowed}/tablet.cert"), "keys: --no-allow keeps it out of the allow-list")
    r = run("rigstream-keys", ["client", "bad/name"], kenv)
    check(r.returncode == 2 and "invalid name" in r.stderr, "keys: a bad name is refused")
    r = run("rigstream-keys", ["frobnicate"], kenv)
    check(r.returncode == 2 and "give a command" in r.stderr, "keys: an unknown command is refused")
    r = run("rigstream-keys", ["show", f"{keys}/broker.cert"], kenv)
    broker_key = r.stdout.strip()
    check(r.returncode == 0 and len(broker_key) == 40, "keys: show prints the 40-character public key")
    with open(f"{keys}/broker.cert_secret") as f:
        check(broker_key in f.read(), "keys: the secret file holds the same public key")
    r = run("rigstream-keys", ["allow", f"{keys}/tablet.cert_secret", "/nonexistent.cert"], kenv)
    with open(f"{allowed}/tablet.cert") as f:
        text = f.read()
    check(r.returncode == 1 and "secret-key" not in text and "public-key" in text,
          "keys: allow copies only the public key, and reports a missing file")
    r = run("rigstream-keys", ["list"], kenv)
    check(r.returncode == 0 and r.stdout.count("tablet") == 2 and "(with secret)" in r.stdout,
          "keys: list shows certificates and the allow-list")

    refusals = [
        ("rigstream-broker", {"BROKER_BIND": "0.0.0.0"}, "broker frontend"),
        ("rigstream-sim", {"REPLAY_ENDPOINT": "tcp://0.0.0.0:*"}, "replay journal"),
        ("rigstream-engine", {"ENGINE_CONTROL_BIND": "0.0.0.0"}, "engine control endpoint"),
        ("rigstream-wits0", {"WITS0_LISTEN": "0.0.0.0:5999"}, "WITS0 listener"),
        ("rigstream-wits0-out", {"WITS0_OUT_BIND": "0.0.0.0"}, "WITS0 output"),
    ]
    for prog, env, what in refusals:
        r = run(prog, env=dict(env, BROKER_FRONTEND_PORT=str(rigtest.free_port())))
        check(r.returncode == 2 and "refusing to listen on tcp://0.0.0.0:" in r.stderr and what in r.stderr,
              f"{prog} refuses to listen on 0.0.0.0 without CURVE (exit {r.returncode})")
    #  With CURVE on, WITS0 still cannot listen off the loopback: it has no CURVE.
    curve_env = {"CURVE_SERVER_KEY": broker_key, "CURVE_CERT": f"{keys}/pc.cert_secret",
                 "CURVE_ALLOW_DIR": allowed}
    r = run("rigstream-wits0", env=dict(curve_env, WITS0_LISTEN="0.0.0.0:5999"))
    check(r.returncode == 2 and "no authentication" in r.stderr, "WITS0 refuses 0.0.0.0 even with CURVE on")

    bad = [
        ("rigstream-logger", {"CURVE_CERT": f"{keys}/pc.cert_secret"}, "CURVE_SERVER_KEY"),
        ("rigstream-logger", {"CURVE_SERVER_KEY": broker_key}, "CURVE_CERT"),
        ("rigstream-logger", {"CURVE_SERVER_KEY": "not-a-key", "CURVE_CERT": f"{keys}/pc.cert_secret"},
         "not-a-key"),
        ("rigstream-saver", {"CURVE_SERVER_KEY": broker_key, "CURVE_CERT": f"{allowed}/pc.cert",
                             "DATABASE_PATH": os.path.join(rigtest.ARGS.tmp, "x.db")}, "no secret key"),
        ("rigstream-sim", {"CURVE_SERVER_KEY": broker_key, "CURVE_CERT": f"{keys}/pc.cert_secret"},
         "CURVE_ALLOW_DIR"),
        ("rigstream-engine", {"CURVE_SERVER_KEY": broker_key, "CURVE_CERT": f"{keys}/pc.cert_secret"},
         "CURVE_ALLOW_DIR"),
        ("rigstream-broker", {"CURVE_SERVER_CERT": f"{keys}/broker.cert_secret"}, "CURVE_ALLOW_DIR"),
        ("rigstream-broker", {"CURVE_ALLOW_DIR": allowed}, "CURVE_SERVER_CERT"),
        ("rigstream-ctl", {"CURVE_SERVER_KEY": broker_key}, "CURVE_CERT"),
        ("rigstream-web", {"CURVE_SERVER_KEY": broker_key, "CURVE_CERT": f"{keys}/pc.cert_secret"},
         "CURVE_ALLOW_DIR"),
        ("rigstream-web", {"CURVE_SERVER_KEY": broker_key, "CURVE_CERT": f"{keys}/pc.cert_secret",
                           "CURVE_ALLOW_DIR": allowed, "ENGINE_CONTROL_KEY": "nope"}, "ENGINE_CONTROL_KEY"),
    ]
    for prog, env, word in bad:
        r = run(prog, env=env)
        check(r.returncode == 2 and word in r.stderr,
              f"{prog} stops with exit 2 naming {word} ({r.returncode}: {r.stderr.strip()[-120:]})")

    #  A running CURVE broker on loopback: allowed, revoked, re-allowed.
    front, back, ctl = rigtest.free_ports(3)
    ports = {"BROKER_FRONTEND_PORT": str(front), "BROKER_BACKEND_PORT": str(back),
             "BROKER_CONTROL_PORT": str(ctl)}
    broker = Proc("broker", [binary("rigstream-broker")], dict(
        ports, CURVE_SERVER_CERT=f"{keys}/broker.cert_secret", CURVE_ALLOW_DIR=allowed))
    broker.wait_for(r"ready: .*CURVE on")
    as_pc = dict(ports, CURVE_SERVER_KEY=f"{keys}/broker.cert", CURVE_CERT=f"{keys}/pc.cert_secret")
    r = run("rigstream-ctl", ["PING"], as_pc)
    check(r.returncode == 0 and r.stdout.strip() == "PONG", "an allowed client gets PONG over CURVE")
    check(run("rigstream-keys", ["revoke", "pc"], kenv).returncode == 0, "keys: revoke pc")
    r = run("rigstream-ctl", ["--timeout-ms", "800", "PING"], as_pc)
    check(r.returncode == 1, "the revoked client is refused without restarting the broker")
    check(run("rigstream-keys", ["allow", f"{keys}/pc.cert"], kenv).returncode == 0, "keys: allow pc again")
    wait_until(lambda: run("rigstream-ctl", ["--timeout-ms", "800", "PING"], as_pc).returncode == 0, 10,
               "the re-allowed client gets through")
    #  The Python example client speaks CURVE too, from the same variables.
    client_py = os.path.join(rigtest.ARGS.source_dir, "docs", "examples", "rigstream_client.py")
    pyenv = dict(os.environ, RIGSTREAM_ENV_FILE=os.devnull, **as_pc)
    r = subprocess.run(["/usr/bin/python3", client_py, "publish", "--count", "5", "--rate", "0",
                        "--pub-id", "pycurve"], capture_output=True, text=True, timeout=20, env=pyenv)
    check(r.returncode == 0 and "published 5" in r.stdout, f"the Python client publishes over CURVE {r.stderr}")
    r = subprocess.run(["/usr/bin/python3", client_py, "status"], capture_output=True, text=True, timeout=20,
                       env=pyenv)
    check(r.returncode == 0 and json.loads(r.stdout)["components"].get("py_client"),
          "the Python client reads STATUS over CURVE, and its heartbeat arrived")
    status = json.loads(run("rigstream-ctl", ["STATUS"], as_pc).stdout)
    check(status["curve"] is True and status["counters"]["auth_rejected"] >= 1,
          f"STATUS counts the refusal (auth_rejected {status['counters']['auth_rejected']})")
    check(broker.stop() == 0, "broker exits 0")

    #  One set of variables for every program, as one .env on a machine: the
    #  broker reads CURVE_SERVER_CERT, the others CURVE_SERVER_KEY/CURVE_CERT.
    suite = Suite(dict(curve_env, CURVE_SERVER_CERT=f"{keys}/broker.cert_secret"))
    suite.start_broker()
    engine_port = rigtest.free_port()
    engine = suite.start("engine", "rigstream-engine", [], {"ENGINE_CONTROL_PORT": str(engine_port)})
    engine.wait_for(r"ready", timeout=10)
    web, port = start_web(suite, engine_port=engine_port,
                          extra_env={"ENGINE_CONTROL_KEY": f"{keys}/pc.cert"})
    doc = wait_until(lambda: (lambda r: r[1] if r[0] == 200 and r[1]["broker"]["up"] else None)(
        get_json(port, "/api/health")), 10, "the web bridge's health with the broker up")
    check(doc["broker"]["status"]["curve"] is True, "the web bridge reads the broker's STATUS over CURVE")
    st, doc = get_json(port, "/api/thresholds")
    check(st == 200 and doc["ok"], f"the web bridge reads the engine's thresholds over CURVE: {st} {doc}")
    for p in (web, engine):
        check(p.stop() == 0, f"{p.name} exits 0")
    check(suite.broker.stop() == 0, "CURVE broker of the suite exits 0")


if __name__ == "__main__":
    main()
