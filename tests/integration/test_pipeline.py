"""End to end: broker + simulator + console logger as real processes.

Delivery to the logger for every well, JSON lines, the late joiner's last-value
cache, gap counting when the logger is frozen (SIGSTOP) under a flood, and a
clean SIGTERM shutdown of all three.
"""
import json
import re
import signal
import time

import rigtest
from rigtest import check, Proc, Suite, binary, wait_until


def main():
    rigtest.setup()
    suite = Suite()
    suite.start_broker()

    # Slow simulator (one sample every 4 s per well) so that a late joiner's
    # immediate lines can only come from the broker's last-value cache.
    sim = suite.start("sim", "rigstream-sim",
                      ["--wells", "2", "--rate", "0.25", "--speed", "1", "--seed", "7"])
    sim.wait_for(r"publishing", timeout=10)
    log1 = suite.start("logger1", "rigstream-logger", ["--topics", "telemetry.,event."])
    log1.wait_for(r"ready", timeout=10)
    m = log1.wait_for(r"\n?.*telemetry|#\d+", timeout=15, which="out")
    out = wait_until(lambda: (lambda t: t if len(set(re.findall(r"Z (\S+) #", t))) >= 2 else None)(
        log1.text("out")), timeout=15, what="samples from both wells in the logger")
    wells = sorted(set(re.findall(r"Z (\S+) #", out)))
    check(len(wells) == 2, f"logger prints samples of both wells: {wells}")
    check("hole_depth=" in out and "spp=" in out, "lines carry the main channels")

    # Late joiner: it must print the latest sample of each well at once,
    # long before the next one is published (4 s period).
    t0 = time.monotonic()
    log2 = suite.start("logger2", "rigstream-logger", ["--json", "--topics", "telemetry."])
    wait_until(lambda: len(log2.text("out").splitlines()) >= 2, timeout=3.0,
               what="last-value cache replay to a late joiner")
    dt = time.monotonic() - t0
    lines = log2.text("out").splitlines()
    objs = [json.loads(x) for x in lines]
    check(all(o["kind"] == "telemetry" and "ch" in o and o["seq"] >= 1 for o in objs),
          "JSON lines decode and carry kind, seq and channels")
    check(len({o["well"] for o in objs}) == 2 and dt < 3.0,
          f"late joiner got the latest sample of both wells in {dt:.2f}s (period 4 s)")

    # Imperial display: the same samples (matched by well and seq with the
    # JSON logger, which keeps the stored metric units) in ft and psi.
    log3 = suite.start("logger3", "rigstream-logger", ["--units", "imperial", "--topics", "telemetry."])
    line_re = r"Z (\S+) #(\d+) hole_depth=([\d.]+)ft .* spp=([\d.]+)psi"
    wait_until(lambda: re.search(line_re, log3.text("out")), timeout=10, what="an imperial line")
    shown = {(w, int(s)): (float(d), float(p)) for w, s, d, p in re.findall(line_re, log3.text("out"))}
    metric = {(o["well"], o["seq"]): o["ch"] for o in map(json.loads, log2.text("out").splitlines())}
    both = [k for k in shown if k in metric]
    check(both, f"imperial lines match JSON samples by well and seq ({len(shown)} shown)")
    for k in both:
        d_ft, p_psi = shown[k]
        check(abs(d_ft - metric[k]["hole_depth"] / 0.3048) < 1 and
              abs(p_psi - metric[k]["spp"] * 14.5037738) < 0.6,
              f"{k}: hole depth {d_ft} ft, SPP {p_psi} psi = {metric[k]['hole_depth']} m, {metric[k]['spp']} bar")
    bad = suite.start("badunits", "rigstream-logger", ["--units", "cubits"])
    bad.p.wait(timeout=10)
    rc = bad.stop()
    check(rc == 2 and "--units" in bad.text(), f"--units cubits is refused with status 2 and a message (got {rc})")

    # The first logger saw those replays too and dropped them as duplicates.
    status = json.loads(suite.control("STATUS"))
    comps = status.get("components", {})
    check("simulator" in comps and "console_logger" in comps,
          f"broker sees heartbeats of simulator and logger: {sorted(comps)}")
    for p in (log3, log2, log1, sim):
        rc = p.stop()
        check(rc == 0, f"{p.name} exits 0 on SIGTERM")
    check("stopped:" in log1.text(), "logger reports its counters on exit")

    # Gap counting: freeze a logger while a fast simulator floods it.
    slow = suite.start("slow", "rigstream-logger", ["--json", "--topics", "telemetry."],
                       extra_env={"LOG_LEVEL": "info"})
    slow.wait_for(r"ready", timeout=10)
    fast = suite.start("fast", "rigstream-sim", ["--wells", "1", "--rate", "max",
                                                 "--seed", "3", "--publisher-id", "fastsim"])
    fast.wait_for(r"publishing", timeout=10)
    wait_until(lambda: len(slow.text("out")) > 0, timeout=10, what="first samples to the slow logger")
    slow.signal(signal.SIGSTOP)

    def telemetry_in():
        st = suite.control("STATUS")
        return json.loads(st)["prefixes"]["telemetry"]["msgs"] if st else 0
    # Far more than the broker's and the logger's queues hold together.
    base = telemetry_in()
    wait_until(lambda: telemetry_in() - base > 500000, timeout=60,
               what="500k samples through the broker while the logger is frozen")
    slow.signal(signal.SIGCONT)
    # Under ASan on a loaded machine, draining the backlog to the gap takes a while.
    m = slow.wait_for(r"gap on telemetry\.\S+ from fastsim: (\d+) message", timeout=60)
    check(int(m.group(1)) > 0, f"the frozen logger detected lost messages ({m.group(1)} in its first gap)")
    rc = slow.stop()
    check(rc == 0, "slow logger exits 0")
    m = re.search(r"stopped: (\d+) received, (\d+) delivered, (\d+) rejected, (\d+) lost in (\d+) gap",
                  slow.text())
    check(m is not None and int(m.group(4)) > 0 and int(m.group(5)) > 0,
          f"exit summary counts the loss: {m.group(0) if m else slow.text()[-300:]}")
    check(fast.stop() == 0, "fast simulator exits 0 on SIGTERM")
    rc = suite.broker.stop()
    check(rc == 0, "broker exits 0 on SIGTERM")
    print("test_pipeline: all checks passed")


if __name__ == "__main__":
    main()
