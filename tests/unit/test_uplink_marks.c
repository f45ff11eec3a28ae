/*  test_uplink_marks: the uplink's per-stream marks: in order, out of order
    while a hole is repaired, a lost tail, a restarted publisher, an old
    incarnation. */
#include "rs_marks.h"
#include "rs_test.h"
#include "rs_wm.h"

int
main (void)
{
    rs_marks_t *marks = rs_marks_new ();
    RS_CHECK (marks != NULL);
    //  Resumed at 10 (from the spool): nothing moves until 11 arrives.
    rs_mark_t *m = rs_marks_open (marks, "sim", "telemetry.W1", 5, 10);
    RS_CHECK (m != NULL);
    RS_CHECK_INT (rs_mark_value (m), 10);
    RS_CHECK_STR (rs_mark_pub (m), "sim");
    RS_CHECK_STR (rs_mark_topic (m), "telemetry.W1");
    RS_CHECK_INT (rs_mark_epoch (m), 5);
    RS_CHECK (rs_marks_open (marks, "sim", "telemetry.W1", 5, 99) == m);   //  same epoch: the same stream
    RS_CHECK_INT (rs_mark_value (m), 10);
    //  13 before 11 and 12 (a repaired hole): the mark waits, then jumps.
    RS_CHECK (!rs_mark_account (m, 13, 13));
    RS_CHECK (rs_mark_account (m, 11, 11));
    RS_CHECK_INT (rs_mark_value (m), 11);
    RS_CHECK (rs_mark_account (m, 12, 12));
    RS_CHECK_INT (rs_mark_value (m), 13);
    RS_CHECK (!rs_mark_account (m, 12, 12));    //  a duplicate moves nothing
    //  A permanent gap counts as accounted for.
    RS_CHECK (rs_mark_account (m, 14, 20));
    RS_CHECK_INT (rs_mark_value (m), 20);
    RS_CHECK (rs_marks_find (marks, "sim", "telemetry.W1", 5) == m);
    RS_CHECK (rs_marks_find (marks, "sim", "telemetry.W1", 4) == NULL);
    RS_CHECK (rs_marks_find (marks, "sim", "telemetry.W2", 5) == NULL);
    //  An older incarnation is ignored; a newer one starts afresh.
    RS_CHECK (rs_marks_open (marks, "sim", "telemetry.W1", 4, 0) == NULL);
    m = rs_marks_open (marks, "sim", "telemetry.W1", 6, 0);
    RS_CHECK (m != NULL);
    RS_CHECK_INT (rs_mark_epoch (m), 6);
    RS_CHECK_INT (rs_mark_value (m), 0);
    RS_CHECK (rs_mark_account (m, 1, 1));
    RS_CHECK_INT (rs_mark_value (m), 1);
    //  A lost tail (open-ended) closes the stream at its start.
    RS_CHECK (!rs_mark_account (m, 5, RS_WM_OPEN));
    RS_CHECK (rs_mark_account (m, 2, 4));
    //  Streams are apart per publisher and topic.
    rs_mark_t *other = rs_marks_open (marks, "wits0", "telemetry.W1", 6, 0);
    RS_CHECK (other != NULL && other != m);
    RS_CHECK_INT (rs_mark_value (other), 0);
    //  End-of-stream: complete once the mark reaches the last seq, not before.
    RS_CHECK (!rs_mark_complete (other));
    rs_mark_end (other, 3);
    RS_CHECK (!rs_mark_complete (other));
    rs_mark_account (other, 2, 3);
    RS_CHECK (!rs_mark_complete (other));
    rs_mark_account (other, 1, 1);
    RS_CHECK (rs_mark_complete (other));
    //  A new incarnation starts without an end.
    other = rs_marks_open (marks, "wits0", "telemetry.W1", 7, 0);
    RS_CHECK (!rs_mark_complete (other));
    rs_marks_destroy (&marks);
    RS_CHECK (marks == NULL);
    rs_marks_destroy (&marks);
    return RS_TEST_DONE ();
}
