"""rigstream-sim against the real broker, read with pyzmq and msgpack.

Samples decode and follow the wire layout with every channel, sequence numbers
go up by one per topic, timestamps by the simulated step, the rate is about
the one asked for, an injected kick arrives as ground truth (start, end, then
a shut-in with casing pressure), heartbeats carry the counters, bad options
exit 2, a simulator without a broker waits and stops cleanly, and SIGTERM
stops it with exit 0.
"""
import signal
import time

import msgpack
import zmq

import rigtest
from rigtest import check, Proc, Suite, binary, wait_until

CHANNELS = {
    "bit_depth", "hole_depth", "block_pos", "rop", "wob", "hook_load", "rpm", "torque", "spp",
    "spm1", "spm2", "flow_in", "flow_out", "pit_volume", "pit_gain", "gas",
    "mud_temp_in", "mud_temp_out", "mud_density_in", "mud_density_out",
}


def recv_all(sock, seconds, into):
    """Receives for `seconds`, appending (topic, body) to `into`."""
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return into
        if sock.poll(int(left * 1000) + 1):
            topic, body = sock.recv_multipart()
            into.append((topic.decode(), msgpack.unpackb(body, raw=False)))


def main():
    rigtest.setup()

    for args, what in ((["--rate", "fast"], "--rate"), (["--events", "kick@soon"], "--events"),
                       (["--well-ids", "A 1"], "well id"), (["--wells", "0"], "wells")):
        bad = Proc("bad", [binary("rigstream-sim"), *args])
        rc = bad.p.wait(10)
        check(rc == 2 and what in bad.text(), f"{' '.join(args)} refused with exit 2: {bad.text().strip()}")
        bad.stop()

    # No broker: it says it is waiting, and a signal still stops it cleanly.
    lonely = Proc("lonely", [binary("rigstream-sim")],
                  {"BROKER_FRONTEND_PORT": str(rigtest.free_port())})
    lonely.wait_for(r"waiting for the broker", timeout=10)
    check(lonely.stop() == 0, "a simulator waiting for the broker exits 0 on SIGTERM")

    suite = Suite()
    suite.start_broker()
    ctx = zmq.Context.instance()
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.LINGER, 0)
    sub.setsockopt(zmq.RCVHWM, 0)
    sub.connect(f"tcp://127.0.0.1:{suite.back}")
    for prefix in (b"telemetry.", b"event.", b"sys."):
        sub.setsockopt(zmq.SUBSCRIBE, prefix)
    # Our subscription is in place once the broker's own heartbeat arrives.
    wait_until(lambda: sub.poll(100) and sub.recv_multipart()[0].startswith(b"sys."),
               timeout=10, what="a heartbeat through the broker (subscription active)")

    # 20 samples/s per well, 3 simulated seconds each; a kick 60 s in, 4 min long.
    rate, speed = 20, 60
    sim = suite.start("sim", "rigstream-sim", ["--wells", "2", "--rate", str(rate), "--speed", str(speed),
                                               "--seed", "3", "--events", "kick@60:240"])
    sim.wait_for(r"ready: publishing 2 well\(s\) at 20 Hz .*to tcp://", timeout=10)
    t0 = time.monotonic()
    msgs = recv_all(sub, 8.0, [])
    elapsed = time.monotonic() - t0

    tele = {}
    events = {}
    beats = []
    for topic, body in msgs:
        kind, _, ident = topic.partition(".")
        if kind == "telemetry":
            tele.setdefault(ident, []).append(body)
        elif kind == "event":
            events.setdefault(ident, []).append(body)
        elif topic == "sys.simulator":
            beats.append(body)
    check(sorted(tele) == ["A-01", "A-02"], f"samples from both wells: {sorted(tele)}")

    for well, bodies in tele.items():
        b0 = bodies[0]
        check(b0["v"] == 1 and b0["pub"] == "sim" and b0["well"] == well
              and all(isinstance(b0[k], int) for k in ("epoch", "seq", "ts")),
              f"{well}: common fields v, pub, epoch, seq, ts and well")
        seqs = [b["seq"] for b in bodies]
        check(seqs[0] == 1 and all(b - a == 1 for a, b in zip(seqs, seqs[1:])),
              f"{well}: seq 1, 2, 3... without a gap ({len(seqs)} samples, last {seqs[-1]})")
        step_us = int(speed / rate * 1e6)
        dts = {b["ts"] - a["ts"] for a, b in zip(bodies, bodies[1:])}
        check(dts == {step_us}, f"{well}: ts advances by the simulated step of {step_us} us: {sorted(dts)[:5]}")
        full = [set(b["ch"]) for b in bodies]
        check(all(CHANNELS <= names and names <= CHANNELS | {"casing_pressure"} for names in full),
              f"{well}: every sample has the 20 channels (casing_pressure only when shut in)")
        check(all(isinstance(v, float) for b in bodies for v in b["ch"].values()),
              f"{well}: channel values are numbers")
        got = len(bodies) / elapsed
        check(0.75 * rate <= got <= 1.25 * rate, f"{well}: about {rate} samples/s ({got:.1f})")

    for well in ("A-01", "A-02"):
        evs = events.get(well, [])
        first = evs[0] if evs else {}
        check(first.get("event") == "rig_state" and first.get("phase") == "change"
              and first.get("state") == "drilling", f"{well}: first event is the initial rig state: {first}")
        kick = [e for e in evs if e["event"] == "kick"]
        phases = [e["phase"] for e in kick]
        check(phases == ["start", "end"] and kick[0]["event_id"] == kick[1]["event_id"] > 0,
              f"{well}: the injected kick starts and ends with one event id: {phases}")
        start_ts = tele[well][0]["ts"] - int(speed / rate * 1e6)
        check(abs(kick[0]["ts"] - (start_ts + 60_000_000)) <= 3_000_000,
              f"{well}: the kick starts at 60 simulated seconds")
        states = [e.get("state") for e in evs if e["event"] == "rig_state"]
        check("shut_in" in states, f"{well}: the well is shut in after the kick: {states}")
        shut = [b for b in tele[well] if "casing_pressure" in b["ch"]]
        check(len(shut) > 0 and max(b["ch"]["casing_pressure"] for b in shut) > 5,
              f"{well}: casing pressure is published while shut in")
        gain = max(b["ch"]["pit_gain"] for b in tele[well])
        check(gain > 1.0, f"{well}: the kick shows as a pit gain ({gain:.2f} m3)")

    check(len(beats) >= 3, f"heartbeats on sys.simulator ({len(beats)})")
    last = beats[-1]
    check(last["stats"]["wells"] == 2 and last["stats"]["samples"] > 0
          and last["info"].get("state") == "running",
          f"heartbeat stats and info: {last['stats']}, {last['info']}")

    rc = sim.stop(sig=signal.SIGTERM)
    check(rc == 0, "SIGTERM stops the simulator with exit 0")
    check("stopped:" in sim.text(), "it reports its counters on exit")
    tail = recv_all(sub, 1.0, [])
    final = [b for t, b in tail if t == "sys.simulator"]
    check(final and final[-1]["info"].get("state") == "stopped", "a last heartbeat says stopped")

    # As fast as possible with a sample count: finishes on its own, exit 0.
    fast = suite.start("fast", "rigstream-sim", ["--rate", "max", "--count", "20000",
                                                 "--publisher-id", "fastsim", "--seed", "9"])
    fast.wait_for(r"publishing 1 well\(s\) at max Hz", timeout=10)
    wait_until(lambda: fast.p.poll() is not None, timeout=60, what="the max-rate simulator to finish")
    check(fast.p.returncode == 0 and "stopped: 20000 samples" in fast.text(),
          f"max rate with --count 20000 stops by itself: {fast.text().strip().splitlines()[-1]}")
    fast.stop()

    sub.close()
    suite.stop_all()
    print("test_simulator: all checks passed")


if __name__ == "__main__":
    main()
