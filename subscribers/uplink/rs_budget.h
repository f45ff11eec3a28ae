/*  rs_budget: the bandwidth budget of a satellite uplink, as pure logic.
    Report by exception: a channel's value is sent when it moved by more than
    its deadband since the last value sent, or when the channel's maximum
    silence has passed, and never more often than its minimum interval.
    Downsampling folds a channel into N-second windows (mean, min, max).
    A token bucket caps the bytes per second put on the link. */
#ifndef RS_BUDGET_H
#define RS_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rs_budget_t rs_budget_t;

typedef struct {
    double deadband;            // default absolute deadband; 0 = every change
    const char *deadbands;      // per channel: "rop=0.5,wob=2"; NULL = none
    int64_t min_interval_ms;    // 0 = no minimum
    int64_t max_silence_ms;     // send an unchanged value at least this often; 0 = never
} rs_budget_opts_t;

//  Returns a fresh budget, or NULL when `deadbands` is malformed (logged).
rs_budget_t *rs_budget_new (const rs_budget_opts_t *opts);
void rs_budget_destroy (rs_budget_t **self_p);
//  True when opts make every value pass (no state is then kept).
bool rs_budget_is_open (const rs_budget_t *self);

//  Decides whether a value of (well, name) at ts_ms is reported, and if so
//  remembers it as the last one sent. NaN (no reading) passes when the last
//  one sent was a number, and is then remembered.
bool rs_budget_pass (rs_budget_t *self, const char *well, const char *name, double value, int64_t ts_ms);
uint64_t rs_budget_suppressed (const rs_budget_t *self);

//  A downsampling window for one channel.
typedef struct {
    int64_t start_ms;           // window start (a multiple of the period); 0 = empty
    double sum, min, max;
    uint64_t n;
} rs_window_t;

//  Adds a value at ts_ms to a window of period_ms. When ts_ms falls past the
//  current window, the finished window is copied to *done and true returned
//  (the value then starts the next one). NaN values are skipped.
bool rs_window_add (rs_window_t *w, int64_t period_ms, int64_t ts_ms, double value, rs_window_t *done);

//  Token bucket on bytes per second.
typedef struct {
    double rate;                // bytes per second; 0 = unlimited
    double burst;               // most tokens held
    double tokens;
    int64_t last_ms;
} rs_bucket_t;

void rs_bucket_init (rs_bucket_t *b, double rate, double burst);
//  True when `bytes` may go now (they are taken; the balance may go below
//  zero once, so a message larger than the burst still passes).
bool rs_bucket_take (rs_bucket_t *b, size_t bytes, int64_t now_ms);
//  Refills; true when something may go now (then debit what went).
bool rs_bucket_ready (rs_bucket_t *b, int64_t now_ms);
void rs_bucket_debit (rs_bucket_t *b, size_t bytes);

#endif
