/*  test_engine_kpi: KPI maths (Teale MSE against the notes' check value,
    CCS / MSE, ROP / (WOB x RPM)), averages by sample time (nil readings,
    samples out of order), the MSE against the stand's best with hand-worked
    numbers, stands and the next-stand ROP, pit trend and time to alarm. The
    time windows themselves: test_engine_window. */
#include "rs_kpi.h"
#include "rs_test.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define S 1000000LL                 // µs per s
#define KLBF_KN 4.4482216
#define FTLBF_KNM 0.0013558179
#define FT_M 0.3048

static void
test_formulas (void)
{
    //  The former "drilling efficiency", (ROP x 100) / (WOB x RPM / 1000):
    //  20 x 100 / (100 x 120 / 1000) = 2000 / 12.
    RS_CHECK_NEAR (rs_kpi_rop_per_wob_rpm (20, 100, 120), 2000.0 / 12.0, 1e-9);
    RS_CHECK (isnan (rs_kpi_rop_per_wob_rpm (20, 0, 120)));
    RS_CHECK (isnan (rs_kpi_rop_per_wob_rpm (20, 100, 0)));
    RS_CHECK (isnan (rs_kpi_rop_per_wob_rpm (20, -3, 120)));
    RS_CHECK (isnan (rs_kpi_rop_per_wob_rpm (NAN, 100, 120)));
    //  CCS / MSE: 50 MPa rock drilled at 200 MPa is 25% efficient.
    RS_CHECK_NEAR (rs_kpi_ccs_mse_ratio (50, 200), 0.25, 1e-12);
    RS_CHECK (isnan (rs_kpi_ccs_mse_ratio (0, 200)));
    RS_CHECK (isnan (rs_kpi_ccs_mse_ratio (NAN, 200)));
    RS_CHECK (isnan (rs_kpi_ccs_mse_ratio (50, NAN)));
    RS_CHECK (isnan (rs_kpi_ccs_mse_ratio (50, 0)));

    //  Teale, the notes' check: 8.5 in bit, 35 klbf, 120 rpm, 4,500 ft.lbf,
    //  50 ft/h gives about 72,400 psi.
    double mpa = rs_kpi_mse_mpa (35 * KLBF_KN, 4500 * FTLBF_KNM, 120, 50 * FT_M, 8.5 * RS_M_PER_IN);
    RS_CHECK_NEAR (mpa * RS_PSI_PER_MPA, 72400, 100);
    //  Field-unit form, same inputs: WOB/A + 120 pi N T / (A ROP).
    double a_in2 = M_PI / 4 * 8.5 * 8.5;
    double field = 35000 / a_in2 + 120 * M_PI * 120 * 4500 / (a_in2 * 50);
    RS_CHECK_NEAR (mpa * RS_PSI_PER_MPA, field, field * 1e-5);
    //  No rotation: WOB/A only.
    RS_CHECK_NEAR (rs_kpi_mse_mpa (100, 5, 0, 20, 0.2159), 100e3 / (M_PI / 4 * 0.2159 * 0.2159) / 1e6, 1e-9);
    RS_CHECK (isnan (rs_kpi_mse_mpa (100, 5, 120, 0, 0.2159)));
    RS_CHECK (isnan (rs_kpi_mse_mpa (100, NAN, 120, 20, 0.2159)));
    RS_CHECK (isnan (rs_kpi_mse_mpa (100, 5, 120, 20, 0)));
}

//  A drilling sample.
static void
s_sample (double *ch, double hole, double rop, double wob, double rpm, double tq)
{
    for (int i = 0; i < RS_CH_COUNT; i++)
        ch[i] = NAN;
    ch[RS_CH_HOLE_DEPTH] = hole;
    ch[RS_CH_BIT_DEPTH] = hole;
    ch[RS_CH_ROP] = rop;
    ch[RS_CH_WOB] = wob;
    ch[RS_CH_RPM] = rpm;
    ch[RS_CH_TORQUE] = tq;
    ch[RS_CH_SPP] = 200;
    ch[RS_CH_FLOW_IN] = 2000;
    ch[RS_CH_FLOW_OUT] = 1990;
}

