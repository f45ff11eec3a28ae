/*  rs_wits0: a byte-at-a-time line splitter feeding a two-state machine
    (between frames, in a frame). CR, LF and CR LF all end a line, so every
    line-ending variant reads the same; blank lines mean nothing. */
#include "rs_wits0.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define POOL_BYTES (16 * 1024)

struct rs_wits0_t {
    char line[RS_WITS0_MAX_LINE + 1];
    size_t len;
    size_t overflow;        //  bytes of the current line past the buffer
    bool in_frame;
    rs_wits0_item_t items[RS_WITS0_MAX_ITEMS];
    size_t n_items;
    char pool[POOL_BYTES];  //  the items' text
    size_t pool_used;
    double nulls[RS_WITS0_MAX_NULLS];
    size_t n_nulls;
    rs_wits0_stats_t stats;
    char last_reject[160];
};

__attribute__ ((format (printf, 2, 3))) static void
s_reject (rs_wits0_t *self, const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    vsnprintf (self->last_reject, sizeof self->last_reject, fmt, args);
    va_end (args);
}

//  A printable rendering of a rejected line for the log: at most 40
//  characters, others as '?'.
static const char *
s_show (const char *line, size_t len, char *buf, size_t size)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 4 < size && i < 40; i++)
        buf[n++] = line[i] >= 0x20 && line[i] < 0x7f ? line[i] : '?';
    if (len > 40 && n + 4 < size) {
        memcpy (buf + n, "...", 3);
        n += 3;
    }
    buf[n] = 0;
    return buf;
}

rs_wits0_t *
rs_wits0_new (void)
{
    rs_wits0_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->nulls[0] = -9999.0;
    self->nulls[1] = -8888.0;
    self->n_nulls = 2;
    return self;
}

void
rs_wits0_destroy (rs_wits0_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free (*self_p);
    *self_p = NULL;
}

