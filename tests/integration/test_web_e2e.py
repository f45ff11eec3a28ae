"""The dashboard end to end in Debian's headless chromium (playwright-core
from tests/web/package-lock.json, installed into the build tree): broker,
simulator, saver, prediction engine and rigstream-web as real processes; tests/web/e2e.mjs
drives the page. Screenshots go to <build>/tests/web/screenshots.

A fast well (K-01, 30 times real time) has recorded more than the live window before the page opens, so the
back-fill on load shows; a fourth well (T-01, its own simulator) is stopped and started again for the per-well
time-out and the gap it leaves. A fifth (Q-01, published by this test) carries a hook load, pumps and a WOB
pinned at its floor but no block position or depth: the real engine calls its rig state unknown, with the
reason, and holds the WOB suspect, and the page must say both as the engine published them.

Skips (exit 77, ctest SKIP_RETURN_CODE) with a message when /usr/bin/chromium,
node or npm is missing: Debian packages chromium, nodejs, npm.
"""
import os
import random
import shutil
import subprocess
import sys
import threading

import rigtest
from rigtest import check, free_port, Suite
from rigtest import wait_until
from webtest import Publisher, get_json, start_web, wait_history

SKIP = 77


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(SKIP)


def npm_install(src, dst):
    """tests/web's packages into dst (npm ci when the lock file changed)."""
    os.makedirs(dst, exist_ok=True)
    lock_src = os.path.join(src, "package-lock.json")
    lock_dst = os.path.join(dst, "package-lock.json")
    fresh = (os.path.exists(os.path.join(dst, "node_modules", "playwright-core", "package.json"))
             and os.path.exists(lock_dst) and open(lock_src, "rb").read() == open(lock_dst, "rb").read())
    for name in ("package.json", "package-lock.json", "browser.mjs", "e2e.mjs", "auth.mjs"):
        shutil.copy(os.path.join(src, name), os.path.join(dst, name))
    if fresh:
        return
    r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=dst,
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        rigtest.fail(f"npm ci in {dst} failed:\n{r.stdout}\n{r.stderr}")


def publish_q01(suite, stop):
    """Q-01 at 2 Hz until `stop` is set: a string hanging off bottom with the pumps on (hook load and pump
    pressure moving as live readings do), the WOB stuck at -89.0 kN, no block position or depths."""
    pub = Publisher(suite, pub_id="testq")
    rng = random.Random(11)
    while not stop.is_set():
        pub.send("telemetry", "Q-01", {"ch": {"hook_load": 900 + rng.gauss(0, 4), "wob": -89.0,
                                              "spp": 150 + rng.gauss(0, 1), "flow_in": 2000 + rng.gauss(0, 5)}})
        stop.wait(0.5)
    pub.close()


def browser_tests(args):
    """The browser tests' directory in the build tree, ready to run node in; skips
    without chromium, node or npm."""
    if not os.access("/usr/bin/chromium", os.X_OK):
        skip("/usr/bin/chromium is missing (Debian package chromium)")
    for tool in ("node", "npm"):
        if not shutil.which(tool):
            skip(f"{tool} is missing (Debian packages nodejs and npm)")
    work = os.path.join(os.path.abspath(args.build_dir), "tests", "web")
    npm_install(os.path.join(args.source_dir, "tests", "web"), work)
    return work


