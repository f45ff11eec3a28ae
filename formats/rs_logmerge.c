/*  rs_logmerge: each source keeps one row of look-ahead; a step takes the
    earliest look-ahead time, absorbs every source's row at that instant and
    then picks, per channel, the richest source whose reading is fresh. */
#include "rs_logmerge.h"

#include "rs_channels.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    rs_logmerge_next_fn *next;
    void *arg;
    size_t n_cols;
    int *chan;              //  per column: merged channel index, or -1
    double *ahead;          //  the look-ahead row's values
    int64_t ahead_ts;
    bool has_ahead;
    int64_t last_ts;        //  the last row absorbed
    uint64_t rows, dropped;
    double dt_sum;          //  row intervals, gaps (> the cap) left out
    uint64_t dt_n;
    double *last_val;       //  per column: the last non-blank reading...
    int64_t *last_t;        //  ...its time
    int64_t *first_t;       //  ...the first reading's time
    uint64_t *readings;     //  ...and how many there were
} src_t;

typedef struct {
    char *name;
    int id;
    int col[RS_LOGMERGE_MAX_SOURCES];   //  the column feeding it per source, -1
    uint64_t used[RS_LOGMERGE_MAX_SOURCES];
    int sel;                //  the source in use, or -1
} chan_t;

struct rs_logmerge_t {
    src_t src[RS_LOGMERGE_MAX_SOURCES];
    size_t n_src;
    chan_t *chan;
    size_t n_chan;
    rs_value_t *out;        //  the sample handed out (names point into chan)
    rs_value_t *names;      //  the channel list (rs_logmerge_channels)
    bool started;
    int failed;
};

rs_logmerge_t *
rs_logmerge_new (void)
{
    rs_logmerge_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->chan = calloc (RS_LOGMERGE_MAX_CHANNELS, sizeof *self->chan);
    self->out = calloc (RS_LOGMERGE_MAX_CHANNELS, sizeof *self->out);
    self->names = calloc (RS_LOGMERGE_MAX_CHANNELS, sizeof *self->names);
    if (!self->chan || !self->out || !self->names) {
        rs_logmerge_destroy (&self);
        return NULL;
    }
    self->failed = -1;
    return self;
}

void
rs_logmerge_destroy (rs_logmerge_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rs_logmerge_t *self = *self_p;
    for (size_t s = 0; s < self->n_src; s++) {
        src_t *src = &self->src[s];
        free (src->chan);
        free (src->ahead);
        free (src->last_val);
        free (src->last_t);
        free (src->first_t);
        free (src->readings);
    }
    for (size_t c = 0; self->chan && c < self->n_chan; c++)
        free (self->chan[c].name);
    free (self->chan);
    free (self->out);
    free (self->names);
    free (self);
    *self_p = NULL;
}

int
rs_logmerge_channel (const rs_logmerge_t *self, const char *name)
{
    for (size_t c = 0; c < self->n_chan; c++)
        if (strcmp (self->chan[c].name, name) == 0)
            return (int) c;
    return -1;
}

//  The channel's index, created when new; -1 when the table is full.
static int
s_channel (rs_logmerge_t *self, const char *name, int id)
{
    int c = rs_logmerge_channel (self, name);
    if (c >= 0)
        return c;
    if (self->n_chan == RS_LOGMERGE_MAX_CHANNELS)
        return -1;
    chan_t *ch = &self->chan[self->n_chan];
    ch->name = strdup (name);
    if (!ch->name)
        return -1;
    ch->id = id;
    ch->sel = -1;
    for (size_t s = 0; s < RS_LOGMERGE_MAX_SOURCES; s++)
        ch->col[s] = -1;
    self->names[self->n_chan] = (rs_value_t) { ch->name, id, NAN };
    self->out[self->n_chan] = (rs_value_t) { ch->name, id, NAN };
    return (int) self->n_chan++;
}

