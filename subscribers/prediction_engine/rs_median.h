/*  rs_median: the median of a handful of values (the last few fits, the
    first few readings), sorted in place by insertion: n is small. Header
    only. */
#ifndef RS_MEDIAN_H
#define RS_MEDIAN_H

#include <math.h>
#include <stddef.h>

//  Sorts v[0..n) and returns its median; NaN when n is 0.
static inline double
rs_median_sort (double *v, size_t n)
{
    if (n == 0)
        return NAN;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && v[j] < v[j - 1]; j--) {
            double x = v[j];
            v[j] = v[j - 1];
            v[j - 1] = x;
        }
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif
