/*  rs_budget: deadband, minimum interval, maximum silence, downsampling
    windows and the byte bucket, on crafted series. */
#include <math.h>

#include "rs_budget.h"
#include "rs_test.h"

int
main (void)
{
    rs_budget_opts_t open = { 0 };
    rs_budget_t *b = rs_budget_new (&open);
    RS_CHECK (b && rs_budget_is_open (b));
    RS_CHECK (rs_budget_pass (b, "A", "rop", 1, 0) && rs_budget_pass (b, "A", "rop", 1, 1));
    rs_budget_destroy (&b);

    rs_budget_opts_t o = { .deadband = 1.0, .deadbands = "rop=0.5, wob=5", .max_silence_ms = 10000 };
    b = rs_budget_new (&o);
    RS_CHECK (b && !rs_budget_is_open (b));
    RS_CHECK (rs_budget_pass (b, "A", "rop", 10.0, 1000));     // first value
    RS_CHECK (!rs_budget_pass (b, "A", "rop", 10.4, 2000));    // inside 0.5
    RS_CHECK (rs_budget_pass (b, "A", "rop", 10.6, 3000));     // outside, relative to the last sent (10.0)
    RS_CHECK (!rs_budget_pass (b, "A", "rop", 10.9, 4000));
    RS_CHECK (rs_budget_pass (b, "A", "wob", 100, 1000));
    RS_CHECK (!rs_budget_pass (b, "A", "wob", 104, 2000));
    RS_CHECK (rs_budget_pass (b, "B", "wob", 104, 2000));      // per well
    RS_CHECK (rs_budget_pass (b, "A", "spp", 1, 1000));
    RS_CHECK (!rs_budget_pass (b, "A", "spp", 1.9, 2000));     // default band 1.0
    RS_CHECK (rs_budget_pass (b, "A", "spp", NAN, 3000));      // a reading lost is news
    RS_CHECK (!rs_budget_pass (b, "A", "spp", NAN, 4000));
    RS_CHECK (rs_budget_pass (b, "A", "spp", 1.0, 5000));
    RS_CHECK (rs_budget_pass (b, "A", "rop", 10.7, 13000));    // max silence since 3000
    RS_CHECK_INT (rs_budget_suppressed (b), 5);
    rs_budget_destroy (&b);

    rs_budget_opts_t mi = { .min_interval_ms = 1000 };
    b = rs_budget_new (&mi);
    RS_CHECK (rs_budget_pass (b, "A", "rop", 1, 0));
    RS_CHECK (!rs_budget_pass (b, "A", "rop", 50, 500));
    RS_CHECK (rs_budget_pass (b, "A", "rop", 50, 1000));
    RS_CHECK (!rs_budget_pass (b, "A", "rop", 50, 2500));      // unchanged
    rs_budget_destroy (&b);

    rs_budget_opts_t bad = { .deadbands = "rop=-1" };
    RS_CHECK (rs_budget_new (&bad) == NULL);
    bad.deadbands = "rop";
    RS_CHECK (rs_budget_new (&bad) == NULL);
    bad.deadbands = "rop=x";
    RS_CHECK (rs_budget_new (&bad) == NULL);

    rs_window_t w = { 0 }, done = { 0 };
    RS_CHECK (!rs_window_add (&w, 10000, 10000, 1, &done));
    RS_CHECK (!rs_window_add (&w, 10000, 15000, 3, &done));
    RS_CHECK (!rs_window_add (&w, 10000, 16000, NAN, &done));
    RS_CHECK (!rs_window_add (&w, 10000, 19999, 5, &done));
    RS_CHECK (rs_window_add (&w, 10000, 20000, 7, &done));
    RS_CHECK_INT (done.start_ms, 10000);
    RS_CHECK_INT (done.n, 3);
    RS_CHECK_NEAR (done.sum / done.n, 3, 1e-12);
    RS_CHECK_NEAR (done.min, 1, 0);
    RS_CHECK_NEAR (done.max, 5, 0);
    RS_CHECK_INT (w.start_ms, 20000);
    RS_CHECK_INT (w.n, 1);

    rs_bucket_t k;
    rs_bucket_init (&k, 1000, 1000);
    RS_CHECK (rs_bucket_take (&k, 800, 1));
    RS_CHECK (rs_bucket_take (&k, 800, 1));                    // goes negative once
    RS_CHECK (!rs_bucket_take (&k, 10, 1));
    RS_CHECK (!rs_bucket_take (&k, 10, 500));                  // -600 + 499
    RS_CHECK (rs_bucket_take (&k, 10, 800));
    rs_bucket_t free_k;
    rs_bucket_init (&free_k, 0, 0);
    RS_CHECK (rs_bucket_take (&free_k, 1000000, 1));
    return RS_TEST_DONE ();
}
