/*  test_engine_noise: rs_noise against a brute-force median of the last
    RS_NOISE_N values (random values with ties, NaN ignored, fewer than the
    ring, long runs past it), and the sigma it gives for normal noise, as a
    difference of two readings and as a second difference, with a share of
    large steps (starts and stops) among them. */
#include "rs_noise.h"
#include "rs_test.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

static uint64_t s_rng = 0x9E3779B97F4A7C15ull;

static double
s_uniform (void)
{
    s_rng ^= s_rng << 13;
    s_rng ^= s_rng >> 7;
    s_rng ^= s_rng << 17;
    return ((double) (s_rng >> 11) + 0.5) / 9007199254740992.0;
}

static double
s_gauss (void)
{
    return sqrt (-2 * log (s_uniform ())) * cos (2 * M_PI * s_uniform ());
}

static int
s_cmp (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

static double
s_ref_median (const double *all, size_t n)
{
    size_t k = n < RS_NOISE_N ? n : RS_NOISE_N;
    double v[RS_NOISE_N];
    for (size_t i = 0; i < k; i++)
        v[i] = fabs (all[n - k + i]);
    qsort (v, k, sizeof v[0], s_cmp);
    return k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
}

static void
test_median (void)
{
    rs_noise_t nz;
    rs_noise_reset (&nz);
    RS_CHECK (isnan (rs_noise_sigma (&nz, 1, 0)));
    RS_CHECK_INT (rs_noise_count (&nz), 0);
    static double all[5000];
    size_t n = 0;
    int bad = 0;
    for (int i = 0; i < 5000; i++) {
        //  Ties (values on a grid of 0.25) and signs: |value| counts.
        double v = floor (s_uniform () * 40) / 4 - 5;
        if (i % 97 == 0)
            rs_noise_add (&nz, NAN);         // ignored
        rs_noise_add (&nz, v);
        all[n++] = v;
        if (rs_noise_sigma (&nz, 1, 1) != s_ref_median (all, n))
            bad++;
    }
    RS_CHECK_INT (bad, 0);
    RS_CHECK_INT (rs_noise_count (&nz), RS_NOISE_N);
    RS_CHECK (isnan (rs_noise_sigma (&nz, 1, RS_NOISE_N + 1)));
}

static void
test_sigma (void)
{
    //  Sigma 2 as steps between two readings, a tenth of them steps of 50.
    rs_noise_t nz;
    rs_noise_reset (&nz);
    double prev = 2 * s_gauss ();
    double sum = 0;
    int got = 0;
    for (int i = 0; i < 20000; i++) {
        double x = 2 * s_gauss ();
        rs_noise_add (&nz, (i % 10 == 0 ? 50 : 0) + x - prev);
        prev = x;
        if (i > 100 && i % 50 == 0) {
            sum += rs_noise_sigma (&nz, RS_NOISE_MED_DIFF, 10);
            got++;
        }
    }
    RS_CHECK_NEAR (sum / got, 2 * 1.1, 0.25);     // a tenth of outliers lifts a median by about 10%
    //  Second differences of sigma 0.05 on a steady travel of 0.3 per reading.
    rs_noise_reset (&nz);
    double x0 = 0.05 * s_gauss (), x1 = 0.3 + 0.05 * s_gauss ();
    sum = 0;
    got = 0;
    for (int i = 2; i < 20000; i++) {
        double x2 = 0.3 * i + 0.05 * s_gauss ();
        rs_noise_add (&nz, x2 - 2 * x1 + x0);
        x0 = x1;
        x1 = x2;
        if (i > 100 && i % 50 == 0) {
            sum += rs_noise_sigma (&nz, RS_NOISE_MED_DIFF2, 10);
            got++;
        }
    }
    RS_CHECK_NEAR (sum / got, 0.05, 0.005);
}

int
main (void)
{
    test_median ();
    test_sigma ();
    return RS_TEST_DONE ();
}
