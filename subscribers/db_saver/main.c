/*  rigstream-saver: the rig's data recorder. Stores telemetry, events, KPIs
    and alerts from the broker into SQLite through rs_store, as a durable
    subscriber: at start-up it tells the SDK what the database already holds
    for each stream, so what was published while it was down is repaired
    from the publishers' journals, and losses that cannot be repaired are
    recorded as permanent gaps. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "rs_clock.h"
#include "rs_config.h"
#include "rs_curve.h"
#include "rs_log.h"
#include "rs_store.h"
#include "rs_sub.h"

#define MAX_TOPICS 16
//  Time the timer may spend catching up on a backlog before the loop reads
//  the socket again.
#define TICK_BUDGET_MS 50

static const rs_option_t s_options[] = {
    RS_OPTIONS_BROKER_CLIENT,
    { "db", "DATABASE_PATH", RS_OPT_STRING, "./data/rigstream.db",
      "SQLite database file (its directory is created if missing)", 0, 0 },
    { "batch-rows", "DB_BATCH_ROWS", RS_OPT_INT, "1000", "rows per transaction", 1, 1000000 },
    { "flush-ms", "DB_FLUSH_MS", RS_OPT_INT, "200", "longest time a row waits in memory before a write, ms",
      10, 60000 },
    { "retention-days", "DB_RETENTION_DAYS", RS_OPT_INT, "30",
      "days of raw samples and KPIs to keep, by sample time (0 = forever)", 0, 100000 },
    { "agg-retention-days", "DB_AGG_RETENTION_DAYS", RS_OPT_INT, "365",
      "days of 1-minute and 1-hour aggregates to keep (0 = forever)", 0, 100000 },
    { "buffer-max", "DB_BUFFER_MAX", RS_OPT_INT, "1000000",
      "rows held in memory while the database cannot be written (about 200 bytes each)", 1000, 100000000 },
    { "topics", "SAVER_TOPICS", RS_OPT_STRING, "telemetry.,event.,kpi.,alert.",
      "comma-separated topic prefixes to store", 0, 0 },
    { "rcvhwm", "SAVER_RCVHWM", RS_OPT_INT, "1000000",
      "messages queued for the saver while it writes (absorbs write stalls and bursts; ~500 bytes each when full)",
      1000, 100000000 },
    RS_OPTION_END
};

typedef struct {
    rs_store_t *store;
    rs_sub_t *sub;
    bool subscribed;
    int resumed;
    const char *topics_text;
    const char *endpoint;
    const char *path;
} saver_t;

static int
s_on_message (rs_sub_t *sub, const rs_msg_t *msg, void *arg)
{
    (void) sub;
    saver_t *self = (saver_t *) arg;
    int64_t now = rs_clock_mono_ms ();
    rs_store_add (self->store, msg, now);
    //  A full batch is written at once; a partial one waits for the timer.
    rs_store_tick (self->store, now);
    return 0;
}

static void
s_on_gap (rs_sub_t *sub, const rs_gap_t *gap, void *arg)
{
    (void) sub;
    saver_t *self = (saver_t *) arg;
    if (!gap->permanent)
        return;
    rs_store_add_gap (self->store, gap->pub, gap->topic, gap->epoch, gap->from_seq, gap->to_seq,
                      rs_clock_mono_ms ());
}

static int
s_on_timer (rs_sub_t *sub, void *arg)
{
    saver_t *self = (saver_t *) arg;
    if (!self->subscribed && rs_sub_stats (sub)->broker_up) {
        //  The broker's heartbeat came through our subscription: from now on
        //  nothing published on our topics is missed.
        self->subscribed = true;
        rs_info ("ready: subscribed to %s at %s, saving into %s (%d stream(s) resumed)", self->topics_text,
                 self->endpoint, self->path, self->resumed);
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
    saver_t *self = (saver_t *) arg;
    rs_store_prune (self->store, rs_clock_now_us ());
    return 0;
}

static size_t
s_stats (rs_sub_t *sub, rs_value_t *out, size_t max, void *arg)
{
    (void) sub;
    saver_t *self = (saver_t *) arg;
    const rs_store_stats_t *s = rs_store_stats (self->store);
    int64_t now = rs_clock_mono_ms ();
    rs_value_t stats[] = {
        { "stored", -1, (double) s->stored },
        { "ignored", -1, (double) s->ignored },
        { "batches", -1, (double) s->batches },
        { "buffered", -1, (double) s->buffered },
        { "write_errors", -1, (double) s->write_errors },
        { "dropped", -1, (double) s->dropped },
        { "gaps_recorded", -1, (double) s->gaps },
        { "pruned", -1, (double) s->pruned },
        { "db_bytes", -1, (double) s->db_bytes },
        { "db_ok", -1, s->db_ok ? 1.0 : 0.0 },
        { "last_flush_ms", -1, (double) s->last_flush_ms },
        { "flush_age_ms", -1, s->last_flush_at_ms ? (double) (now - s->last_flush_at_ms) : -1.0 },
    };
    size_t n = sizeof stats / sizeof stats[0];
    if (n > max)
        n = max;
    memcpy (out, stats, n * sizeof *out);
    return n;
}

static void
s_resume (const char *pub, const char *topic, uint64_t epoch, uint64_t mark, void *arg)
{
    saver_t *self = (saver_t *) arg;
    if (rs_sub_resume (self->sub, pub, topic, epoch, mark) == 0)
        self->resumed++;
}

//  Creates the database's directory and its parents. Returns 0 or -1 (logged).
static int
s_make_parent (const char *path)
{
    char dir[4096];
    if (snprintf (dir, sizeof dir, "%s", path) >= (int) sizeof dir) {
        rs_error ("database path too long: %s", path);
        return -1;
    }
    char *slash = strrchr (dir, '/');
    if (!slash || slash == dir)
        return 0;
    *slash = '\0';
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir (dir, 0775) != 0 && errno != EEXIST) {
            rs_error ("cannot create directory %s for the database: %s", dir, strerror (errno));
            return -1;
        }
        *p = '/';
    }
    if (mkdir (dir, 0775) != 0 && errno != EEXIST) {
        rs_error ("cannot create directory %s for the database: %s", dir, strerror (errno));
        return -1;
    }
    return 0;
}

int
main (int argc, char **argv)
{
    //  SQLite's memory statistics cost a lock per allocation; nothing reads them.
    sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);
    rs_config_t *cfg = rs_config_new ("rigstream-saver", "store rigstream data in SQLite", s_options, NULL);
    int rc = rs_config_start (&cfg, argc, argv, "db_saver");
    if (rc >= 0)
        return rc;
    saver_t self = { .topics_text = rs_config_str (cfg, "topics"), .path = rs_config_str (cfg, "db") };
    char topics_buf[1024];
    const char *topics[MAX_TOPICS + 1];
    int n = rs_config_list (cfg, "topics", topics_buf, sizeof topics_buf, topics, MAX_TOPICS);
    if (n < 0) {
        fprintf (stderr, "rigstream-saver: --topics: at most %d prefixes\n", MAX_TOPICS);
        rs_config_destroy (&cfg);
        return 2;
    }

    //  A directory that cannot be created is reported here and again by the
    //  store, which keeps buffering and retrying (someone may fix it).
    s_make_parent (self.path);
    rs_store_opts_t sopts = {
        .path = self.path,
        .batch_rows = (int) rs_config_int (cfg, "batch-rows"),
        .flush_ms = (int) rs_config_int (cfg, "flush-ms"),
        .retention_days = (int) rs_config_int (cfg, "retention-days"),
        .agg_retention_days = (int) rs_config_int (cfg, "agg-retention-days"),
        .buffer_max = (size_t) rs_config_int (cfg, "buffer-max"),
    };
    self.store = rs_store_new (&sopts);
    if (!self.store) {
        rs_config_destroy (&cfg);
        return 1;
    }
    if (rs_store_open (self.store, rs_clock_mono_ms ()) != 0)
        rs_warn ("starting without the database: data is kept in memory (up to %ld rows) until it can be written",
                 rs_config_int (cfg, "buffer-max"));

    rs_curve_t *curve = rs_curve_new_config (cfg);
    if (!curve) {
        rs_store_destroy (&self.store);
        rs_config_destroy (&cfg);
        return 2;
    }
    char sub_ep[256], pub_ep[256];
    rs_config_broker_endpoint (cfg, true, sub_ep, sizeof sub_ep);
    rs_config_broker_endpoint (cfg, false, pub_ep, sizeof pub_ep);
    self.endpoint = sub_ep;
    rs_sub_opts_t opts = {
        .component = "db_saver",
        .sub_endpoint = sub_ep,
        .pub_endpoint = pub_ep,
        .topics = n ? topics : NULL,
        .heartbeat_ms = (int) rs_config_int (cfg, "heartbeat-ms"),
        .rcvhwm = (int) rs_config_int (cfg, "rcvhwm"),
        .on_message = s_on_message,
        .arg = &self,
        .durable = true,
        .on_gap = s_on_gap,
        .curve = curve,
    };
    self.sub = rs_sub_new (&opts);
    if (!self.sub) {
        rs_store_destroy (&self.store);
        rs_curve_destroy (&curve);
        rs_config_destroy (&cfg);
        return 1;
    }
    if (rs_store_foreach_resume (self.store, s_resume, &self) < 0)
        rs_warn ("no stream resumed: the database is not available yet, so what was published while the "
                 "saver was down cannot be repaired in this run");
    rs_sub_set_stats_fn (self.sub, s_stats, &self);
    int flush_ms = (int) rs_config_int (cfg, "flush-ms");
    rs_sub_timer (self.sub, flush_ms < 50 ? flush_ms : 50, s_on_timer, &self);
    rs_sub_timer (self.sub, 1000, s_on_prune, &self);
    rc = rs_sub_run (self.sub);

    //  Stopped (SIGTERM/SIGINT): write what is still in memory.
    size_t left = rs_store_drain (self.store, 5000);
    const rs_store_stats_t *st = rs_store_stats (self.store);
    const rs_sub_stats_t *ss = rs_sub_stats (self.sub);
    rs_info ("stopped: %llu received, %llu stored, %llu already stored, %llu gap(s) recorded, %llu batches, "
             "%llu write error(s), %llu dropped, %zu not written",
             (unsigned long long) ss->delivered, (unsigned long long) st->stored,
             (unsigned long long) st->ignored, (unsigned long long) st->gaps,
             (unsigned long long) st->batches, (unsigned long long) st->write_errors,
             (unsigned long long) st->dropped, left);
    if (left > 0)
        rs_error ("%zu row(s) could not be written to %s before exit and are lost", left, self.path);
    int exit_code = rc == 0 && left == 0 && st->dropped == 0 ? 0 : 1;
    rs_sub_destroy (&self.sub);
    rs_store_destroy (&self.store);
    rs_curve_destroy (&curve);
    rs_config_destroy (&cfg);
    return exit_code;
}
