/*  rs_history: the web bridge's history interface over the recorder's read
    side (store/: rs_query, rs_export). See rs_history.h. */
#include "rs_history.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "rs_channels.h"
#include "rs_err.h"
#include "rs_export.h"
#include "rs_query.h"

struct rs_history_t {
    rs_query_t *query;
    char detail[256];
};

rs_history_t *
rs_history_open (const char *path)
{
    rs_history_t *self = calloc (1, sizeof *self);
    if (!self) {
        rs_err_set (RS_E_NOMEM, "out of memory");
        return NULL;
    }
    self->query = rs_query_new (path);
    if (!self->query) {
        free (self);
        return NULL;
    }
    return self;
}

void
rs_history_close (rs_history_t **self_p)
{
    rs_history_t *self = *self_p;
    if (!self)
        return;
    rs_query_destroy (&self->query);
    free (self);
    *self_p = NULL;
}

const char *
rs_history_detail (rs_history_t *self)
{
    return self->detail;
}

void
rs_history_set_deadline (rs_history_t *self, int64_t deadline_ms)
{
    rs_query_set_deadline (self->query, deadline_ms);
}

static int
s_map (rs_history_t *self, int rc)
{
    if (rc == RS_QUERY_OK) {
        self->detail[0] = 0;
        return RS_HIST_OK;
    }
    snprintf (self->detail, sizeof self->detail, "%s", rs_query_detail (self->query));
    if (!*self->detail)
        snprintf (self->detail, sizeof self->detail, "%s", rs_query_strerror (rc));
    switch (rc) {
    case RS_QUERY_E_WELL:
        return RS_HIST_E_WELL;
    case RS_QUERY_E_CHANNEL:
        return RS_HIST_E_CHANNEL;
    case RS_QUERY_E_ARG:
        return RS_HIST_E_ARG;
    case RS_QUERY_E_DB:
        return RS_HIST_E_UNAVAILABLE;
    case RS_QUERY_E_TIMEOUT:
        return RS_HIST_E_TIMEOUT;
    default:
        return RS_HIST_E_INTERNAL;
    }
}

static int
s_on_well (const rs_query_well_t *well, void *arg)
{
    json_t *o = json_object ();
    json_object_set_new (o, "well", json_string (well->name));
    json_object_set_new (o, "samples", json_integer (well->samples));
    json_object_set_new (o, "first_ts", well->first_us ? json_integer (well->first_us) : json_null ());
    json_object_set_new (o, "last_ts", well->last_us ? json_integer (well->last_us) : json_null ());
    json_array_append_new ((json_t *) arg, o);
    return 0;
}

int
rs_history_wells (rs_history_t *self, json_t **out)
{
    json_t *arr = json_array ();
    int rc = s_map (self, rs_query_wells (self->query, s_on_well, arr));
    if (rc != RS_HIST_OK) {
        json_decref (arr);
        return rc;
    }
    *out = arr;
    return RS_HIST_OK;
}

static rs_query_spec_t
s_spec (const rs_hist_query_t *q)
{
    return (rs_query_spec_t) { .well = q->well, .from_us = q->from_us, .to_us = q->to_us,
                               .channels = q->channels, .n_channels = q->n_channels };
}

static json_t *
s_num (double v)
{
    return isfinite (v) ? json_real (v) : json_null ();
}

static int
s_on_name (const char *name, void *arg)
{
    return json_array_append_new (arg, json_string (name)) == 0 ? 0 : 1;
}

int
rs_history_extras (rs_history_t *self, const char *well, json_t **out)
{
    json_t *arr = json_array ();
    int rc = s_map (self, rs_query_extras (self->query, well, s_on_name, arr));
    if (rc != RS_HIST_OK) {
        json_decref (arr);
        return rc;
    }
    *out = arr;
    return RS_HIST_OK;
}

typedef struct {
    json_t *t, *n;
    json_t **min, **max, **mean;
    size_t n_channels;
    int64_t next_us;                //  where the bucket after the last one given starts (0 before any)
} s_range_t;

