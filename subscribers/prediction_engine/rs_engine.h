/*  rs_engine: the prediction engine without its sockets. Keeps one pipeline
    per well (rig state -> KPIs -> detectors, threshold rules, anomaly
    detector), numbers the alerts, runs them through the alarm book
    (rs_alarms: lifecycle, shelving, out of service) and hands every alert
    message to a callback. The process (main.c) and the
    scorer (bench/engine) drive the same code.

    Time: each well's samples should come in time order. A sample not after
    the well's previous one is ignored and counted, unless it is more than
    RS_ENGINE_RESTART_S earlier: then the stream has restarted (a replay, a
    simulator restarted with an older clock), the well's alerts are cleared
    and its state starts afresh. */
#ifndef RS_ENGINE_H
#define RS_ENGINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rs_alarms.h"
#include "rs_alert.h"
#include "rs_chanq.h"
#include "rs_msg.h"
#include "rs_rules.h"

#define RS_ENGINE_RESTART_S 600
#define RS_ENGINE_KPI_MAX   64

typedef struct {
    double bit_diameter_m;      // 0 = not configured (KPIs use 8 1/2 in; detectors turn conservative)
    double pipe_disp_m3_m;      // 0 = not configured
    double flowline_lag_s;      // 0 = learned from the data
    double pit_alarm_m3;        // 0 = 1.6 m3
    double rock_ccs_mpa;        // confined compressive strength for CCS / MSE; 0 = unknown
    size_t max_wells;           // 0 = 64
    double recheck_s;           // carried alarms not raised again within this sample time clear; 0 = 60 s
} rs_engine_opts_t;

typedef struct {
    uint64_t samples;           // fed and processed
    uint64_t out_of_order;      // ignored: not after the well's previous sample
    uint64_t restarts;          // well streams restarted (time jumped back)
    uint64_t refused;           // samples of wells beyond max_wells
    uint64_t raised, updated, cleared;
    uint64_t config_loads;
    //  Readings the data-quality check dropped, by channel and reason
    //  (rs_chanq_dropped sums them), over every well and restart.
    uint64_t dropped[RS_CH_COUNT][RS_CHQ_COUNT];
} rs_engine_stats_t;

typedef struct rs_engine_t rs_engine_t;

//  Returns a fresh engine with an empty configuration, or NULL. Alert
//  transitions go to fn (may be NULL).
rs_engine_t *rs_engine_new (const rs_engine_opts_t *opts, rs_alert_fn *fn, void *arg);
void rs_engine_destroy (rs_engine_t **self_p);

//  A change made through the engine that belongs in the audit trail (a rule
//  set...): what, who, from which address, what changed; well NULL when it
//  concerns no one well.
typedef struct {
    const char *action;
    const char *by;
    const char *addr;
    const char *detail;
    const char *well;
} rs_engine_audit_t;
typedef void (rs_engine_audit_fn) (const rs_engine_audit_t *rec, void *arg);

//  Where audit records go (fn may be NULL: nowhere).
void rs_engine_set_audit_fn (rs_engine_t *self, rs_engine_audit_fn *fn, void *arg);
void rs_engine_audit (rs_engine_t *self, const rs_engine_audit_t *rec);

//  Takes ownership of cfg and applies it to every well at once: rig-state
//  thresholds, detectors switched on or off, rules (alerts of removed rules
//  are cleared).
void rs_engine_set_config (rs_engine_t *self, rs_rules_t *cfg);
const rs_rules_t *rs_engine_config (const rs_engine_t *self);

//  Feeds one sample of a well. Returns 0 when processed, 1 when ignored
//  (out of order), -1 when refused (too many wells, no memory).
int rs_engine_feed (rs_engine_t *self, const char *well, int64_t ts_us, const rs_value_t *values,
                    size_t n);

size_t rs_engine_wells (const rs_engine_t *self);
const char *rs_engine_well_id (const rs_engine_t *self, size_t index);
//  Time of the well's last processed sample, and whether it changed since
//  the last rs_engine_kpis for it.
int64_t rs_engine_well_ts (const rs_engine_t *self, size_t index);
bool rs_engine_well_dirty (const rs_engine_t *self, size_t index);
//  The well's rig state name ("drilling_rotary"...).
const char *rs_engine_well_state (const rs_engine_t *self, size_t index);
//  The well's KPI values (static names; NaN = nil); clears its dirty flag.
size_t rs_engine_kpis (rs_engine_t *self, size_t index, rs_value_t *out, size_t max);

//  The well's derived signals (flow balance, pressure coefficient...) for
//  diagnostics; NULL for a bad index.
const rs_detect_view_t *rs_engine_well_view (const rs_engine_t *self, size_t index);
const rs_riginfo_t *rs_engine_well_rig (const rs_engine_t *self, size_t index);
//  The well's channel quality on its last sample (rs_chanq), NULL for a bad
//  index.
const rs_chanq_t *rs_engine_well_quality (const rs_engine_t *self, size_t index);

//  The alarm list (rs_alarms_json: every alarm not back to normal, newest
//  first) as a JSON array (new reference).
json_t *rs_engine_alerts_json (const rs_engine_t *self);
size_t rs_engine_alerts_active (const rs_engine_t *self);

//  The alarm book: lifecycle, operators' requests, state (rs_alarms).
rs_alarms_t *rs_engine_alarms (rs_engine_t *self);

//  Where the engine keeps what it must not forget: the rules set at run
//  time (rules_path) and the alarm book (state_path); "" = nowhere. Loads
//  the files that exist: the rules file's rules replace the configuration's,
//  the state restores ids, alarms, shelves and out-of-service points.
//  Returns RS_OK, or an error code with the reason (naming the file) recorded (rs_errmsg).
rs_err_t rs_engine_set_files (rs_engine_t *self, const char *rules_path, const char *state_path);
const char *rs_engine_rules_path (const rs_engine_t *self);
//  Writes the alarm book to the state file atomically when it changed.
//  Returns RS_OK, or an error code with the reason recorded (rs_errmsg).
rs_err_t rs_engine_persist (rs_engine_t *self);
const rs_engine_stats_t *rs_engine_stats (const rs_engine_t *self);

#endif
