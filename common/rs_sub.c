/*  rs_sub: the subscriber SDK's one loop. The socket reader drains in batches
    so a fast stream costs one poll per batch, not one per message. */
#include "rs_sub.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rs_clock.h"
#include "rs_config.h"
#include "rs_curve.h"
#include "rs_log.h"
#include "rs_repair.h"
#include "rs_seqtrack.h"
#include "rs_signal.h"

#define RS_SUB_MAX_TOPICS 32
#define RS_SUB_BATCH 1024
#define RS_SUB_MAX_STATS 48
//  Topic prefixes a definition's topics_option may give.
#define RS_SUB_MAX_OPT_TOPICS 16
//  Durable feeds: messages per replay request, answer deadline, attempts, and
//  how long to wait for a publisher to announce its replay endpoint.
#define RS_REPAIR_CHUNK 2000
#define RS_REPAIR_TIMEOUT_MS 3000
#define RS_REPAIR_TRIES 5
#define RS_REPAIR_UNKNOWN_MS 10000
#define RS_REPAIR_TICK_MS 50
//  A stopping durable feed stops waiting for a publisher silent this long.
#define RS_DRAIN_SILENT_MS 2500

typedef struct {
    rs_sub_t *sub;
    zsock_t *sock;
    char endpoint[256];
    char key[41];           //  the journal's CURVE key, "" without CURVE
} s_dealer_t;

typedef struct {
    uint64_t epoch;
    bool stopped;           //  its last heartbeat said so
    bool data;              //  its heartbeats list topics this feed reads
    int64_t seen_ms;        //  when its last heartbeat came
} s_pubstate_t;

typedef struct {
    rs_sub_t *sub;
    rs_sub_timer_fn *fn;
    void *arg;
} s_timer_t;

struct rs_sub_t {
    char component[RS_MAX_ID + 1];
    zloop_t *loop;
    zsock_t *sock;
    void *handle;
    rs_pub_t *pub;
    rs_decoder_t *decoder;
    rs_seqtrack_t *seqs;
    zlistx_t *timers;
    char *topics[RS_SUB_MAX_TOPICS];
    size_t n_topics;
    bool want_broker;             //  deliver sys.broker to the callback too
    rs_sub_fn *on_message;
    void *arg;
    bool durable;
    rs_sub_gap_fn *on_gap;
    rs_sub_end_fn *on_end;
    int drain_ms;
    bool draining;                //  stopped by a signal, reading on until the ends came
    int64_t drain_until_ms;
    rs_repair_t *repair;
    zhashx_t *dealers;            //  replay endpoint -> s_dealer_t
    zhashx_t *replay_keys;        //  replay endpoint -> its CURVE key (char *), from heartbeats
    const rs_curve_t *curve;
    zsock_t *curve_monitor;       //  refused handshakes with the broker, to say so
    char endpoint[256];
    rs_log_limit_t curve_limit;
    zhashx_t *pubs;               //  publisher id -> s_pubstate_t
    rs_sub_stats_fn *stats_fn;
    void *stats_arg;
    rs_sub_stats_t stats;
    int heartbeat_ms;
    int broker_timeout_ms;
    int64_t broker_seen_ms;
    bool broker_warned;
    bool stopping;
    rs_log_limit_t reject_limit;
    rs_log_limit_t gap_limit;
    //  The last rejected message: who sent it (its body's "pub", when it
    //  can be read), why, and on which topic (printable bytes only).
    char last_reject_pub[RS_MAX_ID + 1];
    char last_reject_reason[32];
    char last_reject_topic[65];
    char reject_names[RS_E_COUNT][48];      //  "rejected.<reason>" stat names
    //  Made by rs_sub_start, freed with the subscriber.
    const rs_sub_def_t *def;
    rs_config_t *own_config;
    rs_curve_t *own_curve;
};

//  The publisher id a rejected body claims, for the operator to find the
//  sender: the "pub" string of a top-level map, when it is a valid id;
//  "?" otherwise. The body failed the strict decoder, so this only looks.
static void
s_peek_pub (const void *body, size_t len, char *out, size_t size)
{
    snprintf (out, size, "?");
    if (len > RS_MAX_BODY)
        return;
    msgpack_unpacked u;
    msgpack_unpacked_init (&u);
    if (msgpack_unpack_next (&u, body, len, NULL) == MSGPACK_UNPACK_SUCCESS && u.data.type == MSGPACK_OBJECT_MAP) {
        const msgpack_object_map *m = &u.data.via.map;
        for (uint32_t i = 0; i < m->size; i++) {
            const msgpack_object *k = &m->ptr[i].key, *v = &m->ptr[i].val;
            if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == 3 && memcmp (k->via.str.ptr, "pub", 3) == 0
                && v->type == MSGPACK_OBJECT_STR && rs_id_valid (v->via.str.ptr, v->via.str.size)) {
                snprintf (out, size, "%.*s", (int) v->via.str.size, v->via.str.ptr);
                break;
            }
        }
    }
    msgpack_unpacked_destroy (&u);
}

//  Counts a message rs_decode refused, by reason, and remembers who sent it.
static void
s_rejected (rs_sub_t *self, int err, const void *topic, size_t topic_len, const void *body, size_t body_len)
{
    self->stats.rejected++;
    if (err > RS_OK && err < RS_E_COUNT)
        self->stats.rejected_by[err]++;
    s_peek_pub (body, body_len, self->last_reject_pub, sizeof self->last_reject_pub);
    snprintf (self->last_reject_reason, sizeof self->last_reject_reason, "%s", rs_errname (err));
    size_t n = topic_len < sizeof self->last_reject_topic - 1 ? topic_len : sizeof self->last_reject_topic - 1;
    for (size_t i = 0; i < n; i++) {
        char c = ((const char *) topic)[i];
        self->last_reject_topic[i] = c > 0x20 && c < 0x7f ? c : '?';
    }
    self->last_reject_topic[n] = 0;
    if (n == 0)
        snprintf (self->last_reject_topic, sizeof self->last_reject_topic, "?");
}

