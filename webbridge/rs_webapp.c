/*  rs_webapp: rigstream-web's engine, the subscriber behind the dashboard.
    Every topic read from the broker feeds the hub (live values for the
    browsers) and the alert store; the options of rigstream-web's table are
    checked and wired into the web server (rs_web). Its functions are the
    program's rs_sub_def_t callbacks, each given the rs_webapp_t as arg. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rs_alerts.h"
#include "rs_clock.h"
#include "rs_curve.h"
#include "rs_hub.h"
#include "rs_json.h"
#include "rs_log.h"
#include "rs_units.h"
#include "rs_web.h"
#include "rs_webapp.h"
#include "rs_webout.h"
#include "rs_webreply.h"
#include "rs_websec.h"

struct rs_webapp_t {
    rs_hub_t *hub;
    rs_alerts_t *alerts;
    rs_web_t *web;
    rs_log_limit_t bad_alert;
};

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

int
rs_webapp_message (rs_sub_t *sub, const rs_msg_t *msg, void *arg)
{
    (void) sub;
    rs_webapp_t *self = arg;
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

void
rs_webapp_stats (rs_sub_t *sub, rs_sub_report_t *r, void *arg)
{
    (void) sub;
    rs_webapp_t *self = arg;
    rs_hub_stats_t hs;
    rs_web_stats_t ws = { 0 };
    rs_hub_stats (self->hub, &hs);
    //  The last heartbeat comes after on_stop, which stopped the server.
    if (self->web)
        rs_webreply_stats (self->web, &ws);
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

//  What the bridge did alone goes to the audit trail (rs_webout).
static int
s_on_outbox (rs_sub_t *sub, void *arg)
{
    rs_webapp_t *self = arg;
    rs_webout_audit (self->alerts, rs_sub_pub (sub), "webbridge");
    return 0;
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
    if (!rs_websec_host_is_loopback (host) && !*write_token)
        rs_error ("WEB_HOST=%s listens beyond this machine: set WEB_WRITE_TOKEN (at least %d characters) so only "
                  "signed-in operators can acknowledge alerts and change thresholds",
                  host, RS_WEBSEC_MIN_TOKEN);
    else if ((*write_token && strlen (write_token) < RS_WEBSEC_MIN_TOKEN)
             || (*read_token && strlen (read_token) < RS_WEBSEC_MIN_TOKEN))
        rs_error ("WEB_WRITE_TOKEN and WEB_READ_TOKEN need at least %d characters", RS_WEBSEC_MIN_TOKEN);
    else if (*write_token && strcmp (write_token, read_token) == 0)
        rs_error ("WEB_READ_TOKEN must differ from WEB_WRITE_TOKEN");
    else if (rs_websec_origins_valid (rs_config_str (cfg, "allow-origins")) != RS_OK)
        rs_error ("WEB_ALLOW_ORIGINS: %s", rs_errmsg ());
    else if (rs_websec_hosts_valid (rs_config_str (cfg, "allowed-hosts")) != RS_OK)
        rs_error ("WEB_ALLOWED_HOSTS: %s", rs_errmsg ());
    else if (*tls_cert && access (tls_cert, R_OK) != 0)
        rs_error ("WEB_TLS_CERT %s: cannot read it", tls_cert);
    else if (rs_units_system (rs_config_str (cfg, "units")) < 0)
        fprintf (stderr, "rigstream-web: invalid value \"%s\" for --units: expected metric or imperial\n",
                 rs_config_str (cfg, "units"));
    else
        return RS_OK;
    return RS_E_CONFIG;
}

int
rs_webapp_setup (rs_config_t *cfg, rs_sub_opts_t *opts, void *arg)
{
    (void) opts;
    (void) arg;
    return s_check (cfg);
}

int
rs_webapp_start (rs_sub_t *sub, void *arg)
{
    rs_webapp_t *self = arg;
    rs_config_t *cfg = rs_sub_config (sub);
    const rs_curve_t *curve = rs_sub_curve (sub);
    int heartbeat_ms = (int) rs_config_int (cfg, "heartbeat-ms");
    char control_ep[256], engine_ep[256], root[4096], engine_key[41] = "";
    s_endpoint (cfg, "control", "control-port", control_ep, sizeof control_ep);
    s_endpoint (cfg, "engine-control", "engine-control-port", engine_ep, sizeof engine_ep);
    if (*rs_config_str (cfg, "root"))
        snprintf (root, sizeof root, "%s", rs_config_str (cfg, "root"));
    else
        s_default_root (root, sizeof root);
    const char *engine_key_given = rs_config_str (cfg, "engine-control-key");
    if (*engine_key_given && rs_curve_key_from (engine_key_given, engine_key) != RS_OK) {
        fprintf (stderr, "rigstream-web: invalid ENGINE_CONTROL_KEY: %s\n", rs_errmsg ());
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

int
rs_webapp_stop (rs_sub_t *sub, char *summary, size_t size, void *arg)
{
    rs_webapp_t *self = arg;
    rs_web_destroy (&self->web);
    //  No request runs now: what is still queued for the audit trail goes out.
    rs_webout_audit (self->alerts, rs_sub_pub (sub), "webbridge");
    rs_hub_stats_t hs;
    rs_hub_stats (self->hub, &hs);
    snprintf (summary, size, "%llu samples in, %llu messages sent to browsers, %llu dropped for slow ones",
              (unsigned long long) hs.samples, (unsigned long long) hs.sent, (unsigned long long) hs.dropped);
    return RS_OK;
}

void
rs_webapp_free (void *arg)
{
    rs_webapp_t *self = arg;
    rs_web_destroy (&self->web);
    rs_alerts_destroy (&self->alerts);
    rs_hub_destroy (&self->hub);
}

rs_webapp_t *
rs_webapp_new (void)
{
    return calloc (1, sizeof (rs_webapp_t));
}

void
rs_webapp_destroy (rs_webapp_t **self_p)
{
    if (*self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}