rs_err_t
rs_wits0_set_nulls (rs_wits0_t *self, const char *list)
{
    double nulls[RS_WITS0_MAX_NULLS];
    size_t n = 0;
    const char *p = list ? list : "";
    for (;;) {
        while (*p == ',' || *p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        char *end = NULL;
        double v = strtod (p, &end);
        if (end == p || !isfinite (v) || (*end && *end != ',' && *end != ' ' && *end != '\t'))
            return rs_err_set (RS_E_FORMAT, "null value '%.*s' is not a number", (int) strcspn (p, ", \t"), p);
        if (n == RS_WITS0_MAX_NULLS)
            return rs_err_set (RS_E_RANGE, "more than %d null values", RS_WITS0_MAX_NULLS);
        nulls[n++] = v;
        p = end;
    }
    memcpy (self->nulls, nulls, n * sizeof nulls[0]);
    self->n_nulls = n;
    return RS_OK;
}

static bool
s_is_null (const rs_wits0_t *self, double v)
{
    for (size_t i = 0; i < self->n_nulls; i++)
        if (v == self->nulls[i])
            return true;
    return false;
}

static void
s_frame_end (rs_wits0_t *self, rs_wits0_fn *fn, void *arg)
{
    size_t readings = 0;
    for (size_t i = 0; i < self->n_items; i++)
        if (!self->items[i].null)
            readings++;
    if (readings == 0)
        self->stats.heartbeats++;
    else {
        self->stats.frames++;
        self->stats.items += self->n_items;
        self->stats.nulls += self->n_items - readings;
        if (fn)
            fn (self->items, self->n_items, arg);
    }
    self->in_frame = false;
    self->n_items = 0;
    self->pool_used = 0;
}

static void
s_frame_start (rs_wits0_t *self)
{
    if (self->in_frame) {
        self->stats.partial_frames++;
        s_reject (self, "a frame with %zu item(s) had no !! before the next &&", self->n_items);
    }
    self->in_frame = true;
    self->n_items = 0;
    self->pool_used = 0;
}

//  A data line inside a frame: four digits RRII (record and item 01-99),
//  then the value, possibly after spaces.
static void
s_data_line (rs_wits0_t *self, const char *line, size_t len)
{
    char shown[64];
    bool digits = len >= 4;
    for (size_t i = 0; i < 4 && digits; i++)
        digits = line[i] >= '0' && line[i] <= '9';
    int code = digits ? (line[0] - '0') * 1000 + (line[1] - '0') * 100 + (line[2] - '0') * 10
                        + (line[3] - '0') : 0;
    bool printable = true;
    for (size_t i = 4; i < len && printable; i++)
        printable = (line[i] >= 0x20 && line[i] < 0x7f) || line[i] == '\t';
    if (!digits || code / 100 == 0 || code % 100 == 0 || !printable) {
        self->stats.bad_lines++;
        s_reject (self, "'%s' is not a data line (RRII<value>)", s_show (line, len, shown, sizeof shown));
        return;
    }
    const char *v = line + 4, *e = line + len;
    while (v < e && (*v == ' ' || *v == '\t'))
        v++;
    size_t vlen = (size_t) (e - v);
    if (self->n_items == RS_WITS0_MAX_ITEMS || self->pool_used + vlen + 1 > POOL_BYTES) {
        self->stats.dropped_items++;
        s_reject (self, "item %04d dropped: more than %d items or %d bytes of values in one frame", code,
                  RS_WITS0_MAX_ITEMS, POOL_BYTES);
        return;
    }
    char *text = self->pool + self->pool_used;
    memcpy (text, v, vlen);
    text[vlen] = 0;
    self->pool_used += vlen + 1;
    rs_wits0_item_t *item = &self->items[self->n_items++];
    item->code = code;
    item->text = text;
    item->value = NAN;
    item->null = vlen == 0;
    if (vlen) {
        char *end = NULL;
        double d = strtod (text, &end);
        if (end != text && *end == 0 && isfinite (d)) {
            if (s_is_null (self, d))
                item->null = true;
            else
                item->value = d;
        }
    }
}

//  One complete line, without its line end.
static void
s_line (rs_wits0_t *self, rs_wits0_fn *fn, void *arg)
{
    const char *line = self->line;
    size_t len = self->len;
    size_t overflow = self->overflow;
    self->len = 0;
    self->overflow = 0;
    if (overflow) {
        if (self->in_frame) {
            self->stats.long_lines++;
            s_reject (self, "a line of %zu bytes in a frame (at most %d)", len + overflow, RS_WITS0_MAX_LINE);
        }
        else
            self->stats.noise_bytes += len + overflow;
        return;
    }
    while (len && (*line == ' ' || *line == '\t')) {
        line++;
        len--;
    }
    while (len && (line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    if (len == 0)
        return;
    if (len >= 9 && strncasecmp (line, "1984PASON", 9) == 0) {
        self->stats.pason_lines++;
        return;
    }
    //  "&&" ends the line, possibly after noise (a serial line's glitch).
    if (len >= 2 && line[len - 1] == '&' && line[len - 2] == '&') {
        if (len > 2) {
            char shown[64];
            self->stats.noise_bytes += len - 2;
            s_reject (self, "noise '%s' before &&", s_show (line, len - 2, shown, sizeof shown));
        }
        s_frame_start (self);
        return;
    }
    if (len == 2 && line[0] == '!' && line[1] == '!' && self->in_frame) {
        s_frame_end (self, fn, arg);
        return;
    }
    if (self->in_frame)
        s_data_line (self, line, len);
    else {
        char shown[64];
        self->stats.noise_bytes += len;
        s_reject (self, "'%s' outside a frame (no && before it)", s_show (line, len, shown, sizeof shown));
    }
}

void
rs_wits0_feed (rs_wits0_t *self, const void *data, size_t len, rs_wits0_fn *fn, void *arg)
{
    const unsigned char *p = (const unsigned char *) data;
    self->stats.bytes += len;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = p[i];
        if (c == '\r' || c == '\n') {
            if (self->len || self->overflow)
                s_line (self, fn, arg);
            continue;
        }
        if (self->len < RS_WITS0_MAX_LINE)
            self->line[self->len++] = (char) c;
        else
            self->overflow++;
    }
}

void
rs_wits0_end (rs_wits0_t *self, rs_wits0_fn *fn, void *arg)
{
    if (self->len || self->overflow)
        s_line (self, fn, arg);
    if (self->in_frame) {
        self->stats.partial_frames++;
        s_reject (self, "a frame with %zu item(s) was cut short (link lost or end of input)",
                  self->n_items);
        self->in_frame = false;
        self->n_items = 0;
        self->pool_used = 0;
    }
}

const rs_wits0_stats_t *
rs_wits0_stats (const rs_wits0_t *self)
{
    return &self->stats;
}

uint64_t
rs_wits0_rejected (const rs_wits0_t *self)
{
    const rs_wits0_stats_t *s = &self->stats;
    return s->bad_lines + s->long_lines + s->partial_frames + s->dropped_items;
}

const char *
rs_wits0_last_reject (const rs_wits0_t *self)
{
    return self->last_reject;
}

char *
rs_wits0_number (double value, char *buf, size_t size)
{
    //  Beyond 1e12, %.3f would run to hundreds of digits; no rig value is that large.
    if (fabs (value) >= 1e12) {
        snprintf (buf, size, "%.6g", value);
        return buf;
    }
    snprintf (buf, size, "%.3f", value);
    char *dot = strchr (buf, '.');
    if (dot) {
        char *end = buf + strlen (buf);
        while (end > dot + 1 && end[-1] == '0')
            *--end = 0;
        if (end == dot + 1)
            *dot = 0;
    }
    if (strcmp (buf, "-0") == 0)
        snprintf (buf, size, "0");
    return buf;
}

int
rs_wits0_format (const rs_wits0_item_t *items, size_t n, char *buf, size_t size)
{
    size_t used = 0;
    int w = snprintf (buf, size, "&&\r\n");
    if (w < 0 || (size_t) w >= size)
        return -1;
    used = (size_t) w;
    for (size_t i = 0; i < n; i++) {
        const rs_wits0_item_t *it = &items[i];
        if (it->code < 101 || it->code > 9999 || it->code % 100 == 0)
            return -1;
        char number[48];
        const char *text = it->text;
        if (!text) {
            if (!isfinite (it->value))
                return -1;
            text = rs_wits0_number (it->value, number, sizeof number);
        }
        w = snprintf (buf + used, size - used, "%04d%s\r\n", it->code, text);
        if (w < 0 || (size_t) w >= size - used)
            return -1;
        used += (size_t) w;
    }
    w = snprintf (buf + used, size - used, "!!\r\n");
    if (w < 0 || (size_t) w >= size - used)
        return -1;
    return (int) (used + (size_t) w);
}
