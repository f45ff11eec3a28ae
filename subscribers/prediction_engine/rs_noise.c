/*  rs_noise: a ring of differences and their median. */
#include "rs_noise.h"

#include <math.h>
#include <string.h>

void
rs_noise_reset (rs_noise_t *self)
{
    memset (self, 0, sizeof *self);
    self->median = NAN;
}

//  Where v goes in the sorted values: the first index holding more.
static size_t
s_upper (const double *sorted, size_t n, double v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (sorted[mid] <= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void
rs_noise_add (rs_noise_t *self, double diff)
{
    if (isnan (diff))
        return;
    double v = fabs (diff);
    if (self->n == RS_NOISE_N) {
        //  The oldest value leaves the sorted copy.
        double out = self->d[self->head];
        size_t at = s_upper (self->sorted, self->n, out) - 1;
        memmove (&self->sorted[at], &self->sorted[at + 1], (self->n - at - 1) * sizeof (double));
        self->n--;
    }
    self->d[self->head] = v;
    self->head = (self->head + 1) % RS_NOISE_N;
    size_t at = s_upper (self->sorted, self->n, v);
    memmove (&self->sorted[at + 1], &self->sorted[at], (self->n - at) * sizeof (double));
    self->sorted[at] = v;
    self->n++;
    size_t n = self->n;
    self->median = n % 2 ? self->sorted[n / 2] : (self->sorted[n / 2 - 1] + self->sorted[n / 2]) / 2;
}

size_t
rs_noise_count (const rs_noise_t *self)
{
    return self->n;
}

double
rs_noise_sigma (const rs_noise_t *self, double per_sigma, size_t min_n)
{
    return self->n >= min_n && self->n > 0 ? self->median / per_sigma : NAN;
}
