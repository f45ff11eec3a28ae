/*  rs_engineapp: rigstream-engine's engine wiring, the subscriber around
    rs_engine. Telemetry feeds the engine; kpi.<well> goes out on a timer,
    every alert transition on alert.<well>; the alarm book is saved when it
    changed; the control endpoint (rs_engine_srv) changes thresholds. */
#include <stdio.h>
#include <stdlib.h>

#include "rs_bind.h"
#include "rs_clock.h"
#include "rs_curve.h"
#include "rs_engine_ctl.h"
#include "rs_engine_out.h"
#include "rs_engine_srv.h"
#include "rs_engineapp.h"
#include "rs_log.h"

struct rs_engineapp_t {
    rs_engine_t *engine;
    rs_sub_t *sub;
    rs_engine_srv_t *control;
    const char *config_path;
    char ctl_ep[300];
    uint64_t published, publish_errors;
    rs_engine_bwlog_t bw_log;
    char rules_path[4096], state_path[4096];
    rs_log_limit_t persist_limit;
};

//  A file under the run directory's state/ when the option is empty.
static void
s_state_path (rs_config_t *cfg, const char *opt, const char *name, char *out, size_t size)
{
    const char *v = rs_config_str (cfg, opt);
    if (v && *v) {
        snprintf (out, size, "%s", v);
        return;
    }
    const char *run = getenv ("RIGSTREAM_RUN_DIR");
    snprintf (out, size, "%s/state/%s", run && *run ? run : "./run", name);
}

//  Saves the alarm book when it changed; a failure is logged, rate-limited.
static void
s_persist (rs_engineapp_t *self)
{
    if (rs_engine_persist (self->engine) != 0)
        rs_log_limited (&self->persist_limit, 10000, RS_LOG_ERROR, "alarm state not saved: %s", rs_errmsg ());
}

//  Alert transitions: alert.<well>, and a log line for raised and cleared.
static void
s_on_alert (const rs_alert_t *a, void *arg)
{
    rs_engineapp_t *self = arg;
    if (a->state != RS_ALERT_UPDATED)
        rs_info ("alert %s %s #%llu on %s (%s): %s", rs_alert_state_name (a->state),
                 a->rule ? a->rule : a->type, (unsigned long long) a->alert_id, a->well,
                 rs_severity_name (a->severity), a->message);
    if (a->action && a->addr)
        rs_info ("alarm #%llu on %s: %s by %s from %s%s%s", (unsigned long long) a->alert_id, a->well, a->action,
                 a->by ? a->by : "?", a->addr, a->detail ? ": " : "", a->detail ? a->detail : "");
    if (self->sub && a->well)
        *(rs_engine_out_alert (rs_sub_pub (self->sub), a) == RS_OK ? &self->published : &self->publish_errors) += 1;
}

//  Rule changes: audit.prediction_engine, for the saver's audit trail.
static void
s_on_audit (const rs_engine_audit_t *rec, void *arg)
{
    rs_engineapp_t *self = arg;
    if (self->sub)
        *(rs_engine_out_audit (rs_sub_pub (self->sub), "prediction_engine", rec) == RS_OK ? &self->published
                                                                                           : &self->publish_errors) += 1;
}

int
rs_engineapp_message (rs_sub_t *sub, const rs_msg_t *msg, void *arg)
{
    (void) sub;
    rs_engineapp_t *self = arg;
    if (msg->kind == RS_KIND_TELEMETRY) {
        rs_engine_feed (self->engine, msg->id, msg->hdr.ts_us, msg->values, msg->n_values);
        s_persist (self);
    }
    return 0;
}

//  kpi.<well> for each well with new samples since the last time.
static int
s_on_kpi_timer (rs_sub_t *sub, void *arg)
{
    rs_engineapp_t *self = arg;
    for (size_t i = 0; i < rs_engine_wells (self->engine); i++)
        if (rs_engine_well_dirty (self->engine, i)) {
            rs_engine_out_block_weight (&self->bw_log, self->engine, i);
            *(rs_engine_out_kpis (rs_sub_pub (sub), self->engine, i) == RS_OK ? &self->published
                                                                             : &self->publish_errors) += 1;
        }
    //  Shelves run on the wall clock.
    rs_alarms_expire (rs_engine_alarms (self->engine), rs_clock_now_us ());
    s_persist (self);
    return 0;
}