static void
s_point_at (s_range_t *r, int64_t t_us, int64_t n)
{
    json_array_append_new (r->t, json_integer (t_us));
    json_array_append_new (r->n, json_integer (n));
}

static int
s_on_point (const rs_query_point_t *p, void *arg)
{
    s_range_t *r = arg;
    //  The query gives only buckets with samples. A silence of a whole
    //  bucket and at least RS_HIST_GAP_US keeps its first empty bucket,
    //  with n 0 and nulls, so a chart breaks its line there instead of
    //  drawing a straight one across the outage. Shorter holes (buckets
    //  finer than the sample rate) are not gaps.
    if (r->next_us && p->t_us > r->next_us && p->t_us - r->next_us >= RS_HIST_GAP_US) {
        s_point_at (r, r->next_us, 0);
        for (size_t i = 0; i < r->n_channels; i++) {
            json_array_append_new (r->min[i], json_null ());
            json_array_append_new (r->max[i], json_null ());
            json_array_append_new (r->mean[i], json_null ());
        }
    }
    r->next_us = p->t_us + p->width_us;
    s_point_at (r, p->t_us, p->n);
    for (size_t i = 0; i < r->n_channels; i++) {
        json_array_append_new (r->min[i], s_num (p->min[i]));
        json_array_append_new (r->max[i], s_num (p->max[i]));
        json_array_append_new (r->mean[i], s_num (p->mean[i]));
    }
    return 0;
}

int
rs_history_range (rs_history_t *self, const rs_hist_query_t *q, int points, json_t **out)
{
    rs_query_spec_t spec = s_spec (q);
    int rc = s_map (self, rs_query_check (self->query, &spec));
    if (rc != RS_HIST_OK)
        return rc;
    json_t *root = json_object ();
    json_t *chans = json_object ();
    s_range_t r = { .t = json_array (), .n = json_array (), .n_channels = q->n_channels };
    json_t *lists[3 * RS_QUERY_MAX_CHANNELS];
    if (q->n_channels > RS_QUERY_MAX_CHANNELS) {
        json_decref (root);
        json_decref (chans);
        json_decref (r.t);
        json_decref (r.n);
        snprintf (self->detail, sizeof self->detail, "too many channels");
        return RS_HIST_E_ARG;
    }
    r.min = lists;
    r.max = lists + q->n_channels;
    r.mean = lists + 2 * q->n_channels;
    for (size_t i = 0; i < q->n_channels; i++) {
        json_t *c = json_object ();
        int id = rs_chan_lookup (q->channels[i], strlen (q->channels[i]));
        const rs_chan_info_t *info = rs_chan_info (id);
        json_object_set_new (c, "unit", info ? json_string (info->unit) : json_null ());
        json_object_set_new (c, "min", r.min[i] = json_array ());
        json_object_set_new (c, "max", r.max[i] = json_array ());
        json_object_set_new (c, "mean", r.mean[i] = json_array ());
        json_object_set_new (chans, q->channels[i], c);
    }
    rs_query_source_t used = RS_QUERY_RAW;
    int64_t width = 0;
    rs_query_pick (q->from_us, q->to_us, points, &width);
    json_t *pubs = json_array ();
    rc = s_map (self, rs_query_range (self->query, &spec, points, s_on_point, &r, &used));
    if (rc == RS_HIST_OK)
        rc = s_map (self, rs_query_publishers (self->query, q->well, q->from_us, q->to_us, s_on_name, pubs));
    if (rc != RS_HIST_OK) {
        json_decref (pubs);
        json_decref (root);
        json_decref (chans);
        json_decref (r.t);
        json_decref (r.n);
        return rc;
    }
    json_object_set_new (root, "well", json_string (q->well));
    json_object_set_new (root, "from", json_integer (q->from_us));
    json_object_set_new (root, "to", json_integer (q->to_us));
    json_object_set_new (root, "source", json_string (rs_query_source_name (used)));
    json_object_set_new (root, "width_us", json_integer (width));
    json_object_set_new (root, "points", json_integer ((json_int_t) json_array_size (r.t)));
    json_object_set_new (root, "t", r.t);
    json_object_set_new (root, "n", r.n);
    json_object_set_new (root, "channels", chans);
    json_object_set_new (root, "publishers", pubs);
    *out = root;
    return RS_HIST_OK;
}

