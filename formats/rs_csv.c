/*  rs_csv: a line splitter (quotes, doubled quotes, any of , ; tab) and a
    small state machine: looking for the header, then rows, where a unit row
    may follow any header and a header may come again. Columns are resolved
    when the header is read and again when a unit row gives their units; the
    first data row after that checks that some column is a known channel. */
#include "rs_csv.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rs_channels.h"

#define MAX_NULLS 16
#define US_PER_DAY (INT64_C (86400) * 1000000)

//  Pason EDR exports: imperial units, separate date and time columns
//  ("YYYY/MM/DD","HH:MM:SS" in the published layout, Date and Time in older
//  ones), the unit in parentheses after each name in Pason's words ("Hole
//  Depth (feet)", "(kft_lb)", "(gal_per_min)"). A unit in the header or in a
//  unit row wins over the unit here.
static const char s_pason[] =
    "# rigstream-csv preset \"pason\": a Pason EDR export (imperial units).\n"
    "# COLUMN = CHANNEL [UNIT]   A unit in the file, \"Hole Depth (feet)\" or a unit row, wins over\n"
    "# the one here. Columns not listed travel as extra channels named after them, unconverted.\n"
    "YYYY/MM/DD = @date\n"
    "HH:MM:SS = @time\n"
    "Date = @date\n"
    "Time = @time\n"
    "Hole Depth = hole_depth ft\n"
    "Depth = hole_depth ft\n"
    "Bit Depth = bit_depth ft\n"
    "Block Height = block_pos ft\n"
    "Block Ht = block_pos ft\n"
    "Rate Of Penetration = rop ft/h\n"
    "ROP (1min) = rop ft/h                  # time-based ROP, one-minute average\n"
    "ROP(1 ft) = rop_1ft ft/h               # ROP over the last foot drilled (extra channel)\n"
    "Weight on Bit = wob klbf\n"
    "WOB = wob klbf\n"
    "Bit Weight = wob klbf\n"
    "Hook Load = hook_load klbf\n"
    "Hookload = hook_load klbf\n"
    "Rotary RPM = rpm rpm\n"
    "Rotary Speed = rpm rpm\n"
    "Rotary Torque = torque kft.lbf\n"
    "Surface Torque = torque kft.lbf\n"
    "Standpipe Pressure = spp psi\n"
    "Pump Pressure = spp psi\n"
    "Casing Pressure = casing_pressure psi\n"
    "Pump 1 strokes/min = spm1 spm\n"
    "Pump 2 strokes/min = spm2 spm\n"
    "Pump 3 strokes/min = spm3 spm          # extra channel\n"
    "Pump 1 SPM = spm1 spm\n"
    "Pump 2 SPM = spm2 spm\n"
    "Pump 3 SPM = spm3 spm                  # extra channel\n"
    "Total Pump Output = flow_in gal/min\n"
    "Flow In = flow_in gal/min\n"
    "# The return-flow paddle (flow_percent) is a deflection in percent, not a flow: it\n"
    "# travels as its own extra channel, never as flow_out in L/min.\n"
    "Flow = flow_out_pct %\n"
    "Flow Out Percent = flow_out_pct %\n"
    "Flow Out = flow_out gal/min            # a paddle in % (unit row) travels as x_flow_out\n"
    "Total Mud Volume = pit_volume bbl\n"
    "Pit Total = pit_volume bbl\n"
    "Gain Loss = pit_gain bbl\n"
    "Pit Volume Gain Loss = pit_gain bbl\n"
    "Total Gas = gas %                      # in \"units\" it stays an extra (not %)\n"
    "Gas = gas %\n"
    "Mud Weight In = mud_density_in ppg\n"
    "Mud Weight Out = mud_density_out ppg\n"
    "MW In = mud_density_in ppg\n"
    "MW Out = mud_density_out ppg\n"
    "Mud Temperature In = mud_temp_in degF\n"
    "Mud Temperature Out = mud_temp_out degF\n"
    "Temp In = mud_temp_in degF\n"
    "Temp Out = mud_temp_out degF\n";

