/*  rs_alert: alert names and the raise / update / clear lifecycle. */
#include "rs_alert.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rs_units.h"

static const char *s_sev_names[RS_SEV_COUNT] = { "info", "warning", "critical" };
static const char *s_state_names[] = { "none", "raised", "updated", "cleared" };

const char *
rs_severity_name (int severity)
{
    return severity >= 0 && severity < RS_SEV_COUNT ? s_sev_names[severity] : "unknown";
}

int
rs_severity_lookup (const char *name)
{
    for (int i = 0; name && i < RS_SEV_COUNT; i++)
        if (strcmp (name, s_sev_names[i]) == 0)
            return i;
    return -1;
}

const char *
rs_alert_state_name (int state)
{
    return state >= 0 && state <= RS_ALERT_CLEARED ? s_state_names[state] : "unknown";
}

void
rs_alarm_init (rs_alarm_t *self)
{
    memset (self, 0, sizeof *self);
    self->on_since = INT64_MIN;
    self->off_since = INT64_MIN;
    self->unknown_since = INT64_MIN;
}

static bool
s_elapsed (int64_t since, int64_t now, double secs)
{
    return since != INT64_MIN && (double) (now - since) >= secs * 1e6;
}

rs_alert_state_t
rs_alarm_step (rs_alarm_t *self, const rs_alarm_cfg_t *cfg, int64_t ts_us, rs_cond_t cond,
               rs_severity_t severity)
{
    if (cond == RS_COND_UNKNOWN) {
        self->on_since = INT64_MIN;
        self->off_since = INT64_MIN;
        if (self->unknown_since == INT64_MIN)
            self->unknown_since = ts_us;
        if (self->raised && cfg->stale_s > 0 && s_elapsed (self->unknown_since, ts_us, cfg->stale_s)) {
            self->raised = false;
            self->stale = true;
            self->last_emit_us = ts_us;
            return RS_ALERT_CLEARED;
        }
        return RS_ALERT_NONE;
    }
    self->unknown_since = INT64_MIN;
    if (cond == RS_COND_ON) {
        self->off_since = INT64_MIN;
        if (self->on_since == INT64_MIN)
            self->on_since = ts_us;
        if (!self->raised) {
            if (!s_elapsed (self->on_since, ts_us, cfg->on_s))
                return RS_ALERT_NONE;
            self->raised = true;
            self->stale = false;
            self->id = 0;
            self->severity = severity;
            self->started_us = ts_us;
            self->last_emit_us = ts_us;
            return RS_ALERT_RAISED;
        }
        //  Escalation is news at once; a lower severity waits for the
        //  periodic update so a value hovering at a boundary does not flap.
        bool periodic = cfg->update_s > 0 && s_elapsed (self->last_emit_us, ts_us, cfg->update_s);
        if (severity > self->severity || periodic) {
            self->severity = severity;
            self->last_emit_us = ts_us;
            return RS_ALERT_UPDATED;
        }
        return RS_ALERT_NONE;
    }
    self->on_since = INT64_MIN;
    if (!self->raised)
        return RS_ALERT_NONE;
    if (self->off_since == INT64_MIN)
        self->off_since = ts_us;
    if (s_elapsed (self->off_since, ts_us, cfg->off_s)) {
        self->raised = false;
        self->stale = false;
        self->off_since = INT64_MIN;
        self->last_emit_us = ts_us;
        return RS_ALERT_CLEARED;
    }
    return RS_ALERT_NONE;
}

rs_alert_state_t
rs_alarm_clear (rs_alarm_t *self, int64_t ts_us)
{
    bool was = self->raised;
    uint64_t id = self->id;
    int64_t started = self->started_us;
    rs_severity_t sev = self->severity;
    rs_alarm_init (self);
    if (!was)
        return RS_ALERT_NONE;
    //  Keep what the clear message needs.
    self->id = id;
    self->started_us = started;
    self->severity = sev;
    self->last_emit_us = ts_us;
    return RS_ALERT_CLEARED;
}

void
rs_alert_emit (const rs_alert_sink_t *sink, rs_alarm_t *alarm, rs_alert_state_t transition,
               int64_t ts_us, rs_alert_t *alert)
{
    if (transition == RS_ALERT_NONE)
        return;
    alert->state = transition;
    alert->severity = alarm->severity;
    alert->started_us = alarm->started_us;
    alert->ts_us = ts_us;
    alert->rig_state = sink ? sink->rig_state : NULL;
    alert->well = sink ? sink->well : NULL;
    if (transition == RS_ALERT_RAISED && alarm->id == 0 && sink && sink->claim)
        alarm->id = sink->claim (alert, sink->arg);
    if (transition == RS_ALERT_RAISED && alarm->id == 0)
        alarm->id = sink && sink->next_id ? ++*sink->next_id : 0;
    alert->alert_id = alarm->id;
    if (sink && sink->fn)
        sink->fn (alert, sink->arg);
}

static bool
s_word_char (char c)
{
    return isalnum ((unsigned char) c) || c == '_' || c == '/';
}

//  The longest displayed unit written at p and ending a word; NULL if none.
static const char *
s_unit_at (const char *p)
{
    const char *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; rs_units_displayed (i); i++) {
        const char *u = rs_units_displayed (i);
        size_t n = strlen (u);
        if (n <= best_len || strncmp (p, u, n) != 0)
            continue;
        char next = p[n];
        if (s_word_char (next) || (next == '.' && s_word_char (p[n + 1])))
            continue;
        best = u;
        best_len = n;
    }
    return best;
}

size_t
rs_alert_template (const char *msg, char *tpl, size_t tpl_size, rs_alert_qty_t *q, size_t max)
{
    if (!msg || !tpl || tpl_size == 0 || strpbrk (msg, "{}"))
        return 0;
    size_t n = 0, out = 0;
    const char *p = msg;
    while (*p) {
        bool start = p == msg || !(s_word_char (p[-1]) || p[-1] == '.' || p[-1] == '-' || p[-1] == '+');
        const char *d = p + ((*p == '+' || *p == '-') ? 1 : 0);
        if (n < max && start && isdigit ((unsigned char) *d)) {
            const char *e = d;
            while (isdigit ((unsigned char) *e))
                e++;
            int decimals = 0;
            if (*e == '.' && isdigit ((unsigned char) e[1]))
                for (e++; isdigit ((unsigned char) *e); e++)
                    decimals++;
            const char *unit = *e == ' ' ? s_unit_at (e + 1) : NULL;
            if (unit) {
                q[n] = (rs_alert_qty_t) { strtod (p, NULL), unit, decimals, *p == '+' };
                int w = snprintf (tpl + out, tpl_size - out, "{%zu}", n);
                if (w < 0 || (size_t) w >= tpl_size - out)
                    return tpl[0] = 0, 0;
                out += (size_t) w;
                n++;
                p = e + 1 + strlen (unit);
                continue;
            }
        }
        if (out + 1 >= tpl_size)
            return tpl[0] = 0, 0;
        tpl[out++] = *p++;
    }
    tpl[out] = 0;
    if (n == 0)
        tpl[0] = 0;
    return n;
}
