/*  test_engine_core: the engine over several wells fed by the simulator
    (alert numbering, KPIs, out-of-order samples, stream restarts, the well
    limit, rules on channels and KPIs) and the control commands. */
#include "rs_engine.h"
#include "rs_engine_ctl.h"
#include "rs_sim.h"
#include "rs_test.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S  1000000LL
#define T0 1767225600000000LL

typedef struct {
    uint64_t last_id;
    int raised[2], cleared[2];
    int threshold;
    bool ids_ok;
} seen_t;

static void
s_on_alert (const rs_alert_t *a, void *arg)
{
    seen_t *s = arg;
    int w = a->well && strcmp (a->well, "B-02") == 0;
    if (a->state == RS_ALERT_RAISED) {
        s->ids_ok = s->ids_ok && a->alert_id == s->last_id + 1;
        s->last_id = a->alert_id;
        s->raised[w]++;
        if (strcmp (a->type, "threshold") == 0)
            s->threshold++;
    }
    if (a->state == RS_ALERT_CLEARED)
        s->cleared[w]++;
    RS_CHECK (a->rig_state != NULL);
    RS_CHECK (a->started_us <= a->ts_us);
}

static double
s_kpi (rs_engine_t *e, size_t well, const char *name)
{
    rs_value_t v[RS_ENGINE_KPI_MAX];
    size_t n = rs_engine_kpis (e, well, v, RS_ENGINE_KPI_MAX);
    for (size_t i = 0; i < n; i++)
        if (strcmp (v[i].name, name) == 0)
            return v[i].value;
    return NAN;
}

static json_t *
s_ctl (rs_engine_t *e, const char *path, const char *req)
{
    char *reply = rs_engine_ctl_handle (e, path, req, strlen (req));
    RS_CHECK (reply != NULL);
    json_error_t jerr;
    json_t *o = reply ? json_loads (reply, 0, &jerr) : NULL;
    RS_CHECK (o != NULL);
    free (reply);
    return o;
}

static bool
s_ok (json_t *o)
{
    return json_is_true (json_object_get (o, "ok"));
}

static void
test_wells (void)
{
    seen_t seen = { .ids_ok = true };
    rs_engine_opts_t eo = { .max_wells = 2 };
    rs_engine_t *e = rs_engine_new (&eo, s_on_alert, &seen);
    rs_sim_opts_t oa = { .well = "A-01", .seed = 5 }, ob = { .well = "B-02", .seed = 6 };
    rs_sim_t *a = rs_sim_new (&oa), *b = rs_sim_new (&ob);
    rs_sim_inject (b, RS_SIM_KICK, 1200, 400);
    rs_value_t v[RS_CH_COUNT + 4];
    for (int i = 0; i < 3600; i++) {
        size_t n = rs_sim_step (a, 1, v, RS_CH_COUNT + 4);
        RS_CHECK_INT (rs_engine_feed (e, "A-01", T0 + (int64_t) i * S, v, n), 0);
        n = rs_sim_step (b, 1, v, RS_CH_COUNT + 4);
        RS_CHECK_INT (rs_engine_feed (e, "B-02", T0 + (int64_t) i * S, v, n), 0);
    }
    RS_CHECK_INT (rs_engine_wells (e), 2);
    RS_CHECK_STR (rs_engine_well_id (e, 1), "B-02");
    //  The kick is B-02's alone; ids count up from 1.
    RS_CHECK (seen.raised[1] >= 1);
    RS_CHECK_INT (seen.raised[0], 0);
    RS_CHECK (seen.ids_ok);
    //  KPIs: a drilling well has an efficiency, a state code and a depth-based
    //  ROP forecast; the dirty flag follows new samples.
    RS_CHECK (rs_engine_well_dirty (e, 0));
    RS_CHECK (isfinite (s_kpi (e, 0, "rop_avg15m")));
    RS_CHECK (!rs_engine_well_dirty (e, 0));
    RS_CHECK (isfinite (s_kpi (e, 0, "rig_state_code")));
    RS_CHECK (isfinite (s_kpi (e, 0, "flow_out_expected")));
    //  Pumping: nothing given back since a stop, and no fingerprint to show.
    RS_CHECK (s_kpi (e, 0, "flowback_m3") == 0);
    RS_CHECK (isnan (s_kpi (e, 0, "flowback_fingerprint_m3")));
    RS_CHECK (isfinite (s_kpi (e, 0, "on_bottom_pct")));
    RS_CHECK (rs_engine_well_state (e, 0) != NULL);
    //  Out of order: ignored and counted.
    size_t n = rs_sim_step (a, 0, v, RS_CH_COUNT + 4);
    RS_CHECK_INT (rs_engine_feed (e, "A-01", T0 + 3000 * S, v, n), 1);
    RS_CHECK_INT (rs_engine_stats (e)->out_of_order, 1);
    //  A third well is refused.
    RS_CHECK_INT (rs_engine_feed (e, "C-03", T0, v, n), -1);
    RS_CHECK_INT (rs_engine_stats (e)->refused, 1);
    //  A rule on a channel and one on a KPI, then a stream restart.
    const char *cfg = "{\"rules\": [{\"channel\": \"spp\", \"min\": -1, \"max\": 0.5, \"severity\": \"info\"},"
                      "{\"channel\": \"mse_psi\", \"max\": 1, \"states\": [\"drilling_rotary\"]}]}";
    rs_rules_t *r = rs_rules_parse (cfg, strlen (cfg));
    RS_CHECK (r != NULL);
    rs_engine_set_config (e, r);
    int before = seen.threshold;
    for (int i = 3600; i < 3700; i++) {
        n = rs_sim_step (a, 1, v, RS_CH_COUNT + 4);
        rs_engine_feed (e, "A-01", T0 + (int64_t) i * S, v, n);
    }
    RS_CHECK (seen.threshold > before);
    RS_CHECK (rs_engine_alerts_active (e) >= 1);
    json_t *act = rs_engine_alerts_json (e);
    size_t n_active = 0;
    for (size_t k = 0; k < json_array_size (act); k++)
        n_active += json_is_true (json_object_get (json_array_get (act, k), "active"));
    RS_CHECK (n_active == rs_engine_alerts_active (e));
    json_decref (act);
    //  Time jumps back two hours: the stream restarted; its alerts clear.
    int cleared = seen.cleared[0];
    n = rs_sim_step (a, 1, v, RS_CH_COUNT + 4);
    RS_CHECK_INT (rs_engine_feed (e, "A-01", T0 - 7200 * S, v, n), 0);
    RS_CHECK_INT (rs_engine_stats (e)->restarts, 1);
    RS_CHECK (seen.cleared[0] > cleared);
    rs_sim_destroy (&a);
    rs_sim_destroy (&b);
    rs_engine_destroy (&e);
    RS_CHECK (e == NULL);
}

