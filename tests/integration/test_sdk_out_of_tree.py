"""The SDK as someone outside the tree uses it: installs it into a fresh
prefix (cmake --install --component dev), takes docs/WRITING_A_SUBSCRIBER.md's
own code blocks as the program and its own build line (pkg-config, with
PKG_CONFIG_PATH pointing into the prefix), builds it there, and runs it
against a real broker and the simulator with a kick: it must report the pit
gain, travel in the broker's status with its own counter, and stop with the
SDK's "stopped:" line. A bad CURVE key must be refused (exit 2), not run in
plaintext."""
import os
import re
import shutil
import subprocess

import rigtest
from rigtest import check, fail, Proc, Suite


def main():
    args = rigtest.setup()
    for tool in ("cmake", "pkg-config", "cc"):
        if not shutil.which(tool):
            print(f"SKIP: {tool} not found")
            raise SystemExit(77)
    with open(os.path.join(args.build_dir, "CMakeCache.txt")) as f:
        if re.search(r"^RS_(SANITIZE|FUZZ):BOOL=ON$", f.read(), re.M):
            print("SKIP: an instrumented library links only with its sanitizer runtime (the plain build tests this)")
            raise SystemExit(77)
    prefix = os.path.join(args.tmp, "prefix")
    work = os.path.join(args.tmp, "elsewhere")
    os.makedirs(work)
    r = subprocess.run(["cmake", "--install", os.path.abspath(args.build_dir), "--prefix", prefix,
                        "--component", "dev"], capture_output=True, text=True)
    check(r.returncode == 0, f"cmake --install --component dev into {prefix}: {r.stderr.strip()[-300:]}")
    pcdir = [d for d, _, files in os.walk(prefix) if "rigstream.pc" in files]
    check(len(pcdir) == 1, f"rigstream.pc installed: {pcdir}")
    libdir = os.path.dirname(pcdir[0])
    check(os.path.exists(os.path.join(prefix, "include", "rigstream", "rs_sub.h")), "public headers installed")
    check(not os.path.exists(os.path.join(prefix, "include", "rigstream", "rs_repair.h")),
          "the library's own headers are not")

    with open(os.path.join(args.source_dir, "docs", "WRITING_A_SUBSCRIBER.md")) as f:
        doc = f.read()
    code = "\n".join(re.findall(r"```c\n(.*?)```", doc, re.S))
    check("int\nmain (int argc" in code, "the document's code blocks make a program")
    with open(os.path.join(work, "pit_watch.c"), "w") as f:
        f.write(code)
    lines = [l for block in re.findall(r"```sh\n(.*?)```", doc, re.S) for l in block.splitlines()
             if "pkg-config --cflags --libs rigstream" in l]
    check(len(lines) == 1, f"the document gives one build line: {lines}")
    env = dict(os.environ, PKG_CONFIG_PATH=pcdir[0])
    r = subprocess.run(["sh", "-ec", lines[0] + " -Werror -Wextra"], cwd=work, env=env, capture_output=True,
                       text=True)
    if r.returncode != 0:
        fail(f"the documented build line failed:\n{r.stdout}{r.stderr}")
    exe = os.path.join(work, "pit_watch")
    check(os.access(exe, os.X_OK), "built out of tree, against the installed prefix only")
    run_env = {"LD_LIBRARY_PATH": libdir}

    bad = Proc("badkey", [exe, "--curve-server-key", "not-a-key"], dict(os.environ, **run_env))
    check(bad.p.wait(10) == 2, f"a bad CURVE key is refused with exit 2: {bad.text().strip()[-200:]}")

    suite = Suite()
    suite.start_broker()
    ex = Proc("pit_watch", [exe, "--threshold", "0.5"], dict(os.environ, **suite.env, **run_env))
    ex.wait_for("ready", timeout=10)
    sim = suite.start("sim", "rigstream-sim", ["--wells", "1", "--rate", "10", "--speed", "100",
                                               "--events", "kick@60:900", "--seed", "5"])
    m = ex.wait_for(r"(\S+): pit gained ([\d.]+) m3", timeout=60, which="out")
    check(float(m.group(2)) > 0.5, f"the out-of-tree subscriber reported the kick: {m.group(0)}")
    status = rigtest.wait_until(lambda: (lambda s: s if s and '"pit_watch"' in s else None)(
        suite.control("STATUS")), timeout=10, what="pit_watch heartbeat in broker status")
    check('"checked"' in status, "its own counter travels in its heartbeat")
    for p in (sim, ex):
        check(p.stop() == 0, f"{p.name} exits 0 on SIGTERM")
    check(re.search(r"stopped: \d+ samples checked; \d+ received", ex.text()) is not None,
          "it ends with the SDK's stopped: line")
    suite.broker.stop()
    print("test_sdk_out_of_tree: all checks passed")


if __name__ == "__main__":
    main()
