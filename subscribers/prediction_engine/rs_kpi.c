/*  rs_kpi: KPI maths, stands and short-horizon predictions. */
#include "rs_kpi.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SHORT_S     300.0
#define LONG_S      900.0
#define PIT_S       300.0
#define MIN_STAND_M 3.0         // a "stand" shorter than this is not one (e.g. after a trip)
#define RECENT_M    3.0         // the next stand's ROP: that of the last 3 m drilled
#define RECENT_STEP 0.25        // m between the points kept for it
#define RECENT_N    64
#define MAX_GAP_S   60.0
#define MSE_MINUTE_S 60.0       // on-bottom time per mean MSE point of the stand's baseline

double
rs_kpi_rop_per_wob_rpm (double rop_mh, double wob_kn, double rpm)
{
    if (isnan (rop_mh) || isnan (wob_kn) || isnan (rpm) || wob_kn <= 0 || rpm <= 0)
        return NAN;
    return rop_mh / (wob_kn * rpm) * 1e5;
}

double
rs_kpi_ccs_mse_ratio (double ccs_mpa, double mse_mpa)
{
    if (!(ccs_mpa > 0) || !(mse_mpa > 0))
        return NAN;
    return ccs_mpa / mse_mpa;
}

double
rs_kpi_mse_mpa (double wob_kn, double torque_knm, double rpm, double rop_mh, double bit_diameter_m)
{
    if (isnan (wob_kn) || isnan (torque_knm) || isnan (rpm) || isnan (rop_mh) || isnan (bit_diameter_m)
        || rop_mh <= 0 || bit_diameter_m <= 0)
        return NAN;
    double area = M_PI / 4 * bit_diameter_m * bit_diameter_m;        // m2
    double wob_n = wob_kn > 0 ? wob_kn * 1000 : 0;
    double t_nm = torque_knm > 0 ? torque_knm * 1000 : 0;
    double n_rps = rpm > 0 ? rpm / 60 : 0;
    double v = rop_mh / 3600;                                          // m/s
    double pa = wob_n / area + 2 * M_PI * n_rps * t_nm / (area * v);
    return pa / 1e6;
}

//  --------------------------------------------------------------------------
//  Per-well KPIs

enum { AV_ROP, AV_WOB, AV_RPM, AV_TORQUE, AV_SPP, AV_FLOW_IN, AV_FLOW_OUT, AV_COUNT };
static const int s_av_chan[AV_COUNT] = {
    RS_CH_ROP, RS_CH_WOB, RS_CH_RPM, RS_CH_TORQUE, RS_CH_SPP, RS_CH_FLOW_IN, RS_CH_FLOW_OUT
};
static const char *s_av_names[AV_COUNT][2] = {
    { "rop_avg5m", "rop_avg15m" }, { "wob_avg5m", "wob_avg15m" }, { "rpm_avg5m", "rpm_avg15m" },
    { "torque_avg5m", "torque_avg15m" }, { "spp_avg5m", "spp_avg15m" },
    { "flow_in_avg5m", "flow_in_avg15m" }, { "flow_out_avg5m", "flow_out_avg15m" },
};

struct rs_kpi_t {
    rs_kpi_opts_t o;
    rs_window_t avg[AV_COUNT][2];
    rs_window_t mse5;
    rs_window_t pit;
    double rpwr, mse;
    double pit_now;
    double pit_ref;             // pit volume reference when there is no pit_gain channel
    rs_step_t step;
    rs_riginfo_t rig;
    //  stands
    bool stand_open;
    double stand_start_hole, stand_drill_s, hole_last;
    double stands[RS_KPI_STANDS];
    size_t n_stands;
    uint64_t stands_total;
    double pred;
    double drill_s_total;       // on-bottom drilling time since the start
    double rec_hole[RECENT_N], rec_t[RECENT_N];
    size_t rec_head, rec_n;
    //  MSE baseline: means over MSE_MINUTE_S of on-bottom time; the lowest
    //  of this stand and of the previous one
    double mse_acc, mse_acc_s;
    size_t mse_acc_n;
    double mse_best, mse_best_prev;
};

