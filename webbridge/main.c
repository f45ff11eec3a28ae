/*  rigstream-web: the web bridge. One rs_sub loop reads every topic from the
    broker and feeds the hub (live values for the browsers) and the alert
    store; civetweb serves the dashboard, the REST API and /ws (rs_web). */
#include <jansson.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rs_alerts.h"
#include "rs_clock.h"
#include "rs_curve.h"
#include "rs_hub.h"
#include "rs_log.h"
#include "rs_json.h"
#include "rs_sub.h"
#include "rs_units.h"
#include "rs_web.h"
#include "rs_webout.h"
#include "rs_websec.h"

static const rs_option_t s_options[] = {
    { "control-port", "BROKER_CONTROL_PORT", RS_OPT_INT, "5557", "broker control port", 1, 65535 },
    { "control", "BROKER_CONTROL_ENDPOINT", RS_OPT_ENDPOINT, NULL,
      "broker control endpoint; overrides broker-host and control-port", 0, 0 },
    { "host", "WEB_HOST", RS_OPT_STRING, "127.0.0.1", "interface the web dashboard listens on", 0, 0 },
    { "port", "WEB_PORT", RS_OPT_INT, "8080", "port of the web dashboard", 1, 65535 },
    { "root", "WEB_ROOT", RS_OPT_STRING, NULL,
      "directory of the built dashboard (default: frontend/ of the build tree)", 0, 0 },
    { "well-timeout-s", "WEB_WELL_TIMEOUT_S", RS_OPT_INT, "10",
      "seconds without a sample after which a well is not live and its channels stale (/api/wells, /api/latest)",
      1, 86400 },
    { "max-clients", "WEB_MAX_CLIENTS", RS_OPT_INT, "32", "WebSocket clients served at once", 1, 1000 },
    { "tls-cert", "WEB_TLS_CERT", RS_OPT_STRING, NULL,
      "PEM file with the private key and certificate: serve HTTPS and WSS instead of HTTP", 0, 0 },
    { "write-token", "WEB_WRITE_TOKEN", RS_OPT_STRING, NULL,
      "token operators sign in with to acknowledge alerts and change thresholds (at least 16 characters); "
      "required unless the dashboard listens on loopback only", 0, 0 },
    { "read-token", "WEB_READ_TOKEN", RS_OPT_STRING, NULL,
      "token needed to read the API and the live feed (at least 16 characters); empty: reading is open", 0, 0 },
    { "allow-origins", "WEB_ALLOW_ORIGINS", RS_OPT_STRING, NULL,
      "origins allowed to read the API and the live feed besides the dashboard's own, comma-separated "
      "(http://host:port, or *); writes come only from the dashboard's own pages", 0, 0 },
    { "allowed-hosts", "WEB_ALLOWED_HOSTS", RS_OPT_STRING, NULL,
      "names the dashboard is reached by besides localhost, the loopback addresses and WEB_HOST, "
      "comma-separated (name or name:port); other Host headers get 421 (DNS rebinding)", 0, 0 },
    { "max-body", "WEB_MAX_BODY", RS_OPT_INT, "65536", "largest request body in bytes", 1024, 16777216 },
    { "ws-max-message", "WEB_WS_MAX_MESSAGE", RS_OPT_INT, "4096",
      "largest WebSocket message a browser may send, in bytes", 256, 1048576 },
    { "rate-limit", "WEB_RATE_LIMIT", RS_OPT_INT, "50",
      "requests per second per client address, bursts of 4x allowed (0: no limit)", 0, 100000 },
    { "ws-per-client", "WEB_WS_PER_CLIENT", RS_OPT_INT, "8",
      "WebSockets one client may hold without the dashboard's Origin or a token (every loopback address is one "
      "client)", 1, 1000 },
    { "ws-reserve", "WEB_WS_RESERVE", RS_OPT_INT, "4",
      "of WEB_MAX_CLIENTS, the WebSockets only the dashboard's pages (allowed Origin) and token holders may take",
      0, 1000 },
    { "history-concurrent", "WEB_HISTORY_CONCURRENT", RS_OPT_INT, "2",
      "history and export requests (REST and WebSocket since) worked on at once, all clients", 1, 64 },
    { "history-client-concurrent", "WEB_HISTORY_CLIENT_CONCURRENT", RS_OPT_INT, "1",
      "history and export requests worked on at once for one client", 1, 64 },
    { "history-wait-ms", "WEB_HISTORY_WAIT_MS", RS_OPT_INT, "2000",
      "how long a history or export request waits for a free slot before it is refused", 0, 60000 },
    { "history-client-rows", "WEB_HISTORY_CLIENT_ROWS", RS_OPT_INT, "2000000",
      "rows one client's history and export requests may read per minute (0: no budget)", 0, 1000000000 },
    { "history-total-rows", "WEB_HISTORY_TOTAL_ROWS", RS_OPT_INT, "6000000",
      "rows every client's history and export requests may read per minute together (0: no budget)", 0,
      1000000000 },
    { "history-client-cpu-ms", "WEB_HISTORY_CLIENT_CPU_MS", RS_OPT_INT, "10000",
      "CPU milliseconds one client's history and export requests may use per minute (0: no budget)", 0, 3600000 },
    { "history-total-cpu-ms", "WEB_HISTORY_TOTAL_CPU_MS", RS_OPT_INT, "20000",
      "CPU milliseconds every client's history and export requests may use per minute together (0: no budget)",
      0, 3600000 },
    { "history-max-ms", "WEB_HISTORY_MAX_MS", RS_OPT_INT, "10000",
      "wall time one history or export request may read the database for: 413 beyond", 100, 600000 },
    { "history-max-bytes", "WEB_HISTORY_MAX_BYTES", RS_OPT_INT, "8388608",
      "largest history answer (REST or WebSocket), in bytes: 413 or an error beyond", 65536, 1073741824 },
    { "ws-queue-bytes", "WEB_WS_QUEUE_BYTES", RS_OPT_INT, "4194304",
      "bytes of answers queued for one WebSocket beyond which its history requests are refused", 65536,
      1073741824 },
    { "export-max-bytes", "WEB_EXPORT_MAX_BYTES", RS_OPT_INT, "268435456",
      "largest CSV export, in bytes: 413 beyond", 65536, 17179869184 },
    { "audit-log", "WEB_AUDIT_LOG", RS_OPT_STRING, NULL,
      "audit file (JSON lines) of every write request and every refused one (default: "
      "$RIGSTREAM_RUN_DIR/logs/web_audit.log, RIGSTREAM_RUN_DIR being run; none: no audit file)", 0, 0 },
    { "audit-max-kb", "WEB_AUDIT_MAX_KB", RS_OPT_INT, "10240", "size at which the audit file is rotated, in KB",
      16, 1048576 },
    { "audit-keep", "WEB_AUDIT_KEEP", RS_OPT_INT, "5", "rotated audit files kept (file.1 ... file.N)", 1, 100 },
    { "db", "DATABASE_PATH", RS_OPT_STRING, "./data/rigstream.db",
      "SQLite database the saver writes and the web bridge reads", 0, 0 },
    { "engine-control-port", "ENGINE_CONTROL_PORT", RS_OPT_INT, "5558",
      "prediction engine control port (thresholds)", 1, 65535 },
    { "engine-control", "ENGINE_CONTROL_ENDPOINT", RS_OPT_ENDPOINT, NULL,
      "prediction engine control endpoint; overrides broker-host and engine-control-port", 0, 0 },
    { "units", "DISPLAY_UNITS", RS_OPT_STRING, "metric",
      "units the dashboard starts in (each browser can switch): metric (as stored) or imperial", 0, 0 },
    { "engine-control-key", "ENGINE_CONTROL_KEY", RS_OPT_STRING, NULL,
      "with CURVE: the prediction engine's public key (Z85) or public certificate file", 0, 0 },
    RS_OPTION_END
};

