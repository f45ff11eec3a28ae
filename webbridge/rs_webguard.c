/*  rs_webguard: the web bridge's one admission guard. See rs_webguard.h. */
#include "rs_webguard.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rs_log.h"
#include "rs_websec.h"

#define LOG_EVERY_MS 5000           //  rate-limited warnings about bad clients
#define RATE_SLOTS   256            //  client addresses the rate limiter tracks
#define WS_KEYS      256            //  clients with WebSockets open the guard tracks

//  The dashboard's sign-in asks what its token may do: it needs no token
//  itself and reveals nothing else.
#define OPEN_PATH "/api/auth"

//  WebSocket opcodes and frame bits (RFC 6455 5.2).
#define WS_FIN    0x80
#define WS_RSV    0x70
#define WS_TEXT   0x1
#define WS_BINARY 0x2

struct rs_webguard_t {
    char read_token[256], write_token[256];
    char allow_origins[1024], allowed_hosts[1024], bind_host[256];
    rs_websec_hosts_t hosts;
    int max_headers, max_clients, ws_per_client, ws_reserve;
    pthread_mutex_t ws_lock;
    int ws_total;                   //  WebSockets open
    struct {
        char key[64];
        int count;                  //  open without Origin or token
    } ws_keys[WS_KEYS];
    size_t max_body, ws_max_message;
    rs_ratelimit_t *rate;
    pthread_mutex_t log_lock;
    rs_log_limit_t log_host, log_csrf, log_auth, log_origin, log_rate, log_size, log_http, log_ws;
    atomic_ullong host_refused, csrf_refused;
    atomic_ullong auth_failed, forbidden, origin_refused, rate_limited, body_too_large, http_rejected;
    atomic_ullong server_errors;
    atomic_ullong ws_refused, ws_bad_frames, ws_too_large, ws_bad_messages;
};

rs_webguard_t *
rs_webguard_new (const rs_webguard_opts_t *opts)
{
    rs_webguard_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    snprintf (self->read_token, sizeof self->read_token, "%s", opts->read_token ? opts->read_token : "");
    snprintf (self->write_token, sizeof self->write_token, "%s", opts->write_token ? opts->write_token : "");
    snprintf (self->allow_origins, sizeof self->allow_origins, "%s", opts->allow_origins ? opts->allow_origins : "");
    snprintf (self->allowed_hosts, sizeof self->allowed_hosts, "%s", opts->allowed_hosts ? opts->allowed_hosts : "");
    snprintf (self->bind_host, sizeof self->bind_host, "%s", opts->bind_host ? opts->bind_host : "");
    self->hosts = (rs_websec_hosts_t) { opts->port, self->bind_host, self->allowed_hosts };
    self->max_headers = opts->max_headers;
    self->max_clients = opts->max_clients > 0 ? opts->max_clients : 32;
    self->ws_per_client = opts->ws_per_client > 0 ? opts->ws_per_client : 8;
    self->ws_reserve = opts->ws_reserve < 0 ? 0 : opts->ws_reserve >= self->max_clients ? self->max_clients - 1
                                                                                        : opts->ws_reserve;
    self->max_body = opts->max_body ? opts->max_body : 65536;
    self->ws_max_message = opts->ws_max_message ? opts->ws_max_message : 4096;
    double burst = opts->rate_burst > 0 ? opts->rate_burst : 4 * opts->rate_limit;
    self->rate = rs_ratelimit_new (opts->rate_limit, burst < 10 ? 10 : burst, RATE_SLOTS);
    if (!self->rate) {
        free (self);
        return NULL;
    }
    pthread_mutex_init (&self->log_lock, NULL);
    pthread_mutex_init (&self->ws_lock, NULL);
    return self;
}

void
rs_webguard_destroy (rs_webguard_t **self_p)
{
    rs_webguard_t *self = *self_p;
    if (!self)
        return;
    rs_ratelimit_destroy (&self->rate);
    pthread_mutex_destroy (&self->log_lock);
    pthread_mutex_destroy (&self->ws_lock);
    free (self);
    *self_p = NULL;
}

