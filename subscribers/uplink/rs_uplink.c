/*  rs_uplink: MQTT session, Sparkplug B or JSON (see rs_uplink.h). */
#include "rs_uplink.h"

#include <czmq.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <mosquitto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rs_channels.h"
#include "rs_clock.h"
#include "rs_kpi_units.h"
#include "rs_log.h"
#include "rs_spb.h"

#define ALIAS_BDSEQ   1
#define ALIAS_REBIRTH 2
#define ALIAS_QUEUE   3       // node health: uplink/queue_depth
#define ALIAS_OLDEST  4       // uplink/oldest_queued_s
#define ALIAS_DROPPED 5       // uplink/dropped
#define ALIAS_FIRST   6       // device metrics from here
#define DEATH_WAIT_MS 2000    // a clean stop waits this long for the NDEATH's PUBACK
#define FINISH_WAIT_MS 2000   // and at most this long before it for live records to be acknowledged
#define READ_MAX      256
#define MID_SLOTS     65536
#define MAX_NAME      160

typedef enum { ST_IDLE, ST_CONNECTING, ST_WAIT_HOST, ST_ONLINE } state_t;

typedef struct {
    char *name;                 // "telemetry/rop"
    uint64_t alias;
    uint32_t datatype;
    const char *unit;           // static, or NULL
    bool has_value;
    double d;
    uint64_t u;
    char *s;
    uint64_t ts_ms;
    uint64_t live_ts;           // newest timestamp sent live (0: none yet)
} metric_t;

typedef struct {
    char *id;
    metric_t *metrics;
    size_t n, cap;
    zhashx_t *by_name;          // name -> index + 1
    bool born;                  // DBIRTH sent in this session
} device_t;

typedef struct {
    int64_t *ids;               // spool records carried
    size_t n;
    size_t bytes;
    size_t n_historical;        // of which sent flagged historical
} flight_t;

struct rs_uplink_t {
    rs_uplink_opts_t opts;
    char host[256];
    int port;
    bool tls;
    struct mosquitto *mosq;
    state_t state;
    int64_t state_since;
    int64_t next_try;
    int backoff_ms;
    bool lost;                  // set by callbacks: end the session
    char lost_reason[256];
    uint64_t seq;               // next Sparkplug payload seq
    zhashx_t *devices;          // well -> device_t
    uint64_t next_alias;
    flight_t *flights[MID_SLOTS];
    //  Spool cursors: records with id <= backlog_end were queued before the
    //  session went online (sent as historical, hist_cursor is the last one
    //  sent); later ones are live (live_cursor is the last one sent), but
    //  for those recovered from a journal (late), which late_cursor sends
    //  behind them within the backlog's cap.
    int64_t backlog_end, hist_cursor, live_cursor, late_cursor;
    rs_bucket_t bytes_bucket, backlog_bucket;
    rs_uplink_stats_t stats;
    int64_t wall_ms, now_ms;
    //  Rates: counters at the start of the current second, and per-minute
    //  byte bins for the last hour.
    int64_t rate_at;
    uint64_t rate_samples, rate_bytes;
    uint64_t minute_bytes[60];
    int64_t minute_at;
    bool finished;              //  rs_uplink_finish has run
    rs_log_limit_t log_limit;
    char topic_buf[512];
    int64_t host_ts;            // timestamp of the last primary host STATE acted on (-1: none)
    int64_t health_at;          // monotonic ms of the last health NDATA
    int death_mid;              // the clean stop's NDEATH, until acknowledged
    bool death_acked;
};

static void s_lose (rs_uplink_t *self, const char *reason);

//  ------------------------------------------------------------------------
//  Records: a MessagePack map of name -> double | nil | uint | string.

static bool
s_budget_pass (rs_budget_t *budget, const rs_msg_t *msg, const char *name, double v)
{
    return !budget || rs_budget_pass (budget, msg->id, name, v, msg->hdr.ts_us / 1000);
}

//  The engine's verdicts on the channels it holds no good reading of (its
//  kpi message's "quality" map) as one text, "wob: wob pinned at -89 kN;
//  ..."; "" when none.
static void
s_quality_text (const rs_msg_t *msg, char *buf, size_t size)
{
    buf[0] = 0;
    if (!msg->body || msg->body->type != MSGPACK_OBJECT_MAP)
        return;
    const msgpack_object_map *map = &msg->body->via.map;
    for (uint32_t i = 0; i < map->size; i++) {
        const msgpack_object *k = &map->ptr[i].key, *v = &map->ptr[i].val;
        if (k->type != MSGPACK_OBJECT_STR || k->via.str.size != 7 || memcmp (k->via.str.ptr, "quality", 7) != 0
            || v->type != MSGPACK_OBJECT_MAP)
            continue;
        size_t len = 0;
        for (uint32_t j = 0; j < v->via.map.size; j++) {
            const msgpack_object *ck = &v->via.map.ptr[j].key, *cv = &v->via.map.ptr[j].val;
            if (ck->type != MSGPACK_OBJECT_STR || cv->type != MSGPACK_OBJECT_STR)
                continue;
            int n = snprintf (buf + len, size - len, "%s%.*s: %.*s", len ? "; " : "", (int) ck->via.str.size,
                              ck->via.str.ptr, (int) cv->via.str.size, cv->via.str.ptr);
            if (n < 0 || (size_t) n >= size - len)
                break;              //  cut short: the rest does not fit
            len += (size_t) n;
        }
    }
}