typedef struct {
    rs_hub_t *hub;
    rs_alerts_t *alerts;
    rs_web_t *web;
    rs_log_limit_t bad_alert;
} bridge_t;

//  A KPI, alert or event as JSON: every field of the body (nil as null),
//  plus "type" (unless NULL), the topic and the time in ISO 8601. Fresh
//  reference or NULL.
static json_t *
s_msg_json (const rs_msg_t *msg, const char *type)
{
    json_t *doc = rs_json_from_msgpack (msg->body);
    if (!json_is_object (doc)) {
        json_decref (doc);
        return NULL;
    }
    char iso[40];
    if (type)
        json_object_set_new (doc, "type", json_string (type));
    json_object_set_new (doc, "topic", json_string (msg->topic));
    json_object_set_new (doc, "time", json_string (rs_clock_format (msg->hdr.ts_us, iso, sizeof iso)));
    return doc;
}

static char *
s_dump (json_t *doc)
{
    return doc ? json_dumps (doc, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION (12)) : NULL;
}

static int
s_on_message (rs_sub_t *sub, const rs_msg_t *msg, void *arg)
{
    (void) sub;
    bridge_t *self = arg;
    int64_t now = rs_clock_mono_ms ();
    switch (msg->kind) {
    case RS_KIND_TELEMETRY:
        rs_hub_sample (self->hub, msg, now);
        break;
    case RS_KIND_SYS:
        rs_hub_heartbeat (self->hub, msg, now);
        break;
    case RS_KIND_KPI: {
        json_t *doc = s_msg_json (msg, "kpi");
        const char *state = json_string_value (json_object_get (doc, "rig_state"));
        if (!state)
            state = json_string_value (json_object_get (doc, "state"));
        if (doc)
            rs_hub_kpi_meta (self->hub, msg->id, doc, now);
        char *text = s_dump (doc);
        if (text)
            rs_hub_kpi (self->hub, msg->id, text, state, now);
        free (text);
        json_decref (doc);
        break;
    }
    case RS_KIND_ALERT: {
        //  The store keeps the engine's own "type" (kick, threshold...).
        json_t *doc = s_msg_json (msg, NULL);
        const char *reason = "out of memory";
        json_t *alert = doc ? rs_alerts_feed (self->alerts, doc, &reason) : NULL;
        if (alert) {
            //  "type" names the WebSocket message; the engine's own type (kick,
            //  threshold...) travels as "alert_type".
            json_t *kind = json_object_get (alert, "type");
            if (kind)
                json_object_set (alert, "alert_type", kind);
            json_object_set_new (alert, "type", json_string ("alert"));
            char *text = s_dump (alert);
            if (text)
                rs_hub_broadcast (self->hub, msg->id, text, false);
            free (text);
        }
        else
            rs_log_limited (&self->bad_alert, 5000, RS_LOG_WARN, "ignoring an alert on %s: %s", msg->topic,
                            reason);
        json_decref (alert);
        json_decref (doc);
        break;
    }
    case RS_KIND_EVENT: {
        json_t *doc = s_msg_json (msg, "event");
        bool rig_state = msg->event_type && strcmp (msg->event_type, "rig_state") == 0;
        if (rig_state && msg->event_state && *msg->event_state)
            rs_hub_set_rig_state (self->hub, msg->id, msg->event_state);
        char *text = s_dump (doc);
        if (text)
            rs_hub_broadcast (self->hub, msg->id, text, rig_state);
        free (text);
        json_decref (doc);
        break;
    }
    default:
        break;
    }
    return 0;
}

