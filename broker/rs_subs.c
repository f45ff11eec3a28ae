/*  rs_subs: subscription reference counts (see rs_subs.h). */
#include "rs_subs.h"

#include <stdlib.h>
#include <string.h>

#include "rs_msg.h"

typedef struct {
    size_t len;
    uint64_t count;
    char prefix[RS_MAX_TOPIC];
} subs_entry_t;

struct rs_subs_t {
    subs_entry_t *entries;
    size_t size;
    size_t max;
    uint64_t total;
    uint64_t untracked;
};

rs_subs_t *
rs_subs_new (size_t max)
{
    if (max == 0)
        return NULL;
    rs_subs_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->entries = calloc (max, sizeof *self->entries);
    if (!self->entries) {
        free (self);
        return NULL;
    }
    self->max = max;
    return self;
}

void
rs_subs_destroy (rs_subs_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->entries);
    free (*self_p);
    *self_p = NULL;
}

static subs_entry_t *
s_find (rs_subs_t *self, const void *prefix, size_t len)
{
    if (len > RS_MAX_TOPIC)
        return NULL;
    for (size_t i = 0; i < self->size; i++) {
        subs_entry_t *e = &self->entries [i];
        if (e->len == len && (len == 0 || memcmp (e->prefix, prefix, len) == 0))
            return e;
    }
    return NULL;
}

int64_t
rs_subs_add (rs_subs_t *self, const void *prefix, size_t len)
{
    subs_entry_t *e = s_find (self, prefix, len);
    if (!e) {
        if (len > RS_MAX_TOPIC || self->size == self->max) {
            self->untracked++;
            return -1;
        }
        e = &self->entries [self->size++];
        e->len = len;
        e->count = 0;
        if (len)
            memcpy (e->prefix, prefix, len);
    }
    e->count++;
    self->total++;
    return (int64_t) e->count;
}

int64_t
rs_subs_remove (rs_subs_t *self, const void *prefix, size_t len)
{
    subs_entry_t *e = s_find (self, prefix, len);
    if (!e)
        return -1;
    e->count--;
    self->total--;
    if (e->count > 0)
        return (int64_t) e->count;
    //  Keep the array dense: move the last entry into the hole.
    size_t i = (size_t) (e - self->entries);
    self->size--;
    if (i != self->size)
        self->entries [i] = self->entries [self->size];
    return 0;
}

uint64_t
rs_subs_count (rs_subs_t *self, const void *prefix, size_t len)
{
    subs_entry_t *e = s_find (self, prefix, len);
    return e ? e->count : 0;
}

uint64_t
rs_subs_total (rs_subs_t *self)
{
    return self->total;
}

size_t
rs_subs_size (rs_subs_t *self)
{
    return self->size;
}

uint64_t
rs_subs_untracked (rs_subs_t *self)
{
    return self->untracked;
}

void
rs_subs_foreach (rs_subs_t *self, rs_subs_fn *fn, void *arg)
{
    for (size_t i = 0; i < self->size; i++)
        if (fn (self->entries [i].prefix, self->entries [i].len, self->entries [i].count, arg) != 0)
            break;
}