static void
s_opts (rs_kpi_t *self, const rs_kpi_opts_t *opts)
{
    rs_kpi_opts_t o = { 0 };
    if (opts)
        o = *opts;
    if (!(o.bit_diameter_m > 0))
        o.bit_diameter_m = 8.5 * RS_M_PER_IN;
    if (!(o.pit_alarm_m3 > 0))
        o.pit_alarm_m3 = 1.6;
    self->o = o;
}

rs_kpi_t *
rs_kpi_new (const rs_kpi_opts_t *opts)
{
    rs_kpi_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    s_opts (self, opts);
    for (int i = 0; i < AV_COUNT; i++) {
        rs_window_init (&self->avg[i][0], SHORT_S);
        rs_window_init (&self->avg[i][1], LONG_S);
    }
    rs_window_init (&self->mse5, SHORT_S);
    rs_window_init (&self->pit, PIT_S);
    self->rpwr = self->mse = self->pit_now = self->pit_ref = NAN;
    self->mse_best = self->mse_best_prev = NAN;
    self->pred = NAN;
    self->hole_last = NAN;
    self->rig.connection_last_s = NAN;
    return self;
}

void
rs_kpi_destroy (rs_kpi_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rs_kpi_t *self = *self_p;
    for (int i = 0; i < AV_COUNT; i++) {
        rs_window_fini (&self->avg[i][0]);
        rs_window_fini (&self->avg[i][1]);
    }
    rs_window_fini (&self->mse5);
    rs_window_fini (&self->pit);
    free (self);
    *self_p = NULL;
}

void
rs_kpi_set_opts (rs_kpi_t *self, const rs_kpi_opts_t *opts)
{
    s_opts (self, opts);
}

//  The next stand's expected ROP: that of the last RECENT_M metres drilled
//  (on-bottom time only), since the next stand starts in the rock the bit
//  is in now. In the simulator this beats the last stand's ROP and any
//  smoothing of the stand ROPs (bench/engine prints the comparison).
static void
s_recent (rs_kpi_t *self, double hole)
{
    if (isnan (hole))
        return;
    size_t last = (self->rec_head + RECENT_N - 1) % RECENT_N;
    if (self->rec_n == 0 || hole - self->rec_hole[last] >= RECENT_STEP || hole < self->rec_hole[last]) {
        if (self->rec_n > 0 && hole < self->rec_hole[last])
            self->rec_n = 0;                    // hole depth went back: start again
        self->rec_hole[self->rec_head] = hole;
        self->rec_t[self->rec_head] = self->drill_s_total;
        self->rec_head = (self->rec_head + 1) % RECENT_N;
        if (self->rec_n < RECENT_N)
            self->rec_n++;
    }
    for (size_t i = 1; i < self->rec_n; i++) {
        size_t k = (self->rec_head + RECENT_N - 1 - i) % RECENT_N;
        double dh = hole - self->rec_hole[k], dt = self->drill_s_total - self->rec_t[k];
        if (dh >= RECENT_M || i == self->rec_n - 1) {
            if (dh >= 1 && dt > 0)
                self->pred = dh / (dt / 3600);
            break;
        }
    }
}

static void
s_stand_close (rs_kpi_t *self, double hole)
{
    double drilled = hole - self->stand_start_hole;
    if (self->stand_open && drilled >= MIN_STAND_M && self->stand_drill_s > 0) {
        double rop = drilled / (self->stand_drill_s / 3600);
        if (self->n_stands == RS_KPI_STANDS) {
            memmove (self->stands, self->stands + 1, (RS_KPI_STANDS - 1) * sizeof self->stands[0]);
            self->n_stands--;
        }
        self->stands[self->n_stands++] = rop;
        self->stands_total++;
    }
    self->stand_open = !isnan (hole);
    self->stand_start_hole = hole;
    self->stand_drill_s = 0;
    //  The stand's MSE baseline becomes the previous one (unless it has no
    //  point yet, as after connections back to back).
    if (!isnan (self->mse_best))
        self->mse_best_prev = self->mse_best;
    self->mse_best = NAN;
    self->mse_acc = self->mse_acc_s = 0;
    self->mse_acc_n = 0;
}

