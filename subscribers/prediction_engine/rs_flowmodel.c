/*  rs_flowmodel: expected returns, the returns meter's gain, rest and
    noise, and the pit's trend (see rs_flowmodel.h). */
#include "rs_flowmodel.h"
#include "rs_ema.h"
#include "rs_fit.h"
#include "rs_noise.h"
#include "rs_window.h"

#include <math.h>
#include <stdlib.h>

#define BAL_TAU_S       20.0        // smoothing of the balance
#define WARMUP_TAUS     3.0         // the model settles for 3 lags before it is trusted
#define QAVG_TAU_S      5.0         // pump-rate average for "steady"
#define STEADY_REL      0.03        // pumps steady: flow in within 3% of its 5-s average
//  Flowline lag: configured, else learned (rs_lagfit); until then the
//  model's transients are not trusted for the longest physical lag.
#define LAG_GUESS_S     20.0        // used for the model's shape until learned
#define LAG_MAX_S       60.0        // longest flowline lag a rig has (docs/PREDICTION.md)
#define HOLD_LAGS       4.0         // a flow change is a transient for this many lags
#define MOVE_MS         0.05        // string moving (m/s): its displacement matters
#define GAIN_LEARN_S    300.0       // steady circulation before the meter's gain is trusted
#define GAIN_FAST_S     60.0
#define GAIN_TAU_S      1800.0
#define GAIN_BINS       36          // the gain per flow: bins 10% wide ...
#define GAIN_BIN_Q0     300.0       // ... from this flow in, L/min (to 9,400)
#define GAIN_BIN_W      1.1
//  Noise of the balance, learned in steady circulation
#define SIGMA_TAU_S     1800.0
#define SIGMA_LEARN_S   600.0       // learning time before it is used
#define SIGMA_MIN       5.0         // L/min
//  The meter at rest
#define REST_DRAINED    5.0         // L/min: the flowline is drained when the model expects less
#define REST_MAX        100.0       // L/min: more with the pumps off is never taken as the rest
//  With the pumps off a well may give back what circulating pushed into it
//  (ballooning, breathing): returns that die away over minutes after each
//  stop, the pit gaining as much. An influx does not die away so, it holds
//  or grows as its gas expands. Once the flowline has drained, the returns
//  are averaged a minute at a time: giving back while each minute's mean is
//  BACK_REL under the one before (a flow halving every 10 minutes is 6.7%
//  under, one that holds 0 give or take its noise: a minute's mean of a
//  paddle's 1-3% noise is within 1.5% even read every 10 s) and over the
//  rest reading by BACK_MIN_LPM; unsure until two minutes have been seen.
#define BACK_WIN_S      60.0
#define BACK_REL        0.04
#define BACK_MIN_LPM    10.0
#define BACK_FLAT_LPM   5.0         // a minute's mean within this (or BACK_REL) of the last: flat
#define REST_PTS        5
//  The pit trend is a regression over the whole 120 s window: at 1 kHz that is
//  120,000 points, too many to fit on every sample. Refitted at most this often.
#define PIT_SLOPE_EVERY_US  100000
//  ... from this many readings over a minute or more: 20 would leave a log
//  sampled every 10 s (12 in the window) with no pit trend, and no pit check.
#define PIT_MIN_POINTS  5
//  The pit's own noise (level sensors on a stirred surface, agitators),
//  from the second differences of its readings (a steady gain or loss has
//  none), after PIT_NOISE_N of them; never taken under PIT_NOISE_MIN, as a
//  reading quantised or repeated between updates would have it.
#define PIT_NOISE_N     16
#define PIT_NOISE_MIN   0.005       // m3

