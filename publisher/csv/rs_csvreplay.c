/*  rs_csvreplay: rigstream-csv's engine. Opens the file and its mapping
    (--map, --preset or none), reads it up to the first data row before the
    broker is contacted (a file that cannot be read as mapped is refused at
    once), says how each column maps, then replays the rows paced by rs_pace,
    with the reader's counts in heartbeats and the summary. */
#include "rs_csvreplay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rs_chanmap.h"
#include "rs_channels.h"
#include "rs_csv.h"
#include "rs_log.h"
#include "rs_mapfile.h"
#include "rs_pace.h"
#include "rs_signal.h"
#include "rs_units.h"

struct rs_csvreplay_t {
    rs_csv_t *csv;
    rs_mapfile_t *map;
    const char *map_origin; //  --map or --preset; NULL = none
    rs_pace_t pace;
    const char *path;
    char well[65];
    int heartbeat_ms;
    //  The row read ahead (the first before connecting, to refuse a bad file at once).
    rs_csv_result_t res;
    int64_t ts;
    const rs_value_t *ch;
    size_t n;
    FILE *in;
    char *line;
    size_t cap;
    uint64_t bad_seen;
    rs_log_limit_t bad_log;
};

void
rs_csvreplay_heartbeat (rs_pub_t *pub, const char *state, void *arg)
{
    rs_csvreplay_t *self = (rs_csvreplay_t *) arg;
    const rs_csv_stats_t *st = rs_csv_stats (self->csv);
    rs_value_t stats[] = { { "rows", -1, (double) st->rows }, { "bad_rows", -1, (double) st->bad_rows },
                           { "bad_cells", -1, (double) st->bad_cells }, { "nulls", -1, (double) st->nulls },
                           { "unit_rows", -1, (double) st->unit_rows },
                           { "repeated_headers", -1, (double) st->repeated_headers },
                           { "behind_s", -1, self->pace.behind_s } };
    rs_text_t info[] = { { "state", state }, { "file", self->path } };
    rs_pub_heartbeat (pub, stats, sizeof stats / sizeof stats[0], info, 2);
}

//  Says how one channel column converts: "feet (header) to m, x 0.3048".
static void
s_log_conversion (const rs_csv_column_t *c)
{
    const rs_chan_info_t *info = rs_chan_info (c->ch.channel);
    if (!*c->unit)
        rs_info ("column \"%s\" -> %s, taken as %s (no unit given)", c->header, c->ch.name, info->unit);
    else if (c->ch.offset != 0)
        rs_info ("column \"%s\" -> %s: %s (%s) to %s, x %.10g %+.10g", c->header, c->ch.name, c->unit,
                 c->unit_from, info->unit, c->ch.scale, c->ch.offset);
    else
        rs_info ("column \"%s\" -> %s: %s (%s) to %s, x %.10g", c->header, c->ch.name, c->unit, c->unit_from,
                 info->unit, c->ch.scale);
}

//  Says how every column maps, once per header or unit row: INFO for what
//  is converted or carried, WARN for units that do not convert or are not known.
static void
s_log_columns (rs_csv_t *csv)
{
    const rs_csv_column_t *cols;
    size_t n = rs_csv_columns (csv, &cols), known = 0, extra = 0, ignored = 0, time = 0;
    for (size_t i = 0; i < n; i++) {
        const rs_csv_column_t *c = &cols[i];
        if (c->role == RS_MAP_DATE || c->role == RS_MAP_TIME || c->role == RS_MAP_DATETIME) {
            time++;
            rs_info ("column \"%s\": the %s", c->header,
                     c->role == RS_MAP_DATE ? "date" : c->role == RS_MAP_TIME ? "time of day" : "date and time");
        }
        else if (c->role == RS_MAP_IGNORE) {
            ignored++;
            rs_info ("column \"%s\": ignored", c->header);
        }
        else if (c->ch.channel != RS_CH_UNKNOWN) {
            known++;
            s_log_conversion (c);
        }
        else {
            extra++;
            if (c->unit_unknown)
                rs_warn ("column \"%s\": unit '%s' does not convert to the known channel's unit; carried "
                         "unconverted as extra '%s'", c->header, c->unit, c->ch.name);
            else if (*c->unit && !rs_units_known (c->unit))
                rs_warn ("column \"%s\": unit '%s' is not one rigstream knows; carried unconverted as extra '%s'",
                         c->header, c->unit, c->ch.name);
            else
                rs_info ("column \"%s\" -> extra '%s', unconverted%s%s%s", c->header, c->ch.name,
                         *c->unit ? " (" : "", c->unit, *c->unit ? ")" : "");
        }
    }
    rs_info ("%zu columns: %zu for the time, %zu known channels, %zu extra channels, %zu ignored", n, time, known,
             extra, ignored);
}

