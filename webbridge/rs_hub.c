/*  rs_hub: fan-out from the ZeroMQ loop to the browsers' writers. See rs_hub.h.
    Lock order: the hub's mutex (wells, components, client list) before a
    client's mutex; writers only ever take their own client's. */
#include "rs_hub.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rs_channels.h"
#include "rs_clock.h"

#define JSON_FLAGS (JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION (12))

//  An immutable text shared by every client it is queued for.
typedef struct {
    atomic_int refs;
    size_t len;
    char data[];
} s_text_t;

typedef struct {
    char name[RS_MAX_CHNAME + 1];
    double value;
} s_chan_t;

//  An immutable sample shared by every client it is pending for; each
//  client's writer renders it with that client's channel filter.
typedef struct {
    atomic_int refs;
    int64_t ts_us;
    uint64_t seq;
    bool replayed;
    char well[RS_MAX_ID + 1];
    char pub[RS_MAX_ID + 1];
    size_t n;
    s_chan_t ch[];
} s_sample_t;

//  The last reading of one channel of a well, for /api/latest.
typedef struct {
    char name[RS_MAX_CHNAME + 1];
    char pub[RS_MAX_ID + 1];
    double value;
    int64_t ts_us;              //  its sample time
    int64_t rx_ms;              //  when it arrived (caller's clock)
} s_last_t;

typedef struct {
    char name[RS_MAX_ID + 1];
    s_sample_t *latest;
    s_text_t *kpi;
    s_text_t *state_event;
    char rig_state[RS_MAX_ID + 1];
    uint64_t samples;
    int64_t rx_ms;              //  when its last sample arrived; INT64_MIN = never
    s_last_t *last;             //  every channel ever read, in order of first reading
    size_t n_last, cap_last;
    json_t *kpi_meta;           //  rig_state, block_weight_source, rig_state_reason, quality
    int64_t kpi_rx_ms;
} s_well_t;

typedef struct {
    char name[RS_MAX_ID + 1];
    int64_t last_seen_ms;
    char state[16];
    char version[32];
    double pid, uptime_s;
} s_comp_t;

//  A client's pending values for one well.
typedef struct {
    s_sample_t *sample;
    int64_t sample_since_ms;    //  when the pending sample arrived
    int64_t sample_sent_ms;     //  when this well's last sample went out; INT64_MIN = never
    s_text_t *kpi;
    int64_t kpi_since_ms;
    int64_t kpi_sent_ms;
} s_slot_t;

struct rs_hub_client_t {
    uint64_t id;
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    bool closed;
    bool wake;
    rs_hub_filter_t filter;
    int64_t period_ms;
    int8_t want[RS_HUB_MAX_WELLS];      //  -1 = not decided yet for that well index
    s_slot_t slots[RS_HUB_MAX_WELLS];
    s_text_t *fifo[RS_HUB_FIFO_MAX];
    size_t head, count;
    size_t queued_bytes;                //  bytes of the texts in fifo
    uint64_t sent, dropped, unreported;
    int64_t last_notice_ms;
    rs_hub_client_t *next;
};

struct rs_hub_t {
    pthread_mutex_t mutex;
    s_well_t wells[RS_HUB_MAX_WELLS];
    size_t n_wells;
    s_comp_t comps[RS_HUB_MAX_COMPONENTS];
    size_t n_comps;
    rs_hub_client_t *clients;
    uint64_t next_id;
    rs_hub_stats_t stats;
    uint64_t gone_sent, gone_dropped;   //  counts of detached clients
    int64_t well_timeout_ms;
};

static s_text_t *
s_text_new (const char *data)
{
    size_t len = strlen (data);
    s_text_t *t = malloc (sizeof *t + len + 1);
    if (!t)
        return NULL;
    atomic_init (&t->refs, 1);
    t->len = len;
    memcpy (t->data, data, len + 1);
    return t;
}

static s_text_t *
s_text_ref (s_text_t *t)
{
    if (t)
        atomic_fetch_add (&t->refs, 1);
    return t;
}

static void
s_text_unref (s_text_t **t_p)
{
    if (*t_p && atomic_fetch_sub (&(*t_p)->refs, 1) == 1)
        free (*t_p);
    *t_p = NULL;
}

static s_sample_t *
s_sample_ref (s_sample_t *s)
{
    if (s)
        atomic_fetch_add (&s->refs, 1);
    return s;
}

static void
s_sample_unref (s_sample_t **s_p)
{
    if (*s_p && atomic_fetch_sub (&(*s_p)->refs, 1) == 1)
        free (*s_p);
    *s_p = NULL;
}

