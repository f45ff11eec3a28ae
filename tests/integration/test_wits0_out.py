"""A round trip WITS0 in -> rigstream -> WITS0 out with real processes: a fake
rig sends record 01 in FPS units to rigstream-wits0; rigstream-wits0-out
serves the well to WITS0 clients (this script), in FPS and in metric units;
the values and the date and time come back as sent. A client that gets no
data receives a heartbeat frame before the 30 s WITS0 peers wait; samples
of other wells are not served."""
import socket
import time

import rigtest
from ingesttest import HEARTBEAT, Collector, FakeServer, FrameReader, frame
from rigtest import Proc, Suite, binary, check, wait_until

SENT = [(108, "8123.5"), (110, "8124"), (112, "45.2"), (113, "85.3"), (114, "210.4"), (116, "25.1"),
        (118, "12.5"), (120, "120"), (121, "3100"), (122, "0"), (123, "95"), (124, "96"), (126, "480.5"),
        (127, "-1.25"), (129, "640"), (130, "650"), (133, "110.2"), (134, "95"), (140, "0.4")]


def main():
    rigtest.setup()
    suite = Suite()
    suite.start_broker()
    col = Collector(suite, ["telemetry."])
    fps_port, metric_port = rigtest.free_ports(2)
    out_fps = suite.start("out_fps", "rigstream-wits0-out", ["--port", str(fps_port), "--well", "RT", "--units", "fps",
                                                              "--peer-heartbeat-s", "1"])
    out_metric = suite.start("out_metric", "rigstream-wits0-out", ["--port", str(metric_port), "--units", "metric",
                                                                    "--null-value", "", "--bind", "localhost"])
    out_fps.wait_for("ready", timeout=10)
    out_metric.wait_for("ready", timeout=10)
    c_fps = FrameReader(socket.create_connection(("127.0.0.1", fps_port)))
    c_fps2 = FrameReader(socket.create_connection(("127.0.0.1", fps_port)))
    c_metric = FrameReader(socket.create_connection(("127.0.0.1", metric_port)))
    out_fps.wait_for(r"client 127\.0\.0\.1:\d+ connected \(2 now\)", timeout=10)
    out_metric.wait_for(r"client 127\.0\.0\.1:\d+ connected", timeout=10)

    # Nothing to serve yet: heartbeats, at the interval asked (WITS0 peers give up at 30 s).
    t0 = time.monotonic()
    c_fps.wait(lambda fr: len(fr) >= 2, timeout=5, what="two heartbeat frames")
    check(all(f == {111: "-9999"} for f in c_fps.frames) and time.monotonic() - t0 < 4,
          "an idle client receives a heartbeat frame (0111-9999) every --peer-heartbeat-s")
    c_fps.sock.sendall(HEARTBEAT)   # clients may send theirs; they are read and ignored

    rig = FakeServer()
    wits = suite.start("wits0", "rigstream-wits0", ["--connect", f"127.0.0.1:{rig.port}", "--units", "fps",
                                                    "--well", "RT"])
    rig.accept()
    for i in range(5):
        rig.send(frame([(105, "240314"), (106, f"0600{i * 5:02d}")] + SENT + [(125, "7"), (169, "1")]))
    wait_until(lambda: len(col.samples("RT")) >= 5, timeout=10, what="5 samples in rigstream")

    def data_frames(reader):
        return [f for f in reader.frames if 108 in f]

    c_fps.wait(lambda fr: len(data_frames(c_fps)) >= 5, timeout=10, what="5 frames at the FPS client")
    c_fps2.wait(lambda fr: len(data_frames(c_fps2)) >= 5, timeout=10, what="5 frames at the second client")
    got = data_frames(c_fps)
    check(all(got[i][105] == "240314" and got[i][106] == f"0600{i * 5:02d}" for i in range(5)),
          "date (0105) and time (0106) come back as sent")
    bad = [(code, v, got[0].get(code)) for code, v in SENT if abs(float(got[0].get(code, "nan")) - float(v)) > 0.002]
    check(not bad, f"every record 01 item comes back in FPS units as sent (differences: {bad})")
    check(got[0][125] == "7" and 169 not in got[0], "spm3 (0125) travels as an extra channel; unknown items do not")
    check(data_frames(c_fps2)[:5] == got[:5], "every client gets the same frames")

    c_metric.wait(lambda fr: len(data_frames(c_metric)) >= 5, timeout=10, what="5 frames at the metric client")
    m = data_frames(c_metric)[0]
    check(abs(float(m[108]) - 8123.5 * 0.3048) < 0.001 and abs(float(m[114]) - 210.4 * 4.4482216 / 10) < 0.001
          and abs(float(m[121]) - 3100 * 6.8947573) < 0.01 and abs(float(m[134]) - 35) < 0.001,
          "the metric server converts to M, KDN, KPA, DEGC")

    # A reading that is missing: the null value, or left out with --null-value "".
    rig.send(frame([(105, "240314"), (106, "060100"), (108, "8124"), (121, "-9999.00")]))
    c_fps.wait(lambda fr: any(f.get(106) == "060100" for f in fr), timeout=10, what="the frame with a null")
    nul = [f for f in c_fps.frames if f.get(106) == "060100"][0]
    check(nul[121] == "-9999.00" and nul[108] == "8124", "no reading travels as -9999.00")
    c_metric.wait(lambda fr: any(f.get(106) == "060100" for f in fr), timeout=10, what="the metric frame with a null")
    nul = [f for f in c_metric.frames if f.get(106) == "060100"][0]
    check(121 not in nul, "or is left out with --null-value \"\"")

    # The metric server follows the first well it heard; other wells are not served.
    other = Proc("other", [binary("rigstream-csv"), "--fast", "--well", "OTHER", "--preset", "pason",
                           f"{rigtest.ARGS.source_dir}/tests/data/pason_edr_synthetic.csv"], suite.env)
    check(other.p.wait(30) == 0, "another well is published")
    wait_until(lambda: len(col.samples("OTHER")) >= 48, timeout=10, what="the other well's samples")
    n_metric = len(data_frames(c_metric))
    time.sleep(0.5)
    c_metric.poll(0.2)
    check(len(data_frames(c_metric)) == n_metric and "serving well RT" in out_metric.text(),
          "the server keeps to the first well heard")

    # A client that goes away is dropped; the server carries on.
    c_fps2.sock.close()
    out_fps.wait_for(r"client 127\.0\.0\.1:\d+ left", timeout=10)
    rig.send(frame([(105, "240314"), (106, "060200"), (108, "8125")]))
    c_fps.wait(lambda fr: any(f.get(106) == "060200" for f in fr), timeout=10, what="a frame after a client left")
    check(True, "a client leaving does not disturb the others")

    # Bad options.
    p = Proc("badunits", [binary("rigstream-wits0-out"), "--units", "imperial"])
    check(p.p.wait(10) == 2 and "metric or fps" in p.text(), "bad --units: exit 2")
    p = Proc("inuse", [binary("rigstream-wits0-out"), "--port", str(fps_port)], suite.env)
    check(p.p.wait(10) == 1 and "cannot listen" in p.text(), "a port in use: exit 1")

    c_fps.sock.close()
    c_metric.sock.close()
    check(wits.stop() == 0 and out_fps.stop() == 0 and out_metric.stop() == 0, "all stop on SIGTERM with exit 0")
    rig.close()
    col.close()
    suite.broker.stop()
    print("test_wits0_out: all checks passed")


if __name__ == "__main__":
    main()
