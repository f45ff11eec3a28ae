/*  rs_web: the web bridge's HTTP side on civetweb: the frontend tree, the
    REST API and the /ws WebSocket feed (docs/WEB.md). civetweb's threads
    never touch the process's ZeroMQ sockets: they read the hub and the
    alert store (both locked), open the history read-only per request, and
    ask the broker's and the engine's control endpoints with a REQ socket of
    their own, created per request with a short timeout. Each WebSocket
    client gets a writer thread that drains its hub queue, so a slow browser
    blocks only its own writer. */
#ifndef RS_WEB_H
#define RS_WEB_H

#include <stdint.h>

#include "rs_alerts.h"
#include "rs_hub.h"

typedef struct {
    const char *host;               //  interface, e.g. "127.0.0.1"
    int port;
    const char *root;               //  the frontend tree served at /
    const char *db_path;            //  the saver's database (read-only)
    const char *broker_control;     //  broker control endpoint (STATUS)
    const char *engine_control;     //  prediction engine control endpoint
    int max_clients;                //  WebSocket clients at once; 0 = 32
    int64_t stale_ms;               //  a component silent this long is down; 0 = 5000
    int control_timeout_ms;         //  for broker and engine requests; 0 = 1500
    int display_units;              //  rs_unit_system_t the dashboard starts in
    const char *tls_cert;           //  PEM with key and certificate: serve HTTPS/WSS; NULL or "" = plain HTTP
    const char *read_token;         //  bearer token for reads (API, /ws); NULL or "" = open
    const char *write_token;        //  bearer token for writes (ack, thresholds); NULL or "" = open
    const char *allow_origins;      //  origins that may read and open WebSockets besides the page's own
    const char *allowed_hosts;      //  Host names besides loopback and `host` (rs_websec_host_allowed)
    size_t max_body;                //  request body bytes; 0 = 65536
    size_t ws_max_message;          //  bytes of one client WebSocket message; 0 = 4096
    double rate_limit;              //  requests per second per client address; 0 = no limit
    double rate_burst;              //  requests at once before the rate applies; 0 = 4 x rate_limit
    int ws_per_client;              //  WebSockets of one client without Origin or token; 0 = 8
    int ws_reserve;                 //  WebSocket slots only the dashboard's pages and token holders take
    int history_concurrent;         //  history and export requests at once, all clients; 0 = 2
    int history_client_concurrent;  //  the same for one client; 0 = 1
    int history_wait_ms;            //  how long one waits for a free slot before 429
    double history_client_rows;     //  rows one client may read per minute; 0 = no budget
    double history_total_rows;      //  rows all clients may read per minute; 0 = no budget
    double history_client_cpu_ms;   //  CPU ms one client's history may use per minute; 0 = no budget
    double history_total_cpu_ms;    //  the same for all clients; 0 = no budget
    size_t history_max_bytes;       //  one history answer; 0 = 8 MB
    int history_max_ms;             //  wall time one history request may read for; 0 = 10000
    size_t ws_queue_bytes;          //  replies queued for one WebSocket before history is refused; 0 = 4 MB
    uint64_t export_max_bytes;      //  one CSV export; 0 = 256 MB
    const char *audit_log;          //  audit file of writes and refusals; NULL or "" = none
    size_t audit_max_bytes;         //  rotated past this size; 0 = 10 MB
    int audit_keep;                 //  rotated files kept; 0 = 5
    const struct rs_curve_t *curve; //  CURVE for those requests; NULL = plaintext
    const char *engine_key;         //  the engine's public key (Z85) when CURVE is on
} rs_web_opts_t;

//  The server's state is shared with its handlers (rs_webreply.h), which
//  also reads its counters (rs_webreply_stats).
typedef struct rs_web_t rs_web_t;

//  Starts the server. Returns a fresh server, or NULL (logged: port in use,
//  no WebSocket support in the civetweb library...).
rs_web_t *rs_web_new (const rs_web_opts_t *opts, rs_hub_t *hub, rs_alerts_t *alerts);
//  Stops the server: closes every client, joins its threads.
void rs_web_destroy (rs_web_t **self_p);

#endif