//  A warning about a client, at most once per LOG_EVERY_MS per kind; the
//  limiter state is shared by civetweb's threads, hence the lock.
static void
s_warn (rs_webguard_t *self, rs_log_limit_t *limit, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

static void
s_warn (rs_webguard_t *self, rs_log_limit_t *limit, const char *fmt, ...)
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

static int
s_refuse (rs_webguard_verdict_t *v, rs_webguard_reason_t reason, int status, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

static int
s_refuse (rs_webguard_verdict_t *v, rs_webguard_reason_t reason, int status, const char *fmt, ...)
{
    v->reason = reason;
    v->status = status;
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (v->message, sizeof v->message, fmt, ap);
    va_end (ap);
    return status;
}

static const char *
s_str (const char *s)
{
    return s ? s : "";
}

static bool
s_is_read (const char *method)
{
    return method && (strcmp (method, "GET") == 0 || strcmp (method, "HEAD") == 0);
}

//  Takes one request from the client's budget. Returns 0 when within it,
//  else the seconds it must wait (counted, logged).
static int
s_rate_take (rs_webguard_t *self, const char *addr, int64_t now_ms)
{
    //  Every 127.x.y.z is this machine: one client, or rotating source
    //  addresses would each get a fresh budget.
    const char *key = rs_websec_host_is_loopback (addr) ? "loopback" : s_str (addr);
    int wait = rs_ratelimit_take (self->rate, key, now_ms);
    if (wait) {
        atomic_fetch_add (&self->rate_limited, 1);
        s_warn (self, &self->log_rate, "client %s over the request rate: refused for %d s", s_str (addr), wait);
    }
    return wait;
}

//  True when the request presents a configured token (header, or the
//  query's "token" a WebSocket has to use).
static bool
s_valid_token (const rs_webguard_t *self, const char *authorization, const rs_webapi_params_t *params)
{
    const char *token = rs_websec_bearer (authorization);
    if (!token && params)
        token = rs_webapi_param (params, "token");
    if (!token)
        return false;
    return (*self->read_token && rs_websec_token_equal (token, self->read_token))
           || (*self->write_token && rs_websec_token_equal (token, self->write_token));
}

//  ws_lock held. The entry of a client key, made when new (-1: table full).
static int
s_ws_key (rs_webguard_t *self, const char *key, bool make)
{
    int free_slot = -1;
    for (int i = 0; i < WS_KEYS; i++) {
        if (self->ws_keys[i].count && strcmp (self->ws_keys[i].key, key) == 0)
            return i;
        if (!self->ws_keys[i].count && free_slot < 0)
            free_slot = i;
    }
    if (!make || free_slot < 0)
        return -1;
    snprintf (self->ws_keys[free_slot].key, sizeof self->ws_keys[0].key, "%s", key);
    return free_slot;
}

//  Takes a WebSocket slot. Connections without Origin or token count per
//  client (every loopback address is one) and never take the last
//  ws_reserve slots: a flood of raw clients cannot lock the operator's
//  dashboard out. Returns 0 or the status.
static int
s_ws_take (rs_webguard_t *self, const char *addr, bool privileged, rs_webguard_verdict_t *v)
{
    const char *key = rs_websec_host_is_loopback (addr) ? "loopback" : addr;
    pthread_mutex_lock (&self->ws_lock);
    int rc = 0, i = privileged ? 0 : s_ws_key (self, key, true);
    if (self->ws_total >= self->max_clients)
        rc = s_refuse (v, RS_WEBGUARD_CLIENTS, 503, "%d clients already connected (WEB_MAX_CLIENTS)",
                       self->max_clients);
    else if (!privileged && self->ws_total >= self->max_clients - self->ws_reserve)
        rc = s_refuse (v, RS_WEBGUARD_CLIENTS, 503,
                       "only the %d connections kept for the dashboard are left (WEB_WS_RESERVE): open it from "
                       "the dashboard's page or with a token", self->ws_reserve);
    else if (!privileged && (i < 0 || self->ws_keys[i].count >= self->ws_per_client)) {
        v->retry_after_s = 1;
        rc = s_refuse (v, RS_WEBGUARD_CLIENT_SOCKETS, 429,
                       "this client has %d WebSockets open, the most without the dashboard's Origin or a token "
                       "(WEB_WS_PER_CLIENT)", self->ws_per_client);
    }
    if (rc == 0) {
        self->ws_total++;
        if (!privileged)
            self->ws_keys[i].count++;
        v->ws_privileged = privileged;
    }
    pthread_mutex_unlock (&self->ws_lock);
    if (rc) {
        atomic_fetch_add (&self->ws_refused, 1);
        s_warn (self, &self->log_ws, "refusing a WebSocket from %s: %s", addr, v->message);
    }
    return rc;
}

void
rs_webguard_ws_release (rs_webguard_t *self, const char *remote_addr, bool privileged)
{
    const char *addr = s_str (remote_addr);
    const char *key = rs_websec_host_is_loopback (addr) ? "loopback" : addr;
    pthread_mutex_lock (&self->ws_lock);
    if (self->ws_total > 0)
        self->ws_total--;
    int i = privileged ? -1 : s_ws_key (self, key, false);
    if (i >= 0)
        self->ws_keys[i].count--;
    pthread_mutex_unlock (&self->ws_lock);
}

int
rs_webguard_ws_count (rs_webguard_t *self)
{
    pthread_mutex_lock (&self->ws_lock);
    int n = self->ws_total;
    pthread_mutex_unlock (&self->ws_lock);
    return n;
}

const char *
rs_webguard_auth_name (const rs_webguard_t *self, const char *authorization, const char *proof)
{
    const char *token = rs_websec_bearer (authorization);
    if (token) {
        if (*self->write_token && rs_websec_token_equal (token, self->write_token))
            return "write-token";
        if (*self->read_token && rs_websec_token_equal (token, self->read_token))
            return "read-token";
        return "wrong-token";
    }
    if (proof && strcmp (proof, "1") == 0)
        return "x-rigstream";
    return "none";
}

//  Takes the "token" parameter out of a read's query: handlers never see it.
static void
s_drop_token (rs_webapi_params_t *params)
{
    for (size_t i = 0; i < params->n; i++)
        if (strcmp (params->key[i], "token") == 0) {
            params->n--;
            memmove (&params->key[i], &params->key[i + 1], (params->n - i) * sizeof params->key[0]);
            memmove (&params->value[i], &params->value[i + 1], (params->n - i) * sizeof params->value[0]);
            return;
        }
}

//  The token check. A read may carry its token as the query's "token" (a
//  WebSocket or a download link cannot send headers); a write only in the
//  Authorization header.
static int
s_authorize (rs_webguard_t *self, const rs_webguard_request_t *req, bool write, const rs_webapi_params_t *params,
             rs_webguard_verdict_t *v)
{
    rs_websec_policy_t policy = { self->read_token, self->write_token };
    const char *token = rs_websec_bearer (req->authorization);
    if (!token && !write && params)
        token = rs_webapi_param (params, "token");
    rs_websec_verdict_t verdict = rs_websec_check (&policy, write, token);
    if (verdict == RS_WEBSEC_ALLOW)
        return 0;
    if (req->kind == RS_WEBGUARD_WS) {
        atomic_fetch_add (&self->auth_failed, 1);
        s_warn (self, &self->log_auth, "refusing a WebSocket from %s: no valid read token", s_str (req->remote_addr));
        return s_refuse (v, token ? RS_WEBGUARD_WRONG_TOKEN : RS_WEBGUARD_NO_TOKEN, 401, "no valid read token");
    }
    if (verdict == RS_WEBSEC_FORBIDDEN) {
        atomic_fetch_add (&self->forbidden, 1);
        s_warn (self, &self->log_auth, "refused %s %s from %s: the read token cannot write", s_str (req->method),
                s_str (req->path), s_str (req->remote_addr));
        return s_refuse (v, RS_WEBGUARD_READ_ONLY, 403,
                         "this token may read but not change anything: sign in with the write token");
    }
    atomic_fetch_add (&self->auth_failed, 1);
    s_warn (self, &self->log_auth, "refused %s %s from %s: %s token", s_str (req->method), s_str (req->path),
            s_str (req->remote_addr), token ? "wrong" : "no");
    return token ? s_refuse (v, RS_WEBGUARD_WRONG_TOKEN, 401, "wrong token: sign in again")
                 : s_refuse (v, RS_WEBGUARD_NO_TOKEN, 401, "sign in first: this needs a token");
}

//  Request framing civetweb lets through: a request smuggled past a proxy
//  or read two ways must not reach a handler. Returns 0 or the status.
static int
s_framing (rs_webguard_t *self, const rs_webguard_request_t *req, rs_webguard_verdict_t *v)
{
    const char *why = NULL;
    if (!req->host && req->http_version && strcmp (req->http_version, "1.0") != 0)
        why = "HTTP/1.1 needs a Host header";
    else if (req->content_lengths > 1)
        why = "more than one Content-Length";
    else if (req->content_lengths && req->transfer_encoding)
        why = "both Content-Length and Transfer-Encoding";
    if (!why)
        return 0;
    atomic_fetch_add (&self->http_rejected, 1);
    s_warn (self, &self->log_http, "refused %s %s from %s: %s", s_str (req->method), s_str (req->path),
            s_str (req->remote_addr), why);
    return s_refuse (v, RS_WEBGUARD_FRAMING, 400, "%s", why);
}

//  A body a write carries must be JSON declared as such: a form or a
//  text/plain body is what a cross-site page can send without a preflight.
static bool
s_json_type (const char *type)
{
    if (!type)
        return false;
    while (*type == ' ')
        type++;
    size_t n = strlen ("application/json");
    return strncasecmp (type, "application/json", n) == 0 && (type[n] == 0 || type[n] == ';' || type[n] == ' ');
}

//  The write check against cross-site requests (CSRF): the dashboard proves
//  a request is its own with the X-Rigstream header or a bearer token,
//  which a page on another site cannot send without a preflight, and every
//  preflight is refused. Returns 0 or the status.
static int
s_same_origin_write (rs_webguard_t *self, const rs_webguard_request_t *req, rs_webguard_verdict_t *v)
{
    const char *addr = s_str (req->remote_addr);
    bool proof = (req->proof && strcmp (req->proof, "1") == 0) || rs_websec_bearer (req->authorization);
    if (!proof) {
        atomic_fetch_add (&self->csrf_refused, 1);
        s_warn (self, &self->log_csrf, "refused %s %s from %s: no X-Rigstream header (a cross-site request?)",
                s_str (req->method), s_str (req->path), addr);
        return s_refuse (v, RS_WEBGUARD_CROSS_SITE, 403,
                         "writes need the header X-Rigstream: 1 (the dashboard sends it) or a bearer token");
    }
    bool body = req->content_length > 0 || req->transfer_encoding;
    if (body && !s_json_type (req->content_type)) {
        atomic_fetch_add (&self->csrf_refused, 1);
        s_warn (self, &self->log_csrf, "refused %s %s from %s: body of type %.100s", s_str (req->method),
                s_str (req->path), addr, req->content_type ? req->content_type : "(none)");
        return s_refuse (v, RS_WEBGUARD_MEDIA_TYPE, 415, "the body must be Content-Type: application/json");
    }
    return 0;
}

int
rs_webguard_admit (rs_webguard_t *self, const rs_webguard_request_t *req, rs_webapi_params_t *params,
                   rs_webguard_verdict_t *v)
{
    memset (v, 0, sizeof *v);
    const char *addr = s_str (req->remote_addr);
    bool read = s_is_read (req->method);
    //  civetweb keeps the first MG_MAX_HEADERS headers and silently drops
    //  the rest: a request that fills the table may have lost some.
    if (self->max_headers > 0 && req->num_headers >= self->max_headers) {
        atomic_fetch_add (&self->http_rejected, 1);
        s_warn (self, &self->log_http, "refused a request from %s: %d headers or more", addr, self->max_headers);
        return s_refuse (v, RS_WEBGUARD_HEADERS, 431, "too many headers (at most %d)", self->max_headers - 1);
    }
    int rc = s_framing (self, req, v);
    if (rc)
        return rc;
    //  DNS rebinding: the page's name resolves to this machine, but the
    //  browser still sends that name as Host.
    if (req->host && !rs_websec_host_allowed (req->host, &self->hosts)) {
        atomic_fetch_add (&self->host_refused, 1);
        s_warn (self, &self->log_host, "refused %s %s from %s: Host %.200s is not one of this bridge's names",
                s_str (req->method), s_str (req->path), addr, req->host);
        return s_refuse (v, RS_WEBGUARD_HOST, 421,
                         "Host %.100s is not a name of this bridge (add it to WEB_ALLOWED_HOSTS)", req->host);
    }
    int wait = s_rate_take (self, addr, req->now_ms);
    if (wait) {
        v->retry_after_s = wait;
        return s_refuse (v, RS_WEBGUARD_RATE, 429, "too many requests: retry in %d s", wait);
    }
    //  A browser names the page a request comes from; only the bridge's own
    //  pages (and, for reads, the origins configured) may ask. Preflights
    //  from other sites are refused here: the bridge grants no CORS.
    if (req->origin
        && !rs_websec_origin_allowed (req->origin, req->tls, &self->hosts, read || req->kind == RS_WEBGUARD_WS
                                          ? self->allow_origins : NULL, true)) {
        atomic_fetch_add (&self->origin_refused, 1);
        s_warn (self, &self->log_origin, "refused %s %s from %s: origin %.200s not allowed", s_str (req->method),
                s_str (req->path), addr, req->origin);
        return s_refuse (v, RS_WEBGUARD_ORIGIN, 403, "origin %.100s not allowed: no cross-site requests",
                         req->origin);
    }
    if (req->kind == RS_WEBGUARD_FILE) {
        if (!read)
            return s_refuse (v, RS_WEBGUARD_METHOD, 405, "method %s not allowed", s_str (req->method));
        return 0;
    }
    if (rs_webapi_parse_query (req->query, params) != RS_OK)
        return s_refuse (v, RS_WEBGUARD_QUERY, 400, "%s", rs_errmsg ());
    if (req->kind == RS_WEBGUARD_WS) {
        rc = s_authorize (self, req, false, params, v);
        if (rc)
            return rc;
        //  A browser on the dashboard's page sends its Origin (checked
        //  above); a raw client flooding connections sends none.
        bool privileged = req->origin || s_valid_token (self, req->authorization, params);
        return s_ws_take (self, addr, privileged, v);
    }
    //  Anything but GET/HEAD changes state (acknowledge, thresholds).
    bool open = req->path && strcmp (req->path, OPEN_PATH) == 0;
    rc = open ? 0 : s_authorize (self, req, !read, read ? params : NULL, v);
    if (rc == 0 && !read)
        rc = s_same_origin_write (self, req, v);
    if (rc == 0 && read)
        s_drop_token (params);
    return rc;
}

int
rs_webguard_ws_message (rs_webguard_t *self, const char *remote_addr, int bits, size_t len, int64_t now_ms,
                        rs_webguard_verdict_t *v)
{
    memset (v, 0, sizeof *v);
    const char *addr = s_str (remote_addr);
    int opcode = bits & 0x0f;
    //  Clients send short text messages in one frame.
    if (opcode != WS_TEXT || !(bits & WS_FIN) || (bits & WS_RSV)) {
        atomic_fetch_add (&self->ws_bad_frames, 1);
        s_warn (self, &self->log_ws, "closing the WebSocket of %s: frame 0x%02x (only unfragmented text)", addr,
                (unsigned) bits & 0xff);
        s_refuse (v, RS_WEBGUARD_FRAME, opcode == WS_BINARY ? 1003 : 1002, "only unfragmented text messages");
        return RS_WEBGUARD_FRAME;
    }
    if (len > self->ws_max_message) {
        atomic_fetch_add (&self->ws_too_large, 1);
        s_warn (self, &self->log_ws, "closing the WebSocket of %s: a %zu-byte message (at most %zu)", addr, len,
                self->ws_max_message);
        s_refuse (v, RS_WEBGUARD_TOO_LARGE, 1009, "message too big");
        return RS_WEBGUARD_TOO_LARGE;
    }
    if (s_rate_take (self, addr, now_ms)) {
        s_refuse (v, RS_WEBGUARD_RATE, 0, "too many messages: this one was ignored");
        return RS_WEBGUARD_RATE;
    }
    return 0;
}

void
rs_webguard_bad_frame (rs_webguard_t *self, const char *remote_addr, int bits, size_t len)
{
    atomic_fetch_add (&self->ws_bad_frames, 1);
    s_warn (self, &self->log_ws, "closing the WebSocket of %s: control frame 0x%02x of %zu bytes", s_str (remote_addr),
            (unsigned) bits & 0xff, len);
}

void
rs_webguard_bad_message (rs_webguard_t *self, const char *remote_addr, const char *why)
{
    atomic_fetch_add (&self->ws_bad_messages, 1);
    s_warn (self, &self->log_ws, "bad WebSocket message from %s: %s", s_str (remote_addr), s_str (why));
}

size_t
rs_webguard_max_body (const rs_webguard_t *self)
{
    return self->max_body;
}

bool
rs_webguard_body_declared_ok (const rs_webguard_t *self, long long declared)
{
    return declared <= (long long) self->max_body;
}

void
rs_webguard_body_refused (rs_webguard_t *self, const char *remote_addr, const char *path, rs_webguard_verdict_t *v)
{
    memset (v, 0, sizeof *v);
    atomic_fetch_add (&self->body_too_large, 1);
    s_warn (self, &self->log_size, "refused a body over %zu bytes on %s from %s", self->max_body, s_str (path),
            s_str (remote_addr));
    s_refuse (v, RS_WEBGUARD_TOO_LARGE, 413, "body too large (at most %zu bytes)", self->max_body);
}

void
rs_webguard_http_refused (rs_webguard_t *self, const char *remote_addr, int status, const char *msg)
{
    atomic_fetch_add (&self->http_rejected, 1);
    s_warn (self, &self->log_http, "refused a request from %s: %d %s", s_str (remote_addr), status, s_str (msg));
}

void
rs_webguard_server_error (rs_webguard_t *self, const char *msg)
{
    atomic_fetch_add (&self->server_errors, 1);
    s_warn (self, &self->log_http, "http: %s", s_str (msg));
}

rs_webguard_access_t
rs_webguard_access (const rs_webguard_t *self, const char *authorization)
{
    rs_websec_policy_t policy = { self->read_token, self->write_token };
    const char *token = rs_websec_bearer (authorization);
    return (rs_webguard_access_t) {
        .read_auth = *self->read_token != 0,
        .write_auth = *self->write_token != 0,
        .can_read = rs_websec_check (&policy, false, token) == RS_WEBSEC_ALLOW,
        .can_write = rs_websec_check (&policy, true, token) == RS_WEBSEC_ALLOW,
        .token = token != NULL,
    };
}

bool
rs_webguard_read_auth (const rs_webguard_t *self)
{
    return *self->read_token != 0;
}

bool
rs_webguard_write_auth (const rs_webguard_t *self)
{
    return *self->write_token != 0;
}

void
rs_webguard_stats (rs_webguard_t *self, rs_webguard_stats_t *out)
{
    out->auth_failed = atomic_load (&self->auth_failed);
    out->forbidden = atomic_load (&self->forbidden);
    out->origin_refused = atomic_load (&self->origin_refused);
    out->host_refused = atomic_load (&self->host_refused);
    out->csrf_refused = atomic_load (&self->csrf_refused);
    out->rate_limited = atomic_load (&self->rate_limited);
    out->body_too_large = atomic_load (&self->body_too_large);
    out->http_rejected = atomic_load (&self->http_rejected);
    out->server_errors = atomic_load (&self->server_errors);
    out->ws_refused = atomic_load (&self->ws_refused);
    out->ws_bad_frames = atomic_load (&self->ws_bad_frames);
    out->ws_too_large = atomic_load (&self->ws_too_large);
    out->ws_bad_messages = atomic_load (&self->ws_bad_messages);
}
