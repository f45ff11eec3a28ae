/*  rs_broker: the broker engine (see rs_broker.h).

    Drops for slow subscribers: the XPUB socket never blocks. When a
    subscriber's queue reaches the send high-water mark, libzmq silently drops
    that subscriber's messages and tells us nothing. So the broker cannot
    count those drops itself; subscribers see them as sequence gaps and report
    "gaps" / "missing" in their sys.* heartbeats, which the broker decodes and
    sums into "drops_reported" in STATUS.

    Last-value cache for late joiners: on every subscribe the broker sends the
    cached last message of each topic matching the new prefix. XPUB sends to
    every subscriber whose filters match, so subscribers already holding a
    matching subscription get those messages a second time; they drop them as
    duplicates by (pub, epoch, seq), which is why the cache replays the exact
    original bodies. */
#include "rs_broker.h"

#include <czmq.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "rs_clock.h"
#include "rs_curve.h"
#include "rs_log.h"
#include "rs_lvc.h"
#include "rs_msg.h"
#include "rs_subs.h"

#define BATCH            1024       // messages per readiness before polling again
#define CONTROL_BATCH    64
#define MAX_COMPONENTS   256
#define MAX_SUB_PREFIXES 4096
#define MAX_ENDPOINT     256
#define MAX_COMMAND      64         // the longest command frame answered as a command
#define RUN_POLL_MS      250
#define STOP_TAIL_MS     100        // after the last frontend connection closed: what it sent just before
#define BACKEND_LINGER_MS 200       // at close: time for the final heartbeat to leave        // bounds the wait if a stop signal lands just before zmq_poll
//  A publisher sending a frame above this is disconnected by libzmq before the
//  frame is buffered; frames between RS_MAX_BODY and this are read and counted
//  as too_big. Bounds the memory one bad publisher can make us allocate.
#define FRONTEND_MAXMSGSIZE (16 * 1024 * 1024)
//  The control endpoint's hard cap per frame: a longer frame makes libzmq drop
//  the connection unanswered. Anything up to it is read and answered with an
//  error (docs/PROTOCOL.md), so a client is never left waiting for less.
#define CONTROL_MAXMSGSIZE (32 * 1024 * 1024)

typedef struct {
    char name[RS_MAX_ID + 1];
    char pub[RS_MAX_ID + 1];
    char state[16];         // info "state": running / stopped ("" if not given)
    int64_t last_seen_ms;
    uint64_t heartbeats;
    json_t *stats;          // name -> number (null for nil), from the last heartbeat
    json_t *info;           // name -> string, from the last heartbeat
} component_t;

struct rs_broker_t {
    void *ctx;
    bool own_ctx;           // false with CURVE: czmq's context, where zauth answers ZAP
    bool curve;
    void *frontend;         // XSUB
    void *backend;          // XPUB
    void *control;          // ROUTER, or NULL
    void *mon_front;        // PAIR receiving the frontend's connection events
    void *mon_back;
    void *mon_ctl;          // only with CURVE: failed handshakes on the control socket
    char ep_front[MAX_ENDPOINT];
    char ep_back[MAX_ENDPOINT];
    char ep_control[MAX_ENDPOINT];

    int heartbeat_ms;
    int stop_grace_ms;
    rs_lvc_t *lvc;          // NULL when disabled
    rs_subs_t *subs;
    rs_decoder_t *decoder;
    rs_encoder_t *encoder;
    component_t *components;
    size_t n_components;
    uint64_t components_untracked;

    rs_broker_counters_t c;
    atomic_int stop;

    int64_t start_us;
    int64_t start_ms;
    int64_t next_hb_ms;
    int64_t rate_mark_ms;
    uint64_t rate_mark_in;
    uint64_t rate_mark_out;
    double rate_in;
    double rate_out;
    uint64_t hb_seq;

    zmq_msg_t topic;        // hot-path frames, reused for every message
    zmq_msg_t body;

    rs_log_limit_t lim_bad;
    rs_log_limit_t lim_big;
    rs_log_limit_t lim_sys;
    rs_log_limit_t lim_lvc;
    rs_log_limit_t lim_send;
    rs_log_limit_t lim_ctl;         // control requests of the wrong shape
    rs_log_limit_t lim_ctl_unknown;
    rs_log_limit_t lim_ctl_big;
    rs_log_limit_t lim_auth;
};

static const char *const s_prefix_names[RS_BROKER_P_COUNT] = {
    "telemetry", "event", "kpi", "alert", "sys", "other"
};

rs_broker_prefix_t
rs_broker_prefix_of (const void *topic, size_t len)
{
    const char *t = topic;
    const char *dot = len ? memchr (t, '.', len) : NULL;
    size_t n = dot ? (size_t) (dot - t) : len;
    switch (n) {
        case 3:
            if (memcmp (t, "kpi", 3) == 0) return RS_BROKER_P_KPI;
            if (memcmp (t, "sys", 3) == 0) return RS_BROKER_P_SYS;
            break;
        case 5:
            if (memcmp (t, "event", 5) == 0) return RS_BROKER_P_EVENT;
            if (memcmp (t, "alert", 5) == 0) return RS_BROKER_P_ALERT;
            break;
        case 9:
            if (memcmp (t, "telemetry", 9) == 0) return RS_BROKER_P_TELEMETRY;
            break;
        default:
            break;
    }
    return RS_BROKER_P_OTHER;
}

const char *
rs_broker_prefix_name (rs_broker_prefix_t prefix)
{
    return (unsigned) prefix < RS_BROKER_P_COUNT ? s_prefix_names [prefix] : "other";
}

//  Copies frame bytes into a printable, NUL-terminated string for log lines.
static const char *
s_printable (const void *data, size_t len, char *buf, size_t size)
{
    const unsigned char *p = data;
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < size; i++)
        buf [n++] = (p [i] >= 0x20 && p [i] < 0x7f) ? (char) p [i] : '?';
    buf [n] = 0;
    if (len >= size && size > 4)
        memcpy (buf + size - 4, "...", 4);
    return buf;
}

// ---------------------------------------------------------------------------
// Setup and teardown

