/*  test_engine_tripdir: a trip's direction turns only after flip_m the
    other way from the string's extreme: a stand run in is "in", a 0.5 m
    pick-up to pull the slips leaves it so, 1 m or more turns it; a reset
    forgets it until the string has gone flip_m again; no position changes
    nothing. */
#include "rs_tripdir.h"
#include "rs_test.h"

#include <math.h>

static void
test_tripdir (void)
{
    rs_tripdir_t t;
    rs_tripdir_init (&t);
    RS_CHECK_INT (t.dir, 0);
    rs_tripdir_feed (&t, 1000, 1);
    rs_tripdir_feed (&t, 1000.5, 1);
    RS_CHECK_INT (t.dir, 0);
    for (double p = 1000; p <= 1027; p += 0.5)          // a stand run in
        rs_tripdir_feed (&t, p, 1);
    RS_CHECK_INT (t.dir, 1);
    rs_tripdir_feed (&t, 1026.5, 1);                    // picked up 0.5 m
    RS_CHECK_INT (t.dir, 1);
    rs_tripdir_feed (&t, NAN, 1);
    RS_CHECK_INT (t.dir, 1);
    rs_tripdir_feed (&t, 1026, 1);                      // 1 m up from the deepest
    RS_CHECK_INT (t.dir, -1);
    rs_tripdir_feed (&t, 1026.9, 1);                    // 0.9 m back down: still out
    RS_CHECK_INT (t.dir, -1);
    rs_tripdir_reset (&t, 1026.9);
    RS_CHECK_INT (t.dir, 0);
    rs_tripdir_feed (&t, 1026.2, 1);
    RS_CHECK_INT (t.dir, 0);
    rs_tripdir_feed (&t, 1025.8, 1);
    RS_CHECK_INT (t.dir, -1);
}

int
main (void)
{
    test_tripdir ();
    return RS_TEST_DONE ();
}
