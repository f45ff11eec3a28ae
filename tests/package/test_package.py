"""The Debian package and the offline bundle, installed on a brand-new Debian 12.

Builds the package (cmake --build --target package) and the bundle
(packaging/make-bundle.sh), runs lintian (no errors), then in a fresh minimal
Debian 12 root (mmdebstrap --variant=minbase, cached in /var/tmp) with the
network cut (unshare -n):

- installs the bundle with its install.sh: the system user, the state
  directory, the conffile and the enabled units are there, and the units pass
  systemd-analyze verify;
- starts broker, saver, simulator, engine and web bridge as the units would
  (user rigstream, RIGSTREAM_ENV_FILE=/etc/rigstream/rigstream.env, working
  directory /var/lib/rigstream; systemd itself cannot run in a chroot) and
  sees live rows in the database, /api/health ok and `rigstream status` 0;
- removes the package (the data stays) and purges it (the data goes, and
  postrm says so);
- installs the previous version's package (built from the previous commit,
  RS_PKG_PREVIOUS_REF, with this packaging/ added if that commit has none),
  fills its database, upgrades to this one with the bundle's install.sh and a
  local change in the conffile, and checks the old rows, the change and the
  schema after the upgraded saver has run.

Root only; skipped (77) without root, unshare, chroot, mmdebstrap or lintian.
The previous version's package is cached by commit in /var/tmp/rigstream-pkg.
"""
import atexit
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import rigtest  # noqa: E402
from rigtest import check, fail, free_ports, wait_until, Proc  # noqa: E402

CACHE = "/var/tmp/rigstream-pkg"
MINBASE = os.path.join(CACHE, "minbase.tar")
DEFAULT_UNITS = ["rigstream-broker", "rigstream-saver", "rigstream-engine", "rigstream-web", "rigstream-sim"]
T0 = time.monotonic()


def skip(msg):
    print(f"SKIP: {msg}")
    sys.exit(77)


def log(msg):
    print(f"[{time.monotonic() - T0:6.1f} s] {msg}", flush=True)


def run(argv, timeout=300, ok=True, **kw):
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=timeout, **kw)
    out = r.stdout.decode("utf-8", "replace")
    if ok and r.returncode != 0:
        fail(f"{' '.join(argv)} exited {r.returncode}:\n{out[-4000:]}")
    return r.returncode, out


class Root:
    """A fresh Debian 12 minbase root; commands in it run with the network cut."""

    def __init__(self, path):
        self.path = path
        os.makedirs(path)
        run(["tar", "-xf", MINBASE, "-C", path])
        atexit.register(self.destroy)

    def p(self, rel):
        return os.path.join(self.path, rel.lstrip("/"))

    def sh(self, script, ok=True, timeout=120, net=False):
        """Runs script with /bin/sh inside the root, in a new network namespace
        with no interface up (net=True: this machine's, to reach the components)."""
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "DEBIAN_FRONTEND": "noninteractive"}
        argv = ([] if net else ["unshare", "-n"]) + ["chroot", self.path, "/bin/sh", "-ec", script]
        return run(argv, ok=ok, timeout=timeout, env=env)

    def uid(self, user):
        with open(self.p("/etc/passwd")) as f:
            for line in f:
                f_ = line.split(":")
                if f_[0] == user:
                    return int(f_[2]), int(f_[3])
        return None

    def start(self, name, program):
        """A component as its unit runs it: user rigstream, the env file, cwd /var/lib/rigstream."""
        uid, gid = self.uid("rigstream")
        argv = ["chroot", f"--userspec={uid}:{gid}", self.path, "/usr/bin/env", "-i",
                "PATH=/usr/bin:/bin", "RIGSTREAM_ENV_FILE=/etc/rigstream/rigstream.env",
                "/bin/sh", "-c", 'cd /var/lib/rigstream && umask 027 && exec "$0"', f"/usr/bin/{program}"]
        return Proc(name, argv)

    def processes(self):
        pids = []
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    if os.readlink(f"/proc/{d}/root") == self.path:
                        pids.append(int(d))
                except OSError:
                    pass
        return pids

    def destroy(self):
        for pid in self.processes():
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        shutil.rmtree(self.path, ignore_errors=True)