static s_sample_t *
s_sample_new (const rs_msg_t *msg)
{
    s_sample_t *s = malloc (sizeof *s + msg->n_values * sizeof (s_chan_t));
    if (!s)
        return NULL;
    atomic_init (&s->refs, 1);
    s->ts_us = msg->hdr.ts_us;
    s->seq = msg->hdr.seq;
    s->replayed = msg->replayed;
    snprintf (s->well, sizeof s->well, "%s", msg->id);
    snprintf (s->pub, sizeof s->pub, "%s", msg->hdr.pub);
    s->n = msg->n_values;
    for (size_t i = 0; i < msg->n_values; i++) {
        snprintf (s->ch[i].name, sizeof s->ch[i].name, "%s", msg->values[i].name);
        s->ch[i].value = msg->values[i].value;
    }
    return s;
}

static bool
s_filter_has_channel (const rs_hub_filter_t *f, const char *name)
{
    if (f->n_channels == 0)
        return true;
    for (size_t i = 0; i < f->n_channels; i++)
        if (strcmp (f->channels[i], name) == 0)
            return true;
    return false;
}

//  Renders a sample; with a filter, only the channels it names.
static char *
s_sample_render (const s_sample_t *s, const rs_hub_filter_t *filter)
{
    json_t *root = json_object ();
    json_t *ch = json_object ();
    if (!root || !ch) {
        json_decref (root);
        json_decref (ch);
        return NULL;
    }
    char iso[40];
    rs_clock_format (s->ts_us, iso, sizeof iso);
    json_object_set_new (root, "type", json_string ("sample"));
    json_object_set_new (root, "well", json_string (s->well));
    json_object_set_new (root, "pub", json_string (s->pub));
    json_object_set_new (root, "seq", json_integer ((json_int_t) s->seq));
    json_object_set_new (root, "ts", json_integer (s->ts_us));
    json_object_set_new (root, "time", json_string (iso));
    for (size_t i = 0; i < s->n; i++) {
        if (filter && !s_filter_has_channel (filter, s->ch[i].name))
            continue;
        double v = s->ch[i].value;
        json_object_set_new (ch, s->ch[i].name, isfinite (v) ? json_real (v) : json_null ());
    }
    json_object_set_new (root, "ch", ch);
    if (s->replayed)
        json_object_set_new (root, "replayed", json_true ());
    char *text = json_dumps (root, JSON_FLAGS);
    json_decref (root);
    return text;
}

char *
rs_hub_sample_text (const rs_msg_t *msg)
{
    s_sample_t *s = s_sample_new (msg);
    if (!s)
        return NULL;
    char *text = s_sample_render (s, NULL);
    s_sample_unref (&s);
    return text;
}

rs_hub_t *
rs_hub_new (void)
{
    rs_hub_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    pthread_mutex_init (&self->mutex, NULL);
    self->next_id = 1;
    self->well_timeout_ms = RS_HUB_WELL_TIMEOUT_MS;
    return self;
}

void
rs_hub_destroy (rs_hub_t **self_p)
{
    rs_hub_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->n_wells; i++) {
        s_sample_unref (&self->wells[i].latest);
        s_text_unref (&self->wells[i].kpi);
        s_text_unref (&self->wells[i].state_event);
        free (self->wells[i].last);
        json_decref (self->wells[i].kpi_meta);
    }
    pthread_mutex_destroy (&self->mutex);
    free (self);
    *self_p = NULL;
}

//  Index of a well, added when new; -1 when the table is full or the id bad.
//  Hub locked.
static int
s_well_index (rs_hub_t *self, const char *well, bool add)
{
    for (size_t i = 0; i < self->n_wells; i++)
        if (strcmp (self->wells[i].name, well) == 0)
            return (int) i;
    if (!add || self->n_wells >= RS_HUB_MAX_WELLS || !rs_id_valid (well, strlen (well)))
        return -1;
    s_well_t *w = &self->wells[self->n_wells];
    memset (w, 0, sizeof *w);
    snprintf (w->name, sizeof w->name, "%s", well);
    w->rx_ms = INT64_MIN;
    return (int) self->n_wells++;
}

//  Client locked.
static bool
s_wants (rs_hub_t *hub, rs_hub_client_t *c, int idx)
{
    if (c->want[idx] < 0) {
        bool want = c->filter.n_wells == 0;
        for (size_t i = 0; !want && i < c->filter.n_wells; i++)
            want = strcmp (c->filter.wells[i], hub->wells[idx].name) == 0;
        c->want[idx] = want ? 1 : 0;
    }
    return c->want[idx] == 1;
}