//  The Volve time logs as CSV (the Kaggle-style export of the WITSML logs):
//  metric, ISO 8601 times, headers "<name> <unit>", hundreds of columns.
static const char s_volve[] =
    "# rigstream-csv preset \"volve\": Volve WITSML-derived time logs (metric, ISO 8601 times).\n"
    "# COLUMN = CHANNEL [UNIT]        (headers carry their unit after the name)\n"
    "Time Time = @datetime\n"
    "Time = @datetime\n"
    "Bit Depth m = bit_depth m\n"
    "Bit Depth (MD) m = bit_depth m\n"
    "Total Depth m = hole_depth m\n"
    "Hole Depth (MD) m = hole_depth m\n"
    "Block Position m = block_pos m\n"
    "Rate of Penetration m/h = rop m/h\n"
    "Rate of Penetration (5ft avg) m/h = rop_5ft m/h\n"
    "Weight on Bit kkgf = wob kkgf\n"
    "Total Hookload kkgf = hook_load kkgf\n"
    "Hook load kkgf = hook_load kkgf\n"
    "Average Surface Torque kN.m = torque kN.m\n"
    "Average Rotary Speed rpm = rpm rpm\n"
    "Stand Pipe Pressure kPa = spp kPa\n"
    "Average Standpipe Pressure kPa = spp kPa\n"
    "Choke Pressure kPa = casing_pressure kPa\n"
    "Mud Flow In L/min = flow_in L/min\n"
    "Mud Flow Out L/min = flow_out L/min\n"
    "Tank Volume (Active) m3 = pit_volume m3\n"
    "Active Gain Loss m3 = pit_gain m3\n"
    "Gas (avg) % = gas %\n"
    "Tmp In degC = mud_temp_in degC\n"
    "Temperature In degC = mud_temp_in degC\n"
    "Temperature Out degC = mud_temp_out degC\n"
    "Mud Density In g/cm3 = mud_density_in g/cm3\n"
    "Mud Density Out g/cm3 = mud_density_out g/cm3\n"
    "SPM Pump 1 1/min = spm1 spm\n"
    "SPM Pump 2 1/min = spm2 spm\n";

static const struct {
    const char *name;
    const char *text;
} s_presets[] = { { "pason", s_pason }, { "volve", s_volve } };

//  Time columns found without a mapping, in order of preference.
static const char *s_auto_times[] = { "time", "timestamp", "datetime", "date time", "date_time", "date/time",
                                      "time time", "date-time" };

struct rs_csv_t {
    rs_csv_opts_t opts;
    char time_col[RS_MAPFILE_MAX_KEY];
    char date_col[RS_MAPFILE_MAX_KEY];
    const rs_mapfile_t *map;
    double nulls[MAX_NULLS];
    size_t n_nulls;
    char delim;
    bool have_header;
    bool expect_units;
    bool changed;
    //  The header.
    char *header_buf;
    const char **header;
    size_t n_cols;
    rs_csv_column_t *cols;
    char (*file_units)[RS_MAPFILE_MAX_UNIT];    //  from a unit row
    int dt_idx, date_idx, time_idx;
    //  The current line.
    char *buf;
    const char **cells;
    rs_value_t values[RS_MAX_CHANNELS];
    bool checked;               //  the columns were checked for a known channel
    rs_csv_stats_t stats;
    char error[1024];
    char last_reject[240];
};

const char *
rs_csv_preset (const char *name)
{
    for (size_t i = 0; i < sizeof s_presets / sizeof s_presets[0]; i++)
        if (name && strcasecmp (name, s_presets[i].name) == 0)
            return s_presets[i].text;
    return NULL;
}

const char *
rs_csv_preset_names (void)
{
    return "pason, volve";
}

static int
s_parse_nulls (rs_csv_t *self, const char *list)
{
    const char *p = list;
    self->n_nulls = 0;
    for (;;) {
        while (*p == ',' || *p == ' ' || *p == '\t')
            p++;
        if (!*p)
            return 0;
        char *end = NULL;
        double v = strtod (p, &end);
        if (end == p || !isfinite (v) || (*end && *end != ',' && *end != ' ' && *end != '\t')
            || self->n_nulls == MAX_NULLS)
            return -1;
        self->nulls[self->n_nulls++] = v;
        p = end;
    }
}

rs_csv_t *
rs_csv_new (const rs_csv_opts_t *opts)
{
    rs_csv_t *self = calloc (1, sizeof *self);
    if (!self) {
        rs_err_set (RS_E_NOMEM, "out of memory");
        return NULL;
    }
    self->opts = *opts;
    self->map = opts->map;
    snprintf (self->time_col, sizeof self->time_col, "%s", opts->time_column ? opts->time_column : "");
    snprintf (self->date_col, sizeof self->date_col, "%s", opts->date_column ? opts->date_column : "");
    self->dt_idx = self->date_idx = self->time_idx = -1;
    self->buf = malloc (RS_CSV_MAX_LINE + 1);
    self->cells = calloc (RS_CSV_MAX_COLUMNS, sizeof *self->cells);
    if (!self->buf || !self->cells) {
        rs_err_set (RS_E_NOMEM, "out of memory");
        rs_csv_destroy (&self);
        return NULL;
    }
    if (s_parse_nulls (self, opts->nulls ? opts->nulls : "-999.25,-9999") != 0) {
        rs_err_set (RS_E_CONFIG, "invalid null values \"%s\": expected numbers separated by commas (at most %d)",
                    opts->nulls, MAX_NULLS);
        rs_csv_destroy (&self);
        return NULL;
    }
    if (self->date_col[0] && !self->time_col[0]) {
        rs_err_set (RS_E_CONFIG, "a date column needs a time column too (the time of day)");
        rs_csv_destroy (&self);
        return NULL;
    }
    return self;
}

