/*  rs_engine: per-well pipelines, alert numbering and the alarm book. */
#include "rs_engine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rs_alarms.h"
#include "rs_anomaly.h"
#include "rs_atomic.h"
#include "rs_chanq.h"
#include "rs_detect.h"
#include "rs_kpi.h"
#include "rs_rigstate.h"
#include "rs_since.h"

#define ANOMALY_PIT_POINTS 20     // readings in the 2-min pit trend the anomaly detector asks for ...
#define ANOMALY_PIT_SETTLE_S 300.0  // ... all of them after the pumps have run this long

typedef struct {
    char id[RS_MAX_ID + 1];
    rs_chanq_t quality;
    rs_rigstate_t *rig;
    rs_kpi_t *kpi;
    rs_detect_t *det;
    rs_anomaly_t *anom;
    rs_rulestate_t rules;
    unsigned rules_gen;
    int64_t last_ts;
    int64_t pumping_since;      // circulating since (INT64_MIN: not)
    bool started, dirty;
    //  The sample being processed, for rule look-ups.
    const double *ch;
    const rs_value_t *values;
    size_t n_values;
} well_t;

struct rs_engine_t {
    rs_engine_opts_t o;
    rs_alert_fn *fn;
    void *arg;
    rs_engine_audit_fn *audit_fn;
    void *audit_arg;
    rs_rules_t *cfg;
    unsigned cfg_gen;
    well_t **wells;
    size_t n_wells;
    rs_alarms_t *alarms;
    char rules_path[4096], state_path[4096];
    rs_engine_stats_t stats;
};

//  Every message the alarm book publishes: counted, then handed on.
static void
s_publish (const rs_alert_t *a, void *arg)
{
    rs_engine_t *self = arg;
    if (a->state == RS_ALERT_RAISED)
        self->stats.raised++;
    else if (a->state == RS_ALERT_UPDATED)
        self->stats.updated++;
    else if (a->state == RS_ALERT_CLEARED)
        self->stats.cleared++;
    if (self->fn)
        self->fn (a, self->arg);
}

//  A detector's transition goes through the alarm book.
static void
s_on_alert (const rs_alert_t *a, void *arg)
{
    rs_engine_t *self = arg;
    rs_alarms_transition (self->alarms, a);
}

static uint64_t
s_claim (const rs_alert_t *a, void *arg)
{
    rs_engine_t *self = arg;
    return rs_alarms_claim (a, self->alarms);
}

rs_engine_t *
rs_engine_new (const rs_engine_opts_t *opts, rs_alert_fn *fn, void *arg)
{
    rs_engine_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    if (opts)
        self->o = *opts;
    if (!self->o.max_wells)
        self->o.max_wells = 64;
    self->fn = fn;
    self->arg = arg;
    if (self->o.recheck_s <= 0)
        self->o.recheck_s = 60;
    self->cfg = rs_rules_new ();
    self->wells = calloc (self->o.max_wells, sizeof *self->wells);
    self->alarms = rs_alarms_new (s_publish, self);
    if (!self->cfg || !self->wells || !self->alarms)
        rs_engine_destroy (&self);
    return self;
}

static void
s_well_free (well_t *w)
{
    if (!w)
        return;
    rs_rigstate_destroy (&w->rig);
    rs_kpi_destroy (&w->kpi);
    rs_detect_destroy (&w->det);
    rs_anomaly_destroy (&w->anom);
    rs_rulestate_fini (&w->rules);
    free (w);
}

void
rs_engine_destroy (rs_engine_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rs_engine_t *self = *self_p;
    for (size_t i = 0; i < self->n_wells; i++)
        s_well_free (self->wells[i]);
    free (self->wells);
    rs_alarms_destroy (&self->alarms);
    rs_rules_destroy (&self->cfg);
    free (self);
    *self_p = NULL;
}

static void
s_sink (rs_engine_t *self, well_t *w, rs_alert_sink_t *sink)
{
    const rs_riginfo_t *ri = w->rig ? rs_rigstate_info (w->rig) : NULL;
    *sink = (rs_alert_sink_t) {
        .fn = s_on_alert, .arg = self, .next_id = rs_alarms_next_id (self->alarms), .claim = s_claim, .well = w->id,
        .rig_state = rs_rig_name (ri ? (int) ri->state : 0),
    };
}

static rs_detect_opts_t
s_detect_opts (const rs_engine_t *self)
{
    return (rs_detect_opts_t) {
        .bit_diameter_m = self->o.bit_diameter_m, .pipe_disp_m3_m = self->o.pipe_disp_m3_m,
        .returns_tau_s = self->o.flowline_lag_s, .flow_lpm = self->cfg->rig.flow_lpm, .disabled = self->cfg->disabled,
    };
}

