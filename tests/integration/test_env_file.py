"""Where the programs and the scripts find their settings file, with real
processes: RIGSTREAM_ENV_FILE, then ./.env, then the checkout's .env, then
/etc/rigstream/rigstream.env, each level shadowing the next whole, and the
INFO line naming the file used (or that there was none).

The programs' checkout and installation levels are compiled in; here they are
stood in for by RIGSTREAM_ENV_SEARCH (which replaces exactly those two), and
the compiled-in defaults are read from the "looked for" line, for a program
run from the build tree and for a copy run from elsewhere. The scripts' checkout
level is tested for real, with scripts/lib.sh copied into a checkout made here.
Each file sets BROKER_CONTROL_PORT to a port of its own; rigstream-ctl names
the port it asked, and one answers (a broker on it)."""
import os
import shutil
import subprocess

import rigtest
from rigtest import Proc, Suite, binary, check, free_ports


def write(path, port, more=""):
    with open(path, "w") as f:
        f.write(f"# test settings\nBROKER_CONTROL_PORT={port}\n{more}")
    return path


def ctl(cwd, env, exe=None):
    """rigstream-ctl PING from cwd with env: (rc, stdout, stderr)."""
    p = subprocess.run([exe or binary("rigstream-ctl"), "--timeout-ms", "300", "PING"], cwd=cwd, env=env,
                       capture_output=True, text=True, timeout=20)
    return p.returncode, p.stdout, p.stderr


