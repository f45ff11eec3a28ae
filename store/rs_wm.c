/*  rs_wm: contiguous high-water mark with out-of-order ranges above it. */
#include "rs_wm.h"

#include <stdlib.h>
#include <string.h>

void
rs_wm_init (rs_wm_t *self, uint64_t mark)
{
    memset (self, 0, sizeof *self);
    self->mark = mark;
}

void
rs_wm_cleanup (rs_wm_t *self)
{
    free (self->ranges);
    self->ranges = NULL;
    self->n = self->cap = 0;
}

//  Moves the mark over a first range that now touches it, and closes the
//  stream when the mark reaches an open-ended gap.
static void
s_absorb (rs_wm_t *self)
{
    size_t k = 0;
    while (k < self->n && self->ranges[k].from <= self->mark + 1) {
        if (self->ranges[k].to > self->mark)
            self->mark = self->ranges[k].to;
        k++;
    }
    if (k > 0) {
        memmove (self->ranges, self->ranges + k, (self->n - k) * sizeof self->ranges[0]);
        self->n -= k;
    }
    if (self->open_from && self->open_from <= self->mark + 1) {
        self->closed = true;
        self->open_from = 0;
        self->n = 0;
    }
}

int
rs_wm_add (rs_wm_t *self, uint64_t from, uint64_t to)
{
    if (to < from || self->closed)
        return 0;
    if (to == RS_WM_OPEN) {
        if (!self->open_from || from < self->open_from)
            self->open_from = from;
        s_absorb (self);
        return 0;
    }
    if (to <= self->mark)
        return 0;
    if (from <= self->mark)
        from = self->mark + 1;
    //  Fast paths: extends the mark, or the last range (the usual order).
    if (self->n == 0 && from == self->mark + 1) {
        self->mark = to;
        if (self->open_from)
            s_absorb (self);
        return 0;
    }
    if (self->n > 0) {
        rs_wm_range_t *last = &self->ranges[self->n - 1];
        if (from > last->from && from <= last->to + 1) {
            if (to > last->to)
                last->to = to;
            return 0;
        }
    }
    //  First range whose end reaches from - 1 (it may merge with [from, to]).
    size_t lo = 0, hi = self->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (self->ranges[mid].to + 1 < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    //  Ranges [lo, end) that overlap or touch [from, to] merge into one.
    size_t end = lo;
    while (end < self->n && self->ranges[end].from <= to + 1) {
        if (self->ranges[end].from < from)
            from = self->ranges[end].from;
        if (self->ranges[end].to > to)
            to = self->ranges[end].to;
        end++;
    }
    if (end == lo) {
        if (self->n == self->cap) {
            size_t cap = self->cap ? self->cap * 2 : 4;
            rs_wm_range_t *r = realloc (self->ranges, cap * sizeof *r);
            if (!r)
                return -1;
            self->ranges = r;
            self->cap = cap;
        }
        memmove (self->ranges + lo + 1, self->ranges + lo, (self->n - lo) * sizeof *self->ranges);
        self->n++;
    }
    else if (end > lo + 1) {
        memmove (self->ranges + lo + 1, self->ranges + end, (self->n - end) * sizeof *self->ranges);
        self->n -= end - lo - 1;
    }
    self->ranges[lo] = (rs_wm_range_t) { from, to };
    s_absorb (self);
    return 0;
}

int
rs_wm_copy (rs_wm_t *dst, const rs_wm_t *src)
{
    if (dst->cap < src->n) {
        rs_wm_range_t *r = realloc (dst->ranges, src->n * sizeof *r);
        if (!r)
            return -1;
        dst->ranges = r;
        dst->cap = src->n;
    }
    if (src->n)
        memcpy (dst->ranges, src->ranges, src->n * sizeof *src->ranges);
    dst->n = src->n;
    dst->mark = src->mark;
    dst->closed = src->closed;
    dst->open_from = src->open_from;
    return 0;
}

size_t
rs_wm_pending (const rs_wm_t *self)
{
    return self->n;
}
