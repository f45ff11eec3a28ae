/*  rs_sim: drilling simulator for one well (see rs_sim.h).

    Layout (random numbers from rs_simrng, sensor faults in rs_simfault):
    the formation (layers generated from the seed); events (schedule,
    start/end, effects); the operations state machine, which sets driller's
    controls each step; overlays (shut-in after a kick,
    working stuck pipe) that override those controls; the physics, which
    integrate the controls into kinematics, hydraulics and mud; and the
    measurement layer, which adds sensor noise and writes a sample. */
#include "rs_sim.h"
#include "rs_channels.h"
#include "rs_simrng.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  The rig's constants below are the defaults (the live demo's rig); with
//  opts.vary each run draws its own (rig_draw).
#define STAND_M        27.432   // 3 joints x 9.144 m
#define BLOCK_LOW      1.0      // block height when a stand is drilled down, m
#define SLIPS_BLOCK    2.0      // block height when slips are set (bit 1 m off bottom)
#define BLOCK_TOP      (SLIPS_BLOCK + self->rig.stand_m)
#define BLOCK_KN       343.0    // travelling equipment (block + top drive) weight
#define DP_KG_M        32.0     // 5 in drill pipe with tool joints
#define BHA_KG_M       140.0
#define BHA_M          180.0
#define STEEL_RHO      7850.0
#define DP_OD_M        0.127
#define PUMP_L         14.0     // litres per stroke (triplex, 5.5 in liner, 12 in stroke)
#define PUMP_EFF       0.96
#define SPM_RATE       3.0      // pump ramp, strokes/min per second
#define TAU_RETURNS    15.0     // s, flowline response to flow changes
#define MAX_SUBSTEP    1.0      // s
#define MAX_NOTES      256
#define MAX_EVENTS     64
#define MAX_LAYERS     512
#define MAX_SPIKES     8
#define GRAVITY        9.81

//  --------------------------------------------------------------------------

typedef enum {
    PH_DRILL = 0,
    PH_PICKUP,          // off bottom, rotating
    PH_REAM_UP,
    PH_REAM_DOWN,
    PH_CIRC,
    PH_PUMPS_OFF,
    PH_CONN,            // in slips: break out, block up, make up
    PH_CONN_OUT,        // out of slips, pumps up
    PH_WASH,            // wash / ream down to bottom
    PH_TRIP_PULL,
    PH_TRIP_SLIPS_OUT,  // rack back, block down, latch
    PH_BIT_CHANGE,
    PH_TRIP_RUN,
    PH_TRIP_SLIPS_IN,   // block up, pick up a stand, make up
    PH_TRIP_PUMPS_ON
} phase_t;

static const rs_sim_state_t s_phase_state[] = {
    [PH_DRILL] = RS_SIM_DRILLING,
    [PH_PICKUP] = RS_SIM_OFF_BOTTOM,
    [PH_REAM_UP] = RS_SIM_REAMING,
    [PH_REAM_DOWN] = RS_SIM_REAMING,
    [PH_CIRC] = RS_SIM_CIRCULATING,
    [PH_PUMPS_OFF] = RS_SIM_OFF_BOTTOM,
    [PH_CONN] = RS_SIM_CONNECTION,
    [PH_CONN_OUT] = RS_SIM_OFF_BOTTOM,
    [PH_WASH] = RS_SIM_REAMING,
    [PH_TRIP_PULL] = RS_SIM_TRIPPING_OUT,
    [PH_TRIP_SLIPS_OUT] = RS_SIM_IN_SLIPS,
    [PH_BIT_CHANGE] = RS_SIM_IN_SLIPS,
    [PH_TRIP_RUN] = RS_SIM_TRIPPING_IN,
    [PH_TRIP_SLIPS_IN] = RS_SIM_IN_SLIPS,
    [PH_TRIP_PUMPS_ON] = RS_SIM_OFF_BOTTOM,
};

static const char *s_state_names[RS_SIM_STATE_COUNT] = {
    "drilling", "reaming", "circulating", "off_bottom", "connection",
    "in_slips", "tripping_out", "tripping_in", "shut_in"
};

static const char *s_event_names[RS_SIM_EVENT_COUNT] = {
    "kick", "lost_circulation", "washout", "stuck_pipe", "pack_off", "bit_balling"
};

//  Default duration and the range random events draw from, s.
static const double s_event_dur[RS_SIM_EVENT_COUNT][3] = {
    [RS_SIM_KICK] = { 480, 300, 720 },
    [RS_SIM_LOST_CIRCULATION] = { 900, 600, 1800 },
    [RS_SIM_WASHOUT] = { 1200, 600, 1800 },
    [RS_SIM_STUCK_PIPE] = { 900, 600, 1800 },
    [RS_SIM_PACK_OFF] = { 300, 120, 600 },
    [RS_SIM_BIT_BALLING] = { 1800, 900, 2400 },
};

typedef struct {
    double top;         // m
    double drill;       // drillability (ROP factor)
    double kt;          // bit torque per WOB, kN.m/kN
    double gas;         // background gas, %
    double wob;         // driller's WOB setpoint, kN
    double rpm;         // driller's RPM setpoint
} layer_t;

//  What the driller (or the overlays) asks of the rig for one step.
typedef struct {
    double spm1, spm2;  // pump targets
    double rpm;
    double wob;         // WOB target while drilling
    double block_target, block_vmax;
    bool slips;
    bool drill;         // on bottom, making hole
    bool move;          // block toward block_target
} ctl_t;

typedef struct {
    uint64_t id;
    rs_sim_event_t type;
    double req, dur, start;
    double mag, mag2;
    double size;            // in rs_sim_event_unit(type)
    bool started, active, random;
} sim_event_t;

typedef struct {
    double t, amp, width;
} spike_t;

//  Everything about the rig and its sensors the detectors must not assume.
typedef struct {
    double stand_m;         // stand length
    double dp_kg_m;         // drill pipe weight per metre (with tool joints or not)
    double dp_od_m;
    double block_kn;        // travelling equipment weight
    double pump_l;          // litres per stroke
    double tau1_s, tau2_s;  // flowline: two first-order lags in series (tau2 0 = one)
    double spp_exp;         // exponent of the string and annulus losses
    double spp_bit;         // bit nozzle loss coefficient, bar at 2000 L/min
    double rop_k, rop_wob_exp, rop_rpm_exp;
    double fo_gain, fo_gamma, fo_offset;    // flow-out paddle: gain, nonlinearity, offset (L/min)
    double fo_noise_rel, fo_noise_abs;
    double motor_bar_kn;    // mud motor's differential pressure per kN on bit (0 = none)
    double fo_rest;         // what the paddle reads at rest, with nothing flowing, x the drilling rate
    double cut_slip;        // cuttings' concentration in the annulus x what the bit makes (0 = none)
    double tvd_frac;        // vertical depth / measured depth
    double ann_frac;        // the annulus's friction, x the standpipe pressure
    double balloon_m3;      // what the formation takes at the nominal flow and gives back with the pumps off (0 = none)
    double balloon_tau_s;   // ... its time constant
    double visc_k;          // the string's and annulus's friction falls this much per degC the mud warms
    //  The hook load as a deadline sensor reads it: the drilling line
    //  between crown and block weighs on it less as the block rises, its
    //  zero wanders with the temperature, and it reads in steps.
    double line_kn_m;       // kN less per metre the block stands over mid-travel
    double hk_drift_kn;     // the zero's swing, kN (a daily cycle) ...
    double hk_drift_ph;     // ... and its phase, radians
    double hk_step_kn;      // reading resolution, kN (0: none)
} rig_t;

struct rs_sim_t {
    char well[RS_MAX_ID + 1];
    rs_sim_opts_t opts;
    rig_t rig;
    rs_simfault_t *faults;  // sensor faults; NULL = none
    rs_simrng_t rng;              // decisions
    rs_simrng_t noise;            // measurement noise
    rs_simrng_t rng_ev;           // random event schedule
    rs_simrng_t rng_ops;          // the driller's choices of the varied rigs (pump rate)
    double t;

    double a_hole, a_steel, a_annulus;
    layer_t layers[MAX_LAYERS];
    size_t n_layers;

    //  kinematics
    double hole, bit, block, latch, block_v;
    bool slips;
    double rop, rop_ar;
    double wob, wob_zero, rpm, torque, hook, overpull;
    double spm1, spm2, q_in, q_mid, q_out, lag, spp, spp_spike, casing;

    //  mud
    double pit, pit_target;
    double pit_exp;           // the pit without influx or losses: pit_gain = pit - pit_exp
    double lag0;              // returns in transit when the pit gain was zeroed
    bool topping_up;
    double influx, loss, vent, transfer;
    double rho0, rho_in, rho_out, t_in, t_out, t_amb;
    double t_ref;             // the mud's temperature the friction is given at (the start's)
    double rho_str;           // the mud in the string: what was pumped over its last volume
    double mud_next, mud_rate;    // varied rigs: next change of mud weight (s), kg/m3 per s while pumping
    double gas_bg, gas_kick;
    spike_t spikes[MAX_SPIKES];

