/*  rs_detect: the event detectors, over the flow and pressure models
    (rs_flowmodel, rs_pressmodel). */
#include "rs_detect.h"
#include "rs_chanq.h"
#include "rs_ema.h"
#include "rs_flowback.h"
#include "rs_flowmodel.h"
#include "rs_pressmodel.h"
#include "rs_since.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_GAP_S       60.0
#define PIT_DENY_S      300.0       // s the pit may deny a full CUSUM before the meter is taken to be wrong
#define L_PER_BBL       158.987
#define PIPE_MOVE_MS    0.05        // string moving (m/s)
#define PIT_CHECK_FRAC  0.25        // the pit must show this fraction of a flow anomaly
#define PIT_SE_K        3.0         // ... and stand this many standard errors of its trend from level
#define SPIKE_SIGMA     6.0         // one sample moves a CUSUM at most k + 6 sigma
#define SIGMA_MIN       5.0         // L/min: the flow balance's noise with the pumps off
//  Kick: CUSUM of (balance - k), k = max(KICK_K_ABS, 1 sigma), raised at
//  h = max(KICK_H_MIN, 9 sigma) L/min.s, x sqrt(dt) for samples sparser
//  than 1 s (the noise of a sum over a time grows with the root of the
//  sample interval). KICK_H_MIN is 50 L of returns above the allowance: a
//  flowline's model errors last minutes, and a few litres (150 L/min.s
//  before) raised 1.2 false kicks per 12 h in bench_engine.
#define KICK_K_ABS      15.0        // L/min
#define KICK_K_SIGMA    1.0
#define KICK_H_MIN      3000.0
#define KICK_H_SIGMA    9.0
//  Drilling break: fast ROP (15 s) above 1.5 x slow ROP (10 min); named in
//  the kick message (a secondary sign; alone it is often just softer rock)
#define BREAK_FAST_S    15.0
#define BREAK_SLOW_S    600.0
#define BREAK_RATIO     1.5
#define BREAK_SETTLE_S  120.0
#define BREAK_HOLD_S    300.0
#define KICK_CRIT_REL   0.10        // critical: balance above 10% of flow in ...
#define KICK_CRIT_PIT   1.6         // ... or pit gain since raised, m3 (10 bbl)
//  Lost circulation
#define LOSS_K_ABS      30.0
#define LOSS_K_SIGMA    2.0
#define LOSS_H          1500.0      // L/min.s, x sqrt(dt) as the kick's
#define LOSS_AFTER_PACK_S 120.0     // no losses alert this soon after a pack-off
#define LOSS_AFTER_KILL_S 900.0     // ... or while the kill after a shut-in goes on
#define LOSS_MIN_FLOW   RS_FLOWMODEL_PUMPING_LPM    // below this the pumps are not really on
//  Washout: against the coefficient's per-minute history (rs_pressmodel)
#define WASH_DROP       0.03
#define WASH_SEG_MIN    2           // minutes per segment compared
#define WASH_SEG_DROP   0.003       // each segment 0.3% below the one before
#define WASH_STABLE_REL 0.002       // stopped falling: segments within 0.2%
//  Pack-off
#define PACK_DEV        0.08
#define PACK_CLEAR_DEV  0.03
#define PACK_NOISE_K    4.0         // ... or this many sigmas of the SPP reading's own noise, whichever is more
#define PACK_CLEAR_K    1.5         // ... cleared under this many
//  A pack-off closes the annulus round the string: it shows there too, by
//  returns below expected or, rotating, by torque over what it was before
//  the rise. A rise inside the string shows neither (a viscous or weighted
//  sweep pumped down at steady circulation, a plugged nozzle): where those
//  channels read and show nothing, the rise is no pack-off. A rise that is
//  there as soon as the pressure can be judged (the pumps coming up after a
//  connection, the commonest moment of a pack-off) is judged on the
//  pressure alone: returns are not judged then, and no sweep is under way.
#define PACK_TQ_REL     0.15        // torque this share over its level before the rise
#define PACK_TQ_TAU_S   60.0        // that level: torque averaged over this, s
#define PACK_RET_REL    0.01        // returns this share of flow in below expected ...
#define PACK_RET_K      1.5         // ... and this many sigmas of their noise
#define PACK_FRESH_S    120.0       // a rise within this of the pressure's first judging
#define PACK_SIGN_S     20.0        // the annulus's sign held this long (not one noisy reading)
//  Stuck pipe
#define STUCK_HIST      64          // 1-s points of hook load and positions
#define STUCK_WIN_S     30.0
#define STUCK_WORK_S    120.0       // pulls this close together are one working of the string
#define STUCK_MOVE_M    0.1
#define STUCK_HOLE_M    0.02
#define STUCK_OVERPULL  80.0        // kN of hook load beyond the free-hanging weight
#define STUCK_KEEP      0.5         // ... raised, held while above half of it
#define FREE_TAU_S      120.0       // free-hanging weight learned while the string moves off bottom
#define FREE_MAX_M      50.0        // ... valid within this of the depth it was learned at
#define FREE_OFF_M      1.0         // off bottom: bit this far above the hole depth
#define HOOK_GAP_S      300.0       // hook load without a reading this long: its references are learned again
#define WOBZ_TAU_S      30.0        // the WOB's zero: read hanging still off bottom, this smooth ...
#define WOBZ_MAX_KN     RS_CHANQ_WOB_OFF_KN     // ... and no reading while it is off by more
#define WOBZ_MAX_M      10.0        // on bottom, within this of where the string's weight was read
#define WOBZ_JUMP_S     30.0        // farther on, the WOB jumping WOBZ_MAX_KN between readings this close ...
#define WOBZ_HOOK_SHARE 0.25        // ... the hook load moving under this share of it ...
#define WOBZ_STEP_S     30.0        // ... and still off by that this long after (smoothed over WOBZ_FAST_S) ...
#define WOBZ_FAST_S     5.0         // ... is the zero moving (the string's own weight grows 8 kN a stand, slowly)
#define KICK_TRIP_LPM   100.0       // L/min: a flow with the pumps off on a trip that is the well
#define STUCK_STALL     1.8         // torque x reference ...
#define STUCK_STALL_RPM 0.6         // ... with RPM below this x reference
#define TQ_REF_TAU_S    600.0
//  Bit balling
#define BALL_HIST       32          // one point a minute of drilling
#define BALL_REF_MIN    20          // the recent best: the last 20 points
#define BALL_SEG_MIN    2           // minutes per segment ...
#define BALL_SEGS       4           // ... each 2% below the one before
#define BALL_SEG_DROP   0.02
#define BALL_SETTLE_S   120.0       // after drilling starts
#define BALL_DROP       0.25        // 25% below the recent best
#define BALL_RPM_REL    0.04        // an RPM change of 4% starts the history over

static const char *s_names[RS_DET_COUNT] = {
    "kick", "lost_circulation", "washout", "stuck_pipe", "pack_off", "bit_balling"
};

//  on_s, off_s, update_s, stale_s
static const rs_alarm_cfg_t s_cfg[RS_DET_COUNT] = {
    [RS_DET_KICK] = { 0, 60, 60, 1800 },
    [RS_DET_LOST_CIRCULATION] = { 10, 120, 60, 3600 },
    [RS_DET_WASHOUT] = { 60, 0, 120, 3600 },
    //  Stuck pipe: a string worked for 3 minutes without moving 10 cm. A
    //  shorter pull is the driller pulling through a tight spot or testing a
    //  hanger (Volve F-9: 200 kN for 2 min with the string anchored).
    [RS_DET_STUCK_PIPE] = { 180, 120, 60, 600 },
    [RS_DET_PACK_OFF] = { 10, 60, 60, 600 },
    [RS_DET_BIT_BALLING] = { 60, 300, 120, 1800 },
};

typedef struct {
    int64_t ts;
    double hook, block, bit, hole;
} spoint_t;

//  Channels despiked by a median of three (WOB too: a mud motor's pressure
//  is taken out by it).
enum { DS_FLOW_IN, DS_FLOW_OUT, DS_SPP, DS_HOOK, DS_TORQUE, DS_WOB, DS_COUNT };
static const int s_ds_ch[DS_COUNT] = { RS_CH_FLOW_IN, RS_CH_FLOW_OUT, RS_CH_SPP, RS_CH_HOOK_LOAD, RS_CH_TORQUE,
                                       RS_CH_WOB };

