/*  rs_detect: event detectors for one well, fed one sample at a time with
    its rig state, emitting alert transitions (rs_alert.h) to a sink.

    Nothing about the rig is assumed: the flowline lag is configured or
    learned from pump starts and stops, the pressure-flow exponent fitted
    over pump-rate changes (rs_fit.h), the pipe displacement and bit size
    configured or, when not, the terms that need them made conservative.

    Shared models (docs/PREDICTION.md has the numbers and the reasons):
    - Flow balance (rs_flowmodel): flow out / the returns meter's learned
      gain, less the returns expected from the flow in, the pipe moved and
      the hole drilled through the flowline's lag; its noise, and the
      pit's trend that must confirm it.
    - Pressure coefficient (rs_pressmodel): SPP / (flow in / 1000)^n,
      which stays put at a constant pump rate; compared with a slow
      reference and the last minute's low (pack-off), and kept a point a
      minute for the washout.
    Flow in, flow out, SPP, hook load and torque are despiked (median of
    three samples). A detector whose input is NaN does not raise, and its
    raised alert is cleared "suppressed: no valid <channel> reading".

    Detectors:
    - kick: one-sided CUSUM of a positive flow balance (allowance 1 sigma,
      threshold 9 sigma.s), also with the pumps off (the well flows);
      critical at 10% of flow in or a pit gain of 1.6 m3 since raised.
    - lost_circulation: CUSUM of a negative balance with the pumps on and
      the pressure not rising; severity by loss rate (seepage, partial,
      severe, total). Quiet during and just after a pack-off or a kill.
    - washout: pressure coefficient 3% or more below its 30-minute high at
      the same flow, falling steadily (three 2-minute segments, each lower),
      returns normal; cleared once it has stopped falling.
    - stuck_pipe: string and hole still for 30 s out of slips with the
      hook load 80 kN beyond the free-hanging weight (learned while the
      string moves off bottom; WOB is not used) or the torque stalled (1.8 x
      its reference with the RPM down); cleared 2 minutes after neither
      holds (half the overpull) or the string moves.
    - pack_off: pressure coefficient 8% or more above its reference (or its
      last-minute low) at the same flow.
    - bit_balling: while drilling, ROP per unit WOB and RPM^0.6 falling
      steadily (four 2-minute segments, each 2% lower) to 25% below its
      recent best, at an unchanged RPM.

    Samples whose time is not after the previous one are ignored; a gap of
    more than 60 s restarts the models (not the raised alerts). */
#ifndef RS_DETECT_H
#define RS_DETECT_H

#include <stdbool.h>
#include <stdint.h>

#include "rs_alert.h"
#include "rs_channels.h"
#include "rs_rigstate.h"

typedef enum {
    RS_DET_KICK = 0,
    RS_DET_LOST_CIRCULATION,
    RS_DET_WASHOUT,
    RS_DET_STUCK_PIPE,
    RS_DET_PACK_OFF,
    RS_DET_BIT_BALLING,
    RS_DET_COUNT
} rs_det_t;

//  "kick", "lost_circulation"... (the simulator's event names).
const char *rs_det_name (int det);
//  Detector for a name, or -1.
int rs_det_lookup (const char *name);

typedef struct {
    double bit_diameter_m;      // 0 = not configured: the hole drilled widens the losses allowance
    double pipe_disp_m3_m;      // steel displacement of the string; 0 = not configured: flow
                                // anomalies are not judged while the string moves
    double returns_tau_s;       // flowline lag; 0 = learned from pump starts and stops
    double flow_lpm;            // pumps on above; 0 = 50 L/min
    unsigned disabled;          // bit (1 << rs_det_t) per detector switched off
} rs_detect_opts_t;

//  Derived signals, for KPIs, the anomaly detector and tests. NaN when unknown.
typedef struct {
    double flow_expected;       // L/min
    double flow_balance;        // flow out - expected - bias, L/min
    double flow_balance_avg;    // the same, smoothed (20 s)
    double flow_bias;           // flow out - flow out / gain: the meter's error now, L/min
    double flow_gain;           // learned flow-out meter gain (reading / true flow)
    double flow_rest;           // what the flow-out meter reads at rest (pumps off), L/min; 0 until measured
    double flowline_lag_s;      // lag in use (configured or learned); NaN = not known yet
    double spp_exp;             // pressure-flow exponent in use
    double spp_wob;             // SPP per kN on the bit (a mud motor), bar/kN; NaN until measured
    double wob_zero;            // what the WOB reads hanging still off bottom, kN (NaN: not seen); off by
                                // more than 20 kN, the detectors read no WOB
    double flow_sigma;          // learned noise of the balance (sample sigma), L/min
    double spp_coef;            // (SPP - spp_wob x WOB) / (Q/1000)^spp_exp, smoothed (20 s)
    double spp_dev;             // spp_coef against its reference, fraction (+0.08 = 8% up)
    double spp_drop;            // spp_coef below its 30-min high, fraction (0.03 = 3% down)
    double spp_rise;            // spp_coef above its low of the last minute, fraction
    double spp_noise;           // the SPP reading's own noise (sigma), fraction; NaN until learned
    double spp_ref, spp_ref_flow;    // the reference and the flow it was learned at
    double kick_cusum, loss_cusum;   // L/min.s
    double pit_slope;           // pit gain trend over 2 min (returns in transit added back), m3/min
    double pit_slope_se;        // its standard error from the pit's own noise, m3/min (NaN: not known)
    double pit_slope5, pit_slope5_se;   // the same over 5 min
    size_t pit_points;          // readings the pit trend was fitted over
    double pit_in_transit;      // returns in the flowline by the flow model, m3
    double flowback_l;          // pumps off: L the well has given back since the stop (0 with the pumps on)
    double flowback_env_l;      // ... and the most the last stops had by then (NaN: unknown)
} rs_detect_view_t;

typedef struct rs_detect_t rs_detect_t;

rs_detect_t *rs_detect_new (const rs_detect_opts_t *opts);
void rs_detect_destroy (rs_detect_t **self_p);
//  New options; a detector switched off clears its alert at the next sample.
void rs_detect_set_opts (rs_detect_t *self, const rs_detect_opts_t *opts);
//  Feeds one sample; transitions go to the sink.
void rs_detect_feed (rs_detect_t *self, int64_t ts_us, const double ch[RS_CH_COUNT],
                     const rs_riginfo_t *rig, const rs_alert_sink_t *sink);
//  Clears every raised alert (e.g. the well's stream restarted).
void rs_detect_clear_all (rs_detect_t *self, int64_t ts_us, const rs_alert_sink_t *sink);
const rs_detect_view_t *rs_detect_view (const rs_detect_t *self);
//  True while the detector's alert is raised.
bool rs_detect_raised (const rs_detect_t *self, rs_det_t det);
size_t rs_detect_raised_count (const rs_detect_t *self);

#endif
