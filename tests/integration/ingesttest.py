"""ingesttest: what the ingest tests (test_wits0, test_wits0_out, test_csv)
share: a subscriber that records every message with the time it arrived,
and WITS0 frames built and read the way rig equipment does."""
import socket
import threading
import time

import msgpack
import zmq

from rigtest import fail


class Collector:
    """A SUB socket on the broker's backend, read by a thread: every message
    as (monotonic arrival, wall-clock arrival, topic, body)."""

    def __init__(self, suite, prefixes):
        self.sock = zmq.Context.instance().socket(zmq.SUB)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.connect(f"tcp://127.0.0.1:{suite.back}")
        for p in list(prefixes) + ["sys.broker"]:
            self.sock.setsockopt(zmq.SUBSCRIBE, p.encode())
        self.lock = threading.Lock()
        self.got = []
        self.stopping = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        # Connected once the broker's own heartbeat comes through.
        deadline = time.monotonic() + 10
        while not any(t == "sys.broker" for _, _, t, _ in self.messages()):
            if time.monotonic() > deadline:
                fail("the collector heard no broker heartbeat within 10 s")
            time.sleep(0.05)

    def _run(self):
        poller = zmq.Poller()
        poller.register(self.sock, zmq.POLLIN)
        while not self.stopping:
            if not poller.poll(100):
                continue
            frames = self.sock.recv_multipart()
            mono, wall = time.monotonic(), time.time()
            if len(frames) != 2:
                continue
            body = msgpack.unpackb(frames[1], raw=False, strict_map_key=False)
            with self.lock:
                self.got.append((mono, wall, frames[0].decode(), body))

    def messages(self):
        with self.lock:
            return list(self.got)

    def samples(self, well):
        """(monotonic, wall, body) of the telemetry of one well, in arrival order."""
        return [(m, w, b) for m, w, t, b in self.messages() if t == f"telemetry.{well}"]

    def stats(self, component):
        """The stats of the latest heartbeat of a component ({} if none yet)."""
        last = [b for _, _, t, b in self.messages() if t == f"sys.{component}"]
        return last[-1].get("stats", {}) if last else {}

    def close(self):
        self.stopping = True
        self.thread.join(2)
        self.sock.close()


def frame(items, eol=b"\r\n"):
    """A WITS0 frame from (code, value text) pairs."""
    lines = [b"&&"] + [b"%04d%s" % (code, str(v).encode()) for code, v in items] + [b"!!"]
    return eol.join(lines) + eol


HEARTBEAT = b"&&\r\n0111-9999\r\n!!\r\n"


class FrameReader:
    """Reads WITS0 frames from a socket: each as {code: text}; heartbeat
    frames included (they are frames too)."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.frames = []

    def poll(self, timeout=0.1):
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except (socket.timeout, BlockingIOError):
            return
        if not data:
            raise ConnectionError("closed")
        self.buf += data
        while b"!!" in self.buf:
            head, self.buf = self.buf.split(b"!!", 1)
            lines = [x.strip() for x in head.replace(b"\r", b"\n").split(b"\n")]
            lines = lines[lines.index(b"&&") + 1:] if b"&&" in lines else []
            self.frames.append({int(x[:4]): x[4:].decode() for x in lines if len(x) >= 4})

    def wait(self, pred, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            v = pred(self.frames)
            if v:
                return v
            self.poll()
        fail(f"timed out after {timeout}s waiting for {what}")


class FakeServer:
    """A TCP server on a free port that rig equipment would be: it accepts
    connections (one at a time) and sends what it is told."""

    def __init__(self, port=0):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(4)
        self.port = self.listener.getsockname()[1]
        self.conn = None
        self.accepted = 0

    def accept(self, timeout=10):
        self.listener.settimeout(timeout)
        try:
            self.conn, _ = self.listener.accept()
        except socket.timeout:
            fail(f"nobody connected to port {self.port} within {timeout}s")
        self.accepted += 1
        return self.conn

    def send(self, data, chunk=None):
        if chunk is None:
            self.conn.sendall(data)
            return
        for i in range(0, len(data), chunk):
            self.conn.sendall(data[i:i + chunk])
            time.sleep(0.001)

    def drop(self):
        if self.conn:
            self.conn.close()
            self.conn = None

    def close(self):
        self.drop()
        self.listener.close()