static void
s_wake (rs_hub_client_t *c)
{
    c->wake = true;
    pthread_cond_signal (&c->cond);
}

//  Counts a pending update replaced or refused while it had been due for a
//  while. Client locked.
static void
s_drop (rs_hub_client_t *c, uint64_t n)
{
    c->dropped += n;
    c->unreported += n;
}

//  Due time of a pending value that arrived at since_ms when the well's
//  last one went out at sent_ms.
static int64_t
s_due (const rs_hub_client_t *c, int64_t since_ms, int64_t sent_ms)
{
    if (sent_ms == INT64_MIN)
        return since_ms;
    int64_t due = sent_ms + c->period_ms;
    return due > since_ms ? due : since_ms;
}

//  Client locked.
static int
s_fifo_push (rs_hub_client_t *c, s_text_t *t)
{
    if (c->closed) {
        s_text_unref (&t);
        return -1;
    }
    if (c->count == RS_HUB_FIFO_MAX) {
        //  Oldest first out: the client is far behind.
        c->queued_bytes -= c->fifo[c->head]->len;
        s_text_unref (&c->fifo[c->head]);
        c->head = (c->head + 1) % RS_HUB_FIFO_MAX;
        c->count--;
        s_drop (c, 1);
    }
    c->fifo[(c->head + c->count) % RS_HUB_FIFO_MAX] = t;
    c->count++;
    c->queued_bytes += t->len;
    s_wake (c);
    return 0;
}

static void
s_set_sample (rs_hub_client_t *c, int idx, s_sample_t *s, int64_t now_ms)
{
    s_slot_t *slot = &c->slots[idx];
    if (slot->sample) {
        if (now_ms - s_due (c, slot->sample_since_ms, slot->sample_sent_ms) > RS_HUB_LATE_MS)
            s_drop (c, 1);
        s_sample_unref (&slot->sample);
    }
    else
        slot->sample_since_ms = now_ms;
    slot->sample = s_sample_ref (s);
    s_wake (c);
}

static void
s_set_kpi (rs_hub_client_t *c, int idx, s_text_t *t, int64_t now_ms)
{
    s_slot_t *slot = &c->slots[idx];
    if (slot->kpi) {
        if (now_ms - s_due (c, slot->kpi_since_ms, slot->kpi_sent_ms) > RS_HUB_LATE_MS)
            s_drop (c, 1);
        s_text_unref (&slot->kpi);
    }
    else
        slot->kpi_since_ms = now_ms;
    slot->kpi = s_text_ref (t);
    s_wake (c);
}

//  Keeps each channel's last reading. A nil ("no reading") leaves the last
//  one in place, so it ages and turns stale. Hub locked.
static void
s_remember (s_well_t *w, const rs_msg_t *msg, int64_t now_ms)
{
    for (size_t i = 0; i < msg->n_values; i++) {
        const rs_value_t *v = &msg->values[i];
        if (!isfinite (v->value))
            continue;
        s_last_t *l = NULL;
        for (size_t j = 0; j < w->n_last && !l; j++)
            if (strcmp (w->last[j].name, v->name) == 0)
                l = &w->last[j];
        if (!l) {
            if (w->n_last == w->cap_last) {
                size_t cap = w->cap_last ? w->cap_last * 2 : 16;
                if (cap > RS_MAX_CHANNELS)
                    cap = RS_MAX_CHANNELS;
                s_last_t *grown = cap > w->cap_last ? realloc (w->last, cap * sizeof *grown) : NULL;
                if (!grown)
                    continue;
                w->last = grown;
                w->cap_last = cap;
            }
            l = &w->last[w->n_last++];
            snprintf (l->name, sizeof l->name, "%s", v->name);
        }
        snprintf (l->pub, sizeof l->pub, "%s", msg->hdr.pub);
        l->value = v->value;
        l->ts_us = msg->hdr.ts_us;
        l->rx_ms = now_ms;
    }
}

