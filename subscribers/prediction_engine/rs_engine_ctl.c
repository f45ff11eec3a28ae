/*  rs_engine_ctl: control commands (see rs_engine_ctl.h). */
#include "rs_engine_ctl.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rs_clock.h"
#include "rs_log.h"

#define MAX_REQUEST (1024 * 1024)

static char *
s_reply (json_t *obj)
{
    char *text = json_dumps (obj, JSON_COMPACT | JSON_REAL_PRECISION (10));
    json_decref (obj);
    return text;
}

static char *
s_error (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

static char *
s_error (const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (msg, sizeof msg, fmt, ap);
    va_end (ap);
    json_t *o = json_object ();
    json_object_set_new (o, "ok", json_false ());
    json_object_set_new (o, "error", json_string (msg));
    return s_reply (o);
}

static json_t *
s_ok (void)
{
    json_t *o = json_object ();
    json_object_set_new (o, "ok", json_true ());
    return o;
}

static bool
s_has_file (const char *path)
{
    return path && *path;
}

rs_err_t
rs_engine_ctl_reload (rs_engine_t *engine, const char *config_path)
{
    if (!s_has_file (config_path)) {
        return rs_err_set (RS_E_CONFIG, "no configuration file (set ENGINE_CONFIG or --config)");
    }
    rs_rules_t *cfg = rs_rules_load (config_path);
    if (!cfg)
        return rs_errcode ();
    //  Rules set at run time (the rules file) win over the configuration's.
    const char *rules_path = rs_engine_rules_path (engine);
    if (s_has_file (rules_path) && access (rules_path, F_OK) == 0
        && rs_rules_apply_file (cfg, rules_path) != 0) {
        rs_rules_destroy (&cfg);
        return rs_errcode ();
    }
    rs_engine_set_config (engine, cfg);
    return RS_OK;
}

static char *
s_status (rs_engine_t *engine, const char *config_path)
{
    json_t *o = s_ok ();
    json_t *wells = json_array ();
    for (size_t i = 0; i < rs_engine_wells (engine); i++) {
        json_t *w = json_object ();
        json_object_set_new (w, "well", json_string (rs_engine_well_id (engine, i)));
        json_object_set_new (w, "rig_state", json_string (rs_engine_well_state (engine, i)));
        json_object_set_new (w, "ts", json_integer ((json_int_t) rs_engine_well_ts (engine, i)));
        json_array_append_new (wells, w);
    }
    json_object_set_new (o, "wells", wells);
    json_object_set_new (o, "alerts", rs_engine_alerts_json (engine));
    const rs_engine_stats_t *st = rs_engine_stats (engine);
    json_t *c = json_object ();
    json_object_set_new (c, "samples", json_integer ((json_int_t) st->samples));
    json_object_set_new (c, "out_of_order", json_integer ((json_int_t) st->out_of_order));
    json_object_set_new (c, "restarts", json_integer ((json_int_t) st->restarts));
    json_object_set_new (c, "refused", json_integer ((json_int_t) st->refused));
    json_object_set_new (c, "raised", json_integer ((json_int_t) st->raised));
    json_object_set_new (c, "updated", json_integer ((json_int_t) st->updated));
    json_object_set_new (c, "cleared", json_integer ((json_int_t) st->cleared));
    json_object_set_new (c, "config_loads", json_integer ((json_int_t) st->config_loads));
    json_object_set_new (c, "readings_implausible",
                         json_integer ((json_int_t) rs_chanq_dropped_impossible (st->dropped)));
    json_object_set_new (c, "readings_stuck", json_integer ((json_int_t) rs_chanq_dropped (st->dropped, -1, RS_CHQ_STUCK)));
    json_object_set_new (o, "counters", c);
    json_object_set_new (o, "rules", json_integer ((json_int_t) rs_engine_config (engine)->n));
    json_object_set_new (o, "config_file", s_has_file (config_path) ? json_string (config_path) : json_null ());
    return s_reply (o);
}

static bool
s_same_number (double a, double b)
{
    return (isnan (a) && isnan (b)) || a == b;
}

static bool
s_same_rule (const rs_rule_t *a, const rs_rule_t *b)
{
    return strcmp (a->channel, b->channel) == 0 && s_same_number (a->min, b->min) && s_same_number (a->max, b->max)
           && s_same_number (a->hysteresis, b->hysteresis) && s_same_number (a->min_duration_s, b->min_duration_s)
           && s_same_number (a->clear_duration_s, b->clear_duration_s) && a->severity == b->severity
           && strcmp (a->message, b->message) == 0 && a->states == b->states && a->enabled == b->enabled;
}

static const rs_rule_t *
s_find_rule (const rs_rules_t *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n; i++)
        if (strcmp (cfg->rules[i].name, name) == 0)
            return &cfg->rules[i];
    return NULL;
}