static void
test_per_well (void)
{
    rs_kpi_opts_t o = { .bit_diameter_m = 0.2159, .pit_alarm_m3 = 1.6 };
    rs_kpi_t *k = rs_kpi_new (&o);
    RS_CHECK (k != NULL);
    rs_riginfo_t rig = { .state = RS_RIG_DRILLING_ROTARY };
    double ch[RS_CH_COUNT];
    double hole = 2000;
    int64_t t = 0;
    //  Ten minutes drilling at 18 m/h, then one circulating off bottom.
    for (int i = 0; i < 600; i++, t += S) {
        hole += 18.0 / 3600;
        s_sample (ch, hole, 18, 100, 120, 8);
        rs_kpi_feed (k, t, ch, &rig, NAN);
    }
    RS_CHECK_NEAR (rs_kpi_value (k, "rop_avg5m"), 18, 1e-9);
    RS_CHECK_NEAR (rs_kpi_value (k, "rop_per_wob_rpm"), 18 * 100 / (100 * 120 / 1000.0), 1e-9);
    RS_CHECK_NEAR (rs_kpi_value (k, "mse_mpa"), rs_kpi_mse_mpa (100, 8, 120, 18, 0.2159), 1e-9);
    RS_CHECK_NEAR (rs_kpi_value (k, "mse_avg5m_psi"),
                   rs_kpi_mse_mpa (100, 8, 120, 18, 0.2159) * RS_PSI_PER_MPA, 1e-6);
    rig.state = RS_RIG_CIRCULATING;
    for (int i = 0; i < 60; i++, t += S) {
        s_sample (ch, hole, 0, -1.5, 60, 3);
        ch[RS_CH_BIT_DEPTH] = hole - 5;
        rs_kpi_feed (k, t, ch, &rig, NAN);
    }
    //  ROP and WOB average the on-bottom samples only; RPM all of them. The
    //  5-minute window holds the last 301 one-second buckets (exact to one
    //  bucket): 241 samples drilling, 60 circulating.
    RS_CHECK_NEAR (rs_kpi_value (k, "rop_avg5m"), 18, 1e-9);
    RS_CHECK_NEAR (rs_kpi_value (k, "wob_avg15m"), 100, 1e-9);
    RS_CHECK_NEAR (rs_kpi_value (k, "rpm_avg5m"), (241 * 120 + 60 * 60) / 301.0, 1e-6);
    RS_CHECK (isnan (rs_kpi_value (k, "rop_per_wob_rpm")));
    RS_CHECK (isnan (rs_kpi_value (k, "mse_mpa")));
    //  A nil reading leaves the averages as they are; out of order is ignored.
    s_sample (ch, hole, NAN, NAN, NAN, NAN);
    rs_kpi_feed (k, t, ch, &rig, NAN);
    s_sample (ch, hole, 999, 999, 999, 999);
    rs_kpi_feed (k, t - 30 * S, ch, &rig, NAN);
    RS_CHECK_NEAR (rs_kpi_value (k, "rpm_avg15m"), (600 * 120 + 60 * 60) / 660.0, 1e-6);
    rs_kpi_destroy (&k);
    RS_CHECK (k == NULL);
}

