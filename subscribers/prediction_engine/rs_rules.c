/*  rs_rules: configuration file parsing and threshold rule evaluation. */
#include "rs_rules.h"

#include "rs_atomic.h"
#include "rs_channels.h"
#include "rs_err.h"
#include "rs_kpi_units.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RULE_UPDATE_S 60.0
#define RULE_STALE_S  600.0
#define MAX_FILE      (1024 * 1024)

typedef struct {
    const char *key;
    size_t offset;
    double lo, hi;              // allowed range, inclusive
} rig_key_t;

static const rig_key_t s_rig_keys[] = {
    { "flow_lpm", offsetof (rs_rigstate_opts_t, flow_lpm), 0, 10000 },
    { "spp_bar", offsetof (rs_rigstate_opts_t, spp_bar), 0, 1000 },
    { "rpm", offsetof (rs_rigstate_opts_t, rpm), 0, 1000 },
    { "torque_knm", offsetof (rs_rigstate_opts_t, torque_knm), 0, 1000 },
    { "wob_kn", offsetof (rs_rigstate_opts_t, wob_kn), 0, 10000 },
    { "rop_mh", offsetof (rs_rigstate_opts_t, rop_mh), 0, 1000 },
    { "on_bottom_m", offsetof (rs_rigstate_opts_t, on_bottom_m), 0.01, 50 },
    { "move_m", offsetof (rs_rigstate_opts_t, move_m), 0.01, 10 },
    { "move_window_s", offsetof (rs_rigstate_opts_t, move_window_s), 1, 600 },
    { "block_weight_kn", offsetof (rs_rigstate_opts_t, block_weight_kn), 0, 10000 },
    { "stand_m", offsetof (rs_rigstate_opts_t, stand_m), 1, 100 },
    { "max_connection_s", offsetof (rs_rigstate_opts_t, max_connection_s), 60, 86400 },
    { "casing_bar", offsetof (rs_rigstate_opts_t, casing_bar), 0, 1000 },
    { "min_dwell_s", offsetof (rs_rigstate_opts_t, min_dwell_s), 0, 3600 },
    { "ream_m", offsetof (rs_rigstate_opts_t, ream_m), 0, 10000 },
    { "slips_in_kn", offsetof (rs_rigstate_opts_t, slips_in_kn), 1, 1000 },
    { "slips_out_kn", offsetof (rs_rigstate_opts_t, slips_out_kn), 1, 1000 },
    { "set_down_tol", offsetof (rs_rigstate_opts_t, set_down_tol), 0.01, 1 },
    { "surface_m", offsetof (rs_rigstate_opts_t, surface_m), 0, 100 },
    { "trip_flip_m", offsetof (rs_rigstate_opts_t, trip_flip_m), 0.1, 100 },
};
#define N_RIG_KEYS (sizeof s_rig_keys / sizeof s_rig_keys[0])

//  Keys of earlier versions, read and no longer used: a configuration saved
//  by one still loads (rs_rules_t.retired names them for the caller to say
//  so). The slips' thresholds were shares of the block weight.
static const char *s_retired_keys[] = { "block_weight_tol", "slips_tol" };

rs_rules_t *
rs_rules_new (void)
{
    rs_rules_t *self = calloc (1, sizeof *self);
    if (self)
        rs_rigstate_opts_default (&self->rig);
    return self;
}

void
rs_rules_destroy (rs_rules_t **self_p)
{
    if (self_p && *self_p) {
        free ((*self_p)->rules);
        free (*self_p);
        *self_p = NULL;
    }
}

rs_rules_t *
rs_rules_dup (const rs_rules_t *self)
{
    rs_rules_t *copy = calloc (1, sizeof *copy);
    if (!copy)
        return NULL;
    *copy = *self;
    copy->rules = NULL;
    if (self->n) {
        copy->rules = malloc (self->n * sizeof *copy->rules);
        if (!copy->rules) {
            free (copy);
            return NULL;
        }
        memcpy (copy->rules, self->rules, self->n * sizeof *copy->rules);
    }
    return copy;
}

//  A rule's name is for people: letters, digits, spaces and punctuation,
//  without control characters or spaces at either end.
static const char *
s_rule_name_problem (const char *s)
{
    size_t len = strlen (s);
    if (len == 0)
        return "required (1 to 64 characters)";
    if (len > RS_RULE_NAME_MAX)
        return "longer than 64 bytes";
    for (size_t i = 0; i < len; i++)
        if ((unsigned char) s[i] < 0x20 || s[i] == 0x7f)
            return "control characters are not allowed";
    if (s[0] == ' ' || s[len - 1] == ' ')
        return "no spaces at the start or the end";
    return NULL;
}

