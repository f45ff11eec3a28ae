/*  rs_agg: per-bucket min/max/sum/count accumulators. */
#include "rs_agg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void
rs_agg_init (rs_agg_t *self, int64_t width_us)
{
    memset (self, 0, sizeof *self);
    self->width_us = width_us > 0 ? width_us : 60000000;
}

void
rs_agg_cleanup (rs_agg_t *self)
{
    free (self->buckets);
    self->buckets = NULL;
    self->n = self->cap = 0;
}

void
rs_agg_clear (rs_agg_t *self)
{
    self->n = 0;
    self->last = 0;
}

int64_t
rs_agg_bucket_start (int64_t width_us, int64_t ts_us)
{
    int64_t q = ts_us / width_us;
    if (ts_us % width_us < 0)
        q--;
    return q * width_us;
}

static rs_agg_bucket_t *
s_find (rs_agg_t *self, int64_t well, int64_t bucket)
{
    if (self->last < self->n) {
        rs_agg_bucket_t *b = &self->buckets[self->last];
        if (b->well == well && b->bucket == bucket)
            return b;
    }
    //  A batch touches few buckets (wells x one or two minutes): a linear
    //  search from the newest is the quickest here.
    for (size_t i = self->n; i-- > 0;)
        if (self->buckets[i].well == well && self->buckets[i].bucket == bucket) {
            self->last = i;
            return &self->buckets[i];
        }
    if (self->n == self->cap) {
        size_t cap = self->cap ? self->cap * 2 : 8;
        rs_agg_bucket_t *nb = realloc (self->buckets, cap * sizeof *nb);
        if (!nb)
            return NULL;
        self->buckets = nb;
        self->cap = cap;
    }
    rs_agg_bucket_t *b = &self->buckets[self->n];
    memset (b, 0, sizeof *b);
    b->well = well;
    b->bucket = bucket;
    self->last = self->n++;
    return b;
}

int
rs_agg_add (rs_agg_t *self, int64_t well, int64_t ts_us, const double *values)
{
    rs_agg_bucket_t *b = s_find (self, well, rs_agg_bucket_start (self->width_us, ts_us));
    if (!b)
        return -1;
    b->n++;
    for (int c = 0; c < RS_CH_COUNT; c++) {
        double v = values[c];
        if (isnan (v))
            continue;
        if (b->count[c] == 0 || v < b->min[c])
            b->min[c] = v;
        if (b->count[c] == 0 || v > b->max[c])
            b->max[c] = v;
        b->sum[c] += v;
        b->count[c]++;
    }
    return 0;
}
