/*  rs_descent: a block going steadily down (see rs_descent.h). */
#include "rs_descent.h"

#include <math.h>

#define GAP_S   60.0        // s between positions that breaks a run: steadiness cannot be told across it
#define HALF    0.25        // each half of the run went down this share of it: steady, not one nudge

void
rs_descent_init (rs_descent_t *self)
{
    *self = (rs_descent_t) { .head = 0, .n = 0 };
}

bool
rs_descent_feed (rs_descent_t *self, int64_t ts, double block, double jitter, double move_m, double vmax_ms)
{
    if (isnan (block))
        return false;
    int last = (self->head + RS_DESCENT_N - 1) % RS_DESCENT_N;
    double gap = self->n ? (double) (ts - self->ts[last]) / 1e6 : INFINITY;
    if (self->n && gap > GAP_S)
        self->n = 0;
    if (gap >= RS_DESCENT_STEP_S) {
        self->ts[self->head] = ts;
        self->block[self->head] = block;
        self->head = (self->head + 1) % RS_DESCENT_N;
        self->n += self->n < RS_DESCENT_N;
    }
    //  The run: back from the newest position while each older one stands
    //  no lower than the next (within the jitter) and no higher than a bit
    //  drills in between.
    int run[RS_DESCENT_N];
    int n = 0;
    for (int i = 0; i < self->n; i++) {
        int k = (self->head + RS_DESCENT_N - 1 - i) % RS_DESCENT_N;
        if (n > 0) {
            int q = run[n - 1];
            double secs = (double) (self->ts[q] - self->ts[k]) / 1e6;
            if ((double) (ts - self->ts[k]) / 1e6 > RS_DESCENT_MAX_S || self->block[k] < self->block[q] - jitter
                || self->block[k] - self->block[q] > vmax_ms * secs + jitter)
                break;
        }
        run[n++] = k;
    }
    if (n < 3)
        return false;
    int now = run[0], first = run[n - 1], mid = run[n / 2];
    double drop = self->block[first] - self->block[now];
    return (double) (self->ts[now] - self->ts[first]) / 1e6 >= RS_DESCENT_S && drop >= move_m
           && self->block[first] - self->block[mid] >= HALF * drop && self->block[mid] - self->block[now] >= HALF * drop;
}
