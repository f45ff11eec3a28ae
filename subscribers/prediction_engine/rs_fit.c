/*  rs_fit: flowline lag and pressure-flow exponent learned from the data. */
#include "rs_fit.h"
#include "rs_median.h"

#include <math.h>
#include <string.h>

#define LAG_PRE_S       30.0        // kept before a pump start or stop
#define LAG_WIN_S       300.0       // analysed after it
#define LAG_CANDS       40
#define LAG_MIN_R2      0.9

#define EXP_MIN_S       30.0        // a plateau lasts at least this
#define EXP_SAME_Q      0.03        // the flow stays within 3% of the plateau's mean
#define EXP_MIN_DQ      0.14        // ln(1.15): plateaus compared at least 15% apart
#define EXP_MAX_AGE_S   1800.0
#define EXP_LO          1.2         // slopes outside this are not hydraulics
#define EXP_HI          2.6

static double
s_median (const double *v, size_t n)
{
    double tmp[16];
    if (n == 0 || n > 16)
        return NAN;
    memcpy (tmp, v, n * sizeof *v);
    return rs_median_sort (tmp, n);
}

//  Keeps x among the last `cap` estimates (a ring: est, *n, *head) and
//  returns their median.
static double
s_est_push (double *est, size_t *n, size_t *head, size_t cap, double x)
{
    est[*head] = x;
    *head = (*head + 1) % cap;
    if (*n < cap)
        (*n)++;
    return s_median (est, *n);
}

void
rs_lagfit_init (rs_lagfit_t *self, double on_lpm)
{
    memset (self, 0, sizeof *self);
    self->on_lpm = on_lpm > 0 ? on_lpm : 50;
    self->tau_s = NAN;
    self->pre_u = self->pre_y = NAN;
}

//  Residual of y ~ a + b * lag(u, tau), least squares; *r2 its R^2, *b the gain.
static double
s_lag_sse (const double *t, const double *u, const double *y, size_t n, double tau, double *r2, double *gain)
{
    double m = u[0];
    double sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            //  Exact for an input linear between points.
            double h = t[i] - t[i - 1];
            double e = exp (-h / tau);
            double slope = (u[i] - u[i - 1]) / h;
            m = u[i] - slope * tau + (m - u[i - 1] + slope * tau) * e;
        }
        sx += m;
        sy += y[i];
        sxx += m * m;
        sxy += m * y[i];
        syy += y[i] * y[i];
    }
    double N = (double) n;
    double vx = sxx - sx * sx / N, vy = syy - sy * sy / N, cxy = sxy - sx * sy / N;
    if (vx <= 0 || vy <= 0) {
        *r2 = 0;
        *gain = NAN;
        return INFINITY;
    }
    double b = cxy / vx;
    double sse = vy - b * cxy;
    *r2 = 1 - sse / vy;
    *gain = b;
    return sse;
}

double
rs_lagfit_solve (const double *t, const double *u, const double *y, size_t n)
{
    if (n < 20)
        return NAN;
    double cand[LAG_CANDS], sse[LAG_CANDS], r2[LAG_CANDS], gain[LAG_CANDS];
    double step = log (RS_LAGFIT_MAX_S / RS_LAGFIT_MIN_S) / (LAG_CANDS - 1);
    size_t best = 0;
    for (size_t i = 0; i < LAG_CANDS; i++) {
        cand[i] = RS_LAGFIT_MIN_S * exp (step * (double) i);
        sse[i] = s_lag_sse (t, u, y, n, cand[i], &r2[i], &gain[i]);
        if (sse[i] < sse[best])
            best = i;
    }
    //  At the edge of the range the data show no lag we can measure; a poor
    //  fit or an absurd gain is not a pump transition of this flowline.
    if (best == 0 || best == LAG_CANDS - 1 || r2[best] < LAG_MIN_R2 || !(gain[best] > 0.5 && gain[best] < 2))
        return NAN;
    //  Parabola through the best and its neighbours, in ln(tau).
    double a = sse[best - 1], b = sse[best], c = sse[best + 1];
    double den = a - 2 * b + c;
    double off = den > 0 ? 0.5 * (a - c) / den : 0;
    if (off > 0.5)
        off = 0.5;
    if (off < -0.5)
        off = -0.5;
    return cand[best] * exp (off * step);
}

