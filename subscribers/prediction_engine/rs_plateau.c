/*  rs_plateau: the lowest steady hook load with the block still (see
    rs_plateau.h). */
#include "rs_plateau.h"

#include <math.h>

#define PLATEAU_KN      10.0        // kN a steady load may span (or RS_PLATEAU_REL, or NOISE_SPAN sigmas)
#define NOISE_SPAN      5.0         // sigmas: the span of a minute's readings of a steady, noisy load
#define NOISE_EVERY_S   1.0         // s: the load cell's noise from steps between readings this far apart ...
#define NOISE_MIN_N     5           // ... known from this many

void
rs_plateau_init (rs_plateau_t *self)
{
    *self = (rs_plateau_t) {
        .since = INT64_MIN, .last = INT64_MIN, .hk_prev = NAN, .bk_prev = NAN, .hk_ts = INT64_MIN,
        .weight = NAN, .low_since = INT64_MIN, .low_block = NAN,
    };
    rs_noise_reset (&self->noise);
}

void
rs_plateau_feed (rs_plateau_t *self, int64_t ts, double hook, double block, bool hanging, double move_m,
                 double jitter)
{
    //  Readings farther apart than a plateau (a log of snapshots, a row a
    //  connection) cannot show the block travelling between them: each is
    //  a still reading of its own.
    bool apart = self->last != INT64_MIN && (double) (ts - self->last) > RS_PLATEAU_S * 1e6;
    self->last = ts;
    //  The load cell's noise, from the steps between readings with the
    //  block still: a cell noisier than F-9's (quantised in 3.85 kN steps)
    //  spans more than PLATEAU_KN within a minute of a steady load, and no
    //  plateau, hence no block weight, would ever be found.
    if (self->hk_ts == INT64_MIN || (double) (ts - self->hk_ts) >= NOISE_EVERY_S * 1e6) {
        bool still = isnan (block) || isnan (self->bk_prev) || fabs (block - self->bk_prev) <= jitter;
        if (!isnan (hook) && !isnan (self->hk_prev) && !apart && still)
            rs_noise_add (&self->noise, hook - self->hk_prev);
        self->hk_prev = hook;
        self->bk_prev = block;
        self->hk_ts = ts;
    }
    double hk_sigma = rs_noise_sigma (&self->noise, RS_NOISE_MED_DIFF, NOISE_MIN_N);
    double noise_kn = isnan (hk_sigma) ? 0 : NOISE_SPAN * hk_sigma;
    if (isnan (hook) || hanging) {
        self->since = INT64_MIN;
        return;
    }
    if (self->since != INT64_MIN) {
        double lo = fmin (self->min, hook), hi = fmax (self->max, hook);
        double mean = (self->sum + hook) / (self->n + 1);
        if (apart && !isnan (block))
            self->bmin = self->bmax = block;
        double blo = isnan (block) ? self->bmin : fmin (self->bmin, block);
        double bhi = isnan (block) ? self->bmax : fmax (self->bmax, block);
        bool steady = hi - lo <= fmax (fmax (RS_PLATEAU_REL * mean, PLATEAU_KN), noise_kn) && !(bhi - blo > move_m);
        if (steady) {
            self->min = lo;
            self->max = hi;
            self->sum += hook;
            self->n++;
            self->bmin = blo;
            self->bmax = bhi;
            if ((double) (ts - self->since) >= RS_PLATEAU_S * 1e6 && self->n >= 3) {
                if (isnan (self->weight) || mean < self->weight)
                    self->weight = mean;
                self->since = INT64_MIN;
            }
            return;
        }
    }
    self->since = ts;
    self->min = self->max = self->sum = hook;
    self->n = 1;
    self->bmin = self->bmax = block;
}

//  The hook always carries the block: a hook load that stays clearly under
//  the plateau's weight for the dwell time proves that plateau was a string
//  hanging still (a kill, a long circulation), not the block alone. The
//  block weighs at most what the hook holds then, unless the bit is drilling
//  (the string hangs from the hook, lightened by the weight on bit: no
//  plateau is left). Only with the block still: a travelling block's reading
//  swings with its acceleration and the sheaves' friction, under its weight
//  too.
void
rs_plateau_undercut (rs_plateau_t *self, int64_t ts, double hook, double block, bool drilling, double drop,
                     double dwell_s, double move_m)
{
    bool low = !isnan (self->weight) && !isnan (hook) && hook < self->weight * (1 - drop);
    if (low && self->low_since == INT64_MIN && !isnan (block)) {
        self->low_since = ts;
        self->low_block = block;
    }
    else if (!low || isnan (block) || fabs (block - self->low_block) > move_m)
        self->low_since = INT64_MIN;
    else if ((double) (ts - self->low_since) >= dwell_s * 1e6) {
        self->weight = drilling ? NAN : hook;
        self->low_since = INT64_MIN;
    }
}

double
rs_plateau_weight (const rs_plateau_t *self)
{
    return self->weight;
}
