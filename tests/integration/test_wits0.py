"""rigstream-wits0 with real processes and sockets: a fake rig (a TCP server
in this script) sends WITS0, clean and then corrupted (noise, partial
frames, Pason prefix lines, unknown items, nulls, heartbeats, LF endings,
odd chunking); samples reach the broker converted to the suite's units, and
what was rejected is counted in the heartbeat. The publisher sends WITS0
heartbeats to its peer, reconnects with back-off, drops a silent link, works
as a server, on a serial line (a pseudo-terminal) and from a file."""
import datetime
import os
import re
import select
import socket
import time

import ingesttest
import rigtest
from ingesttest import Collector, FakeServer, frame
from rigtest import Proc, Suite, binary, check, wait_until


def iso(us):
    return datetime.datetime.fromtimestamp(us / 1e6, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def near(a, b, tol=1e-6):
    return a is not None and abs(a - b) <= tol * max(1.0, abs(b))


def record01(i, hh=9, mm=30):
    """A metric record 01 frame: 14 items, date and time included."""
    return frame([(105, "240115"), (106, f"{hh:02d}{mm:02d}{i % 60:02d}"), (108, f"{2000 + i * 0.1:.2f}"),
                  (110, f"{2000.5 + i * 0.1:.2f}"), (112, "12.3"), (113, "25.4"), (114, "95.5"), (116, "12.2"),
                  (118, "14.1"), (120, "120"), (121, "18500"), (126, "80.4"), (130, "2400"), (133, "55.5")])


def main():
    rigtest.setup()
    suite = Suite()
    suite.start_broker()
    col = Collector(suite, ["telemetry.", "sys.wits0"])

    # 1. A clean stream, as a TCP client of the rig; frames split at odd places.
    rig = FakeServer()
    pub = suite.start("wits0", "rigstream-wits0", ["--connect", f"127.0.0.1:{rig.port}", "--well", "W-CLEAN",
                                                   "--peer-heartbeat-s", "1"])
    pub.wait_for("ready", timeout=10)
    rig.accept()
    data = b"".join(record01(i) for i in range(20))
    rig.send(data, chunk=7)
    wait_until(lambda: len(col.samples("W-CLEAN")) >= 20, timeout=10, what="20 samples from the clean stream")
    got = [b for _, _, b in col.samples("W-CLEAN")]
    ch = got[0]["ch"]
    check(len(got) == 20, "every frame of the clean stream is one sample")
    check(near(ch["bit_depth"], 2000) and near(ch["hook_load"], 955) and near(ch["wob"], 122)
          and near(ch["spp"], 185) and near(ch["rpm"], 120) and near(ch["flow_in"], 2400)
          and near(ch["mud_temp_out"], 55.5) and near(ch["pit_volume"], 80.4) and near(ch["rop"], 25.4)
          and near(ch["torque"], 14.1) and near(ch["block_pos"], 12.3) and near(ch["hole_depth"], 2000.5),
          "items 0108-0133 land on the right channels in the suite's units (KDN x10, KPA /100)")
    check(iso(got[0]["ts"]) == "2024-01-15T09:30:00.000Z" and iso(got[19]["ts"]) == "2024-01-15T09:30:19.000Z",
          "the sample time comes from 0105/0106")
    check(all(near(g["ch"]["bit_depth"], 2000 + i * 0.1, 1e-9) for i, g in enumerate(got)), "in order, none lost")

    # The publisher keeps the link alive: a WITS0 heartbeat frame every --peer-heartbeat-s.
    rig.conn.settimeout(5)
    heard = b""
    deadline = time.monotonic() + 5
    while ingesttest.HEARTBEAT not in heard and time.monotonic() < deadline:
        heard += rig.conn.recv(100)
    check(ingesttest.HEARTBEAT in heard, "the publisher sends its peer a WITS0 heartbeat frame")

    # 2. The same link, corrupted.
    bad = (b"1984PASON/EDR\r\n" + record01(30)
           + b"\x00\x13garbage between frames\r\n"
           + b"&&\r\n0108999\r\n0110"                                   # cut short: a new && follows
           + b"&&\n0105240115\n0106093100\n01082100.00\n0114-9999.00\n0121-8888.00\n0169 7.5\n6301 3\nXYZ\n!!\n"
           + b"1984PASON/EDR\r\n" + ingesttest.HEARTBEAT
           + b"&&\r\n0111-9999\r\n!!\r\n"
           + b"&&\r\n0169 1\r\n6302 2\r\n!!\r\n"                        # nothing the mapping knows
           + b"&&\r" + b"01082200.00\r" + b"0" * 400 + b"\r!!\r"           # CR only, an oversized line
           + record01(40)[:-10])                                       # then the link drops mid-frame
    rig.send(bad, chunk=5)
    time.sleep(0.3)
    rig.drop()
    wait_until(lambda: len(col.samples("W-CLEAN")) >= 23, timeout=10, what="the good frames of the corrupted stream")
    tail = [b["ch"] for _, _, b in col.samples("W-CLEAN")[20:]]
    check(len(tail) == 3, "only the 3 good frames of the corrupted stream are published")
    check(near(tail[0]["bit_depth"], 2003), "a frame after a Pason prefix line")
    check(near(tail[1]["bit_depth"], 2100) and tail[1]["hook_load"] is None and tail[1]["spp"] is None
          and "wits_0169" not in tail[1], "-9999.00 and -8888.00 are nil; unknown items are left out")
    check(near(tail[2]["bit_depth"], 2200), "CR-only line ends")
    wait_until(lambda: col.stats("wits0").get("partial_frames") == 2, timeout=5,
               what="the heartbeat to count 2 partial frames")
    st = col.stats("wits0")
    check(st["pason_lines"] == 2 and st["heartbeats_rx"] == 2 and st["bad_lines"] == 1 and st["long_lines"] == 1
          and st["noise_bytes"] >= 20 and st["unknown_items"] == 4 and st["unmapped_frames"] == 1
          and st["frames"] == 24, f"rejections counted by reason: {st}")
    check(re.search(r"input rejected so far: \d+ noise bytes", pub.text()), "and logged")

    # 3. Reconnection: the rig dropped the link; the publisher comes back by itself.
    rig.accept(timeout=10)
    rig.send(record01(50))
    wait_until(lambda: len(col.samples("W-CLEAN")) >= 24, timeout=10, what="a sample after reconnecting")
    wait_until(lambda: col.stats("wits0").get("connects", 0) >= 2, timeout=5, what="connects 2 in the heartbeat")
    check(True, "the publisher reconnected by itself")
    # The rig goes away altogether for a while: back-off, then back.
    port = rig.port
    rig.close()
    pub.wait_for(r"cannot connect to 127\.0\.0\.1:\d+: Connection refused; trying again", timeout=10)
    time.sleep(1.5)
    rig = FakeServer(port)
    rig.accept(timeout=40)
    rig.send(record01(51))
    wait_until(lambda: len(col.samples("W-CLEAN")) >= 25, timeout=10, what="a sample after the rig came back")
    check(True, "the publisher reconnects once the rig is back")
    check(pub.stop() == 0, "rigstream-wits0 stops on SIGTERM with exit 0")
    rig.close()

    # 4. A silent link is dropped and made again (--idle-timeout-s).
    rig = FakeServer()
    idle = suite.start("idle", "rigstream-wits0", ["--connect", f"127.0.0.1:{rig.port}", "--well", "W-IDLE",
                                                   "--idle-timeout-s", "1", "--peer-heartbeat-s", "0"])
    rig.accept()
    rig.accept(timeout=10)
    check(rig.accepted == 2 and "nothing received for 1 s" in idle.text(), "a link silent for 1 s is re-made")
    check(idle.stop() == 0, "stops")
    rig.close()

    # 5. As a server: the rig connects to us, in FPS units; a new connection replaces the old.
    lport = rigtest.free_port()
    srv = suite.start("server", "rigstream-wits0", ["--listen", str(lport), "--units", "fps", "--well", "W-FPS"])
    srv.wait_for("ready", timeout=10)
    c1 = socket.create_connection(("127.0.0.1", lport))
    c1.sendall(frame([(108, "1000"), (114, "200"), (121, "3000"), (130, "500"), (134, "212")]))
    wait_until(lambda: col.samples("W-FPS"), timeout=10, what="a sample from a connecting rig")
    ch = col.samples("W-FPS")[0][2]["ch"]
    check(near(ch["bit_depth"], 304.8) and near(ch["hook_load"], 889.64432) and near(ch["spp"], 206.842719)
          and near(ch["flow_in"], 1892.7059) and near(ch["mud_temp_in"], 100), "FPS units converted (F, KLB, PSI, GPM, DEGF)")
    c2 = socket.create_connection(("127.0.0.1", lport))
    c2.sendall(frame([(108, "1001")], eol=b"\n"))
    wait_until(lambda: len(col.samples("W-FPS")) >= 2, timeout=10, what="a sample from the second connection")
    check(srv.wait_for("replaces", timeout=5), "a new connection replaces the old one")
    c1.close()
    c2.close()
    check(srv.stop() == 0, "stops")

    # 6. A serial line: a pseudo-terminal stands in for the port.
    master, slave = os.openpty()
    ser = suite.start("serial", "rigstream-wits0", ["--serial", os.ttyname(slave), "--baud", "9600",
                                                    "--framing", "7E1", "--well", "W-SER", "--peer-heartbeat-s", "1"])
    ser.wait_for(r"opened /dev/\S+ at 9600 baud, 7E1", timeout=10)
    os.write(master, record01(5, hh=10))
    wait_until(lambda: col.samples("W-SER"), timeout=10, what="a sample from the serial line")
    check(iso(col.samples("W-SER")[0][2]["ts"]) == "2024-01-15T10:30:05.000Z", "WITS0 over a serial line")
    heard = b""
    deadline = time.monotonic() + 5
    while b"0111-9999" not in heard and time.monotonic() < deadline:
        if select.select([master], [], [], 0.2)[0]:
            heard += os.read(master, 100)
    check(b"0111-9999" in heard, "heartbeat frames go out on the serial line")
    check(ser.stop() == 0, "stops")
    os.close(master)
    os.close(slave)

    # 7. A recorded capture file: read to the end, then exit 0.
    cap = os.path.join(rigtest.ARGS.tmp, "capture.wits")
    with open(cap, "wb") as f:
        f.write(b"1984PASON/EDR\r\n" + b"".join(record01(i, hh=11) for i in range(10)) + b"&&\n0108 1")
    fp = suite.start("file", "rigstream-wits0", ["--file", cap, "--well", "W-FILE"])
    check(fp.p.wait(20) == 0, "a capture file is read to its end, exit 0")
    check(re.search(r"stopped: 10 frames, 10 samples published.*\(0 bad lines, 1 partial frames\)", fp.text()),
          "and the summary counts 10 frames and the partial one at the end")
    wait_until(lambda: len(col.samples("W-FILE")) >= 10, timeout=10, what="the capture's samples")

    # 8. A mapping file: other items, units and an extra channel; --print-map is one.
    pm = Proc("printmap", [binary("rigstream-wits0"), "--print-map"])
    check(pm.p.wait(10) == 0 and "0121 = spp" in pm.text("out"), "--print-map prints the built-in mapping")
    mp = os.path.join(rigtest.ARGS.tmp, "my.map")
    with open(mp, "w") as f:
        f.write("# depth-based record 02 of a vendor\n0208 = bit_depth F\n0169 = pason_169\n0105 = @date\n"
                "0106 = @time\n")
    cap2 = os.path.join(rigtest.ARGS.tmp, "record02.wits")
    with open(cap2, "wb") as f:
        f.write(frame([(105, "240115"), (106, "120000"), (208, "100"), (169, "4.5"), (108, "5")]))
    m2 = suite.start("mapped2", "rigstream-wits0", ["--file", cap2, "--map", mp, "--well", "W-MAP"])
    check(m2.p.wait(20) == 0, "a run with a mapping file")
    wait_until(lambda: col.samples("W-MAP"), timeout=10, what="the mapped sample")
    ch = col.samples("W-MAP")[0][2]["ch"]
    check(near(ch["bit_depth"], 30.48) and near(ch["pason_169"], 4.5) and len(ch) == 2,
          "the mapping file decides: 0208 in feet, 0169 as an extra channel, 0108 unknown")

    # 9. Bad options.
    def run(args):
        p = Proc("bad", [binary("rigstream-wits0"), *args])
        return p.p.wait(10), p.text()
    rc, err = run([])
    check(rc == 2 and "exactly one of --connect" in err, "no source: exit 2")
    rc, err = run(["--connect", "x:1", "--file", "y"])
    check(rc == 2 and "exactly one" in err, "two sources: exit 2")
    rc, err = run(["--serial", "/dev/null", "--framing", "9X1"])
    check(rc == 2 and "invalid framing" in err, "a bad framing: exit 2")
    rc, err = run(["--connect", "nohost"])
    check(rc == 2 and "host:port" in err, "a bad address: exit 2")
    bad_map = os.path.join(rigtest.ARGS.tmp, "bad.map")
    with open(bad_map, "w") as f:
        f.write("0108 = bit_depth\n0110 = hole_depth furlongs\n")
    rc, err = run(["--file", cap, "--map", bad_map])
    check(rc == 2 and "bad.map:2: unit 'furlongs' does not convert" in err, "a bad mapping file: exit 2, file:line")
    rc, err = run(["--file", "/nonexistent.wits"])
    check(rc == 1 and "cannot open" in err, "a missing file: exit 1")
    blocker = FakeServer()
    rc, err = run(["--listen", str(blocker.port)])
    check(rc == 1 and "cannot listen" in err, "a port in use: exit 1")
    blocker.close()

    col.close()
    suite.broker.stop()
    print("test_wits0: all checks passed")


if __name__ == "__main__":
    main()
