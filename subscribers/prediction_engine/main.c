/*  rigstream-engine: the prediction engine. Reads telemetry.<well>, runs
    rs_engine (KPIs, rig state, detectors, threshold rules, anomaly
    detector), publishes kpi.<well> about once a second and every alert
    transition on alert.<well>. Its configuration file (rules, rig-state
    thresholds, detectors on/off) is re-read on SIGHUP and on the control
    endpoint's "reload"; "set_thresholds" replaces the rules at run time. */
#include <czmq.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "rs_config.h"
#include "rs_curve.h"
#include "rs_engine.h"
#include "rs_engine_ctl.h"
#include "rs_log.h"
#include "rs_sub.h"

static const rs_option_t s_options[] = {
    RS_OPTIONS_BROKER_CLIENT,
    { "config", "ENGINE_CONFIG", RS_OPT_STRING, NULL,
      "configuration file (JSON: threshold rules, rig-state thresholds, detectors); none = no rules", 0, 0 },
    { "control-port", "ENGINE_CONTROL_PORT", RS_OPT_INT, "5558",
      "port of the control endpoint (JSON commands; 0 = none)", 0, 65535 },
    { "control-bind", "ENGINE_CONTROL_BIND", RS_OPT_STRING, "127.0.0.1",
      "address the control endpoint binds to", 0, 0 },
    { "control", "ENGINE_CONTROL_ENDPOINT", RS_OPT_ENDPOINT, NULL,
      "full control endpoint to bind (tcp://host:port or ipc://path); overrides bind and port", 0, 0 },
    { "kpi-ms", "ENGINE_KPI_MS", RS_OPT_INT, "1000", "interval between KPI messages per well, ms", 100, 60000 },
    { "bit-diameter", "ENGINE_BIT_DIAMETER_M", RS_OPT_DOUBLE, "0",
      "bit diameter for MSE and the hole drilled, m (8 1/2 in = 0.2159; 0 = not configured: MSE "
      "assumes 8 1/2 in, the flow model leaves the hole drilled out)", 0, 1.0 },
    { "pipe-displacement", "ENGINE_PIPE_DISPLACEMENT", RS_OPT_DOUBLE, "0",
      "steel displacement of the drill string, m3/m (5 in drill pipe: 0.0041; 0 = not configured: "
      "flow anomalies are not judged while the string moves)", 0, 0.05 },
    { "flowline-lag", "ENGINE_FLOWLINE_LAG_S", RS_OPT_DOUBLE, "0",
      "flowline lag of the returns, s (0 = learned from pump starts and stops)", 0, 600 },
    { "pit-alarm", "ENGINE_PIT_ALARM_M3", RS_OPT_DOUBLE, "1.6",
      "pit gain or loss alarm level for the time-to-alarm prediction, m3", 0.1, 100 },
    { "rock-ccs", "ENGINE_ROCK_CCS_MPA", RS_OPT_DOUBLE, "0",
      "confined compressive strength of the rock drilled, MPa, for the CCS / MSE efficiency (0 = unknown)", 0, 1000 },
    { "max-wells", "ENGINE_MAX_WELLS", RS_OPT_INT, "64", "wells followed at most", 1, 4096 },
    RS_OPTION_END
};

#define RS_ENGINE_LOG_WELLS 4096   // ENGINE_MAX_WELLS at most

typedef struct {
    rs_engine_t *engine;
    rs_sub_t *sub;
    const char *config_path;
    zsock_t *control;
    int sigfd;
    uint64_t published, publish_errors, ctl_requests, ctl_bad, ctl_refused;
    rs_log_limit_t ctl_bad_limit, ctl_refused_limit;
    int bw_logged[RS_ENGINE_LOG_WELLS];     // block weight source last logged, + 1 (0 = never)
} engine_main_t;