struct rs_flowmodel_t {
    rs_flowmodel_opts_t o;
    double a_hole;              // hole area, m2; 0 = bit size not configured
    rs_lagfit_t lagfit;
    double tau;                 // flowline lag in use
    bool tau_known;             // configured or learned
    int64_t hold_until;         // in a transient until then
    double flowline_avg;        // the flowline's input, 5-s average
    double gain_s;              // time spent learning the gain at this flow
    //  A paddle is not linear: its gain is learned per band of flow in.
    double gain_bin[GAIN_BINS];
    double gain_bin_s[GAIN_BINS];
    double gain_bin_var[GAIN_BINS];     // its variance in units of one reading's
    double drilled_now;         // hole drilled, m/s x 60000
    double drilled_learn;       // ... its average while the gain was learned
    //  The paddle's reading at rest: one point per pumps-off period, the
    //  lowest of the last few in use.
    double rest_pt[REST_PTS];
    size_t rest_n, rest_head;
    bool rest_taken;            // this pumps-off period has given its point
    double back_sum, back_s;    // returns with the pumps off, drained: this minute's sum and seconds
    double back_prev;           // the last whole minute's mean (NaN: none yet)
    double back_prev2;          // ... and the one before it
    int back_windows;           // whole minutes seen this stop
    bool back_still;            // no pipe moved in this minute
    bool init;                  // the flowline's state is set
    double qavg;
    double qin_prev, qin_last;  // the reading before this one, and this one
    double sigma_s;             // time spent learning the noise
    double age;                 // s since the model (re)started
    double prev_flowline;       // the model's input at the previous sample
    double prev_bit, prev_block;
    double hole_last;           // the last reading of the hole depth ...
    int64_t hole_last_ts;       // ... and when
    rs_window_t pit, pit_long;      // the pit over 2 and 5 minutes
    int64_t pit_slope_at;       // sample time of the last pit trend fit; 0 = none yet
    rs_noise_t pit_noise;       // second differences of the pit's readings
    double pit_r[2];            // the two readings before this one (NaN: none)
    rs_flowmodel_view_t v;
};


static void
s_opts (rs_flowmodel_t *self, const rs_flowmodel_opts_t *opts)
{
    rs_flowmodel_opts_t o = { 0 };
    if (opts)
        o = *opts;
    //  Not configured (0) stays 0: the terms that need them turn conservative.
    if (!(o.bit_diameter_m > 0))
        o.bit_diameter_m = 0;
    if (!(o.pipe_disp_m3_m > 0))
        o.pipe_disp_m3_m = 0;
    if (!(o.returns_tau_s > 0))
        o.returns_tau_s = 0;
    if (!(o.flow_lpm > 0))
        o.flow_lpm = 50;
    self->o = o;
    self->a_hole = M_PI / 4 * o.bit_diameter_m * o.bit_diameter_m;
}

static void
s_back_reset (rs_flowmodel_t *self)
{
    self->back_sum = self->back_s = 0;
    self->back_prev = self->back_prev2 = NAN;
    self->back_windows = 0;
    self->v.giving_back = false;
    self->v.back_unsure = false;
}

rs_flowmodel_t *
rs_flowmodel_new (const rs_flowmodel_opts_t *opts)
{
    rs_flowmodel_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    s_opts (self, opts);
    rs_window_init (&self->pit, 120);
    rs_window_init (&self->pit_long, 300);
    rs_noise_reset (&self->pit_noise);
    self->pit_r[0] = self->pit_r[1] = NAN;
    rs_lagfit_init (&self->lagfit, self->o.flow_lpm);
    self->tau = self->o.returns_tau_s > 0 ? self->o.returns_tau_s : LAG_GUESS_S;
    self->tau_known = self->o.returns_tau_s > 0;
    for (int i = 0; i < GAIN_BINS; i++) {
        self->gain_bin[i] = 1;
        self->gain_bin_var[i] = 1;
    }
    self->v = (rs_flowmodel_view_t) { .bias = 0, .sigma = NAN, .gain = 1, .gain_var = 1 };
    rs_flowmodel_restart (self);
    return self;
}

void
rs_flowmodel_destroy (rs_flowmodel_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rs_window_fini (&(*self_p)->pit);
    free (*self_p);
    *self_p = NULL;
}