int
rs_hub_sample (rs_hub_t *self, const rs_msg_t *msg, int64_t now_ms)
{
    s_sample_t *s = s_sample_new (msg);
    if (!s)
        return -1;
    pthread_mutex_lock (&self->mutex);
    self->stats.samples++;
    int idx = s_well_index (self, msg->id, true);
    if (idx < 0) {
        self->stats.refused_wells++;
        pthread_mutex_unlock (&self->mutex);
        s_sample_unref (&s);
        return -1;
    }
    s_well_t *w = &self->wells[idx];
    s_sample_unref (&w->latest);
    w->latest = s_sample_ref (s);
    w->samples++;
    w->rx_ms = now_ms;
    s_remember (w, msg, now_ms);
    for (rs_hub_client_t *c = self->clients; c; c = c->next) {
        pthread_mutex_lock (&c->mutex);
        if (!c->closed && s_wants (self, c, idx))
            s_set_sample (c, idx, s, now_ms);
        pthread_mutex_unlock (&c->mutex);
    }
    pthread_mutex_unlock (&self->mutex);
    s_sample_unref (&s);
    return 0;
}

int
rs_hub_kpi (rs_hub_t *self, const char *well, const char *text, const char *rig_state, int64_t now_ms)
{
    s_text_t *t = s_text_new (text);
    if (!t)
        return -1;
    pthread_mutex_lock (&self->mutex);
    self->stats.kpis++;
    int idx = s_well_index (self, well, true);
    if (idx < 0) {
        self->stats.refused_wells++;
        pthread_mutex_unlock (&self->mutex);
        s_text_unref (&t);
        return -1;
    }
    s_well_t *w = &self->wells[idx];
    s_text_unref (&w->kpi);
    w->kpi = s_text_ref (t);
    if (rig_state && *rig_state)
        snprintf (w->rig_state, sizeof w->rig_state, "%s", rig_state);
    for (rs_hub_client_t *c = self->clients; c; c = c->next) {
        pthread_mutex_lock (&c->mutex);
        if (!c->closed && s_wants (self, c, idx))
            s_set_kpi (c, idx, t, now_ms);
        pthread_mutex_unlock (&c->mutex);
    }
    pthread_mutex_unlock (&self->mutex);
    s_text_unref (&t);
    return 0;
}

int
rs_hub_broadcast (rs_hub_t *self, const char *well, const char *text, bool keep_as_state)
{
    s_text_t *t = s_text_new (text);
    if (!t)
        return -1;
    pthread_mutex_lock (&self->mutex);
    self->stats.texts++;
    int idx = well ? s_well_index (self, well, true) : -1;
    if (idx >= 0 && keep_as_state) {
        s_text_unref (&self->wells[idx].state_event);
        self->wells[idx].state_event = s_text_ref (t);
    }
    for (rs_hub_client_t *c = self->clients; c; c = c->next) {
        pthread_mutex_lock (&c->mutex);
        if (!c->closed && (idx < 0 || s_wants (self, c, idx)))
            s_fifo_push (c, s_text_ref (t));
        pthread_mutex_unlock (&c->mutex);
    }
    pthread_mutex_unlock (&self->mutex);
    s_text_unref (&t);
    return 0;
}

void
rs_hub_set_rig_state (rs_hub_t *self, const char *well, const char *state)
{
    pthread_mutex_lock (&self->mutex);
    int idx = s_well_index (self, well, true);
    if (idx >= 0 && state)
        snprintf (self->wells[idx].rig_state, sizeof self->wells[idx].rig_state, "%s", state);
    pthread_mutex_unlock (&self->mutex);
}

void
rs_hub_heartbeat (rs_hub_t *self, const rs_msg_t *msg, int64_t now_ms)
{
    pthread_mutex_lock (&self->mutex);
    s_comp_t *c = NULL;
    for (size_t i = 0; i < self->n_comps && !c; i++)
        if (strcmp (self->comps[i].name, msg->id) == 0)
            c = &self->comps[i];
    if (!c && self->n_comps < RS_HUB_MAX_COMPONENTS) {
        c = &self->comps[self->n_comps++];
        memset (c, 0, sizeof *c);
        snprintf (c->name, sizeof c->name, "%s", msg->id);
    }
    if (c) {
        c->last_seen_ms = now_ms;
        c->pid = rs_msg_value (msg, "pid");
        c->uptime_s = rs_msg_value (msg, "uptime_s");
        snprintf (c->state, sizeof c->state, "running");
        for (size_t i = 0; i < msg->n_info; i++) {
            if (strcmp (msg->info[i].key, "state") == 0)
                snprintf (c->state, sizeof c->state, "%s", msg->info[i].value);
            else if (strcmp (msg->info[i].key, "version") == 0)
                snprintf (c->version, sizeof c->version, "%s", msg->info[i].value);
        }
    }
    pthread_mutex_unlock (&self->mutex);
}

void
rs_hub_set_well_timeout (rs_hub_t *self, int64_t timeout_ms)
{
    pthread_mutex_lock (&self->mutex);
    self->well_timeout_ms = timeout_ms > 0 ? timeout_ms : RS_HUB_WELL_TIMEOUT_MS;
    pthread_mutex_unlock (&self->mutex);
}