    //  driller
    double spm_sp, circ_rpm;
    double qn0;               // the drilling rate the paddle was set up at, L/min
    int stands_run, stands_per_run, stands_drilled, trips;
    double stand_start;
    bool trip_planned;        // circulating bottoms up before a trip
    bool trip_due;            // trip at the next stand whatever the bit run

    //  state machine
    phase_t phase;
    double ph_t, ph_dur;
    int ph_sub;
    rs_sim_state_t state;

    //  shut-in overlay: 0 none, 1 stopping pumps, 2 shut in, 3 killing
    int si;
    double si_t, si_dur, si_sicp, si_vent, si_kick_vol;

    //  events
    sim_event_t ev[MAX_EVENTS];
    size_t n_ev;
    uint64_t next_id;
    double next_random;
    double washout;         // SPP loss kept until the next trip
    double cut;             // cuttings' volume fraction in the annulus
    double balloon;         // m3 the formation holds of the well's mud (ballooning)
    double ball;            // ROP factor from bit balling (1 = clean)
    double kick_influx0;

    rs_sim_note_t notes[MAX_NOTES];
    size_t n_notes;
    uint64_t notes_dropped;
};

//  --------------------------------------------------------------------------

const char *
rs_sim_state_name (int state)
{
    return state >= 0 && state < RS_SIM_STATE_COUNT ? s_state_names[state] : "unknown";
}

const char *
rs_sim_event_name (int type)
{
    return type >= 0 && type < RS_SIM_EVENT_COUNT ? s_event_names[type] : "unknown";
}

int
rs_sim_event_lookup (const char *name, size_t len)
{
    if (!name)
        return -1;
    for (int i = 0; i < RS_SIM_EVENT_COUNT; i++)
        if (strlen (s_event_names[i]) == len && memcmp (s_event_names[i], name, len) == 0)
            return i;
    return -1;
}

const char *
rs_sim_event_unit (int type)
{
    static const char *units[RS_SIM_EVENT_COUNT] = {
        "influx_frac", "loss_frac", "spp_loss_frac", "overpull_kn", "spp_rise_frac", "rop_loss_frac"
    };
    return type >= 0 && type < RS_SIM_EVENT_COUNT ? units[type] : "unknown";
}

double
rs_sim_event_default_duration (rs_sim_event_t type)
{
    return (int) type >= 0 && type < RS_SIM_EVENT_COUNT ? s_event_dur[type][0] : 0;
}

static double
clamp (double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

//  Fraction of the way from x to target after dt with time constant tau.
static double
lag_k (double dt, double tau)
{
    return 1.0 - exp (-dt / tau);
}

static double
approach (double x, double target, double max_delta)
{
    if (x < target)
        return x + max_delta < target ? x + max_delta : target;
    return x - max_delta > target ? x - max_delta : target;
}

static void
note_push (rs_sim_t *self, const rs_sim_note_t *note)
{
    if (self->n_notes < MAX_NOTES)
        self->notes[self->n_notes++] = *note;
    else
        self->notes_dropped++;
}

//  --------------------------------------------------------------------------
//  Formation: layers from the surface down, drawn once from the seed so a
//  depth always has the same rock whatever else the run does.

static void
layers_build (rs_sim_t *self, uint64_t seed)
{
    rs_simrng_t r;
    rs_simrng_seed (&r, seed, 7);
    double top = 0;
    for (size_t i = 0; i < MAX_LAYERS; i++) {
        layer_t *l = &self->layers[i];
        double u = rs_simrng_u (&r);
        l->top = top;
        l->drill = exp (log (0.35) + (log (1.8) - log (0.35)) * rs_simrng_u (&r));
        l->kt = rs_simrng_range (&r, 0.015, 0.04);
        l->gas = 0.2 + 2.0 * u * u;
        double hard = (1.8 - l->drill) / 1.45;         // 0 soft .. 1 hard
        l->wob = 80 + 60 * hard + rs_simrng_range (&r, 0, 15);
        l->rpm = 100 + 50 * (1 - hard) + rs_simrng_range (&r, 0, 10);
        double v = rs_simrng_u (&r);
        top += 15 + 135 * v * v;
    }
    self->n_layers = MAX_LAYERS;
}

static const layer_t *
layer_at (const rs_sim_t *self, double depth)
{
    size_t lo = 0, hi = self->n_layers;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (self->layers[mid].top <= depth)
            lo = mid;
        else
            hi = mid;
    }
    return &self->layers[lo];
}

//  --------------------------------------------------------------------------
//  Geometry and loads

static double
string_weight (const rs_sim_t *self, double bit)
{
    double bha = bit < BHA_M ? bit : BHA_M;
    double dp = bit > BHA_M ? bit - BHA_M : 0;
    return (bha * BHA_KG_M + dp * self->rig.dp_kg_m) * GRAVITY / 1000.0;
}

static double
q_nominal (const rs_sim_t *self)
{
    return 2 * self->spm_sp * self->rig.pump_l * PUMP_EFF;
}

//  Standpipe pressure, bar: string and annulus losses ~ Q^spp_exp (1.8 by
//  default) growing with depth, bit nozzles ~ Q^2, both proportional to mud
//  density.
static double
spp_model (const rs_sim_t *self, double q_lpm, double depth, double rho)
{
    double qr = q_lpm / 2000;
    double warm = 1 - self->rig.visc_k * (0.5 * (self->t_in + self->t_out) - self->t_ref);
    return ((15 + 0.03 * depth) * pow (qr, self->rig.spp_exp) * fmax (warm, 0.5) + self->rig.spp_bit * qr * qr)
           * rho / 1200;
}

//  The pump rate brought within the pumps' pressure rating for the section
//  ahead.
static void
spm_rated (rs_sim_t *self)
{
    while (self->spm_sp > 40 && spp_model (self, self->spm_sp * 2 * self->rig.pump_l * PUMP_EFF,
                                           self->hole + 1000, 1300) > 290)
        self->spm_sp -= 1;
}

//  Bottoms-up time at the nominal rate, s.
static double
lag_time (const rs_sim_t *self)
{
    return self->a_annulus * self->bit / (q_nominal (self) / 60000.0);
}

//  --------------------------------------------------------------------------
//  Events

static sim_event_t *
ev_active (const rs_sim_t *self, rs_sim_event_t type)
{
    for (size_t i = 0; i < self->n_ev; i++)
        if (self->ev[i].active && self->ev[i].type == type)
            return (sim_event_t *) &self->ev[i];
    return NULL;
}

bool
rs_sim_event_active (const rs_sim_t *self, rs_sim_event_t type)
{
    return self && ev_active (self, type) != NULL;
}

static double
ev_progress (const rs_sim_t *self, const sim_event_t *e, double ramp_s)
{
    return clamp ((self->t - e->start) / ramp_s, 0, 1);
}

//  True while the driller is kept from moving on to the next operation.
static bool
hold (const rs_sim_t *self)
{
    return self->si || ev_active (self, RS_SIM_STUCK_PIPE) || ev_active (self, RS_SIM_PACK_OFF);
}

static bool
pumping (const rs_sim_t *self)
{
    return self->q_in > 0.8 * q_nominal (self);
}

static bool
ev_applicable (const rs_sim_t *self, rs_sim_event_t type)
{
    if (self->si || ev_active (self, type))
        return false;
    rs_sim_state_t st = self->state;
    bool circ_state = st == RS_SIM_DRILLING || st == RS_SIM_CIRCULATING || st == RS_SIM_REAMING;
    switch (type) {
        case RS_SIM_KICK:
        case RS_SIM_LOST_CIRCULATION:
        case RS_SIM_WASHOUT:
            return circ_state && pumping (self);
        case RS_SIM_STUCK_PIPE:
            return !hold (self) && !self->slips && self->bit > 50
                   && (st == RS_SIM_DRILLING || st == RS_SIM_REAMING
                       || st == RS_SIM_TRIPPING_OUT || st == RS_SIM_TRIPPING_IN);
        case RS_SIM_PACK_OFF:
            return !hold (self) && circ_state && pumping (self);
        case RS_SIM_BIT_BALLING:
            return st == RS_SIM_DRILLING && self->ph_t > 60;
        default:
            return false;
    }
}

uint64_t
rs_sim_inject (rs_sim_t *self, rs_sim_event_t type, double start_s, double duration_s)
{
    if (!self || (int) type < 0 || type >= RS_SIM_EVENT_COUNT || !isfinite (start_s)
        || !isfinite (duration_s) || start_s < 0 || self->n_ev >= MAX_EVENTS)
        return 0;
    sim_event_t *e = &self->ev[self->n_ev++];
    memset (e, 0, sizeof *e);
    e->id = ++self->next_id;
    e->type = type;
    e->req = start_s;
    e->dur = duration_s > 0 ? duration_s : s_event_dur[type][0];
    return e->id;
}

static void shut_in_begin (rs_sim_t *self);

