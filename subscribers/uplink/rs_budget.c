/*  rs_budget: deadband, minimum interval, downsampling windows and a byte
    token bucket (see rs_budget.h). */
#include "rs_budget.h"

#include <czmq.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rs_log.h"

typedef struct {
    double value;               // last value sent (NaN: "no reading")
    int64_t ts_ms;
} last_t;

struct rs_budget_t {
    rs_budget_opts_t opts;
    zhashx_t *deadbands;        // channel -> double *
    zhashx_t *last;             // "well/name" -> last_t *
    uint64_t suppressed;
};

static int
s_parse_deadbands (rs_budget_t *self, const char *text)
{
    char *copy = strdup (text), *save = NULL;
    if (!copy)
        return -1;
    for (char *item = strtok_r (copy, ", ", &save); item; item = strtok_r (NULL, ", ", &save)) {
        char *eq = strchr (item, '='), *end = NULL;
        double v = eq ? strtod (eq + 1, &end) : NAN;
        if (!eq || eq == item || !end || *end || end == eq + 1 || !isfinite (v) || v < 0) {
            rs_error ("bad deadband \"%s\": expected channel=value with a value >= 0", item);
            free (copy);
            return -1;
        }
        *eq = '\0';
        double *d = malloc (sizeof *d);
        if (!d) {
            free (copy);
            return -1;
        }
        *d = v;
        zhashx_update (self->deadbands, item, d);
    }
    free (copy);
    return 0;
}

rs_budget_t *
rs_budget_new (const rs_budget_opts_t *opts)
{
    rs_budget_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->opts = *opts;
    self->opts.deadbands = NULL;
    self->deadbands = zhashx_new ();
    self->last = zhashx_new ();
    if (!self->deadbands || !self->last) {
        rs_budget_destroy (&self);
        return NULL;
    }
    zhashx_set_destructor (self->deadbands, (zhashx_destructor_fn *) zstr_free);
    zhashx_set_destructor (self->last, (zhashx_destructor_fn *) zstr_free);
    if (opts->deadbands && s_parse_deadbands (self, opts->deadbands) != 0) {
        rs_budget_destroy (&self);
        return NULL;
    }
    return self;
}

void
rs_budget_destroy (rs_budget_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zhashx_destroy (&(*self_p)->deadbands);
    zhashx_destroy (&(*self_p)->last);
    free (*self_p);
    *self_p = NULL;
}

bool
rs_budget_is_open (const rs_budget_t *self)
{
    return self->opts.deadband <= 0 && zhashx_size (self->deadbands) == 0 && self->opts.min_interval_ms <= 0;
}

bool
rs_budget_pass (rs_budget_t *self, const char *well, const char *name, double value, int64_t ts_ms)
{
    if (rs_budget_is_open (self))
        return true;
    char key[256];
    if (snprintf (key, sizeof key, "%s/%s", well, name) >= (int) sizeof key)
        return true;
    last_t *last = zhashx_lookup (self->last, key);
    if (!last) {
        last = malloc (sizeof *last);
        if (!last)
            return true;
        last->value = value;
        last->ts_ms = ts_ms;
        zhashx_insert (self->last, key, last);
        return true;
    }
    int64_t since = ts_ms - last->ts_ms;
    bool pass;
    if (self->opts.min_interval_ms > 0 && since < self->opts.min_interval_ms && since >= 0)
        pass = false;
    else if (isnan (value) || isnan (last->value))
        pass = isnan (value) != isnan (last->value);
    else {
        double *d = zhashx_lookup (self->deadbands, name);
        double band = d ? *d : self->opts.deadband;
        pass = fabs (value - last->value) > band || (band <= 0 && value != last->value);
    }
    if (!pass && self->opts.max_silence_ms > 0 && since >= self->opts.max_silence_ms)
        pass = true;
    //  Time going backwards (a replayed stream) restarts the channel.
    if (since < 0)
        pass = true;
    if (pass) {
        last->value = value;
        last->ts_ms = ts_ms;
    }
    else
        self->suppressed++;
    return pass;
}

uint64_t
rs_budget_suppressed (const rs_budget_t *self)
{
    return self->suppressed;
}

bool
rs_window_add (rs_window_t *w, int64_t period_ms, int64_t ts_ms, double value, rs_window_t *done)
{
    if (isnan (value) || period_ms <= 0)
        return false;
    int64_t start = ts_ms - ((ts_ms % period_ms) + period_ms) % period_ms;
    bool rolled = false;
    if (w->n && start != w->start_ms) {
        *done = *w;
        rolled = true;
        w->n = 0;
    }
    if (!w->n) {
        w->start_ms = start;
        w->sum = 0;
        w->min = value;
        w->max = value;
    }
    w->sum += value;
    if (value < w->min)
        w->min = value;
    if (value > w->max)
        w->max = value;
    w->n++;
    return rolled;
}

void
rs_bucket_init (rs_bucket_t *b, double rate, double burst)
{
    b->rate = rate;
    b->burst = burst > 0 ? burst : rate;
    b->tokens = b->burst;
    b->last_ms = 0;
}

bool
rs_bucket_ready (rs_bucket_t *b, int64_t now_ms)
{
    if (b->rate <= 0)
        return true;
    if (b->last_ms) {
        b->tokens += b->rate * (double) (now_ms - b->last_ms) / 1000.0;
        if (b->tokens > b->burst)
            b->tokens = b->burst;
    }
    b->last_ms = now_ms;
    return b->tokens > 0;
}

void
rs_bucket_debit (rs_bucket_t *b, size_t bytes)
{
    if (b->rate > 0)
        b->tokens -= (double) bytes;
}

bool
rs_bucket_take (rs_bucket_t *b, size_t bytes, int64_t now_ms)
{
    if (!rs_bucket_ready (b, now_ms))
        return false;
    rs_bucket_debit (b, bytes);
    return true;
}
