/*  rs_alarms: the alarm book (see rs_alarms.h). The lists are short (active
    alarms, shelves, points out of service), so they are arrays searched
    linearly; the alarms are kept oldest first. */
#include "rs_alarms.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rs_err.h"

#define ID_MAX    64
#define TYPE_MAX  32
#define RULE_MAX  64

typedef struct {
    char well[ID_MAX + 1];
    char type[TYPE_MAX + 1];
    char rule[RULE_MAX + 1];    // "" for detectors
} point_t;

typedef struct {
    uint64_t id;
    point_t p;
    char channel[RULE_MAX + 1];
    char message[512];
    char rig_state[40];
    rs_severity_t severity;
    int64_t started_us, ts_us;
    double value, threshold;
    bool active, acked, first_out, flood;
    bool carried;               // active when the engine restarted, not taken back yet
    int64_t carry_from;         // the well's first sample time since; INT64_MIN = none yet
    char acked_by[RS_ALARMS_BY_MAX * 4 + 1];
    char ack_comment[RS_ALARMS_COMMENT_MAX * 4 + 1];
    int64_t acked_us;
} entry_t;

typedef struct {
    point_t p;
    uint64_t id;                // the alarm it was asked for
    int64_t since_us, until_us; // until_us: 0 for out of service
    char by[RS_ALARMS_BY_MAX * 4 + 1];
    char reason[RS_ALARMS_REASON_MAX * 4 + 1];
} hold_t;

typedef struct {
    char well[ID_MAX + 1];
    int64_t t[RS_ALARMS_FLOOD_N];   // the last raises, a ring
    size_t n, head;
} rate_t;

typedef struct {
    void *v;
    size_t n, cap;
} vec_t;

struct rs_alarms_t {
    rs_alert_fn *fn;
    void *arg;
    uint64_t next_id;
    vec_t alarms, shelves, oos, rates;
    entry_t gone;               // an alarm just removed, for the message about it
    bool dirty;
};

static void *
s_push (vec_t *v, size_t size)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 16;
        void *p = realloc (v->v, cap * size);
        if (!p)
            return NULL;
        v->v = p;
        v->cap = cap;
    }
    void *e = (char *) v->v + v->n++ * size;
    memset (e, 0, size);
    return e;
}

static void
s_remove (vec_t *v, size_t i, size_t size)
{
    char *base = v->v;
    memmove (base + i * size, base + (i + 1) * size, (v->n - i - 1) * size);
    v->n--;
}

#define ALARM(self, i) (&((entry_t *) (self)->alarms.v)[i])
#define SHELF(self, i) (&((hold_t *) (self)->shelves.v)[i])
#define OOS(self, i)   (&((hold_t *) (self)->oos.v)[i])

rs_alarms_t *
rs_alarms_new (rs_alert_fn *fn, void *arg)
{
    rs_alarms_t *self = calloc (1, sizeof *self);
    if (self) {
        self->fn = fn;
        self->arg = arg;
    }
    return self;
}

void
rs_alarms_destroy (rs_alarms_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rs_alarms_t *self = *self_p;
    free (self->alarms.v);
    free (self->shelves.v);
    free (self->oos.v);
    free (self->rates.v);
    free (self);
    *self_p = NULL;
}

uint64_t *
rs_alarms_next_id (rs_alarms_t *self)
{
    return &self->next_id;
}

static void
s_point (point_t *p, const char *well, const char *type, const char *rule)
{
    snprintf (p->well, sizeof p->well, "%s", well ? well : "");
    snprintf (p->type, sizeof p->type, "%s", type ? type : "");
    snprintf (p->rule, sizeof p->rule, "%s", rule ? rule : "");
}

static bool
s_same_point (const point_t *a, const point_t *b)
{
    return strcmp (a->well, b->well) == 0 && strcmp (a->type, b->type) == 0 && strcmp (a->rule, b->rule) == 0;
}

static long
s_find (const rs_alarms_t *self, uint64_t id)
{
    for (size_t i = 0; i < self->alarms.n; i++)
        if (ALARM (self, i)->id == id)
            return (long) i;
    return -1;
}

