/*  rs_wm (stream high-water marks) and rs_agg (bucket accumulators): pure
    logic with crafted sequences. */
#include <math.h>
#include <stdlib.h>

#include "rs_agg.h"
#include "rs_test.h"
#include "rs_wm.h"

static void
test_in_order (void)
{
    rs_wm_t wm;
    rs_wm_init (&wm, 0);
    for (uint64_t s = 1; s <= 1000; s++)
        rs_wm_add (&wm, s, s);
    RS_CHECK_INT (wm.mark, 1000);
    RS_CHECK_INT (rs_wm_pending (&wm), 0);
    //  Already accounted for: nothing changes.
    rs_wm_add (&wm, 10, 10);
    rs_wm_add (&wm, 1, 1000);
    RS_CHECK_INT (wm.mark, 1000);
    RS_CHECK_INT (rs_wm_pending (&wm), 0);
    rs_wm_cleanup (&wm);
}

static void
test_holes_out_of_order (void)
{
    rs_wm_t wm;
    rs_wm_init (&wm, 100);
    //  101..110 arrive, then a gap: 116..120 and 131..140 before the repairs.
    for (uint64_t s = 101; s <= 110; s++)
        rs_wm_add (&wm, s, s);
    for (uint64_t s = 116; s <= 120; s++)
        rs_wm_add (&wm, s, s);
    for (uint64_t s = 131; s <= 140; s++)
        rs_wm_add (&wm, s, s);
    RS_CHECK_INT (wm.mark, 110);
    RS_CHECK_INT (rs_wm_pending (&wm), 2);
    //  Repairs arrive late and in reverse order.
    for (uint64_t s = 130; s >= 121; s--)
        rs_wm_add (&wm, s, s);
    RS_CHECK_INT (wm.mark, 110);
    RS_CHECK_INT (rs_wm_pending (&wm), 1);     //  116..140 merged into one range
    RS_CHECK_INT (wm.ranges[0].from, 116);
    RS_CHECK_INT (wm.ranges[0].to, 140);
    rs_wm_add (&wm, 113, 113);
    rs_wm_add (&wm, 111, 111);
    RS_CHECK_INT (wm.mark, 111);
    RS_CHECK_INT (rs_wm_pending (&wm), 2);
    rs_wm_add (&wm, 115, 115);
    rs_wm_add (&wm, 114, 114);
    RS_CHECK_INT (wm.mark, 111);
    RS_CHECK_INT (rs_wm_pending (&wm), 1);     //  113..140
    rs_wm_add (&wm, 112, 112);
    RS_CHECK_INT (wm.mark, 140);
    RS_CHECK_INT (rs_wm_pending (&wm), 0);
    rs_wm_cleanup (&wm);
}

static void
test_permanent_gaps (void)
{
    rs_wm_t wm;
    rs_wm_init (&wm, 0);
    rs_wm_add (&wm, 1, 1);
    rs_wm_add (&wm, 50, 50);
    RS_CHECK_INT (wm.mark, 1);
    //  The SDK gives up on 2..49: a permanent gap moves the mark over it.
    rs_wm_add (&wm, 2, 49);
    RS_CHECK_INT (wm.mark, 50);
    //  A range overlapping both the mark and pending ranges.
    rs_wm_add (&wm, 60, 70);
    rs_wm_add (&wm, 80, 90);
    rs_wm_add (&wm, 62, 85);
    RS_CHECK_INT (wm.mark, 50);
    RS_CHECK_INT (rs_wm_pending (&wm), 1);
    rs_wm_add (&wm, 51, 59);
    RS_CHECK_INT (wm.mark, 90);
    //  A range reaching below the mark is clipped to what is new.
    rs_wm_add (&wm, 40, 91);
    RS_CHECK_INT (wm.mark, 91);
    //  Open-ended gap above a hole: the stream closes only when the hole fills.
    rs_wm_add (&wm, 95, RS_WM_OPEN);
    RS_CHECK (!wm.closed);
    RS_CHECK_INT (wm.mark, 91);
    rs_wm_add (&wm, 92, 94);
    RS_CHECK (wm.closed);
    RS_CHECK_INT (wm.mark, 94);
    //  Nothing moves a closed stream.
    rs_wm_add (&wm, 95, 200);
    RS_CHECK_INT (wm.mark, 94);
    RS_CHECK_INT (rs_wm_pending (&wm), 0);
    rs_wm_cleanup (&wm);

    rs_wm_init (&wm, 10);
    rs_wm_add (&wm, 5, RS_WM_OPEN);
    RS_CHECK (wm.closed);
    RS_CHECK_INT (wm.mark, 10);
    rs_wm_cleanup (&wm);
}

