"""The documented example subscriber: built, run against the real broker and
simulator with an injected kick, it reports the pit gain; bad options are
refused with a message and exit status 2."""
import re

import rigtest
from rigtest import check, Proc, Suite, binary


def main():
    rigtest.setup()
    bad = Proc("bad", [binary("example_subscriber"), "--threshold", "0"])
    rc = bad.p.wait(10)
    check(rc == 2 and "threshold" in bad.text(), f"bad threshold refused with exit 2: {bad.text().strip()}")

    suite = Suite()
    suite.start_broker()
    ex = suite.start("example", "example_subscriber", ["--threshold", "0.5"])
    ex.wait_for("ready", timeout=10)
    # A kick 60 simulated seconds in, at 100x: the pit gains well over 0.5 m3.
    sim = suite.start("sim", "rigstream-sim", ["--wells", "1", "--rate", "10", "--speed", "100",
                                               "--events", "kick@60:900", "--seed", "5"])
    sim.wait_for("publishing", timeout=10)
    m = ex.wait_for(r"(\S+): pit gained ([\d.]+) m3", timeout=60, which="out")
    check(float(m.group(2)) > 0.5, f"example subscriber reported the kick's pit gain: {m.group(0)}")
    status = rigtest.wait_until(lambda: (lambda s: s if s and '"pit_watch"' in s else None)(
        suite.control("STATUS")), timeout=10, what="pit_watch heartbeat in broker status")
    check('"checked"' in status, "its own counter travels in its heartbeat")
    for p in (sim, ex):
        check(p.stop() == 0, f"{p.name} exits 0 on SIGTERM")
    check(re.search(r"stopped: \d+ samples checked; \d+ received", ex.text()) is not None, "it reports on exit")
    suite.broker.stop()
    print("test_example_subscriber: all checks passed")


if __name__ == "__main__":
    main()