//  A configuration of an earlier version still loads; what it set that is no
//  longer read is said once per load.
static void
s_say_retired (const char *path, const rs_rules_t *cfg)
{
    if (cfg && cfg->retired[0])
        rs_warn ("%s: rig_state %s: no longer read (the slips are told by slips_in_kn and slips_out_kn, kN "
                 "over the block weight, and set_down_tol; docs/PREDICTION.md)", path, cfg->retired);
}

void
rs_engineapp_reload (rs_sub_t *sub, void *arg)
{
    (void) sub;
    rs_engineapp_t *self = arg;
    if (rs_engine_ctl_reload (self->engine, self->config_path) == 0) {
        rs_info ("configuration reloaded (SIGHUP) from %s: %zu rule(s)", self->config_path,
                 rs_engine_config (self->engine)->n);
        s_say_retired (self->config_path, rs_engine_config (self->engine));
    }
    else
        rs_error ("configuration reload (SIGHUP) failed, keeping the previous one: %s", rs_errmsg ());
}

void
rs_engineapp_stats (rs_sub_t *sub, rs_sub_report_t *r, void *arg)
{
    (void) sub;
    rs_engineapp_t *self = arg;
    const rs_engine_stats_t *st = rs_engine_stats (self->engine);
    static const rs_engine_srv_stats_t none = { 0 };
    const rs_engine_srv_stats_t *ctl = self->control ? rs_engine_srv_stats (self->control) : &none;
    const char *names[] = { "samples", "out_of_order", "stream_restarts", "wells", "wells_refused",
                            "alerts_active", "alerts_raised", "alerts_cleared", "config_loads",
                            "readings_implausible", "readings_stuck", "readings_pinned", "readings_inconsistent",
                            "published", "publish_errors", "control_requests", "control_malformed",
                            "control_refused" };
    const double v[] = { st->samples, st->out_of_order, st->restarts, rs_engine_wells (self->engine), st->refused,
                         rs_engine_alerts_active (self->engine), st->raised, st->cleared, st->config_loads,
                         rs_chanq_dropped_impossible (st->dropped), rs_chanq_dropped (st->dropped, -1, RS_CHQ_STUCK),
                         rs_chanq_dropped (st->dropped, -1, RS_CHQ_PINNED),
                         rs_chanq_dropped (st->dropped, -1, RS_CHQ_INCONSISTENT), self->published,
                         self->publish_errors, ctl->requests, ctl->malformed, ctl->refused };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        rs_sub_report_add (r, names[i], v[i]);
}