void
rs_csv_destroy (rs_csv_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rs_csv_t *self = *self_p;
    free (self->header_buf);
    free (self->header);
    free (self->cols);
    free (self->file_units);
    free (self->buf);
    free (self->cells);
    free (self);
    *self_p = NULL;
}

__attribute__ ((format (printf, 2, 3))) static void
s_reject (rs_csv_t *self, const char *fmt, ...)
{
    char what[200];
    va_list args;
    va_start (args, fmt);
    vsnprintf (what, sizeof what, fmt, args);
    va_end (args);
    snprintf (self->last_reject, sizeof self->last_reject, "line %llu: %s",
              (unsigned long long) self->stats.lines, what);
}

__attribute__ ((format (printf, 2, 3))) static rs_csv_result_t
s_error (rs_csv_t *self, const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    vsnprintf (self->error, sizeof self->error, fmt, args);
    va_end (args);
    return RS_CSV_ERROR;
}

//  The delimiter of a header line: the most frequent of , ; tab outside quotes.
static char
s_delimiter (const char *line, size_t len)
{
    size_t comma = 0, semi = 0, tab = 0;
    bool quoted = false;
    for (size_t i = 0; i < len; i++) {
        if (line[i] == '"')
            quoted = !quoted;
        else if (!quoted) {
            comma += line[i] == ',';
            semi += line[i] == ';';
            tab += line[i] == '\t';
        }
    }
    if (semi > comma && semi >= tab)
        return ';';
    if (tab > comma && tab > semi)
        return '\t';
    return ',';
}