static void
ev_start (rs_sim_t *self, sim_event_t *e)
{
    rs_simrng_t *r = &self->rng;
    e->started = true;
    e->active = true;
    e->start = self->t;
    bool vary = self->opts.vary;
    switch (e->type) {
        case RS_SIM_KICK: {
            //  Influx grows over the first half, so volume = frac * Q * 0.75 * dur.
            //  Varied: from far below to far above any detection limit.
            double vol = rs_simrng_range (r, 1.5, 3.0);
            double q = q_nominal (self) / 60000.0;
            e->mag = vary ? rs_simrng_log (r, 0.005, 0.30) : clamp (vol / (q * 0.75 * e->dur), 0.10, 0.35);
            e->mag2 = rs_simrng_range (r, 8, 25) * (vary ? fmin (1, e->mag / 0.1) : 1);
            e->size = e->mag;
            self->kick_influx0 = self->influx;
            break;
        }
        case RS_SIM_LOST_CIRCULATION:
            e->mag = vary ? rs_simrng_log (r, 0.005, 0.30) : rs_simrng_range (r, 0.10, 0.30);
            e->size = e->mag;
            break;
        case RS_SIM_WASHOUT:
            e->mag = vary ? rs_simrng_log (r, 0.01, 0.10) : rs_simrng_range (r, 0.10, 0.16);
            e->size = e->mag;
            break;
        case RS_SIM_STUCK_PIPE:
            e->mag = vary ? rs_simrng_log (r, 30, 400) : rs_simrng_range (r, 200, 400);
            e->mag2 = self->rpm > 10 ? self->rpm : 0;
            e->size = e->mag;
            break;
        case RS_SIM_PACK_OFF:
            e->mag = vary ? rs_simrng_log (r, 0.03, 0.30) : rs_simrng_range (r, 0.15, 0.30);
            e->mag2 = rs_simrng_range (r, 0.15, 0.35) * (vary ? e->mag / 0.3 : 1);
            e->size = e->mag;
            break;
        case RS_SIM_BIT_BALLING:
            e->mag = vary ? 1 - rs_simrng_range (r, 0.1, 0.6) : rs_simrng_range (r, 0.25, 0.40);
            e->size = 1 - e->mag;
            break;
        default:
            break;
    }
    rs_sim_note_t n = { .kind = RS_SIM_NOTE_EVENT_START, .t_s = self->t, .state = self->state,
                        .prev_state = self->state, .type = e->type, .event_id = e->id,
                        .duration_s = e->dur, .size = e->size, .random = e->random };
    note_push (self, &n);
}

static void
ev_end (rs_sim_t *self, sim_event_t *e)
{
    e->active = false;
    if (e->random) {
        double gap = rs_simrng_exp (&self->rng_ev, 3600.0 / self->opts.random_events_per_h);
        self->next_random = self->t + (gap > 600 ? gap : 600);
    }
    rs_sim_note_t n = { .kind = RS_SIM_NOTE_EVENT_END, .t_s = self->t, .state = self->state,
                        .prev_state = self->state, .type = e->type, .event_id = e->id,
                        .duration_s = e->dur, .size = e->size, .random = e->random };
    note_push (self, &n);
    switch (e->type) {
        case RS_SIM_KICK:
            shut_in_begin (self);
            break;
        case RS_SIM_WASHOUT:
            //  The pressure loss stays until the string is pulled to find it.
            self->washout += e->mag;
            if (self->opts.trip_every_stands >= 0)
                self->trip_due = true;
            break;
        case RS_SIM_STUCK_PIPE:
            self->overpull = 0;
            break;
        default:
            break;
    }
}

static void
events_update (rs_sim_t *self)
{
    //  Random schedule: one event at a time; the next is drawn when the
    //  last one ends, an exponential gap (at least 10 min) later.
    if (self->opts.random_events_per_h > 0 && self->t >= self->next_random) {
        rs_simrng_t *r = &self->rng_ev;
        rs_sim_event_t type = (rs_sim_event_t) (rs_simrng_next (r) % RS_SIM_EVENT_COUNT);
        double dur = rs_simrng_range (r, s_event_dur[type][1], s_event_dur[type][2]);
        if (rs_sim_inject (self, type, self->t, dur)) {
            self->ev[self->n_ev - 1].random = true;
            self->next_random = INFINITY;
        }
    }
    for (size_t i = 0; i < self->n_ev; i++) {
        sim_event_t *e = &self->ev[i];
        if (e->active && self->t >= e->start + e->dur)
            ev_end (self, e);
        else if (!e->started && self->t >= e->req && ev_applicable (self, e->type))
            ev_start (self, e);
    }
    size_t w = 0;
    for (size_t i = 0; i < self->n_ev; i++)
        if (!self->ev[i].started || self->ev[i].active)
            self->ev[w++] = self->ev[i];
    self->n_ev = w;
}

//  --------------------------------------------------------------------------
//  Operations state machine

static void
enter (rs_sim_t *self, phase_t phase)
{
    rs_simrng_t *r = &self->rng;
    self->phase = phase;
    self->ph_t = 0;
    self->ph_sub = 0;
    self->ph_dur = 0;
    switch (phase) {
        case PH_PICKUP:
            self->ph_dur = rs_simrng_range (r, 20, 45);
            break;
        case PH_CONN:
            self->ph_dur = rs_simrng_range (r, 20, 40);
            break;
        case PH_TRIP_SLIPS_OUT:
            self->ph_dur = rs_simrng_range (r, 30, 60);
            break;
        case PH_TRIP_SLIPS_IN:
            self->ph_dur = rs_simrng_range (r, 10, 20);
            break;
        case PH_BIT_CHANGE:
            self->ph_dur = rs_simrng_range (r, 1200, 2400);
            break;
        case PH_CONN_OUT:
        case PH_TRIP_PUMPS_ON: {
            //  On a varied rig the driller sets a new pump rate after one
            //  connection in four (hole cleaning, a formation, the pressure).
            if (phase == PH_CONN_OUT && self->opts.vary && rs_simrng_u (&self->rng_ops) < 0.25) {
                self->spm_sp = clamp (self->spm_sp * rs_simrng_range (&self->rng_ops, 0.85, 1.15), 40, 110);
                spm_rated (self);
            }
            //  Gas from the connection (or the trip) arrives a bottoms-up later.
            spike_t *slot = &self->spikes[0];
            for (int i = 1; i < MAX_SPIKES; i++)
                if (self->spikes[i].t < slot->t)
                    slot = &self->spikes[i];
            const layer_t *l = layer_at (self, self->hole);
            bool trip = phase == PH_TRIP_PUMPS_ON;
            slot->t = self->t + 40 + lag_time (self);
            slot->amp = (trip ? rs_simrng_range (r, 2.5, 5.5) : rs_simrng_range (r, 0.8, 2.3)) * (0.5 + l->gas);
            slot->width = trip ? rs_simrng_range (r, 90, 180) : rs_simrng_range (r, 30, 90);
            self->wob_zero = -rs_simrng_range (r, 0.3, 2.5);
            break;
        }
        default:
            break;
    }
}

static void
circulate (rs_sim_t *self, double dur)
{
    enter (self, PH_CIRC);
    self->ph_dur = dur;
    self->circ_rpm = rs_simrng_u (&self->rng) < 0.3 ? 0 : rs_simrng_range (&self->rng, 40, 70);
}

static bool
block_at (const rs_sim_t *self, double target)
{
    return fabs (self->block - target) < 1e-6;
}

//  A phase with the pipe in the slips, in three steps: a first dwell
//  (ph_dur, set on entering), the empty block moved to `target`, then a
//  second dwell of dwell_lo to dwell_hi s (none when dwell_hi is 0). True
//  when the phase is over; the caller says what comes next.
static bool
in_slips (rs_sim_t *self, ctl_t *c, bool held, double target, double dwell_lo, double dwell_hi)
{
    c->slips = true;
    if (self->ph_sub == 1) {
        c->move = true;
        c->block_target = target;
        c->block_vmax = 0.8;
    }
    if (held)
        return false;
    if (self->ph_sub == 0 && self->ph_t >= self->ph_dur)
        self->ph_sub = 1;
    else if (self->ph_sub == 1 && block_at (self, target)) {
        if (dwell_hi <= 0)
            return true;
        self->ph_sub = 2;
        self->ph_t = 0;
        self->ph_dur = rs_simrng_range (&self->rng, dwell_lo, dwell_hi);
    }
    else if (self->ph_sub == 2 && self->ph_t >= self->ph_dur)
        return true;
    return false;
}