static char s_audit_last[1200];
static int s_audits;

static void
s_on_audit (const rs_engine_audit_t *rec, void *arg)
{
    (void) arg;
    s_audits++;
    snprintf (s_audit_last, sizeof s_audit_last, "%s|%s|%s|%s", rec->action, rec->by ? rec->by : "-",
              rec->addr ? rec->addr : "-", rec->detail ? rec->detail : "-");
}

static void
test_control (void)
{
    rs_engine_t *e = rs_engine_new (NULL, NULL, NULL);
    rs_engine_set_audit_fn (e, s_on_audit, NULL);
    json_t *o = s_ctl (e, NULL, "{\"cmd\": \"ping\"}");
    RS_CHECK (s_ok (o));
    json_decref (o);
    char *pong = rs_engine_ctl_handle (e, NULL, "PING", 4);
    RS_CHECK_STR (pong, "PONG");
    free (pong);
    o = s_ctl (e, NULL, "{\"cmd\": \"status\"}");
    RS_CHECK (s_ok (o) && json_is_array (json_object_get (o, "wells")));
    RS_CHECK (json_is_object (json_object_get (o, "counters")));
    json_decref (o);
    //  No file: set_thresholds applies without saving; save: true is refused.
    o = s_ctl (e, "", "{\"cmd\": \"set_thresholds\", \"rules\": [{\"channel\": \"spp\", \"max\": 300}]}");
    RS_CHECK (s_ok (o));
    RS_CHECK (json_is_false (json_object_get (o, "saved")));
    json_decref (o);
    RS_CHECK_INT (rs_engine_config (e)->n, 1);
    RS_CHECK_INT (s_audits, 1);
    RS_CHECK_STR (s_audit_last, "rules_set|-|-|added: \"spp_high\"");
    //  Every rule set is in the audit trail: who, from where, what changed.
    o = s_ctl (e, "", "{\"cmd\": \"set_thresholds\", \"by\": \"Ana\", \"addr\": \"10.1.2.3\", \"rules\": ["
                      "{\"channel\": \"spp\", \"max\": 310}, {\"name\": \"gas x\", \"channel\": \"gas\", \"max\": 5}]}");
    RS_CHECK (s_ok (o));
    json_decref (o);
    RS_CHECK_STR (s_audit_last, "rules_set|Ana|10.1.2.3|added: \"gas x\"; changed: \"spp_high\"");
    o = s_ctl (e, "", "{\"cmd\": \"set_thresholds\", \"by\": \"Bo\", \"rules\": [{\"channel\": \"spp\", \"max\": 310}]}");
    json_decref (o);
    RS_CHECK_STR (s_audit_last, "rules_set|Bo|-|removed: \"gas x\"");
    o = s_ctl (e, "", "{\"cmd\": \"set_thresholds\", \"by\": \"Bo\", \"rules\": [{\"channel\": \"spp\", \"max\": 300}]}");
    json_decref (o);
    RS_CHECK_STR (s_audit_last, "rules_set|Bo|-|changed: \"spp_high\"");
    o = s_ctl (e, "", "{\"cmd\": \"set_thresholds\", \"by\": \"Bo\", \"rules\": [{\"channel\": \"spp\", \"max\": 300}]}");
    json_decref (o);
    RS_CHECK_STR (s_audit_last, "rules_set|Bo|-|no change");
    RS_CHECK_INT (s_audits, 5);
    //  A long list is cut to fit, marked with "...".
    rs_rules_t *none = rs_rules_new (), *many = rs_rules_new ();
    json_t *list = json_array ();
    for (int i = 0; i < 100; i++) {
        char name[64];
        snprintf (name, sizeof name, "rule %d with a long name", i);
        json_array_append_new (list, json_pack ("{s:s, s:s, s:f}", "name", name, "channel", "spp", "max", 100.0 + i));
    }
    RS_CHECK_INT (rs_rules_set_rules (many, list), RS_OK);
    char detail[200];
    rs_engine_ctl_rules_diff (none, many, detail, sizeof detail);
    RS_CHECK_INT (strlen (detail), sizeof detail - 1);
    RS_CHECK (strncmp (detail, "added: \"rule 0 with a long name\", ", 34) == 0);
    RS_CHECK_STR (detail + sizeof detail - 4, "...");
    json_decref (list);
    rs_rules_destroy (&none);
    rs_rules_destroy (&many);
    o = s_ctl (e, "", "{\"cmd\": \"set_thresholds\", \"save\": true, \"rules\": []}");
    RS_CHECK (!s_ok (o));
    json_decref (o);
    RS_CHECK_INT (rs_engine_config (e)->n, 1);
    o = s_ctl (e, "", "{\"cmd\": \"reload\"}");
    RS_CHECK (!s_ok (o));
    json_decref (o);
    //  Bad rules are refused whole, with the reason.
    o = s_ctl (e, "", "{\"cmd\": \"set_thresholds\", \"rules\": [{\"channel\": \"spp\", \"max\": 1, \"severity\": \"x\"}]}");
    RS_CHECK (!s_ok (o));
    RS_CHECK (strstr (json_string_value (json_object_get (o, "error")), "rules[0].severity") != NULL);
    json_decref (o);
    o = s_ctl (e, "", "{\"cmd\": \"get_thresholds\"}");
    RS_CHECK (s_ok (o));
    json_t *rules = json_object_get (o, "rules");
    RS_CHECK (json_array_size (rules) == 1);
    RS_CHECK_STR (json_string_value (json_object_get (json_array_get (rules, 0), "name")), "spp_high");
    json_decref (o);
    //  With a file: set_thresholds saves it; reload reads it back.
    char path[] = "/tmp/test_engine_core_XXXXXX";
    int fd = mkstemp (path);
    RS_CHECK (fd >= 0);
    const char *doc = "{\"version\": 1, \"rules\": []}";
    RS_CHECK (write (fd, doc, strlen (doc)) == (ssize_t) strlen (doc));
    close (fd);
    RS_CHECK_INT (rs_engine_ctl_reload (e, path), RS_OK);
    RS_CHECK_INT (rs_engine_config (e)->n, 0);
    o = s_ctl (e, path, "{\"cmd\": \"set_thresholds\", \"rules\": [{\"channel\": \"gas\", \"max\": 5},"
                        "{\"channel\": \"spp\", \"max\": 280}]}");
    RS_CHECK (s_ok (o) && json_is_true (json_object_get (o, "saved")));
    json_decref (o);
    rs_engine_t *e2 = rs_engine_new (NULL, NULL, NULL);
    o = s_ctl (e2, path, "{\"cmd\": \"reload\"}");
    RS_CHECK (s_ok (o));
    RS_CHECK_INT (json_integer_value (json_object_get (o, "rules")), 2);
    json_decref (o);
    //  A broken file: reload refused, the rules in use stay.
    FILE *f = fopen (path, "w");
    fputs ("{\"rules\": [{\"channel\": ", f);
    fclose (f);
    o = s_ctl (e2, path, "{\"cmd\": \"reload\"}");
    RS_CHECK (!s_ok (o));
    json_decref (o);
    RS_CHECK_INT (rs_engine_config (e2)->n, 2);
    unlink (path);
    //  Malformed requests.
    o = s_ctl (e, NULL, "{not json");
    RS_CHECK (!s_ok (o));
    json_decref (o);
    o = s_ctl (e, NULL, "{\"cmd\": \"launch\"}");
    RS_CHECK (!s_ok (o) && strstr (json_string_value (json_object_get (o, "error")), "unknown cmd"));
    json_decref (o);
    o = s_ctl (e, NULL, "[1, 2]");
    RS_CHECK (!s_ok (o));
    json_decref (o);
    rs_engine_destroy (&e2);
    rs_engine_destroy (&e);
}

int
main (void)
{
    test_wells ();
    test_control ();
    return RS_TEST_DONE ();
}
