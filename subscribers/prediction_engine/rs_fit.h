/*  rs_fit: what the detectors learn about a rig from its own data instead
    of assuming it.

    rs_lagfit: the flowline lag, from pump starts and stops. Each time the
    pumps start or stop it keeps the flow in and flow out of the next few
    minutes, then finds the time constant of the first-order lag that best
    turns that flow in into that flow out, with a gain and an offset fitted
    too (the meter's calibration does not matter). A fit counts when its
    best lag is inside the candidate range and explains most of the flow
    out's change; the estimate is the median of the last fits.

    rs_expfit: the exponent n of SPP ~ Q^n, from pump-rate changes. Each
    plateau of steady pumping (30 s or more) gives a point (ln Q, ln SPP);
    two plateaus at flows at least 15% apart and within 30 minutes of each
    other give a slope, and the exponent is the median of the last slopes.

    rs_motorfit: the standpipe pressure that goes with the weight on the
    bit. A mud motor's torque, and with it its pressure drop, grows with the
    load on the bit: 10-40 bar while drilling on a 150-250 bar standpipe, the
    size of a pack-off or a washout. Each time the bit comes off or goes on
    bottom at a steady pump rate, 20 s on each side of it (within a minute
    of each other, at the same flow within 3%) give a point: the pressure on
    bottom less the pressure off bottom, over the weight on bit between them
    (20 kN or more). The estimate is the median of the last points (three
    at least), bar/kN, 0 with no motor (a rotary steerable or a bit alone).
    Pure logic, no allocation. */
#ifndef RS_FIT_H
#define RS_FIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RS_LAGFIT_PTS   400         // 1-s points kept around a pump start or stop
#define RS_LAGFIT_EST   5           // fits the median is taken over
#define RS_LAGFIT_MIN_S 2.0         // candidate lags, s
#define RS_LAGFIT_MAX_S 150.0

typedef struct {
    double on_lpm;              // pumps on above this flow in
    bool pumps_on;
    bool primed;                // pump state seen at least once
    bool collecting;
    int64_t trigger_us, last_pt_us;
    double t[RS_LAGFIT_PTS], u[RS_LAGFIT_PTS], y[RS_LAGFIT_PTS];
    size_t n;
    double pre_u, pre_y;        // last point before the trigger
    double est[RS_LAGFIT_EST];
    size_t est_n, est_head;
    double tau_s;               // current estimate; NaN = none yet
    uint64_t fits, rejected;
} rs_lagfit_t;

void rs_lagfit_init (rs_lagfit_t *self, double on_lpm);
//  Feeds the flowline's input (flow in plus what the hole gives back, L/min)
//  and the measured flow out. Returns the estimate, NaN while there is none.
double rs_lagfit_feed (rs_lagfit_t *self, int64_t ts_us, double q_in, double q_out);
//  Best lag for one recorded transition (points t [s], input u, output y,
//  the first point steady); NaN when the data do not show a lag.
double rs_lagfit_solve (const double *t, const double *u, const double *y, size_t n);

#define RS_EXPFIT_PLAT  16
#define RS_EXPFIT_EST   9

typedef struct {
    double lnq, lnp;
    int64_t ts;
} rs_expfit_plateau_t;

typedef struct {
    //  the plateau being accumulated
    double acc_lnq, acc_lnp, acc_q;
    size_t acc_n;
    int64_t acc_t0, acc_t1;
    rs_expfit_plateau_t plat[RS_EXPFIT_PLAT];
    size_t plat_n, plat_head;
    double est[RS_EXPFIT_EST];
    size_t est_n, est_head;
    double n_exp;               // current estimate; NaN = none yet
} rs_expfit_t;

void rs_expfit_init (rs_expfit_t *self);
//  Feeds one sample: steady says the pumps are at a steady rate; q (L/min)
//  and spp (bar) > 0. Returns the estimate, NaN while there is none.
double rs_expfit_feed (rs_expfit_t *self, int64_t ts_us, bool steady, double q, double spp);

#define RS_MOTORFIT_EST 5

typedef struct {
    double spp, q, wob;         // smoothed over the segment
    double span_s;              // steady time in it
    int64_t t0, t1;
} rs_motorseg_t;

typedef struct {
    rs_motorseg_t seg[2];       // [0] off bottom, [1] on bottom
    int cur;                    // segment being fed; -1 = none
    bool paired;                // the current segment has given its point
    int64_t last_us;
    double est[RS_MOTORFIT_EST];
    size_t est_n, est_head;
    double bar_kn;              // current estimate; NaN = none yet
} rs_motorfit_t;

void rs_motorfit_init (rs_motorfit_t *self);
//  Feeds one sample: steady says the pumps are at a steady rate; side is 1
//  for a bit drilling (on bottom, weight on it, making hole), 0 for a bit
//  off bottom, -1 for neither (a string worked on bottom, a stuck one);
//  q (L/min), spp (bar) and wob (kN; off bottom NaN is fine). Returns the
//  estimate, NaN while there is none.
double rs_motorfit_feed (rs_motorfit_t *self, int64_t ts_us, bool steady, int side, double q, double spp,
                         double wob);

#endif