static void
op_update (rs_sim_t *self, double dt, ctl_t *c)
{
    rs_simrng_t *r = &self->rng;
    const layer_t *l = layer_at (self, self->hole);
    bool held = hold (self);
    double sp = self->spm_sp;
    //  What latch will be once out of slips (physics sets it on release).
    double latch = self->slips ? self->bit + self->block : self->latch;
    memset (c, 0, sizeof *c);
    c->block_vmax = 0.5;
    if (!held)
        self->ph_t += dt;

    switch (self->phase) {
        case PH_DRILL:
            c->spm1 = c->spm2 = sp;
            c->rpm = l->rpm;
            c->wob = l->wob * (self->ball < 0.999 ? 1.1 : 1.0);
            c->drill = true;
            if (!held && self->block <= BLOCK_LOW + 1e-9) {
                if (self->hole - self->stand_start > 5) {
                    self->stands_run++;
                    self->stands_drilled++;
                }
                enter (self, PH_PICKUP);
            }
            break;
        case PH_PICKUP:
            c->spm1 = c->spm2 = sp;
            c->rpm = l->rpm * 0.6;
            c->move = true;
            c->block_target = SLIPS_BLOCK;
            c->block_vmax = 0.1;
            if (!held && block_at (self, SLIPS_BLOCK) && self->ph_t >= self->ph_dur) {
                double u = rs_simrng_u (r);
                if (self->trip_due
                    || (self->stands_per_run > 0 && self->stands_run >= self->stands_per_run)) {
                    self->trip_due = false;
                    self->trip_planned = true;
                    circulate (self, clamp (lag_time (self) * 1.2, 900, 3600));
                }
                else if (u < 0.3)
                    enter (self, PH_REAM_UP);
                else if (u < 0.38)
                    circulate (self, rs_simrng_range (r, 600, 1200));
                else
                    circulate (self, rs_simrng_range (r, 60, 150));
            }
            break;
        case PH_REAM_UP:
        case PH_REAM_DOWN: {
            bool up = self->phase == PH_REAM_UP;
            c->spm1 = c->spm2 = sp;
            c->rpm = 80;
            c->move = true;
            c->block_target = up ? BLOCK_TOP - 1.5 : SLIPS_BLOCK;
            c->block_vmax = 0.15;
            if (!held && block_at (self, c->block_target)) {
                if (up)
                    enter (self, PH_REAM_DOWN);
                else
                    circulate (self, rs_simrng_range (r, 60, 120));
            }
            break;
        }
        case PH_CIRC:
            c->spm1 = c->spm2 = sp;
            c->rpm = self->circ_rpm;
            if (!held && self->ph_t >= self->ph_dur)
                enter (self, PH_PUMPS_OFF);
            break;
        case PH_PUMPS_OFF:
            if (!held && self->spm1 + self->spm2 < 0.01 && self->rpm < 0.5 && self->ph_t >= 10) {
                if (self->trip_planned) {
                    self->trip_planned = false;
                    self->trips++;
                    enter (self, PH_TRIP_PULL);
                }
                else
                    enter (self, PH_CONN);
            }
            break;
        case PH_CONN:
            if (in_slips (self, c, held, BLOCK_TOP, 40, 100))
                enter (self, PH_CONN_OUT);
            break;
        case PH_CONN_OUT:
        case PH_TRIP_PUMPS_ON:
            c->spm1 = c->spm2 = sp;
            c->rpm = self->ph_t > 20 ? 60 : 0;
            if (!held && self->ph_t >= 30 && self->spm1 + self->spm2 >= 2 * sp - 0.01)
                enter (self, PH_WASH);
            break;
        case PH_WASH:
            c->spm1 = c->spm2 = sp;
            c->rpm = 60;
            c->move = true;
            c->block_target = latch - self->hole;
            c->block_vmax = self->hole - self->bit > 2 ? 0.1 : 0.03;
            if (!held && self->bit >= self->hole - 1e-9) {
                self->stand_start = self->hole;
                enter (self, PH_DRILL);
            }
            break;
        case PH_TRIP_PULL:
            c->move = true;
            c->block_target = latch < BLOCK_TOP ? latch : BLOCK_TOP;
            c->block_vmax = 0.6;
            if (!held && block_at (self, c->block_target))
                enter (self, self->bit <= 1e-9 ? PH_BIT_CHANGE : PH_TRIP_SLIPS_OUT);
            break;
        case PH_TRIP_SLIPS_OUT:
            if (in_slips (self, c, held, SLIPS_BLOCK, 10, 20))
                enter (self, PH_TRIP_PULL);
            break;
        case PH_BIT_CHANGE:
            if (in_slips (self, c, held, BLOCK_TOP, 0, 0)) {
                //  New bit: wear, balling and the washed-out joint are gone.
                //  The mud logger re-zeroes the pit gain (pumps-on basis).
                self->pit_exp = self->pit + self->lag - self->lag0;
                self->stands_run = 0;
                int every = self->opts.trip_every_stands;
                self->stands_per_run = every > 0 ? every : every < 0 ? 0 : 15 + (int) (rs_simrng_u (r) * 31);
                self->washout = 0;
                self->ball = 1;
                enter (self, PH_TRIP_RUN);
            }
            break;
        case PH_TRIP_RUN:
            c->move = true;
            c->block_target = SLIPS_BLOCK;
            c->block_vmax = 0.7;
            if (!held && block_at (self, SLIPS_BLOCK))
                enter (self, PH_TRIP_SLIPS_IN);
            break;
        case PH_TRIP_SLIPS_IN:
            if (in_slips (self, c, held, BLOCK_TOP, 30, 60)) {
                //  Run another stand while it fits above bottom, else wash down.
                if (self->hole - self->bit > self->rig.stand_m + (SLIPS_BLOCK - BLOCK_LOW))
                    enter (self, PH_TRIP_RUN);
                else
                    enter (self, PH_TRIP_PUMPS_ON);
            }
            break;
    }
}

//  --------------------------------------------------------------------------
//  Overlays

static void
shut_in_begin (rs_sim_t *self)
{
    double vol = self->influx - self->kick_influx0;
    self->si = 1;
    self->si_t = 0;
    self->si_kick_vol = vol;
    self->si_sicp = 10 + 8 * vol + rs_simrng_range (&self->rng, 0, 8);
}

static void
shut_in_update (rs_sim_t *self, double dt, ctl_t *c)
{
    rs_simrng_t *r = &self->rng;
    self->si_t += dt;
    c->drill = false;
    c->move = false;
    c->rpm = 0;
    c->spm1 = c->spm2 = 0;
    if (self->si == 1 && self->spm1 + self->spm2 < 0.01 && self->si_t >= 30) {
        self->si = 2;
        self->si_t = 0;
        self->si_dur = rs_simrng_range (r, 600, 900);
    }
    else if (self->si == 2 && self->si_t >= self->si_dur) {
        self->si = 3;
        self->si_t = 0;
        self->si_dur = rs_simrng_range (r, 1500, 2400);
        //  The influx is circulated out and its gas vented at the separator.
        self->si_vent = self->si_kick_vol / (self->si_dur - 120) * 60000.0;
    }
    else if (self->si == 3 && self->si_t >= self->si_dur) {
        //  Well dead: pumps back up and wash to bottom before carrying on.
        self->si = 0;
        self->casing = 0;
        phase_t ph = self->phase;
        if (ph == PH_DRILL || ph == PH_PICKUP || ph == PH_REAM_UP || ph == PH_REAM_DOWN
            || ph == PH_CIRC || ph == PH_WASH)
            enter (self, PH_CONN_OUT);
        return;
    }
    if (self->si == 3)
        c->spm1 = self->si_t < self->si_dur - 60 ? self->spm_sp * 0.5 : 0;
}

static void
stuck_update (rs_sim_t *self, const sim_event_t *e, ctl_t *c)
{
    double ts = self->t - e->start;
    c->drill = false;
    c->move = false;
    //  Working the pipe: pull up to the overpull, hold, slack off, repeat.
    double cyc = fmod (ts, 90.0);
    double op;
    if (cyc < 30)
        op = e->mag * cyc / 30;
    else if (cyc < 45)
        op = e->mag;
    else if (cyc < 70)
        op = e->mag - 1.5 * e->mag * (cyc - 45) / 25;
    else
        op = -0.5 * e->mag * (1 - (cyc - 70) / 20);
    self->overpull = op;
    //  Rotating attempts that stall against the torque limit, then rest.
    if (e->mag2 > 0)
        c->rpm = fmod (ts, 120.0) < 60 ? e->mag2 * rs_simrng_range (&self->rng, 0.1, 0.5) : 0;
    else
        c->rpm = 0;
}

//  --------------------------------------------------------------------------
//  Physics