void
rs_flowmodel_set_opts (rs_flowmodel_t *self, const rs_flowmodel_opts_t *opts)
{
    s_opts (self, opts);
    if (self->o.returns_tau_s > 0) {
        self->tau = self->o.returns_tau_s;
        self->tau_known = true;
    }
    else if (!isnan (self->lagfit.tau_s))
        self->tau = self->lagfit.tau_s;
    else {
        self->tau = LAG_GUESS_S;
        self->tau_known = false;
    }
}

void
rs_flowmodel_restart (rs_flowmodel_t *self)
{
    rs_flowmodel_view_t *v = &self->v;
    *v = (rs_flowmodel_view_t) {
        .expected = NAN, .balance = NAN, .balance_avg = NAN, .bias = v->bias, .gain = v->gain, .rest = v->rest,
        .lag_s = self->tau_known ? self->tau : NAN, .sigma = v->sigma, .hole_unc = v->hole_unc,
        .pit_slope = NAN, .pit_slope_se = NAN, .pit_slope5 = NAN, .pit_slope5_se = NAN,
        .pit_in_transit = NAN, .hole_rate_mh = NAN,
    };
    self->init = false;
    self->prev_flowline = NAN;
    self->qavg = self->qin_prev = self->qin_last = NAN;
    self->prev_bit = self->prev_block = self->hole_last = NAN;
    self->hold_until = INT64_MIN;
    s_back_reset (self);
    self->flowline_avg = NAN;
    rs_window_reset (&self->pit);
    rs_window_reset (&self->pit_long);
    self->pit_r[0] = self->pit_r[1] = NAN;
    self->pit_slope_at = 0;
}

const rs_flowmodel_view_t *
rs_flowmodel_view (const rs_flowmodel_t *self)
{
    return &self->v;
}

//  The band of flow a flow in falls in; -1 under the first.
static int
s_gain_bin (double q)
{
    if (!(q >= GAIN_BIN_Q0))
        return -1;
    int b = (int) (log (q / GAIN_BIN_Q0) / log (GAIN_BIN_W));
    return b < GAIN_BINS ? b : GAIN_BINS - 1;
}

//  The meter's gain at a flow: its band's, learned there. A band not
//  learned yet starts from its nearest learned neighbours (between them, in
//  proportion), and self->gain_s says how long it has been learned: the
//  balance is trusted with the pumps on only after GAIN_LEARN_S in the band
//  (a paddle's reading 10% off the flow it was learned at is out by 1-2%,
//  some 30 L/min: a kick's CUSUM in minutes).
static void
s_gain_select (rs_flowmodel_t *self, double q)
{
    int b = s_gain_bin (q);
    if (b < 0)
        return;                 //  no pumping: the gain does not matter
    self->gain_s = self->gain_bin_s[b];
    if (self->gain_bin_s[b] == 0) {
        int lo = b - 1, hi = b + 1;
        while (lo >= 0 && self->gain_bin_s[lo] < GAIN_LEARN_S)
            lo--;
        while (hi < GAIN_BINS && self->gain_bin_s[hi] < GAIN_LEARN_S)
            hi++;
        if (lo >= 0 && hi < GAIN_BINS)
            self->gain_bin[b] = self->gain_bin[lo]
                                + (self->gain_bin[hi] - self->gain_bin[lo]) * (b - lo) / (double) (hi - lo);
        else if (lo >= 0)
            self->gain_bin[b] = self->gain_bin[lo];
        else if (hi < GAIN_BINS)
            self->gain_bin[b] = self->gain_bin[hi];
    }
    self->v.gain = self->gain_bin[b];
    self->v.gain_var = self->gain_bin_var[b];
}