static hold_t *
s_hold (const vec_t *v, const point_t *p, uint64_t id, size_t *index)
{
    hold_t *h = v->v;
    for (size_t i = 0; i < v->n; i++)
        if ((p && s_same_point (&h[i].p, p)) || (!p && h[i].id == id)) {
            if (index)
                *index = i;
            return &h[i];
        }
    return NULL;
}

static const char *
s_state_name (const entry_t *e)
{
    if (e->active)
        return e->acked ? "ack_active" : "unack_active";
    return e->acked ? "normal" : "rtn_unack";
}

//  Publishes alarm e as transition `state`, with what caused it.
static void
s_publish (rs_alarms_t *self, const entry_t *e, rs_alert_state_t state, int64_t ts_us, const char *action,
           const char *by, const char *addr, const char *detail)
{
    const hold_t *shelf = s_hold (&self->shelves, &e->p, 0, NULL);
    const hold_t *oos = s_hold (&self->oos, &e->p, 0, NULL);
    rs_alert_t a = {
        .alert_id = e->id, .well = e->p.well, .type = e->p.type, .rule = e->p.rule[0] ? e->p.rule : NULL,
        .state = state, .severity = e->severity, .message = e->message,
        .channel = e->channel[0] ? e->channel : NULL, .value = e->value, .threshold = e->threshold,
        .started_us = e->started_us, .ts_us = ts_us, .rig_state = e->rig_state[0] ? e->rig_state : NULL,
        .alarm_state = s_state_name (e), .acked_by = e->acked ? e->acked_by : NULL,
        .ack_comment = e->acked ? e->ack_comment : NULL, .acked_us = e->acked ? e->acked_us : 0,
        .shelved_until_us = shelf ? shelf->until_us : 0, .out_of_service = oos != NULL,
        .first_out = e->first_out, .flood = e->flood,
        .action = action, .by = by, .addr = addr, .detail = detail,
    };
    if (self->fn)
        self->fn (&a, self->arg);
}

static void
s_fill (entry_t *e, const rs_alert_t *a)
{
    snprintf (e->channel, sizeof e->channel, "%s", a->channel ? a->channel : "");
    snprintf (e->message, sizeof e->message, "%s", a->message ? a->message : "");
    snprintf (e->rig_state, sizeof e->rig_state, "%s", a->rig_state ? a->rig_state : "");
    e->severity = a->severity;
    e->ts_us = a->ts_us;
    e->value = a->value;
    e->threshold = a->threshold;
}

//  Removes alarm i (it is back to normal); its content stays in self->gone.
static entry_t *
s_drop (rs_alarms_t *self, size_t i)
{
    self->gone = *ALARM (self, i);
    s_remove (&self->alarms, i, sizeof (entry_t));
    self->dirty = true;
    return &self->gone;
}

//  Counts a raise on its well: whether it is a burst's first, whether the
//  well is flooding.
static void
s_rate (rs_alarms_t *self, const char *well, int64_t ts_us, bool *first_out, bool *flood)
{
    rate_t *r = NULL;
    for (size_t i = 0; i < self->rates.n && !r; i++)
        if (strcmp (((rate_t *) self->rates.v)[i].well, well) == 0)
            r = &((rate_t *) self->rates.v)[i];
    if (!r && (r = s_push (&self->rates, sizeof *r)))
        snprintf (r->well, sizeof r->well, "%s", well);
    if (!r) {
        *first_out = false;
        *flood = false;
        return;
    }
    int64_t newest = r->n ? r->t[(r->head + r->n - 1) % RS_ALARMS_FLOOD_N] : INT64_MIN;
    int64_t oldest = r->n == RS_ALARMS_FLOOD_N ? r->t[r->head] : INT64_MIN;
    *first_out = newest == INT64_MIN || ts_us - newest > (int64_t) RS_ALARMS_BURST_S * 1000000;
    *flood = oldest != INT64_MIN && ts_us - oldest <= (int64_t) RS_ALARMS_FLOOD_S * 1000000;
    r->t[r->n < RS_ALARMS_FLOOD_N ? (r->head + r->n) % RS_ALARMS_FLOOD_N : r->head] = ts_us;
    if (r->n < RS_ALARMS_FLOOD_N)
        r->n++;
    else
        r->head = (r->head + 1) % RS_ALARMS_FLOOD_N;
}

