/*  rs_webrest: the REST API's handlers. See rs_webrest.h and docs/WEB.md. */
#include "rs_webrest.h"

#include <czmq.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "rs_audit.h"
#include "rs_channels.h"
#include "rs_clock.h"
#include "rs_err.h"
#include "rs_curve.h"
#include "rs_history.h"
#include "rs_log.h"
#include "rs_units.h"
#include "rs_webreply.h"

#define EXPORT_MAX_ROWS   2000000
#define HISTORY_DEFAULT_S 3600
#define HEALTH_MAX_DELAY_S 10.0      //  as scripts/monitor's --max-delay-s default

//  The channels history answers with when the request names none.
static const int s_default_channels[] = {
    RS_CH_HOOK_LOAD, RS_CH_WOB, RS_CH_RPM, RS_CH_TORQUE, RS_CH_SPP, RS_CH_FLOW_IN, RS_CH_FLOW_OUT,
    RS_CH_PIT_VOLUME, RS_CH_PIT_GAIN, RS_CH_GAS, RS_CH_ROP, RS_CH_BIT_DEPTH, RS_CH_HOLE_DEPTH,
};
#define N_DEFAULT_CHANNELS (sizeof s_default_channels / sizeof s_default_channels[0])

//  Sends one frame to a REQ endpoint and waits up to timeout_ms for the
//  reply. Returns a fresh string, or NULL (no answer, bad endpoint).
static char *
s_ask (const rs_curve_t *curve, const char *key, const char *endpoint, const char *request,
       int timeout_ms)
{
    zsock_t *req = zsock_new (ZMQ_REQ);
    if (!req)
        return NULL;
    if (rs_curve_client (curve, zsock_resolve (req), key) != 0) {
        zsock_destroy (&req);
        return NULL;
    }
    zsock_set_linger (req, 0);
    zsock_set_sndtimeo (req, timeout_ms);
    zsock_set_rcvtimeo (req, timeout_ms);
    char *reply = NULL;
    if (zsock_connect (req, "%s", endpoint) == 0 && zstr_send (req, request) == 0)
        reply = zstr_recv (req);
    zsock_destroy (&req);
    return reply;
}

// ---------------------------------------------------------------------------
// Bodies and history

//  Sends a request (released here; NULL: out of memory) to the engine's
//  control endpoint. Returns its answer, a fresh JSON object, or NULL with
//  the failure answered and its status in *status.
static json_t *
s_ask_engine (rs_web_t *self, struct mg_connection *conn, json_t *request, int *status)
{
    char *text = request ? json_dumps (request, JSON_COMPACT) : NULL;
    json_decref (request);
    if (!text) {
        *status = rs_webreply_error (self, conn, 500, "out of memory");
        return NULL;
    }
    char *reply = s_ask (self->curve, self->engine_key, self->engine_control, text, self->control_timeout_ms);
    free (text);
    if (!reply) {
        *status = rs_webreply_error (self, conn, 503, "prediction engine not answering on %s",
                                     self->engine_control);
        return NULL;
    }
    json_t *doc = rs_webapi_json_depth_ok (reply, strlen (reply), 2 * RS_WEBAPI_MAX_DEPTH)
                      ? json_loads (reply, 0, NULL) : NULL;
    free (reply);
    if (!json_is_object (doc)) {
        json_decref (doc);
        *status = rs_webreply_error (self, conn, 502,
                                     "prediction engine answered something other than a JSON object");
        return NULL;
    }
    return doc;
}

