/*  rs_blockweight: what the travelling block weighs (see rs_blockweight.h). */
#include "rs_blockweight.h"
#include "rs_median.h"

#include <math.h>

#define ALPHA   0.05        // learning rate per reading ...
#define UP      0.2         // ... times this for readings above it with the bit at surface

static const char *s_names[] = { "unknown", "configured", "learned", "plateau" };

const char *
rs_bw_source_name (int source)
{
    return source >= 0 && source <= RS_BW_PLATEAU ? s_names[source] : "unknown";
}

void
rs_blockweight_init (rs_blockweight_t *self)
{
    *self = (rs_blockweight_t) { .learned = NAN };
    rs_plateau_init (&self->plateau);
}

//  A block that travels or creeps over the slips reads its acceleration and
//  the make-up loads either way; a bit at surface may have a tool hanging
//  under the block, which only adds: biased low there. The first reading is
//  often the block starting to move: the median of the first few seeds it.
void
rs_blockweight_learn (rs_blockweight_t *self, double hook, bool kin)
{
    if (self->samples < RS_BW_MIN_N) {
        self->seed[self->samples++] = hook;
        if (self->samples == RS_BW_MIN_N)
            self->learned = rs_median_sort (self->seed, RS_BW_MIN_N);
    }
    else {
        double gain = hook < self->learned || kin ? ALPHA : ALPHA * UP;
        self->learned += gain * (hook - self->learned);
        self->samples++;
    }
}

double
rs_blockweight_get (const rs_blockweight_t *self, double configured, double hang_avg, rs_bw_source_t *source)
{
    double plateau = rs_plateau_weight (&self->plateau);
    if (configured > 0) {
        *source = RS_BW_CONFIGURED;
        return configured;
    }
    if (self->samples >= RS_BW_MIN_N) {
        *source = RS_BW_LEARNED;
        return self->learned;
    }
    //  Provisional: one plateau alone may be a string hanging still, but a
    //  string stopped for a minute or more is normally set in the slips;
    //  not a plateau the string has since been seen moving at (the bit
    //  travelling with the block, so out of the slips, and hanging from the
    //  hook): within a plateau's own steadiness of that, it was the string
    //  hanging (a light string moves only a few percent over the block).
    if (!isnan (plateau) && !(!isnan (hang_avg) && plateau > hang_avg * (1 - RS_PLATEAU_REL))) {
        *source = RS_BW_PLATEAU;
        return plateau;
    }
    *source = RS_BW_UNKNOWN;
    return NAN;
}