struct rs_sub_report_t {
    rs_value_t *out;
    size_t n, max;
};

void
rs_sub_report_add (rs_sub_report_t *report, const char *name, double value)
{
    if (report->n < report->max)
        report->out[report->n++] = (rs_value_t) { name, -1, value };
}

static void
s_timer_free (void **item)
{
    free (*item);
    *item = NULL;
}

static bool
s_prefix_of (const char *prefix, const char *topic)
{
    return strncmp (prefix, topic, strlen (prefix)) == 0;
}

static bool
s_wanted (rs_sub_t *self, const char *topic)
{
    for (size_t i = 0; i < self->n_topics; i++)
        if (s_prefix_of (self->topics[i], topic))
            return true;
    return false;
}

int
rs_sub_subscribe (rs_sub_t *self, const char *prefix)
{
    if (!prefix || self->n_topics == RS_SUB_MAX_TOPICS || strlen (prefix) > RS_MAX_TOPIC)
        return RS_E_INVAL;
    char *copy = strdup (prefix);
    if (!copy)
        return RS_E_NOMEM;
    self->topics[self->n_topics++] = copy;
    zsock_set_subscribe (self->sock, prefix);
    if (s_prefix_of (prefix, "sys.broker"))
        self->want_broker = true;
    return RS_OK;
}

static int
s_on_socket (zloop_t *loop, zsock_t *reader, void *arg);
static int
s_on_curve_event (zloop_t *loop, zsock_t *reader, void *arg);
static int
s_on_heartbeat (zloop_t *loop, int timer_id, void *arg);
static int
s_on_repair_tick (zloop_t *loop, int timer_id, void *arg);
static void
s_on_lost (const rs_gap_t *gap, void *arg);
static void
s_tail_lost (rs_sub_t *self, const char *pub, const char *topic, uint64_t epoch, uint64_t last,
             uint64_t hb_seq, int64_t now);

//  A refused handshake would otherwise look like a silent broker.
static int
s_on_curve_event (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    rs_sub_t *self = (rs_sub_t *) arg;
    int kind = rs_curve_monitor_event (reader);
    if (kind == 1)
        rs_log_limited (&self->curve_limit, 30000, RS_LOG_ERROR,
                        "the broker at %s refused this program's certificate (%s): its public key is "
                        "not in the broker's allow-list, CURVE_ALLOW_DIR (see docs/SECURITY.md)",
                        self->endpoint, rs_curve_public_key (self->curve));
    else if (kind == 2)
        rs_log_limited (&self->curve_limit, 30000, RS_LOG_ERROR,
                        "the CURVE handshake with the broker at %s failed: is CURVE_SERVER_KEY the "
                        "broker's public key, and does the broker run with CURVE?", self->endpoint);
    return self->stopping ? -1 : 0;
}

static void
s_dealer_free (void **item)
{
    s_dealer_t *d = *item;
    if (d) {
        zsock_destroy (&d->sock);
        free (d);
    }
    *item = NULL;
}

rs_sub_t *
rs_sub_new (const rs_sub_opts_t *opts)
{
    if (!opts || !opts->component || !rs_id_valid (opts->component, strlen (opts->component))
        || !opts->sub_endpoint || !opts->on_message) {
        rs_error ("subscriber: a valid component name, an endpoint and on_message are required");
        return NULL;
    }
    rs_sub_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    //  The instance name (--name) when the program has one for this component.
    snprintf (self->component, sizeof self->component, "%s", rs_config_instance (opts->component));
    self->on_message = opts->on_message;
    self->arg = opts->arg;
    self->durable = opts->durable;
    self->curve = opts->curve;
    self->on_gap = opts->on_gap;
    self->on_end = opts->on_end;
    self->drain_ms = opts->drain_ms > 0 ? opts->drain_ms : 0;
    self->heartbeat_ms = opts->heartbeat_ms > 0 ? opts->heartbeat_ms : 1000;
    self->broker_timeout_ms = opts->broker_timeout_ms > 0 ? opts->broker_timeout_ms : 5000;
    self->broker_seen_ms = rs_clock_mono_ms ();
    self->loop = zloop_new ();
    self->sock = zsock_new (ZMQ_SUB);
    self->decoder = rs_decoder_new ();
    self->seqs = rs_seqtrack_new ();
    self->timers = zlistx_new ();
    if (!self->loop || !self->sock || !self->decoder || !self->seqs || !self->timers) {
        rs_error ("subscriber: out of memory or sockets");
        rs_sub_destroy (&self);
        return NULL;
    }
    zlistx_set_destructor (self->timers, s_timer_free);
    self->handle = zsock_resolve (self->sock);
    zsock_set_rcvhwm (self->sock, opts->rcvhwm > 0 ? opts->rcvhwm : 100000);
    if (rs_curve_client (self->curve, self->handle, NULL) != 0) {
        rs_error ("subscriber: cannot set up CURVE: %s", zmq_strerror (zmq_errno ()));
        rs_sub_destroy (&self);
        return NULL;
    }
    self->curve_monitor = rs_curve_monitor (self->curve, self->sock);
    snprintf (self->endpoint, sizeof self->endpoint, "%s", opts->sub_endpoint);
    if (zsock_connect (self->sock, "%s", opts->sub_endpoint) != 0) {
        rs_error ("subscriber: cannot connect to %s: %s", opts->sub_endpoint,
                  zmq_strerror (zmq_errno ()));
        rs_sub_destroy (&self);
        return NULL;
    }
    if (opts->topics && opts->topics[0]) {
        for (size_t i = 0; opts->topics[i]; i++)
            if (rs_sub_subscribe (self, opts->topics[i]) != 0) {
                rs_error ("subscriber: too many or too long topic filters (at most %d)",
                          RS_SUB_MAX_TOPICS);
                rs_sub_destroy (&self);
                return NULL;
            }
    }
    else
        rs_sub_subscribe (self, "");
    //  Broker liveness comes from its heartbeats, whatever the user filters;
    //  a durable feed also needs every publisher's heartbeat (replay endpoint,
    //  last seq per topic).
    if (self->durable)
        zsock_set_subscribe (self->sock, "sys.");
    else if (!self->want_broker)
        zsock_set_subscribe (self->sock, "sys.broker");
    if (self->durable) {
        self->repair = rs_repair_new (RS_REPAIR_CHUNK, RS_REPAIR_TIMEOUT_MS, RS_REPAIR_TRIES,
                                      RS_REPAIR_UNKNOWN_MS, s_on_lost, self);
        self->dealers = zhashx_new ();
        self->pubs = zhashx_new ();
        self->replay_keys = zhashx_new ();
        if (!self->repair || !self->dealers || !self->pubs || !self->replay_keys) {
            rs_sub_destroy (&self);
            return NULL;
        }
        zhashx_set_destructor (self->dealers, s_dealer_free);
        zhashx_set_destructor (self->pubs, s_timer_free);
        zhashx_set_destructor (self->replay_keys, s_timer_free);
        zhashx_set_duplicator (self->replay_keys, (zhashx_duplicator_fn *) strdup);
        zloop_timer (self->loop, RS_REPAIR_TICK_MS, 0, s_on_repair_tick, self);
    }
    if (opts->pub_endpoint) {
        rs_pub_opts_t popts = { .endpoint = opts->pub_endpoint, .component = self->component,
                                .curve = opts->curve, .journal_msgs = opts->journal_msgs,
                                .journal_bytes = opts->journal_bytes,
                                .replay_endpoint = opts->replay_endpoint };
        self->pub = rs_pub_new (&popts);
        if (!self->pub) {
            rs_sub_destroy (&self);
            return NULL;
        }
    }
    zloop_reader (self->loop, self->sock, s_on_socket, self);
    if (self->curve_monitor)
        zloop_reader (self->loop, self->curve_monitor, s_on_curve_event, self);
    zloop_timer (self->loop, (size_t) self->heartbeat_ms, 0, s_on_heartbeat, self);
    return self;
}

