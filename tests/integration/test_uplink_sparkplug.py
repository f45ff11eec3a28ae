"""The uplink as a Sparkplug B edge node, seen by a host application on a real
mosquitto: NBIRTH with bdSeq and the rebirth control, a DBIRTH per well naming
every metric with its datatype, unit (engUnit property) and an alias unique
across the node; DDATA by alias only, with the sample's millisecond timestamp
and value as the simulator published it; payload seq continuous 0-255 across
births and data; a rebirth command answered with the same bdSeq; a clean stop
sends NDEATH with that bdSeq, at QoS 1. The prediction engine's KPIs travel
too, as kpi/<name> metrics born when they first appear, each with its unit,
and the engine's rig state as the String metric kpi/rig_state, with what it says beside it
(kpi/rig_state_reason, kpi/quality, kpi/block_weight_source). The node's
health (queue depth, oldest queued, dropped) is in NBIRTH and in NDATA.
"""
import os

import rigtest
import uplinktest
from rigtest import check, Suite, wait_until
from uplinktest import DOUBLE, UINT64, BOOLEAN, STRING, Host, Mosquitto, Recorder

WELLS = ["A-01", "A-02"]
PER_WELL = 600
UNITS = {"telemetry/rop": "m/h", "telemetry/hook_load": "kN", "telemetry/spp": "bar",
         "telemetry/flow_in": "L/min", "telemetry/torque": "kN.m"}


def eng_unit(m):
    return next((v.string_value for k, v in zip(m.properties.keys, m.properties.values) if k == "engUnit"), None)