static void
physics (rs_sim_t *self, double dt, const ctl_t *c)
{
    rs_simrng_t *r = &self->rng;
    const layer_t *l = layer_at (self, self->hole);
    sim_event_t *kick = ev_active (self, RS_SIM_KICK);
    sim_event_t *lost = ev_active (self, RS_SIM_LOST_CIRCULATION);
    sim_event_t *wash = ev_active (self, RS_SIM_WASHOUT);
    sim_event_t *stuck = ev_active (self, RS_SIM_STUCK_PIPE);
    sim_event_t *pack = ev_active (self, RS_SIM_PACK_OFF);
    sim_event_t *ballev = ev_active (self, RS_SIM_BIT_BALLING);

    //  Pumps and rotary
    self->spm1 = approach (self->spm1, c->spm1, SPM_RATE * dt);
    self->spm2 = approach (self->spm2, c->spm2, SPM_RATE * dt);
    self->q_in = (self->spm1 + self->spm2) * self->rig.pump_l * PUMP_EFF;
    self->rpm += (c->rpm - self->rpm) * lag_k (dt, 4);
    if (c->rpm == 0 && self->rpm < 0.5)
        self->rpm = 0;

    //  Bit balling builds while active and clears in a few minutes after.
    if (ballev)
        self->ball = 1 - (1 - ballev->mag) * ev_progress (self, ballev, 0.4 * ballev->dur);
    else
        self->ball = approach (self->ball, 1, dt / 120);

    //  Kinematics: out of slips the bit hangs from the block (bit = latch - block).
    double hole0 = self->hole, bit0 = self->bit, block0 = self->block;
    if (self->slips && !c->slips)
        self->latch = self->bit + self->block;
    self->slips = c->slips;
    bool on_bottom = self->bit >= self->hole - 1e-9;
    self->rop = 0;
    if (c->drill && on_bottom && !self->slips) {
        self->wob += (c->wob - self->wob) * lag_k (dt, 6);
        double ar = exp (-dt / 20);
        self->rop_ar = self->rop_ar * ar + rs_simrng_gauss (r) * sqrt (1 - ar * ar);
        double wear = self->stands_per_run > 0
                      ? 1 - 0.3 * clamp ((double) self->stands_run / self->stands_per_run, 0, 1) : 0.85;
        double rop = self->rig.rop_k * l->drill * pow (self->wob / 120, self->rig.rop_wob_exp)
                     * pow (self->rpm / 120, self->rig.rop_rpm_exp)
                     * exp (-self->hole / 9000) * wear * self->ball
                     * clamp (1 + 0.08 * self->rop_ar, 0.5, 1.5);
        if (kick && self->t - kick->start < 0.6 * kick->dur)
            rop *= 1.8;
        if (pack)
            rop *= 0.3;
        rop = clamp (rop, 0, 95);
        double dh = rop / 3600 * dt;
        double room = self->latch - self->hole - BLOCK_LOW;
        if (dh > room)
            dh = room > 0 ? room : 0;
        self->hole += dh;
        self->bit = self->hole;
        self->block = self->latch - self->bit;
        self->rop = dh / dt * 3600;
    }
    else {
        self->wob += (0 - self->wob) * lag_k (dt, 1);
        if (self->wob < 0.01)
            self->wob = 0;
        if (c->move && !stuck) {
            double d = c->block_target - self->block;
            double vmag = fmin (c->block_vmax, fmax (0.03, 0.5 * fabs (d)));
            vmag = fmin (vmag, fabs (self->block_v) + 0.4 * dt);
            double step = fmin (fabs (d), vmag * dt);
            self->block += d > 0 ? step : -step;
            if (!self->slips) {
                self->bit = self->latch - self->block;
                if (self->bit > self->hole) {
                    self->bit = self->hole;
                    self->block = self->latch - self->bit;
                }
                if (self->bit < 0) {
                    self->bit = 0;
                    self->block = self->latch;
                }
            }
        }
    }
    if (self->bit < self->hole - 1e-9)
        self->wob = 0;
    self->block_v = (self->block - block0) / dt;
    double dhole = self->hole - hole0, dbit = self->bit - bit0;

    //  Hydraulics: returns = pumped + pipe displacement - new hole + influx - losses.
    double qn = q_nominal (self);
    double q_kick = kick ? kick->mag * qn * ev_progress (self, kick, 0.5 * kick->dur) : 0;
    double q_loss = 0;
    if (lost)
        q_loss += lost->mag * self->q_in * ev_progress (self, lost, 60);
    if (pack)
        q_loss += pack->mag2 * self->q_in * ev_progress (self, pack, 30);
    double q_vent = self->si == 3 && self->si_t < self->si_dur - 120 ? self->si_vent : 0;
    //  Ballooning: the formation holds more the harder the pumps push,
    //  filling and draining as a first-order lag.
    double q_balloon = 0;
    if (self->rig.balloon_m3 > 0 && self->si == 0) {
        double hold = self->q_in > 100 ? self->rig.balloon_m3 * fmin (self->q_in / qn, 1.5) : 0;
        double dv = (hold - self->balloon) * lag_k (dt, self->rig.balloon_tau_s);
        self->balloon += dv;
        q_balloon = -dv / dt * 60000;
    }
    double q_src = self->q_in + (self->a_steel * dbit - self->a_hole * dhole) / dt * 60000
                   + q_kick - q_loss - q_vent + q_balloon;
    double flowline = q_src > 0 ? q_src : 0;
    double fill = q_src < 0 ? q_src : 0;      // hole fill straight from the pit
    if (self->si == 2)
        flowline = 0;
    if (self->rig.tau2_s > 0) {
        self->q_mid += (flowline - self->q_mid) * lag_k (dt, self->rig.tau1_s);
        self->q_out += (self->q_mid - self->q_out) * lag_k (dt, self->rig.tau2_s);
    }
    else
        self->q_out += (flowline - self->q_out) * lag_k (dt, self->rig.tau1_s);
    double m3 = dt / 60000.0;
    self->pit += (self->q_out - self->q_in + fill) * m3;
    self->lag += (flowline - self->q_out) * m3;
    self->influx += q_kick * m3;
    self->loss += q_loss * m3;
    self->vent += q_vent * m3;
    self->pit_exp += self->a_steel * dbit - self->a_hole * dhole;
    //  Mud engineers top up the active system with the bit out of the hole,
    //  or during a connection once it is well down (new mud from reserve).
    if (self->phase == PH_BIT_CHANGE || self->phase == PH_CONN) {
        if (self->pit < self->pit_target - 8)
            self->topping_up = true;
        if (self->pit >= self->pit_target - 1)
            self->topping_up = false;
        if (self->topping_up || (self->phase == PH_BIT_CHANGE && self->pit < self->pit_target - 1)) {
            double add = 1.5 * dt / 60;
            self->pit += add;
            self->pit_exp += add;
            self->transfer += add;
        }
    }
    else
        self->topping_up = false;

    double spp = spp_model (self, self->q_in, self->bit, self->rho_str);
    double w = self->washout + (wash ? wash->mag * ev_progress (self, wash, wash->dur) : 0);
    spp *= 1 - w;
    //  The cuttings in the annulus weigh on the pressure the pumps see
    //  (varied rigs): what the bit makes, averaged over about a bottoms-up.
    //  Drilling slower, or circulating the hole clean, the standpipe
    //  pressure falls over the next bottoms-up (17 1/2 in at 40 m/h: 3-4%).
    if (self->q_in > 100 && self->rig.cut_slip > 0) {
        double feed = self->rig.cut_slip * self->rop / 3600 * self->a_hole / (self->q_in / 60000);
        self->cut += (fmin (feed, 0.1) - self->cut) * lag_k (dt, lag_time (self) / 2);
    }
    spp += 1e-5 * (2600 - self->rho_in) * 9.81 * self->cut * self->bit * self->rig.tvd_frac;
    //  Mud lost to the formation does not come up the annulus above the
    //  loss zone: its friction there falls with the flow it carries.
    if (lost)
        spp *= 1 - self->rig.ann_frac * (1 - pow (1 - lost->mag * ev_progress (self, lost, 120), self->rig.spp_exp));
    self->spp_spike *= exp (-dt / 8);
    if (pack) {
        if (rs_simrng_u (r) < 0.08 * dt)
            self->spp_spike += rs_simrng_range (r, 0.05, 0.2);
        spp *= 1 + pack->mag * ev_progress (self, pack, 30) + self->spp_spike;
    }
    if (stuck)
        spp *= 1.05;
    if (self->q_in > 0)
        spp += self->rig.motor_bar_kn * self->wob;
    //  The pumps' relief valves cap the pressure.
    if (spp > 330)
        spp = 330;
    self->spp += (spp - self->spp) * lag_k (dt, 2);

    //  Torque: off-bottom friction grows with depth, plus bit torque from WOB.
    double tq = 0;
    if (self->rpm >= 1) {
        double tq_off = (0.6 + 0.0022 * self->bit) * (0.75 + 0.25 * self->rpm / 120);
        tq = tq_off + l->kt * self->wob * (0.5 + 0.5 * self->ball);
        if (pack)
            tq *= 1 + 0.5 * ev_progress (self, pack, 30) + 2 * self->spp_spike;
        if (stuck)
            tq = clamp (2.0 * tq_off + 10, 15, 40) * rs_simrng_range (r, 0.9, 1.05);
        if (tq > 45)
            tq = 45;            // top drive torque limit
    }
    self->torque += (tq - self->torque) * lag_k (dt, 2);

    //  Hook load
    double ws = string_weight (self, self->bit) * (1 - self->rho_in / STEEL_RHO);
    double hook;
    if (self->slips)
        hook = self->rig.block_kn;
    else if (stuck)
        hook = self->rig.block_kn + ws + self->overpull;
    else {
        double rot = self->rpm > 10 ? 0.3 : 1;
        double drag = self->block_v > 0.01 ? 0.07 * ws * rot
                      : self->block_v < -0.01 && !c->drill ? -0.05 * ws * rot : 0;
        hook = self->rig.block_kn + ws + drag - self->wob;
    }
    self->hook += (hook - self->hook) * lag_k (dt, 1.5);

    //  Casing pressure while shut in: builds, rises as gas expands, falls to 0.
    if (self->si == 2)
        self->casing += (self->si_sicp - self->casing) * lag_k (dt, 30);
    else if (self->si == 3) {
        double p = self->si_t / self->si_dur;
        double tgt = p < 0.3 ? self->si_sicp * (1 + 0.8 * p) : self->si_sicp * 1.24 * (1 - p) / 0.7;
        self->casing += (tgt - self->casing) * lag_k (dt, 20);
    }

    //  Gas: background from the rock drilled, lagged; connection/trip gas
    //  spikes; kick gas.
    if (self->q_in > 100) {
        double src = l->gas * (c->drill ? 0.5 + 0.5 * fmin (1, self->rop / 25) : 0.4);
        self->gas_bg += (src - self->gas_bg) * lag_k (dt, 300);
    }
    if (kick)
        self->gas_kick = kick->mag2 * ev_progress (self, kick, 0.5 * kick->dur);
    else if (self->si == 3)
        self->gas_kick *= exp (-dt / (self->si_dur / 3));
    else if (!self->si)
        self->gas_kick *= exp (-dt / 600);

    //  Mud: temperatures and densities drift slowly.
    if (self->q_in > 100) {
        double tgt = self->t_in + 4 + 0.0035 * self->bit;
        self->t_out += (tgt - self->t_out) * lag_k (dt, 600);
        double tin = self->t_amb + 0.5 * (self->t_out - self->t_amb);
        self->t_in += (tin - self->t_in) * lag_k (dt, 3600);
        double rho = self->rho_in + 0.25 * self->rop - 2 * self->gas_kick;
        self->rho_out += (rho - self->rho_out) * lag_k (dt, 300);
    }
    else {
        self->t_out += (self->t_amb + 5 - self->t_out) * lag_k (dt, 1800);
        self->t_in += (self->t_amb - self->t_in) * lag_k (dt, 7200);
    }
    self->rho_in += (self->rho0 - self->rho_in) * dt / 20000 + rs_simrng_gauss (r) * 0.02 * sqrt (dt);
    //  Varied rigs: now and then the mud engineer weights the mud up (or
    //  cuts it back) by 1.5-5% over 20-60 minutes of circulation.
    if (self->t >= self->mud_next) {
        rs_simrng_t *o = &self->rng_ops;
        double step = rs_simrng_range (o, 0.015, 0.05) * (rs_simrng_u (o) < 0.7 ? 1 : -1);
        double target = clamp (self->rho0 * (1 + step), 1030, 2100);
        self->mud_rate = (target - self->rho0) / rs_simrng_range (o, 1200, 3600);
        self->rho0 = target;
        self->mud_next = self->t + rs_simrng_range (o, 3 * 3600, 9 * 3600);
    }
    if (self->mud_rate != 0 && self->q_in > 100) {
        double step = self->mud_rate * dt;
        if (fabs (self->rho0 - self->rho_in) <= fabs (step)) {
            self->rho_in = self->rho0;
            self->mud_rate = 0;
        }
        else
            self->rho_in += step;
    }
    //  The string fills with what is pumped, a string volume at a time.
    if (self->q_in > 100) {
        double od = self->rig.dp_od_m * 0.85;
        double vol = M_PI / 4 * od * od * fmax (self->bit, 1);
        self->rho_str += (self->rho_in - self->rho_str) * lag_k (dt, vol / (self->q_in / 60000));
    }
}