int
rs_uplink_record (const rs_msg_t *msg, rs_decoder_t *dec, rs_budget_t *budget, msgpack_sbuffer *out)
{
    msgpack_packer pk;
    msgpack_packer_init (&pk, out, msgpack_sbuffer_write);
    if (msg->kind == RS_KIND_TELEMETRY || msg->kind == RS_KIND_KPI) {
        bool keep[RS_MAX_CHANNELS];
        size_t n = 0;
        for (size_t i = 0; i < msg->n_values && i < RS_MAX_CHANNELS; i++) {
            keep[i] = s_budget_pass (budget, msg, msg->values[i].name, msg->values[i].value);
            n += keep[i];
        }
        if (!n)
            return 0;
        //  The engine's rig state rides with its KPIs, as text, with what it
        //  says beside it: why the state is unknown, where the block weight
        //  comes from, the channels it holds suspect; "" when nothing, so
        //  that a host sees each clear.
        const char *state = msg->kind == RS_KIND_KPI ? rs_msg_text (dec, msg, "rig_state") : NULL;
        const char *reason = state ? rs_msg_text (dec, msg, "rig_state_reason") : NULL;
        const char *bw = state ? rs_msg_text (dec, msg, "block_weight_source") : NULL;
        char quality[512];
        s_quality_text (msg, quality, sizeof quality);
        size_t texts = state ? 3 + (bw != NULL) : 0;
        msgpack_pack_map (&pk, n + texts);
        for (size_t i = 0; i < msg->n_values && i < RS_MAX_CHANNELS; i++) {
            if (!keep[i])
                continue;
            rs_encode_key (&pk, msg->values[i].name);
            rs_encode_number (&pk, msg->values[i].value);
        }
        if (state) {
            rs_encode_key (&pk, "rig_state");
            rs_encode_string (&pk, state);
            rs_encode_key (&pk, "rig_state_reason");
            rs_encode_string (&pk, reason ? reason : "");
            rs_encode_key (&pk, "quality");
            rs_encode_string (&pk, quality);
            if (bw) {
                rs_encode_key (&pk, "block_weight_source");
                rs_encode_string (&pk, bw);
            }
        }
        return (int) (n + texts);
    }
    if (msg->kind != RS_KIND_ALERT || !msg->body || msg->body->type != MSGPACK_OBJECT_MAP)
        return -1;
    //  An alert is a transition: always sent, whatever the budget.
    static const char *texts[] = { "type", "state", "severity", "message", "channel", "rule" };
    const char *vals[6];
    size_t n = 0;
    for (size_t i = 0; i < 6; i++) {
        vals[i] = rs_msg_text (dec, msg, texts[i]);
        n += vals[i] != NULL;
    }
    uint64_t alert_id = 0;
    double value = NAN;
    bool has_id = false;
    const msgpack_object_map *map = &msg->body->via.map;
    for (uint32_t i = 0; i < map->size; i++) {
        const msgpack_object *k = &map->ptr[i].key, *v = &map->ptr[i].val;
        if (k->type != MSGPACK_OBJECT_STR)
            continue;
        if (k->via.str.size == 8 && memcmp (k->via.str.ptr, "alert_id", 8) == 0
            && v->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
            alert_id = v->via.u64;
            has_id = true;
        }
        else if (k->via.str.size == 5 && memcmp (k->via.str.ptr, "value", 5) == 0
                 && (v->type == MSGPACK_OBJECT_FLOAT64 || v->type == MSGPACK_OBJECT_FLOAT32))
            value = v->via.f64;
        else if (k->via.str.size == 5 && memcmp (k->via.str.ptr, "value", 5) == 0
                 && v->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
            value = (double) v->via.u64;
        else if (k->via.str.size == 5 && memcmp (k->via.str.ptr, "value", 5) == 0
                 && v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
            value = (double) v->via.i64;
    }
    msgpack_pack_map (&pk, n + 1 + has_id);
    for (size_t i = 0; i < 6; i++) {
        if (!vals[i])
            continue;
        rs_encode_key (&pk, texts[i]);
        rs_encode_string (&pk, vals[i]);
    }
    if (has_id) {
        rs_encode_key (&pk, "alert_id");
        msgpack_pack_uint64 (&pk, alert_id);
    }
    rs_encode_key (&pk, "value");
    rs_encode_number (&pk, value);
    return (int) (n + 1 + has_id);
}

bool
rs_uplink_live (bool backlog, bool late, uint64_t ts_ms, uint64_t newest_live_ms)
{
    return !backlog && !late && ts_ms >= newest_live_ms;
}

//  ------------------------------------------------------------------------
//  Devices and their metrics.

static void
s_device_destroy (device_t **self_p)
{
    device_t *d = *self_p;
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        free (d->metrics[i].name);
        free (d->metrics[i].s);
    }
    free (d->metrics);
    zhashx_destroy (&d->by_name);
    free (d->id);
    free (d);
    *self_p = NULL;
}

//  The metric `name` of a device, created (with a new alias) when missing;
//  *created tells. NULL when out of memory.
static metric_t *
s_metric (rs_uplink_t *self, device_t *d, const char *name, uint32_t datatype, const char *unit, bool *created)
{
    uintptr_t i = (uintptr_t) zhashx_lookup (d->by_name, name);
    if (i)
        return &d->metrics[i - 1];
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 32;
        metric_t *m = realloc (d->metrics, cap * sizeof *m);
        if (!m)
            return NULL;
        d->metrics = m;
        d->cap = cap;
    }
    metric_t *m = &d->metrics[d->n];
    memset (m, 0, sizeof *m);
    m->name = strdup (name);
    if (!m->name)
        return NULL;
    m->alias = self->next_alias++;
    m->datatype = datatype;
    m->unit = unit;
    zhashx_insert (d->by_name, name, (void *) (uintptr_t) (d->n + 1));
    d->n++;
    if (created)
        *created = true;
    return m;
}

static device_t *
s_device (rs_uplink_t *self, const char *well)
{
    device_t *d = zhashx_lookup (self->devices, well);
    if (d)
        return d;
    d = calloc (1, sizeof *d);
    if (!d)
        return NULL;
    d->id = strdup (well);
    d->by_name = zhashx_new ();
    if (!d->id || !d->by_name) {
        s_device_destroy (&d);
        return NULL;
    }
    //  Every known channel is announced from the first birth, with its unit.
    char name[MAX_NAME];
    for (int c = 0; c < RS_CH_COUNT; c++) {
        const rs_chan_info_t *info = rs_chan_info (c);
        snprintf (name, sizeof name, "telemetry/%s", info->name);
        if (!s_metric (self, d, name, RS_SPB_DOUBLE, info->unit, NULL)) {
            s_device_destroy (&d);
            return NULL;
        }
    }
    if (!s_metric (self, d, "rigstream/telemetry_seq", RS_SPB_UINT64, NULL, NULL)) {
        s_device_destroy (&d);
        return NULL;
    }
    zhashx_insert (self->devices, well, d);
    return d;
}

//  ------------------------------------------------------------------------
//  Publishing.

static uint64_t
s_next_seq (rs_uplink_t *self)
{
    uint64_t s = self->seq;
    self->seq = (self->seq + 1) & 255;
    return s;
}

//  Publishes; records the flight (taking ownership of ids) for QoS 1.
//  Returns 0 or -1 (the session is then being lost).
static int
s_publish (rs_uplink_t *self, const char *topic, const void *data, size_t size, int qos, flight_t *flight)
{
    int mid = 0;
    int rc = mosquitto_publish (self->mosq, &mid, topic, (int) size, data, qos, false);
    if (rc != MOSQ_ERR_SUCCESS) {
        self->stats.publish_errors++;
        if (flight) {
            free (flight->ids);
            free (flight);
        }
        char reason[160];
        snprintf (reason, sizeof reason, "publish failed: %s", mosquitto_strerror (rc));
        s_lose (self, reason);
        return -1;
    }
    if (flight) {
        flight_t **slot = &self->flights[mid % MID_SLOTS];
        if (*slot) {
            //  Cannot happen with fewer than 65535 messages in flight.
            free ((*slot)->ids);
            free (*slot);
        }
        else
            self->stats.inflight++;
        *slot = flight;
    }
    return 0;
}

static void
s_fill_value (rs_spb_metric_t *o, const metric_t *m)
{
    o->datatype = m->datatype;
    if (!m->has_value) {
        o->is_null = true;
        return;
    }
    o->d = m->d;
    o->u = m->u;
    o->s = m->s;
    if (m->datatype == RS_SPB_STRING && !m->s)
        o->is_null = true;
    if (m->datatype == RS_SPB_DOUBLE && !isfinite (m->d))
        o->is_null = true;
}