static void
test_copy_and_many_holes (void)
{
    rs_wm_t wm, saved;
    rs_wm_init (&wm, 0);
    rs_wm_init (&saved, 0);
    //  Every other seq missing: 500 holes, then filled in a scrambled order.
    for (uint64_t s = 2; s <= 1000; s += 2)
        rs_wm_add (&wm, s, s);
    RS_CHECK_INT (wm.mark, 0);
    RS_CHECK_INT (rs_wm_pending (&wm), 500);
    RS_CHECK_INT (rs_wm_copy (&saved, &wm), 0);
    uint64_t odd[500];
    for (int i = 0; i < 500; i++)
        odd[i] = (uint64_t) (2 * i + 1);
    srand (7);
    for (int i = 499; i > 0; i--) {
        int j = rand () % (i + 1);
        uint64_t t = odd[i];
        odd[i] = odd[j];
        odd[j] = t;
    }
    for (int i = 0; i < 500; i++)
        rs_wm_add (&wm, odd[i], odd[i]);
    RS_CHECK_INT (wm.mark, 1000);
    RS_CHECK_INT (rs_wm_pending (&wm), 0);
    //  Rolling back to the copy restores the holes.
    RS_CHECK_INT (rs_wm_copy (&wm, &saved), 0);
    RS_CHECK_INT (wm.mark, 0);
    RS_CHECK_INT (rs_wm_pending (&wm), 500);
    rs_wm_cleanup (&wm);
    rs_wm_cleanup (&saved);
}

static void
test_agg (void)
{
    rs_agg_t agg;
    rs_agg_init (&agg, 60 * 1000000LL);
    RS_CHECK_INT (rs_agg_bucket_start (60000000, 119999999), 60000000);
    RS_CHECK_INT (rs_agg_bucket_start (60000000, 120000000), 120000000);
    RS_CHECK_INT (rs_agg_bucket_start (60000000, -1), -60000000);
    double v[RS_CH_COUNT];
    for (int c = 0; c < RS_CH_COUNT; c++)
        v[c] = NAN;
    //  Channel 0: 3, 1, nil, 5 in minute 1; channel 1 never read.
    double series[] = { 3, 1, NAN, 5 };
    for (int i = 0; i < 4; i++) {
        v[0] = series[i];
        RS_CHECK_INT (rs_agg_add (&agg, 7, 60000000 + i * 1000000, v), 0);
    }
    v[0] = -2;
    rs_agg_add (&agg, 7, 120000000, v);
    rs_agg_add (&agg, 8, 60000000, v);
    RS_CHECK_INT (agg.n, 3);
    const rs_agg_bucket_t *b = &agg.buckets[0];
    RS_CHECK_INT (b->well, 7);
    RS_CHECK_INT (b->bucket, 60000000);
    RS_CHECK_INT (b->n, 4);
    RS_CHECK_INT (b->count[0], 3);
    RS_CHECK_NEAR (b->min[0], 1, 0);
    RS_CHECK_NEAR (b->max[0], 5, 0);
    RS_CHECK_NEAR (b->sum[0], 9, 0);
    RS_CHECK_INT (b->count[1], 0);
    RS_CHECK_NEAR (agg.buckets[1].min[0], -2, 0);
    RS_CHECK_INT (agg.buckets[2].well, 8);
    rs_agg_clear (&agg);
    RS_CHECK_INT (agg.n, 0);
    rs_agg_cleanup (&agg);
}

int
main (void)
{
    test_in_order ();
    test_holes_out_of_order ();
    test_permanent_gaps ();
    test_copy_and_many_holes ();
    test_agg ();
    return RS_TEST_DONE ();
}