struct rs_detect_t {
    rs_detect_opts_t o;
    rs_flowmodel_t *flow;
    rs_pressmodel_t *press;
    rs_flowback_t flowback;     // the well's flowback at the last pump stops
    double ds[DS_COUNT][2];     // the last two raw readings
    double free_hook, free_bit; // free-hanging hook load and where it was learned
    double wob_zero;            // the WOB's zero error, kN (NaN: not seen)
    int64_t hook_seen;          // the hook load's last reading; INT64_MIN before one
    double rot_hook, rot_bit;   // the string's free-rotating weight off bottom and where (NaN: not seen)
    double sum_fast;            // drilling: WOB + hook load, smoothed (NaN: not drilling)
    double wob_last, hook_last; // ... the last WOB and hook load read
    double sum_pre;             // ... before a jump of it ...
    int64_t sum_step_since;     // ... at this time (INT64_MIN: none)
    double move_hook, move_bit; // hook load when the string last moved out of slips, and where
    bool was_moving;            // ... and it moved, off bottom, on the sample before
    bool was_lifting;           // the string was picked up on the sample before
    int64_t stuck_since, stuck_pull;    // first and last pull of the string now worked (INT64_MIN: none)
    double stuck_block, stuck_bit;      // where the string was at the first pull
    bool started;
    int64_t last_ts;
    double prev_bit, prev_hole, prev_block;
    rs_detect_view_t v;
    int64_t kick_denied, loss_denied;   // since when the pit denies a full CUSUM; INT64_MIN = not
    int64_t last_shut_in;       // last sample with the well shut in
    bool kill_hold;             // still circulating the kill since then
    int64_t packoff_end;        // last pack-off alert clear
    bool packoff_sign;          // the annulus has shown the rise under way
    double pack_tq0;            // torque before the rise, kN.m (NaN: none)
    int64_t press_since;        // the pressure judged since (INT64_MIN: not now)
    int64_t sign_since;         // the annulus's sign shown since (INT64_MIN: not now)
    //  stuck
    spoint_t sp[STUCK_HIST];
    size_t sp_head, sp_n;
    int64_t last_slips;
    double tq_ref, rpm_ref;
    //  balling
    double d_cur, ball_ref;
    double ball_d[BALL_HIST], ball_rpm[BALL_HIST];
    size_t ball_head, ball_n;
    double ball_acc_d, ball_acc_rpm;
    size_t ball_acc_n;
    int64_t ball_next, drill_since;

    rs_alarm_t alarm[RS_DET_COUNT];
    double kick_pit0;
    double rop_fast, rop_slow;
    int64_t drill_t0, break_until;
};

const char *
rs_det_name (int det)
{
    return det >= 0 && det < RS_DET_COUNT ? s_names[det] : "unknown";
}

int
rs_det_lookup (const char *name)
{
    for (int i = 0; name && i < RS_DET_COUNT; i++)
        if (strcmp (name, s_names[i]) == 0)
            return i;
    return -1;
}

//  The models take what is not configured their own way.
static void
s_opts (rs_detect_t *self, const rs_detect_opts_t *opts)
{
    self->o = opts ? *opts : (rs_detect_opts_t) { 0 };
    if (!(self->o.flow_lpm > 0))
        self->o.flow_lpm = 50;
}

static rs_flowmodel_opts_t
s_flow_opts (const rs_detect_opts_t *o)
{
    return (rs_flowmodel_opts_t) { .bit_diameter_m = o->bit_diameter_m, .pipe_disp_m3_m = o->pipe_disp_m3_m,
                                   .returns_tau_s = o->returns_tau_s, .flow_lpm = o->flow_lpm };
}

static rs_pressmodel_opts_t
s_press_opts (const rs_detect_opts_t *o)
{
    return (rs_pressmodel_opts_t) { .flow_lpm = o->flow_lpm, .bit_diameter_m = o->bit_diameter_m };
}

//  The models' signals in the view.
static void
s_models_view (rs_detect_t *self)
{
    const rs_flowmodel_view_t *f = rs_flowmodel_view (self->flow);
    const rs_pressmodel_view_t *p = rs_pressmodel_view (self->press);
    rs_detect_view_t *v = &self->v;
    v->flow_expected = f->expected;
    v->flow_balance = f->balance;
    v->flow_balance_avg = f->balance_avg;
    v->flow_bias = f->bias;
    v->flow_gain = f->gain;
    v->flow_rest = f->rest;
    v->flowline_lag_s = f->lag_s;
    v->flow_sigma = f->sigma;
    v->pit_slope = f->pit_slope;
    v->pit_slope_se = f->pit_slope_se;
    v->pit_slope5 = f->pit_slope5;
    v->pit_slope5_se = f->pit_slope5_se;
    v->pit_points = f->pit_points;
    v->pit_in_transit = f->pit_in_transit;
    v->spp_exp = p->exp;
    v->spp_wob = p->wob;
    v->spp_coef = p->coef;
    v->spp_dev = p->dev;
    v->spp_drop = p->drop;
    v->spp_rise = p->rise;
    v->spp_noise = p->noise;
    v->spp_ref = p->ref;
    v->spp_ref_flow = p->ref_flow;
}

static void
s_reset_models (rs_detect_t *self)
{
    rs_flowmodel_restart (self->flow);
    rs_pressmodel_restart (self->press);
    self->v = (rs_detect_view_t) { .wob_zero = self->wob_zero };
    s_models_view (self);
    self->prev_bit = self->prev_hole = self->prev_block = NAN;
    self->kick_denied = self->loss_denied = INT64_MIN;
    self->sp_n = 0;
    self->d_cur = NAN;
    for (int i = 0; i < DS_COUNT; i++)
        self->ds[i][0] = self->ds[i][1] = NAN;
    self->drill_since = INT64_MIN;
    self->ball_n = self->ball_acc_n = 0;
    self->ball_acc_d = self->ball_acc_rpm = 0;
}

rs_detect_t *
rs_detect_new (const rs_detect_opts_t *opts)
{
    rs_detect_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    s_opts (self, opts);
    rs_flowmodel_opts_t fo = s_flow_opts (&self->o);
    rs_pressmodel_opts_t po = s_press_opts (&self->o);
    self->flow = rs_flowmodel_new (&fo);
    self->press = rs_pressmodel_new (&po);
    if (!self->flow || !self->press) {
        rs_detect_destroy (&self);
        return NULL;
    }
    for (int i = 0; i < RS_DET_COUNT; i++)
        rs_alarm_init (&self->alarm[i]);
    rs_flowback_init (&self->flowback);
    s_reset_models (self);
    self->last_shut_in = INT64_MIN;
    self->packoff_end = INT64_MIN;
    self->pack_tq0 = NAN;
    self->press_since = self->sign_since = INT64_MIN;
    self->last_slips = INT64_MIN;
    self->tq_ref = self->rpm_ref = NAN;
    self->ball_ref = NAN;
    self->kick_pit0 = NAN;
    self->rop_fast = self->rop_slow = NAN;
    self->free_hook = self->free_bit = self->move_hook = self->move_bit = NAN;
    self->wob_zero = self->rot_hook = self->rot_bit = NAN;
    self->sum_fast = self->sum_pre = self->wob_last = self->hook_last = NAN;
    self->sum_step_since = INT64_MIN;
    self->hook_seen = INT64_MIN;
    self->stuck_since = self->stuck_pull = INT64_MIN;
    self->stuck_block = self->stuck_bit = NAN;
    self->drill_t0 = self->break_until = INT64_MIN;
    return self;
}

void
rs_detect_destroy (rs_detect_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rs_flowmodel_destroy (&(*self_p)->flow);
    rs_pressmodel_destroy (&(*self_p)->press);
    free (*self_p);
    *self_p = NULL;
}

void
rs_detect_set_opts (rs_detect_t *self, const rs_detect_opts_t *opts)
{
    s_opts (self, opts);
    rs_flowmodel_opts_t fo = s_flow_opts (&self->o);
    rs_flowmodel_set_opts (self->flow, &fo);
    rs_pressmodel_opts_t po = s_press_opts (&self->o);
    rs_pressmodel_set_opts (self->press, &po);
}

const rs_detect_view_t *
rs_detect_view (const rs_detect_t *self)
{
    return &self->v;
}

bool
rs_detect_raised (const rs_detect_t *self, rs_det_t det)
{
    return det >= 0 && det < RS_DET_COUNT && self->alarm[det].raised;
}

size_t
rs_detect_raised_count (const rs_detect_t *self)
{
    size_t n = 0;
    for (int i = 0; i < RS_DET_COUNT; i++)
        n += self->alarm[i].raised;
    return n;
}

//  Sends a transition of detector `det` with a formatted message.
static void
s_emit (rs_detect_t *self, const rs_alert_sink_t *sink, rs_det_t det, rs_alert_state_t tr,
        int64_t ts, const char *channel, double value, double threshold, const char *message)
{
    if (tr == RS_ALERT_NONE)
        return;
    rs_alert_t a = {
        .type = s_names[det], .message = message, .channel = channel, .value = value,
        .threshold = threshold,
    };
    rs_alert_emit (sink, &self->alarm[det], tr, ts, &a);
}

//  --------------------------------------------------------------------------
//  Models

