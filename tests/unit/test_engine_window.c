/*  test_engine_window: rs_window (bucketed time windows) against a brute-force
    reference that keeps every sample and applies the documented rule (a
    sample is in the window while its bucket is within RS_WINDOW_BUCKETS of
    the newest sample's), and against the plain time window (everything
    within the span in, nothing older than span + one bucket). Crafted
    series: 1 kHz with jitter, 0.1 Hz, gaps, nil runs, samples out of
    order, equal times, negative times, and days of a large offset value. */
#include "rs_window.h"
#include "rs_test.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define S 1000000LL                 // µs per s

//  ---------------------------------------------------------------------------
//  Reference: every valid sample, statistics in long double by two passes.

typedef struct {
    int64_t *ts;
    double *v;
    size_t n, cap, start;           // samples before start are out for good
    int64_t newest;
    bool started;
    double last;
    int64_t width;
} ref_t;

static void
ref_init (ref_t *r, int64_t width)
{
    *r = (ref_t) { .width = width, .last = NAN };
}

static void
ref_fini (ref_t *r)
{
    free (r->ts);
    free (r->v);
}

static int64_t
s_fdiv (int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

static int
ref_add (ref_t *r, int64_t ts, double v)
{
    if (r->started && ts < r->newest)
        return 1;
    r->started = true;
    r->newest = ts;
    if (isnan (v))
        return 0;
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 1024;
        r->ts = realloc (r->ts, r->cap * sizeof *r->ts);
        r->v = realloc (r->v, r->cap * sizeof *r->v);
        if (!r->ts || !r->v)
            abort ();
    }
    r->ts[r->n] = ts;
    r->v[r->n++] = v;
    r->last = v;
    return 0;
}

//  The first sample of the window by the bucket rule.
static size_t
ref_first (ref_t *r)
{
    int64_t cut = (s_fdiv (r->newest, r->width) - RS_WINDOW_BUCKETS) * r->width;
    while (r->start < r->n && r->ts[r->start] < cut)
        r->start++;
    return r->start;
}

typedef struct {
    size_t n;
    double mean, slope, spread, last;
} stats_t;

static stats_t
ref_stats (ref_t *r)
{
    stats_t st = { 0, NAN, NAN, NAN, NAN };
    size_t a = ref_first (r);
    st.n = r->n - a;
    if (!st.n)
        return st;
    st.last = r->v[r->n - 1];
    long double mt = 0, mv = 0;
    for (size_t i = a; i < r->n; i++) {
        mt += (long double) (r->ts[i] - r->ts[a]) / 1e6L;
        mv += r->v[i];
    }
    mt /= st.n;
    mv /= st.n;
    long double sxx = 0, sxy = 0;
    for (size_t i = a; i < r->n; i++) {
        long double dt = (long double) (r->ts[i] - r->ts[a]) / 1e6L - mt;
        sxx += dt * dt;
        sxy += dt * ((long double) r->v[i] - mv);
    }
    st.mean = (double) mv;
    st.spread = (double) (r->ts[r->n - 1] - r->ts[a]) / 1e6;
    st.slope = st.n >= 2 && sxx > 0 ? (double) (sxy / sxx) : NAN;
    return st;
}

//  Valid samples newer than age_us before the newest (the plain time window).
static size_t
ref_count_within (const ref_t *r, int64_t age_us)
{
    size_t c = 0;
    for (size_t i = r->n; i-- > 0 && r->ts[i] > r->newest - age_us;)
        c++;
    return c;
}

static int s_mismatches;