int64_t
rs_hub_well_timeout (rs_hub_t *self)
{
    pthread_mutex_lock (&self->mutex);
    int64_t ms = self->well_timeout_ms;
    pthread_mutex_unlock (&self->mutex);
    return ms;
}

void
rs_hub_kpi_meta (rs_hub_t *self, const char *well, const json_t *kpi, int64_t now_ms)
{
    static const char *const keys[] = { "rig_state", "block_weight_source", "rig_state_reason", "quality" };
    json_t *meta = json_object ();
    if (!meta)
        return;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        json_t *v = json_object_get (kpi, keys[i]);
        if (v)
            json_object_set_new (meta, keys[i], json_deep_copy (v));
    }
    pthread_mutex_lock (&self->mutex);
    int idx = s_well_index (self, well, true);
    if (idx >= 0) {
        json_decref (self->wells[idx].kpi_meta);
        self->wells[idx].kpi_meta = meta;
        self->wells[idx].kpi_rx_ms = now_ms;
        meta = NULL;
    }
    pthread_mutex_unlock (&self->mutex);
    json_decref (meta);
}

//  Seconds since the well's last sample arrived, or -1 when none has. Hub locked.
static double
s_age_s (const s_well_t *w, int64_t now_ms)
{
    return w->rx_ms == INT64_MIN ? -1.0 : (double) (now_ms - w->rx_ms) / 1000.0;
}

static void
s_set_time (json_t *o, int64_t ts_us)
{
    char iso[40];
    json_object_set_new (o, "ts", json_integer (ts_us));
    json_object_set_new (o, "time", json_string (rs_clock_format (ts_us, iso, sizeof iso)));
}

//  One well's /api/latest object. Hub locked.
static json_t *
s_latest_well (const rs_hub_t *self, const s_well_t *w, int64_t now_ms)
{
    json_t *o = json_object ();
    json_t *chans = json_object ();
    if (!o || !chans) {
        json_decref (o);
        json_decref (chans);
        return NULL;
    }
    double age = s_age_s (w, now_ms);
    bool live = age >= 0 && age * 1000.0 <= (double) self->well_timeout_ms;
    json_object_set_new (o, "well", json_string (w->name));
    if (w->latest)
        s_set_time (o, w->latest->ts_us);
    else
        json_object_set_new (o, "ts", json_null ());
    json_object_set_new (o, "age_s", age >= 0 ? json_real (age) : json_null ());
    json_object_set_new (o, "live", json_boolean (live));
    //  The engine's verdicts hold only while its KPIs keep coming.
    bool engine_fresh = w->kpi_meta && now_ms - w->kpi_rx_ms <= self->well_timeout_ms;
    json_t *verdicts = engine_fresh ? json_object_get (w->kpi_meta, "quality") : NULL;
    const char *state = engine_fresh ? json_string_value (json_object_get (w->kpi_meta, "rig_state")) : NULL;
    if (!state && *w->rig_state)
        state = w->rig_state;
    json_object_set_new (o, "rig_state", state ? json_string (state) : json_null ());
    if (engine_fresh) {
        json_t *v = json_object_get (w->kpi_meta, "block_weight_source");
        if (json_is_string (v))
            json_object_set (o, "block_weight_source", v);
        v = json_object_get (w->kpi_meta, "rig_state_reason");
        if (json_is_string (v))
            json_object_set (o, "rig_state_reason", v);
    }
    for (size_t i = 0; i < w->n_last; i++) {
        const s_last_t *l = &w->last[i];
        int id = rs_chan_lookup (l->name, strlen (l->name));
        const rs_chan_info_t *info = rs_chan_info (id);
        json_t *c = json_object ();
        json_object_set_new (c, "value", json_real (l->value));
        json_object_set_new (c, "unit", info ? json_string (info->unit) : json_null ());
        s_set_time (c, l->ts_us);
        json_object_set_new (c, "pub", json_string (l->pub));
        const char *verdict = json_string_value (json_object_get (verdicts, l->name));
        const char *quality = now_ms - l->rx_ms > self->well_timeout_ms ? "stale" : verdict ? verdict : "ok";
        json_object_set_new (c, "quality", json_string (quality));
        json_object_set_new (chans, l->name, c);
    }
    json_object_set_new (o, "channels", chans);
    return o;
}