//  Alert transitions: alert.<well>, and a log line for raised and cleared.
static void
s_on_alert (const rs_alert_t *a, void *arg)
{
    engine_main_t *self = arg;
    if (a->state != RS_ALERT_UPDATED)
        rs_info ("alert %s %s #%llu on %s (%s): %s", rs_alert_state_name (a->state),
                 a->rule ? a->rule : a->type, (unsigned long long) a->alert_id, a->well,
                 rs_severity_name (a->severity), a->message);
    rs_pub_t *pub = self->sub ? rs_sub_pub (self->sub) : NULL;
    if (!pub || !a->well)
        return;
    size_t n = 8 + (a->channel ? 1 : 0) + (isfinite (a->threshold) ? 1 : 0) + (a->rule ? 1 : 0);
    msgpack_packer *pk = rs_pub_begin (pub, RS_KIND_ALERT, a->well, a->ts_us, n);
    if (!pk) {
        self->publish_errors++;
        return;
    }
    rs_encode_key (pk, "alert_id");
    msgpack_pack_uint64 (pk, a->alert_id);
    rs_encode_key (pk, "type");
    rs_encode_string (pk, a->type);
    rs_encode_key (pk, "state");
    rs_encode_string (pk, rs_alert_state_name (a->state));
    rs_encode_key (pk, "severity");
    rs_encode_string (pk, rs_severity_name (a->severity));
    rs_encode_key (pk, "message");
    rs_encode_string (pk, a->message ? a->message : "");
    rs_encode_key (pk, "value");
    rs_encode_number (pk, a->value);
    rs_encode_key (pk, "started_ts");
    msgpack_pack_int64 (pk, a->started_us);
    rs_encode_key (pk, "rig_state");
    rs_encode_string (pk, a->rig_state ? a->rig_state : "unknown");
    if (a->channel) {
        rs_encode_key (pk, "channel");
        rs_encode_string (pk, a->channel);
    }
    if (isfinite (a->threshold)) {
        rs_encode_key (pk, "threshold");
        rs_encode_number (pk, a->threshold);
    }
    if (a->rule) {
        rs_encode_key (pk, "rule");
        rs_encode_string (pk, a->rule);
    }
    if (rs_pub_send (pub) == 0)
        self->published++;
    else
        self->publish_errors++;
}

static int
s_on_message (rs_sub_t *sub, const rs_msg_t *msg, void *arg)
{
    (void) sub;
    engine_main_t *self = arg;
    if (msg->kind == RS_KIND_TELEMETRY)
        rs_engine_feed (self->engine, msg->id, msg->hdr.ts_us, msg->values, msg->n_values);
    return 0;
}

//  Says once per change where a well's block weight comes from: the rig
//  state of a well whose block weight is unknown cannot tell slips from a
//  hanging string, and a provisional one may be wrong.
static void
s_log_block_weight (engine_main_t *self, size_t i, const char *well, const rs_riginfo_t *rig)
{
    if (i >= RS_ENGINE_LOG_WELLS || self->bw_logged[i] == (int) rig->bw_source + 1)
        return;
    self->bw_logged[i] = (int) rig->bw_source + 1;
    if (rig->bw_source == RS_BW_UNKNOWN)
        rs_warn ("%s: block weight unknown: in slips or hanging cannot be told until the block moves with the "
                 "bit still, the bit is at surface or the hook load settles (or set rigstate.block_weight_kn in ENGINE_CONFIG)", well);
    else if (rig->bw_source == RS_BW_PLATEAU)
        rs_warn ("%s: block weight %.1f kN taken from the lowest steady hook load, provisionally", well,
                 rig->block_weight_kn);
    else
        rs_info ("%s: block weight %.1f kN (%s)", well, rig->block_weight_kn, rs_bw_source_name (rig->bw_source));
}

//  kpi.<well> for each well with new samples since the last time.
static int
s_on_kpi_timer (rs_sub_t *sub, void *arg)
{
    engine_main_t *self = arg;
    rs_pub_t *pub = rs_sub_pub (sub);
    for (size_t i = 0; pub && i < rs_engine_wells (self->engine); i++) {
        if (!rs_engine_well_dirty (self->engine, i))
            continue;
        rs_value_t vals[RS_ENGINE_KPI_MAX];
        size_t n = rs_engine_kpis (self->engine, i, vals, RS_ENGINE_KPI_MAX);
        const char *well = rs_engine_well_id (self->engine, i);
        const rs_riginfo_t *rig = rs_engine_well_rig (self->engine, i);
        const rs_chanq_t *q = rs_engine_well_quality (self->engine, i);
        s_log_block_weight (self, i, well, rig);
        //  Channels that had readings and have none good now, with why.
        char why[RS_CH_COUNT][160];
        int bad[RS_CH_COUNT], nbad = 0;
        for (int c = 0; c < RS_CH_COUNT; c++)
            if (rs_chanq_state (q, c) != RS_CHQ_OK && rs_chanq_reason (q, c, why[nbad], sizeof why[0])[0])
                bad[nbad++] = c;
        size_t fields = 3 + (rig->reason ? 1 : 0) + (nbad ? 1 : 0);
        msgpack_packer *pk = rs_pub_begin (pub, RS_KIND_KPI, well, rs_engine_well_ts (self->engine, i), fields);
        if (!pk) {
            self->publish_errors++;
            continue;
        }
        rs_encode_key (pk, "values");
        rs_encode_values (pk, vals, n);
        rs_encode_key (pk, "rig_state");
        rs_encode_string (pk, rs_engine_well_state (self->engine, i));
        rs_encode_key (pk, "block_weight_source");
        rs_encode_string (pk, rs_bw_source_name (rig->bw_source));
        if (rig->reason) {
            rs_encode_key (pk, "rig_state_reason");
            rs_encode_string (pk, rig->reason);
        }
        if (nbad) {
            rs_encode_key (pk, "quality");
            msgpack_pack_map (pk, (size_t) nbad);
            for (int k = 0; k < nbad; k++) {
                rs_encode_key (pk, rs_chan_info (bad[k])->name);
                rs_encode_string (pk, why[k]);
            }
        }
        if (rs_pub_send (pub) == 0)
            self->published++;
        else
            self->publish_errors++;
    }
    return 0;
}

