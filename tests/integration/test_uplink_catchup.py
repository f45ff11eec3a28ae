"""The uplink catching up, against a real mosquitto, a primary host and the
prediction engine:

- started late behind a journal (JOURNAL_S: a minute here, 3 for the
  figures): the simulator streams well A-01 for JOURNAL_S before the uplink
  for it starts, so the uplink back-fills those minutes from the
  simulator's journal while live samples keep arriving.
  Every sample reaches the host; none published before the uplink started
  is flagged live; and in the order the host receives them, no live sample
  of the well is older than a live one before it (a host tag never steps
  back in time);
- the primary host's STATE timestamps (Sparkplug 3.0): an "offline" older
  than the last STATE acted on is ignored (no NDEATH, data keeps flowing); a
  newer one still ends the session;
- reconnects: mosquitto killed -9 for OUTAGE_S, twice, while a second uplink
  (well B-01) streams with the default back-off: it is connected again
  within 2 s of mosquitto listening, and the outage's samples and KPIs (with
  the rig state as text) arrive as historical behind live data.

While the journal fills, the second uplink's checks run, so the 3 minutes
are not spent idle. Figures (loss, duplicates, catch-up time, reconnect
delays) are printed for docs/UPLINK.md.
"""
import datetime
import json
import os
import re
import time

import rigtest
import uplinktest
from rigtest import check, Suite, wait_until
from uplinktest import Host, Mosquitto, Recorder

RATE = 20
# One minute in CI (the whole suite runs twice); UPLINK_TEST_JOURNAL_S=180
# gives the 3 minutes of docs/UPLINK.md's figures.
JOURNAL_S = int(os.environ.get("UPLINK_TEST_JOURNAL_S", "60"))
LIVE_S = 20
OUTAGE_S = 8
# The journal's catch-up goes behind live data at the backlog's cap.
CATCHUP_RATE = 200


def log_times(proc, pattern):
    """The times (s since the epoch) of the log lines matching pattern."""
    out = []
    for line in proc.text().splitlines():
        if re.search(pattern, line):
            stamp = line.split(" ", 1)[0]
            out.append(datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ")
                       .replace(tzinfo=datetime.timezone.utc).timestamp())
    return out


def state(online, ts_ms):
    return json.dumps({"online": online, "timestamp": ts_ms})


def well_arrivals(host, well):
    with host.lock:
        return [a for a in host.arrivals if a[0] == well]


