/*  rs_webcost: what history and export requests may cost. See rs_webcost.h. */
#include "rs_webcost.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rs_websec.h"

#define CLIENTS 256                 //  client entries; idle ones are reused first
#define KEY_MAX 64

//  A budget as a debt that is paid back continuously: work is admitted
//  while the debt is under one minute's budget.
typedef struct {
    double debt;
    double per_min;                 //  0 = no budget
} s_budget_t;

typedef struct {
    char key[KEY_MAX];
    int active;
    int64_t seen_ms;
    s_budget_t rows, cpu;
} s_client_t;

struct rs_webcost_t {
    pthread_mutex_t lock;
    pthread_cond_t freed;           //  a slot was given back
    rs_webcost_opts_t opts;
    int64_t last_ms;                //  when the budgets were last paid back
    int active;
    s_budget_t rows, cpu;           //  every client together
    s_client_t clients[CLIENTS];
    bool trim;
    uint64_t admitted, refused_busy, refused_budget, rows_total;
    double cpu_total_ms;
};

rs_webcost_t *
rs_webcost_new (const rs_webcost_opts_t *opts)
{
    rs_webcost_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->opts = *opts;
    if (self->opts.max_active <= 0)
        self->opts.max_active = 2;
    if (self->opts.max_active_client <= 0)
        self->opts.max_active_client = 1;
    self->rows.per_min = opts->total_rows_min;
    self->cpu.per_min = opts->total_cpu_ms_min;
    pthread_mutex_init (&self->lock, NULL);
    pthread_cond_init (&self->freed, NULL);
    return self;
}

void
rs_webcost_destroy (rs_webcost_t **self_p)
{
    rs_webcost_t *self = *self_p;
    if (!self)
        return;
    pthread_mutex_destroy (&self->lock);
    pthread_cond_destroy (&self->freed);
    free (self);
    *self_p = NULL;
}

const char *
rs_webcost_client (const char *remote_addr)
{
    if (!remote_addr)
        return "";
    return rs_websec_host_is_loopback (remote_addr) ? "loopback" : remote_addr;
}

static void
s_pay (s_budget_t *b, double elapsed_ms)
{
    if (b->per_min > 0)
        b->debt = fmax (0, b->debt - b->per_min * elapsed_ms / 60000.0);
}

//  Seconds until the debt is back under the budget; 0 when it is already.
static int
s_wait_s (const s_budget_t *b)
{
    if (b->per_min <= 0 || b->debt < b->per_min)
        return 0;
    double s = (b->debt - b->per_min) * 60.0 / b->per_min;
    return s < 1 ? 1 : (int) ceil (s);
}

//  Locked. Pays every budget back up to now.
static void
s_advance (rs_webcost_t *self, int64_t now_ms)
{
    double elapsed = self->last_ms && now_ms > self->last_ms ? (double) (now_ms - self->last_ms) : 0;
    self->last_ms = now_ms;
    if (elapsed <= 0)
        return;
    s_pay (&self->rows, elapsed);
    s_pay (&self->cpu, elapsed);
    for (int i = 0; i < CLIENTS; i++)
        if (self->clients[i].key[0]) {
            s_pay (&self->clients[i].rows, elapsed);
            s_pay (&self->clients[i].cpu, elapsed);
        }
}

//  Locked. The client's entry, made when new: a free entry, else the idle
//  one seen longest ago. -1 when every entry is busy.
static int
s_client (rs_webcost_t *self, const char *key, int64_t now_ms)
{
    int reuse = -1;
    for (int i = 0; i < CLIENTS; i++) {
        s_client_t *c = &self->clients[i];
        if (c->key[0] && strcmp (c->key, key) == 0)
            return i;
        if (c->active || (reuse >= 0 && !self->clients[reuse].key[0]))
            continue;
        if (reuse < 0 || !c->key[0] || c->seen_ms < self->clients[reuse].seen_ms)
            reuse = i;
    }
    if (reuse < 0)
        return -1;
    s_client_t *c = &self->clients[reuse];
    memset (c, 0, sizeof *c);
    snprintf (c->key, sizeof c->key, "%s", key);
    c->seen_ms = now_ms;
    c->rows.per_min = self->opts.client_rows_min;
    c->cpu.per_min = self->opts.client_cpu_ms_min;
    return reuse;
}

