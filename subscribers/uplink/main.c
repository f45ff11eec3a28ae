/*  rigstream-uplink: sends the rig's data to the operations centre's MQTT
    broker, as a Sparkplug B edge node (or plain JSON), store-and-forward.
    A durable subscriber: every message passes the bandwidth budget (or the
    downsampler) into the spool, and its stream's mark (rs_marks) with it, so
    a restart resumes from the spool and the publishers' journals; rs_uplink
    sends from the spool and deletes on acknowledgement. See docs/UPLINK.md. */
#include <errno.h>
#include <mosquitto.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "rs_budget.h"
#include "rs_clock.h"
#include "rs_dirs.h"
#include "rs_downsample.h"
#include "rs_log.h"
#include "rs_marks.h"
#include "rs_spb.h"
#include "rs_spool.h"
#include "rs_sub.h"
#include "rs_uplink.h"
#include "rs_wm.h"

#define TICK_MS 10

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

typedef struct {
    rs_sub_t *sub;
    rs_spool_t *spool;
    rs_uplink_t *uplink;
    rs_budget_t *budget;
    rs_marks_t *marks;
    rs_downsample_t *downsample;    //  NULL: every sample is sent
    msgpack_sbuffer buf;
    bool subscribed;
    int resumed;
    uint64_t queued_samples, suppressed_samples, ignored;
    const char *url, *topics_text;
    char client_id[256];
    rs_log_limit_t log_limit;
} app_t;

static void
s_account (app_t *self, rs_mark_t *m, uint64_t from, uint64_t to)
{
    if (rs_mark_account (m, from, to))
        rs_spool_set_mark (self->spool, rs_mark_pub (m), rs_mark_topic (m), rs_mark_epoch (m), rs_mark_value (m));
    if (rs_mark_complete (m))
        rs_spool_end_mark (self->spool, rs_mark_pub (m), rs_mark_topic (m), rs_mark_epoch (m));
}

//  A publisher's clean end closes its stream once everything up to last_seq
//  is held: a restart then resumes nothing of it (no unknown tail).
static void
s_on_end (rs_sub_t *sub, const char *pub, const char *topic, uint64_t epoch, uint64_t last_seq, void *arg)
{
    (void) sub;
    app_t *self = (app_t *) arg;
    rs_mark_t *m = rs_marks_find (self->marks, pub, topic, epoch);
    if (m)
        rs_mark_end (m, last_seq);
    if (m && rs_mark_complete (m))
        rs_spool_end_mark (self->spool, pub, topic, epoch);
}

static int
s_on_message (rs_sub_t *sub, const rs_msg_t *msg, void *arg)
{
    app_t *self = (app_t *) arg;
    rs_mark_t *m = rs_marks_open (self->marks, msg->hdr.pub, msg->topic, msg->hdr.epoch, msg->hdr.seq - 1);
    self->buf.size = 0;
    int64_t ts_ms = msg->hdr.ts_us / 1000;
    uint64_t seq = msg->hdr.seq;
    int n = self->downsample && msg->kind == RS_KIND_TELEMETRY
                ? rs_downsample_add (self->downsample, msg, &self->buf, &ts_ms, &seq)
                : rs_uplink_record (msg, rs_sub_decoder (sub), self->budget, &self->buf);
    if (n > 0) {
        if (rs_spool_add (self->spool, msg->id, (int) msg->kind, seq, ts_ms, msg->replayed, self->buf.data,
                          self->buf.size)
            != 0) {
            //  Not accounted for: the mark stays, a restart repairs it.
            rs_log_limited (&self->log_limit, 5000, RS_LOG_ERROR, "out of memory queueing %s seq %llu",
                            msg->topic, (unsigned long long) msg->hdr.seq);
            return 0;
        }
        self->queued_samples++;
    }
    else if (n == 0)
        self->suppressed_samples++;
    else {
        self->ignored++;
        rs_log_limited (&self->log_limit, 60000, RS_LOG_WARN, "%s: the uplink sends telemetry, kpi and alert "
                        "messages only (check UPLINK_TOPICS)", msg->topic);
    }
    if (m)
        s_account (self, m, msg->hdr.seq, msg->hdr.seq);
    return 0;
}