//  Reads the request body within the guard's limit. Returns a fresh
//  NUL-terminated buffer (possibly empty), or NULL after answering 413 (or
//  500: out of memory); *status is what was sent.
static char *
s_read_body (rs_web_t *self, struct mg_connection *conn, size_t *len, int *status)
{
    const struct mg_request_info *ri = mg_get_request_info (conn);
    size_t max = rs_webguard_max_body (self->guard);
    //  A declared length over the limit is refused before reading any of it.
    bool declared_ok = rs_webguard_body_declared_ok (self->guard, ri->content_length);
    char *buf = declared_ok ? malloc (max + 1) : NULL;
    if (declared_ok && !buf) {
        *status = rs_webreply_error (self, conn, 500, "out of memory");
        return NULL;
    }
    size_t n = 0;
    while (buf) {
        int r = mg_read (conn, buf + n, max + 1 - n);
        if (r <= 0)
            break;
        n += (size_t) r;
        if (n > max) {
            free (buf);
            buf = NULL;
        }
    }
    if (!buf) {
        rs_webguard_verdict_t v;
        rs_webguard_body_refused (self->guard, ri->remote_addr, ri->local_uri, &v);
        *status = rs_webreply_refuse (self, conn, &v);
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

//  The common history parameters: well, from, to, channels.
static int
s_parse_range (const rs_webapi_params_t *p, rs_webapi_range_t *r)
{
    const char *defaults[N_DEFAULT_CHANNELS];
    for (size_t i = 0; i < N_DEFAULT_CHANNELS; i++)
        defaults[i] = rs_chan_info (s_default_channels[i])->name;
    return rs_webapi_parse_range (p, rs_clock_now_us (), HISTORY_DEFAULT_S, defaults, N_DEFAULT_CHANNELS, r);
}

static rs_hist_query_t
s_hist_query (const rs_webapi_range_t *r)
{
    return (rs_hist_query_t) { .well = r->well, .from_us = r->from_us, .to_us = r->to_us,
                               .channels = r->names, .n_channels = r->n_channels };
}

//  Maps a history error to an HTTP answer.
static int
s_history_error (rs_web_t *self, struct mg_connection *conn, rs_history_t *h, int rc, const char *well)
{
    const char *detail = h ? rs_history_detail (h) : "";
    switch (rc) {
    case RS_HIST_E_WELL:
        return rs_webreply_error (self, conn, 404, "unknown well '%s': no history recorded for it", well);
    case RS_HIST_E_CHANNEL:
    case RS_HIST_E_ARG:
    case RS_HIST_E_TOO_MANY:
        return rs_webreply_error (self, conn, 400, "%s", detail);
    case RS_HIST_E_UNAVAILABLE:
        return rs_webreply_error (self, conn, 503, "history not available: %s", detail);
    case RS_HIST_E_TIMEOUT:
        return rs_webreply_error (self, conn, 413, "this request takes longer than %d ms (WEB_HISTORY_MAX_MS): ask a "
                            "shorter range, fewer points or fewer channels", self->history_max_ms);
    default:
        return rs_webreply_error (self, conn, 500, "history query failed: %s", detail);
    }
}

static rs_history_t *
s_history_open (rs_web_t *self)
{
    return rs_history_open (self->db_path);
}

// ---------------------------------------------------------------------------
// API endpoints

static int
s_api_health (rs_web_t *self, struct mg_connection *conn)
{
    int64_t now = rs_clock_mono_ms ();
    json_t *doc = json_object ();
    json_t *components = rs_hub_components_json (self->hub, now, self->stale_ms);
    json_t *broker = json_object ();
    char *status = s_ask (self->curve, NULL, self->broker_control, "STATUS", self->control_timeout_ms);
    //  Parsed in a civetweb thread (small stack): bounded nesting even here.
    json_t *st = status && rs_webapi_json_depth_ok (status, strlen (status), 2 * RS_WEBAPI_MAX_DEPTH)
                     ? json_loads (status, 0, NULL) : NULL;
    free (status);
    json_object_set_new (broker, "endpoint", json_string (self->broker_control));
    json_object_set_new (broker, "up", json_boolean (st != NULL));
    if (st) {
        //  Components the broker hears of that the bridge has not (yet).
        const char *name;
        json_t *c;
        json_object_foreach (json_object_get (st, "components"), name, c) {
            if (!json_object_get (components, name)) {
                json_t *o = json_object ();
                json_object_set (o, "up", json_object_get (c, "up"));
                json_object_set (o, "last_seen_ms_ago", json_object_get (c, "last_seen_ms_ago"));
                if (json_is_string (json_object_get (c, "state")))
                    json_object_set (o, "state", json_object_get (c, "state"));
                json_object_set_new (o, "source", json_string ("broker"));
                json_object_set_new (components, name, o);
            }
        }
        json_object_set_new (broker, "status", st);
    }
    else
        json_object_set_new (broker, "error", json_string ("no answer to STATUS"));
    rs_hub_stats_t hs;
    rs_hub_stats (self->hub, &hs);
    json_t *web = json_object ();
    json_object_set_new (web, "version", json_string (RS_VERSION));
    json_object_set_new (web, "uptime_s", json_real ((double) (now - self->started_ms) / 1000.0));
    json_object_set_new (web, "clients", json_integer ((json_int_t) hs.clients));
    json_object_set_new (web, "samples", json_integer ((json_int_t) hs.samples));
    json_object_set_new (web, "sent", json_integer ((json_int_t) hs.sent));
    json_object_set_new (web, "dropped", json_integer ((json_int_t) hs.dropped));
    json_object_set_new (web, "alerts_active", json_integer ((json_int_t) rs_alerts_active (self->alerts)));
    rs_web_stats_t ws;
    rs_webreply_stats (self, &ws);
    json_t *sec = json_pack ("{s:b, s:b, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "tls",
                             self->tls, "read_auth", rs_webguard_read_auth (self->guard), "write_auth",
                             rs_webguard_write_auth (self->guard),
                             "auth_failed", (json_int_t) ws.auth_failed, "forbidden", (json_int_t) ws.forbidden,
                             "origin_refused", (json_int_t) ws.origin_refused, "rate_limited",
                             (json_int_t) ws.rate_limited, "body_too_large", (json_int_t) ws.body_too_large,
                             "http_rejected", (json_int_t) ws.http_rejected, "ws_refused", (json_int_t) ws.ws_refused,
                             "ws_bad_frames", (json_int_t) ws.ws_bad_frames, "ws_too_large",
                             (json_int_t) ws.ws_too_large, "ws_bad_messages", (json_int_t) ws.ws_bad_messages,
                             "http_errors", (json_int_t) ws.errors, "server_errors", (json_int_t) ws.server_errors);
    json_object_set_new (sec, "host_refused", json_integer ((json_int_t) ws.host_refused));
    json_object_set_new (sec, "csrf_refused", json_integer ((json_int_t) ws.csrf_refused));
    json_object_set_new (sec, "history_refused", json_integer ((json_int_t) ws.history_refused));
    json_object_set_new (sec, "history_rows", json_integer ((json_int_t) ws.history_rows));
    json_object_set_new (sec, "history_cpu_ms", json_integer ((json_int_t) ws.history_cpu_ms));
    json_object_set_new (sec, "audit_lines", json_integer ((json_int_t) ws.audit_lines));
    json_object_set_new (web, "security", sec);
    rs_history_t *h = s_history_open (self);
    json_t *hist = json_object ();
    json_object_set_new (hist, "available", json_boolean (h != NULL));
    json_object_set_new (hist, "path", json_string (self->db_path));
    if (!h)
        json_object_set_new (hist, "error", json_string (rs_errmsg ()));
    rs_history_close (&h);
    //  One health model with scripts/monitor (docs/OPERATIONS.md).
    json_t *problems = rs_webapi_health (st, components, HEALTH_MAX_DELAY_S);
    json_object_set_new (doc, "status", json_string (json_array_size (problems) ? "degraded" : "ok"));
    json_object_set_new (doc, "problems", problems);
    json_object_set_new (doc, "webbridge", web);
    json_object_set_new (doc, "broker", broker);
    json_object_set_new (doc, "components", components);
    json_object_set_new (doc, "history", hist);
    return rs_webreply_send_json (self, conn, 200, doc);
}

static int
s_api_wells (rs_web_t *self, struct mg_connection *conn)
{
    json_t *live = rs_hub_wells_json (self->hub, rs_clock_mono_ms ());
    json_t *wells = json_array ();
    size_t i;
    json_t *w;
    json_array_foreach (live, i, w)
        json_array_append_new (wells, json_deep_copy (w));
    rs_history_t *h = s_history_open (self);
    json_t *recorded = NULL;
    if (h && rs_history_wells (h, &recorded) == RS_HIST_OK) {
        json_array_foreach (recorded, i, w) {
            const char *name = json_string_value (json_object_get (w, "well"));
            json_t *match = NULL;
            size_t j;
            json_t *o;
            json_array_foreach (wells, j, o)
                if (name && strcmp (json_string_value (json_object_get (o, "well")), name) == 0)
                    match = o;
            json_t *hist = json_deep_copy (w);
            json_object_del (hist, "well");
            if (!match) {
                match = json_object ();
                json_object_set_new (match, "well", json_string (name));
                json_object_set_new (match, "live", json_false ());
                json_array_append_new (wells, match);
            }
            json_object_set_new (match, "history", hist);
        }
    }
    json_decref (recorded);
    rs_history_close (&h);
    json_decref (live);
    json_t *doc = json_object ();
    json_object_set_new (doc, "wells", wells);
    json_object_set_new (doc, "timeout_s", json_real ((double) rs_hub_well_timeout (self->hub) / 1000.0));
    return rs_webreply_send_json (self, conn, 200, doc);
}

//  The latest values as flat rows, one per well and channel: the shape a
//  table reader (Grafana's Infinity source, a spreadsheet) takes as it is.
static json_t *
s_latest_rows (json_t *wells)
{
    json_t *rows = json_array ();
    size_t i;
    json_t *w;
    json_array_foreach (wells, i, w) {
        const char *name;
        json_t *c;
        json_object_foreach (json_object_get (w, "channels"), name, c) {
            json_array_append_new (rows, json_pack ("{s:O?, s:s, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}", "well",
                                                    json_object_get (w, "well"), "channel", name, "value",
                                                    json_object_get (c, "value"), "unit",
                                                    json_object_get (c, "unit"), "time",
                                                    json_object_get (c, "time"), "ts", json_object_get (c, "ts"),
                                                    "quality", json_object_get (c, "quality"), "live",
                                                    json_object_get (w, "live"), "rig_state",
                                                    json_object_get (w, "rig_state")));
        }
    }
    return rows;
}

//  The current value of every channel of one well or of all.
static int
s_api_latest (rs_web_t *self, struct mg_connection *conn, const rs_webapi_params_t *p)
{
    const char *well = rs_webapi_param (p, "well");
    if (well && !rs_id_valid (well, strlen (well)))
        return rs_webreply_error (self, conn, 400, "bad 'well': 1-64 characters of A-Z a-z 0-9 _ -");
    const char *format = rs_webapi_param (p, "format");
    if (format && strcmp (format, "rows") != 0)
        return rs_webreply_error (self, conn, 400, "bad 'format': 'rows' or none");
    json_t *wells = rs_hub_latest_json (self->hub, well, rs_clock_mono_ms ());
    if (!wells)
        return rs_webreply_error (self, conn, 500, "out of memory");
    if (well && json_array_size (wells) == 0) {
        json_decref (wells);
        return rs_webreply_error (self, conn, 404, "unknown well '%s': no live sample of it since the bridge started",
                                  well);
    }
    if (format) {
        json_t *rows = s_latest_rows (wells);
        json_decref (wells);
        return rs_webreply_send_json (self, conn, 200, rows);
    }
    if (well) {
        json_t *one = json_incref (json_array_get (wells, 0));
        json_decref (wells);
        return rs_webreply_send_json (self, conn, 200, one);
    }
    return rs_webreply_send_json (self, conn, 200, json_pack ("{s:o}", "wells", wells));
}

static int
s_api_channels (rs_web_t *self, struct mg_connection *conn)
{
    json_t *arr = json_array ();
    for (int id = 0; id < RS_CH_COUNT; id++) {
        const rs_chan_info_t *c = rs_chan_info (id);
        json_array_append_new (arr, json_pack ("{s:s, s:s, s:s, s:s}", "name", c->name, "unit", c->unit,
                                               "label", c->label, "meaning", c->meaning));
    }
    //  The display systems, so the dashboard converts with the suite's own
    //  factors: shown = value * scale + offset, keyed by the stored unit.
    json_t *imperial = json_object ();
    const char *unit;
    for (size_t i = 0; (unit = rs_units_displayed (i)); i++) {
        rs_unit_view_t v = rs_units_view (unit, RS_UNITS_IMPERIAL);
        json_object_set_new (imperial, unit,
                             json_pack ("{s:s, s:f, s:f}", "unit", v.unit, "scale", v.scale, "offset", v.offset));
    }
    json_t *doc = json_object ();
    json_object_set_new (doc, "channels", arr);
    json_object_set_new (doc, "units", json_pack ("{s:s, s:o}", "default",
                                                  rs_units_system_name ((rs_unit_system_t) self->display_units),
                                                  "imperial", imperial));
    return rs_webreply_send_json (self, conn, 200, doc);
}

//  The start of a history request: its range (and, when `points` is not
//  NULL, its "points"), and the history opened. Returns the history, or
//  NULL after answering 400 or 503 (*status is what was sent).
static rs_history_t *
s_history_request (rs_web_t *self, struct mg_connection *conn, const rs_webapi_params_t *p, rs_webapi_range_t *r,
                   long *points, int *status)
{
    if (s_parse_range (p, r) != RS_OK) {
        *status = rs_webreply_error (self, conn, 400, "%s", rs_errmsg ());
        return NULL;
    }
    const char *pts = points ? rs_webapi_param (p, "points") : NULL;
    if (pts && rs_webapi_parse_int (pts, 1, RS_WEBAPI_MAX_POINTS, points) != 0) {
        *status = rs_webreply_error (self, conn, 400, "bad 'points': an integer from 1 to %d", RS_WEBAPI_MAX_POINTS);
        return NULL;
    }
    rs_history_t *h = s_history_open (self);
    if (!h)
        *status = rs_webreply_error (self, conn, 503, "history not available: %s", rs_errmsg ());
    return h;
}

static int
s_api_history (rs_web_t *self, struct mg_connection *conn, const rs_webapi_params_t *p)
{
    rs_webapi_range_t r;
    long points = 500;
    int status = 0;
    rs_history_t *h = s_history_request (self, conn, p, &r, &points, &status);
    if (!h)
        return status;
    rs_webcost_ticket_t ticket;
    rs_webcost_verdict_t cv;
    if (rs_webreply_cost_begin (self, mg_get_request_info (conn)->remote_addr, &ticket, &cv) != 0) {
        rs_history_close (&h);
        return rs_webreply_cost_refuse (self, conn, &cv);
    }
    rs_history_set_deadline (h, rs_clock_mono_ms () + self->history_max_ms);
    rs_hist_query_t q = s_hist_query (&r);
    json_t *doc = NULL;
    int rc = rs_history_range (h, &q, (int) points, &doc);
    size_t bytes = 0;
    uint64_t rows = rc == RS_HIST_OK ? rs_history_range_rows (doc) : 0;
    char *text = rc == RS_HIST_OK ? json_dumps (doc, RS_WEB_JSON_FLAGS) : NULL;
    json_decref (doc);
    if (rc != RS_HIST_OK)
        status = s_history_error (self, conn, h, rc, r.well);
    else if (!text)
        status = rs_webreply_error (self, conn, 500, "out of memory");
    else if ((bytes = strlen (text)) > self->history_max_bytes)
        status = rs_webreply_error (self, conn, 413, "history of %zu bytes, more than %zu (WEB_HISTORY_MAX_BYTES): ask "
                                    "fewer points or channels", bytes, self->history_max_bytes);
    else {
        rs_history_close (&h);
        rs_webreply_cost_end (self, &ticket, rows, bytes);
        status = rs_webreply_send (self, conn, 200, "application/json", text, bytes, NULL, NULL);
    }
    free (text);
    rs_history_close (&h);
    rs_webreply_cost_end (self, &ticket, rows, bytes);
    return status;
}

//  Settles the channels of an export. No `channels`: the defaults, with the
//  well's extra channels listed in omitted ("a,b"; "" when none; "*" when
//  the list does not fit the header). `channels=all`: every known channel,
//  then the well's extra ones. Returns 0, or -1 after answering (*status).
static int
s_export_channels (rs_web_t *self, struct mg_connection *conn, rs_history_t *h, const char *given,
                   rs_webapi_range_t *r, char *omitted, size_t size, int *status)
{
    bool all = given && strcmp (given, "all") == 0;
    if (given && !all)
        return 0;
    json_t *extras = NULL;
    int rc = rs_history_extras (h, r->well, &extras);
    if (rc != RS_HIST_OK) {
        *status = s_history_error (self, conn, h, rc, r->well);
        return -1;
    }
    size_t n = 0, used = 0;
    if (all)
        for (int c = 0; c < RS_CH_COUNT && n < RS_WEBAPI_MAX_CHANNELS; c++)
            snprintf (r->channels[n++], sizeof r->channels[0], "%s", rs_chan_info (c)->name);
    size_t i;
    json_t *name;
    json_array_foreach (extras, i, name) {
        const char *text = json_string_value (name);
        if (all) {
            if (n == RS_WEBAPI_MAX_CHANNELS) {
                json_decref (extras);
                *status = rs_webreply_error (self, conn, 400,
                                             "channels=all is %zu channels for well '%s', more than %d: name them",
                                             RS_CH_COUNT + json_array_size (extras), r->well,
                                             RS_WEBAPI_MAX_CHANNELS);
                return -1;
            }
            snprintf (r->channels[n++], sizeof r->channels[0], "%s", text);
        }
        else {
            int w = snprintf (omitted + used, size - used, "%s%s", used ? "," : "", text);
            if (w < 0 || (size_t) w >= size - used) {
                //  Too many to list: say so rather than send a cut name.
                snprintf (omitted, size, "*");
                break;
            }
            used += (size_t) w;
        }
    }
    json_decref (extras);
    if (all) {
        r->n_channels = n;
        for (size_t k = 0; k < n; k++)
            r->names[k] = r->channels[k];
    }
    return 0;
}

static int
s_api_export (rs_web_t *self, struct mg_connection *conn, const rs_webapi_params_t *p)
{
    //  units=metric or imperial: the operator's CSV (rig state, a units row,
    //  values in that system); without it the plain form, as stored.
    const char *units_name = rs_webapi_param (p, "units");
    int units = units_name ? rs_units_system (units_name) : -1;
    if (units_name && units < 0)
        return rs_webreply_error (self, conn, 400, "units must be metric or imperial");
    rs_webapi_range_t r;
    int status = 0;
    rs_history_t *h = s_history_request (self, conn, p, &r, NULL, &status);
    if (!h)
        return status;
    //  The default export is the usual drilling channels: it names the
    //  well's extra channels it leaves out; channels=all adds every one.
    char omitted[1024] = "";
    if (s_export_channels (self, conn, h, rs_webapi_param (p, "channels"), &r, omitted, sizeof omitted,
                           &status) != 0) {
        rs_history_close (&h);
        return status;
    }
    //  Written to a temporary file first, so an error still gets a proper
    //  status, and memory stays flat for big ranges.
    FILE *tmp = tmpfile ();
    if (!tmp) {
        rs_history_close (&h);
        return rs_webreply_error (self, conn, 500, "cannot create a temporary file: %s", strerror (errno));
    }
    rs_webcost_ticket_t ticket;
    rs_webcost_verdict_t cv;
    if (rs_webreply_cost_begin (self, mg_get_request_info (conn)->remote_addr, &ticket, &cv) != 0) {
        fclose (tmp);
        rs_history_close (&h);
        return rs_webreply_cost_refuse (self, conn, &cv);
    }
    rs_history_set_deadline (h, rs_clock_mono_ms () + self->history_max_ms);
    rs_hist_query_t q = s_hist_query (&r);
    size_t rows = 0;
    int rc = rs_history_export_csv (h, &q, units, EXPORT_MAX_ROWS, tmp, &rows);
    long size = ftell (tmp);
    if (rc != RS_HIST_OK)
        status = s_history_error (self, conn, h, rc, r.well);
    rs_history_close (&h);
    rs_webreply_cost_end (self, &ticket, rows, 0);
    if (rc == RS_HIST_OK && size > 0 && (uint64_t) size > self->export_max_bytes)
        status = rs_webreply_error (self, conn, 413,
                                    "export of %ld bytes, more than %llu (WEB_EXPORT_MAX_BYTES): ask a shorter range "
                                    "or fewer channels", size, (unsigned long long) self->export_max_bytes);
    else if (rc == RS_HIST_OK) {
        rewind (tmp);
        char disp[128];
        snprintf (disp, sizeof disp, "attachment; filename=\"%s.csv\"", r.well);
        char length[32];
        snprintf (length, sizeof length, "%ld", size);
        atomic_fetch_add (&self->requests, 1);
        mg_response_header_start (conn, 200);
        mg_response_header_add (conn, "Content-Type", "text/csv; charset=utf-8", -1);
        mg_response_header_add (conn, "Content-Length", length, -1);
        mg_response_header_add (conn, "Content-Disposition", disp, -1);
        mg_response_header_add (conn, "Cache-Control", "no-store", -1);
        if (*omitted)
            mg_response_header_add (conn, "X-Rigstream-Omitted-Channels", omitted, -1);
        mg_response_header_send (conn);
        char *buf = malloc (65536);
        size_t n;
        while (buf && (n = fread (buf, 1, 65536, tmp)) > 0)
            if (mg_write (conn, buf, n) <= 0)
                break;
        free (buf);
        status = 200;
    }
    fclose (tmp);
    return status;
}

//  Rebuilds the alert store from the engine's alarm list once it answers:
//  acknowledgements and alarms survive a restart of the bridge.
static void
s_seed_alerts (rs_web_t *self)
{
    if (atomic_load (&self->alerts_seeded) || !*self->engine_control)
        return;
    char *reply = s_ask (self->curve, self->engine_key, self->engine_control, "{\"cmd\":\"status\"}",
                         self->control_timeout_ms);
    json_t *doc = reply && rs_webapi_json_depth_ok (reply, strlen (reply), 2 * RS_WEBAPI_MAX_DEPTH)
                      ? json_loads (reply, 0, NULL) : NULL;
    free (reply);
    if (json_is_true (json_object_get (doc, "ok"))) {
        //  The recorder's alarms lately back to normal first, for the history;
        //  then the engine's list, the alarms as they are now.
        json_t *recent = rs_audit_recent_normal (self->db_path, RS_ALERTS_HISTORY_MAX);
        size_t h = recent ? rs_alerts_seed (self->alerts, recent) : 0;
        json_decref (recent);
        size_t n = rs_alerts_seed (self->alerts, json_object_get (doc, "alerts"));
        atomic_store (&self->alerts_seeded, true);
        rs_info ("alerts: %zu alarm(s) taken from the prediction engine, %zu back to normal from the database", n, h);
    }
    json_decref (doc);
}

static int
s_api_alerts (rs_web_t *self, struct mg_connection *conn, const rs_webapi_params_t *p)
{
    const char *well = rs_webapi_param (p, "well");
    if (well && !rs_id_valid (well, strlen (well)))
        return rs_webreply_error (self, conn, 400, "bad 'well': 1-64 characters of A-Z a-z 0-9 _ -");
    s_seed_alerts (self);
    return rs_webreply_send_json (self, conn, 200, rs_alerts_json (self->alerts, well));
}

//  Every page shows an operator's request at once.
static void
s_broadcast_ack (rs_web_t *self, long id, json_t *alert)
{
    json_t *msg = json_pack ("{s:s, s:I, s:O}", "type", "ack", "alert_id", (json_int_t) id, "alert", alert);
    char *text = msg ? json_dumps (msg, RS_WEB_JSON_FLAGS) : NULL;
    if (text)
        rs_hub_broadcast (self->hub, json_string_value (json_object_get (alert, "well")), text, false);
    free (text);
    json_decref (msg);
}

//  POST /api/alerts/<id>/<action>: ack, shelve, unshelve, out-of-service,
//  in-service. The engine owns the alarm: the request goes to it with the
//  operator's name and address, and its verdict (400, 404, 409) is the
//  answer. Alerts of an engine that does not manage alarms can only be
//  acknowledged, here.
static int
s_api_alarm (rs_web_t *self, struct mg_connection *conn, const rs_webroute_t *route)
{
    long id;
    if (rs_webapi_parse_int (route->arg, 1, LONG_MAX, &id) != 0)
        return rs_webreply_error (self, conn, 400, "bad alert id: a positive integer");
    size_t len = 0;
    int status = 0;
    char *body = s_read_body (self, conn, &len, &status);
    if (!body)
        return status;
    json_t *req = rs_webapi_parse_alarm_body (route->action, body, len);
    free (body);
    if (!req)
        return rs_webreply_error (self, conn, 400, "%s", rs_errmsg ());
    s_seed_alerts (self);
    bool known = false;
    bool managed = rs_alerts_is_managed (self->alerts, (uint64_t) id, &known);
    if (!known) {
        json_decref (req);
        return rs_webreply_error (self, conn, 404, "unknown alert %ld", id);
    }
    const char *addr = mg_get_request_info (conn)->remote_addr;
    if (!managed) {
        const char *by = json_string_value (json_object_get (req, "by"));
        int64_t now = rs_clock_now_us ();
        json_t *alert = strcmp (route->action, "ack") == 0 ? rs_alerts_ack (self->alerts, (uint64_t) id, by, now)
                                                           : NULL;
        if (!alert) {
            json_decref (req);
            return rs_webreply_error (self, conn, 409, "alert %ld: its engine does not manage alarms (only ack)", id);
        }
        rs_info ("alert %ld acknowledged by %s from %s", id, by, addr);
        //  The bridge alone did this: its own audit record, for the saver.
        json_t *rec = json_pack ("{s:s, s:s, s:s, s:I, s:I}", "action", "ack", "by", by && *by ? by : "operator",
                                 "addr", addr, "alert_id", (json_int_t) id, "ts_us", (json_int_t) now);
        const char *well = json_string_value (json_object_get (alert, "well"));
        const char *comment = json_string_value (json_object_get (req, "comment"));
        if (rec && well && rs_id_valid (well, strlen (well)))
            json_object_set_new (rec, "well", json_string (well));
        if (rec && comment && *comment)
            json_object_set_new (rec, "detail", json_string (comment));
        rs_alerts_audit_push (self->alerts, rec);
        json_decref (req);
        s_broadcast_ack (self, id, alert);
        return rs_webreply_send_json (self, conn, 200, alert);
    }
    json_object_set_new (req, "id", json_integer ((json_int_t) id));
    json_object_set_new (req, "addr", json_string (addr));
    json_t *doc = s_ask_engine (self, conn, req, &status);
    if (!doc)
        return status;
    if (!json_is_true (json_object_get (doc, "ok"))) {
        json_int_t code = json_integer_value (json_object_get (doc, "code"));
        const char *e = json_string_value (json_object_get (doc, "error"));
        int rc = rs_webreply_error (self, conn, code == 404 || code == 409 || code == 500 ? (int) code : 400, "%s",
                                    e ? e : "refused by the engine");
        json_decref (doc);
        return rc;
    }
    json_t *fed = rs_alerts_feed (self->alerts, json_object_get (doc, "alert"), NULL);
    json_decref (doc);
    if (!fed)
        return rs_webreply_error (self, conn, 502, "prediction engine answered without the alert");
    s_broadcast_ack (self, id, fed);
    return rs_webreply_send_json (self, conn, 200, fed);
}

//  GET /api/audit?since&until&well&action&limit: the recorder's audit trail.
static int
s_api_audit (rs_web_t *self, struct mg_connection *conn, const rs_webapi_params_t *p)
{
    rs_audit_query_t q = { .since_us = 0, .until_us = INT64_MAX, .limit = 500 };
    const char *v;
    if ((v = rs_webapi_param (p, "since")) && rs_webapi_parse_time (v, &q.since_us) != 0)
        return rs_webreply_error (self, conn, 400, "since: expected " RS_WEBAPI_TIME_HELP);
    if ((v = rs_webapi_param (p, "until")) && rs_webapi_parse_time (v, &q.until_us) != 0)
        return rs_webreply_error (self, conn, 400, "until: expected " RS_WEBAPI_TIME_HELP);
    if ((v = rs_webapi_param (p, "limit")) && rs_webapi_parse_int (v, 1, RS_AUDIT_LIMIT_MAX, &q.limit) != 0)
        return rs_webreply_error (self, conn, 400, "limit: a whole number from 1 to %d", RS_AUDIT_LIMIT_MAX);
    q.well = rs_webapi_param (p, "well");
    if (q.well && !rs_id_valid (q.well, strlen (q.well)))
        return rs_webreply_error (self, conn, 400, "well: 1-64 characters of A-Z a-z 0-9 _ -");
    q.action = rs_webapi_param (p, "action");
    if (q.action && (strlen (q.action) > 32 || strspn (q.action, "abcdefghijklmnopqrstuvwxyz_") != strlen (q.action)))
        return rs_webreply_error (self, conn, 400, "action: one of raise, clear, ack, shelve, unshelve, shelve_expired, "
                                              "out_of_service, in_service, dropped, rules_set");
    int status = 500;
    json_t *doc = rs_audit_read (self->db_path, &q, &status);
    if (!doc)
        return rs_webreply_error (self, conn, status, "%s", rs_errmsg ());
    return rs_webreply_send_json (self, conn, 200, doc);
}

static int
s_api_thresholds (rs_web_t *self, struct mg_connection *conn, bool write)
{
    json_t *request = NULL;
    if (!write)
        request = json_pack ("{s:s}", "cmd", "get_thresholds");
    else {
        size_t len = 0;
        int status = 0;
        char *body = s_read_body (self, conn, &len, &status);
        if (!body)
            return status;
        //  The engine validates the rules themselves and names what is wrong.
        request = rs_webapi_parse_thresholds_body (body, len);
        free (body);
        if (!request)
            return rs_webreply_error (self, conn, 400, "%s", rs_errmsg ());
        //  The engine logs who changed the rules, and from where.
        json_object_set_new (request, "addr", json_string (mg_get_request_info (conn)->remote_addr));
    }
    int status;
    json_t *doc = s_ask_engine (self, conn, request, &status);
    if (!doc)
        return status;
    json_t *error = json_object_get (doc, "error");
    if (error || json_is_false (json_object_get (doc, "ok"))) {
        int rc = rs_webreply_error (self, conn, 400, "%s",
                          json_is_string (error) ? json_string_value (error) : "rejected by the engine");
        json_decref (doc);
        return rc;
    }
    return rs_webreply_send_json (self, conn, 200, doc);
}


//  What the presented token may do: the dashboard's sign-in asks this. The
//  guard lets it through without a token; it reveals nothing else.
static int
s_api_auth (rs_web_t *self, struct mg_connection *conn)
{
    rs_webguard_access_t a = rs_webguard_access (self->guard, mg_get_header (conn, "Authorization"));
    return rs_webreply_send_json (self, conn, 200,
                                  json_pack ("{s:b, s:b, s:b, s:b, s:b}", "read_auth", a.read_auth, "write_auth",
                                        a.write_auth, "can_read", a.can_read, "can_write", a.can_write, "token",
                                        a.token));
}

int
rs_webrest_answer (rs_web_t *web, struct mg_connection *conn, const rs_webroute_t *route,
                   const rs_webapi_params_t *params)
{
    switch (route->id) {
    case RS_WEBROUTE_AUTH:
        return s_api_auth (web, conn);
    case RS_WEBROUTE_HEALTH:
        return s_api_health (web, conn);
    case RS_WEBROUTE_WELLS:
        return s_api_wells (web, conn);
    case RS_WEBROUTE_LATEST:
        return s_api_latest (web, conn, params);
    case RS_WEBROUTE_CHANNELS:
        return s_api_channels (web, conn);
    case RS_WEBROUTE_HISTORY:
        return s_api_history (web, conn, params);
    case RS_WEBROUTE_ALERTS:
        return s_api_alerts (web, conn, params);
    case RS_WEBROUTE_THRESHOLDS:
        return s_api_thresholds (web, conn, route->write);
    case RS_WEBROUTE_EXPORT:
        return s_api_export (web, conn, params);
    case RS_WEBROUTE_ACK:
        return s_api_alarm (web, conn, route);
    case RS_WEBROUTE_AUDIT:
        return s_api_audit (web, conn, params);
    }
    return rs_webreply_error (web, conn, 500, "no handler");
}
