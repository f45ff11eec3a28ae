/*  rs_lvc: last-value cache (see rs_lvc.h). The index is a power-of-two
    table of entry numbers (0 = free slot) sized for twice the cap, so linear
    probing stays short and nothing is ever deleted: no tombstones. Bodies are
    copied into per-entry buffers rather than kept as zmq_msg_copy references:
    libzmq's zero-copy receive lets a small message point into an 8 KiB receive
    buffer, and holding one reference per topic would pin one such buffer per
    topic; a memcpy of a few hundred bytes is cheaper than that and than the
    atomic reference counting it replaces. Each body is decoded once before
    it is stored (a few microseconds for a sample), so a body the SDK would
    reject never reaches a late joiner. */
#include "rs_lvc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rs_msg.h"

typedef struct {
    uint32_t hash;
    uint32_t topic_len;
    char topic[RS_MAX_TOPIC];
    unsigned char *body;
    size_t body_len;
    size_t body_cap;
} lvc_entry_t;

struct rs_lvc_t {
    size_t max;
    lvc_entry_t *entries;   // dense, insertion order
    size_t size;
    size_t capacity;
    uint32_t *index;        // entry number + 1, 0 = free
    size_t mask;
    uint64_t refused;
    size_t bytes;
    rs_decoder_t *decoder;
    uint64_t rejected_by[RS_E_COUNT];   // [RS_OK] is the total
    char reject_detail[128];
};

#define RS_LVC_MAX_TOPICS 1000000

static uint32_t
s_hash (const void *data, size_t len)
{
    //  FNV-1a: topics are short, this is fast and spreads well enough.
    const unsigned char *p = data;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= p [i];
        h *= 16777619u;
    }
    return h;
}

rs_lvc_t *
rs_lvc_new (size_t max)
{
    if (max == 0 || max > RS_LVC_MAX_TOPICS)
        return NULL;
    rs_lvc_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    size_t slots = 16;
    while (slots < max * 2)
        slots *= 2;
    self->index = calloc (slots, sizeof *self->index);
    if (!self->index) {
        free (self);
        return NULL;
    }
    self->decoder = rs_decoder_new ();
    if (!self->decoder) {
        free (self->index);
        free (self);
        return NULL;
    }
    self->mask = slots - 1;
    self->max = max;
    return self;
}

void
rs_lvc_destroy (rs_lvc_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rs_lvc_t *self = *self_p;
    for (size_t i = 0; i < self->size; i++)
        free (self->entries [i].body);
    free (self->entries);
    free (self->index);
    rs_decoder_destroy (&self->decoder);
    free (self);
    *self_p = NULL;
}

//  Returns the slot holding topic, or the free slot where it would go.
static size_t
s_find (rs_lvc_t *self, const void *topic, size_t len, uint32_t hash)
{
    size_t slot = hash & self->mask;
    while (self->index [slot]) {
        const lvc_entry_t *e = &self->entries [self->index [slot] - 1];
        if (e->hash == hash && e->topic_len == len && memcmp (e->topic, topic, len) == 0)
            break;
        slot = (slot + 1) & self->mask;
    }
    return slot;
}

static int
s_set_body (rs_lvc_t *self, lvc_entry_t *e, const void *body, size_t len)
{
    //  Grow to fit; give memory back when a topic that once sent a huge body
    //  goes back to small ones.
    if (len > e->body_cap || (e->body_cap > 4096 && len < e->body_cap / 4)) {
        size_t cap = len ? len : 1;
        unsigned char *p = realloc (e->body, cap);
        if (!p)
            return -1;
        self->bytes = self->bytes - e->body_cap + cap;
        e->body = p;
        e->body_cap = cap;
    }
    if (len)
        memcpy (e->body, body, len);
    e->body_len = len;
    return 0;
}

rs_lvc_result_t
rs_lvc_put (rs_lvc_t *self, const void *topic, size_t topic_len,
            const void *body, size_t body_len)
{
    if (topic_len == 0 || topic_len > RS_MAX_TOPIC)
        return RS_LVC_INVALID;
    rs_msg_t msg;
    int err = rs_decode (self->decoder, topic, topic_len, body, body_len, &msg);
    if (err != RS_OK) {
        self->rejected_by [RS_OK]++;
        if (err > RS_OK && err < RS_E_COUNT)
            self->rejected_by [err]++;
        snprintf (self->reject_detail, sizeof self->reject_detail, "%s: %s", rs_errname (err),
                  rs_decoder_detail (self->decoder));
        return RS_LVC_REJECTED;
    }
    uint32_t hash = s_hash (topic, topic_len);
    size_t slot = s_find (self, topic, topic_len, hash);
    if (self->index [slot]) {
        lvc_entry_t *e = &self->entries [self->index [slot] - 1];
        return s_set_body (self, e, body, body_len) == 0 ? RS_LVC_UPDATED : RS_LVC_NOMEM;
    }
    if (self->size == self->max) {
        self->refused++;
        return RS_LVC_FULL;
    }
    if (self->size == self->capacity) {
        size_t cap = self->capacity ? self->capacity * 2 : 64;
        if (cap > self->max)
            cap = self->max;
        lvc_entry_t *p = realloc (self->entries, cap * sizeof *p);
        if (!p)
            return RS_LVC_NOMEM;
        self->entries = p;
        self->capacity = cap;
    }
    lvc_entry_t *e = &self->entries [self->size];
    memset (e, 0, sizeof *e);
    e->hash = hash;
    e->topic_len = (uint32_t) topic_len;
    memcpy (e->topic, topic, topic_len);
    if (s_set_body (self, e, body, body_len) != 0)
        return RS_LVC_NOMEM;
    self->size++;
    self->index [slot] = (uint32_t) self->size;
    return RS_LVC_ADDED;
}

const void *
rs_lvc_get (rs_lvc_t *self, const void *topic, size_t topic_len, size_t *body_len)
{
    if (topic_len == 0 || topic_len > RS_MAX_TOPIC)
        return NULL;
    size_t slot = s_find (self, topic, topic_len, s_hash (topic, topic_len));
    if (!self->index [slot])
        return NULL;
    const lvc_entry_t *e = &self->entries [self->index [slot] - 1];
    if (body_len)
        *body_len = e->body_len;
    return e->body;
}

size_t
rs_lvc_foreach_prefix (rs_lvc_t *self, const void *prefix, size_t prefix_len,
                       rs_lvc_fn *fn, void *arg)
{
    size_t n = 0;
    for (size_t i = 0; i < self->size; i++) {
        const lvc_entry_t *e = &self->entries [i];
        if (prefix_len
            && (prefix_len > e->topic_len || memcmp (e->topic, prefix, prefix_len) != 0))
            continue;
        n++;
        if (fn (e->topic, e->topic_len, e->body, e->body_len, arg) != 0)
            break;
    }
    return n;
}

size_t
rs_lvc_size (rs_lvc_t *self)
{
    return self->size;
}

size_t
rs_lvc_max (rs_lvc_t *self)
{
    return self->max;
}

uint64_t
rs_lvc_refused (rs_lvc_t *self)
{
    return self->refused;
}

uint64_t
rs_lvc_rejected (rs_lvc_t *self, int reason)
{
    return reason >= RS_OK && reason < RS_E_COUNT ? self->rejected_by [reason] : 0;
}

const char *
rs_lvc_reject_detail (rs_lvc_t *self)
{
    return self->reject_detail;
}

size_t
rs_lvc_bytes (rs_lvc_t *self)
{
    return self->bytes;
}
