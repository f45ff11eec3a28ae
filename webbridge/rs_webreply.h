/*  rs_webreply: what the web bridge's civetweb modules share: the server's
    state (rs_web makes and frees it), and what every handler does with a
    request: admit it through the server's rs_webguard, cost it, audit it
    and answer it. It sits below the server (rs_web) and its handlers
    (rs_webrest, rs_websock), which read the server's settings from it, so
    that the handlers never call back up into the server. */
#ifndef RS_WEBREPLY_H
#define RS_WEBREPLY_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <civetweb.h>
#include <jansson.h>

#include "rs_alerts.h"
#include "rs_hub.h"
#include "rs_log.h"
#include "rs_webapi.h"
#include "rs_webaudit.h"
#include "rs_webcost.h"
#include "rs_webguard.h"

typedef struct rs_web_t rs_web_t;

typedef struct {
    uint64_t requests;              //  HTTP requests answered (API and files)
    uint64_t errors;                //  of those, answered 4xx/5xx
    uint64_t ws_accepted, ws_refused;
    uint64_t ws_write_errors;
    uint64_t auth_failed;           //  401: no token or a wrong one
    uint64_t forbidden;             //  403: the read token, for a write
    uint64_t origin_refused;        //  403: a request or WebSocket from a foreign origin
    uint64_t host_refused;          //  421: a Host not among the bridge's names (DNS rebinding)
    uint64_t csrf_refused;          //  403 write without the same-origin proof, 415 body not JSON
    uint64_t rate_limited;          //  429, and WebSocket messages dropped over the rate
    uint64_t body_too_large;        //  413
    uint64_t http_rejected;         //  malformed requests civetweb itself refused
    uint64_t server_errors;         //  problems civetweb logged (a WebSocket frame it cannot hold...)
    uint64_t ws_bad_frames;         //  binary, fragmented or unknown opcodes: connection closed
    uint64_t ws_too_large;          //  client messages over the size limit: connection closed
    uint64_t ws_bad_messages;       //  text messages that are not a valid request: answered with an error
    uint64_t history_refused;       //  history and export requests refused for their cost (429)
    uint64_t history_rows;          //  rows history and export requests read
    uint64_t history_cpu_ms;        //  CPU they used
    uint64_t audit_lines;           //  lines written to the audit file
} rs_web_stats_t;

#define RS_WEB_JSON_FLAGS (JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION (12))

struct rs_web_t {
    struct mg_context *ctx;
    rs_hub_t *hub;
    rs_alerts_t *alerts;
    rs_webguard_t *guard;           //  every request, upgrade and client message passes it
    rs_webcost_t *cost;             //  history and export work, per client and in total
    rs_webaudit_t *audit;           //  writes and refusals; NULL = no audit file
    size_t history_max_bytes;       //  one history answer (REST or WebSocket)
    int history_max_ms;             //  wall time one history request may read for
    size_t ws_queue_bytes;          //  replies queued for one WebSocket before history is refused
    uint64_t export_max_bytes;      //  one CSV export
    pthread_t trimmer;              //  gives freed heap back after large answers
    bool trimmer_started;
    pthread_mutex_t trim_lock;
    pthread_cond_t trim_cond;
    bool stopping;
    rs_log_limit_t log_cost;        //  under trim_lock
    char root[PATH_MAX];            //  realpath of the frontend tree
    char db_path[PATH_MAX];
    char broker_control[256];
    char engine_control[256];
    const struct rs_curve_t *curve;
    char engine_key[41];
    int64_t stale_ms;
    int control_timeout_ms;
    int display_units;
    int64_t started_ms;
    bool tls;
    atomic_bool alerts_seeded;      //  the alert store has the engine's alarms (rs_webrest)
    atomic_int clients;             //  WebSockets open
    atomic_ullong requests, errors, ws_accepted, ws_write_errors;
};

//  Passes a civetweb request (or WebSocket upgrade) through the guard.
//  Returns 0 when admitted (params holds the query), else the status of
//  the verdict in v; nothing is answered.
int rs_webreply_admit (rs_web_t *self, const struct mg_connection *conn, rs_webguard_kind_t kind,
                       rs_webapi_params_t *params, rs_webguard_verdict_t *v);

//  Runs a heavy request (history, export) for the client at remote_addr
//  through the cost ledger: 0 with a ticket, else the refusal in v
//  (counted, logged, audited as refused by the caller's answer).
int rs_webreply_cost_begin (rs_web_t *self, const char *remote_addr, rs_webcost_ticket_t *ticket,
                            rs_webcost_verdict_t *v);
//  Ends it: charges `rows` and the thread's CPU time; `bytes` is the size
//  of the answer (large ones make the heap be given back). Called before
//  the answer is sent: a client that asks again at once finds its slot free.
void rs_webreply_cost_end (rs_web_t *self, rs_webcost_ticket_t *ticket, uint64_t rows, size_t bytes);
//  Answers a cost refusal: 429 with Retry-After and the reason.
int rs_webreply_cost_refuse (rs_web_t *self, struct mg_connection *conn, const rs_webcost_verdict_t *v);
//  Records a request in the audit file (when there is one): "write" when
//  reason is NULL, else "refused" with the reason.
void rs_webreply_audit (rs_web_t *self, const struct mg_connection *conn, int status, const char *reason);

//  An API request's handler runs with this as civetweb's connection data
//  (rs_web sets it, plain HTTP only): a write is recorded, once, by the
//  reply that answers it, before the reply is sent, so no client reads an
//  answer whose line is not yet in the file.
typedef struct {
    bool audit;                     //  a write not yet recorded
} rs_webreply_pending_t;

//  Answers with a body of `len` bytes (none for HEAD) and one optional
//  extra header. Returns the status sent.
int rs_webreply_send (rs_web_t *self, struct mg_connection *conn, int status, const char *type, const char *body,
                      size_t len, const char *extra_name, const char *extra_value);
//  Answers with a JSON document and releases it.
int rs_webreply_send_json (rs_web_t *self, struct mg_connection *conn, int status, json_t *doc);
//  Answers {"error": ..., "status": status}.
int rs_webreply_error (rs_web_t *self, struct mg_connection *conn, int status, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));
//  Answers a guard's refusal: its status and message, with Retry-After
//  for 429 and WWW-Authenticate for 401.
int rs_webreply_refuse (rs_web_t *self, struct mg_connection *conn, const rs_webguard_verdict_t *v);
//  The same for a WebSocket upgrade refused before its handshake.
int rs_webreply_refuse_upgrade (rs_web_t *self, struct mg_connection *conn, const rs_webguard_verdict_t *v);

//  The server's counters: its own, its guard's, its cost ledger's and its
//  audit file's.
void rs_webreply_stats (rs_web_t *self, rs_web_stats_t *out);

#endif