//  Compares the window with the reference; vscale / span bounds the slope's
//  rounding. Reports the first few mismatches only.
static void
s_compare (const rs_window_t *w, ref_t *r, double vscale, const char *what)
{
    stats_t st = ref_stats (r);
    double tol_mean = 1e-10 * vscale + 1e-14 * fabs (st.mean);
    double tol_slope = 1e-10 * (fabs (st.slope) + vscale / w->span_s) + 1e-14 * fabs (st.mean) / w->span_s;
    double slope = rs_window_slope (w, 2, 0);
    bool ok = rs_window_count (w) == st.n
        && (st.n ? fabs (rs_window_mean (w) - st.mean) <= tol_mean : isnan (rs_window_mean (w)))
        && (isnan (st.slope) ? isnan (slope) : fabs (slope - st.slope) <= tol_slope)
        && (st.n ? rs_window_last (w) == st.last : isnan (rs_window_last (w)));
    //  Within one bucket of the plain time window.
    int64_t span_us = (int64_t) ceil (w->span_s * 1e6);
    size_t lo = ref_count_within (r, span_us), hi = ref_count_within (r, span_us + rs_window_width_us (w));
    ok = ok && lo <= st.n && st.n <= hi;
    RS_CHECK (ok);
    if (!ok && s_mismatches++ < 5)
        fprintf (stderr, "  %s at %lld us: count %zu/%zu (plain window %zu..%zu), mean %.17g/%.17g, "
                 "slope %.17g/%.17g, last %g/%g\n", what, (long long) r->newest, rs_window_count (w), st.n,
                 lo, hi, rs_window_mean (w), st.mean, slope, st.slope, rs_window_last (w), st.last);
}

static uint64_t s_rng = 88172645463325252ULL;

static double
s_rand (void)                       // uniform in [0, 1)
{
    s_rng ^= s_rng << 13;
    s_rng ^= s_rng >> 7;
    s_rng ^= s_rng << 17;
    return (double) (s_rng >> 11) / 9007199254740992.0;
}

//  ---------------------------------------------------------------------------

static void
test_api (void)
{
    rs_window_t w;
    RS_CHECK_INT (rs_window_init (&w, 0), -1);
    RS_CHECK_INT (rs_window_init (&w, -1), -1);
    RS_CHECK_INT (rs_window_init (&w, NAN), -1);
    RS_CHECK_INT (rs_window_init (&w, 300), 0);
    RS_CHECK_INT (rs_window_width_us (&w), S);
    RS_CHECK (isnan (rs_window_mean (&w)));
    RS_CHECK (isnan (rs_window_last (&w)));
    RS_CHECK (isnan (rs_window_slope (&w, 2, 0)));
    RS_CHECK_INT (rs_window_count (&w), 0);
    //  By time, not count: 10 samples 1 s apart then a 400-s gap.
    for (int i = 0; i < 10; i++)
        RS_CHECK_INT (rs_window_add (&w, i * S, 10.0), 0);
    RS_CHECK_NEAR (rs_window_mean (&w), 10, 1e-12);
    RS_CHECK_INT (rs_window_count (&w), 10);
    RS_CHECK_NEAR (rs_window_slope (&w, 2, 0), 0, 1e-12);
    rs_window_add (&w, 409 * S, 20.0);
    RS_CHECK_INT (rs_window_count (&w), 1);
    RS_CHECK_NEAR (rs_window_mean (&w), 20, 1e-12);
    //  Nil readings are not averaged but move the window on.
    rs_window_add (&w, 410 * S, NAN);
    RS_CHECK_INT (rs_window_count (&w), 1);
    RS_CHECK_NEAR (rs_window_last (&w), 20, 0);
    rs_window_add (&w, 800 * S, NAN);
    RS_CHECK_INT (rs_window_count (&w), 0);
    RS_CHECK (isnan (rs_window_mean (&w)));
    RS_CHECK (isnan (rs_window_last (&w)));
    //  A sample earlier than the newest is ignored; one at the same time is not.
    rs_window_add (&w, 801 * S, 5.0);
    RS_CHECK_INT (rs_window_add (&w, 700 * S, 1000.0), 1);
    RS_CHECK_INT (rs_window_add (&w, 801 * S - 1, 1000.0), 1);
    RS_CHECK_INT (rs_window_add (&w, 801 * S, 7.0), 0);
    RS_CHECK_NEAR (rs_window_mean (&w), 6, 1e-12);
    //  Two points at one time: no slope whatever the minimum spread.
    RS_CHECK (isnan (rs_window_slope (&w, 2, 0)));

    //  The edge, exact to one bucket: 10 Hz for 300 s, a ramp rising 1 per
    //  0.1 s. At 300.0 s the sample at 0 s is 300 s old: a plain window
    //  drops it, this one keeps its bucket (0..1 s) until the newest sample
    //  reaches the bucket 301 s later.
    rs_window_reset (&w);
    for (int i = 0; i <= 3000; i++)
        rs_window_add (&w, (int64_t) i * S / 10, (double) i);
    RS_CHECK_INT (rs_window_count (&w), 3001);
    RS_CHECK_NEAR (rs_window_mean (&w), 1500, 1e-9);
    rs_window_add (&w, 3010 * S / 10, NAN);         // 301.0 s: bucket 0 (0 .. 0.9 s) out
    RS_CHECK_INT (rs_window_count (&w), 2991);
    RS_CHECK_NEAR (rs_window_mean (&w), (10 + 3000) / 2.0, 1e-9);
    RS_CHECK_NEAR (rs_window_slope (&w, 10, 10), 10, 1e-9);
    RS_CHECK_NEAR (rs_window_last (&w), 3000, 0);
    //  Minimum points and spread.
    RS_CHECK (isnan (rs_window_slope (&w, 3000, 10)));
    RS_CHECK (isnan (rs_window_slope (&w, 10, 300)));
    RS_CHECK_NEAR (rs_window_slope (&w, 10, 299), 10, 1e-9);
    rs_window_fini (&w);

    //  Widths: span / RS_WINDOW_BUCKETS rounded up to a µs.
    RS_CHECK_INT (rs_window_init (&w, 900), 0);
    RS_CHECK_INT (rs_window_width_us (&w), 3 * S);
    RS_CHECK_INT (rs_window_init (&w, 120), 0);
    RS_CHECK_INT (rs_window_width_us (&w), 400000);
    RS_CHECK_INT (rs_window_init (&w, 0.001), 0);
    RS_CHECK_INT (rs_window_width_us (&w), 4);
    RS_CHECK_INT (rs_window_init (&w, 1e-9), 0);
    RS_CHECK_INT (rs_window_width_us (&w), 1);
}

