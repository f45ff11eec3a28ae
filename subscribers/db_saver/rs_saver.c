/*  rs_saver: rigstream-saver's engine, the wiring of the subscriber SDK to
    the store (rs_store): messages and permanent gaps in, batches written on
    a timer within a time budget, old rows pruned, the streams the database
    holds resumed at start so the SDK repairs what was missed. */
#include "rs_saver.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "rs_clock.h"
#include "rs_dirs.h"
#include "rs_log.h"
#include "rs_store.h"

//  Time the timer may spend catching up on a backlog before the loop reads
//  the socket again.
#define TICK_BUDGET_MS 50

struct rs_saver_t {
    rs_store_t *store;
    rs_sub_t *sub;
    bool subscribed;
    int resumed;
    int flush_ms;
    const char *topics_text;
    const char *path;
};

int
rs_saver_message (rs_sub_t *sub, const rs_msg_t *msg, void *arg)
{
    (void) sub;
    rs_saver_t *self = (rs_saver_t *) arg;
    int64_t now = rs_clock_mono_ms ();
    rs_store_add (self->store, msg, now);
    //  A full batch is written at once; a partial one waits for the timer.
    rs_store_tick (self->store, now);
    return 0;
}

void
rs_saver_gap (rs_sub_t *sub, const rs_gap_t *gap, void *arg)
{
    (void) sub;
    rs_saver_t *self = (rs_saver_t *) arg;
    if (!gap->permanent)
        return;
    rs_store_add_gap (self->store, gap->pub, gap->topic, gap->epoch, gap->from_seq, gap->to_seq,
                      rs_clock_mono_ms ());
}

//  A publisher stopped cleanly: its stream closes at last_seq, with no gap.
void
rs_saver_end (rs_sub_t *sub, const char *pub, const char *topic, uint64_t epoch, uint64_t last_seq, void *arg)
{
    (void) sub;
    rs_saver_t *self = (rs_saver_t *) arg;
    rs_store_add_end (self->store, pub, topic, epoch, last_seq, rs_clock_mono_ms ());
}

static int
s_on_timer (rs_sub_t *sub, void *arg)
{
    rs_saver_t *self = (rs_saver_t *) arg;
    if (!self->subscribed && rs_sub_stats (sub)->broker_up) {
        //  The broker's heartbeat came through our subscription: from now on
        //  nothing published on our topics is missed.
        self->subscribed = true;
        rs_info ("ready: subscribed to %s at %s, saving into %s (%d stream(s) resumed)", self->topics_text,
                 rs_sub_endpoint (sub), self->path, self->resumed);
    }
    int64_t start = rs_clock_mono_ms ();
    while (rs_store_tick (self->store, rs_clock_mono_ms ()) > 0 && rs_clock_mono_ms () - start < TICK_BUDGET_MS)
        ;
    return 0;
}

static int
s_on_prune (rs_sub_t *sub, void *arg)
{
    (void) sub;
    rs_saver_t *self = (rs_saver_t *) arg;
    rs_store_prune (self->store, rs_clock_now_us ());
    return 0;
}

void
rs_saver_stats (rs_sub_t *sub, rs_sub_report_t *r, void *arg)
{
    (void) sub;
    rs_saver_t *self = (rs_saver_t *) arg;
    const rs_store_stats_t *s = rs_store_stats (self->store);
    rs_sub_report_add (r, "stored", (double) s->stored);
    rs_sub_report_add (r, "ignored", (double) s->ignored);
    rs_sub_report_add (r, "batches", (double) s->batches);
    rs_sub_report_add (r, "buffered", (double) s->buffered);
    rs_sub_report_add (r, "write_errors", (double) s->write_errors);
    rs_sub_report_add (r, "dropped", (double) s->dropped);
    rs_sub_report_add (r, "gaps_recorded", (double) s->gaps);
    rs_sub_report_add (r, "pruned", (double) s->pruned);
    rs_sub_report_add (r, "db_bytes", (double) s->db_bytes);
    rs_sub_report_add (r, "db_ok", s->db_ok ? 1.0 : 0.0);
    rs_sub_report_add (r, "last_flush_ms", (double) s->last_flush_ms);
    rs_sub_report_add (r, "flush_age_ms",
                       s->last_flush_at_ms ? (double) (rs_clock_mono_ms () - s->last_flush_at_ms) : -1.0);
}