static void
s_reload (engine_main_t *self, const char *why)
{
    char err[512];
    if (rs_engine_ctl_reload (self->engine, self->config_path, err, sizeof err) == 0)
        rs_info ("configuration reloaded (%s) from %s: %zu rule(s)", why, self->config_path,
                 rs_engine_config (self->engine)->n);
    else
        rs_error ("configuration reload (%s) failed, keeping the previous one: %s", why, err);
}

static int
s_on_signal (zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    (void) loop;
    (void) item;
    engine_main_t *self = arg;
    struct signalfd_siginfo si;
    while (read (self->sigfd, &si, sizeof si) == (ssize_t) sizeof si)
        if (si.ssi_signo == SIGHUP)
            s_reload (self, "SIGHUP");
    return 0;
}

//  Counts and logs (rate limited) a reply that refuses the request.
static void
s_count_refusal (engine_main_t *self, const char *reply)
{
    json_t *o = reply ? json_loads (reply, 0, NULL) : NULL;
    if (json_is_false (json_object_get (o, "ok"))) {
        self->ctl_refused++;
        rs_log_limited (&self->ctl_refused_limit, 1000, RS_LOG_WARN, "control: refused a request: %s",
                        json_string_value (json_object_get (o, "error")));
    }
    json_decref (o);
}

//  One request: [identity][empty][JSON] from a REQ (or DEALER) client.
static int
s_on_control (zloop_t *loop, zsock_t *sock, void *arg)
{
    (void) loop;
    engine_main_t *self = arg;
    zmsg_t *req = zmsg_recv (sock);
    if (!req)
        return 0;
    zframe_t *id = zmsg_pop (req);
    zframe_t *empty = zmsg_pop (req);
    zframe_t *body = zmsg_pop (req);
    if (!id || !empty || zframe_size (empty) != 0 || !body || zmsg_size (req) != 0) {
        self->ctl_bad++;
        rs_log_limited (&self->ctl_bad_limit, 1000, RS_LOG_WARN,
                        "control: ignored a malformed request (want [empty][JSON] from a REQ socket)");
    }
    else {
        self->ctl_requests++;
        uint64_t loads = rs_engine_stats (self->engine)->config_loads;
        char *reply = rs_engine_ctl_handle (self->engine, self->config_path, zframe_data (body), zframe_size (body));
        if (rs_engine_stats (self->engine)->config_loads != loads)
            rs_info ("control: configuration changed: %zu rule(s)", rs_engine_config (self->engine)->n);
        s_count_refusal (self, reply);
        zmsg_t *out = zmsg_new ();
        zmsg_append (out, &id);
        zmsg_addmem (out, "", 0);
        zmsg_addstr (out, reply ? reply : "{\"ok\":false,\"error\":\"out of memory\"}");
        zmsg_send (&out, sock);
        free (reply);
    }
    zframe_destroy (&id);
    zframe_destroy (&empty);
    zframe_destroy (&body);
    zmsg_destroy (&req);
    return 0;
}

