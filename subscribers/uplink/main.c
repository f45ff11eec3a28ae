/*  rigstream-uplink: sends the rig's data to the operations centre's MQTT
    broker, as a Sparkplug B edge node (or plain JSON), store-and-forward.
    A durable subscriber: every message passes the bandwidth budget into the
    spool, together with its stream's mark, so a restart resumes from the
    spool and the publishers' journals; rs_uplink sends from the spool and
    deletes on acknowledgement. See docs/UPLINK.md. */
#include <errno.h>
#include <math.h>
#include <mosquitto.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rs_budget.h"
#include "rs_clock.h"
#include "rs_config.h"
#include "rs_curve.h"
#include "rs_log.h"
#include "rs_spb.h"
#include "rs_spool.h"
#include "rs_sub.h"
#include "rs_uplink.h"
#include "rs_wm.h"

#define MAX_TOPICS 16
#define TICK_MS 10

static const rs_option_t s_options[] = {
    RS_OPTIONS_BROKER_CLIENT,
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
    { "reconnect-min-ms", "UPLINK_RECONNECT_MIN_MS", RS_OPT_INT, "1000",
      "first wait before reconnecting, ms (doubles up to the maximum)", 10, 600000 },
    { "reconnect-max-ms", "UPLINK_RECONNECT_MAX_MS", RS_OPT_INT, "30000", "longest wait between attempts, ms",
      10, 3600000 },
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
    { "rcvhwm", "UPLINK_RCVHWM", RS_OPT_INT, "200000", "messages queued for the uplink by ZeroMQ", 1000,
      100000000 },
    RS_OPTION_END
};

typedef struct {
    rs_wm_t wm;
    uint64_t epoch;
    uint64_t saved;             // mark last given to the spool
    char *pub, *topic;
} stream_t;

//  A well's downsampling windows, one per channel.
typedef struct {
    zhashx_t *windows;          // channel -> rs_window_t
    uint64_t last_seq;          // seq of the well's previous sample
} well_ds_t;

typedef struct {
    rs_sub_t *sub;
    rs_spool_t *spool;
    rs_uplink_t *uplink;
    rs_budget_t *budget;
    zhashx_t *streams;          // "pub\x1ftopic" -> stream_t
    zhashx_t *wells_ds;         // well -> well_ds_t, when downsampling
    int64_t downsample_ms;
    msgpack_sbuffer buf;
    bool subscribed;
    int resumed;
    uint64_t queued_samples, suppressed_samples, ignored;
    const char *url, *topics_text, *spool_path;
    rs_log_limit_t log_limit;
} app_t;

static void
s_stream_free (stream_t **self_p)
{
    if (!*self_p)
        return;
    rs_wm_cleanup (&(*self_p)->wm);
    free ((*self_p)->pub);
    free ((*self_p)->topic);
    free (*self_p);
    *self_p = NULL;
}

//  The stream of (pub, topic); a new epoch starts it afresh at `start`.
static stream_t *
s_stream (app_t *self, const char *pub, const char *topic, uint64_t epoch, uint64_t start)
{
    char key[256];
    snprintf (key, sizeof key, "%s\x1f%s", pub, topic);
    stream_t *s = zhashx_lookup (self->streams, key);
    if (s && s->epoch == epoch)
        return s;
    if (s && s->epoch > epoch)
        return NULL;    // an old incarnation: the SDK drops those anyway
    if (!s) {
        s = calloc (1, sizeof *s);
        if (!s || !(s->pub = strdup (pub)) || !(s->topic = strdup (topic))) {
            s_stream_free (&s);
            return NULL;
        }
        zhashx_insert (self->streams, key, s);
    }
    else
        rs_wm_cleanup (&s->wm);
    rs_wm_init (&s->wm, start);
    s->epoch = epoch;
    s->saved = start;
    return s;
}

static void
s_account (app_t *self, stream_t *s, uint64_t from, uint64_t to)
{
    rs_wm_add (&s->wm, from, to);
    if (s->wm.mark != s->saved) {
        s->saved = s->wm.mark;
        rs_spool_set_mark (self->spool, s->pub, s->topic, s->epoch, s->saved);
    }
}

static void
s_well_ds_free (well_ds_t **self_p)
{
    if (!*self_p)
        return;
    zhashx_destroy (&(*self_p)->windows);
    free (*self_p);
    *self_p = NULL;
}