//  1 kHz with jitter, dropouts and a large offset, 20 minutes, span 300 s.
static void
test_fast (void)
{
    rs_window_t w;
    rs_window_init (&w, 300);
    ref_t r;
    ref_init (&r, rs_window_width_us (&w));
    int64_t t = 1700000000LL * S;
    for (int i = 0; i < 1200000; i++) {
        t += 1000 + (int64_t) (s_rand () * 400) - 200;
        double v = 1e4 + 50 * sin (i / 40000.0) + 0.01 * i / 1000.0 + s_rand ();
        if (s_rand () < 0.01)
            v = NAN;
        RS_CHECK_INT (rs_window_add (&w, t, v), ref_add (&r, t, v));
        if (i % 29989 == 0)
            s_compare (&w, &r, 100, "1 kHz");
    }
    s_compare (&w, &r, 100, "1 kHz end");
    //  The 20 minutes kept no more than the window's buckets.
    RS_CHECK (sizeof w < 20000);
    ref_fini (&r);
}

//  0.1 Hz with jitter on a 15-minute window: a few samples, each alone in
//  its bucket; checked at every sample.
static void
test_slow (void)
{
    rs_window_t w;
    rs_window_init (&w, 900);
    ref_t r;
    ref_init (&r, rs_window_width_us (&w));
    int64_t t = 1700000000LL * S + 123456;
    for (int i = 0; i < 720; i++) {
        t += 10 * S + (int64_t) ((s_rand () - 0.5) * 4e6);
        double v = 100 + 0.5 * i + 3 * s_rand ();
        RS_CHECK_INT (rs_window_add (&w, t, v), ref_add (&r, t, v));
        s_compare (&w, &r, 400, "0.1 Hz");
    }
    ref_fini (&r);
}

