/*  rs_uplinkapp: rigstream-uplink's engine, a durable subscriber. Every
    message passes the bandwidth budget (or the downsampler) into the spool,
    and its stream's mark (rs_marks) with it, so a restart resumes from the
    spool and the publishers' journals; rs_uplink sends from the spool on a
    fast timer and deletes on acknowledgement. */
#include <errno.h>
#include <mosquitto.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rs_budget.h"
#include "rs_clock.h"
#include "rs_dirs.h"
#include "rs_downsample.h"
#include "rs_log.h"
#include "rs_marks.h"
#include "rs_spb.h"
#include "rs_spool.h"
#include "rs_uplink.h"
#include "rs_uplinkapp.h"
#include "rs_wm.h"

#define TICK_MS 10

struct rs_uplinkapp_t {
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
};

static void
s_account (rs_uplinkapp_t *self, rs_mark_t *m, uint64_t from, uint64_t to)
{
    if (rs_mark_account (m, from, to))
        rs_spool_set_mark (self->spool, rs_mark_pub (m), rs_mark_topic (m), rs_mark_epoch (m), rs_mark_value (m));
    if (rs_mark_complete (m))
        rs_spool_end_mark (self->spool, rs_mark_pub (m), rs_mark_topic (m), rs_mark_epoch (m));
}

int
rs_uplinkapp_message (rs_sub_t *sub, const rs_msg_t *msg, void *arg)
{
    rs_uplinkapp_t *self = arg;
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

//  A publisher's clean end closes its stream once everything up to last_seq
//  is held: a restart then resumes nothing of it (no unknown tail).
void
rs_uplinkapp_end (rs_sub_t *sub, const char *pub, const char *topic, uint64_t epoch, uint64_t last_seq, void *arg)
{
    (void) sub;
    rs_uplinkapp_t *self = (rs_uplinkapp_t *) arg;
    rs_mark_t *m = rs_marks_find (self->marks, pub, topic, epoch);
    if (m)
        rs_mark_end (m, last_seq);
    if (m && rs_mark_complete (m))
        rs_spool_end_mark (self->spool, pub, topic, epoch);
}

void
rs_uplinkapp_gap (rs_sub_t *sub, const rs_gap_t *gap, void *arg)
{
    (void) sub;
    rs_uplinkapp_t *self = arg;
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
    rs_uplinkapp_t *self = arg;
    if (!self->subscribed && rs_sub_stats (sub)->broker_up) {
        self->subscribed = true;
        rs_info ("ready: subscribed to %s, sending to %s (%d stream(s) resumed, %llu record(s) queued)",
                 self->topics_text, self->url, self->resumed,
                 (unsigned long long) rs_spool_stats (self->spool)->queued);
    }
    rs_uplink_tick (self->uplink, rs_clock_mono_ms (), rs_clock_now_us () / 1000);
    return 0;
}

void
rs_uplinkapp_stats (rs_sub_t *sub, rs_sub_report_t *r, void *arg)
{
    (void) sub;
    rs_uplinkapp_t *self = arg;
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
    rs_uplinkapp_t *self = arg;
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
int
rs_uplinkapp_setup (rs_config_t *cfg, rs_sub_opts_t *opts, void *arg)
{
    rs_uplinkapp_t *self = arg;
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
int
rs_uplinkapp_start (rs_sub_t *sub, void *arg)
{
    rs_uplinkapp_t *self = arg;
    self->sub = sub;
    rs_spool_foreach_mark (self->spool, s_resume, self);
    return rs_sub_timer (sub, TICK_MS, s_on_tick, self);
}

int
rs_uplinkapp_stop (rs_sub_t *sub, char *summary, size_t size, void *arg)
{
    (void) sub;
    rs_uplinkapp_t *self = arg;
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
void
rs_uplinkapp_free (void *arg)
{
    rs_uplinkapp_t *self = arg;
    rs_uplink_destroy (&self->uplink);
    rs_spool_destroy (&self->spool);
    rs_marks_destroy (&self->marks);
    rs_downsample_destroy (&self->downsample);
    rs_budget_destroy (&self->budget);
    msgpack_sbuffer_destroy (&self->buf);
    mosquitto_lib_cleanup ();
}

rs_uplinkapp_t *
rs_uplinkapp_new (void)
{
    return calloc (1, sizeof (rs_uplinkapp_t));
}

void
rs_uplinkapp_destroy (rs_uplinkapp_t **self_p)
{
    if (*self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}
