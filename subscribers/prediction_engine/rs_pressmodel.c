/*  rs_pressmodel: the standpipe pressure's coefficient and its references
    (see rs_pressmodel.h). */
#include "rs_pressmodel.h"
#include "rs_ema.h"
#include "rs_fit.h"
#include "rs_noise.h"
#include "rs_since.h"

#include <math.h>
#include <stdlib.h>

#define COEF_EXP        1.8         // until fitted (rs_expfit): turbulent losses ~ Q^1.75-1.86
#define COEF_EXP_MOVE   0.03        // a fitted exponent this far from the one in use restarts the references
#define COEF_TAU_S      10.0
#define COEF_STEP       0.20        // the most one reading moves it towards itself, x its value
#define COEF_SETTLE_S   45.0        // s of steady pumping before the coefficient is judged
#define COEF_MIN_SPP    20.0        // bar: the pressure models need at least this
#define COEF_FORGET_S   1200.0      // pumps off this long: references start afresh
#define RISE_HIST       7           // 10-s points: the last minute
#define COEF_REF_TAU_S  900.0
#define COEF_MIN_FLOW   500.0       // L/min
#define COEF_FREEZE     RS_PRESSMODEL_RISE  // reference not updated above +3%
#define COEF_REINIT_S   1800.0      // ... unless that lasts this long
#define COEF_REQ_REL    0.05        // flow change that restarts the reference
#define MUD_TAU_S       600.0       // s: a string's volume pumped (20 m3 at 2,000 L/min)
#define MOTOR_NONE_BAR_KN 0.02      // under this no motor: 3 bar at 150 kN, within the noise
#define MOTOR_ROP_MH    1.0         // m/h: a bit that makes hole carries its load
#define LOAD_REQ_REL    0.15        // WOB change that restarts the references while the motor is not measured
#define LOAD_REQ_KN     10.0        // ... or this, whichever is more
#define WASH_HIST       64          // one point a minute
#define WASH_REF_MIN    30          // minutes of history for the high
#define WASH_SAME_Q     0.03
#define COEF_NOISE_EVERY_S 10.0     // the raw SPP's steps between points this far apart ...
#define COEF_NOISE_N    12          // ... its noise known from this many
//  The cuttings in the annulus weigh on the pressure the pumps see; when
//  the bit makes less hole, or none, the pressure falls over a bottoms-up
//  as they leave, as steadily as a washout wears it (17 1/2 in drilled at
//  40 m/h, then circulated clean: 3-5%). Their weight is bounded from the
//  hole made per litre pumped, taken on the heavy side of every unknown:
#define CUT_TRANSPORT   2.0         // the annulus holds this x what the bit makes (cuttings at half the mud's speed)
#define CUT_MAX         0.10        // volume fraction: beyond it the annulus packs off
#define CUT_RHO_ROCK    2650.0      // kg/m3: sandstone, limestone
#define CUT_RHO_MUD     1000.0      // kg/m3 without a density reading: the largest contrast
#define CUT_ROP_MAX     200.0       // m/h: hole depth read faster than this is a jump, not hole made

typedef struct {
    double coef, q;
    double cut;                 // the cuttings' part of the coefficient (their bound)
    bool valid;
} wpoint_t;

