/*  rs_logmerge on crafted series: union of channels, one sample per distinct
    instant, the richest fresh source per channel, staleness, gaps covered by
    no log, the switch margin, rows out of order, a failing source. */
#include <math.h>
#include <stdlib.h>

#include "rs_channels.h"
#include "rs_logmerge.h"
#include "rs_test.h"

#define S 1000000LL        //  one second in µs
#define MAX_ROWS 128
#define MAX_COLS 4

//  A crafted source: rows of (time in s, values); NAN for a blank cell.
typedef struct {
    size_t n_rows, n_cols, at;
    double t[MAX_ROWS];
    double v[MAX_ROWS][MAX_COLS];
    int fail_at;            //  the callback fails at this row (-1: never)
} series_t;

static int
s_next (void *arg, int64_t *ts_us, const double **values)
{
    series_t *s = arg;
    if ((int) s->at == s->fail_at)
        return -1;
    if (s->at == s->n_rows)
        return 0;
    *ts_us = (int64_t) llround (s->t[s->at] * (double) S);
    *values = s->v[s->at];
    s->at++;
    return 1;
}

//  Rows every `step` s from t0 to t1, column k = base[k] + t.
static void
s_fill (series_t *s, double t0, double t1, double step, size_t n_cols, const double *base)
{
    s->n_rows = 0;
    s->n_cols = n_cols;
    s->at = 0;
    s->fail_at = -1;
    for (double t = t0; t <= t1 + 1e-9 && s->n_rows < MAX_ROWS; t += step) {
        s->t[s->n_rows] = t;
        for (size_t k = 0; k < n_cols; k++)
            s->v[s->n_rows][k] = base[k] + t;
        s->n_rows++;
    }
}

//  One merged sample, read by channel name.
typedef struct {
    int64_t ts;
    double v[16];
} got_t;

static size_t
s_drain (rs_logmerge_t *m, got_t *got, size_t max, const char *const *names, size_t n_names)
{
    size_t n = 0;
    int64_t ts;
    const rs_value_t *vals;
    size_t nv;
    while (n < max && rs_logmerge_next (m, &ts, &vals, &nv) == 1) {
        got[n].ts = ts;
        for (size_t i = 0; i < n_names; i++) {
            int c = rs_logmerge_channel (m, names[i]);
            got[n].v[i] = c >= 0 ? vals[c].value : NAN;
        }
        n++;
    }
    return n;
}

static const got_t *
s_at (const got_t *got, size_t n, double t)
{
    for (size_t i = 0; i < n; i++)
        if (got[i].ts == (int64_t) llround (t * (double) S))
            return &got[i];
    return NULL;
}