static void *
s_socket (rs_broker_t *self, int type, const char *endpoint, const char *role,
          const rs_curve_t *curve)
{
    void *sock = zmq_socket (self->ctx, type);
    if (!sock) {
        rs_error ("cannot create %s socket: %s", role, zmq_strerror (zmq_errno ()));
        return NULL;
    }
    int zero = 0;
    zmq_setsockopt (sock, ZMQ_LINGER, &zero, sizeof zero);
    if (strchr (endpoint, '[')) {
        int one = 1;
        zmq_setsockopt (sock, ZMQ_IPV6, &one, sizeof one);
    }
    if (rs_curve_server (curve, sock) != 0) {
        rs_error ("cannot set up CURVE on the %s socket: %s", role, zmq_strerror (zmq_errno ()));
        zmq_close (sock);
        return NULL;
    }
    return sock;
}

static int
s_bind (void *sock, const char *endpoint, const char *role, char *actual, size_t size)
{
    if (zmq_bind (sock, endpoint) != 0) {
        rs_error ("cannot bind %s %s: %s", role, endpoint, zmq_strerror (zmq_errno ()));
        return -1;
    }
    size_t len = size;
    if (zmq_getsockopt (sock, ZMQ_LAST_ENDPOINT, actual, &len) != 0 || len == 0) {
        snprintf (actual, size, "%s", endpoint);
    }
    actual [size - 1] = 0;
    return 0;
}

//  Watches accepted and closed connections on sock through an inproc PAIR;
//  with CURVE also failed handshakes (the ZAP refusals among them).
static void *
s_monitor (rs_broker_t *self, void *sock, const char *role)
{
    char ep[64];
    snprintf (ep, sizeof ep, "inproc://rs-broker-%p-%s", (void *) self, role);
    int events = ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED;
    if (self->curve)
        events |= ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
                | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;
    if (zmq_socket_monitor (sock, ep, events) != 0)
        return NULL;
    void *pair = zmq_socket (self->ctx, ZMQ_PAIR);
    if (!pair)
        return NULL;
    int zero = 0;
    zmq_setsockopt (pair, ZMQ_LINGER, &zero, sizeof zero);
    if (zmq_connect (pair, ep) != 0) {
        zmq_close (pair);
        return NULL;
    }
    return pair;
}