//  --------------------------------------------------------------------------

static void
substep (rs_sim_t *self, double dt)
{
    events_update (self);
    ctl_t c;
    op_update (self, dt, &c);
    if (self->si)
        shut_in_update (self, dt, &c);
    sim_event_t *stuck = ev_active (self, RS_SIM_STUCK_PIPE);
    if (stuck)
        stuck_update (self, stuck, &c);
    physics (self, dt, &c);
    self->t += dt;

    rs_sim_state_t st = self->si ? RS_SIM_SHUT_IN : s_phase_state[self->phase];
    if (st != self->state) {
        rs_sim_note_t n = { .kind = RS_SIM_NOTE_STATE, .t_s = self->t, .state = st,
                            .prev_state = self->state };
        note_push (self, &n);
        self->state = st;
    }
}

static void
put (rs_value_t *out, size_t max, size_t *n, int id, double value)
{
    if (*n >= max)
        return;
    out[*n].id = id;
    out[*n].name = rs_chan_info (id)->name;
    out[*n].value = value;
    (*n)++;
}

static double
nonneg (double x)
{
    return x > 0 ? x : 0;
}

//  The hook load the sensor reports: the line's weight with the block's
//  height (zero at mid-travel), the zero's daily cycle, the resolution.
static double
hook_read (const rs_sim_t *self, double noise)
{
    const rig_t *g = &self->rig;
    double mid = SLIPS_BLOCK + g->stand_m / 2;
    double x = self->hook + noise - g->line_kn_m * (self->block - mid)
               + g->hk_drift_kn * sin (2 * M_PI * self->t / 86400 + g->hk_drift_ph);
    return g->hk_step_kn > 0 ? round (x / g->hk_step_kn) * g->hk_step_kn : x;
}

//  The returns' paddle meter: a gain, a nonlinearity around the drilling
//  rate and an offset while flowing, a reading at rest that it never goes
//  under, plus noise.
static double
flow_meter (const rs_sim_t *self, rs_simrng_t *z)
{
    const rig_t *g = &self->rig;
    double q = self->q_out, qn = self->qn0, read = q;
    if (q > 0 && qn > 0 && (g->fo_gain != 1 || g->fo_gamma != 1 || g->fo_offset != 0))
        read = g->fo_gain * qn * pow (q / qn, g->fo_gamma) + (q > 0.05 * qn ? g->fo_offset : 0);
    read = fmax (read, g->fo_rest * qn);
    return nonneg (read + rs_simrng_gauss (z) * (g->fo_noise_rel * q + g->fo_noise_abs));
}

size_t
rs_sim_step (rs_sim_t *self, double dt_s, rs_value_t *out, size_t max)
{
    if (!self)
        return 0;
    self->n_notes = 0;
    double hole0 = self->hole;
    bool advance = isfinite (dt_s) && dt_s > 0;
    if (advance) {
        int steps = (int) ceil (dt_s / MAX_SUBSTEP);
        if (steps < 1)
            steps = 1;
        double h = dt_s / steps;
        for (int i = 0; i < steps; i++)
            substep (self, h);
    }
    if (!out)
        return 0;

    rs_simrng_t *z = &self->noise;
    double rop = advance ? (self->hole - hole0) / dt_s * 3600 : self->rop;
    double pit_noise = rs_simrng_gauss (z) * 0.03;
    double gas = 0;
    for (int i = 0; i < MAX_SPIKES; i++) {
        const spike_t *s = &self->spikes[i];
        if (s->width > 0) {
            double x = (self->t - s->t) / s->width;
            if (fabs (x) < 5)
                gas += s->amp * exp (-x * x);
        }
    }
    gas = 0.02 + (self->gas_bg + gas + self->gas_kick)
                 * clamp (self->q_out / (0.5 * q_nominal (self)), 0, 1);
    gas = clamp (gas * (1 + 0.03 * rs_simrng_gauss (z)) + 0.01 * rs_simrng_gauss (z), 0, 100);
    double wob = self->wob + self->wob_zero + rs_simrng_gauss (z) * (0.5 + 0.01 * self->wob);
    if (rs_sim_event_active (self, RS_SIM_STUCK_PIPE))
        wob -= self->overpull;

    size_t n = 0;
    put (out, max, &n, RS_CH_BIT_DEPTH, self->bit);
    put (out, max, &n, RS_CH_HOLE_DEPTH, self->hole);
    put (out, max, &n, RS_CH_BLOCK_POS, self->block);
    put (out, max, &n, RS_CH_ROP, rop);
    put (out, max, &n, RS_CH_WOB, wob);
    put (out, max, &n, RS_CH_HOOK_LOAD, hook_read (self, rs_simrng_gauss (z) * 2.0));
    put (out, max, &n, RS_CH_RPM, self->rpm > 0 ? nonneg (self->rpm + rs_simrng_gauss (z) * 0.5) : 0);
    put (out, max, &n, RS_CH_TORQUE,
         nonneg (self->torque * (1 + 0.03 * rs_simrng_gauss (z)) + 0.03 * rs_simrng_gauss (z)));
    put (out, max, &n, RS_CH_SPP, nonneg (self->spp * (1 + 0.003 * rs_simrng_gauss (z)) + 0.3 * rs_simrng_gauss (z)));
    if (self->si)
        put (out, max, &n, RS_CH_CASING_PRESSURE, nonneg (self->casing + 0.2 * rs_simrng_gauss (z)));
    put (out, max, &n, RS_CH_SPM1, self->spm1 > 0.5 ? nonneg (self->spm1 + 0.15 * rs_simrng_gauss (z)) : 0);
    put (out, max, &n, RS_CH_SPM2, self->spm2 > 0.5 ? nonneg (self->spm2 + 0.15 * rs_simrng_gauss (z)) : 0);
    put (out, max, &n, RS_CH_FLOW_IN,
         self->q_in > 0 ? nonneg (self->q_in * (1 + 0.002 * rs_simrng_gauss (z))) : 0);
    put (out, max, &n, RS_CH_FLOW_OUT, flow_meter (self, z));
    put (out, max, &n, RS_CH_PIT_VOLUME, self->pit + pit_noise);
    put (out, max, &n, RS_CH_PIT_GAIN, self->pit - self->pit_exp + pit_noise);
    put (out, max, &n, RS_CH_GAS, gas);
    put (out, max, &n, RS_CH_MUD_TEMP_IN, self->t_in + 0.05 * rs_simrng_gauss (z));
    put (out, max, &n, RS_CH_MUD_TEMP_OUT, self->t_out + 0.05 * rs_simrng_gauss (z));
    put (out, max, &n, RS_CH_MUD_DENSITY_IN, self->rho_in + 1.0 * rs_simrng_gauss (z));
    put (out, max, &n, RS_CH_MUD_DENSITY_OUT, self->rho_out + 1.5 * rs_simrng_gauss (z));

    rs_simfault_state_t f;
    int tr;
    while ((tr = rs_simfault_update (self->faults, self->t, &f)) >= 0) {
        rs_sim_note_t note = { .kind = tr ? RS_SIM_NOTE_FAULT_START : RS_SIM_NOTE_FAULT_END,
                               .t_s = self->t, .state = self->state, .prev_state = self->state,
                               .duration_s = f.end_s - f.start_s, .fault = f.kind, .channel = f.channel };
        note_push (self, &note);
    }
    rs_simfault_apply (self->faults, self->t, out, n);
    return n;
}

