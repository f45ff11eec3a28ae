/*  rs_alerts: active alerts, cleared history and acknowledgements, in memory.
    Entries are jansson objects; the lists are short (bounded), so lookups
    are linear. */
#include "rs_alerts.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "rs_clock.h"

struct rs_alerts_t {
    pthread_mutex_t mutex;
    json_t *active;         //  oldest first
    json_t *history;        //  oldest first, at most history_max
    size_t history_max;
    json_t *outbox;         //  audit records not yet published
};

rs_alerts_t *
rs_alerts_new (size_t history_max)
{
    rs_alerts_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->active = json_array ();
    self->history = json_array ();
    self->outbox = json_array ();
    if (!self->active || !self->history || !self->outbox) {
        json_decref (self->active);
        json_decref (self->history);
        json_decref (self->outbox);
        free (self);
        return NULL;
    }
    self->history_max = history_max ? history_max : RS_ALERTS_HISTORY_MAX;
    pthread_mutex_init (&self->mutex, NULL);
    return self;
}

void
rs_alerts_destroy (rs_alerts_t **self_p)
{
    rs_alerts_t *self = *self_p;
    if (!self)
        return;
    json_decref (self->active);
    json_decref (self->history);
    json_decref (self->outbox);
    pthread_mutex_destroy (&self->mutex);
    free (self);
    *self_p = NULL;
}

static uint64_t
s_id (const json_t *o)
{
    json_t *id = json_object_get (o, "alert_id");
    if (!json_is_integer (id) || json_integer_value (id) <= 0)
        return 0;
    return (uint64_t) json_integer_value (id);
}

static bool
s_same_incarnation (const json_t *a, const json_t *b)
{
    const char *pa = json_string_value (json_object_get (a, "pub"));
    const char *pb = json_string_value (json_object_get (b, "pub"));
    json_t *ea = json_object_get (a, "epoch"), *eb = json_object_get (b, "epoch");
    if ((pa && pb && strcmp (pa, pb) != 0) || (!pa != !pb))
        return false;
    return json_equal (ea, eb) || (!ea && !eb);
}

//  Index in `list` of the alert with this id (and incarnation, when `like`
//  is given), or -1.
static long
s_find (json_t *list, uint64_t id, const json_t *like)
{
    for (size_t i = 0; i < json_array_size (list); i++) {
        json_t *e = json_array_get (list, i);
        if (s_id (e) == id && (!like || s_same_incarnation (e, like)))
            return (long) i;
    }
    return -1;
}

//  An alert from an engine that manages alarms (it sends alarm_state): its
//  ids are unique across the engine's restarts and it clears them itself.
static bool
s_managed (const json_t *o)
{
    return json_is_string (json_object_get (o, "alarm_state"));
}

static void
s_retire (rs_alerts_t *self, json_t *entry)
{
    json_object_set_new (entry, "active", json_false ());
    json_array_append (self->history, entry);
    while (json_array_size (self->history) > self->history_max)
        json_array_remove (self->history, 0);
}

//  A publisher that restarted (same pub, larger epoch) never clears the
//  alerts of its old incarnation: they end now. Locked.
static void
s_retire_older (rs_alerts_t *self, const json_t *msg)
{
    const char *pub = json_string_value (json_object_get (msg, "pub"));
    json_t *epoch = json_object_get (msg, "epoch");
    if (!pub || !json_is_integer (epoch))
        return;
    for (size_t i = json_array_size (self->active); i-- > 0;) {
        json_t *e = json_array_get (self->active, i);
        const char *p = json_string_value (json_object_get (e, "pub"));
        json_t *ep = json_object_get (e, "epoch");
        if (!s_managed (e) && p && strcmp (p, pub) == 0 && json_is_integer (ep) && json_integer_value (ep) < json_integer_value (epoch)) {
            json_incref (e);
            json_array_remove (self->active, i);
            json_object_set_new (e, "ended", json_string ("publisher restarted"));
            s_retire (self, e);
            json_decref (e);
        }
    }
}

