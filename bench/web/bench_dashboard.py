"""Dashboard benchmark: a recorder database seeded with 24 h of 1 Hz data for
12 channels (seed_db, through the saver's rs_store), broker, simulator
streaming the same well live at 10 Hz, rigstream-web; dashboard.mjs measures
the page in headless chromium. Run by bench/web/run.sh; usage:
  bench_dashboard.py --build-dir B --node-dir D   (D: playwright-core installed)
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
import rigtest  # noqa: E402
from rigtest import Suite, free_port  # noqa: E402

WELL = "B-01"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--node-dir", required=True)
    ap.add_argument("--hours", type=float, default=24)
    args = ap.parse_args()
    build = os.path.abspath(args.build_dir)
    rigtest.ARGS = types.SimpleNamespace(bin=os.path.join(build, "bin"), tmp=tempfile.mkdtemp(prefix="bench-dash-"))
    db = os.path.join(rigtest.ARGS.tmp, "seed.db")
    subprocess.run([os.path.join(build, "bin", "seed_db"), db, str(args.hours), WELL], check=True)

    suite = Suite({"HEARTBEAT_MS": "1000"})
    suite.start_broker()
    sim = suite.start("sim", "rigstream-sim", ["--well-ids", WELL, "--rate", "10", "--seed", "9"])
    sim.wait_for(r"publishing", timeout=15)
    port = free_port()
    web = suite.start("web", "rigstream-web", [], {
        "WEB_PORT": str(port), "DATABASE_PATH": db, "ENGINE_CONTROL_PORT": str(free_port())})
    web.wait_for(r"ready: http://", timeout=15)
    node_dir = os.path.abspath(args.node_dir)
    script = os.path.join(node_dir, "dashboard.mjs")
    shutil.copy(os.path.join(HERE, "dashboard.mjs"), script)
    r = subprocess.run(["node", script], cwd=node_dir, timeout=300,
                       env=dict(os.environ, RS_URL=f"http://127.0.0.1:{port}/", RS_WELL=WELL))
    for p in (web, sim):
        p.stop()
    suite.broker.stop()
    shutil.rmtree(rigtest.ARGS.tmp, ignore_errors=True)
    return r.returncode


if __name__ == "__main__":
    sys.exit(main())
