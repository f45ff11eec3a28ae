/*  Replay pacing (rs_pace), shared by rigstream-replay and rigstream-csv:
    speed factors, as fast as possible, clock-synchronised from a start, a
    replay that falls behind catching up without skipping rows. */
#include "rs_clock.h"
#include "rs_pace.h"
#include "rs_test.h"

static int64_t
iso (const char *text)
{
    int64_t ts = 0;
    if (rs_clock_parse (text, &ts) != 0)
        fprintf (stderr, "bad test time %s\n", text);
    return ts;
}

static void
test_pace (void)
{
    rs_pace_t p;
    int64_t due, t0 = iso ("2016-09-29T19:33:01Z");
    //  At 10x: a row 20 s later in the log is due 2 s later.
    rs_pace_init (&p, 10, false, 0);
    RS_CHECK (rs_pace_row (&p, t0, 1000, 0, &due) && due == 1000);
    RS_CHECK (rs_pace_row (&p, t0 + 20000000, 1500, 0, &due) && due == 3000);
    RS_CHECK_INT (rs_pace_ts (&p, t0), t0);
    //  Behind: a row due long ago is due at once, and the next ones keep their place.
    RS_CHECK (rs_pace_row (&p, t0 + 30000000, 9000, 0, &due) && due == 4000 && due <= 9000);
    RS_CHECK (rs_pace_row (&p, t0 + 100000000, 9000, 0, &due) && due == 11000);
    RS_CHECK_STR (rs_pace_mode (&p), "at a speed factor");
    //  As fast as possible: always due now.
    rs_pace_init (&p, 0, false, 0);
    RS_CHECK (rs_pace_row (&p, t0, 5, 0, &due) && due == 5);
    RS_CHECK (rs_pace_row (&p, t0 + 3600000000, 6, 0, &due) && due == 6);
    RS_CHECK_STR (rs_pace_mode (&p), "as fast as possible");
    //  Clock-synchronised from a start: earlier rows skipped, the first one kept maps to now.
    int64_t now_us = iso ("2026-01-01T00:00:00Z");
    rs_pace_init (&p, 1, true, t0 + 5000000);
    RS_CHECK (!rs_pace_row (&p, t0, 100, now_us, &due));
    RS_CHECK (!rs_pace_row (&p, t0 + 4000000, 100, now_us, &due));
    RS_CHECK_INT (p.skipped, 2);
    RS_CHECK (rs_pace_row (&p, t0 + 5000000, 200, now_us, &due) && due == 200);
    RS_CHECK_INT (rs_pace_ts (&p, t0 + 5000000), now_us);
    RS_CHECK (rs_pace_row (&p, t0 + 7500000, 250, now_us + 50000, &due) && due == 2700);
    RS_CHECK_INT (rs_pace_ts (&p, t0 + 7500000), now_us + 2500000);
    RS_CHECK_STR (rs_pace_mode (&p), "clock-synchronised");
    //  A wait for a row already due returns at once and says how late it is.
    rs_pace_init (&p, 1, false, 0);
    RS_CHECK (rs_pace_wait (&p, rs_clock_mono_ms () - 1500));
    RS_CHECK (p.behind_s >= 1.5 && p.behind_s < 5);
}

int
main (void)
{
    test_pace ();
    return RS_TEST_DONE ();
}