static well_t *
s_well_new (rs_engine_t *self, const char *id)
{
    well_t *w = calloc (1, sizeof *w);
    if (!w)
        return NULL;
    w->pumping_since = INT64_MIN;
    snprintf (w->id, sizeof w->id, "%s", id);
    rs_chanq_init (&w->quality);
    rs_kpi_opts_t ko = { .bit_diameter_m = self->o.bit_diameter_m, .pit_alarm_m3 = self->o.pit_alarm_m3,
                         .ccs_mpa = self->o.rock_ccs_mpa };
    rs_detect_opts_t dopt = s_detect_opts (self);
    w->rig = rs_rigstate_new (&self->cfg->rig);
    w->kpi = rs_kpi_new (&ko);
    w->det = rs_detect_new (&dopt);
    w->anom = rs_anomaly_new (NULL);
    if (!w->rig || !w->kpi || !w->det || !w->anom || rs_rulestate_sync (&w->rules, self->cfg, 0, NULL)) {
        s_well_free (w);
        return NULL;
    }
    w->rules_gen = self->cfg_gen;
    return w;
}

//  Clears the well's alerts (dated at the old stream's last sample) and
//  starts its pipeline afresh.
static int
s_well_restart (rs_engine_t *self, size_t index)
{
    well_t *w = self->wells[index];
    int64_t ts = w->last_ts;
    rs_alert_sink_t sink;
    s_sink (self, w, &sink);
    rs_detect_clear_all (w->det, ts, &sink);
    rs_anomaly_clear (w->anom, ts, &sink);
    rs_rulestate_clear_all (&w->rules, ts, &sink);
    well_t *fresh = s_well_new (self, w->id);
    if (!fresh)
        return -1;
    s_well_free (w);
    self->wells[index] = fresh;
    self->stats.restarts++;
    return 0;
}

void
rs_engine_set_audit_fn (rs_engine_t *self, rs_engine_audit_fn *fn, void *arg)
{
    self->audit_fn = fn;
    self->audit_arg = arg;
}

void
rs_engine_audit (rs_engine_t *self, const rs_engine_audit_t *rec)
{
    if (self->audit_fn)
        self->audit_fn (rec, self->audit_arg);
}

void
rs_engine_set_config (rs_engine_t *self, rs_rules_t *cfg)
{
    if (!cfg)
        return;
    rs_rules_destroy (&self->cfg);
    self->cfg = cfg;
    self->cfg_gen++;
    self->stats.config_loads++;
    rs_detect_opts_t dopt = s_detect_opts (self);
    for (size_t i = 0; i < self->n_wells; i++) {
        well_t *w = self->wells[i];
        rs_rigstate_set_opts (w->rig, &cfg->rig);
        rs_detect_set_opts (w->det, &dopt);
        rs_alert_sink_t sink;
        s_sink (self, w, &sink);
        if (rs_rulestate_sync (&w->rules, cfg, w->last_ts, &sink) == 0)
            w->rules_gen = self->cfg_gen;
    }
}

const rs_rules_t *
rs_engine_config (const rs_engine_t *self)
{
    return self->cfg;
}

static double
s_rule_value (const char *name, void *arg)
{
    well_t *w = arg;
    int id = rs_chan_lookup (name, strlen (name));
    if (id >= 0)
        return w->ch[id];
    for (size_t i = 0; i < w->n_values; i++)
        if (strcmp (w->values[i].name, name) == 0)
            return w->values[i].value;
    return rs_kpi_value (w->kpi, name);
}

static long
s_find (const rs_engine_t *self, const char *well)
{
    for (size_t i = 0; i < self->n_wells; i++)
        if (strcmp (self->wells[i]->id, well) == 0)
            return (long) i;
    return -1;
}

