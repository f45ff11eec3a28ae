/*  rs_wits0map: the built-in record 01 table and the conversions both ways.
    Item codes and units are those of the WITS specification's record 01
    (see docs/INGEST.md); several public parsers get them wrong. */
#include "rs_wits0map.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rs_channels.h"
#include "rs_clock.h"
#include "rs_timeparse.h"

#define US_PER_DAY (INT64_C (86400) * 1000000)
#define US_HALF_DAY (US_PER_DAY / 2)
//  2200-01-01T00:00:00Z, the end of the wire format's range.
#define TS_MAX_US INT64_C (7258118400000000)

static const char s_default[] =
    "# rigstream-wits0 built-in mapping: WITS0 record 01, time-based drilling data.\n"
    "# ITEM = CHANNEL  METRIC_UNIT  FPS_UNIT        (--units metric|fps picks the unit column)\n"
    "0105 = @date                                # YYMMDD\n"
    "0106 = @time                                # HHMMSS\n"
    "0108 = bit_depth        M     F             # bit depth (measured)\n"
    "0110 = hole_depth       M     F             # hole depth (measured)\n"
    "0112 = block_pos        M     F             # block position\n"
    "0113 = rop              M/HR  F/HR          # rate of penetration (average)\n"
    "0114 = hook_load        KDN   KLB           # hook load (average)\n"
    "0116 = wob              KDN   KLB           # weight on bit, surface (average)\n"
    "0118 = torque           KNM   KFLB          # rotary torque (average)\n"
    "0120 = rpm              RPM   RPM           # rotary speed\n"
    "0121 = spp              KPA   PSI           # standpipe pressure\n"
    "0122 = casing_pressure  KPA   PSI           # casing (choke) pressure\n"
    "0123 = spm1             SPM   SPM           # pump 1 stroke rate\n"
    "0124 = spm2             SPM   SPM           # pump 2 stroke rate\n"
    "0125 = spm3             SPM   SPM           # pump 3 stroke rate (an extra channel)\n"
    "0126 = pit_volume       M3    BBL           # active tank volume\n"
    "0127 = pit_gain         M3    BBL           # active tank volume change\n"
    "0129 = flow_out         L/M   GPM           # mud flow out\n"
    "0130 = flow_in          L/M   GPM           # mud flow in\n"
    "0131 = mud_density_out  KGM3  PPG           # mud density out\n"
    "0132 = mud_density_in   KGM3  PPG           # mud density in\n"
    "0133 = mud_temp_out     DEGC  DEGF          # mud temperature out\n"
    "0134 = mud_temp_in      DEGC  DEGF          # mud temperature in\n"
    "0140 = gas              %     %             # gas (average)\n";

struct rs_wits0map_t {
    rs_wits0map_entry_t *entries;
    size_t n;
    short index[10000];     //  code -> entry, -1 for none
};

const char *
rs_wits0map_default (void)
{
    return s_default;
}

void
rs_wits0map_destroy (rs_wits0map_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->entries);
    free (*self_p);
    *self_p = NULL;
}

static rs_wits0map_t *
s_entries (const rs_mapfile_t *file, bool fps)
{
    const rs_mapfile_entry_t *fe;
    size_t n = rs_mapfile_entries (file, &fe);
    rs_wits0map_t *self = calloc (1, sizeof *self);
    if (!self || !(self->entries = calloc (n ? n : 1, sizeof *self->entries))) {
        rs_err_set (RS_E_NOMEM, "out of memory");
        free (self);
        return NULL;
    }
    memset (self->index, 0xff, sizeof self->index);
    for (size_t i = 0; i < n; i++) {
        const char *key = fe[i].key;
        bool code_ok = strlen (key) == 4 && strspn (key, "0123456789") == 4;
        int code = code_ok ? atoi (key) : 0;
        if (!code_ok || code / 100 == 0 || code % 100 == 0) {
            rs_err_set (RS_E_FORMAT, "%s:%d: '%s' is not a WITS0 item code (four digits RRII, record "
                        "and item 01-99)", rs_mapfile_origin (file), fe[i].line, key);
            rs_wits0map_destroy (&self);
            return NULL;
        }
        if (fe[i].role == RS_MAP_DATETIME) {
            rs_err_set (RS_E_FORMAT, "%s:%d: WITS0 sends the date and the time as two items: map them "
                        "to @date and @time", rs_mapfile_origin (file), fe[i].line);
            rs_wits0map_destroy (&self);
            return NULL;
        }
        rs_wits0map_entry_t *e = &self->entries[self->n];
        e->code = code;
        e->role = fe[i].role;
        snprintf (e->unit, sizeof e->unit, "%s", fe[i].unit[fps ? 1 : 0]);
        e->ch.channel = RS_CH_UNKNOWN;
        e->ch.scale = 1;
        if (e->role == RS_MAP_CHANNEL
            && rs_mapfile_channel (fe[i].target, e->unit, &e->ch) != RS_OK) {
            //  rs_mapfile_parse checked both unit columns; kept for safety.
            rs_wits0map_destroy (&self);
            return NULL;
        }
        self->index[code] = (short) self->n++;
    }
    return self;
}

