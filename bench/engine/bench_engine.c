/*  bench_engine: scores the prediction engine against the simulator's ground
    truth, in process. For each seed, rs_sim simulates one well with random
    events; every sample goes straight into rs_engine (no sockets), and the
    alerts it raises are matched to the events.

    With --vary (the report's default) each seed draws its own rig, sensors,
    event sizes and sample interval (1, 2, 5 or 10 s), and the engine is
    configured as a rig crew would: bit size and string displacement
    (each off by up to 5%); flowline lag and the
    pressure-flow exponent it learns. Tuning seeds (1-999) and reporting
    seeds (1001 on) are disjoint; the report prints which it used.

    Per event type and size bin: recall (events with a matching alert) and
    median detection delay; per type: precision (alerts of that type that
    fall in an event of that type; a false alarm has no size). An alert
    matches an event when raised between its start and MATCH_GRACE_S after
    its end; an event still going when the run ends counts only if caught.
    False alarms: alerts of any kind raised in normal operation (outside
    every event's start to end plus aftermath), per 12 h of that time, in a
    run without and a run with sensor faults (--faults per hour).

    --assert fails (exit 1) below the floors (docs/PREDICTION.md, Scoring):
    recall >= 0.8 for kicks of 10% of flow in or more (the flow difference
    drillers act on) and losses of 5% or more (partial losses), unless flow
    in or out is withheld, and at most FA_FLOOR_12H (--max-false) false
    alarms of the detectors per 12 h without sensor faults. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rs_channels.h"
#include "rs_detect.h"
#include "rs_engine.h"
#include "rs_kpi.h"
#include "rs_rigstate.h"
#include "rs_sim.h"

#define FA_FLOOR_12H 0.5     // detectors' false alarms per 12 h of normal operation, at most

//  The kinds of log a WITSML store of the Volve field holds for one
//  wellbore (docs/REPLAY.md): the channels each carries and how often it
//  is read, so that a run scores a log of that kind alone. CementData's
//  and TripTime's "Depth" moves with the string (F-9): the bit's depth.
static const struct {
    const char *name;
    double dt;                  //  s between readings
    const char *channels;       //  the channels it carries (F-9's casing pressure, pump strokes and
                                //  pit gain are nil or pinned: GenTime has none that read)
} s_kinds[] = {
    { "gentime", 3, "bit_depth,hole_depth,block_pos,rop,wob,hook_load,rpm,torque,spp,flow_in,flow_out,pit_volume,gas,"
                    "mud_temp_in,mud_temp_out,mud_density_in,mud_density_out" },
    { "gwdtime", 15, "gas,wob,flow_in,hook_load,rpm,flow_out,bit_depth,hole_depth,mud_density_in,mud_density_out,"
                     "torque,rop,spp" },
    { "cementdata", 5, "block_pos,spm1,spm2,spp,flow_in,hook_load,bit_depth" },
    { "triptime", 30, "hook_load,block_pos,bit_depth,flow_out" },
    { "hydraulics", 30, "flow_in,spp,flow_out,mud_density_in,mud_density_out,bit_depth,hole_depth" },
    { "gentime2", 5, "block_pos,bit_depth,hole_depth" },
    { "pits", 30, "pit_volume,pit_gain,hole_depth" },
};

#define MATCH_GRACE_S  600.0
#define MAX_EVENTS     65536
#define MAX_ALERTS     65536
#define T0_US          1767225600000000LL      // 2026-01-01T00:00:00Z

typedef struct {
    int type;                   // rs_sim_event_t
    double size;                // rs_sim_event_unit(type)
    double start, end;
    bool detected;
    bool censored;              // still going when the run ended
    double delay;
    int seed;
} event_t;

typedef struct {
    char type[32];
    double t;
    int seed;
    bool matched;               // within an event of its own type
    bool normal;                // raised in normal operation
    bool faults;                // raised in a run with sensor faults
} alert_rec_t;

typedef struct {
    event_t ev[MAX_EVENTS];
    size_t n_ev;
    alert_rec_t al[MAX_ALERTS];
    size_t n_al;
    double normal_s, total_s, normal_f_s;
    double engine_s;
    uint64_t samples;
    double state_agree, state_total;
    double state_min[RS_SIM_STATE_COUNT][RS_RIG_COUNT];     // simulator's state x engine's, minutes
    double rop_err_pred, rop_err_last;
    int rop_n;
    bool verbose;
    int seed;
    FILE *alerts_log;
} bench_t;

static double
s_now (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
s_on_alert (const rs_alert_t *a, void *arg)
{
    bench_t *b = arg;
    double t = (double) (a->ts_us - T0_US) / 1e6;
    if (b->alerts_log)
        fprintf (b->alerts_log, "seed %d t=%7.0f %-8s %-16s #%llu %-8s %s\n", b->seed, t,
                 rs_alert_state_name (a->state), a->rule ? a->rule : a->type,
                 (unsigned long long) a->alert_id, rs_severity_name (a->severity), a->message);
    if (a->state != RS_ALERT_RAISED || b->n_al >= MAX_ALERTS)
        return;
    alert_rec_t *r = &b->al[b->n_al++];
    snprintf (r->type, sizeof r->type, "%s", a->type);
    r->t = t;
    r->seed = b->seed;
}

//  How long after its end an event still disturbs the well.
static double
s_aftermath (int type)
{
    switch (type) {
        case RS_SIM_KICK: return 3600;              // shut-in and kill
        case RS_SIM_WASHOUT: return 3600;           // the loss of pressure stays
        default: return 900;
    }
}

//  Does the simulator's state agree with the engine's? -1: not comparable.
static int
s_state_agree (rs_sim_state_t sim, rs_rig_t eng)
{
    switch (sim) {
        case RS_SIM_DRILLING: return rs_rig_drilling (eng);
        case RS_SIM_CIRCULATING: return eng == RS_RIG_CIRCULATING;
        case RS_SIM_CONNECTION: return eng == RS_RIG_CONNECTION;
        //  Out of hole is the hook carrying the block alone: in slips, as the
        //  real log's labels are scored (docs/PREDICTION.md, common classes).
        case RS_SIM_IN_SLIPS: return eng == RS_RIG_IN_SLIPS || eng == RS_RIG_CONNECTION || eng == RS_RIG_OUT_OF_HOLE;
        case RS_SIM_TRIPPING_OUT: return eng == RS_RIG_TRIPPING_OUT;
        case RS_SIM_TRIPPING_IN: return eng == RS_RIG_TRIPPING_IN;
        case RS_SIM_SHUT_IN: return eng == RS_RIG_SHUT_IN;
        case RS_SIM_REAMING: return eng == RS_RIG_REAMING;
        default: return -1;
    }
}

//  The engine's states in eight characters, each column told apart.
static const char *
s_rig_short (int state)
{
    static const char *names[RS_RIG_COUNT] = {
        [RS_RIG_UNKNOWN] = "unknown",      [RS_RIG_DRILLING_ROTARY] = "drl_rot", [RS_RIG_DRILLING_SLIDING] = "drl_slid",
        [RS_RIG_REAMING] = "reaming",      [RS_RIG_CIRCULATING] = "circ",        [RS_RIG_OFF_BOTTOM] = "off_btm",
        [RS_RIG_CONNECTION] = "conn",      [RS_RIG_IN_SLIPS] = "in_slips",       [RS_RIG_TRIPPING_IN] = "trip_in",
        [RS_RIG_TRIPPING_OUT] = "trip_out", [RS_RIG_SHUT_IN] = "shut_in",        [RS_RIG_OUT_OF_HOLE] = "out_hole",
    };
    return state >= 0 && state < RS_RIG_COUNT && names[state] ? names[state] : rs_rig_name (state);
}

//  Where the engine's state goes for each of the simulator's: share of the
//  simulator's time in that state, in percent (columns under 0.5% left out).
static void
s_print_states (const bench_t *b)
{
    bool used[RS_RIG_COUNT] = { false };
    double row[RS_SIM_STATE_COUNT] = { 0 };
    for (int s = 0; s < RS_SIM_STATE_COUNT; s++)
        for (int e = 0; e < RS_RIG_COUNT; e++)
            row[s] += b->state_min[s][e];
    for (int s = 0; s < RS_SIM_STATE_COUNT; s++)
        for (int e = 0; e < RS_RIG_COUNT; e++)
            if (row[s] > 0 && b->state_min[s][e] >= 0.005 * row[s])
                used[e] = true;
    printf ("  simulator \\ engine (%% of the simulator's time)\n  %-14s %8s", "", "hours");
    for (int e = 0; e < RS_RIG_COUNT; e++)
        if (used[e])
            printf (" %8.8s", s_rig_short (e));
    printf ("\n");
    for (int s = 0; s < RS_SIM_STATE_COUNT; s++) {
        if (row[s] <= 0)
            continue;
        printf ("  %-14.14s %8.1f", rs_sim_state_name (s), row[s] / 60);
        for (int e = 0; e < RS_RIG_COUNT; e++)
            if (used[e])
                printf (" %8.1f", 100 * b->state_min[s][e] / row[s]);
        printf ("\n");
    }
}

typedef struct {
    double hours, rate, dt;     // dt <= 0: drawn per seed
    bool vary;
    double faults;              // sensor faults per hour
    bool configure;             // configure bit size and pipe displacement
    bool withheld[RS_CH_COUNT]; // channels the engine is not given (a log without them)
} run_opts_t;

static int
s_run_seed (bench_t *b, int seed, const run_opts_t *ro, FILE *trace)
{
    double hours = ro->hours;
    static const double dts[] = { 1, 2, 5, 10 };
    double dt = ro->dt > 0 ? ro->dt : dts[(unsigned) seed * 2654435761u >> 30];
    rs_sim_opts_t so = { .well = "A-01", .seed = (uint64_t) seed, .random_events_per_h = ro->rate,
                         .vary = ro->vary, .faults_per_h = ro->faults };
    rs_sim_t *sim = rs_sim_new (&so);
    rs_sim_rig_t rig;
    rs_sim_rig (sim, &rig);
    //  What a crew would enter: the bit size and the string's displacement
    //  from a table, each off by up to 5%.
    double e1 = ((seed * 7919) % 101 - 50) / 1000.0, e2 = ((seed * 104729) % 101 - 50) / 1000.0;
    rs_engine_opts_t eo = { 0 };
    if (ro->configure) {
        eo.bit_diameter_m = rig.bit_diameter_m * (1 + e1);
        eo.pipe_disp_m3_m = rig.pipe_disp_m3_m * (1 + e2);
    }
    rs_engine_t *eng = rs_engine_new (&eo, s_on_alert, b);
    if (!sim || !eng) {
        fprintf (stderr, "bench_engine: cannot create the simulator or the engine\n");
        return -1;
    }
    b->seed = seed;
    size_t ev0 = b->n_ev, al0 = b->n_al;
    long open[RS_SIM_EVENT_COUNT];
    for (int i = 0; i < RS_SIM_EVENT_COUNT; i++)
        open[i] = -1;
    char faults[64] = "";       // the sensor fault on now, for the trace
    rs_value_t vals[RS_CH_COUNT + 4];
    double end = hours * 3600;
    double stands_pred = NAN, last_prev = NAN;
    size_t stands_seen = 0;
    if (trace)
        fprintf (trace, "t,sim_state,eng_state,events,flow_in,flow_out,flow_exp,balance,bal_raw,kick_cusum,"
                 "loss_cusum,spp,spp_coef,spp_dev,spp_drop,hook,block,bit,hole,wob,rpm,torque,rop,"
                 "pit_gain,pit_slope,spp_rise,flow_sigma,lag,gain,spp_exp,spp_wob,block_weight,bw_source,raw_state,wob_zero\n");
    while (rs_sim_time (sim) < end) {
        size_t n = rs_sim_step (sim, dt, vals, RS_CH_COUNT + 4);
        double t = rs_sim_time (sim);
        const rs_sim_note_t *notes;
        size_t nn = rs_sim_notes (sim, &notes);
        for (size_t i = 0; i < nn; i++) {
            const rs_sim_note_t *note = &notes[i];
            if (b->alerts_log && (note->kind == RS_SIM_NOTE_EVENT_START || note->kind == RS_SIM_NOTE_EVENT_END))
                fprintf (b->alerts_log, "seed %d t=%7.0f EVENT    %-16s %s (state %s)\n", seed, note->t_s,
                         rs_sim_event_name (note->type),
                         note->kind == RS_SIM_NOTE_EVENT_START ? "start" : "end",
                         rs_sim_state_name (note->state));
            if (b->alerts_log && (note->kind == RS_SIM_NOTE_FAULT_START || note->kind == RS_SIM_NOTE_FAULT_END))
                fprintf (b->alerts_log, "seed %d t=%7.0f FAULT    %-16s %s on %s\n", seed, note->t_s,
                         rs_simfault_name (note->fault), note->kind == RS_SIM_NOTE_FAULT_START ? "start" : "end",
                         rs_chan_info (note->channel) ? rs_chan_info (note->channel)->name : "?");
            if (note->kind == RS_SIM_NOTE_FAULT_START)
                snprintf (faults, sizeof faults, "%s:%s ", rs_simfault_name (note->fault),
                          rs_chan_info (note->channel) ? rs_chan_info (note->channel)->name : "?");
            else if (note->kind == RS_SIM_NOTE_FAULT_END)
                faults[0] = 0;
            if (note->kind == RS_SIM_NOTE_EVENT_START && b->n_ev < MAX_EVENTS) {
                event_t *e = &b->ev[b->n_ev];
                *e = (event_t) { .type = note->type, .size = note->size, .start = note->t_s, .end = INFINITY,
                                 .seed = seed };
                open[note->type] = (long) b->n_ev++;
            }
            else if (note->kind == RS_SIM_NOTE_EVENT_END && open[note->type] >= 0) {
                b->ev[open[note->type]].end = note->t_s;
                open[note->type] = -1;
            }
        }
        size_t kept = 0;
        for (size_t i = 0; i < n; i++)
            if (!(vals[i].id >= 0 && vals[i].id < RS_CH_COUNT && ro->withheld[vals[i].id]))
                vals[kept++] = vals[i];
        n = kept;
        double t0 = s_now ();
        rs_engine_feed (eng, "A-01", T0_US + (int64_t) llround (t * 1e6), vals, n);
        b->engine_s += s_now () - t0;
        b->samples++;

        const rs_riginfo_t *ri = rs_engine_well_rig (eng, 0);
        int agree = s_state_agree (rs_sim_state (sim), ri->state);
        if ((int) rs_sim_state (sim) < RS_SIM_STATE_COUNT && ri->state < RS_RIG_COUNT)
            b->state_min[rs_sim_state (sim)][ri->state] += dt / 60;
        if (agree >= 0) {
            b->state_total += dt;
            b->state_agree += agree ? dt : 0;
        }
        //  ROP prediction: compare the last prediction with each new stand.
        if (ri->changed && ri->state == RS_RIG_CONNECTION) {
            rs_value_t kv[RS_ENGINE_KPI_MAX];
            size_t nk = rs_engine_kpis (eng, 0, kv, RS_ENGINE_KPI_MAX);
            double stands = NAN, last = NAN, pred = NAN;
            for (size_t i = 0; i < nk; i++) {
                if (strcmp (kv[i].name, "stands") == 0)
                    stands = kv[i].value;
                else if (strcmp (kv[i].name, "rop_last_stand") == 0)
                    last = kv[i].value;
                else if (strcmp (kv[i].name, "rop_next_stand") == 0)
                    pred = kv[i].value;
            }
            if (!isnan (stands) && (size_t) stands > stands_seen) {
                if (!isnan (stands_pred) && !isnan (last) && !isnan (last_prev) && stands_seen > 0) {
                    b->rop_err_pred += fabs (stands_pred - last);
                    b->rop_err_last += fabs (last_prev - last);
                    b->rop_n++;
                }
                last_prev = last;
                stands_pred = pred;
                stands_seen = (size_t) stands;
            }
        }
        if (trace) {
            const rs_detect_view_t *v = rs_engine_well_view (eng, 0);
            char evs[128] = "";
            for (int i = 0; i < RS_SIM_EVENT_COUNT; i++)
                if (open[i] >= 0) {
                    strcat (evs, rs_sim_event_name (i));
                    strcat (evs, " ");
                }
            strncat (evs, faults, sizeof evs - strlen (evs) - 1);
            double ch[RS_CH_COUNT];
            for (int i = 0; i < RS_CH_COUNT; i++)
                ch[i] = NAN;
            for (size_t i = 0; i < n; i++)
                ch[vals[i].id] = vals[i].value;
            fprintf (trace, "%.0f,%s,%s,%s,%.0f,%.0f,%.0f,%.1f,%.1f,%.0f,%.0f,%.1f,%.2f,%.4f,%.4f,%.0f,%.2f,%.2f,"
                     "%.2f,%.1f,%.0f,%.2f,%.1f,%.3f,%.4f,%.2f,%.0f,%.1f,%.3f,%.2f,%.3f,%.1f,%s,%s,%.1f\n",
                     t, rs_sim_state_name (rs_sim_state (sim)),
                     rs_rig_name (ri->state), evs, ch[RS_CH_FLOW_IN], ch[RS_CH_FLOW_OUT], v->flow_expected,
                     v->flow_balance_avg, v->flow_balance, v->kick_cusum, v->loss_cusum, ch[RS_CH_SPP], v->spp_coef,
                     v->spp_dev,
                     v->spp_drop, ch[RS_CH_HOOK_LOAD], ch[RS_CH_BLOCK_POS], ch[RS_CH_BIT_DEPTH],
                     ch[RS_CH_HOLE_DEPTH], ch[RS_CH_WOB], ch[RS_CH_RPM], ch[RS_CH_TORQUE], ch[RS_CH_ROP],
                     ch[RS_CH_PIT_GAIN], v->pit_slope, v->spp_rise, v->flow_sigma, v->flowline_lag_s,
                     v->flow_gain, v->spp_exp, v->spp_wob, ri->block_weight_kn, rs_bw_source_name (ri->bw_source),
                     rs_rig_name (ri->raw), v->wob_zero);
        }
    }
    for (size_t i = ev0; i < b->n_ev; i++)
        if (isinf (b->ev[i].end)) {
            b->ev[i].end = end;
            b->ev[i].censored = true;
        }

    //  Score this seed's alerts and normal time.
    for (size_t a = al0; a < b->n_al; a++) {
        alert_rec_t *r = &b->al[a];
        r->normal = true;
        r->faults = ro->faults > 0;
        for (size_t i = ev0; i < b->n_ev; i++) {
            event_t *e = &b->ev[i];
            bool same = strcmp (r->type, rs_sim_event_name (e->type)) == 0;
            if (r->t >= e->start && r->t <= e->end + s_aftermath (e->type))
                r->normal = false;
            if (same && r->t >= e->start && r->t <= e->end + MATCH_GRACE_S) {
                r->matched = true;
                if (!e->detected || r->t - e->start < e->delay) {
                    e->delay = r->t - e->start;
                    e->detected = true;
                }
            }
        }
    }
    //  Normal time: total minus the union of affected intervals.
    double affected = 0, cur_s = -1, cur_e = -1;
    for (size_t i = ev0; i < b->n_ev; i++) {     // events come in start order
        double s = b->ev[i].start, e = fmin (end, b->ev[i].end + s_aftermath (b->ev[i].type));
        if (s > cur_e) {
            if (cur_e > cur_s)
                affected += cur_e - cur_s;
            cur_s = s;
            cur_e = e;
        }
        else if (e > cur_e)
            cur_e = e;
    }
    if (cur_e > cur_s)
        affected += cur_e - cur_s;
    b->total_s += end;
    if (ro->faults > 0)
        b->normal_f_s += end - affected;
    else
        b->normal_s += end - affected;
    rs_engine_destroy (&eng);
    rs_sim_destroy (&sim);
    return 0;
}

static int
s_cmp (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

static void
s_usage (void)
{
    printf ("Usage: bench_engine [--report | --tune | --short] [--seeds N] [--first-seed S] [--hours H]\n"
            "                    [--events-per-hour R] [--dt S] [--demo] [--unconfigured] [--faults F]\n"
            "                    [--json] [--assert] [--alerts FILE] [--trace FILE] [--without CH,...] [--kind K] [--help]\n\n"
            "Scores the prediction engine against rs_sim's ground truth, in process.\n"
            "  --report             the published report: 240 reporting seeds (1001-1240) x 12 h (default)\n"
            "  --tune               the same on tuning seeds (1-240); use these to adjust detectors\n"
            "  --short              a short run for ctest: 24 reporting seeds x 12 h\n"
            "  --seeds N            seeds (wells) to simulate\n"
            "  --first-seed S       first seed (tuning 1-999, reporting 1001 on)\n"
            "  --hours H            simulated hours per seed (default 12)\n"
            "  --events-per-hour R  random events per simulated hour (default 1.5)\n"
            "  --dt S               simulated seconds per sample (default: drawn per seed, 1/2/5/10 s)\n"
            "  --demo               the demo rig (no --vary): the old, circular score\n"
            "  --unconfigured       give the engine neither bit size nor pipe displacement\n"
            "  --faults F           sensor faults per hour in the run with faults (default 0.5)\n"
            "  --json               print the report as JSON\n"
            "  --assert             exit 1 below the floors\n"
            "  --alerts FILE        write every alert transition to FILE\n"
            "  --trace FILE         write a CSV of the first seed's samples and signals (its\n"
            "                       run with sensor faults, unless --faults 0)\n"
            "  --min-state PCT      exit 1 (as --assert) when the rig-state agreement is under PCT\n"
            "  --kind K             a log of one kind alone, with its channels and interval: gentime (all\n"
            "                       but casing pressure, strokes, pit gain; 3 s), gwdtime (no block or pit,\n"
            "                       15 s), cementdata (hook load, block, bit depth, pumps, 5 s), triptime\n"
            "                       (hook load, block, bit depth, returns, 30 s),\n"
            "                       hydraulics (flows, SPP, densities, depths, 30 s), gentime2 (block and\n"
            "                       depths, 5 s), pits (pits and hole depth, 30 s)\n"
            "  --max-false F        exit 1 (as --assert) above F false alarms of the detectors per 12 h\n"
            "                       without sensor faults (default floor 0.5)\n"
            "  --without CH,...     withhold these channels from the engine, as a log without them\n"
            "                       (e.g. bit_depth,hole_depth,wob,rop: hook load and block position only)\n");
}

//  Size bins per event type, in the unit of rs_sim_event_unit.
#define MAX_BINS 6
static const double s_bins[RS_SIM_EVENT_COUNT][MAX_BINS + 1] = {
    [RS_SIM_KICK] = { 0.005, 0.01, 0.02, 0.05, 0.10, 0.35, -1 },
    [RS_SIM_LOST_CIRCULATION] = { 0.005, 0.01, 0.02, 0.05, 0.10, 0.35, -1 },
    [RS_SIM_WASHOUT] = { 0.01, 0.02, 0.04, 0.07, 0.17, -1 },
    [RS_SIM_STUCK_PIPE] = { 30, 60, 120, 250, 401, -1 },
    [RS_SIM_PACK_OFF] = { 0.03, 0.06, 0.12, 0.31, -1 },
    [RS_SIM_BIT_BALLING] = { 0.10, 0.25, 0.40, 0.76, -1 },
};

static int
s_nbins (int type)
{
    int n = 0;
    while (n < MAX_BINS && s_bins[type][n + 1] > 0)
        n++;
    return n;
}

typedef struct {
    size_t n, det;
    double med;
} cell_t;

static double
s_median (double *v, size_t n)
{
    if (n == 0)
        return NAN;
    qsort (v, n, sizeof *v, s_cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

//  Events of a type in [lo, hi) of size; lo < 0 = all.
static cell_t
s_cell (const bench_t *b, int type, double lo, double hi)
{
    static double delays[MAX_EVENTS];
    cell_t c = { 0 };
    for (size_t i = 0; i < b->n_ev; i++) {
        const event_t *e = &b->ev[i];
        if (e->type != type || (e->censored && !e->detected) || (lo >= 0 && (e->size < lo || e->size >= hi)))
            continue;
        c.n++;
        if (e->detected)
            delays[c.det++] = e->delay;
    }
    c.med = s_median (delays, c.det);
    return c;
}

static double
s_fa12 (const bench_t *b, bool faults, bool detectors_only, size_t *count)
{
    size_t fa = 0;
    for (size_t i = 0; i < b->n_al; i++) {
        const alert_rec_t *r = &b->al[i];
        if (!r->normal || r->faults != faults)
            continue;
        if (detectors_only && (strcmp (r->type, "anomaly") == 0 || strcmp (r->type, "threshold") == 0))
            continue;
        fa++;
    }
    *count = fa;
    double t = faults ? b->normal_f_s : b->normal_s;
    return t > 0 ? fa / (t / 43200) : NAN;
}

//  Alerts of a type in the run without sensor faults; *matched: how many
//  matched an event of that type.
static size_t
s_alerts_of (const bench_t *b, const char *type, size_t *matched)
{
    size_t n = 0;
    *matched = 0;
    for (size_t i = 0; i < b->n_al; i++)
        if (!b->al[i].faults && strcmp (b->al[i].type, type) == 0) {
            n++;
            *matched += b->al[i].matched;
        }
    return n;
}

//  False alarms of each alert type, without and with sensor faults.
static void
s_print_false_by_type (const bench_t *b)
{
    const char *types[] = { "kick", "lost_circulation", "washout", "stuck_pipe", "pack_off", "bit_balling",
                            "anomaly" };
    printf ("  by type, per 12 h without / with faults:");
    for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
        size_t n[2] = { 0, 0 };
        for (size_t i = 0; i < b->n_al; i++)
            if (b->al[i].normal && strcmp (b->al[i].type, types[k]) == 0)
                n[b->al[i].faults]++;
        printf ("%s %s %.2f / %.2f", k ? "," : "", types[k], b->normal_s > 0 ? n[0] / (b->normal_s / 43200) : NAN,
                b->normal_f_s > 0 ? n[1] / (b->normal_f_s / 43200) : NAN);
    }
    printf ("\n");
}

//  The smallest bin from which on every bin has recall >= 0.9; NaN if none.
static double
s_smallest (const bench_t *b, int type)
{
    double from = NAN;
    for (int k = s_nbins (type) - 1; k >= 0; k--) {
        cell_t c = s_cell (b, type, s_bins[type][k], s_bins[type][k + 1]);
        if (c.n == 0)
            continue;
        if ((double) c.det / c.n < 0.9)
            break;
        from = s_bins[type][k];
    }
    return from;
}

static void
s_json_num (double x)
{
    if (isnan (x))
        printf ("null");
    else
        printf ("%.4g", x);
}

int
main (int argc, char **argv)
{
    int seeds = 240, first = 1001;
    run_opts_t ro = { .hours = 12, .rate = 1.5, .dt = 0, .vary = true, .faults = 0.5, .configure = true };
    bool check = false, json = false;
    double min_state = NAN;         // --min-state: floor on the rig-state agreement, %
    double max_false = FA_FLOOR_12H;    // --max-false: the detectors' false alarms per 12 h, at most
    const char *mode = "report";
    const char *trace_path = NULL, *alerts_path = NULL;
    static const struct option longopts[] = {
        { "seeds", required_argument, NULL, 's' }, { "first-seed", required_argument, NULL, 'f' },
        { "hours", required_argument, NULL, 'H' }, { "events-per-hour", required_argument, NULL, 'r' },
        { "dt", required_argument, NULL, 'd' }, { "assert", no_argument, NULL, 'a' },
        { "trace", required_argument, NULL, 't' }, { "alerts", required_argument, NULL, 'l' },
        { "report", no_argument, NULL, 'R' }, { "tune", no_argument, NULL, 'T' },
        { "short", no_argument, NULL, 'S' }, { "demo", no_argument, NULL, 'D' },
        { "unconfigured", no_argument, NULL, 'U' }, { "faults", required_argument, NULL, 'F' },
        { "json", no_argument, NULL, 'j' }, { "without", required_argument, NULL, 'w' },
        { "min-state", required_argument, NULL, 'm' }, { "max-false", required_argument, NULL, 'x' },
        { "kind", required_argument, NULL, 'k' },
        { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
    };
    int c;
    while ((c = getopt_long (argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
            case 's': seeds = atoi (optarg); break;
            case 'f': first = atoi (optarg); break;
            case 'H': ro.hours = atof (optarg); break;
            case 'r': ro.rate = atof (optarg); break;
            case 'd': ro.dt = atof (optarg); break;
            case 'a': check = true; break;
            case 't': trace_path = optarg; break;
            case 'l': alerts_path = optarg; break;
            case 'R': mode = "report"; seeds = 240; first = 1001; break;
            case 'T': mode = "tune"; seeds = 240; first = 1; break;
            case 'S': mode = "short"; seeds = 24; first = 1001; break;
            case 'D': ro.vary = false; break;
            case 'U': ro.configure = false; break;
            case 'F': ro.faults = atof (optarg); break;
            case 'j': json = true; break;
            case 'm': min_state = atof (optarg); check = true; break;
            case 'x': max_false = atof (optarg); check = true; break;
            case 'k': {
                size_t i = 0, n = sizeof s_kinds / sizeof s_kinds[0];
                while (i < n && strcmp (optarg, s_kinds[i].name) != 0)
                    i++;
                if (i == n) {
                    fprintf (stderr, "bench_engine: --kind: one of gentime, gwdtime, cementdata, triptime, "
                             "hydraulics, gentime2, pits\n");
                    return 2;
                }
                bool carried[RS_CH_COUNT] = { false };
                if (rs_chan_parse_set (s_kinds[i].channels, carried) != RS_OK) {
                    fprintf (stderr, "bench_engine: --kind: %s\n", rs_errmsg ());
                    return 2;
                }
                for (int ch = 0; ch < RS_CH_COUNT; ch++)
                    ro.withheld[ch] = ro.withheld[ch] || !carried[ch];
                ro.dt = s_kinds[i].dt;
                break;
            }
            case 'w':
                if (rs_chan_parse_set (optarg, ro.withheld) != RS_OK) {
                    fprintf (stderr, "bench_engine: --without: %s\n", rs_errmsg ());
                    return 2;
                }
                break;
            case 'h': s_usage (); return 0;
            default: s_usage (); return 2;
        }
    }
    if (seeds < 1 || ro.hours <= 0 || ro.rate < 0 || ro.dt < 0 || ro.dt > 60 || ro.faults < 0) {
        fprintf (stderr, "bench_engine: bad arguments (see --help)\n");
        return 2;
    }
    const char *which = first >= 1001 ? "reporting" : first + seeds <= 1000 ? "tuning" : "MIXED tuning/reporting";
    static bench_t b;
    if (alerts_path && !(b.alerts_log = fopen (alerts_path, "w"))) {
        perror (alerts_path);
        return 2;
    }
    FILE *trace = NULL;
    if (trace_path && !(trace = fopen (trace_path, "w"))) {
        perror (trace_path);
        return 2;
    }
    double wall0 = s_now ();
    for (int pass = 0; pass < (ro.faults > 0 ? 2 : 1); pass++) {
        run_opts_t r = ro;
        r.faults = pass ? ro.faults : 0;
        size_t ev_keep = b.n_ev;
        for (int s = first; s < first + seeds; s++)
            if (s_run_seed (&b, s, &r, s == first && pass == (ro.faults > 0) ? trace : NULL) != 0)
                return 1;
        //  Recall comes from the run without faults; the faulty run only
        //  counts false alarms.
        if (pass)
            b.n_ev = ev_keep;
    }
    double wall = s_now () - wall0;
    if (trace)
        fclose (trace);
    if (b.alerts_log)
        fclose (b.alerts_log);
    if (b.n_ev == MAX_EVENTS || b.n_al == MAX_ALERTS) {
        fprintf (stderr, "bench_engine: more than %d events or alerts: the scores are incomplete\n", MAX_EVENTS);
        return 2;
    }

    size_t fa0, fa1, fd0, fd1;
    double fa12 = s_fa12 (&b, false, false, &fa0), fa12f = s_fa12 (&b, true, false, &fa1);
    double fd12 = s_fa12 (&b, false, true, &fd0), fd12f = s_fa12 (&b, true, true, &fd1);
    double small_kick = s_smallest (&b, RS_SIM_KICK), small_loss = s_smallest (&b, RS_SIM_LOST_CIRCULATION);
    //  Floors: kicks of 10% of flow in (the flow difference drillers act
    //  on) and losses of 5% (about 50 bbl/h at 2,000 L/min: partial losses)
    //  caught at least 8 times in 10. The target is 9 in 10; docs/PREDICTION.md
    //  says where the detectors stand.
    cell_t k5 = s_cell (&b, RS_SIM_KICK, 0.10, 1), l5 = s_cell (&b, RS_SIM_LOST_CIRCULATION, 0.05, 1);
    //  And the detectors (anomaly and rules aside) raise at most one false
    //  alarm per 24 h of normal operation without sensor faults.
    double state_pct = b.state_total > 0 ? 100 * b.state_agree / b.state_total : NAN;
    //  The recall floors ask for the returns: withheld, no kick or loss can be seen.
    bool flows = !ro.withheld[RS_CH_FLOW_IN] && !ro.withheld[RS_CH_FLOW_OUT];
    bool ok = (!flows || k5.n == 0 || (double) k5.det / k5.n >= 0.8)
              && (!flows || l5.n == 0 || (double) l5.det / l5.n >= 0.8) && !(fd12 > max_false)
              && !(state_pct < min_state);

    if (json) {
        printf ("{\"mode\":\"%s\",\"seeds\":{\"first\":%d,\"count\":%d,\"kind\":\"%s\"},\"hours\":%g,"
                "\"events_per_hour\":%g,\"vary\":%s,\"configured\":%s,\"faults_per_hour\":%g,\"types\":[",
                mode, first, seeds, which, ro.hours, ro.rate, ro.vary ? "true" : "false",
                ro.configure ? "true" : "false", ro.faults);
        for (int type = 0; type < RS_SIM_EVENT_COUNT; type++) {
            const char *name = rs_sim_event_name (type);
            size_t tp, na = s_alerts_of (&b, name, &tp);
            cell_t all = s_cell (&b, type, -1, 0);
            printf ("%s{\"type\":\"%s\",\"unit\":\"%s\",\"events\":%zu,\"detected\":%zu,\"alerts\":%zu,\"precision\":",
                    type ? "," : "", name, rs_sim_event_unit (type), all.n, all.det, na);
            s_json_num (na ? (double) tp / na : NAN);
            printf (",\"delay_median_s\":");
            s_json_num (all.med);
            printf (",\"bins\":[");
            for (int k = 0; k < s_nbins (type); k++) {
                cell_t cc = s_cell (&b, type, s_bins[type][k], s_bins[type][k + 1]);
                printf ("%s{\"from\":%g,\"to\":%g,\"events\":%zu,\"detected\":%zu,\"recall\":", k ? "," : "",
                        s_bins[type][k], s_bins[type][k + 1], cc.n, cc.det);
                s_json_num (cc.n ? (double) cc.det / cc.n : NAN);
                printf (",\"delay_median_s\":");
                s_json_num (cc.med);
                printf ("}");
            }
            printf ("]}");
        }
        printf ("],\"smallest_90pct\":{\"kick\":");
        s_json_num (small_kick);
        printf (",\"lost_circulation\":");
        s_json_num (small_loss);
        printf ("},\"false_alarms_per_12h\":{\"no_faults\":{\"all\":");
        s_json_num (fa12);
        printf (",\"detectors\":");
        s_json_num (fd12);
        printf (",\"normal_h\":%.1f},\"faults\":{\"all\":", b.normal_s / 3600);
        s_json_num (fa12f);
        printf (",\"detectors\":");
        s_json_num (fd12f);
        printf (",\"normal_h\":%.1f}},\"floors_met\":%s}\n", b.normal_f_s / 3600, ok ? "true" : "false");
    }
    else {
        printf ("prediction engine score (%s): %s seeds %d-%d, %.1f h each, %.2g random events/h, %s, engine %s\n",
                mode, which, first, first + seeds - 1, ro.hours, ro.rate,
                ro.vary ? (ro.dt > 0 ? "varied rig" : "varied rig and sample interval (1/2/5/10 s)") : "demo rig",
                ro.configure ? "given bit size and pipe displacement (within 5%)" : "not configured");
        printf ("\n%-17s %-16s %6s %8s %7s %10s\n", "event type", "size", "events", "detected", "recall", "delay_med");
        for (int type = 0; type < RS_SIM_EVENT_COUNT; type++) {
            const char *name = rs_sim_event_name (type), *unit = rs_sim_event_unit (type);
            bool frac = strstr (unit, "frac") != NULL;
            for (int k = 0; k < s_nbins (type); k++) {
                cell_t cc = s_cell (&b, type, s_bins[type][k], s_bins[type][k + 1]);
                char size[32];
                if (frac)
                    snprintf (size, sizeof size, "%g-%g%%", 100 * s_bins[type][k], 100 * s_bins[type][k + 1]);
                else
                    snprintf (size, sizeof size, "%g-%g kN", s_bins[type][k], s_bins[type][k + 1]);
                printf ("%-17s %-16s %6zu %8zu %7.2f %9.0fs\n", k ? "" : name, size, cc.n, cc.det,
                        cc.n ? (double) cc.det / cc.n : NAN, cc.med);
            }
        }
        printf ("\n%-17s %6s %8s %7s %7s %9s %10s\n", "event type", "events", "detected", "recall", "alerts",
                "precision", "delay_med");
        for (int type = 0; type < RS_SIM_EVENT_COUNT; type++) {
            const char *name = rs_sim_event_name (type);
            size_t tp, na = s_alerts_of (&b, name, &tp);
            cell_t all = s_cell (&b, type, -1, 0);
            printf ("%-17s %6zu %8zu %7.2f %7zu %9.2f %9.0fs\n", name, all.n, all.det,
                    all.n ? (double) all.det / all.n : NAN, na, na ? (double) tp / na : NAN, all.med);
        }
        printf ("\nsmallest size from which every bin has recall >= 0.9: kick %.1f%% of flow in, "
                "lost circulation %.1f%% of flow in\n", 100 * small_kick, 100 * small_loss);
        printf ("false alarms per 12 h of normal operation (all alerts / detectors only):\n"
                "  without sensor faults: %.2f / %.2f (%zu / %zu in %.0f h)\n"
                "  with %.2g faults/h:     %.2f / %.2f (%zu / %zu in %.0f h)\n",
                fa12, fd12, fa0, fd0, b.normal_s / 3600, ro.faults, fa12f, fd12f, fa1, fd1, b.normal_f_s / 3600);
        s_print_false_by_type (&b);
        printf ("rig state agreement with the simulator: %.1f%% of comparable time\n", state_pct);
        s_print_states (&b);
        printf ("engine: %.0f samples/s on one core (%llu samples in %.2f s); whole run %.1f s\n",
                b.engine_s > 0 ? b.samples / b.engine_s : NAN, (unsigned long long) b.samples, b.engine_s, wall);
        if (check) {
            printf ("\nfloors (recall >= 0.8 for kicks >= 10%% and losses >= 5%% of flow in: %zu/%zu, %zu/%zu%s; "
                    "detectors' false alarms <= %.2f per 12 h: %.2f", k5.det, k5.n, l5.det, l5.n,
                    flows ? "" : " (not asked: no flow in or out)", max_false, fd12);
            if (!isnan (min_state))
                printf ("; rig state >= %.0f%%: %.1f%%", min_state, state_pct);
            printf ("): %s\n", ok ? "met" : "MISSED");
        }
    }
    return check && !ok ? 1 : 0;
}
