/*  rs_downsample: the uplink's telemetry as N-second windows. Each well's
    channels are folded into windows (rs_budget's rs_window_t); a sample that
    closes windows yields one record of <channel>_mean, _min and _max for
    them, stamped with the window's start and the seq of the last sample
    inside it. Pure: no I/O. */
#ifndef RS_DOWNSAMPLE_H
#define RS_DOWNSAMPLE_H

#include <msgpack.h>
#include <stdint.h>

#include "rs_msg.h"

typedef struct rs_downsample_t rs_downsample_t;

//  Returns a fresh downsampler with windows of period_ms (> 0), or NULL.
rs_downsample_t *rs_downsample_new (int64_t period_ms);
void rs_downsample_destroy (rs_downsample_t **self_p);

//  Folds a telemetry sample into its well's windows. When it closes any,
//  packs them into buf (appended to) as one MessagePack map, sets *ts_ms and
//  *seq, and returns the number of values packed; returns 0 when none
//  closed, -1 when out of memory.
int rs_downsample_add (rs_downsample_t *self, const rs_msg_t *msg, msgpack_sbuffer *buf, int64_t *ts_ms,
                       uint64_t *seq);

#endif
