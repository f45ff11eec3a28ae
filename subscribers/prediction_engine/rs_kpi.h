/*  rs_kpi: drilling KPIs for one well. Pure maths, no I/O.

    - Mechanical specific energy (Teale 1965): MSE = WOB/A + 2 pi N T / (A v)
      in SI (WOB N, A m2, N rev/s, T N.m, v m/s gives Pa); reported in MPa
      and psi, per sample and averaged over the on-bottom samples of the
      last 5 minutes.
    - Two dimensionless drilling efficiencies from it: CCS / MSE (Teale's
      mechanical efficiency; needs the rock's confined compressive strength,
      configured), and the 5-minute MSE against the stand's best: the lowest
      1-minute (on-bottom time) mean MSE of this stand and the previous one.
    - ROP / (WOB x RPM), the former "drilling efficiency" (it has units).
    - Time-window moving averages (5 and 15 minutes by sample time, not by
      count) of ROP and WOB (on bottom only), RPM, torque, SPP, flow in and
      out.
    - ROP per stand (a stand ends when a connection starts), and the
      expected ROP of the next stand: the ROP of the last 3 m drilled.
    - Pit trend: least-squares slope of the pit gain over 5 minutes and the
      minutes until it reaches the pit alarm level at that rate.

    The averages and the trend run on rs_window time windows: bucketed
    aggregates whose memory does not depend on the sample rate, exact to
    one bucket (1/300 of the span) at their old edge. */
#ifndef RS_KPI_H
#define RS_KPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rs_channels.h"
#include "rs_msg.h"
#include "rs_rigstate.h"
#include "rs_window.h"

#define RS_PSI_PER_MPA 145.037738
#define RS_M_PER_IN    0.0254

//  ROP / (WOB x RPM) x 1e5 with ROP m/h, WOB kN, RPM rev/min (the former
//  "drilling efficiency", (ROP x 100) / (WOB x RPM / 1000)); NaN when an
//  input is NaN or WOB or RPM is not positive.
double rs_kpi_rop_per_wob_rpm (double rop_mh, double wob_kn, double rpm);
//  CCS / MSE, both in MPa: the share of the mechanical energy spent that
//  the rock strictly needed. NaN unless both are positive.
double rs_kpi_ccs_mse_ratio (double ccs_mpa, double mse_mpa);
//  Teale MSE in MPa from WOB kN, torque kN.m, rev/min, ROP m/h and the bit
//  diameter in m. NaN when an input is NaN, ROP or the diameter is not
//  positive; negative WOB or torque count as 0.
double rs_kpi_mse_mpa (double wob_kn, double torque_knm, double rpm, double rop_mh,
                       double bit_diameter_m);

typedef struct {
    double bit_diameter_m;      // 0 = 0.2159 (8 1/2 in)
    double pit_alarm_m3;        // pit gain (+) or loss (-) alarm level; 0 = 1.6 m3 (10 bbl)
    double ccs_mpa;             // rock's confined compressive strength; 0 = unknown (no CCS / MSE)
} rs_kpi_opts_t;

typedef struct rs_kpi_t rs_kpi_t;

rs_kpi_t *rs_kpi_new (const rs_kpi_opts_t *opts);
void rs_kpi_destroy (rs_kpi_t **self_p);
void rs_kpi_set_opts (rs_kpi_t *self, const rs_kpi_opts_t *opts);
//  Feeds one sample with its rig state (from rs_rigstate_feed) and the
//  volume of returns in transit in the flowline (m3, NaN = unknown), added
//  back to the pit for its trend so that starting and stopping the pumps is
//  not taken for a gain or a loss. Samples not after the previous one are
//  ignored.
void rs_kpi_feed (rs_kpi_t *self, int64_t ts_us, const double ch[RS_CH_COUNT],
                  const rs_riginfo_t *rig, double transit_m3);
//  Writes the KPI values (static names, NaN = nil) into out; returns how
//  many. RS_KPI_MAX is enough.
#define RS_KPI_MAX 48
size_t rs_kpi_values (const rs_kpi_t *self, rs_value_t *out, size_t max);
//  Value of one KPI by name (NaN if unknown or nil).
double rs_kpi_value (const rs_kpi_t *self, const char *name);

//  For tests and the bench: stands closed so far and their ROPs (oldest
//  first, up to the last RS_KPI_STANDS).
#define RS_KPI_STANDS 16
size_t rs_kpi_stands (const rs_kpi_t *self, double *rop_mh, size_t max);
//  The expected ROP of the next stand (NaN until 1 m has been drilled).
double rs_kpi_rop_prediction (const rs_kpi_t *self);

#endif
