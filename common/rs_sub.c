/*  rs_sub: the subscriber SDK's one loop. The socket reader drains in batches
    so a fast stream costs one poll per batch, not one per message. */
#include "rs_sub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rs_clock.h"
#include "rs_log.h"
#include "rs_seqtrack.h"

#define RS_SUB_MAX_TOPICS 32
#define RS_SUB_BATCH 1024
#define RS_SUB_MAX_STATS 48

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
};

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
        return -1;
    char *copy = strdup (prefix);
    if (!copy)
        return -1;
    self->topics[self->n_topics++] = copy;
    zsock_set_subscribe (self->sock, prefix);
    if (s_prefix_of (prefix, "sys.broker"))
        self->want_broker = true;
    return 0;
}

static int
s_on_socket (zloop_t *loop, zsock_t *reader, void *arg);
static int
s_on_heartbeat (zloop_t *loop, int timer_id, void *arg);

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
    snprintf (self->component, sizeof self->component, "%s", opts->component);
    self->on_message = opts->on_message;
    self->arg = opts->arg;
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
    //  Broker liveness comes from its heartbeats, whatever the user filters.
    if (!self->want_broker)
        zsock_set_subscribe (self->sock, "sys.broker");
    if (opts->pub_endpoint) {
        rs_pub_opts_t popts = { .endpoint = opts->pub_endpoint, .component = self->component };
        self->pub = rs_pub_new (&popts);
        if (!self->pub) {
            rs_sub_destroy (&self);
            return NULL;
        }
    }
    zloop_reader (self->loop, self->sock, s_on_socket, self);
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
    zsock_destroy (&self->sock);
    rs_pub_destroy (&self->pub);
    rs_decoder_destroy (&self->decoder);
    rs_seqtrack_destroy (&self->seqs);
    zlistx_destroy (&self->timers);
    for (size_t i = 0; i < self->n_topics; i++)
        free (self->topics[i]);
    free (self);
    *self_p = NULL;
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
    }
    uint64_t missing = 0;
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
                        "gap on %s from %s: %llu message(s) lost before seq %llu", msg->topic,
                        msg->hdr.pub, (unsigned long long) missing,
                        (unsigned long long) msg->hdr.seq);
        break;
    case RS_SEQ_NEW_EPOCH:
        self->stats.restarts++;
        rs_info ("publisher %s restarted (new epoch) on %s", msg->hdr.pub, msg->topic);
        break;
    default:
        break;
    }
    self->stats.streams = rs_seqtrack_size (self->seqs);
    //  Only sys.broker can arrive without being asked for (see rs_sub_new).
    if (!self->want_broker && !s_wanted (self, msg->topic))
        return 0;
    self->stats.delivered++;
    return self->on_message (self, msg, self->arg);
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
            self->stats.rejected++;
            self->stats.rejected_by[err]++;
            size_t tl = zmq_msg_size (&topic);
            rs_log_limited (&self->reject_limit, 1000, RS_LOG_WARN,
                            "rejected a message on '%.*s': %s: %s", (int) (tl > 64 ? 64 : tl),
                            (const char *) zmq_msg_data (&topic), rs_strerror (err),
                            rs_decoder_detail (self->decoder));
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
    };
    size_t n = 11;
    if (self->stats_fn)
        n += self->stats_fn (self, stats + n, RS_SUB_MAX_STATS - n, self->stats_arg);
    rs_text_t info[] = { { "state", self->stopping ? "stopped" : "running" },
                         { "version", RS_VERSION } };
    rs_pub_heartbeat (self->pub, stats, n, info, 2);
    return 0;
}

int
rs_sub_run (rs_sub_t *self)
{
    rs_debug ("subscriber loop starting");
    int rc = zloop_start (self->loop);
    //  zloop returns 0 when interrupted by a signal and -1 when a handler
    //  stopped it; both are a clean stop here.
    (void) rc;
    self->stopping = true;
    s_on_heartbeat (self->loop, 0, self);   //  a last heartbeat says "stopped"
    return 0;
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
    s_timer_t *t = calloc (1, sizeof *t);
    if (!t || interval_ms <= 0) {
        free (t);
        return -1;
    }
    t->sub = self;
    t->fn = fn;
    t->arg = arg;
    zlistx_add_end (self->timers, t);
    return zloop_timer (self->loop, (size_t) interval_ms, 0, s_on_user_timer, t) < 0 ? -1 : 0;
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