//  The map from a parsed mapping file, which it takes and frees (NULL:
//  the parse failed, rs_errmsg says why).
static rs_wits0map_t *
s_build (rs_mapfile_t *file, bool fps)
{
    if (!file)
        return NULL;
    rs_wits0map_t *self = s_entries (file, fps);
    rs_mapfile_destroy (&file);
    return self;
}

rs_wits0map_t *
rs_wits0map_parse (const char *text, const char *origin, bool fps)
{
    return s_build (rs_mapfile_parse (text ? text : s_default, text ? origin : "built-in WITS0 mapping"), fps);
}

rs_wits0map_t *
rs_wits0map_load (const char *path, bool fps)
{
    return s_build (rs_mapfile_load (path), fps);
}

rs_err_t
rs_wits0map_units (const char *units, bool *fps)
{
    if (strcmp (units, "metric") != 0 && strcmp (units, "fps") != 0)
        return rs_err_set (RS_E_CONFIG, "invalid value \"%s\" for --units: expected metric or fps", units);
    *fps = strcmp (units, "fps") == 0;
    return RS_OK;
}

rs_wits0map_t *
rs_wits0map_open (const char *path, bool fps)
{
    return path && *path ? rs_wits0map_load (path, fps) : rs_wits0map_parse (NULL, NULL, fps);
}

size_t
rs_wits0map_entries (const rs_wits0map_t *self, const rs_wits0map_entry_t **entries)
{
    *entries = self->entries;
    return self->n;
}

const rs_wits0map_entry_t *
rs_wits0map_find (const rs_wits0map_t *self, int code)
{
    if (code < 0 || code > 9999 || self->index[code] < 0)
        return NULL;
    return &self->entries[self->index[code]];
}

static bool
s_has (const rs_wits0_sample_t *out, const char *name)
{
    for (size_t i = 0; i < out->n; i++)
        if (strcmp (out->ch[i].name, name) == 0)
            return true;
    return false;
}

//  A date or time item's text, or its number when the text does not parse
//  (e.g. "240115.0"); leading zeros lost by a sender come back with %06.
static int
s_date (const rs_wits0_item_t *item, int64_t *days)
{
    if (rs_timeparse_date (item->text, RS_DATE_MDY, days) == 0)
        return 0;
    if (!isfinite (item->value) || item->value < 0 || item->value >= 1e8
        || item->value != floor (item->value))
        return -1;
    char buf[16];
    snprintf (buf, sizeof buf, "%06lld", (long long) item->value);
    return rs_timeparse_date (buf, RS_DATE_MDY, days);
}

static int
s_time (const rs_wits0_item_t *item, int64_t *us)
{
    if (rs_timeparse_time (item->text, us) == 0)
        return 0;
    if (!isfinite (item->value) || item->value < 0 || item->value >= 240000)
        return -1;
    char buf[32];
    snprintf (buf, sizeof buf, "%06lld", (long long) item->value);
    int64_t frac = (int64_t) llround ((item->value - floor (item->value)) * 1e6);
    if (rs_timeparse_time (buf, us) != 0)
        return -1;
    *us += frac;
    return 0;
}