//  What the bridge did alone goes to the audit trail (rs_webout).
static int
s_on_outbox (rs_sub_t *sub, void *arg)
{
    bridge_t *self = arg;
    rs_webout_audit (self->alerts, rs_sub_pub (sub), "webbridge");
    return 0;
}

static void
s_stats (rs_sub_t *sub, rs_sub_report_t *r, void *arg)
{
    (void) sub;
    bridge_t *self = arg;
    rs_hub_stats_t hs;
    rs_web_stats_t ws = { 0 };
    rs_hub_stats (self->hub, &hs);
    //  The last heartbeat comes after on_stop, which stopped the server.
    if (self->web)
        rs_web_stats (self->web, &ws);
    rs_sub_report_add (r, "clients", (double) hs.clients);
    rs_sub_report_add (r, "ws_sent", (double) hs.sent);
    rs_sub_report_add (r, "ws_dropped", (double) hs.dropped);
    rs_sub_report_add (r, "ws_accepted", (double) ws.ws_accepted);
    rs_sub_report_add (r, "ws_refused", (double) ws.ws_refused);
    rs_sub_report_add (r, "ws_write_errors", (double) ws.ws_write_errors);
    rs_sub_report_add (r, "http_requests", (double) ws.requests);
    rs_sub_report_add (r, "http_errors", (double) ws.errors);
    rs_sub_report_add (r, "auth_failed", (double) (ws.auth_failed + ws.forbidden));
    rs_sub_report_add (r, "origin_refused", (double) ws.origin_refused);
    rs_sub_report_add (r, "rate_limited", (double) ws.rate_limited);
    rs_sub_report_add (r, "http_rejected", (double) (ws.http_rejected + ws.body_too_large));
    rs_sub_report_add (r, "ws_bad_frames", (double) (ws.ws_bad_frames + ws.ws_too_large + ws.ws_bad_messages));
    rs_sub_report_add (r, "history_refused", (double) ws.history_refused);
    rs_sub_report_add (r, "history_rows", (double) ws.history_rows);
    rs_sub_report_add (r, "history_cpu_ms", (double) ws.history_cpu_ms);
    rs_sub_report_add (r, "audit_lines", (double) ws.audit_lines);
    rs_sub_report_add (r, "refused_wells", (double) hs.refused_wells);
    rs_sub_report_add (r, "alerts_active", (double) rs_alerts_active (self->alerts));
}