void
rs_sub_destroy (rs_sub_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rs_sub_t *self = *self_p;
    zloop_destroy (&self->loop);
    zhashx_destroy (&self->dealers);
    zhashx_destroy (&self->replay_keys);
    zhashx_destroy (&self->pubs);
    rs_repair_destroy (&self->repair);
    zsock_destroy (&self->sock);
    zsock_destroy (&self->curve_monitor);
    rs_pub_destroy (&self->pub);
    rs_decoder_destroy (&self->decoder);
    rs_seqtrack_destroy (&self->seqs);
    zlistx_destroy (&self->timers);
    for (size_t i = 0; i < self->n_topics; i++)
        free (self->topics[i]);
    //  After the sockets: the program's own resources, then the CURVE set-up
    //  (its zauth actor served those sockets) and the configuration.
    if (self->def && self->def->on_free)
        self->def->on_free (self->def->arg);
    rs_curve_destroy (&self->own_curve);
    rs_config_destroy (&self->own_config);
    free (self);
    *self_p = NULL;
}

//  A durable feed learns from every heartbeat where a publisher's journal is
//  served, whether it stopped cleanly, and the last seq of each of its topics:
//  a seq beyond ours means a tail was lost with no later message to show it.
static void
s_note_publisher (rs_sub_t *self, const rs_msg_t *msg)
{
    const char *replay = NULL, *replay_key = NULL, *state = "";
    for (size_t i = 0; i < msg->n_info; i++) {
        if (strcmp (msg->info[i].key, "replay") == 0)
            replay = msg->info[i].value;
        else if (strcmp (msg->info[i].key, "replay_key") == 0)
            replay_key = msg->info[i].value;
        else if (strcmp (msg->info[i].key, "state") == 0)
            state = msg->info[i].value;
    }
    int64_t now = rs_clock_mono_ms ();
    if (replay && *replay) {
        rs_repair_endpoint (self->repair, msg->hdr.pub, msg->hdr.epoch, replay, now);
        if (replay_key && rs_curve_key_valid (replay_key))
            zhashx_update (self->replay_keys, replay, (void *) replay_key);
    }
    s_pubstate_t *p = zhashx_lookup (self->pubs, msg->hdr.pub);
    if (!p && (p = calloc (1, sizeof *p)))
        zhashx_insert (self->pubs, msg->hdr.pub, p);
    bool stopped = strcmp (state, "stopped") == 0;
    if (p && msg->hdr.epoch >= p->epoch) {
        p->epoch = msg->hdr.epoch;
        p->stopped = stopped;
        p->seen_ms = now;
    }
    for (size_t i = 0; i < msg->n_values; i++) {
        const char *topic = msg->values[i].name;
        if (strncmp (topic, "seq.", 4) != 0 || isnan (msg->values[i].value))
            continue;
        topic += 4;
        uint64_t epoch, last, hb_seq = (uint64_t) msg->values[i].value;
        if (!s_wanted (self, topic))
            continue;
        if (p)
            p->data = true;
        //  The end of a stream: told after any repair of its tail is asked
        //  for, so the subscriber knows how far the stream goes.
        if (rs_seqtrack_last (self->seqs, msg->hdr.pub, topic, &epoch, &last) != 0
            || epoch != msg->hdr.epoch)
            continue;
        if (hb_seq > last)
            s_tail_lost (self, msg->hdr.pub, topic, epoch, last, hb_seq, now);
        //  The end of a stream, told after any repair of its tail is asked
        //  for, so the subscriber knows how far the stream goes.
        if (stopped && self->on_end)
            self->on_end (self, msg->hdr.pub, topic, epoch, hb_seq, self->arg);
    }
}

