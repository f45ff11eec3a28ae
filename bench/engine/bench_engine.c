/*  bench_engine: scores the prediction engine against the simulator's ground
    truth, in process. For each seed, rs_sim simulates one well with random
    events; every sample goes straight into rs_engine (no sockets), and the
    alerts it raises are matched to the events.

    Per event type: recall (events with a matching alert), precision
    (alerts of that type that fall in an event of that type), median and
    worst detection delay in simulated seconds. An alert matches an event
    when it is raised between the event's start and MATCH_GRACE_S after its
    end; an event still going when the run ends is left out of the recall
    unless it was detected. False alarms: alerts of any kind (detectors,
    anomaly) raised in normal operation, i.e. outside every event's affected
    time (its start to its end plus the aftermath: the shut-in and kill
    after a kick, the pressure loss that stays after a washout), per 12
    hours of that time.
    Also the engine's speed (samples per second on one core, engine only),
    the rig-state agreement with the simulator's own states and the error
    of the next-stand ROP prediction.

    --assert fails (exit 1) when the targets are missed: recall >= 0.95 and
    precision >= 0.9 for kick, lost circulation, washout and stuck pipe,
    median kick delay < 60 s, <= 1 false alarm per 12 h. */
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

#define MATCH_GRACE_S  600.0
#define MAX_EVENTS     65536
#define MAX_ALERTS     65536
#define T0_US          1767225600000000LL      // 2026-01-01T00:00:00Z

typedef struct {
    int type;                   // rs_sim_event_t
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
} alert_rec_t;

typedef struct {
    event_t ev[MAX_EVENTS];
    size_t n_ev;
    alert_rec_t al[MAX_ALERTS];
    size_t n_al;
    double normal_s, total_s;
    double engine_s;
    uint64_t samples;
    double state_agree, state_total;
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
        case RS_SIM_IN_SLIPS: return eng == RS_RIG_IN_SLIPS || eng == RS_RIG_CONNECTION;
        case RS_SIM_TRIPPING_OUT: return eng == RS_RIG_TRIPPING_OUT;
        case RS_SIM_TRIPPING_IN: return eng == RS_RIG_TRIPPING_IN;
        case RS_SIM_SHUT_IN: return eng == RS_RIG_SHUT_IN;
        case RS_SIM_REAMING: return eng == RS_RIG_REAMING;
        default: return -1;
    }
}

