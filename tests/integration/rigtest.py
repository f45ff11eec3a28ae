"""rigtest: helpers for rigstream's integration tests.

Tests start the real binaries as processes on free loopback ports, wait for
readiness signals (a log line, a control-endpoint answer), never for fixed
sleeps, and check what crosses real sockets. Each test script is run by ctest
as `python3 test_x.py --build-dir B --source-dir S` and exits non-zero on failure.
"""
import argparse
import atexit
import os
import re
import signal as sigmod
import socket
import subprocess
import sys
import tempfile
import time

ARGS = None


def setup():
    """Parses the common arguments; returns them (build_dir, source_dir, bin)."""
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--source-dir", required=True)
    ARGS = ap.parse_args()
    ARGS.source_dir = os.path.abspath(ARGS.source_dir)
    ARGS.bin = os.path.join(os.path.abspath(ARGS.build_dir), "bin")
    ARGS.tmp = tempfile.mkdtemp(prefix="rigtest-")
    isolate_env(ARGS.tmp)
    return ARGS


# Settings that would join a test to a suite started by scripts/start_all.sh
# (ports, run directory, database) or to the developer's shell.
SUITE_VARS = ("BROKER_", "RIGSTREAM_", "LOGGER_", "SIM_", "WEB_", "DATABASE_", "ENGINE_", "DB_", "UPLINK_",
              "CURVE_", "DISPLAY_UNITS", "HEARTBEAT_MS")


def isolate_env(tmp):
    """Makes this test independent of a running suite: every process it starts
    (by Proc, Suite or subprocess) inherits a run directory, a database path and
    an empty settings file of the test's own, and none of the suite's ports or
    settings from the developer's shell. Ports are chosen per test (Suite)."""
    for k in [k for k in os.environ if k.startswith(SUITE_VARS)]:
        del os.environ[k]
    os.environ["RIGSTREAM_ENV_FILE"] = os.devnull
    os.environ["RIGSTREAM_RUN_DIR"] = os.path.join(tmp, "run")
    os.environ["DATABASE_PATH"] = os.path.join(tmp, "rigstream.db")
    # Default ports nobody listens on, so a test that forgets to pass its own
    # cannot reach the suite on 5555-5557/8080.
    for var, port in zip(("BROKER_FRONTEND_PORT", "BROKER_BACKEND_PORT", "BROKER_CONTROL_PORT", "WEB_PORT",
                          "ENGINE_CONTROL_PORT"), free_ports(5)):
        os.environ[var] = str(port)


def binary(name):
    path = os.path.join(ARGS.bin, name)
    if not os.access(path, os.X_OK):
        fail(f"binary {path} is missing: build first")
    return path


def free_port():
    """A TCP port that was free a moment ago on 127.0.0.1."""
    return free_ports(1)[0]