rs_broker_t *
rs_broker_new (const rs_broker_opts_t *opts)
{
    if (!opts || !opts->frontend || !opts->backend) {
        rs_error ("broker: frontend and backend endpoints are required");
        return NULL;
    }
    rs_broker_t *self = calloc (1, sizeof *self);
    if (!self) {
        rs_error ("broker: out of memory");
        return NULL;
    }
    atomic_init (&self->stop, 0);
    zmq_msg_init (&self->topic);
    zmq_msg_init (&self->body);
    self->heartbeat_ms = opts->heartbeat_ms > 0 ? opts->heartbeat_ms : 1000;
    self->stop_grace_ms = opts->stop_grace_ms > 0 ? opts->stop_grace_ms : 0;
    int sndhwm = opts->sndhwm > 0 ? opts->sndhwm : 100000;
    int rcvhwm = opts->rcvhwm > 0 ? opts->rcvhwm : 100000;
    int lvc_max = opts->lvc_max == 0 ? 10000 : opts->lvc_max;

    self->curve = rs_curve_on (opts->curve);
    //  zauth serves ZAP in czmq's context only, so a CURVE broker lives there;
    //  the plaintext broker keeps a context of its own, as before.
    self->own_ctx = !self->curve;
    self->ctx = self->own_ctx ? zmq_ctx_new () : zsys_init ();
    if (!self->ctx) {
        rs_error ("broker: cannot create ZeroMQ context: %s", zmq_strerror (zmq_errno ()));
        goto fail;
    }
    if (self->own_ctx)
        zmq_ctx_set (self->ctx, ZMQ_BLOCKY, 0);
    self->subs = rs_subs_new (MAX_SUB_PREFIXES);
    self->decoder = rs_decoder_new ();
    self->encoder = rs_encoder_new ();
    if (lvc_max > 0)
        self->lvc = rs_lvc_new ((size_t) lvc_max);
    if (!self->subs || !self->decoder || !self->encoder || (lvc_max > 0 && !self->lvc)) {
        rs_error ("broker: out of memory");
        goto fail;
    }

    self->frontend = s_socket (self, ZMQ_XSUB, opts->frontend, "frontend", opts->curve);
    if (!self->frontend)
        goto fail;
    int64_t maxmsg = FRONTEND_MAXMSGSIZE;
    zmq_setsockopt (self->frontend, ZMQ_RCVHWM, &rcvhwm, sizeof rcvhwm);
    zmq_setsockopt (self->frontend, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    self->mon_front = s_monitor (self, self->frontend, "front");
    if (s_bind (self->frontend, opts->frontend, "frontend", self->ep_front, sizeof self->ep_front))
        goto fail;

    self->backend = s_socket (self, ZMQ_XPUB, opts->backend, "backend", opts->curve);
    if (!self->backend)
        goto fail;
    int one = 1;
    zmq_setsockopt (self->backend, ZMQ_SNDHWM, &sndhwm, sizeof sndhwm);
    //  Every subscribe and unsubscribe, not only the first/last per prefix:
    //  needed for the refcounts and to replay the cache to each late joiner.
    zmq_setsockopt (self->backend, ZMQ_XPUB_VERBOSER, &one, sizeof one);
    self->mon_back = s_monitor (self, self->backend, "back");
    if (s_bind (self->backend, opts->backend, "backend", self->ep_back, sizeof self->ep_back))
        goto fail;

    if (opts->control && *opts->control) {
        self->control = s_socket (self, ZMQ_ROUTER, opts->control, "control", opts->curve);
        if (!self->control)
            goto fail;
        int64_t maxreq = CONTROL_MAXMSGSIZE;
        zmq_setsockopt (self->control, ZMQ_MAXMSGSIZE, &maxreq, sizeof maxreq);
        if (self->curve)
            self->mon_ctl = s_monitor (self, self->control, "ctl");
        if (s_bind (self->control, opts->control, "control", self->ep_control,
                    sizeof self->ep_control))
            goto fail;
    }
    if (!self->mon_front || !self->mon_back)
        rs_warn ("broker: cannot monitor connections (%s); connection counts stay 0",
                 zmq_strerror (zmq_errno ()));

    //  Subscribe to everything upstream: the cache and counters need every
    //  topic, whatever subscribers ask for.
    if (zmq_send (self->frontend, "\x01", 1, 0) != 1) {
        rs_error ("broker: cannot subscribe frontend: %s", zmq_strerror (zmq_errno ()));
        goto fail;
    }

    self->start_us = rs_clock_now_us ();
    self->start_ms = rs_clock_mono_ms ();
    self->rate_mark_ms = self->start_ms;
    self->next_hb_ms = self->start_ms + self->heartbeat_ms;
    return self;

fail:
    rs_broker_destroy (&self);
    return NULL;
}

void
rs_broker_destroy (rs_broker_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rs_broker_t *self = *self_p;
    zmq_msg_close (&self->topic);
    zmq_msg_close (&self->body);
    if (self->backend) {
        int linger = BACKEND_LINGER_MS;
        zmq_setsockopt (self->backend, ZMQ_LINGER, &linger, sizeof linger);
    }
    void *socks[] = { self->frontend, self->backend, self->control, self->mon_front, self->mon_back,
                      self->mon_ctl };
    for (size_t i = 0; i < sizeof socks / sizeof socks [0]; i++)
        if (socks [i])
            zmq_close (socks [i]);
    if (self->ctx && self->own_ctx)
        zmq_ctx_term (self->ctx);
    for (size_t i = 0; i < self->n_components; i++) {
        json_decref (self->components [i].stats);
        json_decref (self->components [i].info);
    }
    free (self->components);
    rs_lvc_destroy (&self->lvc);
    rs_subs_destroy (&self->subs);
    rs_decoder_destroy (&self->decoder);
    rs_encoder_destroy (&self->encoder);
    free (self);
    *self_p = NULL;
}

// ---------------------------------------------------------------------------
// Components table (from sys.* heartbeats)

static component_t *
s_component (rs_broker_t *self, const char *name)
{
    for (size_t i = 0; i < self->n_components; i++)
        if (strcmp (self->components [i].name, name) == 0)
            return &self->components [i];
    if (self->n_components == MAX_COMPONENTS)
        return NULL;
    if (!self->components) {
        self->components = calloc (MAX_COMPONENTS, sizeof *self->components);
        if (!self->components)
            return NULL;
    }
    component_t *comp = &self->components [self->n_components++];
    snprintf (comp->name, sizeof comp->name, "%s", name);
    return comp;
}

static json_t *
s_json_number (double v)
{
    if (!isfinite (v))
        return json_null ();
    if (v == floor (v) && fabs (v) < 9007199254740992.0)
        return json_integer ((json_int_t) v);
    return json_real (v);
}

static void
s_note_sys (rs_broker_t *self, const void *topic, size_t tlen, const void *body, size_t blen)
{
    rs_msg_t msg;
    int rc = rs_decode (self->decoder, topic, tlen, body, blen, &msg);
    if (rc != RS_OK) {
        char t[64];
        self->c.sys_rejected++;
        rs_log_limited (&self->lim_sys, 10000, RS_LOG_WARN,
                        "%s: heartbeat not understood (%s: %s); forwarded anyway",
                        s_printable (topic, tlen, t, sizeof t), rs_strerror (rc),
                        rs_decoder_detail (self->decoder));
        return;
    }
    if (msg.kind != RS_KIND_SYS)
        return;
    self->c.sys_seen++;
    component_t *comp = s_component (self, msg.id);
    if (!comp) {
        self->components_untracked++;
        return;
    }
    json_t *stats = json_object ();
    if (!stats)
        return;
    for (size_t i = 0; i < msg.n_values; i++)
        json_object_set_new (stats, msg.values [i].name, s_json_number (msg.values [i].value));
    json_decref (comp->stats);
    comp->stats = stats;
    snprintf (comp->pub, sizeof comp->pub, "%s", msg.hdr.pub ? msg.hdr.pub : "");
    comp->state [0] = 0;
    json_t *info = json_object ();
    for (size_t i = 0; i < msg.n_info; i++) {
        if (strcmp (msg.info [i].key, "state") == 0)
            snprintf (comp->state, sizeof comp->state, "%s", msg.info [i].value);
        if (info)
            json_object_set_new (info, msg.info [i].key, json_string (msg.info [i].value));
    }
    json_decref (comp->info);
    comp->info = info;
    comp->last_seen_ms = rs_clock_mono_ms ();
    comp->heartbeats++;
}

// ---------------------------------------------------------------------------
// Hot path: frontend → backend

//  Reads and discards the remaining frames of a multipart message; returns
//  how many there were.
static size_t
s_discard_rest (void *sock)
{
    size_t n = 0;
    zmq_msg_t extra;
    zmq_msg_init (&extra);
    int more = 1;
    while (more && zmq_msg_recv (&extra, sock, 0) != -1) {
        n++;
        more = zmq_msg_more (&extra);
    }
    zmq_msg_close (&extra);
    return n;
}

static int
s_recv_error (const char *role)
{
    int err = zmq_errno ();
    if (err == EAGAIN || err == EINTR)
        return 0;
    if (err != ETERM)
        rs_error ("broker: receive on %s failed: %s", role, zmq_strerror (err));
    return -1;
}

//  Sends a topic + body pair on the backend, counting it. The frames are
//  consumed on success.
static int
s_send_pair (rs_broker_t *self, zmq_msg_t *topic, zmq_msg_t *body)
{
    size_t bytes = zmq_msg_size (topic) + zmq_msg_size (body);
    if (zmq_msg_send (topic, self->backend, ZMQ_SNDMORE | ZMQ_DONTWAIT) == -1) {
        self->c.dropped_send++;
        rs_log_limited (&self->lim_send, 10000, RS_LOG_WARN,
                        "backend send failed: %s", zmq_strerror (zmq_errno ()));
        return -1;
    }
    //  XPUB never refuses the second frame once it took the first.
    zmq_msg_send (body, self->backend, ZMQ_DONTWAIT);
    self->c.msgs_out++;
    self->c.bytes_out += bytes;
    return 0;
}

static int
s_frontend_drain (rs_broker_t *self)
{
    zmq_msg_t *topic = &self->topic;
    zmq_msg_t *body = &self->body;
    for (int i = 0; i < BATCH; i++) {
        if (zmq_msg_recv (topic, self->frontend, ZMQ_DONTWAIT) == -1)
            return s_recv_error ("frontend");
        if (!zmq_msg_more (topic)) {
            self->c.dropped_bad_frames++;
            rs_log_limited (&self->lim_bad, 10000, RS_LOG_WARN,
                            "dropped a 1-frame message (want topic + body)");
            continue;
        }
        //  The rest of a multipart message is always there once its first frame is.
        if (zmq_msg_recv (body, self->frontend, 0) == -1)
            return s_recv_error ("frontend");
        size_t tlen = zmq_msg_size (topic);
        size_t blen = zmq_msg_size (body);
        const char *t = zmq_msg_data (topic);
        char tbuf[64];
        if (zmq_msg_more (body)) {
            size_t n = 2 + s_discard_rest (self->frontend);
            self->c.dropped_bad_frames++;
            rs_log_limited (&self->lim_bad, 10000, RS_LOG_WARN,
                            "dropped a %zu-frame message on '%s' (want topic + body)", n,
                            s_printable (t, tlen, tbuf, sizeof tbuf));
            continue;
        }
        if (tlen == 0) {
            self->c.dropped_bad_frames++;
            rs_log_limited (&self->lim_bad, 10000, RS_LOG_WARN,
                            "dropped a message with an empty topic");
            continue;
        }
        if (tlen > RS_MAX_TOPIC || blen > RS_MAX_BODY) {
            self->c.dropped_too_big++;
            rs_log_limited (&self->lim_big, 10000, RS_LOG_WARN,
                            "dropped '%s': topic %zu bytes (max %d), body %zu bytes (max %d)",
                            s_printable (t, tlen, tbuf, sizeof tbuf), tlen, RS_MAX_TOPIC,
                            blen, RS_MAX_BODY);
            continue;
        }
        rs_broker_prefix_t p = rs_broker_prefix_of (t, tlen);
        self->c.msgs_in++;
        self->c.bytes_in += tlen + blen;
        self->c.prefix_msgs [p]++;
        self->c.prefix_bytes [p] += tlen + blen;
        if (p == RS_BROKER_P_SYS)
            s_note_sys (self, t, tlen, zmq_msg_data (body), blen);
        if (self->lvc) {
            rs_lvc_result_t r = rs_lvc_put (self->lvc, t, tlen, zmq_msg_data (body), blen);
            if (r == RS_LVC_REJECTED)
                rs_log_limited (&self->lim_lvc, 60000, RS_LOG_WARN,
                                "'%s' not cached, invalid body (%s); %llu refused so far",
                                s_printable (t, tlen, tbuf, sizeof tbuf), rs_lvc_reject_detail (self->lvc),
                                (unsigned long long) rs_lvc_rejected (self->lvc, RS_OK));
            else if (r == RS_LVC_FULL || r == RS_LVC_NOMEM) {
                self->c.lvc_refused++;
                rs_log_limited (&self->lim_lvc, 60000, RS_LOG_WARN,
                                "last-value cache %s (%zu topics): '%s' not cached",
                                r == RS_LVC_FULL ? "full" : "out of memory",
                                rs_lvc_size (self->lvc), s_printable (t, tlen, tbuf, sizeof tbuf));
            }
        }
        s_send_pair (self, topic, body);
    }
    return 0;
}

// ---------------------------------------------------------------------------
// Backend: subscriptions and last-value replay

static int
s_send_copy (rs_broker_t *self, const void *topic, size_t tlen, const void *body, size_t blen)
{
    zmq_msg_t t, b;
    if (zmq_msg_init_size (&t, tlen) != 0)
        return -1;
    if (zmq_msg_init_size (&b, blen) != 0) {
        zmq_msg_close (&t);
        return -1;
    }
    memcpy (zmq_msg_data (&t), topic, tlen);
    if (blen)
        memcpy (zmq_msg_data (&b), body, blen);
    int rc = s_send_pair (self, &t, &b);
    zmq_msg_close (&t);
    zmq_msg_close (&b);
    return rc;
}

static int
s_replay_one (const char *topic, size_t tlen, const void *body, size_t blen, void *arg)
{
    rs_broker_t *self = arg;
    if (s_send_copy (self, topic, tlen, body, blen) == 0)
        self->c.lvc_replayed++;
    return 0;
}

static int
s_backend_drain (rs_broker_t *self)
{
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    int rc = 0;
    for (int i = 0; i < BATCH; i++) {
        if (zmq_msg_recv (&msg, self->backend, ZMQ_DONTWAIT) == -1) {
            rc = s_recv_error ("backend");
            break;
        }
        const unsigned char *d = zmq_msg_data (&msg);
        size_t len = zmq_msg_size (&msg);
        if (zmq_msg_more (&msg)) {
            s_discard_rest (self->backend);
            self->c.backend_other++;
        }
        else
        if (len >= 1 && d [0] == 1) {
            self->c.subscribes++;
            rs_subs_add (self->subs, d + 1, len - 1);
            if (self->lvc)
                rs_lvc_foreach_prefix (self->lvc, d + 1, len - 1, s_replay_one, self);
        }
        else
        if (len >= 1 && d [0] == 0) {
            self->c.unsubscribes++;
            rs_subs_remove (self->subs, d + 1, len - 1);
        }
        else
            self->c.backend_other++;
    }
    zmq_msg_close (&msg);
    return rc;
}

// ---------------------------------------------------------------------------
// Connection monitors

static void
s_monitor_drain (rs_broker_t *self, void *pair, int64_t *gauge, const char *role)
{
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    while (zmq_msg_recv (&msg, pair, ZMQ_DONTWAIT) != -1) {
        //  Frame 1: uint16 event + uint32 value; frame 2: the address.
        uint16_t event = 0;
        uint32_t value = 0;
        if (zmq_msg_size (&msg) == 6) {
            memcpy (&event, zmq_msg_data (&msg), sizeof event);
            memcpy (&value, (uint8_t *) zmq_msg_data (&msg) + 2, sizeof value);
            if (event == ZMQ_EVENT_ACCEPTED && gauge)
                (*gauge)++;
            else
            if (event == ZMQ_EVENT_DISCONNECTED && gauge && *gauge > 0)
                (*gauge)--;
        }
        bool auth = event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;
        bool failed = event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
                   || event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;
        if (auth)
            self->c.auth_rejected++;
        else if (failed)
            self->c.handshake_failed++;
        if (auth || failed)
            rs_log_limited (&self->lim_auth, 10000, RS_LOG_WARN,
                            "rejected a connection on the %s: %s (code %#x); %llu refused by the "
                            "allow-list and %llu failed handshakes so far", role,
                            auth ? "certificate not in the allow-list" : "CURVE handshake failed, "
                            "e.g. a client without CURVE or with the wrong broker key",
                            (unsigned) value, (unsigned long long) self->c.auth_rejected,
                            (unsigned long long) self->c.handshake_failed);
        if (zmq_msg_more (&msg))
            s_discard_rest (pair);
    }
    zmq_msg_close (&msg);
}

// ---------------------------------------------------------------------------
// Stats: sys.broker heartbeat and the STATUS reply

static double
s_uptime_s (rs_broker_t *self)
{
    return (double) (rs_clock_mono_ms () - self->start_ms) / 1000.0;
}

static uint64_t
s_drops_reported (rs_broker_t *self)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < self->n_components; i++) {
        json_t *v = json_object_get (self->components [i].stats, "missing");
        if (json_is_number (v) && json_number_value (v) > 0)
            sum += (uint64_t) json_number_value (v);
    }
    return sum;
}