static int
s_dbirth (rs_uplink_t *self, device_t *d)
{
    rs_spb_metric_t *ms = calloc (d->n ? d->n : 1, sizeof *ms);
    if (!ms)
        return -1;
    for (size_t i = 0; i < d->n; i++) {
        const metric_t *m = &d->metrics[i];
        ms[i].name = m->name;
        ms[i].alias = m->alias;
        ms[i].ts_ms = m->ts_ms ? m->ts_ms : (uint64_t) self->wall_ms;
        ms[i].send_datatype = true;
        ms[i].unit = m->unit;
        s_fill_value (&ms[i], m);
    }
    size_t size = 0;
    uint8_t *bytes = rs_spb_encode ((uint64_t) self->wall_ms, true, s_next_seq (self), ms, d->n, &size);
    free (ms);
    if (!bytes)
        return -1;
    rs_spb_topic (self->topic_buf, sizeof self->topic_buf, self->opts.group, "DBIRTH", self->opts.node, d->id);
    int rc = s_publish (self, self->topic_buf, bytes, size, 0, NULL);
    free (bytes);
    if (rc == 0)
        d->born = true;
    return rc;
}

//  The node's health metrics (aliases ALIAS_QUEUE..ALIAS_DROPPED), in
//  births with name and type, in NDATA by alias; 3 entries in ms.
static void
s_health_metrics (rs_uplink_t *self, rs_spb_metric_t *ms, bool birth)
{
    const rs_spool_stats_t *q = rs_spool_stats (self->opts.spool);
    int64_t oldest = rs_spool_oldest_ts (self->opts.spool);
    uint64_t ts = (uint64_t) self->wall_ms;
    ms[0] = (rs_spb_metric_t) { .alias = ALIAS_QUEUE, .ts_ms = ts, .datatype = RS_SPB_UINT64,
                                .u = q->queued + q->pending };
    ms[1] = (rs_spb_metric_t) { .alias = ALIAS_OLDEST, .ts_ms = ts, .datatype = RS_SPB_DOUBLE,
                                .d = oldest ? (double) (self->wall_ms - oldest) / 1000.0 : 0.0 };
    ms[2] = (rs_spb_metric_t) { .alias = ALIAS_DROPPED, .ts_ms = ts, .datatype = RS_SPB_UINT64, .u = q->dropped };
    if (birth) {
        ms[0].name = "uplink/queue_depth";
        ms[1].name = "uplink/oldest_queued_s";
        ms[1].unit = "s";
        ms[2].name = "uplink/dropped";
        for (int i = 0; i < 3; i++)
            ms[i].send_datatype = true;
    }
}

//  NDEATH (bdSeq only, no seq) or NBIRTH (bdSeq, rebirth, health; seq 0).
static uint8_t *
s_node_payload (rs_uplink_t *self, bool birth, size_t *size)
{
    rs_spb_metric_t ms[5] = {
        { .name = "bdSeq", .alias = ALIAS_BDSEQ, .ts_ms = (uint64_t) self->wall_ms, .datatype = RS_SPB_UINT64,
          .send_datatype = true, .u = self->stats.bdseq },
        { .name = "Node Control/Rebirth", .alias = ALIAS_REBIRTH, .ts_ms = (uint64_t) self->wall_ms,
          .datatype = RS_SPB_BOOLEAN, .send_datatype = true, .b = false },
    };
    if (birth)
        s_health_metrics (self, &ms[2], true);
    return rs_spb_encode ((uint64_t) self->wall_ms, birth, 0, ms, birth ? 5 : 1, size);
}

//  NDATA with the health metrics: the queue as the host sees it.
static int
s_health (rs_uplink_t *self)
{
    rs_spb_metric_t ms[3];
    s_health_metrics (self, ms, false);
    size_t size = 0;
    uint8_t *bytes = rs_spb_encode ((uint64_t) self->wall_ms, true, s_next_seq (self), ms, 3, &size);
    if (!bytes)
        return -1;
    rs_spb_topic (self->topic_buf, sizeof self->topic_buf, self->opts.group, "NDATA", self->opts.node, NULL);
    int rc = s_publish (self, self->topic_buf, bytes, size, 0, NULL);
    free (bytes);
    self->health_at = self->now_ms;
    return rc;
}

//  NBIRTH (seq 0) and a DBIRTH for every device known.
static int
s_births (rs_uplink_t *self)
{
    self->seq = 0;
    size_t size = 0;
    uint8_t *bytes = s_node_payload (self, true, &size);
    if (!bytes)
        return -1;
    self->health_at = self->now_ms;
    s_next_seq (self);
    rs_spb_topic (self->topic_buf, sizeof self->topic_buf, self->opts.group, "NBIRTH", self->opts.node, NULL);
    int rc = s_publish (self, self->topic_buf, bytes, size, 0, NULL);
    free (bytes);
    if (rc != 0)
        return -1;
    self->stats.births++;
    for (device_t *d = zhashx_first (self->devices); d; d = zhashx_next (self->devices))
        if (s_dbirth (self, d) != 0)
            return -1;
    return 0;
}

//  Sets a metric from a record value; returns false when unusable.
static bool
s_set_value (metric_t *m, const msgpack_object *v, uint64_t ts_ms)
{
    m->ts_ms = ts_ms;
    m->has_value = true;
    switch (v->type) {
    case MSGPACK_OBJECT_NIL:
        m->has_value = false;
        return true;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        m->d = v->via.f64;
        m->u = (uint64_t) (v->via.f64 < 0 ? 0 : v->via.f64);
        return true;
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        m->u = v->via.u64;
        m->d = (double) v->via.u64;
        return true;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        m->d = (double) v->via.i64;
        m->u = (uint64_t) v->via.i64;
        return true;
    case MSGPACK_OBJECT_STR: {
        char *s = strndup (v->via.str.ptr, v->via.str.size);
        if (!s)
            return false;
        free (m->s);
        m->s = s;
        return true;
    }
    default:
        return false;
    }
}

static uint32_t
s_type_of (const msgpack_object *v)
{
    switch (v->type) {
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        return RS_SPB_UINT64;
    case MSGPACK_OBJECT_STR:
        return RS_SPB_STRING;
    default:
        return RS_SPB_DOUBLE;
    }
}

//  The metrics of one data message being built, and the text values of
//  historical ones (they are not the metrics' current values).
typedef struct {
    rs_spb_metric_t *ms;
    size_t n, cap;
    char **texts;
    size_t n_texts, cap_texts;
} build_t;

static void
s_build_free (build_t *b)
{
    for (size_t i = 0; i < b->n_texts; i++)
        free (b->texts[i]);
    free (b->texts);
    free (b->ms);
}

//  Adds one metric of a data message (alias only, value, timestamp).
static int
s_push (build_t *b, const metric_t *m, uint64_t ts_ms, bool historical)
{
    if (b->n == b->cap) {
        size_t c = b->cap ? b->cap * 2 : 64;
        rs_spb_metric_t *p = realloc (b->ms, c * sizeof *p);
        if (!p)
            return -1;
        b->ms = p;
        b->cap = c;
    }
    rs_spb_metric_t *o = &b->ms[b->n++];
    memset (o, 0, sizeof *o);
    o->alias = m->alias;
    o->ts_ms = ts_ms;
    o->is_historical = historical;
    s_fill_value (o, m);
    return 0;
}

