/*  rs_alerts: raise/update/clear lifecycle, acknowledgements kept across
    updates, history bound, engine restarts reusing ids, bad input; alarms
    an engine manages (alarm_state): listed until normal, acknowledgement
    from the engine, kept across engine restarts, seeded from its status. */
#include <jansson.h>
#include <stdlib.h>

#include "rs_alerts.h"
#include "rs_test.h"

static json_t *
s_alert (int id, const char *state, const char *pub, long long epoch)
{
    return json_pack ("{s:i, s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "alert_id", id, "well", "A-01", "state", state,
                      "severity", "warning", "type", "kick", "pub", pub, "epoch", (json_int_t) epoch, "ts",
                      (json_int_t) 1700000000000000LL + id);
}

static json_t *
s_feed (rs_alerts_t *a, json_t *msg)
{
    const char *why = NULL;
    json_t *out = rs_alerts_feed (a, msg, &why);
    json_decref (msg);
    return out;
}

static json_t *
s_alarm (int id, const char *state, const char *alarm_state, long long epoch, const char *acked_by)
{
    json_t *o = s_alert (id, state, "prediction_engine", epoch);
    json_object_set_new (o, "alarm_state", json_string (alarm_state));
    json_object_set_new (o, "acked_by", acked_by ? json_string (acked_by) : json_null ());
    return o;
}

static size_t
s_count (rs_alerts_t *a, const char *list, int id)
{
    json_t *all = rs_alerts_json (a, NULL);
    size_t n = 0;
    for (size_t i = 0; i < json_array_size (json_object_get (all, list)); i++)
        n += json_integer_value (json_object_get (json_array_get (json_object_get (all, list), i), "alert_id")) == id;
    json_decref (all);
    return n;
}

static void
test_managed (void)
{
    rs_alerts_t *a = rs_alerts_new (10);
    json_decref (s_feed (a, s_alarm (7, "raised", "unack_active", 1, NULL)));
    //  Cleared without acknowledgement: still listed, not holding.
    json_t *out = s_feed (a, s_alarm (7, "cleared", "rtn_unack", 1, NULL));
    RS_CHECK (json_is_false (json_object_get (out, "active")) && json_is_false (json_object_get (out, "acked")));
    json_decref (out);
    RS_CHECK_INT (s_count (a, "active", 7), 1);
    //  A newer engine incarnation does not retire it: the engine clears it itself.
    json_decref (s_feed (a, s_alarm (8, "raised", "unack_active", 2, NULL)));
    RS_CHECK_INT (s_count (a, "active", 7), 1);
    //  Acknowledged (by the engine, from its new incarnation): normal, to the history.
    json_t *msg = s_alarm (7, "cleared", "normal", 2, "Ana");
    json_object_set_new (msg, "action", json_string ("ack"));
    out = s_feed (a, msg);
    RS_CHECK (json_is_true (json_object_get (out, "acked")) && json_object_get (out, "action"));
    json_decref (out);
    RS_CHECK_INT (s_count (a, "active", 7), 0);
    RS_CHECK_INT (s_count (a, "history", 7), 1);
    //  A later message without a cause does not keep the previous one's.
    msg = s_alarm (8, "updated", "ack_active", 2, "Bo");
    json_object_set_new (msg, "action", json_string ("ack"));
    json_decref (s_feed (a, msg));
    out = s_feed (a, s_alarm (8, "updated", "ack_active", 2, "Bo"));
    RS_CHECK (json_object_get (out, "action") == NULL && json_is_true (json_object_get (out, "acked")));
    json_decref (out);
    bool known = false;
    RS_CHECK (rs_alerts_is_managed (a, 8, &known) && known);
    RS_CHECK (rs_alerts_is_managed (a, 7, &known) && known);
    RS_CHECK (!rs_alerts_is_managed (a, 99, &known) && !known);
    rs_alerts_destroy (&a);

    //  Seeded from the engine's status: managed alarms only.
    a = rs_alerts_new (10);
    json_t *status = json_array ();
    json_array_append_new (status, s_alarm (3, "updated", "ack_active", 5, "Ana"));
    json_array_append_new (status, s_alert (4, "raised", "other", 1));
    RS_CHECK_INT (rs_alerts_seed (a, status), 1);
    json_decref (status);
    RS_CHECK_INT (s_count (a, "active", 3), 1);
    RS_CHECK_INT (s_count (a, "active", 4), 0);
    //  A normal alarm's last message twice (database, then last-value cache): one history entry.
    json_t *past = json_array ();
    json_array_append_new (past, s_alarm (2, "cleared", "normal", 5, "Bo"));
    RS_CHECK_INT (rs_alerts_seed (a, past), 1);
    json_decref (past);
    json_decref (s_feed (a, s_alarm (2, "cleared", "normal", 5, "Bo")));
    RS_CHECK_INT (s_count (a, "history", 2), 1);
    rs_alerts_destroy (&a);
}