static void
s_update_rates (rs_broker_t *self, int64_t now)
{
    int64_t dt = now - self->rate_mark_ms;
    if (dt <= 0)
        return;
    self->rate_in = (double) (self->c.msgs_in - self->rate_mark_in) * 1000.0 / (double) dt;
    self->rate_out = (double) (self->c.msgs_out - self->rate_mark_out) * 1000.0 / (double) dt;
    self->rate_mark_ms = now;
    self->rate_mark_in = self->c.msgs_in;
    self->rate_mark_out = self->c.msgs_out;
}

static void
s_publish_stats (rs_broker_t *self, bool stopping)
{
    const rs_broker_counters_t *c = &self->c;
    rs_value_t stats[40 + RS_E_COUNT];
    char reject_names[RS_E_COUNT][48];
    size_t n = 0;
#define STAT(name_, value_) stats [n++] = (rs_value_t) { name_, -1, (double) (value_) }
    STAT ("msgs_in", c->msgs_in);
    STAT ("msgs_out", c->msgs_out);
    STAT ("bytes_in", c->bytes_in);
    STAT ("bytes_out", c->bytes_out);
    STAT ("rate_in", self->rate_in);
    STAT ("rate_out", self->rate_out);
    STAT ("subscriptions", rs_subs_total (self->subs));
    STAT ("subscribers", c->subscribers_connected);
    STAT ("publishers", c->publishers_connected);
    STAT ("auth_rejected", c->auth_rejected);
    STAT ("handshake_failed", c->handshake_failed);
    STAT ("lvc_topics", self->lvc ? rs_lvc_size (self->lvc) : 0);
    STAT ("lvc_refused", c->lvc_refused);
    STAT ("lvc_replayed", c->lvc_replayed);
    STAT ("lvc_rejected", self->lvc ? rs_lvc_rejected (self->lvc, RS_OK) : 0);
    //  By reason, those seen (the reasons of docs/PROTOCOL.md).
    for (int err = RS_OK + 1; self->lvc && err < RS_E_COUNT; err++)
        if (rs_lvc_rejected (self->lvc, err)) {
            snprintf (reject_names [err], sizeof reject_names [err], "lvc_rejected.%s", rs_errname (err));
            STAT (reject_names [err], rs_lvc_rejected (self->lvc, err));
        }
    STAT ("dropped_bad_frames", c->dropped_bad_frames);
    STAT ("dropped_too_big", c->dropped_too_big);
    STAT ("dropped_send", c->dropped_send);
    STAT ("msgs.telemetry", c->prefix_msgs [RS_BROKER_P_TELEMETRY]);
    STAT ("msgs.event", c->prefix_msgs [RS_BROKER_P_EVENT]);
    STAT ("msgs.kpi", c->prefix_msgs [RS_BROKER_P_KPI]);
    STAT ("msgs.alert", c->prefix_msgs [RS_BROKER_P_ALERT]);
    STAT ("msgs.sys", c->prefix_msgs [RS_BROKER_P_SYS]);
    STAT ("msgs.other", c->prefix_msgs [RS_BROKER_P_OTHER]);
    STAT ("components", self->n_components);
    STAT ("drops_reported", s_drops_reported (self));
    STAT ("uptime_s", floor (s_uptime_s (self)));
    STAT ("pid", getpid ());
#undef STAT
    rs_text_t info[] = {
        { "frontend", self->ep_front },
        { "backend", self->ep_back },
        { "control", self->ep_control },
        { "version", RS_VERSION },
        { "state", stopping ? "stopped" : "running" },
    };
    rs_header_t hdr = {
        .pub = "broker", .epoch = (uint64_t) self->start_us,
        .seq = self->hb_seq + 1, .ts_us = rs_clock_now_us ()
    };
    int rc = rs_encode_heartbeat (self->encoder, "broker", &hdr, stats, n,
                                  info, sizeof info / sizeof info [0]);
    if (rc != RS_OK) {
        rs_log_limited (&self->lim_send, 60000, RS_LOG_ERROR,
                        "cannot encode sys.broker heartbeat: %s", rs_strerror (rc));
        return;
    }
    self->hb_seq++;
    static const char topic[] = "sys.broker";
    const void *body = rs_encoder_data (self->encoder);
    size_t blen = rs_encoder_size (self->encoder);
    if (self->lvc)
        rs_lvc_put (self->lvc, topic, sizeof topic - 1, body, blen);
    if (s_send_copy (self, topic, sizeof topic - 1, body, blen) == 0)
        self->c.heartbeats_sent++;
}