//  A: 1 s rows 0..9 s (hook_load 100+t, a_only 500+t, code 10+t);
//  B: 5 s rows 0..30 s, then one at 200 s (hook_load 200+t, b_only 600+t,
//  code 20+t); C: 1 s rows 10..20 s whose hook load is blank every other
//  row (hook_load 300+t).
static void
test_merge (void)
{
    static series_t a, b, c;
    s_fill (&a, 0, 9, 1, 3, (double[]) { 100, 500, 10 });
    s_fill (&b, 0, 30, 5, 3, (double[]) { 200, 600, 20 });
    b.t[b.n_rows] = 200;
    b.v[b.n_rows][0] = 400;
    b.v[b.n_rows][1] = 800;
    b.v[b.n_rows][2] = 30;
    b.n_rows++;
    s_fill (&c, 10, 20, 1, 1, (double[]) { 300 });
    for (size_t i = 0; i < c.n_rows; i++)
        if ((long) c.t[i] % 2)
            c.v[i][0] = NAN;
    rs_logmerge_t *m = rs_logmerge_new ();
    RS_CHECK (m != NULL);
    rs_value_t ca[] = { { "hook_load", RS_CH_HOOK_LOAD, 0 }, { "a_only", -1, 0 }, { "code", -1, 0 } };
    rs_value_t cb[] = { { "hook_load", RS_CH_HOOK_LOAD, 0 }, { "b_only", -1, 0 }, { "code", -1, 0 } };
    rs_value_t cc[] = { { "hook_load", RS_CH_HOOK_LOAD, 0 } };
    RS_CHECK_INT (rs_logmerge_add (m, cb, 3, s_next, &b), RS_OK);
    RS_CHECK_INT (rs_logmerge_add (m, ca, 3, s_next, &a), RS_OK);
    RS_CHECK_INT (rs_logmerge_add (m, cc, 1, s_next, &c), RS_OK);

    //  The union, each channel once.
    const rs_value_t *chans;
    RS_CHECK_INT (rs_logmerge_channels (m, &chans), 4);
    RS_CHECK_STR (chans[0].name, "hook_load");
    RS_CHECK_INT (chans[0].id, RS_CH_HOOK_LOAD);
    RS_CHECK_STR (chans[1].name, "b_only");
    RS_CHECK_STR (chans[2].name, "code");
    RS_CHECK_STR (chans[3].name, "a_only");

    static const char *names[] = { "hook_load", "a_only", "b_only", "code" };
    got_t got[128];
    size_t n = s_drain (m, got, 128, names, 4);
    //  Instants: 0..20 s (A, B, C), 25, 30 and 200 s: one sample each,
    //  strictly increasing, none across 30..200 s where no log has rows.
    RS_CHECK_INT (n, 24);
    bool increasing = true;
    for (size_t i = 1; i < n; i++)
        increasing = increasing && got[i].ts > got[i - 1].ts;
    RS_CHECK (increasing);
    RS_CHECK_INT (got[n - 2].ts, 30 * S);
    RS_CHECK_INT (got[n - 1].ts, 200 * S);

    //  At 0 s both A and B have one reading: the first source added wins
    //  the tie; from 1 s A, sampled finer, takes hook load over B.
    RS_CHECK_NEAR (s_at (got, n, 0)->v[0], 200, 0);
    RS_CHECK_NEAR (s_at (got, n, 1)->v[0], 101, 0);
    RS_CHECK_NEAR (s_at (got, n, 5)->v[0], 105, 0);     //  B has a row at 5 s too
    //  Channels only one log has: from it, held between its rows.
    RS_CHECK_NEAR (s_at (got, n, 3)->v[2], 600, 0);
    RS_CHECK_NEAR (s_at (got, n, 7)->v[2], 605, 0);
    RS_CHECK_NEAR (s_at (got, n, 5)->v[1], 505, 0);
    //  A ended at 9 s; its readings stay fresh for 3 of its 1 s intervals:
    //  A at 10 and 12 s (9 s old reading held), then C, the finer of C
    //  (one reading in 2 s) and B (5 s).
    RS_CHECK_NEAR (s_at (got, n, 10)->v[0], 109, 0);
    RS_CHECK_NEAR (s_at (got, n, 12)->v[0], 109, 0);
    RS_CHECK_NEAR (s_at (got, n, 13)->v[0], 312, 0);    //  C's blank at 13 s: its 12 s reading
    RS_CHECK_NEAR (s_at (got, n, 16)->v[0], 316, 0);
    //  a_only is only A's: missing once A's reading is stale, not held on.
    RS_CHECK_NEAR (s_at (got, n, 12)->v[1], 509, 0);
    RS_CHECK (isnan (s_at (got, n, 13)->v[1]));
    RS_CHECK (isnan (s_at (got, n, 200)->v[1]));
    //  After C ends (20 s; fresh for 3 of its 1 s rows), B's own readings.
    RS_CHECK_NEAR (s_at (got, n, 20)->v[0], 320, 0);
    RS_CHECK_NEAR (s_at (got, n, 25)->v[0], 225, 0);
    RS_CHECK_NEAR (s_at (got, n, 30)->v[0], 230, 0);
    //  At 200 s, after a gap: B's new row; nothing older is carried.
    RS_CHECK_NEAR (s_at (got, n, 200)->v[0], 400, 0);
    RS_CHECK_NEAR (s_at (got, n, 200)->v[3], 30, 0);
    //  The label-like channel both A and B carry: one value, A's while fresh.
    RS_CHECK_NEAR (s_at (got, n, 5)->v[3], 15, 0);
    RS_CHECK_NEAR (s_at (got, n, 15)->v[3], 35, 0);
    //  Which source served how many samples.
    int hk = rs_logmerge_channel (m, "hook_load");
    RS_CHECK_INT (rs_logmerge_used (m, (size_t) hk, 1), 12);    //  A: 1..12 s
    RS_CHECK_INT (rs_logmerge_used (m, (size_t) hk, 2), 8);     //  C: 13..20 s
    RS_CHECK_INT (rs_logmerge_used (m, (size_t) hk, 0) + rs_logmerge_used (m, (size_t) hk, 1)
                  + rs_logmerge_used (m, (size_t) hk, 2), n);
    RS_CHECK_INT (rs_logmerge_rows (m, 1), 10);
    RS_CHECK_NEAR (rs_logmerge_stale_s (m, 1), 3, 1e-9);
    //  B's 170 s gap is left out of its interval: 5 s, limit 15 s.
    RS_CHECK_NEAR (rs_logmerge_stale_s (m, 0), 15, 1e-9);
    rs_logmerge_destroy (&m);
    RS_CHECK (m == NULL);
}