uint64_t
rs_alarms_claim (const rs_alert_t *alert, void *arg)
{
    rs_alarms_t *self = arg;
    point_t p;
    s_point (&p, alert->well, alert->type, alert->rule);
    for (size_t i = 0; i < self->alarms.n; i++) {
        entry_t *e = ALARM (self, i);
        if (e->carried && e->active && s_same_point (&e->p, &p))
            return e->id;
    }
    return 0;
}

//  Drops the oldest returned, unacknowledged alarm when there are too many.
static void
s_bound_returned (rs_alarms_t *self, int64_t ts_us)
{
    size_t n = 0, oldest = SIZE_MAX;
    for (size_t i = 0; i < self->alarms.n; i++)
        if (!ALARM (self, i)->active) {
            n++;
            if (oldest == SIZE_MAX)
                oldest = i;
        }
    if (n <= RS_ALARMS_RETURNED_MAX)
        return;
    entry_t *e = s_drop (self, oldest);
    e->acked = true;
    s_publish (self, e, RS_ALERT_CLEARED, ts_us, "dropped", "engine", NULL,
               "too many returned alarms not acknowledged: the oldest leaves the list");
}

void
rs_alarms_transition (rs_alarms_t *self, const rs_alert_t *a)
{
    long at = s_find (self, a->alert_id);
    entry_t *e = at >= 0 ? ALARM (self, at) : NULL;
    rs_alert_state_t state = a->state;
    const char *action = NULL;
    if (a->state == RS_ALERT_RAISED && e && e->carried) {
        //  Taken back after a restart: the same alarm goes on.
        e->carried = false;
        state = RS_ALERT_UPDATED;
        s_fill (e, a);
        self->dirty = true;
    }
    else if (a->state == RS_ALERT_RAISED || (a->state == RS_ALERT_UPDATED && !e)) {
        if (!e && !(e = s_push (&self->alarms, sizeof *e)))
            return;
        e->id = a->alert_id;
        s_point (&e->p, a->well, a->type, a->rule);
        e->active = true;
        e->started_us = a->started_us;
        e->carry_from = INT64_MIN;
        s_rate (self, e->p.well, a->ts_us, &e->first_out, &e->flood);
        s_fill (e, a);
        action = "raise";
        self->dirty = true;
    }
    else if (a->state == RS_ALERT_UPDATED) {
        if (a->severity != e->severity)
            self->dirty = true;
        s_fill (e, a);
    }
    else if (a->state == RS_ALERT_CLEARED) {
        action = "clear";
        if (!e) {
            //  Not in the book (cleared twice): say so as it is.
            entry_t tmp = { .id = a->alert_id, .active = false, .acked = true, .started_us = a->started_us };
            s_point (&tmp.p, a->well, a->type, a->rule);
            s_fill (&tmp, a);
            self->gone = tmp;
            e = &self->gone;
        }
        else {
            s_fill (e, a);
            e->active = false;
            e->carried = false;
            self->dirty = true;
            if (e->acked)
                e = s_drop (self, (size_t) at);
        }
    }
    else
        return;
    s_publish (self, e, state, a->ts_us, action, action ? "engine" : NULL, NULL, NULL);
    if (a->state == RS_ALERT_CLEARED)
        s_bound_returned (self, a->ts_us);
}

static size_t
s_utf8_len (const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char) *s & 0xC0) != 0x80)
            n++;
    return n;
}

rs_err_t
rs_alarms_check_text (const char *field, const char *text, size_t min, size_t max)
{
    if (!text) {
        return rs_err_set (RS_E_RANGE, "%s: missing", field);
    }
    size_t n = s_utf8_len (text);
    bool blank = true;
    for (const unsigned char *c = (const unsigned char *) text; *c; c++) {
        if (*c < 0x20 || *c == 0x7f) {
            return rs_err_set (RS_E_RANGE, "%s: control characters are not allowed", field);
        }
        if (*c != ' ')
            blank = false;
    }
    if (n < min || (min > 0 && blank)) {
        return rs_err_set (RS_E_RANGE, "%s: required (%zu to %zu characters)", field, min, max);
    }
    if (n > max) {
        return rs_err_set (RS_E_RANGE, "%s: %zu characters, at most %zu", field, n, max);
    }
    return RS_OK;
}