struct rs_pressmodel_t {
    rs_pressmodel_opts_t o;
    rs_expfit_t expfit;
    rs_motorfit_t motorfit;
    double n_exp;               // pressure-flow exponent in use
    double rho_str;             // mud density in over the last MUD_TAU_S of pumping: the string's mud
    int64_t pumps_steady_since;     // flow in steady since, INT64_MIN when not
    int64_t off_since;              // the bit off bottom since, INT64_MIN when on it
    bool motor_loaded;              // on bottom last, a motor there may have been loaded
    double coef_s, coef_ref, q_ref;
    rs_noise_t spp_noise;       // the raw SPP's relative steps between points at one flow ...
    int64_t noise_ts;
    double noise_spp, noise_q;  // ... the raw SPP and flow in at the last point (NaN: none)
    int64_t freeze_since;
    double load_wob;            // WOB the references were taken at, the motor not measured; NaN = no such load
    double load_hook;           // without WOB or depths, the hook load the references were taken at
    int64_t last_coef;          // last valid coefficient
    int64_t rise_ts[RISE_HIST];
    double rise_c[RISE_HIST];
    size_t rise_head, rise_n;
    wpoint_t wash[WASH_HIST];
    size_t wash_head, wash_n;
    int64_t wash_next;
    double wash_acc, wash_acc_q, wash_acc_cut;
    double cut_bar;             // the cuttings' weight in the annulus, bar (their bound)
    size_t wash_acc_n;
    bool wash_acc_ok;
    double a_hole;              // m2, the hole the cuttings come from
    rs_pressmodel_view_t v;
};


static void
s_opts (rs_pressmodel_t *self, const rs_pressmodel_opts_t *opts)
{
    self->o = opts ? *opts : (rs_pressmodel_opts_t) { 0 };
    if (!(self->o.flow_lpm > 0))
        self->o.flow_lpm = 50;
    double d = self->o.bit_diameter_m > 0 ? self->o.bit_diameter_m : RS_FLOWMODEL_BIT_MAX_M;
    self->a_hole = M_PI / 4 * d * d;
}

rs_pressmodel_t *
rs_pressmodel_new (const rs_pressmodel_opts_t *opts)
{
    rs_pressmodel_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    s_opts (self, opts);
    rs_expfit_init (&self->expfit);
    rs_motorfit_init (&self->motorfit);
    self->n_exp = COEF_EXP;
    self->rho_str = NAN;
    self->coef_ref = self->q_ref = NAN;
    self->freeze_since = INT64_MIN;
    self->load_wob = self->load_hook = NAN;
    self->last_coef = INT64_MIN;
    self->cut_bar = 0;
    rs_pressmodel_restart (self);
    return self;
}

void
rs_pressmodel_destroy (rs_pressmodel_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free (*self_p);
    *self_p = NULL;
}

void
rs_pressmodel_set_opts (rs_pressmodel_t *self, const rs_pressmodel_opts_t *opts)
{
    s_opts (self, opts);
}

void
rs_pressmodel_restart (rs_pressmodel_t *self)
{
    self->v = (rs_pressmodel_view_t) {
        .exp = self->n_exp, .wob = self->motorfit.bar_kn, .coef = NAN, .dev = NAN, .drop = NAN, .rise = NAN,
        .noise = NAN, .ref = NAN, .ref_flow = NAN, .cuttings = NAN,
    };
    self->pumps_steady_since = INT64_MIN;
    self->off_since = INT64_MIN;
    self->coef_s = self->noise_spp = self->noise_q = NAN;
    rs_noise_reset (&self->spp_noise);
    self->rise_n = 0;
    self->wash_n = 0;
    self->wash_acc_n = 0;
    self->wash_next = 0;
}

const rs_pressmodel_view_t *
rs_pressmodel_view (const rs_pressmodel_t *self)
{
    return &self->v;
}

void
rs_pressmodel_wash_restart (rs_pressmodel_t *self)
{
    self->wash_n = 0;
    self->wash_acc_n = 0;
}

static bool
s_pumps_steady (const rs_flowmodel_t *flow, double qin)
{
    return !isnan (qin) && qin > COEF_MIN_FLOW && rs_flowmodel_steady (flow, qin);
}