static int64_t
s_thread_cpu_ns (void)
{
    struct timespec ts;
    if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
s_refuse (rs_webcost_verdict_t *v, rs_webcost_reason_t reason, int wait_s, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

static int
s_refuse (rs_webcost_verdict_t *v, rs_webcost_reason_t reason, int wait_s, const char *fmt, ...)
{
    v->reason = reason;
    v->retry_after_s = wait_s < 1 ? 1 : wait_s;
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (v->message, sizeof v->message, fmt, ap);
    va_end (ap);
    return (int) reason;
}

int
rs_webcost_begin (rs_webcost_t *self, const char *remote_addr, int64_t now_ms, rs_webcost_ticket_t *ticket,
                  rs_webcost_verdict_t *v)
{
    memset (v, 0, sizeof *v);
    ticket->slot = -1;
    const char *key = rs_webcost_client (remote_addr);
    pthread_mutex_lock (&self->lock);
    s_advance (self, now_ms);
    int rc = 0, i = -1;
    //  A slot is usually free again within a request's time: wait that
    //  long (a second tab of the dashboard asks while the first is served).
    if (self->opts.wait_ms > 0) {
        struct timespec until;
        clock_gettime (CLOCK_REALTIME, &until);
        int64_t ns = until.tv_nsec + (int64_t) self->opts.wait_ms * 1000000;
        until.tv_sec += ns / 1000000000;
        until.tv_nsec = ns % 1000000000;
        for (;;) {
            int c = s_client (self, key, now_ms);
            if (self->active < self->opts.max_active && (c < 0 || self->clients[c].active
                                                                     < self->opts.max_active_client))
                break;
            if (pthread_cond_timedwait (&self->freed, &self->lock, &until) != 0)
                break;
        }
    }
    if (self->active >= self->opts.max_active)
        rc = s_refuse (v, RS_WEBCOST_BUSY, 1,
                       "history busy: %d history or export requests already running (WEB_HISTORY_CONCURRENT)",
                       self->opts.max_active);
    else if ((i = s_client (self, key, now_ms)) < 0)
        rc = s_refuse (v, RS_WEBCOST_BUSY, 1, "history busy: too many clients at once");
    else if (self->clients[i].active >= self->opts.max_active_client)
        rc = s_refuse (v, RS_WEBCOST_CLIENT_BUSY, 1,
                       "history busy: this client already runs %d history or export request%s "
                       "(WEB_HISTORY_CLIENT_CONCURRENT)", self->opts.max_active_client,
                       self->opts.max_active_client == 1 ? "" : "s");
    else if (s_wait_s (&self->clients[i].rows))
        rc = s_refuse (v, RS_WEBCOST_CLIENT_ROWS, s_wait_s (&self->clients[i].rows),
                       "history limit: this client read its %.0f rows per minute (WEB_HISTORY_CLIENT_ROWS)",
                       self->clients[i].rows.per_min);
    else if (s_wait_s (&self->clients[i].cpu))
        rc = s_refuse (v, RS_WEBCOST_CLIENT_CPU, s_wait_s (&self->clients[i].cpu),
                       "history limit: this client used its %.0f ms of CPU per minute (WEB_HISTORY_CLIENT_CPU_MS)",
                       self->clients[i].cpu.per_min);
    else if (s_wait_s (&self->rows))
        rc = s_refuse (v, RS_WEBCOST_TOTAL_ROWS, s_wait_s (&self->rows),
                       "history limit: the bridge read its %.0f rows per minute (WEB_HISTORY_TOTAL_ROWS)",
                       self->rows.per_min);
    else if (s_wait_s (&self->cpu))
        rc = s_refuse (v, RS_WEBCOST_TOTAL_CPU, s_wait_s (&self->cpu),
                       "history limit: the bridge used its %.0f ms of CPU per minute (WEB_HISTORY_TOTAL_CPU_MS)",
                       self->cpu.per_min);
    if (rc == 0) {
        self->active++;
        self->clients[i].active++;
        self->clients[i].seen_ms = now_ms;
        self->admitted++;
        ticket->slot = i;
    }
    else if (rc == RS_WEBCOST_BUSY || rc == RS_WEBCOST_CLIENT_BUSY)
        self->refused_busy++;
    else
        self->refused_budget++;
    pthread_mutex_unlock (&self->lock);
    if (rc == 0)
        ticket->cpu_start_ns = s_thread_cpu_ns ();
    return rc;
}

void
rs_webcost_charge (rs_webcost_t *self, rs_webcost_ticket_t *ticket, uint64_t rows, double cpu_ms, int64_t now_ms)
{
    if (ticket->slot < 0)
        return;
    pthread_mutex_lock (&self->lock);
    s_advance (self, now_ms);
    s_client_t *c = &self->clients[ticket->slot];
    if (c->active > 0)
        c->active--;
    if (self->active > 0)
        self->active--;
    c->seen_ms = now_ms;
    c->rows.debt += (double) rows;
    c->cpu.debt += cpu_ms;
    self->rows.debt += (double) rows;
    self->cpu.debt += cpu_ms;
    self->rows_total += rows;
    self->cpu_total_ms += cpu_ms;
    pthread_cond_broadcast (&self->freed);
    pthread_mutex_unlock (&self->lock);
    ticket->slot = -1;
}

double
rs_webcost_end (rs_webcost_t *self, rs_webcost_ticket_t *ticket, uint64_t rows, int64_t now_ms)
{
    if (ticket->slot < 0)
        return 0;
    double cpu_ms = (double) (s_thread_cpu_ns () - ticket->cpu_start_ns) / 1e6;
    if (cpu_ms < 0)
        cpu_ms = 0;
    rs_webcost_charge (self, ticket, rows, cpu_ms, now_ms);
    return cpu_ms;
}

void
rs_webcost_stats (rs_webcost_t *self, rs_webcost_stats_t *out)
{
    pthread_mutex_lock (&self->lock);
    out->admitted = self->admitted;
    out->refused_busy = self->refused_busy;
    out->refused_budget = self->refused_budget;
    out->rows = self->rows_total;
    out->cpu_ms = (uint64_t) self->cpu_total_ms;
    out->active = self->active;
    pthread_mutex_unlock (&self->lock);
}

void
rs_webcost_sent (rs_webcost_t *self, size_t bytes)
{
    if (bytes < RS_WEBCOST_TRIM_BYTES)
        return;
    pthread_mutex_lock (&self->lock);
    self->trim = true;
    pthread_mutex_unlock (&self->lock);
}

bool
rs_webcost_trim_due (rs_webcost_t *self)
{
    pthread_mutex_lock (&self->lock);
    bool due = self->trim;
    self->trim = false;
    pthread_mutex_unlock (&self->lock);
    return due;
}
