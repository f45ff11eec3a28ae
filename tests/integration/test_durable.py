"""Durable feeds with real processes: a durable subscriber (the console logger
with --durable) that is frozen under a flood, and one whose broker is killed
and restarted mid-stream, both end with every sample the simulator published,
recovered from the simulator's replay journal."""
import json
import signal
import time

import rigtest
from rigtest import check, Suite, wait_until


def seqs_of(proc, well):
    out = []
    # The last line may still be half written: only complete lines count.
    for line in proc.text("out").split("\n")[:-1]:
        o = json.loads(line)
        if o.get("topic") == f"telemetry.{well}":
            out.append((o["seq"], bool(o.get("replayed"))))
    return out


def summary(proc):
    import re
    m = re.search(r"(\d+) recovered, (\d+) lost for good", proc.text())
    return (int(m.group(1)), int(m.group(2))) if m else None


def main():
    rigtest.setup()

    # 1. A durable subscriber frozen for 5 s while 5,000 samples/s flow: far
    # more than the broker's queue for it (2,000 here) and the kernel's socket
    # buffers hold, so messages are dropped for it and must be recovered.
    suite = Suite()
    suite.start_broker(extra_env={"BROKER_SNDHWM": "2000"})
    log = suite.start("durable", "rigstream-logger", ["--json", "--durable", "--topics", "telemetry."])
    log.wait_for("ready", timeout=10)
    n = 60000
    sim = suite.start("sim", "rigstream-sim", ["--wells", "1", "--rate", "5000", "--count", str(n),
                                               "--seed", "9"])
    sim.wait_for("publishing", timeout=10)
    wait_until(lambda: log.text("out").count("\n") > 1000, timeout=10, what="first samples")
    log.signal(signal.SIGSTOP)
    time.sleep(5.0)
    log.signal(signal.SIGCONT)
    wait_until(lambda: log.text("out").count("\n") >= n, timeout=60,
               what=f"all {n} samples at the durable logger")
    check(sim.stop() == 0, "simulator exits 0")
    check(log.stop() == 0, "durable logger exits 0")
    got = seqs_of(log, "A-01")
    distinct = {s for s, _ in got}
    check(distinct == set(range(1, n + 1)), f"every seq 1..{n} delivered ({len(distinct)} distinct)")
    check(len(got) == n, f"no duplicates delivered ({len(got)} lines)")
    replayed = sum(1 for _, r in got if r)
    check(replayed > 0, f"{replayed} samples were recovered from the journal, marked replayed")
    rec, lost = summary(log)
    check(rec == replayed and lost == 0, f"logger counts {rec} recovered, {lost} lost for good")
    suite.broker.stop()

    # 2. The broker dies mid-stream and comes back on the same ports.
    suite = Suite()
    suite.start_broker()
    log = suite.start("durable2", "rigstream-logger", ["--json", "--durable", "--topics", "telemetry."])
    log.wait_for("ready", timeout=10)
    n = 4000
    sim = suite.start("sim2", "rigstream-sim", ["--wells", "2", "--rate", "500", "--count", str(n),
                                                "--seed", "4"])
    sim.wait_for("publishing", timeout=10)
    wait_until(lambda: len(seqs_of(log, "A-01")) > 500, timeout=20, what="samples before the crash")
    suite.broker.kill()
    # Let the simulator publish into the void for a while (about 500 samples).
    time.sleep(1.0)
    suite.start_broker(name="broker-again")
    wait_until(lambda: sim.p.poll() is not None, timeout=60, what="the simulator to finish")
    for well in ("A-01", "A-02"):
        wait_until(lambda: len({s for s, _ in seqs_of(log, well)}) >= n, timeout=30,
                   what=f"all {n} samples of {well} after the broker restart")
        got = seqs_of(log, well)
        check({s for s, _ in got} == set(range(1, n + 1)) and len(got) == n,
              f"{well}: every seq 1..{n} exactly once across the broker restart "
              f"({sum(1 for _, r in got if r)} recovered)")
    check(log.stop() == 0, "durable logger exits 0")
    suite.broker.stop()
    print("test_durable: all checks passed")


if __name__ == "__main__":
    main()