static void
s_set_int (json_t *obj, const char *key, int64_t value)
{
    json_object_set_new (obj, key, json_integer ((json_int_t) value));
}

static int
s_subs_json (const char *prefix, size_t len, uint64_t count, void *arg)
{
    char key[RS_MAX_TOPIC + 1];
    memcpy (key, prefix, len);
    key [len] = 0;
    //  Prefixes are arbitrary bytes; jansson wants UTF-8 keys.
    if (json_object_set_new (arg, key, json_integer ((json_int_t) count)) != 0) {
        char safe[RS_MAX_TOPIC + 1];
        s_printable (prefix, len, safe, sizeof safe);
        json_object_set_new (arg, safe, json_integer ((json_int_t) count));
    }
    return 0;
}

char *
rs_broker_status_json (rs_broker_t *self)
{
    const rs_broker_counters_t *c = &self->c;
    int64_t now = rs_clock_mono_ms ();
    json_t *root = json_object ();
    if (!root)
        return NULL;
    json_object_set_new (root, "component", json_string ("broker"));
    json_object_set_new (root, "version", json_string (RS_VERSION));
    s_set_int (root, "pid", getpid ());
    json_object_set_new (root, "curve", json_boolean (self->curve));
    json_object_set_new (root, "uptime_s", json_real (s_uptime_s (self)));
    s_set_int (root, "heartbeat_ms", self->heartbeat_ms);

    json_t *eps = json_object ();
    json_object_set_new (eps, "frontend", json_string (self->ep_front));
    json_object_set_new (eps, "backend", json_string (self->ep_back));
    json_object_set_new (eps, "control", json_string (self->ep_control));
    json_object_set_new (root, "endpoints", eps);

    json_t *cnt = json_object ();
    s_set_int (cnt, "msgs_in", (int64_t) c->msgs_in);
    s_set_int (cnt, "msgs_out", (int64_t) c->msgs_out);
    s_set_int (cnt, "bytes_in", (int64_t) c->bytes_in);
    s_set_int (cnt, "bytes_out", (int64_t) c->bytes_out);
    s_set_int (cnt, "dropped_bad_frames", (int64_t) c->dropped_bad_frames);
    s_set_int (cnt, "dropped_too_big", (int64_t) c->dropped_too_big);
    s_set_int (cnt, "dropped_send", (int64_t) c->dropped_send);
    s_set_int (cnt, "subscribes", (int64_t) c->subscribes);
    s_set_int (cnt, "unsubscribes", (int64_t) c->unsubscribes);
    s_set_int (cnt, "backend_other", (int64_t) c->backend_other);
    s_set_int (cnt, "lvc_replayed", (int64_t) c->lvc_replayed);
    s_set_int (cnt, "lvc_refused", (int64_t) c->lvc_refused);
    s_set_int (cnt, "sys_seen", (int64_t) c->sys_seen);
    s_set_int (cnt, "sys_rejected", (int64_t) c->sys_rejected);
    s_set_int (cnt, "control_requests", (int64_t) c->control_requests);
    s_set_int (cnt, "control_malformed", (int64_t) c->control_malformed);
    s_set_int (cnt, "control_unknown", (int64_t) c->control_unknown);
    s_set_int (cnt, "control_too_big", (int64_t) c->control_too_big);
    s_set_int (cnt, "heartbeats_sent", (int64_t) c->heartbeats_sent);
    s_set_int (cnt, "auth_rejected", (int64_t) c->auth_rejected);
    s_set_int (cnt, "handshake_failed", (int64_t) c->handshake_failed);
    s_set_int (cnt, "publishers_connected", c->publishers_connected);
    s_set_int (cnt, "subscribers_connected", c->subscribers_connected);
    json_object_set_new (root, "counters", cnt);

    json_t *rates = json_object ();
    json_object_set_new (rates, "in_msgs_per_s", json_real (self->rate_in));
    json_object_set_new (rates, "out_msgs_per_s", json_real (self->rate_out));
    json_object_set_new (root, "rates", rates);

    json_t *prefixes = json_object ();
    for (int p = 0; p < RS_BROKER_P_COUNT; p++) {
        json_t *o = json_object ();
        s_set_int (o, "msgs", (int64_t) c->prefix_msgs [p]);
        s_set_int (o, "bytes", (int64_t) c->prefix_bytes [p]);
        json_object_set_new (prefixes, s_prefix_names [p], o);
    }
    json_object_set_new (root, "prefixes", prefixes);

    json_t *subs = json_object ();
    rs_subs_foreach (self->subs, s_subs_json, subs);
    json_object_set_new (root, "subscriptions", subs);
    s_set_int (root, "subscriptions_total", (int64_t) rs_subs_total (self->subs));

    json_t *lvc = json_object ();
    s_set_int (lvc, "topics", self->lvc ? (int64_t) rs_lvc_size (self->lvc) : 0);
    s_set_int (lvc, "max", self->lvc ? (int64_t) rs_lvc_max (self->lvc) : 0);
    s_set_int (lvc, "bytes", self->lvc ? (int64_t) rs_lvc_bytes (self->lvc) : 0);
    s_set_int (lvc, "refused", (int64_t) c->lvc_refused);
    s_set_int (lvc, "rejected", self->lvc ? (int64_t) rs_lvc_rejected (self->lvc, RS_OK) : 0);
    json_t *by = json_object ();
    for (int err = RS_OK + 1; self->lvc && err < RS_E_COUNT; err++)
        if (rs_lvc_rejected (self->lvc, err))
            s_set_int (by, rs_errname (err), (int64_t) rs_lvc_rejected (self->lvc, err));
    json_object_set_new (lvc, "rejected_by", by);
    json_object_set_new (root, "lvc", lvc);

    int64_t up_ms = 3 * (int64_t) self->heartbeat_ms;
    if (up_ms < 3000)
        up_ms = 3000;
    json_t *comps = json_object ();
    for (size_t i = 0; i < self->n_components; i++) {
        const component_t *comp = &self->components [i];
        json_t *o = json_object ();
        int64_t ago = now - comp->last_seen_ms;
        json_object_set_new (o, "pub", json_string (comp->pub));
        json_t *pid = json_object_get (comp->stats, "pid");
        json_t *uptime = json_object_get (comp->stats, "uptime_s");
        json_object_set (o, "pid", pid ? pid : json_null ());
        json_object_set (o, "uptime_s", uptime ? uptime : json_null ());
        s_set_int (o, "last_seen_ms_ago", ago);
        //  Up: heard from recently and it did not say it stopped.
        json_object_set_new (o, "up", json_boolean (ago <= up_ms && strcmp (comp->state, "stopped") != 0));
        if (comp->state [0])
            json_object_set_new (o, "state", json_string (comp->state));
        s_set_int (o, "heartbeats", (int64_t) comp->heartbeats);
        json_object_set (o, "stats", comp->stats ? comp->stats : json_null ());
        json_object_set (o, "info", comp->info ? comp->info : json_null ());
        json_object_set_new (comps, comp->name, o);
    }
    json_object_set_new (root, "components", comps);
    s_set_int (root, "drops_reported", (int64_t) s_drops_reported (self));

    char *text = json_dumps (root, JSON_COMPACT);
    json_decref (root);
    return text;
}