def set_env(root, values):
    """Edits settings in the root's /etc/rigstream/rigstream.env (as an admin would)."""
    path = root.p("/etc/rigstream/rigstream.env")
    with open(path) as f:
        text = f.read()
    for k, v in values.items():
        text, n = re.subn(rf"(?m)^#?{k}=.*$", f"{k}={v}", text)
        if n == 0:
            text += f"\n{k}={v}\n"
    with open(path, "w") as f:
        f.write(text)


def db_state(root):
    """(rows in samples, user_version) of the installed database, read-only."""
    path = root.p("/var/lib/rigstream/rigstream.db")
    if not os.path.exists(path):
        return 0, 0
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            n = con.execute("SELECT count(*) FROM samples").fetchone()[0]
            v = con.execute("PRAGMA user_version").fetchone()[0]
            return n, v
        finally:
            con.close()
    except sqlite3.Error:
        return 0, 0


def health(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as r:
            return json.loads(r.read())
    except (OSError, ValueError):
        return None


def run_suite(root, tag, web=True):
    """Starts the default components on free ports (written to the env file);
    returns (procs, web port)."""
    fp, bp, cp, ep, wp = free_ports(5)
    set_env(root, {"BROKER_FRONTEND_PORT": fp, "BROKER_BACKEND_PORT": bp, "BROKER_CONTROL_PORT": cp,
                   "ENGINE_CONTROL_PORT": ep, "WEB_PORT": wp})
    procs = [root.start(f"{tag}-broker", "rigstream-broker")]
    procs[0].wait_for(r"ready", timeout=15)
    names = ["rigstream-saver", "rigstream-sim"] + (["rigstream-engine", "rigstream-web"] if web else [])
    for prog in names:
        procs.append(root.start(f"{tag}-{prog}", prog))
    return procs, wp


def stop_suite(procs):
    for p in reversed(procs):
        rc = p.stop(timeout=15)
        if rc != 0:
            p.dump()
            fail(f"{p.name} exited {rc} on SIGTERM")


def package_version(source_dir, ref):
    """The version cpack_version.cmake gives commit `ref` (see packaging/)."""
    def git(*a):
        return subprocess.run(["git", "-C", source_dir, *a], capture_output=True, text=True)
    cm = git("show", f"{ref}:CMakeLists.txt").stdout
    m = re.search(r"project\(rigstream VERSION ([0-9.]+)", cm)
    pv = m.group(1) if m else "0"
    h = git("rev-parse", "--short=8", ref).stdout.strip()
    d = git("describe", "--tags", "--long", "--match", f"v{pv}", ref)
    m = re.search(r"-([0-9]+)-g[0-9a-f]+$", d.stdout.strip()) if d.returncode == 0 else None
    if m:
        return pv if m.group(1) == "0" else f"{pv}+git{m.group(1)}.g{h}"
    count = git("rev-list", "--count", ref).stdout.strip()
    return f"{pv}~git{count}.g{h}"


class PreviousBuild:
    """Builds the previous commit's package in the background (or takes it
    from the cache). .deb is None with .why set when there is none."""

    def __init__(self, args):
        self.deb, self.why, self.proc = None, None, None
        src = args.source_dir
        ref = os.environ.get("RS_PKG_PREVIOUS_REF", "HEAD^")
        r = subprocess.run(["git", "-C", src, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            self.why = f"no previous commit {ref} in {src} (a shallow clone?)"
            return
        self.commit = r.stdout.strip()
        self.version = package_version(src, self.commit)
        has_pkg = subprocess.run(["git", "-C", src, "cat-file", "-e", f"{self.commit}:packaging/CMakeLists.txt"],
                                 capture_output=True).returncode == 0
        key = self.commit[:12]
        if not has_pkg:
            # That commit predates packaging/: package it with this one.
            h = hashlib.sha256()
            for dirpath, dirs, files in sorted(os.walk(os.path.join(src, "packaging"))):
                dirs.sort()
                for fn in sorted(files):
                    with open(os.path.join(dirpath, fn), "rb") as f:
                        h.update(fn.encode() + f.read())
            key += "-p" + h.hexdigest()[:12]
        self.cached = os.path.join(CACHE, f"previous-{key}.deb")
        if os.path.exists(self.cached):
            self.deb = self.cached
            return
        work = os.path.join(args.tmp, "previous")
        os.makedirs(work)
        tree = os.path.join(work, "src")
        os.makedirs(tree)
        run(["sh", "-c", f'git -C "{src}" archive "{self.commit}" | tar -x -C "{tree}"'])
        if not has_pkg:
            shutil.copytree(os.path.join(src, "packaging"), os.path.join(tree, "packaging"))
            with open(os.path.join(tree, "CMakeLists.txt"), "a") as f:
                f.write("add_subdirectory(packaging)\n")
        bdir = os.path.join(work, "build")
        # Only what the package installs (the rigstream-* programs, the
        # dashboard, the changelog; no tests, benches or examples); -O0
        # to build fast: the upgrade is about files and data, not speed.
        script = f"""
set -e
cmake -S "{tree}" -B "{bdir}" -DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=Debug >"{work}/configure.log" 2>&1
have=$(cmake --build "{bdir}" --target help | sed -n 's/^\\.\\.\\. \\([^ ]*\\).*/\\1/p')
t=""
for x in $have; do case $x in rigstream-*) t="$t --target $x" ;; esac; done
cmake --build "{bdir}" -j2 $t
cd "{bdir}" && RS_PACKAGE_VERSION="{self.version}" cpack -G DEB
"""
        self.log = os.path.join(work, "build.log")
        self.bdir = bdir
        self.proc = subprocess.Popen(["sh", "-c", script], stdout=open(self.log, "wb"), stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        atexit.register(lambda: self.proc.poll() is None and self.proc.kill())

    def wait(self):
        if self.proc is None:
            return self.deb
        rc = self.proc.wait(timeout=600)
        with open(self.log, "rb") as f:
            out = f.read().decode("utf-8", "replace")
        if rc != 0:
            fail(f"building the previous version ({self.commit[:10]}) failed:\n{out[-4000:]}")
        m = re.findall(r"CPack: - package: (\S+\.deb) generated", out)
        if not m:
            fail(f"cpack did not make the previous package:\n{out[-2000:]}")
        os.makedirs(CACHE, exist_ok=True)
        shutil.copy(m[-1], self.cached + ".new")
        os.replace(self.cached + ".new", self.cached)
        shutil.rmtree(os.path.dirname(self.log), ignore_errors=True)
        self.deb = self.cached
        return self.deb


def dpkg_field(deb, field):
    return subprocess.run(["dpkg-deb", "-f", deb, field], capture_output=True, text=True).stdout.strip()


def verify_units(root, tmp):
    """systemd-analyze verify on the installed units (ExecStart pointed into the root)."""
    if not shutil.which("systemd-analyze"):
        print("note: no systemd-analyze here: units not verified")
        return
    d = os.path.join(tmp, "units")
    os.makedirs(d)
    src = root.p("/lib/systemd/system")
    units = sorted(f for f in os.listdir(src) if f.startswith("rigstream"))
    for u in units:
        with open(os.path.join(src, u)) as f:
            text = f.read()
        with open(os.path.join(d, u), "w") as f:
            f.write(text.replace("ExecStart=/usr/bin/", f"ExecStart={root.path}/usr/bin/"))
    rc, out = run(["systemd-analyze", "verify", *[os.path.join(d, u) for u in units]], ok=False)
    # The host need not know user rigstream; everything else must be clean.
    problems = [ln for ln in out.splitlines() if ln.strip() and "rigstream" in ln]
    check(rc == 0 and not problems, f"systemd-analyze verify passes on {len(units)} units: {out.strip()[:600]}")


def main():
    args = rigtest.setup()
    if os.geteuid() != 0:
        skip("needs root (a fresh Debian root, chroot, unshare -n)")
    cache = os.path.join(args.build_dir, "CMakeCache.txt")
    if os.path.exists(cache) and re.search(r"^RS_SANITIZE:BOOL=ON$", open(cache).read(), re.M):
        skip("the package is tested in the plain build only")
    for tool in ("unshare", "chroot", "dpkg-deb", "apt-get", "lintian", "cpack", "git"):
        if not shutil.which(tool):
            skip(f"{tool} is not installed (scripts/lib.sh RS_TEST_DEPS)")
    if not os.path.exists(MINBASE) and not shutil.which("mmdebstrap"):
        skip("mmdebstrap is not installed and there is no cached root in " + MINBASE)
    if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode != 0:
        skip("unshare -n does not work here (no network namespaces)")
    build, src = os.path.abspath(args.build_dir), args.source_dir

    previous = PreviousBuild(args)
    log(f"previous version: {previous.why or previous.version + (' (cached)' if previous.deb else ' (building)')}")

    # The package.
    rc, out = run(["cmake", "--build", build, "--target", "package"], timeout=600)
    debs = re.findall(r"CPack: - package: (\S+\.deb) generated", out)
    check(len(debs) == 1 and os.path.exists(debs[0]), "cpack makes one .deb")
    deb = debs[0]
    version = dpkg_field(deb, "Version")
    depends = dpkg_field(deb, "Depends")
    for lib in ("libzmq5", "libczmq4", "libsqlite3-0", "libcivetweb1", "libjansson4", "libmsgpackc2", "libxml2",
                "libmosquitto1", "libprotobuf-c1", "libc6", "passwd"):
        check(re.search(rf"(^|, ){re.escape(lib)}( |,|$)", depends), f"the package depends on {lib}")
    _, listing = run(["dpkg-deb", "-c", deb])
    programs = sorted(p for p in os.listdir(os.path.join(build, "bin")) if p.startswith("rigstream-"))
    check(len(programs) >= 10, f"the build has the suite's programs: {' '.join(programs)}")
    for p in programs + ["rigstream"]:
        check(f"./usr/bin/{p}\n" in listing, f"the package has /usr/bin/{p}")
    check("./usr/share/rigstream/www/vendor/uPlot.iife.min.js" in listing, "the dashboard ships with uPlot")
    log(f"package {os.path.basename(deb)}")

    rc, out = run(["lintian", "--fail-on", "error", deb], ok=False)
    errors = [ln for ln in out.splitlines() if ln.startswith("E: ")]
    check(rc == 0 and not errors, f"lintian finds no errors ({len(out.splitlines())} lines): {errors[:5]}")
    log("lintian done")

    # The bundle.
    rc, out = run([os.path.join(src, "packaging", "make-bundle.sh"), "--deb", deb, "--out", args.tmp], timeout=300)
    bundle = out.strip().splitlines()[-1]
    check(os.path.basename(bundle) == f"rigstream-{version}-bookworm-amd64.tar.gz",
          f"the bundle is named for the version: {os.path.basename(bundle)}")
    with tarfile.open(bundle) as t:
        names = t.getnames()
    for lib in ("libzmq5_", "libczmq4_", "libcivetweb1_", "libjansson4_", "libmsgpackc2_", "libsqlite3-0_",
                "libxml2_", "libmosquitto1_", "libprotobuf-c1_", "rigstream_"):
        check(any(f"/debs/{lib}" in n for n in names), f"the bundle holds {lib}*.deb")
    log(f"bundle {os.path.basename(bundle)}: {sum(n.endswith('.deb') for n in names)} packages")

    # A brand-new Debian 12 (make-bundle.sh made or reused the minbase root).
    root = Root(os.path.join(args.tmp, "root"))
    check(not os.path.exists(root.p("/usr/lib/x86_64-linux-gnu/libzmq.so.5")), "the fresh root has no libzmq")
    rc, out = root.sh("exec bash -c 'exec 3<>/dev/tcp/151.101.2.132/80' || exit 3", ok=False)
    check(rc != 0 and "unreachable" in out, f"the install step has no network: {out.strip()[:200]}")
    shutil.copy(bundle, root.p("/tmp/"))
    rc, out = root.sh(f"cd /tmp && tar -xzf {os.path.basename(bundle)} && cd rigstream-{version}-bookworm-amd64 "
                      "&& ./install.sh", ok=False)
    check(rc == 0, f"install.sh installs the bundle offline:\n{out[-1500:]}")
    log("bundle installed")
    uid = root.uid("rigstream")
    check(uid is not None, "the package made the system user rigstream")
    st = os.stat(root.p("/var/lib/rigstream"))
    check(st.st_uid == uid[0], "/var/lib/rigstream belongs to rigstream")
    st = os.stat(root.p("/etc/rigstream/rigstream.env"))
    check(st.st_gid == uid[1] and (st.st_mode & 0o777) == 0o640, "the env file is 0640 root:rigstream")
    rc, out = root.sh("dpkg-query -W -f='${Conffiles}' rigstream")
    check("/etc/rigstream/rigstream.env" in out, "the env file is a conffile")
    wants = root.p("/etc/systemd/system/rigstream.target.wants")
    check(os.path.islink(root.p("/etc/systemd/system/multi-user.target.wants/rigstream.target")),
          "rigstream.target is enabled")
    for u in DEFAULT_UNITS:
        if os.path.exists(root.p(f"/lib/systemd/system/{u}.service")):
            check(os.path.islink(os.path.join(wants, f"{u}.service")), f"{u} is enabled in rigstream.target")
    verify_units(root, args.tmp)
    rc, out = root.sh("rigstream version")
    check(out.strip() == f"rigstream {version}", f"rigstream version: {out.strip()}")

    # The components, as the units run them.
    procs, wp = run_suite(root, "new")
    h = wait_until(lambda: (lambda x: x if x and x.get("status") == "ok" and x.get("webbridge", {}).get("samples", 0)
                            > 0 else None)(health(wp)), timeout=30, what="/api/health ok with samples")
    check(h["broker"]["up"], "the web bridge sees the broker")
    n1 = wait_until(lambda: db_state(root)[0] >= 2 and db_state(root)[0], timeout=30, what="rows in the database")
    n2 = wait_until(lambda: db_state(root)[0] > n1 and db_state(root)[0], timeout=30, what="more rows (live data)")
    check(n2 > n1 > 0, f"live data reaches /var/lib/rigstream/rigstream.db ({n1} then {n2} rows)")
    schema = db_state(root)[1]
    check(schema >= 1, f"the saver made its schema (user_version {schema})")
    st = os.stat(root.p("/var/lib/rigstream/rigstream.db"))
    check(st.st_uid == uid[0], "the database belongs to rigstream")
    with urllib.request.urlopen(f"http://127.0.0.1:{wp}/", timeout=5) as r:
        check(b"<html" in r.read().lower(), "the dashboard is served from /usr/share/rigstream/www")
    rc, out = root.sh("rigstream status", ok=False, net=True)
    check(rc == 0 and "db_saver" in out, f"rigstream status exits 0 with every component: {out[-300:]}")
    rc, out = root.sh("rigstream export wells", ok=False)
    check(rc == 0 and out.strip(), f"rigstream export wells lists the simulated well: {out.strip()[:200]}")
    stop_suite(procs)
    log("live data checked")

    # Remove keeps the data; purge removes it and says so.
    def remove_and_purge(what):
        rc, out = root.sh("dpkg -r rigstream")
        check(not os.path.exists(root.p("/usr/bin/rigstream-broker")), f"{what}: dpkg -r removes the programs")
        check(os.path.exists(root.p("/var/lib/rigstream/rigstream.db")), f"{what}: dpkg -r keeps the database")
        check(os.path.exists(root.p("/etc/rigstream/rigstream.env")), f"{what}: dpkg -r keeps the settings")
        check("kept" in out, f"{what}: postrm says the data is kept: {out.strip()[-200:]}")
        rc, out = root.sh("dpkg -P rigstream")
        check(not os.path.exists(root.p("/var/lib/rigstream")), f"{what}: dpkg -P deletes /var/lib/rigstream")
        check(not os.path.exists(root.p("/etc/rigstream")), f"{what}: dpkg -P deletes /etc/rigstream")
        check("deleting the database" in out, f"{what}: postrm says it deletes the data: {out.strip()[-200:]}")
        check(not os.path.exists(os.path.join(wants, "rigstream-broker.service")), f"{what}: purge forgets the units")
    remove_and_purge("fresh install")
    log("remove and purge checked")

    # Upgrade from the previous version with data in place.
    prev = previous.wait()
    if prev is None:
        print(f"note: upgrade not tested: {previous.why}")
    else:
        pv = dpkg_field(prev, "Version")
        r = subprocess.run(["dpkg", "--compare-versions", pv, "lt", version])
        check(r.returncode == 0, f"the previous version {pv} sorts before {version}")
        shutil.copy(prev, root.p("/tmp/previous.deb"))
        log(f"previous package {pv} ready")
        rc, out = root.sh("dpkg -i /tmp/previous.deb", ok=False)
        check(rc == 0, f"the previous version installs over the same dependencies:\n{out[-800:]}")
        procs, _ = run_suite(root, "old", web=False)
        n_old = wait_until(lambda: db_state(root)[0] >= 3 and db_state(root)[0], timeout=30,
                           what="rows from the previous version")
        stop_suite(procs)
        n_old, old_schema = db_state(root)
        with open(root.p("/etc/rigstream/rigstream.env"), "a") as f:
            f.write("\n# local change kept across upgrades\nLOG_LEVEL=info\n")
        # The upgrade as a crew does it: the bundle's install.sh again, which
        # skips the libraries already there.
        rc, out = root.sh(f"cd /tmp/rigstream-{version}-bookworm-amd64 && ./install.sh", ok=False)
        check(rc == 0 and "installing 1 packages" in out,
              f"install.sh upgrades {pv} to {version}, the libraries left as they are:\n{out[-800:]}")
        rc, out = root.sh("dpkg-query -W -f='${Version}' rigstream")
        check(out.strip() == version, f"the installed version is now {version}")
        with open(root.p("/etc/rigstream/rigstream.env")) as f:
            check("# local change kept across upgrades" in f.read(), "the upgrade keeps the changed conffile")
        check(db_state(root)[0] == n_old, f"the upgrade keeps the database ({n_old} rows)")
        procs, wp = run_suite(root, "upgraded")
        wait_until(lambda: db_state(root)[0] > n_old + 1, timeout=30, what="new rows after the upgrade")
        wait_until(lambda: (lambda x: x and x.get("status") == "ok")(health(wp)), timeout=30,
                   what="/api/health after the upgrade")
        n_new, new_schema = db_state(root)
        check(new_schema == schema and new_schema >= old_schema,
              f"the upgraded saver brought the schema to user_version {new_schema} (was {old_schema})")
        stop_suite(procs)
        check(n_new > n_old, f"old rows kept and new ones added after the upgrade ({n_old} -> {n_new})")
        remove_and_purge("upgraded install")
        log("upgrade checked")
    print(f"package test took {time.monotonic() - T0:.0f} s")


if __name__ == "__main__":
    main()
