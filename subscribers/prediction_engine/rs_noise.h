/*  rs_noise: how noisy a sensor reads, from differences of its readings.
    Keeps the last RS_NOISE_N absolute differences the caller gives (of two
    readings, or second differences x2 - 2 x1 + x0, which a steady travel
    does not have) and gives their median: a start, a stop or a step of the
    process among them moves a median little, where a mean would follow it
    (and a clipped mean, to be safe, never learns a noise wider than its
    clip). Memory is fixed; a sorted copy is kept up to date on each add
    (one value out, one in), so the median costs a lookup.
    Pure maths, no I/O. */
#ifndef RS_NOISE_H
#define RS_NOISE_H

#include <stddef.h>

#define RS_NOISE_N 64

//  Median |difference| of normal noise of sigma 1: of two readings, and a
//  second difference of three.
#define RS_NOISE_MED_DIFF  0.9539
#define RS_NOISE_MED_DIFF2 1.6521

typedef struct {
    double d[RS_NOISE_N];       // in the order added (a ring)
    double sorted[RS_NOISE_N];  // the same, ascending
    size_t head, n;
    double median;              // of what is held; NaN when empty
} rs_noise_t;

void rs_noise_reset (rs_noise_t *self);
//  Adds one absolute difference (NaN ignored).
void rs_noise_add (rs_noise_t *self, double diff);
//  How many differences are held (at most RS_NOISE_N).
size_t rs_noise_count (const rs_noise_t *self);
//  The noise's sigma: the median difference over `per_sigma` (one of the
//  RS_NOISE_MED_ constants); NaN with fewer than min_n held.
double rs_noise_sigma (const rs_noise_t *self, double per_sigma, size_t min_n);

#endif
