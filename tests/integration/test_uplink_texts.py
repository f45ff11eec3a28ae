"""Text values of one well, many in one DDATA: a publisher sends a burst of
KPI messages for one well, each with its own rig state (a text metric), so
the uplink packs several live values of kpi/rig_state into each message.
Every KPI reaches the Sparkplug host with the rig state it was sent with
(the text of an earlier value in the same message is not freed before it
is encoded; under ASan that was a use-after-free).
"""
import os
import time

import msgpack
import zmq

import rigtest
from rigtest import check, fail, Suite, wait_until
from uplinktest import Host, Mosquitto

COUNT = 400
STATES = ["drilling_rotary", "drilling_sliding", "reaming", "circulating", "off_bottom", "connection",
          "in_slips", "tripping_in", "tripping_out", "shut_in", "out_of_hole", "unknown"]


def main():
    args = rigtest.setup()
    mq = Mosquitto("mosquitto").start()
    host = Host(args, mq.port)
    host.wait_connected()
    suite = Suite()
    suite.start_broker()
    uplink = suite.start("uplink", "rigstream-uplink", [
        "--url", f"mqtt://127.0.0.1:{mq.port}", "--topics", "kpi.", "--batch", "50",
        "--spool", os.path.join(args.tmp, "uplink.db")])
    uplink.wait_for(r"ready", timeout=15)
    uplink.wait_for(r"online at", timeout=15)

    pub = zmq.Context.instance().socket(zmq.XPUB)
    pub.setsockopt(zmq.LINGER, 1000)
    pub.setsockopt(zmq.RCVTIMEO, 5000)
    pub.connect(f"tcp://127.0.0.1:{suite.front}")
    try:
        pub.recv()
    except zmq.Again:
        fail("the broker never subscribed on the frontend")
    epoch = int(time.time() * 1e6)
    t0 = int(time.time() * 1e6)
    sent = {}
    for seq in range(1, COUNT + 1):
        state = STATES[seq % len(STATES)]
        sent[seq] = state
        m = {"v": 1, "pub": "textpub", "epoch": epoch, "seq": seq, "ts": t0 + seq * 1000, "well": "T-01",
             "values": {"mse_mpa": float(seq)}, "rig_state": state}
        pub.send_multipart([b"kpi.T-01", msgpack.packb(m)])

    def arrived():
        with host.lock:
            return {k[2] for k in host.other_keys if k[:2] == ("T-01", "kpi")}
    wait_until(lambda: len(arrived()) >= COUNT, timeout=30, what=f"{COUNT} KPIs at the host")
    with host.lock:
        got = [(k[2], o[4].get("kpi/rig_state"), o[4].get("kpi/mse_mpa"))
               for k, o in zip(host.other_keys, host.others) if k[:2] == ("T-01", "kpi")]
    wrong = [(s, st, sent.get(s)) for s, st, v in got if st != sent.get(s) or v != float(s)]
    per_msg = COUNT / max(1, sum(1 for w, _, _ in host.data_times if w == "T-01"))
    check(per_msg > 1.5, f"several KPIs of the well per DDATA ({per_msg:.1f} on average)")
    check(not wrong, f"every KPI's rig state and value as sent ({len(wrong)} of {len(got)} differ, "
                     f"e.g. {wrong[:3]})")
    check(not host.seq_errors, f"Sparkplug seq continuity and aliases: {host.seq_errors[:3]}")
    check(uplink.stop() == 0, "the uplink exits 0")
    pub.close()
    host.close()
    check(suite.broker.stop() == 0, "broker exits 0")
    mq.stop()
    print(f"test_uplink_texts: {len(got)} KPIs, {per_msg:.1f} per DDATA, {len(wrong)} with a wrong text")


if __name__ == "__main__":
    main()