//  The alarm an operator names, or NULL with the reason.
static entry_t *
s_lookup (rs_alarms_t *self, uint64_t id, const char *by, rs_alarms_rc_t *rc)
{
    if (rs_alarms_check_text ("by", by, 1, RS_ALARMS_BY_MAX) != 0) {
        *rc = RS_ALARMS_INVALID;
        return NULL;
    }
    long at = s_find (self, id);
    if (at < 0) {
        rs_err_set (RS_E_RANGE, "alert %llu is not in the alarm list (unknown, or cleared and acknowledged)",
               (unsigned long long) id);
        *rc = RS_ALARMS_UNKNOWN;
        return NULL;
    }
    *rc = RS_ALARMS_OK;
    return ALARM (self, at);
}

rs_alarms_rc_t
rs_alarms_ack (rs_alarms_t *self, uint64_t id, const char *by, const char *comment, const char *addr,
               int64_t now_us)
{
    rs_alarms_rc_t rc;
    if (rs_alarms_check_text ("comment", comment ? comment : "", 0, RS_ALARMS_COMMENT_MAX) != 0)
        return RS_ALARMS_INVALID;
    entry_t *e = s_lookup (self, id, by, &rc);
    if (!e)
        return rc;
    if (e->acked) {
        rs_err_set (RS_E_RANGE, "alert %llu: already acknowledged by %s", (unsigned long long) id, e->acked_by);
        return RS_ALARMS_CONFLICT;
    }
    e->acked = true;
    e->acked_us = now_us;
    snprintf (e->acked_by, sizeof e->acked_by, "%s", by);
    snprintf (e->ack_comment, sizeof e->ack_comment, "%s", comment ? comment : "");
    self->dirty = true;
    rs_alert_state_t state = e->active ? RS_ALERT_UPDATED : RS_ALERT_CLEARED;
    if (!e->active)
        e = s_drop (self, (size_t) s_find (self, id));
    s_publish (self, e, state, now_us, "ack", by, addr, comment && *comment ? comment : NULL);
    return RS_ALARMS_OK;
}

static void
s_publish_hold (rs_alarms_t *self, const entry_t *e, int64_t now_us, const char *action, const char *by,
                const char *addr, const char *detail)
{
    s_publish (self, e, e->active ? RS_ALERT_UPDATED : RS_ALERT_CLEARED, now_us, action, by, addr, detail);
}

//  A new hold (shelf or out of service) of alarm id's point, or NULL (said).
static hold_t *
s_hold_add (rs_alarms_t *self, vec_t *holds, const entry_t *e, uint64_t id, const char *by, const char *reason,
            int64_t now_us)
{
    hold_t *h = s_push (holds, sizeof *h);
    if (!h) {
        rs_err_set (RS_E_NOMEM, "out of memory");
        return NULL;
    }
    h->p = e->p;
    h->id = id;
    h->since_us = now_us;
    snprintf (h->by, sizeof h->by, "%s", by);
    snprintf (h->reason, sizeof h->reason, "%s", reason);
    self->dirty = true;
    return h;
}

rs_alarms_rc_t
rs_alarms_shelve (rs_alarms_t *self, uint64_t id, const char *by, const char *reason, double minutes,
                  const char *addr, int64_t now_us)
{
    rs_alarms_rc_t rc;
    if (rs_alarms_check_text ("reason", reason, 1, RS_ALARMS_REASON_MAX) != 0)
        return RS_ALARMS_INVALID;
    if (!isfinite (minutes) || minutes < 1 || minutes > RS_ALARMS_SHELVE_MAX_MIN || minutes != floor (minutes)) {
        rs_err_set (RS_E_RANGE, "minutes: a whole number from 1 to %d", RS_ALARMS_SHELVE_MAX_MIN);
        return RS_ALARMS_INVALID;
    }
    entry_t *e = s_lookup (self, id, by, &rc);
    if (!e)
        return rc;
    if (s_hold (&self->oos, &e->p, 0, NULL)) {
        rs_err_set (RS_E_RANGE, "alert %llu: its point is out of service", (unsigned long long) id);
        return RS_ALARMS_CONFLICT;
    }
    if (s_hold (&self->shelves, &e->p, 0, NULL)) {
        rs_err_set (RS_E_RANGE, "alert %llu: already shelved", (unsigned long long) id);
        return RS_ALARMS_CONFLICT;
    }
    hold_t *h = s_hold_add (self, &self->shelves, e, id, by, reason, now_us);
    if (!h)
        return RS_ALARMS_INVALID;
    h->until_us = now_us + (int64_t) minutes * 60 * 1000000;
    char detail[RS_ALARMS_REASON_MAX * 4 + 40];
    snprintf (detail, sizeof detail, "%.0f min: %s", minutes, reason);
    s_publish_hold (self, e, now_us, "shelve", by, addr, detail);
    return RS_ALARMS_OK;
}