//  Gaps shorter and longer than the span, nil runs, bursts of samples at one
//  time, samples out of order, then a reset.
static void
test_gaps (void)
{
    rs_window_t w;
    rs_window_init (&w, 120);
    ref_t r;
    ref_init (&r, rs_window_width_us (&w));
    int64_t t = 5 * S;
    for (int phase = 0; phase < 40; phase++) {
        int kind = phase % 5;
        int count = 50 + (int) (s_rand () * 300);
        for (int i = 0; i < count; i++) {
            int64_t step = kind == 0 ? 100000 : kind == 1 ? 1000 : kind == 2 ? 0 : 2 * S;
            t += step;
            double v = kind == 3 ? NAN : -20 + 40 * s_rand ();
            int64_t at = t;
            if (kind == 4 && s_rand () < 0.3)
                at = t - (int64_t) (s_rand () * 5e6) - 1;          // out of order
            RS_CHECK_INT (rs_window_add (&w, at, v), ref_add (&r, at, v));
            if (i % 7 == 0)
                s_compare (&w, &r, 20, "gaps");
        }
        //  A gap: under the span, over it, or just about the span.
        double g = s_rand ();
        t += g < 0.3 ? (int64_t) (g * 200 * S) : g < 0.6 ? 119 * S + (int64_t) (g * 3 * S) : 1000 * S;
        s_compare (&w, &r, 20, "gaps");
    }
    rs_window_reset (&w);
    RS_CHECK_INT (rs_window_count (&w), 0);
    RS_CHECK_INT (rs_window_add (&w, 0, 1.0), 0);            // earlier than before the reset: fine
    RS_CHECK_NEAR (rs_window_mean (&w), 1, 0);
    ref_fini (&r);
}

//  Times before the epoch and across it (bucket numbers below zero).
static void
test_negative (void)
{
    rs_window_t w;
    rs_window_init (&w, 60);
    ref_t r;
    ref_init (&r, rs_window_width_us (&w));
    for (int64_t t = -200 * S + 333; t < 200 * S; t += 70001) {
        double v = (double) t / 1e6;
        RS_CHECK_INT (rs_window_add (&w, t, v), ref_add (&r, t, v));
        s_compare (&w, &r, 200, "negative times");
    }
    RS_CHECK_NEAR (rs_window_slope (&w, 10, 10), 1, 1e-9);
    ref_fini (&r);
}

//  Three days at 1 Hz of a depth-like value near 1e6 rising 1e-3 per s with
//  noise: no drift in the mean or the trend at the end of the run.
static void
test_long (void)
{
    rs_window_t w;
    rs_window_init (&w, 300);
    ref_t r;
    ref_init (&r, rs_window_width_us (&w));
    int64_t t0 = 1700000000LL * S;
    for (int i = 0; i < 3 * 86400; i++) {
        int64_t t = t0 + (int64_t) i * S + (int64_t) (s_rand () * 1000);
        double v = 1e6 + 1e-3 * i + 0.01 * (s_rand () - 0.5);
        rs_window_add (&w, t, v);
        ref_add (&r, t, v);
        if (i % 43200 == 0)
            s_compare (&w, &r, 1, "long run");
    }
    s_compare (&w, &r, 1, "long run end");
    RS_CHECK_NEAR (rs_window_slope (&w, 100, 200), 1e-3, 1e-5);
    RS_CHECK_NEAR (rs_window_mean (&w), 1e6 + 1e-3 * (3 * 86400 - 151), 0.01);
    ref_fini (&r);
}

//  Huge values then small ones: once the huge ones have left the window,
//  the small ones' mean and trend owe nothing to them (a running sum that
//  only added and subtracted would keep their rounding for ever).
static void
test_residue (void)
{
    rs_window_t w;
    rs_window_init (&w, 60);
    ref_t r;
    ref_init (&r, rs_window_width_us (&w));
    int64_t t = 0;
    for (int i = 0; i < 20000; i++, t += 10000) {
        double v = i < 5000 ? 1e12 * (1 + s_rand ()) : s_rand () + 1e-3 * (double) t / 1e6;
        rs_window_add (&w, t, v);
        ref_add (&r, t, v);
        if (i >= 19000 && i % 50 == 0)
            s_compare (&w, &r, 1, "after huge values");
    }
    RS_CHECK_NEAR (rs_window_slope (&w, 100, 30), 1e-3, 2e-3);
    ref_fini (&r);
}

int
main (void)
{
    test_api ();
    test_fast ();
    test_slow ();
    test_gaps ();
    test_negative ();
    test_long ();
    test_residue ();
    return RS_TEST_DONE ();
}