//  Keeps a text the message being built points to until it is sent.
static int
s_keep_text (build_t *b, char *text)
{
    if (b->n_texts == b->cap_texts) {
        size_t c = b->cap_texts ? b->cap_texts * 2 : 8;
        char **t = realloc (b->texts, c * sizeof *t);
        if (!t)
            return -1;
        b->texts = t;
        b->cap_texts = c;
    }
    b->texts[b->n_texts++] = text;
    return 0;
}

//  Adds a record's value of metric m. A live value becomes the metric's
//  current one (what a later DBIRTH carries) and its newest live time; a
//  historical one is sent as it is and leaves the metric alone, so a birth
//  never takes a value back in time.
static int
s_push_value (build_t *b, metric_t *m, const msgpack_object *v, uint64_t ts_ms, bool historical)
{
    if (!historical) {
        //  A text the message already holds (an earlier record of the same
        //  metric in this batch) stays until it is sent.
        if (m->s && v->type == MSGPACK_OBJECT_STR) {
            if (s_keep_text (b, m->s) != 0)
                return -1;
            m->s = NULL;
        }
        if (!s_set_value (m, v, ts_ms))
            return -1;
        m->live_ts = ts_ms;
        return s_push (b, m, ts_ms, false);
    }
    metric_t old = { .alias = m->alias, .datatype = m->datatype };
    if (!s_set_value (&old, v, ts_ms))
        return -1;
    if (old.s && s_keep_text (b, old.s) != 0) {
        free (old.s);
        return -1;
    }
    return s_push (b, &old, ts_ms, true);
}

static const char *
s_kind_folder (int kind)
{
    return kind >= 0 && kind < RS_KIND_COUNT ? rs_kind_name ((rs_kind_t) kind) : NULL;
}

//  Builds the Sparkplug DDATA for records of one well (sending a DBIRTH
//  first when the device is new to the session or has new metrics).
//  A record goes live only when it is neither backlog (`historical`) nor
//  late (recovered from a journal) and no older than what its stream last
//  sent live: the stream's rigstream/<kind>_seq metric rides with each of
//  its records, so its newest live time orders them all, and no host tag
//  ever steps back in time. Everything else is flagged historical.
//  Returns fresh bytes or NULL; *bad counts records that could not be read,
//  *n_hist those sent historical.
static uint8_t *
s_ddata (rs_uplink_t *self, const rs_spool_rec_t *recs, size_t k, bool historical, size_t *size, size_t *bad,
         size_t *n_hist)
{
    device_t *d = s_device (self, recs[0].well);
    if (!d)
        return NULL;
    build_t b = { 0 };
    bool created = false;
    for (size_t r = 0; r < k; r++) {
        const char *folder = s_kind_folder (recs[r].kind);
        msgpack_unpacked u;
        msgpack_unpacked_init (&u);
        size_t off = 0;
        if (!folder || msgpack_unpack_next (&u, recs[r].data, recs[r].size, &off) != MSGPACK_UNPACK_SUCCESS
            || u.data.type != MSGPACK_OBJECT_MAP) {
            msgpack_unpacked_destroy (&u);
            (*bad)++;
            continue;
        }
        uint64_t ts = (uint64_t) recs[r].ts_ms;
        char name[MAX_NAME];
        snprintf (name, sizeof name, "rigstream/%s_seq", folder);
        metric_t *sm = s_metric (self, d, name, RS_SPB_UINT64, NULL, &created);
        if (!sm)
            goto fail;
        bool hist = !rs_uplink_live (historical, recs[r].late, ts, sm->live_ts);
        *n_hist += hist;
        msgpack_object seqv = { .type = MSGPACK_OBJECT_POSITIVE_INTEGER, .via.u64 = recs[r].seq };
        if (s_push_value (&b, sm, &seqv, ts, hist) != 0)
            goto fail;
        bool kpi = recs[r].kind == RS_KIND_KPI;
        const msgpack_object_map *map = &u.data.via.map;
        for (uint32_t i = 0; i < map->size; i++) {
            const msgpack_object *key = &map->ptr[i].key, *v = &map->ptr[i].val;
            if (key->type != MSGPACK_OBJECT_STR)
                continue;
            snprintf (name, sizeof name, "%s/%.*s", folder, (int) key->via.str.size, key->via.str.ptr);
            //  KPIs carry no units on the wire: the suite's table names them.
            const char *unit = kpi && v->type != MSGPACK_OBJECT_STR ? rs_kpi_unit (name + 4) : NULL;
            metric_t *m = s_metric (self, d, name, s_type_of (v), unit, &created);
            if (!m || s_push_value (&b, m, v, ts, hist) != 0)
                goto fail;
        }
        msgpack_unpacked_destroy (&u);
        continue;
    fail:
        msgpack_unpacked_destroy (&u);
        s_build_free (&b);
        return NULL;
    }
    if ((created || !d->born) && s_dbirth (self, d) != 0) {
        s_build_free (&b);
        return NULL;
    }
    uint8_t *bytes = b.n ? rs_spb_encode ((uint64_t) self->wall_ms, true, s_next_seq (self), b.ms, b.n, size) : NULL;
    s_build_free (&b);
    return bytes;
}

//  One JSON object for one record. Returns fresh text or NULL.
static char *
s_json (rs_uplink_t *self, const rs_spool_rec_t *rec, bool historical)
{
    msgpack_unpacked u;
    msgpack_unpacked_init (&u);
    size_t off = 0;
    const char *kind = s_kind_folder (rec->kind);
    if (!kind || msgpack_unpack_next (&u, rec->data, rec->size, &off) != MSGPACK_UNPACK_SUCCESS
        || u.data.type != MSGPACK_OBJECT_MAP) {
        msgpack_unpacked_destroy (&u);
        return NULL;
    }
    json_t *values = json_object ();
    const msgpack_object_map *map = &u.data.via.map;
    for (uint32_t i = 0; i < map->size && values; i++) {
        const msgpack_object *key = &map->ptr[i].key, *v = &map->ptr[i].val;
        if (key->type != MSGPACK_OBJECT_STR)
            continue;
        json_t *j;
        switch (v->type) {
        case MSGPACK_OBJECT_FLOAT32:
        case MSGPACK_OBJECT_FLOAT64:
            j = isfinite (v->via.f64) ? json_real (v->via.f64) : json_null ();
            break;
        case MSGPACK_OBJECT_POSITIVE_INTEGER:
            j = json_integer ((json_int_t) v->via.u64);
            break;
        case MSGPACK_OBJECT_NEGATIVE_INTEGER:
            j = json_integer ((json_int_t) v->via.i64);
            break;
        case MSGPACK_OBJECT_STR:
            j = json_stringn (v->via.str.ptr, v->via.str.size);
            break;
        default:
            j = json_null ();
        }
        json_object_setn_new (values, key->via.str.ptr, key->via.str.size, j);
    }
    msgpack_unpacked_destroy (&u);
    json_t *o = json_pack ("{s:s, s:s, s:s, s:I, s:I, s:b, s:o}", "rig", self->opts.node, "well", rec->well,
                           "kind", kind, "seq", (json_int_t) rec->seq, "ts", (json_int_t) rec->ts_ms,
                           "historical", historical, "values", values);
    if (!o)
        return NULL;
    char *text = json_dumps (o, JSON_COMPACT);
    json_decref (o);
    return text;
}

