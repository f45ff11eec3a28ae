/*  test_engine_blockweight: the block weight is configured, or the median
    of the first five readings in the slips (the first, a block starting to
    move, taken out), then followed; readings over it with the bit at
    surface pull a fifth as hard as those in the slips, readings under it
    the full pull; before any, none. */
#include "rs_blockweight.h"
#include "rs_test.h"

#include <math.h>

static void
test_blockweight (void)
{
    rs_blockweight_t b;
    rs_blockweight_init (&b);
    rs_bw_source_t src;
    RS_CHECK (isnan (rs_blockweight_get (&b, 0, NAN, &src)));
    RS_CHECK_INT (src, RS_BW_UNKNOWN);
    RS_CHECK_NEAR (rs_blockweight_get (&b, 350, NAN, &src), 350, 1e-9);
    RS_CHECK_INT (src, RS_BW_CONFIGURED);
    //  The first reading a block starting to move: the median takes it out.
    const double first[] = { 576, 650, 648, 652, 651 };
    for (int i = 0; i < 4; i++)
        rs_blockweight_learn (&b, first[i], true);
    RS_CHECK (isnan (rs_blockweight_get (&b, 0, NAN, &src)));
    rs_blockweight_learn (&b, first[4], true);
    RS_CHECK_NEAR (rs_blockweight_get (&b, 0, NAN, &src), 650, 1e-9);
    RS_CHECK_INT (src, RS_BW_LEARNED);
    //  A reading 100 kN over it, the bit at surface: a fifth of the pull of one seen in the slips.
    rs_blockweight_t c = b;
    rs_blockweight_learn (&b, 750, false);
    rs_blockweight_learn (&c, 750, true);
    RS_CHECK_NEAR (b.learned - 650, 1.0, 1e-9);
    RS_CHECK_NEAR (c.learned - 650, 5.0, 1e-9);
    rs_blockweight_learn (&b, 550, false);              // under it: the full pull
    RS_CHECK_NEAR (b.learned, 651 - 0.05 * 101, 1e-9);
}

int
main (void)
{
    test_blockweight ();
    return RS_TEST_DONE ();
}
