/*  rs_simrng: the simulator's random numbers (see rs_simrng.h). */
#include "rs_simrng.h"

#include <math.h>

static uint64_t
splitmix64 (uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void
rs_simrng_seed (rs_simrng_t *r, uint64_t seed, uint64_t stream)
{
    uint64_t st = seed ^ (stream * 0xD1B54A32D192ED03ull);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64 (&st);
    r->has_spare = false;
    r->spare = 0;
}

static inline uint64_t
rotl (uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t
rs_simrng_next (rs_simrng_t *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl (s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl (s[3], 45);
    return result;
}

double
rs_simrng_u (rs_simrng_t *r)
{
    return (double) (rs_simrng_next (r) >> 11) * 0x1.0p-53;
}

double
rs_simrng_range (rs_simrng_t *r, double lo, double hi)
{
    return lo + (hi - lo) * rs_simrng_u (r);
}

double
rs_simrng_gauss (rs_simrng_t *r)
{
    if (r->has_spare) {
        r->has_spare = false;
        return r->spare;
    }
    double u, v, s;
    do {
        u = 2.0 * rs_simrng_u (r) - 1.0;
        v = 2.0 * rs_simrng_u (r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double f = sqrt (-2.0 * log (s) / s);
    r->spare = v * f;
    r->has_spare = true;
    return u * f;
}

double
rs_simrng_exp (rs_simrng_t *r, double mean)
{
    return -log (1.0 - rs_simrng_u (r)) * mean;
}

double
rs_simrng_log (rs_simrng_t *r, double lo, double hi)
{
    return exp (log (lo) + (log (hi) - log (lo)) * rs_simrng_u (r));
}