//  Publishes one message for records of one well; takes nothing. Returns 0,
//  1 when the records were unreadable (acknowledged away), or -1.
static int
s_publish_group (rs_uplink_t *self, const rs_spool_rec_t *recs, size_t k, bool historical)
{
    size_t size = 0, bad = 0, n_hist = 0;
    uint8_t *bytes = NULL;
    if (self->opts.mode == RS_UPLINK_JSON) {
        //  The same rule as s_ddata: live only when in time order per stream.
        const char *kind = s_kind_folder (recs[0].kind);
        char name[MAX_NAME];
        snprintf (name, sizeof name, "rigstream/%s_seq", kind ? kind : "unknown");
        device_t *d = s_device (self, recs[0].well);
        metric_t *sm = d ? s_metric (self, d, name, RS_SPB_UINT64, NULL, NULL) : NULL;
        uint64_t ts = (uint64_t) recs[0].ts_ms;
        historical = !rs_uplink_live (historical, recs[0].late, ts, sm ? sm->live_ts : 0);
        if (!historical && sm)
            sm->live_ts = ts;
        n_hist = historical;
        char *text = s_json (self, &recs[0], historical);
        bad = text == NULL;
        bytes = (uint8_t *) text;
        size = text ? strlen (text) : 0;
        snprintf (self->topic_buf, sizeof self->topic_buf, "%s/%s/%s/%s", self->opts.json_prefix,
                  self->opts.node, recs[0].well, kind ? kind : "unknown");
    }
    else {
        bytes = s_ddata (self, recs, k, historical, &size, &bad, &n_hist);
        rs_spb_topic (self->topic_buf, sizeof self->topic_buf, self->opts.group, "DDATA", self->opts.node,
                      recs[0].well);
    }
    if (!bytes || self->state != ST_ONLINE) {
        free (bytes);
        if (bad != k)
            return -1;
        //  Unreadable records can never be sent: counted, logged, dropped.
        self->stats.bad_records += bad;
        rs_log_limited (&self->log_limit, 10000, RS_LOG_ERROR, "dropping %zu unreadable spool record(s)", bad);
        for (size_t i = 0; i < k; i++)
            rs_spool_ack (self->opts.spool, recs[i].id);
        return 1;
    }
    flight_t *f = calloc (1, sizeof *f);
    int64_t *ids = calloc (k, sizeof *ids);
    if (!f || !ids) {
        free (f);
        free (ids);
        free (bytes);
        return -1;
    }
    for (size_t i = 0; i < k; i++)
        ids[i] = recs[i].id;
    f->ids = ids;
    f->n = k;
    f->bytes = size;
    f->n_historical = n_hist;
    int rc = s_publish (self, self->topic_buf, bytes, size, 1, f);
    free (bytes);
    if (rc == 0)
        rs_bucket_debit (&self->bytes_bucket, size);
    return rc;
}

rs_uplink_lane_t
rs_uplink_lane (bool backlog, bool late)
{
    return backlog ? RS_UPLINK_BACKLOG : late ? RS_UPLINK_CATCHUP : RS_UPLINK_LIVE;
}

int
rs_uplink_allowance (rs_bucket_t *bucket, int64_t now_ms)
{
    if (bucket->rate <= 0)
        return -1;
    rs_bucket_take (bucket, 0, now_ms);
    return bucket->tokens >= 1 ? (int) bucket->tokens : 0;
}

//  Sends records of `lane` from the spool after *cursor (up to `upto`, 0 =
//  all), at most `max_samples` of them (-1 = no limit), a batch at a time:
//  one message per well in the batch (JSON: per record). The cursor passes
//  over records of the other lanes. Returns how many were sent; *done tells
//  when nothing was left.
static int
s_send_from (rs_uplink_t *self, int64_t *cursor, int64_t upto, rs_uplink_lane_t lane, int max_samples,
             bool *done)
{
    bool historical = lane != RS_UPLINK_LIVE;
    rs_spool_rec_t recs[READ_MAX], group[READ_MAX];
    bool taken[READ_MAX];
    int sent = 0;
    *done = false;
    while (self->state == ST_ONLINE && (int) self->stats.inflight < self->opts.max_inflight
           && (max_samples < 0 || sent < max_samples) && rs_bucket_ready (&self->bytes_bucket, self->now_ms)) {
        int want = self->opts.batch;
        if (max_samples >= 0 && want > max_samples - sent)
            want = max_samples - sent;
        int n = rs_spool_read (self->opts.spool, *cursor, upto, recs, (size_t) want);
        if (n <= 0) {
            *done = n == 0;
            break;
        }
        //  Records of another lane are someone else's (backlog: all).
        int mine = 0;
        for (int i = 0; i < n; i++) {
            taken[i] = lane != RS_UPLINK_BACKLOG && rs_uplink_lane (false, recs[i].late) != lane;
            mine += !taken[i];
        }
        int rc = 0;
        for (int i = 0; i < n && rc >= 0; i++) {
            if (taken[i])
                continue;
            size_t k = 0;
            for (int j = i; j < n; j++)
                if (!taken[j] && strcmp (recs[j].well, recs[i].well) == 0
                    && (self->opts.mode == RS_UPLINK_SPARKPLUG || j == i)) {
                    group[k++] = recs[j];
                    taken[j] = true;
                }
            rc = s_publish_group (self, group, k, historical);
        }
        if (rc < 0)
            break;      // the session is being lost: everything unacknowledged goes again
        *cursor = recs[n - 1].id;
        sent += mine;
    }
    return sent;
}

//  Live records first, at once; then, within one cap (UPLINK_BACKLOG_RATE),
//  the backlog and the journal's catch-up, both historical, oldest first.
static void
s_send (rs_uplink_t *self)
{
    bool live_done = false, done = false;
    s_send_from (self, &self->live_cursor, 0, RS_UPLINK_LIVE, -1, &live_done);
    if (!live_done)
        return;
    int allowed = rs_uplink_allowance (&self->backlog_bucket, self->now_ms);
    if (allowed != 0 && self->hist_cursor < self->backlog_end) {
        int n = s_send_from (self, &self->hist_cursor, self->backlog_end, RS_UPLINK_BACKLOG, allowed, &done);
        if (allowed > 0)
            self->backlog_bucket.tokens -= n;
        if (done)
            self->hist_cursor = self->backlog_end;
        allowed = rs_uplink_allowance (&self->backlog_bucket, self->now_ms);
    }
    if (allowed != 0 && self->hist_cursor >= self->backlog_end && self->late_cursor < self->live_cursor) {
        int n = s_send_from (self, &self->late_cursor, self->live_cursor, RS_UPLINK_CATCHUP, allowed, &done);
        if (allowed > 0)
            self->backlog_bucket.tokens -= n;
    }
}

//  ------------------------------------------------------------------------
//  Session.