def free_ports(n):
    """n distinct TCP ports that were free a moment ago (all held while picking)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    for p in list(Proc.running):
        p.kill()
        p.dump()
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)
    print(f"ok: {msg}")


class Proc:
    """A child process whose stdout and stderr go to files in the test's tmp dir."""
    running = []

    def __init__(self, name, argv, env=None):
        self.name = name
        self.out_path = os.path.join(ARGS.tmp, f"{name}.out")
        self.err_path = os.path.join(ARGS.tmp, f"{name}.err")
        full_env = dict(os.environ)
        # no stray .env from the developer's checkout
        full_env["RIGSTREAM_ENV_FILE"] = os.devnull
        full_env.setdefault("LOG_LEVEL", "info")
        if env:
            full_env.update(env)
        self.out = open(self.out_path, "wb")
        self.err = open(self.err_path, "wb")
        self.p = subprocess.Popen(argv, stdout=self.out, stderr=self.err,
                                  stdin=subprocess.DEVNULL, env=full_env, cwd=ARGS.tmp)
        Proc.running.append(self)

    @property
    def pid(self):
        return self.p.pid

    def text(self, which="err"):
        path = self.err_path if which == "err" else self.out_path
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def wait_for(self, pattern, timeout=10.0, which="err"):
        """Waits until the regex appears in stderr (or stdout); returns the match."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = rx.search(self.text(which))
            if m:
                return m
            if self.p.poll() is not None:
                m = rx.search(self.text(which))
                if m:
                    return m
                fail(f"{self.name} exited ({self.p.returncode}) before printing /{pattern}/")
            time.sleep(0.05)
        fail(f"{self.name} did not print /{pattern}/ within {timeout}s")

    def alive(self):
        return self.p.poll() is None

    def signal(self, sig):
        self.p.send_signal(sig)

    def stop(self, timeout=20.0, sig=sigmod.SIGTERM):
        """Sends SIGTERM and waits; returns the exit code (fails the test on a hang).
        A clean stop may take several seconds by design (the saver, the uplink
        and the broker read on for up to 3 s for their peers' last messages;
        the uplink then waits for its acknowledgements and its NDEATH's): 20 s
        on a loaded machine."""
        if self.p.poll() is None:
            self.p.send_signal(sig)
            try:
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                fail(f"{self.name} did not exit within {timeout}s of signal {sig}")
        if self in Proc.running:
            Proc.running.remove(self)
        self.out.close()
        self.err.close()
        return self.p.returncode

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        if self in Proc.running:
            Proc.running.remove(self)

    def dump(self, lines=40):
        for which in ("err", "out"):
            try:
                t = self.text(which).splitlines()[-lines:]
            except OSError:
                continue
            if t:
                print(f"--- {self.name} std{which} (last {len(t)} lines)", file=sys.stderr)
                print("\n".join(t), file=sys.stderr)


class Suite:
    """A broker on free ports plus helpers to start the other components against it."""

    def __init__(self, extra_env=None):
        self.front, self.back, self.ctl = free_ports(3)
        self.env = {
            "BROKER_FRONTEND_PORT": str(self.front),
            "BROKER_BACKEND_PORT": str(self.back),
            "BROKER_CONTROL_PORT": str(self.ctl),
            "HEARTBEAT_MS": "200",
        }
        if extra_env:
            self.env.update(extra_env)
        self.broker = None

    def start_broker(self, extra_env=None, name="broker"):
        env = dict(self.env)
        env.update(extra_env or {})
        self.broker = Proc(name, [binary("rigstream-broker")], env)
        self.broker.wait_for(r"ready", timeout=10)
        return self.broker

    def start(self, name, binname, args=(), extra_env=None):
        env = dict(self.env)
        env.update(extra_env or {})
        return Proc(name, [binary(binname), *args], env)

    def control(self, command="STATUS", timeout_ms=2000):
        """Asks the broker's control endpoint; returns the reply text or None."""
        import zmq
        ctx = zmq.Context.instance()
        s = ctx.socket(zmq.REQ)
        s.setsockopt(zmq.LINGER, 0)
        s.setsockopt(zmq.RCVTIMEO, timeout_ms)
        s.connect(f"tcp://127.0.0.1:{self.ctl}")
        try:
            s.send_string(command)
            return s.recv().decode()
        except zmq.Again:
            return None
        finally:
            s.close()

    def stop_all(self):
        for p in reversed(list(Proc.running)):
            p.stop()


@atexit.register
def _kill_leftovers():
    """A test that ends by an exception must not leave its processes behind."""
    for p in list(Proc.running):
        p.kill()


def wait_until(fn, timeout=10.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.05)
    fail(f"timed out after {timeout}s waiting for {what}")


# ---- the suite as the scripts run it (start_all.sh, monitor, stop_all.sh) ----

def scripts_env(run_dir, db, build_dir, **settings):
    """Environment for scripts/start_all.sh and the other scripts on a run
    directory, a database and free ports of their own, the build as it is (no
    rebuild), and nothing from the developer's shell or .env. settings: more
    variables, e.g. SIM_RATE=200 (values made strings)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("BROKER_", "RIGSTREAM_", "LOGGER_", "SIM_", "WEB_", "DATABASE_", "ENGINE_", "DB_"))}
    front, back, ctl, web, ectl = free_ports(5)
    env.update({
        "RIGSTREAM_RUN_DIR": run_dir,
        "RIGSTREAM_BUILD_DIR": os.path.abspath(build_dir),
        "RIGSTREAM_NO_BUILD": "1",
        "RIGSTREAM_ENV_FILE": os.devnull,
        "RIGSTREAM_START_TIMEOUT_S": "40",
        "BROKER_FRONTEND_PORT": str(front),
        "BROKER_BACKEND_PORT": str(back),
        "BROKER_CONTROL_PORT": str(ctl),
        "WEB_PORT": str(web),
        "ENGINE_CONTROL_PORT": str(ectl),
        "DATABASE_PATH": db,
        "HEARTBEAT_MS": "200",
        "LOG_LEVEL": "info",
    })
    env.update({k: str(v) for k, v in settings.items()})
    return env


def read_pid(run_dir, name, sub="pids"):
    """The pid start_all.sh wrote for a component (sub="supervise" for its
    supervisor), or None."""
    try:
        with open(os.path.join(run_dir, sub, f"{name}.pid")) as f:
            return int(f.read())
    except (OSError, ValueError):
        return None


def alive(pid):
    """True while pid runs (a zombie does not count)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class FeedRecorder:
    """A foreign subscriber on the broker's back end that keeps, in a thread
    of its own, a key of every message on the given topic prefixes (by
    default (pub, epoch, topic, seq)) and the epochs it saw: what the
    suite's own subscribers must end up holding. `heard` is set once the
    broker's heartbeat came through, i.e. the subscription is in place."""

    def __init__(self, port, prefixes=("kpi.", "alert."), key=None):
        import threading
        import msgpack
        import zmq
        self._msgpack = msgpack
        self.sock = zmq.Context.instance().socket(zmq.SUB)
        self.sock.setsockopt(zmq.RCVHWM, 0)
        self.sock.setsockopt(zmq.LINGER, 0)
        for prefix in tuple(prefixes) + ("sys.broker",):
            self.sock.setsockopt(zmq.SUBSCRIBE, prefix.encode())
        self.sock.connect(f"tcp://127.0.0.1:{port}")
        self.key = key or (lambda topic, m: (m["pub"], m["epoch"], topic, m["seq"]))
        self.seen = set()
        self.epochs = set()
        self.heard = threading.Event()
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            if not self.sock.poll(100):
                continue
            topic, body = self.sock.recv_multipart()
            if topic == b"sys.broker":
                self.heard.set()
                continue
            m = self._msgpack.unpackb(body)
            with self.lock:
                self.seen.add(self.key(topic.decode(), m))
                self.epochs.add(m["epoch"])

    def snapshot(self):
        with self.lock:
            return set(self.seen)

    def stop(self):
        self.running = False
        self.thread.join(2)
