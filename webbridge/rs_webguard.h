/*  rs_webguard: the web bridge's one admission guard. Every HTTP request
    (API and files) and every WebSocket upgrade passes rs_webguard_admit
    before anything else looks at it, and every message a WebSocket client
    sends passes rs_webguard_ws_message. The checks, in order:

      request     header count, framing (Host, Content-Length), Host
                  allow-list, rate, Origin, method (files), query string,
                  token (read for GET/HEAD and WebSocket, write for
                  anything else), same-origin proof and media type
                  (writes), WebSocket client count
      message     frame kind (unfragmented text), size, rate

    The guard is pure policy over a plain description of the request: it
    never sees civetweb, so unit tests and fuzzers drive it directly. It
    counts every refusal by reason and logs it (rate-limited, with the
    client's address); the caller only turns a verdict into an answer. */
#ifndef RS_WEBGUARD_H
#define RS_WEBGUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rs_webapi.h"

typedef struct {
    const char *read_token;         //  reads (API, /ws); NULL or "" = open
    const char *write_token;        //  writes (ack, thresholds); NULL or "" = open
    const char *allow_origins;      //  origins allowed to read and open WebSockets besides the page's own
    const char *allowed_hosts;      //  Host names besides loopback and bind_host (rs_websec_host_allowed)
    const char *bind_host;          //  the interface the bridge listens on
    int port;                       //  the port it listens on
    double rate_limit;              //  requests (and WebSocket messages) per second per address; 0 = no limit
    double rate_burst;              //  at once before the rate applies; 0 = 4 x rate_limit (at least 10)
    int max_headers;                //  a request with this many headers may have lost some: refused; 0 = no check
    int max_clients;                //  WebSocket clients at once; 0 = 32
    int ws_per_client;              //  WebSockets of one client (loopback is one) without Origin or token; 0 = 8
    int ws_reserve;                 //  of max_clients, kept for the dashboard's pages and token holders; 0 = none
    size_t max_body;                //  request body bytes; 0 = 65536
    size_t ws_max_message;          //  bytes of one client WebSocket message; 0 = 4096
} rs_webguard_opts_t;

typedef enum {
    RS_WEBGUARD_API,                //  /api/...
    RS_WEBGUARD_FILE,               //  the frontend tree
    RS_WEBGUARD_WS                  //  the /ws upgrade
} rs_webguard_kind_t;

//  One request as the guard sees it. Strings may be NULL when absent.
typedef struct {
    rs_webguard_kind_t kind;
    const char *method;             //  "GET", "POST"...
    const char *path;               //  decoded path, e.g. "/api/auth"
    const char *query;              //  raw query string
    const char *remote_addr;
    int num_headers;
    const char *authorization;      //  the Authorization header
    const char *origin, *host;      //  the Origin and Host headers
    const char *http_version;       //  "1.0", "1.1"
    const char *content_type;       //  the Content-Type header
    const char *proof;              //  the X-Rigstream header the dashboard sends with writes
    const char *transfer_encoding;  //  the Transfer-Encoding header
    int content_lengths;            //  Content-Length headers in the request
    long long content_length;       //  its value, -1 when none
    bool tls;                       //  came over HTTPS
    int64_t now_ms;                 //  monotonic clock, for the rate
} rs_webguard_request_t;

//  Why a request or message was refused.
typedef enum {
    RS_WEBGUARD_OK = 0,
    RS_WEBGUARD_HEADERS,            //  431: the header table is full
    RS_WEBGUARD_FRAMING,            //  400: no Host in HTTP/1.1, two Content-Lengths, Content-Length and chunked
    RS_WEBGUARD_HOST,               //  421: a Host that is not one of the bridge's names (DNS rebinding)
    RS_WEBGUARD_CROSS_SITE,         //  403: a write without the dashboard's proof of a same-origin request
    RS_WEBGUARD_MEDIA_TYPE,         //  415: a write body that is not application/json
    RS_WEBGUARD_RATE,               //  429 with Retry-After; a message: dropped with an error
    RS_WEBGUARD_METHOD,             //  405: files are GET and HEAD only
    RS_WEBGUARD_ORIGIN,             //  403: a request or WebSocket from a foreign origin (preflights too)
    RS_WEBGUARD_QUERY,              //  400: a malformed query string
    RS_WEBGUARD_NO_TOKEN,           //  401: a token is needed
    RS_WEBGUARD_WRONG_TOKEN,        //  401: not a token the bridge knows
    RS_WEBGUARD_READ_ONLY,          //  403: the read token, for a write
    RS_WEBGUARD_CLIENTS,            //  503: WebSocket clients at the limit (or only reserved slots left)
    RS_WEBGUARD_CLIENT_SOCKETS,     //  429: this client's WebSockets at WEB_WS_PER_CLIENT
    RS_WEBGUARD_FRAME,              //  a binary, fragmented or unknown WebSocket frame: close 1003/1002
    RS_WEBGUARD_TOO_LARGE           //  a WebSocket message over the limit: close 1009
} rs_webguard_reason_t;