static void
s_clear_flights (rs_uplink_t *self)
{
    for (size_t i = 0; i < MID_SLOTS; i++)
        if (self->flights[i]) {
            free (self->flights[i]->ids);
            free (self->flights[i]);
            self->flights[i] = NULL;
        }
    self->stats.inflight = 0;
}

static void
s_lose (rs_uplink_t *self, const char *reason)
{
    if (!self->lost) {
        self->lost = true;
        snprintf (self->lost_reason, sizeof self->lost_reason, "%s", reason);
    }
}

//  Goes online: births (Sparkplug), then what the spool holds is backlog.
static void
s_go_online (rs_uplink_t *self)
{
    if (self->opts.mode == RS_UPLINK_SPARKPLUG) {
        for (device_t *d = zhashx_first (self->devices); d; d = zhashx_next (self->devices))
            d->born = false;
        if (s_births (self) != 0)
            return;
    }
    rs_spool_flush (self->opts.spool, self->wall_ms);
    self->backlog_end = rs_spool_last_id (self->opts.spool);
    self->live_cursor = self->backlog_end;
    self->late_cursor = self->backlog_end;
    self->hist_cursor = 0;
    self->state = ST_ONLINE;
    self->stats.online = true;
    const rs_spool_stats_t *ss = rs_spool_stats (self->opts.spool);
    rs_info ("online at %s:%d%s: %llu record(s) queued go out behind live data as backlog", self->host,
             self->port, self->tls ? " (TLS)" : "", (unsigned long long) ss->queued);
}

static void
s_on_connect (struct mosquitto *mosq, void *arg, int rc)
{
    rs_uplink_t *self = (rs_uplink_t *) arg;
    if (rc != 0) {
        char reason[200];
        snprintf (reason, sizeof reason, "the MQTT broker refused the connection: %s", mosquitto_connack_string (rc));
        s_lose (self, reason);
        return;
    }
    self->stats.connected = true;
    self->stats.sessions++;
    self->backoff_ms = self->opts.reconnect_min_ms;
    rs_info ("connected to %s:%d%s as %s%s", self->host, self->port, self->tls ? " (TLS)" : "",
             self->opts.client_id, self->opts.mode == RS_UPLINK_SPARKPLUG ? "" : " (JSON mode)");
    if (self->opts.mode == RS_UPLINK_SPARKPLUG) {
        char topic[512];
        rs_spb_topic (topic, sizeof topic, self->opts.group, "NCMD", self->opts.node, NULL);
        mosquitto_subscribe (mosq, NULL, topic, 1);
        rs_spb_topic (topic, sizeof topic, self->opts.group, "DCMD", self->opts.node, "+");
        mosquitto_subscribe (mosq, NULL, topic, 1);
        if (*self->opts.primary_host) {
            snprintf (topic, sizeof topic, "spBv1.0/STATE/%s", self->opts.primary_host);
            mosquitto_subscribe (mosq, NULL, topic, 1);
            self->state = ST_WAIT_HOST;
            rs_info ("waiting for primary host %s to be online before sending", self->opts.primary_host);
            return;
        }
    }
    s_go_online (self);
}

static void
s_on_disconnect (struct mosquitto *mosq, void *arg, int rc)
{
    (void) mosq;
    rs_uplink_t *self = (rs_uplink_t *) arg;
    char reason[160];
    snprintf (reason, sizeof reason, "disconnected: %s", rc ? mosquitto_strerror (rc) : "by request");
    s_lose (self, reason);
}

static void
s_on_publish (struct mosquitto *mosq, void *arg, int mid)
{
    (void) mosq;
    rs_uplink_t *self = (rs_uplink_t *) arg;
    if (mid == self->death_mid)
        self->death_acked = true;
    flight_t *f = self->flights[mid % MID_SLOTS];
    if (!f)
        return;     // a QoS 0 message (births), or the NDEATH
    self->flights[mid % MID_SLOTS] = NULL;
    self->stats.inflight--;
    for (size_t i = 0; i < f->n; i++)
        rs_spool_ack (self->opts.spool, f->ids[i]);
    self->stats.messages_sent++;
    self->stats.samples_sent += f->n;
    self->stats.historical_sent += f->n_historical;
    self->stats.bytes_sent += f->bytes;
    self->minute_bytes[(self->wall_ms / 60000) % 60] += f->bytes;
    free (f->ids);
    free (f);
}

//  The primary host's STATE: 3.0 JSON {"online": bool, "timestamp": ms}, or
//  2.2's text (no timestamp: *ts_ms = -1). Returns 1 online, 0 offline, -1
//  malformed.
static int
s_host_state (const void *payload, int len, int64_t *ts_ms)
{
    *ts_ms = -1;
    if (len == 6 && memcmp (payload, "ONLINE", 6) == 0)
        return 1;
    if (len == 7 && memcmp (payload, "OFFLINE", 7) == 0)
        return 0;
    json_error_t err;
    json_t *j = json_loadb (payload, (size_t) len, 0, &err);
    json_t *online = j ? json_object_get (j, "online") : NULL;
    json_t *ts = j ? json_object_get (j, "timestamp") : NULL;
    int rc = json_is_boolean (online) ? json_is_true (online) : -1;
    if (json_is_integer (ts) && json_integer_value (ts) >= 0)
        *ts_ms = (int64_t) json_integer_value (ts);
    json_decref (j);
    return rc;
}

static void
s_on_message (struct mosquitto *mosq, void *arg, const struct mosquitto_message *m)
{
    (void) mosq;
    rs_uplink_t *self = (rs_uplink_t *) arg;
    if (strncmp (m->topic, "spBv1.0/STATE/", 14) == 0) {
        int64_t ts = -1;
        int online = s_host_state (m->payload, m->payloadlen, &ts);
        if (online < 0) {
            rs_log_limited (&self->log_limit, 10000, RS_LOG_WARN, "ignoring a malformed STATE message on %s",
                            m->topic);
            return;
        }
        //  Sparkplug 3.0: a STATE older than the last one acted on is stale
        //  (a late retained or re-delivered message) and must not end a
        //  session or start one.
        if (ts >= 0 && ts < self->host_ts) {
            self->stats.stale_states++;
            rs_warn ("ignoring a stale STATE (%s) of primary host %s: its timestamp %lld is older than the last "
                     "one acted on (%lld)", online ? "online" : "offline", self->opts.primary_host,
                     (long long) ts, (long long) self->host_ts);
            return;
        }
        if (ts >= 0)
            self->host_ts = ts;
        if (online && self->state == ST_WAIT_HOST) {
            rs_info ("primary host %s is online", self->opts.primary_host);
            s_go_online (self);
        }
        else if (!online && self->state == ST_ONLINE) {
            //  Sparkplug 3.0: the node ends its session and comes back when
            //  the host is online again; data waits in the spool meanwhile.
            s_lose (self, "the primary host went offline; holding data");
        }
        return;
    }
    rs_spb_payload_t p;
    if (rs_spb_decode (m->payload, (size_t) m->payloadlen, &p) != 0) {
        rs_log_limited (&self->log_limit, 10000, RS_LOG_WARN, "ignoring a command on %s: not a Sparkplug B payload",
                        m->topic);
        return;
    }
    if (strstr (m->topic, "/NCMD/") && rs_spb_is_rebirth (&p, ALIAS_REBIRTH)) {
        self->stats.rebirths++;
        if (self->state == ST_ONLINE) {
            rs_info ("rebirth requested: sending NBIRTH and %zu DBIRTH(s)", zhashx_size (self->devices));
            s_births (self);
        }
    }
    else
        rs_log_limited (&self->log_limit, 10000, RS_LOG_INFO, "ignoring a command on %s (nothing to control)",
                        m->topic);
    rs_spb_decoded_free (&p);
}