//  One more on-bottom sample for the stand's MSE baseline.
static void
s_mse_minute (rs_kpi_t *self, double dt)
{
    if (!isnan (self->mse)) {
        self->mse_acc += self->mse;
        self->mse_acc_n++;
    }
    self->mse_acc_s += dt;
    if (self->mse_acc_s < MSE_MINUTE_S)
        return;
    if (self->mse_acc_n) {
        double m = self->mse_acc / (double) self->mse_acc_n;
        if (isnan (self->mse_best) || m < self->mse_best)
            self->mse_best = m;
    }
    self->mse_acc = self->mse_acc_s = 0;
    self->mse_acc_n = 0;
}

void
rs_kpi_feed (rs_kpi_t *self, int64_t ts_us, const double ch[RS_CH_COUNT], const rs_riginfo_t *rig,
             double transit_m3)
{
    double dt = rs_step (&self->step, ts_us, MAX_GAP_S);
    if (dt < 0)
        return;
    rs_rig_t state = rig ? rig->state : RS_RIG_UNKNOWN;
    bool drilling = rs_rig_drilling (state);
    if (rig)
        self->rig = *rig;

    double rop = ch[RS_CH_ROP], wob = ch[RS_CH_WOB], rpm = ch[RS_CH_RPM], tq = ch[RS_CH_TORQUE];
    self->rpwr = drilling ? rs_kpi_rop_per_wob_rpm (rop, wob, rpm) : NAN;
    self->mse = drilling ? rs_kpi_mse_mpa (wob, tq, rpm, rop, self->o.bit_diameter_m) : NAN;
    rs_window_add (&self->mse5, ts_us, self->mse);
    for (int i = 0; i < AV_COUNT; i++) {
        double x = ch[s_av_chan[i]];
        //  ROP and WOB mean something on bottom only.
        if ((i == AV_ROP || i == AV_WOB) && !drilling)
            x = NAN;
        rs_window_add (&self->avg[i][0], ts_us, x);
        rs_window_add (&self->avg[i][1], ts_us, x);
    }

    //  Pit: the gain channel, else the volume against the first reading.
    double pit = ch[RS_CH_PIT_GAIN];
    if (isnan (pit) && !isnan (ch[RS_CH_PIT_VOLUME])) {
        if (isnan (self->pit_ref))
            self->pit_ref = ch[RS_CH_PIT_VOLUME];
        pit = ch[RS_CH_PIT_VOLUME] - self->pit_ref;
    }
    self->pit_now = pit;
    rs_window_add (&self->pit, ts_us, !isnan (pit) && !isnan (transit_m3) ? pit + transit_m3 : pit);

    //  Stands: one ends when a connection starts. With no hole depth
    //  reported, the one the rig state found from the bit drilling.
    double hole = ch[RS_CH_HOLE_DEPTH];
    if (isnan (hole) && rig && rig->hole_from_bit)
        hole = rig->hole_depth_m;
    if (!self->stand_open && !isnan (hole)) {
        self->stand_open = true;
        self->stand_start_hole = hole;
        self->stand_drill_s = 0;
    }
    if (drilling) {
        self->stand_drill_s += dt;
        self->drill_s_total += dt;
        s_recent (self, hole);
        s_mse_minute (self, dt);
    }
    if (rig && rig->changed && rig->state == RS_RIG_CONNECTION)
        s_stand_close (self, !isnan (hole) ? hole : self->hole_last);
    if (!isnan (hole))
        self->hole_last = hole;
}

static double
s_pct (double part, double total)
{
    return total > 0 ? 100.0 * part / total : NAN;
}

double
rs_kpi_rop_prediction (const rs_kpi_t *self)
{
    return self->pred;
}

size_t
rs_kpi_stands (const rs_kpi_t *self, double *rop_mh, size_t max)
{
    size_t n = self->n_stands < max ? self->n_stands : max;
    memcpy (rop_mh, self->stands + (self->n_stands - n), n * sizeof *rop_mh);
    return n;
}