static void
s_resume (const char *pub, const char *topic, uint64_t epoch, uint64_t mark, void *arg)
{
    rs_saver_t *self = (rs_saver_t *) arg;
    if (rs_sub_resume (self->sub, pub, topic, epoch, mark) == 0)
        self->resumed++;
}

//  Opens the store (the database may come later: rows wait in memory).
int
rs_saver_setup (rs_config_t *cfg, rs_sub_opts_t *opts, void *arg)
{
    rs_saver_t *self = (rs_saver_t *) arg;
    //  SQLite's memory statistics cost a lock per allocation; nothing reads them.
    sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);
    self->topics_text = rs_config_str (cfg, "topics");
    self->path = rs_config_str (cfg, "db");
    self->flush_ms = (int) rs_config_int (cfg, "flush-ms");
    opts->rcvhwm = (int) rs_config_int (cfg, "rcvhwm");
    opts->drain_ms = (int) rs_config_int (cfg, "stop-grace-ms");
    //  A directory that cannot be created is reported here and again by the
    //  store, which keeps buffering and retrying (someone may fix it).
    char dir[4096];
    if (rs_dirs_make_parent (self->path, dir, sizeof dir) != RS_OK)
        rs_error ("cannot create directory %s for the database: %s", dir, strerror (errno));
    rs_store_opts_t sopts = {
        .path = self->path,
        .batch_rows = (int) rs_config_int (cfg, "batch-rows"),
        .flush_ms = self->flush_ms,
        .retention_days = (int) rs_config_int (cfg, "retention-days"),
        .agg_retention_days = (int) rs_config_int (cfg, "agg-retention-days"),
        .buffer_max = (size_t) rs_config_int (cfg, "buffer-max"),
    };
    self->store = rs_store_new (&sopts);
    if (!self->store)
        return RS_E_NOMEM;
    if (rs_store_open (self->store, rs_clock_mono_ms ()) != 0)
        rs_warn ("starting without the database: data is kept in memory (up to %zu rows) until it can be written",
                 sopts.buffer_max);
    return RS_OK;
}

//  Resumes every stream the database holds, then writes on timers.
int
rs_saver_start (rs_sub_t *sub, void *arg)
{
    rs_saver_t *self = (rs_saver_t *) arg;
    self->sub = sub;
    if (rs_store_foreach_resume (self->store, s_resume, self) < 0)
        rs_warn ("no stream resumed: the database is not available yet, so what was published while the "
                 "saver was down cannot be repaired in this run");
    if (rs_sub_timer (sub, self->flush_ms < 50 ? self->flush_ms : 50, s_on_timer, self) != RS_OK
        || rs_sub_timer (sub, 1000, s_on_prune, self) != RS_OK)
        return RS_E_NOMEM;
    return RS_OK;
}

//  Stopped (SIGTERM/SIGINT): write what is still in memory.
int
rs_saver_stop (rs_sub_t *sub, char *summary, size_t size, void *arg)
{
    (void) sub;
    rs_saver_t *self = (rs_saver_t *) arg;
    size_t left = rs_store_drain (self->store, 5000);
    const rs_store_stats_t *st = rs_store_stats (self->store);
    snprintf (summary, size, "%llu stored, %llu already stored, %llu gap(s) recorded, %llu batches, "
              "%llu write error(s), %llu dropped, %zu not written",
              (unsigned long long) st->stored, (unsigned long long) st->ignored, (unsigned long long) st->gaps,
              (unsigned long long) st->batches, (unsigned long long) st->write_errors,
              (unsigned long long) st->dropped, left);
    if (left > 0)
        rs_error ("%zu row(s) could not be written to %s before exit and are lost", left, self->path);
    return left == 0 && st->dropped == 0 ? RS_OK : RS_E_IO;
}

void
rs_saver_free (void *arg)
{
    rs_saver_t *self = (rs_saver_t *) arg;
    rs_store_destroy (&self->store);
}

rs_saver_t *
rs_saver_new (void)
{
    return calloc (1, sizeof (rs_saver_t));
}

void
rs_saver_destroy (rs_saver_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free (*self_p);
    *self_p = NULL;
}
