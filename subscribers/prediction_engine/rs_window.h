/*  rs_window: a time window over a stream of (time, value) samples, for
    moving averages and trends by sample time. Pure maths, no I/O.

    The window does not keep the samples: its span is cut into
    RS_WINDOW_BUCKETS buckets of equal width (span / RS_WINDOW_BUCKETS,
    rounded up to a whole µs; 1 s for 5 minutes) aligned on multiples of the
    width, and each bucket keeps the count, sum, sums of t, t^2 and t.v and
    its first and last sample time. Memory is fixed (about 17 kB) whatever
    the sample rate.

    The window holds the buckets from the newest sample's back to the one
    RS_WINDOW_BUCKETS before it, so it expires a bucket at a time: a sample
    leaves the window between span and span + one bucket width after the
    newest sample time (exact to one bucket). Samples within the span of the
    newest are always in it.

    A sample whose time is earlier than the newest is ignored. A nil reading
    (NaN) is not averaged but moves the window on, so a sensor that stays
    down empties the window after the span.

    Numerics: a bucket keeps its times relative to its start (under one
    width) and the window its totals relative to an origin and a value
    reference that are moved to the oldest bucket and the window's mean
    once per span (RS_WINDOW_BUCKETS new buckets), when the totals are also
    recomputed from the buckets: nothing grows with the run, and the
    rounding of the running totals (a dropped bucket is subtracted from
    them) never outlives a span, so a stream of any length does not drift.
    The slope comes from the totals, or, for samples bunched into under an
    eighth of the span where those would cancel, from the buckets about
    their centroid. */
#ifndef RS_WINDOW_H
#define RS_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RS_WINDOW_BUCKETS 300

typedef struct {
    uint64_t n;                 // valid samples
    double sv, su, suu, suv;    // u: s since the bucket start; v: value - the window's reference
    double ufirst, ulast;       // first and last valid sample's u
} rs_wbucket_t;

typedef struct {
    double span_s;
    int64_t width_us;
    rs_wbucket_t b[RS_WINDOW_BUCKETS + 1];      // ring, in time order from the slot after head
    int64_t newest;             // bucket number of the newest sample (start = newest x width)
    int64_t next_us;            // start of the bucket after it
    int head;                   // its slot
    int64_t last_ts;
    bool started;
    size_t valid;               // valid samples in the window
    double sum;                 // their sum, relative to vref
    double st, stt, stv;        // sums of t, t^2, t.(v - vref), t in s from t0_us
    int64_t t0_us;              // start of the oldest bucket at the last recompute
    double vref;                // value reference (NaN = none yet)
    double last;                // newest valid value
    unsigned advances;          // buckets started since the totals were recomputed
} rs_window_t;

//  Returns 0, or -1 if span_s is not positive (or over a year).
int rs_window_init (rs_window_t *self, double span_s);
//  Nothing to free; kept so callers do not depend on the representation.
void rs_window_fini (rs_window_t *self);
void rs_window_reset (rs_window_t *self);
//  Adds a value (NaN = no reading: moves the window only). Returns 0, or 1
//  when ignored (time earlier than the newest).
int rs_window_add (rs_window_t *self, int64_t ts_us, double value);
//  Mean of the valid values in the window; NaN if none.
double rs_window_mean (const rs_window_t *self);
size_t rs_window_count (const rs_window_t *self);
//  Least-squares slope of value over time, per second; NaN with fewer than
//  `min_points` valid values or a time spread (first to last valid sample)
//  under min_spread_s.
double rs_window_slope (const rs_window_t *self, size_t min_points, double min_spread_s);
//  Sum of the squared distances of the valid samples' times from their
//  mean, s^2: a slope fitted over them has a standard error of the values'
//  noise sigma over its square root. NaN under two samples.
double rs_window_time_ss (const rs_window_t *self);
//  Newest valid value, NaN if none in the window.
double rs_window_last (const rs_window_t *self);
//  Width of a bucket in µs (the precision of the window's edge).
int64_t rs_window_width_us (const rs_window_t *self);

//  The time step of a stream fed in time order.
typedef struct {
    int64_t last_ts;
    bool started;
} rs_step_t;
//  Takes ts_us as the stream's newest time. Returns the seconds since the
//  previous one (0 for the first, and after a gap longer than max_gap_s),
//  or -1 when ts_us is not after it: the sample is to be ignored.
double rs_step (rs_step_t *self, int64_t ts_us, double max_gap_s);

#endif