//  Stands: ROP per stand and the forecast of the next (connections do not
//  count as drilling time). Without a hole depth reported (a log with the
//  string's depth only), the one the rig state found from the bit.
static void
s_stands (bool from_bit)
{
    rs_kpi_t *k = rs_kpi_new (NULL);
    double ch[RS_CH_COUNT];
    double hole = 1000;
    int64_t t = 0;
    const double rops[] = { 20, 22, 24, 26 };
    rs_riginfo_t rig = { 0 };
    rig.hole_from_bit = from_bit;
    for (int s = 0; s < 4; s++) {
        rig.state = RS_RIG_DRILLING_ROTARY;
        for (int i = 0; i < 27.43 / rops[s] * 3600; i++, t += S) {
            hole += rops[s] / 3600;
            s_sample (ch, from_bit ? NAN : hole, rops[s], 100, 120, 8);
            rig.hole_depth_m = hole;
            rs_kpi_feed (k, t, ch, &rig, NAN);
            rig.changed = false;
        }
        rig.state = RS_RIG_CONNECTION;
        rig.changed = true;
        for (int i = 0; i < 120; i++, t += S) {
            s_sample (ch, from_bit ? NAN : hole, 0, 0, 0, 0);
            rs_kpi_feed (k, t, ch, &rig, NAN);
            rig.changed = false;
        }
    }
    double st[RS_KPI_STANDS];
    size_t n = rs_kpi_stands (k, st, RS_KPI_STANDS);
    RS_CHECK_INT (n, 4);
    for (size_t i = 0; i < n && i < 4; i++)
        RS_CHECK_NEAR (st[i], rops[i], 0.1);
    RS_CHECK_NEAR (rs_kpi_value (k, "rop_last_stand"), 26, 0.1);
    RS_CHECK_INT ((long long) rs_kpi_value (k, "stands"), 4);
    //  The next stand is expected at the ROP of the last 3 m drilled.
    double pred = rs_kpi_rop_prediction (k);
    RS_CHECK_NEAR (pred, 26, 0.2);
    RS_CHECK_NEAR (rs_kpi_value (k, "rop_next_stand"), pred, 1e-12);
    RS_CHECK_NEAR (rs_kpi_value (k, "hole_depth"), hole, 1e-9);
    rs_kpi_destroy (&k);
}

static void
test_stands (void)
{
    s_stands (false);
    s_stands (true);
}

//  Drills `secs` 1-s samples at ROP 18 or 24 m/h, WOB 100 kN, 120 rpm and
//  the torque given, then (when conn) starts a 2-minute connection.
static void
s_drill (rs_kpi_t *k, int64_t *t, double *hole, int secs, double rop, double tq, bool conn)
{
    rs_riginfo_t rig = { .state = RS_RIG_DRILLING_ROTARY };
    double ch[RS_CH_COUNT];
    for (int i = 0; i < secs; i++, *t += S) {
        *hole += rop / 3600;
        s_sample (ch, *hole, rop, 100, 120, tq);
        rs_kpi_feed (k, *t, ch, &rig, NAN);
    }
    if (!conn)
        return;
    rig = (rs_riginfo_t) { .state = RS_RIG_CONNECTION, .changed = true };
    for (int i = 0; i < 120; i++, *t += S) {
        s_sample (ch, *hole, 0, 0, 0, 0);
        rs_kpi_feed (k, *t, ch, &rig, NAN);
        rig.changed = false;
    }
}

