/*  rs_web: the web bridge's server and routing on civetweb. See rs_web.h
    and docs/WEB.md. Every request and WebSocket upgrade passes the one
    guard (rs_webguard) first; API requests then go through the routing
    table (rs_webroute) to their handler (rs_webrest); /ws is the WebSocket
    session (rs_websock); anything else is a file of the frontend tree.
    What the handlers do with a request (admit, cost, audit, answer) is
    rs_webreply, below them all. */
#include "rs_web.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rs_clock.h"
#include "rs_err.h"
#include "rs_log.h"
#include "rs_webapi.h"
#include "rs_webreply.h"
#include "rs_webrest.h"
#include "rs_webroute.h"
#include "rs_websock.h"
#include "rs_webtls.h"

//  glibc keeps the heap a large answer used (jansson's many small objects,
//  the text) for the next one: after large answers, this thread gives the
//  free pages back, so an idle bridge stays small.
static void *
s_trimmer (void *arg)
{
    rs_web_t *self = arg;
    pthread_mutex_lock (&self->trim_lock);
    while (!self->stopping) {
        struct timespec until;
        clock_gettime (CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait (&self->trim_cond, &self->trim_lock, &until);
        if (self->stopping || !rs_webcost_trim_due (self->cost))
            continue;
        pthread_mutex_unlock (&self->trim_lock);
        malloc_trim (0);
        pthread_mutex_lock (&self->trim_lock);
    }
    pthread_mutex_unlock (&self->trim_lock);
    return NULL;
}

// ---------------------------------------------------------------------------
// Routing

//  /api/...: the guard, the routing table, the handler. civetweb's worker
//  threads have small stacks (100 KB in Debian's build): the parameters
//  live on the heap.
static int
s_on_api (struct mg_connection *conn, void *cbdata)
{
    rs_web_t *self = cbdata;
    const struct mg_request_info *ri = mg_get_request_info (conn);
    rs_webapi_params_t *params = malloc (sizeof *params);
    if (!params)
        return rs_webreply_error (self, conn, 500, "out of memory");
    rs_webguard_verdict_t v;
    rs_webroute_t route;
    char err[256];
    int status;
    bool write = strcmp (ri->request_method, "GET") != 0 && strcmp (ri->request_method, "HEAD") != 0;
    if (rs_webreply_admit (self, conn, RS_WEBGUARD_API, params, &v) != 0) {
        rs_webreply_audit (self, conn, v.status, v.message);
        status = rs_webreply_refuse (self, conn, &v);
    }
    else if ((status = rs_webroute_match (ri->local_uri, ri->request_method, params, &route)) != 0) {
        snprintf (err, sizeof err, "%s", rs_errmsg ());
        if (write)
            rs_webreply_audit (self, conn, status, err);
        status = rs_webreply_error (self, conn, status, "%s", err);
    }
    else {
        //  A write's line is in the audit file before its answer leaves:
        //  the reply writes it (rs_webreply_send).
        rs_webreply_pending_t pending = { .audit = write };
        mg_set_user_connection_data (conn, &pending);
        status = rs_webrest_answer (self, conn, &route, params);
        mg_set_user_connection_data (conn, NULL);
        if (pending.audit)
            rs_webreply_audit (self, conn, status, NULL);
    }
    free (params);
    return status;
}

// ---------------------------------------------------------------------------
// The frontend tree

static int
s_on_file (struct mg_connection *conn, void *cbdata)
{
    rs_web_t *self = cbdata;
    const struct mg_request_info *ri = mg_get_request_info (conn);
    rs_webguard_verdict_t v;
    if (rs_webreply_admit (self, conn, RS_WEBGUARD_FILE, NULL, &v) != 0) {
        rs_webreply_audit (self, conn, v.status, v.message);
        return rs_webreply_refuse (self, conn, &v);
    }
    //  civetweb leaves the path encoded (decode_url=no) so that a "%00"
    //  is seen here and refused rather than silently cutting the path.
    const char *raw = ri->local_uri_raw ? ri->local_uri_raw : ri->local_uri;
    char *file = malloc (3 * PATH_MAX);
    if (!file)
        return rs_webreply_error (self, conn, 500, "out of memory");
    char *real = file + PATH_MAX, *path = file + 2 * PATH_MAX;
    if (!raw || rs_webapi_decode_path (raw, path, PATH_MAX) != 0) {
        free (file);
        return rs_webreply_error (self, conn, 400, "bad path");
    }
    struct stat st;
    size_t root_len = strlen (self->root);
    //  Decoded path checked, then the real path must still be inside the
    //  real root (a symlink out of the tree is refused too).
    if (!path || rs_webapi_static_path (self->root, path, file, PATH_MAX) != 0 || !realpath (file, real)
        || strncmp (real, self->root, root_len) != 0 || real[root_len] != '/' || stat (real, &st) != 0
        || !S_ISREG (st.st_mode)) {
        free (file);
        return rs_webreply_error (self, conn, 404, "not found");
    }
    atomic_fetch_add (&self->requests, 1);
    mg_send_mime_file2 (conn, real, rs_webapi_mime (real), "X-Content-Type-Options: nosniff\r\n");
    free (file);
    return 200;
}

// ---------------------------------------------------------------------------
// civetweb's own refusals and complaints

//  civetweb's complaints (a WebSocket frame it cannot hold...). May come
//  before the server has a context: logged only, then.
static int
s_log_message (const struct mg_connection *conn, const char *message)
{
    rs_web_t *self = conn ? mg_get_user_data (mg_get_context (conn)) : NULL;
    if (self)
        rs_webguard_server_error (self->guard, message);
    else
        rs_warn ("http: %s", message);
    return 1;
}

//  civetweb refuses a malformed request (bad request line, headers too
//  large, bad Host...) before any handler sees it: the guard counts it and
//  civetweb sends its own answer. Our handlers answer their errors
//  themselves, so this sees only civetweb's.
static void
s_connection_closed (const struct mg_connection *conn)
{
    rs_web_t *self = mg_get_user_data (mg_get_context (conn));
    if (self)
        rs_websock_connection_closed (self, conn);
}

static int
s_http_error (struct mg_connection *conn, int status, const char *msg)
{
    rs_web_t *self = mg_get_user_data (mg_get_context (conn));
    if (self)
        rs_webguard_http_refused (self->guard, mg_get_request_info (conn)->remote_addr, status, msg);
    return 1;
}

// ---------------------------------------------------------------------------
// The server

#define RS_WEB_OPTIONS 32           //  civetweb option names and values, and the NULL

//  The listening port and civetweb's options; TLS adds the certificate and
//  TLS 1.2 or newer. `options` has room for RS_WEB_OPTIONS entries.
static void
s_options (const rs_web_opts_t *opts, int max_clients, bool tls, char *ports, size_t ports_size, char *threads,
           size_t threads_size, const char **options)
{
    //  IPv6 addresses go in brackets in civetweb's listening_ports; "s"
    //  makes the port a TLS one.
    const char *s = tls ? "s" : "";
    if (strchr (opts->host, ':'))
        snprintf (ports, ports_size, "[%s]:%d%s", opts->host, opts->port, s);
    else
        snprintf (ports, ports_size, "%s:%d%s", opts->host, opts->port, s);
    //  Each WebSocket holds a worker thread; keep some for plain requests.
    snprintf (threads, threads_size, "%d", max_clients + 16);
    const char *base[] = {
        "listening_ports", ports,
        "num_threads", threads,
        "request_timeout_ms", "10000",
        "websocket_timeout_ms", "10000",
        "enable_websocket_ping_pong", "yes",
        "enable_keep_alive", "no",
        "decode_url", "no",
        //  No CORS: civetweb's defaults ("*") would answer every preflight
        //  and label files readable by any site. Empty hands OPTIONS to
        //  the guard, which refuses foreign origins.
        "access_control_allow_origin", "",
        "access_control_allow_methods", "",
        "access_control_allow_headers", "",
    };
    size_t n = sizeof base / sizeof base[0];
    memcpy (options, base, sizeof base);
    if (tls) {
        options[n++] = "ssl_certificate";
        options[n++] = opts->tls_cert;
        options[n++] = "ssl_protocol_version";
        options[n++] = "4";     //  TLS 1.2 and newer only
    }
    _Static_assert (sizeof base / sizeof base[0] + 4 < RS_WEB_OPTIONS, "room for civetweb's options");
    options[n] = NULL;
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
    int max_clients = opts->max_clients > 0 ? opts->max_clients : 32;
    self->stale_ms = opts->stale_ms > 0 ? opts->stale_ms : 5000;
    self->control_timeout_ms = opts->control_timeout_ms > 0 ? opts->control_timeout_ms : 1500;
    self->display_units = opts->display_units;
    self->started_ms = rs_clock_mono_ms ();
    snprintf (self->db_path, sizeof self->db_path, "%s", opts->db_path ? opts->db_path : "");
    snprintf (self->broker_control, sizeof self->broker_control, "%s", opts->broker_control);
    snprintf (self->engine_control, sizeof self->engine_control, "%s", opts->engine_control);
    self->curve = opts->curve;
    snprintf (self->engine_key, sizeof self->engine_key, "%s", opts->engine_key ? opts->engine_key : "");
    self->tls = opts->tls_cert && *opts->tls_cert;
    rs_webguard_opts_t guard = {
        .read_token = opts->read_token, .write_token = opts->write_token, .allow_origins = opts->allow_origins,
        .allowed_hosts = opts->allowed_hosts, .bind_host = opts->host, .port = opts->port,
        .rate_limit = opts->rate_limit, .rate_burst = opts->rate_burst, .max_headers = MG_MAX_HEADERS,
        .max_clients = max_clients, .max_body = opts->max_body, .ws_max_message = opts->ws_max_message,
        .ws_per_client = opts->ws_per_client, .ws_reserve = opts->ws_reserve,
    };
    rs_webcost_opts_t cost = {
        .max_active = opts->history_concurrent, .max_active_client = opts->history_client_concurrent,
        .wait_ms = opts->history_wait_ms,
        .client_rows_min = opts->history_client_rows, .total_rows_min = opts->history_total_rows,
        .client_cpu_ms_min = opts->history_client_cpu_ms, .total_cpu_ms_min = opts->history_total_cpu_ms,
    };
    self->history_max_bytes = opts->history_max_bytes ? opts->history_max_bytes : 8 * 1024 * 1024;
    self->history_max_ms = opts->history_max_ms > 0 ? opts->history_max_ms : 10000;
    self->ws_queue_bytes = opts->ws_queue_bytes ? opts->ws_queue_bytes : 4 * 1024 * 1024;
    self->export_max_bytes = opts->export_max_bytes ? opts->export_max_bytes : 256ull * 1024 * 1024;
    pthread_mutex_init (&self->trim_lock, NULL);
    pthread_cond_init (&self->trim_cond, NULL);
    self->cost = rs_webcost_new (&cost);
    if (!self->cost) {
        rs_web_destroy (&self);
        return NULL;
    }
    if (opts->audit_log && *opts->audit_log) {
        self->audit = rs_webaudit_new (opts->audit_log, opts->audit_max_bytes, opts->audit_keep > 0
                                       ? opts->audit_keep : 5);
        if (!self->audit) {
            rs_error ("audit log (WEB_AUDIT_LOG): cannot open %s", rs_errmsg ());
            rs_web_destroy (&self);
            return NULL;
        }
    }
    self->trimmer_started = pthread_create (&self->trimmer, NULL, s_trimmer, self) == 0;
    self->guard = rs_webguard_new (&guard);
    if (!self->guard || !realpath (opts->root, self->root)) {
        rs_error ("frontend directory %s: %s", opts->root, strerror (errno));
        rs_web_destroy (&self);
        return NULL;
    }
    if (rs_webtls_init (self->tls) != 0) {
        rs_web_destroy (&self);
        return NULL;
    }
    char ports[300], threads[16];
    const char *options[RS_WEB_OPTIONS];
    s_options (opts, max_clients, self->tls, ports, sizeof ports, threads, sizeof threads, options);
    struct mg_callbacks callbacks = { 0 };
    callbacks.log_message = s_log_message;
    callbacks.http_error = s_http_error;
    callbacks.connection_closed = s_connection_closed;
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
        rs_webtls_exit ();
        rs_web_destroy (&self);
        return NULL;
    }
    mg_set_request_handler (self->ctx, "/api", s_on_api, self);
    rs_websock_serve (self, "/ws");
    mg_set_request_handler (self->ctx, "/", s_on_file, self);
    return self;
}

void
rs_web_destroy (rs_web_t **self_p)
{
    rs_web_t *self = *self_p;
    if (!self)
        return;
    if (self->ctx) {
        mg_stop (self->ctx);
        rs_webtls_exit ();
    }
    if (self->trimmer_started) {
        pthread_mutex_lock (&self->trim_lock);
        self->stopping = true;
        pthread_cond_signal (&self->trim_cond);
        pthread_mutex_unlock (&self->trim_lock);
        pthread_join (self->trimmer, NULL);
    }
    pthread_mutex_destroy (&self->trim_lock);
    pthread_cond_destroy (&self->trim_cond);
    rs_webguard_destroy (&self->guard);
    rs_webcost_destroy (&self->cost);
    rs_webaudit_destroy (&self->audit);
    free (self);
    *self_p = NULL;
}