static void
s_lag_finish (rs_lagfit_t *self)
{
    self->collecting = false;
    double tau = rs_lagfit_solve (self->t, self->u, self->y, self->n);
    if (isnan (tau)) {
        self->rejected++;
        return;
    }
    self->fits++;
    self->tau_s = s_est_push (self->est, &self->est_n, &self->est_head, RS_LAGFIT_EST, tau);
}

double
rs_lagfit_feed (rs_lagfit_t *self, int64_t ts_us, double q_in, double q_out)
{
    if (isnan (q_in) || isnan (q_out)) {
        self->collecting = false;          // a hole in the data spoils the fit
        self->primed = false;
        return self->tau_s;
    }
    bool on = q_in > self->on_lpm;
    bool change = self->primed && on != self->pumps_on;
    self->pumps_on = on;
    self->primed = true;
    if (change) {
        //  A new start or stop before the last one could be fitted: start over.
        self->collecting = true;
        self->trigger_us = ts_us;
        self->n = 0;
        if (!isnan (self->pre_u)) {
            //  The steady state just before, LAG_PRE_S earlier.
            self->t[0] = -LAG_PRE_S;
            self->u[0] = self->pre_u;
            self->y[0] = self->pre_y;
            self->n = 1;
        }
        self->last_pt_us = ts_us - 1000000;
    }
    if (!self->collecting) {
        //  The pumps' state has not changed for a while: remember it.
        self->pre_u = q_in;
        self->pre_y = q_out;
        return self->tau_s;
    }
    if (ts_us - self->last_pt_us >= 1000000 && self->n < RS_LAGFIT_PTS) {
        self->t[self->n] = (double) (ts_us - self->trigger_us) / 1e6;
        self->u[self->n] = q_in;
        self->y[self->n] = q_out;
        self->n++;
        self->last_pt_us = ts_us;
    }
    if ((double) (ts_us - self->trigger_us) >= LAG_WIN_S * 1e6 || self->n >= RS_LAGFIT_PTS) {
        s_lag_finish (self);
        self->pre_u = q_in;
        self->pre_y = q_out;
    }
    return self->tau_s;
}

//  --------------------------------------------------------------------------

void
rs_expfit_init (rs_expfit_t *self)
{
    memset (self, 0, sizeof *self);
    self->n_exp = NAN;
}

static void
s_plateau_close (rs_expfit_t *self)
{
    if (self->acc_n == 0)
        return;
    double dur = (double) (self->acc_t1 - self->acc_t0) / 1e6;
    rs_expfit_plateau_t p = { self->acc_lnq / self->acc_n, self->acc_lnp / self->acc_n, self->acc_t1 };
    self->acc_n = 0;
    if (dur < EXP_MIN_S)
        return;
    //  A slope against the most recent plateau far enough in flow.
    for (size_t i = 0; i < self->plat_n; i++) {
        const rs_expfit_plateau_t *o = &self->plat[(self->plat_head + RS_EXPFIT_PLAT - 1 - i) % RS_EXPFIT_PLAT];
        if ((double) (p.ts - o->ts) > EXP_MAX_AGE_S * 1e6)
            break;
        double dq = p.lnq - o->lnq;
        if (fabs (dq) < EXP_MIN_DQ)
            continue;
        double slope = (p.lnp - o->lnp) / dq;
        if (slope >= EXP_LO && slope <= EXP_HI) {
            self->n_exp = s_est_push (self->est, &self->est_n, &self->est_head, RS_EXPFIT_EST, slope);
        }
        break;
    }
    self->plat[self->plat_head] = p;
    self->plat_head = (self->plat_head + 1) % RS_EXPFIT_PLAT;
    if (self->plat_n < RS_EXPFIT_PLAT)
        self->plat_n++;
}