//  The dimensionless efficiencies, worked by hand. 8 1/2 in bit:
//  A = pi / 4 x 0.2159^2 = 0.0366096 m2, WOB / A = 100 kN / A = 2.7315 MPa.
//  Rotary term 2 pi N T / (A v) at 120 rpm (2 rev/s), 8 kN.m, 18 m/h
//  (0.005 m/s): 2 pi x 2 x 8000 / (0.0366096 x 0.005) = 549.2053 MPa, so
//    m1 (8 kN.m, 18 m/h)  = 551.9368 MPa
//    m2 (12 kN.m, 18 m/h) = 2.7315 + 549.2053 x 1.5  = 826.5394 MPa
//    m3 (8 kN.m, 24 m/h)  = 2.7315 + 549.2053 x 0.75 = 414.6354 MPa
//    m4 (16 kN.m, 24 m/h) = 2.7315 + 549.2053 x 1.5  = 826.5394 MPa
static void
test_efficiency (void)
{
    rs_kpi_opts_t o = { .bit_diameter_m = 0.2159, .ccs_mpa = 60 };
    rs_kpi_t *k = rs_kpi_new (&o);
    rs_kpi_t *none = rs_kpi_new (NULL);                     // no CCS configured
    int64_t t = 0, t2 = 0;
    double hole = 2000, hole2 = 2000;
    RS_CHECK (isnan (rs_kpi_value (k, "mse_stand_ratio")));
    //  Stand 1: 10 minutes at m1. CCS / MSE = 60 / 551.9368.
    s_drill (k, &t, &hole, 600, 18, 8, false);
    s_drill (none, &t2, &hole2, 600, 18, 8, false);
    RS_CHECK_NEAR (rs_kpi_value (k, "mse_avg5m_mpa"), 551.9368, 1e-3);
    RS_CHECK_NEAR (rs_kpi_value (k, "ccs_mse_ratio"), 60 / 551.9368, 1e-6);
    RS_CHECK (isnan (rs_kpi_value (none, "ccs_mse_ratio")));
    //  As efficient as the stand's best.
    RS_CHECK_NEAR (rs_kpi_value (k, "mse_stand_ratio"), 1, 1e-9);
    RS_CHECK_NEAR (rs_kpi_value (k, "mse_stand_best_mpa"), 551.9368, 1e-3);
    s_drill (k, &t, &hole, 0, 18, 8, true);
    //  Stand 2: 6 minutes at m2 (the 5-minute window holds only these);
    //  the best is still the previous stand's m1.
    s_drill (k, &t, &hole, 360, 18, 12, false);
    RS_CHECK_NEAR (rs_kpi_value (k, "mse_avg5m_mpa"), 826.5394, 1e-3);
    RS_CHECK_NEAR (rs_kpi_value (k, "mse_stand_ratio"), 826.5394 / 551.9368, 1e-6);
    RS_CHECK_NEAR (rs_kpi_value (k, "ccs_mse_ratio"), 60 / 826.5394, 1e-6);
    s_drill (k, &t, &hole, 0, 18, 12, true);
    //  Stand 3: 6 minutes at m3, better than both: 1.
    s_drill (k, &t, &hole, 360, 24, 8, false);
    RS_CHECK_NEAR (rs_kpi_value (k, "mse_stand_ratio"), 1, 1e-9);
    RS_CHECK_NEAR (rs_kpi_value (k, "mse_stand_best_mpa"), 414.6354, 1e-3);
    //  Then 3 minutes at m4: the window (301 one-second buckets) holds 121
    //  samples at m3 and 180 at m4, against the best m3:
    //  (121 x 414.6354 + 180 x 826.5394) / 301 / 414.6354 = 1.594067.
    s_drill (k, &t, &hole, 180, 24, 16, false);
    RS_CHECK_NEAR (rs_kpi_value (k, "mse_stand_ratio"), 1.594067, 1e-6);
    //  Off bottom the 5-minute MSE keeps its on-bottom samples; one second
    //  on, the oldest m3 sample has left: (120 x m3 + 180 x m4) / 300 / m3.
    rs_riginfo_t rig = { .state = RS_RIG_CIRCULATING };
    double ch[RS_CH_COUNT];
    s_sample (ch, hole, 0, 0, 60, 2);
    ch[RS_CH_BIT_DEPTH] = hole - 5;
    rs_kpi_feed (k, t, ch, &rig, NAN);
    RS_CHECK_NEAR (rs_kpi_value (k, "mse_stand_ratio"), 1.596047, 1e-6);
    RS_CHECK (isnan (rs_kpi_value (k, "rop_per_wob_rpm")));
    rs_kpi_destroy (&k);
    rs_kpi_destroy (&none);
}

