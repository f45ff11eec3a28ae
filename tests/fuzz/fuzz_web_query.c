/*  libFuzzer harness for the web bridge's URL handling (rs_webapi,
    rs_websec, rs_webguard, rs_webroute): the input is a query string for
    /api/history, /api/export.csv and /api/alerts, then a URL path for the
    frontend tree, then header values (Authorization, Origin). Checks what
    must always hold: a path that is accepted never climbs out of the root,
    parsed ranges are ordered, channel lists are within bounds, the guard
    admits a write only with the write token and never hands a read's
    token parameter on, and a routed request has a known route. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rs_webapi.h"
#include "rs_webguard.h"
#include "rs_webroute.h"
#include "rs_websec.h"

#define ROOT "/srv/frontend"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
s_query (const char *text)
{
    static const char *const allowed[] = { "well", "from", "to", "channels", "points", NULL };
    static const char *const defaults[] = { "hook_load", "wob", "rpm" };
    rs_webapi_params_t *p = malloc (sizeof *p);
    if (rs_webapi_parse_query (text, p) == 0) {
        if (p->n > RS_WEBAPI_MAX_PARAMS)
            abort ();
        rs_webapi_check_params (p, allowed);
        rs_webapi_range_t r;
        if (rs_webapi_parse_range (p, INT64_C (1795400000000000), 3600, defaults, 3, &r) == 0
            && (r.from_us > r.to_us || r.n_channels > RS_WEBAPI_MAX_CHANNELS || !rs_id_valid (r.well, strlen (r.well))))
            abort ();
        long points;
        const char *pts = rs_webapi_param (p, "points");
        if (pts && rs_webapi_parse_int (pts, 1, RS_WEBAPI_MAX_POINTS, &points) == 0
            && (points < 1 || points > RS_WEBAPI_MAX_POINTS))
            abort ();
    }
    free (p);
}

static void
s_path (const char *raw)
{
    char decoded[1024], out[2048];
    if (rs_webapi_decode_path (raw, decoded, sizeof decoded) != 0)
        return;
    if (rs_webapi_static_path (ROOT, decoded, out, sizeof out) != 0)
        return;
    //  Accepted: under the root, no parent or hidden segment, no control bytes.
    if (strncmp (out, ROOT "/", strlen (ROOT) + 1) != 0 || strstr (out, "/.") || strstr (out, "//")
        || strchr (out, '\\'))
        abort ();
    for (const char *c = out; *c; c++)
        if ((unsigned char) *c < 0x20)
            abort ();
    rs_webapi_mime (out);
}

//  The admission guard and the routing table over the same parts: as an
//  API read and write of the path, and as a WebSocket upgrade.
static void
s_guard (const char *query, const char *path, const char *auth, const char *origin)
{
    static rs_webguard_t *guard;
    if (!guard) {
        rs_webguard_opts_t opts = { .read_token = "read-token-0123456789", .write_token = "write-token-0123456789",
                                    .allow_origins = "http://ops:9000", .max_headers = 64, .port = 8080,
                                    .bind_host = "127.0.0.1" };
        guard = rs_webguard_new (&opts);
    }
    rs_webapi_params_t *p = malloc (sizeof *p);
    static const char *const methods[] = { "GET", "PUT", "POST" };
    for (int kind = RS_WEBGUARD_API; kind <= RS_WEBGUARD_WS; kind++)
        for (int m = 0; m < 3; m++) {
            rs_webguard_request_t req = { .kind = (rs_webguard_kind_t) kind, .method = methods[m], .path = path,
                                          .query = query, .remote_addr = "10.0.0.1", .authorization = auth,
                                          .origin = origin, .host = "127.0.0.1:8080" };
            rs_webguard_verdict_t v;
            int status = rs_webguard_admit (guard, &req, kind == RS_WEBGUARD_FILE ? NULL : p, &v);
            if (status != v.status || (status && !v.message[0]))
                abort ();
            const char *token = rs_websec_bearer (auth);
            if (status == 0 && kind == RS_WEBGUARD_API && m && strcmp (path, "/api/auth") != 0
                && (!token || strcmp (token, "write-token-0123456789") != 0))
                abort ();
            if (status == 0 && kind == RS_WEBGUARD_API && !m && rs_webapi_param (p, "token"))
                abort ();
            //  An admitted WebSocket holds a slot until it closes.
            if (status == 0 && kind == RS_WEBGUARD_WS)
                rs_webguard_ws_release (guard, req.remote_addr, v.ws_privileged);
            rs_webroute_t route;
            if (status == 0 && kind == RS_WEBGUARD_API
                && rs_webroute_match (path, methods[m], p, &route) == 0
                && (route.id > RS_WEBROUTE_ACK || (route.id == RS_WEBROUTE_ACK && !route.arg[0])))
                abort ();
        }
    free (p);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    //  Parts separated by newlines: query, path, Authorization, Origin.
    char *text = malloc (size + 1);
    if (!text)
        return 0;
    memcpy (text, data, size);
    text[size] = 0;
    char *parts[4] = { text, "", "", "" };
    for (int i = 1; i < 4; i++) {
        char *nl = strchr (parts[i - 1], '\n');
        if (!nl)
            break;
        *nl = 0;
        parts[i] = nl + 1;
    }
    s_query (parts[0]);
    s_path (parts[1]);
    s_guard (parts[0], parts[1], parts[2], parts[3]);
    const char *token = rs_websec_bearer (parts[2]);
    rs_websec_policy_t policy = { "read-token-0123456789", "write-token-0123456789" };
    rs_websec_verdict_t v = rs_websec_check (&policy, true, token);
    if (v == RS_WEBSEC_ALLOW && strcmp (token, policy.write_token) != 0)
        abort ();
    rs_websec_hosts_t hosts = { 8080, "127.0.0.1", "rig-pc,dash:443" };
    rs_websec_origin_allowed (parts[3], false, &hosts, "http://ops:9000,https://rig", true);
    if (rs_websec_host_allowed (parts[3], &hosts) && strstr (parts[3], "evil"))
        abort ();
    rs_websec_hosts_valid (parts[3]);
    rs_websec_origins_valid (parts[3]);
    rs_websec_host_is_loopback (parts[3]);
    free (text);
    return 0;
}