//  A paddle hanging in an empty flowline does not always read zero (Volve
//  F-9: 16 L/min for hours with the pumps off). Once a pump stop's returns
//  have drained and are seen not to die away (s_back), a still, flat
//  minute gives one reading at rest per stop: not returns dying away (a
//  well giving back read as the rest would hide a kick that followed), nor
//  a well starting to flow. The lowest of the last few is taken (a well
//  that flows after one stop does not after every stop), never more than
//  REST_MAX.
static void
s_rest_point (rs_flowmodel_t *self, double mean)
{
    self->rest_taken = true;
    self->rest_pt[self->rest_head] = fmin (mean, REST_MAX);
    self->rest_head = (self->rest_head + 1) % REST_PTS;
    if (self->rest_n < REST_PTS)
        self->rest_n++;
    self->v.rest = INFINITY;
    for (size_t i = 0; i < self->rest_n; i++)
        self->v.rest = fmin (self->v.rest, self->rest_pt[i]);
}

static bool
s_within (double mean, double before)
{
    return fabs (mean - before) <= fmax (BACK_REL * before, BACK_FLAT_LPM);
}

//  Whether the returns with the pumps off die away (BACK_WIN_S above), and
//  the rest reading from a still minute that does not.
static void
s_back (rs_flowmodel_t *self, int64_t ts, double dt, bool pumps_off, bool still, double qout)
{
    rs_flowmodel_view_t *v = &self->v;
    if (!pumps_off) {
        s_back_reset (self);
        self->rest_taken = false;
        return;
    }
    v->back_unsure = self->back_windows < 2;
    if (ts < self->hold_until || !(v->expected < REST_DRAINED) || dt <= 0)
        return;
    if (self->back_s == 0)
        self->back_still = true;
    self->back_still = self->back_still && still;
    self->back_sum += qout * dt;
    self->back_s += dt;
    if (self->back_s < BACK_WIN_S)
        return;
    double mean = self->back_sum / self->back_s;
    v->giving_back = !isnan (self->back_prev) && self->back_prev > v->rest + BACK_MIN_LPM
                     && mean < (1 - BACK_REL) * self->back_prev;
    //  Flat: neither dying away nor growing (a well starting to flow), over
    //  two minutes: a well giving back slowly (halving every 5-10 minutes,
    //  3-7% a minute) read every 10 s has a minute within BACK_REL of the
    //  one before one time in ten, and its rest was learned at up to
    //  REST_MAX, hiding a later kick that size.
    bool flat = !isnan (self->back_prev2) && s_within (mean, self->back_prev) && s_within (mean, self->back_prev2);
    self->back_prev2 = self->back_prev;
    self->back_prev = mean;
    self->back_sum = self->back_s = 0;
    self->back_windows++;
    v->back_unsure = self->back_windows < 2;
    if (!v->back_unsure && flat && self->back_still && !self->rest_taken)
        s_rest_point (self, mean);
}

//  Flow in steady: within STEADY_REL of its QAVG_TAU_S average and of the
//  reading before. Readings sparser than the average's time constant pull
//  the average onto themselves, so a log with a reading every 20 s would
//  call every step of a pump ramp steady without the second test.
bool
rs_flowmodel_steady (const rs_flowmodel_t *self, double qin)
{
    return !isnan (self->qavg) && fabs (qin - self->qavg) < STEADY_REL * self->qavg
           && !isnan (self->qin_prev) && fabs (qin - self->qin_prev) < STEADY_REL * self->qin_prev;
}