//  Folds a sample into its well's windows; packs the windows it closes into
//  self->buf as a record (time: the window's start; seq: the last sample
//  inside it). Returns the number of values packed, 0 when none closed.
static int
s_downsample (app_t *self, const rs_msg_t *msg, int64_t *ts_ms, uint64_t *seq)
{
    well_ds_t *w = zhashx_lookup (self->wells_ds, msg->id);
    if (!w) {
        w = calloc (1, sizeof *w);
        if (!w || !(w->windows = zhashx_new ())) {
            free (w);
            return -1;
        }
        zhashx_set_destructor (w->windows, (zhashx_destructor_fn *) zstr_free);
        zhashx_insert (self->wells_ds, msg->id, w);
    }
    rs_window_t done[RS_MAX_CHANNELS];
    const char *names[RS_MAX_CHANNELS];
    size_t n = 0;
    for (size_t i = 0; i < msg->n_values && i < RS_MAX_CHANNELS; i++) {
        rs_window_t *win = zhashx_lookup (w->windows, msg->values[i].name);
        if (!win) {
            win = calloc (1, sizeof *win);
            if (!win)
                return -1;
            zhashx_insert (w->windows, msg->values[i].name, win);
        }
        if (rs_window_add (win, self->downsample_ms, msg->hdr.ts_us / 1000, msg->values[i].value, &done[n]))
            names[n++] = msg->values[i].name;
    }
    *seq = w->last_seq;
    w->last_seq = msg->hdr.seq;
    if (!n)
        return 0;
    msgpack_packer pk;
    msgpack_packer_init (&pk, &self->buf, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 3 * n);
    char key[64];
    *ts_ms = done[0].start_ms;
    for (size_t i = 0; i < n; i++) {
        snprintf (key, sizeof key, "%s_mean", names[i]);
        rs_encode_key (&pk, key);
        rs_encode_number (&pk, done[i].sum / (double) done[i].n);
        snprintf (key, sizeof key, "%s_min", names[i]);
        rs_encode_key (&pk, key);
        rs_encode_number (&pk, done[i].min);
        snprintf (key, sizeof key, "%s_max", names[i]);
        rs_encode_key (&pk, key);
        rs_encode_number (&pk, done[i].max);
    }
    return (int) (3 * n);
}

