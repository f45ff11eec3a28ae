/*  rs_window: time windows as bucketed aggregates (see rs_window.h). */
#include "rs_window.h"

#include <math.h>
#include <string.h>

#define SLOTS       (RS_WINDOW_BUCKETS + 1)
#define MAX_SPAN_S  (366.0 * 86400)

static int64_t
s_floor_div (int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int
rs_window_init (rs_window_t *self, double span_s)
{
    memset (self, 0, sizeof *self);
    if (!(span_s > 0) || span_s > MAX_SPAN_S)
        return -1;
    self->span_s = span_s;
    int64_t span_us = (int64_t) ceil (span_s * 1e6);
    self->width_us = (span_us + RS_WINDOW_BUCKETS - 1) / RS_WINDOW_BUCKETS;
    if (self->width_us < 1)
        self->width_us = 1;
    rs_window_reset (self);
    return 0;
}

void
rs_window_fini (rs_window_t *self)
{
    rs_window_reset (self);
}

//  The totals of an empty window.
static void
s_empty (rs_window_t *self)
{
    self->valid = 0;
    self->sum = self->st = self->stt = self->stv = 0;
    self->vref = NAN;
    self->advances = 0;
    self->t0_us = (self->newest - RS_WINDOW_BUCKETS) * self->width_us;
}

void
rs_window_reset (rs_window_t *self)
{
    memset (self->b, 0, sizeof self->b);
    self->started = false;
    self->newest = self->next_us = self->last_ts = 0;
    self->head = 0;
    s_empty (self);
    self->last = NAN;
}

//  The totals afresh from the buckets, about a new origin (the oldest
//  bucket the window can hold) and a value reference re-centred on the
//  window's mean: what keeps a long stream from drifting.
static void
s_recompute (rs_window_t *self)
{
    uint64_t n = 0;
    double sv = 0;
    for (int i = 0; i < SLOTS; i++) {
        n += self->b[i].n;
        sv += self->b[i].sv;
    }
    if (n == 0) {
        s_empty (self);
        return;
    }
    double shift = sv / (double) n, w = (double) self->width_us / 1e6;
    self->t0_us = (self->newest - RS_WINDOW_BUCKETS) * self->width_us;
    self->sum = self->st = self->stt = self->stv = 0;
    int slot = self->head;
    for (int k = 0; k < SLOTS; k++) {
        slot = slot + 1 == SLOTS ? 0 : slot + 1;
        rs_wbucket_t *b = &self->b[slot];
        if (b->n == 0)
            continue;
        double bn = (double) b->n, s = k * w;
        b->sv -= bn * shift;
        b->suv -= b->su * shift;
        self->sum += b->sv;
        self->st += b->su + bn * s;
        self->stt += b->suu + 2 * s * b->su + bn * s * s;
        self->stv += b->suv + s * b->sv;
    }
    self->vref += shift;
    self->valid = (size_t) n;
    self->advances = 0;
}

//  Starts the buckets after the newest up to `idx`, taking the ones that
//  fall out (the slots they reuse) off the totals; recomputes these once
//  per span's worth of new buckets.
static void
s_advance (rs_window_t *self, int64_t idx)
{
    int64_t steps = idx - self->newest;
    if (steps > SLOTS)
        steps = SLOTS;
    for (int64_t i = 0; i < steps; i++) {
        self->head = self->head + 1 == SLOTS ? 0 : self->head + 1;
        rs_wbucket_t *b = &self->b[self->head];
        if (b->n) {
            //  The slot held the bucket SLOTS before the one it starts now.
            int64_t gone = idx - steps + 1 + i - SLOTS;
            double s = (double) (gone * self->width_us - self->t0_us) / 1e6, bn = (double) b->n;
            self->valid -= (size_t) b->n;
            self->sum -= b->sv;
            self->st -= b->su + bn * s;
            self->stt -= b->suu + 2 * s * b->su + bn * s * s;
            self->stv -= b->suv + s * b->sv;
            memset (b, 0, sizeof *b);
        }
    }
    self->advances += (unsigned) steps;
    self->newest = idx;
    self->next_us = (idx + 1) * self->width_us;
    if (self->valid == 0)
        s_empty (self);
    else if (self->advances >= RS_WINDOW_BUCKETS)
        s_recompute (self);
}

int
rs_window_add (rs_window_t *self, int64_t ts_us, double value)
{
    if (self->started && ts_us < self->last_ts)
        return 1;
    if (!self->started) {
        self->newest = s_floor_div (ts_us, self->width_us);
        self->next_us = (self->newest + 1) * self->width_us;
        self->started = true;
        s_empty (self);
    }
    else if (ts_us >= self->next_us)
        s_advance (self, s_floor_div (ts_us, self->width_us));
    self->last_ts = ts_us;
    if (isnan (value))
        return 0;
    if (isnan (self->vref))
        self->vref = value;
    rs_wbucket_t *b = &self->b[self->head];
    double u = (double) (ts_us - (self->next_us - self->width_us)) / 1e6;
    double t = (double) (ts_us - self->t0_us) / 1e6;
    double y = value - self->vref;
    if (b->n == 0)
        b->ufirst = u;
    b->ulast = u;
    b->n++;
    b->sv += y;
    b->su += u;
    b->suu += u * u;
    b->suv += u * y;
    self->valid++;
    self->sum += y;
    self->st += t;
    self->stt += t * t;
    self->stv += t * y;
    self->last = value;
    return 0;
}

double
rs_window_mean (const rs_window_t *self)
{
    return self->valid ? self->vref + self->sum / (double) self->valid : NAN;
}

size_t
rs_window_count (const rs_window_t *self)
{
    return self->valid;
}

double
rs_window_last (const rs_window_t *self)
{
    return self->valid ? self->last : NAN;
}

int64_t
rs_window_width_us (const rs_window_t *self)
{
    return self->width_us;
}

//  The slope from the buckets, about their centroid (slot k after head
//  starts k widths after the oldest bucket the window can hold; empty ones
//  add zeros).
static double
s_slope_exact (const rs_window_t *self, int first, int last)
{
    double w = (double) self->width_us / 1e6, n = (double) self->valid, st = 0;
    for (int k = first; k <= last; k++) {
        const rs_wbucket_t *b = &self->b[(self->head + 1 + k) % SLOTS];
        st += b->su + (double) b->n * (k * w);
    }
    double ct = st / n, cv = self->sum / n;
    double sxx = 0, sxy = 0;
    for (int k = first; k <= last; k++) {
        const rs_wbucket_t *b = &self->b[(self->head + 1 + k) % SLOTS];
        double d = k * w - ct, bn = (double) b->n;
        //  Sums over the bucket of (u + d)^2 and (u + d)(y - cv).
        sxx += b->suu + 2 * d * b->su + bn * d * d;
        sxy += b->suv + d * b->sv - cv * (b->su + bn * d);
    }
    return sxx > 0 ? sxy / sxx : NAN;
}

double
rs_window_slope (const rs_window_t *self, size_t min_points, double min_spread_s)
{
    if (self->valid < min_points || self->valid < 2)
        return NAN;
    int first = 0, last = RS_WINDOW_BUCKETS;
    while (self->b[(self->head + 1 + first) % SLOTS].n == 0)
        first++;
    while (self->b[(self->head + 1 + last) % SLOTS].n == 0)
        last--;
    double w = (double) self->width_us / 1e6;
    double tmin = first * w + self->b[(self->head + 1 + first) % SLOTS].ufirst;
    double tmax = last * w + self->b[(self->head + 1 + last) % SLOTS].ulast;
    double spread = tmax - tmin;
    if (!(spread >= min_spread_s) || !(spread > 0))
        return NAN;
    if (spread * 8 < self->span_s)
        return s_slope_exact (self, first, last);
    double n = (double) self->valid, ct = self->st / n;
    double sxx = self->stt - self->st * ct, sxy = self->stv - ct * self->sum;
    return sxx > 0 ? sxy / sxx : NAN;
}

double
rs_window_time_ss (const rs_window_t *self)
{
    if (self->valid < 2)
        return NAN;
    double sxx = self->stt - self->st * self->st / (double) self->valid;
    return sxx > 0 ? sxx : 0;
}

double
rs_step (rs_step_t *self, int64_t ts_us, double max_gap_s)
{
    if (self->started && ts_us <= self->last_ts)
        return -1;
    double dt = self->started ? (double) (ts_us - self->last_ts) / 1e6 : 0;
    self->started = true;
    self->last_ts = ts_us;
    return dt > max_gap_s ? 0 : dt;
}