//  The point of alarm id: from the book, else from a hold asked for it.
static bool
s_point_of (rs_alarms_t *self, uint64_t id, const vec_t *holds, entry_t *out)
{
    long at = s_find (self, id);
    if (at >= 0) {
        *out = *ALARM (self, at);
        return true;
    }
    const hold_t *h = s_hold (holds, NULL, id, NULL);
    if (!h)
        return false;
    memset (out, 0, sizeof *out);
    out->id = id;
    out->p = h->p;
    out->acked = true;
    out->value = out->threshold = NAN;
    snprintf (out->message, sizeof out->message, "%s%s%s", h->p.type, h->p.rule[0] ? " " : "", h->p.rule);
    return true;
}

static rs_alarms_rc_t
s_release (rs_alarms_t *self, vec_t *holds, uint64_t id, const char *by, const char *addr, int64_t now_us,
           const char *action, const char *what)
{
    if (rs_alarms_check_text ("by", by, 1, RS_ALARMS_BY_MAX) != 0)
        return RS_ALARMS_INVALID;
    entry_t e;
    if (!s_point_of (self, id, holds, &e)) {
        rs_err_set (RS_E_RANGE, "alert %llu is not in the alarm list", (unsigned long long) id);
        return RS_ALARMS_UNKNOWN;
    }
    size_t i;
    if (!s_hold (holds, &e.p, 0, &i)) {
        rs_err_set (RS_E_RANGE, "alert %llu: not %s", (unsigned long long) id, what);
        return RS_ALARMS_CONFLICT;
    }
    s_remove (holds, i, sizeof (hold_t));
    self->dirty = true;
    s_publish_hold (self, &e, now_us, action, by, addr, NULL);
    //  An alarm no longer in the book is still answered (rs_alarms_alert_json).
    if (s_find (self, id) < 0)
        self->gone = e;
    return RS_ALARMS_OK;
}

rs_alarms_rc_t
rs_alarms_unshelve (rs_alarms_t *self, uint64_t id, const char *by, const char *addr, int64_t now_us)
{
    return s_release (self, &self->shelves, id, by, addr, now_us, "unshelve", "shelved");
}

rs_alarms_rc_t
rs_alarms_out_of_service (rs_alarms_t *self, uint64_t id, const char *by, const char *reason, const char *addr,
                          int64_t now_us)
{
    rs_alarms_rc_t rc;
    if (rs_alarms_check_text ("reason", reason, 1, RS_ALARMS_REASON_MAX) != 0)
        return RS_ALARMS_INVALID;
    entry_t *e = s_lookup (self, id, by, &rc);
    if (!e)
        return rc;
    if (s_hold (&self->oos, &e->p, 0, NULL)) {
        rs_err_set (RS_E_RANGE, "alert %llu: already out of service", (unsigned long long) id);
        return RS_ALARMS_CONFLICT;
    }
    //  Out of service supersedes a shelf.
    size_t si;
    if (s_hold (&self->shelves, &e->p, 0, &si))
        s_remove (&self->shelves, si, sizeof (hold_t));
    if (!s_hold_add (self, &self->oos, e, id, by, reason, now_us))
        return RS_ALARMS_INVALID;
    s_publish_hold (self, e, now_us, "out_of_service", by, addr, reason);
    return RS_ALARMS_OK;
}

rs_alarms_rc_t
rs_alarms_in_service (rs_alarms_t *self, uint64_t id, const char *by, const char *addr, int64_t now_us)
{
    return s_release (self, &self->oos, id, by, addr, now_us, "in_service", "out of service");
}