int
rs_engine_feed (rs_engine_t *self, const char *well, int64_t ts_us, const rs_value_t *values, size_t n)
{
    long idx = s_find (self, well);
    if (idx < 0) {
        if (self->n_wells >= self->o.max_wells) {
            self->stats.refused++;
            return -1;
        }
        well_t *w = s_well_new (self, well);
        if (!w)
            return -1;
        idx = (long) self->n_wells;
        self->wells[self->n_wells++] = w;
    }
    well_t *w = self->wells[idx];
    if (w->started && ts_us <= w->last_ts) {
        if ((double) (w->last_ts - ts_us) <= RS_ENGINE_RESTART_S * 1e6) {
            self->stats.out_of_order++;
            return 1;
        }
        if (s_well_restart (self, (size_t) idx) != 0)
            return -1;
        w = self->wells[idx];
    }
    w->started = true;
    w->last_ts = ts_us;
    w->dirty = true;
    self->stats.samples++;

    double ch[RS_CH_COUNT];
    for (int i = 0; i < RS_CH_COUNT; i++)
        ch[i] = NAN;
    for (size_t i = 0; i < n; i++) {
        int id = values[i].id;
        if (id < 0 || id >= RS_CH_COUNT)
            id = rs_chan_lookup (values[i].name, strlen (values[i].name));
        if (id >= 0 && id < RS_CH_COUNT && isfinite (values[i].value))
            ch[id] = values[i].value;
    }
    //  Readings no sensor could make and stuck channels are no readings.
    rs_chanq_t *q = &w->quality;
    if (rs_chanq_filter (q, ts_us, ch) > 0)
        for (int c = 0; c < RS_CH_COUNT; c++)
            if (q->state[c] != RS_CHQ_OK && q->state[c] != RS_CHQ_MISSING)
                self->stats.dropped[c][q->state[c]]++;
    const rs_riginfo_t *ri = rs_rigstate_feed (w->rig, ts_us, ch);
    rs_alert_sink_t sink;
    s_sink (self, w, &sink);
    rs_detect_feed (w->det, ts_us, ch, ri, &sink);
    const rs_detect_view_t *v = rs_detect_view (w->det);
    if (rs_chanq_wob_zero (q, v->wob_zero))
        self->stats.dropped[RS_CH_WOB][RS_CHQ_INCONSISTENT]++;
    rs_kpi_feed (w->kpi, ts_us, ch, ri, v->pit_in_transit);

    bool pit_settled = rs_since_held (&w->pumping_since, ri->flags.circulating, ts_us, ANOMALY_PIT_SETTLE_S);
    double x[RS_AF_COUNT] = {
        [RS_AF_FLOW_BALANCE] = v->flow_balance_avg,
        [RS_AF_SPP_DEV] = v->spp_dev * 100,
        [RS_AF_TORQUE] = rs_rig_drilling (ri->state) ? ch[RS_CH_TORQUE] : NAN,
        //  The pit check takes a trend from five readings; a baseline of
        //  what is usual wants a steadier one, and one taken with the pumps
        //  on throughout and the surface settled: after a connection the
        //  2-minute trend still holds the flowline filling from the pits and
        //  the mud the crew added meanwhile (a few hundred L/min each way).
        //  A log without pump channels cannot say they ran (it drills all
        //  the same: the hole deepens), so its pit is no feature.
        [RS_AF_PIT_SLOPE] = pit_settled && v->pit_points >= ANOMALY_PIT_POINTS ? v->pit_slope : NAN,
        [RS_AF_DENSITY_DIFF] = ch[RS_CH_MUD_DENSITY_OUT] - ch[RS_CH_MUD_DENSITY_IN],
    };
    bool explained = rs_detect_raised_count (w->det) > 0;
    rs_anomaly_feed (w->anom, ts_us, x, ri->state, explained,
                     (self->cfg->disabled & (1u << RS_DET_ANOMALY)) != 0, &sink);

    if (w->rules_gen != self->cfg_gen && rs_rulestate_sync (&w->rules, self->cfg, ts_us, &sink) == 0)
        w->rules_gen = self->cfg_gen;
    w->ch = ch;
    w->values = values;
    w->n_values = n;
    rs_rules_eval (self->cfg, &w->rules, ts_us, ri->state, s_rule_value, w, &sink);
    w->ch = NULL;
    w->values = NULL;
    w->n_values = 0;
    rs_alarms_recheck (self->alarms, w->id, ts_us, self->o.recheck_s);
    return 0;
}

size_t
rs_engine_wells (const rs_engine_t *self)
{
    return self->n_wells;
}

const char *
rs_engine_well_id (const rs_engine_t *self, size_t index)
{
    return index < self->n_wells ? self->wells[index]->id : NULL;
}

int64_t
rs_engine_well_ts (const rs_engine_t *self, size_t index)
{
    return index < self->n_wells ? self->wells[index]->last_ts : 0;
}

bool
rs_engine_well_dirty (const rs_engine_t *self, size_t index)
{
    return index < self->n_wells && self->wells[index]->dirty;
}

const char *
rs_engine_well_state (const rs_engine_t *self, size_t index)
{
    if (index >= self->n_wells)
        return NULL;
    return rs_rig_name (rs_rigstate_info (self->wells[index]->rig)->state);
}