//  Messages last + 1 .. hb_seq of a stream were sent with nothing after them
//  to show they were lost: ask for them.
static void
s_tail_lost (rs_sub_t *self, const char *pub, const char *topic, uint64_t epoch, uint64_t last,
             uint64_t hb_seq, int64_t now)
{
    rs_seqtrack_seed (self->seqs, pub, topic, epoch, hb_seq);
    self->stats.gaps++;
    self->stats.missing += hb_seq - last;
    rs_repair_add (self->repair, pub, topic, epoch, last + 1, hb_seq, false, now);
    if (self->on_gap) {
        rs_gap_t gap = { pub, topic, epoch, last + 1, hb_seq, false };
        self->on_gap (self, &gap, self->arg);
    }
}

static void
s_on_lost (const rs_gap_t *gap, void *arg)
{
    rs_sub_t *self = (rs_sub_t *) arg;
    if (gap->to_seq)
        self->stats.lost_permanently += gap->to_seq - gap->from_seq + 1;
    if (gap->to_seq)
        rs_log_limited (&self->gap_limit, 1000, RS_LOG_WARN,
                        "permanent gap on %s from %s: seq %llu-%llu cannot be recovered", gap->topic,
                        gap->pub, (unsigned long long) gap->from_seq, (unsigned long long) gap->to_seq);
    else
        rs_log_limited (&self->gap_limit, 1000, RS_LOG_WARN,
                        "%s from %s ended without an end-of-stream: unknown tail after seq %llu", gap->topic,
                        gap->pub, (unsigned long long) gap->from_seq - 1);
    if (self->on_gap)
        self->on_gap (self, gap, self->arg);
}

//  Durable bookkeeping for a live message, given what the tracker said.
static void
s_durable_check (rs_sub_t *self, const rs_msg_t *msg, rs_seq_result_t r, uint64_t missing,
                 uint64_t old_epoch, uint64_t old_last)
{
    int64_t now = rs_clock_mono_ms ();
    const char *pub = msg->hdr.pub, *topic = msg->topic;
    uint64_t seq = msg->hdr.seq;
    if (r == RS_SEQ_GAP) {
        rs_repair_add (self->repair, pub, topic, msg->hdr.epoch, seq - missing, seq - 1, false, now);
        if (self->on_gap) {
            rs_gap_t gap = { pub, topic, msg->hdr.epoch, seq - missing, seq - 1, false };
            self->on_gap (self, &gap, self->arg);
        }
    }
    else if (r == RS_SEQ_NEW_EPOCH || r == RS_SEQ_FIRST) {
        //  What the new incarnation (or a stream we never saw) published
        //  before this message is still in its journal.
        if (seq > 1)
            rs_repair_add (self->repair, pub, topic, msg->hdr.epoch, 1, seq - 1,
                           r == RS_SEQ_FIRST, now);
        //  The old incarnation's journal died with it: unless it said it
        //  stopped, messages after the last one we hold may be gone.
        s_pubstate_t *p = zhashx_lookup (self->pubs, pub);
        if (r == RS_SEQ_NEW_EPOCH && !(p && p->stopped && p->epoch == old_epoch)) {
            rs_gap_t gap = { pub, topic, old_epoch, old_last + 1, 0, true };
            s_on_lost (&gap, self);
        }
    }
}

//  Handles one decoded message: sequence bookkeeping, then delivery.
static int
s_accept (rs_sub_t *self, const rs_msg_t *msg)
{
    if (msg->kind == RS_KIND_SYS && strcmp (msg->id, "broker") == 0) {
        self->broker_seen_ms = rs_clock_mono_ms ();
        if (!self->stats.broker_up && self->broker_warned)
            rs_info ("broker is back");
        self->stats.broker_up = true;
        self->broker_warned = false;
        self->stats.delay_ms = (rs_clock_now_us () - msg->hdr.ts_us) / 1000;
    }
    uint64_t missing = 0, old_epoch = 0, old_last = 0;
    if (self->durable)
        rs_seqtrack_last (self->seqs, msg->hdr.pub, msg->topic, &old_epoch, &old_last);
    rs_seq_result_t r = rs_seqtrack_check (self->seqs, msg->hdr.pub, msg->topic, msg->hdr.epoch,
                                           msg->hdr.seq, msg->hdr.ts_us, &missing);
    switch (r) {
    case RS_SEQ_DUP:
        self->stats.duplicates++;
        return 0;
    case RS_SEQ_OLD_EPOCH:
        self->stats.old_epoch++;
        return 0;
    case RS_SEQ_GAP:
        self->stats.gaps++;
        self->stats.missing += missing;
        rs_log_limited (&self->gap_limit, 1000, RS_LOG_WARN,
                        "gap on %s from %s: %llu message(s) lost before seq %llu%s", msg->topic,
                        msg->hdr.pub, (unsigned long long) missing,
                        (unsigned long long) msg->hdr.seq, self->durable ? " (repairing)" : "");
        break;
    case RS_SEQ_NEW_EPOCH:
        self->stats.restarts++;
        rs_info ("publisher %s restarted (new epoch) on %s", msg->hdr.pub, msg->topic);
        break;
    default:
        break;
    }
    self->stats.streams = rs_seqtrack_size (self->seqs);
    if (self->durable) {
        if (msg->kind == RS_KIND_SYS)
            s_note_publisher (self, msg);
        if (s_wanted (self, msg->topic))
            s_durable_check (self, msg, r, missing, old_epoch, old_last);
    }
    //  Only sys.broker (and, in a durable feed, other heartbeats) can arrive
    //  without being asked for (see rs_sub_new).
    if (!s_wanted (self, msg->topic))
        return 0;
    self->stats.delivered++;
    return self->on_message (self, msg, self->arg);
}

