/*  test_engine_bottom: the bottom where a log does not measure it. A hole
    depth growing at a drilling rate is a bit drilling, one that falls or
    jumps a stand is not the hole's; a bit advancing at its deepest point
    with weight set for a minute finds the bottom, one run in faster does
    not; without a bit depth, weight set for a minute with the pumps on is
    a bit on bottom, a moment's set-down or a string going up is not. */
#include "rs_bottom.h"
#include "rs_test.h"

#include <math.h>
#include <stdint.h>

#define S 1000000LL

static void
test_hole (void)
{
    rs_bottom_t b;
    rs_bottom_init (&b);
    int64_t t = 0;
    double hole = 2000;
    RS_CHECK (!rs_bottom_hole (&b, t, hole));           // one reading: no growth yet
    bool deepening = false;
    for (int i = 0; i < 60; i++) {                      // 30 m/h read every 2 s
        t += 2 * S;
        hole += 30.0 / 3600 * 2;
        deepening = rs_bottom_hole (&b, t, hole);
    }
    RS_CHECK (deepening && b.grew_seen && !b.hole_fell);
    t += 31 * S;                                        // no growth for DEEPEN_S
    RS_CHECK (!rs_bottom_hole (&b, t, hole));
    RS_CHECK (!rs_bottom_hole (&b, t + S, NAN));        // no reading: nothing learned
    //  A "hole depth" that runs a stand and falls back is the string's.
    rs_bottom_init (&b);
    t = 0;
    rs_bottom_hole (&b, t, 500);
    t += 60 * S;
    rs_bottom_hole (&b, t, 527);
    RS_CHECK (!b.grew_seen);
    t += 60 * S;
    rs_bottom_hole (&b, t, 400);
    RS_CHECK (b.hole_fell);
}

static void
test_from_bit (void)
{
    rs_bottom_t b;
    rs_bottom_init (&b);
    int64_t t = 0;
    double bit = 1500, hole = NAN;
    bool deepening = false;
    //  Run in at 0.5 m/s: no bottom.
    for (int i = 0; i < 50; i++, t += S, bit += 0.5)
        hole = rs_bottom_from_bit (&b, t, bit, 0.45, true, true, &deepening);
    RS_CHECK (isnan (hole) && !deepening);
    //  Drilling at 30 m/h with weight set: the bottom after a minute.
    for (int i = 0; i < 50; i++, t += S, bit += 30.0 / 3600)
        hole = rs_bottom_from_bit (&b, t, bit, 0.45, true, true, &deepening);
    RS_CHECK (isnan (hole));
    for (int i = 0; i < 30; i++, t += S, bit += 30.0 / 3600)
        hole = rs_bottom_from_bit (&b, t, bit, 0.45, true, true, &deepening);
    RS_CHECK (!isnan (hole) && deepening && fabs (hole - (bit - 30.0 / 3600)) < 0.01);
    //  Picked up 5 m: the bottom stays where it was; drilled within
    //  DEEPEN_S still, not after.
    double bottom = hole;
    hole = rs_bottom_from_bit (&b, t, bit - 5, 0.45, true, true, &deepening);
    RS_CHECK (hole == bottom && deepening);
    hole = rs_bottom_from_bit (&b, t + 31 * S, bit - 5, 0.45, true, true, &deepening);
    RS_CHECK (hole == bottom && !deepening);
    //  Advancing with no weight set, or the pumps off: no bottom found.
    rs_bottom_init (&b);
    t = 0;
    bit = 1500;
    for (int i = 0; i < 200; i++, t += S, bit += 30.0 / 3600)
        hole = rs_bottom_from_bit (&b, t, bit, 0.45, true, false, &deepening);
    RS_CHECK (isnan (hole));
    for (int i = 0; i < 200; i++, t += S, bit += 30.0 / 3600)
        hole = rs_bottom_from_bit (&b, t, bit, 0.45, false, true, &deepening);
    RS_CHECK (isnan (hole));
}

static void
test_inferred (void)
{
    rs_bottom_t b;
    rs_bottom_init (&b);
    int64_t t = 0;
    bool on = false;
    //  Weight set 20 s, then lifted: not drilling.
    for (int i = 0; i < 20; i++, t += S)
        on |= rs_bottom_inferred (&b, t, false, true, true, false, false, true);
    on |= rs_bottom_inferred (&b, t, false, true, true, false, false, false);
    RS_CHECK (!on);
    //  Set a minute with the pumps on: on bottom.
    for (int i = 0; i <= 60; i++, t += S)
        on = rs_bottom_inferred (&b, t, false, true, true, false, false, true);
    RS_CHECK (on);
    //  Going up, or with a bit depth, or the pumps off: not.
    RS_CHECK (!rs_bottom_inferred (&b, t, false, true, true, true, false, true));
    RS_CHECK (!rs_bottom_inferred (&b, t, true, true, true, false, true, true));
    RS_CHECK (!rs_bottom_inferred (&b, t, false, false, false, false, true, true));
    //  The hole deepening with the pumps on is a bit on bottom at once.
    RS_CHECK (rs_bottom_inferred (&b, t, false, true, true, false, true, false));
}

int
main (void)
{
    test_hole ();
    test_from_bit ();
    test_inferred ();
    return RS_TEST_DONE ();
}
