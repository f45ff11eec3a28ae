/*  test_engine_alarms: the alarm book without the engine: the ISA-18.2
    states, acknowledgement, shelving with its clock, out of service, the
    validation of names, comments and reasons, the state across a restart
    (ids never reused, carried alarms taken back or cleared), first-out and
    floods. */
#include "rs_alarms.h"
#include "rs_test.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define S  1000000LL
#define T0 1767225600000000LL

typedef struct {
    int n;
    char alarm_state[32], action[32], by[80], detail[600];
    rs_alert_state_t state;
    uint64_t id;
    int64_t shelved_until_us;
    bool oos, first_out, flood;
} last_t;

static void
s_seen (const rs_alert_t *a, void *arg)
{
    last_t *l = arg;
    l->n++;
    l->state = a->state;
    l->id = a->alert_id;
    snprintf (l->alarm_state, sizeof l->alarm_state, "%s", a->alarm_state);
    snprintf (l->action, sizeof l->action, "%s", a->action ? a->action : "");
    snprintf (l->by, sizeof l->by, "%s", a->by ? a->by : "");
    snprintf (l->detail, sizeof l->detail, "%s", a->detail ? a->detail : "");
    l->shelved_until_us = a->shelved_until_us;
    l->oos = a->out_of_service;
    l->first_out = a->first_out;
    l->flood = a->flood;
}

static void
s_to_book (const rs_alert_t *a, void *arg)
{
    rs_alarms_transition (arg, a);
}

//  One detector alarm of `type` on `well` stepped through the book.
typedef struct {
    rs_alarm_t alarm;
    rs_alert_sink_t sink;
    const char *type;
} det_t;

static void
s_det (det_t *d, rs_alarms_t *book, const char *well, const char *type)
{
    rs_alarm_init (&d->alarm);
    d->sink = (rs_alert_sink_t) { .fn = s_to_book, .arg = book, .next_id = rs_alarms_next_id (book),
                                  .claim = rs_alarms_claim, .well = well, .rig_state = "drilling_rotary" };
    d->type = type;
}

static rs_alert_state_t
s_step (det_t *d, int64_t ts, rs_cond_t cond)
{
    static const rs_alarm_cfg_t cfg = { .on_s = 0, .off_s = 0 };
    rs_alert_state_t tr = rs_alarm_step (&d->alarm, &cfg, ts, cond, RS_SEV_CRITICAL);
    rs_alert_t a = { .type = d->type, .message = "test", .value = 1, .threshold = NAN };
    rs_alert_emit (&d->sink, &d->alarm, tr, ts, &a);
    return tr;
}

static void
test_lifecycle (void)
{
    last_t l = { 0 };
    rs_alarms_t *book = rs_alarms_new (s_seen, &l);
    det_t d;
    s_det (&d, book, "A-01", "kick");
    RS_CHECK_INT (s_step (&d, T0, RS_COND_ON), RS_ALERT_RAISED);
    RS_CHECK_STR (l.alarm_state, "unack_active");
    RS_CHECK_STR (l.action, "raise");
    RS_CHECK (l.first_out);
    uint64_t id = l.id;
    RS_CHECK_INT (id, 1);
    RS_CHECK_INT (rs_alarms_take_dirty (book), 1);
    //  Acknowledged with a name and a comment; a second ack is a conflict.
    RS_CHECK_INT (rs_alarms_ack (book, id, "Ana Lima", "flow check started", "10.0.0.7", T0 + S),
                  RS_ALARMS_OK);
    RS_CHECK_STR (l.alarm_state, "ack_active");
    RS_CHECK_STR (l.by, "Ana Lima");
    RS_CHECK_STR (l.detail, "flow check started");
    RS_CHECK_INT (rs_alarms_ack (book, id, "Bo", "", NULL, T0 + 2 * S), RS_ALARMS_CONFLICT);
    RS_CHECK (strstr (rs_errmsg (), "Ana Lima") != NULL);
    //  Cleared while acknowledged: back to normal, out of the book.
    RS_CHECK_INT (s_step (&d, T0 + 3 * S, RS_COND_OFF), RS_ALERT_CLEARED);
    RS_CHECK_STR (l.alarm_state, "normal");
    RS_CHECK_INT (rs_alarms_active (book), 0);
    RS_CHECK_INT (rs_alarms_ack (book, id, "Bo", "", NULL, T0 + 4 * S), RS_ALARMS_UNKNOWN);
    //  Raised and cleared unacknowledged: returned to normal, unacknowledged,
    //  still listed until someone acknowledges it.
    s_step (&d, T0 + 5 * S, RS_COND_ON);
    uint64_t id2 = l.id;
    RS_CHECK_INT (id2, 2);
    s_step (&d, T0 + 6 * S, RS_COND_OFF);
    RS_CHECK_STR (l.alarm_state, "rtn_unack");
    json_t *list = rs_alarms_json (book);
    RS_CHECK_INT (json_array_size (list), 1);
    RS_CHECK_STR (json_string_value (json_object_get (json_array_get (list, 0), "alarm_state")), "rtn_unack");
    json_decref (list);
    RS_CHECK_INT (rs_alarms_ack (book, id2, "Bo", "", NULL, T0 + 7 * S), RS_ALARMS_OK);
    RS_CHECK_STR (l.alarm_state, "normal");
    RS_CHECK_INT (l.state, RS_ALERT_CLEARED);
    list = rs_alarms_json (book);
    RS_CHECK_INT (json_array_size (list), 0);
    json_decref (list);
    rs_alarms_destroy (&book);
    RS_CHECK (book == NULL);
}