def main():
    args = rigtest.setup()
    work = browser_tests(args)
    shots = os.path.join(work, "screenshots")
    os.makedirs(shots, exist_ok=True)

    suite = Suite()
    suite.start_broker()
    db = os.path.join(args.tmp, "rigstream.db")
    sim = suite.start("sim", "rigstream-sim", ["--wells", "2", "--rate", "2", "--seed", "3"])
    sim.wait_for(r"publishing", timeout=10)
    # A third well on a fast clock with a kick (as in test_engine.py): the engine's kick alert for the page,
    # still raised when the page looks for it (the detector needs a minute or two of excess returns).
    kick = suite.start("sim-kick", "rigstream-sim", ["--well-ids", "K-01", "--publisher-id", "simk",
                                                      "--events", "kick@300:3600", "--speed", "30", "--rate", "10",
                                                      "--seed", "5"])
    kick.wait_for(r"publishing", timeout=10)
    # The well the test silences: its own publisher, stopped and started again (STOP-WELL / START-WELL).
    t_args = ["--well-ids", "T-01", "--publisher-id", "simt", "--rate", "2", "--seed", "7"]
    quiet = suite.start("sim-t", "rigstream-sim", t_args)
    quiet.wait_for(r"publishing", timeout=10)
    saver = suite.start("saver", "rigstream-saver", [], {"DATABASE_PATH": db})
    engine_port = free_port()
    engine = suite.start("engine", "rigstream-engine", [], {"ENGINE_CONTROL_PORT": str(engine_port)})
    engine.wait_for(r"ready", timeout=10)
    web, port = start_web(suite, db=db, engine_port=engine_port)
    wait_history(port, "A-01")

    # Enough recorded before the page opens: K-01 more than the 10-minute window (its clock runs 30 times
    # faster), A-01 at least 15 s, so that only a back-fill can draw them right after the page loads.
    def recorded_s(well):
        hist = next((w.get("history") or {} for w in get_json(port, "/api/wells")[1]["wells"]
                     if w["well"] == well), {})
        return ((hist.get("last_ts") or 0) - (hist.get("first_ts") or 0)) / 1e6
    wait_until(lambda: recorded_s("K-01") >= 660 and recorded_s("A-01") >= 15, timeout=60,
               what="K-01 recorded over 11 min, A-01 over 15 s")
    stop_q = threading.Event()
    q01 = threading.Thread(target=publish_q01, args=(suite, stop_q), daemon=True)
    q01.start()
    pub = Publisher(suite)
    # An id no engine reaches during the test: alert ids are only unique per publisher.
    pub.alert("A-01", 9001, "raised", message="Pit gain 2.5 m3 over 5 min")

    env = dict(os.environ, RS_URL=f"http://127.0.0.1:{port}/", RS_SHOTS=shots,
               RS_PROFILE=os.path.join(args.tmp, "chromium-profile"), RS_ALERT_ID="9001")
    node = subprocess.Popen(["node", os.path.join(work, "e2e.mjs")], cwd=work, env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    restarted = None
    try:
        for line in node.stdout:
            line = line.rstrip("\n")
            print(line)
            if line == "STOP-WEB":
                check(web.stop() == 0, "bridge stopped for the reconnect check")
                node.stdin.write("stopped\n")
                node.stdin.flush()
            elif line == "STOP-WELL":
                check(quiet.stop() == 0, "T-01's publisher stopped for the time-out check")
                node.stdin.write("stopped\n")
                node.stdin.flush()
            elif line == "START-WELL":
                quiet = suite.start("sim-t2", "rigstream-sim", t_args)
                quiet.wait_for(r"publishing", timeout=10)
                node.stdin.write("started\n")
                node.stdin.flush()
            elif line == "START-WEB":
                restarted = suite.start("web2", "rigstream-web", [],
                                        {"WEB_PORT": str(port), "DATABASE_PATH": db,
                                         "ENGINE_CONTROL_PORT": str(engine_port)})
                restarted.wait_for(r"ready: http://", timeout=10)
                node.stdin.write("started\n")
                node.stdin.flush()
        rc = node.wait(timeout=120)
    except subprocess.TimeoutExpired:
        node.kill()
        rigtest.fail("the browser test hung")
    check(rc == 0, f"e2e.mjs passed in headless chromium (screenshots in {shots})")
    stop_q.set()
    q01.join(timeout=5)
    pub.close()
    for p in (restarted, engine, saver, quiet, kick, sim):
        if p:
            check(p.stop() == 0, f"{p.name} exits 0 on SIGTERM")
    suite.broker.stop()
    print("test_web_e2e: all checks passed")


if __name__ == "__main__":
    main()