//  A replay answer: MSG topic body, or END topic epoch first last.
static int
s_on_dealer (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    s_dealer_t *d = (s_dealer_t *) arg;
    rs_sub_t *self = d->sub;
    int rc = 0;
    for (int n = 0; n < RS_SUB_BATCH && rc == 0; n++) {
        zmsg_t *m = zmsg_recv_nowait (reader);
        if (!m)
            break;
        char *kind = zmsg_popstr (m);
        zframe_t *topic = zmsg_pop (m);
        if (kind && topic && strcmp (kind, "MSG") == 0 && zmsg_size (m) == 1) {
            zframe_t *body = zmsg_first (m);
            rs_msg_t msg;
            int err = rs_decode (self->decoder, zframe_data (topic), zframe_size (topic),
                                 zframe_data (body), zframe_size (body), &msg);
            if (err == RS_OK && rs_repair_got (self->repair, msg.hdr.pub, msg.topic, msg.hdr.epoch,
                                                msg.hdr.seq)) {
                msg.replayed = true;
                self->stats.repaired++;
                self->stats.delivered++;
                rc = self->on_message (self, &msg, self->arg);
            }
            else if (err != RS_OK)
                s_rejected (self, err, zframe_data (topic), zframe_size (topic), zframe_data (body),
                            zframe_size (body));
        }
        else if (kind && topic && strcmp (kind, "END") == 0 && zmsg_size (m) == 3) {
            char *t = zframe_strdup (topic);
            char *e = zmsg_popstr (m), *f = zmsg_popstr (m), *l = zmsg_popstr (m);
            if (t && e && f && l)
                rs_repair_end (self->repair, d->endpoint, t, strtoull (e, NULL, 10),
                               strtoull (f, NULL, 10), strtoull (l, NULL, 10));
            free (t);
            free (e);
            free (f);
            free (l);
        }
        free (kind);
        zframe_destroy (&topic);
        zmsg_destroy (&m);
    }
    return self->stopping ? -1 : rc;
}

static s_dealer_t *
s_dealer (rs_sub_t *self, const char *endpoint)
{
    //  With CURVE the journal's key comes from the publisher's heartbeat; a
    //  publisher restarted with another certificate gets a new connection.
    const char *key = zhashx_lookup (self->replay_keys, endpoint);
    if (!key)
        key = "";
    s_dealer_t *d = zhashx_lookup (self->dealers, endpoint);
    if (d && strcmp (d->key, key) == 0)
        return d;
    if (d) {
        zloop_reader_end (self->loop, d->sock);
        zhashx_delete (self->dealers, endpoint);
    }
    if (rs_curve_on (self->curve) && !*key) {
        rs_warn ("no CURVE key announced for replay endpoint %s", endpoint);
        return NULL;
    }
    d = calloc (1, sizeof *d);
    if (!d)
        return NULL;
    d->sub = self;
    snprintf (d->endpoint, sizeof d->endpoint, "%s", endpoint);
    snprintf (d->key, sizeof d->key, "%s", key);
    d->sock = zsock_new (ZMQ_DEALER);
    //  Queue limits apply to pipes made after they are set: before connect.
    //  A full queue would make the publisher drop replayed messages.
    if (d->sock)
        zsock_set_rcvhwm (d->sock, 0);
    if (d->sock && rs_curve_client (self->curve, zsock_resolve (d->sock), key) != 0)
        zsock_destroy (&d->sock);
    if (!d->sock || zsock_connect (d->sock, "%s", endpoint) != 0) {
        rs_warn ("cannot connect to replay endpoint %s", endpoint);
        zsock_destroy (&d->sock);
        free (d);
        return NULL;
    }
    zhashx_insert (self->dealers, endpoint, d);
    zloop_reader (self->loop, d->sock, s_on_dealer, d);
    return d;
}

static int
s_on_repair_tick (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    rs_sub_t *self = (rs_sub_t *) arg;
    int64_t now = rs_clock_mono_ms ();
    rs_repair_tick (self->repair, now);
    rs_repair_req_t req;
    while (rs_repair_next (self->repair, now, &req)) {
        s_dealer_t *d = s_dealer (self, req.endpoint);
        if (!d)
            continue;           //  the request times out and is retried
        zstr_sendm (d->sock, "REPLAY");
        zstr_sendm (d->sock, req.topic);
        zstr_sendfm (d->sock, "%llu", (unsigned long long) req.epoch);
        zstr_sendfm (d->sock, "%llu", (unsigned long long) req.from);
        zstr_sendf (d->sock, "%llu", (unsigned long long) req.to);
    }
    self->stats.repair_pending = rs_repair_pending (self->repair);
    return self->stopping ? -1 : 0;
}