//  Reads lines up to the next row, bad row or error (RS_CSV_SKIP at the end
//  of the input or on a signal), saying how the columns map when they change
//  and warning about bad rows and cells (rate-limited).
static rs_csv_result_t
s_read (rs_csvreplay_t *self, int64_t *ts, const rs_value_t **ch, size_t *n)
{
    ssize_t len;
    while (!rs_signal_stopping () && (len = getline (&self->line, &self->cap, self->in)) >= 0) {
        rs_csv_result_t res = rs_csv_line (self->csv, self->line, (size_t) len, ts, ch, n);
        if (rs_csv_columns_changed (self->csv))
            s_log_columns (self->csv);
        if (res == RS_CSV_ERROR)
            return res;
        const rs_csv_stats_t *st = rs_csv_stats (self->csv);
        if (st->bad_rows + st->bad_cells != self->bad_seen) {
            self->bad_seen = st->bad_rows + st->bad_cells;
            rs_log_limited (&self->bad_log, 10000, RS_LOG_WARN, "%s", rs_csv_last_reject (self->csv));
        }
        if (res != RS_CSV_SKIP)
            return res;
    }
    if (!rs_signal_stopping ()) {
        if (ferror (self->in))
            rs_error ("%s: read error: %s", self->path, strerror (errno));
        return rs_csv_finish (self->csv);
    }
    return RS_CSV_SKIP;
}

//  The mapping: --map, else --preset, else none (*map NULL). Returns RS_OK
//  or RS_E_CONFIG (said on stderr).
static rs_err_t
s_mapping (rs_config_t *cfg, rs_mapfile_t **map, const char **origin)
{
    const char *path = rs_config_str (cfg, "map"), *preset = rs_config_str (cfg, "preset");
    *map = NULL;
    *origin = NULL;
    if (path && *path) {
        *map = rs_mapfile_load (path);
        *origin = path;
    }
    else if (preset && *preset) {
        const char *text = rs_csv_preset (preset);
        if (!text) {
            fprintf (stderr, "rigstream-csv: unknown --preset \"%s\": expected %s\n", preset, rs_csv_preset_names ());
            return RS_E_CONFIG;
        }
        *map = rs_mapfile_parse (text, preset);
        *origin = preset;
    }
    else
        return RS_OK;
    if (!*map)
        fprintf (stderr, "rigstream-csv: %s\n", rs_errmsg ());
    return *map ? RS_OK : RS_E_CONFIG;
}

//  The well id: --well, else the file's name without extension.
static void
s_well (rs_config_t *cfg, const char *path, char *well, size_t size)
{
    const char *well_opt = rs_config_str (cfg, "well");
    if (well_opt && *well_opt)
        rs_chanmap_well_id (well_opt, "csv", well, size);
    else
        rs_chanmap_well_from_path (path, "csv", well, size);
}