typedef struct {
    json_t *ts, *pub, *seq;
    json_t *values[RS_QUERY_MAX_CHANNELS];
    size_t n_channels, rows, max_rows;
} s_rows_t;

static int
s_on_row (const rs_query_row_t *row, void *arg)
{
    s_rows_t *r = arg;
    if (++r->rows > r->max_rows)
        return 1;
    json_array_append_new (r->ts, json_integer (row->ts_us));
    json_array_append_new (r->pub, json_string (row->pub ? row->pub : ""));
    json_array_append_new (r->seq, json_integer ((json_int_t) row->seq));
    for (size_t i = 0; i < r->n_channels; i++)
        json_array_append_new (r->values[i], s_num (row->values[i]));
    return 0;
}

int
rs_history_samples (rs_history_t *self, const rs_hist_query_t *q, size_t max_rows, json_t **out)
{
    if (q->n_channels > RS_QUERY_MAX_CHANNELS) {
        snprintf (self->detail, sizeof self->detail, "too many channels");
        return RS_HIST_E_ARG;
    }
    rs_query_spec_t spec = s_spec (q);
    int rc = s_map (self, rs_query_check (self->query, &spec));
    if (rc != RS_HIST_OK)
        return rc;
    json_t *root = json_object ();
    json_t *values = json_object ();
    json_t *names = json_array ();
    s_rows_t r = { .ts = json_array (), .pub = json_array (), .seq = json_array (), .n_channels = q->n_channels,
                   .max_rows = max_rows };
    json_object_set_new (root, "type", json_string ("history"));
    json_object_set_new (root, "well", json_string (q->well));
    json_object_set_new (root, "from", json_integer (q->from_us));
    json_object_set_new (root, "to", json_integer (q->to_us));
    json_object_set_new (root, "channels", names);
    json_object_set_new (root, "ts", r.ts);
    json_object_set_new (root, "pub", r.pub);
    json_object_set_new (root, "seq", r.seq);
    json_object_set_new (root, "values", values);
    for (size_t i = 0; i < q->n_channels; i++) {
        json_array_append_new (names, json_string (q->channels[i]));
        json_object_set_new (values, q->channels[i], r.values[i] = json_array ());
    }
    int qrc = rs_query_samples (self->query, &spec, s_on_row, &r);
    if (r.rows > max_rows) {
        json_decref (root);
        snprintf (self->detail, sizeof self->detail, "more than %zu samples in the range", max_rows);
        return RS_HIST_E_TOO_MANY;
    }
    rc = s_map (self, qrc);
    if (rc != RS_HIST_OK) {
        json_decref (root);
        return rc;
    }
    *out = root;
    return RS_HIST_OK;
}

typedef struct {
    int64_t ts_us;
    char *state;
} s_state_t;

//  Rig-state changes, oldest first, and how far the rows have read them.
typedef struct {
    s_state_t *v;
    size_t n, cap, next;
    bool failed;
} s_states_t;

typedef struct {
    rs_export_t *exp;
    size_t rows, max_rows;
    //  With units only: the engine's (its KPI messages) and, where it has
    //  none yet, the rig_state events' (a simulator's).
    s_states_t kpi, ev;
} s_csv_t;

static int
s_on_state (const rs_query_state_t *s, void *arg)
{
    s_states_t *c = arg;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        s_state_t *grown = realloc (c->v, cap * sizeof *grown);
        if (!grown) {
            c->failed = true;
            return 1;
        }
        c->v = grown;
        c->cap = cap;
    }
    char *text = strdup (s->state ? s->state : "");
    if (!text) {
        c->failed = true;
        return 1;
    }
    c->v[c->n++] = (s_state_t) { s->ts_us, text };
    return 0;
}