// ---------------------------------------------------------------------------
// Control: PING / STATUS over ROUTER, REQ-compatible envelope

rs_broker_command_t
rs_broker_command_of (const void *data, size_t len)
{
    //  Exact bytes: no case folding, no trailing newline or NUL.
    if (len == 4 && memcmp (data, "PING", 4) == 0)
        return RS_BROKER_CMD_PING;
    if (len == 6 && memcmp (data, "STATUS", 6) == 0)
        return RS_BROKER_CMD_STATUS;
    return len > MAX_COMMAND ? RS_BROKER_CMD_TOO_BIG : RS_BROKER_CMD_UNKNOWN;
}

//  {"error": text} as a fresh string (NULL when out of memory).
static char *
s_error_json (const char *text)
{
    json_t *o = json_pack ("{s:s}", "error", text);
    char *out = o ? json_dumps (o, JSON_COMPACT) : NULL;
    json_decref (o);
    return out;
}

static char *
s_control_reply (rs_broker_t *self, const void *data, size_t len)
{
    rs_broker_command_t cmd = rs_broker_command_of (data, len);
    if (cmd == RS_BROKER_CMD_PING)
        return strdup ("PONG");
    if (cmd == RS_BROKER_CMD_STATUS)
        return rs_broker_status_json (self);
    char shown[MAX_COMMAND + 1];
    char msg[200];
    if (cmd == RS_BROKER_CMD_TOO_BIG) {
        self->c.control_too_big++;
        snprintf (msg, sizeof msg, "request too large: %zu bytes; a command is at most %d bytes: PING or STATUS",
                  len, MAX_COMMAND);
    }
    else {
        self->c.control_unknown++;
        snprintf (msg, sizeof msg, "unknown command '%s'; the commands are PING and STATUS, in capitals, "
                  "with nothing after them", s_printable (data, len, shown, sizeof shown));
    }
    rs_log_limited (cmd == RS_BROKER_CMD_TOO_BIG ? &self->lim_ctl_big : &self->lim_ctl_unknown, 10000,
                    RS_LOG_WARN, "control: %s", msg);
    return s_error_json (msg);
}