//  Splits a line into cells in buf (unquoted, unescaped, unquoted cells
//  trimmed). Returns the number of cells (at most RS_CSV_MAX_COLUMNS).
static size_t
s_split (rs_csv_t *self, const char *line, size_t len, char *buf, const char **cells)
{
    size_t n = 0, o = 0, i = 0;
    for (;;) {
        while (i < len && (line[i] == ' ' || (line[i] == '\t' && self->delim != '\t')))
            i++;
        char *cell = buf + o;
        size_t start = o;
        bool quoted = false;
        if (i < len && line[i] == '"') {
            quoted = true;
            i++;
            while (i < len) {
                if (line[i] == '"') {
                    if (i + 1 < len && line[i + 1] == '"') {
                        buf[o++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                buf[o++] = line[i++];
            }
        }
        while (i < len && line[i] != self->delim)
            buf[o++] = line[i++];
        if (!quoted)
            while (o > start && (buf[o - 1] == ' ' || buf[o - 1] == '\t'))
                o--;
        buf[o++] = 0;
        if (n < RS_CSV_MAX_COLUMNS)
            cells[n++] = cell;
        if (i >= len)
            break;
        i++;    //  the delimiter
    }
    return n;
}

static bool
s_blank (const char *line, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (line[i] != ' ' && line[i] != '\t' && line[i] != ',' && line[i] != ';')
            return false;
    return true;
}

//  A cell as a number: blank -> NAN (blank set); else the value, or NAN
//  with *bad set when it is not a number.
static double
s_number (const rs_csv_t *self, const char *cell, bool *blank, bool *bad)
{
    *blank = *bad = false;
    if (!*cell) {
        *blank = true;
        return NAN;
    }
    char tmp[64];
    const char *text = cell;
    if (self->delim != ',' && strchr (cell, ',')) {
        //  "12,5" with ';' or tab delimiters: a decimal comma.
        size_t len = strlen (cell);
        if (len >= sizeof tmp) {
            *bad = true;
            return NAN;
        }
        for (size_t i = 0; i <= len; i++)
            tmp[i] = cell[i] == ',' ? '.' : cell[i];
        text = tmp;
    }
    char *end = NULL;
    double v = strtod (text, &end);
    if (end == text || *end || !isfinite (v)) {
        *bad = true;
        return NAN;
    }
    return v;
}

static bool
s_is_null (const rs_csv_t *self, double v)
{
    for (size_t i = 0; i < self->n_nulls; i++)
        if (v == self->nulls[i])
            return true;
    return false;
}

//  "Hole Depth (feet)" and "Hole Depth [feet]" are "Hole Depth" in feet:
//  a unit in parentheses or brackets closing the header, after a name.
static void
s_split_unit (const char *header, char *name, size_t nsize, char *unit, size_t usize)
{
    size_t len = strlen (header);
    snprintf (name, nsize, "%s", header);
    unit[0] = 0;
    if (len < 3 || (header[len - 1] != ')' && header[len - 1] != ']'))
        return;
    char open = header[len - 1] == ')' ? '(' : '[';
    const char *o = header + len - 2;
    while (o > header && *o != open)
        o--;
    const char *us = o + 1, *ue = header + len - 1, *ne = o;
    while (us < ue && *us == ' ')
        us++;
    while (ue > us && ue[-1] == ' ')
        ue--;
    while (ne > header && (ne[-1] == ' ' || ne[-1] == '\t'))
        ne--;
    if (o == header || ne == header || ue == us || (size_t) (ue - us) >= usize || memchr (us, open, (size_t) (ue - us)))
        return;
    snprintf (name, nsize, "%.*s", (int) (ne - header), header);
    snprintf (unit, usize, "%.*s", (int) (ue - us), us);
}

//  The mapping's entry for a header: the header as written (*whole), else
//  its name without the unit, else "name unit" (keys such as Volve's "Bit
//  Depth m" for "Bit Depth (m)").
static const rs_mapfile_entry_t *
s_map_entry (const rs_csv_t *self, const char *header, bool *whole)
{
    *whole = true;
    if (!self->map)
        return NULL;
    const rs_mapfile_entry_t *e = rs_mapfile_find (self->map, header);
    if (e)
        return e;
    *whole = false;
    char name[RS_MAPFILE_MAX_KEY], unit[RS_MAPFILE_MAX_UNIT], spaced[RS_MAPFILE_MAX_KEY + RS_MAPFILE_MAX_UNIT];
    s_split_unit (header, name, sizeof name, unit, sizeof unit);
    if (!unit[0])
        return NULL;
    e = rs_mapfile_find (self->map, name);
    if (e)
        return e;
    snprintf (spaced, sizeof spaced, "%s %s", name, unit);
    return rs_mapfile_find (self->map, spaced);
}

//  The column named `name`, with or without its unit.
static int
s_find_col (const rs_csv_t *self, const char *name)
{
    for (size_t i = 0; i < self->n_cols; i++) {
        char base[RS_MAPFILE_MAX_KEY], unit[RS_MAPFILE_MAX_UNIT];
        s_split_unit (self->header[i], base, sizeof base, unit, sizeof unit);
        if (strcasecmp (self->header[i], name) == 0 || strcasecmp (base, name) == 0)
            return (int) i;
    }
    return -1;
}

//  Picks the time column(s): options, then the mapping's roles, then the usual names.
static int
s_time_columns (rs_csv_t *self)
{
    self->dt_idx = self->date_idx = self->time_idx = -1;
    if (self->time_col[0]) {
        int t = s_find_col (self, self->time_col);
        if (t < 0)
            return s_error (self, "no column \"%s\" (--time-column) in the header", self->time_col), -1;
        if (self->date_col[0]) {
            int d = s_find_col (self, self->date_col);
            if (d < 0)
                return s_error (self, "no column \"%s\" (--date-column) in the header", self->date_col), -1;
            self->date_idx = d;
            self->time_idx = t;
        }
        else
            self->dt_idx = t;
        return 0;
    }
    if (self->map)
        for (size_t i = 0; i < self->n_cols; i++) {
            bool whole;
            const rs_mapfile_entry_t *e = s_map_entry (self, self->header[i], &whole);
            if (!e)
                continue;
            if (e->role == RS_MAP_DATETIME && self->dt_idx < 0)
                self->dt_idx = (int) i;
            else if (e->role == RS_MAP_DATE && self->date_idx < 0)
                self->date_idx = (int) i;
            else if (e->role == RS_MAP_TIME && self->time_idx < 0)
                self->time_idx = (int) i;
        }
    if (self->dt_idx < 0 && self->date_idx < 0 && self->time_idx < 0) {
        int date = s_find_col (self, "date");
        int time = s_find_col (self, "time");
        if (date < 0 || time < 0) {
            date = s_find_col (self, "yyyy/mm/dd");
            time = s_find_col (self, "hh:mm:ss");
        }
        if (date >= 0 && time >= 0) {
            self->date_idx = date;
            self->time_idx = time;
        }
        else
            for (size_t k = 0; k < sizeof s_auto_times / sizeof s_auto_times[0] && self->dt_idx < 0; k++)
                self->dt_idx = s_find_col (self, s_auto_times[k]);
    }
    if (self->dt_idx >= 0) {
        self->date_idx = self->time_idx = -1;
        return 0;
    }
    if (self->date_idx >= 0 && self->time_idx >= 0)
        return 0;
    if (self->time_idx >= 0) {
        //  A time column alone holds the whole timestamp.
        self->dt_idx = self->time_idx;
        self->time_idx = -1;
        return 0;
    }
    char names[200] = "";
    size_t used = 0;
    for (size_t i = 0; i < self->n_cols && used + 4 < sizeof names; i++) {
        int w = snprintf (names + used, sizeof names - used, "%s\"%s\"", i ? ", " : "", self->header[i]);
        used = w > 0 && (size_t) w < sizeof names - used ? used + (size_t) w : sizeof names;
    }
    return s_error (self, "no time column in the header (%s): name it with --time-column (and --date-column)",
                    names), -1;
}

static bool
s_name_used (const rs_csv_t *self, size_t upto, const char *name)
{
    for (size_t i = 0; i < upto; i++)
        if (self->cols[i].role == RS_MAP_CHANNEL && strcmp (self->cols[i].ch.name, name) == 0)
            return true;
    return false;
}

//  An extra channel named from the header (without its unit), in the file's unit.
static void
s_extra (rs_csv_column_t *c)
{
    rs_chanmap_t m;
    rs_chanmap_curve (c->name, "", &m);
    c->ch = m;
    c->ch.channel = RS_CH_UNKNOWN;
    c->ch.scale = 1;
    c->ch.offset = 0;
    c->ch.unit_unknown = false;
}

//  How column i becomes a channel (or not). Its unit: a unit row's, else
//  the header's, else the mapping's; but a mapping key that spells the
//  whole header, unit and all, gives its own unit first.
static void
s_resolve_one (rs_csv_t *self, size_t i)
{
    rs_csv_column_t *c = &self->cols[i];
    const char *header = self->header[i];
    const char *row_unit = self->file_units[i];
    char hdr_unit[RS_MAPFILE_MAX_UNIT];
    memset (c, 0, sizeof *c);
    c->unit_from = "";
    snprintf (c->header, sizeof c->header, "%s", header);
    s_split_unit (header, c->name, sizeof c->name, hdr_unit, sizeof hdr_unit);
    if ((int) i == self->dt_idx || (int) i == self->date_idx || (int) i == self->time_idx) {
        c->role = (int) i == self->dt_idx ? RS_MAP_DATETIME : (int) i == self->date_idx ? RS_MAP_DATE : RS_MAP_TIME;
        c->mapped = true;
        return;
    }
    bool whole = false;
    const rs_mapfile_entry_t *e = s_map_entry (self, header, &whole);
    if (e && e->role != RS_MAP_CHANNEL) {
        c->role = RS_MAP_IGNORE;    //  @ignore, or a time column not chosen
        c->mapped = true;
        return;
    }
    c->role = RS_MAP_CHANNEL;
    if (*row_unit)
        c->unit_from = "unit row";
    else if (e && e->unit[0][0] && (whole || !*hdr_unit))
        c->unit_from = "mapping";
    else if (*hdr_unit)
        c->unit_from = "header";
    const char *unit = *row_unit ? row_unit : strcmp (c->unit_from, "mapping") == 0 ? e->unit[0] : hdr_unit;
    snprintf (c->unit, sizeof c->unit, "%s", unit);
    if (e) {
        if (rs_mapfile_channel (e->target, unit, &c->ch) == RS_OK)
            c->mapped = true;
        else {
            c->unit_unknown = true;
            s_extra (c);
        }
        return;
    }
    //  A known channel's name, any case, with spaces or dashes for '_'.
    char lower[33];
    size_t len = strlen (c->name);
    if (len < sizeof lower) {
        for (size_t k = 0; k <= len; k++) {
            char ch = (char) tolower ((unsigned char) c->name[k]);
            lower[k] = ch == ' ' || ch == '-' ? '_' : ch;
        }
        if (rs_chan_lookup (lower, len) != RS_CH_UNKNOWN) {
            if (rs_mapfile_channel (lower, unit, &c->ch) == RS_OK)
                c->mapped = true;
            else {
                c->unit_unknown = true;
                s_extra (c);
            }
            return;
        }
    }
    rs_chanmap_curve (c->name, unit, &c->ch);
    if (c->ch.channel != RS_CH_UNKNOWN) {
        c->mapped = true;
        return;
    }
    c->unit_unknown = c->ch.unit_unknown && *unit;
    c->ch.unit_unknown = false;
    if (!self->opts.extras)
        c->role = RS_MAP_IGNORE;
}

//  Column i takes a name an earlier column has: a known channel becomes an
//  extra channel named after the header; an extra name gets _2, _3...
static void
s_unique (rs_csv_t *self, size_t i)
{
    rs_csv_column_t *c = &self->cols[i];
    if (c->ch.channel != RS_CH_UNKNOWN) {
        c->mapped = false;
        s_extra (c);
    }
    char base[33];
    snprintf (base, sizeof base, "%s", c->ch.name);
    for (int k = 2; s_name_used (self, i, c->ch.name); k++) {
        char suffix[12];
        int slen = snprintf (suffix, sizeof suffix, "_%d", k);
        int keep = (int) strlen (base) < 32 - slen ? (int) strlen (base) : 32 - slen;
        snprintf (c->ch.name, sizeof c->ch.name, "%.*s%s", keep, base, suffix);
    }
}

static bool
s_same (const rs_csv_column_t *a, const rs_csv_column_t *b)
{
    return a->role == b->role && a->ch.channel == b->ch.channel && a->ch.scale == b->ch.scale
        && a->ch.offset == b->ch.offset && strcmp (a->ch.name, b->ch.name) == 0
        && a->unit_unknown == b->unit_unknown;
}

//  Resolves every column (again after a unit row), keeping channel names
//  unique; notes whether anything changed.
static rs_csv_result_t
s_resolve (rs_csv_t *self)
{
    if (s_time_columns (self) != 0)
        return RS_CSV_ERROR;
    self->checked = false;
    for (size_t i = 0; i < self->n_cols; i++) {
        rs_csv_column_t before = self->cols[i];
        s_resolve_one (self, i);
        rs_csv_column_t *c = &self->cols[i];
        if (c->role == RS_MAP_CHANNEL && s_name_used (self, i, c->ch.name))
            s_unique (self, i);
        if (!s_same (&before, c))
            self->changed = true;
    }
    return RS_CSV_SKIP;
}

static bool
s_time_role (const rs_mapfile_entry_t *e)
{
    return e && (e->role == RS_MAP_DATE || e->role == RS_MAP_TIME || e->role == RS_MAP_DATETIME);
}

//  Is this line the header? It must name the time column given by
//  --time-column, else one of the mapping's time columns; with neither, the
//  first line is the header.
static bool
s_names_time (rs_csv_t *self, const char **cells, size_t n)
{
    bool keys = false;
    if (self->time_col[0]) {
        keys = true;
        for (size_t i = 0; i < n; i++)
            if (strcasecmp (cells[i], self->time_col) == 0)
                return true;
    }
    else if (self->map) {
        const rs_mapfile_entry_t *entries;
        size_t ne = rs_mapfile_entries (self->map, &entries);
        for (size_t k = 0; k < ne && !keys; k++)
            keys = s_time_role (&entries[k]);
        for (size_t i = 0; i < n; i++) {
            bool whole;
            if (s_time_role (s_map_entry (self, cells[i], &whole)))
                return true;
        }
    }
    return !keys;
}

//  The time columns the header must name, for messages: "Date, Time".
static const char *
s_time_keys (const rs_csv_t *self, char *buf, size_t size)
{
    if (self->time_col[0]) {
        snprintf (buf, size, "%s (--time-column)", self->time_col);
        return buf;
    }
    size_t used = 0;
    buf[0] = 0;
    const rs_mapfile_entry_t *entries;
    size_t n = self->map ? rs_mapfile_entries (self->map, &entries) : 0;
    for (size_t k = 0; k < n && used < size; k++)
        if (s_time_role (&entries[k])) {
            int w = snprintf (buf + used, size - used, "%s%s", used ? " or " : "", entries[k].key);
            used = w > 0 ? used + (size_t) w : size;
        }
    return buf;
}

static rs_csv_result_t
s_header (rs_csv_t *self, const char *line, size_t len)
{
    self->delim = s_delimiter (line, len);
    size_t n = s_split (self, line, len, self->buf, self->cells);
    if (!s_names_time (self, self->cells, n)) {
        self->stats.preamble_lines++;
        char keys[200];
        if (self->stats.lines >= RS_CSV_HEADER_SEARCH)
            return s_error (self, "no header line with the time column %s in the first %d lines",
                            s_time_keys (self, keys, sizeof keys), RS_CSV_HEADER_SEARCH);
        return RS_CSV_SKIP;
    }
    self->header_buf = malloc (len + n + 1);
    self->header = calloc (n, sizeof *self->header);
    self->cols = calloc (n, sizeof *self->cols);
    self->file_units = calloc (n, sizeof *self->file_units);
    if (!self->header_buf || !self->header || !self->cols || !self->file_units)
        return s_error (self, "out of memory");
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen (self->cells[i]);
        memcpy (self->header_buf + o, self->cells[i], l + 1);
        self->header[i] = self->header_buf + o;
        o += l + 1;
    }
    self->n_cols = n;
    self->have_header = true;
    self->expect_units = true;
    return s_resolve (self);
}

static bool
s_is_header (const rs_csv_t *self, const char **cells, size_t n)
{
    if (n != self->n_cols)
        return false;
    for (size_t i = 0; i < n; i++)
        if (strcasecmp (cells[i], self->header[i]) != 0)
            return false;
    return true;
}

static int
s_time (const rs_csv_t *self, const char **cells, size_t n, int64_t *ts)
{
    if (self->dt_idx >= 0)
        return (size_t) self->dt_idx < n
             ? rs_timeparse_datetime (cells[self->dt_idx], self->opts.order, self->opts.offset_us, ts)
             : RS_E_FORMAT;
    if ((size_t) self->date_idx >= n || (size_t) self->time_idx >= n)
        return -1;
    int64_t days, us;
    if (rs_timeparse_date (cells[self->date_idx], self->opts.order, &days) != 0
        || rs_timeparse_time (cells[self->time_idx], &us) != 0)
        return -1;
    *ts = days * US_PER_DAY + us - self->opts.offset_us;
    return 0;
}

//  A unit row: times that are not times, and no number in any other cell.
static bool
s_is_unit_row (const rs_csv_t *self, const char **cells, size_t n)
{
    int64_t ts;
    if (s_time (self, cells, n, &ts) == 0)
        return false;
    size_t words = 0;
    for (size_t i = 0; i < n && i < self->n_cols; i++) {
        if (self->cols[i].role == RS_MAP_DATE || self->cols[i].role == RS_MAP_TIME
            || self->cols[i].role == RS_MAP_DATETIME || !*cells[i])
            continue;
        bool blank, bad;
        s_number (self, cells[i], &blank, &bad);
        if (!bad)
            return false;
        words++;
    }
    return words > 0;
}

static rs_csv_result_t
s_unit_row (rs_csv_t *self, const char **cells, size_t n)
{
    for (size_t i = 0; i < self->n_cols; i++) {
        const char *u = i < n ? cells[i] : "";
        size_t len = strlen (u);
        //  "(ft)" and "[ft]" are "ft".
        if (len >= 2 && ((u[0] == '(' && u[len - 1] == ')') || (u[0] == '[' && u[len - 1] == ']'))) {
            u++;
            len -= 2;
        }
        while (len && *u == ' ') {
            u++;
            len--;
        }
        while (len && u[len - 1] == ' ')
            len--;
        if (len >= RS_MAPFILE_MAX_UNIT)
            len = 0;
        memcpy (self->file_units[i], u, len);
        self->file_units[i][len] = 0;
    }
    self->stats.unit_rows++;
    return s_resolve (self);
}

//  Some column must be a known channel, or the file feeds neither the engine
//  nor the dashboard: refuse it, naming what was seen and what it became.
static rs_csv_result_t
s_check_known (rs_csv_t *self)
{
    self->checked = true;
    for (size_t i = 0; i < self->n_cols; i++)
        if (self->cols[i].role == RS_MAP_CHANNEL && self->cols[i].ch.channel != RS_CH_UNKNOWN)
            return RS_CSV_SKIP;
    char seen[700];
    size_t used = 0;
    for (size_t i = 0; i < self->n_cols && used < sizeof seen; i++) {
        const rs_csv_column_t *c = &self->cols[i];
        const char *what = c->role == RS_MAP_CHANNEL ? "extra " : c->role == RS_MAP_IGNORE ? "ignored" : "time";
        int w = snprintf (seen + used, sizeof seen - used, "%s\"%s\" (%s%s)", i ? ", " : "", c->header, what,
                          c->role == RS_MAP_CHANNEL ? c->ch.name : "");
        used = w > 0 && (size_t) w < sizeof seen - used ? used + (size_t) w : sizeof seen;
    }
    if (used >= sizeof seen)
        memcpy (seen + sizeof seen - 5, "...", 4);
    return s_error (self, "none of the %zu columns is a known channel: %s; name them with --preset or --map "
                    "(docs/INGEST.md)", self->n_cols, seen);
}

rs_csv_result_t
rs_csv_line (rs_csv_t *self, const char *line, size_t len, int64_t *ts_us, const rs_value_t **ch, size_t *n)
{
    self->stats.lines++;
    if (self->stats.lines == 1 && len >= 3 && memcmp (line, "\xEF\xBB\xBF", 3) == 0) {
        line += 3;
        len -= 3;
    }
    while (len && (line[len - 1] == '\r' || line[len - 1] == '\n'))
        len--;
    if (s_blank (line, len))
        return RS_CSV_SKIP;
    size_t lead = 0;
    while (lead < len && (line[lead] == ' ' || line[lead] == '\t'))
        lead++;
    if (line[lead] == '#') {
        self->stats.comment_lines++;
        return RS_CSV_SKIP;
    }
    if (len > RS_CSV_MAX_LINE) {
        self->stats.bad_rows++;
        s_reject (self, "longer than %d bytes", RS_CSV_MAX_LINE);
        return self->have_header ? RS_CSV_BAD : RS_CSV_SKIP;
    }
    if (!self->have_header)
        return s_header (self, line, len);

    size_t cells = s_split (self, line, len, self->buf, self->cells);
    if (s_is_header (self, self->cells, cells)) {
        self->stats.repeated_headers++;
        self->expect_units = true;
        return RS_CSV_SKIP;
    }
    if (self->expect_units) {
        self->expect_units = false;
        if (s_is_unit_row (self, self->cells, cells))
            return s_unit_row (self, self->cells, cells);
    }
    if (!self->checked && s_check_known (self) == RS_CSV_ERROR)
        return RS_CSV_ERROR;
    int64_t ts;
    if (s_time (self, self->cells, cells, &ts) != 0) {
        int idx = self->dt_idx >= 0 ? self->dt_idx : self->date_idx;
        self->stats.bad_rows++;
        s_reject (self, "the time \"%.40s%s%.20s\" is not understood: row skipped",
                  (size_t) idx < cells ? self->cells[idx] : "",
                  self->time_idx >= 0 ? " " : "",
                  self->time_idx >= 0 && (size_t) self->time_idx < cells ? self->cells[self->time_idx] : "");
        return RS_CSV_BAD;
    }
    size_t out = 0;
    for (size_t i = 0; i < self->n_cols; i++) {
        const rs_csv_column_t *c = &self->cols[i];
        if (c->role != RS_MAP_CHANNEL)
            continue;
        bool blank, bad;
        double v = s_number (self, i < cells ? self->cells[i] : "", &blank, &bad);
        if (bad && !c->mapped)
            continue;   //  a text column nobody asked for (comments, states): not an error
        if (bad) {
            self->stats.bad_cells++;
            s_reject (self, "column \"%.40s\": \"%.30s\" is not a number: sent as no reading",
                      c->header, self->cells[i]);
        }
        else if (!blank && s_is_null (self, v)) {
            self->stats.nulls++;
            v = NAN;
        }
        if (c->ch.channel == RS_CH_UNKNOWN && isnan (v))
            continue;   //  extra channels travel only with a reading
        if (out == RS_MAX_CHANNELS) {
            self->stats.dropped_cells++;
            continue;
        }
        if (!isnan (v))
            v = v * c->ch.scale + c->ch.offset;
        self->values[out++] = (rs_value_t) { c->ch.name, c->ch.channel, v };
    }
    self->stats.rows++;
    *ts_us = ts;
    *ch = self->values;
    *n = out;
    return RS_CSV_ROW;
}

rs_csv_result_t
rs_csv_finish (rs_csv_t *self)
{
    if (self->have_header)
        return RS_CSV_SKIP;
    if (self->stats.lines == 0)
        return s_error (self, "the file is empty");
    char keys[200];
    return s_error (self, "no header line with the time column %s in %llu lines",
                    s_time_keys (self, keys, sizeof keys), (unsigned long long) self->stats.lines);
}

size_t
rs_csv_columns (const rs_csv_t *self, const rs_csv_column_t **columns)
{
    *columns = self->cols;
    return self->have_header ? self->n_cols : 0;
}

bool
rs_csv_columns_changed (rs_csv_t *self)
{
    bool changed = self->changed;
    self->changed = false;
    return changed;
}

const rs_csv_stats_t *
rs_csv_stats (const rs_csv_t *self)
{
    return &self->stats;
}

const char *
rs_csv_error (const rs_csv_t *self)
{
    return self->error;
}

const char *
rs_csv_last_reject (const rs_csv_t *self)
{
    return self->last_reject;
}