size_t
rs_kpi_values (const rs_kpi_t *self, rs_value_t *out, size_t max)
{
    size_t n = 0;
#define PUT(nm, val) do { if (n < max) out[n++] = (rs_value_t) { (nm), RS_CH_UNKNOWN, (val) }; } while (0)
    double mse5 = rs_window_mean (&self->mse5);
    double best = fmin (self->mse_best, self->mse_best_prev);          // fmin: NaN only if both are
    PUT ("mse_mpa", self->mse);
    PUT ("mse_psi", self->mse * RS_PSI_PER_MPA);
    PUT ("mse_avg5m_mpa", mse5);
    PUT ("mse_avg5m_psi", mse5 * RS_PSI_PER_MPA);
    PUT ("ccs_mse_ratio", rs_kpi_ccs_mse_ratio (self->o.ccs_mpa, mse5));
    PUT ("mse_stand_ratio", best > 0 ? mse5 / best : NAN);
    PUT ("mse_stand_best_mpa", best);
    PUT ("rop_per_wob_rpm", self->rpwr);
    for (int i = 0; i < AV_COUNT; i++) {
        PUT (s_av_names[i][0], rs_window_mean (&self->avg[i][0]));
        PUT (s_av_names[i][1], rs_window_mean (&self->avg[i][1]));
    }
    double cur = NAN;
    if (self->stand_open && !isnan (self->hole_last) && self->stand_drill_s >= 60)
        cur = (self->hole_last - self->stand_start_hole) / (self->stand_drill_s / 3600);
    PUT ("rop_stand", cur);
    PUT ("rop_last_stand", self->n_stands ? self->stands[self->n_stands - 1] : NAN);
    PUT ("rop_next_stand", self->pred);
    PUT ("stands", (double) self->stands_total);

    //  Pit trend and time to the alarm level at that rate.
    double slope = rs_window_slope (&self->pit, 30, 120) * 60;        // m3/min
    double eta = NAN;
    if (!isnan (slope) && !isnan (self->pit_now) && fabs (slope) >= 0.002) {
        double level = slope > 0 ? self->o.pit_alarm_m3 : -self->o.pit_alarm_m3;
        double left = (level - self->pit_now) / slope;
        eta = left <= 0 ? 0 : left <= 1440 ? left : NAN;
    }
    PUT ("pit_gain", self->pit_now);
    PUT ("pit_trend_m3_per_min", slope);
    PUT ("pit_alarm_eta_min", eta);

    const rs_riginfo_t *r = &self->rig;
    double drill_s = r->state_s[RS_RIG_DRILLING_ROTARY] + r->state_s[RS_RIG_DRILLING_SLIDING];
    PUT ("on_bottom_pct", s_pct (drill_s, r->total_s));
    PUT ("rotary_pct", s_pct (r->state_s[RS_RIG_DRILLING_ROTARY], drill_s));
    PUT ("sliding_pct", s_pct (r->state_s[RS_RIG_DRILLING_SLIDING], drill_s));
    PUT ("circulating_pct", s_pct (r->circulating_s, r->total_s));
    PUT ("connection_pct", s_pct (r->state_s[RS_RIG_CONNECTION], r->total_s));
    PUT ("connections", (double) r->connections);
    PUT ("connection_last_s", r->connection_last_s);
    PUT ("connection_avg_s", r->connections ? r->connection_sum_s / (double) r->connections : NAN);
    PUT ("rig_state_code", self->step.started ? (double) rs_rig_code (r) : NAN);
    PUT ("rig_state_s", self->step.started ? (double) (self->step.last_ts - r->since_us) / 1e6 : NAN);
    PUT ("block_weight", r->block_weight_kn);
    PUT ("hole_depth", r->hole_depth_m);
#undef PUT
    return n;
}

double
rs_kpi_value (const rs_kpi_t *self, const char *name)
{
    rs_value_t v[RS_KPI_MAX];
    size_t n = rs_kpi_values (self, v, RS_KPI_MAX);
    for (size_t i = 0; i < n; i++)
        if (strcmp (v[i].name, name) == 0)
            return v[i].value;
    return NAN;
}
