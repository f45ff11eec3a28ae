/*  rs_since: how long a condition has held, in sample time. A tracker is
    the time of the sample the condition began to hold on, INT64_MIN while
    it does not hold; the engine's models and detectors keep dozens
    ("the pumps steady since", "the pit denying since"). Header only: it
    sits in the engine's inner loop. */
#ifndef RS_SINCE_H
#define RS_SINCE_H

#include <stdbool.h>
#include <stdint.h>

//  Follows the condition on the sample at ts_us: starts the tracker when it
//  begins to hold, clears it when it does not.
static inline void
rs_since_track (int64_t *since, bool holds, int64_t ts_us)
{
    if (!holds)
        *since = INT64_MIN;
    else if (*since == INT64_MIN)
        *since = ts_us;
}

//  Follows the condition as rs_since_track; true once it has held for s
//  seconds or more.
static inline bool
rs_since_held (int64_t *since, bool holds, int64_t ts_us, double s)
{
    rs_since_track (since, holds, ts_us);
    return holds && (double) (ts_us - *since) >= s * 1e6;
}

#endif
