/*  rs_anomaly: robust EWMA z-scores per rig-state group, combined. */
#include "rs_anomaly.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rs_ema.h"
#include "rs_window.h"

#define GROUPS       2          // drilling; circulating + reaming
#define MEAN_TAU_S   600.0
#define SCALE_TAU_S  3600.0
#define Z_FREE       2.0        // |z| up to this counts for nothing
#define TRAIN_BELOW  3.0        // learn from samples with D below this
#define CLEAR_BELOW  3.0
#define MAX_GAP_S    60.0

static const char *s_names[RS_AF_COUNT] = {
    "flow_balance", "spp_dev", "torque", "pit_slope", "density_diff"
};
//  Smallest scale per feature, so a very quiet channel cannot make noise huge.
static const double s_floor[RS_AF_COUNT] = { 10, 0.5, 0.3, 0.01, 2 };
static const char *s_units[RS_AF_COUNT] = { "L/min", "%", "kN.m", "m3/min", "kg/m3" };

static const rs_alarm_cfg_t s_cfg = { 30, 120, 120, 1800 };

typedef struct {
    double mean[RS_AF_COUNT], scale[RS_AF_COUNT];
    double trained_s;
} group_t;

struct rs_anomaly_t {
    rs_anomaly_opts_t o;
    group_t g[GROUPS];
    rs_alarm_t alarm;
    double score;
    double z[RS_AF_COUNT];
    double x[RS_AF_COUNT];
    rs_step_t step;
};

const char *
rs_afeature_name (int feature)
{
    return feature >= 0 && feature < RS_AF_COUNT ? s_names[feature] : "unknown";
}

static void
s_group_init (group_t *g)
{
    for (int i = 0; i < RS_AF_COUNT; i++)
        g->mean[i] = g->scale[i] = NAN;
    g->trained_s = 0;
}

rs_anomaly_t *
rs_anomaly_new (const rs_anomaly_opts_t *opts)
{
    rs_anomaly_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    if (opts)
        self->o = *opts;
    if (!(self->o.threshold > 0))
        self->o.threshold = 6;
    if (!(self->o.train_s > 0))
        self->o.train_s = 3600;
    for (int g = 0; g < GROUPS; g++)
        s_group_init (&self->g[g]);
    rs_alarm_init (&self->alarm);
    self->score = NAN;
    return self;
}