double
rs_expfit_feed (rs_expfit_t *self, int64_t ts_us, bool steady, double q, double spp)
{
    bool ok = steady && q > 0 && spp > 0 && isfinite (q) && isfinite (spp);
    if (ok && self->acc_n > 0 && fabs (q - self->acc_q / self->acc_n) > EXP_SAME_Q * (self->acc_q / self->acc_n))
        s_plateau_close (self);
    if (!ok) {
        s_plateau_close (self);
        return self->n_exp;
    }
    if (self->acc_n == 0) {
        self->acc_lnq = self->acc_lnp = self->acc_q = 0;
        self->acc_t0 = ts_us;
    }
    self->acc_lnq += log (q);
    self->acc_lnp += log (spp);
    self->acc_q += q;
    self->acc_n++;
    self->acc_t1 = ts_us;
    return self->n_exp;
}

//  --------------------------------------------------------------------------

#define MOTOR_SEG_S     20.0        // s of steady pumping on each side of the transition
#define MOTOR_GAP_S     60.0        // the two sides at most this far apart
#define MOTOR_TAU_S     10.0        // smoothing within a side
#define MOTOR_SAME_Q    0.03
#define MOTOR_MIN_DWOB  20.0        // kN between the sides
#define MOTOR_MAX       1.0         // bar/kN: 150 bar at 150 kN is no motor
#define MOTOR_MIN_PTS   3

void
rs_motorfit_init (rs_motorfit_t *self)
{
    memset (self, 0, sizeof *self);
    self->cur = -1;
    self->last_us = INT64_MIN;
    self->bar_kn = NAN;
}

double
rs_motorfit_feed (rs_motorfit_t *self, int64_t ts_us, bool steady, int side, double q, double spp, double wob)
{
    double dt = self->last_us == INT64_MIN ? 0 : (double) (ts_us - self->last_us) / 1e6;
    self->last_us = ts_us;
    if (!steady || !isfinite (q) || !isfinite (spp)) {
        //  An unsteady pump rate breaks both sides: their pressures would
        //  differ by more than the bit's load.
        self->seg[0].span_s = self->seg[1].span_s = 0;
        self->cur = -1;
        return self->bar_kn;
    }
    int k = side > 0 ? 1 : 0;
    if (side < 0 || (k && !isfinite (wob))) {
        //  Neither side (on bottom without weight as the bit comes up, a
        //  stuck string whose WOB reads the pull on it): a pause.
        self->cur = -1;
        return self->bar_kn;
    }
    rs_motorseg_t *g = &self->seg[k];
    if (k != self->cur) {
        *g = (rs_motorseg_t) { spp, q, isfinite (wob) ? wob : 0, 0, ts_us, ts_us };
        self->cur = k;
        self->paired = false;
    }
    else {
        double a = fmin (1, dt / MOTOR_TAU_S);
        g->spp += (spp - g->spp) * a;
        g->q += (q - g->q) * a;
        if (isfinite (wob))
            g->wob += (wob - g->wob) * a;
        g->span_s += dt;
        g->t1 = ts_us;
    }
    const rs_motorseg_t *o = &self->seg[!k];
    if (self->paired || g->span_s < MOTOR_SEG_S || o->span_s < MOTOR_SEG_S
        || (double) (g->t0 - o->t1) > MOTOR_GAP_S * 1e6 || fabs (g->q - o->q) > MOTOR_SAME_Q * o->q)
        return self->bar_kn;
    self->paired = true;
    const rs_motorseg_t *on = k ? g : o, *off = k ? o : g;
    double dwob = on->wob - off->wob;
    if (dwob < MOTOR_MIN_DWOB)
        return self->bar_kn;
    //  Under zero is noise around no motor; the cap keeps one wild point
    //  from mattering before the median has others.
    double med = s_est_push (self->est, &self->est_n, &self->est_head, RS_MOTORFIT_EST,
                             fmin (fmax ((on->spp - off->spp) / dwob, 0), MOTOR_MAX));
    //  Three points before any estimate: one transition can mislead (the
    //  pressure still settling after a kill read as no motor on a rig with
    //  one, and every lift-off after it was a washout).
    if (self->est_n >= MOTOR_MIN_PTS)
        self->bar_kn = med;
    return self->bar_kn;
}
