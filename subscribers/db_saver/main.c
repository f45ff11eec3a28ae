/*  rigstream-saver: the rig's data recorder. Stores telemetry, events, KPIs
    and alerts from the broker into SQLite through rs_store, as a durable
    subscriber: at start-up it tells the SDK what the database already holds
    for each stream, so what was published while it was down is repaired
    from the publishers' journals, and losses that cannot be repaired are
    recorded as permanent gaps. A publisher's end-of-stream closes its
    streams without a gap; one that restarted without it leaves an
    "unknown tail" row, told apart from a proven loss. This file is the
    options; rs_saver is the engine. */
#include <stdlib.h>

#include "rs_saver.h"
#include "rs_sub.h"

static const rs_option_t s_options[] = {
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
    { "topics", "SAVER_TOPICS", RS_OPT_STRING, "telemetry.,event.,kpi.,alert.,audit.",
      "comma-separated topic prefixes to store", 0, 0 },
    { "rcvhwm", "SAVER_RCVHWM", RS_OPT_INT, "1000000",
      "messages queued for the saver while it writes (absorbs write stalls and bursts; ~500 bytes each when full)",
      1000, 100000000 },
    { "stop-grace-ms", "SAVER_STOP_GRACE_MS", RS_OPT_INT, "3000",
      "on SIGTERM/SIGINT, how long to read on for publishers stopping at the same time to send their last "
      "messages and end-of-stream (0 = stop at once)", 0, 60000 },
    RS_OPTION_END
};

int
main (int argc, char **argv)
{
    rs_saver_t *self = rs_saver_new ();
    const rs_sub_def_t def = {
        .component = "db_saver",
        .program = "rigstream-saver",
        .usage = "store rigstream data in SQLite",
        .options = s_options,
        .topics_option = "topics",
        .durable = true,
        .own_ready_line = true,
        .on_setup = rs_saver_setup,
        .on_start = rs_saver_start,
        .on_message = rs_saver_message,
        .on_gap = rs_saver_gap,
        .on_end = rs_saver_end,
        .on_stats = rs_saver_stats,
        .on_stop = rs_saver_stop,
        .on_free = rs_saver_free,
        .arg = self,
    };
    int rc = self ? rs_sub_main (&def, argc, argv) : EXIT_FAILURE;
    rs_saver_destroy (&self);
    return rc;
}