//  The last change at or before ts (rows come oldest first), NULL if none.
static const char *
s_state_at (s_states_t *c, int64_t ts_us)
{
    while (c->next < c->n && c->v[c->next].ts_us <= ts_us)
        c->next++;
    return c->next ? c->v[c->next - 1].state : NULL;
}

static void
s_states_free (s_states_t *c)
{
    for (size_t i = 0; i < c->n; i++)
        free (c->v[i].state);
    free (c->v);
}

static int
s_on_csv_row (const rs_query_row_t *row, void *arg)
{
    s_csv_t *c = arg;
    if (++c->rows > c->max_rows)
        return 1;
    const char *state = s_state_at (&c->kpi, row->ts_us);
    const char *ev = s_state_at (&c->ev, row->ts_us);
    if (!state)
        state = ev;
    return rs_export_row_state (c->exp, row, state) == 0 ? 0 : 1;
}

int
rs_history_export_csv (rs_history_t *self, const rs_hist_query_t *q, int units, size_t max_rows, FILE *out,
                       size_t *rows)
{
    rs_query_spec_t spec = s_spec (q);
    int rc = s_map (self, rs_query_check (self->query, &spec));
    if (rc != RS_HIST_OK)
        return rc;
    if (q->n_channels > RS_QUERY_MAX_CHANNELS) {
        snprintf (self->detail, sizeof self->detail, "too many channels");
        return RS_HIST_E_ARG;
    }
    s_csv_t c = { .max_rows = max_rows };
    rs_unit_view_t views[RS_QUERY_MAX_CHANNELS];
    rs_export_opts_t opts = { .views = views, .rig_state = true };
    if (units >= 0) {
        for (size_t i = 0; i < q->n_channels; i++) {
            const rs_chan_info_t *info = rs_chan_info (rs_chan_lookup (q->channels[i], strlen (q->channels[i])));
            views[i] = info ? rs_units_view (info->unit, (rs_unit_system_t) units)
                            : (rs_unit_view_t) { NULL, 1.0, 0.0 };
        }
        rc = s_map (self, rs_query_kpi_rig_states (self->query, q->well, q->from_us, q->to_us, s_on_state, &c.kpi));
        if (rc == RS_HIST_OK)
            rc = s_map (self, rs_query_rig_states (self->query, q->well, q->from_us, q->to_us, s_on_state, &c.ev));
        if (rc == RS_HIST_OK && (c.kpi.failed || c.ev.failed)) {
            snprintf (self->detail, sizeof self->detail, "out of memory for the rig states");
            rc = RS_HIST_E_INTERNAL;
        }
    }
    if (rc == RS_HIST_OK)
        c.exp = rs_export_new_csv (out, q->channels, q->n_channels, units >= 0 ? &opts : NULL);
    if (rc == RS_HIST_OK && !c.exp) {
        snprintf (self->detail, sizeof self->detail, "cannot start the export");
        rc = RS_HIST_E_INTERNAL;
    }
    if (rc != RS_HIST_OK) {
        s_states_free (&c.kpi);
        s_states_free (&c.ev);
        return rc;
    }
    int qrc = rs_query_samples (self->query, &spec, s_on_csv_row, &c);
    int end = rs_export_end (c.exp);
    if (rows)
        *rows = rs_export_count (c.exp);
    rs_export_destroy (&c.exp);
    s_states_free (&c.kpi);
    s_states_free (&c.ev);
    if (c.rows > max_rows) {
        snprintf (self->detail, sizeof self->detail, "more than %zu samples in the range", max_rows);
        return RS_HIST_E_TOO_MANY;
    }
    if (qrc == RS_QUERY_E_STOPPED || end != 0) {
        snprintf (self->detail, sizeof self->detail, "writing the export failed");
        return RS_HIST_E_INTERNAL;
    }
    return s_map (self, qrc);
}

uint64_t
rs_history_range_rows (const json_t *range)
{
    uint64_t rows = 0;
    size_t i;
    json_t *n;
    json_array_foreach (json_object_get (range, "n"), i, n)
        rows += (uint64_t) (json_integer_value (n) > 0 ? json_integer_value (n) : 0);
    return rows;
}
