/*  rs_web: civetweb glue for the web bridge. See rs_web.h and docs/WEB.md. */
#include "rs_web.h"

#include <civetweb.h>
#include <czmq.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "rs_channels.h"
#include "rs_units.h"
#include "rs_clock.h"
#include "rs_curve.h"
#include "rs_history.h"
#include "rs_log.h"
#include "rs_webapi.h"
#include "rs_websec.h"

#define JSON_FLAGS        (JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION (12))
#define LOG_EVERY_MS      5000          //  rate-limited warnings about bad clients
#define RATE_SLOTS        256           //  client addresses the rate limiter tracks
#define SINCE_MAX_ROWS    20000         //  raw samples per well for "since"; beyond: downsampled
#define SINCE_POINTS      5000
#define EXPORT_MAX_ROWS   2000000
#define HISTORY_DEFAULT_S 3600
#define WS_SNDBUF         (32 * 1024)   //  kernel send buffer per WebSocket (doubled by Linux)

struct rs_web_t {
    struct mg_context *ctx;
    rs_hub_t *hub;
    rs_alerts_t *alerts;
    char host[256];
    int port;
    char root[PATH_MAX];            //  realpath of the frontend tree
    char db_path[PATH_MAX];
    char broker_control[256];
    char engine_control[256];
    const rs_curve_t *curve;
    char engine_key[41];
    int max_clients;
    int64_t stale_ms;
    int control_timeout_ms;
    int display_units;
    int64_t started_ms;
    bool tls;
    char read_token[256], write_token[256];
    char allow_origins[1024];
    size_t max_body, ws_max_message;
    rs_ratelimit_t *rate;
    pthread_mutex_t log_lock;
    rs_log_limit_t log_auth, log_origin, log_rate, log_size, log_http, log_ws;
    atomic_int clients;
    atomic_ullong requests, errors, ws_accepted, ws_refused, ws_write_errors;
    atomic_ullong auth_failed, forbidden, origin_refused, rate_limited, body_too_large, http_rejected, server_errors;
    atomic_ullong ws_bad_frames, ws_too_large, ws_bad_messages;
};

//  One WebSocket connection: its hub client and the writer draining it.
typedef struct {
    rs_web_t *web;
    struct mg_connection *conn;
    rs_hub_client_t *client;
    pthread_t writer;
    bool writer_started;
} s_wsconn_t;

//  The channels history answers with when the request names none.
static const int s_default_channels[] = {
    RS_CH_HOOK_LOAD, RS_CH_WOB, RS_CH_RPM, RS_CH_TORQUE, RS_CH_SPP, RS_CH_FLOW_IN, RS_CH_FLOW_OUT,
    RS_CH_PIT_VOLUME, RS_CH_PIT_GAIN, RS_CH_GAS, RS_CH_ROP, RS_CH_BIT_DEPTH, RS_CH_HOLE_DEPTH,
};
#define N_DEFAULT_CHANNELS (sizeof s_default_channels / sizeof s_default_channels[0])

// ---------------------------------------------------------------------------
// Responses

static int
s_send (rs_web_t *self, struct mg_connection *conn, int status, const char *type, const char *body,
        size_t len, const char *extra_name, const char *extra_value)
{
    atomic_fetch_add (&self->requests, 1);
    if (status >= 400)
        atomic_fetch_add (&self->errors, 1);
    char length[32];
    snprintf (length, sizeof length, "%zu", len);
    mg_response_header_start (conn, status);
    mg_response_header_add (conn, "Content-Type", type, -1);
    mg_response_header_add (conn, "Content-Length", length, -1);
    mg_response_header_add (conn, "Cache-Control", "no-store", -1);
    mg_response_header_add (conn, "X-Content-Type-Options", "nosniff", -1);
    if (extra_name)
        mg_response_header_add (conn, extra_name, extra_value, -1);
    mg_response_header_send (conn);
    const char *method = mg_get_request_info (conn)->request_method;
    if (len && strcmp (method, "HEAD") != 0)
        mg_write (conn, body, len);
    return status;
}

//  Sends a JSON document and releases it.
static int
s_send_json (rs_web_t *self, struct mg_connection *conn, int status, json_t *doc)
{
    char *text = doc ? json_dumps (doc, JSON_FLAGS) : NULL;
    json_decref (doc);
    if (!text)
        return s_send (self, conn, 500, "application/json", "{\"error\":\"out of memory\",\"status\":500}",
                       38, NULL, NULL);
    int rc = s_send (self, conn, status, "application/json", text, strlen (text), NULL, NULL);
    free (text);
    return rc;
}

