/*  The web bridge's admission guard (rs_webguard) and routing table
    (rs_webroute), without a server: every kind of request meets the same
    checks in the same order, each refusal is counted by reason, a read's
    token parameter never reaches a handler, and WebSocket messages are
    held to their frame kind, size and rate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rs_test.h"
#include "rs_webguard.h"
#include "rs_webroute.h"

#define READ  "read-token-0123456789"
#define WRITE "write-token-0123456789"

static rs_webguard_request_t
s_req (rs_webguard_kind_t kind, const char *method, const char *path, const char *query, const char *auth)
{
    static int64_t now = 1000;
    now += 1000;                    //  a second apart: within any rate
    return (rs_webguard_request_t) { .kind = kind, .method = method, .path = path, .query = query,
                                     .remote_addr = "10.0.0.9", .num_headers = 3, .authorization = auth,
                                     .host = "rig:8080", .now_ms = now };
}

static int
s_admit (rs_webguard_t *g, rs_webguard_request_t req, rs_webapi_params_t *p, rs_webguard_verdict_t *v)
{
    return rs_webguard_admit (g, &req, p, v);
}

static void
s_test_tokens (rs_webapi_params_t *p)
{
    rs_webguard_opts_t opts = { .read_token = READ, .write_token = WRITE, .allowed_hosts = "rig", .port = 8080 };
    rs_webguard_t *g = rs_webguard_new (&opts);
    RS_CHECK (g != NULL);
    rs_webguard_verdict_t v;
    //  Reads: no token, a wrong one, the read token in the header or the query.
    RS_CHECK (s_admit (g, s_req (RS_WEBGUARD_API, "GET", "/api/wells", NULL, NULL), p, &v) == 401);
    RS_CHECK (v.reason == RS_WEBGUARD_NO_TOKEN && strstr (v.message, "sign in first"));
    RS_CHECK (s_admit (g, s_req (RS_WEBGUARD_API, "GET", "/api/wells", NULL, "Bearer nope-nope-nope-nope"), p, &v)
              == 401);
    RS_CHECK (v.reason == RS_WEBGUARD_WRONG_TOKEN);
    RS_CHECK (s_admit (g, s_req (RS_WEBGUARD_API, "GET", "/api/wells", NULL, "Bearer " READ), p, &v) == 0);
    RS_CHECK (s_admit (g, s_req (RS_WEBGUARD_API, "GET", "/api/history", "well=w1&token=" READ, NULL), p, &v) == 0);
    //  The token parameter is taken out: handlers never see it.
    RS_CHECK (p->n == 1 && rs_webapi_param (p, "token") == NULL && strcmp (rs_webapi_param (p, "well"), "w1") == 0);
    //  Writes: only the write token, only in the header.
    RS_CHECK (s_admit (g, s_req (RS_WEBGUARD_API, "PUT", "/api/thresholds", NULL, "Bearer " READ), p, &v) == 403);
    RS_CHECK (v.reason == RS_WEBGUARD_READ_ONLY);
    RS_CHECK (s_admit (g, s_req (RS_WEBGUARD_API, "POST", "/api/alerts/1/ack", "token=" WRITE, NULL), p, &v) == 401);
    RS_CHECK (s_admit (g, s_req (RS_WEBGUARD_API, "POST", "/api/alerts/1/ack", NULL, "Bearer " WRITE), p, &v) == 0);
    RS_CHECK (s_admit (g, s_req (RS_WEBGUARD_API, "HEAD", "/api/health", NULL, "Bearer " WRITE), p, &v) == 0);
    //  The sign-in probe needs no token (a POST still needs the dashboard's
    //  proof; the router then answers 405).
    RS_CHECK (s_admit (g, s_req (RS_WEBGUARD_API, "GET", "/api/auth", NULL, NULL), p, &v) == 0);
    RS_CHECK (s_admit (g, s_req (RS_WEBGUARD_API, "POST", "/api/auth", NULL, NULL), p, &v) == 403);
    RS_CHECK (v.reason == RS_WEBGUARD_CROSS_SITE);
    //  An unknown path is 401 too: nothing is revealed before the token.
    RS_CHECK (s_admit (g, s_req (RS_WEBGUARD_API, "GET", "/api/secret", NULL, NULL), p, &v) == 401);
    //  Files need no token; only GET and HEAD.
    RS_CHECK (s_admit (g, s_req (RS_WEBGUARD_FILE, "GET", "/app.js", NULL, NULL), NULL, &v) == 0);
    RS_CHECK (s_admit (g, s_req (RS_WEBGUARD_FILE, "DELETE", "/app.js", NULL, NULL), NULL, &v) == 405);
    RS_CHECK (v.reason == RS_WEBGUARD_METHOD);
    //  WebSocket: the read token in the query; the write token reads too.
    RS_CHECK (s_admit (g, s_req (RS_WEBGUARD_WS, "GET", "/ws", NULL, NULL), p, &v) == 401);
    RS_CHECK (s_admit (g, s_req (RS_WEBGUARD_WS, "GET", "/ws", "token=" READ, NULL), p, &v) == 0);
    RS_CHECK (s_admit (g, s_req (RS_WEBGUARD_WS, "GET", "/ws", "token=" WRITE, NULL), p, &v) == 0);
    //  A malformed query is 400 before any token check.
    RS_CHECK (s_admit (g, s_req (RS_WEBGUARD_API, "GET", "/api/wells", "a=1&a=2", NULL), p, &v) == 400);
    RS_CHECK (v.reason == RS_WEBGUARD_QUERY);

    rs_webguard_access_t a = rs_webguard_access (g, "Bearer " READ);
    RS_CHECK (a.read_auth && a.write_auth && a.can_read && !a.can_write && a.token);
    a = rs_webguard_access (g, NULL);
    RS_CHECK (!a.can_read && !a.can_write && !a.token);
    a = rs_webguard_access (g, "Bearer " WRITE);
    RS_CHECK (a.can_read && a.can_write);

    rs_webguard_stats_t st;
    rs_webguard_stats (g, &st);
    RS_CHECK (st.auth_failed == 5 && st.forbidden == 1);
    rs_webguard_destroy (&g);
    RS_CHECK (g == NULL);
}

static void
s_test_limits (rs_webapi_params_t *p)
{
    rs_webguard_opts_t opts = { .rate_limit = 1, .rate_burst = 10, .max_headers = 64, .max_clients = 2,
                                .allow_origins = "https://dash", .max_body = 100, .ws_max_message = 50,
                                .allowed_hosts = "rig", .port = 8080 };
    rs_webguard_t *g = rs_webguard_new (&opts);
    rs_webguard_verdict_t v;
    //  A full header table: civetweb may have dropped some.
    rs_webguard_request_t r = s_req (RS_WEBGUARD_FILE, "GET", "/", NULL, NULL);
    r.num_headers = 64;
    RS_CHECK (rs_webguard_admit (g, &r, NULL, &v) == 431 && v.reason == RS_WEBGUARD_HEADERS);
    //  The burst, then 429 with a Retry-After, for files, API and WebSocket alike.
    r = s_req (RS_WEBGUARD_FILE, "GET", "/", NULL, NULL);
    int ok = 0;
    for (int i = 0; i < 20 && rs_webguard_admit (g, &r, NULL, &v) == 0; i++)
        ok++;
    RS_CHECK (ok == 10 && v.status == 429 && v.retry_after_s >= 1);
    r.kind = RS_WEBGUARD_API;
    r.path = "/api/wells";
    RS_CHECK (rs_webguard_admit (g, &r, p, &v) == 429);
    r.kind = RS_WEBGUARD_WS;
    RS_CHECK (rs_webguard_admit (g, &r, p, &v) == 429);
    //  Another address has its own budget.
    r.remote_addr = "10.0.0.10";
    r.origin = "http://evil.example";
    RS_CHECK (rs_webguard_admit (g, &r, p, &v) == 403 && v.reason == RS_WEBGUARD_ORIGIN);
    r.origin = "https://dash";
    RS_CHECK (rs_webguard_admit (g, &r, p, &v) == 0);
    r.origin = "http://rig:8080";   //  the page's own
    RS_CHECK (rs_webguard_admit (g, &r, p, &v) == 0);
    //  The guard counts the WebSockets it admitted: two of two.
    RS_CHECK (rs_webguard_ws_count (g) == 2);
    RS_CHECK (rs_webguard_admit (g, &r, p, &v) == 503 && v.reason == RS_WEBGUARD_CLIENTS);
    rs_webguard_ws_release (g, "10.0.0.10", true);
    RS_CHECK (rs_webguard_ws_count (g) == 1);
    RS_CHECK (rs_webguard_admit (g, &r, p, &v) == 0);

    //  WebSocket messages: unfragmented text within the size, within the rate.
    RS_CHECK (rs_webguard_ws_message (g, "10.0.0.11", 0x81, 10, 0, &v) == 0);
    RS_CHECK (rs_webguard_ws_message (g, "10.0.0.11", 0x82, 10, 0, &v) == RS_WEBGUARD_FRAME && v.status == 1003);
    RS_CHECK (rs_webguard_ws_message (g, "10.0.0.11", 0x01, 10, 0, &v) == RS_WEBGUARD_FRAME && v.status == 1002);
    RS_CHECK (rs_webguard_ws_message (g, "10.0.0.11", 0xc1, 10, 0, &v) == RS_WEBGUARD_FRAME && v.status == 1002);
    RS_CHECK (rs_webguard_ws_message (g, "10.0.0.11", 0x81, 51, 0, &v) == RS_WEBGUARD_TOO_LARGE && v.status == 1009);
    int sent = 1;
    while (sent < 20 && rs_webguard_ws_message (g, "10.0.0.11", 0x81, 10, 0, &v) == 0)
        sent++;
    RS_CHECK (sent == 10 && v.reason == RS_WEBGUARD_RATE && strstr (v.message, "ignored"));
    rs_webguard_bad_message (g, "10.0.0.11", "not JSON");

    //  Bodies.
    RS_CHECK (rs_webguard_max_body (g) == 100);
    RS_CHECK (rs_webguard_body_declared_ok (g, -1) && rs_webguard_body_declared_ok (g, 100));
    RS_CHECK (!rs_webguard_body_declared_ok (g, 101));
    rs_webguard_body_refused (g, "10.0.0.9", "/api/thresholds", &v);
    RS_CHECK (v.status == 413 && strstr (v.message, "100 bytes"));

    rs_webguard_http_refused (g, "10.0.0.12", 400, "Bad Request");
    rs_webguard_server_error (g, "cannot hold a frame");

    rs_webguard_stats_t st;
    rs_webguard_stats (g, &st);
    RS_CHECK (st.http_rejected == 2 && st.server_errors == 1 && st.rate_limited == 4 && st.origin_refused == 1 && st.ws_refused == 1);
    RS_CHECK (st.ws_bad_frames == 3 && st.ws_too_large == 1 && st.ws_bad_messages == 1 && st.body_too_large == 1);
    RS_CHECK (st.auth_failed == 0);
    rs_webguard_destroy (&g);
}

//  Cross-site requests and DNS rebinding, with no token configured (the
//  zero-configuration start on loopback).
static void
s_test_cross_site (rs_webapi_params_t *p)
{
    rs_webguard_opts_t opts = { .bind_host = "127.0.0.1", .port = 8080, .rate_limit = 1, .rate_burst = 10 };
    rs_webguard_t *g = rs_webguard_new (&opts);
    rs_webguard_verdict_t v;
    rs_webguard_request_t r = s_req (RS_WEBGUARD_API, "PUT", "/api/thresholds", NULL, NULL);
    r.remote_addr = "127.0.0.1";
    r.http_version = "1.1";
    r.content_type = "text/plain";
    r.content_length = 12;
    r.content_lengths = 1;
    //  The page on evil.example whose name now resolves to 127.0.0.1.
    r.host = "evil.example:8080";
    r.origin = "http://evil.example:8080";
    RS_CHECK (rs_webguard_admit (g, &r, p, &v) == 421 && v.reason == RS_WEBGUARD_HOST);
    RS_CHECK (strstr (v.message, "WEB_ALLOWED_HOSTS") != NULL);
    //  The page on evil.example posting to 127.0.0.1 directly.
    r.host = "127.0.0.1:8080";
    RS_CHECK (rs_webguard_admit (g, &r, p, &v) == 403 && v.reason == RS_WEBGUARD_ORIGIN);
    r.method = "OPTIONS";           //  its preflight
    RS_CHECK (rs_webguard_admit (g, &r, p, &v) == 403 && v.reason == RS_WEBGUARD_ORIGIN);
    //  No Origin (a form from a page that hides it, a script): no proof.
    r.method = "PUT";
    r.origin = NULL;
    RS_CHECK (rs_webguard_admit (g, &r, p, &v) == 403 && v.reason == RS_WEBGUARD_CROSS_SITE);
    RS_CHECK (strstr (v.message, "X-Rigstream") != NULL);
    r.proof = "1";
    RS_CHECK (rs_webguard_admit (g, &r, p, &v) == 415 && v.reason == RS_WEBGUARD_MEDIA_TYPE);
    r.content_type = NULL;
    RS_CHECK (rs_webguard_admit (g, &r, p, &v) == 415);
    r.content_type = "application/json; charset=utf-8";
    r.origin = "http://localhost:8080";
    RS_CHECK (rs_webguard_admit (g, &r, p, &v) == 0);
    r.content_type = "application/jsonx";
    RS_CHECK (rs_webguard_admit (g, &r, p, &v) == 415);
    //  A bearer token proves it too (a cross-site page cannot add one).
    r.proof = NULL;
    r.authorization = "Bearer anything-at-all";
    r.content_type = "application/json";
    RS_CHECK (rs_webguard_admit (g, &r, p, &v) == 0);
    //  An acknowledgement without a body needs no Content-Type.
    r = s_req (RS_WEBGUARD_API, "POST", "/api/alerts/1/ack", NULL, NULL);
    r.remote_addr = "127.0.0.1";
    r.host = "[::1]:8080";
    r.proof = "1";
    r.content_length = -1;
    RS_CHECK (rs_webguard_admit (g, &r, p, &v) == 0);
    //  Reads and files from a rebound name are refused as well.
    r = s_req (RS_WEBGUARD_FILE, "GET", "/", NULL, NULL);
    r.host = "evil.example:8080";
    RS_CHECK (rs_webguard_admit (g, &r, NULL, &v) == 421);
    //  A WebSocket: its Origin against the allow-list, not against Host.
    r = s_req (RS_WEBGUARD_WS, "GET", "/ws", NULL, NULL);
    r.host = "127.0.0.1:8080";
    r.origin = "http://evil.example:8080";
    RS_CHECK (rs_webguard_admit (g, &r, p, &v) == 403 && v.reason == RS_WEBGUARD_ORIGIN);
    r.origin = "http://127.0.0.1:8080";
    RS_CHECK (rs_webguard_admit (g, &r, p, &v) == 0);
    //  Framing.
    r = s_req (RS_WEBGUARD_API, "GET", "/api/wells", NULL, NULL);
    r.host = NULL;
    r.http_version = "1.1";
    RS_CHECK (rs_webguard_admit (g, &r, p, &v) == 400 && v.reason == RS_WEBGUARD_FRAMING);
    r.http_version = "1.0";
    RS_CHECK (rs_webguard_admit (g, &r, p, &v) == 0);
    r.host = "localhost:8080";
    r.content_lengths = 2;
    RS_CHECK (rs_webguard_admit (g, &r, p, &v) == 400 && strstr (v.message, "Content-Length"));
    r.content_lengths = 1;
    r.transfer_encoding = "chunked";
    RS_CHECK (rs_webguard_admit (g, &r, p, &v) == 400 && strstr (v.message, "Transfer-Encoding"));
    rs_webguard_stats_t st;
    rs_webguard_stats (g, &st);
    RS_CHECK (st.host_refused == 2 && st.origin_refused == 3 && st.csrf_refused == 4);
    rs_webguard_destroy (&g);

    //  Every 127.x.y.z is one client for the rate.
    g = rs_webguard_new (&opts);
    r = s_req (RS_WEBGUARD_FILE, "GET", "/", NULL, NULL);
    r.host = "127.0.0.1:8080";
    int served = 0;
    char addr[32];
    for (int i = 0; i < 30; i++) {
        snprintf (addr, sizeof addr, "127.0.%d.%d", i / 200, 1 + i % 200);
        r.remote_addr = addr;
        if (rs_webguard_admit (g, &r, NULL, &v) == 0)
            served++;
    }
    RS_CHECK_INT (served, 10);
    rs_webguard_destroy (&g);
}

static void
s_test_routes (rs_webapi_params_t *p)
{
    rs_webroute_t r;
    RS_CHECK (rs_webapi_parse_query (NULL, p) == 0);
    RS_CHECK (rs_webroute_match ("/api/health", "GET", p, &r) == 0 && r.id == RS_WEBROUTE_HEALTH);
    RS_CHECK (rs_webroute_match ("/api/wells", "HEAD", p, &r) == 0 && r.id == RS_WEBROUTE_WELLS);
    RS_CHECK (rs_webroute_match ("/api/thresholds", "PUT", p, &r) == 0 && r.write);
    RS_CHECK (rs_webroute_match ("/api/thresholds", "GET", p, &r) == 0 && !r.write);
    RS_CHECK (rs_webroute_match ("/api/health", "PUT", p, &r) == 405);
    RS_CHECK (strcmp (rs_errmsg (), "method PUT not allowed on /api/health") == 0);
    RS_CHECK (rs_webroute_match ("/api/auth", "POST", p, &r) == 405);
    RS_CHECK (rs_webroute_match ("/api/nothing", "GET", p, &r) == 404);
    RS_CHECK (strcmp (rs_errmsg (), "no such path: /api/nothing") == 0);
    RS_CHECK (rs_webroute_match ("/api/alerts/12/out-of-service", "POST", p, &r) == 0
              && r.id == RS_WEBROUTE_ACK && strcmp (r.action, "out_of_service") == 0 && strcmp (r.arg, "12") == 0);
    RS_CHECK (rs_webroute_match ("/api/alerts/12/shelve", "GET", p, &r) == 405);
    RS_CHECK (rs_webroute_match ("/api/alerts/12/delete", "POST", p, &r) == 404);
    RS_CHECK (rs_webroute_match ("/api/audit", "GET", p, &r) == 0 && r.id == RS_WEBROUTE_AUDIT);
    RS_CHECK (rs_webroute_match ("/api/audit", "PUT", p, &r) == 405);
    RS_CHECK (rs_webroute_match ("/api/alerts/42/ack", "POST", p, &r) == 0);
    RS_CHECK (r.id == RS_WEBROUTE_ACK && r.write && strcmp (r.arg, "42") == 0);
    RS_CHECK (rs_webroute_match ("/api/alerts/42/ack", "GET", p, &r) == 405);
    RS_CHECK (rs_webroute_match ("/api/alerts/42", "POST", p, &r) == 404);
    RS_CHECK (rs_webroute_match ("/api/alerts/42/ackx", "POST", p, &r) == 404);
    RS_CHECK (rs_webroute_match ("/api/alerts/0123456789012345678901234567890123/ack", "POST", p, &r) == 404);
    RS_CHECK (rs_webroute_match ("/api/alerts/", "GET", p, &r) == 404);
    //  Each route's parameters.
    RS_CHECK (rs_webapi_parse_query ("well=w1&points=10", p) == 0);
    RS_CHECK (rs_webroute_match ("/api/history", "GET", p, &r) == 0);
    RS_CHECK (rs_webroute_match ("/api/export.csv", "GET", p, &r) == 400);
    RS_CHECK (rs_webroute_match ("/api/health", "GET", p, &r) == 400);
    RS_CHECK (rs_webapi_parse_query ("well=w1", p) == 0);
    RS_CHECK (rs_webroute_match ("/api/alerts", "GET", p, &r) == 0 && r.id == RS_WEBROUTE_ALERTS);
    RS_CHECK (rs_webapi_parse_query ("anything=1", p) == 0);
    RS_CHECK (rs_webroute_match ("/api/auth", "GET", p, &r) == 0 && r.id == RS_WEBROUTE_AUTH);
}

//  WebSockets without Origin or token: per client (every loopback address
//  is one), never in the reserve; the dashboard's pages and token holders
//  take the reserve.
static void
s_test_ws_slots (rs_webapi_params_t *p)
{
    rs_webguard_opts_t opts = { .max_clients = 6, .ws_per_client = 2, .ws_reserve = 2, .read_token = READ,
                                .port = 8080, .allowed_hosts = "rig" };
    rs_webguard_t *g = rs_webguard_new (&opts);
    rs_webguard_verdict_t v;
    char addr[32], query[64];
    snprintf (query, sizeof query, "token=%s", READ);
    //  A token holder (the read token in the query, as a WebSocket sends
    //  it) takes a slot of the reserve class; without it, 401 and no slot.
    rs_webguard_request_t t = s_req (RS_WEBGUARD_WS, "GET", "/ws", query, NULL);
    t.remote_addr = "127.0.0.1";
    RS_CHECK (rs_webguard_admit (g, &t, p, &v) == 0 && v.ws_privileged);
    t.query = NULL;
    RS_CHECK (rs_webguard_admit (g, &t, p, &v) == 401);
    RS_CHECK_INT (rs_webguard_ws_count (g), 1);
    rs_webguard_destroy (&g);

    int ok = 0;
    opts.read_token = NULL;
    g = rs_webguard_new (&opts);
    for (int i = 0; i < 5; i++) {
        snprintf (addr, sizeof addr, "127.0.%d.%d", i, 2 + i);
        rs_webguard_request_t r = s_req (RS_WEBGUARD_WS, "GET", "/ws", NULL, NULL);
        r.remote_addr = addr;
        if (rs_webguard_admit (g, &r, p, &v) == 0)
            ok++;
        else
            RS_CHECK (v.status == 429 && v.reason == RS_WEBGUARD_CLIENT_SOCKETS && v.retry_after_s >= 1);
    }
    RS_CHECK_INT (ok, 2);           //  rotating 127.x.y.z: still one client
    for (int i = 0; i < 3; i++) {
        rs_webguard_request_t r = s_req (RS_WEBGUARD_WS, "GET", "/ws", NULL, NULL);
        snprintf (addr, sizeof addr, "10.1.0.%d", i);
        r.remote_addr = addr;
        int rc = rs_webguard_admit (g, &r, p, &v);
        //  Two more clients fill the unreserved four; the next finds only the reserve.
        RS_CHECK (i < 2 ? rc == 0 : rc == 503 && strstr (v.message, "WEB_WS_RESERVE") != NULL);
    }
    for (int i = 0; i < 3; i++) {
        rs_webguard_request_t r = s_req (RS_WEBGUARD_WS, "GET", "/ws", NULL, NULL);
        r.remote_addr = "127.0.0.1";
        r.origin = "http://rig:8080";
        int rc = rs_webguard_admit (g, &r, p, &v);
        RS_CHECK (i < 2 ? rc == 0 && v.ws_privileged : rc == 503 && strstr (v.message, "WEB_MAX_CLIENTS") != NULL);
    }
    RS_CHECK_INT (rs_webguard_ws_count (g), 6);
    //  Raw sockets close (one of loopback's, the two dashboards): raw
    //  clients hold three, the reserve's two stay free for the dashboard.
    rs_webguard_ws_release (g, "127.0.0.9", false);
    rs_webguard_ws_release (g, "127.0.0.1", true);
    rs_webguard_ws_release (g, "127.0.0.1", true);
    rs_webguard_request_t r = s_req (RS_WEBGUARD_WS, "GET", "/ws", NULL, NULL);
    r.remote_addr = "127.0.0.1";
    RS_CHECK (rs_webguard_admit (g, &r, p, &v) == 0 && !v.ws_privileged);
    r.remote_addr = "10.2.0.1";
    RS_CHECK (rs_webguard_admit (g, &r, p, &v) == 503 && strstr (v.message, "WEB_WS_RESERVE") != NULL);
    rs_webguard_destroy (&g);
}

int
main (void)
{
    rs_webapi_params_t *p = malloc (sizeof *p);
    RS_CHECK (p != NULL);
    s_test_tokens (p);
    s_test_limits (p);
    s_test_ws_slots (p);
    s_test_cross_site (p);
    s_test_routes (p);
    free (p);
    return RS_TEST_DONE ();
}