static int64_t
s_floor_div (int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void
rs_wits0map_sample (const rs_wits0map_t *self, const rs_wits0_item_t *items, size_t n,
                    int64_t rx_us, int64_t offset_us, bool carry_unknown, rs_wits0_sample_t *out)
{
    out->n = 0;
    out->unknown = out->bad_values = out->duplicates = 0;
    out->ts_us = rx_us;
    out->ts_from_frame = out->bad_time = false;
    const rs_wits0_item_t *date = NULL, *time = NULL;
    for (size_t i = 0; i < n; i++) {
        const rs_wits0_item_t *it = &items[i];
        const rs_wits0map_entry_t *e = rs_wits0map_find (self, it->code);
        if (!e) {
            out->unknown++;
            if (!carry_unknown)
                continue;
            char *name = out->names[out->n];
            snprintf (name, sizeof out->names[0], "wits_%04d", it->code);
            if (s_has (out, name)) {
                out->duplicates++;
                continue;
            }
            out->ch[out->n++] = (rs_value_t) { name, RS_CH_UNKNOWN, it->value };
            continue;
        }
        if (e->role == RS_MAP_DATE)
            date = it;
        else if (e->role == RS_MAP_TIME)
            time = it;
        if (e->role != RS_MAP_CHANNEL)
            continue;
        if (s_has (out, e->ch.name)) {
            out->duplicates++;
            continue;
        }
        double v = it->value;
        if (!it->null && isnan (v))
            out->bad_values++;
        if (!isnan (v))
            v = v * e->ch.scale + e->ch.offset;
        out->ch[out->n++] = (rs_value_t) { e->ch.name, e->ch.channel, v };
    }
    if (!time)
        return;
    int64_t us, ts;
    if (s_time (time, &us) != 0) {
        out->bad_time = true;
        return;
    }
    if (date) {
        int64_t days;
        if (s_date (date, &days) != 0) {
            out->bad_time = true;
            return;
        }
        ts = days * US_PER_DAY + us - offset_us;
    }
    else {
        //  A time without a date: the receive day, or the one before or
        //  after, whichever puts it within 12 h of the receive time.
        int64_t local = rx_us + offset_us;
        int64_t cand = s_floor_div (local, US_PER_DAY) * US_PER_DAY + us;
        if (cand - local > US_HALF_DAY)
            cand -= US_PER_DAY;
        else if (local - cand > US_HALF_DAY)
            cand += US_PER_DAY;
        ts = cand - offset_us;
    }
    if (ts < 0 || ts >= TS_MAX_US) {
        out->bad_time = true;
        return;
    }
    out->ts_us = ts;
    out->ts_from_frame = true;
}

static const rs_value_t *
s_value (const rs_value_t *values, size_t n, const rs_chanmap_t *ch)
{
    for (size_t i = 0; i < n; i++)
        if (ch->channel != RS_CH_UNKNOWN ? values[i].id == ch->channel
                                         : strcmp (values[i].name, ch->name) == 0)
            return &values[i];
    //  A decoder may leave id unset on known names; fall back to the name.
    if (ch->channel != RS_CH_UNKNOWN)
        for (size_t i = 0; i < n; i++)
            if (strcmp (values[i].name, ch->name) == 0)
                return &values[i];
    return NULL;
}

size_t
rs_wits0map_frame (const rs_wits0map_t *self, const rs_value_t *values, size_t n, int64_t ts_us,
                   int64_t offset_us, const char *null_text, rs_wits0_frame_t *out)
{
    out->n = 0;
    size_t channels = 0;
    char stamp[32];
    rs_clock_format (ts_us + offset_us, stamp, sizeof stamp);   //  YYYY-MM-DDTHH:MM:SS.mmmZ
    for (size_t i = 0; i < self->n && out->n < RS_WITS0_MAX_ITEMS; i++) {
        const rs_wits0map_entry_t *e = &self->entries[i];
        rs_wits0_item_t *it = &out->items[out->n];
        char *text = out->text[out->n];
        it->code = e->code;
        it->null = false;
        it->value = NAN;
        it->text = text;
        if (e->role == RS_MAP_DATE)
            snprintf (text, sizeof out->text[0], "%.2s%.2s%.2s", stamp + 2, stamp + 5, stamp + 8);
        else if (e->role == RS_MAP_TIME)
            snprintf (text, sizeof out->text[0], "%.2s%.2s%.2s", stamp + 11, stamp + 14, stamp + 17);
        else if (e->role == RS_MAP_CHANNEL) {
            const rs_value_t *v = s_value (values, n, &e->ch);
            if (!v)
                continue;
            if (isfinite (v->value)) {
                it->value = (v->value - e->ch.offset) / e->ch.scale;
                rs_wits0_number (it->value, text, sizeof out->text[0]);
            }
            else if (null_text && *null_text) {
                it->null = true;
                snprintf (text, sizeof out->text[0], "%s", null_text);
            }
            else
                continue;
            channels++;
        }
        else
            continue;
        out->n++;
    }
    return channels;
}