static int
s_error (rs_web_t *self, struct mg_connection *conn, int status, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

static int
s_error (rs_web_t *self, struct mg_connection *conn, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (msg, sizeof msg, fmt, ap);
    va_end (ap);
    json_t *doc = json_object ();
    //  The message may quote client input: keep it valid UTF-8 for jansson.
    json_t *text = json_string (msg);
    json_object_set_new (doc, "error", text ? text : json_string ("bad request"));
    json_object_set_new (doc, "status", json_integer (status));
    return s_send_json (self, conn, status, doc);
}

//  A warning about a client, at most once per LOG_EVERY_MS per kind; the
//  limiter state is shared by civetweb's threads, hence the lock.
static void
s_warn_limited (rs_web_t *self, rs_log_limit_t *limit, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

static void
s_warn_limited (rs_web_t *self, rs_log_limit_t *limit, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (msg, sizeof msg, fmt, ap);
    va_end (ap);
    pthread_mutex_lock (&self->log_lock);
    rs_log_limited (limit, LOG_EVERY_MS, RS_LOG_WARN, "%s", msg);
    pthread_mutex_unlock (&self->log_lock);
}

//  The client's bearer token: the Authorization header, else (for
//  WebSockets, which browsers open without headers) the query's "token".
static const char *
s_token (const struct mg_connection *conn, const rs_webapi_params_t *params)
{
    const char *token = rs_websec_bearer (mg_get_header (conn, "Authorization"));
    return token ? token : params ? rs_webapi_param (params, "token") : NULL;
}

//  Answers 401/403 when the policy refuses the request. Returns 0 when it
//  may go on, else the status sent.
static int
s_authorize (rs_web_t *self, struct mg_connection *conn, bool write, const rs_webapi_params_t *params)
{
    rs_websec_policy_t policy = { self->read_token, self->write_token };
    const char *token = s_token (conn, params);
    rs_websec_verdict_t v = rs_websec_check (&policy, write, token);
    if (v == RS_WEBSEC_ALLOW)
        return 0;
    const struct mg_request_info *ri = mg_get_request_info (conn);
    if (v == RS_WEBSEC_FORBIDDEN) {
        atomic_fetch_add (&self->forbidden, 1);
        s_warn_limited (self, &self->log_auth, "refused %s %s from %s: the read token cannot write",
                        ri->request_method, ri->local_uri, ri->remote_addr);
        return s_error (self, conn, 403, "this token may read but not change anything: sign in with the write token");
    }
    atomic_fetch_add (&self->auth_failed, 1);
    s_warn_limited (self, &self->log_auth, "refused %s %s from %s: %s token", ri->request_method, ri->local_uri,
                    ri->remote_addr, token ? "wrong" : "no");
    json_t *doc = json_pack ("{s:s, s:i}", "error",
                             token ? "wrong token: sign in again" : "sign in first: this needs a token",
                             "status", 401);
    char *text = doc ? json_dumps (doc, JSON_FLAGS) : NULL;
    json_decref (doc);
    int rc = s_send (self, conn, 401, "application/json", text ? text : "", text ? strlen (text) : 0,
                     "WWW-Authenticate", "Bearer realm=\"rigstream\"");
    free (text);
    return rc;
}

//  Takes one request from the client's budget. Returns 0 when within it,
//  else the seconds it must wait.
static int
s_rate_take (rs_web_t *self, const struct mg_connection *conn)
{
    const struct mg_request_info *ri = mg_get_request_info (conn);
    int wait = rs_ratelimit_take (self->rate, ri->remote_addr, rs_clock_mono_ms ());
    if (wait) {
        atomic_fetch_add (&self->rate_limited, 1);
        s_warn_limited (self, &self->log_rate, "client %s over the request rate: refused for %d s", ri->remote_addr,
                        wait);
    }
    return wait;
}

//  civetweb keeps the first MG_MAX_HEADERS headers and silently drops the
//  rest: a request that fills the table may have lost some, so refuse it.
static bool
s_too_many_headers (rs_web_t *self, const struct mg_connection *conn)
{
    const struct mg_request_info *ri = mg_get_request_info (conn);
    if (ri->num_headers < MG_MAX_HEADERS)
        return false;
    atomic_fetch_add (&self->http_rejected, 1);
    s_warn_limited (self, &self->log_http, "refused a request from %s: %d headers or more", ri->remote_addr,
                    MG_MAX_HEADERS);
    return true;
}

//  429 with Retry-After.
static int
s_too_many (rs_web_t *self, struct mg_connection *conn, int wait)
{
    char retry[16], body[128];
    snprintf (retry, sizeof retry, "%d", wait);
    int n = snprintf (body, sizeof body, "{\"error\":\"too many requests: retry in %d s\",\"status\":429}", wait);
    return s_send (self, conn, 429, "application/json", body, (size_t) n, "Retry-After", retry);
}

// ---------------------------------------------------------------------------
// Requests to the broker's and the engine's control endpoints

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
// Query strings and bodies

//  Reads the request body (at most max_body). Returns a fresh NUL-terminated
//  buffer (possibly empty), or NULL when too large (counted) or out of memory.
static char *
s_read_body (rs_web_t *self, struct mg_connection *conn, size_t *len)
{
    const struct mg_request_info *ri = mg_get_request_info (conn);
    //  A declared length over the limit is refused before reading any of it.
    char *buf = ri->content_length > (long long) self->max_body ? NULL : malloc (self->max_body + 1);
    size_t n = 0;
    while (buf) {
        int r = mg_read (conn, buf + n, self->max_body + 1 - n);
        if (r <= 0)
            break;
        n += (size_t) r;
        if (n > self->max_body) {
            free (buf);
            buf = NULL;
        }
    }
    if (!buf) {
        atomic_fetch_add (&self->body_too_large, 1);
        s_warn_limited (self, &self->log_size, "refused a body over %zu bytes on %s from %s", self->max_body,
                        ri->local_uri, ri->remote_addr);
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

//  The common history parameters: well, from, to, channels.
static int
s_parse_range (const rs_webapi_params_t *p, rs_webapi_range_t *r, char *err, size_t errsize)
{
    const char *defaults[N_DEFAULT_CHANNELS];
    for (size_t i = 0; i < N_DEFAULT_CHANNELS; i++)
        defaults[i] = rs_chan_info (s_default_channels[i])->name;
    return rs_webapi_parse_range (p, rs_clock_now_us (), HISTORY_DEFAULT_S, defaults, N_DEFAULT_CHANNELS, r, err,
                                  errsize);
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
        return s_error (self, conn, 404, "unknown well '%s': no history recorded for it", well);
    case RS_HIST_E_CHANNEL:
    case RS_HIST_E_ARG:
    case RS_HIST_E_TOO_MANY:
        return s_error (self, conn, 400, "%s", detail);
    case RS_HIST_E_UNAVAILABLE:
        return s_error (self, conn, 503, "history not available: %s", detail);
    default:
        return s_error (self, conn, 500, "history query failed: %s", detail);
    }
}

static rs_history_t *
s_history_open (rs_web_t *self, char *err, size_t errsize)
{
    return rs_history_open (self->db_path, err, errsize);
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
    rs_web_stats (self, &ws);
    json_t *sec = json_pack ("{s:b, s:b, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "tls",
                             self->tls, "read_auth", *self->read_token != 0, "write_auth", *self->write_token != 0,
                             "auth_failed", (json_int_t) ws.auth_failed, "forbidden", (json_int_t) ws.forbidden,
                             "origin_refused", (json_int_t) ws.origin_refused, "rate_limited",
                             (json_int_t) ws.rate_limited, "body_too_large", (json_int_t) ws.body_too_large,
                             "http_rejected", (json_int_t) ws.http_rejected, "ws_refused", (json_int_t) ws.ws_refused,
                             "ws_bad_frames", (json_int_t) ws.ws_bad_frames, "ws_too_large",
                             (json_int_t) ws.ws_too_large, "ws_bad_messages", (json_int_t) ws.ws_bad_messages,
                             "http_errors", (json_int_t) ws.errors, "server_errors", (json_int_t) ws.server_errors);
    json_object_set_new (web, "security", sec);
    char err[256] = "";
    rs_history_t *h = s_history_open (self, err, sizeof err);
    json_t *hist = json_object ();
    json_object_set_new (hist, "available", json_boolean (h != NULL));
    json_object_set_new (hist, "path", json_string (self->db_path));
    if (!h)
        json_object_set_new (hist, "error", json_string (err));
    rs_history_close (&h);
    bool all_up = st != NULL;
    const char *name;
    json_t *c;
    json_object_foreach (components, name, c)
        all_up = all_up && json_is_true (json_object_get (c, "up"));
    json_object_set_new (doc, "status", json_string (all_up ? "ok" : "degraded"));
    json_object_set_new (doc, "webbridge", web);
    json_object_set_new (doc, "broker", broker);
    json_object_set_new (doc, "components", components);
    json_object_set_new (doc, "history", hist);
    return s_send_json (self, conn, 200, doc);
}

static int
s_api_wells (rs_web_t *self, struct mg_connection *conn)
{
    json_t *live = rs_hub_wells_json (self->hub);
    json_t *wells = json_array ();
    size_t i;
    json_t *w;
    json_array_foreach (live, i, w) {
        json_t *o = json_deep_copy (w);
        json_object_set_new (o, "live", json_true ());
        json_array_append_new (wells, o);
    }
    char err[256];
    rs_history_t *h = s_history_open (self, err, sizeof err);
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
    return s_send_json (self, conn, 200, doc);
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
    return s_send_json (self, conn, 200, doc);
}

static int
s_api_history (rs_web_t *self, struct mg_connection *conn, const rs_webapi_params_t *p)
{
    static const char *const allowed[] = { "well", "from", "to", "channels", "points", NULL };
    char err[256];
    rs_webapi_range_t r;
    if (rs_webapi_check_params (p, allowed, err, sizeof err) != 0 || s_parse_range (p, &r, err, sizeof err) != 0)
        return s_error (self, conn, 400, "%s", err);
    long points = 500;
    const char *pts = rs_webapi_param (p, "points");
    if (pts && rs_webapi_parse_int (pts, 1, RS_WEBAPI_MAX_POINTS, &points) != 0)
        return s_error (self, conn, 400, "bad 'points': an integer from 1 to %d", RS_WEBAPI_MAX_POINTS);
    rs_history_t *h = s_history_open (self, err, sizeof err);
    if (!h)
        return s_error (self, conn, 503, "history not available: %s", err);
    rs_hist_query_t q = s_hist_query (&r);
    json_t *doc = NULL;
    int rc = rs_history_range (h, &q, (int) points, &doc);
    int status = rc == RS_HIST_OK ? s_send_json (self, conn, 200, doc)
                                  : s_history_error (self, conn, h, rc, r.well);
    rs_history_close (&h);
    return status;
}

static int
s_api_export (rs_web_t *self, struct mg_connection *conn, const rs_webapi_params_t *p)
{
    static const char *const allowed[] = { "well", "from", "to", "channels", NULL };
    char err[256];
    rs_webapi_range_t r;
    if (rs_webapi_check_params (p, allowed, err, sizeof err) != 0 || s_parse_range (p, &r, err, sizeof err) != 0)
        return s_error (self, conn, 400, "%s", err);
    rs_history_t *h = s_history_open (self, err, sizeof err);
    if (!h)
        return s_error (self, conn, 503, "history not available: %s", err);
    //  Written to a temporary file first, so an error still gets a proper
    //  status, and memory stays flat for big ranges.
    FILE *tmp = tmpfile ();
    if (!tmp) {
        rs_history_close (&h);
        return s_error (self, conn, 500, "cannot create a temporary file: %s", strerror (errno));
    }
    rs_hist_query_t q = s_hist_query (&r);
    size_t rows = 0;
    int rc = rs_history_export_csv (h, &q, EXPORT_MAX_ROWS, tmp, &rows);
    int status;
    if (rc != RS_HIST_OK)
        status = s_history_error (self, conn, h, rc, r.well);
    else {
        long size = ftell (tmp);
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
    rs_history_close (&h);
    return status;
}

static int
s_api_alerts (rs_web_t *self, struct mg_connection *conn, const rs_webapi_params_t *p)
{
    static const char *const allowed[] = { "well", NULL };
    char err[256];
    if (rs_webapi_check_params (p, allowed, err, sizeof err) != 0)
        return s_error (self, conn, 400, "%s", err);
    const char *well = rs_webapi_param (p, "well");
    if (well && !rs_id_valid (well, strlen (well)))
        return s_error (self, conn, 400, "bad 'well': 1-64 characters of A-Z a-z 0-9 _ -");
    return s_send_json (self, conn, 200, rs_alerts_json (self->alerts, well));
}

static int
s_api_ack (rs_web_t *self, struct mg_connection *conn, const char *id_text)
{
    long id;
    if (rs_webapi_parse_int (id_text, 1, LONG_MAX, &id) != 0)
        return s_error (self, conn, 400, "bad alert id: a positive integer");
    size_t len = 0;
    char *body = s_read_body (self, conn, &len);
    if (!body)
        return s_error (self, conn, 413, "body too large (at most %zu bytes)", self->max_body);
    char by[RS_WEBAPI_MAX_BY + 1], err[256];
    int rc = rs_webapi_parse_ack_body (body, len, by, sizeof by, err, sizeof err);
    free (body);
    if (rc != 0)
        return s_error (self, conn, 400, "%s", err);
    int64_t now = rs_clock_now_us ();
    json_t *alert = rs_alerts_ack (self->alerts, (uint64_t) id, by, now);
    if (!alert)
        return s_error (self, conn, 404, "unknown alert %ld", id);
    //  Every page shows the acknowledgement at once.
    json_t *msg = json_pack ("{s:s, s:I, s:O}", "type", "ack", "alert_id", (json_int_t) id, "alert", alert);
    char *text = msg ? json_dumps (msg, JSON_FLAGS) : NULL;
    if (text)
        rs_hub_broadcast (self->hub, json_string_value (json_object_get (alert, "well")), text, false);
    free (text);
    json_decref (msg);
    return s_send_json (self, conn, 200, alert);
}

static int
s_api_thresholds (rs_web_t *self, struct mg_connection *conn, const char *method)
{
    json_t *request = NULL;
    if (strcmp (method, "GET") == 0)
        request = json_pack ("{s:s}", "cmd", "get_thresholds");
    else {
        size_t len = 0;
        char *body = s_read_body (self, conn, &len);
        if (!body)
            return s_error (self, conn, 413, "body too large (at most %zu bytes)", self->max_body);
        char err[256];
        //  The engine validates the rules themselves and names what is wrong.
        request = rs_webapi_parse_thresholds_body (body, len, err, sizeof err);
        free (body);
        if (!request)
            return s_error (self, conn, 400, "%s", err);
    }
    char *text = request ? json_dumps (request, JSON_COMPACT) : NULL;
    json_decref (request);
    if (!text)
        return s_error (self, conn, 500, "out of memory");
    char *reply = s_ask (self->curve, self->engine_key, self->engine_control, text, self->control_timeout_ms);
    free (text);
    if (!reply)
        return s_error (self, conn, 503, "prediction engine not answering on %s", self->engine_control);
    json_t *doc = rs_webapi_json_depth_ok (reply, strlen (reply), 2 * RS_WEBAPI_MAX_DEPTH)
                      ? json_loads (reply, 0, NULL) : NULL;
    free (reply);
    if (!json_is_object (doc)) {
        json_decref (doc);
        return s_error (self, conn, 502, "prediction engine answered something other than a JSON object");
    }
    json_t *error = json_object_get (doc, "error");
    if (error || json_is_false (json_object_get (doc, "ok"))) {
        int rc = s_error (self, conn, 400, "%s",
                          json_is_string (error) ? json_string_value (error) : "rejected by the engine");
        json_decref (doc);
        return rc;
    }
    return s_send_json (self, conn, 200, doc);
}

static int s_route (rs_web_t *self, struct mg_connection *conn, const struct mg_request_info *ri,
                    rs_webapi_params_t *params);

static int
s_on_api (struct mg_connection *conn, void *cbdata)
{
    rs_web_t *self = cbdata;
    const struct mg_request_info *ri = mg_get_request_info (conn);
    //  civetweb's worker threads have small stacks (100 KB in Debian's
    //  build): anything big lives on the heap.
    if (s_too_many_headers (self, conn))
        return s_error (self, conn, 431, "too many headers (at most %d)", MG_MAX_HEADERS - 1);
    int wait = s_rate_take (self, conn);
    if (wait)
        return s_too_many (self, conn, wait);
    rs_webapi_params_t *params = malloc (sizeof *params);
    if (!params)
        return s_error (self, conn, 500, "out of memory");
    int status = s_route (self, conn, ri, params);
    free (params);
    return status;
}

static int
s_route (rs_web_t *self, struct mg_connection *conn, const struct mg_request_info *ri, rs_webapi_params_t *params)
{
    const char *path = ri->local_uri;
    const char *method = ri->request_method;
    bool get = strcmp (method, "GET") == 0 || strcmp (method, "HEAD") == 0;
    char err[256];
    if (rs_webapi_parse_query (ri->query_string, params, err, sizeof err) != 0)
        return s_error (self, conn, 400, "%s", err);
    //  What the presented token may do: the dashboard's sign-in asks this,
    //  so it needs no token itself and reveals nothing else.
    if (strcmp (path, "/api/auth") == 0) {
        if (!get)
            return s_error (self, conn, 405, "method %s not allowed on %s", method, path);
        rs_websec_policy_t policy = { self->read_token, self->write_token };
        const char *token = s_token (conn, NULL);
        return s_send_json (self, conn, 200,
                            json_pack ("{s:b, s:b, s:b, s:b, s:b}", "read_auth", *self->read_token != 0, "write_auth",
                                       *self->write_token != 0, "can_read",
                                       rs_websec_check (&policy, false, token) == RS_WEBSEC_ALLOW, "can_write",
                                       rs_websec_check (&policy, true, token) == RS_WEBSEC_ALLOW, "token",
                                       token != NULL));
    }
    //  Anything but GET/HEAD changes state (acknowledge, thresholds). A read
    //  may carry its token as "token" (a download link cannot send headers).
    int denied = s_authorize (self, conn, !get, get ? params : NULL);
    if (denied)
        return denied;
    for (size_t i = 0; get && i < params->n; i++)
        if (strcmp (params->key[i], "token") == 0) {
            params->n--;
            memmove (&params->key[i], &params->key[i + 1], (params->n - i) * sizeof params->key[0]);
            memmove (&params->value[i], &params->value[i + 1], (params->n - i) * sizeof params->value[0]);
            break;
        }
    static const char *const none[] = { NULL };

    if (strncmp (path, "/api/alerts/", 12) == 0 && strlen (path) > 12) {
        char id[32];
        const char *rest = path + 12;
        const char *slash = strchr (rest, '/');
        if (!slash || strcmp (slash, "/ack") != 0 || (size_t) (slash - rest) >= sizeof id)
            return s_error (self, conn, 404, "no such path: %s", path);
        if (strcmp (method, "POST") != 0)
            return s_error (self, conn, 405, "use POST to acknowledge an alert");
        memcpy (id, rest, (size_t) (slash - rest));
        id[slash - rest] = 0;
        return s_api_ack (self, conn, id);
    }
    static const struct {
        const char *path;
        bool put;
    } routes[] = {
        { "/api/health", false }, { "/api/wells", false },   { "/api/channels", false },
        { "/api/history", false }, { "/api/alerts", false }, { "/api/thresholds", true },
        { "/api/export.csv", false },
    };
    size_t r = 0;
    while (r < sizeof routes / sizeof routes[0] && strcmp (routes[r].path, path) != 0)
        r++;
    if (r == sizeof routes / sizeof routes[0])
        return s_error (self, conn, 404, "no such path: %s", path);
    if (!get && !(routes[r].put && strcmp (method, "PUT") == 0))
        return s_error (self, conn, 405, "method %s not allowed on %s", method, path);
    switch (r) {
    case 0:
    case 1:
    case 2:
    case 5:
        if (rs_webapi_check_params (params, none, err, sizeof err) != 0)
            return s_error (self, conn, 400, "%s", err);
        return r == 0 ? s_api_health (self, conn)
             : r == 1 ? s_api_wells (self, conn)
             : r == 2 ? s_api_channels (self, conn)
                      : s_api_thresholds (self, conn, get ? "GET" : method);
    case 3:
        return s_api_history (self, conn, params);
    case 4:
        return s_api_alerts (self, conn, params);
    default:
        return s_api_export (self, conn, params);
    }
}

// ---------------------------------------------------------------------------
// The frontend tree

static int
s_on_file (struct mg_connection *conn, void *cbdata)
{
    rs_web_t *self = cbdata;
    const struct mg_request_info *ri = mg_get_request_info (conn);
    if (s_too_many_headers (self, conn))
        return s_error (self, conn, 431, "too many headers (at most %d)", MG_MAX_HEADERS - 1);
    int wait = s_rate_take (self, conn);
    if (wait)
        return s_too_many (self, conn, wait);
    if (strcmp (ri->request_method, "GET") != 0 && strcmp (ri->request_method, "HEAD") != 0)
        return s_error (self, conn, 405, "method %s not allowed", ri->request_method);
    //  civetweb leaves the path encoded (decode_url=no) so that a "%00"
    //  is seen here and refused rather than silently cutting the path.
    const char *raw = ri->local_uri_raw ? ri->local_uri_raw : ri->local_uri;
    char *file = malloc (3 * PATH_MAX);
    if (!file)
        return s_error (self, conn, 500, "out of memory");
    char *real = file + PATH_MAX, *path = file + 2 * PATH_MAX;
    if (!raw || rs_webapi_decode_path (raw, path, PATH_MAX) != 0) {
        free (file);
        return s_error (self, conn, 400, "bad path");
    }
    struct stat st;
    size_t root_len = strlen (self->root);
    //  Decoded path checked, then the real path must still be inside the
    //  real root (a symlink out of the tree is refused too).
    if (!path || rs_webapi_static_path (self->root, path, file, PATH_MAX) != 0 || !realpath (file, real)
        || strncmp (real, self->root, root_len) != 0 || real[root_len] != '/' || stat (real, &st) != 0
        || !S_ISREG (st.st_mode)) {
        free (file);
        return s_error (self, conn, 404, "not found");
    }
    atomic_fetch_add (&self->requests, 1);
    mg_send_mime_file2 (conn, real, rs_webapi_mime (real), "X-Content-Type-Options: nosniff\r\n");
    free (file);
    return 200;
}

// ---------------------------------------------------------------------------
// WebSocket clients

static void *
s_writer (void *arg)
{
    s_wsconn_t *ws = arg;
    for (;;) {
        int64_t now = rs_clock_mono_ms (), next = -1;
        char *text = rs_hub_client_poll (ws->client, now, &next);
        if (text) {
            int rc = mg_websocket_write (ws->conn, MG_WEBSOCKET_OPCODE_TEXT, text, strlen (text));
            free (text);
            if (rc <= 0) {
                //  The peer is gone or stuck past the write timeout: stop
                //  here; civetweb's reader ends the connection.
                atomic_fetch_add (&ws->web->ws_write_errors, 1);
                rs_hub_client_close (ws->client);
                break;
            }
            continue;
        }
        if (rs_hub_client_closed (ws->client))
            break;
        int64_t wait = next < 0 ? 1000 : next - now;
        rs_hub_client_wait (ws->client, (int) (wait < 1 ? 1 : wait > 1000 ? 1000 : wait));
    }
    return NULL;
}

//  Before the handshake: rate, origin, read token, number of clients.
//  Returning non-zero makes civetweb close the connection unanswered.
static int
s_ws_connect (const struct mg_connection *conn, void *cbdata)
{
    rs_web_t *self = cbdata;
    const struct mg_request_info *ri = mg_get_request_info (conn);
    if (s_too_many_headers (self, conn) || s_rate_take (self, conn))
        return 1;
    const char *origin = mg_get_header (conn, "Origin");
    if (!rs_websec_origin_ok (origin, mg_get_header (conn, "Host"), ri->is_ssl, self->allow_origins)) {
        atomic_fetch_add (&self->origin_refused, 1);
        s_warn_limited (self, &self->log_origin, "refusing a WebSocket from %s: origin %.200s not allowed",
                        ri->remote_addr, origin);
        return 1;
    }
    rs_webapi_params_t *params = malloc (sizeof *params);
    char err[256];
    if (!params || rs_webapi_parse_query (ri->query_string, params, err, sizeof err) != 0) {
        free (params);
        return 1;
    }
    rs_websec_policy_t policy = { self->read_token, self->write_token };
    rs_websec_verdict_t v = rs_websec_check (&policy, false, s_token (conn, params));
    free (params);
    if (v != RS_WEBSEC_ALLOW) {
        atomic_fetch_add (&self->auth_failed, 1);
        s_warn_limited (self, &self->log_auth, "refusing a WebSocket from %s: no valid read token", ri->remote_addr);
        return 1;
    }
    if (atomic_load (&self->clients) >= self->max_clients) {
        atomic_fetch_add (&self->ws_refused, 1);
        s_warn_limited (self, &self->log_ws, "refusing a WebSocket client: %d already connected", self->max_clients);
        return 1;
    }
    return 0;
}

static void
s_ws_push_json (rs_hub_client_t *client, json_t *doc)
{
    char *text = doc ? json_dumps (doc, JSON_FLAGS) : NULL;
    json_decref (doc);
    if (text)
        rs_hub_client_push (client, text);
}

//  Caps the kernel send buffer of a WebSocket connection. Left to
//  autotuning it grows to megabytes, which would queue many seconds of
//  stale samples for a slow browser before our newest-first coalescing
//  starts. civetweb 1.15 has no call that gives the socket, so it is found
//  by its peer and local ports. Returns 0, or -1 when not found.
static int
s_ws_limit_sndbuf (struct mg_connection *conn)
{
    const struct mg_request_info *ri = mg_get_request_info (conn);
    struct rlimit rl;
    int max_fd = getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (int) rl.rlim_cur : 65536;
    for (int fd = 3; fd < max_fd; fd++) {
        struct sockaddr_storage peer, local;
        socklen_t plen = sizeof peer, llen = sizeof local;
        if (getpeername (fd, (struct sockaddr *) &peer, &plen) != 0
            || getsockname (fd, (struct sockaddr *) &local, &llen) != 0)
            continue;
        char addr[INET6_ADDRSTRLEN] = "";
        int pport = 0, lport = 0;
        if (peer.ss_family == AF_INET) {
            const struct sockaddr_in *p = (const struct sockaddr_in *) &peer;
            inet_ntop (AF_INET, &p->sin_addr, addr, sizeof addr);
            pport = ntohs (p->sin_port);
            lport = ntohs (((const struct sockaddr_in *) &local)->sin_port);
        }
        else if (peer.ss_family == AF_INET6) {
            const struct sockaddr_in6 *p = (const struct sockaddr_in6 *) &peer;
            inet_ntop (AF_INET6, &p->sin6_addr, addr, sizeof addr);
            pport = ntohs (p->sin6_port);
            lport = ntohs (((const struct sockaddr_in6 *) &local)->sin6_port);
        }
        if (pport == ri->remote_port && lport == ri->server_port && strcmp (addr, ri->remote_addr) == 0) {
            int size = WS_SNDBUF;
            return setsockopt (fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
        }
    }
    return -1;
}

static void
s_ws_ready (struct mg_connection *conn, void *cbdata)
{
    rs_web_t *self = cbdata;
    s_wsconn_t *ws = calloc (1, sizeof *ws);
    if (!ws)
        return;
    ws->web = self;
    ws->conn = conn;
    if (s_ws_limit_sndbuf (conn) != 0)
        rs_debug ("WebSocket from %s: socket not found, send buffer left to the kernel",
                  mg_get_request_info (conn)->remote_addr);
    json_t *hello = json_pack ("{s:s, s:s, s:f}", "type", "hello", "version", RS_VERSION, "max_rate_hz",
                               RS_HUB_DEFAULT_RATE_HZ);
    char *greeting = hello ? json_dumps (hello, JSON_FLAGS) : NULL;
    json_decref (hello);
    ws->client = rs_hub_attach (self->hub, rs_clock_mono_ms (), greeting);
    free (greeting);
    if (!ws->client) {
        free (ws);
        return;
    }
    if (pthread_create (&ws->writer, NULL, s_writer, ws) != 0) {
        rs_hub_detach (self->hub, &ws->client);
        free (ws);
        return;
    }
    ws->writer_started = true;
    atomic_fetch_add (&self->clients, 1);
    atomic_fetch_add (&self->ws_accepted, 1);
    mg_set_user_connection_data (conn, ws);
    rs_debug ("WebSocket client %llu from %s", (unsigned long long) rs_hub_client_id (ws->client),
              mg_get_request_info (conn)->remote_addr);
}

//  History since `since_us` for each well the client follows, queued ahead
//  of live values. Runs in the connection's own civetweb thread.
static void
s_ws_since (rs_web_t *self, s_wsconn_t *ws, const rs_hub_filter_t *f, int64_t since_us)
{
    char err[256];
    rs_history_t *h = s_history_open (self, err, sizeof err);
    if (!h) {
        s_ws_push_json (ws->client, json_pack ("{s:s, s:s}", "type", "error", "message", "history not available"));
        return;
    }
    json_t *wells = json_array ();
    if (f->n_wells)
        for (size_t i = 0; i < f->n_wells; i++)
            json_array_append_new (wells, json_string (f->wells[i]));
    else {
        json_t *recorded = NULL;
        size_t i;
        json_t *w;
        if (rs_history_wells (h, &recorded) == RS_HIST_OK)
            json_array_foreach (recorded, i, w)
                json_array_append (wells, json_object_get (w, "well"));
        json_decref (recorded);
    }
    const char *names[RS_HUB_MAX_FILTER];
    size_t n = 0;
    if (f->n_channels)
        for (; n < f->n_channels; n++)
            names[n] = f->channels[n];
    else
        for (; n < RS_CH_COUNT && n < RS_HUB_MAX_FILTER; n++)
            names[n] = rs_chan_info ((int) n)->name;
    size_t i;
    json_t *w;
    json_array_foreach (wells, i, w) {
        rs_hist_query_t q = { .well = json_string_value (w), .from_us = since_us, .to_us = rs_clock_now_us (),
                              .channels = names, .n_channels = n };
        json_t *doc = NULL;
        int rc = rs_history_samples (h, &q, SINCE_MAX_ROWS, &doc);
        if (rc == RS_HIST_E_TOO_MANY) {
            //  Too much to send raw: the range's mean per bucket instead.
            json_t *range = NULL;
            rc = rs_history_range (h, &q, SINCE_POINTS, &range);
            if (rc == RS_HIST_OK) {
                doc = json_pack ("{s:s, s:s, s:I, s:I, s:b, s:O, s:o, s:o}", "type", "history", "well", q.well,
                                 "from", (json_int_t) q.from_us, "to", (json_int_t) q.to_us, "downsampled", 1,
                                 "ts", json_object_get (range, "t"), "channels", json_array (), "values",
                                 json_object ());
                const char *name;
                json_t *c;
                json_object_foreach (json_object_get (range, "channels"), name, c) {
                    json_array_append_new (json_object_get (doc, "channels"), json_string (name));
                    json_object_set (json_object_get (doc, "values"), name, json_object_get (c, "mean"));
                }
                json_decref (range);
            }
        }
        if (rc == RS_HIST_OK)
            s_ws_push_json (ws->client, doc);
        else
            s_ws_push_json (ws->client, json_pack ("{s:s, s:s, s:s}", "type", "error", "well", q.well, "message",
                                                   rs_history_detail (h)));
    }
    json_decref (wells);
    rs_history_close (&h);
}

static void s_ws_message (rs_web_t *self, s_wsconn_t *ws, const char *data, size_t len, rs_hub_filter_t *filter);

//  Closes a WebSocket with a status code (RFC 6455 7.4) and a reason.
static int
s_ws_refuse (struct mg_connection *conn, int code, const char *reason)
{
    char frame[125];
    size_t n = strlen (reason);
    if (n > sizeof frame - 2)
        n = sizeof frame - 2;
    frame[0] = (char) (code >> 8);
    frame[1] = (char) (code & 0xff);
    memcpy (frame + 2, reason, n);
    mg_websocket_write (conn, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, frame, n + 2);
    return 0;
}

static int
s_ws_data (struct mg_connection *conn, int bits, char *data, size_t len, void *cbdata)
{
    rs_web_t *self = cbdata;
    s_wsconn_t *ws = mg_get_user_connection_data (conn);
    const char *addr = mg_get_request_info (conn)->remote_addr;
    int opcode = bits & 0x0f;
    if (opcode == MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE)
        return 0;
    if (!ws)
        return 0;
    //  Clients send short text messages in one frame; civetweb answers pings.
    if (opcode == MG_WEBSOCKET_OPCODE_PONG || opcode == MG_WEBSOCKET_OPCODE_PING)
        return 1;
    if (opcode != MG_WEBSOCKET_OPCODE_TEXT || !(bits & 0x80) || (bits & 0x70)) {
        atomic_fetch_add (&self->ws_bad_frames, 1);
        s_warn_limited (self, &self->log_ws, "closing the WebSocket of %s: frame 0x%02x (only unfragmented text)",
                        addr, (unsigned) bits & 0xff);
        return s_ws_refuse (conn, opcode == MG_WEBSOCKET_OPCODE_BINARY ? 1003 : 1002,
                            "only unfragmented text messages");
    }
    if (len > self->ws_max_message) {
        atomic_fetch_add (&self->ws_too_large, 1);
        s_warn_limited (self, &self->log_ws, "closing the WebSocket of %s: a %zu-byte message (at most %zu)", addr,
                        len, self->ws_max_message);
        return s_ws_refuse (conn, 1009, "message too big");
    }
    if (s_rate_take (self, conn)) {
        s_ws_push_json (ws->client, json_pack ("{s:s, s:s}", "type", "error", "message",
                                               "too many messages: this one was ignored"));
        return 1;
    }
    rs_hub_filter_t *filter = malloc (sizeof *filter);
    if (!filter)
        return 1;
    s_ws_message (self, ws, data, len, filter);
    free (filter);
    return 1;
}

static void
s_ws_message (rs_web_t *self, s_wsconn_t *ws, const char *data, size_t len, rs_hub_filter_t *filter)
{
    int64_t since = 0;
    char err[256];
    int type = rs_webapi_parse_client_msg (data, len, filter, &since, err, sizeof err);
    if (type < 0) {
        atomic_fetch_add (&self->ws_bad_messages, 1);
        s_warn_limited (self, &self->log_ws, "bad WebSocket message from %s: %s",
                        mg_get_request_info (ws->conn)->remote_addr, err);
        s_ws_push_json (ws->client, json_pack ("{s:s, s:s}", "type", "error", "message", err));
        return;
    }
    if (type == RS_WEBAPI_MSG_PING) {
        s_ws_push_json (ws->client, json_pack ("{s:s, s:I}", "type", "pong", "ts", (json_int_t) rs_clock_now_us ()));
        return;
    }
    json_t *wells = json_array (), *chans = json_array ();
    for (size_t i = 0; i < filter->n_wells; i++)
        json_array_append_new (wells, json_string (filter->wells[i]));
    for (size_t i = 0; i < filter->n_channels; i++)
        json_array_append_new (chans, json_string (filter->channels[i]));
    //  The acknowledgement marks the switch: what follows it obeys the new
    //  filter. History is queued next, ahead of live values still pending.
    json_t *ack = json_pack ("{s:s, s:o, s:o, s:f}", "type", "subscribed", "wells", wells, "channels", chans,
                             "max_rate_hz", filter->max_rate_hz);
    char *text = ack ? json_dumps (ack, JSON_FLAGS) : NULL;
    json_decref (ack);
    rs_hub_client_filter (self->hub, ws->client, filter, text, rs_clock_mono_ms ());
    free (text);
    if (since)
        s_ws_since (self, ws, filter, since);
}

static void
s_ws_close (const struct mg_connection *conn, void *cbdata)
{
    rs_web_t *self = cbdata;
    s_wsconn_t *ws = mg_get_user_connection_data (conn);
    if (!ws)
        return;
    rs_hub_client_close (ws->client);
    if (ws->writer_started)
        pthread_join (ws->writer, NULL);
    uint64_t sent = 0, dropped = 0;
    rs_hub_client_counts (ws->client, &sent, &dropped);
    rs_debug ("WebSocket client %llu closed: %llu sent, %llu dropped",
              (unsigned long long) rs_hub_client_id (ws->client), (unsigned long long) sent,
              (unsigned long long) dropped);
    rs_hub_detach (self->hub, &ws->client);
    mg_set_user_connection_data (conn, NULL);
    free (ws);
    atomic_fetch_sub (&self->clients, 1);
}

// ---------------------------------------------------------------------------

static int
s_log_message (const struct mg_connection *conn, const char *message)
{
    rs_web_t *self = conn ? mg_get_user_data (mg_get_context (conn)) : NULL;
    if (self) {
        atomic_fetch_add (&self->server_errors, 1);
        s_warn_limited (self, &self->log_http, "http: %s", message);
    }
    else
        rs_warn ("http: %s", message);
    return 1;
}

//  civetweb refuses a malformed request (bad request line, headers too
//  large, bad Host...) before any handler sees it: count it here and let
//  civetweb send its own answer. Our handlers answer their errors
//  themselves, so this sees only civetweb's.
static int
s_http_error (struct mg_connection *conn, int status, const char *msg)
{
    rs_web_t *self = mg_get_user_data (mg_get_context (conn));
    if (self) {
        atomic_fetch_add (&self->http_rejected, 1);
        s_warn_limited (self, &self->log_http, "refused a request from %s: %d %s",
                        mg_get_request_info (conn)->remote_addr, status, msg ? msg : "");
    }
    return 1;
}

//  Loads the OpenSSL 3 shim for civetweb (rs_sslcompat.c), from next to
//  the binary, else where the package installs it, else from the build
//  tree. Stays loaded for the process.
static void
s_load_sslcompat (void)
{
#ifdef RS_SSLCOMPAT
    char exe[PATH_MAX];
    ssize_t n = readlink ("/proc/self/exe", exe, sizeof exe - 1);
    void *h = NULL;
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr (exe, '/');
        if (slash && (size_t) (slash - exe) + sizeof RS_SSLCOMPAT_NAME + 1 < sizeof exe) {
            strcpy (slash + 1, RS_SSLCOMPAT_NAME);
            h = dlopen (exe, RTLD_NOW | RTLD_GLOBAL);
        }
    }
    if (!h)
        h = dlopen ("/usr/lib/rigstream/" RS_SSLCOMPAT_NAME, RTLD_NOW | RTLD_GLOBAL);
    if (!h)
        h = dlopen (RS_SSLCOMPAT, RTLD_NOW | RTLD_GLOBAL);
    if (!h)
        rs_debug ("OpenSSL shim not loaded: %s", dlerror ());
#endif
}

rs_web_t *
rs_web_new (const rs_web_opts_t *opts, rs_hub_t *hub, rs_alerts_t *alerts)
{
    if (!mg_check_feature (MG_FEATURES_WEBSOCKET)) {
        rs_error ("this civetweb library has no WebSocket support");
        return NULL;
    }
    rs_web_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->hub = hub;
    self->alerts = alerts;
    self->max_clients = opts->max_clients > 0 ? opts->max_clients : 32;
    self->stale_ms = opts->stale_ms > 0 ? opts->stale_ms : 5000;
    self->control_timeout_ms = opts->control_timeout_ms > 0 ? opts->control_timeout_ms : 1500;
    self->display_units = opts->display_units;
    self->started_ms = rs_clock_mono_ms ();
    snprintf (self->db_path, sizeof self->db_path, "%s", opts->db_path ? opts->db_path : "");
    snprintf (self->broker_control, sizeof self->broker_control, "%s", opts->broker_control);
    snprintf (self->engine_control, sizeof self->engine_control, "%s", opts->engine_control);
    self->curve = opts->curve;
    snprintf (self->engine_key, sizeof self->engine_key, "%s", opts->engine_key ? opts->engine_key : "");
    snprintf (self->read_token, sizeof self->read_token, "%s", opts->read_token ? opts->read_token : "");
    snprintf (self->write_token, sizeof self->write_token, "%s", opts->write_token ? opts->write_token : "");
    snprintf (self->allow_origins, sizeof self->allow_origins, "%s", opts->allow_origins ? opts->allow_origins : "");
    self->max_body = opts->max_body ? opts->max_body : 65536;
    self->ws_max_message = opts->ws_max_message ? opts->ws_max_message : 4096;
    self->tls = opts->tls_cert && *opts->tls_cert;
    pthread_mutex_init (&self->log_lock, NULL);
    double burst = opts->rate_burst > 0 ? opts->rate_burst : 4 * opts->rate_limit;
    self->rate = rs_ratelimit_new (opts->rate_limit, burst < 10 ? 10 : burst, RATE_SLOTS);
    if (!self->rate || !realpath (opts->root, self->root)) {
        rs_error ("frontend directory %s: %s", opts->root, strerror (errno));
        rs_ratelimit_destroy (&self->rate);
        pthread_mutex_destroy (&self->log_lock);
        free (self);
        return NULL;
    }
    if (self->tls && !mg_check_feature (MG_FEATURES_TLS)) {
        rs_error ("WEB_TLS_CERT is set but this civetweb library was built without TLS");
        rs_ratelimit_destroy (&self->rate);
        pthread_mutex_destroy (&self->log_lock);
        free (self);
        return NULL;
    }
    char ports[300], threads[16];
    //  IPv6 addresses go in brackets in civetweb's listening_ports; "s"
    //  makes the port a TLS one.
    const char *tls = self->tls ? "s" : "";
    if (strchr (opts->host, ':'))
        snprintf (ports, sizeof ports, "[%s]:%d%s", opts->host, opts->port, tls);
    else
        snprintf (ports, sizeof ports, "%s:%d%s", opts->host, opts->port, tls);
    //  Each WebSocket holds a worker thread; keep some for plain requests.
    snprintf (threads, sizeof threads, "%d", self->max_clients + 16);
    const char *options[] = {
        "listening_ports", ports,
        "num_threads", threads,
        "request_timeout_ms", "10000",
        "websocket_timeout_ms", "10000",
        "enable_websocket_ping_pong", "yes",
        "enable_keep_alive", "no",
        "decode_url", "no",
        NULL, NULL,     //  TLS: certificate
        NULL, NULL,     //  TLS: protocol versions
        NULL
    };
    if (self->tls) {
        size_t n = 0;
        while (options[n])
            n++;
        options[n] = "ssl_certificate";
        options[n + 1] = opts->tls_cert;
        options[n + 2] = "ssl_protocol_version";
        options[n + 3] = "4";   //  TLS 1.2 and newer only
    }
    struct mg_callbacks callbacks = { 0 };
    callbacks.log_message = s_log_message;
    callbacks.http_error = s_http_error;
    //  Loads OpenSSL (civetweb opens libssl.so and libcrypto.so at run time).
    if (self->tls)
        s_load_sslcompat ();
    unsigned features = mg_init_library (self->tls ? MG_FEATURES_TLS : 0);
    if (self->tls && !(features & MG_FEATURES_TLS)) {
        mg_exit_library ();
        rs_error ("cannot start TLS: civetweb could not load OpenSSL (libssl.so and libcrypto.so; on Debian "
                  "they come with libssl-dev)");
        rs_ratelimit_destroy (&self->rate);
        pthread_mutex_destroy (&self->log_lock);
        free (self);
        return NULL;
    }
    char why[256] = "";
    struct mg_init_data init = { .callbacks = &callbacks, .user_data = self, .configuration_options = options };
    struct mg_error_data error = { .text = why, .text_buffer_size = sizeof why };
    self->ctx = mg_start2 (&init, &error);
    if (!self->ctx) {
        if (self->tls)
            rs_error ("cannot serve HTTPS on %s with %s: %s", ports, opts->tls_cert, *why ? why : "unknown error");
        else
            rs_error ("cannot listen on %s: %s (port in use, or a bad WEB_HOST?)", ports,
                      *why ? why : "unknown error");
        mg_exit_library ();
        rs_ratelimit_destroy (&self->rate);
        pthread_mutex_destroy (&self->log_lock);
        free (self);
        return NULL;
    }
    mg_set_request_handler (self->ctx, "/api", s_on_api, self);
    mg_set_websocket_handler (self->ctx, "/ws", s_ws_connect, s_ws_ready, s_ws_data, s_ws_close, self);
    mg_set_request_handler (self->ctx, "/", s_on_file, self);
    return self;
}

void
rs_web_destroy (rs_web_t **self_p)
{
    rs_web_t *self = *self_p;
    if (!self)
        return;
    mg_stop (self->ctx);
    mg_exit_library ();
    rs_ratelimit_destroy (&self->rate);
    pthread_mutex_destroy (&self->log_lock);
    free (self);
    *self_p = NULL;
}

void
rs_web_stats (rs_web_t *self, rs_web_stats_t *out)
{
    out->requests = atomic_load (&self->requests);
    out->errors = atomic_load (&self->errors);
    out->ws_accepted = atomic_load (&self->ws_accepted);
    out->ws_refused = atomic_load (&self->ws_refused);
    out->ws_write_errors = atomic_load (&self->ws_write_errors);
    out->auth_failed = atomic_load (&self->auth_failed);
    out->forbidden = atomic_load (&self->forbidden);
    out->origin_refused = atomic_load (&self->origin_refused);
    out->rate_limited = atomic_load (&self->rate_limited);
    out->body_too_large = atomic_load (&self->body_too_large);
    out->http_rejected = atomic_load (&self->http_rejected);
    out->server_errors = atomic_load (&self->server_errors);
    out->ws_bad_frames = atomic_load (&self->ws_bad_frames);
    out->ws_too_large = atomic_load (&self->ws_too_large);
    out->ws_bad_messages = atomic_load (&self->ws_bad_messages);
}
