/*  rs_repair: missing ranges in a list (there are few at a time), publishers'
    replay endpoints in a hash. At most one request per stream is in flight,
    so an answer's END always names the range it belongs to. */
#include "rs_repair.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rs_msg.h"

typedef struct {
    char pub[RS_MAX_ID + 1];
    char topic[RS_MAX_TOPIC + 1];
    uint64_t epoch;
    uint64_t next;          //  first seq still missing
    uint64_t to;            //  last seq missing
    bool inflight;
    int64_t deadline_ms;
    int tries;
    int64_t since_ms;       //  when the range was added
    bool quiet;             //  best-effort back-fill: losses are not reported
} s_range_t;

typedef struct {
    uint64_t epoch;
    char endpoint[256];
} s_endpoint_t;

struct rs_repair_t {
    zlistx_t *ranges;
    zhashx_t *endpoints;    //  pub -> s_endpoint_t
    size_t chunk;
    int timeout_ms;
    int tries;
    int unknown_ms;
    rs_repair_lost_fn *lost;
    void *arg;
};

static void
s_free (void **item)
{
    free (*item);
    *item = NULL;
}

rs_repair_t *
rs_repair_new (size_t chunk, int timeout_ms, int tries, int unknown_ms, rs_repair_lost_fn *lost,
               void *arg)
{
    rs_repair_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->ranges = zlistx_new ();
    self->endpoints = zhashx_new ();
    if (!self->ranges || !self->endpoints) {
        rs_repair_destroy (&self);
        return NULL;
    }
    zlistx_set_destructor (self->ranges, s_free);
    zhashx_set_destructor (self->endpoints, s_free);
    self->chunk = chunk ? chunk : 1000;
    self->timeout_ms = timeout_ms;
    self->tries = tries;
    self->unknown_ms = unknown_ms;
    self->lost = lost;
    self->arg = arg;
    return self;
}

void
rs_repair_destroy (rs_repair_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zlistx_destroy (&(*self_p)->ranges);
    zhashx_destroy (&(*self_p)->endpoints);
    free (*self_p);
    *self_p = NULL;
}

static bool
s_same_stream (const s_range_t *r, const char *pub, const char *topic, uint64_t epoch)
{
    return r->epoch == epoch && strcmp (r->pub, pub) == 0 && strcmp (r->topic, topic) == 0;
}

//  Reports [from, to] of range r as lost for good.
static void
s_lose (rs_repair_t *self, const s_range_t *r, uint64_t from, uint64_t to)
{
    if (from > to || !self->lost || r->quiet)
        return;
    rs_gap_t gap = { r->pub, r->topic, r->epoch, from, to, true };
    self->lost (&gap, self->arg);
}

void
rs_repair_endpoint (rs_repair_t *self, const char *pub, uint64_t epoch, const char *endpoint,
                    int64_t now_ms)
{
    (void) now_ms;
    s_endpoint_t *e = zhashx_lookup (self->endpoints, pub);
    if (!e) {
        e = calloc (1, sizeof *e);
        if (!e)
            return;
        zhashx_insert (self->endpoints, pub, e);
    }
    if (epoch < e->epoch)
        return;
    e->epoch = epoch;
    snprintf (e->endpoint, sizeof e->endpoint, "%s", endpoint);
}

void
rs_repair_add (rs_repair_t *self, const char *pub, const char *topic, uint64_t epoch, uint64_t from,
               uint64_t to, bool quiet, int64_t now_ms)
{
    if (from == 0 || from > to)
        return;
    for (s_range_t *r = zlistx_first (self->ranges); r; r = zlistx_next (self->ranges))
        if (s_same_stream (r, pub, topic, epoch) && r->to + 1 == from && !r->inflight
            && r->quiet == quiet) {
            r->to = to;
            return;
        }
    s_range_t *r = calloc (1, sizeof *r);
    if (!r)
        return;
    snprintf (r->pub, sizeof r->pub, "%s", pub);
    snprintf (r->topic, sizeof r->topic, "%s", topic);
    r->epoch = epoch;
    r->next = from;
    r->to = to;
    r->since_ms = now_ms;
    r->quiet = quiet;
    zlistx_add_end (self->ranges, r);
}

static bool
s_stream_busy (rs_repair_t *self, const s_range_t *range)
{
    for (s_range_t *r = zlistx_first (self->ranges); r; r = zlistx_next (self->ranges))
        if (r != range && r->inflight && s_same_stream (r, range->pub, range->topic, range->epoch))
            return true;
    return false;
}

//  Copies the list into items (n entries), so it can be walked while other
//  lookups move the list's cursor or remove entries.
static void
s_snapshot (rs_repair_t *self, s_range_t **items, size_t n)
{
    size_t i = 0;
    for (s_range_t *r = zlistx_first (self->ranges); r && i < n; r = zlistx_next (self->ranges))
        items[i++] = r;
}

