/*  Durable-feed bookkeeping: requests in chunks, repairs, journal limits,
    timeouts, publisher restarts, unknown endpoints. */
#include "rs_repair.h"
#include "rs_test.h"

static rs_gap_t lost[16];
static int n_lost;

static void
on_lost (const rs_gap_t *gap, void *arg)
{
    (void) arg;
    if (n_lost < 16)
        lost[n_lost++] = *gap;
}

int
main (void)
{
    rs_repair_t *r = rs_repair_new (100, 1000, 2, 5000, on_lost, NULL);
    rs_repair_req_t req;
    int64_t now = 0;
    rs_repair_add (r, "sim", "telemetry.A", 5, 11, 350, false, now);
    RS_CHECK_INT (rs_repair_pending (r), 340);
    //  No endpoint known yet: nothing to ask.
    RS_CHECK (!rs_repair_next (r, now, &req));
    rs_repair_endpoint (r, "sim", 5, "tcp://127.0.0.1:9000", now);
    RS_CHECK (rs_repair_next (r, now, &req));
    RS_CHECK_STR (req.endpoint, "tcp://127.0.0.1:9000");
    RS_CHECK_INT (req.from, 11);
    RS_CHECK_INT (req.to, 110);            //  one chunk
    RS_CHECK (!rs_repair_next (r, now, &req));  //  in flight: one request per stream
    //  11..20 are dropped on the way: the jump asks for them again.
    for (uint64_t s = 21; s <= 110; s++)
        RS_CHECK (rs_repair_got (r, "sim", "telemetry.A", 5, s));
    RS_CHECK_INT (n_lost, 0);
    RS_CHECK (!rs_repair_got (r, "sim", "telemetry.A", 5, 50));   //  already had it
    RS_CHECK (rs_repair_wants (r, "sim", "telemetry.A", 5, 15));
    rs_repair_end (r, "tcp://127.0.0.1:9000", "telemetry.A", 5, 1, 400);
    RS_CHECK_INT (rs_repair_pending (r), 250);
    //  The oldest hole is asked for first; the journal now starts at 16, so
    //  11..15 are lost for good.
    RS_CHECK (rs_repair_next (r, now, &req));
    RS_CHECK_INT (req.from, 11);
    RS_CHECK_INT (req.to, 20);
    rs_repair_end (r, "tcp://127.0.0.1:9000", "telemetry.A", 5, 16, 400);
    RS_CHECK_INT (n_lost, 1);
    RS_CHECK_INT (lost[0].from_seq, 11);
    RS_CHECK_INT (lost[0].to_seq, 15);
    RS_CHECK (lost[0].permanent);
    RS_CHECK (rs_repair_next (r, now, &req));
    RS_CHECK_INT (req.from, 16);
    for (uint64_t s = 16; s <= 20; s++)
        RS_CHECK (rs_repair_got (r, "sim", "telemetry.A", 5, s));
    rs_repair_end (r, "tcp://127.0.0.1:9000", "telemetry.A", 5, 16, 400);
    RS_CHECK_INT (rs_repair_pending (r), 240);
    RS_CHECK (rs_repair_next (r, now, &req));
    RS_CHECK_INT (req.from, 111);
    //  No answer: retried once, then given up (tries = 2).
    rs_repair_tick (r, now + 1500);
    RS_CHECK (rs_repair_next (r, now + 1500, &req));
    RS_CHECK_INT (req.from, 111);
    rs_repair_tick (r, now + 3000);
    RS_CHECK_INT (n_lost, 2);
    RS_CHECK_INT (lost[1].from_seq, 111);
    RS_CHECK_INT (lost[1].to_seq, 350);
    RS_CHECK_INT (rs_repair_pending (r), 0);

    //  A publisher that restarted cannot repair its old epoch.
    rs_repair_add (r, "sim", "telemetry.B", 5, 1, 10, false, now);
    RS_CHECK (rs_repair_wants (r, "sim", "telemetry.B", 5, 3));
    rs_repair_endpoint (r, "sim", 6, "tcp://127.0.0.1:9001", now);
    RS_CHECK (!rs_repair_next (r, now, &req));
    rs_repair_tick (r, now);
    RS_CHECK_INT (n_lost, 3);
    RS_CHECK_INT (lost[2].epoch, 5);

    //  END from another epoch (answered by a new incarnation) loses the range.
    rs_repair_add (r, "sim", "telemetry.C", 6, 5, 9, false, now);
    RS_CHECK (rs_repair_next (r, now, &req));
    rs_repair_end (r, "tcp://127.0.0.1:9001", "telemetry.C", 7, 1, 100);
    RS_CHECK_INT (n_lost, 4);
    RS_CHECK_INT (lost[3].from_seq, 5);
    RS_CHECK_INT (lost[3].to_seq, 9);

    //  A publisher that never announces an endpoint: given up after unknown_ms.
    rs_repair_add (r, "py", "telemetry.D", 1, 1, 3, false, now);
    rs_repair_tick (r, now + 4000);
    RS_CHECK_INT (n_lost, 4);
    rs_repair_tick (r, now + 6000);
    RS_CHECK_INT (n_lost, 5);

    //  Quiet ranges (back-fill of a stream never seen) report no loss; adjacent
    //  ranges merge.
    rs_repair_add (r, "sim", "telemetry.E", 6, 1, 5, true, now);
    rs_repair_add (r, "sim", "telemetry.E", 6, 6, 9, true, now);
    RS_CHECK_INT (rs_repair_pending (r), 9);
    RS_CHECK (rs_repair_next (r, now, &req));
    RS_CHECK_INT (req.to, 9);
    rs_repair_end (r, "tcp://127.0.0.1:9001", "telemetry.E", 6, 4, 100);
    RS_CHECK_INT (n_lost, 5);
    RS_CHECK_INT (rs_repair_pending (r), 6);
    rs_repair_destroy (&r);
    RS_CHECK (r == NULL);
    return RS_TEST_DONE ();
}