json_t *
rs_alerts_feed (rs_alerts_t *self, const json_t *msg, const char **reason)
{
    const char *why = NULL;
    uint64_t id = s_id (msg);
    const char *well = json_string_value (json_object_get (msg, "well"));
    const char *state = json_string_value (json_object_get (msg, "state"));
    if (!json_is_object (msg))
        why = "not an object";
    else if (!id)
        why = "no positive integer alert_id";
    else if (!well || !*well)
        why = "no well";
    if (why) {
        if (reason)
            *reason = why;
        return NULL;
    }
    //  A managed alarm stays listed until it is back to normal (cleared and
    //  acknowledged); "active" says whether its condition still holds.
    bool managed = s_managed (msg);
    const char *astate = json_string_value (json_object_get (msg, "alarm_state"));
    bool cleared = managed ? strcmp (astate, "normal") == 0 : state && strcmp (state, "cleared") == 0;
    bool holding = managed ? strcmp (astate, "unack_active") == 0 || strcmp (astate, "ack_active") == 0 : !cleared;
    json_t *out = NULL;
    pthread_mutex_lock (&self->mutex);
    s_retire_older (self, msg);
    long at = s_find (self->active, id, NULL);
    json_t *entry = at >= 0 ? json_array_get (self->active, (size_t) at) : NULL;
    if (entry && !managed && !s_same_incarnation (entry, msg)) {
        //  Same number from a restarted engine: the old one is history now.
        json_incref (entry);
        json_array_remove (self->active, (size_t) at);
        s_retire (self, entry);
        json_decref (entry);
        entry = NULL;
    }
    if (!entry) {
        entry = json_object ();
        if (!entry)
            goto done;
        json_object_set_new (entry, "acked", json_false ());
        json_object_set_new (entry, "first_ts", json_deep_copy (json_object_get (msg, "ts")));
        if (cleared) {
            //  A clear for an alert raised before we started: history only,
            //  once (a managed alarm's last message may come again: the
            //  database at start, then the broker's last-value cache).
            long old = managed ? s_find (self->history, id, NULL) : -1;
            if (old >= 0) {
                json_decref (entry);
                entry = json_array_get (self->history, (size_t) old);
                json_object_update (entry, (json_t *) msg);
                out = json_deep_copy (entry);
                goto done;
            }
            json_object_update (entry, (json_t *) msg);
            if (managed)
                json_object_set_new (entry, "acked", json_boolean (json_is_string (json_object_get (msg, "acked_by"))));
            s_retire (self, entry);
            out = json_deep_copy (entry);
            json_decref (entry);
            goto done;
        }
        json_array_append_new (self->active, entry);
        while (json_array_size (self->active) > RS_ALERTS_ACTIVE_MAX) {
            json_t *old = json_incref (json_array_get (self->active, 0));
            json_array_remove (self->active, 0);
            s_retire (self, old);
            json_decref (old);
        }
        at = s_find (self->active, id, managed ? NULL : msg);
    }
    //  Keep the operator's acknowledgement across updates (the engine's
    //  when it manages the alarm).
    json_t *acked = managed ? json_boolean (json_is_string (json_object_get (msg, "acked_by")))
                            : json_incref (json_object_get (entry, "acked"));
    //  What caused the previous message is not what caused this one.
    static const char *const cause[] = { "action", "by", "addr", "detail" };
    for (size_t k = 0; managed && k < sizeof cause / sizeof cause[0]; k++)
        json_object_del (entry, cause[k]);
    json_object_update (entry, (json_t *) msg);
    json_object_set_new (entry, "acked", acked ? acked : json_false ());
    json_object_set_new (entry, "active", json_boolean (holding));
    out = json_deep_copy (entry);
    if (cleared && at >= 0) {
        json_incref (entry);
        json_array_remove (self->active, (size_t) at);
        s_retire (self, entry);
        json_decref (entry);
    }
done:
    pthread_mutex_unlock (&self->mutex);
    if (!out && reason)
        *reason = "out of memory";
    return out;
}