static bool
s_name_ok (const char *s)
{
    size_t len = strlen (s);
    if (len == 0 || len > RS_RULE_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
              || c == '-' || c == '.'))
            return false;
    }
    return true;
}

//  A finite number (integer or real) within [lo, hi]; -1 with the reason recorded otherwise.
static int
s_number (const json_t *v, const char *where, const char *key, double lo, double hi, double *out)
{
    if (!json_is_number (v)) {
        rs_err_set (RS_E_FORMAT, "%s.%s: expected a number", where, key);
        return -1;
    }
    double x = json_number_value (v);
    if (!isfinite (x) || x < lo || x > hi) {
        rs_err_set (RS_E_FORMAT, "%s.%s: %g is outside [%g, %g]", where, key, x, lo, hi);
        return -1;
    }
    *out = x;
    return 0;
}

static int
s_parse_rule (const json_t *obj, size_t index, rs_rule_t *r)
{
    char where[32];
    snprintf (where, sizeof where, "rules[%zu]", index);
    if (!json_is_object (obj)) {
        rs_err_set (RS_E_FORMAT, "%s: expected an object", where);
        return -1;
    }
    memset (r, 0, sizeof *r);
    r->min = r->max = NAN;
    r->clear_duration_s = NAN;
    r->severity = RS_SEV_WARNING;
    r->enabled = true;
    const char *key;
    json_t *v;
    json_object_foreach ((json_t *) obj, key, v) {
        if (strcmp (key, "name") == 0) {
            const char *why = json_is_string (v) ? s_rule_name_problem (json_string_value (v)) : "expected a string";
            if (why) {
                rs_err_set (RS_E_FORMAT, "%s.name: %s", where, why);
                return -1;
            }
            snprintf (r->name, sizeof r->name, "%s", json_string_value (v));
        }
        else if (strcmp (key, "channel") == 0) {
            char *dst = r->channel;
            if (!json_is_string (v) || !s_name_ok (json_string_value (v))) {
                rs_err_set (RS_E_FORMAT, "%s.%s: expected 1-%d characters of A-Z a-z 0-9 _ - .", where, key,
                       RS_RULE_NAME_MAX);
                return -1;
            }
            snprintf (dst, RS_RULE_NAME_MAX + 1, "%s", json_string_value (v));
        }
        else if (strcmp (key, "min") == 0 || strcmp (key, "max") == 0) {
            if (s_number (v, where, key, -1e12, 1e12, key[1] == 'i' ? &r->min : &r->max))
                return -1;
        }
        else if (strcmp (key, "hysteresis") == 0) {
            if (s_number (v, where, key, 0, 1e12, &r->hysteresis))
                return -1;
        }
        else if (strcmp (key, "min_duration_s") == 0) {
            if (s_number (v, where, key, 0, 86400, &r->min_duration_s))
                return -1;
        }
        else if (strcmp (key, "clear_duration_s") == 0) {
            if (s_number (v, where, key, 0, 86400, &r->clear_duration_s))
                return -1;
        }
        else if (strcmp (key, "severity") == 0) {
            int sev = json_is_string (v) ? rs_severity_lookup (json_string_value (v)) : -1;
            if (sev < 0) {
                rs_err_set (RS_E_FORMAT, "%s.severity: expected info, warning or critical", where);
                return -1;
            }
            r->severity = (rs_severity_t) sev;
        }
        else if (strcmp (key, "message") == 0) {
            if (!json_is_string (v) || strlen (json_string_value (v)) > RS_RULE_MSG_MAX) {
                rs_err_set (RS_E_FORMAT, "%s.message: expected a string of at most %d bytes", where,
                       RS_RULE_MSG_MAX);
                return -1;
            }
            snprintf (r->message, sizeof r->message, "%s", json_string_value (v));
        }
        else if (strcmp (key, "enabled") == 0) {
            if (!json_is_boolean (v)) {
                rs_err_set (RS_E_FORMAT, "%s.enabled: expected true or false", where);
                return -1;
            }
            r->enabled = json_is_true (v);
        }
        else if (strcmp (key, "states") == 0) {
            if (!json_is_array (v)) {
                rs_err_set (RS_E_FORMAT, "%s.states: expected an array of rig states", where);
                return -1;
            }
            size_t i;
            json_t *s;
            json_array_foreach (v, i, s) {
                int st = json_is_string (s) ? rs_rig_lookup (json_string_value (s)) : -1;
                if (st <= 0) {
                    rs_err_set (RS_E_FORMAT, "%s.states[%zu]: expected a rig state (drilling_rotary, "
                           "drilling_sliding, reaming, circulating, off_bottom, connection, in_slips, "
                           "tripping_in, tripping_out, shut_in, out_of_hole)", where, i);
                    return -1;
                }
                r->states |= 1u << st;
            }
        }
        else {
            rs_err_set (RS_E_FORMAT, "%s: unknown key \"%s\"", where, key);
            return -1;
        }
    }
    if (!r->channel[0]) {
        rs_err_set (RS_E_FORMAT, "%s: \"channel\" is required", where);
        return -1;
    }
    if (isnan (r->min) && isnan (r->max)) {
        rs_err_set (RS_E_FORMAT, "%s: needs \"min\", \"max\" or both", where);
        return -1;
    }
    if (!isnan (r->min) && !isnan (r->max) && !(r->min + r->hysteresis < r->max - r->hysteresis)) {
        rs_err_set (RS_E_FORMAT, "%s: min %g and max %g leave no room for the hysteresis %g", where,
               r->min, r->max, r->hysteresis);
        return -1;
    }
    if (isnan (r->clear_duration_s))
        r->clear_duration_s = r->min_duration_s;
    if (!r->name[0]) {
        const char *suffix = isnan (r->min) ? "high" : isnan (r->max) ? "low" : "range";
        if (strlen (r->channel) + 1 + strlen (suffix) > RS_RULE_NAME_MAX) {
            rs_err_set (RS_E_FORMAT, "%s: channel name too long to name the rule; give a \"name\"", where);
            return -1;
        }
        size_t len = strlen (r->channel);
        memcpy (r->name, r->channel, len);
        r->name[len] = '_';
        memcpy (r->name + len + 1, suffix, strlen (suffix) + 1);
    }
    return 0;
}