void
rs_alarms_expire (rs_alarms_t *self, int64_t now_us)
{
    for (size_t i = self->shelves.n; i-- > 0;) {
        hold_t h = *SHELF (self, i);
        if (h.until_us > now_us)
            continue;
        //  Say it on the point's alarm now in the book, else on the one it was asked for.
        entry_t e;
        bool known = false;
        for (size_t k = self->alarms.n; k-- > 0 && !known;)
            if (s_same_point (&ALARM (self, k)->p, &h.p)) {
                e = *ALARM (self, k);
                known = true;
            }
        if (!known)
            known = s_point_of (self, h.id, &self->shelves, &e);
        s_remove (&self->shelves, i, sizeof (hold_t));
        self->dirty = true;
        if (known)
            s_publish_hold (self, &e, now_us, "shelve_expired", "engine", NULL, NULL);
    }
}

void
rs_alarms_recheck (rs_alarms_t *self, const char *well, int64_t ts_us, double recheck_s)
{
    for (size_t i = self->alarms.n; i-- > 0;) {
        entry_t *e = ALARM (self, i);
        if (!e->carried || strcmp (e->p.well, well) != 0)
            continue;
        if (e->carry_from == INT64_MIN)
            e->carry_from = ts_us;
        if ((double) (ts_us - e->carry_from) < recheck_s * 1e6)
            continue;
        e->carried = false;
        e->active = false;
        self->dirty = true;
        if (e->acked)
            e = s_drop (self, i);
        s_publish (self, e, RS_ALERT_CLEARED, ts_us, "clear", "engine", NULL,
                   "no longer holds after the engine restarted");
    }
}

size_t
rs_alarms_active (const rs_alarms_t *self)
{
    size_t n = 0;
    for (size_t i = 0; i < self->alarms.n; i++)
        n += ALARM (self, i)->active;
    return n;
}

static json_t *
s_entry_json (const rs_alarms_t *self, const entry_t *e, bool full)
{
    json_t *o = json_object ();
    json_object_set_new (o, "alert_id", json_integer ((json_int_t) e->id));
    json_object_set_new (o, "well", json_string (e->p.well));
    json_object_set_new (o, "type", json_string (e->p.type));
    if (e->p.rule[0])
        json_object_set_new (o, "rule", json_string (e->p.rule));
    if (e->channel[0])
        json_object_set_new (o, "channel", json_string (e->channel));
    json_object_set_new (o, "severity", json_string (rs_severity_name (e->severity)));
    json_object_set_new (o, "message", json_string (e->message));
    char tpl[sizeof e->message];
    rs_alert_qty_t q[RS_ALERT_QTY_MAX];
    size_t nq = rs_alert_template (e->message, tpl, sizeof tpl, q, RS_ALERT_QTY_MAX);
    if (nq) {
        json_t *vals = json_array ();
        for (size_t i = 0; i < nq; i++)
            json_array_append_new (vals, json_pack ("{s:f, s:s, s:i, s:b}", "value", q[i].value, "unit", q[i].unit,
                                                    "decimals", q[i].decimals, "plus", q[i].plus));
        json_object_set_new (o, "message_template", json_string (tpl));
        json_object_set_new (o, "message_values", vals);
    }
    json_object_set_new (o, "rig_state", json_string (e->rig_state));
    json_object_set_new (o, "started_ts", json_integer ((json_int_t) e->started_us));
    json_object_set_new (o, "ts", json_integer ((json_int_t) e->ts_us));
    json_object_set_new (o, "value", isfinite (e->value) ? json_real (e->value) : json_null ());
    if (isfinite (e->threshold))
        json_object_set_new (o, "threshold", json_real (e->threshold));
    json_object_set_new (o, "alarm_state", json_string (s_state_name (e)));
    json_object_set_new (o, "active", json_boolean (e->active));
    json_object_set_new (o, "acked_by", e->acked ? json_string (e->acked_by) : json_null ());
    json_object_set_new (o, "ack_comment", e->acked ? json_string (e->ack_comment) : json_null ());
    json_object_set_new (o, "acked_us", json_integer (e->acked ? (json_int_t) e->acked_us : 0));
    json_object_set_new (o, "first_out", json_boolean (e->first_out));
    json_object_set_new (o, "flood", json_boolean (e->flood));
    if (full)
        json_object_set_new (o, "carried", json_boolean (e->carried));
    else {
        const hold_t *shelf = s_hold (&self->shelves, &e->p, 0, NULL);
        json_object_set_new (o, "shelved_until_us", json_integer (shelf ? (json_int_t) shelf->until_us : 0));
        json_object_set_new (o, "out_of_service", json_boolean (s_hold (&self->oos, &e->p, 0, NULL) != NULL));
    }
    return o;
}

