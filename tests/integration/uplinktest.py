"""uplinktest: what the uplink's integration tests share.

- Mosquitto: Debian's mosquitto on a free loopback port, with a config the test
  writes (plain, password file, TLS), started, killed -9 and restarted.
- Host: a Sparkplug B host application (python3-paho-mqtt, python3-protobuf
  with the descriptor set the build makes from sparkplug_b.proto). It keeps
  every birth, death and data message, resolves aliases through the births,
  checks seq continuity, and can act as the primary host (STATE) and send a
  rebirth command.
- Recorder: what the simulator published, read straight from the rigstream
  broker (ZeroMQ + MessagePack), to compare values and timestamps with.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time

import msgpack
import zmq

import rigtest
from rigtest import check, fail

try:
    import paho.mqtt.client as mqtt
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
except ImportError as e:  # pragma: no cover
    print(f"skipped: {e} (install python3-paho-mqtt and python3-protobuf)")
    raise SystemExit(77)

DOUBLE, UINT64, BOOLEAN, STRING = 10, 8, 11, 12


def need_mosquitto():
    path = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not os.access(path, os.X_OK):
        print("skipped: mosquitto is not installed (apt-get install mosquitto)")
        raise SystemExit(77)
    return path


def payload_class(args):
    desc = os.path.join(os.path.abspath(args.build_dir), "sparkplug_b.desc")
    if not os.path.exists(desc):
        fail(f"{desc} is missing: build first")
    fds = descriptor_pb2.FileDescriptorSet.FromString(open(desc, "rb").read())
    pool = descriptor_pool.DescriptorPool()
    for f in fds.file:
        pool.Add(f)
    return message_factory.MessageFactory(pool).GetPrototype(pool.FindMessageTypeByName("rs_spb.Payload"))


class Mosquitto:
    """A mosquitto broker on a free port; `extra` lines go into its config."""

    def __init__(self, name, extra=(), port=None):
        self.path = need_mosquitto()
        self.name = name
        self.port = port or rigtest.free_port()
        self.conf = os.path.join(rigtest.ARGS.tmp, f"{name}.conf")
        lines = [f"listener {self.port} 127.0.0.1", *extra]
        if os.geteuid() == 0:
            # Started as root, mosquitto would switch to its own user, who
            # cannot read the test's private files (passwords, keys).
            lines.append("user root")
        if not any(x.startswith(("allow_anonymous", "password_file")) for x in extra):
            lines.append("allow_anonymous true")
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.proc = None
        self.runs = 0
        self.holder = None
        self.hold()

    def hold(self):
        """Keeps the port bound (not listening) while mosquitto is down: a
        client retrying on a free loopback port in the ephemeral range could
        otherwise connect to itself (TCP simultaneous open) and take it."""
        self.holder = socket.socket()
        self.holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.holder.bind(("127.0.0.1", self.port))

    def start(self):
        if self.holder:
            self.holder.close()
            self.holder = None
        self.runs += 1
        self.proc = rigtest.Proc(f"{self.name}-{self.runs}", [self.path, "-c", self.conf, "-v"])
        self.proc.wait_for(r"mosquitto version .* running|Opening ipv4 listen socket", timeout=10)
        return self

    def kill9(self):
        self.proc.signal(signal.SIGKILL)
        self.proc.p.wait()
        self.proc.kill()
        self.hold()

    def stop(self):
        if self.proc:
            self.proc.stop()


class Recorder:
    """Every telemetry sample the broker delivers: {(well, seq): (ts_us, ch)}."""

    def __init__(self, suite, prefix="telemetry."):
        self.samples = {}
        self.ctx = zmq.Context.instance()
        self.stop_flag = False
        self.sock = self.ctx.socket(zmq.SUB)
        self.sock.setsockopt(zmq.RCVTIMEO, 100)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.setsockopt_string(zmq.SUBSCRIBE, prefix)
        self.sock.setsockopt_string(zmq.SUBSCRIBE, "sys.broker")
        self.sock.connect(f"tcp://127.0.0.1:{suite.back}")
        self.up = threading.Event()
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()
        if not self.up.wait(10):
            fail("the recorder saw no broker heartbeat")

    def _run(self):
        while not self.stop_flag:
            try:
                topic, body = self.sock.recv_multipart()
            except zmq.Again:
                continue
            if topic.startswith(b"sys."):
                self.up.set()
                continue
            m = msgpack.unpackb(body, raw=False)
            self.samples[(m["well"], m["seq"])] = (m["ts"], m["ch"])

    def close(self):
        self.stop_flag = True
        self.t.join(2)
        self.sock.close()


class Host:
    """A Sparkplug B host application on one MQTT broker."""

    def __init__(self, args, port, group="rigstream", node="rig", host_id=None, tls_ca=None, name="host",
                 user=None, password=None):
        self.Payload = payload_class(args)
        self.group, self.node, self.host_id = group, node, host_id
        self.lock = threading.Lock()
        self.log = []                   # (verb, device, payload) in arrival order
        self.births = {}                # device or None -> last birth payload
        self.aliases = {}               # alias -> (device, name, datatype)
        self.samples = {}               # (well, seq) -> dict(ts, values, historical)
        self.raw_samples = 0
        self.arrivals = []              # (well, seq, ts, historical, arrival time) of each telemetry sample
        self.others = []                # (well, kind, ts, historical, values) of each KPI and alert
        self.other_keys = []            # (well, kind, seq) of each KPI and alert, duplicates included
        self.kinds = {}                 # kind -> samples received (telemetry, kpi, alert)
        self.seq_errors = []
        self.last_seq = {}              # node -> seq of its last message
        self.deaths = []                # bdSeq of NDEATHs seen
        self.death_qos = []             # the QoS each NDEATH was delivered with
        self.node_data = []             # (arrival time, {name: value}) of each NDATA
        self.json = []                  # JSON mode messages
        self.data_times = []            # (well, arrival time, bytes) of each DDATA
        self.connected = threading.Event()
        self.c = mqtt.Client(client_id=f"{name}-{os.getpid()}", clean_session=True)
        if user:
            self.c.username_pw_set(user, password)
        if tls_ca:
            self.c.tls_set(ca_certs=tls_ca)
        self.c.reconnect_delay_set(min_delay=1, max_delay=1)
        self.c.on_connect = self._on_connect
        self.c.on_subscribe = self._on_subscribe
        self.c.on_message = self._on_message
        self.c.on_disconnect = lambda *a: self.connected.clear()
        if host_id:
            self.c.will_set(f"spBv1.0/STATE/{host_id}", self._state(False), qos=1, retain=True)
        self.port = port
        self.c.connect_async("127.0.0.1", port, keepalive=5)
        self.c.loop_start()

    @staticmethod
    def _state(online):
        return json.dumps({"online": online, "timestamp": int(time.time() * 1000)})

    def wait_connected(self, timeout=10):
        if not self.connected.wait(timeout):
            fail("the test host did not connect to mosquitto")

    def _on_connect(self, c, userdata, flags, rc):
        if rc != 0:
            return
        c.subscribe([("spBv1.0/#", 1), ("rigstream/#", 1)])

    def _on_subscribe(self, c, userdata, mid, granted):
        # Online only once subscribed, so nothing the node sends is missed.
        if self.host_id:
            self.set_online(True)
        self.connected.set()

    def set_online(self, online):
        self.c.publish(f"spBv1.0/STATE/{self.host_id}", self._state(online), qos=1, retain=True)

    def rebirth(self):
        p = self.Payload()
        p.timestamp = int(time.time() * 1000)
        m = p.metrics.add()
        m.name = "Node Control/Rebirth"
        m.datatype = BOOLEAN
        m.boolean_value = True
        self.c.publish(f"spBv1.0/{self.group}/NCMD/{self.node}", p.SerializeToString(), qos=1)

    def _on_message(self, c, userdata, msg):
        parts = msg.topic.split("/")
        with self.lock:
            if parts[0] == "rigstream":
                self.json.append((msg.topic, json.loads(msg.payload)))
                return
            if len(parts) < 4 or parts[1] == "STATE":
                return
            verb, node, device = parts[2], parts[3], (parts[4] if len(parts) > 4 else None)
            if verb in ("NCMD", "DCMD"):
                return
            try:
                p = self.Payload.FromString(msg.payload)
            except Exception as e:
                self.seq_errors.append(f"undecodable {msg.topic}: {e}")
                return
            self.log.append((verb, device, p, len(msg.payload)))
            if verb == "NDEATH":
                self.deaths.append(next(m.long_value for m in p.metrics if m.name == "bdSeq"))
                self.death_qos.append(msg.qos)
                self.last_seq.pop(node, None)
                return
            last = self.last_seq.get(node)
            if verb == "NBIRTH":
                if p.seq != 0:
                    self.seq_errors.append(f"NBIRTH seq {p.seq}")
                self.aliases = {k: v for k, v in self.aliases.items() if k[0] != node}
            elif last is None:
                self.seq_errors.append(f"{verb} {device} before any NBIRTH")
            elif p.seq != (last + 1) % 256:
                self.seq_errors.append(f"{verb} {device} seq {p.seq} after {last}")
            self.last_seq[node] = p.seq
            if verb in ("NBIRTH", "DBIRTH"):
                self.births[device] = p
                for m in p.metrics:
                    other = self.aliases.get((node, m.alias))
                    if other and other[:2] != (device, m.name):
                        self.seq_errors.append(f"alias {m.alias} of {device}/{m.name} is also {other[:2]}")
                    self.aliases[(node, m.alias)] = (device, m.name, m.datatype)
            elif verb == "DDATA":
                self.data_times.append((device, time.time(), len(msg.payload)))
                self._data(node, device, p)
            elif verb == "NDATA":
                vals = {}
                for m in p.metrics:
                    a = self.aliases.get((node, m.alias))
                    if not a or a[0] is not None:
                        self.seq_errors.append(f"NDATA: alias {m.alias} not born for the node")
                        continue
                    vals[a[1]] = getattr(m, m.WhichOneof("value")) if m.WhichOneof("value") else None
                self.node_data.append((time.time(), vals))

    def _data(self, node, well, p):
        cur = None
        for m in p.metrics:
            if m.HasField("name") or m.HasField("datatype"):
                self.seq_errors.append(f"DDATA metric with a name or datatype: {m}")
            a = self.aliases.get((node, m.alias))
            if not a or a[0] != well:
                self.seq_errors.append(f"DDATA {well}: alias {m.alias} not born for this device")
                continue
            name = a[1]
            if name.startswith("rigstream/") and name.endswith("_seq"):
                kind = name[len("rigstream/"):-len("_seq")]
                self.raw_samples += kind == "telemetry"
                self.kinds[kind] = self.kinds.get(kind, 0) + 1
                cur = {"ts": m.timestamp, "values": {}, "historical": m.is_historical, "kind": kind}
                if kind != "telemetry":
                    self.others.append((well, kind, m.timestamp, m.is_historical, cur["values"]))
                    self.other_keys.append((well, kind, m.long_value))
                if kind == "telemetry":
                    key = (well, m.long_value)
                    self.arrivals.append((well, m.long_value, m.timestamp, m.is_historical, time.time()))
                    cur["dup"] = key in self.samples
                    if not cur["dup"]:
                        self.samples[key] = cur
                continue
            if cur is None:
                self.seq_errors.append(f"DDATA {well}: value before its sample's seq")
                continue
            if m.timestamp != cur["ts"] or m.is_historical != cur["historical"]:
                self.seq_errors.append(f"DDATA {well}: {name} timestamp/historical differs from its sample's")
            cur["values"][name] = None if m.is_null else getattr(m, m.WhichOneof("value"))

    def count(self, verb, device=None):
        with self.lock:
            return sum(1 for v, d, _, _ in self.log if v == verb and (device is None or d == device))

    def close(self):
        if self.host_id:
            self.set_online(False)
            time.sleep(0.1)
        self.c.disconnect()
        self.c.loop_stop()


def check_samples(host, rec, wells, per_well, label, values=True):
    """Every sample of every well reached the host once keyed, with its values."""
    for w in wells:
        seqs = sorted(s for (well, s) in host.samples if well == w)
        check(seqs == list(range(1, per_well + 1)),
              f"{label}: {w} has seq 1..{per_well} once each at the host ({len(seqs)} keys, "
              f"{seqs[:1]}..{seqs[-1:]})")
    if not values:
        return
    bad = compared = 0
    for (w, s), smp in host.samples.items():
        ts_us, ch = rec.samples.get((w, s), (None, None))
        if ts_us is None:
            continue    # the recorder is not durable: it misses what a dead broker dropped
        compared += 1
        if smp["ts"] != ts_us // 1000:
            bad += 1
            continue
        for name, v in ch.items():
            got = smp["values"].get(f"telemetry/{name}", "missing")
            if not (got == v or (v is None and got is None) or (isinstance(v, int) and got == float(v))):
                bad += 1
                break
    check(bad == 0 and compared >= 0.9 * len(host.samples),
          f"{label}: timestamps (ms) and values of {compared} samples match what the simulator published "
          f"({bad} differ)")


def check_samples_well(host, rec, well, seqs, label):
    """One well's samples are exactly `seqs`, with the simulator's values."""
    got = sorted(s for (w, s) in host.samples if w == well)
    want = list(seqs)
    check(got == want, f"{label}: {well} has seq {want[0]}..{want[-1]} once each at the host ({len(got)} keys)")
    bad = sum(1 for s in got if host.samples[(well, s)]["ts"] != rec.samples[(well, s)][0] // 1000
              or host.samples[(well, s)]["values"].get("telemetry/rop") != rec.samples[(well, s)][1].get("rop"))
    check(bad == 0, f"{label}: {well}'s timestamps and values match the simulator's ({bad} differ)")


def wait_samples(host, n, timeout, what):
    rigtest.wait_until(lambda: len(host.samples) >= n, timeout=timeout,
                       what=f"{what} ({n} samples at the host)")


def stats(suite, component="uplink"):
    st = json.loads(suite.control("STATUS") or "{}").get("components", {}).get(component, {})
    return st.get("stats", {})