json_t *
rs_hub_latest_json (rs_hub_t *self, const char *well, int64_t now_ms)
{
    json_t *arr = json_array ();
    if (!arr)
        return NULL;
    pthread_mutex_lock (&self->mutex);
    for (size_t i = 0; i < self->n_wells; i++) {
        const s_well_t *w = &self->wells[i];
        if (w->rx_ms == INT64_MIN || (well && strcmp (w->name, well) != 0))
            continue;
        json_t *o = s_latest_well (self, w, now_ms);
        if (o)
            json_array_append_new (arr, o);
    }
    pthread_mutex_unlock (&self->mutex);
    return arr;
}

json_t *
rs_hub_wells_json (rs_hub_t *self, int64_t now_ms)
{
    json_t *arr = json_array ();
    if (!arr)
        return NULL;
    pthread_mutex_lock (&self->mutex);
    for (size_t i = 0; i < self->n_wells; i++) {
        s_well_t *w = &self->wells[i];
        json_t *o = json_object ();
        json_object_set_new (o, "well", json_string (w->name));
        json_object_set_new (o, "samples", json_integer ((json_int_t) w->samples));
        if (w->latest) {
            char iso[40];
            json_object_set_new (o, "last_ts", json_integer (w->latest->ts_us));
            json_object_set_new (o, "last_time", json_string (rs_clock_format (w->latest->ts_us, iso, sizeof iso)));
            json_object_set_new (o, "last_seq", json_integer ((json_int_t) w->latest->seq));
        }
        double age = s_age_s (w, now_ms);
        json_object_set_new (o, "age_s", age >= 0 ? json_real (age) : json_null ());
        json_object_set_new (o, "live", json_boolean (age >= 0 && age * 1000.0 <= (double) self->well_timeout_ms));
        json_object_set_new (o, "rig_state", *w->rig_state ? json_string (w->rig_state) : json_null ());
        json_array_append_new (arr, o);
    }
    pthread_mutex_unlock (&self->mutex);
    return arr;
}

bool
rs_hub_has_well (rs_hub_t *self, const char *well)
{
    pthread_mutex_lock (&self->mutex);
    bool found = s_well_index (self, well, false) >= 0;
    pthread_mutex_unlock (&self->mutex);
    return found;
}

json_t *
rs_hub_components_json (rs_hub_t *self, int64_t now_ms, int64_t stale_ms)
{
    json_t *root = json_object ();
    if (!root)
        return NULL;
    pthread_mutex_lock (&self->mutex);
    for (size_t i = 0; i < self->n_comps; i++) {
        s_comp_t *c = &self->comps[i];
        int64_t ago = now_ms - c->last_seen_ms;
        json_t *o = json_object ();
        json_object_set_new (o, "up", json_boolean (ago <= stale_ms && strcmp (c->state, "stopped") != 0));
        json_object_set_new (o, "last_seen_ms_ago", json_integer (ago));
        json_object_set_new (o, "state", json_string (c->state));
        if (*c->version)
            json_object_set_new (o, "version", json_string (c->version));
        if (isfinite (c->pid))
            json_object_set_new (o, "pid", json_integer ((json_int_t) c->pid));
        if (isfinite (c->uptime_s))
            json_object_set_new (o, "uptime_s", json_real (c->uptime_s));
        json_object_set_new (root, c->name, o);
    }
    pthread_mutex_unlock (&self->mutex);
    return root;
}

void
rs_hub_stats (rs_hub_t *self, rs_hub_stats_t *out)
{
    pthread_mutex_lock (&self->mutex);
    *out = self->stats;
    out->clients = 0;
    out->sent = self->gone_sent;
    out->dropped = self->gone_dropped;
    for (rs_hub_client_t *c = self->clients; c; c = c->next) {
        pthread_mutex_lock (&c->mutex);
        out->clients++;
        out->sent += c->sent;
        out->dropped += c->dropped;
        pthread_mutex_unlock (&c->mutex);
    }
    pthread_mutex_unlock (&self->mutex);
}

//  Queues the hub's latest values that the client wants. Both locked.
static void
s_snapshot (rs_hub_t *self, rs_hub_client_t *c, int64_t now_ms)
{
    for (size_t i = 0; i < self->n_wells; i++) {
        s_well_t *w = &self->wells[i];
        if (!s_wants (self, c, (int) i))
            continue;
        if (w->latest)
            s_set_sample (c, (int) i, w->latest, now_ms);
        if (w->kpi)
            s_set_kpi (c, (int) i, w->kpi, now_ms);
        if (w->state_event)
            s_fifo_push (c, s_text_ref (w->state_event));
    }
}