//  Two logs sampled alike do not take turns: the source in use is kept
//  unless another is finer by more than the switch margin.
static void
test_switch_margin (void)
{
    static series_t x, y;
    s_fill (&x, 0, 40, 1.0, 1, (double[]) { 100 });
    s_fill (&y, 0.5, 40.5, 0.9, 1, (double[]) { 200 });
    rs_logmerge_t *m = rs_logmerge_new ();
    rs_value_t col[] = { { "wob", RS_CH_WOB, 0 } };
    rs_logmerge_add (m, col, 1, s_next, &x);
    rs_logmerge_add (m, col, 1, s_next, &y);
    static const char *names[] = { "wob" };
    got_t got[256];
    size_t n = s_drain (m, got, 256, names, 1);
    RS_CHECK (n > 80);
    size_t from_y = 0;
    for (size_t i = 0; i < n; i++)
        from_y += got[i].v[0] >= 200;
    //  X from its first reading on; Y (0.9 s, not finer than 0.8 x 1 s) never.
    RS_CHECK_INT (from_y, 0);
    RS_CHECK_INT (rs_logmerge_used (m, 0, 1), 0);
    rs_logmerge_destroy (&m);

    //  A source finer by more than the margin takes over once it has shown it.
    s_fill (&x, 0, 40, 1.0, 1, (double[]) { 100 });
    s_fill (&y, 0.5, 40.5, 0.5, 1, (double[]) { 200 });
    m = rs_logmerge_new ();
    rs_logmerge_add (m, col, 1, s_next, &x);
    rs_logmerge_add (m, col, 1, s_next, &y);
    n = s_drain (m, got, 256, names, 1);
    RS_CHECK (got[n - 1].v[0] >= 200);
    RS_CHECK (rs_logmerge_used (m, 0, 1) > rs_logmerge_used (m, 0, 0));
    rs_logmerge_destroy (&m);
}

//  Rows repeating or going back in time are dropped; a failing source
//  stops the merge with its index.
static void
test_order_and_failure (void)
{
    static series_t a;
    double t[] = { 0, 1, 1, 0.5, 2 };
    a.n_rows = 5;
    a.n_cols = 1;
    a.at = 0;
    a.fail_at = -1;
    for (size_t i = 0; i < 5; i++) {
        a.t[i] = t[i];
        a.v[i][0] = (double) i;
    }
    rs_logmerge_t *m = rs_logmerge_new ();
    rs_value_t col[] = { { "rpm", RS_CH_RPM, 0 } };
    rs_logmerge_add (m, col, 1, s_next, &a);
    static const char *names[] = { "rpm" };
    got_t got[16];
    size_t n = s_drain (m, got, 16, names, 1);
    RS_CHECK_INT (n, 3);
    RS_CHECK_NEAR (got[2].v[0], 4, 0);
    RS_CHECK_INT (rs_logmerge_dropped (m, 0), 2);
    RS_CHECK_INT (rs_logmerge_failed (m), -1);
    rs_logmerge_destroy (&m);

    static series_t ok, bad;
    s_fill (&ok, 0, 10, 1, 1, (double[]) { 0 });
    s_fill (&bad, 0, 10, 1, 1, (double[]) { 0 });
    bad.fail_at = 3;
    m = rs_logmerge_new ();
    rs_logmerge_add (m, col, 1, s_next, &ok);
    rs_logmerge_add (m, col, 1, s_next, &bad);
    int64_t ts;
    const rs_value_t *vals;
    size_t nv;
    int rc, rows = 0;
    while ((rc = rs_logmerge_next (m, &ts, &vals, &nv)) == 1)
        rows++;
    RS_CHECK_INT (rc, -1);
    RS_CHECK_INT (rs_logmerge_failed (m), 1);
    RS_CHECK (rows >= 2 && rows <= 3);
    RS_CHECK_INT (rs_logmerge_next (m, &ts, &vals, &nv), -1);
    //  Sources come before the merge starts.
    RS_CHECK_INT (rs_logmerge_add (m, col, 1, s_next, &ok), RS_E_INVAL);
    rs_logmerge_destroy (&m);

    //  No source at all: the stream is empty.
    m = rs_logmerge_new ();
    RS_CHECK_INT (rs_logmerge_next (m, &ts, &vals, &nv), 0);
    rs_logmerge_destroy (&m);
}

//  A row wider than a message: the known channels first, then the extras
//  that have a reading; a narrow row passes whole, blanks included.
static void
test_pack (void)
{
    static rs_value_t row[RS_MAX_CHANNELS + 3], out[RS_MAX_CHANNELS];
    size_t n = sizeof row / sizeof row[0];
    for (size_t i = 0; i < n; i++)
        row[i] = (rs_value_t) { "extra", RS_CH_UNKNOWN, i % 2 ? NAN : (double) i };
    row[n - 1] = (rs_value_t) { "bit_depth", RS_CH_BIT_DEPTH, NAN };
    size_t k = rs_logmerge_pack (row, n, out);
    //  The known channel, then the extras of even index below n - 1: those with a reading.
    RS_CHECK_INT (k, 1 + (n - 1 + 1) / 2);
    RS_CHECK_INT (out[0].id, RS_CH_BIT_DEPTH);
    for (size_t i = 1; i < k; i++)
        RS_CHECK (out[i].id == RS_CH_UNKNOWN && !isnan (out[i].value));
    RS_CHECK_INT (rs_logmerge_pack (row, 3, out), 3);
    RS_CHECK (isnan (out[1].value));
}

int
main (void)
{
    test_merge ();
    test_switch_margin ();
    test_order_and_failure ();
    test_pack ();
    return RS_TEST_DONE ();
}
