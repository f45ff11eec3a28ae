"""The uplink's bandwidth budget and JSON mode, against a real mosquitto:
- JSON mode: one object per sample on <prefix>/<node>/<well>/telemetry with
  the simulator's seq, timestamp and values; every sample arrives once;
- report by exception: with a deadband and a minimum interval, each channel
  reaches the host only when it moved by more than the band and no more often
  than the interval, with the value the simulator published at that instant;
- downsampling: 1-second windows arrive as <channel>_mean, _min and _max at
  the window's start, equal to what the simulator's samples in it give;
- a byte cap: the payload bytes per second seen by the host stay within the
  cap while the rest waits in the queue, and nothing is lost.
"""
import os

import rigtest
import uplinktest
from rigtest import check, Suite, wait_until
from uplinktest import Host, Mosquitto, Recorder

COUNT = 800
RATE = 100
CAP = 25000


def main():
    args = rigtest.setup()
    mq = Mosquitto("mosquitto").start()
    suite = Suite()
    suite.start_broker()
    rec = Recorder(suite)
    host = Host(args, mq.port)
    host.wait_connected()
    url = ["--url", f"mqtt://127.0.0.1:{mq.port}"]
    ups = [
        suite.start("uplink-json", "rigstream-uplink", url + [
            "--mode", "json", "--node", "rigJ", "--topics", "telemetry.J-", "--spool", os.path.join(args.tmp, "j.db")]),
        suite.start("uplink-band", "rigstream-uplink", url + [
            "--node", "rigE", "--topics", "telemetry.E-", "--spool", os.path.join(args.tmp, "e.db"),
            "--deadband", "2", "--deadbands", "rop=0.5", "--min-interval-ms", "1000", "--max-silence-s", "0"]),
        suite.start("uplink-cap", "rigstream-uplink", url + [
            "--node", "rigF", "--topics", "telemetry.F-", "--spool", os.path.join(args.tmp, "f.db"),
            "--max-bytes-per-s", str(CAP), "--batch", "5"]),
        suite.start("uplink-down", "rigstream-uplink", url + [
            "--node", "rigG", "--topics", "telemetry.G-", "--spool", os.path.join(args.tmp, "g.db"),
            "--downsample-s", "1"]),
    ]
    for u in ups:
        u.wait_for(r"online at", timeout=15)
    sim = suite.start("sim", "rigstream-sim", ["--well-ids", "J-01,E-01,F-01,G-01", "--rate", str(RATE), "--count",
                                               str(COUNT), "--seed", "21"])
    sim.wait_for(r"stopped:", timeout=30)

    # JSON mode.
    wait_until(lambda: len(host.json) >= COUNT, timeout=15, what="every JSON sample")
    topics = {t for t, _ in host.json}
    check(topics == {"rigstream/rigJ/J-01/telemetry"}, f"JSON topics {topics}")
    objs = {o["seq"]: o for _, o in host.json}
    check(sorted(objs) == list(range(1, COUNT + 1)) and len(host.json) == COUNT,
          f"JSON: seq 1..{COUNT} once each ({len(host.json)} messages)")
    bad = [s for s, o in objs.items()
           if o["ts"] != rec.samples[("J-01", s)][0] // 1000 or o["values"] != rec.samples[("J-01", s)][1]
           or o["historical"] or o["well"] != "J-01" or o["rig"] != "rigJ"]
    check(not bad, f"JSON: timestamps (ms) and values as the simulator published them ({len(bad)} differ)")

    # Report by exception.
    wait_until(lambda: uplinktest.stats(suite).get("queued", 1) == 0 and any(w == "E-01" for w, _ in host.samples),
               timeout=10, what="E-01 data")
    last, reported, wrong = {}, 0, []
    for (w, s), smp in sorted(host.samples.items()):
        if w != "E-01":
            continue
        for name, v in smp["values"].items():
            ch = name.split("/", 1)[1]
            if v != rec.samples[(w, s)][1].get(ch):
                wrong.append(f"{ch}@{s} value")
            band = 0.5 if ch == "rop" else 2
            if ch in last:
                ts0, v0 = last[ch]
                if smp["ts"] - ts0 < 1000:
                    wrong.append(f"{ch}@{s} after {smp['ts'] - ts0} ms")
                if v is not None and v0 is not None and abs(v - v0) <= band:
                    wrong.append(f"{ch}@{s} moved {abs(v - v0):.3f} <= {band}")
            last[ch] = (smp["ts"], v)
            reported += 1
    total = COUNT * len(rec.samples[("E-01", 1)][1])
    check(not wrong and 0 < reported < total / 20,
          f"deadband + minimum interval: {reported} of {total} values reported, each moved past its band "
          f"and >= 1 s after the previous one ({wrong[:3]})")

    # Downsampling: every closed 1 s window, with the simulator's statistics.
    wins = {smp["ts"]: smp["values"] for (w, s), smp in host.samples.items() if w == "G-01"}
    by_win = {}
    for (w, s), (ts_us, ch) in rec.samples.items():
        if w == "G-01" and ch.get("rop") is not None:
            by_win.setdefault(ts_us // 1000 // 1000 * 1000, []).append(ch["rop"])
    closed = sorted(by_win)[:-1]        # the last window is still open
    bad = [t for t in closed if t not in wins
           or abs(wins[t]["telemetry/rop_mean"] - sum(by_win[t]) / len(by_win[t])) > 1e-9 * max(1, abs(wins[t]["telemetry/rop_mean"]))
           or wins[t]["telemetry/rop_min"] != min(by_win[t]) or wins[t]["telemetry/rop_max"] != max(by_win[t])]
    check(closed and not bad and len(wins) == len(closed),
          f"downsampling: {len(wins)} windows of 1 s for {COUNT} samples, mean/min/max as the samples give "
          f"({len(bad)} differ)")

    # Byte cap: nothing lost, rate within the cap.
    wait_until(lambda: sum(1 for (w, _) in host.samples if w == "F-01") >= COUNT, timeout=90,
               what="every F-01 sample through the byte cap")
    uplinktest.check_samples_well(host, rec, "F-01", range(1, COUNT + 1), "byte cap")
    times = [(t, n) for w, t, n in host.data_times if w == "F-01"]
    span = times[-1][0] - times[0][0]
    rate = sum(n for _, n in times[1:]) / span
    check(rate <= CAP * 1.15, f"byte cap {CAP} B/s: the host saw {rate:.0f} B/s over {span:.1f} s")
    check(not host.seq_errors, f"seq continuity: {host.seq_errors[:5]}")
    for u in ups:
        check(u.stop() == 0, f"{u.name} exits 0")
    rec.close()
    host.close()
    sim.stop()
    check(suite.broker.stop() == 0, "broker exits 0")
    mq.stop()


if __name__ == "__main__":
    main()