static void
test_validation (void)
{
    last_t l = { 0 };
    rs_alarms_t *book = rs_alarms_new (s_seen, &l);
    det_t d;
    s_det (&d, book, "A-01", "losses");
    s_step (&d, T0, RS_COND_ON);
    char longer[700];
    memset (longer, 'x', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    RS_CHECK_INT (rs_alarms_ack (book, 1, "", "", NULL, T0), RS_ALARMS_INVALID);
    RS_CHECK (strncmp (rs_errmsg (), "by: ", 4) == 0);
    RS_CHECK_INT (rs_alarms_ack (book, 1, "   ", "", NULL, T0), RS_ALARMS_INVALID);
    longer[65] = '\0';
    RS_CHECK_INT (rs_alarms_ack (book, 1, longer, "", NULL, T0), RS_ALARMS_INVALID);
    RS_CHECK (strstr (rs_errmsg (), "by: 65 characters, at most 64") != NULL);
    longer[65] = 'x';
    longer[501] = '\0';
    RS_CHECK_INT (rs_alarms_ack (book, 1, "Ana", longer, NULL, T0), RS_ALARMS_INVALID);
    RS_CHECK (strncmp (rs_errmsg (), "comment: ", 9) == 0);
    RS_CHECK_INT (rs_alarms_ack (book, 1, "Ana\x01", "", NULL, T0), RS_ALARMS_INVALID);
    RS_CHECK (strstr (rs_errmsg (), "control characters") != NULL);
    //  64 characters of UTF-8 (more bytes) are fine.
    char utf[300] = "";
    for (int i = 0; i < 64; i++)
        strcat (utf, "\xc3\xa9");
    RS_CHECK_INT (rs_alarms_check_text ("by", utf, 1, 64), RS_OK);
    RS_CHECK_INT (rs_alarms_shelve (book, 1, "Ana", "", 30, NULL, T0), RS_ALARMS_INVALID);
    RS_CHECK (strncmp (rs_errmsg (), "reason: ", 8) == 0);
    longer[501] = 'x';
    longer[201] = '\0';
    RS_CHECK_INT (rs_alarms_shelve (book, 1, "Ana", longer, 30, NULL, T0), RS_ALARMS_INVALID);
    RS_CHECK_INT (rs_alarms_shelve (book, 1, "Ana", "nuisance", 0, NULL, T0), RS_ALARMS_INVALID);
    RS_CHECK (strncmp (rs_errmsg (), "minutes: ", 9) == 0);
    RS_CHECK_INT (rs_alarms_shelve (book, 1, "Ana", "nuisance", 721, NULL, T0), RS_ALARMS_INVALID);
    RS_CHECK_INT (rs_alarms_shelve (book, 1, "Ana", "nuisance", 0.5, NULL, T0), RS_ALARMS_INVALID);
    RS_CHECK_INT (rs_alarms_out_of_service (book, 1, "Ana", NULL, NULL, T0), RS_ALARMS_INVALID);
    RS_CHECK_INT (rs_alarms_shelve (book, 99, "Ana", "nuisance", 5, NULL, T0), RS_ALARMS_UNKNOWN);
    RS_CHECK_INT (l.n, 1);
    rs_alarms_destroy (&book);
}

static void
test_shelve_and_service (void)
{
    last_t l = { 0 };
    rs_alarms_t *book = rs_alarms_new (s_seen, &l);
    det_t d;
    s_det (&d, book, "A-01", "washout");
    s_step (&d, T0, RS_COND_ON);
    RS_CHECK_INT (rs_alarms_unshelve (book, 1, "Ana", NULL, T0), RS_ALARMS_CONFLICT);
    RS_CHECK_INT (rs_alarms_shelve (book, 1, "Ana", "sensor being replaced", 10, "10.0.0.7", T0),
                  RS_ALARMS_OK);
    RS_CHECK_STR (l.action, "shelve");
    RS_CHECK_INT (l.shelved_until_us, T0 + 600 * S);
    RS_CHECK (strstr (l.detail, "sensor being replaced") != NULL);
    RS_CHECK_INT (rs_alarms_shelve (book, 1, "Ana", "again", 10, NULL, T0), RS_ALARMS_CONFLICT);
    //  Updates while shelved say so; the shelf ends on its own.
    int n = l.n;
    rs_alarms_expire (book, T0 + 599 * S);
    RS_CHECK_INT (l.n, n);
    rs_alarms_expire (book, T0 + 600 * S);
    RS_CHECK_INT (l.n, n + 1);
    RS_CHECK_STR (l.action, "shelve_expired");
    RS_CHECK_STR (l.by, "engine");
    RS_CHECK_INT (l.shelved_until_us, 0);
    //  Shelved, then unshelved by hand.
    RS_CHECK_INT (rs_alarms_shelve (book, 1, "Ana", "nuisance", 720, NULL, T0), RS_ALARMS_OK);
    RS_CHECK_INT (rs_alarms_unshelve (book, 1, "Bo", NULL, T0 + S), RS_ALARMS_OK);
    RS_CHECK_STR (l.action, "unshelve");
    //  Out of service: a shelve is refused, in service puts it back.
    RS_CHECK_INT (rs_alarms_out_of_service (book, 1, "Ana", "transducer removed", NULL, T0),
                  RS_ALARMS_OK);
    RS_CHECK (l.oos);
    RS_CHECK_INT (rs_alarms_shelve (book, 1, "Ana", "x", 5, NULL, T0), RS_ALARMS_CONFLICT);
    RS_CHECK_INT (rs_alarms_out_of_service (book, 1, "Ana", "x", NULL, T0), RS_ALARMS_CONFLICT);
    //  The point stays out of service when its alarm clears and leaves.
    RS_CHECK_INT (rs_alarms_ack (book, 1, "Ana", NULL, NULL, T0), RS_ALARMS_OK);
    s_step (&d, T0 + 10 * S, RS_COND_OFF);
    RS_CHECK_INT (rs_alarms_active (book), 0);
    s_step (&d, T0 + 20 * S, RS_COND_ON);
    RS_CHECK (l.oos);
    RS_CHECK_INT (rs_alarms_in_service (book, 1, "Bo", NULL, T0 + 30 * S), RS_ALARMS_OK);
    RS_CHECK_STR (l.action, "in_service");
    //  Alarm 1 left the book; the answer about it is still there.
    json_t *one = rs_alarms_alert_json (book, 1);
    RS_CHECK (one && json_is_false (json_object_get (one, "out_of_service")));
    json_decref (one);
    RS_CHECK (!l.oos);
    RS_CHECK_INT (rs_alarms_in_service (book, 1, "Bo", NULL, T0 + 30 * S), RS_ALARMS_UNKNOWN);
    rs_alarms_destroy (&book);
}

static void
test_restart (void)
{
    last_t l = { 0 };
    rs_alarms_t *book = rs_alarms_new (s_seen, &l);
    det_t kick, loss;
    s_det (&kick, book, "A-01", "kick");
    s_det (&loss, book, "A-01", "losses");
    s_step (&kick, T0, RS_COND_ON);
    s_step (&loss, T0, RS_COND_ON);
    RS_CHECK_INT (rs_alarms_ack (book, 1, "Ana", "seen", NULL, T0), RS_ALARMS_OK);
    RS_CHECK_INT (rs_alarms_shelve (book, 2, "Ana", "nuisance", 30, NULL, T0), RS_ALARMS_OK);
    json_t *state = rs_alarms_state_json (book);
    rs_alarms_destroy (&book);

    //  A new book (the restarted engine) from the saved state.
    book = rs_alarms_new (s_seen, &l);
    RS_CHECK_INT (rs_alarms_load (book, state), RS_OK);
    json_decref (state);
    RS_CHECK_INT (*rs_alarms_next_id (book), 2);
    RS_CHECK_INT (rs_alarms_active (book), 2);
    s_det (&kick, book, "A-01", "kick");
    s_det (&loss, book, "A-01", "losses");
    //  The kick still holds: it takes id 1 back as an update, acknowledged still.
    s_step (&kick, T0 + 100 * S, RS_COND_ON);
    RS_CHECK_INT (l.id, 1);
    RS_CHECK_INT (l.state, RS_ALERT_UPDATED);
    RS_CHECK_STR (l.alarm_state, "ack_active");
    //  The losses alarm no longer holds: cleared after the recheck time.
    rs_alarms_recheck (book, "A-01", T0 + 100 * S, 30);
    RS_CHECK_INT (rs_alarms_active (book), 2);
    rs_alarms_recheck (book, "A-01", T0 + 129 * S, 30);
    RS_CHECK_INT (rs_alarms_active (book), 2);
    rs_alarms_recheck (book, "A-01", T0 + 130 * S, 30);
    RS_CHECK_INT (l.id, 2);
    RS_CHECK_INT (l.state, RS_ALERT_CLEARED);
    RS_CHECK_STR (l.alarm_state, "rtn_unack");
    RS_CHECK (l.shelved_until_us > 0);
    RS_CHECK_INT (rs_alarms_active (book), 1);
    //  A new alarm gets a new id, never one used before the restart.
    det_t other;
    s_det (&other, book, "A-01", "stuck_pipe");
    s_step (&other, T0 + 140 * S, RS_COND_ON);
    RS_CHECK_INT (l.id, 3);
    //  A state document that does not parse is refused with the place.
    json_t *bad = json_loads ("{\"version\":1,\"next_id\":1,\"alarms\":[{\"alert_id\":5,\"well\":\"A\","
                              "\"type\":\"kick\",\"severity\":\"critical\"}]}", 0, NULL);
    RS_CHECK_INT (rs_alarms_load (book, bad), RS_E_FORMAT);
    RS_CHECK (strstr (rs_errmsg (), "alarms[0]") != NULL);
    RS_CHECK_INT (*rs_alarms_next_id (book), 3);
    json_decref (bad);
    rs_alarms_destroy (&book);
}

static void
test_flood (void)
{
    last_t l = { 0 };
    rs_alarms_t *book = rs_alarms_new (s_seen, &l);
    det_t d[12];
    char types[12][16];
    int first_outs = 0, floods = 0;
    for (int i = 0; i < 12; i++) {
        snprintf (types[i], sizeof types[i], "t%d", i);
        s_det (&d[i], book, "A-01", types[i]);
        s_step (&d[i], T0 + i * 20 * S, RS_COND_ON);
        first_outs += l.first_out;
        floods += l.flood;
    }
    //  Twelve alarms 20 s apart: one burst, first-out the first; the 11th
    //  and 12th within 10 minutes are a flood.
    RS_CHECK_INT (first_outs, 1);
    RS_CHECK_INT (floods, 2);
    //  After a quiet minute, a new burst starts.
    det_t late;
    s_det (&late, book, "A-01", "late");
    s_step (&late, T0 + 3600 * S, RS_COND_ON);
    RS_CHECK (l.first_out);
    RS_CHECK (!l.flood);
    rs_alarms_destroy (&book);
}

//  A shelf outlives its alarm: the point's next alarm is shelved too, and
//  the expiry is said on it.
static void
test_shelf_outlives (void)
{
    last_t l = { 0 };
    rs_alarms_t *book = rs_alarms_new (s_seen, &l);
    det_t d;
    s_det (&d, book, "A-01", "pack_off");
    s_step (&d, T0, RS_COND_ON);
    RS_CHECK_INT (rs_alarms_shelve (book, 1, "Ana", "known issue", 60, NULL, T0), RS_ALARMS_OK);
    RS_CHECK_INT (rs_alarms_ack (book, 1, "Ana", "", NULL, T0), RS_ALARMS_OK);
    s_step (&d, T0 + S, RS_COND_OFF);
    s_step (&d, T0 + 2 * S, RS_COND_ON);
    RS_CHECK_INT (l.id, 2);
    RS_CHECK_INT (l.shelved_until_us, T0 + 3600 * S);
    rs_alarms_expire (book, T0 + 3600 * S);
    RS_CHECK_INT (l.id, 2);
    RS_CHECK_STR (l.action, "shelve_expired");
    RS_CHECK_INT (l.shelved_until_us, 0);
    rs_alarms_destroy (&book);
}

static void
test_bounded (void)
{
    last_t l = { 0 };
    rs_alarms_t *book = rs_alarms_new (s_seen, &l);
    det_t d;
    s_det (&d, book, "A-01", "anomaly");
    for (int i = 0; i < RS_ALARMS_RETURNED_MAX + 5; i++) {
        s_step (&d, T0 + (2 * i) * S, RS_COND_ON);
        s_step (&d, T0 + (2 * i + 1) * S, RS_COND_OFF);
    }
    json_t *list = rs_alarms_json (book);
    RS_CHECK_INT (json_array_size (list), RS_ALARMS_RETURNED_MAX);
    //  The oldest went: the list starts (oldest last) at alarm 6.
    RS_CHECK_INT (json_integer_value (json_object_get (json_array_get (list, RS_ALARMS_RETURNED_MAX - 1), "alert_id")), 6);
    json_decref (list);
    RS_CHECK_STR (l.action, "dropped");
    RS_CHECK_INT (l.id, 5);
    rs_alarms_destroy (&book);
}

//  Operator messages split into a template and quantities in units.
static void
test_template (void)
{
    char tpl[256];
    rs_alert_qty_t q[RS_ALERT_QTY_MAX];
    size_t n = rs_alert_template ("Possible kick: flow out 108 L/min above expected (5.1% of flow in), pit +2.50 m3",
                                  tpl, sizeof tpl, q, RS_ALERT_QTY_MAX);
    RS_CHECK_INT (n, 2);
    RS_CHECK_STR (tpl, "Possible kick: flow out {0} above expected (5.1% of flow in), pit {1}");
    RS_CHECK_NEAR (q[0].value, 108, 0);
    RS_CHECK_STR (q[0].unit, "L/min");
    RS_CHECK_INT (q[0].decimals, 0);
    RS_CHECK (!q[0].plus);
    RS_CHECK_NEAR (q[1].value, 2.5, 0);
    RS_CHECK_STR (q[1].unit, "m3");
    RS_CHECK_INT (q[1].decimals, 2);
    RS_CHECK (q[1].plus);
    //  Longest unit wins (kN.m over kN, m/h over m); "min", "mud" are no units;
    //  a number inside a word (A-01, 5e+06) is not a quantity.
    n = rs_alert_template ("torque 14.2 kN.m, ROP 3.5 m/h. Well A-01 200 m. 10 min, 7 mud, 2 m", tpl, sizeof tpl, q,
                           RS_ALERT_QTY_MAX);
    RS_CHECK_INT (n, 4);
    RS_CHECK_STR (tpl, "torque {0}, ROP {1}. Well A-01 {2}. 10 min, 7 mud, {3}");
    RS_CHECK_STR (q[0].unit, "kN.m");
    RS_CHECK_STR (q[1].unit, "m/h");
    RS_CHECK_STR (q[2].unit, "m");
    //  Rule messages carry the channel's unit.
    n = rs_alert_template ("spp_high: spp 198.3 bar above limit 1 bar", tpl, sizeof tpl, q, RS_ALERT_QTY_MAX);
    RS_CHECK_INT (n, 2);
    RS_CHECK_STR (tpl, "spp_high: spp {0} above limit {1}");
    //  Nothing to convert, braces, a template too long: no template.
    RS_CHECK_INT (rs_alert_template ("score 4.2, rpm 120 rpm", tpl, sizeof tpl, q, RS_ALERT_QTY_MAX), 0);
    RS_CHECK_STR (tpl, "");
    RS_CHECK_INT (rs_alert_template ("{0} 5 bar", tpl, sizeof tpl, q, RS_ALERT_QTY_MAX), 0);
    RS_CHECK_INT (rs_alert_template ("spp 5 bar and more text", tpl, 8, q, RS_ALERT_QTY_MAX), 0);
    RS_CHECK_INT (rs_alert_template ("1 bar 2 bar 3 bar", tpl, sizeof tpl, q, 2), 2);
    RS_CHECK_STR (tpl, "{0} {1} 3 bar");
}

int
main (void)
{
    test_template ();
    test_lifecycle ();
    test_validation ();
    test_shelve_and_service ();
    test_restart ();
    test_flood ();
    test_bounded ();
    test_shelf_outlives ();
    return RS_TEST_DONE ();
}