json_t *
rs_alarms_json (const rs_alarms_t *self)
{
    json_t *a = json_array ();
    for (size_t i = self->alarms.n; i-- > 0;)
        json_array_append_new (a, s_entry_json (self, ALARM (self, i), false));
    return a;
}

json_t *
rs_alarms_alert_json (const rs_alarms_t *self, uint64_t id)
{
    long at = s_find (self, id);
    if (at >= 0)
        return s_entry_json (self, ALARM (self, at), false);
    return self->gone.id == id && id ? s_entry_json (self, &self->gone, false) : NULL;
}

static json_t *
s_hold_json (const hold_t *h, bool shelf)
{
    json_t *o = json_pack ("{s:s, s:s, s:I, s:I, s:s, s:s}", "well", h->p.well, "type", h->p.type, "alert_id",
                           (json_int_t) h->id, "since_us", (json_int_t) h->since_us, "by", h->by, "reason",
                           h->reason);
    if (o && h->p.rule[0])
        json_object_set_new (o, "rule", json_string (h->p.rule));
    if (o && shelf)
        json_object_set_new (o, "until_us", json_integer ((json_int_t) h->until_us));
    return o;
}

json_t *
rs_alarms_state_json (const rs_alarms_t *self)
{
    json_t *root = json_object ();
    json_object_set_new (root, "version", json_integer (1));
    json_object_set_new (root, "next_id", json_integer ((json_int_t) self->next_id));
    json_t *alarms = json_array ();
    for (size_t i = 0; i < self->alarms.n; i++)
        json_array_append_new (alarms, s_entry_json (self, ALARM (self, i), true));
    json_object_set_new (root, "alarms", alarms);
    json_t *sh = json_array (), *oos = json_array ();
    for (size_t i = 0; i < self->shelves.n; i++)
        json_array_append_new (sh, s_hold_json (SHELF (self, i), true));
    for (size_t i = 0; i < self->oos.n; i++)
        json_array_append_new (oos, s_hold_json (OOS (self, i), false));
    json_object_set_new (root, "shelves", sh);
    json_object_set_new (root, "out_of_service", oos);
    return root;
}

//  A string member of at most max bytes, copied to dst; -1 with the reason recorded otherwise.
static int
s_str (const json_t *o, const char *key, bool required, char *dst, size_t size, const char *where)
{
    json_t *v = json_object_get (o, key);
    if (!v || json_is_null (v)) {
        dst[0] = '\0';
        if (!required)
            return 0;
        rs_err_set (RS_E_FORMAT, "%s.%s: missing", where, key);
        return -1;
    }
    if (!json_is_string (v) || json_string_length (v) >= size) {
        rs_err_set (RS_E_FORMAT, "%s.%s: expected a string of at most %zu bytes", where, key, size - 1);
        return -1;
    }
    snprintf (dst, size, "%s", json_string_value (v));
    return 0;
}

static int64_t
s_int (const json_t *o, const char *key)
{
    json_t *v = json_object_get (o, key);
    return json_is_integer (v) ? (int64_t) json_integer_value (v) : 0;
}

static int
s_load_point (const json_t *o, point_t *p, const char *where)
{
    if (!json_is_object (o)) {
        rs_err_set (RS_E_FORMAT, "%s: expected an object", where);
        return -1;
    }
    if (s_str (o, "well", true, p->well, sizeof p->well, where)
        || s_str (o, "type", true, p->type, sizeof p->type, where)
        || s_str (o, "rule", false, p->rule, sizeof p->rule, where))
        return -1;
    return 0;
}

static int
s_load_holds (const json_t *arr, vec_t *v, const char *name)
{
    for (size_t i = 0; i < json_array_size (arr); i++) {
        json_t *o = json_array_get (arr, i);
        char where[48];
        snprintf (where, sizeof where, "%s[%zu]", name, i);
        hold_t h = { 0 };
        if (s_load_point (o, &h.p, where)
            || s_str (o, "by", true, h.by, sizeof h.by, where)
            || s_str (o, "reason", true, h.reason, sizeof h.reason, where))
            return -1;
        h.id = (uint64_t) s_int (o, "alert_id");
        h.since_us = s_int (o, "since_us");
        h.until_us = s_int (o, "until_us");
        hold_t *slot = s_push (v, sizeof h);
        if (!slot) {
            rs_err_set (RS_E_NOMEM, "out of memory");
            return -1;
        }
        *slot = h;
    }
    return 0;
}