static void
s_on_gap (rs_sub_t *sub, const rs_gap_t *gap, void *arg)
{
    (void) sub;
    app_t *self = (app_t *) arg;
    if (!gap->permanent)
        return;
    rs_log_limited (&self->log_limit, 5000, RS_LOG_WARN, "%s from %s: seq %llu-%llu lost for good",
                    gap->topic, gap->pub, (unsigned long long) gap->from_seq, (unsigned long long) gap->to_seq);
    rs_mark_t *m = rs_marks_find (self->marks, gap->pub, gap->topic, gap->epoch);
    if (m)
        s_account (self, m, gap->from_seq, gap->to_seq ? gap->to_seq : RS_WM_OPEN);
}

static int
s_on_tick (rs_sub_t *sub, void *arg)
{
    app_t *self = (app_t *) arg;
    if (!self->subscribed && rs_sub_stats (sub)->broker_up) {
        self->subscribed = true;
        rs_info ("ready: subscribed to %s, sending to %s (%d stream(s) resumed, %llu record(s) queued)",
                 self->topics_text, self->url, self->resumed,
                 (unsigned long long) rs_spool_stats (self->spool)->queued);
    }
    rs_uplink_tick (self->uplink, rs_clock_mono_ms (), rs_clock_now_us () / 1000);
    return 0;
}

static void
s_stats (rs_sub_t *sub, rs_sub_report_t *r, void *arg)
{
    (void) sub;
    app_t *self = (app_t *) arg;
    const rs_uplink_stats_t *u = rs_uplink_stats (self->uplink);
    const rs_spool_stats_t *q = rs_spool_stats (self->spool);
    int64_t oldest = rs_spool_oldest_ts (self->spool);
    rs_sub_report_add (r, "connected", u->connected ? 1.0 : 0.0);
    rs_sub_report_add (r, "online", u->online ? 1.0 : 0.0);
    rs_sub_report_add (r, "queued", (double) (q->queued + q->pending));
    rs_sub_report_add (r, "queued_bytes", (double) q->queued_bytes);
    rs_sub_report_add (r, "oldest_queued_s", oldest ? (double) (rs_clock_now_us () / 1000 - oldest) / 1000.0 : 0.0);
    rs_sub_report_add (r, "backlog", (double) u->backlog);
    rs_sub_report_add (r, "samples_sent", (double) u->samples_sent);
    rs_sub_report_add (r, "samples_historical", (double) u->historical_sent);
    rs_sub_report_add (r, "messages_sent", (double) u->messages_sent);
    rs_sub_report_add (r, "sent_per_s", u->sent_per_s);
    rs_sub_report_add (r, "bytes_sent", (double) u->bytes_sent);
    rs_sub_report_add (r, "bytes_per_s", u->bytes_per_s);
    rs_sub_report_add (r, "bytes_hour", (double) u->bytes_hour);
    rs_sub_report_add (r, "inflight", (double) u->inflight);
    rs_sub_report_add (r, "dropped", (double) q->dropped);
    rs_sub_report_add (r, "dropped_run", (double) q->dropped_run);
    rs_sub_report_add (r, "suppressed", (double) (self->budget ? rs_budget_suppressed (self->budget) : 0));
    rs_sub_report_add (r, "spool_errors", (double) q->write_errors);
    rs_sub_report_add (r, "sessions", (double) u->sessions);
    rs_sub_report_add (r, "connect_failures", (double) u->connect_failures);
    rs_sub_report_add (r, "births", (double) u->births);
    rs_sub_report_add (r, "rebirths", (double) u->rebirths);
    rs_sub_report_add (r, "stale_states", (double) u->stale_states);
    rs_sub_report_add (r, "bdseq", (double) u->bdseq);
    rs_sub_report_add (r, "bad_records", (double) u->bad_records);
    rs_sub_report_add (r, "ignored", (double) self->ignored);
}

