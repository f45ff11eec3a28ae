"""packaging/rigstream, the crew's command, from a source checkout: status
runs scripts/monitor against a real broker (exit 0, then 1 once a component
is down), export runs rigstream-db on a database the real saver filled (the
`export` command implied), version and help answer, and bad commands or
component names exit 2 with a message. Its systemd side is exercised by the
package test (tests/package/)."""
import json
import os
import signal
import subprocess

import rigtest
from rigtest import check, Suite, wait_until


def rs(args, *argv, mode="source", env=None):
    e = dict(os.environ, RIGSTREAM_ENV_FILE=os.devnull, RIGSTREAM_MODE=mode,
             RIGSTREAM_BUILD_DIR=os.path.abspath(args.build_dir), RIGSTREAM_NO_BUILD="1")
    e.update(env or {})
    r = subprocess.run([os.path.join(args.source_dir, "packaging", "rigstream"), *argv], stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=60, env=e)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def main():
    args = rigtest.setup()
    rc, out, err = rs(args, "help")
    check(rc == 0 and "status" in out and "export" in out, "rigstream help lists the commands")
    rc, out, err = rs(args, "version")
    check(rc == 0 and out.startswith("rigstream ") and "source checkout" in out, f"rigstream version: {out.strip()}")
    rc, out, err = rs(args, "frobnicate")
    check(rc == 2 and "unknown command frobnicate" in err, "an unknown command exits 2 and says so")
    rc, out, err = rs(args)
    check(rc == 2 and "Usage" in err, "no command prints the usage and exits 2")
    rc, out, err = rs(args, "start", "saver")
    check(rc == 2 and "whole suite" in err, "from a checkout, start with a component exits 2 and says why")
    rc, out, err = rs(args, "logs", "no-such-component", mode="systemd")
    check(rc == 2 and "no such component" in err, "systemd mode: an unknown component exits 2")
    rc, out, err = rs(args, "stop", "bad/name", mode="systemd")
    check(rc == 2 and "not a component name" in err, f"systemd mode: a bad component name is refused: {err.strip()}")

    suite = Suite()
    suite.start_broker()
    db = os.path.join(args.tmp, "cmd.db")
    saver = suite.start("saver", "rigstream-saver", ["--db", db])
    saver.wait_for(r"ready", timeout=15)
    sim = suite.start("sim", "rigstream-sim", ["--rate", "20", "--speed", "1"])
    env = {k: v for k, v in suite.env.items()}
    rc, out, err = wait_until(lambda: (lambda r: r if r[0] == 0 and "db_saver" in r[1] and "simulator" in r[1]
                                       else None)(rs(args, "status", "--json", env=env)),
                              timeout=20, what="rigstream status with saver and simulator up")
    comps = json.loads(out).get("components", {})
    check(all(comps.get(c, {}).get("up") for c in ("broker", "db_saver", "simulator")),
          "rigstream status runs the monitor and exits 0 when all are up")

    wait_until(lambda: (lambda r: r[0] == 0 and r[1].count("\n") >= 6)(
        rs(args, "export", "--db", db, "--well", "A-01", "--channels", "rop")),
        timeout=20, what="rows in the saver's database")
    rc, out, err = rs(args, "export", "--db", db, "--well", "A-01", "--channels", "rop")
    lines = out.strip().splitlines()
    check(rc == 0 and lines[0] == "time,ts_us,pub,seq,rop" and len(lines) >= 6,
          f"rigstream export (export implied) prints the well's CSV ({len(lines) - 1} rows)")
    rc, out, err = rs(args, "export", "wells", "--db", db)
    check(rc == 0 and "A-01" in out, "rigstream export wells passes the command through")

    sim.signal(signal.SIGKILL)
    sim.kill()
    wait_until(lambda: rs(args, "status", env=env)[0] == 1, timeout=30,
               what="rigstream status exiting 1 once the simulator is down")
    check(True, "rigstream status exits 1 when a component is down")
    suite.stop_all()


if __name__ == "__main__":
    main()