//  What the hole takes or gives, L/min: pipe run in displaces mud out, new
//  hole takes mud in. Without the pipe's displacement configured a moving
//  string makes the model a guess (a transient); without the bit size the
//  hole drilled is left out and `hole_unc` says what that may hide.
static double
s_hole_flow (rs_flowmodel_t *self, int64_t ts, double dt, const double *ch, const rs_riginfo_t *rig, double hold_s)
{
    double bit = ch[RS_CH_BIT_DEPTH];
    double disp = 0;
    self->v.hole_unc = 0;
    self->drilled_now = 0;
    //  Without a bit depth the string goes with the block out of the slips.
    double block = ch[RS_CH_BLOCK_POS];
    double speed = NAN;
    if (dt > 0 && !isnan (bit) && !isnan (self->prev_bit))
        speed = (bit - self->prev_bit) / dt;
    else if (dt > 0 && isnan (bit) && !isnan (block) && !isnan (self->prev_block) && rig && !rig->flags.in_slips)
        speed = (self->prev_block - block) / dt;
    if (!isnan (speed)) {
        if (self->o.pipe_disp_m3_m > 0)
            disp += self->o.pipe_disp_m3_m * speed * 60000;
        else if (fabs (speed) > MOVE_MS)
            self->hold_until = ts + (int64_t) (hold_s * 1e6);
    }
    double drilled = self->v.hole_rate_mh > 0 ? self->v.hole_rate_mh / 3600 * 60000 : NAN;
    if (!isnan (drilled)) {
        if (self->a_hole > 0)
            disp -= self->a_hole * drilled;
        else
            self->drilled_now = drilled;
    }
    //  The gain learned absorbs the hole drilled at the rate drilled then,
    //  so what a change of that rate may hide (in the largest hole) widens
    //  the allowances.
    if (!(self->a_hole > 0))
        self->v.hole_unc = M_PI / 4 * RS_FLOWMODEL_BIT_MAX_M * RS_FLOWMODEL_BIT_MAX_M * fabs (self->drilled_now - self->drilled_learn);
    return disp;
}

//  The gain and the noise, learned only in quiet, steady circulation.
static void
s_learn (rs_flowmodel_t *self, int64_t ts, double dt, double qin, double qout, const rs_riginfo_t *rig,
         bool quiet)
{
    rs_flowmodel_view_t *v = &self->v;
    bool steady = qin > RS_FLOWMODEL_PUMPING_LPM && rs_flowmodel_steady (self, qin) && ts >= self->hold_until;
    quiet = quiet && (self->gain_s < GAIN_LEARN_S || fabs (v->balance) < 0.05 * qin + 50);
    if (!steady || !quiet || (rig && rig->flags.shut_in) || !(v->expected > RS_FLOWMODEL_PUMPING_LPM)
        || !(qout > 0))
        return;
    double ratio = qout / v->expected;
    int b = s_gain_bin (self->qavg);
    if (ratio > 0.5 && ratio < 2 && b >= 0) {
        double kg = rs_ema_gain (dt, self->gain_s < GAIN_LEARN_S ? GAIN_FAST_S : GAIN_TAU_S);
        self->gain_bin[b] += (ratio - self->gain_bin[b]) * kg;
        //  An average's variance: each reading's weight squared, summed.
        self->gain_bin_var[b] = (1 - kg) * (1 - kg) * self->gain_bin_var[b] + kg * kg;
        v->gain = self->gain_bin[b];
        v->gain_var = self->gain_bin_var[b];
        self->drilled_learn += (self->drilled_now - self->drilled_learn) * kg;
        self->gain_bin_s[b] += dt;
        self->gain_s = self->gain_bin_s[b];
    }
    if (self->gain_s >= GAIN_LEARN_S) {
        double dev = 1.2533 * fabs (v->balance);
        double kk = rs_ema_gain (dt, self->sigma_s < SIGMA_LEARN_S ? 120 : SIGMA_TAU_S);
        if (isnan (v->sigma))
            v->sigma = 0.012 * qin + 3;
        v->sigma += (fmin (dev, 5 * fmax (v->sigma, SIGMA_MIN)) - v->sigma) * kk;
        self->sigma_s += dt;
    }
}