//  --------------------------------------------------------------------------

//  The rig: the demo's constants, or (opts.vary) drawn within physical
//  ranges from the seed's own stream, so the default run does not change.
static void
rig_draw (rs_sim_t *self, rs_simrng_t *r)
{
    rig_t *g = &self->rig;
    *g = (rig_t) {
        .stand_m = STAND_M, .dp_kg_m = DP_KG_M, .dp_od_m = DP_OD_M, .block_kn = BLOCK_KN,
        .pump_l = PUMP_L, .tau1_s = TAU_RETURNS, .tau2_s = 0, .spp_exp = 1.8, .spp_bit = 75,
        .rop_k = 28, .rop_wob_exp = 1, .rop_rpm_exp = 0.6,
        .fo_gain = 1, .fo_gamma = 1, .fo_offset = 0, .fo_noise_rel = 0.01, .fo_noise_abs = 2,
        .ann_frac = 0.15,
    };
    if (!self->opts.vary)
        return;
    double bit_in = self->opts.bit_diameter_m / 0.0254;
    //  Triples of range 2 joints, or doubles.
    g->stand_m = rs_simrng_u (r) < 0.6 ? rs_simrng_range (r, 27, 29) : rs_simrng_range (r, 18, 19.5);
    //  Drill pipe 3 1/2 to 6 5/8 in (no larger than the hole allows);
    //  nominal weight grows with size; tool joints add 4-10% of steel.
    double od_in = rs_simrng_range (r, 3.5, fmax (3.5, fmin (6.625, 0.6 * bit_in)));
    double tj = rs_simrng_u (r) < 0.5 ? rs_simrng_range (r, 1.04, 1.10) : 1.0;
    g->dp_od_m = od_in * 0.0254;
    g->dp_kg_m = (19.8 + 5.7 * (od_in - 3.5)) * tj;
    g->block_kn = rs_simrng_range (r, 250, 450);
    g->pump_l = clamp (14 * pow (bit_in / 8.5, 0.8) * rs_simrng_range (r, 0.85, 1.15), 6, 30);
    double lag = rs_simrng_log (r, 5, 60);
    g->tau2_s = lag * rs_simrng_range (r, 0, 0.5);
    g->tau1_s = lag - g->tau2_s;
    g->spp_exp = rs_simrng_range (r, 1.7, 2.0);
    g->spp_bit = rs_simrng_range (r, 40, 110);
    g->rop_k = rs_simrng_range (r, 15, 45);
    g->rop_wob_exp = rs_simrng_range (r, 0.8, 1.4);
    g->rop_rpm_exp = rs_simrng_range (r, 0.4, 0.9);
    g->fo_gain = rs_simrng_range (r, 0.85, 1.15);
    g->fo_gamma = rs_simrng_range (r, 0.85, 1.15);
    g->fo_offset = rs_simrng_range (r, -40, 40);
    g->fo_noise_rel = rs_simrng_range (r, 0.005, 0.03);
    g->fo_noise_abs = rs_simrng_range (r, 1, 8);
    //  Half the rigs drill with a mud motor: on bottom its torque, and so
    //  its differential pressure, goes with the weight on bit (8-45 bar at
    //  the drilling WOB), on top of the circulating pressure.
    g->motor_bar_kn = rs_simrng_u (r) < 0.5 ? rs_simrng_range (r, 0.1, 0.3) : 0;
    //  Half the paddles do not rest at zero: hanging in an empty flowline
    //  they read 0.5-3% of the drilling rate (Volve F-9: 16 L/min for hours
    //  with the pumps off).
    g->fo_rest = rs_simrng_u (r) < 0.5 ? rs_simrng_range (r, 0.005, 0.03) : 0;
    //  Cuttings ride up the annulus slower than the mud (transport ratio
    //  0.4-0.8), so it holds more of them than the bit makes per litre
    //  pumped; wells deviate.
    g->cut_slip = rs_simrng_range (r, 1.25, 2.5);
    g->tvd_frac = rs_simrng_range (r, 0.5, 1.0);
    g->ann_frac = rs_simrng_range (r, 0.05, 0.2);
    //  A third of the wells balloon: the circulating pressure pushes mud
    //  into a weak formation, which gives it back when the pumps stop (and
    //  takes it again when they start), as a losses-and-gains cycle at
    //  every connection.
    double bm = rs_simrng_log (r, 0.2, 2), bt = rs_simrng_log (r, 180, 1200);
    if (rs_simrng_u (r) < 1.0 / 3) {
        g->balloon_m3 = bm;
        g->balloon_tau_s = bt;
    }
    //  A warmer mud is thinner: its friction falls 0.5-1.5% per degC (its
    //  viscosity some 2%, turbulent losses going with a fraction of it), so
    //  the pressure falls as the system warms after a trip.
    g->visc_k = rs_simrng_range (r, 0.005, 0.015);
    //  The hook load sensor (Volve F-9: the empty block 0.3-1.2 kN/m lighter
    //  the higher it stands, the load in the slips 655 to 720 kN over a day,
    //  3.85 kN steps).
    g->line_kn_m = rs_simrng_range (r, 0.2, 1.2);
    g->hk_drift_kn = rs_simrng_range (r, 0, 30);
    g->hk_drift_ph = rs_simrng_range (r, 0, 2 * M_PI);
    double u = rs_simrng_u (r);
    g->hk_step_kn = u < 0.5 ? 0 : u < 0.75 ? 1 : 3.85;
}