//  The frontend tree next to the binary's build tree (bin/../frontend), else
//  the one CMake configured.
static void
s_default_root (char *buf, size_t size)
{
    char exe[4096];
    ssize_t n = readlink ("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr (exe, '/');
        if (slash) {
            *slash = 0;
            int len = snprintf (buf, size, "%.3500s/../frontend", exe);
            if (len > 0 && (size_t) len < size && access (buf, R_OK) == 0)
                return;
        }
    }
    snprintf (buf, size, "%s", RS_FRONTEND_DEFAULT);
}

static void
s_endpoint (rs_config_t *cfg, const char *full, const char *port, char *buf, size_t size)
{
    if (rs_config_is_set (cfg, full))
        snprintf (buf, size, "%s", rs_config_str (cfg, full));
    else
        snprintf (buf, size, "tcp://%s:%ld", rs_config_str (cfg, "broker-host"), rs_config_int (cfg, port));
}

//  Anyone who reaches the port could change thresholds: off loopback,
//  writes need a token. Returns RS_OK or RS_E_CONFIG (logged).
static int
s_check (rs_config_t *cfg)
{
    const char *host = rs_config_str (cfg, "host");
    const char *write_token = rs_config_str (cfg, "write-token");
    const char *read_token = rs_config_str (cfg, "read-token");
    const char *tls_cert = rs_config_str (cfg, "tls-cert");
    char oerr[256];
    if (!rs_websec_host_is_loopback (host) && !*write_token)
        rs_error ("WEB_HOST=%s listens beyond this machine: set WEB_WRITE_TOKEN (at least %d characters) so only "
                  "signed-in operators can acknowledge alerts and change thresholds",
                  host, RS_WEBSEC_MIN_TOKEN);
    else if ((*write_token && strlen (write_token) < RS_WEBSEC_MIN_TOKEN)
             || (*read_token && strlen (read_token) < RS_WEBSEC_MIN_TOKEN))
        rs_error ("WEB_WRITE_TOKEN and WEB_READ_TOKEN need at least %d characters", RS_WEBSEC_MIN_TOKEN);
    else if (*write_token && strcmp (write_token, read_token) == 0)
        rs_error ("WEB_READ_TOKEN must differ from WEB_WRITE_TOKEN");
    else if (rs_websec_origins_valid (rs_config_str (cfg, "allow-origins"), oerr, sizeof oerr) != 0)
        rs_error ("WEB_ALLOW_ORIGINS: %s", oerr);
    else if (rs_websec_hosts_valid (rs_config_str (cfg, "allowed-hosts"), oerr, sizeof oerr) != 0)
        rs_error ("WEB_ALLOWED_HOSTS: %s", oerr);
    else if (*tls_cert && access (tls_cert, R_OK) != 0)
        rs_error ("WEB_TLS_CERT %s: cannot read it", tls_cert);
    else if (rs_units_system (rs_config_str (cfg, "units")) < 0)
        fprintf (stderr, "rigstream-web: invalid value \"%s\" for --units: expected metric or imperial\n",
                 rs_config_str (cfg, "units"));
    else
        return RS_OK;
    return RS_E_CONFIG;
}