rs_err_t
rs_logmerge_add (rs_logmerge_t *self, const rs_value_t *cols, size_t n, rs_logmerge_next_fn *next, void *arg)
{
    if (self->started)
        return rs_err_set (RS_E_INVAL, "a source added after the merge started");
    if (self->n_src == RS_LOGMERGE_MAX_SOURCES)
        return rs_err_set (RS_E_RANGE, "more than %d sources", RS_LOGMERGE_MAX_SOURCES);
    size_t s = self->n_src;
    src_t *src = &self->src[s];
    memset (src, 0, sizeof *src);
    src->next = next;
    src->arg = arg;
    src->n_cols = n;
    size_t m = n ? n : 1;
    src->chan = calloc (m, sizeof *src->chan);
    src->ahead = calloc (m, sizeof *src->ahead);
    src->last_val = calloc (m, sizeof *src->last_val);
    src->last_t = calloc (m, sizeof *src->last_t);
    src->first_t = calloc (m, sizeof *src->first_t);
    src->readings = calloc (m, sizeof *src->readings);
    //  Counted from here on, so that destroy frees what was allocated.
    self->n_src++;
    if (!src->chan || !src->ahead || !src->last_val || !src->last_t || !src->first_t || !src->readings)
        return rs_err_set (RS_E_NOMEM, "out of memory");
    for (size_t k = 0; k < n; k++) {
        int c = s_channel (self, cols[k].name, cols[k].id);
        if (c < 0)
            return rs_err_set (RS_E_RANGE, "more than %d channels in all, or out of memory",
                               RS_LOGMERGE_MAX_CHANNELS);
        if (self->chan[c].col[s] >= 0) {
            src->chan[k] = -1;
            continue;
        }
        self->chan[c].col[s] = (int) k;
        src->chan[k] = c;
    }
    return RS_OK;
}

//  Reads the source's next usable row into its look-ahead; -1 on failure.
static int
s_advance (rs_logmerge_t *self, size_t s)
{
    src_t *src = &self->src[s];
    for (;;) {
        int64_t ts;
        const double *values;
        int rc = src->next (src->arg, &ts, &values);
        if (rc < 0) {
            self->failed = (int) s;
            src->has_ahead = false;
            return -1;
        }
        if (rc == 0) {
            src->has_ahead = false;
            return 0;
        }
        //  A row that does not follow the last one (repeated or older time)
        //  would break the strictly increasing stream: dropped.
        int64_t prev = src->has_ahead ? src->ahead_ts : src->rows ? src->last_ts : INT64_MIN;
        if (ts <= prev) {
            src->dropped++;
            continue;
        }
        memcpy (src->ahead, values, src->n_cols * sizeof *values);
        src->ahead_ts = ts;
        src->has_ahead = true;
        return 0;
    }
}

static void
s_absorb (src_t *src, int64_t ts)
{
    if (src->rows) {
        double dt = (double) (ts - src->last_ts) / 1e6;
        if (dt <= RS_LOGMERGE_STALE_CAP_S) {
            src->dt_sum += dt;
            src->dt_n++;
        }
    }
    src->last_ts = ts;
    src->rows++;
    for (size_t k = 0; k < src->n_cols; k++) {
        double v = src->ahead[k];
        if (isnan (v))
            continue;
        if (!src->readings[k])
            src->first_t[k] = ts;
        src->last_val[k] = v;
        src->last_t[k] = ts;
        src->readings[k]++;
    }
}

double
rs_logmerge_stale_s (const rs_logmerge_t *self, size_t s)
{
    const src_t *src = &self->src[s];
    if (!src->dt_n)
        return RS_LOGMERGE_STALE_CAP_S;
    double limit = RS_LOGMERGE_STALE_INTERVALS * src->dt_sum / (double) src->dt_n;
    return fmin (limit, RS_LOGMERGE_STALE_CAP_S);
}

//  The mean interval between a source's readings of a column, s; INFINITY
//  with fewer than two.
static double
s_reading_interval (const src_t *src, int k)
{
    if (src->readings[k] < 2)
        return INFINITY;
    return (double) (src->last_t[k] - src->first_t[k]) / 1e6 / (double) (src->readings[k] - 1);
}

static bool
s_fresh (const rs_logmerge_t *self, size_t s, int k, int64_t ts)
{
    const src_t *src = &self->src[s];
    return src->readings[k] && (double) (ts - src->last_t[k]) / 1e6 <= rs_logmerge_stale_s (self, s);
}

//  The hole depth: the deepest fresh reading. A hole is as deep as its
//  deepest report; the shallower ones are placeholders (0) or the string's
//  depth logged under the hole's mnemonic (Volve F-9's CementData "Depth").
static int
s_pick_deepest (const rs_logmerge_t *self, const chan_t *ch, int64_t ts)
{
    int best = -1;
    double deepest = -INFINITY;
    for (size_t s = 0; s < self->n_src; s++) {
        int k = ch->col[s];
        if (k < 0 || !s_fresh (self, s, k, ts))
            continue;
        double v = self->src[s].last_val[k];
        if (!isnan (v) && v > deepest) {
            best = (int) s;
            deepest = v;
        }
    }
    return best;
}