static void
s_balance (rs_flowmodel_t *self, int64_t ts, double dt, const double *ch, const rs_riginfo_t *rig, bool quiet)
{
    rs_flowmodel_view_t *v = &self->v;
    double qin = ch[RS_CH_FLOW_IN], qout = ch[RS_CH_FLOW_OUT];
    //  Whether the pumps are steady is asked of the flow in alone (the
    //  standpipe pressure is judged on logs that have no returns meter).
    if (!isnan (qin)) {
        self->qin_prev = self->qin_last;
        self->qin_last = qin;
        rs_ema_step (&self->qavg, qin, dt, QAVG_TAU_S);
    }
    if (isnan (qin) || isnan (qout)) {
        v->balance = v->balance_avg = v->expected = NAN;
        self->init = false;
        rs_lagfit_feed (&self->lagfit, ts, NAN, NAN);
        return;
    }
    double hold_s = self->tau_known ? HOLD_LAGS * self->tau : 3 * LAG_MAX_S;
    double disp = s_hole_flow (self, ts, dt, ch, rig, hold_s);
    double src = qin + disp;
    double flowline = src > 0 ? src : 0;
    //  The flowline's lag: configured, or learned from pump starts and stops.
    double learned = rs_lagfit_feed (&self->lagfit, ts, flowline, qout);
    if (!(self->o.returns_tau_s > 0) && !isnan (learned)) {
        self->tau = learned;
        self->tau_known = true;
    }
    v->lag_s = self->tau_known ? self->tau : NAN;
    //  A change of the flowline's input is a transient the model only
    //  approximates (the real flowline is no pure first-order lag); so is a
    //  change of the pump rate from the reading before, which readings
    //  sparser than the average's time constant hide from the first test
    //  (they pull the average onto themselves): a log read every 30 s never
    //  saw its pump starts, and judged the returns filling the flowline 30 s
    //  after one.
    rs_ema_step (&self->flowline_avg, flowline, dt, QAVG_TAU_S);
    if (fabs (flowline - self->flowline_avg) > STEADY_REL * fmax (self->flowline_avg, RS_FLOWMODEL_PUMPING_LPM)
        || (!isnan (self->qin_prev)
            && fabs (qin - self->qin_prev) > STEADY_REL * fmax (self->qin_prev, RS_FLOWMODEL_PUMPING_LPM)))
        self->hold_until = ts + (int64_t) (hold_s * 1e6);
    if (!self->init) {
        v->expected = qout / v->gain;
        v->balance_avg = 0;
        self->init = true;
        self->age = 0;
    }
    else if (dt > 0) {
        //  First-order lag integrated in steps of at most a second with the
        //  input interpolated between samples, so that a ramp (the pumps
        //  coming up) gives the same expectation at any sample rate.
        double u0 = isnan (self->prev_flowline) ? flowline : self->prev_flowline;
        int n = (int) ceil (dt - 1e-9);
        if (n < 1)
            n = 1;
        if (n > 600)
            n = 600;
        double k = rs_ema_gain (dt / n, self->tau);
        for (int i = 1; i <= n; i++) {
            double u = u0 + (flowline - u0) * i / n;
            v->expected += (u - v->expected) * k;
        }
        self->age += dt;
    }
    self->prev_flowline = flowline;
    bool pumps_off = !(qin > self->o.flow_lpm);
    s_back (self, ts, dt, pumps_off, fabs (disp) < REST_DRAINED, qout);
    s_gain_select (self, self->qavg);
    //  The returns meter (a paddle) reads a fraction of the true flow: its
    //  gain is learned in steady circulation, so it reads 0 with no flow;
    //  with the pumps off what it reads at rest is no flow either.
    double corrected = (pumps_off ? fmax (qout - v->rest, 0) : qout) / v->gain;
    v->balance = corrected - v->expected;
    v->bias = qout - corrected;
    v->balance_avg += (v->balance - v->balance_avg) * rs_ema_gain (dt, BAL_TAU_S);
    s_learn (self, ts, dt, qin, qout, rig, quiet);
}

//  A pit trend's standard error from the pit's own noise, m3/min (NaN: no
//  trend or no noise known yet).
static double
s_slope_se (const rs_window_t *w, double slope, double sigma)
{
    double ss = rs_window_time_ss (w);
    return !isnan (slope) && ss > 0 && !isnan (sigma) ? fmax (sigma, PIT_NOISE_MIN) / sqrt (ss) * 60 : NAN;
}