static void
s_end_session (rs_uplink_t *self)
{
    if (self->mosq) {
        mosquitto_destroy (self->mosq);
        self->mosq = NULL;
    }
    s_clear_flights (self);
    self->stats.connected = false;
    self->stats.online = false;
    self->state = ST_IDLE;
}

static void
s_retry_later (rs_uplink_t *self, const char *reason)
{
    s_end_session (self);
    self->stats.connect_failures++;
    rs_warn ("MQTT %s:%d: %s; retrying in %.1f s (%llu record(s) queued)", self->host, self->port, reason,
             self->backoff_ms / 1000.0, (unsigned long long) rs_spool_stats (self->opts.spool)->queued);
    self->next_try = self->now_ms + self->backoff_ms;
    self->backoff_ms = self->backoff_ms * 2 > self->opts.reconnect_max_ms ? self->opts.reconnect_max_ms
                                                                          : self->backoff_ms * 2;
}

static void
s_connect (rs_uplink_t *self)
{
    self->lost = false;
    self->mosq = mosquitto_new (self->opts.client_id, true, self);
    if (!self->mosq) {
        s_retry_later (self, "cannot create the MQTT client");
        return;
    }
    mosquitto_connect_callback_set (self->mosq, s_on_connect);
    mosquitto_disconnect_callback_set (self->mosq, s_on_disconnect);
    mosquitto_publish_callback_set (self->mosq, s_on_publish);
    mosquitto_message_callback_set (self->mosq, s_on_message);
    //  Our own window keeps births and data in order on the wire.
    mosquitto_max_inflight_messages_set (self->mosq, 0);
    if (self->opts.username && *self->opts.username)
        mosquitto_username_pw_set (self->mosq, self->opts.username,
                                   self->opts.password && *self->opts.password ? self->opts.password : NULL);
    if (self->tls) {
        int rc = mosquitto_tls_set (self->mosq, *self->opts.ca_file ? self->opts.ca_file : NULL,
                                    *self->opts.ca_file ? NULL : "/etc/ssl/certs",
                                    *self->opts.cert_file ? self->opts.cert_file : NULL,
                                    *self->opts.key_file ? self->opts.key_file : NULL, NULL);
        if (rc != MOSQ_ERR_SUCCESS) {
            char reason[200];
            snprintf (reason, sizeof reason, "TLS set-up failed (CA, certificate or key file): %s",
                      mosquitto_strerror (rc));
            s_retry_later (self, reason);
            return;
        }
    }
    if (self->opts.mode == RS_UPLINK_SPARKPLUG) {
        //  A new session, a new bdSeq, stored before the will names it.
        int64_t last = rs_spool_state_get (self->opts.spool, "bdseq", -1);
        self->stats.bdseq = (uint64_t) ((last + 1) & 255);
        rs_spool_state_set (self->opts.spool, "bdseq", (int64_t) self->stats.bdseq);
        size_t size = 0;
        uint8_t *death = s_node_payload (self, false, &size);
        rs_spb_topic (self->topic_buf, sizeof self->topic_buf, self->opts.group, "NDEATH", self->opts.node, NULL);
        int rc = death ? mosquitto_will_set (self->mosq, self->topic_buf, (int) size, death, 1, false)
                       : MOSQ_ERR_NOMEM;
        free (death);
        if (rc != MOSQ_ERR_SUCCESS) {
            s_retry_later (self, "cannot set the NDEATH will");
            return;
        }
    }
    int rc = mosquitto_connect_async (self->mosq, self->host, self->port, self->opts.keepalive_s);
    if (rc != MOSQ_ERR_SUCCESS) {
        char reason[200];
        snprintf (reason, sizeof reason, "cannot connect: %s",
                  rc == MOSQ_ERR_ERRNO ? strerror (errno) : mosquitto_strerror (rc));
        s_retry_later (self, reason);
        return;
    }
    self->state = ST_CONNECTING;
    self->state_since = self->now_ms;
}

//  Clears the byte bins of the minutes that passed (at most a whole hour).
//  Called as soon as the clock moves, before anything is acknowledged in the
//  new minute: clearing its bin later would drop those bytes.
static void
s_roll_minutes (rs_uplink_t *self)
{
    int64_t minute = self->wall_ms / 60000;
    if (minute != self->minute_at) {
        for (int64_t m = self->minute_at + 1; m <= minute && m <= self->minute_at + 60; m++)
            self->minute_bytes[m % 60] = 0;
        self->minute_at = minute;
    }
}

static void
s_rates (rs_uplink_t *self)
{
    if (self->now_ms - self->rate_at >= 1000) {
        double dt = (double) (self->now_ms - self->rate_at) / 1000.0;
        self->stats.sent_per_s = (double) (self->stats.samples_sent - self->rate_samples) / dt;
        self->stats.bytes_per_s = (double) (self->stats.bytes_sent - self->rate_bytes) / dt;
        self->rate_samples = self->stats.samples_sent;
        self->rate_bytes = self->stats.bytes_sent;
        self->rate_at = self->now_ms;
    }
}

void
rs_uplink_tick (rs_uplink_t *self, int64_t now_ms, int64_t wall_ms)
{
    self->now_ms = now_ms;
    self->wall_ms = wall_ms;
    s_roll_minutes (self);
    rs_spool_flush (self->opts.spool, wall_ms);
    if (self->state == ST_IDLE) {
        if (now_ms >= self->next_try)
            s_connect (self);
    }
    if (self->state != ST_IDLE) {
        int rc = mosquitto_loop (self->mosq, 0, 1);
        if (rc != MOSQ_ERR_SUCCESS && !self->lost) {
            char reason[200];
            snprintf (reason, sizeof reason, "connection failed: %s",
                      rc == MOSQ_ERR_ERRNO ? strerror (errno) : mosquitto_strerror (rc));
            s_lose (self, reason);
        }
        if (!self->lost && self->state == ST_CONNECTING
            && now_ms - self->state_since > self->opts.connect_timeout_ms)
            s_lose (self, "no answer to CONNECT");
        if (!self->lost && self->state == ST_ONLINE)
            s_send (self);
        if (!self->lost && self->state == ST_ONLINE && self->opts.mode == RS_UPLINK_SPARKPLUG
            && self->opts.health_ms > 0 && now_ms - self->health_at >= self->opts.health_ms)
            s_health (self);
        if (self->lost)
            s_retry_later (self, self->lost_reason);
    }
    rs_spool_flush (self->opts.spool, wall_ms);
    const rs_spool_stats_t *ss = rs_spool_stats (self->opts.spool);
    self->stats.backlog = self->hist_cursor < self->backlog_end && self->state == ST_ONLINE
                              ? (uint64_t) (self->backlog_end - self->hist_cursor) : 0;
    if (self->stats.backlog > ss->queued)
        self->stats.backlog = ss->queued;
    s_rates (self);
}

