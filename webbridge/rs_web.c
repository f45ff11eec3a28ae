/*  rs_web: civetweb glue for the web bridge. See rs_web.h and docs/WEB.md. */
#include "rs_web.h"

#include <civetweb.h>
#include <czmq.h>
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
#include "rs_clock.h"
#include "rs_curve.h"
#include "rs_history.h"
#include "rs_log.h"
#include "rs_webapi.h"

#define JSON_FLAGS        (JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION (12))
#define MAX_QUERY_PARAMS  16
#define MAX_BODY          (64 * 1024)
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
    int64_t started_ms;
    atomic_int clients;
    atomic_ullong requests, errors, ws_accepted, ws_refused, ws_write_errors;
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

typedef struct {
    size_t n;
    char key[MAX_QUERY_PARAMS][32];
    char value[MAX_QUERY_PARAMS][1024];
} s_params_t;

//  Splits and decodes a query string. Returns 0, or -1 with the reason.
static int
s_parse_query (const char *query, s_params_t *p, char *err, size_t errsize)
{
    p->n = 0;
    if (!query || !*query)
        return 0;
    char buf[4096];
    if (strlen (query) >= sizeof buf) {
        snprintf (err, errsize, "query string too long");
        return -1;
    }
    snprintf (buf, sizeof buf, "%s", query);
    char *save = NULL;
    for (char *part = strtok_r (buf, "&", &save); part; part = strtok_r (NULL, "&", &save)) {
        if (p->n == MAX_QUERY_PARAMS) {
            snprintf (err, errsize, "too many parameters");
            return -1;
        }
        char *eq = strchr (part, '=');
        if (eq)
            *eq = 0;
        if (mg_url_decode (part, (int) strlen (part), p->key[p->n], sizeof p->key[p->n], 1) < 0
            || mg_url_decode (eq ? eq + 1 : "", eq ? (int) strlen (eq + 1) : 0, p->value[p->n],
                              sizeof p->value[p->n], 1) < 0) {
            snprintf (err, errsize, "parameter too long");
            return -1;
        }
        for (size_t i = 0; i < p->n; i++)
            if (strcmp (p->key[i], p->key[p->n]) == 0) {
                snprintf (err, errsize, "parameter '%.31s' given twice", p->key[i]);
                return -1;
            }
        p->n++;
    }
    return 0;
}

static const char *
s_param (const s_params_t *p, const char *key)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp (p->key[i], key) == 0)
            return p->value[i];
    return NULL;
}

//  Rejects parameters not in the NULL-terminated list. Returns 0 or -1.
static int
s_check_params (const s_params_t *p, const char *const *allowed, char *err, size_t errsize)
{
    for (size_t i = 0; i < p->n; i++) {
        bool ok = false;
        for (size_t j = 0; allowed[j] && !ok; j++)
            ok = strcmp (p->key[i], allowed[j]) == 0;
        if (!ok) {
            snprintf (err, errsize, "unknown parameter '%.31s'", p->key[i]);
            return -1;
        }
    }
    return 0;
}