size_t
rs_engine_kpis (rs_engine_t *self, size_t index, rs_value_t *out, size_t max)
{
    if (index >= self->n_wells)
        return 0;
    well_t *w = self->wells[index];
    w->dirty = false;
    size_t n = rs_kpi_values (w->kpi, out, max);
    const rs_detect_view_t *v = rs_detect_view (w->det);
    size_t active = rs_detect_raised_count (w->det) + rs_rulestate_raised (&w->rules)
                    + (rs_anomaly_raised (w->anom) ? 1 : 0);
    const rs_value_t extra[] = {
        { "flow_out_expected", RS_CH_UNKNOWN, v->flow_expected },
        { "flow_balance", RS_CH_UNKNOWN, v->flow_balance_avg },
        { "spp_dev_pct", RS_CH_UNKNOWN, v->spp_dev * 100 },
        { "anomaly_score", RS_CH_UNKNOWN, rs_anomaly_score (w->anom) },
        { "alerts_active", RS_CH_UNKNOWN, (double) active },
        { "flowback_m3", RS_CH_UNKNOWN, v->flowback_l / 1000 },
        { "flowback_fingerprint_m3", RS_CH_UNKNOWN, v->flowback_env_l / 1000 },
    };
    for (size_t i = 0; i < sizeof extra / sizeof extra[0] && n < max; i++)
        out[n++] = extra[i];
    return n;
}

const rs_detect_view_t *
rs_engine_well_view (const rs_engine_t *self, size_t index)
{
    return index < self->n_wells ? rs_detect_view (self->wells[index]->det) : NULL;
}

const rs_riginfo_t *
rs_engine_well_rig (const rs_engine_t *self, size_t index)
{
    return index < self->n_wells ? rs_rigstate_info (self->wells[index]->rig) : NULL;
}

const rs_chanq_t *
rs_engine_well_quality (const rs_engine_t *self, size_t index)
{
    return index < self->n_wells ? &self->wells[index]->quality : NULL;
}

json_t *
rs_engine_alerts_json (const rs_engine_t *self)
{
    return rs_alarms_json (self->alarms);
}

size_t
rs_engine_alerts_active (const rs_engine_t *self)
{
    return rs_alarms_active (self->alarms);
}

rs_alarms_t *
rs_engine_alarms (rs_engine_t *self)
{
    return self->alarms;
}

rs_err_t
rs_engine_set_files (rs_engine_t *self, const char *rules_path, const char *state_path)
{
    snprintf (self->rules_path, sizeof self->rules_path, "%s", rules_path ? rules_path : "");
    snprintf (self->state_path, sizeof self->state_path, "%s", state_path ? state_path : "");
    if (self->rules_path[0] && access (self->rules_path, F_OK) == 0) {
        rs_rules_t *cfg = rs_rules_dup (self->cfg);
        if (!cfg)
            return rs_err_set (RS_E_NOMEM, "out of memory");
        if (rs_rules_apply_file (cfg, self->rules_path) != 0) {
            rs_rules_destroy (&cfg);
            return rs_errcode ();
        }
        rs_engine_set_config (self, cfg);
    }
    if (self->state_path[0] && access (self->state_path, F_OK) == 0) {
        json_error_t jerr;
        json_t *doc = json_load_file (self->state_path, JSON_REJECT_DUPLICATES, &jerr);
        if (!doc) {
            return rs_err_set (RS_E_FORMAT, "%s: %s (line %d)", self->state_path, jerr.text, jerr.line);
        }
        rs_err_t rc = rs_alarms_load (self->alarms, doc);
        json_decref (doc);
        if (rc != 0) {
            char inner[300];
            snprintf (inner, sizeof inner, "%s", rs_errmsg ());
            return rs_err_set (rs_errcode (), "%s: %s", self->state_path, inner);
        }
    }
    return RS_OK;
}

const char *
rs_engine_rules_path (const rs_engine_t *self)
{
    return self->rules_path;
}

rs_err_t
rs_engine_persist (rs_engine_t *self)
{
    if (!rs_alarms_take_dirty (self->alarms) || !self->state_path[0])
        return RS_OK;
    json_t *doc = rs_alarms_state_json (self->alarms);
    rs_err_t rc = doc ? rs_atomic_write_json (self->state_path, doc)
                      : rs_err_set (RS_E_NOMEM, "%s: out of memory", self->state_path);
    json_decref (doc);
    return rc;
}

const rs_engine_stats_t *
rs_engine_stats (const rs_engine_t *self)
{
    return &self->stats;
}