static void
s_stuck_push (rs_detect_t *self, int64_t ts, const double *ch)
{
    if (self->sp_n > 0) {
        const spoint_t *last = &self->sp[(self->sp_head + STUCK_HIST - 1) % STUCK_HIST];
        if (ts - last->ts < 1000000)
            return;
    }
    self->sp[self->sp_head] = (spoint_t) { ts, ch[RS_CH_HOOK_LOAD], ch[RS_CH_BLOCK_POS],
                                           ch[RS_CH_BIT_DEPTH], ch[RS_CH_HOLE_DEPTH] };
    self->sp_head = (self->sp_head + 1) % STUCK_HIST;
    if (self->sp_n < STUCK_HIST)
        self->sp_n++;
}

//  --------------------------------------------------------------------------
//  Detectors

//  A detector without a valid reading of a channel it needs does not
//  raise, and an alert it raised is cleared: it cannot tell any more.
//  Returns true (and emits the clear) when a channel is missing.
static bool
s_missing (rs_detect_t *self, const rs_alert_sink_t *sink, rs_det_t det, int64_t ts, const double *ch,
           const int *need, size_t n_need)
{
    for (size_t i = 0; i < n_need; i++) {
        if (!isnan (ch[need[i]]))
            continue;
        const char *name = rs_chan_info (need[i])->name;
        rs_alarm_t *a = &self->alarm[det];
        if (a->raised) {
            char msg[96];
            snprintf (msg, sizeof msg, "suppressed: no valid %s reading", name);
            rs_alert_state_t tr = rs_alarm_clear (a, ts);
            s_emit (self, sink, det, tr, ts, name, NAN, NAN, msg);
        }
        else
            rs_alarm_step (a, &s_cfg[det], ts, RS_COND_UNKNOWN, RS_SEV_INFO);
        return true;
    }
    return false;
}

//  Does the pit confirm a flow anomaly? Any one must show in the pit's
//  trend (a quarter of it: surface volumes and the pit sensor blur it) when
//  there is a pit reading to ask and no trip to move it: a returns paddle's
//  noise and drift make more false kicks than the pit misses (bench_engine:
//  false kicks per 12 h 3.1 -> 1.2, recall no lower).
//  The trend must also stand PIT_SE_K standard errors (from the pit's own
//  noise) from level: a noisy pit's trend swings tens of L/min either way
//  over 2 minutes read every 10 s, and one swing that way agreed with a
//  meter gone wrong. Where the 2-minute trend is too noisy to show the
//  anomaly that far out, or has too few readings (a pit read every 30 s),
//  the 5-minute one is asked (read at one rate, a quarter of the error, but
//  slower to follow an onset: it needs a quarter of the anomaly all the
//  same); where neither can, the pit says nothing, as no pit.
static bool
s_pit_agrees (const rs_detect_t *self, double bal_lpm, bool tripping)
{
    if (tripping)
        return true;
    double trend[2][2] = { { self->v.pit_slope, self->v.pit_slope_se },
                           { self->v.pit_slope5, self->v.pit_slope5_se } };
    for (int i = 0; i < 2; i++) {
        double slope = trend[i][0] * 1000, se = trend[i][1] * 1000;      // L/min
        if (isnan (slope))
            continue;
        double need = PIT_CHECK_FRAC * fabs (bal_lpm);
        if (!isnan (se)) {
            if (PIT_SE_K * se >= fabs (bal_lpm))
                continue;
            need = fmax (need, PIT_SE_K * se);
        }
        return bal_lpm > 0 ? slope >= need : slope <= -need;
    }
    return true;
}

//  A flow anomaly the pit has denied for PIT_DENY_S is the meter's, not the
//  well's: a kick of 5% of flow would have put half a cubic metre in the
//  pit by then. The CUSUM starts again and, with the pumps on, the meter's
//  gain at this flow is learned afresh (as if for a second: fast, and the
//  balance untrusted until it is learned). Without this a gain gone wrong
//  held the CUSUM full for hours, and the pit's noise agreed in the end.
//  True when that happened.
static bool
s_pit_denied (rs_detect_t *self, int64_t ts, int64_t *since, bool full, bool agrees, bool pumping)
{
    if (!rs_since_held (since, full && !agrees, ts, PIT_DENY_S))
        return false;
    *since = INT64_MIN;
    rs_flowmodel_doubt_gain (self->flow, pumping);
    return true;
}

//  What the balance cannot tell from a kick or a loss, L/min: the hole
//  drilled with the bit size unknown, and the meter's gain as far as its
//  readings have measured it, one standard error (`sigma`, the balance's
//  noise, is one reading's: a gain averaged over a minute of a log read
//  every 30 s is two or three readings', 2% off at a 3% paddle's noise,
//  and the kick that raised stopped the learning that would have mended
//  it; two standard errors cost 9 kicks of 309 for 0.01 fewer false alarms
//  per 12 h).
static double
s_flow_unc (rs_detect_t *self, double sigma)
{
    const rs_flowmodel_view_t *fv = rs_flowmodel_view (self->flow);
    return fv->hole_unc + sqrt (fv->gain_var) * sigma;
}

static void
s_kick (rs_detect_t *self, int64_t ts, double dt, const double *ch, const rs_riginfo_t *rig,
        const rs_alert_sink_t *sink)
{
    rs_detect_view_t *v = &self->v;
    rs_alarm_t *a = &self->alarm[RS_DET_KICK];
    double qin = ch[RS_CH_FLOW_IN], rop = ch[RS_CH_ROP];
    double pit = ch[RS_CH_PIT_GAIN];
    if (isnan (pit))
        pit = ch[RS_CH_PIT_VOLUME];
    static const int need[] = { RS_CH_FLOW_IN, RS_CH_FLOW_OUT };
    if (s_missing (self, sink, RS_DET_KICK, ts, ch, need, 2)) {
        v->kick_cusum = 0;
        return;
    }

    //  Drilling break (ROP suddenly well above its recent level): a kick's
    //  secondary sign, reported with it.
    bool drilling = rig && rs_rig_drilling (rig->state);
    if (drilling && !isnan (rop)) {
        if (self->drill_t0 == INT64_MIN)
            self->drill_t0 = ts;
        rs_ema_step (&self->rop_fast, rop, dt, BREAK_FAST_S);
        rs_ema_step (&self->rop_slow, rop, dt, BREAK_SLOW_S);
        if ((double) (ts - self->drill_t0) > BREAK_SETTLE_S * 1e6 && self->rop_slow > 1
            && self->rop_fast > BREAK_RATIO * self->rop_slow)
            self->break_until = ts + (int64_t) (BREAK_HOLD_S * 1e6);
    }
    else {
        self->drill_t0 = INT64_MIN;
        self->rop_fast = NAN;
    }
    bool brk = self->break_until != INT64_MIN && ts < self->break_until;

    //  On a trip the pits take the pipe's displacement and the trip tank's
    //  transfers: without trip-tank logic their volume says nothing about
    //  the well, so it neither escalates a kick nor serves as its reference.
    bool tripping = rig && (rig->state == RS_RIG_TRIPPING_IN || rig->state == RS_RIG_TRIPPING_OUT
                            || rig->state == RS_RIG_IN_SLIPS || rig->state == RS_RIG_OUT_OF_HOLE);
    rs_cond_t cond;
    bool pumping = !isnan (qin) && qin > self->o.flow_lpm;
    double sigma = pumping ? rs_flowmodel_sigma (self->flow, qin) : SIGMA_MIN;
    double k = fmax (KICK_K_ABS, KICK_K_SIGMA * sigma) + s_flow_unc (self, pumping ? sigma : 0);
    //  On a trip with the pumps off a paddle's reading is the pipe's
    //  displacement draining and its zero offset as much as the well: under
    //  KICK_TRIP_LPM only the trip tank could tell, and that is not read.
    if (!pumping && tripping)
        k = fmax (k, KICK_TRIP_LPM);
    double h = fmax (KICK_H_MIN, KICK_H_SIGMA * sigma) * sqrt (fmax (dt, 1));
    //  Returns dying away with the pumps off are the well giving back what
    //  circulating pushed into it (rs_flowmodel): no kick while they do, or
    //  before two minutes of them have told.
    const rs_flowmodel_view_t *fv = rs_flowmodel_view (self->flow);
    //  Nor while the stop's flowback is within what the last stops gave back
    //  by the same time (rs_flowback): a well that balloons slower than
    //  that test can tell gives back as much at every connection.
    bool giving_back = !pumping && (fv->giving_back || fv->back_unsure
                                    || rs_flowback_verdict (&self->flowback) == RS_FLOWBACK_WITHIN);
    if (rig && rig->flags.shut_in) {
        v->kick_cusum = 0;
        cond = RS_COND_OFF;             //  the well is secured
    }
    else if (isnan (v->flow_balance)) {
        v->kick_cusum = 0;
        cond = RS_COND_UNKNOWN;
    }
    else if (!rs_flowmodel_trusted (self->flow, ts, pumping))
        cond = RS_COND_UNKNOWN;         //  a transient: the CUSUM waits
    else if (giving_back && !a->raised) {
        v->kick_cusum = 0;              //  nothing gathers meanwhile
        cond = RS_COND_OFF;
    }
    else {
        //  One sample moves it at most k + 6 sigma: a spike is not a kick.
        double inc = fmin (v->flow_balance - k, SPIKE_SIGMA * sigma);
        v->kick_cusum = fmin (fmax (0, v->kick_cusum + inc * dt), h);
        if (a->raised)
            cond = v->kick_cusum >= 0.2 * h || v->flow_balance_avg > k ? RS_COND_ON : RS_COND_OFF;
        else {
            bool agrees = s_pit_agrees (self, v->flow_balance_avg, tripping);
            cond = v->kick_cusum >= h && agrees ? RS_COND_ON : RS_COND_OFF;
            if (s_pit_denied (self, ts, &self->kick_denied, v->kick_cusum >= h, agrees, pumping))
                v->kick_cusum = 0;
        }
    }
    if (tripping)
        pit = NAN;
    bool was = a->raised;
    if ((!was && cond == RS_COND_ON) || (a->raised && isnan (self->kick_pit0)))
        self->kick_pit0 = pit;
    double gained = !isnan (pit) && !isnan (self->kick_pit0) ? pit - self->kick_pit0 : NAN;
    double bal = v->flow_balance_avg;
    rs_severity_t sev = (qin > 0 && bal > KICK_CRIT_REL * qin) || gained >= KICK_CRIT_PIT
                        ? RS_SEV_CRITICAL : RS_SEV_WARNING;
    rs_alert_state_t tr = rs_alarm_step (a, &s_cfg[RS_DET_KICK], ts, cond, sev);
    if (tr == RS_ALERT_NONE)
        return;
    char msg[256];
    if (tr == RS_ALERT_CLEARED)
        snprintf (msg, sizeof msg, "Kick alert cleared: %s", a->stale ? "no flow data"
                  : rig && rig->flags.shut_in ? "well shut in" : "returns back to expected");
    else {
        //  The pit's gain only where it is read (not on a trip, nor without a pit channel).
        char pitmsg[48] = "";
        if (!isnan (gained))
            snprintf (pitmsg, sizeof pitmsg, ", pit %+.2f m3 since alert", gained);
        if (pumping)
            snprintf (msg, sizeof msg, "Possible kick: flow out %.0f L/min above expected (%.1f%% of flow in)%s"
                      "%s. Stop drilling, flow check, prepare to shut in",
                      bal, 100 * bal / qin, brk ? " after a drilling break" : "", pitmsg);
        else
            snprintf (msg, sizeof msg, "Possible kick: well flowing %.0f L/min with pumps off%s. Shut in the well",
                      bal, pitmsg);
    }
    s_emit (self, sink, RS_DET_KICK, tr, ts, "flow_out", bal, NAN, msg);
}

