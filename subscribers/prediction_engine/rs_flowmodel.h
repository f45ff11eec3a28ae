/*  rs_flowmodel: the returns a well should give back for what is pumped
    into it, and how far the returns meter reads from them; the kick and
    lost-circulation detectors judge the difference (rs_detect).

    Expected returns: the flow in, plus the steel displacement of the string
    run in or pulled, less the hole drilled, passed through the flowline's
    first-order lag (configured, or learned from pump starts and stops by
    rs_lagfit). Balance = flow out / the meter's gain - expected. A paddle
    is not linear, so its gain is learned per band of flow in, in quiet and
    steady circulation; with the pumps off and the flowline drained, a
    minute at a time tells whether the returns die away (the well giving
    back what circulating pushed into it), and a flat minute gives what the
    meter reads at rest, one per pump stop; the balance's noise (sigma) is
    learned once the gain is. A transient (a flow change, an unconfigured
    string moving) is not trusted for 4 lags, 3 minutes while the lag is
    unknown. The pit's trend over 2 and 5 minutes, with the returns in
    transit in the flowline added back, and their standard errors from the
    pit's own noise, are kept beside it to confirm what the balance shows.
    docs/PREDICTION.md has the numbers and the reasons. */
#ifndef RS_FLOWMODEL_H
#define RS_FLOWMODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rs_channels.h"
#include "rs_rigstate.h"

//  L/min of flow in under which the pumps are not really on: no gain,
//  noise or steady flow is learned there.
#define RS_FLOWMODEL_PUMPING_LPM 300.0
//  17 1/2 in: the largest hole the models allow for without a bit size.
#define RS_FLOWMODEL_BIT_MAX_M 0.4445

typedef struct {
    double bit_diameter_m;      // 0 = not configured: the hole drilled widens `hole_unc` instead
    double pipe_disp_m3_m;      // 0 = not configured: a moving string is a transient
    double returns_tau_s;       // flowline lag; 0 = learned
    double flow_lpm;            // pumps on above; 0 = 50 L/min
} rs_flowmodel_opts_t;

//  What the model says now; NaN when unknown.
typedef struct {
    double expected;            // returns expected, L/min
    double balance;             // flow out / gain - expected, L/min
    double balance_avg;         // the same, smoothed (20 s)
    double bias;                // flow out - flow out / gain: the meter's error now, L/min
    double gain;                // the meter's gain at this flow (reading / true flow)
    double rest;                // what the meter reads at rest, L/min; 0 until measured
    bool giving_back;           // pumps off, returns dying away: the well giving back what it took
    bool back_unsure;           // pumps off, not yet two minutes of drained returns to tell
    double lag_s;               // flowline lag in use; NaN until configured or learned
    double sigma;               // noise of the balance (sample sigma), L/min
    double hole_unc;            // L/min an unconfigured bit size may hide in the balance
    double gain_var;            // the gain's variance as learned, in units of one reading's (1: one reading)
    double hole_rate_mh;        // the hole depth's advance since its last reading, m/h (NaN: not two yet)
    double pit_slope;           // pit trend over 2 min, returns in transit added back, m3/min
    size_t pit_points;          // readings the trend was fitted over
    double pit_slope_se;        // the trend's standard error from the pit's own noise, m3/min (NaN: not known)
    double pit_slope5, pit_slope5_se;   // the same over 5 min: steadier, for a pit too noisy over 2
    double pit_in_transit;      // returns in the flowline, m3
} rs_flowmodel_view_t;

typedef struct rs_flowmodel_t rs_flowmodel_t;

rs_flowmodel_t *rs_flowmodel_new (const rs_flowmodel_opts_t *opts);
void rs_flowmodel_destroy (rs_flowmodel_t **self_p);
//  New options; what was learned stays unless the option now sets it.
void rs_flowmodel_set_opts (rs_flowmodel_t *self, const rs_flowmodel_opts_t *opts);
//  The stream resumes after a gap: the flowline and the pit trend start
//  afresh; the meter's gain, rest, noise and the lag stay learned.
void rs_flowmodel_restart (rs_flowmodel_t *self);
//  Feeds one sample (dt s since the last, 0 after a restart) of despiked
//  channels. `quiet`: no kick, loss or pack-off is raised or building up,
//  so steady circulation may teach the meter's gain and noise.
void rs_flowmodel_feed (rs_flowmodel_t *self, int64_t ts_us, double dt, const double ch[RS_CH_COUNT],
                        const rs_riginfo_t *rig, bool quiet);
const rs_flowmodel_view_t *rs_flowmodel_view (const rs_flowmodel_t *self);
//  True when the balance may be judged: known, past a transient and the
//  model's warm-up, and with the pumps on the meter's gain learned at this
//  flow (with them off any flow is the well flowing).
bool rs_flowmodel_trusted (const rs_flowmodel_t *self, int64_t ts_us, bool pumping);
//  The balance's noise to judge it by at flow in `qin`: learned, or a guess
//  of 1.2% of the flow + 3 L/min until it is.
double rs_flowmodel_sigma (const rs_flowmodel_t *self, double qin);
//  Flow in steady: within 3% of its 5-s average and of the reading before.
bool rs_flowmodel_steady (const rs_flowmodel_t *self, double qin);
//  The meter's gain at the present flow is to be learned afresh (the pit
//  denied what the balance showed); `pumping` false leaves it alone.
void rs_flowmodel_doubt_gain (rs_flowmodel_t *self, bool pumping);

#endif