//  The standpipe pressure with the bit's load taken out: on bottom a mud
//  motor adds its differential pressure, which goes with the weight on the
//  bit (rs_motorfit). Before a lift-off or set-down has measured that, the
//  pressure on bottom is returned as it is and *unknown_wob says with what
//  WOB (NaN otherwise), so that the caller compares it only at that load;
//  with neither a WOB nor the depths, *load_hook says at what hook load.
//  NaN when it cannot be told: a motor without a WOB reading.
static double
s_spp_unloaded (rs_pressmodel_t *self, int64_t ts, bool steady, const double *ch, const rs_riginfo_t *rig,
                double *unknown_wob, double *load_hook)
{
    double spp = ch[RS_CH_SPP], wob = ch[RS_CH_WOB];
    *unknown_wob = NAN;
    //  On bottom with weight on the bit, or making hole whatever the WOB
    //  reads (a WOB pinned at its floor while drilling is no bit unloaded);
    //  without depths these are the only signs of the bottom.
    double rop = ch[RS_CH_ROP];
    bool making_hole = !isnan (rop) && rop > MOTOR_ROP_MH;
    bool depths = !isnan (ch[RS_CH_HOLE_DEPTH]) && !isnan (ch[RS_CH_BIT_DEPTH]);
    bool loaded = rig && (rig->flags.weight_on_bit || making_hole) && (rig->flags.on_bottom || !depths);
    //  The motor is measured between a bit making hole and one off bottom.
    int side = !rig ? -1
               : loaded ? (isnan (rop) || making_hole ? 1 : -1)
               : (depths ? !rig->flags.on_bottom : !rig->flags.weight_on_bit) ? 0 : -1;
    double m = rs_motorfit_feed (&self->motorfit, ts, steady, side, ch[RS_CH_FLOW_IN], spp, wob);
    self->v.wob = m;
    //  Neither a WOB nor the depths: weight going onto the bit shows only as
    //  hook load leaving the hook (the rig state sees drilling a minute
    //  later), so the pressure is compared only at the same hook load.
    double hook = ch[RS_CH_HOOK_LOAD];
    *load_hook = !depths && isnan (wob) && !isnan (hook) && !(rig && rig->flags.in_slips)
                 && !(m < MOTOR_NONE_BAR_KN) ? hook : NAN;
    //  Without a WOB reading, a bit on bottom may carry weight the rig state
    //  has not seen yet (30-s readings see the hole deepen a minute late).
    bool on = loaded || (depths && rig && rig->flags.on_bottom && isnan (wob));
    rs_since_track (&self->off_since, !on, ts);
    if (!on) {
        //  Off a bottom where a motor may have been loaded, the string
        //  unloads for a while: the motor's pressure bleeds off, and the
        //  readings' median holds the loaded pressure a sample or two (30-s
        //  readings: a minute of it, the first reading off bottom took the
        //  motor's 16% into the washout's high).
        if (self->motor_loaded && (double) (ts - self->off_since) < COEF_SETTLE_S * 1e6)
            return NAN;
        self->motor_loaded = false;
        return spp;
    }
    self->motor_loaded = !(m < MOTOR_NONE_BAR_KN);
    if (!self->motor_loaded)
        return spp;
    //  A loaded bit whose WOB reads nothing: the load cannot be told.
    if (isnan (wob) || wob <= 0)
        return NAN;
    if (isnan (m)) {
        *unknown_wob = wob;
        return spp;
    }
    return spp - m * wob;
}

//  The cuttings' weight in the annulus (CUT_* above), bar: what the bit
//  makes per litre pumped, over the vertical height of the hole (the bit's
//  measured depth bounds it), followed over half a bottoms-up of the hole
//  (its volume at the pump rate: the annulus is smaller). The bit off
//  bottom makes none, whatever an ROP channel that holds its last value
//  reads. Without a depth nothing is allowed for.
static void
s_cuttings (rs_pressmodel_t *self, double dt, const double *ch, const rs_riginfo_t *rig, const rs_flowmodel_t *flow,
            double qin)
{
    double hole = ch[RS_CH_HOLE_DEPTH], bit = ch[RS_CH_BIT_DEPTH], rop = ch[RS_CH_ROP];
    if (isnan (rop) && flow) {
        rop = rs_flowmodel_view (flow)->hole_rate_mh;
        if (rop > CUT_ROP_MAX)
            rop = 0;
    }
    if (rig && !isnan (hole) && !isnan (bit) && !rig->flags.on_bottom)
        rop = 0;
    double depth = isnan (bit) ? hole : bit;
    if (!(qin > self->o.flow_lpm) || !(depth > 0) || !(dt > 0))
        return;
    double rho = ch[RS_CH_MUD_DENSITY_IN];
    if (!(rho > 500 && rho < CUT_RHO_ROCK))
        rho = CUT_RHO_MUD;
    double q = qin / 60000;                                         // m3/s
    double made = isnan (rop) ? 0 : fmax (0, rop) / 3600 * self->a_hole;   // m3/s of rock
    double conc = fmin (CUT_TRANSPORT * made / q, CUT_MAX);
    double now = 1e-5 * (CUT_RHO_ROCK - rho) * 9.81 * conc * depth;
    double bottoms_up = self->a_hole * depth / q;
    rs_ema_step (&self->cut_bar, now, dt, fmax (bottoms_up / 2, 60));
}

