/*  test_engine_descent: a block going steadily down at a drilling rate.
    Drilling at 20 m/h read every second, every 10 s or every 30 s is a
    descent after two minutes and not before; a block that stood and was
    lowered once, one that rises between, one lowered faster than a bit
    drills, a sensor's jitter, and a gap in the readings are not. */
#include "rs_descent.h"
#include "rs_test.h"

#include <math.h>
#include <stdint.h>

#define S       1000000LL
#define VMAX    0.05        // m/s: no bit drills faster
#define MOVE_M  0.2

//  n readings dt s apart from *t, the block going down v m/s; the last answer.
static bool
s_feed (rs_descent_t *d, int64_t *t, double *block, int n, double dt, double v)
{
    bool on = false;
    for (int i = 0; i < n; i++) {
        *t += (int64_t) (dt * S);
        *block -= v * dt;
        on = rs_descent_feed (d, *t, *block, 0.02, MOVE_M, VMAX);
    }
    return on;
}

static void
test_drilling (void)
{
    const double dts[] = { 1, 10, 30 };
    for (int k = 0; k < 3; k++) {
        rs_descent_t d;
        rs_descent_init (&d);
        int64_t t = 0;
        double block = 28;
        double v = 20.0 / 3600;
        //  Under two minutes: not yet.
        RS_CHECK (!s_feed (&d, &t, &block, (int) (100 / dts[k]), dts[k], v));
        //  Three minutes in: a descent, and it holds while the block goes on.
        RS_CHECK (s_feed (&d, &t, &block, (int) (80 / dts[k]), dts[k], v));
        RS_CHECK (s_feed (&d, &t, &block, (int) (600 / dts[k]), dts[k], v));
        //  Stopped for three minutes: no longer.
        RS_CHECK (!s_feed (&d, &t, &block, (int) (300 / dts[k]), dts[k], 0));
    }
}

static void
test_not_drilling (void)
{
    rs_descent_t d;
    int64_t t = 0;
    double block = 20;
    //  Still five minutes, then lowered half a metre in 5 s, then still.
    rs_descent_init (&d);
    s_feed (&d, &t, &block, 300, 1, 0);
    bool any = s_feed (&d, &t, &block, 5, 1, 0.1);
    for (int i = 0; i < 300; i++)
        any |= s_feed (&d, &t, &block, 1, 1, 0);
    RS_CHECK (!any);
    //  Lowered at 0.3 m/s (a trip's run, not a bit drilling).
    rs_descent_init (&d);
    block = 28;
    RS_CHECK (!s_feed (&d, &t, &block, 80, 1, 0.3));
    //  Creeping down at a drilling rate but picked up 0.5 m each minute.
    rs_descent_init (&d);
    block = 28;
    any = false;
    for (int i = 0; i < 10; i++) {
        any |= s_feed (&d, &t, &block, 60, 1, 20.0 / 3600);
        block += 0.5;
    }
    RS_CHECK (!any);
    //  A still block whose sensor jitters by 1 cm either way.
    rs_descent_init (&d);
    block = 15;
    any = false;
    for (int i = 0; i < 600; i++) {
        t += S;
        any |= rs_descent_feed (&d, t, block + (i % 2 ? 0.01 : -0.01), 0.02, MOVE_M, VMAX);
    }
    RS_CHECK (!any);
    //  A gap of five minutes between readings starts the run again.
    rs_descent_init (&d);
    block = 28;
    RS_CHECK (s_feed (&d, &t, &block, 200, 1, 20.0 / 3600));
    t += 300 * S;
    RS_CHECK (!s_feed (&d, &t, &block, 60, 1, 20.0 / 3600));
    //  No position: no answer.
    RS_CHECK (!rs_descent_feed (&d, t + S, NAN, 0.02, MOVE_M, VMAX));
}

int
main (void)
{
    test_drilling ();
    test_not_drilling ();
    return RS_TEST_DONE ();
}