def main():
    rigtest.setup()
    tmp = rigtest.ARGS.tmp
    src = rigtest.ARGS.source_dir
    work = os.path.join(tmp, "work")
    os.makedirs(work)
    named_port, cwd_port, checkout_port, install_port = free_ports(4)

    suite = Suite()
    suite.start_broker()
    live = suite.ctl            # the one port where a broker answers

    named = write(os.path.join(tmp, "named.env"), named_port)
    cwd_env = os.path.join(work, ".env")
    checkout = os.path.join(tmp, "checkout.env")
    install = os.path.join(tmp, "install.env")
    base = {k: v for k, v in os.environ.items() if k not in ("RIGSTREAM_ENV_FILE", "BROKER_CONTROL_PORT")}
    base["RIGSTREAM_ENV_SEARCH"] = f"{checkout}:{install}"

    def asked(err):
        """The port ctl asked and got no answer from."""
        return int(err.split("no answer from tcp://", 1)[1].split()[0].rsplit(":", 1)[1]) \
            if "no answer from" in err else None

    # Where the default port would be asked, an address nobody answers on
    # (TEST-NET-1): a suite on the default ports must not answer for it.
    nowhere = dict(base, BROKER_HOST="192.0.2.1")

    # Level 4 alone.
    write(install, install_port)
    rc, out, err = ctl(work, base)
    check(rc == 1 and asked(err) == install_port and f"INFO  ctl: settings from {install} (RIGSTREAM_ENV_SEARCH)"
          in err, f"only the installation's file: it is read and named ({err.strip()})")
    # Level 3 shadows 4 (and a broker answers on its port).
    write(checkout, live)
    rc, out, err = ctl(work, base)
    check(rc == 0 and out.strip() == "PONG" and f"settings from {checkout} (RIGSTREAM_ENV_SEARCH)" in err,
          f"the checkout's file shadows the installation's: ctl reached the broker on its port ({out} {err})")
    # Level 2 shadows 3.
    write(cwd_env, cwd_port)
    rc, out, err = ctl(work, base)
    check(rc == 1 and asked(err) == cwd_port and "settings from .env (the current directory)" in err,
          f"./.env shadows the checkout's ({err.strip()})")
    # Level 1 shadows 2.
    rc, out, err = ctl(work, dict(base, RIGSTREAM_ENV_FILE=named))
    check(rc == 1 and asked(err) == named_port and f"settings from {named} (RIGSTREAM_ENV_FILE)" in err,
          f"RIGSTREAM_ENV_FILE shadows ./.env ({err.strip()})")
    # /dev/null: none, with every other file present.
    rc, out, err = ctl(work, dict(nowhere, RIGSTREAM_ENV_FILE=os.devnull))
    check(rc == 1 and asked(err) == 5557 and "no settings file (RIGSTREAM_ENV_FILE=/dev/null)" in err,
          f"RIGSTREAM_ENV_FILE=/dev/null stops the search: the default port ({err.strip()})")
    # One file is read, never a mix: ./.env's LOG_LEVEL does not come from the checkout's.
    write(checkout, live, "LOG_LEVEL=warn\n")
    rc, out, err = ctl(work, base)
    check("settings from .env" in err, "a level is read whole or not at all (LOG_LEVEL from a shadowed file unused)")
    # None at all.
    for f in (cwd_env, checkout, install):
        os.unlink(f)
    rc, out, err = ctl(work, nowhere)
    check(rc == 1 and asked(err) == 5557 and f"no settings file (looked for ./.env, {checkout}, {install})" in err,
          f"no file: said so, with what was looked for ({err.strip()})")
    # The compiled-in defaults: from the build tree, the checkout's .env then the installation's...
    plain = {k: v for k, v in nowhere.items() if k != "RIGSTREAM_ENV_SEARCH"}
    rc, out, err = ctl(work, plain)
    mine = os.path.join(src, ".env")
    if os.path.exists(mine):
        check(f"settings from {mine} (the checkout)" in err, f"the checkout's own .env is read ({err.strip()})")
    else:
        check(f"no settings file (looked for ./.env, {mine}, /etc/rigstream/rigstream.env)" in err
              or os.path.exists("/etc/rigstream/rigstream.env"),
              f"from the build tree: ./.env, {mine}, then /etc/rigstream/rigstream.env ({err.strip()})")
    # ...and a copy elsewhere (an installed program) does not look at the checkout.
    copy = os.path.join(tmp, "rigstream-ctl")
    shutil.copy(binary("rigstream-ctl"), copy)
    rc, out, err = ctl(work, plain, exe=copy)
    check("(looked for ./.env, /etc/rigstream/rigstream.env)" in err or "/etc/rigstream/rigstream.env (the "
          "installation)" in err, f"an installed copy looks only at ./.env and /etc/rigstream ({err.strip()})")

    # The scripts: scripts/lib.sh in a checkout of its own, sourced from another directory.
    co = os.path.join(tmp, "checkout")
    os.makedirs(os.path.join(co, "scripts"))
    shutil.copy(os.path.join(src, "scripts", "lib.sh"), os.path.join(co, "scripts", "lib.sh"))
    show = ('. "$1/scripts/lib.sh" && printf "%s|%s|%s\\n" "$RS_ENV_USED" "$RIGSTREAM_ENV_FILE" '
            '"${BROKER_CONTROL_PORT:-}"')
    senv = {k: v for k, v in plain.items() if k not in ("BROKER_CONTROL_PORT",)}

    def lib(env):
        p = subprocess.run(["bash", "-c", show, "lib", co], cwd=work, env=env, capture_output=True, text=True,
                           timeout=20)
        return p.stdout.strip().split("|") if p.returncode == 0 else ["exit", str(p.returncode), p.stderr]

    co_env = write(os.path.join(co, ".env"), checkout_port)
    sys_env = "/etc/rigstream/rigstream.env"
    got = lib(senv)
    check(got == [co_env, co_env, str(checkout_port)],
          f"scripts: the checkout's .env (next to the scripts) when there is no ./.env: {got}")
    write(cwd_env, cwd_port)
    got = lib(senv)
    check(got == [os.path.join(work, ".env"), os.path.join(work, ".env"), str(cwd_port)],
          f"scripts: the caller's ./.env shadows the checkout's, and is passed on as RIGSTREAM_ENV_FILE: {got}")
    got = lib(dict(senv, RIGSTREAM_ENV_FILE=named))
    check(got == [named, named, str(named_port)], f"scripts: RIGSTREAM_ENV_FILE shadows ./.env: {got}")
    got = lib(dict(senv, RIGSTREAM_ENV_FILE=os.devnull))
    check(got == [os.devnull, os.devnull, ""], f"scripts: /dev/null is no file at all: {got}")
    os.unlink(cwd_env)
    os.unlink(co_env)
    got = lib(dict(senv, RIGSTREAM_ENV_SEARCH=install))
    check(got == ["none", os.devnull, ""], f"scripts: none found, the programs are told so (/dev/null): {got}")
    write(install, install_port)
    got = lib(dict(senv, RIGSTREAM_ENV_SEARCH=install))
    check(got == [install, install, str(install_port)], f"scripts: RIGSTREAM_ENV_SEARCH as for the programs: {got}")
    if not os.path.exists(sys_env):
        got = lib(senv)
        check(got == ["none", os.devnull, ""], f"scripts: by default, the checkout's .env then {sys_env}: {got}")

    # What the scripts pass on is what a program reads, whatever its directory.
    write(cwd_env, cwd_port)
    p = subprocess.run(["bash", "-c", '. "$1/scripts/lib.sh" && "$2" --timeout-ms 300 PING', "lib", co,
                        binary("rigstream-ctl")], cwd=work, env=senv, capture_output=True, text=True, timeout=20)
    check(asked(p.stderr) == cwd_port
          and f"settings from {cwd_env} (RIGSTREAM_ENV_FILE)" in p.stderr,
          f"a program started by a script (in the checkout) reads the file the script found ({p.stderr.strip()})")

    suite.broker.stop()
    print("test_env_file: all checks passed")


if __name__ == "__main__":
    main()
