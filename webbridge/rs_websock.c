/*  rs_websock: the /ws WebSocket session. See rs_websock.h and docs/WEB.md. */
#include "rs_websock.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "rs_channels.h"
#include "rs_clock.h"
#include "rs_history.h"
#include "rs_log.h"
#include "rs_webreply.h"
#include "rs_webapi.h"

#define SINCE_MAX_ROWS 20000        //  raw samples per well for "since"; beyond: downsampled
#define SINCE_POINTS   5000
#define WS_SNDBUF      (32 * 1024)  //  kernel send buffer per WebSocket (doubled by Linux)

//  One WebSocket connection: its hub client and the writer draining it.
typedef struct {
    rs_web_t *web;
    struct mg_connection *conn;
    rs_hub_client_t *client;
    pthread_t writer;
    bool writer_started;
    bool privileged;                //  holds a slot of the dashboard's reserve class
    char addr[64];                  //  the client's address, for its slot
} s_wsconn_t;

static void *
s_writer (void *arg)
{
    s_wsconn_t *ws = arg;
    for (;;) {
        int64_t now = rs_clock_mono_ms (), next = -1;
        char *text = rs_hub_client_poll (ws->client, now, &next);
        if (text) {
            size_t len = strlen (text);
            int rc = mg_websocket_write (ws->conn, MG_WEBSOCKET_OPCODE_TEXT, text, len);
            free (text);
            rs_webcost_sent (ws->web->cost, len);
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

//  Before the handshake: the guard (Host, rate, origin, read token, number
//  of clients). A refusal is answered like any request's (403 with the
//  reason...), then non-zero makes civetweb close the connection. civetweb
//  hands this callback a const connection, but nothing has been sent on it
//  yet: answering it is what a request handler would do.
static int
s_ws_connect (const struct mg_connection *conn, void *cbdata)
{
    rs_web_t *self = cbdata;
    rs_webapi_params_t *params = malloc (sizeof *params);
    s_wsconn_t *ws = calloc (1, sizeof *ws);
    rs_webguard_verdict_t v = { 0 };
    int refused = !params || !ws || rs_webreply_admit (self, conn, RS_WEBGUARD_WS, params, &v) != 0;
    free (params);
    if (refused) {
        free (ws);
        if (v.status >= 400) {
            rs_webreply_audit (self, conn, v.status, v.message);
            rs_webreply_refuse_upgrade (self, (struct mg_connection *) conn, &v);
        }
        return refused;
    }
    //  The slot is taken now: given back when the connection closes.
    ws->web = self;
    ws->privileged = v.ws_privileged;
    snprintf (ws->addr, sizeof ws->addr, "%s", mg_get_request_info (conn)->remote_addr);
    mg_set_user_connection_data (conn, ws);
    return 0;
}

static void
s_ws_push_json (rs_hub_client_t *client, json_t *doc)
{
    char *text = doc ? json_dumps (doc, RS_WEB_JSON_FLAGS) : NULL;
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
    s_wsconn_t *ws = mg_get_user_connection_data (conn);
    if (!ws)
        return;
    ws->conn = conn;
    if (s_ws_limit_sndbuf (conn) != 0)
        rs_debug ("WebSocket from %s: socket not found, send buffer left to the kernel",
                  mg_get_request_info (conn)->remote_addr);
    json_t *hello = json_pack ("{s:s, s:s, s:f}", "type", "hello", "version", RS_VERSION, "max_rate_hz",
                               RS_HUB_DEFAULT_RATE_HZ);
    char *greeting = hello ? json_dumps (hello, RS_WEB_JSON_FLAGS) : NULL;
    json_decref (hello);
    //  Counted before the writer can send the greeting: a client that got
    //  its hello must already count against the limit for the next one.
    atomic_fetch_add (&self->clients, 1);
    ws->client = rs_hub_attach (self->hub, rs_clock_mono_ms (), greeting);
    free (greeting);
    if (ws->client && pthread_create (&ws->writer, NULL, s_writer, ws) != 0)
        rs_hub_detach (self->hub, &ws->client);
    if (!ws->client) {
        //  No hub client: the data handler ignores this connection, and
        //  the close handler gives its slot back.
        atomic_fetch_sub (&self->clients, 1);
        return;
    }
    ws->writer_started = true;
    atomic_fetch_add (&self->ws_accepted, 1);
    rs_debug ("WebSocket client %llu from %s", (unsigned long long) rs_hub_client_id (ws->client),
              mg_get_request_info (conn)->remote_addr);
}

//  An error for this client: {"type":"error","message"} plus, when the
//  refusal names a limit, the limit and when to try again.
static void
s_ws_error (s_wsconn_t *ws, const char *well, const char *limit, int retry_after_s, const char *fmt, ...)
    __attribute__ ((format (printf, 5, 6)));

static void
s_ws_error (s_wsconn_t *ws, const char *well, const char *limit, int retry_after_s, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (msg, sizeof msg, fmt, ap);
    va_end (ap);
    json_t *doc = json_pack ("{s:s, s:s}", "type", "error", "message", msg);
    if (doc && well)
        json_object_set_new (doc, "well", json_string (well));
    if (doc && limit)
        json_object_set_new (doc, "limit", json_string (limit));
    if (doc && retry_after_s > 0)
        json_object_set_new (doc, "retry_after_s", json_integer (retry_after_s));
    s_ws_push_json (ws->client, doc);
}

static const char *
s_cost_option (rs_webcost_reason_t reason)
{
    switch (reason) {
    case RS_WEBCOST_BUSY:
        return "WEB_HISTORY_CONCURRENT";
    case RS_WEBCOST_CLIENT_BUSY:
        return "WEB_HISTORY_CLIENT_CONCURRENT";
    case RS_WEBCOST_CLIENT_ROWS:
        return "WEB_HISTORY_CLIENT_ROWS";
    case RS_WEBCOST_TOTAL_ROWS:
        return "WEB_HISTORY_TOTAL_ROWS";
    case RS_WEBCOST_CLIENT_CPU:
        return "WEB_HISTORY_CLIENT_CPU_MS";
    case RS_WEBCOST_TOTAL_CPU:
        return "WEB_HISTORY_TOTAL_CPU_MS";
    default:
        return NULL;
    }
}

//  The history of one well since q->from_us: raw samples when there are
//  few enough, else the range's mean per bucket. *rows gets the rows read.
static int
s_ws_well_history (rs_history_t *h, const rs_hist_query_t *q, json_t **doc, uint64_t *rows)
{
    *doc = NULL;
    int rc = rs_history_samples (h, q, SINCE_MAX_ROWS, doc);
    if (rc == RS_HIST_OK) {
        *rows += json_array_size (json_object_get (*doc, "ts"));
        return rc;
    }
    if (rc != RS_HIST_E_TOO_MANY)
        return rc;
    //  Too much to send raw: the range's mean per bucket instead.
    *rows += SINCE_MAX_ROWS;
    json_t *range = NULL;
    rc = rs_history_range (h, q, SINCE_POINTS, &range);
    if (rc != RS_HIST_OK)
        return rc;
    *rows += rs_history_range_rows (range);
    *doc = json_pack ("{s:s, s:s, s:I, s:I, s:b, s:O, s:o, s:o}", "type", "history", "well", q->well, "from",
                      (json_int_t) q->from_us, "to", (json_int_t) q->to_us, "downsampled", 1, "ts",
                      json_object_get (range, "t"), "channels", json_array (), "values", json_object ());
    const char *name;
    json_t *c;
    json_object_foreach (json_object_get (range, "channels"), name, c) {
        json_array_append_new (json_object_get (*doc, "channels"), json_string (name));
        json_object_set (json_object_get (*doc, "values"), name, json_object_get (c, "mean"));
    }
    json_decref (range);
    return RS_HIST_OK;
}

//  History since `since_us` for each well the client follows, queued ahead
//  of live values. Runs in the connection's own civetweb thread. Every
//  request gets an answer: the history, or an error naming the limit.
static void
s_ws_since (rs_web_t *self, s_wsconn_t *ws, const rs_hub_filter_t *f, int64_t since_us)
{
    int64_t now_us = rs_clock_now_us ();
    //  What this connection has not yet read bounds what it may ask next:
    //  a client that asks faster than it reads cannot pile answers up here.
    size_t queued = rs_hub_client_queued_bytes (ws->client);
    if (queued > self->ws_queue_bytes) {
        s_ws_error (ws, NULL, "WEB_WS_QUEUE_BYTES", 1,
                    "history refused: %zu bytes of earlier answers still queued for this connection (at most %zu)",
                    queued, self->ws_queue_bytes);
        return;
    }
    rs_webcost_ticket_t ticket;
    rs_webcost_verdict_t cv;
    if (rs_webreply_cost_begin (self, ws->addr, &ticket, &cv) != 0) {
        s_ws_error (ws, NULL, s_cost_option (cv.reason), cv.retry_after_s, "%s", cv.message);
        return;
    }
    //  A client that left while its requests were queued (its writer
    //  found the socket gone) costs nothing more.
    if (rs_hub_client_closed (ws->client)) {
        rs_webreply_cost_end (self, &ticket, 0, 0);
        return;
    }
    uint64_t rows = 0;
    size_t bytes = 0;
    rs_history_t *h = rs_history_open (self->db_path);
    if (!h) {
        rs_webreply_cost_end (self, &ticket, 0, 0);
        s_ws_error (ws, NULL, NULL, 0, "history not available");
        return;
    }
    rs_history_set_deadline (h, rs_clock_mono_ms () + self->history_max_ms);
    json_t *wells = json_array ();
    json_t *recorded = NULL;
    if (rs_history_wells (h, &recorded) != RS_HIST_OK)
        recorded = json_array ();
    if (f->n_wells)
        for (size_t i = 0; i < f->n_wells; i++)
            json_array_append_new (wells, json_string (f->wells[i]));
    else {
        size_t i;
        json_t *w;
        json_array_foreach (recorded, i, w)
            json_array_append (wells, json_object_get (w, "well"));
    }
    if (json_array_size (wells) == 0)
        s_ws_error (ws, NULL, NULL, 0, "no history recorded yet");
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
        //  Up to now, or to the well's newest recorded sample when that is
        //  later: a sped-up simulator or a replay runs ahead of this clock.
        int64_t to_us = now_us;
        size_t j;
        json_t *r;
        json_array_foreach (recorded, j, r)
            if (json_equal (json_object_get (r, "well"), w)) {
                int64_t last = json_integer_value (json_object_get (r, "last_ts"));
                if (last > to_us)
                    to_us = last;
            }
        if (since_us > to_us) {
            s_ws_error (ws, json_string_value (w), NULL, 0, "\"since\" is after the newest sample: no history to send");
            continue;
        }
        rs_hist_query_t q = { .well = json_string_value (w), .from_us = since_us, .to_us = to_us,
                              .channels = names, .n_channels = n };
        json_t *doc = NULL;
        int rc = s_ws_well_history (h, &q, &doc, &rows);
        if (rc == RS_HIST_E_TIMEOUT) {
            s_ws_error (ws, q.well, "WEB_HISTORY_MAX_MS", 0,
                        "history takes longer than %d ms: ask a later since, fewer wells or fewer channels",
                        self->history_max_ms);
            break;
        }
        if (rc != RS_HIST_OK) {
            s_ws_error (ws, q.well, NULL, 0, "%s", rs_history_detail (h));
            continue;
        }
        char *text = json_dumps (doc, RS_WEB_JSON_FLAGS);
        json_decref (doc);
        size_t len = text ? strlen (text) : 0;
        if (len > self->history_max_bytes) {
            s_ws_error (ws, q.well, "WEB_HISTORY_MAX_BYTES", 0,
                        "history of %zu bytes, more than %zu: ask a shorter range or fewer channels", len,
                        self->history_max_bytes);
            free (text);
        }
        else if (text) {
            bytes += len;
            rs_hub_client_push (ws->client, text);
        }
    }
    json_decref (wells);
    json_decref (recorded);
    rs_history_close (&h);
    rs_webreply_cost_end (self, &ticket, rows, bytes);
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
    //  RFC 6455 5.5: control frames carry at most 125 bytes and are never
    //  fragmented. civetweb reads them whole and would answer the ping.
    if (opcode >= 0x8 && (len > 125 || !(bits & 0x80))) {
        rs_webguard_bad_frame (self->guard, addr, bits, len);
        return s_ws_refuse (conn, 1002, "control frame over 125 bytes or fragmented");
    }
    if (opcode == MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE)
        return 0;
    if (!ws || !ws->client)
        return 0;
    //  civetweb answers pings.
    if (opcode == MG_WEBSOCKET_OPCODE_PONG || opcode == MG_WEBSOCKET_OPCODE_PING)
        return 1;
    rs_webguard_verdict_t v;
    int rc = rs_webguard_ws_message (self->guard, addr, bits, len, rs_clock_mono_ms (), &v);
    if (rc == RS_WEBGUARD_RATE) {
        s_ws_push_json (ws->client, json_pack ("{s:s, s:s}", "type", "error", "message", v.message));
        return 1;
    }
    if (rc)
        return s_ws_refuse (conn, v.status, v.message);
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
    int type = rs_webapi_parse_client_msg (data, len, filter, &since);
    if (type < 0) {
        snprintf (err, sizeof err, "%s", rs_errmsg ());
        rs_webguard_bad_message (self->guard, mg_get_request_info (ws->conn)->remote_addr, err);
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
    char *text = ack ? json_dumps (ack, RS_WEB_JSON_FLAGS) : NULL;
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
    rs_webguard_ws_release (self->guard, ws->addr, ws->privileged);
    if (!ws->client) {
        mg_set_user_connection_data (conn, NULL);
        free (ws);
        return;
    }
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

void
rs_websock_connection_closed (rs_web_t *web, const struct mg_connection *conn)
{
    if (mg_get_user_connection_data (conn))
        s_ws_close (conn, web);
}

void
rs_websock_serve (rs_web_t *web, const char *uri)
{
    mg_set_websocket_handler (web->ctx, uri, s_ws_connect, s_ws_ready, s_ws_data, s_ws_close, web);
}
