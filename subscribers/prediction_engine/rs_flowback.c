/*  rs_flowback: the well's flowback at pump stops, fingerprinted (see
    rs_flowback.h). */
#include "rs_flowback.h"

#include <math.h>
#include <string.h>

//  The fingerprint is the most any of the last stops had given back by the
//  same time; at least this many stops must reach that time ...
#define FB_MIN_STOPS    2
//  ... and this stop is within it while under it by a quarter of it, plus
//  one barrel: a well that gives back each time the same, give or take,
//  is ballooning; an influx adds to it what it brings.
#define FB_REL          0.25
#define FB_ABS_L        160.0
//  A stop shorter than this gives no profile (a pump tripped, restarted).
#define FB_MIN_PTS      2

void
rs_flowback_init (rs_flowback_t *self)
{
    memset (self, 0, sizeof *self);
}

double
rs_flowback_envelope (const rs_flowback_t *self)
{
    if (!self->stopped)
        return NAN;
    size_t i = (size_t) (self->t / RS_FLOWBACK_STEP_S);
    if (i >= RS_FLOWBACK_PTS)
        return NAN;
    double env = NAN;
    size_t covering = 0;
    for (size_t k = 0; k < self->kept_n; k++) {
        const rs_flowback_profile_t *p = &self->kept[k];
        if (p->n > i) {
            covering++;
            env = isnan (env) ? p->vol[i] : fmax (env, p->vol[i]);
        }
    }
    return covering >= FB_MIN_STOPS ? env : NAN;
}

static void
s_keep (rs_flowback_t *self)
{
    if (self->discard || self->cur.n < FB_MIN_PTS)
        return;
    self->kept[self->kept_head] = self->cur;
    self->kept_head = (self->kept_head + 1) % RS_FLOWBACK_KEEP;
    if (self->kept_n < RS_FLOWBACK_KEEP)
        self->kept_n++;
}

void
rs_flowback_feed (rs_flowback_t *self, double dt, bool pumps_off, double balance_lpm, bool usable)
{
    if (!pumps_off) {
        if (self->stopped)
            s_keep (self);
        self->stopped = false;
        self->verdict = RS_FLOWBACK_UNKNOWN;
        return;
    }
    if (!self->stopped) {
        self->stopped = true;
        self->t = self->vol = 0;
        self->cur.n = 0;
        self->discard = false;
        dt = 0;
    }
    self->discard = self->discard || !usable;
    if (dt > 0) {
        self->t += dt;
        self->vol += fmax (0, isnan (balance_lpm) ? 0 : balance_lpm) * dt / 60;
        //  Points passed in this step, at the volume reached (a sparse log
        //  crosses several at once).
        while (self->cur.n < RS_FLOWBACK_PTS && (double) (self->cur.n + 1) * RS_FLOWBACK_STEP_S <= self->t) {
            self->cur.vol[self->cur.n++] = self->vol;
        }
    }
    double env = rs_flowback_envelope (self);
    self->verdict = isnan (env) ? RS_FLOWBACK_UNKNOWN
                    : self->vol <= env * (1 + FB_REL) + FB_ABS_L ? RS_FLOWBACK_WITHIN : RS_FLOWBACK_BEYOND;
}

rs_flowback_verdict_t
rs_flowback_verdict (const rs_flowback_t *self)
{
    return self->verdict;
}

double
rs_flowback_volume (const rs_flowback_t *self)
{
    return self->stopped ? self->vol : 0;
}