static void
s_loss (rs_detect_t *self, int64_t ts, double dt, const double *ch, const rs_riginfo_t *rig,
        const rs_alert_sink_t *sink)
{
    rs_detect_view_t *v = &self->v;
    rs_alarm_t *a = &self->alarm[RS_DET_LOST_CIRCULATION];
    double qin = ch[RS_CH_FLOW_IN], qout = ch[RS_CH_FLOW_OUT];
    static const int need[] = { RS_CH_FLOW_IN, RS_CH_FLOW_OUT };
    if (s_missing (self, sink, RS_DET_LOST_CIRCULATION, ts, ch, need, 2)) {
        v->loss_cusum = 0;
        return;
    }
    bool tripping = rig && (rig->state == RS_RIG_TRIPPING_IN || rig->state == RS_RIG_TRIPPING_OUT
                            || rig->state == RS_RIG_IN_SLIPS || rig->state == RS_RIG_OUT_OF_HOLE);
    //  Returns down with the pressure up is a pack-off, not losses; and a
    //  kill (and a while after it) has returns of its own.
    bool pressure_up = (!isnan (v->spp_dev) && v->spp_dev > RS_PRESSMODEL_RISE)
                       || (!isnan (v->spp_rise) && v->spp_rise > RS_PRESSMODEL_RISE)
                       || self->alarm[RS_DET_PACK_OFF].raised
                       || (self->packoff_end != INT64_MIN && (double) (ts - self->packoff_end) < LOSS_AFTER_PACK_S * 1e6);
    bool after_kill = self->kill_hold && (double) (ts - self->last_shut_in) < LOSS_AFTER_KILL_S * 1e6;
    //  With the pumps back a ballooning formation takes again what it gave
    //  back at the stop (rs_flowback): nothing gathers until more is lost.
    bool taking_back = rs_flowback_taking_back (&self->flowback);
    rs_cond_t cond;
    if (after_kill) {
        v->loss_cusum = 0;
        cond = RS_COND_OFF;
    }
    else if (isnan (v->flow_balance) || qin < LOSS_MIN_FLOW) {
        v->loss_cusum = 0;
        cond = RS_COND_UNKNOWN;
    }
    else if (!rs_flowmodel_trusted (self->flow, ts, true))
        cond = RS_COND_UNKNOWN;         //  a transient: the CUSUM waits
    else {
        double sigma = rs_flowmodel_sigma (self->flow, qin);
        //  The hole drilled takes mud; with the bit size unknown the
        //  allowance covers the largest hole.
        double k = fmax (LOSS_K_ABS, LOSS_K_SIGMA * sigma) + s_flow_unc (self, sigma);
        double h = LOSS_H * sqrt (fmax (dt, 1));
        double inc = fmin (-v->flow_balance - k, SPIKE_SIGMA * sigma);
        v->loss_cusum = (pressure_up || taking_back) && !a->raised ? 0 : fmin (fmax (0, v->loss_cusum + inc * dt), 3 * h);
        if (a->raised)
            cond = v->loss_cusum >= 0.2 * h || -v->flow_balance_avg > k ? RS_COND_ON : RS_COND_OFF;
        else {
            bool agrees = s_pit_agrees (self, v->flow_balance_avg, tripping);
            cond = v->loss_cusum >= h && !pressure_up && agrees ? RS_COND_ON : RS_COND_OFF;
            if (s_pit_denied (self, ts, &self->loss_denied, v->loss_cusum >= h && !pressure_up, agrees, true))
                v->loss_cusum = 0;
        }
    }
    double loss = -v->flow_balance_avg;        // L/min
    double bbl_h = loss * 60 / L_PER_BBL;
    bool total = !isnan (qout) && !isnan (qin) && qin > LOSS_MIN_FLOW && qout < 0.05 * qin;
    rs_severity_t sev = total || bbl_h > 100 ? RS_SEV_CRITICAL : bbl_h >= 50 ? RS_SEV_WARNING : RS_SEV_INFO;
    rs_alert_state_t tr = rs_alarm_step (a, &s_cfg[RS_DET_LOST_CIRCULATION], ts, cond, sev);
    if (tr == RS_ALERT_NONE)
        return;
    char msg[256];
    const char *kind = total ? "total" : bbl_h > 100 ? "severe" : bbl_h >= 50 ? "partial" : "seepage";
    if (tr == RS_ALERT_CLEARED)
        snprintf (msg, sizeof msg, "Lost circulation cleared: returns back to expected%s",
                  a->stale ? " (no flow data)" : "");
    else
        snprintf (msg, sizeof msg, "Lost circulation (%s losses): returns %.0f L/min below expected "
                  "(%.0f bbl/h). Reduce pump rate, watch the pit, prepare LCM", kind, loss, bbl_h);
    s_emit (self, sink, RS_DET_LOST_CIRCULATION, tr, ts, "flow_out", isnan (loss) ? NAN : -loss, NAN, msg);
}