rs_err_t
rs_rules_set_rules (rs_rules_t *self, const json_t *array)
{
    if (!json_is_array (array)) {
        return rs_err_set (RS_E_FORMAT, "rules: expected an array");
    }
    size_t n = json_array_size (array);
    if (n > RS_RULES_MAX) {
        return rs_err_set (RS_E_FORMAT, "rules: %zu rules, at most %d", n, RS_RULES_MAX);
    }
    rs_rule_t *rules = n ? calloc (n, sizeof *rules) : NULL;
    if (n && !rules) {
        return rs_err_set (RS_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        if (s_parse_rule (json_array_get (array, i), i, &rules[i])) {
            free (rules);
            return rs_errcode ();
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp (rules[j].name, rules[i].name) == 0) {
                rs_err_set (RS_E_FORMAT, "rules[%zu]: name \"%s\" already used by rules[%zu]", i,
                       rules[i].name, j);
                free (rules);
                return rs_errcode ();
            }
    }
    free (self->rules);
    self->rules = rules;
    self->n = n;
    return RS_OK;
}

static int
s_parse_rig (rs_rules_t *self, const json_t *obj)
{
    if (!json_is_object (obj)) {
        rs_err_set (RS_E_FORMAT, "rig_state: expected an object");
        return -1;
    }
    const char *key;
    json_t *v;
    json_object_foreach ((json_t *) obj, key, v) {
        size_t i = 0;
        while (i < N_RIG_KEYS && strcmp (s_rig_keys[i].key, key) != 0)
            i++;
        size_t r = 0;
        while (i == N_RIG_KEYS && r < sizeof s_retired_keys / sizeof s_retired_keys[0]
               && strcmp (s_retired_keys[r], key) != 0)
            r++;
        if (i == N_RIG_KEYS && r < sizeof s_retired_keys / sizeof s_retired_keys[0]) {
            size_t len = strlen (self->retired);
            snprintf (self->retired + len, sizeof self->retired - len, "%s%s", len ? ", " : "", key);
            continue;
        }
        if (i == N_RIG_KEYS) {
            rs_err_set (RS_E_FORMAT, "rig_state: unknown key \"%s\"", key);
            return -1;
        }
        double *dst = (double *) ((char *) &self->rig + s_rig_keys[i].offset);
        if (s_number (v, "rig_state", key, s_rig_keys[i].lo, s_rig_keys[i].hi, dst))
            return -1;
    }
    if (self->rig.slips_out_kn < self->rig.slips_in_kn) {
        rs_err_set (RS_E_FORMAT, "rig_state: slips_out_kn (%g) must be at least slips_in_kn (%g)",
                    self->rig.slips_out_kn, self->rig.slips_in_kn);
        return -1;
    }
    return 0;
}

static int
s_parse_detectors (rs_rules_t *self, const json_t *obj)
{
    if (!json_is_object (obj)) {
        rs_err_set (RS_E_FORMAT, "detectors: expected an object of name: true/false");
        return -1;
    }
    const char *key;
    json_t *v;
    json_object_foreach ((json_t *) obj, key, v) {
        int d = strcmp (key, "anomaly") == 0 ? RS_DET_ANOMALY : rs_det_lookup (key);
        if (d < 0) {
            rs_err_set (RS_E_FORMAT, "detectors: unknown detector \"%s\" (kick, lost_circulation, washout, "
                   "stuck_pipe, pack_off, bit_balling, anomaly)", key);
            return -1;
        }
        if (!json_is_boolean (v)) {
            rs_err_set (RS_E_FORMAT, "detectors.%s: expected true or false", key);
            return -1;
        }
        if (json_is_true (v))
            self->disabled &= ~(1u << d);
        else
            self->disabled |= 1u << d;
    }
    return 0;
}

rs_rules_t *
rs_rules_parse (const char *text, size_t len)
{
    json_error_t jerr;
    json_t *root = json_loadb (text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        rs_err_set (RS_E_FORMAT, "line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
        return NULL;
    }
    rs_rules_t *self = rs_rules_new ();
    int rc = self ? 0 : -1;
    if (!self)
        rs_err_set (RS_E_NOMEM, "out of memory");
    else if (!json_is_object (root)) {
        rs_err_set (RS_E_FORMAT, "expected a JSON object with \"version\" and \"rules\"");
        rc = -1;
    }
    else {
        json_t *version = json_object_get (root, "version");
        if (version && !(json_is_integer (version) && json_integer_value (version) == 1)) {
            rs_err_set (RS_E_FORMAT, "version: only version 1 is known");
            rc = -1;
        }
        const char *key;
        json_t *v;
        json_object_foreach (root, key, v) {
            if (rc)
                break;
            if (strcmp (key, "version") == 0)
                continue;
            if (strcmp (key, "rules") == 0)
                rc = rs_rules_set_rules (self, v);
            else if (strcmp (key, "rig_state") == 0)
                rc = s_parse_rig (self, v);
            else if (strcmp (key, "detectors") == 0)
                rc = s_parse_detectors (self, v);
            else {
                rs_err_set (RS_E_FORMAT, "unknown key \"%s\" (version, rig_state, detectors, rules)", key);
                rc = -1;
            }
        }
    }
    json_decref (root);
    if (rc)
        rs_rules_destroy (&self);
    return self;
}

rs_rules_t *
rs_rules_load (const char *path)
{
    FILE *f = fopen (path, "rb");
    if (!f) {
        rs_err_set (RS_E_IO, "%s: %s", path, strerror (errno));
        return NULL;
    }
    char *buf = malloc (MAX_FILE + 1);
    size_t n = buf ? fread (buf, 1, MAX_FILE + 1, f) : 0;
    bool bad = ferror (f);
    fclose (f);
    if (!buf || bad || n > MAX_FILE) {
        rs_err_set (RS_E_FORMAT, "%s: %s", path, !buf ? "out of memory" : bad ? "read error"
                                                                          : "larger than 1 MiB");
        free (buf);
        return NULL;
    }
    rs_rules_t *self = rs_rules_parse (buf, n);
    free (buf);
    if (!self) {
        char inner[400];
        snprintf (inner, sizeof inner, "%s", rs_errmsg ());
        rs_err_set (rs_errcode (), "%s: %s", path, inner);
    }
    return self;
}

static json_t *
s_rule_json (const rs_rule_t *r)
{
    json_t *o = json_object ();
    json_object_set_new (o, "name", json_string (r->name));
    json_object_set_new (o, "channel", json_string (r->channel));
    if (!isnan (r->min))
        json_object_set_new (o, "min", json_real (r->min));
    if (!isnan (r->max))
        json_object_set_new (o, "max", json_real (r->max));
    json_object_set_new (o, "hysteresis", json_real (r->hysteresis));
    json_object_set_new (o, "min_duration_s", json_real (r->min_duration_s));
    json_object_set_new (o, "clear_duration_s", json_real (r->clear_duration_s));
    json_object_set_new (o, "severity", json_string (rs_severity_name (r->severity)));
    if (r->message[0])
        json_object_set_new (o, "message", json_string (r->message));
    if (r->states) {
        json_t *a = json_array ();
        for (int s = 1; s < RS_RIG_COUNT; s++)
            if (r->states & (1u << s))
                json_array_append_new (a, json_string (rs_rig_name (s)));
        json_object_set_new (o, "states", a);
    }
    json_object_set_new (o, "enabled", json_boolean (r->enabled));
    return o;
}

json_t *
rs_rules_rules_json (const rs_rules_t *self)
{
    json_t *a = json_array ();
    for (size_t i = 0; i < self->n; i++)
        json_array_append_new (a, s_rule_json (&self->rules[i]));
    return a;
}

json_t *
rs_rules_json (const rs_rules_t *self)
{
    json_t *root = json_object ();
    json_object_set_new (root, "version", json_integer (1));
    json_t *rig = json_object ();
    for (size_t i = 0; i < N_RIG_KEYS; i++)
        json_object_set_new (rig, s_rig_keys[i].key,
                             json_real (*(const double *) ((const char *) &self->rig + s_rig_keys[i].offset)));
    json_object_set_new (root, "rig_state", rig);
    json_t *det = json_object ();
    for (int d = 0; d <= RS_DET_ANOMALY; d++)
        json_object_set_new (det, d == RS_DET_ANOMALY ? "anomaly" : rs_det_name (d),
                             json_boolean (!(self->disabled & (1u << d))));
    json_object_set_new (root, "detectors", det);
    json_object_set_new (root, "rules", rs_rules_rules_json (self));
    return root;
}

rs_err_t
rs_rules_save (const rs_rules_t *self, const char *path)
{
    json_t *root = rs_rules_json (self);
    rs_err_t rc = root ? rs_atomic_write_json (path, root) : rs_err_set (RS_E_NOMEM, "%s: out of memory", path);
    json_decref (root);
    return rc;
}

rs_err_t
rs_rules_save_rules (const rs_rules_t *self, const char *path)
{
    json_t *root = json_pack ("{s:i, s:o}", "version", 1, "rules", rs_rules_rules_json (self));
    rs_err_t rc = root ? rs_atomic_write_json (path, root) : rs_err_set (RS_E_NOMEM, "%s: out of memory", path);
    json_decref (root);
    return rc;
}

rs_err_t
rs_rules_apply_file (rs_rules_t *self, const char *path)
{
    rs_rules_t *file = rs_rules_load (path);
    if (!file)
        return rs_errcode ();
    json_t *rules = rs_rules_rules_json (file);
    rs_rules_destroy (&file);
    rs_err_t rc = rules ? rs_rules_set_rules (self, rules) : rs_err_set (RS_E_NOMEM, "out of memory");
    json_decref (rules);
    if (rc != 0) {
        char inner[400];
        snprintf (inner, sizeof inner, "%s", rs_errmsg ());
        rs_err_set (rs_errcode (), "%s: %s", path, inner);
    }
    return rc;
}

//  --------------------------------------------------------------------------
//  Evaluation

int
rs_rulestate_sync (rs_rulestate_t *st, const rs_rules_t *rules, int64_t ts_us, const rs_alert_sink_t *sink)
{
    size_t n = rules ? rules->n : 0;
    rs_rulealarm_t *a = n ? calloc (n, sizeof *a) : NULL;
    if (n && !a)
        return -1;
    bool *kept = st->n ? calloc (st->n, sizeof *kept) : NULL;
    if (st->n && !kept) {
        free (a);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const rs_rule_t *r = &rules->rules[i];
        snprintf (a[i].name, sizeof a[i].name, "%s", r->name);
        snprintf (a[i].channel, sizeof a[i].channel, "%s", r->channel);
        rs_alarm_init (&a[i].alarm);
        for (size_t j = 0; j < st->n; j++)
            if (!kept[j] && strcmp (st->a[j].name, r->name) == 0 && strcmp (st->a[j].channel, r->channel) == 0
                && r->enabled) {
                a[i].alarm = st->a[j].alarm;
                kept[j] = true;
                break;
            }
    }
    for (size_t j = 0; j < st->n; j++) {
        if (kept[j])
            continue;
        rs_alarm_t *al = &st->a[j].alarm;
        rs_alert_state_t tr = rs_alarm_clear (al, ts_us);
        rs_alert_t alert = {
            .type = "threshold", .rule = st->a[j].name, .channel = st->a[j].channel,
            .message = "Threshold alert cleared: rule removed or changed", .value = NAN, .threshold = NAN,
        };
        rs_alert_emit (sink, al, tr, ts_us, &alert);
    }
    free (kept);
    free (st->a);
    st->a = a;
    st->n = n;
    return 0;
}

void
rs_rules_eval (const rs_rules_t *rules, rs_rulestate_t *st, int64_t ts_us, rs_rig_t state,
               rs_rules_get_fn *get, void *arg, const rs_alert_sink_t *sink)
{
    if (!rules)
        return;
    size_t n = rules->n < st->n ? rules->n : st->n;
    for (size_t i = 0; i < n; i++) {
        const rs_rule_t *r = &rules->rules[i];
        rs_alarm_t *al = &st->a[i].alarm;
        if (!r->enabled)
            continue;
        double x = get (r->channel, arg);
        rs_cond_t cond;
        bool high = false;
        if (r->states && !(r->states & (1u << state)))
            cond = RS_COND_OFF;
        else if (isnan (x))
            cond = RS_COND_UNKNOWN;
        else {
            double h = al->raised ? r->hysteresis : 0;
            high = !isnan (r->max) && x > r->max - h;
            bool low = !isnan (r->min) && x < r->min + h;
            cond = high || low ? RS_COND_ON : RS_COND_OFF;
        }
        rs_alarm_cfg_t cfg = { r->min_duration_s, r->clear_duration_s, RULE_UPDATE_S, RULE_STALE_S };
        rs_alert_state_t tr = rs_alarm_step (al, &cfg, ts_us, cond, r->severity);
        if (tr == RS_ALERT_NONE)
            continue;
        //  Which bound: the one crossed, or for a clear the one nearer.
        bool use_max = !isnan (r->max) && (isnan (r->min) || high
                                           || (!isnan (x) && fabs (x - r->max) < fabs (x - r->min)));
        double thr = use_max ? r->max : r->min;
        char msg[RS_RULE_MSG_MAX + 160];
        const char *lead = r->message[0] ? r->message : r->name;
        if (tr == RS_ALERT_CLEARED)
            snprintf (msg, sizeof msg, "%s cleared: %s %s%s", lead, r->channel,
                      al->stale ? "has had no reading for 10 min" : "back within limits",
                      cond == RS_COND_OFF && r->states && !(r->states & (1u << state)) ? " (rig state)" : "");
        else {
            //  With the unit, so a reader can show the numbers in its own.
            int ch = rs_chan_lookup (r->channel, strlen (r->channel));
            const char *unit = ch >= 0 ? rs_chan_info (ch)->unit : rs_kpi_unit (r->channel);
            bool show = unit && *unit && strcmp (unit, "1") != 0 && strcmp (unit, "count") != 0;
            snprintf (msg, sizeof msg, "%s: %s %.6g%s%s %s limit %.6g%s%s", lead, r->channel, x, show ? " " : "",
                      show ? unit : "", use_max ? "above" : "below", thr, show ? " " : "", show ? unit : "");
        }
        rs_alert_t alert = {
            .type = "threshold", .rule = r->name, .channel = r->channel, .message = msg,
            .value = x, .threshold = thr,
        };
        rs_alert_emit (sink, al, tr, ts_us, &alert);
    }
}

void
rs_rulestate_clear_all (rs_rulestate_t *st, int64_t ts_us, const rs_alert_sink_t *sink)
{
    for (size_t i = 0; i < st->n; i++) {
        rs_alert_state_t tr = rs_alarm_clear (&st->a[i].alarm, ts_us);
        rs_alert_t alert = {
            .type = "threshold", .rule = st->a[i].name, .channel = st->a[i].channel,
            .message = "Threshold alert cleared: the well's data stream restarted", .value = NAN,
            .threshold = NAN,
        };
        rs_alert_emit (sink, &st->a[i].alarm, tr, ts_us, &alert);
    }
}

void
rs_rulestate_fini (rs_rulestate_t *st)
{
    free (st->a);
    st->a = NULL;
    st->n = 0;
}

size_t
rs_rulestate_raised (const rs_rulestate_t *st)
{
    size_t n = 0;
    for (size_t i = 0; i < st->n; i++)
        n += st->a[i].alarm.raised;
    return n;
}