static int
s_run_seed (bench_t *b, int seed, double hours, double rate, double dt, FILE *trace)
{
    rs_sim_opts_t so = { .well = "A-01", .seed = (uint64_t) seed, .random_events_per_h = rate };
    rs_sim_t *sim = rs_sim_new (&so);
    rs_engine_t *eng = rs_engine_new (NULL, s_on_alert, b);
    if (!sim || !eng) {
        fprintf (stderr, "bench_engine: cannot create the simulator or the engine\n");
        return -1;
    }
    b->seed = seed;
    size_t ev0 = b->n_ev, al0 = b->n_al;
    long open[RS_SIM_EVENT_COUNT];
    for (int i = 0; i < RS_SIM_EVENT_COUNT; i++)
        open[i] = -1;
    rs_value_t vals[RS_CH_COUNT + 4];
    double end = hours * 3600;
    double stands_pred = NAN, last_prev = NAN;
    size_t stands_seen = 0;
    if (trace)
        fprintf (trace, "t,sim_state,eng_state,events,flow_in,flow_out,flow_exp,balance,bal_raw,kick_cusum,"
                 "loss_cusum,spp,spp_coef,spp_dev,spp_drop,hook,block,bit,hole,wob,rpm,torque,rop,"
                 "pit_gain,pit_slope,spp_rise,flow_sigma\n");
    while (rs_sim_time (sim) < end) {
        size_t n = rs_sim_step (sim, dt, vals, RS_CH_COUNT + 4);
        double t = rs_sim_time (sim);
        const rs_sim_note_t *notes;
        size_t nn = rs_sim_notes (sim, &notes);
        for (size_t i = 0; i < nn; i++) {
            const rs_sim_note_t *note = &notes[i];
            if (b->alerts_log && note->kind != RS_SIM_NOTE_STATE)
                fprintf (b->alerts_log, "seed %d t=%7.0f EVENT    %-16s %s (state %s)\n", seed, note->t_s,
                         rs_sim_event_name (note->type),
                         note->kind == RS_SIM_NOTE_EVENT_START ? "start" : "end",
                         rs_sim_state_name (note->state));
            if (note->kind == RS_SIM_NOTE_EVENT_START && b->n_ev < MAX_EVENTS) {
                event_t *e = &b->ev[b->n_ev];
                *e = (event_t) { .type = note->type, .start = note->t_s, .end = INFINITY, .seed = seed };
                open[note->type] = (long) b->n_ev++;
            }
            else if (note->kind == RS_SIM_NOTE_EVENT_END && open[note->type] >= 0) {
                b->ev[open[note->type]].end = note->t_s;
                open[note->type] = -1;
            }
        }
        double t0 = s_now ();
        rs_engine_feed (eng, "A-01", T0_US + (int64_t) llround (t * 1e6), vals, n);
        b->engine_s += s_now () - t0;
        b->samples++;

        const rs_riginfo_t *ri = rs_engine_well_rig (eng, 0);
        int agree = s_state_agree (rs_sim_state (sim), ri->state);
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
            char evs[64] = "";
            for (int i = 0; i < RS_SIM_EVENT_COUNT; i++)
                if (open[i] >= 0) {
                    strcat (evs, rs_sim_event_name (i));
                    strcat (evs, " ");
                }
            double ch[RS_CH_COUNT];
            for (int i = 0; i < RS_CH_COUNT; i++)
                ch[i] = NAN;
            for (size_t i = 0; i < n; i++)
                ch[vals[i].id] = vals[i].value;
            fprintf (trace, "%.0f,%s,%s,%s,%.0f,%.0f,%.0f,%.1f,%.1f,%.0f,%.0f,%.1f,%.2f,%.4f,%.4f,%.0f,%.2f,%.2f,"
                     "%.2f,%.1f,%.0f,%.2f,%.1f,%.3f,%.4f,%.2f,%.0f\n", t, rs_sim_state_name (rs_sim_state (sim)),
                     rs_rig_name (ri->state), evs, ch[RS_CH_FLOW_IN], ch[RS_CH_FLOW_OUT], v->flow_expected,
                     v->flow_balance_avg, v->flow_balance, v->kick_cusum, v->loss_cusum, ch[RS_CH_SPP], v->spp_coef, v->spp_dev,
                     v->spp_drop, ch[RS_CH_HOOK_LOAD], ch[RS_CH_BLOCK_POS], ch[RS_CH_BIT_DEPTH],
                     ch[RS_CH_HOLE_DEPTH], ch[RS_CH_WOB], ch[RS_CH_RPM], ch[RS_CH_TORQUE], ch[RS_CH_ROP],
                     ch[RS_CH_PIT_GAIN], v->pit_slope, v->spp_rise, v->flow_sigma);
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
    printf ("Usage: bench_engine [--seeds N] [--first-seed S] [--hours H] [--events-per-hour R]\n"
            "                    [--dt S] [--assert] [--alerts FILE] [--trace FILE] [--help]\n\n"
            "Scores the prediction engine against rs_sim's ground truth, in process.\n"
            "  --seeds N            seeds (wells) to simulate (default 8)\n"
            "  --first-seed S       first seed (default 1)\n"
            "  --hours H            simulated hours per seed (default 12)\n"
            "  --events-per-hour R  random events per simulated hour (default 1)\n"
            "  --dt S               simulated seconds per sample (default 1)\n"
            "  --assert             exit 1 when a target is missed\n"
            "  --alerts FILE        write every alert transition to FILE\n"
            "  --trace FILE         write a CSV of the first seed's samples and signals\n");
}

int
main (int argc, char **argv)
{
    int seeds = 8, first = 1;
    double hours = 12, rate = 1, dt = 1;
    bool check = false;
    const char *trace_path = NULL, *alerts_path = NULL;
    static const struct option longopts[] = {
        { "seeds", required_argument, NULL, 's' }, { "first-seed", required_argument, NULL, 'f' },
        { "hours", required_argument, NULL, 'H' }, { "events-per-hour", required_argument, NULL, 'r' },
        { "dt", required_argument, NULL, 'd' }, { "assert", no_argument, NULL, 'a' },
        { "trace", required_argument, NULL, 't' }, { "alerts", required_argument, NULL, 'l' },
        { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
    };
    int c;
    while ((c = getopt_long (argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
            case 's': seeds = atoi (optarg); break;
            case 'f': first = atoi (optarg); break;
            case 'H': hours = atof (optarg); break;
            case 'r': rate = atof (optarg); break;
            case 'd': dt = atof (optarg); break;
            case 'a': check = true; break;
            case 't': trace_path = optarg; break;
            case 'l': alerts_path = optarg; break;
            case 'h': s_usage (); return 0;
            default: s_usage (); return 2;
        }
    }
    if (seeds < 1 || hours <= 0 || rate < 0 || !(dt > 0) || dt > 60) {
        fprintf (stderr, "bench_engine: bad arguments (see --help)\n");
        return 2;
    }
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
    for (int s = first; s < first + seeds; s++) {
        if (s_run_seed (&b, s, hours, rate, dt, s == first ? trace : NULL) != 0)
            return 1;
    }
    double wall = s_now () - wall0;
    if (trace)
        fclose (trace);

    printf ("prediction engine score: %d seed(s) x %.1f h simulated at dt %.1f s, %.2g random events/h "
            "(%.1f days)\n\n", seeds, hours, dt, rate, seeds * hours / 24);
    printf ("%-18s %6s %8s %7s %7s %9s %10s %10s\n", "event type", "events", "detected", "recall",
            "alerts", "precision", "delay_med", "delay_max");
    bool ok = true;
    double kick_med = NAN;
    for (int type = 0; type < RS_SIM_EVENT_COUNT; type++) {
        const char *name = rs_sim_event_name (type);
        size_t n = 0, det = 0, na = 0, tp = 0;
        double delays[MAX_EVENTS];
        for (size_t i = 0; i < b.n_ev; i++) {
            //  An event the run cut short counts only if it was caught.
            if (b.ev[i].type != type || (b.ev[i].censored && !b.ev[i].detected))
                continue;
            n++;
            if (b.ev[i].detected)
                delays[det++] = b.ev[i].delay;
        }
        for (size_t i = 0; i < b.n_al; i++)
            if (strcmp (b.al[i].type, name) == 0) {
                na++;
                tp += b.al[i].matched;
            }
        qsort (delays, det, sizeof delays[0], s_cmp);
        double recall = n ? (double) det / n : NAN, prec = na ? (double) tp / na : NAN;
        double med = det ? (det % 2 ? delays[det / 2] : (delays[det / 2 - 1] + delays[det / 2]) / 2) : NAN;
        double worst = det ? delays[det - 1] : NAN;
        printf ("%-18s %6zu %8zu %7.2f %7zu %9.2f %9.0fs %9.0fs\n", name, n, det, recall, na, prec, med, worst);
        bool target = type == RS_SIM_KICK || type == RS_SIM_LOST_CIRCULATION || type == RS_SIM_WASHOUT
                      || type == RS_SIM_STUCK_PIPE;
        if (target && n > 0 && (recall < 0.95 || (na > 0 && prec < 0.9)))
            ok = false;
        if (type == RS_SIM_KICK)
            kick_med = med;
    }
    //  The anomaly detector against any event.
    size_t an = 0, an_tp = 0;
    for (size_t i = 0; i < b.n_al; i++)
        if (strcmp (b.al[i].type, "anomaly") == 0) {
            an++;
            an_tp += !b.al[i].normal;
        }
    printf ("%-18s %6s %8s %7s %7zu %9.2f   (alerts during any event's affected time)\n", "anomaly", "-",
            "-", "-", an, an ? (double) an_tp / an : NAN);

    size_t fa = 0;
    char fa_types[256] = "";
    for (size_t i = 0; i < b.n_al; i++)
        if (b.al[i].normal) {
            if (strlen (fa_types) < 200) {
                char one[48];
                snprintf (one, sizeof one, "%s%s@%d:%.0f", fa ? " " : "", b.al[i].type, b.al[i].seed, b.al[i].t);
                strcat (fa_types, one);
            }
            fa++;
        }
    double fa12 = b.normal_s > 0 ? fa / (b.normal_s / 43200) : NAN;
    printf ("\nfalse alarms in normal operation: %zu in %.1f h -> %.2f per 12 h%s%s\n", fa, b.normal_s / 3600,
            fa12, fa ? ": " : "", fa_types);
    printf ("rig state agreement with the simulator: %.1f%% of comparable time\n",
            b.state_total > 0 ? 100 * b.state_agree / b.state_total : NAN);
    if (b.rop_n)
        printf ("next-stand ROP: mean abs error %.2f m/h (last stand as the forecast: %.2f m/h) over %d stands\n",
                b.rop_err_pred / b.rop_n, b.rop_err_last / b.rop_n, b.rop_n);
    printf ("engine: %.0f samples/s on one core (%llu samples in %.2f s); whole run %.1f s\n",
            b.engine_s > 0 ? b.samples / b.engine_s : NAN, (unsigned long long) b.samples, b.engine_s, wall);
    //  No kick in the run leaves the delay target untested, not failed.
    if (kick_med >= 60)
        ok = false;
    if (!(fa12 <= 1))
        ok = false;
    if (b.alerts_log)
        fclose (b.alerts_log);
    if (b.n_ev == MAX_EVENTS || b.n_al == MAX_ALERTS) {
        fprintf (stderr, "bench_engine: more than %d events or alerts: the scores are incomplete\n", MAX_EVENTS);
        return 2;
    }
    if (check) {
        printf ("\ntargets (recall >= 0.95, precision >= 0.9 for kick, lost_circulation, washout, stuck_pipe; "
                "median kick delay < 60 s; <= 1 false alarm per 12 h): %s\n", ok ? "met" : "MISSED");
        return ok ? 0 : 1;
    }
    return 0;
}