static size_t
s_stats (rs_sub_t *sub, rs_value_t *out, size_t max, void *arg)
{
    (void) sub;
    engine_main_t *self = arg;
    const rs_engine_stats_t *st = rs_engine_stats (self->engine);
    const rs_value_t v[] = {
        { "samples", RS_CH_UNKNOWN, (double) st->samples },
        { "out_of_order", RS_CH_UNKNOWN, (double) st->out_of_order },
        { "stream_restarts", RS_CH_UNKNOWN, (double) st->restarts },
        { "wells", RS_CH_UNKNOWN, (double) rs_engine_wells (self->engine) },
        { "wells_refused", RS_CH_UNKNOWN, (double) st->refused },
        { "alerts_active", RS_CH_UNKNOWN, (double) rs_engine_alerts_active (self->engine) },
        { "alerts_raised", RS_CH_UNKNOWN, (double) st->raised },
        { "alerts_cleared", RS_CH_UNKNOWN, (double) st->cleared },
        { "config_loads", RS_CH_UNKNOWN, (double) st->config_loads },
        { "readings_implausible", RS_CH_UNKNOWN, (double) st->implausible },
        { "readings_stuck", RS_CH_UNKNOWN, (double) st->stuck },
        { "readings_pinned", RS_CH_UNKNOWN, (double) st->pinned },
        { "readings_inconsistent", RS_CH_UNKNOWN, (double) st->inconsistent },
        { "published", RS_CH_UNKNOWN, (double) self->published },
        { "publish_errors", RS_CH_UNKNOWN, (double) self->publish_errors },
        { "control_requests", RS_CH_UNKNOWN, (double) self->ctl_requests },
        { "control_malformed", RS_CH_UNKNOWN, (double) self->ctl_bad },
        { "control_refused", RS_CH_UNKNOWN, (double) self->ctl_refused },
    };
    size_t n = sizeof v / sizeof v[0] < max ? sizeof v / sizeof v[0] : max;
    memcpy (out, v, n * sizeof *out);
    return n;
}