static json_t *
s_reversed (json_t *list, const char *well)
{
    json_t *out = json_array ();
    for (size_t i = json_array_size (list); out && i-- > 0;) {
        json_t *e = json_array_get (list, i);
        const char *w = json_string_value (json_object_get (e, "well"));
        if (!well || (w && strcmp (w, well) == 0))
            json_array_append_new (out, json_deep_copy (e));
    }
    return out;
}

json_t *
rs_alerts_json (rs_alerts_t *self, const char *well)
{
    pthread_mutex_lock (&self->mutex);
    json_t *root = json_object ();
    if (root) {
        json_object_set_new (root, "active", s_reversed (self->active, well));
        json_object_set_new (root, "history", s_reversed (self->history, well));
    }
    pthread_mutex_unlock (&self->mutex);
    return root;
}

size_t
rs_alerts_seed (rs_alerts_t *self, const json_t *alarms)
{
    size_t n = 0;
    for (size_t i = 0; i < json_array_size (alarms); i++) {
        json_t *a = json_array_get (alarms, i);
        if (!s_managed (a))
            continue;
        json_t *out = rs_alerts_feed (self, a, NULL);
        n += out != NULL;
        json_decref (out);
    }
    return n;
}

bool
rs_alerts_is_managed (rs_alerts_t *self, uint64_t alert_id, bool *known)
{
    pthread_mutex_lock (&self->mutex);
    long at = s_find (self->active, alert_id, NULL);
    json_t *e = at >= 0 ? json_array_get (self->active, (size_t) at) : NULL;
    for (size_t i = json_array_size (self->history); !e && i-- > 0;)
        if (s_id (json_array_get (self->history, i)) == alert_id)
            e = json_array_get (self->history, i);
    *known = e != NULL;
    bool managed = e && s_managed (e);
    pthread_mutex_unlock (&self->mutex);
    return managed;
}

json_t *
rs_alerts_ack (rs_alerts_t *self, uint64_t alert_id, const char *by, int64_t ts_us)
{
    json_t *out = NULL;
    char iso[40];
    rs_clock_format (ts_us, iso, sizeof iso);
    pthread_mutex_lock (&self->mutex);
    json_t *lists[2] = { self->active, self->history };
    for (int l = 0; l < 2 && !out; l++) {
        //  Newest first: after an engine restart the current alert wins.
        for (size_t i = json_array_size (lists[l]); i-- > 0;) {
            json_t *e = json_array_get (lists[l], i);
            if (s_id (e) != alert_id)
                continue;
            json_object_set_new (e, "acked", json_true ());
            json_object_set_new (e, "acked_by", json_string (by && *by ? by : "operator"));
            json_object_set_new (e, "acked_ts", json_integer (ts_us));
            json_object_set_new (e, "acked_time", json_string (iso));
            out = json_deep_copy (e);
            break;
        }
    }
    pthread_mutex_unlock (&self->mutex);
    return out;
}

void
rs_alerts_audit_push (rs_alerts_t *self, json_t *rec)
{
    if (!rec)
        return;
    pthread_mutex_lock (&self->mutex);
    if (json_array_size (self->outbox) >= RS_ALERTS_AUDIT_MAX)
        json_array_remove (self->outbox, 0);
    json_array_append_new (self->outbox, rec);
    pthread_mutex_unlock (&self->mutex);
}

json_t *
rs_alerts_audit_take (rs_alerts_t *self)
{
    json_t *fresh = json_array ();
    if (!fresh)
        return NULL;
    pthread_mutex_lock (&self->mutex);
    json_t *out = self->outbox;
    self->outbox = fresh;
    pthread_mutex_unlock (&self->mutex);
    return out;
}

size_t
rs_alerts_active (rs_alerts_t *self)
{
    pthread_mutex_lock (&self->mutex);
    size_t n = json_array_size (self->active);
    pthread_mutex_unlock (&self->mutex);
    return n;
}
