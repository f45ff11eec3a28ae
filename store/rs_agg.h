/*  rs_agg: in-memory accumulators for the downsampled tables (agg_1m,
    agg_1h): per (well, time bucket), the sample count and, per known
    channel, min, max, sum and the number of readings (nil/NaN values are
    not readings). The store fills one per bucket width during a batch and
    upserts them in the same transaction; a bucket that already has a row is
    merged with it (min of mins, sum of sums...). Pure data structure. */
#ifndef RS_AGG_H
#define RS_AGG_H

#include <stddef.h>
#include <stdint.h>

#include "rs_channels.h"

typedef struct {
    int64_t well;               //  wells.id
    int64_t bucket;             //  bucket start, µs since the epoch
    int64_t n;                  //  samples in the bucket
    double min[RS_CH_COUNT];
    double max[RS_CH_COUNT];
    double sum[RS_CH_COUNT];
    int64_t count[RS_CH_COUNT]; //  readings (min/max are meaningless when 0)
} rs_agg_bucket_t;

typedef struct {
    int64_t width_us;
    rs_agg_bucket_t *buckets;
    size_t n, cap;
    size_t last;                //  index of the bucket hit last (the usual next hit)
} rs_agg_t;

void rs_agg_init (rs_agg_t *self, int64_t width_us);
void rs_agg_cleanup (rs_agg_t *self);
//  Empties the accumulators (keeps the memory).
void rs_agg_clear (rs_agg_t *self);
//  Start of the bucket holding ts_us (floor, also for negative times).
int64_t rs_agg_bucket_start (int64_t width_us, int64_t ts_us);
//  Adds one sample: values[RS_CH_COUNT], NaN = no reading. Returns 0 or -1 (no memory).
int rs_agg_add (rs_agg_t *self, int64_t well, int64_t ts_us, const double *values);

#endif
