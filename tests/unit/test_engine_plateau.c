/*  test_engine_plateau: the rig state's provisional block weight. A hook
    load steady for a minute with the block still is a plateau and the
    lowest is kept; a travelling block, a string known to hang, or fewer
    than three readings make none; a load cell noisier than the plateau's
    10 kN still gives one once its noise is learned; readings farther apart
    than a plateau (a log of snapshots) are each still; a hook load that
    stays under the plateau proves it was a string hanging, and drilling
    drops it. */
#include "rs_plateau.h"
#include "rs_test.h"

#include <math.h>
#include <stdint.h>

#define S 1000000LL

//  n readings dt s apart from *t, hook load hook (+ noise of +/- amp), block at block.
static void
s_feed (rs_plateau_t *p, int64_t *t, int n, double dt, double hook, double amp, double block, bool hanging)
{
    static uint64_t rng = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < n; i++) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        double u = ((double) (rng >> 11) + 0.5) / 9007199254740992.0;
        *t += (int64_t) (dt * S);
        rs_plateau_feed (p, *t, hook + amp * (2 * u - 1), block, hanging, 0.2, 0.02);
    }
}

static void
test_steady (void)
{
    rs_plateau_t p;
    rs_plateau_init (&p);
    int64_t t = 0;
    s_feed (&p, &t, 15, 3, 700, 0, 20, false);      //  42 s: not yet a minute
    RS_CHECK (isnan (rs_plateau_weight (&p)));
    s_feed (&p, &t, 10, 3, 700, 0, 20, false);
    RS_CHECK_NEAR (rs_plateau_weight (&p), 700, 1e-9);
    s_feed (&p, &t, 30, 3, 760, 0, 20, false);      //  a higher one is not kept
    RS_CHECK_NEAR (rs_plateau_weight (&p), 700, 1e-9);
    s_feed (&p, &t, 30, 3, 655, 2, 20, false);      //  a lower one is
    RS_CHECK_NEAR (rs_plateau_weight (&p), 655, 2);

    //  The block travelling, or the string known to hang: none.
    rs_plateau_init (&p);
    t = 0;
    for (int i = 0; i < 40; i++)
        s_feed (&p, &t, 1, 3, 700, 0, 20 + 0.5 * i, false);
    s_feed (&p, &t, 40, 3, 700, 0, 40, true);
    RS_CHECK (isnan (rs_plateau_weight (&p)));
}

//  A cell reading +/- 17 kN about a still load spans more than 10 kN or 3%
//  within a minute: no plateau without its noise, one with it.
static void
test_noisy_cell (void)
{
    rs_plateau_t p;
    rs_plateau_init (&p);
    int64_t t = 0;
    s_feed (&p, &t, 200, 1, 650, 17, 20, false);
    RS_CHECK_NEAR (rs_plateau_weight (&p), 650, 8);
}

//  A row a connection (TripConn: 25 minutes apart, the block at another
//  height each time): each row is a still reading of its own, and three
//  steady ones over a minute make a plateau.
static void
test_snapshots (void)
{
    rs_plateau_t p;
    rs_plateau_init (&p);
    int64_t t = 0;
    for (int i = 0; i < 3; i++)
        s_feed (&p, &t, 1, 1500, 640 + i, 0, 5 + 9 * i, false);
    RS_CHECK_NEAR (rs_plateau_weight (&p), 641, 1);
}

//  A plateau the hook load then stays 6% under for the dwell time, the block
//  still, was a string hanging: it falls to that reading; the same under a
//  drilling bit leaves none.
static void
test_undercut (void)
{
    for (int drilling = 0; drilling < 2; drilling++) {
        rs_plateau_t p;
        rs_plateau_init (&p);
        int64_t t = 0;
        s_feed (&p, &t, 30, 3, 1090, 0, 20, false);
        RS_CHECK_NEAR (rs_plateau_weight (&p), 1090, 1e-9);
        for (int i = 0; i < 3; i++) {                //  6 s: under the 10-s dwell
            t += 3 * S;
            rs_plateau_undercut (&p, t, 980, 20, drilling, 0.06, 10, 0.2);
        }
        RS_CHECK_NEAR (rs_plateau_weight (&p), 1090, 1e-9);
        for (int i = 0; i < 2; i++) {
            t += 3 * S;
            rs_plateau_undercut (&p, t, 980, 20, drilling, 0.06, 10, 0.2);
        }
        if (drilling)
            RS_CHECK (isnan (rs_plateau_weight (&p)));
        else
            RS_CHECK_NEAR (rs_plateau_weight (&p), 980, 1e-9);
    }
}

int
main (void)
{
    test_steady ();
    test_noisy_cell ();
    test_snapshots ();
    test_undercut ();
    return RS_TEST_DONE ();
}