//  The standpipe reading's own noise (a transducer's, a pump's pulsation
//  read at one instant), relative, from the raw readings before any
//  despiking: the steps between points COEF_NOISE_EVERY_S apart at one flow
//  (a drift of the process is slow beside them). At 27 bar, 2 bar of it is
//  7%, and a smoothed pressure against its minute's low rose over a
//  pack-off's 8% from noise alone (Volve's GwdTime read every 15 s).
static void
s_noise (rs_pressmodel_t *self, int64_t ts_us, const double *raw)
{
    double spp = raw[RS_CH_SPP], q = raw[RS_CH_FLOW_IN];
    if (!(spp >= COEF_MIN_SPP) || !(q >= COEF_MIN_FLOW))
        return;
    if (!isnan (self->noise_spp) && ts_us - self->noise_ts < (int64_t) (COEF_NOISE_EVERY_S * 1e6))
        return;
    if (!isnan (self->noise_spp) && ts_us - self->noise_ts < (int64_t) (2 * COEF_NOISE_EVERY_S * 1e6)
        && fabs (q - self->noise_q) <= COEF_REQ_REL * self->noise_q)
        rs_noise_add (&self->spp_noise, spp / self->noise_spp - 1);
    self->noise_ts = ts_us;
    self->noise_spp = spp;
    self->noise_q = q;
}

void
rs_pressmodel_noise (rs_pressmodel_t *self, int64_t ts_us, const double raw[RS_CH_COUNT])
{
    s_noise (self, ts_us, raw);
    self->v.noise = rs_noise_sigma (&self->spp_noise, RS_NOISE_MED_DIFF, COEF_NOISE_N);
}

//  The pressure references start afresh: what they hold is not comparable
//  with what comes.
static void
s_coef_restart (rs_pressmodel_t *self)
{
    self->coef_ref = self->q_ref = NAN;
    self->freeze_since = INT64_MIN;
    self->wash_n = 0;
    self->wash_acc_n = 0;
    self->rise_n = 0;
    self->coef_s = NAN;
}