static void
s_washout (rs_detect_t *self, int64_t ts, const double *ch, const rs_alert_sink_t *sink)
{
    rs_detect_view_t *v = &self->v;
    rs_alarm_t *a = &self->alarm[RS_DET_WASHOUT];
    double qin = ch[RS_CH_FLOW_IN];
    static const int need[] = { RS_CH_SPP, RS_CH_FLOW_IN };
    if (s_missing (self, sink, RS_DET_WASHOUT, ts, ch, need, 2))
        return;
    rs_cond_t cond;
    //  Three 2-minute segments, newest first: a washout wears the pressure
    //  down steadily, so each is lower than the one before; a step (the end
    //  of a pack-off, a pump change) is not a washout.
    double a3 = rs_pressmodel_wash_mean (self->press, 0, WASH_SEG_MIN, qin);
    double b3 = rs_pressmodel_wash_mean (self->press, WASH_SEG_MIN, 2 * WASH_SEG_MIN, qin);
    double c3 = rs_pressmodel_wash_mean (self->press, 2 * WASH_SEG_MIN, 3 * WASH_SEG_MIN, qin);
    if (isnan (v->spp_drop))
        cond = RS_COND_UNKNOWN;
    else if (!a->raised) {
        bool returns_ok = isnan (v->flow_balance_avg) || v->flow_balance_avg > -0.03 * qin;
        bool others = self->alarm[RS_DET_LOST_CIRCULATION].raised || self->alarm[RS_DET_PACK_OFF].raised
                      || self->alarm[RS_DET_KICK].raised;
        bool wearing = !isnan (c3) && b3 < c3 * (1 - WASH_SEG_DROP) && a3 < b3 * (1 - WASH_SEG_DROP);
        cond = v->spp_drop >= WASH_DROP && wearing && returns_ok && !others ? RS_COND_ON : RS_COND_OFF;
    }
    else {
        //  Cleared once the pressure has stopped falling.
        bool stable = !isnan (b3) && !isnan (a3) && fabs (a3 - b3) < WASH_STABLE_REL * b3;
        cond = stable || v->spp_drop < 0.01 ? RS_COND_OFF : RS_COND_ON;
    }
    rs_severity_t sev = v->spp_drop >= 0.08 ? RS_SEV_CRITICAL : RS_SEV_WARNING;
    rs_alert_state_t tr = rs_alarm_step (a, &s_cfg[RS_DET_WASHOUT], ts, cond, sev);
    if (tr == RS_ALERT_NONE)
        return;
    char msg[256];
    double spp = ch[RS_CH_SPP];
    if (tr == RS_ALERT_CLEARED) {
        snprintf (msg, sizeof msg, "Washout alert cleared: standpipe pressure stable%s. Inspect the "
                  "string for a washed-out joint at the next trip", a->stale ? " (no data)" : "");
        //  The new level is the reference from now on.
        rs_pressmodel_wash_restart (self->press);
    }
    else
        snprintf (msg, sizeof msg, "Possible washout: standpipe pressure %.1f%% below its 30-min high "
                  "at the same flow (%.0f bar). Check surface lines, then plan to pull and inspect",
                  100 * v->spp_drop, spp);
    s_emit (self, sink, RS_DET_WASHOUT, tr, ts, "spp", spp, NAN, msg);
}

//  Torque and RPM references while rotating normally.
static void
s_torque_refs (rs_detect_t *self, double dt, const double *ch, const rs_riginfo_t *rig, bool rotating)
{
    double rpm = ch[RS_CH_RPM], tq = ch[RS_CH_TORQUE];
    if (rotating && !isnan (tq) && !self->alarm[RS_DET_STUCK_PIPE].raised && rig
        && (rs_rig_drilling (rig->state) || rig->state == RS_RIG_CIRCULATING
            || rig->state == RS_RIG_REAMING)) {
        double k = rs_ema_gain (dt, TQ_REF_TAU_S);
        self->tq_ref = isnan (self->tq_ref) ? tq : self->tq_ref + (tq - self->tq_ref) * k;
        self->rpm_ref = isnan (self->rpm_ref) ? rpm : self->rpm_ref + (rpm - self->rpm_ref) * k;
    }
}

//  The weight the string hangs at free, kN, that an overpull is judged
//  against (NaN: not known).
static double
s_free_weight (rs_detect_t *self, int64_t ts, double dt, const double *ch, const rs_riginfo_t *rig, bool slips,
               bool rotating)
{
    bool raised = self->alarm[RS_DET_STUCK_PIPE].raised;
    double hook = ch[RS_CH_HOOK_LOAD];
    double block = ch[RS_CH_BLOCK_POS], bit = ch[RS_CH_BIT_DEPTH], hole = ch[RS_CH_HOLE_DEPTH];
    //  Block and bit speeds since the second newest point, m/s (NaN: unknown).
    double v_block = NAN, v_bit = NAN;
    if (self->sp_n >= 2) {
        const spoint_t *p = &self->sp[(self->sp_head + STUCK_HIST - 2) % STUCK_HIST];
        double secs = (double) (ts - p->ts) / 1e6;
        if (secs > 0) {
            v_block = (block - p->block) / secs;
            v_bit = (bit - p->bit) / secs;
        }
    }
    bool moving_up = v_block > PIPE_MOVE_MS || (isnan (block) && -v_bit > PIPE_MOVE_MS);
    //  The free-hanging weight: the hook load while the string is picked up
    //  (the highest a free string weighs: drag adds to it) or rotates off
    //  bottom, out of slips. Overpull is the hook load above it. WOB is not
    //  used: a WOB sensor pinned at a floor reads as a pull. A string lifted
    //  two samples running is free whatever it weighs; the first sample of
    //  a lift may still read the slips' load through the median of three
    //  (Volve F-9 read every 11 s: seeded from it at the block's weight, every
    //  pick-up after looked like a pull and was never learned, and a string
    //  left hanging was "126 kN over the free-hanging weight"). Turning in
    //  place, a load well over it is not learned: a stuck string may turn;
    //  nor one well under it: the string set in the slips while the RPM
    //  still reads turning through the median of three (a log read every
    //  10 s: the block's weight pulled the free weight 100 kN down at a
    //  connection, and the string picked up after was "stuck").
    bool off_bottom = !isnan (bit) && !isnan (hole) && bit < hole - FREE_OFF_M;
    //  Not learned within FREE_MAX_M (nor the weight it last moved at,
    //  below): 50 m more pipe weighs 10-25 kN, and a deadline sensor's zero
    //  wanders as much over the hours it takes to drill them (a weight
    //  learned 85 m shallower, the string hanging still after a stand
    //  drilled read "80 kN over the free-hanging weight", a critical stuck
    //  pipe, with 100 m).
    if (!isnan (self->free_bit) && !isnan (bit) && fabs (bit - self->free_bit) > FREE_MAX_M)
        self->free_hook = self->free_bit = NAN;
    if (!isnan (self->move_bit) && !isnan (bit) && fabs (bit - self->move_bit) > FREE_MAX_M)
        self->move_hook = self->move_bit = NAN;
    bool lifting = off_bottom && !slips && moving_up;
    bool lifted = lifting && self->was_lifting;
    if (off_bottom && !slips && !raised
        && (lifted || (rotating && (isnan (self->free_hook) || fabs (hook - self->free_hook) < STUCK_KEEP * STUCK_OVERPULL)))) {
        rs_ema_step (&self->free_hook, hook, dt, FREE_TAU_S);
        self->free_bit = bit;
    }
    self->was_lifting = lifting;
    //  A string that stopped hanging (a pause in a trip) weighs what it did
    //  when it last moved, whatever the drag: only a pull beyond that is an
    //  overpull. The slips end that reference (a pick-up starts afresh). A
    //  string moving with weight on the bit is not hanging, and the first
    //  sample of a movement is not yet its weight: a pick-up off bottom in
    //  one 10-s sample read the drilling hook load (the WOB still on the
    //  bit, the hook load a sample behind through the median of three), and
    //  the string left hanging after it was "130 kN of overpull" for as
    //  long as it hung (simulator, 10-s samples).
    bool bit_loaded = rig && (rig->flags.on_bottom || rig->flags.weight_on_bit);
    bool moving = fabs (v_block) > PIPE_MOVE_MS || fabs (v_bit) > PIPE_MOVE_MS;
    //  Without a bit depth a travelling block may be an empty one (in the
    //  slips, unseen): only one that pumps or turns carries the string.
    bool pumping = !isnan (ch[RS_CH_FLOW_IN]) && ch[RS_CH_FLOW_IN] > self->o.flow_lpm;
    if (slips)
        self->move_hook = NAN;
    else if (!raised && !bit_loaded && moving && self->was_moving && (!isnan (bit) || rotating || pumping)) {
        self->move_hook = hook;
        self->move_bit = bit;
    }
    self->was_moving = moving && !bit_loaded;
    return fmax (self->free_hook, self->move_hook);     // fmax skips a NaN
}