//  Loads the rules and makes the engine; checks the control endpoint, which
//  changes thresholds: off the loopback only with CURVE, and then only for
//  the clients in the allow-list.
int
rs_engineapp_setup (rs_config_t *cfg, rs_sub_opts_t *opts, void *arg)
{
    rs_engineapp_t *self = arg;
    self->config_path = rs_config_str (cfg, "config");
    //  "localhost" is the loopback, as for every listener (rs_bind).
    rs_err_t bind_rc = RS_OK;
    if (rs_config_is_set (cfg, "control"))
        bind_rc = rs_bind_resolve (rs_config_str (cfg, "control"), self->ctl_ep, sizeof self->ctl_ep);
    else if (rs_config_int (cfg, "control-port") > 0)
        bind_rc = rs_bind_endpoint (rs_config_str (cfg, "control-bind"), rs_config_int (cfg, "control-port"),
                                    self->ctl_ep, sizeof self->ctl_ep);
    if (bind_rc != RS_OK) {
        rs_error ("cannot listen for the control endpoint (ENGINE_CONTROL_BIND or ENGINE_CONTROL_ENDPOINT): %s",
                  rs_errmsg ());
        return RS_E_CONFIG;
    }
    if (*self->ctl_ep && !rs_curve_can_serve (opts->curve)) {
        rs_error ("CURVE: the control endpoint is served with CURVE and needs CURVE_ALLOW_DIR, the "
                  "directory of the clients allowed to change thresholds (or ENGINE_CONTROL_PORT=0)");
        return RS_E_CONFIG;
    }
    if (*self->ctl_ep && rs_curve_check_bind (opts->curve, self->ctl_ep, true, "engine control endpoint") != 0)
        return RS_E_CONFIG;
    rs_rules_t *rules = NULL;
    if (self->config_path && *self->config_path && !(rules = rs_rules_load (self->config_path))) {
        fprintf (stderr, "rigstream-engine: invalid configuration file: %s\n", rs_errmsg ());
        return RS_E_CONFIG;
    }
    s_say_retired (self->config_path, rules);
    rs_engine_opts_t eo = {
        .bit_diameter_m = rs_config_double (cfg, "bit-diameter"),
        .pipe_disp_m3_m = rs_config_double (cfg, "pipe-displacement"),
        .flowline_lag_s = rs_config_double (cfg, "flowline-lag"),
        .pit_alarm_m3 = rs_config_double (cfg, "pit-alarm"),
        .rock_ccs_mpa = rs_config_double (cfg, "rock-ccs"),
        .max_wells = (size_t) rs_config_int (cfg, "max-wells"),
        .recheck_s = rs_config_double (cfg, "recheck"),
    };
    if (!(self->engine = rs_engine_new (&eo, s_on_alert, self))) {
        rs_rules_destroy (&rules);
        return RS_E_NOMEM;
    }
    rs_engine_set_audit_fn (self->engine, s_on_audit, self);
    if (rules)
        rs_engine_set_config (self->engine, rules);
    s_state_path (cfg, "rules-file", "engine-rules.json", self->rules_path, sizeof self->rules_path);
    s_state_path (cfg, "state-file", "engine-state.json", self->state_path, sizeof self->state_path);
    if (rs_engine_set_files (self->engine, self->rules_path, self->state_path) != 0) {
        fprintf (stderr, "rigstream-engine: cannot restore: %s\n", rs_errmsg ());
        return RS_E_CONFIG;
    }
    return RS_OK;
}

int
rs_engineapp_start (rs_sub_t *sub, void *arg)
{
    rs_engineapp_t *self = arg;
    self->sub = sub;
    rs_config_t *cfg = rs_sub_config (sub);
    if (rs_sub_timer (sub, (int) rs_config_int (cfg, "kpi-ms"), s_on_kpi_timer, self) != RS_OK)
        return RS_E_NOMEM;
    if (*self->ctl_ep && !(self->control = rs_engine_srv_new (self->engine, self->config_path, self->ctl_ep,
                                                              rs_sub_curve (sub), rs_sub_loop (sub))))
        return RS_E_CONFIG;
    rs_info ("ready: telemetry from %s, kpi/alert to %s, control %s, %zu rule(s)%s%s, rules file %s, "
             "alarm state %s (next id %llu, %zu alarm(s) carried)", rs_sub_endpoint (sub),
             rs_pub_endpoint (rs_sub_pub (sub)), *self->ctl_ep ? self->ctl_ep : "off",
             rs_engine_config (self->engine)->n, *self->config_path ? " from " : "", self->config_path,
             self->rules_path, self->state_path,
             (unsigned long long) *rs_alarms_next_id (rs_engine_alarms (self->engine)) + 1,
             rs_engine_alerts_active (self->engine));
    return RS_OK;
}

int
rs_engineapp_stop (rs_sub_t *sub, char *summary, size_t size, void *arg)
{
    rs_engineapp_t *self = arg;
    s_on_kpi_timer (sub, self);
    const rs_engine_stats_t *st = rs_engine_stats (self->engine);
    snprintf (summary, size, "%llu samples, %llu out of order, %llu alerts raised, %llu published",
              (unsigned long long) st->samples, (unsigned long long) st->out_of_order,
              (unsigned long long) st->raised, (unsigned long long) self->published);
    return RS_OK;
}

void
rs_engineapp_free (void *arg)
{
    rs_engineapp_t *self = arg;
    rs_engine_srv_destroy (&self->control);
    rs_engine_destroy (&self->engine);
}

rs_engineapp_t *
rs_engineapp_new (void)
{
    return calloc (1, sizeof (rs_engineapp_t));
}

void
rs_engineapp_destroy (rs_engineapp_t **self_p)
{
    if (*self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}