def main():
    args = rigtest.setup()
    mq = Mosquitto("mosquitto").start()
    suite = Suite()
    suite.start_broker()
    host = Host(args, mq.port, node="rig7")
    host.wait_connected()
    rec = Recorder(suite)
    spool = os.path.join(args.tmp, "spool.db")
    engine = suite.start("engine", "rigstream-engine", ["--control-port", "0", "--kpi-ms", "200"])
    up = suite.start("uplink", "rigstream-uplink", ["--url", f"mqtt://127.0.0.1:{mq.port}", "--node", "rig7",
                                                   "--spool", spool, "--health-s", "1"])
    up.wait_for(r"ready", timeout=15)
    up.wait_for(r"online at", timeout=15)
    wait_until(lambda: host.count("NBIRTH") >= 1, timeout=10, what="NBIRTH")
    sim = suite.start("sim", "rigstream-sim", ["--wells", str(len(WELLS)), "--rate", "200", "--count",
                                               str(PER_WELL), "--seed", "3"])
    sim.wait_for(r"stopped:", timeout=30)
    uplinktest.wait_samples(host, len(WELLS) * PER_WELL, 20, "every sample")

    nb = host.births[None]
    bd = {m.name: m for m in nb.metrics}
    check(nb.seq == 0 and bd["bdSeq"].datatype == UINT64 and bd["bdSeq"].long_value == 0,
          f"NBIRTH: seq 0, bdSeq {bd['bdSeq'].long_value} (UInt64) in the first session")
    check(bd["Node Control/Rebirth"].datatype == BOOLEAN and not bd["Node Control/Rebirth"].boolean_value,
          "NBIRTH carries Node Control/Rebirth = false")
    health = {n: bd.get(n) for n in ("uplink/queue_depth", "uplink/oldest_queued_s", "uplink/dropped")}
    check(all(health.values()) and health["uplink/queue_depth"].datatype == UINT64
          and health["uplink/dropped"].datatype == UINT64 and health["uplink/oldest_queued_s"].datatype == DOUBLE
          and eng_unit(health["uplink/oldest_queued_s"]) == "s",
          "NBIRTH carries the health metrics uplink/queue_depth, uplink/dropped (UInt64) and "
          "uplink/oldest_queued_s (Double, s)")
    for w in WELLS:
        b = host.births.get(w)
        check(b is not None, f"DBIRTH for {w}")
        ms = {m.name: m for m in b.metrics}
        check(len(ms) >= 22 and all(m.HasField("alias") and m.HasField("datatype") and m.HasField("timestamp")
                                    for m in b.metrics),
              f"DBIRTH {w}: {len(ms)} metrics, each with alias, datatype and timestamp")
        check(ms["rigstream/telemetry_seq"].datatype == UINT64 and ms["telemetry/rop"].datatype == DOUBLE,
              f"DBIRTH {w}: seq is UInt64, channels Double")
        units = {n: next((v.string_value for k, v in zip(ms[n].properties.keys, ms[n].properties.values)
                          if k == "engUnit"), None) for n in UNITS}
        check(units == UNITS, f"DBIRTH {w}: units as engUnit properties {units}")
    aliases = [m.alias for p in host.births.values() for m in p.metrics]
    check(len(aliases) == len(set(aliases)), f"{len(aliases)} aliases, unique across the edge node")
    check(not host.seq_errors, f"seq continuity, alias-only DDATA, timestamps per sample: "
                               f"{host.seq_errors[:5]}")
    uplinktest.check_samples(host, rec, WELLS, PER_WELL, "live stream")
    check(not any(s["historical"] for s in host.samples.values()), "nothing was flagged historical")
    check(host.raw_samples == len(WELLS) * PER_WELL, f"no sample sent twice ({host.raw_samples})")
    wait_until(lambda: host.kinds.get("kpi", 0) >= 2, timeout=10, what="KPIs at the host")
    kpis = {m.name: m for m in host.births["A-01"].metrics if m.name.startswith("kpi/")}
    state = kpis.pop("kpi/rig_state", None)
    # What the engine says beside the state rides as text too.
    texts = {n: kpis.pop(n, None) for n in ("kpi/rig_state_reason", "kpi/quality", "kpi/block_weight_source")}
    check(len(kpis) >= 10 and all(m.datatype == DOUBLE for m in kpis.values())
          and "rigstream/kpi_seq" in {m.name for m in host.births["A-01"].metrics},
          f"{host.kinds['kpi']} KPI messages; the well's DBIRTH names {len(kpis)} kpi/ metrics (Double)")
    no_unit = [n for n, m in kpis.items() if not eng_unit(m)]
    check(not no_unit, f"every KPI metric has its engUnit ({eng_unit(kpis['kpi/mse_mpa'])} for kpi/mse_mpa, "
                       f"{eng_unit(kpis['kpi/rop_avg5m'])} for kpi/rop_avg5m; missing: {no_unit})")
    check(kpis["kpi/mse_mpa"] and eng_unit(kpis["kpi/mse_mpa"]) == "MPa"
          and eng_unit(kpis["kpi/on_bottom_pct"]) == "%", "KPI units as docs/PREDICTION.md gives them")
    check(state is not None and state.datatype == STRING,
          f"the engine's rig state is the String metric kpi/rig_state (born as {state.string_value if state else None!r})")
    with host.lock:
        seen = {m.string_value for v, d, p, _ in host.log if v == "DDATA" and d == "A-01"
                for m in p.metrics if m.alias == state.alias}
    check(seen and all(isinstance(x, str) and x for x in seen), f"kpi/rig_state values in DDATA: {sorted(seen)}")
    check(all(m is not None and m.datatype == STRING for m in texts.values()),
          "beside it the String metrics kpi/rig_state_reason, kpi/quality and kpi/block_weight_source")
    with host.lock:
        sources = {m.string_value for v, d, p, _ in host.log if v in ("DBIRTH", "DDATA") and d == "A-01"
                   for m in p.metrics if m.alias == texts["kpi/block_weight_source"].alias}
    check(sources and sources <= {"unknown", "configured", "learned", "plateau"},
          f"kpi/block_weight_source values: {sorted(sources)}")
    wait_until(lambda: len(host.node_data) >= 2, timeout=10, what="health NDATA")
    nd = host.node_data[-1][1]
    check(set(nd) == {"uplink/queue_depth", "uplink/oldest_queued_s", "uplink/dropped"} and nd["uplink/dropped"] == 0,
          f"NDATA carries the node's health by alias: {nd}")
    ddata = [(n, size) for v, d, p, size in host.log if v == "DDATA" for n in [len(p.metrics)]]
    check(len(ddata) > 0, f"{len(ddata)} DDATA messages, {sum(s for _, s in ddata) / (len(WELLS) * PER_WELL):.0f} "
                          f"bytes per sample")
    seqs = [p.seq for _, _, p, _ in host.log if p.HasField("seq")]
    check(max(seqs) == 255 or len(seqs) < 256, f"seq wraps at 255 ({len(seqs)} messages, max {max(seqs)})")

    # Rebirth on command: NBIRTH (seq 0, same bdSeq) and both DBIRTHs again.
    n_nb, n_db = host.count("NBIRTH"), host.count("DBIRTH")
    host.rebirth()
    wait_until(lambda: host.count("NBIRTH") > n_nb and host.count("DBIRTH") >= n_db + len(WELLS), timeout=10,
               what="NBIRTH and DBIRTHs after the rebirth command")
    nb2 = host.births[None]
    check(nb2.seq == 0 and {m.name: m.long_value for m in nb2.metrics}["bdSeq"] == 0,
          "rebirth: seq 0 and the same bdSeq")
    wait_until(lambda: uplinktest.stats(suite).get("rebirths", 0) >= 1, timeout=5, what="rebirths counted")
    wait_until(lambda: uplinktest.stats(suite).get("queued", 1) == 0, timeout=10, what="an empty queue")
    st = uplinktest.stats(suite)
    check(st.get("connected") == 1 and st.get("samples_sent") >= len(WELLS) * PER_WELL
          and st.get("queued") == 0 and st.get("dropped") == 0 and st.get("bytes_hour") == st.get("bytes_sent") > 0,
          f"heartbeat: connected, {st.get('samples_sent')} sent, {st.get('queued')} queued, "
          f"{st.get('dropped')} dropped, {st.get('bytes_sent')} bytes, {st.get('bytes_hour')} within the last hour")

    # A clean stop: NDEATH with this session's bdSeq.
    check(up.stop() == 0, "uplink exits 0 on SIGTERM")
    wait_until(lambda: host.deaths, timeout=5, what="NDEATH after a clean stop")
    check(host.deaths == [0], f"NDEATH bdSeq {host.deaths}")
    check(host.death_qos == [1], f"the clean stop's NDEATH was published at QoS 1 (delivered at {host.death_qos})")
    # A restart is a new session: bdSeq 1, then the next one's NDEATH will is 1.
    up = suite.start("uplink2", "rigstream-uplink", ["--url", f"mqtt://127.0.0.1:{mq.port}", "--node", "rig7",
                                                    "--spool", spool, "--topics", "telemetry."])
    wait_until(lambda: host.count("NBIRTH") >= 3, timeout=15, what="NBIRTH of the restarted uplink")
    check({m.name: m.long_value for m in host.births[None].metrics}["bdSeq"] == 1,
          "the restarted uplink's bdSeq is 1 (kept in the spool)")
    check(up.stop() == 0, "restarted uplink exits 0")
    check(engine.stop() == 0, "engine exits 0")
    rec.close()
    host.close()
    check(sim.stop() == 0, "simulator exits 0")
    check(suite.broker.stop() == 0, "broker exits 0")
    mq.stop()


if __name__ == "__main__":
    main()