//  Sends [identity][empty][text]: what a REQ client expects, and a DEALER
//  reads the same two frames after its identity is stripped.
static void
s_control_send (rs_broker_t *self, zmq_msg_t *identity, const char *text)
{
    if (zmq_msg_send (identity, self->control, ZMQ_SNDMORE | ZMQ_DONTWAIT) != -1) {
        zmq_send (self->control, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT);
        zmq_send (self->control, text, strlen (text), ZMQ_DONTWAIT);
    }
}

static int
s_control_drain (rs_broker_t *self)
{
    zmq_msg_t frames[3];
    for (int f = 0; f < 3; f++)
        zmq_msg_init (&frames [f]);
    int rc = 0;
    for (int i = 0; i < CONTROL_BATCH; i++) {
        if (zmq_msg_recv (&frames [0], self->control, ZMQ_DONTWAIT) == -1) {
            rc = s_recv_error ("control");
            break;
        }
        size_t nframes = 1;
        while (nframes < 3 && zmq_msg_more (&frames [nframes - 1])) {
            if (zmq_msg_recv (&frames [nframes], self->control, 0) == -1)
                break;
            nframes++;
        }
        if (zmq_msg_more (&frames [nframes - 1]))
            nframes += s_discard_rest (self->control);
        char *reply;
        //  [identity][empty][command] from REQ; every other shape is answered
        //  with an error, so that no client waits for a reply that never comes.
        if (nframes != 3 || zmq_msg_size (&frames [1]) != 0) {
            self->c.control_malformed++;
            char msg[200];
            if (nframes >= 2 && zmq_msg_size (&frames [1]) == 0)
                snprintf (msg, sizeof msg, "a request is one frame; got %zu", nframes - 2);
            else
                snprintf (msg, sizeof msg, "a request is an empty delimiter frame, then the command "
                          "(REQ sends this); got %zu frame(s) without the delimiter", nframes - 1);
            rs_log_limited (&self->lim_ctl, 10000, RS_LOG_WARN, "control: %s", msg);
            reply = s_error_json (msg);
        }
        else {
            self->c.control_requests++;
            reply = s_control_reply (self, zmq_msg_data (&frames [2]), zmq_msg_size (&frames [2]));
        }
        s_control_send (self, &frames [0], reply ? reply : "{\"error\":\"out of memory\"}");
        free (reply);
    }
    for (int f = 0; f < 3; f++)
        zmq_msg_close (&frames [f]);
    return rc;
}

// ---------------------------------------------------------------------------
// Loop

