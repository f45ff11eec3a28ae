/*  rigstream-db: reads the recorder's database (read-only): lists wells,
    prints statistics, exports raw samples or a downsampled range as CSV or
    JSON. Exit status: 0 done, 1 the database cannot be read or the well is
    unknown, 2 bad arguments. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rs_channels.h"
#include "rs_clock.h"
#include "rs_config.h"
#include "rs_export.h"
#include "rs_log.h"
#include "rs_msg.h"
#include "rs_query.h"

static const rs_option_t s_options[] = {
    { "db", "DATABASE_PATH", RS_OPT_STRING, "./data/rigstream.db", "SQLite database to read", 0, 0 },
    { "well", NULL, RS_OPT_STRING, NULL, "well id (export, range)", 0, 0 },
    { "from", NULL, RS_OPT_STRING, NULL,
      "start of the range: ISO 8601 (2026-11-23T10:00:00Z) or epoch seconds; default: the well's first sample",
      0, 0 },
    { "to", NULL, RS_OPT_STRING, NULL, "end of the range (inclusive), same forms; default: its last sample", 0, 0 },
    { "channels", NULL, RS_OPT_STRING, NULL,
      "comma-separated channels (known ones or a well's extra channels), or all; default: every known channel", 0, 0 },
    { "format", NULL, RS_OPT_STRING, "csv", "output format: csv or json", 0, 0 },
    { "points", NULL, RS_OPT_INT, "1000", "range: number of points to downsample to", 1, RS_QUERY_MAX_POINTS },
    RS_OPTION_END
};

#define S_USAGE "COMMAND (export | range | wells | stats)"

static int
s_usage_error (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

static int
s_usage_error (const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    fputs ("rigstream-db: ", stderr);
    vfprintf (stderr, fmt, ap);
    fputs ("\n", stderr);
    va_end (ap);
    return 2;
}

static int
s_on_well (const rs_query_well_t *w, void *arg)
{
    rs_export_format_t *format = arg;
    char first[40] = "", last[40] = "";
    if (w->first_us || w->last_us) {
        rs_clock_format (w->first_us, first, sizeof first);
        rs_clock_format (w->last_us, last, sizeof last);
    }
    if (*format == RS_EXPORT_JSON)
        printf ("{\"well\":\"%s\",\"samples\":%lld,\"events\":%lld,\"first\":%s%s%s,\"last\":%s%s%s}\n",
                w->name, (long long) w->samples, (long long) w->events, *first ? "\"" : "",
                *first ? first : "null", *first ? "\"" : "", *last ? "\"" : "", *last ? last : "null",
                *last ? "\"" : "");
    else
        printf ("%s,%lld,%lld,%s,%s\n", w->name, (long long) w->samples, (long long) w->events, first, last);
    return 0;
}

static int
s_stats (rs_query_t *q, rs_export_format_t format)
{
    rs_query_stats_t s;
    int err = rs_query_stats (q, &s);
    if (err != RS_QUERY_OK) {
        fprintf (stderr, "rigstream-db: %s: %s\n", rs_query_strerror (err), rs_query_detail (q));
        return 1;
    }
    char started[40] = "", updated[40] = "";
    if (s.runs) {
        rs_clock_format (s.run_started_us, started, sizeof started);
        rs_clock_format (s.run_updated_us, updated, sizeof updated);
    }
    struct {
        const char *name;
        long long value;
    } nums[] = {
        { "schema", s.schema }, { "db_bytes", s.db_bytes }, { "wells", s.wells },
        { "publishers", s.publishers }, { "streams", s.streams }, { "open_streams", s.open_streams },
        { "samples_stored", s.samples_stored }, { "events", s.events }, { "kpis", s.kpis },
        { "alerts", s.alerts }, { "gaps", s.gaps }, { "open_gaps", s.open_gaps },
        { "agg_1m_rows", s.agg_1m_rows }, { "agg_1h_rows", s.agg_1h_rows }, { "runs", s.runs },
        { "run_stored", s.run_stored }, { "run_ignored", s.run_ignored }, { "run_batches", s.run_batches },
        { "run_write_errors", s.run_write_errors }, { "run_dropped", s.run_dropped },
        { "run_pruned", s.run_pruned },
    };
    size_t n = sizeof nums / sizeof nums[0];
    if (format == RS_EXPORT_JSON) {
        printf ("{");
        for (size_t i = 0; i < n; i++)
            printf ("\"%s\":%lld,", nums[i].name, nums[i].value);
        printf ("\"run_started\":\"%s\",\"run_updated\":\"%s\"}\n", started, updated);
    }
    else {
        printf ("name,value\n");
        for (size_t i = 0; i < n; i++)
            printf ("%s,%lld\n", nums[i].name, nums[i].value);
        printf ("run_started,%s\nrun_updated,%s\n", started, updated);
    }
    return 0;
}

static int
s_on_row (const rs_query_row_t *row, void *arg)
{
    return rs_export_row (arg, row);
}

static int
s_on_point (const rs_query_point_t *point, void *arg)
{
    return rs_export_point (arg, point);
}

//  The well's extra channels, gathered for --channels all or named when
//  the default leaves them out.
typedef struct {
    char names[RS_QUERY_MAX_CHANNELS][RS_MAX_CHNAME + 1];
    size_t n, total;
} s_extras_t;

static int
s_on_extra (const char *name, void *arg)
{
    s_extras_t *x = arg;
    if (x->n < RS_QUERY_MAX_CHANNELS)
        snprintf (x->names[x->n++], sizeof x->names[0], "%s", name);
    x->total++;
    return 0;
}

//  Adds the well's extra channels to the spec (all) or tells on stderr
//  which ones the default list leaves out. Returns RS_QUERY_OK or the error.
static int
s_add_extras (rs_query_t *q, rs_query_spec_t *spec, const char **channels, bool all)
{
    static s_extras_t x;
    x.n = x.total = 0;
    int err = rs_query_extras (q, spec->well, s_on_extra, &x);
    if (err != RS_QUERY_OK || x.total == 0)
        return err;
    if (all) {
        if (spec->n_channels + x.total > RS_QUERY_MAX_CHANNELS) {
            fprintf (stderr, "rigstream-db: --channels all is %zu channels for well %s, more than %d: name them\n",
                     spec->n_channels + x.total, spec->well, RS_QUERY_MAX_CHANNELS);
            return RS_QUERY_E_ARG;
        }
        for (size_t i = 0; i < x.n; i++)
            channels[spec->n_channels++] = x.names[i];
        return RS_QUERY_OK;
    }
    fprintf (stderr, "rigstream-db: left out the extra channels of well %s:", spec->well);
    for (size_t i = 0; i < x.n; i++)
        fprintf (stderr, "%s%s", i ? "," : " ", x.names[i]);
    fprintf (stderr, "%s (--channels all includes them)\n", x.total > x.n ? ",..." : "");
    return RS_QUERY_OK;
}

//  Splits the channel list in place; returns the count or -1 (reported).
//  None, or "all": every known channel (s_add_extras adds the rest).
static int
s_channels (char *list, const char **out, size_t max)
{
    size_t n = 0;
    if (!list || !*list || strcmp (list, "all") == 0) {
        for (int c = 0; c < RS_CH_COUNT; c++)
            out[n++] = rs_chan_info (c)->name;
        return (int) n;
    }
    for (char *save = NULL, *t = strtok_r (list, ", ", &save); t; t = strtok_r (NULL, ", ", &save)) {
        if (n == max) {
            fprintf (stderr, "rigstream-db: too many channels (at most %zu)\n", max);
            return -1;
        }
        out[n++] = t;
    }
    if (n == 0) {
        fprintf (stderr, "rigstream-db: --channels names no channel\n");
        return -1;
    }
    return (int) n;
}

static int
s_run (rs_config_t *cfg, const char *command)
{
    bool is_export = strcmp (command, "export") == 0, is_range = strcmp (command, "range") == 0;
    if (!is_export && !is_range && strcmp (command, "wells") != 0 && strcmp (command, "stats") != 0)
        return s_usage_error ("unknown command \"%s\": expected export, range, wells or stats", command);
    int format = rs_export_format_parse (rs_config_str (cfg, "format"));
    if (format < 0)
        return s_usage_error ("invalid value \"%s\" for --format: expected csv or json",
                              rs_config_str (cfg, "format"));
    rs_query_spec_t spec = { .well = rs_config_str (cfg, "well"), .from_us = 0, .to_us = INT64_MAX };
    static char list[4096];
    const char *channels[RS_QUERY_MAX_CHANNELS];
    bool defaults = false, all = false;
    if (is_export || is_range) {
        if (!spec.well || !*spec.well)
            return s_usage_error ("%s needs --well", command);
        const char *from = rs_config_str (cfg, "from"), *to = rs_config_str (cfg, "to");
        if (from && *from && rs_clock_parse (from, &spec.from_us) != 0)
            return s_usage_error ("invalid time \"%s\" for --from: expected ISO 8601 (2026-11-23T10:00:00Z) "
                                  "or seconds since the epoch", from);
        if (to && *to && rs_clock_parse (to, &spec.to_us) != 0)
            return s_usage_error ("invalid time \"%s\" for --to: expected ISO 8601 (2026-11-23T10:00:00Z) "
                                  "or seconds since the epoch", to);
        if (spec.from_us > spec.to_us)
            return s_usage_error ("%s", "--from is after --to");
        const char *given = rs_config_str (cfg, "channels");
        if (given && strlen (given) >= sizeof list)
            return s_usage_error ("%s", "--channels is too long");
        snprintf (list, sizeof list, "%s", given ? given : "");
        defaults = !*list;
        all = strcmp (list, "all") == 0;
        int n = s_channels (list, channels, RS_QUERY_MAX_CHANNELS);
        if (n < 0)
            return 2;
        spec.channels = channels;
        spec.n_channels = (size_t) n;
        for (size_t i = 0; i < spec.n_channels; i++)
            if (!rs_chan_name_valid (channels[i], strlen (channels[i])))
                return s_usage_error ("invalid channel name \"%s\": 1-32 chars of a-z 0-9 _, starting with a letter",
                                      channels[i]);
    }
    rs_query_t *q = rs_query_new (rs_config_str (cfg, "db"));
    if (!q) {
        fprintf (stderr, "rigstream-db: %s\n", rs_errmsg ());
        return 1;
    }
    int rc = 0;
    if (strcmp (command, "wells") == 0) {
        if (format == RS_EXPORT_CSV)
            printf ("well,samples,events,first,last\n");
        int qerr = rs_query_wells (q, s_on_well, &format);
        if (qerr != RS_QUERY_OK) {
            fprintf (stderr, "rigstream-db: %s\n", rs_query_detail (q));
            rc = 1;
        }
    }
    else if (strcmp (command, "stats") == 0)
        rc = s_stats (q, (rs_export_format_t) format);
    else {
        int qerr = rs_query_check (q, &spec);
        if (qerr == RS_QUERY_OK && (defaults || all))
            qerr = s_add_extras (q, &spec, channels, all);
        //  A range without bounds spans the well's data, so the points fall on it.
        int64_t first = 0, last = 0;
        bool has_from = rs_config_is_set (cfg, "from"), has_to = rs_config_is_set (cfg, "to");
        if (qerr == RS_QUERY_OK && is_range && !(has_from && has_to)
            && (qerr = rs_query_extent (q, spec.well, &first, &last)) == RS_QUERY_OK && last) {
            if (!has_from)
                spec.from_us = first;
            if (!has_to)
                spec.to_us = last;
            if (spec.from_us > spec.to_us)
                spec.from_us = spec.to_us;
        }
        rs_export_t *ex = NULL;
        if (qerr == RS_QUERY_OK) {
            ex = rs_export_new (stdout, (rs_export_format_t) format, spec.channels, spec.n_channels, is_range);
            if (!ex)
                qerr = RS_QUERY_E_NOMEM;
        }
        rs_query_source_t source = RS_QUERY_RAW;
        if (qerr == RS_QUERY_OK)
            qerr = is_export ? rs_query_samples (q, &spec, s_on_row, ex)
                             : rs_query_range (q, &spec, (int) rs_config_int (cfg, "points"), s_on_point, ex,
                                               &source);
        if (ex && (rs_export_end (ex) != 0 || qerr == RS_QUERY_E_STOPPED)) {
            fprintf (stderr, "rigstream-db: cannot write the output\n");
            rc = 1;
        }
        else if (qerr != RS_QUERY_OK) {
            if (*rs_query_detail (q))   //  empty: already told (s_add_extras)
                fprintf (stderr, "rigstream-db: %s\n", rs_query_detail (q));
            rc = qerr == RS_QUERY_E_WELL || qerr == RS_QUERY_E_DB || qerr == RS_QUERY_E_NOMEM ? 1 : 2;
        }
        else
            rs_debug ("%zu %s from %s", rs_export_count (ex), is_range ? "points" : "rows",
                      rs_query_source_name (source));
        rs_export_destroy (&ex);
    }
    rs_query_destroy (&q);
    return rc;
}

int
main (int argc, char **argv)
{
    rs_config_t *cfg = rs_config_new ("rigstream-db", "query the rigstream recorder's database (read-only)",
                                      s_options, S_USAGE);
    int rc = rs_config_start (&cfg, argc, argv, "db");
    if (rc != RS_OK)
        return rs_exit_status (rc);
    if (rs_config_argc (cfg) != 1) {
        fprintf (stderr, "rigstream-db: give one command: export, range, wells or stats (--help for options)\n");
        rs_config_destroy (&cfg);
        return 2;
    }
    rc = s_run (cfg, rs_config_argv (cfg, 0));
    rs_config_destroy (&cfg);
    return rc;
}