typedef struct {
    rs_webguard_reason_t reason;
    int status;                     //  HTTP status to answer, or the WebSocket close code; 0 = pass
    int retry_after_s;              //  RS_WEBGUARD_RATE: seconds until the client may try again
    bool ws_privileged;             //  an admitted WebSocket holds a reserved-class slot (Origin or token)
    char message[256];              //  the error for the client
} rs_webguard_verdict_t;

//  Refusals by reason since the guard started.
typedef struct {
    uint64_t auth_failed;           //  401 and WebSockets without a valid read token
    uint64_t forbidden;             //  403: the read token, for a write
    uint64_t origin_refused;        //  403: a foreign Origin (requests, preflights, WebSockets)
    uint64_t host_refused;          //  421: a foreign Host
    uint64_t csrf_refused;          //  403 without the same-origin proof, 415 for a body not JSON
    uint64_t rate_limited;          //  requests refused and WebSocket messages dropped
    uint64_t body_too_large;
    uint64_t http_rejected;         //  full header tables, bad framing, and malformed requests civetweb refused
    uint64_t server_errors;         //  problems civetweb logged (a WebSocket frame it cannot hold...)
    uint64_t ws_refused;            //  WebSockets over max_clients
    uint64_t ws_bad_frames;
    uint64_t ws_too_large;
    uint64_t ws_bad_messages;
} rs_webguard_stats_t;

//  What a token may do, for the dashboard's sign-in (/api/auth).
typedef struct {
    bool read_auth, write_auth;     //  a token is needed to read / to write
    bool can_read, can_write;       //  what this token may do
    bool token;                     //  a token was presented
} rs_webguard_access_t;

typedef struct rs_webguard_t rs_webguard_t;

//  Fresh guard (copies the options), or NULL (out of memory).
rs_webguard_t *rs_webguard_new (const rs_webguard_opts_t *opts);
void rs_webguard_destroy (rs_webguard_t **self_p);

//  Decides on one request. `params` (may be NULL for files) receives the
//  parsed query, the "token" parameter of a read taken out. Returns 0 when
//  admitted, else the HTTP status in v->status (a WebSocket is answered
//  with it too, before any handshake). Thread-safe.
int rs_webguard_admit (rs_webguard_t *self, const rs_webguard_request_t *req, rs_webapi_params_t *params,
                       rs_webguard_verdict_t *v);

//  Gives back the WebSocket slot an admitted upgrade took (its address and
//  v->ws_privileged), when the connection closes.
void rs_webguard_ws_release (rs_webguard_t *self, const char *remote_addr, bool privileged);
//  WebSockets connected now (slots taken).
int rs_webguard_ws_count (rs_webguard_t *self);

//  How a request authenticated, for the audit trail: "write-token",
//  "read-token", "wrong-token", "x-rigstream" (the dashboard's header) or
//  "none".
const char *rs_webguard_auth_name (const rs_webguard_t *self, const char *authorization, const char *proof);

//  Decides on one client WebSocket frame (a data frame: the caller handles
//  pings, pongs and closes). `bits` are the frame's first byte (FIN, RSV,
//  opcode). Returns 0 to process the message; RS_WEBGUARD_RATE to drop it
//  and tell the client v->message; else close with v->status.
int rs_webguard_ws_message (rs_webguard_t *self, const char *remote_addr, int bits, size_t len, int64_t now_ms,
                            rs_webguard_verdict_t *v);

//  A control frame over 125 bytes or fragmented (RFC 6455 5.5): counted,
//  logged; the caller closes with 1002.
void rs_webguard_bad_frame (rs_webguard_t *self, const char *remote_addr, int bits, size_t len);

//  A client text message that is not a valid request: counted, logged.
void rs_webguard_bad_message (rs_webguard_t *self, const char *remote_addr, const char *why);

//  The request body limit, and the refusal of a body over it (counted,
//  logged; the caller answers 413 with v->message). `declared` is the
//  Content-Length (-1 when none).
size_t rs_webguard_max_body (const rs_webguard_t *self);
bool rs_webguard_body_declared_ok (const rs_webguard_t *self, long long declared);
void rs_webguard_body_refused (rs_webguard_t *self, const char *remote_addr, const char *path,
                               rs_webguard_verdict_t *v);

//  civetweb's own refusals (a malformed request it answered itself, before
//  any handler) and complaints: counted, logged.
void rs_webguard_http_refused (rs_webguard_t *self, const char *remote_addr, int status, const char *msg);
void rs_webguard_server_error (rs_webguard_t *self, const char *msg);

//  What `authorization` (an Authorization header, may be NULL) may do.
rs_webguard_access_t rs_webguard_access (const rs_webguard_t *self, const char *authorization);

//  True when a token is configured for reads / for writes.
bool rs_webguard_read_auth (const rs_webguard_t *self);
bool rs_webguard_write_auth (const rs_webguard_t *self);

void rs_webguard_stats (rs_webguard_t *self, rs_webguard_stats_t *out);

#endif