rs_sim_t *
rs_sim_new (const rs_sim_opts_t *opts)
{
    rs_sim_opts_t o = { 0 };
    if (opts)
        o = *opts;
    if (!o.well)
        o.well = "A-01";
    rs_simrng_t rr;
    rs_simrng_seed (&rr, o.seed, 4);
    if (o.start_depth_m == 0)
        o.start_depth_m = o.vary ? rs_simrng_range (&rr, 800, 3500) : 2000;
    if (o.bit_diameter_m == 0) {
        static const double sizes_in[] = { 6, 6.125, 8.5, 8.75, 9.875, 12.25, 14.75, 16, 17.5 };
        size_t i = (size_t) (rs_simrng_u (&rr) * (sizeof sizes_in / sizeof sizes_in[0]));
        o.bit_diameter_m = o.vary ? sizes_in[i] * 0.0254 : 0.2159;
    }
    if (!isfinite (o.start_depth_m) || o.start_depth_m < 100 || o.start_depth_m > 9000
        || !isfinite (o.bit_diameter_m) || o.bit_diameter_m < 0.1 || o.bit_diameter_m > 0.7
        || !isfinite (o.random_events_per_h) || o.random_events_per_h < 0
        || !isfinite (o.faults_per_h) || o.faults_per_h < 0 || strlen (o.well) > RS_MAX_ID)
        return NULL;

    rs_sim_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    snprintf (self->well, sizeof self->well, "%s", o.well);
    o.well = self->well;
    self->opts = o;
    rs_simrng_seed (&self->rng, o.seed, 1);
    rs_simrng_seed (&self->noise, o.seed, 2);
    rs_simrng_seed (&self->rng_ev, o.seed, 3);
    rs_simrng_seed (&self->rng_ops, o.seed, 5);
    layers_build (self, o.seed);
    rs_simrng_t *r = &self->rng;
    rig_draw (self, &rr);
    if (o.faults_per_h > 0 && !(self->faults = rs_simfault_new (o.seed, o.faults_per_h))) {
        free (self);
        return NULL;
    }

    self->a_hole = M_PI / 4 * o.bit_diameter_m * o.bit_diameter_m;
    self->a_steel = self->rig.dp_kg_m / STEEL_RHO;
    self->a_annulus = self->a_hole - M_PI / 4 * self->rig.dp_od_m * self->rig.dp_od_m;
    self->hole = self->bit = o.start_depth_m;
    self->block = rs_simrng_range (r, 5, BLOCK_TOP - 2);
    self->latch = self->bit + self->block;
    self->stand_start = self->hole;
    //  Pump rate within the pumps' pressure rating for the section ahead.
    self->spm_sp = rs_simrng_range (r, 72, 88);
    spm_rated (self);
    self->qn0 = q_nominal (self);
    self->spm1 = self->spm2 = self->spm_sp;
    self->q_in = self->q_out = q_nominal (self);
    self->q_mid = self->q_out;
    self->lag = self->lag0 = self->q_out * (self->rig.tau1_s + self->rig.tau2_s) / 60000.0;
    self->balloon = self->rig.balloon_m3;       // circulating since before the start
    int every = o.trip_every_stands;
    self->stands_per_run = every > 0 ? every : every < 0 ? 0 : 15 + (int) (rs_simrng_u (r) * 31);
    self->ball = 1;
    self->wob_zero = -rs_simrng_range (r, 0.3, 2.5);

    const layer_t *l = layer_at (self, self->hole);
    self->wob = l->wob;
    self->rpm = l->rpm;
    self->pit = self->pit_exp = self->pit_target = rs_simrng_range (r, 80, 120);
    self->rho0 = self->rho_in = self->rho_str = rs_simrng_range (r, 1150, 1280);
    self->mud_next = o.vary ? rs_simrng_range (&self->rng_ops, 3600, 6 * 3600) : INFINITY;
    self->rho_out = self->rho_in + 6;
    self->t_amb = rs_simrng_range (r, 18, 28);
    self->t_in = self->t_amb + 11;
    self->t_out = self->t_in + 4 + 0.0035 * self->bit;
    self->t_ref = 0.5 * (self->t_in + self->t_out);
    self->gas_bg = l->gas * 0.8;
    self->spp = spp_model (self, self->q_in, self->bit, self->rho_in);
    double ws = string_weight (self, self->bit) * (1 - self->rho_in / STEEL_RHO);
    self->hook = self->rig.block_kn + ws - self->wob;
    self->torque = (0.6 + 0.0022 * self->bit) * (0.75 + 0.25 * self->rpm / 120) + l->kt * self->wob;
    self->phase = PH_DRILL;
    self->ph_t = 120;
    self->state = RS_SIM_DRILLING;
    if (o.random_events_per_h > 0)
        self->next_random = rs_simrng_exp (&self->rng_ev, 3600.0 / o.random_events_per_h);
    return self;
}

void
rs_sim_destroy (rs_sim_t **self_p)
{
    if (self_p && *self_p) {
        rs_simfault_destroy (&(*self_p)->faults);
        free (*self_p);
        *self_p = NULL;
    }
}

size_t
rs_sim_notes (rs_sim_t *self, const rs_sim_note_t **notes)
{
    if (notes)
        *notes = self ? self->notes : NULL;
    return self ? self->n_notes : 0;
}

uint64_t
rs_sim_notes_dropped (const rs_sim_t *self)
{
    return self ? self->notes_dropped : 0;
}

const char *
rs_sim_well (const rs_sim_t *self)
{
    return self ? self->well : NULL;
}

double
rs_sim_time (const rs_sim_t *self)
{
    return self ? self->t : 0;
}

rs_sim_state_t
rs_sim_state (const rs_sim_t *self)
{
    return self ? self->state : RS_SIM_DRILLING;
}

void
rs_sim_truth (const rs_sim_t *self, rs_sim_truth_t *truth)
{
    if (!self || !truth)
        return;
    memset (truth, 0, sizeof *truth);
    truth->hole_depth = self->hole;
    truth->bit_depth = self->bit;
    truth->block_pos = self->block;
    truth->rop = self->rop;
    truth->flow_in = self->q_in;
    truth->flow_out = self->q_out;
    truth->pit_volume = self->pit;
    truth->lag_volume = self->lag;
    truth->influx_m3 = self->influx;
    truth->loss_m3 = self->loss;
    truth->vent_m3 = self->vent;
    truth->transfer_m3 = self->transfer;
    truth->balloon_m3 = self->balloon;
    truth->hole_area_m2 = self->a_hole;
    truth->steel_area_m2 = self->a_steel;
    truth->spm = self->spm1 + self->spm2;
    truth->in_slips = self->slips;
    truth->on_bottom = self->bit >= self->hole - 1e-9;
    truth->stuck = ev_active (self, RS_SIM_STUCK_PIPE) != NULL;
    truth->stands_drilled = self->stands_drilled;
    truth->trips = self->trips;
}

void
rs_sim_rig (const rs_sim_t *self, rs_sim_rig_t *rig)
{
    if (!self || !rig)
        return;
    const rig_t *g = &self->rig;
    *rig = (rs_sim_rig_t) {
        .bit_diameter_m = self->opts.bit_diameter_m, .pipe_od_m = g->dp_od_m,
        .pipe_disp_m3_m = self->a_steel, .stand_m = g->stand_m, .flowline_lag_s = g->tau1_s + g->tau2_s,
        .spp_exp = g->spp_exp, .flow_nominal_lpm = q_nominal (self), .fo_gain = g->fo_gain,
        .fo_gamma = g->fo_gamma, .fo_offset_lpm = g->fo_offset, .motor_bar_kn = g->motor_bar_kn,
    };
}

//  --------------------------------------------------------------------------
//  Event specs: "type@start_s[:duration_s],..."

typedef struct {
    rs_sim_event_t type;
    double start, dur;
} spec_item_t;

static int
spec_parse (const char *spec, spec_item_t *items, size_t max, size_t *count,
            char *err, size_t err_size)
{
    char dummy[8];
    if (!err) {
        err = dummy;
        err_size = sizeof dummy;
    }
    *count = 0;
    if (!spec)
        return 0;
    const char *p = spec;
    while (*p) {
        while (isspace ((unsigned char) *p) || *p == ',')
            p++;
        if (!*p)
            break;
        const char *name = p;
        while (*p && (islower ((unsigned char) *p) || *p == '_'))
            p++;
        size_t name_len = (size_t) (p - name);
        int type = rs_sim_event_lookup (name, name_len);
        if (type < 0) {
            const char *end = strpbrk (name, "@,");
            int len = (int) (end ? (size_t) (end - name) : strlen (name));
            snprintf (err, err_size, "unknown event type '%.*s' (known: kick, lost_circulation, "
                      "washout, stuck_pipe, pack_off, bit_balling)", len > 40 ? 40 : len, name);
            return -1;
        }
        if (*p != '@') {
            snprintf (err, err_size, "event '%s' needs @start_s (e.g. %s@600)",
                      s_event_names[type], s_event_names[type]);
            return -1;
        }
        p++;
        char *end;
        double start = strtod (p, &end);
        if (end == p || !isfinite (start) || start < 0) {
            snprintf (err, err_size, "event '%s': start must be a number of seconds >= 0",
                      s_event_names[type]);
            return -1;
        }
        p = end;
        double dur = 0;
        if (*p == ':') {
            p++;
            dur = strtod (p, &end);
            if (end == p || !isfinite (dur) || dur <= 0) {
                snprintf (err, err_size, "event '%s': duration must be a number of seconds > 0",
                          s_event_names[type]);
                return -1;
            }
            p = end;
        }
        while (isspace ((unsigned char) *p))
            p++;
        if (*p && *p != ',') {
            snprintf (err, err_size, "event '%s': unexpected '%c' (format type@start_s[:duration_s])",
                      s_event_names[type], *p);
            return -1;
        }
        if (*count >= max) {
            snprintf (err, err_size, "too many events (at most %zu)", max);
            return -1;
        }
        items[*count].type = (rs_sim_event_t) type;
        items[*count].start = start;
        items[*count].dur = dur;
        (*count)++;
    }
    return 0;
}

//  Parses spec into at most max items; the reason of a refusal goes to
//  rs_err_set.
static rs_err_t
s_spec_parse (const char *spec, spec_item_t *items, size_t max, size_t *count)
{
    char err[256];
    if (spec_parse (spec, items, max, count, err, sizeof err) != 0)
        return rs_err_set (RS_E_FORMAT, "%s", err);
    return RS_OK;
}

rs_err_t
rs_sim_spec_check (const char *spec)
{
    spec_item_t items[MAX_EVENTS];
    size_t n;
    return s_spec_parse (spec, items, MAX_EVENTS, &n);
}

rs_err_t
rs_sim_inject_spec (rs_sim_t *self, const char *spec)
{
    spec_item_t items[MAX_EVENTS];
    size_t n;
    if (!self)
        return rs_err_set (RS_E_INVAL, "no simulator");
    rs_err_t rc = s_spec_parse (spec, items, MAX_EVENTS - self->n_ev, &n);
    if (rc != RS_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        rs_sim_inject (self, items[i].type, items[i].start, items[i].dur);
    return RS_OK;
}
