/*  rs_ema: the exponential moving average by sample time that the engine's
    models and detectors keep. Its gain per sample is 1 - exp(-dt/tau), so
    an average moves as far in a minute of a log written every 10 s as of
    one written every second. Header only: it sits in the engine's inner
    loop. */
#ifndef RS_EMA_H
#define RS_EMA_H

#include <math.h>

//  The gain of a sample dt_s after the last, for time constant tau_s.
static inline double
rs_ema_gain (double dt_s, double tau_s)
{
    return 1.0 - exp (-dt_s / tau_s);
}

//  Moves *avg toward v by the gain of dt_s; an average not started yet
//  (NaN) starts at v.
static inline void
rs_ema_step (double *avg, double v, double dt_s, double tau_s)
{
    *avg = isnan (*avg) ? v : *avg + (v - *avg) * rs_ema_gain (dt_s, tau_s);
}

#endif