int
rs_csvreplay_setup (rs_config_t *cfg, void *arg)
{
    rs_csvreplay_t *self = (rs_csvreplay_t *) arg;
    const char *print = rs_config_str (cfg, "print-preset");
    if (print && *print) {
        const char *text = rs_csv_preset (print);
        if (!text) {
            fprintf (stderr, "rigstream-csv: unknown preset \"%s\": expected %s\n", print, rs_csv_preset_names ());
            return RS_E_CONFIG;
        }
        fputs (text, stdout);
        return RS_E_EXIT;
    }
    if (rs_config_argc (cfg) != 1) {
        fprintf (stderr, "rigstream-csv: give one CSV file, or - for standard input (see --help)\n");
        return RS_E_CONFIG;
    }
    self->path = rs_config_argv (cfg, 0);
    const char *order = rs_config_str (cfg, "date-order");
    if (rs_pace_config (&self->pace, cfg) != RS_OK)
        fprintf (stderr, "rigstream-csv: %s\n", rs_errmsg ());
    else if (strcmp (order, "mdy") != 0 && strcmp (order, "dmy") != 0)
        fprintf (stderr, "rigstream-csv: invalid --date-order \"%s\": expected mdy or dmy\n", order);
    else if (s_mapping (cfg, &self->map, &self->map_origin) == RS_OK) {
        rs_csv_opts_t copts = {
            .map = self->map, .nulls = rs_config_str (cfg, "nulls"),
            .time_column = rs_config_str (cfg, "time-column"), .date_column = rs_config_str (cfg, "date-column"),
            .order = strcmp (order, "dmy") == 0 ? RS_DATE_DMY : RS_DATE_MDY,
            .offset_us = (int64_t) (rs_config_double (cfg, "utc-offset") * 3600e6),
            .extras = rs_config_bool (cfg, "extras"),
        };
        self->csv = rs_csv_new (&copts);
        if (!self->csv)
            fprintf (stderr, "rigstream-csv: %s\n", rs_errmsg ());
    }
    if (!self->csv)
        return RS_E_CONFIG;
    self->in = strcmp (self->path, "-") == 0 ? stdin : fopen (self->path, "rb");
    if (!self->in) {
        rs_error ("%s: cannot open: %s", self->path, strerror (errno));
        return RS_E_IO;
    }
    s_well (cfg, self->path, self->well, sizeof self->well);
    self->heartbeat_ms = (int) rs_config_int (cfg, "heartbeat-ms");
    self->res = s_read (self, &self->ts, &self->ch, &self->n);
    if (self->res == RS_CSV_ERROR) {
        rs_error ("%s: %s", self->path, rs_csv_error (self->csv));
        return RS_E_IO;
    }
    return RS_OK;
}

void
rs_csvreplay_ready (rs_pub_t *pub, char *what, size_t size, void *arg)
{
    rs_csvreplay_t *self = (rs_csvreplay_t *) arg;
    rs_pace_set_heartbeat (&self->pace, pub, self->heartbeat_ms, rs_csvreplay_heartbeat, self);
    snprintf (what, size, "replaying %s as well %s (%s%s) %s", self->path, self->well,
              self->map_origin ? "mapping " : "no mapping", self->map_origin ? self->map_origin : "",
              rs_pace_mode (&self->pace));
}

int
rs_csvreplay_run (rs_pub_t *pub, rs_config_t *cfg, void *arg)
{
    (void) cfg;
    rs_csvreplay_t *self = (rs_csvreplay_t *) arg;
    for (; self->res != RS_CSV_SKIP && self->res != RS_CSV_ERROR;
         self->res = s_read (self, &self->ts, &self->ch, &self->n))
        if (self->res == RS_CSV_ROW
            && rs_pace_publish (&self->pace, pub, self->well, self->ts, self->ch, self->n) == RS_E_STOPPED)
            break;
    if (self->res == RS_CSV_ERROR) {
        rs_error ("%s: %s", self->path, rs_csv_error (self->csv));
        return RS_E_IO;
    }
    return RS_OK;
}

void
rs_csvreplay_stop (rs_pub_t *pub, char *summary, size_t size, void *arg)
{
    (void) pub;
    rs_csvreplay_t *self = (rs_csvreplay_t *) arg;
    const rs_csv_stats_t *st = rs_csv_stats (self->csv);
    snprintf (summary, size, "%llu rows published, %llu skipped before --start, %llu bad rows, %llu bad cells, "
              "%llu null values, %llu unit rows, %llu repeated headers, from %s",
              (unsigned long long) self->pace.published, (unsigned long long) self->pace.skipped,
              (unsigned long long) st->bad_rows, (unsigned long long) st->bad_cells,
              (unsigned long long) st->nulls, (unsigned long long) st->unit_rows,
              (unsigned long long) st->repeated_headers, self->path);
}

void
rs_csvreplay_free (void *arg)
{
    rs_csvreplay_t *self = (rs_csvreplay_t *) arg;
    free (self->line);
    if (self->in && self->in != stdin)
        fclose (self->in);
    rs_csv_destroy (&self->csv);
    rs_mapfile_destroy (&self->map);
}

rs_csvreplay_t *
rs_csvreplay_new (void)
{
    return calloc (1, sizeof (rs_csvreplay_t));
}

void
rs_csvreplay_destroy (rs_csvreplay_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free (*self_p);
    *self_p = NULL;
}
