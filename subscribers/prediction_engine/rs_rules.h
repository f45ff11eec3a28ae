/*  rs_rules: the engine's configuration file and its threshold rules.

    The file is one JSON object (docs/PREDICTION.md, "Configuration file"):
      {"version": 1,
       "rig_state": {"flow_lpm": 50, ...},          optional: rig-state thresholds
       "detectors": {"kick": true, "anomaly": false, ...},   optional: switch detectors off
       "rules": [{"name": "spp_high", "channel": "spp", "max": 300, "hysteresis": 5,
                  "min_duration_s": 10, "severity": "warning"}, ...]}
    Parsing is strict: an unknown key, a wrong type or an impossible value
    rejects the whole document with a message that names the place
    ("rules[2].severity: expected info, warning or critical").

    A rule watches one telemetry channel or KPI: it raises when the value is
    above max (or below min) for min_duration_s, and clears when it is back
    inside by at least the hysteresis for clear_duration_s. Rule states are
    per well (rs_rulestate_t) and survive a reload for rules that keep their
    name; a removed rule clears its alerts. */
#ifndef RS_RULES_H
#define RS_RULES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rs_alert.h"
#include "rs_detect.h"
#include "rs_err.h"
#include "rs_rigstate.h"

#define RS_RULES_MAX      256
#define RS_RULE_NAME_MAX  64
#define RS_RULE_MSG_MAX   200
//  "detectors" switch: the anomaly detector's bit, after rs_det_t's.
#define RS_DET_ANOMALY    RS_DET_COUNT

typedef struct {
    char name[RS_RULE_NAME_MAX + 1];        // for people (spaces allowed), unique in the set
    char channel[RS_RULE_NAME_MAX + 1];     // telemetry channel or KPI name
    double min, max;                        // NaN = no bound
    double hysteresis;                      // >= 0, in the channel's unit
    double min_duration_s;
    double clear_duration_s;
    rs_severity_t severity;
    char message[RS_RULE_MSG_MAX + 1];      // "" = generated
    unsigned states;                        // bit per rs_rig_t where it applies; 0 = everywhere
    bool enabled;
} rs_rule_t;

typedef struct {
    rs_rule_t *rules;
    size_t n;
    rs_rigstate_opts_t rig;                 // defaults overridden by "rig_state"
    unsigned disabled;                      // bit per detector (rs_det_t, RS_DET_ANOMALY) switched off
    char retired[64];                       // "rig_state" keys of earlier versions read and not used ("": none)
} rs_rules_t;

//  A fresh empty configuration with the default rig-state thresholds.
rs_rules_t *rs_rules_new (void);
void rs_rules_destroy (rs_rules_t **self_p);
//  A fresh copy, or NULL on no memory.
rs_rules_t *rs_rules_dup (const rs_rules_t *self);

//  On failure, these record the reason with rs_err_set (read with
//  rs_errmsg).

//  Parses a configuration document. Returns a fresh configuration, or NULL.
rs_rules_t *rs_rules_parse (const char *text, size_t len);
//  Reads and parses a file; the reason names the file on error.
rs_rules_t *rs_rules_load (const char *path);
//  Replaces the rules of self with those of a JSON array (as in "rules").
//  On error self is unchanged. Returns RS_OK or an error code.
rs_err_t rs_rules_set_rules (rs_rules_t *self, const json_t *array);
//  The rules as a JSON array (new reference).
json_t *rs_rules_rules_json (const rs_rules_t *self);
//  The whole configuration as a JSON object (new reference).
json_t *rs_rules_json (const rs_rules_t *self);
//  Writes the whole configuration to path atomically (rs_atomic). Returns RS_OK
//  or an error code.
rs_err_t rs_rules_save (const rs_rules_t *self, const char *path);
//  Writes only the rules ({"version": 1, "rules": [...]}), atomically: the
//  engine's rules file. Returns RS_OK or an error code.
rs_err_t rs_rules_save_rules (const rs_rules_t *self, const char *path);
//  Replaces the rules of self with those of a rules (or configuration)
//  file. On error self is unchanged. Returns RS_OK or an error code (the
//  reason names the file).
rs_err_t rs_rules_apply_file (rs_rules_t *self, const char *path);

//  Per-well state of the rules.
typedef struct {
    char name[RS_RULE_NAME_MAX + 1];
    char channel[RS_RULE_NAME_MAX + 1];
    rs_alarm_t alarm;
} rs_rulealarm_t;

typedef struct {
    rs_rulealarm_t *a;                      // parallel to the rule set last synced
    size_t n;
} rs_rulestate_t;

//  Value of a channel or KPI by name for the sample being evaluated; NaN
//  when absent or nil.
typedef double (rs_rules_get_fn) (const char *name, void *arg);

//  Aligns a well's state with a (new) rule set: rules that keep their name
//  keep their alarm; alarms of removed rules are cleared through the sink.
//  Returns 0, or -1 on no memory (the old state is kept).
int rs_rulestate_sync (rs_rulestate_t *st, const rs_rules_t *rules, int64_t ts_us,
                       const rs_alert_sink_t *sink);
//  Evaluates every rule on one sample.
void rs_rules_eval (const rs_rules_t *rules, rs_rulestate_t *st, int64_t ts_us, rs_rig_t state,
                    rs_rules_get_fn *get, void *arg, const rs_alert_sink_t *sink);
//  Clears every raised rule alert (stream restart).
void rs_rulestate_clear_all (rs_rulestate_t *st, int64_t ts_us, const rs_alert_sink_t *sink);
void rs_rulestate_fini (rs_rulestate_t *st);
size_t rs_rulestate_raised (const rs_rulestate_t *st);

#endif
