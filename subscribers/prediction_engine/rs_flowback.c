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
//  When the pumps come back, a ballooning formation (the last stop gave
//  back a barrel or more, or after a trip, whose flowback the pipe's
//  displacement hides, a stop kept did) takes again what it gave: losses
//  that die away, 2 minutes at a time, each 4% or more under the last (a
//  take halving every 30 minutes is 4.5% under), for at most half an hour,
//  and no more than the last stop gave back, plus a quarter and a barrel.
//  A loss that holds is judged as ever once the second to fourth windows
//  have told, 8 minutes after the pumps came back.
#define FB_TAKE_MAX_S   1800.0
#define FB_TAKE_WIN_S   120.0
#define FB_DYING_REL    0.04
#define FB_DYING_MIN    10.0        // L/min: less is no loss at all

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
    self->cur.net = self->net;
    if (self->discard || self->cur.n < FB_MIN_PTS)
        return;
    self->kept[self->kept_head] = self->cur;
    self->kept_head = (self->kept_head + 1) % RS_FLOWBACK_KEEP;
    if (self->kept_n < RS_FLOWBACK_KEEP)
        self->kept_n++;
}

//  Whether the losses since the pumps came back die away (FB_TAKE_*).
static void
s_take (rs_flowback_t *self, double dt, double balance_lpm)
{
    self->on_s += dt;
    if (self->take_done || isnan (balance_lpm))
        return;
    self->take_sum -= balance_lpm * dt;
    self->take_s += dt;
    if (self->take_s < FB_TAKE_WIN_S)
        return;
    double mean = self->take_sum / self->take_s;
    //  The first window is the flowline filling and the loss coming up to
    //  its full rate: the second is the first compared, with the third.
    //  Two windows running that do not die away end it: a take halving
    //  every 10 minutes, read every 10 s, has one window in five within 4%
    //  of the last from the paddle's noise alone.
    bool holds = !(self->take_prev > FB_DYING_MIN && mean < (1 - FB_DYING_REL) * self->take_prev);
    if (self->take_windows >= 2 && holds && self->take_held)
        self->take_done = true;
    self->take_held = self->take_windows >= 2 && holds;
    self->take_prev = mean;
    self->take_sum = self->take_s = 0;
    self->take_windows++;
}

void
rs_flowback_feed (rs_flowback_t *self, double dt, bool pumps_off, double balance_lpm, bool usable)
{
    if (!pumps_off) {
        //  Net volumes: a meter's noise adds up in a one-sided sum, not in
        //  this one. Less than a barrel given back is no ballooning.
        //  After a trip (its flowback hidden by the pipe's displacement) a
        //  ballooning well takes at least what it gave back at the stops
        //  kept.
        if (self->stopped) {
            self->on_s = self->take_sum = self->take_s = 0;
            self->take_prev = NAN;
            self->take_windows = 0;
            self->take_done = self->take_held = false;
            s_keep (self);
            double owed = self->net;
            if (self->discard) {
                owed = 0;
                for (size_t k = 0; k < self->kept_n; k++)
                    owed = fmax (owed, self->kept[k].net);
            }
            self->owed = owed > FB_ABS_L ? owed : 0;
            self->taken = 0;
        }
        else if (dt > 0) {
            if (!isnan (balance_lpm))
                self->taken = fmax (0, self->taken - balance_lpm * dt / 60);
            s_take (self, dt, balance_lpm);
        }
        self->stopped = false;
        self->verdict = RS_FLOWBACK_UNKNOWN;
        return;
    }
    if (!self->stopped) {
        self->stopped = true;
        self->t = self->vol = self->net = 0;
        self->cur.n = 0;
        self->discard = false;
        dt = 0;
    }
    self->discard = self->discard || !usable;
    if (dt > 0) {
        self->t += dt;
        self->vol += fmax (0, isnan (balance_lpm) ? 0 : balance_lpm) * dt / 60;
        self->net += isnan (balance_lpm) ? 0 : balance_lpm * dt / 60;
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

bool
rs_flowback_taking_back (const rs_flowback_t *self)
{
    if (self->stopped || self->take_done || self->on_s > FB_TAKE_MAX_S || !(self->owed > 0))
        return false;
    return self->taken <= self->owed * (1 + FB_REL) + FB_ABS_L;
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