//  Appends the names of one kind of difference ("added: a, b") to out.
static void
s_diff_part (char *out, size_t size, const char *label, const rs_rules_t *from, const rs_rules_t *other,
             bool changed)
{
    bool first = true;
    for (size_t i = 0; i < from->n; i++) {
        const rs_rule_t *r = &from->rules[i];
        const rs_rule_t *o = s_find_rule (other, r->name);
        if (changed ? !o || s_same_rule (r, o) : o != NULL)
            continue;
        size_t len = strlen (out);
        snprintf (out + len, size - len, "%s%s\"%s\"", first ? (len ? "; " : "") : ", ", first ? label : "",
                  r->name);
        first = false;
    }
}

//  What a rule set changes, by rule name, for the audit trail:
//  "added: "a"; removed: "b"; changed: "c"" or "no change".
void
rs_engine_ctl_rules_diff (const rs_rules_t *before, const rs_rules_t *after, char *out, size_t size)
{
    out[0] = 0;
    s_diff_part (out, size, "added: ", after, before, false);
    s_diff_part (out, size, "removed: ", before, after, false);
    s_diff_part (out, size, "changed: ", after, before, true);
    if (!out[0])
        snprintf (out, size, "no change");
    size_t len = strlen (out);
    if (len + 1 == size && size > 4)
        memcpy (out + size - 4, "...", 4);
}

static char *
s_set_thresholds (rs_engine_t *engine, const char *config_path, json_t *req)
{
    json_t *rules = json_object_get (req, "rules");
    json_t *save_v = json_object_get (req, "save");
    const char *rules_path = rs_engine_rules_path (engine);
    if (!rules)
        return s_error ("set_thresholds needs \"rules\": an array of rules");
    if (save_v && !json_is_boolean (save_v))
        return s_error ("\"save\" must be true or false");
    const char *by = json_string_value (json_object_get (req, "by"));
    if (by && rs_alarms_check_text ("by", by, 1, RS_ALARMS_BY_MAX) != 0)
        return s_error ("%s", rs_errmsg ());
    //  The rules file, when the engine has one, is where rules set at run
    //  time live; else the configuration file as before.
    bool to_rules = s_has_file (rules_path);
    const char *target = to_rules ? rules_path : config_path;
    bool save = save_v ? json_is_true (save_v) : s_has_file (target);
    if (save && !s_has_file (target))
        return s_error ("cannot save: the engine has no rules file (ENGINE_RULES_FILE) or configuration file");
    rs_rules_t *cfg = rs_rules_dup (rs_engine_config (engine));
    if (!cfg)
        return NULL;
    if (rs_rules_set_rules (cfg, rules) != 0) {
        rs_rules_destroy (&cfg);
        return s_error ("%s", rs_errmsg ());
    }
    //  Save first: either the rules are applied and on disk, or neither.
    if (save && (to_rules ? rs_rules_save_rules (cfg, target) : rs_rules_save (cfg, target)) != 0) {
        rs_rules_destroy (&cfg);
        return s_error ("%s", rs_errmsg ());
    }
    size_t n = cfg->n;
    char detail[RS_MAX_TEXT + 1];
    rs_engine_ctl_rules_diff (rs_engine_config (engine), cfg, detail, sizeof detail);
    rs_engine_set_config (engine, cfg);
    const char *addr = json_string_value (json_object_get (req, "addr"));
    rs_engine_audit (engine, &(rs_engine_audit_t) { .action = "rules_set", .by = by, .addr = addr, .detail = detail });
    rs_info ("rules set by %s from %s: %zu rule(s)%s%s", by ? by : "(unnamed)", addr ? addr : "the control endpoint",
             n, save ? ", saved to " : ", not saved", save ? target : "");
    json_t *o = s_ok ();
    json_object_set_new (o, "rules", json_integer ((json_int_t) n));
    json_object_set_new (o, "saved", json_boolean (save));
    if (save)
        json_object_set_new (o, "file", json_string (target));
    return s_reply (o);
}

