/*  Sequence tracking: gaps, duplicates, restarts, time going backwards. */
#include "rs_seqtrack.h"
#include "rs_test.h"

static void
count_streams (const rs_stream_info_t *info, void *arg)
{
    (void) info;
    (*(int *) arg)++;
}

int
main (void)
{
    rs_seqtrack_t *t = rs_seqtrack_new ();
    uint64_t missing = 99;
    RS_CHECK_INT (rs_seqtrack_check (t, "sim", "telemetry.A", 10, 5, 100, &missing), RS_SEQ_FIRST);
    RS_CHECK_INT (missing, 0);
    RS_CHECK_INT (rs_seqtrack_check (t, "sim", "telemetry.A", 10, 6, 200, &missing), RS_SEQ_NEXT);
    RS_CHECK_INT (rs_seqtrack_check (t, "sim", "telemetry.A", 10, 10, 300, &missing), RS_SEQ_GAP);
    RS_CHECK_INT (missing, 3);
    RS_CHECK_INT (rs_seqtrack_check (t, "sim", "telemetry.A", 10, 10, 300, &missing), RS_SEQ_DUP);
    RS_CHECK_INT (rs_seqtrack_check (t, "sim", "telemetry.A", 10, 2, 300, &missing), RS_SEQ_DUP);
    //  Same publisher, another topic: its own series.
    RS_CHECK_INT (rs_seqtrack_check (t, "sim", "event.A", 10, 1, 300, &missing), RS_SEQ_FIRST);
    //  Another publisher, same topic: its own series.
    RS_CHECK_INT (rs_seqtrack_check (t, "sim2", "telemetry.A", 3, 1, 300, &missing), RS_SEQ_FIRST);
    //  Time going backwards is counted but the message is still in order.
    RS_CHECK_INT (rs_seqtrack_check (t, "sim", "telemetry.A", 10, 11, 250, &missing), RS_SEQ_NEXT);
    //  Restart: a larger epoch starts afresh at 1; an older one is dropped.
    RS_CHECK_INT (rs_seqtrack_check (t, "sim", "telemetry.A", 11, 1, 400, &missing), RS_SEQ_NEW_EPOCH);
    RS_CHECK_INT (rs_seqtrack_check (t, "sim", "telemetry.A", 10, 12, 400, &missing), RS_SEQ_OLD_EPOCH);
    RS_CHECK_INT (rs_seqtrack_check (t, "sim", "telemetry.A", 11, 2, 500, NULL), RS_SEQ_NEXT);
    RS_CHECK_INT (rs_seqtrack_size (t), 3);
    int n = 0;
    rs_seqtrack_foreach (t, count_streams, &n);
    RS_CHECK_INT (n, 3);
    RS_CHECK_STR (rs_seq_result_name (RS_SEQ_GAP), "gap");
    //  Seeding from storage: the next live message reveals what was missed.
    uint64_t epoch = 0, last = 0;
    RS_CHECK_INT (rs_seqtrack_last (t, "saver-src", "telemetry.Z", &epoch, &last), -1);
    RS_CHECK_INT (rs_seqtrack_seed (t, "saver-src", "telemetry.Z", 4, 100), 0);
    RS_CHECK_INT (rs_seqtrack_last (t, "saver-src", "telemetry.Z", &epoch, &last), 0);
    RS_CHECK_INT (epoch, 4);
    RS_CHECK_INT (last, 100);
    RS_CHECK_INT (rs_seqtrack_check (t, "saver-src", "telemetry.Z", 4, 150, 1, &missing), RS_SEQ_GAP);
    RS_CHECK_INT (missing, 49);
    //  Seeding an existing stream moves it (a tail announced by a heartbeat).
    RS_CHECK_INT (rs_seqtrack_seed (t, "saver-src", "telemetry.Z", 4, 160), 0);
    RS_CHECK_INT (rs_seqtrack_check (t, "saver-src", "telemetry.Z", 4, 161, 2, &missing), RS_SEQ_NEXT);
    rs_seqtrack_destroy (&t);
    RS_CHECK (t == NULL);
    return RS_TEST_DONE ();
}
