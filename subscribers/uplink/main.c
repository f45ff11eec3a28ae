/*  rigstream-uplink: sends the rig's data to the operations centre's MQTT
    broker, as a Sparkplug B edge node (or plain JSON), store-and-forward.
    A durable subscriber: every message passes the bandwidth budget (or the
    downsampler) into the spool, and its stream's mark (rs_marks) with it, so
    a restart resumes from the spool and the publishers' journals; rs_uplink
    sends from the spool and deletes on acknowledgement. See docs/UPLINK.md.
    This file is the options; rs_uplinkapp is the engine. */
#include <stdlib.h>

#include "rs_sub.h"
#include "rs_uplinkapp.h"

static const rs_option_t s_options[] = {
    { "url", "UPLINK_URL", RS_OPT_STRING, NULL,
      "MQTT broker of the operations centre: mqtt://host[:port] or mqtts://host[:port] (TLS); the uplink runs "
      "only when this is set", 0, 0 },
    { "mode", "UPLINK_MODE", RS_OPT_STRING, "sparkplug", "payloads: sparkplug (Sparkplug B 3.0) or json", 0, 0 },
    { "topics", "UPLINK_TOPICS", RS_OPT_STRING, "telemetry.,kpi.,alert.",
      "comma-separated rigstream topic prefixes to send (telemetry, kpi and alert kinds)", 0, 0 },
    { "group", "UPLINK_GROUP", RS_OPT_STRING, "rigstream", "Sparkplug group id: the company or field", 0, 0 },
    { "node", "UPLINK_NODE", RS_OPT_STRING, "rig", "Sparkplug edge node id: this rig (wells are its devices)",
      0, 0 },
    { "primary-host", "UPLINK_PRIMARY_HOST", RS_OPT_STRING, "",
      "Sparkplug primary host id whose STATE must be online for data to flow (empty = none)", 0, 0 },
    { "json-prefix", "UPLINK_JSON_PREFIX", RS_OPT_STRING, "rigstream",
      "JSON mode: topics are <prefix>/<node>/<well>/<kind>", 0, 0 },
    { "client-id", "UPLINK_CLIENT_ID", RS_OPT_STRING, "", "MQTT client id (empty = rigstream-<node>)", 0, 0 },
    { "username", "UPLINK_USERNAME", RS_OPT_STRING, "", "MQTT user name (empty = none)", 0, 0 },
    { "password", "UPLINK_PASSWORD", RS_OPT_STRING, "", "MQTT password", 0, 0 },
    { "ca-file", "UPLINK_CA_FILE", RS_OPT_STRING, "",
      "TLS: CA certificate(s) to verify the broker with (empty = the system's)", 0, 0 },
    { "cert-file", "UPLINK_CERT_FILE", RS_OPT_STRING, "", "TLS: client certificate (optional)", 0, 0 },
    { "key-file", "UPLINK_KEY_FILE", RS_OPT_STRING, "", "TLS: client private key (with --cert-file)", 0, 0 },
    { "keepalive-s", "UPLINK_KEEPALIVE_S", RS_OPT_INT, "30", "MQTT keep-alive, seconds", 5, 3600 },
    { "reconnect-min-ms", "UPLINK_RECONNECT_MIN_MS", RS_OPT_INT, "250",
      "first wait before reconnecting, ms (doubles up to the maximum)", 10, 600000 },
    { "reconnect-max-ms", "UPLINK_RECONNECT_MAX_MS", RS_OPT_INT, "1500",
      "longest wait between attempts, ms: the uplink is back this soon after the MQTT broker is", 10, 3600000 },
    { "health-s", "UPLINK_HEALTH_S", RS_OPT_INT, "10",
      "Sparkplug: send the node's health (uplink/queue_depth, oldest_queued_s, dropped) in NDATA this often, s "
      "(0 = in NBIRTH only)", 0, 86400 },
    { "spool", "UPLINK_SPOOL", RS_OPT_STRING, "./data/uplink.db",
      "store-and-forward queue (SQLite); its directory is created if missing", 0, 0 },
    { "spool-max-bytes", "UPLINK_SPOOL_MAX_BYTES", RS_OPT_INT, "1073741824",
      "queue bound in bytes: the oldest records are dropped (and counted) past it", 10000, 1e15 },
    { "spool-days", "UPLINK_SPOOL_DAYS", RS_OPT_INT, "7",
      "records older than this many days (sample time) are dropped from the queue (0 = kept)", 0, 36500 },
    { "batch", "UPLINK_BATCH", RS_OPT_INT, "20", "samples of one well per DDATA message, at most", 1, 256 },
    { "max-inflight", "UPLINK_MAX_INFLIGHT", RS_OPT_INT, "100",
      "QoS 1 messages waiting for PUBACK, at most", 1, 10000 },
    { "backlog-rate", "UPLINK_BACKLOG_RATE", RS_OPT_DOUBLE, "500",
      "backlog samples per second sent behind live data (0 = no cap)", 0, 1e9 },
    { "max-bytes-per-s", "UPLINK_MAX_BYTES_PER_S", RS_OPT_DOUBLE, "0",
      "cap on payload bytes per second put on the link (0 = none)", 0, 1e12 },
    { "deadband", "UPLINK_DEADBAND", RS_OPT_DOUBLE, "0",
      "report by exception: send a value when it moved more than this since the last one sent (0 = any change "
      "with min-interval, else everything)", 0, 1e12 },
    { "deadbands", "UPLINK_DEADBANDS", RS_OPT_STRING, "", "per-channel deadbands, e.g. rop=0.5,wob=2", 0, 0 },
    { "min-interval-ms", "UPLINK_MIN_INTERVAL_MS", RS_OPT_INT, "0",
      "report a channel at most this often, ms of sample time (0 = no limit)", 0, 86400000 },
    { "max-silence-s", "UPLINK_MAX_SILENCE_S", RS_OPT_INT, "60",
      "with a deadband or minimum interval: send an unchanged value at least this often, s (0 = never)", 0,
      86400 },
    { "downsample-s", "UPLINK_DOWNSAMPLE_S", RS_OPT_INT, "0",
      "send telemetry as N-second windows: <channel>_mean, _min and _max per window (0 = every sample)", 0,
      86400 },
    { "stop-grace-ms", "UPLINK_STOP_GRACE_MS", RS_OPT_INT, "3000",
      "on SIGTERM/SIGINT, how long to read on for publishers stopping at the same time to send their last "
      "messages and end-of-stream, before the NDEATH (0 = stop at once)", 0, 60000 },
    { "rcvhwm", "UPLINK_RCVHWM", RS_OPT_INT, "200000", "messages queued for the uplink by ZeroMQ", 1000,
      100000000 },
    RS_OPTION_END
};

int
main (int argc, char **argv)
{
    rs_uplinkapp_t *self = rs_uplinkapp_new ();
    const rs_sub_def_t def = {
        .component = "uplink",
        .program = "rigstream-uplink",
        .usage = "send rig data to an MQTT broker (Sparkplug B or JSON), store-and-forward",
        .options = s_options,
        .topics_option = "topics",
        .durable = true,
        .own_ready_line = true,
        .on_setup = rs_uplinkapp_setup,
        .on_start = rs_uplinkapp_start,
        .on_message = rs_uplinkapp_message,
        .on_gap = rs_uplinkapp_gap,
        .on_end = rs_uplinkapp_end,
        .on_stats = rs_uplinkapp_stats,
        .on_stop = rs_uplinkapp_stop,
        .on_free = rs_uplinkapp_free,
        .arg = self,
    };
    int rc = self ? rs_sub_main (&def, argc, argv) : EXIT_FAILURE;
    rs_uplinkapp_destroy (&self);
    return rc;
}
