/*  test_engine_rules: the configuration file (valid documents, every kind
    of bad one with its message), threshold rules with hysteresis, minimum
    duration and rig-state filters, rule states across a reload, saving, and
    the raise/update/clear lifecycle underneath. */
#include "rs_rules.h"
#include "rs_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S 1000000LL

typedef struct {
    int raised, updated, cleared;
    char last_msg[512];
    char last_rule[80];
    rs_severity_t last_sev;
    double last_threshold;
    uint64_t next_id;
} counts_t;

static void
s_on_alert (const rs_alert_t *a, void *arg)
{
    counts_t *c = arg;
    c->raised += a->state == RS_ALERT_RAISED;
    c->updated += a->state == RS_ALERT_UPDATED;
    c->cleared += a->state == RS_ALERT_CLEARED;
    snprintf (c->last_msg, sizeof c->last_msg, "%s", a->message);
    snprintf (c->last_rule, sizeof c->last_rule, "%s", a->rule ? a->rule : "");
    c->last_sev = a->severity;
    c->last_threshold = a->threshold;
    RS_CHECK_STR (a->type, "threshold");
}

static rs_rules_t *
s_parse (const char *text)
{
    return rs_rules_parse (text, strlen (text));
}

static void
test_lifecycle (void)
{
    rs_alarm_t a;
    rs_alarm_init (&a);
    rs_alarm_cfg_t cfg = { .on_s = 10, .off_s = 5, .update_s = 30, .stale_s = 60 };
    //  On for less than on_s: nothing; then raised once.
    RS_CHECK_INT (rs_alarm_step (&a, &cfg, 0, RS_COND_ON, RS_SEV_WARNING), RS_ALERT_NONE);
    RS_CHECK_INT (rs_alarm_step (&a, &cfg, 9 * S, RS_COND_ON, RS_SEV_WARNING), RS_ALERT_NONE);
    RS_CHECK_INT (rs_alarm_step (&a, &cfg, 10 * S, RS_COND_ON, RS_SEV_WARNING), RS_ALERT_RAISED);
    RS_CHECK (a.raised);
    //  Escalation at once; periodic update.
    RS_CHECK_INT (rs_alarm_step (&a, &cfg, 11 * S, RS_COND_ON, RS_SEV_CRITICAL), RS_ALERT_UPDATED);
    RS_CHECK_INT (rs_alarm_step (&a, &cfg, 12 * S, RS_COND_ON, RS_SEV_WARNING), RS_ALERT_NONE);
    RS_CHECK_INT (rs_alarm_step (&a, &cfg, 41 * S, RS_COND_ON, RS_SEV_WARNING), RS_ALERT_UPDATED);
    RS_CHECK_INT (a.severity, RS_SEV_WARNING);
    //  Off shorter than off_s does not clear (no flapping).
    RS_CHECK_INT (rs_alarm_step (&a, &cfg, 42 * S, RS_COND_OFF, RS_SEV_WARNING), RS_ALERT_NONE);
    RS_CHECK_INT (rs_alarm_step (&a, &cfg, 44 * S, RS_COND_ON, RS_SEV_WARNING), RS_ALERT_NONE);
    RS_CHECK_INT (rs_alarm_step (&a, &cfg, 45 * S, RS_COND_OFF, RS_SEV_WARNING), RS_ALERT_NONE);
    RS_CHECK_INT (rs_alarm_step (&a, &cfg, 50 * S, RS_COND_OFF, RS_SEV_WARNING), RS_ALERT_CLEARED);
    RS_CHECK (!a.raised);
    //  Unknown holds, and clears as stale after stale_s.
    rs_alarm_cfg_t now = { 0, 5, 0, 60 };
    RS_CHECK_INT (rs_alarm_step (&a, &now, 100 * S, RS_COND_ON, RS_SEV_INFO), RS_ALERT_RAISED);
    RS_CHECK_INT (rs_alarm_step (&a, &now, 101 * S, RS_COND_UNKNOWN, RS_SEV_INFO), RS_ALERT_NONE);
    RS_CHECK_INT (rs_alarm_step (&a, &now, 150 * S, RS_COND_UNKNOWN, RS_SEV_INFO), RS_ALERT_NONE);
    RS_CHECK_INT (rs_alarm_step (&a, &now, 161 * S, RS_COND_UNKNOWN, RS_SEV_INFO), RS_ALERT_CLEARED);
    RS_CHECK (a.stale);
    RS_CHECK_INT (rs_alarm_clear (&a, 170 * S), RS_ALERT_NONE);
    //  Emit numbers raised alerts.
    uint64_t next = 41;
    counts_t c = { 0 };
    rs_alert_sink_t sink = { .fn = s_on_alert, .arg = &c, .next_id = &next, .well = "W", .rig_state = "x" };
    rs_alert_t alert = { .type = "threshold", .message = "m" };
    RS_CHECK_INT (rs_alarm_step (&a, &now, 200 * S, RS_COND_ON, RS_SEV_INFO), RS_ALERT_RAISED);
    rs_alert_emit (&sink, &a, RS_ALERT_RAISED, 200 * S, &alert);
    RS_CHECK_INT (alert.alert_id, 42);
    RS_CHECK_STR (alert.well, "W");
    RS_CHECK_INT (rs_severity_lookup ("critical"), RS_SEV_CRITICAL);
    RS_CHECK_INT (rs_severity_lookup ("loud"), -1);
    RS_CHECK_STR (rs_alert_state_name (RS_ALERT_CLEARED), "cleared");
}