int
main (int argc, char **argv)
{
    //  SIGHUP is read from a signalfd in the loop; block it before any thread
    //  (ZeroMQ's) exists so that none of them takes it.
    sigset_t hup;
    sigemptyset (&hup);
    sigaddset (&hup, SIGHUP);
    pthread_sigmask (SIG_BLOCK, &hup, NULL);

    rs_config_t *cfg = rs_config_new ("rigstream-engine",
                                      "compute KPIs and raise alerts from live telemetry", s_options, NULL);
    int rc = cfg ? rs_config_load (cfg, argc, argv) : -1;
    if (rc != 0) {
        rs_config_destroy (&cfg);
        return rc > 0 ? 0 : 2;
    }
    if (rs_config_apply_logging (cfg, "prediction_engine") != 0) {
        rs_config_destroy (&cfg);
        return 2;
    }
    engine_main_t self = { .config_path = rs_config_str (cfg, "config"), .sigfd = -1 };
    rs_rules_t *rules = NULL;
    if (self.config_path && *self.config_path) {
        char err[512];
        rules = rs_rules_load (self.config_path, err, sizeof err);
        if (!rules) {
            fprintf (stderr, "rigstream-engine: invalid configuration file: %s\n", err);
            rs_config_destroy (&cfg);
            return 2;
        }
    }
    char sub_ep[256], pub_ep[256], ctl_ep[300] = "";
    if (rs_config_broker_endpoint (cfg, true, sub_ep, sizeof sub_ep) != 0
        || rs_config_broker_endpoint (cfg, false, pub_ep, sizeof pub_ep) != 0) {
        rs_rules_destroy (&rules);
        rs_config_destroy (&cfg);
        return 2;
    }
    if (rs_config_is_set (cfg, "control"))
        snprintf (ctl_ep, sizeof ctl_ep, "%s", rs_config_str (cfg, "control"));
    else if (rs_config_int (cfg, "control-port") > 0)
        snprintf (ctl_ep, sizeof ctl_ep, "tcp://%s:%ld", rs_config_str (cfg, "control-bind"),
                  rs_config_int (cfg, "control-port"));

    //  The control endpoint changes thresholds: off the loopback only with
    //  CURVE, and then only for clients in the allow-list.
    rs_curve_t *curve = rs_curve_new_config (cfg);
    if (curve && *ctl_ep && !rs_curve_can_serve (curve)) {
        rs_error ("CURVE: the control endpoint is served with CURVE and needs CURVE_ALLOW_DIR, the "
                  "directory of the clients allowed to change thresholds (or ENGINE_CONTROL_PORT=0)");
        rs_curve_destroy (&curve);
    }
    if (!curve || (*ctl_ep && rs_curve_check_bind (curve, ctl_ep, true, "engine control endpoint") != 0)) {
        rs_curve_destroy (&curve);
        rs_rules_destroy (&rules);
        rs_config_destroy (&cfg);
        return 2;
    }
    rs_engine_opts_t eo = {
        .bit_diameter_m = rs_config_double (cfg, "bit-diameter"),
        .pipe_disp_m3_m = rs_config_double (cfg, "pipe-displacement"),
        .flowline_lag_s = rs_config_double (cfg, "flowline-lag"),
        .pit_alarm_m3 = rs_config_double (cfg, "pit-alarm"),
        .rock_ccs_mpa = rs_config_double (cfg, "rock-ccs"),
        .max_wells = (size_t) rs_config_int (cfg, "max-wells"),
    };
    self.engine = rs_engine_new (&eo, s_on_alert, &self);
    if (!self.engine) {
        rs_error ("out of memory");
        rs_rules_destroy (&rules);
        rs_curve_destroy (&curve);
        rs_config_destroy (&cfg);
        return 1;
    }
    if (rules)
        rs_engine_set_config (self.engine, rules);

    const char *topics[] = { "telemetry.", NULL };
    rs_sub_opts_t opts = {
        .component = "prediction_engine",
        .sub_endpoint = sub_ep,
        .pub_endpoint = pub_ep,
        .topics = topics,
        .heartbeat_ms = (int) rs_config_int (cfg, "heartbeat-ms"),
        .on_message = s_on_message,
        .arg = &self,
        .curve = curve,
    };
    int exit_code = 0;
    self.sub = rs_sub_new (&opts);
    if (!self.sub) {
        exit_code = 1;
        goto done;
    }
    rs_sub_set_stats_fn (self.sub, s_stats, &self);
    rs_sub_timer (self.sub, (int) rs_config_int (cfg, "kpi-ms"), s_on_kpi_timer, &self);
    zloop_t *loop = rs_sub_loop (self.sub);
    if (*ctl_ep) {
        self.control = zsock_new (ZMQ_ROUTER);
        if (self.control) {
            zsock_set_maxmsgsize (self.control, 2 * 1024 * 1024);
            zsock_set_linger (self.control, 0);
        }
        if (self.control && rs_curve_server (curve, zsock_resolve (self.control)) != 0) {
            exit_code = 2;
            goto done;
        }
        if (!self.control || zsock_bind (self.control, "%s", ctl_ep) < 0) {
            rs_error ("cannot bind the control endpoint %s: %s (is another engine running? "
                      "ENGINE_CONTROL_PORT=0 turns it off)", ctl_ep, zmq_strerror (zmq_errno ()));
            exit_code = 2;
            goto done;
        }
        zloop_reader (loop, self.control, s_on_control, &self);
        zloop_reader_set_tolerant (loop, self.control);
    }
    self.sigfd = signalfd (-1, &hup, SFD_NONBLOCK | SFD_CLOEXEC);
    if (self.sigfd >= 0) {
        zmq_pollitem_t item = { NULL, self.sigfd, ZMQ_POLLIN, 0 };
        zloop_poller (loop, &item, s_on_signal, &self);
    }
    else
        rs_warn ("cannot read SIGHUP (%s): reload through the control endpoint only", strerror (errno));

    rs_info ("ready: telemetry from %s, kpi/alert to %s, control %s, %zu rule(s)%s%s", sub_ep, pub_ep,
             *ctl_ep ? ctl_ep : "off", rs_engine_config (self.engine)->n,
             self.config_path && *self.config_path ? " from " : "",
             self.config_path && *self.config_path ? self.config_path : "");
    rc = rs_sub_run (self.sub);
    s_on_kpi_timer (self.sub, &self);
    const rs_engine_stats_t *st = rs_engine_stats (self.engine);
    rs_info ("stopped: %llu samples, %llu out of order, %llu alerts raised, %llu published",
             (unsigned long long) st->samples, (unsigned long long) st->out_of_order,
             (unsigned long long) st->raised, (unsigned long long) self.published);
    exit_code = rc == 0 ? 0 : 1;

done:
    if (self.sigfd >= 0)
        close (self.sigfd);
    zsock_destroy (&self.control);
    rs_sub_destroy (&self.sub);
    rs_engine_destroy (&self.engine);
    rs_curve_destroy (&curve);
    rs_config_destroy (&cfg);
    return exit_code;
}
