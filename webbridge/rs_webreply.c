/*  rs_webreply: what every handler of the web bridge does with a request
    (see rs_webreply.h): admit it through the guard, run heavy work through
    the cost ledger, record writes and refusals in the audit file, and
    answer it, counting what was answered. */
#include "rs_webreply.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rs_clock.h"

// ---------------------------------------------------------------------------
// Replies

int
rs_webreply_send (rs_web_t *self, struct mg_connection *conn, int status, const char *type, const char *body,
                  size_t len, const char *extra_name, const char *extra_value)
{
    rs_webreply_pending_t *pending = mg_get_user_connection_data (conn);
    if (pending && pending->audit) {
        pending->audit = false;
        rs_webreply_audit (self, conn, status, NULL);
    }
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

//  Sends a JSON document with one optional extra header, and releases it.
static int
s_send_json (rs_web_t *self, struct mg_connection *conn, int status, json_t *doc, const char *extra_name,
             const char *extra_value)
{
    char *text = doc ? json_dumps (doc, RS_WEB_JSON_FLAGS) : NULL;
    json_decref (doc);
    if (!text)
        return rs_webreply_send (self, conn, 500, "application/json", "{\"error\":\"out of memory\",\"status\":500}",
                                 38, NULL, NULL);
    int rc = rs_webreply_send (self, conn, status, "application/json", text, strlen (text), extra_name, extra_value);
    free (text);
    return rc;
}

int
rs_webreply_send_json (rs_web_t *self, struct mg_connection *conn, int status, json_t *doc)
{
    return s_send_json (self, conn, status, doc, NULL, NULL);
}

//  {"error": msg, "status": status}. The message may quote client input:
//  when it is not valid UTF-8 for jansson, a generic one stands in.
static json_t *
s_error_doc (int status, const char *msg)
{
    json_t *doc = json_object ();
    json_t *text = json_string (msg);
    json_object_set_new (doc, "error", text ? text : json_string ("bad request"));
    json_object_set_new (doc, "status", json_integer (status));
    return doc;
}

int
rs_webreply_error (rs_web_t *self, struct mg_connection *conn, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (msg, sizeof msg, fmt, ap);
    va_end (ap);
    return rs_webreply_send_json (self, conn, status, s_error_doc (status, msg));
}

int
rs_webreply_refuse (rs_web_t *self, struct mg_connection *conn, const rs_webguard_verdict_t *v)
{
    char retry[16];
    snprintf (retry, sizeof retry, "%d", v->retry_after_s);
    const char *name = v->status == 429 ? "Retry-After" : v->status == 401 ? "WWW-Authenticate" : NULL;
    const char *value = v->status == 429 ? retry : "Bearer realm=\"rigstream\"";
    return s_send_json (self, conn, v->status, s_error_doc (v->status, v->message), name, value);
}

// ---------------------------------------------------------------------------
// What history costs, and the audit trail

int
rs_webreply_cost_begin (rs_web_t *self, const char *remote_addr, rs_webcost_ticket_t *ticket, rs_webcost_verdict_t *v)
{
    int rc = rs_webcost_begin (self->cost, remote_addr, rs_clock_mono_ms (), ticket, v);
    if (rc) {
        pthread_mutex_lock (&self->trim_lock);
        rs_log_limited (&self->log_cost, 5000, RS_LOG_WARN, "refused history for %s: %s", remote_addr, v->message);
        pthread_mutex_unlock (&self->trim_lock);
    }
    return rc;
}

void
rs_webreply_cost_end (rs_web_t *self, rs_webcost_ticket_t *ticket, uint64_t rows, size_t bytes)
{
    rs_webcost_end (self->cost, ticket, rows, rs_clock_mono_ms ());
    //  The trimmer looks once a second: by then the answer is freed.
    rs_webcost_sent (self->cost, bytes);
}

int
rs_webreply_cost_refuse (rs_web_t *self, struct mg_connection *conn, const rs_webcost_verdict_t *v)
{
    rs_webreply_audit (self, conn, 429, v->message);
    char retry[16];
    snprintf (retry, sizeof retry, "%d", v->retry_after_s);
    json_t *doc = s_error_doc (429, v->message);
    json_object_set_new (doc, "retry_after_s", json_integer (v->retry_after_s));
    return s_send_json (self, conn, 429, doc, "Retry-After", retry);
}

void
rs_webreply_audit (rs_web_t *self, const struct mg_connection *conn, int status, const char *reason)
{
    if (!self->audit)
        return;
    const struct mg_request_info *ri = mg_get_request_info (conn);
    rs_webaudit_entry_t e = {
        .event = reason ? "refused" : "write",
        .method = ri->request_method,
        .path = ri->local_uri,
        .query = ri->query_string,
        .remote_addr = ri->remote_addr,
        .origin = mg_get_header (conn, "Origin"),
        .host = mg_get_header (conn, "Host"),
        .auth = rs_webguard_auth_name (self->guard, mg_get_header (conn, "Authorization"),
                                       mg_get_header (conn, "X-Rigstream")),
        .status = status,
        .reason = reason,
    };
    rs_webaudit_write (self->audit, &e, rs_clock_now_us ());
}

int
rs_webreply_refuse_upgrade (rs_web_t *self, struct mg_connection *conn, const rs_webguard_verdict_t *v)
{
    atomic_fetch_add (&self->requests, 1);
    atomic_fetch_add (&self->errors, 1);
    json_t *doc = s_error_doc (v->status, v->message);
    char *text = json_dumps (doc, RS_WEB_JSON_FLAGS);
    json_decref (doc);
    char retry[48] = "";
    if (v->status == 429)
        snprintf (retry, sizeof retry, "Retry-After: %d\r\n", v->retry_after_s);
    //  civetweb's response-header calls refuse a connection it already
    //  marked as a WebSocket: the answer is written whole.
    mg_printf (conn,
               "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
               "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n%sConnection: close\r\n\r\n%s",
               v->status, mg_get_response_code_text (conn, v->status), text ? strlen (text) : 0, retry,
               text ? text : "");
    free (text);
    return v->status;
}

// ---------------------------------------------------------------------------
// Admission

int
rs_webreply_admit (rs_web_t *self, const struct mg_connection *conn, rs_webguard_kind_t kind,
                   rs_webapi_params_t *params, rs_webguard_verdict_t *v)
{
    const struct mg_request_info *ri = mg_get_request_info (conn);
    //  civetweb keeps the first Content-Length it sees and ignores others.
    int content_lengths = 0;
    for (int i = 0; i < ri->num_headers; i++)
        if (ri->http_headers[i].name && strcasecmp (ri->http_headers[i].name, "Content-Length") == 0)
            content_lengths++;
    rs_webguard_request_t req = {
        .kind = kind,
        .method = ri->request_method,
        .path = ri->local_uri,
        .query = ri->query_string,
        .remote_addr = ri->remote_addr,
        .num_headers = ri->num_headers,
        .authorization = mg_get_header (conn, "Authorization"),
        .origin = mg_get_header (conn, "Origin"),
        .host = mg_get_header (conn, "Host"),
        .http_version = ri->http_version,
        .content_type = mg_get_header (conn, "Content-Type"),
        .proof = mg_get_header (conn, "X-Rigstream"),
        .transfer_encoding = mg_get_header (conn, "Transfer-Encoding"),
        .content_lengths = content_lengths,
        .content_length = ri->content_length,
        .tls = ri->is_ssl,
        .now_ms = rs_clock_mono_ms (),
    };
    return rs_webguard_admit (self->guard, &req, params, v);
}

// ---------------------------------------------------------------------------
// Counters

void
rs_webreply_stats (rs_web_t *self, rs_web_stats_t *out)
{
    rs_webguard_stats_t g;
    rs_webguard_stats (self->guard, &g);
    out->requests = atomic_load (&self->requests);
    out->errors = atomic_load (&self->errors);
    out->ws_accepted = atomic_load (&self->ws_accepted);
    out->ws_refused = g.ws_refused;
    out->ws_write_errors = atomic_load (&self->ws_write_errors);
    out->auth_failed = g.auth_failed;
    out->forbidden = g.forbidden;
    out->origin_refused = g.origin_refused;
    out->host_refused = g.host_refused;
    out->csrf_refused = g.csrf_refused;
    out->rate_limited = g.rate_limited;
    out->body_too_large = g.body_too_large;
    out->http_rejected = g.http_rejected;
    out->server_errors = g.server_errors;
    out->ws_bad_frames = g.ws_bad_frames;
    out->ws_too_large = g.ws_too_large;
    out->ws_bad_messages = g.ws_bad_messages;
    rs_webcost_stats_t c;
    rs_webcost_stats (self->cost, &c);
    out->history_refused = c.refused_busy + c.refused_budget;
    out->history_rows = c.rows;
    out->history_cpu_ms = c.cpu_ms;
    out->audit_lines = 0;
    if (self->audit)
        rs_webaudit_counts (self->audit, &out->audit_lines, NULL);
}
