/*  rs_journal: one ring of message copies per topic. A topic's seqs are
    contiguous from first to last, so seq s lives in slot s % capacity. */
#include "rs_journal.h"

#include <czmq.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    void *data;
    size_t len;
} s_entry_t;

typedef struct {
    s_entry_t *ring;
    size_t cap;
    uint64_t first, last;   //  held range; first > last when empty
    size_t bytes;
} s_topic_t;

struct rs_journal_t {
    zhashx_t *topics;
    size_t max_msgs;
    size_t max_bytes;
    size_t messages;
    size_t bytes;
};

static void
s_drop_oldest (rs_journal_t *self, s_topic_t *t)
{
    s_entry_t *e = &t->ring[t->first % t->cap];
    t->bytes -= e->len;
    self->bytes -= e->len;
    self->messages--;
    free (e->data);
    e->data = NULL;
    e->len = 0;
    t->first++;
}

static void
s_clear (rs_journal_t *self, s_topic_t *t)
{
    while (t->first <= t->last && t->last != 0)
        s_drop_oldest (self, t);
    t->first = 1;
    t->last = 0;
}

static void
s_topic_free (void **item)
{
    s_topic_t *t = *item;
    if (t) {
        for (size_t i = 0; i < t->cap; i++)
            free (t->ring[i].data);
        free (t->ring);
        free (t);
    }
    *item = NULL;
}

rs_journal_t *
rs_journal_new (size_t max_msgs, size_t max_bytes)
{
    rs_journal_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->topics = zhashx_new ();
    if (!self->topics) {
        free (self);
        return NULL;
    }
    zhashx_set_destructor (self->topics, s_topic_free);
    self->max_msgs = max_msgs ? max_msgs : 1;
    self->max_bytes = max_bytes;
    return self;
}

void
rs_journal_destroy (rs_journal_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zhashx_destroy (&(*self_p)->topics);
    free (*self_p);
    *self_p = NULL;
}

static s_topic_t *
s_topic (rs_journal_t *self, const char *topic)
{
    s_topic_t *t = zhashx_lookup (self->topics, topic);
    if (t)
        return t;
    t = calloc (1, sizeof *t);
    //  Rings grow on demand up to max_msgs, so idle topics stay small.
    if (!t)
        return NULL;
    t->first = 1;
    zhashx_insert (self->topics, topic, t);
    return t;
}

//  Doubles the ring (up to max_msgs), re-slotting the held entries.
static int
s_grow (s_topic_t *t, size_t max_msgs)
{
    size_t cap = t->cap ? t->cap * 2 : 64;
    if (cap > max_msgs)
        cap = max_msgs;
    s_entry_t *ring = calloc (cap, sizeof *ring);
    if (!ring)
        return -1;
    if (t->last >= t->first)
        for (uint64_t s = t->first; s <= t->last; s++)
            ring[s % cap] = t->ring[s % t->cap];
    free (t->ring);
    t->ring = ring;
    t->cap = cap;
    return 0;
}

int
rs_journal_put (rs_journal_t *self, const char *topic, uint64_t seq, const void *body, size_t len)
{
    s_topic_t *t = s_topic (self, topic);
    if (!t)
        return -1;
    bool empty = t->last < t->first || t->last == 0;
    if (!empty && seq != t->last + 1)
        s_clear (self, t);
    empty = t->last < t->first || t->last == 0;
    size_t held = empty ? 0 : (size_t) (t->last - t->first + 1);
    if (held == t->cap && t->cap < self->max_msgs && s_grow (t, self->max_msgs) != 0) {
        s_clear (self, t);
        return -1;
    }
    if (!empty && held == t->cap)
        s_drop_oldest (self, t);
    while (t->bytes + len > self->max_bytes && t->first <= t->last && t->last != 0)
        s_drop_oldest (self, t);
    void *copy = malloc (len ? len : 1);
    if (!copy) {
        s_clear (self, t);
        return -1;
    }
    memcpy (copy, body, len);
    if (t->last < t->first || t->last == 0)
        t->first = seq;
    t->last = seq;
    s_entry_t *e = &t->ring[seq % t->cap];
    e->data = copy;
    e->len = len;
    t->bytes += len;
    self->bytes += len;
    self->messages++;
    return 0;
}

size_t
rs_journal_range (rs_journal_t *self, const char *topic, uint64_t from, uint64_t to, size_t limit,
                  rs_journal_fn *fn, void *arg, uint64_t *first, uint64_t *last)
{
    s_topic_t *t = zhashx_lookup (self->topics, topic);
    bool empty = !t || t->last < t->first || t->last == 0;
    *first = empty ? 0 : t->first;
    *last = empty ? 0 : t->last;
    if (empty)
        return 0;
    size_t n = 0;
    uint64_t s = from > t->first ? from : t->first;
    uint64_t end = to < t->last ? to : t->last;
    for (; s <= end && n < limit; s++) {
        s_entry_t *e = &t->ring[s % t->cap];
        n++;
        if (fn (topic, s, e->data, e->len, arg) != 0)
            break;
    }
    return n;
}

size_t
rs_journal_messages (rs_journal_t *self)
{
    return self->messages;
}

size_t
rs_journal_bytes (rs_journal_t *self)
{
    return self->bytes;
}