int
rs_broker_step (rs_broker_t *self, int timeout_ms)
{
    zmq_pollitem_t items[6];
    int n = 0;
    int i_front = n;
    items [n++] = (zmq_pollitem_t) { self->frontend, 0, ZMQ_POLLIN, 0 };
    int i_back = n;
    items [n++] = (zmq_pollitem_t) { self->backend, 0, ZMQ_POLLIN, 0 };
    int i_ctl = -1, i_mf = -1, i_mb = -1, i_mc = -1;
    if (self->control) {
        i_ctl = n;
        items [n++] = (zmq_pollitem_t) { self->control, 0, ZMQ_POLLIN, 0 };
    }
    if (self->mon_front) {
        i_mf = n;
        items [n++] = (zmq_pollitem_t) { self->mon_front, 0, ZMQ_POLLIN, 0 };
    }
    if (self->mon_back) {
        i_mb = n;
        items [n++] = (zmq_pollitem_t) { self->mon_back, 0, ZMQ_POLLIN, 0 };
    }

    if (self->mon_ctl) {
        i_mc = n;
        items [n++] = (zmq_pollitem_t) { self->mon_ctl, 0, ZMQ_POLLIN, 0 };
    }

    int64_t now = rs_clock_mono_ms ();
    int64_t wait = self->next_hb_ms - now;
    if (wait < 0)
        wait = 0;
    if (timeout_ms >= 0 && wait > timeout_ms)
        wait = timeout_ms;
    int rc = zmq_poll (items, n, (long) wait);
    if (rc == -1) {
        if (zmq_errno () == EINTR)
            return 0;
        if (zmq_errno () != ETERM)
            rs_error ("broker: poll failed: %s", zmq_strerror (zmq_errno ()));
        return -1;
    }
    if (rc > 0) {
        //  Subscriptions first, so a late joiner's replay precedes the live
        //  messages of the same batch.
        if ((items [i_back].revents & ZMQ_POLLIN) && s_backend_drain (self) != 0)
            return -1;
        if ((items [i_front].revents & ZMQ_POLLIN) && s_frontend_drain (self) != 0)
            return -1;
        if (i_ctl >= 0 && (items [i_ctl].revents & ZMQ_POLLIN) && s_control_drain (self) != 0)
            return -1;
        if (i_mf >= 0 && (items [i_mf].revents & ZMQ_POLLIN))
            s_monitor_drain (self, self->mon_front, &self->c.publishers_connected, "frontend");
        if (i_mb >= 0 && (items [i_mb].revents & ZMQ_POLLIN))
            s_monitor_drain (self, self->mon_back, &self->c.subscribers_connected, "backend");
        if (i_mc >= 0 && (items [i_mc].revents & ZMQ_POLLIN))
            s_monitor_drain (self, self->mon_ctl, NULL, "control endpoint");
    }
    now = rs_clock_mono_ms ();
    if (now >= self->next_hb_ms) {
        s_update_rates (self, now);
        s_publish_stats (self, false);
        self->next_hb_ms += self->heartbeat_ms;
        if (self->next_hb_ms <= now)
            self->next_hb_ms = now + self->heartbeat_ms;
    }
    return 0;
}

//  A parallel stop of the whole suite: publishers send their last messages
//  and end-of-stream as they stop, and durable subscribers read on for them,
//  so the broker routes on until every connection to its frontend (the
//  publishers', and the subscribers' heartbeat sockets) has closed, or the
//  grace ends. Stopped last (stop_all.sh, systemd), it finds none and goes.
static int
s_drain (rs_broker_t *self)
{
    if (!self->stop_grace_ms || !self->mon_front)
        return 0;
    int64_t start = rs_clock_mono_ms (), end = start + self->stop_grace_ms;
    //  Connection events are read by the loop: take those already queued.
    if (rs_broker_step (self, 0) != 0)
        return -1;
    if (self->c.publishers_connected == 0)
        return 0;
    rs_info ("stopping: routing on for up to %d ms until the %lld connection(s) to the frontend close",
             self->stop_grace_ms, (long long) self->c.publishers_connected);
    while (self->c.publishers_connected > 0 && rs_clock_mono_ms () < end)
        if (rs_broker_step (self, 50) != 0)
            return -1;
    int64_t tail = rs_clock_mono_ms () + STOP_TAIL_MS;
    while (rs_clock_mono_ms () < tail)
        if (rs_broker_step (self, 10) != 0)
            return -1;
    if (self->c.publishers_connected > 0)
        rs_warn ("stopping: %lld connection(s) to the frontend still open after %d ms",
                 (long long) self->c.publishers_connected, self->stop_grace_ms);
    else
        rs_info ("stopping: every connection to the frontend closed after %lld ms",
                 (long long) (rs_clock_mono_ms () - start - STOP_TAIL_MS));
    return 0;
}

int
rs_broker_run (rs_broker_t *self)
{
    while (!atomic_load (&self->stop))
        if (rs_broker_step (self, RUN_POLL_MS) != 0)
            return -1;
    if (s_drain (self) != 0)
        return -1;
    //  The protocol's last heartbeat, state "stopped"; destroy lingers briefly
    //  on the backend so it gets out.
    s_update_rates (self, rs_clock_mono_ms ());
    s_publish_stats (self, true);
    return 0;
}

void
rs_broker_stop (rs_broker_t *self)
{
    if (self)
        atomic_store (&self->stop, 1);
}

const char *
rs_broker_endpoint (rs_broker_t *self, const char *which)
{
    if (strcmp (which, "frontend") == 0)
        return self->ep_front;
    if (strcmp (which, "backend") == 0)
        return self->ep_back;
    if (strcmp (which, "control") == 0)
        return self->control ? self->ep_control : NULL;
    return NULL;
}

const rs_broker_counters_t *
rs_broker_counters (rs_broker_t *self)
{
    return &self->c;
}

void
rs_broker_log_counters (rs_broker_t *self)
{
    const rs_broker_counters_t *c = &self->c;
    rs_info ("totals: msgs_in=%llu msgs_out=%llu bytes_in=%llu bytes_out=%llu "
             "dropped_bad_frames=%llu dropped_too_big=%llu subscribes=%llu unsubscribes=%llu "
             "lvc_topics=%zu lvc_replayed=%llu lvc_refused=%llu control_requests=%llu",
             (unsigned long long) c->msgs_in, (unsigned long long) c->msgs_out,
             (unsigned long long) c->bytes_in, (unsigned long long) c->bytes_out,
             (unsigned long long) c->dropped_bad_frames, (unsigned long long) c->dropped_too_big,
             (unsigned long long) c->subscribes, (unsigned long long) c->unsubscribes,
             self->lvc ? rs_lvc_size (self->lvc) : (size_t) 0,
             (unsigned long long) c->lvc_replayed, (unsigned long long) c->lvc_refused,
             (unsigned long long) c->control_requests);
}