def main():
    args = rigtest.setup()
    mq = Mosquitto("mosquitto").start()
    suite = Suite()
    suite.start_broker()
    host = Host(args, mq.port, host_id="centre")
    host.wait_connected()
    rec = Recorder(suite)
    common = ["--url", f"mqtt://127.0.0.1:{mq.port}", "--primary-host", "centre", "--keepalive-s", "5"]
    engine = suite.start("engine", "rigstream-engine", ["--control-port", "0"])
    sim = suite.start("sim", "rigstream-sim", ["--well-ids", "A-01,B-01", "--rate", str(RATE), "--seed", "21"])
    sim.wait_for(r"ready: publishing", timeout=15)
    t_sim = time.time()
    # Uplink B runs from the start, with the default reconnect back-off.
    up_b = suite.start("uplink-b", "rigstream-uplink", common + [
        "--spool", os.path.join(args.tmp, "b.db"), "--node", "rigB", "--topics", "telemetry.B-,kpi.B-"])
    up_b.wait_for(r"online at", timeout=15)
    wait_until(lambda: sum(1 for (w, _) in host.samples if w == "B-01") >= 2 * RATE, timeout=15,
               what="B-01 flowing")

    # A stale "offline" (older than the online the uplink acted on) changes nothing.
    deaths, births = len(host.deaths), host.count("NBIRTH")
    now_ms = int(time.time() * 1000)
    host.c.publish("spBv1.0/STATE/centre", state(False, now_ms - 60000), qos=1, retain=True)
    up_b.wait_for(r"ignoring a stale STATE \(offline\)", timeout=5)
    n_b = sum(1 for (w, _) in host.samples if w == "B-01")
    time.sleep(2)
    check(len(host.deaths) == deaths and host.count("NBIRTH") == births,
          "a stale STATE offline is ignored: no NDEATH, no rebirth")
    check(sum(1 for (w, _) in host.samples if w == "B-01") >= n_b + RATE,
          "B-01 data keeps flowing after the stale STATE")
    wait_until(lambda: uplinktest.stats(suite, "uplink").get("stale_states", 0) >= 1, timeout=5,
               what="stale_states counted in the heartbeat")
    # A newer one still counts: the session ends; a newer online brings it back.
    host.c.publish("spBv1.0/STATE/centre", state(False, int(time.time() * 1000)), qos=1, retain=True)
    wait_until(lambda: len(host.deaths) > deaths, timeout=10, what="NDEATH after a current STATE offline")
    host.c.publish("spBv1.0/STATE/centre", state(True, int(time.time() * 1000)), qos=1, retain=True)
    wait_until(lambda: host.count("NBIRTH") > births, timeout=10, what="NBIRTH after the host is online again")
    check(len(host.deaths) > deaths and host.count("NBIRTH") > births,
          "a current STATE offline ends the session (NDEATH); a newer online starts one (NBIRTH)")

    # Reconnects with the default back-off, twice.
    delays = []
    for i in range(2):
        n_conn = len(log_times(up_b, r"connected to 127"))
        mq.kill9()
        up_b.wait_for(r"retrying", timeout=10)
        time.sleep(OUTAGE_S)
        mq.start()
        t_listen = time.time()
        host.wait_connected(15)
        wait_until(lambda: len(log_times(up_b, r"connected to 127")) > n_conn, timeout=10,
                   what="the uplink connected again")
        delays.append(log_times(up_b, r"connected to 127")[n_conn] - t_listen)
    check(max(delays) < 2.0, "after mosquitto killed -9 for %d s: connected again %s s after it listened "
          "(under 2 s)" % (OUTAGE_S, ", ".join(f"{d:.2f}" for d in delays)))

    # Let the journal reach JOURNAL_S, then start the uplink for A-01.
    left = t_sim + JOURNAL_S - time.time()
    if left > 0:
        time.sleep(left)
    # No primary host for this one: it goes online at once, while the journal
    # is still being caught up (a primary host's STATE can come after it).
    up_a = suite.start("uplink-a", "rigstream-uplink", [
        "--url", f"mqtt://127.0.0.1:{mq.port}", "--spool", os.path.join(args.tmp, "a.db"), "--node", "rigA",
        "--topics", "telemetry.A-", "--backlog-rate", str(CATCHUP_RATE)])
    up_a.wait_for(r"ready", timeout=15)
    t_ready = log_times(up_a, r"ready: subscribed")[0]
    journal_n = max(s for (w, s) in rec.samples if w == "A-01")
    wait_until(lambda: all(("A-01", s) in host.samples for s in range(1, journal_n + 1)), timeout=60,
               what=f"A-01's {journal_n} journal samples at the host")
    t_caught = time.time()
    time.sleep(LIVE_S)
    sim.stop()
    last = max(s for (w, s) in rec.samples if w == "A-01")
    wait_until(lambda: all(("A-01", s) in host.samples for s in range(1, last + 1)), timeout=30,
               what="every A-01 sample at the host")
    arr = well_arrivals(host, "A-01")
    seqs = [a[1] for a in arr]
    dups = len(seqs) - len(set(seqs))
    check(set(seqs) == set(range(1, last + 1)), f"A-01: seq 1..{last} all at the host (0 lost)")
    early = [a for a in arr if a[2] < (t_ready - 0.5) * 1000]
    early_live = [a for a in early if not a[3]]
    check(len(early) >= (JOURNAL_S - 5) * RATE and not early_live,
          f"{len(early)} samples published before the uplink started (journal catch-up): "
          f"{len(early_live)} flagged live")
    newest, back = 0, []
    for w, s, ts, hist, _ in arr:
        if hist:
            continue
        if ts < newest:
            back.append((s, ts, newest))
        newest = max(newest, ts)
    live = sum(1 for a in arr if not a[3])
    check(not back and live >= LIVE_S * RATE * 0.5,
          f"{live} live A-01 samples, in time order at the host ({len(back)} older than a live one before)")
    check(not host.seq_errors, f"seq continuity and aliases per node: {host.seq_errors[:5]}")
    # The catch-up at the cap, live data meanwhile at once.
    catchup_s = t_caught - t_ready
    floor = (journal_n - 2 * CATCHUP_RATE) / CATCHUP_RATE
    check(catchup_s >= floor, f"the journal's {journal_n} samples caught up within the cap of {CATCHUP_RATE}/s "
                              f"({catchup_s:.1f} s, at least {floor:.1f} s)")
    during = [a for a in arr if not a[3] and t_ready + 1 < a[4] < t_caught - 0.5]
    slow = [a for a in during if a[4] * 1000 - a[2] > 1000]
    check(len(during) >= (catchup_s - 2) * RATE * 0.5 and not slow,
          f"{len(during)} live samples arrived during the catch-up, {len(slow)} of them more than 1 s after "
          f"their time")
    # Uplink B's outages: nothing lost; what waited arrived historical.
    b_last = max(s for (w, s) in host.samples if w == "B-01")
    b = well_arrivals(host, "B-01")
    b_seqs = {a[1] for a in b}
    check(b_seqs == set(range(1, b_last + 1)), f"B-01: seq 1..{b_last} all at the host across two outages")
    b_hist = sum(1 for a in b if a[3])
    check(b_hist >= OUTAGE_S * RATE, f"B-01: {b_hist} samples held through the outages arrived historical")
    with host.lock:
        kpis = [o for o in host.others if o[0] == "B-01" and o[1] == "kpi"]
    held = [o for o in kpis if o[3]]
    check(len(held) >= OUTAGE_S and all(isinstance(o[4].get("kpi/rig_state"), str) for o in held),
          f"B-01: the engine's {len(held)} KPI messages held through the outages arrived historical, each with "
          f"the rig state as text")
    newest, back = 0, 0
    for o in kpis:
        if not o[3]:
            back += o[2] < newest
            newest = max(newest, o[2])
    check(back == 0 and len(kpis) > len(held), f"B-01: {len(kpis) - len(held)} live KPI messages in time order")
    print(f"figures: journal {JOURNAL_S} s ({journal_n} samples at {RATE} Hz) caught up "
          f"{catchup_s:.1f} s after the uplink started (cap {CATCHUP_RATE}/s), {len(during)} live samples "
          f"meanwhile at once; A-01 {last} samples, 0 lost, {dups} duplicates, "
          f"{len(early)} historical from the journal, {live} live; B-01 {b_last} samples, 0 lost, "
          f"{len(b) - len(b_seqs)} duplicates, {b_hist} historical; reconnect delays "
          + ", ".join(f"{d:.2f} s" for d in delays))
    online = next(x for x in up_a.text().splitlines() if "online at" in x).split("uplink: ")[-1]
    print(f"uplink A went online {log_times(up_a, 'online at')[0] - t_ready:.3f} s after it was ready: {online}")
    check(up_a.stop() == 0 and up_b.stop() == 0 and engine.stop() == 0, "both uplinks and the engine exit 0")
    rec.close()
    host.close()
    check(suite.broker.stop() == 0, "broker exits 0")
    mq.stop()


if __name__ == "__main__":
    main()