static void
test_pit (void)
{
    rs_kpi_opts_t o = { .pit_alarm_m3 = 1.6 };
    rs_kpi_t *k = rs_kpi_new (&o);
    rs_riginfo_t rig = { .state = RS_RIG_CIRCULATING };
    double ch[RS_CH_COUNT];
    //  Pit gaining 0.1 m3/min from 0: at 0.5 m3, 11 minutes to 1.6 m3.
    for (int i = 0; i <= 300; i++) {
        s_sample (ch, 2000, 0, 0, 0, 0);
        ch[RS_CH_PIT_GAIN] = 0.1 * i / 60.0;
        rs_kpi_feed (k, i * S, ch, &rig, 0.5);
    }
    RS_CHECK_NEAR (rs_kpi_value (k, "pit_trend_m3_per_min"), 0.1, 1e-6);
    RS_CHECK_NEAR (rs_kpi_value (k, "pit_gain"), 0.5, 1e-9);
    RS_CHECK_NEAR (rs_kpi_value (k, "pit_alarm_eta_min"), (1.6 - 0.5) / 0.1, 1e-3);
    //  Flat: no time to alarm.
    for (int i = 301; i <= 700; i++) {
        s_sample (ch, 2000, 0, 0, 0, 0);
        ch[RS_CH_PIT_GAIN] = 0.5;
        rs_kpi_feed (k, i * S, ch, &rig, 0.5);
    }
    RS_CHECK (isnan (rs_kpi_value (k, "pit_alarm_eta_min")));
    //  Losing 0.2 m3/min: time to the loss level -1.6 m3.
    for (int i = 701; i <= 1000; i++) {
        s_sample (ch, 2000, 0, 0, 0, 0);
        ch[RS_CH_PIT_GAIN] = 0.5 - 0.2 * (i - 700) / 60.0;
        rs_kpi_feed (k, i * S, ch, &rig, 0.5);
    }
    double now = 0.5 - 0.2 * 300 / 60.0;
    RS_CHECK_NEAR (rs_kpi_value (k, "pit_trend_m3_per_min"), -0.2, 1e-6);
    RS_CHECK_NEAR (rs_kpi_value (k, "pit_alarm_eta_min"), (-1.6 - now) / -0.2, 1e-3);
    //  Returns in transit are added back for the trend: the pumps starting
    //  (pit down 0.5 m3 while the flowline fills) is no loss.
    rs_kpi_t *k3 = rs_kpi_new (&o);
    for (int i = 0; i <= 120; i++) {
        s_sample (ch, 2000, 0, 0, 0, 0);
        double fill = 0.5 * (1 - exp (-i / 15.0));
        ch[RS_CH_PIT_GAIN] = -fill;
        rs_kpi_feed (k3, i * S, ch, &rig, fill);
    }
    RS_CHECK_NEAR (rs_kpi_value (k3, "pit_trend_m3_per_min"), 0, 1e-6);
    rs_kpi_destroy (&k3);
    //  Without pit_gain the volume against its first reading is used.
    rs_kpi_t *k2 = rs_kpi_new (NULL);
    s_sample (ch, 2000, 0, 0, 0, 0);
    ch[RS_CH_PIT_VOLUME] = 80;
    rs_kpi_feed (k2, 0, ch, &rig, NAN);
    ch[RS_CH_PIT_VOLUME] = 80.7;
    rs_kpi_feed (k2, S, ch, &rig, NAN);
    RS_CHECK_NEAR (rs_kpi_value (k2, "pit_gain"), 0.7, 1e-9);
    rs_value_t v[RS_KPI_MAX];
    size_t n = rs_kpi_values (k2, v, RS_KPI_MAX);
    RS_CHECK (n > 30 && n <= RS_KPI_MAX);
    for (size_t i = 0; i < n; i++)
        RS_CHECK (v[i].name && strlen (v[i].name) <= 64);
    rs_kpi_destroy (&k2);
    rs_kpi_destroy (&k);
}

int
main (void)
{
    test_formulas ();
    test_per_well ();
    test_stands ();
    test_efficiency ();
    test_pit ();
    return RS_TEST_DONE ();
}
