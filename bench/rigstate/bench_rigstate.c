/*  bench_rigstate: the prediction engine on real recorded logs, in process.
    Reads one or several WITSML 1.4 time logs of one wellbore (rs_logset:
    rs_witsml reads, rs_chanmap maps curves to channels from logCurveInfo,
    rs_logmerge merges the logs by time, as rigstream-replay does), feeds
    every merged sample to rs_engine (rig state, KPIs, every detector, the
    anomaly detector, no rules) and
      - scores the engine's rig state against the logs' own RigActivityCode
        (rs_rigscore: common classes, rows weighted by their duration to the
        next row, capped at 60 s), printing the confusion matrix and the
        time-weighted agreement twice: the state as published at each row,
        and as the engine dates it (a new state is adopted after its dwell
        time and counts from when it first appeared);
      - counts the alerts each detector raises;
      - reports which curve feeds each rig-state channel, per log.
    Without --file it reads the full Volve F-9 GenTime log from
    <source>/../shared/data/ when it is there, else the committed excerpt.
    --corpus runs every log of a directory (default: the Volve F-9 set,
    <source>/../shared/data/volve-F-9) one by one, then all of them merged,
    one table row each.

    --assert fails (exit 1) when the agreement is under --min-agreement (with
    --corpus, a log's own --min-log and the merged wellbore's --min-merged,
    when given) or a
    kick, lost circulation, washout or stuck pipe alert was raised: nothing
    of the kind happened in these logs. The agreement asserted is the state
    as published; with --corpus, for every log that carries hook load and
    block position and for the merged wellbore. Exit 77: --full or --corpus
    and the data are not there. */
#include <getopt.h>
#include <jansson.h>
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
#include "rs_logset.h"
#include "rs_rigscore.h"
#include "rs_rigstate.h"

#define MAX_FILES   RS_LOGSET_MAX_FILES
#define MAX_DT_S    60.0
#define FULL_LOG    "../shared/data/volve_F-9_GenTime_00003.xml"
#define CORPUS      "../shared/data/volve-F-9"
#define EXCERPT     "tests/data/volve_F-9_excerpt.xml"
#define LABEL_CURVE "RigActivityCode"
//  The label's channel name: rs_chanmap's extra-channel name of LABEL_CURVE.
#define LABEL_CHAN  "rigactivitycode"
#define WELL        "volve"
#define SKIPPED     77

//  Alerts a log where nothing of the kind happened must not raise.
static const char *s_quiet[] = { "kick", "lost_circulation", "washout", "stuck_pipe", "pack_off" };
#define N_QUIET (sizeof s_quiet / sizeof s_quiet[0])

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

//  One run over a set of logs merged.
typedef struct {
    size_t files;
    uint64_t samples;           //  merged samples fed
    uint64_t rows;              //  rows read from the logs
    uint64_t bad_rows;
    double hours;
    rs_rigscore_t live, dated;
    alerts_t al;
    rs_engine_stats_t st;
    double engine_s;
    double block_weight_kn;         //  the engine's at the end (NaN: unknown) ...
    int bw_source;                  //  ... and where it came from (rs_bw_source_t)
    bool rig_found[RS_CH_COUNT];    //  rig-state channels some log feeds
    bool has_label;
} run_t;

typedef struct {
    bool show_alerts;
    const char *trace_path;
    bool print;                 //  the text report (single run, no --json)
    json_t *channels;           //  fills the channel report when not NULL
    const bool *withheld;       //  channels not given to the engine (NULL: none)
    unsigned every;             //  feed every this many merged samples (0, 1: all)
    uint64_t skip, limit;       //  of those, leave out the first skip and feed at most limit (0: all)
} run_opts_t;

//  --noise: normal noise of this sigma (the channel's unit) added to each
//  reading of a channel, as a noisier sensor than the log's would read;
//  --scale and --offset: each reading x scale + offset, as another rig's
//  sensor (a heavier top drive on the hook, another calibration) would.
static double s_noise[RS_CH_COUNT];
static double s_scale[RS_CH_COUNT], s_offset[RS_CH_COUNT];
static bool s_any_noise, s_any_cal;

//  A normal deviate (Box-Muller over a 64-bit LCG): the same noise on every run.
static double
s_gauss (uint64_t *seed)
{
    *seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
    double u1 = ((double) (*seed >> 11) + 1) / 9007199254740993.0;
    *seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
    double u2 = (double) (*seed >> 11) / 9007199254740992.0;
    return sqrt (-2 * log (u1)) * cos (2 * M_PI * u2);
}

static bool s_chan_value (const char *arg, int *id, double *x);

static bool
s_noise_add (const char *arg)
{
    int id;
    double sigma;
    if (!s_chan_value (arg, &id, &sigma) || !(sigma > 0))
        return false;
    s_noise[id] = sigma;
    s_any_noise = true;
    return true;
}

//  "CH=X" into *id and *x; false when not a channel or not a number.
static bool
s_chan_value (const char *arg, int *id, double *x)
{
    const char *eq = strchr (arg, '=');
    char *end = NULL;
    *x = eq ? strtod (eq + 1, &end) : NAN;
    *id = eq ? rs_chan_lookup (arg, (size_t) (eq - arg)) : -1;
    return *id >= 0 && *id < RS_CH_COUNT && end && !*end && isfinite (*x);
}

static bool
s_cal_add (const char *arg, bool scale)
{
    int id;
    double x;
    if (!s_chan_value (arg, &id, &x) || (scale && !(x > 0)))
        return false;
    if (!s_any_cal)
        for (int i = 0; i < RS_CH_COUNT; i++)
            s_scale[i] = 1;
    if (scale)
        s_scale[id] = x;
    else
        s_offset[id] = x;
    s_any_cal = true;
    return true;
}

