/*  rs_seqtrack: one record per (publisher, topic) stream in a hash table keyed
    by "pub topic" (a space cannot occur in either). */
#include "rs_seqtrack.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rs_msg.h"

typedef struct {
    rs_stream_info_t info;
    char pub[RS_MAX_ID + 1];
    char topic[RS_MAX_TOPIC + 1];
} s_stream_t;

struct rs_seqtrack_t {
    zhashx_t *streams;
};

static void
s_stream_free (void **item)
{
    free (*item);
    *item = NULL;
}

//  Streams are keyed "pub topic"; key must hold RS_MAX_ID + RS_MAX_TOPIC + 2.
static s_stream_t *
s_find (rs_seqtrack_t *self, const char *pub, const char *topic, char *key, size_t size)
{
    //  Called for every message: plain copies rather than snprintf.
    size_t pl = strnlen (pub, RS_MAX_ID), tl = strnlen (topic, RS_MAX_TOPIC);
    if (pl + tl + 2 > size)
        return NULL;
    memcpy (key, pub, pl);
    key[pl] = ' ';
    memcpy (key + pl + 1, topic, tl);
    key[pl + 1 + tl] = 0;
    return zhashx_lookup (self->streams, key);
}

rs_seqtrack_t *
rs_seqtrack_new (void)
{
    rs_seqtrack_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->streams = zhashx_new ();
    if (!self->streams) {
        free (self);
        return NULL;
    }
    zhashx_set_destructor (self->streams, s_stream_free);
    return self;
}

void
rs_seqtrack_destroy (rs_seqtrack_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zhashx_destroy (&(*self_p)->streams);
    free (*self_p);
    *self_p = NULL;
}

rs_seq_result_t
rs_seqtrack_check (rs_seqtrack_t *self, const char *pub, const char *topic, uint64_t epoch,
                   uint64_t seq, int64_t ts_us, uint64_t *missing)
{
    char key[RS_MAX_ID + RS_MAX_TOPIC + 2];
    s_stream_t *s = s_find (self, pub, topic, key, sizeof key);
    if (missing)
        *missing = 0;
    if (!s) {
        s = calloc (1, sizeof *s);
        if (!s)
            return RS_SEQ_FIRST;    //  untracked, but the message still counts
        snprintf (s->pub, sizeof s->pub, "%s", pub);
        snprintf (s->topic, sizeof s->topic, "%s", topic);
        s->info.pub = s->pub;
        s->info.topic = s->topic;
        s->info.epoch = epoch;
        s->info.first_seq = s->info.last_seq = seq;
        s->info.last_ts_us = ts_us;
        s->info.received = 1;
        zhashx_insert (self->streams, key, s);
        return RS_SEQ_FIRST;
    }
    rs_stream_info_t *in = &s->info;
    if (epoch < in->epoch)
        return RS_SEQ_OLD_EPOCH;
    if (epoch > in->epoch) {
        in->epoch = epoch;
        in->first_seq = in->last_seq = seq;
        in->last_ts_us = ts_us;
        in->received++;
        return RS_SEQ_NEW_EPOCH;
    }
    if (seq <= in->last_seq) {
        in->duplicates++;
        return RS_SEQ_DUP;
    }
    rs_seq_result_t result = RS_SEQ_NEXT;
    if (seq > in->last_seq + 1) {
        uint64_t lost = seq - in->last_seq - 1;
        in->gaps++;
        in->missing += lost;
        if (missing)
            *missing = lost;
        result = RS_SEQ_GAP;
    }
    if (ts_us < in->last_ts_us)
        in->time_backwards++;
    else
        in->last_ts_us = ts_us;
    in->last_seq = seq;
    in->received++;
    return result;
}

int
rs_seqtrack_seed (rs_seqtrack_t *self, const char *pub, const char *topic, uint64_t epoch,
                  uint64_t last_seq)
{
    char key[RS_MAX_ID + RS_MAX_TOPIC + 2];
    s_stream_t *s = s_find (self, pub, topic, key, sizeof key);
    if (!s) {
        rs_seqtrack_check (self, pub, topic, epoch, last_seq, 0, NULL);
        s = zhashx_lookup (self->streams, key);
        if (!s)
            return -1;
        s->info.received = 0;
        return 0;
    }
    s->info.epoch = epoch;
    s->info.last_seq = last_seq;
    return 0;
}

int
rs_seqtrack_last (rs_seqtrack_t *self, const char *pub, const char *topic, uint64_t *epoch,
                  uint64_t *last_seq)
{
    char key[RS_MAX_ID + RS_MAX_TOPIC + 2];
    s_stream_t *s = s_find (self, pub, topic, key, sizeof key);
    if (!s)
        return -1;
    *epoch = s->info.epoch;
    *last_seq = s->info.last_seq;
    return 0;
}

size_t
rs_seqtrack_size (rs_seqtrack_t *self)
{
    return zhashx_size (self->streams);
}

void
rs_seqtrack_foreach (rs_seqtrack_t *self, void (*fn) (const rs_stream_info_t *info, void *arg),
                     void *arg)
{
    for (s_stream_t *s = zhashx_first (self->streams); s; s = zhashx_next (self->streams))
        fn (&s->info, arg);
}

const char *
rs_seq_result_name (rs_seq_result_t result)
{
    static const char *names[] = { "first", "next", "gap", "dup", "new_epoch", "old_epoch" };
    return (unsigned) result < sizeof names / sizeof names[0] ? names[result] : "unknown";
}