static int
s_on_socket (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    (void) reader;
    rs_sub_t *self = (rs_sub_t *) arg;
    zmq_msg_t topic, body;
    zmq_msg_init (&topic);
    zmq_msg_init (&body);
    int rc = 0;
    for (int n = 0; n < RS_SUB_BATCH && rc == 0 && !self->stopping; n++) {
        if (zmq_msg_recv (&topic, self->handle, ZMQ_DONTWAIT) < 0)
            break;
        self->stats.received++;
        if (!zmq_msg_more (&topic)) {
            self->stats.bad_frames++;
            rs_log_limited (&self->reject_limit, 1000, RS_LOG_WARN,
                            "dropped a message of one frame (expected topic + body)");
            continue;
        }
        zmq_msg_recv (&body, self->handle, 0);
        if (zmq_msg_more (&body)) {
            //  Swallow the extra frames: the whole message is malformed.
            while (zmq_msg_more (&body))
                zmq_msg_recv (&body, self->handle, 0);
            self->stats.bad_frames++;
            rs_log_limited (&self->reject_limit, 1000, RS_LOG_WARN,
                            "dropped a message of more than two frames");
            continue;
        }
        rs_msg_t msg;
        int err = rs_decode (self->decoder, zmq_msg_data (&topic), zmq_msg_size (&topic),
                             zmq_msg_data (&body), zmq_msg_size (&body), &msg);
        if (err != RS_OK) {
            s_rejected (self, err, zmq_msg_data (&topic), zmq_msg_size (&topic), zmq_msg_data (&body),
                        zmq_msg_size (&body));
            rs_log_limited (&self->reject_limit, 1000, RS_LOG_WARN,
                            "rejected a message on '%s' from publisher '%s': %s: %s (%llu rejected so far)",
                            self->last_reject_topic, self->last_reject_pub, rs_strerror (err),
                            rs_decoder_detail (self->decoder), (unsigned long long) self->stats.rejected);
            continue;
        }
        rc = s_accept (self, &msg);
    }
    zmq_msg_close (&topic);
    zmq_msg_close (&body);
    return self->stopping ? -1 : rc;
}

static int
s_on_heartbeat (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    rs_sub_t *self = (rs_sub_t *) arg;
    int64_t silent = rs_clock_mono_ms () - self->broker_seen_ms;
    if (silent > self->broker_timeout_ms) {
        self->stats.broker_up = false;
        if (!self->broker_warned)
            rs_warn ("no heartbeat from the broker for %.1f s; waiting (ZeroMQ reconnects by itself)",
                     (double) silent / 1000.0);
        self->broker_warned = true;
    }
    if (!self->pub)
        return 0;
    const rs_sub_stats_t *s = &self->stats;
    rs_value_t stats[RS_SUB_MAX_STATS] = {
        { "received", -1, (double) s->received },
        { "delivered", -1, (double) s->delivered },
        { "rejected", -1, (double) s->rejected },
        { "bad_frames", -1, (double) s->bad_frames },
        { "gaps", -1, (double) s->gaps },
        { "missing", -1, (double) s->missing },
        { "duplicates", -1, (double) s->duplicates },
        { "restarts", -1, (double) s->restarts },
        { "time_backwards", -1, (double) s->time_backwards },
        { "streams", -1, (double) s->streams },
        { "broker_up", -1, s->broker_up ? 1.0 : 0.0 },
        { "repaired", -1, (double) s->repaired },
        { "repair_pending", -1, (double) s->repair_pending },
        { "lost_permanently", -1, (double) s->lost_permanently },
        { "delay_ms", -1, (double) s->delay_ms },
    };
    rs_sub_report_t report = { stats, 15, RS_SUB_MAX_STATS };
    //  Rejections by the decoder's reason (docs/PROTOCOL.md), those seen.
    for (int err = RS_OK + 1; err < RS_E_COUNT; err++)
        if (s->rejected_by[err]) {
            snprintf (self->reject_names[err], sizeof self->reject_names[err], "rejected.%s", rs_errname (err));
            rs_sub_report_add (&report, self->reject_names[err], (double) s->rejected_by[err]);
        }
    if (self->stats_fn)
        self->stats_fn (self, &report, self->stats_arg);
    size_t n = report.n;
    rs_text_t info[] = { { "state", self->stopping ? "stopped" : "running" },
                         { "version", RS_VERSION },
                         { "last_reject_pub", self->last_reject_pub },
                         { "last_reject_reason", self->last_reject_reason },
                         { "last_reject_topic", self->last_reject_topic } };
    rs_pub_heartbeat (self->pub, stats, n, info, s->rejected ? 5 : 2);
    return 0;
}

//  True when a stopping durable feed has what it waits for: every publisher
//  of its topics still heard from has said it stopped, and no repair is
//  pending. A publisher silent for RS_DRAIN_SILENT_MS is taken as gone.
static bool
s_drained (rs_sub_t *self, int64_t now, size_t *waiting)
{
    size_t n = 0;
    for (s_pubstate_t *p = zhashx_first (self->pubs); p; p = zhashx_next (self->pubs))
        if (p->data && !p->stopped && now - p->seen_ms < RS_DRAIN_SILENT_MS)
            n++;
    *waiting = n;
    return n == 0 && rs_repair_pending (self->repair) == 0;
}

static int
s_on_drain_tick (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    rs_sub_t *self = (rs_sub_t *) arg;
    size_t waiting;
    int64_t now = rs_clock_mono_ms ();
    if (s_drained (self, now, &waiting) || now >= self->drain_until_ms || self->stopping)
        return -1;
    return 0;
}

//  Stopped by a signal: a durable feed reads on (bounded by drain_ms) until
//  the publishers stopping alongside it have said where their streams end,
//  so a parallel stop of everything loses nothing.
static void
s_drain (rs_sub_t *self)
{
    int64_t start = rs_clock_mono_ms ();
    size_t waiting;
    if (s_drained (self, start, &waiting))
        return;
    rs_info ("stopping: reading on for up to %d ms until %zu publisher(s) say they stopped and %llu "
             "message(s) are repaired", self->drain_ms, waiting,
             (unsigned long long) rs_repair_pending (self->repair));
    self->draining = true;
    self->drain_until_ms = start + self->drain_ms;
    zloop_set_nonstop (self->loop, true);
    int id = zloop_timer (self->loop, 20, 0, s_on_drain_tick, self);
    //  zloop also returns when a poll is interrupted (EINTR): go on until
    //  the tick says it is done.
    int64_t now = start;
    while (id >= 0 && !s_drained (self, now, &waiting) && now < self->drain_until_ms && !self->stopping) {
        zloop_start (self->loop);
        now = rs_clock_mono_ms ();
    }
    if (id >= 0)
        zloop_timer_end (self->loop, id);
    now = rs_clock_mono_ms ();
    if (s_drained (self, now, &waiting))
        rs_info ("every stream ended after %lld ms", (long long) (now - start));
    else
        rs_warn ("stopping after %lld ms with %zu publisher(s) not stopped and %llu message(s) not repaired",
                 (long long) (now - start), waiting, (unsigned long long) rs_repair_pending (self->repair));
    self->draining = false;
}

