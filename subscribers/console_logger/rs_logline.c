/*  rs_logline: console renderings of rigstream messages. */
#include "rs_logline.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rs_channels.h"
#include "rs_clock.h"
#include "rs_json.h"

#define C_WELL  "\033[1;36m"
#define C_EVENT "\033[1;33m"
#define C_ALERT "\033[1;31m"
#define C_DIM   "\033[2m"
#define C_OFF   "\033[0m"

//  The channels a driller reads first, in mud-log order.
static const int s_line_channels[] = {
    RS_CH_HOLE_DEPTH, RS_CH_BIT_DEPTH, RS_CH_ROP, RS_CH_WOB, RS_CH_HOOK_LOAD, RS_CH_RPM,
    RS_CH_TORQUE, RS_CH_SPP, RS_CH_FLOW_IN, RS_CH_FLOW_OUT, RS_CH_PIT_VOLUME, RS_CH_GAS
};
#define S_LINE_CHANNELS (sizeof s_line_channels / sizeof s_line_channels[0])

typedef struct {
    char *buf;
    size_t size;
    size_t len;
} s_out_t;

__attribute__ ((format (printf, 2, 3))) static void
s_put (s_out_t *o, const char *fmt, ...)
{
    if (o->len + 1 >= o->size)
        return;
    va_list args;
    va_start (args, fmt);
    int n = vsnprintf (o->buf + o->len, o->size - o->len, fmt, args);
    va_end (args);
    if (n > 0)
        o->len = o->len + (size_t) n < o->size ? o->len + (size_t) n : o->size - 1;
}

//  A value with the resolution a reader needs: depths to the centimetre
//  whatever their size (2999.8 m of bit and 3000.1 m of hole are 0.3 m
//  apart, not both "3000"), other readings to about four figures.
static void
s_value_res (s_out_t *o, double v, bool depth)
{
    if (!isnan (v) && depth) {
        s_put (o, "%.2f", v);
        return;
    }
    if (isnan (v))
        s_put (o, "-");
    else if (fabs (v) >= 1000)
        s_put (o, "%.0f", v);
    else if (fabs (v) >= 100)
        s_put (o, "%.1f", v);
    else
        s_put (o, "%.2f", v);
}

static void
s_value (s_out_t *o, double v)
{
    s_value_res (o, v, false);
}

static void
s_header (s_out_t *o, const rs_msg_t *msg, bool color)
{
    char ts[40];
    rs_clock_format (msg->hdr.ts_us, ts, sizeof ts);
    s_put (o, "%s %s%s%s", ts, color ? C_WELL : "", msg->id, color ? C_OFF : "");
}

//  A known channel's value, converted into the style's system.
static double
s_shown (const rs_unit_view_t *view, double v)
{
    return v * view->scale + view->offset;
}

size_t
rs_logline_text (const rs_msg_t *msg, const rs_logstyle_t *style, char *buf, size_t size)
{
    bool color = style->color;
    s_out_t o = { buf, size, 0 };
    if (size == 0)
        return 0;
    buf[0] = 0;
    s_header (&o, msg, color);
    switch (msg->kind) {
    case RS_KIND_TELEMETRY:
        s_put (&o, " %s#%llu%s", color ? C_DIM : "", (unsigned long long) msg->hdr.seq,
               color ? C_OFF : "");
        for (size_t i = 0; i < S_LINE_CHANNELS; i++) {
            const rs_chan_info_t *info = rs_chan_info (s_line_channels[i]);
            rs_unit_view_t view = rs_units_view (info->unit, style->units);
            double v = rs_msg_chan (msg, s_line_channels[i]);
            s_put (&o, " %s=", info->name);
            int c = s_line_channels[i];
            s_value_res (&o, s_shown (&view, v), c == RS_CH_HOLE_DEPTH || c == RS_CH_BIT_DEPTH);
            if (!isnan (v))
                s_put (&o, "%s", view.unit);
        }
        {
            //  Custom channels by name, in their publisher's units (the
            //  wire carries none), up to a line's worth.
            size_t extra = 0;
            for (size_t i = 0; i < msg->n_values; i++) {
                if (msg->values[i].id >= 0)
                    continue;
                if (extra++ < RS_LOGLINE_EXTRAS) {
                    s_put (&o, " %s=", msg->values[i].name);
                    s_value (&o, msg->values[i].value);
                }
            }
            if (extra > RS_LOGLINE_EXTRAS)
                s_put (&o, " (+%zu more)", extra - RS_LOGLINE_EXTRAS);
        }
        break;
    case RS_KIND_EVENT:
        s_put (&o, " %sEVENT %s %s%s", color ? C_EVENT : "", msg->event_type, msg->event_phase,
               color ? C_OFF : "");
        if (msg->event_state[0])
            s_put (&o, " -> %s", msg->event_state);
        if (msg->event_id)
            s_put (&o, " (id %llu)", (unsigned long long) msg->event_id);
        if (msg->event_note[0])
            s_put (&o, ": %s", msg->event_note);
        break;
    case RS_KIND_KPI:
    case RS_KIND_SYS:
        s_put (&o, " %s", msg->kind == RS_KIND_KPI ? "KPI" : "SYS");
        for (size_t i = 0; i < msg->n_values; i++) {
            s_put (&o, " %s=", msg->values[i].name);
            s_value (&o, msg->values[i].value);
        }
        break;
    case RS_KIND_ALERT: {
        s_put (&o, " %sALERT%s", color ? C_ALERT : "", color ? C_OFF : "");
        const msgpack_object_map *m = &msg->body->via.map;
        for (uint32_t i = 0; i < m->size; i++) {
            const msgpack_object *k = &m->ptr[i].key, *v = &m->ptr[i].val;
            if (k->type == MSGPACK_OBJECT_STR && v->type == MSGPACK_OBJECT_STR)
                s_put (&o, " %.*s=%.*s", (int) k->via.str.size, k->via.str.ptr,
                       (int) (v->via.str.size > 200 ? 200 : v->via.str.size), v->via.str.ptr);
        }
        break;
    }
    case RS_KIND_AUDIT:
        s_put (&o, " AUDIT %s by %s", msg->audit_action, msg->audit_by);
        if (msg->audit_addr[0])
            s_put (&o, " from %s", msg->audit_addr);
        if (msg->audit_well[0])
            s_put (&o, " on %s", msg->audit_well);
        if (msg->audit_detail[0])
            s_put (&o, ": %.*s", 200, msg->audit_detail);
        break;
    default:
        break;
    }
    if (msg->replayed)
        s_put (&o, " (replayed)");
    return o.len;
}