void
rs_anomaly_destroy (rs_anomaly_t **self_p)
{
    if (self_p && *self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}

double
rs_anomaly_score (const rs_anomaly_t *self)
{
    return self->score;
}

bool
rs_anomaly_raised (const rs_anomaly_t *self)
{
    return self->alarm.raised;
}

static int
s_group (rs_rig_t state)
{
    if (rs_rig_drilling (state))
        return 0;
    if (state == RS_RIG_CIRCULATING || state == RS_RIG_REAMING)
        return 1;
    return -1;
}

static void
s_emit (rs_anomaly_t *self, rs_alert_state_t tr, int64_t ts, const rs_alert_sink_t *sink)
{
    if (tr == RS_ALERT_NONE)
        return;
    char msg[256];
    if (tr == RS_ALERT_CLEARED)
        snprintf (msg, sizeof msg, "Unusual behaviour cleared: channels back to their normal pattern");
    else {
        //  Name the two features that deviate most.
        int a = -1, b = -1;
        for (int i = 0; i < RS_AF_COUNT; i++) {
            if (isnan (self->z[i]))
                continue;
            if (a < 0 || fabs (self->z[i]) > fabs (self->z[a])) {
                b = a;
                a = i;
            }
            else if (b < 0 || fabs (self->z[i]) > fabs (self->z[b]))
                b = i;
        }
        char part[2][64] = { "", "" };
        if (a >= 0)
            snprintf (part[0], sizeof part[0], "%s %.3g %s (%+.1f sigma)", s_names[a], self->x[a],
                      s_units[a], self->z[a]);
        if (b >= 0 && fabs (self->z[b]) > Z_FREE)
            snprintf (part[1], sizeof part[1], ", %s %.3g %s (%+.1f sigma)", s_names[b], self->x[b],
                      s_units[b], self->z[b]);
        snprintf (msg, sizeof msg, "Unusual behaviour not matching a known event (score %.1f): %s%s. "
                  "Check the rig and sensors", self->score, part[0], part[1]);
    }
    rs_alert_t alert = {
        .type = "anomaly", .message = msg, .value = self->score, .threshold = self->o.threshold,
    };
    rs_alert_emit (sink, &self->alarm, tr, ts, &alert);
}

void
rs_anomaly_feed (rs_anomaly_t *self, int64_t ts_us, const double x[RS_AF_COUNT], rs_rig_t state,
                 bool explained, bool disabled, const rs_alert_sink_t *sink)
{
    double dt = rs_step (&self->step, ts_us, MAX_GAP_S);
    if (dt < 0)
        return;
    if (disabled) {
        self->score = NAN;
        s_emit (self, rs_alarm_clear (&self->alarm, ts_us), ts_us, sink);
        return;
    }
    int gi = s_group (state);
    rs_cond_t cond = RS_COND_UNKNOWN;
    self->score = NAN;
    if (gi >= 0) {
        group_t *g = &self->g[gi];
        double sum = 0;
        int used = 0;
        for (int i = 0; i < RS_AF_COUNT; i++) {
            self->z[i] = NAN;
            self->x[i] = x[i];
            if (isnan (x[i]) || isnan (g->mean[i]))
                continue;
            double scale = fmax (1.2533 * g->scale[i], s_floor[i]);
            double z = (x[i] - g->mean[i]) / scale;
            self->z[i] = z;
            double e = fabs (z) - Z_FREE;
            if (e > 0)
                sum += e * e;
            used++;
        }
        double d = used ? sqrt (sum) : NAN;
        bool trained = g->trained_s >= self->o.train_s;
        if (trained)
            self->score = d;
        //  Learn from what looks normal (or from everything at first).
        if (!self->alarm.raised && !explained && (isnan (d) || !trained || d < TRAIN_BELOW)) {
            double km = rs_ema_gain (dt, MEAN_TAU_S), ks = rs_ema_gain (dt, SCALE_TAU_S);
            if (g->trained_s < 600) {
                //  Start-up: faster so the first baseline is not the first sample.
                km = rs_ema_gain (dt, 60);
                ks = rs_ema_gain (dt, 300);
            }
            for (int i = 0; i < RS_AF_COUNT; i++) {
                if (isnan (x[i]))
                    continue;
                if (isnan (g->mean[i])) {
                    g->mean[i] = x[i];
                    g->scale[i] = s_floor[i];
                    continue;
                }
                double dev = fabs (x[i] - g->mean[i]);
                g->mean[i] += (x[i] - g->mean[i]) * km;
                g->scale[i] += (fmin (dev, 10 * fmax (g->scale[i], s_floor[i])) - g->scale[i]) * ks;
            }
            g->trained_s += dt;
        }
        if (!trained || isnan (d) || explained)
            cond = explained ? RS_COND_OFF : RS_COND_UNKNOWN;
        else if (self->alarm.raised)
            cond = d >= CLEAR_BELOW ? RS_COND_ON : RS_COND_OFF;
        else
            cond = d >= self->o.threshold ? RS_COND_ON : RS_COND_OFF;
    }
    rs_severity_t sev = self->score >= 2 * self->o.threshold ? RS_SEV_WARNING : RS_SEV_INFO;
    s_emit (self, rs_alarm_step (&self->alarm, &s_cfg, ts_us, cond, sev), ts_us, sink);
}

void
rs_anomaly_clear (rs_anomaly_t *self, int64_t ts_us, const rs_alert_sink_t *sink)
{
    s_emit (self, rs_alarm_clear (&self->alarm, ts_us), ts_us, sink);
}