static int
s_setup (rs_config_t *cfg, rs_sub_opts_t *opts, void *arg)
{
    (void) opts;
    (void) arg;
    return s_check (cfg);
}

//  Makes the hub, the alert store and the web server.
static int
s_start (rs_sub_t *sub, void *arg)
{
    bridge_t *self = arg;
    rs_config_t *cfg = rs_sub_config (sub);
    const rs_curve_t *curve = rs_sub_curve (sub);
    int heartbeat_ms = (int) rs_config_int (cfg, "heartbeat-ms");
    char control_ep[256], engine_ep[256], root[4096], engine_key[41] = "", err[300];
    s_endpoint (cfg, "control", "control-port", control_ep, sizeof control_ep);
    s_endpoint (cfg, "engine-control", "engine-control-port", engine_ep, sizeof engine_ep);
    if (*rs_config_str (cfg, "root"))
        snprintf (root, sizeof root, "%s", rs_config_str (cfg, "root"));
    else
        s_default_root (root, sizeof root);
    const char *engine_key_given = rs_config_str (cfg, "engine-control-key");
    if (*engine_key_given && rs_curve_key_from (engine_key_given, engine_key, err, sizeof err) != 0) {
        fprintf (stderr, "rigstream-web: invalid ENGINE_CONTROL_KEY: %s\n", err);
        return RS_E_CONFIG;
    }
    if (rs_curve_on (curve) && !*engine_key)
        rs_warn ("CURVE is on but ENGINE_CONTROL_KEY is not set: threshold changes cannot reach the engine");
    //  The audit file: by default with the other logs of the run directory.
    char audit[4096];
    const char *audit_given = rs_config_str (cfg, "audit-log");
    const char *run_dir = getenv ("RIGSTREAM_RUN_DIR");
    if (strcmp (audit_given, "none") == 0)
        audit[0] = 0;
    else if (*audit_given)
        snprintf (audit, sizeof audit, "%s", audit_given);
    else
        snprintf (audit, sizeof audit, "%.4000s/logs/web_audit.log", run_dir && *run_dir ? run_dir : "run");
    self->hub = rs_hub_new ();
    if (self->hub)
        rs_hub_set_well_timeout (self->hub, rs_config_int (cfg, "well-timeout-s") * 1000);
    self->alerts = rs_alerts_new (0);
    rs_web_opts_t wopts = {
        .host = rs_config_str (cfg, "host"),
        .port = (int) rs_config_int (cfg, "port"),
        .root = root,
        .db_path = rs_config_str (cfg, "db"),
        .broker_control = control_ep,
        .engine_control = engine_ep,
        .max_clients = (int) rs_config_int (cfg, "max-clients"),
        .display_units = rs_units_system (rs_config_str (cfg, "units")),
        .tls_cert = rs_config_str (cfg, "tls-cert"),
        .read_token = rs_config_str (cfg, "read-token"),
        .write_token = rs_config_str (cfg, "write-token"),
        .allow_origins = rs_config_str (cfg, "allow-origins"),
        .allowed_hosts = rs_config_str (cfg, "allowed-hosts"),
        .max_body = (size_t) rs_config_int (cfg, "max-body"),
        .ws_max_message = (size_t) rs_config_int (cfg, "ws-max-message"),
        .rate_limit = (double) rs_config_int (cfg, "rate-limit"),
        .ws_per_client = (int) rs_config_int (cfg, "ws-per-client"),
        .ws_reserve = (int) rs_config_int (cfg, "ws-reserve"),
        .history_concurrent = (int) rs_config_int (cfg, "history-concurrent"),
        .history_client_concurrent = (int) rs_config_int (cfg, "history-client-concurrent"),
        .history_wait_ms = (int) rs_config_int (cfg, "history-wait-ms"),
        .history_client_rows = (double) rs_config_int (cfg, "history-client-rows"),
        .history_total_rows = (double) rs_config_int (cfg, "history-total-rows"),
        .history_client_cpu_ms = (double) rs_config_int (cfg, "history-client-cpu-ms"),
        .history_total_cpu_ms = (double) rs_config_int (cfg, "history-total-cpu-ms"),
        .history_max_bytes = (size_t) rs_config_int (cfg, "history-max-bytes"),
        .history_max_ms = (int) rs_config_int (cfg, "history-max-ms"),
        .ws_queue_bytes = (size_t) rs_config_int (cfg, "ws-queue-bytes"),
        .export_max_bytes = (uint64_t) rs_config_int (cfg, "export-max-bytes"),
        .audit_log = audit,
        .audit_max_bytes = (size_t) rs_config_int (cfg, "audit-max-kb") * 1024,
        .audit_keep = (int) rs_config_int (cfg, "audit-keep"),
        //  A component is down after three missed heartbeats (at least 3 s).
        .stale_ms = heartbeat_ms * 3 > 3000 ? heartbeat_ms * 3 : 3000,
        .curve = curve,
        .engine_key = engine_key,
    };
    self->web = self->hub && self->alerts ? rs_web_new (&wopts, self->hub, self->alerts) : NULL;
    if (!self->web)
        return RS_E_SOCKET;
    if (rs_sub_timer (sub, 200, s_on_outbox, self) != RS_OK)
        return RS_E_NOMEM;
    rs_info ("ready: %s://%s:%d/ serving %s, live data from %s (writes: %s, reads: %s, audit: %s)",
             *wopts.tls_cert ? "https" : "http", wopts.host, wopts.port, root, rs_sub_endpoint (sub),
             *wopts.write_token ? "token" : "open on loopback", *wopts.read_token ? "token" : "open",
             *audit ? audit : "none");
    return RS_OK;
}