rs_uplink_t *
rs_uplink_new (const rs_uplink_opts_t *opts)
{
    rs_uplink_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->opts = *opts;
    if (!opts->spool || !opts->url
        || rs_uplink_parse_url (opts->url, self->host, sizeof self->host, &self->port, &self->tls) != 0) {
        rs_error ("bad MQTT broker URL \"%s\": expected mqtt://host[:port] or mqtts://host[:port]",
                  opts->url ? opts->url : "");
        free (self);
        return NULL;
    }
#define DEF(f, v) if (!self->opts.f) self->opts.f = v
    DEF (username, "");
    DEF (password, "");
    DEF (ca_file, "");
    DEF (cert_file, "");
    DEF (key_file, "");
    DEF (group, "rigstream");
    DEF (node, "rig");
    DEF (primary_host, "");
    DEF (json_prefix, "rigstream");
    DEF (client_id, self->opts.node);
#undef DEF
    if (self->opts.mode == RS_UPLINK_SPARKPLUG
        && (!rs_spb_id_valid (self->opts.group) || !rs_spb_id_valid (self->opts.node)
            || (*self->opts.primary_host && !rs_spb_id_valid (self->opts.primary_host)))) {
        rs_error ("Sparkplug ids must be non-empty and free of '/', '+' and '#' (group \"%s\", node \"%s\", "
                  "primary host \"%s\")", self->opts.group, self->opts.node, self->opts.primary_host);
        free (self);
        return NULL;
    }
    if (self->opts.batch < 1)
        self->opts.batch = 1;
    if (self->opts.batch > READ_MAX)
        self->opts.batch = READ_MAX;
    if (self->opts.max_inflight < 1)
        self->opts.max_inflight = 100;
    if (self->opts.keepalive_s < 5)
        self->opts.keepalive_s = 30;
    if (self->opts.reconnect_min_ms < 10)
        self->opts.reconnect_min_ms = 500;
    if (self->opts.reconnect_max_ms < self->opts.reconnect_min_ms)
        self->opts.reconnect_max_ms = self->opts.reconnect_min_ms;
    if (self->opts.connect_timeout_ms <= 0)
        self->opts.connect_timeout_ms = 10000;
    self->backoff_ms = self->opts.reconnect_min_ms;
    self->next_alias = ALIAS_FIRST;
    self->host_ts = -1;
    self->death_mid = -1;
    self->devices = zhashx_new ();
    if (!self->devices) {
        free (self);
        return NULL;
    }
    zhashx_set_destructor (self->devices, (zhashx_destructor_fn *) s_device_destroy);
    rs_bucket_init (&self->bytes_bucket, self->opts.max_bytes_per_s, self->opts.max_bytes_per_s);
    rs_bucket_init (&self->backlog_bucket, self->opts.backlog_rate,
                    self->opts.backlog_rate > 10 ? self->opts.backlog_rate / 10 : 1);
    self->stats.bdseq = (uint64_t) (rs_spool_state_get (opts->spool, "bdseq", 0) & 255);
    return self;
}

void
rs_uplink_finish (rs_uplink_t *self)
{
    //  Once: the program's stop calls it, and rs_uplink_destroy again for
    //  those that did not; a second wait would only add to a clean stop.
    if (!self || !self->mosq || self->finished)
        return;
    self->finished = true;
    int64_t end = rs_clock_mono_ms () + FINISH_WAIT_MS;
    while (self->state == ST_ONLINE && !self->lost && rs_clock_mono_ms () < end) {
        rs_uplink_tick (self, rs_clock_mono_ms (), rs_clock_now_us () / 1000);
        if (self->live_cursor >= rs_spool_last_id (self->opts.spool) && self->stats.inflight == 0)
            break;
        zclock_sleep (5);
    }
    rs_spool_flush (self->opts.spool, rs_clock_now_us () / 1000);
}

void
rs_uplink_destroy (rs_uplink_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rs_uplink_t *self = *self_p;
    rs_uplink_finish (self);
    if (self->mosq && self->stats.connected) {
        //  A clean end: NDEATH ourselves (the will only fires on a broken
        //  link), then DISCONNECT, and give the socket a moment to drain.
        if (self->opts.mode == RS_UPLINK_SPARKPLUG) {
            size_t size = 0;
            uint8_t *death = s_node_payload (self, false, &size);
            rs_spb_topic (self->topic_buf, sizeof self->topic_buf, self->opts.group, "NDEATH", self->opts.node,
                          NULL);
            //  QoS 1 like the will, and acknowledged before DISCONNECT, so a
            //  host that must see the node die does.
            self->death_mid = -1;
            if (death && mosquitto_publish (self->mosq, &self->death_mid, self->topic_buf, (int) size, death, 1,
                                            false) == MOSQ_ERR_SUCCESS) {
                for (int i = 0; i < DEATH_WAIT_MS / 50 && !self->death_acked && !self->lost; i++)
                    mosquitto_loop (self->mosq, 50, 1);
                if (!self->death_acked)
                    rs_warn ("the NDEATH was not acknowledged within %d ms", DEATH_WAIT_MS);
            }
            free (death);
        }
        mosquitto_disconnect (self->mosq);
        for (int i = 0; i < 20 && mosquitto_want_write (self->mosq); i++)
            mosquitto_loop (self->mosq, 50, 1);
        rs_info ("disconnected from %s:%d", self->host, self->port);
    }
    s_end_session (self);
    zhashx_destroy (&self->devices);
    free (self);
    *self_p = NULL;
}

const rs_uplink_stats_t *
rs_uplink_stats (rs_uplink_t *self)
{
    uint64_t sum = 0;
    for (int i = 0; i < 60; i++)
        sum += self->minute_bytes[i];
    self->stats.bytes_hour = sum;
    return &self->stats;
}

int
rs_uplink_parse_url (const char *url, char *host, size_t host_size, int *port, bool *tls)
{
    bool secure;
    const char *rest;
    if (strncmp (url, "mqtt://", 7) == 0) {
        secure = false;
        rest = url + 7;
    }
    else if (strncmp (url, "mqtts://", 8) == 0) {
        secure = true;
        rest = url + 8;
    }
    else
        return -1;
    const char *colon = strrchr (rest, ':');
    const char *end = colon ? colon : rest + strlen (rest);
    if (end > rest && end[-1] == '/')
        return -1;
    size_t len = (size_t) (end - rest);
    if (len == 0 || len >= host_size || memchr (rest, '/', len) || memchr (rest, '@', len))
        return -1;
    long p = secure ? 8883 : 1883;
    if (colon) {
        char *stop = NULL;
        p = strtol (colon + 1, &stop, 10);
        if (stop == colon + 1 || (*stop && strcmp (stop, "/") != 0) || p < 1 || p > 65535)
            return -1;
    }
    memcpy (host, rest, len);
    host[len] = '\0';
    *port = (int) p;
    *tls = secure;
    return 0;
}