static void
s_resume (const char *pub, const char *topic, uint64_t epoch, uint64_t seq, void *arg)
{
    app_t *self = (app_t *) arg;
    if (rs_marks_open (self->marks, pub, topic, epoch, seq) && rs_sub_resume (self->sub, pub, topic, epoch, seq) == RS_OK)
        self->resumed++;
}

//  The MQTT side's options; returns RS_OK or RS_E_CONFIG with the reason printed.
static int
s_check (rs_config_t *cfg, const char *url, const char *mode)
{
    char host[256];
    int port;
    bool tls;
    if (!*url || rs_uplink_parse_url (url, host, sizeof host, &port, &tls) != 0) {
        fprintf (stderr, "rigstream-uplink: --url (UPLINK_URL): %s\n",
                 *url ? "expected mqtt://host[:port] or mqtts://host[:port]" : "not set: give the MQTT broker to send to");
        return RS_E_CONFIG;
    }
    if (strcmp (mode, "sparkplug") != 0 && strcmp (mode, "json") != 0) {
        fprintf (stderr, "rigstream-uplink: --mode (UPLINK_MODE): \"%s\": expected sparkplug or json\n", mode);
        return RS_E_CONFIG;
    }
    const char *ids[] = { "group", "node", "primary-host" };
    for (size_t i = 0; i < 3; i++) {
        const char *id = rs_config_str (cfg, ids[i]);
        if ((*id || i < 2) && !rs_spb_id_valid (id)) {
            fprintf (stderr, "rigstream-uplink: --%s: \"%s\": must be non-empty, without '/', '+' or '#'\n", ids[i], id);
            return RS_E_CONFIG;
        }
    }
    return RS_OK;
}

//  Checks the options, opens the budget, the spool and the MQTT session.
static int
s_setup (rs_config_t *cfg, rs_sub_opts_t *opts, void *arg)
{
    app_t *self = (app_t *) arg;
    sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);
    msgpack_sbuffer_init (&self->buf);
    mosquitto_lib_init ();
    self->url = rs_config_str (cfg, "url");
    self->topics_text = rs_config_str (cfg, "topics");
    opts->rcvhwm = (int) rs_config_int (cfg, "rcvhwm");
    opts->drain_ms = (int) rs_config_int (cfg, "stop-grace-ms");
    const char *mode = rs_config_str (cfg, "mode"), *spool = rs_config_str (cfg, "spool");
    if (s_check (cfg, self->url, mode) != RS_OK)
        return RS_E_CONFIG;
    rs_budget_opts_t bopts = { .deadband = rs_config_double (cfg, "deadband"), .deadbands = rs_config_str (cfg, "deadbands"),
                               .min_interval_ms = rs_config_int (cfg, "min-interval-ms"),
                               .max_silence_ms = rs_config_int (cfg, "max-silence-s") * 1000 };
    if (!(self->budget = rs_budget_new (&bopts))) {
        fprintf (stderr, "rigstream-uplink: --deadbands (UPLINK_DEADBANDS): expected channel=value,...\n");
        return RS_E_CONFIG;
    }
    snprintf (self->client_id, sizeof self->client_id, *rs_config_str (cfg, "client-id") ? "%s" : "rigstream-%s",
              *rs_config_str (cfg, "client-id") ? rs_config_str (cfg, "client-id") : rs_config_str (cfg, "node"));
    char dir[4096];
    if (rs_dirs_make_parent (spool, dir, sizeof dir) != RS_OK)
        rs_warn ("cannot create directory %s for the spool: %s", dir, strerror (errno));
    rs_spool_opts_t qopts = { .path = spool, .max_bytes = rs_config_int (cfg, "spool-max-bytes"),
                              .max_days = (int) rs_config_int (cfg, "spool-days") };
    self->spool = rs_spool_new (&qopts);
    rs_uplink_opts_t uopts = {
        .mode = strcmp (mode, "json") == 0 ? RS_UPLINK_JSON : RS_UPLINK_SPARKPLUG, .url = self->url,
        .username = rs_config_str (cfg, "username"), .password = rs_config_str (cfg, "password"),
        .ca_file = rs_config_str (cfg, "ca-file"), .cert_file = rs_config_str (cfg, "cert-file"),
        .key_file = rs_config_str (cfg, "key-file"), .client_id = self->client_id,
        .keepalive_s = (int) rs_config_int (cfg, "keepalive-s"),
        .reconnect_min_ms = (int) rs_config_int (cfg, "reconnect-min-ms"),
        .reconnect_max_ms = (int) rs_config_int (cfg, "reconnect-max-ms"),
        .group = rs_config_str (cfg, "group"), .node = rs_config_str (cfg, "node"),
        .primary_host = rs_config_str (cfg, "primary-host"), .json_prefix = rs_config_str (cfg, "json-prefix"),
        .batch = (int) rs_config_int (cfg, "batch"), .max_inflight = (int) rs_config_int (cfg, "max-inflight"),
        .backlog_rate = rs_config_double (cfg, "backlog-rate"),
        .max_bytes_per_s = rs_config_double (cfg, "max-bytes-per-s"), .spool = self->spool,
        .health_ms = (int) rs_config_int (cfg, "health-s") * 1000,
    };
    self->uplink = self->spool ? rs_uplink_new (&uopts) : NULL;
    self->marks = rs_marks_new ();
    if (rs_config_int (cfg, "downsample-s") > 0)
        self->downsample = rs_downsample_new (rs_config_int (cfg, "downsample-s") * 1000);
    if (!self->uplink || !self->marks || (rs_config_int (cfg, "downsample-s") > 0 && !self->downsample))
        return RS_E_NOMEM;
    return RS_OK;
}