int
rs_sub_run (rs_sub_t *self)
{
    rs_debug ("subscriber loop starting");
    int rc = zloop_start (self->loop);
    //  zloop returns 0 when interrupted by a signal and -1 when a handler
    //  stopped it; both are a clean stop here.
    (void) rc;
    if (!self->stopping && self->durable && self->drain_ms > 0)
        s_drain (self);
    self->stopping = true;
    //  A last heartbeat says "stopped" with the last seq of every topic: the
    //  end of its streams. A program from rs_sub_start may still publish in
    //  on_stop, so rs_sub_finish sends it after that.
    if (!self->def)
        s_on_heartbeat (self->loop, 0, self);
    return RS_OK;
}

void
rs_sub_stop (rs_sub_t *self)
{
    self->stopping = true;
}

static int
s_on_user_timer (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    s_timer_t *t = (s_timer_t *) arg;
    int rc = t->fn (t->sub, t->arg);
    return t->sub->stopping ? -1 : rc;
}

int
rs_sub_timer (rs_sub_t *self, int interval_ms, rs_sub_timer_fn *fn, void *arg)
{
    if (interval_ms <= 0 || !fn)
        return RS_E_INVAL;
    s_timer_t *t = calloc (1, sizeof *t);
    if (!t)
        return RS_E_NOMEM;
    t->sub = self;
    t->fn = fn;
    t->arg = arg;
    zlistx_add_end (self->timers, t);
    return zloop_timer (self->loop, (size_t) interval_ms, 0, s_on_user_timer, t) < 0 ? RS_E_NOMEM : RS_OK;
}

int
rs_sub_resume (rs_sub_t *self, const char *pub, const char *topic, uint64_t epoch,
               uint64_t last_seq)
{
    if (!self->durable || !pub || !topic || epoch == 0)
        return RS_E_INVAL;
    return rs_seqtrack_seed (self->seqs, pub, topic, epoch, last_seq) == 0 ? RS_OK : RS_E_NOMEM;
}

void
rs_sub_set_stats_fn (rs_sub_t *self, rs_sub_stats_fn *fn, void *arg)
{
    self->stats_fn = fn;
    self->stats_arg = arg;
}

const rs_sub_stats_t *
rs_sub_stats (rs_sub_t *self)
{
    return &self->stats;
}

rs_pub_t *
rs_sub_pub (rs_sub_t *self)
{
    return self->pub;
}

rs_decoder_t *
rs_sub_decoder (rs_sub_t *self)
{
    return self->decoder;
}

zloop_t *
rs_sub_loop (rs_sub_t *self)
{
    return self->loop;
}

const char *
rs_sub_component (rs_sub_t *self)
{
    return self->component;
}

rs_config_t *
rs_sub_config (rs_sub_t *self)
{
    return self->own_config;
}

const rs_curve_t *
rs_sub_curve (rs_sub_t *self)
{
    return self->curve;
}

const char *
rs_sub_endpoint (rs_sub_t *self)
{
    return self->endpoint;
}

//  SIGHUP, read from rs_signal's pipe in the loop.
static int
s_on_reload (zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    (void) loop;
    (void) item;
    rs_sub_t *self = (rs_sub_t *) arg;
    if (rs_signal_reload_take ())
        self->def->on_reload (self, self->def->arg);
    return 0;
}