static double
s_now (void)
{
    struct timespec t;
    clock_gettime (CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + (double) t.tv_nsec / 1e9;
}

static const char *
s_base (const char *path)
{
    const char *slash = strrchr (path, '/');
    return slash ? slash + 1 : path;
}

//  The files of a directory that are no time log: the first named with why,
//  the rest counted.
static void
s_print_passed_over (const rs_logset_t *set, FILE *out, const char *prefix)
{
    size_t shown = rs_logset_skipped_count (set), passed = rs_logset_passed_over (set);
    for (size_t i = 0; i < shown; i++)
        fprintf (out, "%spassed over %s\n", prefix, rs_logset_skipped (set, i));
    if (passed > shown)
        fprintf (out, "%spassed over %zu more file(s) of other kinds\n", prefix, passed - shown);
}

//  A corpus log's name: its path below the directory (a store's export
//  nests them: log/1/9/1/00001.xml), else its base name.
static const char *
s_rel (const char *dir, const char *path)
{
    size_t len = strlen (dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    if (strncmp (path, dir, len) != 0 || path[len] != '/')
        return s_base (path);
    path += len;
    while (*path == '/')
        path++;
    return path;
}

//  A merge source by its log: the log's name (the file's, without one),
//  its number when an earlier source has that name, and how many files.
static void
s_source_label (rs_logset_t *set, size_t g, char *label, size_t size)
{
    size_t first = 0, other = 0, same = 0;
    size_t files = rs_logset_source_files (set, g, &first);
    const char *name = *rs_logset_name (set, first) ? rs_logset_name (set, first) : s_base (rs_logset_path (set, first));
    for (size_t h = 0; h < g; h++)
        if (rs_logset_source_files (set, h, &other) && strcmp (rs_logset_name (set, other), name) == 0)
            same++;
    int w = snprintf (label, size, "%s", name);
    if (same && w > 0 && (size_t) w < size)
        w += snprintf (label + w, size - (size_t) w, " #%zu", same + 1);
    if (files > 1 && w > 0 && (size_t) w < size)
        snprintf (label + w, size - (size_t) w, " (%zu files)", files);
}

//  The channel report: per log, which curve feeds each rig-state channel
//  and how it was matched, which are missing; for the merge, how many
//  samples each log supplied of each rig-state channel.
static void
s_channel_report (rs_logset_t *set, run_t *run, const run_opts_t *o)
{
    const int *rig;
    size_t n_rig = rs_chanmap_rig_channels (&rig);
    json_t *logs = o->channels ? json_array () : NULL;
    for (size_t s = 0; s < rs_logset_count (set); s++) {
        size_t n;
        const rs_chanmap_t *map = rs_logset_map (set, s, &n);
        char line[1024];
        int missing = rs_chanmap_report (map + 1, n - 1, line, sizeof line);
        if (o->print)
            printf ("channels of %s (%s): %s\n", s_base (rs_logset_path (set, s)),
                    rs_logset_name (set, s), line);
        json_t *found = logs ? json_object () : NULL, *gone = logs ? json_array () : NULL;
        for (size_t r = 0; r < n_rig; r++) {
            const rs_chanmap_t *m = NULL;
            for (size_t i = 1; i < n && !m; i++)
                if (map[i].channel == rig[r])
                    m = &map[i];
            if (m && o->withheld && o->withheld[rig[r]])
                m = NULL;
            if (m)
                run->rig_found[rig[r]] = true;
            if (!logs)
                continue;
            const char *name = rs_chan_info (rig[r])->name;
            if (m)
                json_object_set_new (found, name, json_pack ("{s:s, s:s}", "curve", m->mnemonic, "how",
                                                             rs_chanmap_how_name (m->how)));
            else
                json_array_append_new (gone, json_string (name));
        }
        if (logs)
            json_array_append_new (logs, json_pack ("{s:s, s:s, s:o, s:o, s:i}", "file",
                                                    s_base (rs_logset_path (set, s)), "log",
                                                    rs_logset_name (set, s), "found", found,
                                                    "missing", gone, "missing_count", missing));
    }
    if (!o->channels && !o->print)
        return;
    rs_logmerge_t *merge = rs_logset_merge (set);
    json_t *merged = o->channels ? json_object () : NULL;
    if (o->print && rs_logset_sources (set) > 1)
        printf ("merged, samples per log of each rig-state channel:\n");
    for (size_t r = 0; r < n_rig; r++) {
        const char *name = rs_chan_info (rig[r])->name;
        int c = rs_logmerge_channel (merge, name);
        json_t *src = merged ? json_object () : NULL;
        uint64_t used = 0;
        char line[1024] = "";
        size_t len = 0;
        for (size_t g = 0; c >= 0 && g < rs_logset_sources (set); g++) {
            uint64_t u = rs_logmerge_used (merge, (size_t) c, g);
            if (!u)
                continue;
            used += u;
            char label[300];
            s_source_label (set, g, label, sizeof label);
            if (src)
                json_object_set_new (src, label, json_integer ((json_int_t) u));
            int w = snprintf (line + len, len < sizeof line ? sizeof line - len : 0, " %s %llu", label,
                              (unsigned long long) u);
            if (w > 0)
                len += (size_t) w;
        }
        uint64_t none = run->samples > used ? run->samples - used : 0;
        if (o->print && rs_logset_sources (set) > 1)
            printf ("  %-10s%s; missing in %llu of %llu samples\n", name, used ? line : " none",
                    (unsigned long long) none, (unsigned long long) run->samples);
        if (merged)
            json_object_set_new (merged, name, json_pack ("{s:o, s:I}", "samples_from", src, "missing_samples",
                                                          (json_int_t) none));
    }
    if (o->channels) {
        json_object_set_new (o->channels, "logs", logs);
        json_object_set_new (o->channels, "merged", merged);
    }
}

//  The sample as the engine reads it (a known channel by id or by name, its
//  last finite reading), less the withheld channels; into kept, one entry per
//  channel. Returns how many.
static size_t
s_withhold (const rs_value_t *vals, size_t n, const bool *withheld, rs_value_t kept[RS_CH_COUNT])
{
    int at[RS_CH_COUNT];
    size_t n_kept = 0;
    for (int c = 0; c < RS_CH_COUNT; c++)
        at[c] = -1;
    for (size_t i = 0; i < n; i++) {
        int id = vals[i].id;
        if (id < 0 || id >= RS_CH_COUNT)
            id = rs_chan_lookup (vals[i].name, strlen (vals[i].name));
        if (id < 0 || id >= RS_CH_COUNT || withheld[id])
            continue;
        if (at[id] < 0)
            at[id] = (int) n_kept++;
        else if (!isfinite (vals[i].value))
            continue;
        kept[at[id]] = (rs_value_t) { vals[i].name, id, vals[i].value };
    }
    return n_kept;
}

//  Runs the engine over the logs merged; 0, or 2 on an error (said).
static int
s_run (const char *const *paths, size_t n_paths, const run_opts_t *o, run_t *run)
{
    memset (run, 0, sizeof *run);
    rs_logset_t *set = rs_logset_open (paths, n_paths);
    if (!set) {
        fprintf (stderr, "bench_rigstate: %s\n", rs_errmsg ());
        return 2;
    }
    run->files = rs_logset_count (set);
    rs_logmerge_t *merge = rs_logset_merge (set);
    int label = rs_logmerge_channel (merge, LABEL_CHAN);
    if (label < 0) {
        fprintf (stderr, "bench_rigstate: %s%s has no %s curve to score against\n", paths[0],
                 run->files > 1 ? " (and the others)" : "", LABEL_CURVE);
        rs_logset_destroy (&set);
        return 2;
    }
    run->has_label = true;
    FILE *trace = NULL;
    if (o->trace_path && !(trace = fopen (o->trace_path, "w"))) {
        perror (o->trace_path);
        rs_logset_destroy (&set);
        return 2;
    }
    if (trace)
        fprintf (trace, "ts,code,label,engine,raw,block_weight,hook,block,bit,hole,rpm,flow_in,spp,"
                 "circulating,rotating,on_bottom,moving,direction,in_slips\n");
    run->al.log = o->show_alerts ? stdout : NULL;
    rs_engine_t *eng = rs_engine_new (NULL, s_on_alert, &run->al);
    if (!eng) {
        fprintf (stderr, "bench_rigstate: no memory\n");
        if (trace)
            fclose (trace);
        rs_logset_destroy (&set);
        return 2;
    }
    rows_t rows = { 0 };
    int64_t first_ts = 0;
    int exit_code = 0;
    int64_t ts;
    const rs_value_t *vals;
    size_t n;
    int rc;
    rs_value_t kept[RS_CH_COUNT];
    uint64_t seed = 7;
    uint64_t read = 0, kept_n = 0;
    while ((rc = rs_logmerge_next (merge, &ts, &vals, &n)) == 1) {
        //  The rows a log recorded every `every` times sparser would hold.
        if (o->every > 1 && read++ % o->every != 0)
            continue;
        //  A piece of the log, as a log that starts there would hold.
        if (kept_n++ < o->skip)
            continue;
        if (o->limit && kept_n > o->skip + o->limit)
            break;
        const rs_value_t *feed = vals;
        size_t n_feed = n;
        if (o->withheld || s_any_noise || s_any_cal) {
            static const bool none[RS_CH_COUNT];
            n_feed = s_withhold (vals, n, o->withheld ? o->withheld : none, kept);
            feed = kept;
            for (size_t i = 0; i < n_feed; i++) {
                rs_value_t *v = &kept[i];
                if (v->id >= RS_CH_COUNT || !isfinite (v->value))
                    continue;
                if (s_any_cal)
                    v->value = v->value * s_scale[v->id] + s_offset[v->id];
                if (s_noise[v->id] > 0)
                    v->value += s_noise[v->id] * s_gauss (&seed);
            }
        }
        double t0 = s_now ();
        int fed = rs_engine_feed (eng, WELL, ts, feed, n_feed);
        run->engine_s += s_now () - t0;
        if (fed != 0)
            continue;
        run->samples++;
        if (!first_ts)
            first_ts = ts;
        const rs_riginfo_t *ri = rs_engine_well_rig (eng, 0);
        double code = vals[label].value;
        if (s_rows_add (&rows, ts, rs_rigclass_of_code (code), ri) != 0) {
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
                     (double) (ts - first_ts) / 1e6, code, rs_rigclass_name (rows.r[rows.n - 1].label),
                     rs_rig_name (ri->state), rs_rig_name (ri->raw), ri->block_weight_kn, ch[RS_CH_HOOK_LOAD],
                     ch[RS_CH_BLOCK_POS], ch[RS_CH_BIT_DEPTH], ch[RS_CH_HOLE_DEPTH], ch[RS_CH_RPM],
                     ch[RS_CH_FLOW_IN], ch[RS_CH_SPP], f->circulating, f->rotating, f->on_bottom, f->moving,
                     f->direction, f->in_slips);
        }
    }
    if (rc < 0) {
        fprintf (stderr, "bench_rigstate: %s\n", rs_logset_error (set));
        exit_code = 2;
    }
    for (size_t s = 0; s < run->files; s++) {
        run->rows += rs_logset_rows (set, s);
        run->bad_rows += rs_logset_bad_rows (set, s);
    }
    run->st = *rs_engine_stats (eng);
    const rs_riginfo_t *ri = rs_engine_wells (eng) ? rs_engine_well_rig (eng, 0) : NULL;
    run->block_weight_kn = ri ? ri->block_weight_kn : NAN;
    run->bw_source = ri ? (int) ri->bw_source : RS_BW_UNKNOWN;
    run->hours = rows.n ? (double) (rows.r[rows.n - 1].ts - first_ts) / 3.6e9 : 0.0;
    for (size_t i = 0; i + 1 < rows.n; i++) {
        //  Each row holds until the next one.
        double dt = fmin ((double) (rows.r[i + 1].ts - rows.r[i].ts) / 1e6, MAX_DT_S);
        rs_rigscore_add (&run->live, rows.r[i].label, rows.r[i].live, dt);
        rs_rigscore_add (&run->dated, rows.r[i].label, rows.r[i].dated, dt);
    }
    if (o->print) {
        s_print_passed_over (set, stdout, "");
        for (size_t s = 0; s < run->files; s++)
            printf ("%s: %s, %llu rows (%llu bad, %llu out of order dropped), well %s\n", rs_logset_path (set, s),
                    rs_logset_name (set, s),
                    (unsigned long long) rs_logset_rows (set, s), (unsigned long long) rs_logset_bad_rows (set, s),
                    (unsigned long long) rs_logset_dropped (set, s), rs_logset_well (set));
        printf ("%zu log(s) merged: %llu samples, %.1f h\n", run->files, (unsigned long long) run->samples,
                run->hours);
    }
    s_channel_report (set, run, o);
    if (trace)
        fclose (trace);
    free (rows.r);
    rs_engine_destroy (&eng);
    rs_logset_destroy (&set);
    return exit_code;
}

static double
s_pct (double x)
{
    return isnan (x) ? 0 : 100 * x;
}

static unsigned
s_loud (const run_t *run)
{
    unsigned loud = 0;
    for (size_t i = 0; i < N_QUIET; i++)
        loud += s_raised (&run->al, s_quiet[i]);
    return loud;
}

static json_t *
s_alerts_json (const run_t *run)
{
    json_t *a = json_object ();
    for (int d = 0; d < RS_DET_COUNT; d++)
        json_object_set_new (a, rs_det_name (d), json_integer (s_raised (&run->al, rs_det_name (d))));
    json_object_set_new (a, "anomaly", json_integer (s_raised (&run->al, "anomaly")));
    return a;
}

static json_t *
s_rig_channels_json (const run_t *run, bool found)
{
    const int *rig;
    size_t n_rig = rs_chanmap_rig_channels (&rig);
    json_t *a = json_array ();
    for (size_t r = 0; r < n_rig; r++)
        if (run->rig_found[rig[r]] == found)
            json_array_append_new (a, json_string (rs_chan_info (rig[r])->name));
    return a;
}

//  The readings the engine's data-quality check dropped, by channel and
//  reason: {"wob": {"pinned": 9995}, ...}.
static json_t *
s_dropped_json (const run_t *run)
{
    json_t *o = json_object ();
    for (int c = 0; c < RS_CH_COUNT; c++) {
        json_t *why = json_object ();
        for (int q = 0; q < RS_CHQ_COUNT; q++)
            if (run->st.dropped[c][q] > 0)
                json_object_set_new (why, rs_chq_name (q), json_integer ((json_int_t) run->st.dropped[c][q]));
        if (json_object_size (why) > 0)
            json_object_set_new (o, rs_chan_info (c)->name, why);
        else
            json_decref (why);
    }
    return o;
}

//  The same as one line: "wob pinned 9995, flow_out stuck 120" or "none".
static const char *
s_dropped_text (const run_t *run, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = 0;
    for (int c = 0; c < RS_CH_COUNT; c++)
        for (int q = 0; q < RS_CHQ_COUNT; q++)
            if (run->st.dropped[c][q] > 0 && n < size)
                n += (size_t) snprintf (buf + n, size - n, "%s%s %s %llu", n ? ", " : "", rs_chan_info (c)->name,
                                        rs_chq_name (q), (unsigned long long) run->st.dropped[c][q]);
    return n ? buf : "none";
}

//  The full result of one run as JSON (labelled_min, agreement, classes,
//  confusion, alerts, channels...).
static json_t *
s_run_json (const run_t *run, json_t *channels)
{
    json_t *classes = json_object (), *confusion = json_object ();
    for (int l = 1; l < RS_RC_COUNT; l++) {
        double row = 0, row_dated = 0;
        for (int e = 1; e < RS_RC_COUNT; e++) {
            row += run->live.t[l][e];
            row_dated += run->dated.t[l][e];
        }
        if (row <= 0)
            continue;
        json_object_set_new (classes, rs_rigclass_name (l),
                             json_pack ("{s:f, s:f, s:f}", "label_min", row / 60, "agree_pct",
                                        100 * run->live.t[l][l] / row, "agree_dated_pct",
                                        row_dated > 0 ? 100 * run->dated.t[l][l] / row_dated : 0.0));
        json_t *cells = json_object ();
        for (int e = 1; e < RS_RC_COUNT; e++)
            if (run->live.t[l][e] > 0)
                json_object_set_new (cells, rs_rigclass_name (e), json_real (run->live.t[l][e] / 60));
        json_object_set_new (confusion, rs_rigclass_name (l), cells);
    }
    json_t *o = json_pack ("{s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:f, s:f}", "files", (json_int_t) run->files,
                           "rows", (json_int_t) run->rows, "bad_rows", (json_int_t) run->bad_rows, "samples",
                           (json_int_t) run->samples, "hours", run->hours, "labelled_min",
                           run->live.labelled_s / 60, "unlabelled_min", run->live.unlabelled_s / 60,
                           "agreement_pct", s_pct (rs_rigscore_agreement (&run->live)), "agreement_dated_pct",
                           s_pct (rs_rigscore_agreement (&run->dated)));
    json_object_set_new (o, "agreement_undirected_pct", json_real (s_pct (rs_rigscore_agreement_undirected (&run->live))));
    json_object_set_new (o, "classes", classes);
    json_object_set_new (o, "confusion_min", confusion);
    json_object_set_new (o, "alerts", s_alerts_json (run));
    json_object_set_new (o, "rig_channels", s_rig_channels_json (run, true));
    json_object_set_new (o, "rig_channels_missing", s_rig_channels_json (run, false));
    const uint64_t (*dropped)[RS_CHQ_COUNT] = run->st.dropped;
    uint64_t implausible = rs_chanq_dropped_impossible (dropped);
    json_t *engine = json_pack ("{s:I, s:I, s:I, s:I, s:f}", "samples", (json_int_t) run->st.samples,
                                "out_of_order", (json_int_t) run->st.out_of_order, "implausible",
                                (json_int_t) implausible, "stuck",
                                (json_int_t) rs_chanq_dropped (dropped, -1, RS_CHQ_STUCK), "seconds", run->engine_s);
    json_object_set_new (engine, "dropped", s_dropped_json (run));
    json_object_set_new (o, "engine", engine);
    json_object_set_new (o, "block_weight_kn", isnan (run->block_weight_kn) ? json_null ()
                                                : json_real (run->block_weight_kn));
    json_object_set_new (o, "block_weight_source", json_string (rs_bw_source_name (run->bw_source)));
    if (channels)
        json_object_set_new (o, "channels", channels);
    return o;
}

static void
s_print_json (json_t *o)
{
    char *text = json_dumps (o, JSON_INDENT (2) | JSON_REAL_PRECISION (6));
    if (text)
        printf ("%s\n", text);
    free (text);
}

static bool
s_carries_motion (const run_t *run)
{
    return run->rig_found[RS_CH_HOOK_LOAD] && run->rig_found[RS_CH_BLOCK_POS];
}

static int
s_rig_count (const run_t *run)
{
    const int *rig;
    size_t n_rig = rs_chanmap_rig_channels (&rig);
    int k = 0;
    for (size_t r = 0; r < n_rig; r++)
        k += run->rig_found[rig[r]];
    return k;
}

static void
s_corpus_row (const char *file, const char *log, const run_t *run, const char *mark)
{
    printf ("%-20s %-10s %6llu %6.1f %2d/9 %8.1f %7.1f%% %7.1f%% %7.1f%% %4u %4u %4u %4u %4u %s\n", file, log,
            (unsigned long long) run->rows, run->hours, s_rig_count (run), run->live.labelled_s / 60,
            s_pct (rs_rigscore_agreement (&run->live)), s_pct (rs_rigscore_agreement (&run->dated)),
            s_pct (rs_rigscore_agreement_undirected (&run->live)),
            s_raised (&run->al, "kick"), s_raised (&run->al, "lost_circulation"), s_raised (&run->al, "washout"),
            s_raised (&run->al, "stuck_pipe"), s_raised (&run->al, "pack_off"), mark);
}

//  Floors of single logs by file name (--min-log FILE=PCT), over --min-agreement.
#define MAX_FLOORS  32
typedef struct {
    const char *name;
    size_t len;
    double pct;
} floor_t;

static floor_t s_floors[MAX_FLOORS];
static size_t s_n_floors;

static bool
s_floor_add (const char *arg)
{
    const char *eq = strrchr (arg, '=');
    char *end;
    if (!eq || eq == arg || s_n_floors == MAX_FLOORS)
        return false;
    double pct = strtod (eq + 1, &end);
    if (end == eq + 1 || *end || !(pct >= 0 && pct <= 100))
        return false;
    s_floors[s_n_floors++] = (floor_t) { arg, (size_t) (eq - arg), pct };
    return true;
}

static double
s_floor_of (const char *file, double dflt)
{
    for (size_t i = s_n_floors; i-- > 0;)     // the last one given wins
        if (strlen (file) == s_floors[i].len && strncmp (file, s_floors[i].name, s_floors[i].len) == 0)
            return s_floors[i].pct;
    return dflt;
}

//  Cut into logs of `chunk` samples each, each scored from a fresh engine
//  (a log that starts mid-operation, as every file of a split log does):
//  their scores summed into *sum; *worst the lowest piece with half an hour
//  or more labelled (NaN: none), *loud the kick, loss, washout, stuck-pipe
//  and pack-off alerts of all pieces. 0, or 2 on an error.
static int
s_chunked (const char *const *paths, size_t n_paths, const run_opts_t *o, uint64_t chunk, run_t *sum,
           double *worst, unsigned *loud, unsigned *pieces)
{
    memset (sum, 0, sizeof *sum);
    *worst = NAN;
    *loud = *pieces = 0;
    for (uint64_t k = 0;; k++) {
        run_opts_t co = *o;
        co.skip = k * chunk;
        co.limit = chunk;
        run_t run;
        int rc = s_run (paths, n_paths, &co, &run);
        if (rc != 0)
            return rc;
        if (!run.samples)
            break;
        if (!k)
            memcpy (sum->rig_found, run.rig_found, sizeof sum->rig_found);
        (*pieces)++;
        sum->files = run.files;
        sum->rows = run.rows;
        sum->samples += run.samples;
        sum->hours += run.hours;
        *loud += s_loud (&run);
        rs_rigscore_merge (&sum->live, &run.live);
        rs_rigscore_merge (&sum->dated, &run.dated);
        double agree = rs_rigscore_agreement (&run.live);
        if (run.live.labelled_s >= 1800 && !(agree >= *worst))
            *worst = agree;
    }
    return 0;
}

static void
s_chunk_row (const char *file, const char *log, const run_t *sum, double worst, unsigned loud, unsigned pieces)
{
    char w[16] = "       -";
    if (!isnan (worst))
        snprintf (w, sizeof w, "%7.1f%%", 100 * worst);
    printf ("%-20s %-10s %6u %4d/9 %8.1f %7.1f%% %7.1f%% %s %5u\n", file, log, pieces, s_rig_count (sum),
            sum->live.labelled_s / 60, s_pct (rs_rigscore_agreement (&sum->live)),
            s_pct (rs_rigscore_agreement (&sum->dated)), w, loud);
}

//  --corpus --chunk N: every log and the merged wellbore cut into pieces.
static int
s_corpus_chunked (const char *dir, char **paths, char **names, size_t n, const bool *withheld, unsigned every,
                  uint64_t chunk)
{
    printf ("%-20s %-10s %6s %6s %8s %8s %8s %8s %5s\n", "file", "log", "pieces", "rig", "label_min", "agree",
            "dated", "worst", "loud");
    run_opts_t opts = { .withheld = withheld, .every = every };
    double t0 = s_now ();
    for (size_t i = 0; i <= n; i++) {
        run_t sum;
        double worst;
        unsigned loud, pieces;
        bool merged = i == n;
        int rc = s_chunked ((const char *const *) (merged ? paths : &paths[i]), merged ? n : 1, &opts, chunk, &sum,
                            &worst, &loud, &pieces);
        if (rc != 0)
            return rc;
        s_chunk_row (merged ? "(all merged)" : s_rel (dir, paths[i]), merged ? "wellbore" : names[i], &sum, worst, loud,
                     pieces);
    }
    printf ("each log cut into pieces of %llu samples, each scored from a fresh engine; agree/dated: over all the "
            "pieces; worst: the lowest piece with half an hour labelled; loud: kick, loss, washout, stuck-pipe and "
            "pack-off alerts; %zu logs in %.1f s\n", (unsigned long long) chunk, n, s_now () - t0);
    return 0;
}

//  Every log of the directory alone, then all merged.
static int
s_corpus (const char *dir, bool json, bool check, double min_agree, double min_merged, const bool *withheld,
          unsigned every, uint64_t chunk)
{
    rs_logset_t *set = rs_logset_open (&dir, 1);
    if (!set) {
        fprintf (stderr, "bench_rigstate: %s\n", rs_errmsg ());
        return 2;
    }
    size_t n = rs_logset_count (set);
    s_print_passed_over (set, stderr, "bench_rigstate: ");
    char **paths = calloc (n, sizeof *paths);
    char **names = calloc (n, sizeof *names);
    for (size_t i = 0; paths && names && i < n; i++) {
        paths[i] = strdup (rs_logset_path (set, i));
        names[i] = strdup (rs_logset_name (set, i));
    }
    rs_logset_destroy (&set);
    int exit_code = 0;
    if (!paths || !names) {
        fprintf (stderr, "bench_rigstate: no memory\n");
        exit_code = 2;
        goto done;
    }
    if (chunk) {
        exit_code = s_corpus_chunked (dir, paths, names, n, withheld, every, chunk);
        goto done;
    }
    char **dropped = calloc (n ? n : 1, sizeof *dropped);     // each log's, for the text report
    if (!dropped) {
        fprintf (stderr, "bench_rigstate: no memory\n");
        exit_code = 2;
        goto done;
    }
    json_t *root = json ? json_object () : NULL, *logs = json ? json_array () : NULL;
    double t0 = s_now ();
    bool ok = true;
    if (!json)
        printf ("%-20s %-10s %6s %6s %4s %8s %8s %8s %8s %4s %4s %4s %4s %4s\n", "file", "log", "rows", "hours",
                "rig", "label_min", "agree", "dated", "undir", "kick", "loss", "wash", "stuck", "pack");
    run_opts_t opts = { .withheld = withheld, .every = every };
    for (size_t i = 0; i < n; i++) {
        run_t run;
        int rc = s_run ((const char *const *) &paths[i], 1, &opts, &run);
        if (rc != 0) {
            exit_code = rc;
            continue;
        }
        //  Asserted: every log with hook load and block position, and any
        //  other given a floor of its own.
        double own = s_floor_of (s_rel (dir, paths[i]), NAN);
        bool held = s_carries_motion (&run) || !isnan (own);
        double min_log = isnan (own) ? min_agree : own;
        bool met = !held || (rs_rigscore_agreement (&run.live) * 100 >= min_log && s_loud (&run) == 0);
        ok = ok && met;
        if (json) {
            json_t *o = json_pack ("{s:s, s:s, s:I, s:f, s:o, s:o, s:f, s:f, s:f, s:f, s:o, s:b}", "file",
                                   s_rel (dir, paths[i]), "log", names[i], "rows", (json_int_t) run.rows, "hours",
                                   run.hours, "rig_channels", s_rig_channels_json (&run, true),
                                   "rig_channels_missing", s_rig_channels_json (&run, false), "labelled_min",
                                   run.live.labelled_s / 60, "agreement_pct",
                                   s_pct (rs_rigscore_agreement (&run.live)), "agreement_dated_pct",
                                   s_pct (rs_rigscore_agreement (&run.dated)), "agreement_undirected_pct",
                                   s_pct (rs_rigscore_agreement_undirected (&run.live)), "alerts",
                                   s_alerts_json (&run), "asserted", held);
            json_object_set_new (o, "dropped", s_dropped_json (&run));
            json_array_append_new (logs, o);
        }
        else {
            s_corpus_row (s_rel (dir, paths[i]), names[i], &run, check && held ? (met ? "" : "MISSED") : "");
            char text[1024];
            dropped[i] = strdup (s_dropped_text (&run, text, sizeof text));
        }
    }
    run_t all;
    json_t *channels = json ? json_object () : NULL;
    run_opts_t merged_opts = { .channels = channels, .withheld = withheld, .every = every };
    int rc = s_run ((const char *const *) paths, n, &merged_opts, &all);
    if (rc != 0) {
        exit_code = rc;
        json_decref (channels);
    }
    else {
        bool met = rs_rigscore_agreement (&all.live) * 100 >= min_merged && s_loud (&all) == 0;
        ok = ok && met;
        if (json)
            json_object_set_new (root, "merged", s_run_json (&all, channels));
        else
            s_corpus_row ("(all merged)", "wellbore", &all, check ? (met ? "" : "MISSED") : "");
    }
    double took = s_now () - t0;
    if (json) {
        json_object_set_new (root, "dir", json_string (dir));
        json_object_set_new (root, "logs", logs);
        json_object_set_new (root, "seconds", json_real (took));
        if (check)
            json_object_set_new (root, "targets_met", json_boolean (ok && exit_code == 0));
        s_print_json (root);
        json_decref (root);
    }
    else {
        printf ("rig: rig-state channels found of hook_load block_pos bit_depth hole_depth flow_in spp rpm "
                "torque wob; agree/dated: time-weighted agreement with %s, state as published / as dated; "
                "undir: as published, a trip's direction not scored (the vendor's follows its trip record); "
                "%zu logs in %.1f s\n", LABEL_CURVE, n, took);
        printf ("readings dropped by the engine's data-quality check (docs/PREDICTION.md, Data quality):\n");
        for (size_t i = 0; i < n; i++)
            printf ("%-20s %s\n", s_rel (dir, paths[i]), dropped[i] ? dropped[i] : "(not run)");
        if (check && exit_code == 0)
            printf ("targets (agreement as published >= %.1f%% on every log with hook load and block position%s, "
                    ">= %.1f%% on the merged wellbore; no kick, lost_circulation, washout, stuck_pipe or pack_off "
                    "alert): %s\n", min_agree, s_n_floors ? " or its --min-log" : "", min_merged, ok ? "met" : "MISSED");
    }
    if (check && exit_code == 0)
        exit_code = ok ? 0 : 1;
    for (size_t i = 0; i < n; i++)
        free (dropped[i]);
    free (dropped);
done:
    for (size_t i = 0; i < n; i++) {
        if (paths)
            free (paths[i]);
        if (names)
            free (names[i]);
    }
    free (paths);
    free (names);
    return exit_code;
}

static void
s_usage (void)
{
    printf ("usage: bench_rigstate [--file LOG.xml ... | --full | --corpus [DIR]] [--source-dir DIR]\n"
            "                      [--min-agreement PCT] [--min-merged PCT] [--min-log FILE=PCT]\n"
            "                      [--assert] [--json] [--alerts] [--trace FILE.csv] [--without CH,...]\n"
            "                      [--every N] [--chunk N] [--noise CH=SIGMA] [--scale CH=F] [--offset CH=X]\n\n"
            "Runs the prediction engine over recorded WITSML 1.4 logs of one wellbore in process and\n"
            "scores its rig state against the logs' RigActivityCode; counts the alerts of every detector;\n"
            "reports which curve feeds each rig-state channel.\n"
            "  --file LOG.xml       a log; give it several times (or a directory) to merge the logs of\n"
            "                       one wellbore by time (default: <source>/" FULL_LOG "\n"
            "                       when present, else <source>/" EXCERPT ")\n"
            "  --full               the full log only; exit 77 (skipped) when it is absent\n"
            "  --corpus [DIR]       every *.xml of DIR (and of its folders, as a store exports a\n"
            "                       wellbore) alone, one row each, then all merged\n"
            "                       (default DIR: <source>/" CORPUS "; exit 77 when absent)\n"
            "  --source-dir DIR     the source tree (default: the one this was built from)\n"
            "  --min-agreement PCT  with --assert: the agreement floor, %% (default 90)\n"
            "  --min-merged PCT     with --corpus --assert: the merged wellbore's floor, %%\n"
            "                       (default: --min-agreement)\n"
            "  --min-log FILE=PCT   with --corpus --assert: this log's floor instead of\n"
            "                       --min-agreement, asserted whatever its channels (FILE: its\n"
            "                       path in the directory; repeatable, the last one wins)\n"
            "  --assert             exit 1 under the floor, or on any kick, lost_circulation,\n"
            "                       washout, stuck_pipe or pack_off alert (--corpus: every log with hook\n"
            "                       load and block position, and the merged wellbore)\n"
            "  --json               one JSON object on stdout instead of the text report\n"
            "  --alerts             print every alert transition\n"
            "  --trace FILE.csv     one line per sample: time, label, engine state, flags\n"
            "  --without CH,...     withhold these channels from the engine (e.g. bit_depth,hole_depth:\n"
            "                       how the engine does on a log that lacks them)\n"
            "  --every N            feed every Nth sample only (of the merge, when several logs): the\n"
            "                       log as recorded N times sparser\n"
            "  --noise CH=SIGMA     add normal noise of SIGMA (the channel's unit, e.g. hook_load=10 kN)\n"
            "                       to each reading of CH, as a noisier sensor would read (repeatable)\n"
            "  --scale CH=F         each reading of CH times F, and\n"
            "  --offset CH=X        plus X (the channel's unit): another rig's sensor, e.g. hook_load=300\n"
            "                       for a top drive 300 kN heavier (repeatable; scale first, then noise)\n"
            "  --chunk N            with --corpus: cut every log (and the merged wellbore) into pieces of N\n"
            "                       samples, each scored from a fresh engine, as logs that start\n"
            "                       mid-operation\n");
}

int
main (int argc, char **argv)
{
    const char *files[MAX_FILES];
    size_t n_files = 0;
    const char *source = RS_SOURCE_DIR, *trace_path = NULL, *corpus = NULL;
    bool full = false, check = false, show_alerts = false, json = false, want_corpus = false;
    bool withheld[RS_CH_COUNT] = { false }, any_withheld = false;
    double min_agree = 90, min_merged = NAN;
    unsigned every = 1;
    uint64_t chunk = 0;
    static struct option longopts[] = {
        { "file", required_argument, NULL, 'f' }, { "full", no_argument, NULL, 'F' },
        { "corpus", optional_argument, NULL, 'c' }, { "json", no_argument, NULL, 'j' },
        { "source-dir", required_argument, NULL, 's' }, { "min-agreement", required_argument, NULL, 'm' },
        { "min-merged", required_argument, NULL, 'M' }, { "min-log", required_argument, NULL, 'L' },
        { "assert", no_argument, NULL, 'a' }, { "alerts", no_argument, NULL, 'A' },
        { "trace", required_argument, NULL, 't' }, { "help", no_argument, NULL, 'h' },
        { "without", required_argument, NULL, 'w' }, { "every", required_argument, NULL, 'e' },
        { "chunk", required_argument, NULL, 'C' }, { "noise", required_argument, NULL, 'N' },
        { "scale", required_argument, NULL, 'S' }, { "offset", required_argument, NULL, 'O' },
        { NULL, 0, NULL, 0 }
    };
    int c;
    while ((c = getopt_long (argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
            case 'f':
                if (n_files == MAX_FILES) {
                    fprintf (stderr, "bench_rigstate: at most %d --file\n", MAX_FILES);
                    return 2;
                }
                files[n_files++] = optarg;
                break;
            case 'F': full = true; break;
            case 'c':
                want_corpus = true;
                //  "--corpus DIR" as well as "--corpus=DIR".
                if (optarg)
                    corpus = optarg;
                else if (optind < argc && argv[optind][0] != '-')
                    corpus = argv[optind++];
                break;
            case 'j': json = true; break;
            case 's': source = optarg; break;
            case 'm': min_agree = atof (optarg); break;
            case 'M': min_merged = atof (optarg); break;
            case 'L':
                if (!s_floor_add (optarg)) {
                    fprintf (stderr, "bench_rigstate: --min-log %s: expected FILE=PCT (at most %d)\n", optarg,
                             MAX_FLOORS);
                    return 2;
                }
                break;
            case 'a': check = true; break;
            case 'A': show_alerts = true; break;
            case 't': trace_path = optarg; break;
            case 'w':
                if (rs_chan_parse_set (optarg, withheld) != RS_OK) {
                    fprintf (stderr, "bench_rigstate: --without: %s\n", rs_errmsg ());
                    return 2;
                }
                any_withheld = true;
                break;
            case 'N':
                if (!s_noise_add (optarg)) {
                    fprintf (stderr, "bench_rigstate: --noise %s: expected CHANNEL=SIGMA (e.g. hook_load=10)\n",
                             optarg);
                    return 2;
                }
                break;
            case 'S':
            case 'O':
                if (!s_cal_add (optarg, c == 'S')) {
                    fprintf (stderr, "bench_rigstate: --%s %s: expected CHANNEL=%s (e.g. hook_load=%s)\n",
                             c == 'S' ? "scale" : "offset", optarg, c == 'S' ? "FACTOR" : "VALUE",
                             c == 'S' ? "1.5" : "300");
                    return 2;
                }
                break;
            case 'e': {
                char *end;
                unsigned long v = strtoul (optarg, &end, 10);
                if (end == optarg || *end || v < 1 || v > 1000) {
                    fprintf (stderr, "bench_rigstate: --every %s: expected 1-1000\n", optarg);
                    return 2;
                }
                every = (unsigned) v;
                break;
            }
            case 'C': {
                char *end;
                unsigned long long v = strtoull (optarg, &end, 10);
                if (end == optarg || *end || v < 10) {
                    fprintf (stderr, "bench_rigstate: --chunk %s: expected 10 samples or more\n", optarg);
                    return 2;
                }
                chunk = v;
                break;
            }
            case 'h': s_usage (); return 0;
            default: s_usage (); return 2;
        }
    }
    if (optind != argc || (n_files && full) || (want_corpus && (n_files || full || trace_path || show_alerts))
        || (chunk && (!want_corpus || json || check))) {
        fprintf (stderr, "bench_rigstate: bad arguments (see --help)\n");
        return 2;
    }
    char path[4096];
    if (want_corpus) {
        if (!corpus) {
            snprintf (path, sizeof path, "%s/%s", source, CORPUS);
            corpus = path;
        }
        if (access (corpus, R_OK) != 0) {
            printf ("bench_rigstate: SKIPPED: the corpus %s is not there (a fresh clone has no ../shared)\n",
                    corpus);
            return SKIPPED;
        }
        return s_corpus (corpus, json, check, min_agree, isnan (min_merged) ? min_agree : min_merged,
                         any_withheld ? withheld : NULL, every, chunk);
    }
    if (!n_files) {
        snprintf (path, sizeof path, "%s/%s", source, FULL_LOG);
        if (access (path, R_OK) != 0) {
            if (full) {
                printf ("bench_rigstate: SKIPPED: the full log %s is not there (a fresh clone has no "
                        "../shared); the committed excerpt is scored by score.rigstate\n", path);
                return SKIPPED;
            }
            if (!json)
                printf ("the full log %s is not there: scoring the committed excerpt\n", path);
            snprintf (path, sizeof path, "%s/%s", source, EXCERPT);
        }
        files[n_files++] = path;
    }

    run_t run;
    json_t *channels = json ? json_object () : NULL;
    run_opts_t opts = { .show_alerts = show_alerts && !json, .trace_path = trace_path, .print = !json,
                        .channels = channels, .withheld = any_withheld ? withheld : NULL, .every = every };
    int exit_code = s_run (files, n_files, &opts, &run);
    if (exit_code != 0) {
        json_decref (channels);
        return exit_code;
    }
    double agree = s_pct (rs_rigscore_agreement (&run.live));
    unsigned loud = s_loud (&run);
    bool ok = agree >= min_agree && loud == 0;
    if (json) {
        json_t *o = s_run_json (&run, channels);
        if (check)
            json_object_set_new (o, "targets_met", json_boolean (ok));
        s_print_json (o);
        json_decref (o);
        return check && !ok ? 1 : 0;
    }
    printf ("\nrig state as published at each row (live):\n");
    rs_rigscore_print (&run.live, stdout);
    printf ("\nrig state as the engine dates it (a new state counts from when it first appeared):\n");
    rs_rigscore_print (&run.dated, stdout);
    printf ("\nalerts raised (all detectors on, no rules):");
    for (int d = 0; d < RS_DET_COUNT; d++)
        printf (" %s %u", rs_det_name (d), s_raised (&run.al, rs_det_name (d)));
    printf (" anomaly %u\n", s_raised (&run.al, "anomaly"));
    char dropped[1024];
    printf ("readings dropped by the engine's data-quality check: %s\n", s_dropped_text (&run, dropped, sizeof dropped));
    printf ("engine: %llu samples in %.3f s (%.0f samples/s), %llu out of order\n",
            (unsigned long long) run.st.samples, run.engine_s,
            run.engine_s > 0 ? (double) run.st.samples / run.engine_s : 0, (unsigned long long) run.st.out_of_order);
    printf ("\nrig-state agreement with %s: %.1f%% as published, %.1f%% as dated (%.1f%% with a trip's direction "
            "not scored)\n", LABEL_CURVE, agree, s_pct (rs_rigscore_agreement (&run.dated)),
            s_pct (rs_rigscore_agreement_undirected (&run.live)));
    if (check) {
        printf ("targets (agreement as published >= %.1f%%, no kick, lost_circulation, washout, stuck_pipe or pack_off "
                "alert): %s\n", min_agree, ok ? "met" : "MISSED");
        return ok ? 0 : 1;
    }
    return 0;
}