//  Resumes every stream the spool has a mark for; sends on a fast timer.
static int
s_start (rs_sub_t *sub, void *arg)
{
    app_t *self = (app_t *) arg;
    self->sub = sub;
    rs_spool_foreach_mark (self->spool, s_resume, self);
    return rs_sub_timer (sub, TICK_MS, s_on_tick, self);
}

static int
s_stop (rs_sub_t *sub, char *summary, size_t size, void *arg)
{
    (void) sub;
    app_t *self = (app_t *) arg;
    rs_uplink_finish (self->uplink);
    const rs_uplink_stats_t *u = rs_uplink_stats (self->uplink);
    const rs_spool_stats_t *q = rs_spool_stats (self->spool);
    snprintf (summary, size, "%llu sample(s) queued, %llu sent (%llu historical), %llu still queued, %llu dropped "
              "by the queue bounds", (unsigned long long) self->queued_samples, (unsigned long long) u->samples_sent,
              (unsigned long long) u->historical_sent, (unsigned long long) (q->queued + q->pending),
              (unsigned long long) q->dropped_run);
    return RS_OK;
}

//  The MQTT session ends with an NDEATH of its own, before the options it
//  was made from go.
static void
s_free (void *arg)
{
    app_t *self = (app_t *) arg;
    rs_uplink_destroy (&self->uplink);
    rs_spool_destroy (&self->spool);
    rs_marks_destroy (&self->marks);
    rs_downsample_destroy (&self->downsample);
    rs_budget_destroy (&self->budget);
    msgpack_sbuffer_destroy (&self->buf);
    mosquitto_lib_cleanup ();
}

int
main (int argc, char **argv)
{
    app_t self = { 0 };
    rs_sub_def_t def = {
        .component = "uplink",
        .program = "rigstream-uplink",
        .usage = "send rig data to an MQTT broker (Sparkplug B or JSON), store-and-forward",
        .options = s_options,
        .topics_option = "topics",
        .durable = true,
        .own_ready_line = true,
        .on_setup = s_setup,
        .on_start = s_start,
        .on_message = s_on_message,
        .on_gap = s_on_gap,
        .on_end = s_on_end,
        .on_stats = s_stats,
        .on_stop = s_stop,
        .on_free = s_free,
        .arg = &self,
    };
    return rs_sub_main (&def, argc, argv);
}
