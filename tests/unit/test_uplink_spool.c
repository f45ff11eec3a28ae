/*  rs_spool: records come back in order, go on acknowledgement, survive a
    reopen together with marks and state; the byte and age bounds drop the
    oldest records first and count them, across restarts too; the `late`
    flag survives, and an older file without it opens. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rs_spool.h"
#include "rs_test.h"

static int s_marks;

static void
s_mark (const char *pub, const char *topic, uint64_t epoch, uint64_t seq, void *arg)
{
    (void) arg;
    if (strcmp (pub, "sim") == 0 && strcmp (topic, "telemetry.A-01") == 0 && epoch == 5 && seq == 30)
        s_marks++;
}

int
main (void)
{
    char path[] = "/tmp/test_uplink_spool_XXXXXX";
    int fd = mkstemp (path);
    RS_CHECK (fd >= 0);
    close (fd);
    unlink (path);
    rs_spool_opts_t o = { .path = path };
    rs_spool_t *s = rs_spool_new (&o);
    RS_CHECK (s != NULL);
    char data[100];
    memset (data, 'x', sizeof data);
    for (int i = 1; i <= 30; i++)
        RS_CHECK_INT (rs_spool_add (s, i % 2 ? "A-01" : "A-02", 0, (uint64_t) i, 1000 * i, i % 7 == 0, data, sizeof data), 0);
    RS_CHECK_INT (rs_spool_set_mark (s, "sim", "telemetry.A-01", 5, 29), 0);
    RS_CHECK_INT (rs_spool_set_mark (s, "sim", "telemetry.A-01", 5, 30), 0);
    rs_spool_rec_t r[64];
    RS_CHECK_INT (rs_spool_read (s, 0, 0, r, 64), 0);        // not flushed yet
    RS_CHECK_INT (rs_spool_stats (s)->pending, 30);
    RS_CHECK_INT (rs_spool_flush (s, 0), 0);
    RS_CHECK_INT (rs_spool_stats (s)->queued, 30);
    RS_CHECK_INT (rs_spool_stats (s)->queued_bytes, 30 * (100 + 4 + 32));
    int n = rs_spool_read (s, 0, 0, r, 10);
    RS_CHECK_INT (n, 10);
    RS_CHECK_INT (r[0].seq, 1);
    RS_CHECK_STR (r[0].well, "A-01");
    RS_CHECK_STR (r[1].well, "A-02");
    RS_CHECK_INT (r[9].ts_ms, 10000);
    RS_CHECK (!r[5].late && r[6].late && !r[7].late);      // seq 7 was recovered from a journal
    RS_CHECK (r[9].size == 100 && memcmp (r[9].data, data, 100) == 0);
    RS_CHECK_INT (rs_spool_read (s, r[9].id, r[9].id + 5, r, 64), 5);
    RS_CHECK_INT (r[0].seq, 11);
    RS_CHECK_INT (rs_spool_oldest_ts (s), 1000);
    //  Acknowledge the first five; one twice (harmless).
    rs_spool_read (s, 0, 0, r, 5);
    for (int i = 0; i < 5; i++)
        rs_spool_ack (s, r[i].id);
    rs_spool_ack (s, r[0].id);
    RS_CHECK_INT (rs_spool_flush (s, 0), 0);
    RS_CHECK_INT (rs_spool_stats (s)->queued, 25);
    RS_CHECK_INT (rs_spool_stats (s)->acked, 5);
    RS_CHECK_INT (rs_spool_oldest_ts (s), 6000);
    RS_CHECK_INT (rs_spool_state_set (s, "bdseq", 41), 0);
    int64_t last = rs_spool_last_id (s);
    RS_CHECK_INT (last, 30);
    rs_spool_destroy (&s);

    //  Reopen: the rest is there, with the mark and the state.
    s = rs_spool_new (&o);
    RS_CHECK (s != NULL);
    RS_CHECK_INT (rs_spool_stats (s)->queued, 25);
    RS_CHECK_INT (rs_spool_stats (s)->queued_bytes, 25 * 136);
    RS_CHECK_INT (rs_spool_state_get (s, "bdseq", 0), 41);
    RS_CHECK_INT (rs_spool_state_get (s, "nothing", -7), -7);
    RS_CHECK_INT (rs_spool_foreach_mark (s, s_mark, NULL), 1);
    RS_CHECK_INT (s_marks, 1);
    RS_CHECK_INT (rs_spool_last_id (s), 30);
    n = rs_spool_read (s, 0, 0, r, 64);
    RS_CHECK_INT (n, 25);
    RS_CHECK_INT (r[0].seq, 6);
    RS_CHECK (!r[0].late && r[1].late && r[8].late && !r[9].late);     // seq 7 and 14 kept their flag
    //  Ids never go back, even after the last rows are deleted.
    for (int i = 0; i < n; i++)
        rs_spool_ack (s, r[i].id);
    rs_spool_flush (s, 0);
    RS_CHECK_INT (rs_spool_stats (s)->queued, 0);
    RS_CHECK_INT (rs_spool_stats (s)->queued_bytes, 0);
    rs_spool_destroy (&s);
    s = rs_spool_new (&o);
    rs_spool_add (s, "A-01", 0, 31, 31000, false, data, 10);
    rs_spool_flush (s, 0);
    RS_CHECK_INT (rs_spool_last_id (s), 31);
    //  A stream that ended complete is forgotten: a restart resumes nothing
    //  of it. Only its own epoch: a newer incarnation's mark stays.
    RS_CHECK_INT (rs_spool_end_mark (s, "sim", "telemetry.A-01", 5), 0);
    RS_CHECK_INT (rs_spool_set_mark (s, "sim", "telemetry.A-02", 6, 9), 0);
    rs_spool_flush (s, 0);
    RS_CHECK_INT (rs_spool_end_mark (s, "sim", "telemetry.A-02", 5), 0);
    rs_spool_flush (s, 0);
    s_marks = 0;
    RS_CHECK_INT (rs_spool_foreach_mark (s, s_mark, NULL), 1);
    RS_CHECK_INT (s_marks, 0);
    rs_spool_destroy (&s);

    //  Byte bound: 1,000 bytes hold 7 records of 136; the oldest go first.
    o.max_bytes = 1000;
    s = rs_spool_new (&o);
    RS_CHECK_INT (rs_spool_stats (s)->queued, 1);
    for (int i = 1; i <= 20; i++)
        rs_spool_add (s, "A-01", 0, (uint64_t) (100 + i), 100000 + i, false, data, sizeof data);
    int dropped = rs_spool_flush (s, 0);
    RS_CHECK_INT (rs_spool_stats (s)->queued, 7);
    RS_CHECK_INT (dropped, 14);
    RS_CHECK (rs_spool_stats (s)->queued_bytes <= 1000);
    RS_CHECK_INT (rs_spool_stats (s)->dropped, 14);
    n = rs_spool_read (s, 0, 0, r, 64);
    RS_CHECK_INT (n, 7);
    RS_CHECK_INT (r[0].seq, 114);
    RS_CHECK_INT (r[6].seq, 120);
    //  An ack for a dropped record changes nothing.
    rs_spool_ack (s, 5);
    rs_spool_flush (s, 0);
    RS_CHECK_INT (rs_spool_stats (s)->queued, 7);
    rs_spool_destroy (&s);

    //  Age bound, by sample time; the drop count survives the restart.
    o.max_bytes = 0;
    o.max_days = 1;
    s = rs_spool_new (&o);
    RS_CHECK_INT (rs_spool_stats (s)->dropped, 14);
    RS_CHECK_INT (rs_spool_stats (s)->dropped_run, 0);
    int64_t now = 10LL * 86400000;
    rs_spool_add (s, "A-01", 0, 200, now - 2 * 86400000LL, false, data, 10);
    rs_spool_add (s, "A-01", 0, 201, now - 1000, false, data, 10);
    dropped = rs_spool_flush (s, now);
    RS_CHECK_INT (dropped, 8);                               // the 7 old ones and seq 200
    RS_CHECK_INT (rs_spool_stats (s)->queued, 1);
    RS_CHECK_INT (rs_spool_stats (s)->dropped, 22);
    rs_spool_destroy (&s);
    s = rs_spool_new (&o);
    RS_CHECK_INT (rs_spool_stats (s)->dropped, 22);
    rs_spool_destroy (&s);

    //  A spool written before the `late` column: opened, its records not late.
    unlink (path);
    sqlite3 *db = NULL;
    RS_CHECK (sqlite3_open (path, &db) == SQLITE_OK);
    RS_CHECK (sqlite3_exec (db, "CREATE TABLE queue (id INTEGER PRIMARY KEY AUTOINCREMENT, well TEXT NOT NULL, "
                            "kind INTEGER NOT NULL, seq INTEGER NOT NULL, ts_ms INTEGER NOT NULL, bytes INTEGER NOT "
                            "NULL, data BLOB NOT NULL); INSERT INTO queue (well, kind, seq, ts_ms, bytes, data) "
                            "VALUES ('A-01', 0, 9, 9000, 40, x'80');", NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close (db);
    s = rs_spool_new (&o);
    RS_CHECK (s != NULL);
    rs_spool_add (s, "A-01", 0, 10, 10000, true, data, 10);
    rs_spool_flush (s, 0);
    RS_CHECK_INT (rs_spool_read (s, 0, 0, r, 64), 2);
    RS_CHECK (r[0].seq == 9 && !r[0].late && r[1].seq == 10 && r[1].late);
    rs_spool_destroy (&s);

    //  A file that cannot be opened is refused with NULL.
    rs_spool_opts_t bad = { .path = "/nonexistent-dir/x/spool.db" };
    RS_CHECK (rs_spool_new (&bad) == NULL);

    unlink (path);
    char side[512];
    snprintf (side, sizeof side, "%s-wal", path);
    unlink (side);
    snprintf (side, sizeof side, "%s-shm", path);
    unlink (side);
    return RS_TEST_DONE ();
}
