/*  rs_chanq: implausible and stuck channel readings become "no reading". */
#include "rs_chanq.h"

#include <math.h>
#include <string.h>

typedef struct {
    int channel;
    double lo, hi;
} range_t;

//  What no sensor on a rig can read: beyond these it is a default or a
//  fault, not a measurement.
static const range_t s_ranges[] = {
    { RS_CH_MUD_TEMP_IN, -50, 350 },
    { RS_CH_MUD_TEMP_OUT, -50, 350 },
    { RS_CH_MUD_DENSITY_IN, 500, 3000 },
    { RS_CH_MUD_DENSITY_OUT, 500, 3000 },
};

void
rs_chanq_init (rs_chanq_t *self)
{
    memset (self, 0, sizeof *self);
    self->flow_out.anchor = NAN;
}

//  True when the reading x is stuck (see rs_chanq.h).
static bool
s_flat (rs_chanq_flat_t *f, int64_t ts, double x, double eps, double flat_s)
{
    if (isnan (x))
        return false;
    if (isnan (f->anchor) || fabs (x - f->anchor) > eps) {
        f->moved = !isnan (f->anchor);
        f->anchor = x;
        f->changed_us = ts;
    }
    bool still = !f->moved || (double) (ts - f->changed_us) >= flat_s * 1e6;
    f->stuck = fabs (x) > eps && still;
    return f->stuck;
}

int
rs_chanq_filter (rs_chanq_t *self, int64_t ts_us, double ch[RS_CH_COUNT])
{
    int dropped = 0;
    for (size_t i = 0; i < sizeof s_ranges / sizeof s_ranges[0]; i++) {
        double *x = &ch[s_ranges[i].channel];
        if (!isnan (*x) && (*x < s_ranges[i].lo || *x > s_ranges[i].hi)) {
            *x = NAN;
            self->implausible++;
            dropped++;
        }
    }
    if (s_flat (&self->flow_out, ts_us, ch[RS_CH_FLOW_OUT], RS_CHANQ_FLAT_LPM, RS_CHANQ_FLAT_S)) {
        ch[RS_CH_FLOW_OUT] = NAN;
        self->stuck++;
        dropped++;
    }
    return dropped;
}