//  Picks the channel's source at ts; -1 when none has a fresh reading.
static int
s_pick (const rs_logmerge_t *self, const chan_t *ch, int64_t ts)
{
    if (ch->id == RS_CH_HOLE_DEPTH)
        return s_pick_deepest (self, ch, ts);
    int best = -1;
    double best_iv = INFINITY;
    for (size_t s = 0; s < self->n_src; s++) {
        int k = ch->col[s];
        if (k < 0 || !s_fresh (self, s, k, ts))
            continue;
        double iv = s_reading_interval (&self->src[s], k);
        if (best < 0 || iv < best_iv) {
            best = (int) s;
            best_iv = iv;
        }
    }
    if (best < 0 || ch->sel < 0 || ch->sel == best)
        return best;
    int k = ch->col[ch->sel];
    if (!s_fresh (self, (size_t) ch->sel, k, ts))
        return best;
    double cur_iv = s_reading_interval (&self->src[ch->sel], k);
    return best_iv < RS_LOGMERGE_SWITCH_RATIO * cur_iv ? best : ch->sel;
}

int
rs_logmerge_next (rs_logmerge_t *self, int64_t *ts_us, const rs_value_t **values, size_t *n)
{
    if (self->failed >= 0)
        return -1;
    if (!self->started) {
        self->started = true;
        for (size_t s = 0; s < self->n_src; s++)
            if (s_advance (self, s) != 0)
                return -1;
    }
    int64_t ts = INT64_MAX;
    bool any = false;
    for (size_t s = 0; s < self->n_src; s++)
        if (self->src[s].has_ahead && self->src[s].ahead_ts < ts) {
            ts = self->src[s].ahead_ts;
            any = true;
        }
    if (!any)
        return 0;
    for (size_t s = 0; s < self->n_src; s++) {
        src_t *src = &self->src[s];
        if (!src->has_ahead || src->ahead_ts != ts)
            continue;
        s_absorb (src, ts);
        if (s_advance (self, s) != 0)
            return -1;
    }
    for (size_t c = 0; c < self->n_chan; c++) {
        chan_t *ch = &self->chan[c];
        ch->sel = s_pick (self, ch, ts);
        if (ch->sel >= 0) {
            ch->used[ch->sel]++;
            self->out[c].value = self->src[ch->sel].last_val[ch->col[ch->sel]];
        }
        else
            self->out[c].value = NAN;
    }
    *ts_us = ts;
    *values = self->out;
    *n = self->n_chan;
    return 1;
}

size_t
rs_logmerge_channels (const rs_logmerge_t *self, const rs_value_t **channels)
{
    *channels = self->names;
    return self->n_chan;
}

int
rs_logmerge_source_of (const rs_logmerge_t *self, size_t channel)
{
    return channel < self->n_chan ? self->chan[channel].sel : -1;
}

uint64_t
rs_logmerge_used (const rs_logmerge_t *self, size_t channel, size_t source)
{
    return channel < self->n_chan && source < RS_LOGMERGE_MAX_SOURCES ? self->chan[channel].used[source] : 0;
}

uint64_t
rs_logmerge_rows (const rs_logmerge_t *self, size_t source)
{
    return source < self->n_src ? self->src[source].rows : 0;
}

uint64_t
rs_logmerge_dropped (const rs_logmerge_t *self, size_t source)
{
    return source < self->n_src ? self->src[source].dropped : 0;
}

int
rs_logmerge_failed (const rs_logmerge_t *self)
{
    return self->failed;
}

size_t
rs_logmerge_pack (const rs_value_t *values, size_t n, rs_value_t *out)
{
    if (n <= RS_MAX_CHANNELS) {
        memcpy (out, values, n * sizeof *values);
        return n;
    }
    size_t k = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n && k < RS_MAX_CHANNELS; i++) {
            bool known = values[i].id != RS_CH_UNKNOWN;
            if ((pass == 0) == known && (known || !isnan (values[i].value)))
                out[k++] = values[i];
        }
    return k;
}