static const char *s_good =
    "{\"version\": 1,\n"
    " \"rig_state\": {\"flow_lpm\": 80, \"block_weight_kn\": 343, \"min_dwell_s\": 5},\n"
    " \"detectors\": {\"bit_balling\": false, \"anomaly\": false},\n"
    " \"rules\": [\n"
    "  {\"name\": \"spp_high\", \"channel\": \"spp\", \"max\": 300, \"hysteresis\": 5,\n"
    "   \"min_duration_s\": 10, \"clear_duration_s\": 5, \"severity\": \"critical\",\n"
    "   \"message\": \"Standpipe pressure high\"},\n"
    "  {\"channel\": \"flow_out\", \"min\": 500, \"states\": [\"drilling_rotary\", \"circulating\"]},\n"
    "  {\"channel\": \"vendor_mwd_gr\", \"min\": 10, \"max\": 150, \"enabled\": false},\n"
    "  {\"channel\": \"mse_psi\", \"max\": 100000}\n"
    " ]}\n";

static void
test_parse (void)
{
    rs_rules_t *r = s_parse (s_good);
    RS_CHECK (r != NULL);
    if (!r) {
        fprintf (stderr, "parse: %s\n", rs_errmsg ());
        return;
    }
    RS_CHECK_INT (r->n, 4);
    RS_CHECK_STR (r->rules[0].name, "spp_high");
    RS_CHECK_NEAR (r->rules[0].max, 300, 0);
    RS_CHECK (isnan (r->rules[0].min));
    RS_CHECK_INT (r->rules[0].severity, RS_SEV_CRITICAL);
    RS_CHECK_STR (r->rules[1].name, "flow_out_low");
    RS_CHECK_INT (r->rules[1].severity, RS_SEV_WARNING);
    RS_CHECK_INT (r->rules[1].states, (1u << RS_RIG_DRILLING_ROTARY) | (1u << RS_RIG_CIRCULATING));
    RS_CHECK_NEAR (r->rules[1].clear_duration_s, 0, 0);
    RS_CHECK_STR (r->rules[2].name, "vendor_mwd_gr_range");
    RS_CHECK (!r->rules[2].enabled);
    RS_CHECK_NEAR (r->rig.flow_lpm, 80, 0);
    RS_CHECK_NEAR (r->rig.block_weight_kn, 343, 0);
    RS_CHECK_NEAR (r->rig.on_bottom_m, 0.45, 1e-12);       // default kept
    RS_CHECK (r->disabled & (1u << RS_DET_BIT_BALLING));
    RS_CHECK (r->disabled & (1u << RS_DET_ANOMALY));
    RS_CHECK (!(r->disabled & (1u << RS_DET_KICK)));

    //  Round trip through JSON and a file.
    char path[] = "/tmp/test_engine_rules_XXXXXX";
    int fd = mkstemp (path);
    RS_CHECK (fd >= 0);
    close (fd);
    RS_CHECK_INT (rs_rules_save (r, path), RS_OK);
    rs_rules_t *back = rs_rules_load (path);
    RS_CHECK (back && back->n == 4);
    if (back) {
        RS_CHECK_STR (back->rules[1].name, "flow_out_low");
        RS_CHECK_INT (back->rules[1].states, r->rules[1].states);
        RS_CHECK_STR (back->rules[0].message, "Standpipe pressure high");
        RS_CHECK_NEAR (back->rig.min_dwell_s, 5, 0);
        RS_CHECK_INT (back->disabled, r->disabled);
    }
    rs_rules_destroy (&back);
    unlink (path);
    rs_rules_t *copy = rs_rules_dup (r);
    RS_CHECK (copy && copy->n == 4 && copy->rules != r->rules);
    rs_rules_destroy (&copy);
    rs_rules_destroy (&r);
    RS_CHECK (r == NULL);

    //  The example shipped beside the engine is valid.
    rs_rules_t *ex = rs_rules_load (RS_SOURCE_DIR "/subscribers/prediction_engine/engine.example.json");
    RS_CHECK (ex != NULL);
    if (!ex)
        fprintf (stderr, "example: %s\n", rs_errmsg ());
    RS_CHECK (ex && ex->n == 5 && ex->disabled == 0);
    rs_rules_destroy (&ex);

    //  A configuration saved by an earlier version (the slips' thresholds as
    //  shares of the block weight) still loads; what it set that is no longer
    //  read is named, and the thresholds are the defaults.
    rs_rules_t *old = s_parse ("{\"version\": 1, \"rig_state\": {\"block_weight_tol\": 0.15, \"slips_tol\": 0.06, "
                               "\"stand_m\": 28}, \"rules\": []}");
    RS_CHECK (old != NULL);
    if (old) {
        RS_CHECK_STR (old->retired, "block_weight_tol, slips_tol");
        RS_CHECK_NEAR (old->rig.slips_in_kn, 40, 0);
        RS_CHECK_NEAR (old->rig.slips_out_kn, 100, 0);
        RS_CHECK_NEAR (old->rig.stand_m, 28, 0);
    }
    rs_rules_destroy (&old);

    //  A missing file names itself.
    RS_CHECK (rs_rules_load ("/nonexistent/engine.json") == NULL);
    RS_CHECK (strstr (rs_errmsg (), "/nonexistent/engine.json") != NULL);
}