static int
s_on_message (rs_sub_t *sub, const rs_msg_t *msg, void *arg)
{
    app_t *self = (app_t *) arg;
    stream_t *s = s_stream (self, msg->hdr.pub, msg->topic, msg->hdr.epoch, msg->hdr.seq - 1);
    self->buf.size = 0;
    int64_t ts_ms = msg->hdr.ts_us / 1000;
    uint64_t seq = msg->hdr.seq;
    int n = self->downsample_ms > 0 && msg->kind == RS_KIND_TELEMETRY
                ? s_downsample (self, msg, &ts_ms, &seq)
                : rs_uplink_record (msg, rs_sub_decoder (sub), self->budget, &self->buf);
    if (n > 0) {
        if (rs_spool_add (self->spool, msg->id, (int) msg->kind, seq, ts_ms, self->buf.data, self->buf.size)
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
    if (s)
        s_account (self, s, msg->hdr.seq, msg->hdr.seq);
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
    char key[256];
    snprintf (key, sizeof key, "%s\x1f%s", gap->pub, gap->topic);
    stream_t *s = zhashx_lookup (self->streams, key);
    if (s && s->epoch == gap->epoch)
        s_account (self, s, gap->from_seq, gap->to_seq ? gap->to_seq : RS_WM_OPEN);
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

static size_t
s_stats (rs_sub_t *sub, rs_value_t *out, size_t max, void *arg)
{
    (void) sub;
    app_t *self = (app_t *) arg;
    const rs_uplink_stats_t *u = rs_uplink_stats (self->uplink);
    const rs_spool_stats_t *q = rs_spool_stats (self->spool);
    int64_t oldest = rs_spool_oldest_ts (self->spool);
    rs_value_t stats[] = {
        { "connected", -1, u->connected ? 1.0 : 0.0 },
        { "online", -1, u->online ? 1.0 : 0.0 },
        { "queued", -1, (double) (q->queued + q->pending) },
        { "queued_bytes", -1, (double) q->queued_bytes },
        { "oldest_queued_s", -1, oldest ? (double) (rs_clock_now_us () / 1000 - oldest) / 1000.0 : 0.0 },
        { "backlog", -1, (double) u->backlog },
        { "samples_sent", -1, (double) u->samples_sent },
        { "samples_historical", -1, (double) u->historical_sent },
        { "messages_sent", -1, (double) u->messages_sent },
        { "sent_per_s", -1, u->sent_per_s },
        { "bytes_sent", -1, (double) u->bytes_sent },
        { "bytes_per_s", -1, u->bytes_per_s },
        { "bytes_hour", -1, (double) u->bytes_hour },
        { "inflight", -1, (double) u->inflight },
        { "dropped", -1, (double) q->dropped },
        { "dropped_run", -1, (double) q->dropped_run },
        { "suppressed", -1, (double) (self->budget ? rs_budget_suppressed (self->budget) : 0) },
        { "spool_errors", -1, (double) q->write_errors },
        { "sessions", -1, (double) u->sessions },
        { "connect_failures", -1, (double) u->connect_failures },
        { "births", -1, (double) u->births },
        { "rebirths", -1, (double) u->rebirths },
        { "bdseq", -1, (double) u->bdseq },
        { "bad_records", -1, (double) u->bad_records },
        { "ignored", -1, (double) self->ignored },
    };
    size_t n = sizeof stats / sizeof stats[0];
    if (n > max)
        n = max;
    memcpy (out, stats, n * sizeof *out);
    return n;
}

static void
s_resume (const char *pub, const char *topic, uint64_t epoch, uint64_t seq, void *arg)
{
    app_t *self = (app_t *) arg;
    if (s_stream (self, pub, topic, epoch, seq) && rs_sub_resume (self->sub, pub, topic, epoch, seq) == 0)
        self->resumed++;
}

static void
s_make_parent (const char *path)
{
    char dir[4096];
    if (snprintf (dir, sizeof dir, "%s", path) >= (int) sizeof dir)
        return;
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir (dir, 0775) != 0 && errno != EEXIST)
            rs_warn ("cannot create directory %s for the spool: %s", dir, strerror (errno));
        *p = '/';
    }
}

int
main (int argc, char **argv)
{
    sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);
    rs_config_t *cfg = rs_config_new ("rigstream-uplink",
                                      "send rig data to an MQTT broker (Sparkplug B or JSON), store-and-forward",
                                      s_options, NULL);
    int rc = rs_config_start (&cfg, argc, argv, "uplink");
    if (rc >= 0)
        return rc;
    app_t self = { .url = rs_config_str (cfg, "url"), .topics_text = rs_config_str (cfg, "topics"),
                   .spool_path = rs_config_str (cfg, "spool") };
    const char *mode = rs_config_str (cfg, "mode");
    char host[256];
    int port;
    bool tls;
    if (!*self.url || rs_uplink_parse_url (self.url, host, sizeof host, &port, &tls) != 0) {
        fprintf (stderr, "rigstream-uplink: --url (UPLINK_URL): %s\n",
                 *self.url ? "expected mqtt://host[:port] or mqtts://host[:port]"
                           : "not set: give the MQTT broker to send to");
        rs_config_destroy (&cfg);
        return 2;
    }
    if (strcmp (mode, "sparkplug") != 0 && strcmp (mode, "json") != 0) {
        fprintf (stderr, "rigstream-uplink: --mode (UPLINK_MODE): \"%s\": expected sparkplug or json\n", mode);
        rs_config_destroy (&cfg);
        return 2;
    }
    const char *ids[] = { "group", "node", "primary-host" };
    for (size_t i = 0; i < 3; i++) {
        const char *id = rs_config_str (cfg, ids[i]);
        if ((*id || i < 2) && !rs_spb_id_valid (id)) {
            fprintf (stderr, "rigstream-uplink: --%s: \"%s\": must be non-empty, without '/', '+' or '#'\n",
                     ids[i], id);
            rs_config_destroy (&cfg);
            return 2;
        }
    }
    char topics_buf[1024];
    const char *topics[MAX_TOPICS + 1];
    int n = rs_config_list (cfg, "topics", topics_buf, sizeof topics_buf, topics, MAX_TOPICS);
    if (n < 0) {
        fprintf (stderr, "rigstream-uplink: --topics: at most %d prefixes\n", MAX_TOPICS);
        rs_config_destroy (&cfg);
        return 2;
    }
    rs_budget_opts_t bopts = {
        .deadband = rs_config_double (cfg, "deadband"),
        .deadbands = rs_config_str (cfg, "deadbands"),
        .min_interval_ms = rs_config_int (cfg, "min-interval-ms"),
        .max_silence_ms = rs_config_int (cfg, "max-silence-s") * 1000,
    };
    self.budget = rs_budget_new (&bopts);
    if (!self.budget) {
        fprintf (stderr, "rigstream-uplink: --deadbands (UPLINK_DEADBANDS): expected channel=value,...\n");
        rs_config_destroy (&cfg);
        return 2;
    }
    char client_id[256];
    if (*rs_config_str (cfg, "client-id"))
        snprintf (client_id, sizeof client_id, "%s", rs_config_str (cfg, "client-id"));
    else
        snprintf (client_id, sizeof client_id, "rigstream-%s", rs_config_str (cfg, "node"));

    s_make_parent (self.spool_path);
    rs_spool_opts_t qopts = { .path = self.spool_path, .max_bytes = rs_config_int (cfg, "spool-max-bytes"),
                              .max_days = (int) rs_config_int (cfg, "spool-days") };
    self.spool = rs_spool_new (&qopts);
    mosquitto_lib_init ();
    rs_uplink_opts_t uopts = {
        .mode = strcmp (mode, "json") == 0 ? RS_UPLINK_JSON : RS_UPLINK_SPARKPLUG,
        .url = self.url,
        .username = rs_config_str (cfg, "username"),
        .password = rs_config_str (cfg, "password"),
        .ca_file = rs_config_str (cfg, "ca-file"),
        .cert_file = rs_config_str (cfg, "cert-file"),
        .key_file = rs_config_str (cfg, "key-file"),
        .client_id = client_id,
        .keepalive_s = (int) rs_config_int (cfg, "keepalive-s"),
        .reconnect_min_ms = (int) rs_config_int (cfg, "reconnect-min-ms"),
        .reconnect_max_ms = (int) rs_config_int (cfg, "reconnect-max-ms"),
        .group = rs_config_str (cfg, "group"),
        .node = rs_config_str (cfg, "node"),
        .primary_host = rs_config_str (cfg, "primary-host"),
        .json_prefix = rs_config_str (cfg, "json-prefix"),
        .batch = (int) rs_config_int (cfg, "batch"),
        .max_inflight = (int) rs_config_int (cfg, "max-inflight"),
        .backlog_rate = rs_config_double (cfg, "backlog-rate"),
        .max_bytes_per_s = rs_config_double (cfg, "max-bytes-per-s"),
        .spool = self.spool,
    };
    self.uplink = self.spool ? rs_uplink_new (&uopts) : NULL;
    self.streams = zhashx_new ();
    self.wells_ds = zhashx_new ();
    self.downsample_ms = rs_config_int (cfg, "downsample-s") * 1000;
    msgpack_sbuffer_init (&self.buf);
    rs_curve_t *curve = rs_curve_new_config (cfg);
    if (!curve) {
        rc = 2;
        goto done;
    }
    char sub_ep[256], pub_ep[256];
    rs_config_broker_endpoint (cfg, true, sub_ep, sizeof sub_ep);
    rs_config_broker_endpoint (cfg, false, pub_ep, sizeof pub_ep);
    rs_sub_opts_t opts = {
        .component = "uplink",
        .sub_endpoint = sub_ep,
        .pub_endpoint = pub_ep,
        .topics = n ? topics : NULL,
        .heartbeat_ms = (int) rs_config_int (cfg, "heartbeat-ms"),
        .rcvhwm = (int) rs_config_int (cfg, "rcvhwm"),
        .on_message = s_on_message,
        .arg = &self,
        .durable = true,
        .on_gap = s_on_gap,
        .curve = curve,
    };
    if (self.uplink && self.streams && self.wells_ds)
        self.sub = rs_sub_new (&opts);
    if (!self.sub) {
        rc = 1;
        goto done;
    }
    zhashx_set_destructor (self.streams, (zhashx_destructor_fn *) s_stream_free);
    zhashx_set_destructor (self.wells_ds, (zhashx_destructor_fn *) s_well_ds_free);
    rs_spool_foreach_mark (self.spool, s_resume, &self);
    rs_sub_set_stats_fn (self.sub, s_stats, &self);
    rs_sub_timer (self.sub, TICK_MS, s_on_tick, &self);
    rc = rs_sub_run (self.sub) == 0 ? 0 : 1;
    {
        const rs_uplink_stats_t *u = rs_uplink_stats (self.uplink);
        const rs_spool_stats_t *q = rs_spool_stats (self.spool);
        rs_info ("stopped: %llu sample(s) queued, %llu sent (%llu historical), %llu still queued, %llu dropped "
                 "by the queue bounds",
                 (unsigned long long) self.queued_samples, (unsigned long long) u->samples_sent,
                 (unsigned long long) u->historical_sent, (unsigned long long) (q->queued + q->pending),
                 (unsigned long long) q->dropped_run);
    }
done:
    rs_sub_destroy (&self.sub);
    rs_uplink_destroy (&self.uplink);
    rs_spool_destroy (&self.spool);
    zhashx_destroy (&self.streams);
    zhashx_destroy (&self.wells_ds);
    msgpack_sbuffer_destroy (&self.buf);
    rs_budget_destroy (&self.budget);
    rs_curve_destroy (&curve);
    mosquitto_lib_cleanup ();
    rs_config_destroy (&cfg);
    return rc;
}