rs_err_t
rs_alarms_load (rs_alarms_t *self, const json_t *doc)
{
    json_t *alarms = json_object_get (doc, "alarms");
    json_t *next = json_object_get (doc, "next_id");
    if (!json_is_object (doc) || !json_is_integer (json_object_get (doc, "version"))
        || json_integer_value (json_object_get (doc, "version")) != 1) {
        return rs_err_set (RS_E_FORMAT, "version: expected 1");
    }
    if (!json_is_integer (next) || json_integer_value (next) < 0) {
        return rs_err_set (RS_E_FORMAT, "next_id: expected a non-negative integer");
    }
    rs_alarms_t fresh = { .fn = self->fn, .arg = self->arg, .next_id = (uint64_t) json_integer_value (next) };
    int rc = 0;
    for (size_t i = 0; i < json_array_size (alarms) && rc == 0; i++) {
        json_t *o = json_array_get (alarms, i);
        char where[32];
        snprintf (where, sizeof where, "alarms[%zu]", i);
        entry_t e = { .carry_from = INT64_MIN };
        char sev[16];
        rc = s_load_point (o, &e.p, where);
        rc = rc ? rc : s_str (o, "severity", true, sev, sizeof sev, where);
        rc = rc ? rc : s_str (o, "message", false, e.message, sizeof e.message, where);
        rc = rc ? rc : s_str (o, "channel", false, e.channel, sizeof e.channel, where);
        rc = rc ? rc : s_str (o, "rig_state", false, e.rig_state, sizeof e.rig_state, where);
        rc = rc ? rc : s_str (o, "acked_by", false, e.acked_by, sizeof e.acked_by, where);
        rc = rc ? rc : s_str (o, "ack_comment", false, e.ack_comment, sizeof e.ack_comment, where);
        if (rc)
            break;
        e.id = (uint64_t) s_int (o, "alert_id");
        int s = rs_severity_lookup (sev);
        if (e.id == 0 || e.id > fresh.next_id || s < 0) {
            rs_err_set (RS_E_FORMAT, "%s: alert_id or severity out of range", where);
            rc = -1;
            break;
        }
        e.severity = (rs_severity_t) s;
        e.started_us = s_int (o, "started_ts");
        e.ts_us = s_int (o, "ts");
        json_t *v = json_object_get (o, "value"), *t = json_object_get (o, "threshold");
        e.value = json_is_number (v) ? json_number_value (v) : NAN;
        e.threshold = json_is_number (t) ? json_number_value (t) : NAN;
        e.active = json_is_true (json_object_get (o, "active"));
        e.acked = json_is_string (json_object_get (o, "acked_by"));
        e.acked_us = s_int (o, "acked_us");
        e.first_out = json_is_true (json_object_get (o, "first_out"));
        e.flood = json_is_true (json_object_get (o, "flood"));
        e.carried = e.active;
        entry_t *slot = s_push (&fresh.alarms, sizeof e);
        if (!slot) {
            rs_err_set (RS_E_NOMEM, "out of memory");
            rc = -1;
            break;
        }
        *slot = e;
    }
    if (rc == 0)
        rc = s_load_holds (json_object_get (doc, "shelves"), &fresh.shelves, "shelves");
    if (rc == 0)
        rc = s_load_holds (json_object_get (doc, "out_of_service"), &fresh.oos, "out_of_service");
    if (rc != 0) {
        free (fresh.alarms.v);
        free (fresh.shelves.v);
        free (fresh.oos.v);
        return rs_errcode ();
    }
    free (self->alarms.v);
    free (self->shelves.v);
    free (self->oos.v);
    self->next_id = fresh.next_id;
    self->alarms = fresh.alarms;
    self->shelves = fresh.shelves;
    self->oos = fresh.oos;
    self->dirty = false;
    return RS_OK;
}

bool
rs_alarms_take_dirty (rs_alarms_t *self)
{
    bool d = self->dirty;
    self->dirty = false;
    return d;
}