//  Loads the configuration of def into *cfg_p and fills opts from it, with
//  the topics in buf/items. Returns RS_OK or the code to exit with.
static int
s_configure (const rs_sub_def_t *def, int argc, char **argv, rs_config_t **cfg_p, rs_curve_t **curve_p,
             rs_sub_opts_t *opts, char *sub_ep, char *pub_ep, size_t ep_size, char *buf, size_t size,
             const char **items)
{
    static const rs_option_t broker[] = { RS_OPTIONS_BROKER_CLIENT, RS_OPTION_END };
    static const rs_option_t journal[] = { RS_OPTIONS_BROKER_CLIENT, RS_OPTIONS_PUBLISHER, RS_OPTION_END };
    rs_option_t *table = rs_config_table (def->journal ? journal : broker, def->options, NULL);
    const char *program = def->program ? def->program : def->component;
    *cfg_p = table ? rs_config_new (program, def->usage, table, NULL) : NULL;
    free (table);
    int rc = rs_config_start (cfg_p, argc, argv, def->component);
    if (rc != RS_OK)
        return rc;
    rs_config_t *cfg = *cfg_p;
    if (rs_config_broker_endpoint (cfg, true, sub_ep, ep_size) != 0
        || rs_config_broker_endpoint (cfg, false, pub_ep, ep_size) != 0) {
        fprintf (stderr, "%s: no usable broker endpoint (--broker-host, --backend, --frontend)\n", program);
        return RS_E_CONFIG;
    }
    opts->topics = def->topics;
    if (def->topics_option) {
        int n = rs_config_list (cfg, def->topics_option, buf, size, items, RS_SUB_MAX_OPT_TOPICS);
        if (n < 0) {
            fprintf (stderr, "%s: --%s: at most %d prefixes\n", program, def->topics_option,
                     RS_SUB_MAX_OPT_TOPICS);
            return RS_E_CONFIG;
        }
        opts->topics = n ? items : NULL;
    }
    //  A key that cannot be read is an error here, never a plaintext run.
    *curve_p = rs_curve_new_config (cfg);
    if (!*curve_p)
        return RS_E_CONFIG;
    opts->component = def->component;
    opts->sub_endpoint = sub_ep;
    opts->pub_endpoint = pub_ep;
    opts->heartbeat_ms = (int) rs_config_int (cfg, "heartbeat-ms");
    opts->on_message = def->on_message;
    opts->arg = def->arg;
    opts->durable = def->durable;
    opts->on_gap = def->on_gap;
    opts->on_end = def->on_end;
    opts->curve = *curve_p;
    if (def->journal) {
        rs_pub_opts_t popts = { 0 };
        rs_pub_opts_config (&popts, cfg);
        opts->journal_msgs = popts.journal_msgs;
        opts->journal_bytes = popts.journal_bytes;
        opts->replay_endpoint = popts.replay_endpoint;
        if (opts->journal_msgs > 0 && !rs_curve_bind_allowed (*curve_p, opts->replay_endpoint, true)) {
            rs_curve_check_bind (*curve_p, opts->replay_endpoint, true, "replay journal");
            return RS_E_CONFIG;
        }
        if (opts->journal_msgs > 0 && !rs_curve_can_serve (*curve_p)) {
            rs_error ("CURVE: the replay journal is served with CURVE and needs CURVE_ALLOW_DIR, the "
                      "directory of the clients allowed to ask it (or REPLAY_JOURNAL=0 for none)");
            return RS_E_CONFIG;
        }
    }
    return RS_OK;
}

int
rs_sub_start (const rs_sub_def_t *def, int argc, char **argv, rs_sub_t **sub_p)
{
    *sub_p = NULL;
    if (!def || !def->component || !def->on_message)
        return RS_E_INVAL;
    //  Before any thread (zauth, libzmq's): they inherit the blocked SIGHUP.
    int reload_fd = def->on_reload ? rs_signal_reload_fd () : -1;
    rs_config_t *cfg = NULL;
    rs_curve_t *curve = NULL;
    rs_sub_opts_t opts = { 0 };
    char sub_ep[256], pub_ep[256], buf[1024];
    const char *items[RS_SUB_MAX_OPT_TOPICS + 1];
    int rc = s_configure (def, argc, argv, &cfg, &curve, &opts, sub_ep, pub_ep, sizeof sub_ep, buf,
                          sizeof buf, items);
    bool set_up = rc == RS_OK;
    if (rc == RS_OK && def->on_setup)
        rc = def->on_setup (cfg, &opts, def->arg);
    rs_sub_t *self = NULL;
    if (rc == RS_OK && !(self = rs_sub_new (&opts)))
        rc = RS_E_SOCKET;
    if (rc != RS_OK) {
        if (set_up && def->on_free)
            def->on_free (def->arg);
        rs_curve_destroy (&curve);
        rs_config_destroy (&cfg);
        return rc;
    }
    self->def = def;
    self->own_config = cfg;
    self->own_curve = curve;
    if (def->on_stats)
        rs_sub_set_stats_fn (self, def->on_stats, def->arg);
    //  After the first socket: czmq installs its own handlers at that point.
    rs_signal_catch ();
    if (def->on_reload) {
        zmq_pollitem_t item = { NULL, reload_fd, ZMQ_POLLIN, 0 };
        if (reload_fd < 0 || zloop_poller (self->loop, &item, s_on_reload, self) != 0)
            rs_warn ("cannot watch for SIGHUP: %s", strerror (errno));
    }
    rc = def->on_start ? def->on_start (self, def->arg) : RS_OK;
    if (rc != RS_OK) {
        rs_sub_destroy (&self);
        return rc;
    }
    if (!def->own_ready_line) {
        char topics[512] = "";
        size_t used = 0;
        for (size_t i = 0; i < self->n_topics && used < sizeof topics; i++)
            used += (size_t) snprintf (topics + used, sizeof topics - used, "%s%s", i ? "," : "",
                                       *self->topics[i] ? self->topics[i] : "everything");
        rs_info ("ready: reading %s from %s", topics, self->endpoint);
    }
    *sub_p = self;
    return RS_OK;
}

int
rs_sub_finish (rs_sub_t **sub_p, int err)
{
    rs_sub_t *self = sub_p ? *sub_p : NULL;
    if (self) {
        char own[1024] = "";
        int rc = self->def && self->def->on_stop ? self->def->on_stop (self, own, sizeof own, self->def->arg)
                                                 : RS_OK;
        if (err == RS_OK)
            err = rc;
        self->stopping = true;
        s_on_heartbeat (self->loop, 0, self);
        const rs_sub_stats_t *st = &self->stats;
        rs_info ("stopped: %s%s%llu received, %llu delivered, %llu rejected, %llu lost in %llu gap(s), "
                 "%llu recovered, %llu lost for good",
                 own, *own ? "; " : "", (unsigned long long) st->received, (unsigned long long) st->delivered,
                 (unsigned long long) st->rejected, (unsigned long long) st->missing,
                 (unsigned long long) st->gaps, (unsigned long long) st->repaired,
                 (unsigned long long) st->lost_permanently);
        rs_sub_destroy (sub_p);
    }
    return rs_exit_status (err);
}

int
rs_sub_main (const rs_sub_def_t *def, int argc, char **argv)
{
    rs_sub_t *sub;
    int rc = rs_sub_start (def, argc, argv, &sub);
    if (rc == RS_OK)
        rc = rs_sub_run (sub);
    return rs_sub_finish (&sub, rc);
}
