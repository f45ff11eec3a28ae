"""The uplink's security options against a real mosquitto:
- username/password: a wrong password is refused with a clear error, retried
  with back-off, nothing lost; restarted with the right one on the same spool,
  every sample arrives;
- TLS with a test CA made by openssl: the broker is verified against the CA
  and every sample arrives over mqtts://; an uplink given another CA refuses
  the broker's certificate, says so, and keeps retrying.
"""
import os
import shutil
import subprocess

import rigtest
import uplinktest
from rigtest import check, Suite, wait_until
from uplinktest import Host, Mosquitto, Recorder

COUNT = 300


def openssl(*argv, cwd):
    subprocess.run(["openssl", *argv], cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_ca(d, name):
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={name}",
            "-keyout", f"{name}.key", "-out", f"{name}.crt", cwd=d)


def main():
    args = rigtest.setup()
    if not shutil.which("openssl") or not shutil.which("mosquitto_passwd"):
        print("skipped: openssl or mosquitto_passwd missing")
        raise SystemExit(77)
    d = args.tmp
    suite = Suite()
    suite.start_broker()
    rec = Recorder(suite)

    # Username and password.
    pw = os.path.join(d, "passwd")
    subprocess.run(["mosquitto_passwd", "-b", "-c", pw, "rig", "s3cret"], check=True)
    os.chmod(pw, 0o644)
    mq = Mosquitto("mosquitto-auth", ["allow_anonymous false", f"password_file {pw}"]).start()
    host = Host(args, mq.port, user="rig", password="s3cret", host_id="centre")
    host.wait_connected()
    spool = os.path.join(d, "auth.db")
    common = ["--url", f"mqtt://127.0.0.1:{mq.port}", "--spool", spool, "--topics", "telemetry.C-",
              "--username", "rig", "--reconnect-min-ms", "200", "--reconnect-max-ms", "500",
              "--primary-host", "centre"]
    up = suite.start("uplink-badpw", "rigstream-uplink", common + ["--password", "wrong"])
    up.wait_for(r"ready", timeout=15)
    sim = suite.start("sim", "rigstream-sim", ["--well-ids", "C-01", "--rate", "100", "--count", str(COUNT)])
    sim.wait_for(r"stopped:", timeout=20)
    wait_until(lambda: up.text().count("refused the connection") >= 3, timeout=10, what="retries")
    line = next(x for x in up.text().splitlines() if "refused the connection" in x)
    check("not authorised" in line or "bad user name or password" in line,
          f"bad credentials: a clear error, retried: {line.split('uplink: ')[-1]}")
    check(up.alive() and not host.samples, "the uplink keeps running and sends nothing")
    check(up.stop() == 0, "uplink with the wrong password exits 0 when stopped")
    up = suite.start("uplink-goodpw", "rigstream-uplink", common + ["--password", "s3cret"])
    wait_until(lambda: len(host.samples) >= COUNT, timeout=60, what="every sample with the right password")
    uplinktest.check_samples_well(host, rec, "C-01", range(1, COUNT + 1), "after bad credentials")
    check(up.stop() == 0, "uplink exits 0")
    host.close()
    mq.stop()

    # TLS with a test CA.
    make_ca(d, "testca")
    make_ca(d, "otherca")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key",
            "-out", "server.csr", cwd=d)
    with open(os.path.join(d, "san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "testca.crt", "-CAkey", "testca.key", "-CAcreateserial",
            "-days", "2", "-extfile", "san.ext", "-out", "server.crt", cwd=d)
    mq = Mosquitto("mosquitto-tls", [f"cafile {d}/testca.crt", f"certfile {d}/server.crt",
                                     f"keyfile {d}/server.key"]).start()
    host = Host(args, mq.port, tls_ca=os.path.join(d, "testca.crt"), host_id="centre")
    host.wait_connected()
    tls = ["--url", f"mqtts://127.0.0.1:{mq.port}", "--topics", "telemetry.D-", "--reconnect-min-ms", "200",
           "--reconnect-max-ms", "500", "--primary-host", "centre"]
    wrong = suite.start("uplink-wrongca", "rigstream-uplink", tls + [
        "--spool", os.path.join(d, "wrong.db"), "--ca-file", os.path.join(d, "otherca.crt"), "--node", "rigX"])
    up = suite.start("uplink-tls", "rigstream-uplink", tls + [
        "--spool", os.path.join(d, "tls.db"), "--ca-file", os.path.join(d, "testca.crt"), "--node", "rigT"])
    up.wait_for(r"connected to 127\.0\.0\.1:\d+ \(TLS\)", timeout=15)
    sim2 = suite.start("sim2", "rigstream-sim", ["--well-ids", "D-01", "--rate", "100", "--count", str(COUNT),
                                                 "--publisher-id", "sim2"])
    sim2.wait_for(r"stopped:", timeout=20)
    wait_until(lambda: sum(1 for (w, _) in host.samples if w == "D-01") >= COUNT, timeout=20,
               what="every sample over TLS")
    uplinktest.check_samples_well(host, rec, "D-01", range(1, COUNT + 1), "over TLS")
    wait_until(lambda: wrong.text().count("retrying") >= 2, timeout=10, what="the wrong-CA uplink's retries")
    check("connected to" not in wrong.text() and wrong.alive(),
          f"an uplink given another CA does not connect and keeps retrying: "
          f"{[x for x in wrong.text().splitlines() if 'retrying' in x][0].split('uplink: ')[-1]}")
    check(not host.seq_errors, f"seq continuity: {host.seq_errors[:5]}")
    check(up.stop() == 0 and wrong.stop() == 0, "uplinks exit 0")
    host.close()
    rec.close()
    sim.stop()
    sim2.stop()
    check(suite.broker.stop() == 0, "broker exits 0")
    mq.stop()


if __name__ == "__main__":
    main()
