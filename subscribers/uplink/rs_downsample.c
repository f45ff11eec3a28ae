/*  rs_downsample: per-well, per-channel windows in czmq hashes. */
#include "rs_downsample.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>

#include "rs_budget.h"

//  A well's windows, one per channel.
typedef struct {
    zhashx_t *windows;          //  channel -> rs_window_t
    uint64_t last_seq;          //  seq of the well's previous sample
} well_ds_t;

struct rs_downsample_t {
    int64_t period_ms;
    zhashx_t *wells;            //  well -> well_ds_t
};

static void
s_well_ds_free (well_ds_t **self_p)
{
    if (!*self_p)
        return;
    zhashx_destroy (&(*self_p)->windows);
    free (*self_p);
    *self_p = NULL;
}

rs_downsample_t *
rs_downsample_new (int64_t period_ms)
{
    rs_downsample_t *self = period_ms > 0 ? calloc (1, sizeof *self) : NULL;
    if (!self || !(self->wells = zhashx_new ())) {
        free (self);
        return NULL;
    }
    self->period_ms = period_ms;
    zhashx_set_destructor (self->wells, (zhashx_destructor_fn *) s_well_ds_free);
    return self;
}

void
rs_downsample_destroy (rs_downsample_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zhashx_destroy (&(*self_p)->wells);
    free (*self_p);
    *self_p = NULL;
}

int
rs_downsample_add (rs_downsample_t *self, const rs_msg_t *msg, msgpack_sbuffer *buf, int64_t *ts_ms,
                   uint64_t *seq)
{
    well_ds_t *w = zhashx_lookup (self->wells, msg->id);
    if (!w) {
        w = calloc (1, sizeof *w);
        if (!w || !(w->windows = zhashx_new ())) {
            free (w);
            return -1;
        }
        zhashx_set_destructor (w->windows, (zhashx_destructor_fn *) zstr_free);
        zhashx_insert (self->wells, msg->id, w);
    }
    rs_window_t done[RS_MAX_CHANNELS];
    const char *names[RS_MAX_CHANNELS];
    size_t n = 0;
    for (size_t i = 0; i < msg->n_values && i < RS_MAX_CHANNELS; i++) {
        rs_window_t *win = zhashx_lookup (w->windows, msg->values[i].name);
        if (!win) {
            win = calloc (1, sizeof *win);
            if (!win)
                return -1;
            zhashx_insert (w->windows, msg->values[i].name, win);
        }
        if (rs_window_add (win, self->period_ms, msg->hdr.ts_us / 1000, msg->values[i].value, &done[n]))
            names[n++] = msg->values[i].name;
    }
    *seq = w->last_seq;
    w->last_seq = msg->hdr.seq;
    if (!n)
        return 0;
    msgpack_packer pk;
    msgpack_packer_init (&pk, buf, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 3 * n);
    char key[64];
    *ts_ms = done[0].start_ms;
    for (size_t i = 0; i < n; i++) {
        snprintf (key, sizeof key, "%s_mean", names[i]);
        rs_encode_key (&pk, key);
        rs_encode_number (&pk, done[i].sum / (double) done[i].n);
        snprintf (key, sizeof key, "%s_min", names[i]);
        rs_encode_key (&pk, key);
        rs_encode_number (&pk, done[i].min);
        snprintf (key, sizeof key, "%s_max", names[i]);
        rs_encode_key (&pk, key);
        rs_encode_number (&pk, done[i].max);
    }
    return (int) (3 * n);
}