//  Stuck is a string the driller works (pulls or stalls) and that has not
//  moved STUCK_MOVE_M since the first pull, the string and the hole still
//  over STUCK_WIN_S, out of slips: the condition holds between pulls while
//  he works it (up to STUCK_WORK_S apart), so the alarm's on-time is time
//  spent unable to free it. Raised, it holds while the string is still and
//  worked; it clears after the hold time without either.
static rs_cond_t
s_stuck_cond (rs_detect_t *self, int64_t ts, const double *ch, bool slips, bool rotating, double overpull)
{
    bool raised = self->alarm[RS_DET_STUCK_PIPE].raised;
    double rpm = ch[RS_CH_RPM], tq = ch[RS_CH_TORQUE];
    double block = ch[RS_CH_BLOCK_POS], bit = ch[RS_CH_BIT_DEPTH], hole = ch[RS_CH_HOLE_DEPTH];
    int64_t cut = ts - (int64_t) (STUCK_WIN_S * 1e6);
    const spoint_t *old = NULL;
    for (size_t i = 0; i < self->sp_n; i++) {
        const spoint_t *p = &self->sp[(self->sp_head + STUCK_HIST - 1 - i) % STUCK_HIST];
        old = p;
        if (p->ts <= cut)
            break;
    }
    if (!old || old->ts > cut)
        return raised ? RS_COND_ON : RS_COND_OFF;       // not enough history yet
    rs_cond_t cond;
    bool still = (isnan (block) || isnan (old->block) || fabs (block - old->block) < STUCK_MOVE_M)
                 && (isnan (bit) || isnan (old->bit) || fabs (bit - old->bit) < STUCK_MOVE_M)
                 && (isnan (hole) || isnan (old->hole) || hole - old->hole < STUCK_HOLE_M);
    bool recent_slips = self->last_slips != INT64_MIN && self->last_slips > cut;
    bool stall = rotating && !isnan (tq) && !isnan (self->tq_ref) && !isnan (self->rpm_ref)
                 && tq > STUCK_STALL * self->tq_ref && tq > self->tq_ref + 5
                 && rpm < STUCK_STALL_RPM * self->rpm_ref;
    double need = raised ? STUCK_KEEP * STUCK_OVERPULL : STUCK_OVERPULL;
    bool pulled = !isnan (overpull) && overpull >= need;
    bool worked = pulled || stall;
    bool moved = !isnan (self->stuck_block) && !isnan (block) && fabs (block - self->stuck_block) >= STUCK_MOVE_M;
    moved = moved || (!isnan (self->stuck_bit) && !isnan (bit) && fabs (bit - self->stuck_bit) >= STUCK_MOVE_M);
    if (!still || slips || moved || (!raised && recent_slips)) {
        self->stuck_since = INT64_MIN;
        cond = RS_COND_OFF;
    }
    else {
        if (worked) {
            if (self->stuck_since == INT64_MIN) {
                self->stuck_since = ts;
                self->stuck_block = block;
                self->stuck_bit = bit;
            }
            self->stuck_pull = ts;
        }
        bool working = self->stuck_since != INT64_MIN && (double) (ts - self->stuck_pull) <= STUCK_WORK_S * 1e6;
        if (!working)
            self->stuck_since = INT64_MIN;
        cond = (raised ? worked : working) ? RS_COND_ON : RS_COND_OFF;
    }
    if (self->stuck_since == INT64_MIN)
        self->stuck_block = self->stuck_bit = NAN;
    return cond;
}

static void
s_stuck (rs_detect_t *self, int64_t ts, double dt, const double *ch, const rs_riginfo_t *rig,
         const rs_alert_sink_t *sink)
{
    rs_alarm_t *a = &self->alarm[RS_DET_STUCK_PIPE];
    double hook = ch[RS_CH_HOOK_LOAD], rpm = ch[RS_CH_RPM], tq = ch[RS_CH_TORQUE];
    bool slips = rig && rig->flags.in_slips;
    if (slips)
        self->last_slips = ts;
    s_stuck_push (self, ts, ch);
    //  A hook load back from HOOK_GAP_S without a reading (a dead cell,
    //  zeros for "no reading") weighs the string afresh: what it weighed
    //  before may be a frozen reading's (a cell frozen for an hour, then
    //  zeros, then live: the string hanging still at its weight was "135 kN
    //  over the free-hanging weight", a critical stuck pipe).
    if (!isnan (hook)) {
        if (self->hook_seen != INT64_MIN && (double) (ts - self->hook_seen) >= HOOK_GAP_S * 1e6)
            self->free_hook = self->free_bit = self->move_hook = self->rot_hook = NAN;
        self->hook_seen = ts;
    }
    static const int need_hook[] = { RS_CH_HOOK_LOAD };
    const int need_pos[] = { isnan (ch[RS_CH_BLOCK_POS]) ? RS_CH_BIT_DEPTH : RS_CH_BLOCK_POS };
    if (s_missing (self, sink, RS_DET_STUCK_PIPE, ts, ch, need_hook, 1)
        || s_missing (self, sink, RS_DET_STUCK_PIPE, ts, ch, need_pos, 1))
        return;
    bool rotating = !isnan (rpm) && rpm > 2;
    s_torque_refs (self, dt, ch, rig, rotating);
    double overpull = hook - s_free_weight (self, ts, dt, ch, rig, slips, rotating);
    rs_cond_t cond = s_stuck_cond (self, ts, ch, slips, rotating, overpull);
    rs_alert_state_t tr = rs_alarm_step (a, &s_cfg[RS_DET_STUCK_PIPE], ts, cond, RS_SEV_CRITICAL);
    if (tr == RS_ALERT_NONE)
        return;
    char msg[256];
    if (tr == RS_ALERT_CLEARED)
        snprintf (msg, sizeof msg, "Stuck pipe alert cleared: string free (moving, or neither pulled nor "
                  "stalled for %.0f s)%s", s_cfg[RS_DET_STUCK_PIPE].off_s, a->stale ? " (no data)" : "");
    else
        snprintf (msg, sizeof msg, "Stuck pipe suspected: string not moving, hook load %.0f kN "
                  "(%.0f kN over the free-hanging weight), torque %.1f kN.m at %.0f rpm. Work the pipe, "
                  "keep circulating if possible", hook, isnan (overpull) ? 0.0 : overpull, tq, rpm);
    s_emit (self, sink, RS_DET_STUCK_PIPE, tr, ts, "hook_load", hook, NAN, msg);
}

//  What the annulus shows beside a pressure rise: 1 returns down or, rotating,
//  torque up; 0 nothing, with a channel that would show it; -1 no such
//  channel (then the pressure is judged alone).
static int
s_annulus_sign (rs_detect_t *self, int64_t ts, const double *ch, const rs_riginfo_t *rig)
{
    const rs_detect_view_t *v = &self->v;
    int seen = -1;
    double qin = ch[RS_CH_FLOW_IN], tq = ch[RS_CH_TORQUE];
    if (!isnan (v->flow_balance_avg) && rs_flowmodel_trusted (self->flow, ts, true)) {
        seen = 0;
        double sigma = rs_flowmodel_sigma (self->flow, qin);
        if (-v->flow_balance_avg > fmax (PACK_RET_REL * qin, PACK_RET_K * sigma))
            return 1;
    }
    if (rig && rig->flags.rotating && !isnan (tq) && !isnan (self->pack_tq0)) {
        seen = 0;
        if (tq > (1 + PACK_TQ_REL) * self->pack_tq0)
            return 1;
    }
    return seen;
}

static void
s_packoff (rs_detect_t *self, int64_t ts, double dt, const double *ch, const rs_riginfo_t *rig,
           const rs_alert_sink_t *sink)
{
    rs_detect_view_t *v = &self->v;
    rs_alarm_t *a = &self->alarm[RS_DET_PACK_OFF];
    static const int need[] = { RS_CH_SPP, RS_CH_FLOW_IN };
    if (s_missing (self, sink, RS_DET_PACK_OFF, ts, ch, need, 2))
        return;
    rs_cond_t cond;
    //  Up against the slow reference, or (with no reference yet, e.g. just
    //  after a trip) against the last minute's low.
    double up = !isnan (v->spp_dev) ? v->spp_dev : NAN;
    if (!isnan (v->spp_rise) && (isnan (up) || v->spp_rise > up))
        up = v->spp_rise;
    //  A rise must stand out of the coefficient's own noise too.
    double noise = v->spp_noise;
    double raise_at = fmax (PACK_DEV, PACK_NOISE_K * noise), clear_at = fmax (PACK_CLEAR_DEV, PACK_CLEAR_K * noise);
    rs_since_track (&self->press_since, !isnan (up), ts);
    //  The annulus need show it only once while the pressure is up.
    if (isnan (up) || up < clear_at) {
        self->packoff_sign = false;
        self->sign_since = INT64_MIN;
        double tq = ch[RS_CH_TORQUE];
        if (rig && rig->flags.rotating && !isnan (tq))
            rs_ema_step (&self->pack_tq0, tq, dt, PACK_TQ_TAU_S);
        else
            self->pack_tq0 = NAN;
    }
    else if (!self->packoff_sign) {
        int sign = s_annulus_sign (self, ts, ch, rig);
        bool sign_held = rs_since_held (&self->sign_since, sign > 0, ts, PACK_SIGN_S);
        self->packoff_sign = (double) (ts - self->press_since) <= PACK_FRESH_S * 1e6 || sign < 0 || sign_held;
    }
    if (isnan (up) || isnan (noise))
        cond = RS_COND_UNKNOWN;
    else if (a->raised)
        cond = up > clear_at ? RS_COND_ON : RS_COND_OFF;
    else
        cond = up >= raise_at && self->packoff_sign ? RS_COND_ON : RS_COND_OFF;
    double spp = ch[RS_CH_SPP];
    rs_severity_t sev = up >= 2 * raise_at ? RS_SEV_CRITICAL : RS_SEV_WARNING;
    rs_alert_state_t tr = rs_alarm_step (a, &s_cfg[RS_DET_PACK_OFF], ts, cond, sev);
    if (tr == RS_ALERT_NONE)
        return;
    char msg[256];
    if (tr == RS_ALERT_CLEARED) {
        self->packoff_end = ts;
        snprintf (msg, sizeof msg, "Pack-off alert cleared: standpipe pressure back to normal%s",
                  a->stale ? " (no data)" : "");
    }
    else
        snprintf (msg, sizeof msg, "Possible pack-off: standpipe pressure %.0f bar, %.0f%% above normal "
                  "at the same flow%s. Reduce pump rate, work the pipe to restore circulation",
                  spp, 100 * up,
                  !isnan (v->flow_balance_avg) && v->flow_balance_avg < -50 ? ", returns down" : "");
    s_emit (self, sink, RS_DET_PACK_OFF, tr, ts, "spp", spp, NAN, msg);
}

