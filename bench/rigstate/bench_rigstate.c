/*  bench_rigstate: the prediction engine on a real recorded log, in process.
    Reads a WITSML 1.4 time log with rs_witsml, maps its curves to channels
    with rs_chanmap (as rigstream-replay does), feeds every row to rs_engine
    (rig state, KPIs, every detector, the anomaly detector, no rules) and
      - scores the engine's rig state against the log's own RigActivityCode
        (rs_rigscore: common classes, rows weighted by their duration to the
        next row, capped at 60 s), printing the confusion matrix and the
        time-weighted agreement twice: the state as published at each row,
        and as the engine dates it (a new state is adopted after its dwell
        time and counts from when it first appeared);
      - counts the alerts each detector raises.
    Without --file it reads the full Volve F-9 log from
    <source>/../shared/data/ when it is there, else the committed excerpt.

    --assert fails (exit 1) when the agreement is under --min-agreement or a
    kick, lost circulation, washout or stuck pipe alert was raised: nothing
    of the kind happened in these logs. The agreement asserted is the state
    as published. Exit 77: --full and no full log. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rs_chanmap.h"
#include "rs_channels.h"
#include "rs_detect.h"
#include "rs_engine.h"
#include "rs_rigscore.h"
#include "rs_rigstate.h"
#include "rs_witsml.h"

#define MAX_CURVES  1024
#define MAX_DT_S    60.0
#define FULL_LOG    "../shared/data/volve_F-9_GenTime_00003.xml"
#define EXCERPT     "tests/data/volve_F-9_excerpt.xml"
#define LABEL_CURVE "RigActivityCode"
#define WELL        "volve"
#define SKIPPED     77

//  Alerts raised by type (detector names, "anomaly", "threshold").
typedef struct {
    char type[RS_DET_COUNT + 2][32];
    unsigned raised[RS_DET_COUNT + 2];
    int n;
    FILE *log;
} alerts_t;

static void
s_on_alert (const rs_alert_t *a, void *arg)
{
    alerts_t *al = arg;
    if (al->log)
        fprintf (al->log, "alert %-9s #%llu %-16s %-8s at %lld s in %s: %s\n", rs_alert_state_name (a->state),
                 (unsigned long long) a->alert_id, a->type, rs_severity_name (a->severity),
                 (long long) (a->ts_us / 1000000), a->rig_state ? a->rig_state : "-",
                 a->message ? a->message : "");
    if (a->state != RS_ALERT_RAISED)
        return;
    int i = 0;
    while (i < al->n && strcmp (al->type[i], a->type) != 0)
        i++;
    if (i == al->n) {
        if (al->n == RS_DET_COUNT + 2)
            return;
        snprintf (al->type[al->n++], sizeof al->type[0], "%s", a->type);
    }
    al->raised[i]++;
}

static unsigned
s_raised (const alerts_t *al, const char *type)
{
    for (int i = 0; i < al->n; i++)
        if (strcmp (al->type[i], type) == 0)
            return al->raised[i];
    return 0;
}

//  Every row: its label and the engine's class, as published then (live)
//  and as the engine dates it once a new state has lasted its dwell time
//  (dated: the rows since the state first appeared take the new state).
typedef struct {
    int64_t ts;
    rs_rigclass_t label, live, dated;
} row_t;

typedef struct {
    row_t *r;
    size_t n, max;
} rows_t;

static int
s_rows_add (rows_t *rows, int64_t ts, rs_rigclass_t label, const rs_riginfo_t *ri)
{
    if (rows->n == rows->max) {
        size_t max = rows->max ? 2 * rows->max : 4096;
        row_t *r = realloc (rows->r, max * sizeof *r);
        if (!r)
            return -1;
        rows->r = r;
        rows->max = max;
    }
    rs_rigclass_t mine = rs_rigclass_of_state (ri->state);
    rows->r[rows->n++] = (row_t) { ts, label, mine, mine };
    if (ri->changed)
        for (size_t i = rows->n; i-- > 0 && rows->r[i].ts >= ri->since_us;)
            rows->r[i].dated = mine;
    return 0;
}

static void
s_usage (void)
{
    printf ("usage: bench_rigstate [--file LOG.xml | --full] [--source-dir DIR] [--min-agreement PCT]\n"
            "                      [--assert] [--alerts] [--trace FILE.csv] [--help]\n\n"
            "Runs the prediction engine over a recorded WITSML 1.4 log in process and scores its rig\n"
            "state against the log's RigActivityCode; counts the alerts of every detector.\n"
            "  --file LOG.xml       the log (default: <source>/" FULL_LOG " when present,\n"
            "                       else <source>/" EXCERPT ")\n"
            "  --full               the full log only; exit 77 (skipped) when it is absent\n"
            "  --source-dir DIR     the source tree (default: the one this was built from)\n"
            "  --min-agreement PCT  with --assert: the agreement floor, %% (default 90)\n"
            "  --assert             exit 1 under the floor, or on any kick, lost_circulation,\n"
            "                       washout or stuck_pipe alert\n"
            "  --alerts             print every alert transition\n"
            "  --trace FILE.csv     one line per row: time, label, engine state, flags\n");
}

static double
s_now (void)
{
    struct timespec t;
    clock_gettime (CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + (double) t.tv_nsec / 1e9;
}

int
main (int argc, char **argv)
{
    const char *file = NULL, *source = RS_SOURCE_DIR, *trace_path = NULL;
    bool full = false, check = false, show_alerts = false;
    double min_agree = 90;
    static struct option longopts[] = {
        { "file", required_argument, NULL, 'f' }, { "full", no_argument, NULL, 'F' },
        { "source-dir", required_argument, NULL, 's' }, { "min-agreement", required_argument, NULL, 'm' },
        { "assert", no_argument, NULL, 'a' }, { "alerts", no_argument, NULL, 'A' },
        { "trace", required_argument, NULL, 't' }, { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    int c;
    while ((c = getopt_long (argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
            case 'f': file = optarg; break;
            case 'F': full = true; break;
            case 's': source = optarg; break;
            case 'm': min_agree = atof (optarg); break;
            case 'a': check = true; break;
            case 'A': show_alerts = true; break;
            case 't': trace_path = optarg; break;
            case 'h': s_usage (); return 0;
            default: s_usage (); return 2;
        }
    }
    if (optind != argc || (file && full)) {
        fprintf (stderr, "bench_rigstate: bad arguments (see --help)\n");
        return 2;
    }
    char path[4096];
    if (file)
        snprintf (path, sizeof path, "%s", file);
    else {
        snprintf (path, sizeof path, "%s/%s", source, FULL_LOG);
        if (access (path, R_OK) != 0) {
            if (full) {
                printf ("bench_rigstate: SKIPPED: the full log %s is not there (a fresh clone has no "
                        "../shared); the committed excerpt is scored by score.rigstate\n", path);
                return SKIPPED;
            }
            printf ("the full log %s is not there: scoring the committed excerpt\n", path);
            snprintf (path, sizeof path, "%s/%s", source, EXCERPT);
        }
    }

    char err[600];
    rs_witsml_t *log = rs_witsml_open (path, err, sizeof err);
    if (!log) {
        fprintf (stderr, "bench_rigstate: %s\n", err);
        return 2;
    }
    const rs_witsml_curve_t *curves;
    size_t n_curves = rs_witsml_curves (log, &curves);
    if (n_curves > MAX_CURVES) {
        fprintf (stderr, "bench_rigstate: %s: %zu curves, at most %d\n", path, n_curves, MAX_CURVES);
        rs_witsml_close (&log);
        return 2;
    }
    static rs_chanmap_t map[MAX_CURVES];
    static rs_value_t vals[MAX_CURVES];
    size_t label_col = 0;
    for (size_t i = 1; i < n_curves; i++) {
        rs_chanmap_curve (curves[i].mnemonic, curves[i].unit, &map[i]);
        if (strcmp (curves[i].mnemonic, LABEL_CURVE) == 0)
            label_col = i;
    }
    if (!label_col) {
        fprintf (stderr, "bench_rigstate: %s has no %s curve to score against\n", path, LABEL_CURVE);
        rs_witsml_close (&log);
        return 2;
    }
    FILE *trace = NULL;
    if (trace_path && !(trace = fopen (trace_path, "w"))) {
        perror (trace_path);
        rs_witsml_close (&log);
        return 2;
    }
    if (trace)
        fprintf (trace, "ts,code,label,engine,raw,block_weight,hook,block,bit,hole,rpm,flow_in,spp,"
                 "circulating,rotating,on_bottom,moving,direction,in_slips\n");

    alerts_t al = { .log = show_alerts ? stdout : NULL };
    rs_engine_t *eng = rs_engine_new (NULL, s_on_alert, &al);
    if (!eng) {
        fprintf (stderr, "bench_rigstate: no memory\n");
        rs_witsml_close (&log);
        return 2;
    }
    rows_t rows = { 0 };
    int64_t first_ts = 0;
    double engine_s = 0;
    int exit_code = 0;
    int64_t ts;
    const double *values;
    int rc;
    while ((rc = rs_witsml_next (log, &ts, &values)) == 1) {
        size_t n = 0;
        for (size_t i = 1; i < n_curves; i++) {
            double v = values[i];
            if (!isnan (v))
                v = v * map[i].scale + map[i].offset;
            vals[n++] = (rs_value_t) { map[i].name, map[i].channel, v };
        }
        double t0 = s_now ();
        int fed = rs_engine_feed (eng, WELL, ts, vals, n);
        engine_s += s_now () - t0;
        if (fed != 0)
            continue;
        if (!first_ts)
            first_ts = ts;
        const rs_riginfo_t *ri = rs_engine_well_rig (eng, 0);
        if (s_rows_add (&rows, ts, rs_rigclass_of_code (values[label_col]), ri) != 0) {
            fprintf (stderr, "bench_rigstate: no memory\n");
            exit_code = 2;
            break;
        }
        if (trace) {
            double ch[RS_CH_COUNT];
            for (int i = 0; i < RS_CH_COUNT; i++)
                ch[i] = NAN;
            for (size_t i = 0; i < n; i++)
                if (vals[i].id >= 0 && vals[i].id < RS_CH_COUNT)
                    ch[vals[i].id] = vals[i].value;
            const rs_rigflags_t *f = &ri->flags;
            fprintf (trace, "%.0f,%.0f,%s,%s,%s,%.1f,%.1f,%.2f,%.2f,%.2f,%.1f,%.0f,%.2f,%d,%d,%d,%d,%d,%d\n",
                     (double) (ts - first_ts) / 1e6, values[label_col],
                     rs_rigclass_name (rows.r[rows.n - 1].label), rs_rig_name (ri->state), rs_rig_name (ri->raw),
                     ri->block_weight_kn, ch[RS_CH_HOOK_LOAD], ch[RS_CH_BLOCK_POS], ch[RS_CH_BIT_DEPTH],
                     ch[RS_CH_HOLE_DEPTH], ch[RS_CH_RPM], ch[RS_CH_FLOW_IN], ch[RS_CH_SPP], f->circulating,
                     f->rotating, f->on_bottom, f->moving, f->direction, f->in_slips);
        }
    }
    if (rc < 0) {
        fprintf (stderr, "bench_rigstate: %s\n", rs_witsml_error (log));
        exit_code = 2;
    }
    const rs_engine_stats_t *st = rs_engine_stats (eng);
    printf ("%s: %llu rows (%llu bad), %.1f h, well %s\n", path, (unsigned long long) rs_witsml_rows (log),
            (unsigned long long) rs_witsml_bad_rows (log),
            rows.n ? (double) (rows.r[rows.n - 1].ts - first_ts) / 3.6e9 : 0.0, rs_witsml_well (log));
    rs_rigscore_t live = { 0 }, dated = { 0 };
    for (size_t i = 0; i + 1 < rows.n; i++) {
        //  Each row holds until the next one.
        double dt = fmin ((double) (rows.r[i + 1].ts - rows.r[i].ts) / 1e6, MAX_DT_S);
        rs_rigscore_add (&live, rows.r[i].label, rows.r[i].live, dt);
        rs_rigscore_add (&dated, rows.r[i].label, rows.r[i].dated, dt);
    }
    printf ("\nrig state as published at each row (live):\n");
    rs_rigscore_print (&live, stdout);
    printf ("\nrig state as the engine dates it (a new state counts from when it first appeared):\n");
    rs_rigscore_print (&dated, stdout);
    double agree = 100 * rs_rigscore_agreement (&live);

    printf ("\nalerts raised (all detectors on, no rules):");
    static const char *quiet[] = { "kick", "lost_circulation", "washout", "stuck_pipe" };
    unsigned loud = 0;
    for (int d = 0; d < RS_DET_COUNT; d++)
        printf (" %s %u", rs_det_name (d), s_raised (&al, rs_det_name (d)));
    printf (" anomaly %u\n", s_raised (&al, "anomaly"));
    for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++)
        loud += s_raised (&al, quiet[i]);
    printf ("readings dropped by the engine's data-quality check: %llu implausible, %llu stuck\n",
            (unsigned long long) st->implausible, (unsigned long long) st->stuck);
    printf ("engine: %llu samples in %.3f s (%.0f samples/s), %llu out of order\n",
            (unsigned long long) st->samples, engine_s, engine_s > 0 ? (double) st->samples / engine_s : 0,
            (unsigned long long) st->out_of_order);
    printf ("\nrig-state agreement with %s: %.1f%% as published, %.1f%% as dated\n", LABEL_CURVE, agree,
            100 * rs_rigscore_agreement (&dated));
    if (check && exit_code == 0) {
        bool ok = agree >= min_agree && loud == 0;
        printf ("targets (agreement as published >= %.1f%%, no kick, lost_circulation, washout or stuck_pipe "
                "alert): %s\n", min_agree, ok ? "met" : "MISSED");
        exit_code = ok ? 0 : 1;
    }
    if (trace)
        fclose (trace);
    free (rows.r);
    rs_engine_destroy (&eng);
    rs_witsml_close (&log);
    return exit_code;
}