int
main (void)
{
    rs_alerts_t *a = rs_alerts_new (3);
    json_t *out = s_feed (a, s_alert (1, "raised", "engine", 1));
    RS_CHECK (json_is_true (json_object_get (out, "active")));
    RS_CHECK (json_is_false (json_object_get (out, "acked")));
    json_decref (out);
    RS_CHECK_INT (rs_alerts_active (a), 1);

    out = rs_alerts_ack (a, 1, "driller", 1700000000500000LL);
    RS_CHECK_STR (json_string_value (json_object_get (out, "acked_by")), "driller");
    json_decref (out);
    RS_CHECK (rs_alerts_ack (a, 99, NULL, 0) == NULL);

    //  The audit outbox: records wait in order until taken, bounded.
    json_t *box = rs_alerts_audit_take (a);
    RS_CHECK_INT (json_array_size (box), 0);
    json_decref (box);
    for (int i = 0; i < RS_ALERTS_AUDIT_MAX + 5; i++)
        rs_alerts_audit_push (a, json_pack ("{s:s, s:i}", "action", "ack", "alert_id", i));
    box = rs_alerts_audit_take (a);
    RS_CHECK_INT (json_array_size (box), RS_ALERTS_AUDIT_MAX);
    RS_CHECK_INT (json_integer_value (json_object_get (json_array_get (box, 0), "alert_id")), 5);
    json_decref (box);
    box = rs_alerts_audit_take (a);
    RS_CHECK_INT (json_array_size (box), 0);
    json_decref (box);

    //  An update keeps the acknowledgement; the severity changes.
    json_t *upd = s_alert (1, "updated", "engine", 1);
    json_object_set_new (upd, "severity", json_string ("critical"));
    out = s_feed (a, upd);
    RS_CHECK (json_is_true (json_object_get (out, "acked")));
    RS_CHECK_STR (json_string_value (json_object_get (out, "severity")), "critical");
    json_decref (out);

    //  Cleared: moves to the history.
    out = s_feed (a, s_alert (1, "cleared", "engine", 1));
    RS_CHECK (json_is_false (json_object_get (out, "active")));
    json_decref (out);
    RS_CHECK_INT (rs_alerts_active (a), 0);
    json_t *all = rs_alerts_json (a, NULL);
    RS_CHECK_INT (json_array_size (json_object_get (all, "active")), 0);
    RS_CHECK_INT (json_array_size (json_object_get (all, "history")), 1);
    json_decref (all);
    //  Acknowledging a cleared alert still works.
    out = rs_alerts_ack (a, 1, "", 0);
    RS_CHECK_STR (json_string_value (json_object_get (out, "acked_by")), "operator");
    json_decref (out);

    //  A restarted engine: the old incarnation's alerts end (it never clears
    //  them), also when the new one reuses an id; another publisher's stay.
    json_decref (s_feed (a, s_alert (2, "raised", "engine", 1)));
    json_decref (s_feed (a, s_alert (3, "raised", "engine", 1)));
    json_decref (s_feed (a, s_alert (4, "raised", "other", 1)));
    RS_CHECK_INT (rs_alerts_active (a), 3);
    json_decref (s_feed (a, s_alert (2, "raised", "engine", 2)));
    RS_CHECK_INT (rs_alerts_active (a), 2);
    all = rs_alerts_json (a, NULL);
    json_t *act = json_object_get (all, "active");
    RS_CHECK_INT (json_integer_value (json_object_get (json_array_get (act, 0), "epoch")), 2);
    RS_CHECK_STR (json_string_value (json_object_get (json_array_get (act, 1), "pub")), "other");
    RS_CHECK_STR (json_string_value (json_object_get (json_array_get (json_object_get (all, "history"), 0), "ended")),
                  "publisher restarted");
    json_decref (all);
    json_decref (s_feed (a, s_alert (4, "cleared", "other", 1)));

    //  History bound (3) and well filter.
    for (int i = 10; i < 15; i++) {
        json_decref (s_feed (a, s_alert (i, "raised", "engine", 2)));
        json_decref (s_feed (a, s_alert (i, "cleared", "engine", 2)));
    }
    all = rs_alerts_json (a, NULL);
    RS_CHECK_INT (json_array_size (json_object_get (all, "history")), 3);
    RS_CHECK_INT (json_integer_value (json_object_get (json_array_get (json_object_get (all, "history"), 0), "alert_id")), 14);
    json_decref (all);
    all = rs_alerts_json (a, "B-02");
    RS_CHECK_INT (json_array_size (json_object_get (all, "active")) + json_array_size (json_object_get (all, "history")), 0);
    json_decref (all);

    //  A clear of an alert never seen goes to the history only.
    out = s_feed (a, s_alert (50, "cleared", "engine", 2));
    RS_CHECK (out != NULL && json_is_false (json_object_get (out, "active")));
    json_decref (out);
    RS_CHECK_INT (rs_alerts_active (a), 1);

    //  Bad input: rejected with a reason.
    const char *why = NULL;
    json_t *bad = json_pack ("{s:s}", "well", "A-01");
    RS_CHECK (rs_alerts_feed (a, bad, &why) == NULL);
    RS_CHECK (why && strstr (why, "alert_id"));
    json_decref (bad);
    bad = json_pack ("{s:i}", "alert_id", 3);
    RS_CHECK (rs_alerts_feed (a, bad, &why) == NULL);
    RS_CHECK_STR (why, "no well");
    json_decref (bad);
    bad = json_pack ("{s:i, s:s}", "alert_id", -3, "well", "A-01");
    RS_CHECK (rs_alerts_feed (a, bad, &why) == NULL);
    json_decref (bad);

    rs_alerts_destroy (&a);
    RS_CHECK (a == NULL);
    test_managed ();
    return RS_TEST_DONE ();
}