//  Mean of the balling history points [from, to) minutes back; NaN if short.
static double
s_ball_mean (const rs_detect_t *self, size_t from, size_t to)
{
    if (self->ball_n < to)
        return NAN;
    double sum = 0;
    for (size_t i = from; i < to; i++)
        sum += self->ball_d[(self->ball_head + BALL_HIST - 1 - i) % BALL_HIST];
    return sum / (double) (to - from);
}

static void
s_balling (rs_detect_t *self, int64_t ts, const double *ch, const rs_riginfo_t *rig,
           const rs_alert_sink_t *sink)
{
    rs_alarm_t *a = &self->alarm[RS_DET_BIT_BALLING];
    const rs_detect_view_t *v = &self->v;
    double rop = ch[RS_CH_ROP], wob = ch[RS_CH_WOB], rpm = ch[RS_CH_RPM];
    static const int need[] = { RS_CH_ROP, RS_CH_WOB, RS_CH_RPM };
    if (s_missing (self, sink, RS_DET_BIT_BALLING, ts, ch, need, 3))
        return;
    bool drilling = rig && rs_rig_drilling (rig->state);
    bool settled = rs_since_held (&self->drill_since, drilling, ts, BALL_SETTLE_S);
    //  A pack-off or stuck pipe also slows the bit: not balling.
    bool other = self->alarm[RS_DET_PACK_OFF].raised || self->alarm[RS_DET_STUCK_PIPE].raised
                 || (!isnan (v->spp_dev) && v->spp_dev > RS_PRESSMODEL_RISE)
                 || (!isnan (v->spp_rise) && v->spp_rise > RS_PRESSMODEL_RISE);
    //  Drillability: ROP per unit WOB and RPM^0.6, a minute at a time.
    if (settled && !other && !isnan (rop) && !isnan (wob) && !isnan (rpm) && wob > 1 && rpm > 2) {
        double d = rop / (wob * pow (rpm, 0.6));
        if (self->ball_acc_n == 0)
            self->ball_next = ts + 60 * 1000000LL;
        self->ball_acc_d += d;
        self->ball_acc_rpm += rpm;
        self->ball_acc_n++;
        self->d_cur = isnan (self->d_cur) ? d : self->d_cur + (d - self->d_cur) * 0.02;
    }
    if (self->ball_acc_n > 0 && ts >= self->ball_next) {
        double d = self->ball_acc_d / self->ball_acc_n, r = self->ball_acc_rpm / self->ball_acc_n;
        //  A new RPM is the driller's answer to new rock: start over.
        for (size_t i = 0; i < self->ball_n && i < BALL_REF_MIN; i++) {
            double past = self->ball_rpm[(self->ball_head + BALL_HIST - 1 - i) % BALL_HIST];
            if (fabs (r - past) > BALL_RPM_REL * past) {
                self->ball_n = 0;
                break;
            }
        }
        if (self->ball_acc_n >= 20) {
            self->ball_d[self->ball_head] = d;
            self->ball_rpm[self->ball_head] = r;
            self->ball_head = (self->ball_head + 1) % BALL_HIST;
            if (self->ball_n < BALL_HIST)
                self->ball_n++;
        }
        self->ball_acc_n = 0;
        self->ball_acc_d = self->ball_acc_rpm = 0;
    }

    rs_cond_t cond = RS_COND_UNKNOWN;
    double seg[BALL_SEGS];
    for (int i = 0; i < BALL_SEGS; i++)
        seg[i] = s_ball_mean (self, (size_t) i * BALL_SEG_MIN, (size_t) (i + 1) * BALL_SEG_MIN);
    //  The recent best: the highest 2-minute mean of the last 20 minutes
    //  (single minutes are too noisy to take the highest of).
    double high = NAN;
    for (size_t i = 0; i + BALL_SEG_MIN <= self->ball_n && i + BALL_SEG_MIN <= BALL_REF_MIN; i++) {
        double x = s_ball_mean (self, i, i + BALL_SEG_MIN);
        if (isnan (high) || x > high)
            high = x;
    }
    if (!settled)
        cond = RS_COND_UNKNOWN;
    else if (other)
        cond = a->raised ? RS_COND_UNKNOWN : RS_COND_OFF;
    else if (a->raised)
        cond = isnan (self->d_cur) ? RS_COND_UNKNOWN
               : self->d_cur < (1 - BALL_DROP / 2) * self->ball_ref ? RS_COND_ON : RS_COND_OFF;
    else if (!isnan (seg[BALL_SEGS - 1])) {
        //  Balling builds up: each segment lower than the one before (a
        //  change of rock is a step), and well below the recent best.
        bool wearing = true;
        for (int i = 0; i + 1 < BALL_SEGS; i++)
            wearing = wearing && seg[i] < seg[i + 1] * (1 - BALL_SEG_DROP);
        cond = wearing && seg[0] < (1 - BALL_DROP) * high ? RS_COND_ON : RS_COND_OFF;
    }
    else
        cond = RS_COND_OFF;
    if (!a->raised && cond == RS_COND_ON)
        self->ball_ref = high;
    double ratio = !isnan (self->d_cur) && self->ball_ref > 0 ? self->d_cur / self->ball_ref : NAN;
    rs_alert_state_t tr = rs_alarm_step (a, &s_cfg[RS_DET_BIT_BALLING], ts, cond, RS_SEV_WARNING);
    if (tr == RS_ALERT_NONE)
        return;
    char msg[256];
    if (tr == RS_ALERT_CLEARED)
        snprintf (msg, sizeof msg, "Bit balling alert cleared: %s",
                  a->stale ? "no drilling for an hour" : "ROP per unit weight back to normal");
    else
        snprintf (msg, sizeof msg, "Possible bit balling: ROP %.1f m/h, %.0f%% below its recent best for the "
                  "weight and RPM, falling steadily (WOB %.0f kN). Raise flow, pull off bottom and spin "
                  "the bit clean", rop, 100 * (1 - ratio), wob);
    s_emit (self, sink, RS_DET_BIT_BALLING, tr, ts, "rop", rop, NAN, msg);
}

//  --------------------------------------------------------------------------

static double
s_median3 (double a, double b, double c)
{
    return a > b ? (b > c ? b : a > c ? c : a) : (a > c ? a : b > c ? c : b);
}

//  What the detectors see: single-sample spikes removed (median of three),
//  and a flow in of 0 while the pumps stroke taken as no reading.
static void
s_clean (rs_detect_t *self, const double *in, double *ch)
{
    memcpy (ch, in, sizeof (double) * RS_CH_COUNT);
    for (int i = 0; i < DS_COUNT; i++) {
        double x = in[s_ds_ch[i]], *h = self->ds[i];
        if (!isnan (x) && !isnan (h[0]) && !isnan (h[1]))
            ch[s_ds_ch[i]] = s_median3 (h[0], h[1], x);
        h[0] = h[1];
        h[1] = x;
    }
    double spm = (isnan (in[RS_CH_SPM1]) ? 0 : in[RS_CH_SPM1]) + (isnan (in[RS_CH_SPM2]) ? 0 : in[RS_CH_SPM2]);
    if (ch[RS_CH_FLOW_IN] == 0 && spm > 10)
        ch[RS_CH_FLOW_IN] = NAN;
}

//  Drilling farther than WOBZ_MAX_M from the free reading: a step of WOB +
//  hook load that holds is the WOB's zero moving (a sensor's offset
//  mid-stand read as "bit balling" until the next connection).
static void
s_wob_step (rs_detect_t *self, int64_t ts, double dt, double wob, double hook, bool drilling)
{
    double sum = wob + hook;
    if (!drilling) {
        self->sum_fast = self->sum_pre = self->wob_last = self->hook_last = NAN;
        self->sum_step_since = INT64_MIN;
        return;
    }
    if (isnan (self->sum_fast))
        self->sum_fast = sum;
    //  A sensor's offset moves the WOB alone, at once: weight put on the bit
    //  leaves the hook (the sum holds), drag and overpull move the hook.
    double dw = wob - self->wob_last, dh = hook - self->hook_last;
    if (self->sum_step_since == INT64_MIN && dt <= WOBZ_JUMP_S && fabs (dw) > WOBZ_MAX_KN
        && fabs (dh) < WOBZ_HOOK_SHARE * fabs (dw)) {
        self->sum_step_since = ts;
        self->sum_pre = self->sum_fast;
        self->sum_fast = sum;
    }
    rs_ema_step (&self->sum_fast, sum, dt, WOBZ_FAST_S);
    self->wob_last = wob;
    self->hook_last = hook;
    if (self->sum_step_since != INT64_MIN && (double) (ts - self->sum_step_since) >= WOBZ_STEP_S * 1e6) {
        double step = self->sum_fast - self->sum_pre;
        if (fabs (step) > WOBZ_MAX_KN)
            self->wob_zero = (isnan (self->wob_zero) ? 0 : self->wob_zero) + step;
        self->sum_step_since = INT64_MIN;
    }
}

