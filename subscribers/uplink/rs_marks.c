/*  rs_marks: per-stream watermarks in a czmq hash keyed "pub\x1ftopic". */
#include "rs_marks.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rs_wm.h"

struct rs_mark_t {
    rs_wm_t wm;
    uint64_t epoch;
    uint64_t saved;             //  mark last reported as moved
    uint64_t end;               //  the stream's last seq (end-of-stream); 0 = not known
    char *pub, *topic;
};

struct rs_marks_t {
    zhashx_t *streams;
};

static void
s_mark_free (rs_mark_t **self_p)
{
    if (!*self_p)
        return;
    rs_wm_cleanup (&(*self_p)->wm);
    free ((*self_p)->pub);
    free ((*self_p)->topic);
    free (*self_p);
    *self_p = NULL;
}

rs_marks_t *
rs_marks_new (void)
{
    rs_marks_t *self = calloc (1, sizeof *self);
    if (!self || !(self->streams = zhashx_new ())) {
        free (self);
        return NULL;
    }
    zhashx_set_destructor (self->streams, (zhashx_destructor_fn *) s_mark_free);
    return self;
}

void
rs_marks_destroy (rs_marks_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zhashx_destroy (&(*self_p)->streams);
    free (*self_p);
    *self_p = NULL;
}

static rs_mark_t *
s_lookup (rs_marks_t *self, const char *pub, const char *topic)
{
    char key[256];
    snprintf (key, sizeof key, "%s\x1f%s", pub, topic);
    return zhashx_lookup (self->streams, key);
}

rs_mark_t *
rs_marks_open (rs_marks_t *self, const char *pub, const char *topic, uint64_t epoch, uint64_t start)
{
    rs_mark_t *s = s_lookup (self, pub, topic);
    if (s && s->epoch == epoch)
        return s;
    if (s && s->epoch > epoch)
        return NULL;
    if (!s) {
        s = calloc (1, sizeof *s);
        if (!s || !(s->pub = strdup (pub)) || !(s->topic = strdup (topic))) {
            s_mark_free (&s);
            return NULL;
        }
        char key[256];
        snprintf (key, sizeof key, "%s\x1f%s", pub, topic);
        zhashx_insert (self->streams, key, s);
    }
    else
        rs_wm_cleanup (&s->wm);
    rs_wm_init (&s->wm, start);
    s->epoch = epoch;
    s->saved = start;
    s->end = 0;
    return s;
}

rs_mark_t *
rs_marks_find (rs_marks_t *self, const char *pub, const char *topic, uint64_t epoch)
{
    rs_mark_t *s = s_lookup (self, pub, topic);
    return s && s->epoch == epoch ? s : NULL;
}

bool
rs_mark_account (rs_mark_t *self, uint64_t from, uint64_t to)
{
    rs_wm_add (&self->wm, from, to);
    if (self->wm.mark == self->saved)
        return false;
    self->saved = self->wm.mark;
    return true;
}

void
rs_mark_end (rs_mark_t *self, uint64_t last_seq)
{
    self->end = last_seq;
}

bool
rs_mark_complete (const rs_mark_t *self)
{
    return self->end > 0 && self->saved >= self->end;
}

uint64_t
rs_mark_value (const rs_mark_t *self)
{
    return self->saved;
}

const char *
rs_mark_pub (const rs_mark_t *self)
{
    return self->pub;
}

const char *
rs_mark_topic (const rs_mark_t *self)
{
    return self->topic;
}

uint64_t
rs_mark_epoch (const rs_mark_t *self)
{
    return self->epoch;
}