static void
test_bad (void)
{
    static const struct { const char *text, *want; } cases[] = {
        { "{\"rules\": [", "line 1" },
        { "[]", "JSON object" },
        { "{\"version\": 2, \"rules\": []}", "version" },
        { "{\"rulez\": []}", "unknown key \"rulez\"" },
        { "{\"rules\": {}}", "rules: expected an array" },
        { "{\"rules\": [{\"channel\": \"spp\"}]}", "rules[0]: needs \"min\", \"max\" or both" },
        { "{\"rules\": [{\"max\": 3}]}", "rules[0]: \"channel\" is required" },
        { "{\"rules\": [{\"channel\": \"spp\", \"maxx\": 3}]}", "rules[0]: unknown key \"maxx\"" },
        { "{\"rules\": [{\"channel\": \"spp\", \"max\": \"3\"}]}", "rules[0].max: expected a number" },
        { "{\"rules\": [{\"channel\": \"spp\", \"max\": 3, \"severity\": \"loud\"}]}",
          "rules[0].severity: expected info, warning or critical" },
        { "{\"rules\": [{\"channel\": \"spp\", \"min\": 10, \"max\": 5}]}", "leave no room" },
        { "{\"rules\": [{\"channel\": \"spp\", \"min\": 10, \"max\": 12, \"hysteresis\": 2}]}", "leave no room" },
        { "{\"rules\": [{\"channel\": \"spp\", \"max\": 3}, {\"channel\": \"spp\", \"max\": 4}]}",
          "rules[1]: name \"spp_high\" already used by rules[0]" },
        { "{\"rules\": [{\"channel\": \"bad name!\", \"max\": 3}]}", "rules[0].channel" },
        { "{\"rules\": [{\"channel\": \"spp\", \"max\": 3, \"hysteresis\": -1}]}", "rules[0].hysteresis" },
        { "{\"rules\": [{\"channel\": \"spp\", \"max\": 3, \"states\": [\"flying\"]}]}", "rules[0].states[0]" },
        { "{\"rules\": [{\"channel\": \"spp\", \"max\": 3, \"enabled\": 1}]}", "rules[0].enabled" },
        { "{\"rig_state\": {\"flow\": 3}}", "rig_state: unknown key \"flow\"" },
        { "{\"rig_state\": {\"on_bottom_m\": 0}}", "rig_state.on_bottom_m" },
        { "{\"rig_state\": {\"slips_in_kn\": 80, \"slips_out_kn\": 60}}",
          "slips_out_kn (60) must be at least slips_in_kn (80)" },
        { "{\"detectors\": {\"kicks\": false}}", "unknown detector \"kicks\"" },
        { "{\"detectors\": {\"kick\": 0}}", "detectors.kick: expected true or false" },
        { "{\"rules\": [], \"rules\": []}", "duplicate" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rs_err_set (RS_OK, "%s", "");
        rs_rules_t *r = s_parse (cases[i].text);
        RS_CHECK (r == NULL);
        if (!strstr (rs_errmsg (), cases[i].want)) {
            fprintf (stderr, "case %zu: error \"%s\" lacks \"%s\"\n", i, rs_errmsg (), cases[i].want);
            RS_CHECK (false);
        }
        rs_rules_destroy (&r);
    }
}

typedef struct {
    double spp, flow_out, gr;
} vals_t;

static double
s_get (const char *name, void *arg)
{
    const vals_t *v = arg;
    if (strcmp (name, "spp") == 0)
        return v->spp;
    if (strcmp (name, "flow_out") == 0)
        return v->flow_out;
    if (strcmp (name, "vendor_mwd_gr") == 0)
        return v->gr;
    return NAN;
}

static void
test_eval (void)
{
    rs_rules_t *r = s_parse (s_good);
    counts_t c = { 0 };
    rs_alert_sink_t sink = { .fn = s_on_alert, .arg = &c, .next_id = &c.next_id, .well = "A-01" };
    rs_rulestate_t st = { 0 };
    RS_CHECK_INT (rs_rulestate_sync (&st, r, 0, &sink), 0);
    vals_t v = { .spp = 250, .flow_out = 2000, .gr = 500 };
    int64_t t = 0;
    //  spp above 300 for 9 s: nothing; 10 s: raised (critical, threshold 300).
    for (int i = 0; i < 30; i++, t += S)
        rs_rules_eval (r, &st, t, RS_RIG_DRILLING_ROTARY, s_get, &v, &sink);
    v.spp = 310;
    for (int i = 0; i < 10; i++, t += S)
        rs_rules_eval (r, &st, t, RS_RIG_DRILLING_ROTARY, s_get, &v, &sink);
    RS_CHECK_INT (c.raised, 0);
    rs_rules_eval (r, &st, t, RS_RIG_DRILLING_ROTARY, s_get, &v, &sink);
    t += S;
    RS_CHECK_INT (c.raised, 1);
    RS_CHECK_STR (c.last_rule, "spp_high");
    RS_CHECK_INT (c.last_sev, RS_SEV_CRITICAL);
    RS_CHECK_NEAR (c.last_threshold, 300, 0);
    RS_CHECK (strstr (c.last_msg, "Standpipe pressure high") != NULL);
    //  Inside the hysteresis band (297): still raised.
    v.spp = 297;
    for (int i = 0; i < 20; i++, t += S)
        rs_rules_eval (r, &st, t, RS_RIG_DRILLING_ROTARY, s_get, &v, &sink);
    RS_CHECK_INT (c.cleared, 0);
    //  Below 295 for 5 s: cleared.
    v.spp = 290;
    for (int i = 0; i < 6; i++, t += S)
        rs_rules_eval (r, &st, t, RS_RIG_DRILLING_ROTARY, s_get, &v, &sink);
    RS_CHECK_INT (c.cleared, 1);
    //  The disabled rule on a vendor channel never fires.
    RS_CHECK (strcmp (c.last_rule, "vendor_mwd_gr_range") != 0);
    //  flow_out low applies only in the listed states.
    v.flow_out = 100;
    rs_rules_eval (r, &st, t, RS_RIG_TRIPPING_OUT, s_get, &v, &sink);
    t += S;
    RS_CHECK_INT (c.raised, 1);
    rs_rules_eval (r, &st, t, RS_RIG_CIRCULATING, s_get, &v, &sink);
    t += S;
    RS_CHECK_INT (c.raised, 2);
    RS_CHECK_STR (c.last_rule, "flow_out_low");
    //  Reload with flow_out_low kept and spp_high gone: the raised
    //  flow_out_low survives, nothing else is cleared.
    const char *next = "{\"rules\": [{\"channel\": \"flow_out\", \"min\": 400},"
                       "{\"channel\": \"gas\", \"max\": 5}]}";
    rs_rules_t *r2 = s_parse (next);
    RS_CHECK (r2 != NULL);
    RS_CHECK_INT (rs_rulestate_sync (&st, r2, t, &sink), 0);
    RS_CHECK_INT (c.cleared, 1);
    RS_CHECK_INT (rs_rulestate_raised (&st), 1);
    rs_rules_eval (r2, &st, t, RS_RIG_CIRCULATING, s_get, &v, &sink);
    t += S;
    RS_CHECK_INT (c.raised, 2);
    //  Removing it clears it.
    rs_rules_t *r3 = s_parse ("{\"rules\": []}");
    RS_CHECK_INT (rs_rulestate_sync (&st, r3, t, &sink), 0);
    RS_CHECK_INT (c.cleared, 2);
    RS_CHECK (strstr (c.last_msg, "rule removed") != NULL);
    RS_CHECK_INT (rs_rulestate_raised (&st), 0);
    //  set_rules replaces the rules only, and refuses bad ones whole.
    json_error_t jerr;
    json_t *bad = json_loads ("[{\"channel\": \"spp\", \"max\": 3}, {\"channel\": \"x\"}]", 0, &jerr);
    RS_CHECK_INT (rs_rules_set_rules (r2, bad), RS_E_FORMAT);
    RS_CHECK_INT (r2->n, 2);
    json_decref (bad);
    json_t *arr = rs_rules_rules_json (r2);
    RS_CHECK_INT (json_array_size (arr), 2);
    json_decref (arr);
    rs_rulestate_fini (&st);
    rs_rules_destroy (&r);
    rs_rules_destroy (&r2);
    rs_rules_destroy (&r3);
}

int
main (void)
{
    test_lifecycle ();
    test_parse ();
    test_bad ();
    test_eval ();
    return RS_TEST_DONE ();
}