//  Reads the request body (at most MAX_BODY). Returns a fresh NUL-terminated
//  buffer (possibly empty), or NULL when too large or unreadable.
static char *
s_read_body (struct mg_connection *conn, size_t *len)
{
    long long declared = mg_get_request_info (conn)->content_length;
    if (declared > MAX_BODY)
        return NULL;
    char *buf = malloc (MAX_BODY + 1);
    if (!buf)
        return NULL;
    size_t n = 0;
    for (;;) {
        int r = mg_read (conn, buf + n, MAX_BODY + 1 - n);
        if (r <= 0)
            break;
        n += (size_t) r;
        if (n > MAX_BODY) {
            free (buf);
            return NULL;
        }
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

//  The common history parameters: well, from, to, channels.
typedef struct {
    char well[RS_MAX_ID + 1];
    int64_t from_us, to_us;
    char channels[RS_WEBAPI_MAX_CHANNELS][RS_MAX_CHNAME + 1];
    const char *names[RS_WEBAPI_MAX_CHANNELS];
    size_t n_channels;
} s_range_t;

static int
s_parse_range (const s_params_t *p, s_range_t *r, char *err, size_t errsize)
{
    const char *well = s_param (p, "well");
    if (!well || !*well) {
        snprintf (err, errsize, "missing parameter 'well'");
        return -1;
    }
    if (!rs_id_valid (well, strlen (well))) {
        snprintf (err, errsize, "bad 'well': 1-64 characters of A-Z a-z 0-9 _ -");
        return -1;
    }
    snprintf (r->well, sizeof r->well, "%s", well);
    const char *to = s_param (p, "to"), *from = s_param (p, "from");
    r->to_us = rs_clock_now_us ();
    if (to && rs_webapi_parse_time (to, &r->to_us) != 0) {
        snprintf (err, errsize, "bad 'to': expected ISO 8601 or microseconds since the epoch");
        return -1;
    }
    r->from_us = r->to_us - (int64_t) HISTORY_DEFAULT_S * 1000000;
    if (from && rs_webapi_parse_time (from, &r->from_us) != 0) {
        snprintf (err, errsize, "bad 'from': expected ISO 8601 or microseconds since the epoch");
        return -1;
    }
    if (r->from_us > r->to_us) {
        snprintf (err, errsize, "'from' is after 'to'");
        return -1;
    }
    const char *channels = s_param (p, "channels");
    if (channels) {
        if (rs_webapi_parse_channels (channels, r->channels, RS_WEBAPI_MAX_CHANNELS, &r->n_channels, err,
                                      errsize) != 0)
            return -1;
    }
    else {
        for (size_t i = 0; i < N_DEFAULT_CHANNELS; i++)
            snprintf (r->channels[i], sizeof r->channels[i], "%s", rs_chan_info (s_default_channels[i])->name);
        r->n_channels = N_DEFAULT_CHANNELS;
    }
    for (size_t i = 0; i < r->n_channels; i++)
        r->names[i] = r->channels[i];
    return 0;
}

static rs_hist_query_t
s_hist_query (const s_range_t *r)
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
    json_t *st = status ? json_loads (status, 0, NULL) : NULL;
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
    json_t *doc = json_object ();
    json_object_set_new (doc, "channels", arr);
    return s_send_json (self, conn, 200, doc);
}

static int
s_api_history (rs_web_t *self, struct mg_connection *conn, const s_params_t *p)
{
    static const char *const allowed[] = { "well", "from", "to", "channels", "points", NULL };
    char err[256];
    s_range_t r;
    if (s_check_params (p, allowed, err, sizeof err) != 0 || s_parse_range (p, &r, err, sizeof err) != 0)
        return s_error (self, conn, 400, "%s", err);
    long points = 500;
    const char *pts = s_param (p, "points");
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
s_api_export (rs_web_t *self, struct mg_connection *conn, const s_params_t *p)
{
    static const char *const allowed[] = { "well", "from", "to", "channels", NULL };
    char err[256];
    s_range_t r;
    if (s_check_params (p, allowed, err, sizeof err) != 0 || s_parse_range (p, &r, err, sizeof err) != 0)
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
s_api_alerts (rs_web_t *self, struct mg_connection *conn, const s_params_t *p)
{
    static const char *const allowed[] = { "well", NULL };
    char err[256];
    if (s_check_params (p, allowed, err, sizeof err) != 0)
        return s_error (self, conn, 400, "%s", err);
    const char *well = s_param (p, "well");
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
    char *body = s_read_body (conn, &len);
    if (!body)
        return s_error (self, conn, 400, "body too large (at most %d bytes)", MAX_BODY);
    char by[65] = "";
    if (len) {
        json_error_t jerr;
        json_t *doc = json_loadb (body, len, 0, &jerr);
        json_t *b = json_object_get (doc, "by");
        bool ok = json_is_object (doc) && (!b || (json_is_string (b) && json_string_length (b) <= 64));
        if (ok && b)
            snprintf (by, sizeof by, "%s", json_string_value (b));
        json_decref (doc);
        if (!ok) {
            free (body);
            return s_error (self, conn, 400, "body must be empty or a JSON object {\"by\": \"name\"}");
        }
    }
    free (body);
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
        char *body = s_read_body (conn, &len);
        if (!body)
            return s_error (self, conn, 400, "body too large (at most %d bytes)", MAX_BODY);
        json_error_t jerr;
        json_t *doc = json_loadb (body, len, JSON_REJECT_DUPLICATES, &jerr);
        free (body);
        if (!json_is_object (doc) || !json_is_array (json_object_get (doc, "rules"))
            || json_object_get (doc, "cmd")) {
            json_decref (doc);
            return s_error (self, conn, 400, "body must be a JSON object {\"rules\": [...], \"save\": true|false}");
        }
        //  The engine validates the rules themselves and names what is wrong.
        request = doc;
        json_object_set_new (request, "cmd", json_string ("set_thresholds"));
    }
    char *text = request ? json_dumps (request, JSON_COMPACT) : NULL;
    json_decref (request);
    if (!text)
        return s_error (self, conn, 500, "out of memory");
    char *reply = s_ask (self->curve, self->engine_key, self->engine_control, text, self->control_timeout_ms);
    free (text);
    if (!reply)
        return s_error (self, conn, 503, "prediction engine not answering on %s", self->engine_control);
    json_t *doc = json_loads (reply, 0, NULL);
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
                    s_params_t *params);

static int
s_on_api (struct mg_connection *conn, void *cbdata)
{
    rs_web_t *self = cbdata;
    const struct mg_request_info *ri = mg_get_request_info (conn);
    //  civetweb's worker threads have small stacks (100 KB in Debian's
    //  build): anything big lives on the heap.
    s_params_t *params = malloc (sizeof *params);
    if (!params)
        return s_error (self, conn, 500, "out of memory");
    int status = s_route (self, conn, ri, params);
    free (params);
    return status;
}

static int
s_route (rs_web_t *self, struct mg_connection *conn, const struct mg_request_info *ri, s_params_t *params)
{
    const char *path = ri->local_uri;
    const char *method = ri->request_method;
    bool get = strcmp (method, "GET") == 0 || strcmp (method, "HEAD") == 0;
    char err[256];
    if (s_parse_query (ri->query_string, params, err, sizeof err) != 0)
        return s_error (self, conn, 400, "%s", err);
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
        if (s_check_params (params, none, err, sizeof err) != 0)
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
    if (strcmp (ri->request_method, "GET") != 0 && strcmp (ri->request_method, "HEAD") != 0)
        return s_error (self, conn, 405, "method %s not allowed", ri->request_method);
    const char *path = ri->local_uri_raw ? ri->local_uri_raw : ri->local_uri;
    char *file = malloc (2 * PATH_MAX);
    if (!file)
        return s_error (self, conn, 500, "out of memory");
    char *real = file + PATH_MAX;
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

static int
s_ws_connect (const struct mg_connection *conn, void *cbdata)
{
    (void) conn;
    rs_web_t *self = cbdata;
    if (atomic_load (&self->clients) >= self->max_clients) {
        atomic_fetch_add (&self->ws_refused, 1);
        rs_warn ("refusing a WebSocket client: %d already connected", self->max_clients);
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

static int
s_ws_data (struct mg_connection *conn, int bits, char *data, size_t len, void *cbdata)
{
    rs_web_t *self = cbdata;
    s_wsconn_t *ws = mg_get_user_connection_data (conn);
    int opcode = bits & 0x0f;
    if (opcode == MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE)
        return 0;
    if (!ws || opcode != MG_WEBSOCKET_OPCODE_TEXT)
        return 1;
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
    (void) conn;
    rs_warn ("http: %s", message);
    return 1;
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
    self->started_ms = rs_clock_mono_ms ();
    snprintf (self->db_path, sizeof self->db_path, "%s", opts->db_path ? opts->db_path : "");
    snprintf (self->broker_control, sizeof self->broker_control, "%s", opts->broker_control);
    snprintf (self->engine_control, sizeof self->engine_control, "%s", opts->engine_control);
    self->curve = opts->curve;
    snprintf (self->engine_key, sizeof self->engine_key, "%s", opts->engine_key ? opts->engine_key : "");
    if (!realpath (opts->root, self->root)) {
        rs_error ("frontend directory %s: %s", opts->root, strerror (errno));
        free (self);
        return NULL;
    }
    char ports[300], threads[16];
    //  IPv6 addresses go in brackets in civetweb's listening_ports.
    if (strchr (opts->host, ':'))
        snprintf (ports, sizeof ports, "[%s]:%d", opts->host, opts->port);
    else
        snprintf (ports, sizeof ports, "%s:%d", opts->host, opts->port);
    //  Each WebSocket holds a worker thread; keep some for plain requests.
    snprintf (threads, sizeof threads, "%d", self->max_clients + 16);
    const char *options[] = {
        "listening_ports", ports,
        "num_threads", threads,
        "request_timeout_ms", "10000",
        "websocket_timeout_ms", "10000",
        "enable_websocket_ping_pong", "yes",
        "enable_keep_alive", "no",
        NULL
    };
    struct mg_callbacks callbacks = { 0 };
    callbacks.log_message = s_log_message;
    mg_init_library (0);
    self->ctx = mg_start (&callbacks, self, options);
    if (!self->ctx) {
        rs_error ("cannot listen on %s (port in use, or a bad WEB_HOST?)", ports);
        mg_exit_library ();
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
}