//  A WOB is the hook load's drop from the string's free-rotating weight off
//  bottom, zeroed by the driller there: one zeroed with another string
//  (stands added since, a reference left over) reads tens of kN off, either
//  way, and every model that weighs the bit with it goes wrong (a stale
//  zero 20-80 kN off read as "bit balling" 0.07 times per 12 h in the
//  simulator). Two readings of its zero: turning still off bottom out of
//  the slips the bit carries nothing, so the WOB reads its zero there; on
//  bottom, WOB + hook load is the free-rotating weight whatever the bit
//  carries, so their sum less that weight is the zero. Farther from the
//  free reading, where the string has grown, a step of the sum that holds
//  is the zero moving (s_wob_step). While the zero is off by more than
//  WOBZ_MAX_KN the detectors read no WOB.
static void
s_wob_zero (rs_detect_t *self, int64_t ts, double dt, double *ch, const rs_riginfo_t *rig)
{
    double wob = ch[RS_CH_WOB], hook = ch[RS_CH_HOOK_LOAD];
    double bit = ch[RS_CH_BIT_DEPTH], hole = ch[RS_CH_HOLE_DEPTH];
    if (!rig || isnan (wob) || isnan (hook))
        return;
    double k = rs_ema_gain (dt, WOBZ_TAU_S);
    //  Turning off bottom at the weight the string hangs at free (one worked
    //  against a stuck point reads its pull as WOB, and weighs more).
    bool turning_off = (rig->state == RS_RIG_CIRCULATING || rig->state == RS_RIG_OFF_BOTTOM)
                       && rig->flags.rotating && !rig->flags.in_slips && !rig->flags.moving
                       && !rig->flags.on_bottom && !(bit > hole - FREE_OFF_M)
                       && fabs (hook - self->free_hook) < WOBZ_MAX_KN && !self->alarm[RS_DET_STUCK_PIPE].raised;
    if (turning_off) {
        self->rot_hook = isnan (self->rot_hook) ? hook : self->rot_hook + (hook - self->rot_hook) * k;
        self->rot_bit = bit;
        self->wob_zero = isnan (self->wob_zero) ? wob : self->wob_zero + (wob - self->wob_zero) * k;
    }
    //  A string longer by more than a stand weighs more than it did.
    else if (rs_rig_drilling (rig->state) && !isnan (self->rot_hook) && fabs (bit - self->rot_bit) < WOBZ_MAX_M) {
        double z = wob + hook - self->rot_hook;
        self->wob_zero = isnan (self->wob_zero) ? z : self->wob_zero + (z - self->wob_zero) * k;
    }
    bool near_free = !isnan (self->rot_hook) && fabs (bit - self->rot_bit) < WOBZ_MAX_M;
    s_wob_step (self, ts, dt, wob, hook, rs_rig_drilling (rig->state) && !near_free);
    self->v.wob_zero = self->wob_zero;
    if (fabs (self->wob_zero) > WOBZ_MAX_KN)
        ch[RS_CH_WOB] = NAN;
}

void
rs_detect_feed (rs_detect_t *self, int64_t ts_us, const double ch_in[RS_CH_COUNT],
                const rs_riginfo_t *rig, const rs_alert_sink_t *sink)
{
    if (self->started && ts_us <= self->last_ts)
        return;
    double dt = self->started ? (double) (ts_us - self->last_ts) / 1e6 : 0;
    if (dt > MAX_GAP_S) {
        s_reset_models (self);
        dt = 0;
    }
    self->started = true;
    self->last_ts = ts_us;
    double ch[RS_CH_COUNT];
    rs_pressmodel_noise (self->press, ts_us, ch_in);
    s_clean (self, ch_in, ch);
    //  No hole depth reported: the one the rig state found from the bit
    //  drilling (the hole drilled takes mud; off bottom is where overpull
    //  is judged).
    if (isnan (ch[RS_CH_HOLE_DEPTH]) && rig && rig->hole_from_bit)
        ch[RS_CH_HOLE_DEPTH] = rig->hole_depth_m;
    s_wob_zero (self, ts_us, dt, ch, rig);

    //  After a shut-in the kill goes on at a low rate with returns through
    //  the choke; the first pump stop after it ends that.
    if (rig && rig->flags.shut_in) {
        self->last_shut_in = ts_us;
        self->kill_hold = true;
    }
    else if (self->kill_hold && !isnan (ch[RS_CH_FLOW_IN]) && ch[RS_CH_FLOW_IN] < self->o.flow_lpm)
        self->kill_hold = false;
    //  The gain and noise of the returns meter are learned only while no
    //  flow anomaly is raised or building up, nor the formation taking back
    //  what it gave at the last stop (its losses held out of the CUSUM, so
    //  they would be learned as the meter's gain and noise).
    const rs_detect_view_t *v = &self->v;
    //  (a fifth of the CUSUMs' least h, which grows as the root of the
    //  sample interval as theirs do: a 30-s log's meter was "loud" at a
    //  3.6th of it, and a gain learned a few percent off stayed so).
    double root = sqrt (fmax (dt, 1));
    bool quiet = v->kick_cusum < 0.2 * KICK_H_MIN * root && v->loss_cusum < 0.2 * LOSS_H * root
                 && !self->alarm[RS_DET_KICK].raised && !self->alarm[RS_DET_LOST_CIRCULATION].raised
                 && !self->alarm[RS_DET_PACK_OFF].raised && !rs_flowback_taking_back (&self->flowback);
    rs_flowmodel_feed (self->flow, ts_us, dt, ch, rig, quiet);
    bool alarmed = self->alarm[RS_DET_PACK_OFF].raised || self->alarm[RS_DET_STUCK_PIPE].raised;
    rs_pressmodel_feed (self->press, ts_us, dt, ch, rig, self->flow, alarmed);
    s_models_view (self);
    //  A stop on a trip (the pipe's displacement) or with the well shut in
    //  is no fingerprint of the well's flowback.
    bool trip = rig && (rig->state == RS_RIG_TRIPPING_IN || rig->state == RS_RIG_TRIPPING_OUT
                        || rig->state == RS_RIG_OUT_OF_HOLE || rig->flags.shut_in);
    rs_flowback_feed (&self->flowback, dt, ch[RS_CH_FLOW_IN] <= self->o.flow_lpm, self->v.flow_balance, !trip);
    self->v.flowback_l = rs_flowback_volume (&self->flowback);
    self->v.flowback_env_l = rs_flowback_envelope (&self->flowback);

    //  A detector switched off clears its alert and stays quiet.
    for (int d = 0; d < RS_DET_COUNT; d++)
        if (self->o.disabled & (1u << d)) {
            rs_alert_state_t tr = rs_alarm_clear (&self->alarm[d], ts_us);
            s_emit (self, sink, d, tr, ts_us, NULL, NAN, NAN, "Alert cleared: detector switched off");
        }
    unsigned off = self->o.disabled;
    if (!(off & (1u << RS_DET_KICK)))
        s_kick (self, ts_us, dt, ch, rig, sink);
    if (!(off & (1u << RS_DET_LOST_CIRCULATION)))
        s_loss (self, ts_us, dt, ch, rig, sink);
    if (!(off & (1u << RS_DET_PACK_OFF)))
        s_packoff (self, ts_us, dt, ch, rig, sink);
    if (!(off & (1u << RS_DET_WASHOUT)))
        s_washout (self, ts_us, ch, sink);
    if (!(off & (1u << RS_DET_STUCK_PIPE)))
        s_stuck (self, ts_us, dt, ch, rig, sink);
    if (!(off & (1u << RS_DET_BIT_BALLING)))
        s_balling (self, ts_us, ch, rig, sink);

    self->prev_bit = ch[RS_CH_BIT_DEPTH];
    self->prev_hole = ch[RS_CH_HOLE_DEPTH];
    self->prev_block = ch[RS_CH_BLOCK_POS];
}

void
rs_detect_clear_all (rs_detect_t *self, int64_t ts_us, const rs_alert_sink_t *sink)
{
    for (int d = 0; d < RS_DET_COUNT; d++) {
        rs_alert_state_t tr = rs_alarm_clear (&self->alarm[d], ts_us);
        s_emit (self, sink, d, tr, ts_us, NULL, NAN, NAN, "Alert cleared: the well's data stream restarted");
    }
}