//  Returns in transit in the flowline leave the pit when the pumps start
//  and come back when they stop: the model's flowline holds tau x flow.
static void
s_pit (rs_flowmodel_t *self, int64_t ts, const double *ch)
{
    rs_flowmodel_view_t *v = &self->v;
    double pit = ch[RS_CH_PIT_GAIN];
    if (isnan (pit))
        pit = ch[RS_CH_PIT_VOLUME];
    double transit = isnan (v->expected) ? 0 : v->expected * self->tau / 60000;
    v->pit_in_transit = transit;
    rs_window_add (&self->pit, ts, isnan (pit) ? NAN : pit + transit);
    rs_window_add (&self->pit_long, ts, isnan (pit) ? NAN : pit + transit);
    if (!isnan (pit)) {
        if (!isnan (self->pit_r[0]))
            rs_noise_add (&self->pit_noise, fabs (pit - 2 * self->pit_r[1] + self->pit_r[0]));
        self->pit_r[0] = self->pit_r[1];
        self->pit_r[1] = pit;
    }
    if (!self->pit_slope_at || ts < self->pit_slope_at || ts - self->pit_slope_at >= PIT_SLOPE_EVERY_US) {
        v->pit_slope = rs_window_slope (&self->pit, PIT_MIN_POINTS, 60) * 60;
        v->pit_points = self->pit.valid;
        v->pit_slope5 = rs_window_slope (&self->pit_long, PIT_MIN_POINTS, 150) * 60;
        double sigma = rs_noise_sigma (&self->pit_noise, RS_NOISE_MED_DIFF2, PIT_NOISE_N);
        v->pit_slope_se = s_slope_se (&self->pit, v->pit_slope, sigma);
        v->pit_slope5_se = s_slope_se (&self->pit_long, v->pit_slope5, sigma);
        self->pit_slope_at = ts;
    }
}

//  The hole made: its depth's advance since it was last read, whatever
//  else the sample carries (the pressure model takes it for the ROP when
//  there is no ROP channel).
static void
s_hole_rate (rs_flowmodel_t *self, int64_t ts, double hole)
{
    self->v.hole_rate_mh = NAN;
    if (isnan (hole))
        return;
    if (!isnan (self->hole_last) && ts > self->hole_last_ts)
        self->v.hole_rate_mh = fmax (0, hole - self->hole_last) / ((double) (ts - self->hole_last_ts) / 1e6) * 3600;
    self->hole_last = hole;
    self->hole_last_ts = ts;
}

void
rs_flowmodel_feed (rs_flowmodel_t *self, int64_t ts_us, double dt, const double ch[RS_CH_COUNT],
                   const rs_riginfo_t *rig, bool quiet)
{
    s_hole_rate (self, ts_us, ch[RS_CH_HOLE_DEPTH]);
    s_balance (self, ts_us, dt, ch, rig, quiet);
    s_pit (self, ts_us, ch);
    self->prev_bit = ch[RS_CH_BIT_DEPTH];
    self->prev_block = ch[RS_CH_BLOCK_POS];
}

bool
rs_flowmodel_trusted (const rs_flowmodel_t *self, int64_t ts_us, bool pumping)
{
    return !isnan (self->v.balance) && (self->gain_s >= GAIN_LEARN_S || !pumping)
           && ts_us >= self->hold_until && self->age >= WARMUP_TAUS * self->tau;
}

double
rs_flowmodel_sigma (const rs_flowmodel_t *self, double qin)
{
    double guess = 0.03 * (isnan (qin) ? 0 : qin) + 3;
    return self->sigma_s >= SIGMA_LEARN_S && !isnan (self->v.sigma) ? fmax (self->v.sigma, SIGMA_MIN) : guess;
}

void
rs_flowmodel_doubt_gain (rs_flowmodel_t *self, bool pumping)
{
    int b = s_gain_bin (self->qavg);
    if (pumping && b >= 0) {
        self->gain_bin_s[b] = fmin (self->gain_bin_s[b], 1);
        self->gain_bin_var[b] = 1;
    }
}