static int64_t
s_period_ms (double rate_hz)
{
    if (!(rate_hz > 0))
        rate_hz = RS_HUB_DEFAULT_RATE_HZ;
    if (rate_hz > RS_HUB_MAX_RATE_HZ)
        rate_hz = RS_HUB_MAX_RATE_HZ;
    return (int64_t) llround (1000.0 / rate_hz);
}

rs_hub_client_t *
rs_hub_attach (rs_hub_t *self, int64_t now_ms, const char *greeting)
{
    rs_hub_client_t *c = calloc (1, sizeof *c);
    if (!c)
        return NULL;
    pthread_mutex_init (&c->mutex, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init (&attr);
    pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
    pthread_cond_init (&c->cond, &attr);
    pthread_condattr_destroy (&attr);
    c->filter.max_rate_hz = RS_HUB_DEFAULT_RATE_HZ;
    c->period_ms = s_period_ms (RS_HUB_DEFAULT_RATE_HZ);
    memset (c->want, -1, sizeof c->want);
    for (size_t i = 0; i < RS_HUB_MAX_WELLS; i++) {
        c->slots[i].sample_sent_ms = INT64_MIN;
        c->slots[i].kpi_sent_ms = INT64_MIN;
    }
    c->last_notice_ms = INT64_MIN / 2;
    pthread_mutex_lock (&self->mutex);
    c->id = self->next_id++;
    pthread_mutex_lock (&c->mutex);
    s_text_t *first = greeting ? s_text_new (greeting) : NULL;
    if (first)
        s_fifo_push (c, first);
    s_snapshot (self, c, now_ms);
    pthread_mutex_unlock (&c->mutex);
    c->next = self->clients;
    self->clients = c;
    pthread_mutex_unlock (&self->mutex);
    return c;
}

static void
s_client_clear (rs_hub_client_t *c)
{
    for (size_t i = 0; i < RS_HUB_MAX_WELLS; i++) {
        s_sample_unref (&c->slots[i].sample);
        s_text_unref (&c->slots[i].kpi);
    }
    while (c->count) {
        s_text_unref (&c->fifo[c->head]);
        c->head = (c->head + 1) % RS_HUB_FIFO_MAX;
        c->count--;
    }
    c->queued_bytes = 0;
}

void
rs_hub_detach (rs_hub_t *self, rs_hub_client_t **client_p)
{
    rs_hub_client_t *c = *client_p;
    if (!c)
        return;
    pthread_mutex_lock (&self->mutex);
    for (rs_hub_client_t **p = &self->clients; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
    self->gone_sent += c->sent;
    self->gone_dropped += c->dropped;
    pthread_mutex_unlock (&self->mutex);
    s_client_clear (c);
    pthread_mutex_destroy (&c->mutex);
    pthread_cond_destroy (&c->cond);
    free (c);
    *client_p = NULL;
}

void
rs_hub_client_filter (rs_hub_t *self, rs_hub_client_t *c, const rs_hub_filter_t *filter, const char *ack,
                      int64_t now_ms)
{
    pthread_mutex_lock (&self->mutex);
    pthread_mutex_lock (&c->mutex);
    c->filter = *filter;
    if (!(c->filter.max_rate_hz > 0))
        c->filter.max_rate_hz = RS_HUB_DEFAULT_RATE_HZ;
    c->period_ms = s_period_ms (c->filter.max_rate_hz);
    memset (c->want, -1, sizeof c->want);
    //  Pending values of wells no longer wanted go; the rest restart from
    //  the latest values (the sample render applies the new channels).
    for (size_t i = 0; i < RS_HUB_MAX_WELLS; i++) {
        s_sample_unref (&c->slots[i].sample);
        s_text_unref (&c->slots[i].kpi);
    }
    s_text_t *t = ack ? s_text_new (ack) : NULL;
    if (t)
        s_fifo_push (c, t);
    s_snapshot (self, c, now_ms);
    pthread_mutex_unlock (&c->mutex);
    pthread_mutex_unlock (&self->mutex);
}

int
rs_hub_client_push (rs_hub_client_t *c, char *text)
{
    s_text_t *t = text ? s_text_new (text) : NULL;
    free (text);
    if (!t)
        return -1;
    pthread_mutex_lock (&c->mutex);
    int rc = s_fifo_push (c, t);
    pthread_mutex_unlock (&c->mutex);
    return rc;
}

static char *
s_notice (uint64_t count)
{
    json_t *o = json_pack ("{s:s, s:I}", "type", "dropped", "count", (json_int_t) count);
    char *text = o ? json_dumps (o, JSON_FLAGS) : NULL;
    json_decref (o);
    return text;
}

char *
rs_hub_client_poll (rs_hub_client_t *c, int64_t now_ms, int64_t *next_ms)
{
    char *out = NULL;
    int64_t next = -1;
    pthread_mutex_lock (&c->mutex);
    if (c->closed)
        goto done;
    if (c->unreported) {
        int64_t due = c->last_notice_ms + RS_HUB_DROP_NOTICE_MS;
        if (now_ms >= due) {
            out = s_notice (c->unreported);
            if (out) {
                c->unreported = 0;
                c->last_notice_ms = now_ms;
                c->sent++;
            }
            goto done;
        }
        next = due;
    }
    if (c->count) {
        s_text_t *t = c->fifo[c->head];
        out = strdup (t->data);
        if (out) {
            c->fifo[c->head] = NULL;
            c->head = (c->head + 1) % RS_HUB_FIFO_MAX;
            c->count--;
            c->queued_bytes -= t->len;
            s_text_unref (&t);
            c->sent++;
        }
        goto done;
    }
    //  The due value whose well waited longest since its last send goes
    //  first, so no well starves the others.
    int best = -1;
    bool best_kpi = false;
    int64_t best_sent = INT64_MAX;
    for (int i = 0; i < RS_HUB_MAX_WELLS; i++) {
        s_slot_t *slot = &c->slots[i];
        if (slot->sample) {
            int64_t due = s_due (c, slot->sample_since_ms, slot->sample_sent_ms);
            if (due <= now_ms && slot->sample_sent_ms < best_sent) {
                best = i, best_kpi = false, best_sent = slot->sample_sent_ms;
            }
            else if (due > now_ms && (next < 0 || due < next))
                next = due;
        }
        if (slot->kpi) {
            int64_t due = s_due (c, slot->kpi_since_ms, slot->kpi_sent_ms);
            if (due <= now_ms && slot->kpi_sent_ms < best_sent) {
                best = i, best_kpi = true, best_sent = slot->kpi_sent_ms;
            }
            else if (due > now_ms && (next < 0 || due < next))
                next = due;
        }
    }
    if (best >= 0) {
        s_slot_t *slot = &c->slots[best];
        if (best_kpi) {
            out = strdup (slot->kpi->data);
            if (out) {
                s_text_unref (&slot->kpi);
                slot->kpi_sent_ms = now_ms;
            }
        }
        else {
            out = s_sample_render (slot->sample, &c->filter);
            if (out) {
                s_sample_unref (&slot->sample);
                slot->sample_sent_ms = now_ms;
            }
        }
        if (out)
            c->sent++;
    }
done:
    pthread_mutex_unlock (&c->mutex);
    if (next_ms)
        *next_ms = out ? now_ms : next;
    return out;
}

void
rs_hub_client_wait (rs_hub_client_t *c, int timeout_ms)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    ts.tv_sec += timeout_ms / 1000;
    ts.tv_nsec += (long) (timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock (&c->mutex);
    if (!c->wake && !c->closed)
        pthread_cond_timedwait (&c->cond, &c->mutex, &ts);
    c->wake = false;
    pthread_mutex_unlock (&c->mutex);
}

void
rs_hub_client_close (rs_hub_client_t *c)
{
    pthread_mutex_lock (&c->mutex);
    c->closed = true;
    pthread_cond_broadcast (&c->cond);
    pthread_mutex_unlock (&c->mutex);
}

bool
rs_hub_client_closed (rs_hub_client_t *c)
{
    pthread_mutex_lock (&c->mutex);
    bool closed = c->closed;
    pthread_mutex_unlock (&c->mutex);
    return closed;
}

uint64_t
rs_hub_client_id (rs_hub_client_t *c)
{
    return c->id;
}

size_t
rs_hub_client_queued_bytes (rs_hub_client_t *c)
{
    pthread_mutex_lock (&c->mutex);
    size_t n = c->queued_bytes;
    pthread_mutex_unlock (&c->mutex);
    return n;
}

void
rs_hub_client_counts (rs_hub_client_t *c, uint64_t *sent, uint64_t *dropped)
{
    pthread_mutex_lock (&c->mutex);
    if (sent)
        *sent = c->sent;
    if (dropped)
        *dropped = c->dropped;
    pthread_mutex_unlock (&c->mutex);
}

void
rs_hub_client_get_filter (rs_hub_client_t *c, rs_hub_filter_t *out)
{
    pthread_mutex_lock (&c->mutex);
    *out = c->filter;
    pthread_mutex_unlock (&c->mutex);
}
