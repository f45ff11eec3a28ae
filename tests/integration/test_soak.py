"""Short soak: bench/soak/soak.py for 45 s at 1 kHz through the whole
supervised suite (broker, saver, simulator, logger, engine, web bridge with
one WebSocket client): open descriptors of every component, and the RSS of
those whose buffers are full after the warm-up, must stay flat; nothing is
lost, nothing restarted, the logs stay within their rotation bound. The
long run is `bench/soak/soak.py --minutes 60` (docs/OPERATIONS.md)."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rigtest  # noqa: E402
from rigtest import check  # noqa: E402

args = rigtest.setup()
soak = os.path.join(args.source_dir, "bench", "soak", "soak.py")
argv = [sys.executable, soak, "--build-dir", os.path.abspath(args.build_dir), "--source-dir", args.source_dir,
        "--seconds", "45", "--warmup", "20", "--interval", "2"]
# Under ASan the quarantine of freed memory grows by design: judge descriptors only.
with open(os.path.join(args.build_dir, "CMakeCache.txt")) as f:
    if re.search(r"^RS_SANITIZE:BOOL=ON$", f.read(), re.M):
        argv.append("--no-rss")
r = subprocess.run(argv, stdin=subprocess.DEVNULL, timeout=150)
check(r.returncode == 0, f"the short soak passes (exit {r.returncode})")
print("PASS")