bool
rs_repair_next (rs_repair_t *self, int64_t now_ms, rs_repair_req_t *req)
{
    //  Walk a snapshot of the list: s_stream_busy moves the list's cursor.
    size_t n = zlistx_size (self->ranges);
    s_range_t *items[n ? n : 1];
    s_snapshot (self, items, n);
    size_t i;
    for (i = 0; i < n; i++) {
        s_range_t *r = items[i];
        if (r->inflight)
            continue;
        s_endpoint_t *e = zhashx_lookup (self->endpoints, r->pub);
        if (!e || e->epoch != r->epoch || s_stream_busy (self, r))
            continue;
        //  A stream's oldest hole is asked for first.
        bool older = false;
        for (size_t k = 0; k < n && !older; k++)
            older = items[k] != r && s_same_stream (items[k], r->pub, r->topic, r->epoch)
                 && items[k]->next < r->next;
        if (older)
            continue;
        r->inflight = true;
        r->deadline_ms = now_ms + self->timeout_ms;
        req->endpoint = e->endpoint;
        req->pub = r->pub;
        req->topic = r->topic;
        req->epoch = r->epoch;
        req->from = r->next;
        req->to = r->to - r->next + 1 > self->chunk ? r->next + self->chunk - 1 : r->to;
        return true;
    }
    return false;
}

static void
s_remove (rs_repair_t *self, s_range_t *range)
{
    void *handle = zlistx_find (self->ranges, range);
    if (handle)
        zlistx_delete (self->ranges, handle);
}

bool
rs_repair_got (rs_repair_t *self, const char *pub, const char *topic, uint64_t epoch, uint64_t seq)
{
    for (s_range_t *r = zlistx_first (self->ranges); r; r = zlistx_next (self->ranges)) {
        if (!s_same_stream (r, pub, topic, epoch) || seq < r->next || seq > r->to)
            continue;
        //  The journal sends a contiguous run, so a jump means messages were
        //  dropped on the way: ask for them again.
        if (seq > r->next)
            rs_repair_add (self, r->pub, r->topic, r->epoch, r->next, seq - 1, r->quiet, r->since_ms);
        r->next = seq + 1;
        r->tries = 0;
        if (r->next > r->to)
            s_remove (self, r);
        return true;
    }
    return false;
}

void
rs_repair_end (rs_repair_t *self, const char *endpoint, const char *topic, uint64_t epoch,
               uint64_t first, uint64_t last)
{
    for (s_range_t *r = zlistx_first (self->ranges); r; r = zlistx_next (self->ranges)) {
        if (!r->inflight || strcmp (r->topic, topic) != 0)
            continue;
        s_endpoint_t *e = zhashx_lookup (self->endpoints, r->pub);
        if (!e || strcmp (e->endpoint, endpoint) != 0)
            continue;
        r->inflight = false;
        if (epoch != r->epoch || first == 0 || r->next > last) {
            //  Another incarnation answered, or the journal has none of it.
            s_lose (self, r, r->next, r->to);
            s_remove (self, r);
            return;
        }
        if (r->next < first) {
            uint64_t upto = first - 1 < r->to ? first - 1 : r->to;
            s_lose (self, r, r->next, upto);
            r->next = upto + 1;
        }
        if (r->next > r->to)
            s_remove (self, r);
        return;
    }
}

void
rs_repair_tick (rs_repair_t *self, int64_t now_ms)
{
    size_t n = zlistx_size (self->ranges);
    s_range_t *items[n ? n : 1];
    s_snapshot (self, items, n);
    size_t i;
    for (i = 0; i < n; i++) {
        s_range_t *r = items[i];
        s_endpoint_t *e = zhashx_lookup (self->endpoints, r->pub);
        bool hopeless = false;
        if (r->inflight && now_ms > r->deadline_ms) {
            r->inflight = false;
            hopeless = ++r->tries >= self->tries;
        }
        if (!r->inflight && e && e->epoch > r->epoch)
            hopeless = true;            //  the publisher restarted: its journal is gone
        if (!r->inflight && (!e || e->epoch < r->epoch) && now_ms - r->since_ms > self->unknown_ms)
            hopeless = true;            //  no replay endpoint announced for this incarnation
        if (hopeless) {
            s_lose (self, r, r->next, r->to);
            s_remove (self, r);
        }
    }
}

uint64_t
rs_repair_pending (rs_repair_t *self)
{
    uint64_t n = 0;
    for (s_range_t *r = zlistx_first (self->ranges); r; r = zlistx_next (self->ranges))
        n += r->to - r->next + 1;
    return n;
}

bool
rs_repair_wants (rs_repair_t *self, const char *pub, const char *topic, uint64_t epoch, uint64_t seq)
{
    for (s_range_t *r = zlistx_first (self->ranges); r; r = zlistx_next (self->ranges))
        if (s_same_stream (r, pub, topic, epoch) && seq >= r->next && seq <= r->to)
            return true;
    return false;
}