//  An operator's request on one alarm: ack, shelve, unshelve,
//  out_of_service, in_service. A refusal carries "code" (400, 404, 409) for
//  the web bridge to answer with.
static char *
s_alarm_request (rs_engine_t *engine, const char *cmd, json_t *req)
{
    json_t *id_v = json_object_get (req, "id");
    const char *by = json_string_value (json_object_get (req, "by"));
    const char *addr = json_string_value (json_object_get (req, "addr"));
    json_t *comment_v = json_object_get (req, "comment"), *reason_v = json_object_get (req, "reason");
    json_t *minutes_v = json_object_get (req, "minutes");
    char err[400] = "";
    rs_alarms_rc_t rc = RS_ALARMS_INVALID;
    if (!json_is_integer (id_v) || json_integer_value (id_v) <= 0)
        snprintf (err, sizeof err, "id: a positive integer");
    else if (!json_is_string (json_object_get (req, "by")))
        snprintf (err, sizeof err, "by: required (1 to %d characters)", RS_ALARMS_BY_MAX);
    else if (comment_v && !json_is_string (comment_v))
        snprintf (err, sizeof err, "comment: expected a string");
    else if (reason_v && !json_is_string (reason_v))
        snprintf (err, sizeof err, "reason: expected a string");
    else if (addr && strlen (addr) > 100)
        snprintf (err, sizeof err, "addr: at most 100 characters");
    else {
        uint64_t id = (uint64_t) json_integer_value (id_v);
        rs_alarms_t *book = rs_engine_alarms (engine);
        int64_t now = rs_clock_now_us ();
        const char *reason = json_string_value (reason_v);
        if (strcmp (cmd, "ack") == 0)
            rc = rs_alarms_ack (book, id, by, json_string_value (comment_v), addr, now);
        else if (strcmp (cmd, "shelve") == 0) {
            if (!json_is_number (minutes_v))
                snprintf (err, sizeof err, "minutes: a whole number from 1 to %d", RS_ALARMS_SHELVE_MAX_MIN);
            else
                rc = rs_alarms_shelve (book, id, by, reason, json_number_value (minutes_v), addr, now);
        }
        else if (strcmp (cmd, "unshelve") == 0)
            rc = rs_alarms_unshelve (book, id, by, addr, now);
        else if (strcmp (cmd, "out_of_service") == 0)
            rc = rs_alarms_out_of_service (book, id, by, reason, addr, now);
        else
            rc = rs_alarms_in_service (book, id, by, addr, now);
        if (rc != RS_ALARMS_OK && !*err)
            snprintf (err, sizeof err, "%s", rs_errmsg ());
        if (rc == RS_ALARMS_OK) {
            if (rs_engine_persist (engine) != 0) {
                char perr[300];
                snprintf (perr, sizeof perr, "%s", rs_errmsg ());
                snprintf (err, sizeof err, "applied, but the alarm state was not saved: %s", perr);
                return s_reply (json_pack ("{s:b, s:s, s:i}", "ok", 0, "error", err, "code", 500));
            }
            json_t *o = s_ok ();
            json_t *alert = rs_alarms_alert_json (book, id);
            if (alert)
                json_object_set_new (o, "alert", alert);
            return s_reply (o);
        }
    }
    json_t *o = json_object ();
    json_object_set_new (o, "ok", json_false ());
    json_object_set_new (o, "error", json_string (err));
    json_object_set_new (o, "code", json_integer (rc == RS_ALARMS_UNKNOWN ? 404 : rc == RS_ALARMS_CONFLICT ? 409 : 400));
    return s_reply (o);
}

char *
rs_engine_ctl_handle (rs_engine_t *engine, const char *config_path, const void *request, size_t len)
{
    if (len == 4 && memcmp (request, "PING", 4) == 0)
        return strdup ("PONG");
    if (len > MAX_REQUEST)
        return s_error ("request larger than 1 MiB");
    json_error_t jerr;
    json_t *req = json_loadb (request, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!req)
        return s_error ("request is not JSON: %s", jerr.text);
    char *reply;
    json_t *cmd_v = json_object_get (req, "cmd");
    const char *cmd = json_is_string (cmd_v) ? json_string_value (cmd_v) : NULL;
    if (!json_is_object (req) || !cmd)
        reply = s_error ("request must be a JSON object with a \"cmd\" string");
    else if (strcmp (cmd, "ping") == 0) {
        json_t *o = s_ok ();
        json_object_set_new (o, "reply", json_string ("pong"));
        reply = s_reply (o);
    }
    else if (strcmp (cmd, "status") == 0)
        reply = s_status (engine, config_path);
    else if (strcmp (cmd, "get_thresholds") == 0) {
        json_t *o = s_ok ();
        json_object_set_new (o, "rules", rs_rules_rules_json (rs_engine_config (engine)));
        json_object_set_new (o, "config_file", s_has_file (config_path) ? json_string (config_path) : json_null ());
        const char *rp = rs_engine_rules_path (engine);
        json_object_set_new (o, "rules_file", s_has_file (rp) ? json_string (rp) : json_null ());
        reply = s_reply (o);
    }
    else if (strcmp (cmd, "set_thresholds") == 0)
        reply = s_set_thresholds (engine, config_path, req);
    else if (strcmp (cmd, "ack") == 0 || strcmp (cmd, "shelve") == 0 || strcmp (cmd, "unshelve") == 0
             || strcmp (cmd, "out_of_service") == 0 || strcmp (cmd, "in_service") == 0)
        reply = s_alarm_request (engine, cmd, req);
    else if (strcmp (cmd, "reload") == 0) {
        if (rs_engine_ctl_reload (engine, config_path) != 0)
            reply = s_error ("%s", rs_errmsg ());
        else {
            json_t *o = s_ok ();
            json_object_set_new (o, "rules", json_integer ((json_int_t) rs_engine_config (engine)->n));
            reply = s_reply (o);
        }
    }
    else
        reply = s_error ("unknown cmd \"%s\" (ping, status, get_thresholds, set_thresholds, reload, ack, shelve, "
                           "unshelve, out_of_service, in_service)", cmd);
    json_decref (req);
    return reply;
}
