/*  rs_export: CSV and JSON writers. The JSON is written directly: its keys
    are validated channel names ([a-z0-9_]) and fixed words, its values
    numbers, null or times from rs_clock_format, so nothing needs escaping. */
#include "rs_export.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rs_clock.h"

struct rs_export_t {
    FILE *out;
    rs_export_format_t format;
    const char *const *channels;
    size_t n;
    bool points;
    size_t count;
    const rs_unit_view_t *views;    //  per channel, or NULL: values as stored
    bool rig_state;
};

int
rs_export_format_parse (const char *text)
{
    if (text && strcmp (text, "csv") == 0)
        return RS_EXPORT_CSV;
    if (text && strcmp (text, "json") == 0)
        return RS_EXPORT_JSON;
    return -1;
}

void
rs_export_number (char *buf, size_t size, double v)
{
    if (isnan (v)) {
        buf[0] = '\0';
        return;
    }
    for (int precision = 15; precision <= 17; precision++) {
        snprintf (buf, size, "%.*g", precision, v);
        if (strtod (buf, NULL) == v)
            return;
    }
}

rs_export_t *
rs_export_new (FILE *out, rs_export_format_t format, const char *const *channels, size_t n_channels,
               bool points)
{
    rs_export_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    *self = (rs_export_t) { out, format, channels, n_channels, points, 0, NULL, false };
    if (format == RS_EXPORT_JSON) {
        fputs ("[", out);
        return self;
    }
    fputs (points ? "time,ts_us,width_us,n" : "time,ts_us,pub,seq", out);
    for (size_t i = 0; i < n_channels; i++) {
        if (points)
            fprintf (out, ",%s_min,%s_max,%s_mean", channels[i], channels[i], channels[i]);
        else
            fprintf (out, ",%s", channels[i]);
    }
    fputc ('\n', out);
    return self;
}

rs_export_t *
rs_export_new_csv (FILE *out, const char *const *channels, size_t n_channels, const rs_export_opts_t *opts)
{
    if (!opts || (!opts->views && !opts->rig_state))
        return rs_export_new (out, RS_EXPORT_CSV, channels, n_channels, false);
    rs_export_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    *self = (rs_export_t) { out, RS_EXPORT_CSV, channels, n_channels, false, 0, opts->views, opts->rig_state };
    fputs (self->rig_state ? "time,ts_us,pub,seq,rig_state" : "time,ts_us,pub,seq", out);
    for (size_t i = 0; i < n_channels; i++)
        fprintf (out, ",%s", channels[i]);
    //  Channel names are [a-z0-9_] and units the suite's own spellings
    //  (letters, digits, '/', '.'): nothing to quote.
    fputs (self->rig_state ? "\nUTC,us,,," : "\nUTC,us,,", out);
    for (size_t i = 0; i < n_channels; i++)
        fprintf (out, ",%s", self->views && self->views[i].unit ? self->views[i].unit : "");
    fputc ('\n', out);
    return self;
}

static void
s_value (rs_export_t *self, double v)
{
    char num[40];
    rs_export_number (num, sizeof num, v);
    if (self->format == RS_EXPORT_JSON)
        fputs (*num ? num : "null", self->out);
    else
        fputs (num, self->out);
}

static void
s_begin (rs_export_t *self, int64_t ts_us)
{
    char time[40];
    rs_clock_format (ts_us, time, sizeof time);
    if (self->format == RS_EXPORT_JSON)
        fprintf (self->out, "%s\n{\"time\":\"%s\",\"ts_us\":%lld", self->count ? "," : "", time,
                 (long long) ts_us);
    else
        fprintf (self->out, "%s,%lld", time, (long long) ts_us);
    self->count++;
}

int
rs_export_row (rs_export_t *self, const rs_query_row_t *row)
{
    return rs_export_row_state (self, row, NULL);
}

int
rs_export_row_state (rs_export_t *self, const rs_query_row_t *row, const char *rig_state)
{
    s_begin (self, row->ts_us);
    bool json = self->format == RS_EXPORT_JSON;
    //  Publisher ids are [A-Za-z0-9_-] (rs_id_valid): nothing to quote or escape.
    const char *pub = row->pub ? row->pub : "";
    fprintf (self->out, json ? ",\"pub\":\"%s\",\"seq\":%llu" : ",%s,%llu", pub, (unsigned long long) row->seq);
    //  Rig states are the publishers' words ([a-z_] from the simulator and
    //  the engine); anything that would need quoting is left out.
    if (self->rig_state)
        fprintf (self->out, ",%s", rig_state && !strpbrk (rig_state, ",\"\r\n") ? rig_state : "");
    for (size_t i = 0; i < self->n; i++) {
        if (json)
            fprintf (self->out, ",\"%s\":", self->channels[i]);
        else
            fputc (',', self->out);
        double v = row->values[i];
        if (self->views && !isnan (v))
            v = v * self->views[i].scale + self->views[i].offset;
        s_value (self, v);
    }
    fputs (json ? "}" : "\n", self->out);
    return ferror (self->out) ? -1 : 0;
}

int
rs_export_point (rs_export_t *self, const rs_query_point_t *p)
{
    s_begin (self, p->t_us);
    bool json = self->format == RS_EXPORT_JSON;
    fprintf (self->out, json ? ",\"width_us\":%lld,\"n\":%lld" : ",%lld,%lld", (long long) p->width_us,
             (long long) p->n);
    for (size_t i = 0; i < self->n; i++) {
        if (json) {
            fprintf (self->out, ",\"%s\":{\"min\":", self->channels[i]);
            s_value (self, p->min[i]);
            fputs (",\"max\":", self->out);
            s_value (self, p->max[i]);
            fputs (",\"mean\":", self->out);
            s_value (self, p->mean[i]);
            fputc ('}', self->out);
        }
        else {
            fputc (',', self->out);
            s_value (self, p->min[i]);
            fputc (',', self->out);
            s_value (self, p->max[i]);
            fputc (',', self->out);
            s_value (self, p->mean[i]);
        }
    }
    fputs (json ? "}" : "\n", self->out);
    return ferror (self->out) ? -1 : 0;
}

int
rs_export_end (rs_export_t *self)
{
    if (self->format == RS_EXPORT_JSON)
        fputs (self->count ? "\n]\n" : "]\n", self->out);
    return fflush (self->out) != 0 || ferror (self->out) ? -1 : 0;
}

void
rs_export_destroy (rs_export_t **self_p)
{
    if (self_p && *self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}

size_t
rs_export_count (rs_export_t *self)
{
    return self->count;
}
