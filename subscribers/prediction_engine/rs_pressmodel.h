/*  rs_pressmodel: the standpipe pressure as a coefficient that stays put at
    a constant pump rate, SPP / (flow in / 1000)^n over the density of the
    mud in the string, with what a mud motor adds under the bit's load taken
    out (rs_motorfit) and n fitted over pump-rate changes (rs_expfit). The
    pack-off, washout and lost-circulation detectors (rs_detect) judge it
    against a slow reference at the same flow, the last minute's low and a
    30-minute history of one point a minute. It is judged only at 20 bar or
    more and 500 L/min or more, after 45 s of steady pumping (a pump rate
    read from the strokes lags the pressure on a ramp); a new exponent, a
    change of the bit's load not yet measured, or 20 minutes without pumping
    restarts the references. The raw reading's own noise is learned apart,
    before any despiking. docs/PREDICTION.md has the numbers and reasons. */
#ifndef RS_PRESSMODEL_H
#define RS_PRESSMODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rs_channels.h"
#include "rs_flowmodel.h"
#include "rs_rigstate.h"

//  A coefficient this far over its reference (or its minute's low) is a
//  rise: the reference waits, and the history point is not "normal".
#define RS_PRESSMODEL_RISE 0.03

typedef struct {
    double flow_lpm;            // pumps on above; 0 = 50 L/min
    double bit_diameter_m;      // the hole's size for the cuttings it holds; 0 = not known (17 1/2 in)
} rs_pressmodel_opts_t;

//  What the model says now; NaN when unknown.
typedef struct {
    double exp;                 // pressure-flow exponent in use
    double wob;                 // SPP per kN on the bit (a mud motor), bar/kN; NaN until measured
    double coef;                // the coefficient, smoothed (10 s)
    double dev;                 // against its reference, fraction (+0.08 = 8% up)
    double drop;                // below its 30-min high at the same flow, less `cuttings`, fraction (0.03 = 3% down)
    double cuttings;            // how much of that fall the cuttings that left since may explain, fraction
    double rise;                // above its low of the last minute, fraction
    double noise;               // the SPP reading's own noise (sigma), fraction
    double ref, ref_flow;       // the reference and the flow it was learned at
} rs_pressmodel_view_t;

typedef struct rs_pressmodel_t rs_pressmodel_t;

rs_pressmodel_t *rs_pressmodel_new (const rs_pressmodel_opts_t *opts);
void rs_pressmodel_destroy (rs_pressmodel_t **self_p);
void rs_pressmodel_set_opts (rs_pressmodel_t *self, const rs_pressmodel_opts_t *opts);
//  The stream resumes after a gap: the coefficient, its histories and the
//  noise start afresh; the exponent, the motor and the reference stay.
void rs_pressmodel_restart (rs_pressmodel_t *self);
//  Feeds one sample's raw readings (before despiking) to the noise estimate.
void rs_pressmodel_noise (rs_pressmodel_t *self, int64_t ts_us, const double raw[RS_CH_COUNT]);
//  Feeds one sample of despiked channels (dt s since the last, 0 after a
//  restart); the flow model says whether the pumps are steady. `alarmed`: a
//  pack-off or stuck pipe is raised, so the reference must not follow.
void rs_pressmodel_feed (rs_pressmodel_t *self, int64_t ts_us, double dt, const double ch[RS_CH_COUNT],
                         const rs_riginfo_t *rig, const rs_flowmodel_t *flow, bool alarmed);
const rs_pressmodel_view_t *rs_pressmodel_view (const rs_pressmodel_t *self);
//  Mean of the history points [from, to) minutes back at flow `qin`; NaN if
//  any is missing, not normal or at another flow.
double rs_pressmodel_wash_mean (const rs_pressmodel_t *self, size_t from, size_t to, double qin);
//  The history starts afresh: its present level is the new high.
void rs_pressmodel_wash_restart (rs_pressmodel_t *self);

#endif