static int
s_stop (rs_sub_t *sub, char *summary, size_t size, void *arg)
{
    bridge_t *self = arg;
    rs_web_destroy (&self->web);
    //  No request runs now: what is still queued for the audit trail goes out.
    rs_webout_audit (self->alerts, rs_sub_pub (sub), "webbridge");
    rs_hub_stats_t hs;
    rs_hub_stats (self->hub, &hs);
    snprintf (summary, size, "%llu samples in, %llu messages sent to browsers, %llu dropped for slow ones",
              (unsigned long long) hs.samples, (unsigned long long) hs.sent, (unsigned long long) hs.dropped);
    return RS_OK;
}

static void
s_free (void *arg)
{
    bridge_t *self = arg;
    rs_web_destroy (&self->web);
    rs_alerts_destroy (&self->alerts);
    rs_hub_destroy (&self->hub);
}

int
main (int argc, char **argv)
{
    //  civetweb runs a thread per connection: with an arena each, glibc
    //  would keep the heap of every large answer per thread. Few arenas and
    //  a fixed mmap threshold (large buffers mapped and unmapped, never
    //  kept) let an idle bridge give the memory back.
    mallopt (M_ARENA_MAX, 2);
    mallopt (M_MMAP_THRESHOLD, 256 * 1024);
    mallopt (M_TRIM_THRESHOLD, 1024 * 1024);
    bridge_t self = { 0 };
    rs_sub_def_t def = {
        .component = "webbridge",
        .program = "rigstream-web",
        .usage = "serve the operators' dashboard and its API",
        .options = s_options,
        .own_ready_line = true,
        .journal = true,
        .on_setup = s_setup,
        .on_start = s_start,
        .on_message = s_on_message,
        .on_stats = s_stats,
        .on_stop = s_stop,
        .on_free = s_free,
        .arg = &self,
    };
    return rs_sub_main (&def, argc, argv);
}