char *
rs_logline_json (const rs_msg_t *msg)
{
    json_t *root = rs_json_from_msgpack (msg->body);
    if (!root)
        return NULL;
    char ts[40];
    rs_clock_format (msg->hdr.ts_us, ts, sizeof ts);
    json_object_set_new (root, "topic", json_string (msg->topic));
    json_object_set_new (root, "kind", json_string (rs_kind_name (msg->kind)));
    json_object_set_new (root, "time", json_string (ts));
    if (msg->replayed)
        json_object_set_new (root, "replayed", json_true ());
    //  Invalid UTF-8 in free text would make jansson refuse the whole object;
    //  ensure_ascii keeps the line pure ASCII for any consumer.
    char *text = json_dumps (root, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref (root);
    return text;
}

typedef struct {
    char well[RS_MAX_ID + 1];
    uint64_t count;
    uint64_t first_seq, last_seq;
    double last[RS_CH_COUNT];
    double min[RS_CH_COUNT], max[RS_CH_COUNT];
} s_well_t;

#define RS_LOGSUM_WELLS 64

struct rs_logsum_t {
    s_well_t wells[RS_LOGSUM_WELLS];
    size_t n;
    uint64_t events;
};

rs_logsum_t *
rs_logsum_new (void)
{
    return calloc (1, sizeof (rs_logsum_t));
}

void
rs_logsum_destroy (rs_logsum_t **self_p)
{
    if (self_p && *self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}

void
rs_logsum_add (rs_logsum_t *self, const rs_msg_t *msg)
{
    if (msg->kind == RS_KIND_EVENT)
        self->events++;
    if (msg->kind != RS_KIND_TELEMETRY)
        return;
    s_well_t *w = NULL;
    for (size_t i = 0; i < self->n && !w; i++)
        if (strcmp (self->wells[i].well, msg->id) == 0)
            w = &self->wells[i];
    if (!w) {
        if (self->n == RS_LOGSUM_WELLS)
            return;
        w = &self->wells[self->n++];
        snprintf (w->well, sizeof w->well, "%s", msg->id);
    }
    if (w->count == 0) {
        w->first_seq = msg->hdr.seq;
        for (int c = 0; c < RS_CH_COUNT; c++)
            w->last[c] = w->min[c] = w->max[c] = NAN;
    }
    w->count++;
    w->last_seq = msg->hdr.seq;
    for (size_t i = 0; i < msg->n_values; i++) {
        int c = msg->values[i].id;
        double v = msg->values[i].value;
        if (c < 0 || isnan (v))
            continue;
        w->last[c] = v;
        w->min[c] = isnan (w->min[c]) || v < w->min[c] ? v : w->min[c];
        w->max[c] = isnan (w->max[c]) || v > w->max[c] ? v : w->max[c];
    }
}

size_t
rs_logsum_flush (rs_logsum_t *self, double interval_s, const rs_logstyle_t *style, char *buf,
                 size_t size)
{
    bool color = style->color;
    s_out_t o = { buf, size, 0 };
    if (size)
        buf[0] = 0;
    char ts[40];
    rs_clock_format (rs_clock_now_us (), ts, sizeof ts);
    for (size_t i = 0; i < self->n; i++) {
        s_well_t *w = &self->wells[i];
        if (w->count == 0)
            continue;
        s_put (&o, "%s %s%s%s %llu samples (%.1f/s, seq %llu-%llu)", ts, color ? C_WELL : "",
               w->well, color ? C_OFF : "", (unsigned long long) w->count,
               interval_s > 0 ? (double) w->count / interval_s : 0.0,
               (unsigned long long) w->first_seq, (unsigned long long) w->last_seq);
        for (size_t k = 0; k < S_LINE_CHANNELS; k++) {
            int c = s_line_channels[k];
            const rs_chan_info_t *info = rs_chan_info (c);
            rs_unit_view_t view = rs_units_view (info->unit, style->units);
            s_put (&o, " %s=", info->name);
            s_value (&o, s_shown (&view, w->last[c]));
            if (!isnan (w->min[c]) && w->max[c] > w->min[c]) {
                s_put (&o, "[");
                s_value (&o, s_shown (&view, w->min[c]));
                s_put (&o, "..");
                s_value (&o, s_shown (&view, w->max[c]));
                s_put (&o, "]");
            }
            if (!isnan (w->last[c]))
                s_put (&o, "%s", view.unit);
        }
        s_put (&o, "\n");
        w->count = 0;
    }
    if (self->events) {
        s_put (&o, "%s %llu event message(s)\n", ts, (unsigned long long) self->events);
        self->events = 0;
    }
    return o.len;
}