void
rs_pressmodel_feed (rs_pressmodel_t *self, int64_t ts, double dt, const double ch[RS_CH_COUNT],
                    const rs_riginfo_t *rig, const rs_flowmodel_t *flow, bool alarmed)
{
    rs_pressmodel_view_t *v = &self->v;
    double qin = ch[RS_CH_FLOW_IN];
    bool shut_in = rig && rig->flags.shut_in;
    //  After a long stop (a trip: a different string, maybe a new bit) the
    //  old pressure levels mean nothing.
    if (self->last_coef != INT64_MIN && (double) (ts - self->last_coef) > COEF_FORGET_S * 1e6) {
        s_coef_restart (self);
        self->last_coef = INT64_MIN;
        rs_motorfit_init (&self->motorfit);
    }
    //  Friction and the bit's pressure drop go with the density of the mud
    //  in the string, what was pumped over the last string volume: a
    //  weight-up or a cut is not a pack-off or a washout.
    double rho = ch[RS_CH_MUD_DENSITY_IN];
    if (!isnan (rho) && qin > self->o.flow_lpm)
        rs_ema_step (&self->rho_str, rho, dt, MUD_TAU_S);
    s_cuttings (self, dt, ch, rig, flow, qin);
    bool steady = s_pumps_steady (flow, qin) && !shut_in;
    double unknown_wob, load_hook;
    double spp = s_spp_unloaded (self, ts, steady, ch, rig, &unknown_wob, &load_hook);
    //  A load not measured yet: the pressure is compared only at the same
    //  load, as at the same flow (a motor makes 8-45 bar at drilling WOB).
    if (isnan (unknown_wob) != isnan (self->load_wob)
        || (!isnan (unknown_wob)
            && fabs (unknown_wob - self->load_wob) > fmax (LOAD_REQ_REL * self->load_wob, LOAD_REQ_KN))) {
        s_coef_restart (self);
        self->load_wob = unknown_wob;
    }
    if (isnan (load_hook) != isnan (self->load_hook) || fabs (load_hook - self->load_hook) > LOAD_REQ_KN) {
        if (!isnan (load_hook) && !isnan (self->load_hook))
            s_coef_restart (self);
        self->load_hook = load_hook;
    }
    //  The exponent, fitted over pump-rate changes; a new one makes the old
    //  coefficients incomparable.
    double fitted = rs_expfit_feed (&self->expfit, ts, steady && !isnan (spp) && isnan (unknown_wob), qin, spp);
    if (!isnan (fitted) && fabs (fitted - self->n_exp) > COEF_EXP_MOVE) {
        self->n_exp = fitted;
        s_coef_restart (self);
    }
    v->exp = self->n_exp;
    //  Under COEF_MIN_SPP a standpipe transducer's own error (+/-0.5% of a
    //  350-700 bar range) is as large as the changes looked for.
    //  A pump rate read from the strokes lags the pressure by tens of seconds
    //  on a ramp: the coefficient means something only once the rate has
    //  held for COEF_SETTLE_S.
    bool settled = rs_since_held (&self->pumps_steady_since, s_pumps_steady (flow, qin), ts, COEF_SETTLE_S);
    if (isnan (spp) || spp < COEF_MIN_SPP || !settled || shut_in) {
        v->coef = v->dev = v->drop = v->rise = NAN;
        self->coef_s = NAN;
        self->rise_n = 0;
        return;
    }
    self->last_coef = ts;
    double norm = pow (qin / 1000, self->n_exp) * (isnan (self->rho_str) ? 1 : self->rho_str / 1000);
    double c = spp / norm, cut = self->cut_bar / norm;
    //  One reading pulls the smoothed coefficient at most COEF_STEP of its
    //  value: a spike that the median let through (two in a row) is not a
    //  pack-off, while a real rise keeps pulling sample after sample.
    if (!isnan (self->coef_s))
        c = fmin (fmax (c, self->coef_s * (1 - COEF_STEP)), self->coef_s * (1 + COEF_STEP));
    rs_ema_step (&self->coef_s, c, dt, COEF_TAU_S);
    v->coef = self->coef_s;

    //  Fast rise: against the lowest point of the last minute (10-s points).
    if (self->rise_n == 0 || ts - self->rise_ts[(self->rise_head + RISE_HIST - 1) % RISE_HIST] >= 10000000) {
        self->rise_ts[self->rise_head] = ts;
        self->rise_c[self->rise_head] = self->coef_s;
        self->rise_head = (self->rise_head + 1) % RISE_HIST;
        if (self->rise_n < RISE_HIST)
            self->rise_n++;
    }
    double low = INFINITY;
    for (size_t i = 0; i < self->rise_n; i++)
        low = fmin (low, self->rise_c[(self->rise_head + RISE_HIST - 1 - i) % RISE_HIST]);
    v->rise = self->rise_n >= 2 ? self->coef_s / low - 1 : NAN;

    //  Slow reference, restarted when the pump rate changes; it does not
    //  follow a rise (pack-off, stuck pipe) unless the rise lasts.
    if (isnan (self->coef_ref) || fabs (qin - self->q_ref) > COEF_REQ_REL * self->q_ref) {
        self->coef_ref = self->coef_s;
        self->q_ref = qin;
        self->freeze_since = INT64_MIN;
    }
    double dev = self->coef_s / self->coef_ref - 1;
    if (dev < COEF_FREEZE && !alarmed && !(v->rise > COEF_FREEZE)) {
        double k = rs_ema_gain (dt, COEF_REF_TAU_S);
        self->coef_ref += (self->coef_s - self->coef_ref) * k;
        self->q_ref += (qin - self->q_ref) * k;
        self->freeze_since = INT64_MIN;
    }
    else if (!alarmed) {
        if (self->freeze_since == INT64_MIN)
            self->freeze_since = ts;
        else if ((double) (ts - self->freeze_since) >= COEF_REINIT_S * 1e6) {
            self->coef_ref = self->coef_s;
            self->q_ref = qin;
            self->freeze_since = INT64_MIN;
        }
    }
    v->dev = self->coef_s / self->coef_ref - 1;
    v->ref = self->coef_ref;
    v->ref_flow = self->q_ref;

    //  Washout history: one point a minute, the mean of that minute's
    //  coefficient, valid when the pressure was normal all along.
    bool normal = v->dev < COEF_FREEZE && !alarmed && !(v->rise > COEF_FREEZE);
    if (self->wash_acc_n > 0 && (ts >= self->wash_next || fabs (qin - self->wash_acc_q) > WASH_SAME_Q * qin)) {
        double mean = self->wash_acc / self->wash_acc_n;
        self->wash[self->wash_head] = (wpoint_t) { mean, self->wash_acc_q, self->wash_acc_cut / self->wash_acc_n,
                                                   self->wash_acc_ok };
        self->wash_head = (self->wash_head + 1) % WASH_HIST;
        if (self->wash_n < WASH_HIST)
            self->wash_n++;
        self->wash_acc_n = 0;
    }
    if (self->wash_acc_n == 0) {
        self->wash_acc = self->wash_acc_cut = 0;
        self->wash_next = ts + 60 * 1000000LL;
        self->wash_acc_q = qin;
        self->wash_acc_ok = true;
    }
    self->wash_acc += self->coef_s;
    self->wash_acc_cut += cut;
    self->wash_acc_n++;
    self->wash_acc_ok = self->wash_acc_ok && normal;

    //  The drop from the high less what the cuttings that left since may
    //  explain.
    double high = NAN, cut_high = cut;
    for (size_t i = 0; i < self->wash_n && i < WASH_REF_MIN; i++) {
        const wpoint_t *p = &self->wash[(self->wash_head + WASH_HIST - 1 - i) % WASH_HIST];
        if (!p->valid || fabs (p->q - qin) >= WASH_SAME_Q * qin)
            continue;
        if (isnan (high) || p->coef > high)
            high = p->coef;
        cut_high = fmax (cut_high, p->cut);
    }
    v->cuttings = isnan (high) ? NAN : (cut_high - cut) / high;
    v->drop = isnan (high) ? NAN : 1 - self->coef_s / high - v->cuttings;
}

//  Mean of the washout history points [from, to) minutes back at the same
//  flow; NaN if any is missing or not valid.
double
rs_pressmodel_wash_mean (const rs_pressmodel_t *self, size_t from, size_t to, double qin)
{
    if (self->wash_n < to)
        return NAN;
    double sum = 0;
    for (size_t i = from; i < to; i++) {
        const wpoint_t *p = &self->wash[(self->wash_head + WASH_HIST - 1 - i) % WASH_HIST];
        if (!p->valid || fabs (p->q - qin) >= WASH_SAME_Q * qin)
            return NAN;
        sum += p->coef;
    }
    return sum / (double) (to - from);
}

