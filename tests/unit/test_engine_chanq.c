/*  test_engine_chanq: readings no sensor could make and stuck channels are
    "no reading" before any model sees them (rs_chanq), and through the
    whole engine a stuck returns meter with the pumps off raises no kick
    while a live one that shows the well flowing still does. */
#include "rs_chanq.h"
#include "rs_engine.h"
#include "rs_test.h"

#include <math.h>
#include <string.h>

#define S 1000000LL

static void
s_nan (double *ch)
{
    for (int i = 0; i < RS_CH_COUNT; i++)
        ch[i] = NAN;
}

static void
test_implausible (void)
{
    rs_chanq_t q;
    rs_chanq_init (&q);
    double ch[RS_CH_COUNT];
    s_nan (ch);
    ch[RS_CH_MUD_TEMP_IN] = -273.15;        // 0 K: a defaulted channel
    ch[RS_CH_MUD_TEMP_OUT] = 48.5;
    ch[RS_CH_MUD_DENSITY_IN] = 1000;
    ch[RS_CH_MUD_DENSITY_OUT] = 0;
    ch[RS_CH_WOB] = -89;                    // negative WOB off bottom is a reading
    RS_CHECK_INT (rs_chanq_filter (&q, 0, ch), 2);
    RS_CHECK (isnan (ch[RS_CH_MUD_TEMP_IN]));
    RS_CHECK_NEAR (ch[RS_CH_MUD_TEMP_OUT], 48.5, 1e-12);
    RS_CHECK_NEAR (ch[RS_CH_MUD_DENSITY_IN], 1000, 1e-12);
    RS_CHECK (isnan (ch[RS_CH_MUD_DENSITY_OUT]));
    RS_CHECK_NEAR (ch[RS_CH_WOB], -89, 1e-12);
    RS_CHECK_INT (q.dropped[RS_CH_MUD_TEMP_IN][RS_CHQ_IMPLAUSIBLE], 1);
    RS_CHECK_INT (q.dropped[RS_CH_MUD_DENSITY_OUT][RS_CHQ_IMPLAUSIBLE], 1);
    RS_CHECK_INT (rs_chanq_dropped (q.dropped, -1, -1), 2);
    RS_CHECK_INT (rs_chanq_dropped (q.dropped, RS_CH_WOB, -1), 0);
}

static void
test_stuck_flow_out (void)
{
    rs_chanq_t q;
    rs_chanq_init (&q);
    double ch[RS_CH_COUNT];
    //  The Volve log's FLOWOUT: 15.74-15.76 L/min for eight hours. Never
    //  seen to move: stuck from the start.
    for (int i = 0; i < 100; i++) {
        s_nan (ch);
        ch[RS_CH_FLOW_OUT] = 15.75 + 0.01 * sin (i);
        rs_chanq_filter (&q, i * 3 * S, ch);
        RS_CHECK (isnan (ch[RS_CH_FLOW_OUT]));
    }
    RS_CHECK_INT (q.dropped[RS_CH_FLOW_OUT][RS_CHQ_STUCK], 100);
    //  Its first real change makes it live again.
    s_nan (ch);
    ch[RS_CH_FLOW_OUT] = 40;
    rs_chanq_filter (&q, 300 * S, ch);
    RS_CHECK_NEAR (ch[RS_CH_FLOW_OUT], 40, 1e-12);
    //  Live, then frozen at a value: stuck after RS_CHANQ_FLAT_S.
    int64_t t = 301 * S;
    bool stuck_early = false;
    for (int i = 0; i < 700; i++, t += S) {
        s_nan (ch);
        ch[RS_CH_FLOW_OUT] = 2100;
        rs_chanq_filter (&q, t, ch);
        if (i < RS_CHANQ_FLAT_S - 2)
            stuck_early = stuck_early || isnan (ch[RS_CH_FLOW_OUT]);
    }
    RS_CHECK (!stuck_early);
    RS_CHECK (isnan (ch[RS_CH_FLOW_OUT]));
    //  A zero reading (no returns) is taken as it is, however long.
    rs_chanq_init (&q);
    for (int i = 0; i < 1000; i++) {
        s_nan (ch);
        ch[RS_CH_FLOW_OUT] = 0;
        rs_chanq_filter (&q, i * S, ch);
    }
    RS_CHECK_NEAR (ch[RS_CH_FLOW_OUT], 0, 1e-12);
    RS_CHECK_INT (q.dropped[RS_CH_FLOW_OUT][RS_CHQ_STUCK], 0);
    //  A live meter is never judged stuck, nor is a missing one.
    rs_chanq_init (&q);
    for (int i = 0; i < 2000; i++) {
        s_nan (ch);
        ch[RS_CH_FLOW_OUT] = i % 50 == 0 ? NAN : 2000 + 15 * sin (i * 0.7);
        rs_chanq_filter (&q, i * S, ch);
    }
    RS_CHECK_INT (q.dropped[RS_CH_FLOW_OUT][RS_CHQ_STUCK], 1);    // its very first reading, before it had moved
}

//  A meter frozen at its drilling reading: with the pumps on, returns are
//  turbulent, so it is stuck RS_CHANQ_FLAT_PUMP_S after it froze; once the
//  pumps stop they must follow within a flowline's lag, so one frozen as
//  they stop is stuck RS_CHANQ_FLAT_Q_S after the stop, both long before
//  RS_CHANQ_FLAT_S. A live meter that follows the stop, and one at rest
//  while the pumps come up, are left alone.
static void
test_stuck_through_pump_stop (void)
{
    rs_chanq_t q;
    rs_chanq_init (&q);
    double ch[RS_CH_COUNT];
    int64_t t = 0;
    int stuck_at = -1;
    for (int i = 0; i < 400; i++, t += 2 * S) {
        s_nan (ch);
        ch[RS_CH_FLOW_IN] = i < 100 ? 2270 + 3 * sin (i) : 0;      // the pumps stop at 200 s
        ch[RS_CH_FLOW_OUT] = i < 50 ? 2600 + 20 * sin (i * 0.9) : 2622;  // frozen from 100 s
        rs_chanq_filter (&q, t, ch);
        if (isnan (ch[RS_CH_FLOW_OUT]) && stuck_at < 0 && i > 0)   // the first reading has not moved yet
            stuck_at = 2 * i;
    }
    RS_CHECK (stuck_at >= 100 + RS_CHANQ_FLAT_PUMP_S - 2 && stuck_at <= 100 + RS_CHANQ_FLAT_PUMP_S + 2);
    //  Frozen on the last reading before the pumps stop at 200 s.
    rs_chanq_init (&q);
    stuck_at = -1;
    for (int i = 0; i < 400; i++, t += 2 * S) {
        s_nan (ch);
        ch[RS_CH_FLOW_IN] = i < 100 ? 2270 + 3 * sin (i) : 0;
        ch[RS_CH_FLOW_OUT] = i < 99 ? 2600 + 20 * sin (i * 0.9) : 2622;
        rs_chanq_filter (&q, t, ch);
        if (isnan (ch[RS_CH_FLOW_OUT]) && stuck_at < 0 && i > 0)
            stuck_at = 2 * i;
    }
    RS_CHECK (stuck_at >= 200 + RS_CHANQ_FLAT_Q_S - 2 && stuck_at <= 200 + RS_CHANQ_FLAT_Q_S + 2);
    RS_CHECK (stuck_at < 200 + RS_CHANQ_FLAT_S);
    //  A live meter through the same stop: its reading falls with the flow.
    rs_chanq_init (&q);
    double qout = 2600;
    for (int i = 0; i < 400; i++, t += 2 * S) {
        s_nan (ch);
        ch[RS_CH_FLOW_IN] = i < 100 ? 2270 : 0;
        qout += ((i < 100 ? 2600 : 0) - qout) * (1 - exp (-2.0 / 40));    // a 40-s flowline
        ch[RS_CH_FLOW_OUT] = qout + 5 * sin (i * 0.9);
        rs_chanq_filter (&q, t, ch);
    }
    RS_CHECK_INT (q.dropped[RS_CH_FLOW_OUT][RS_CHQ_STUCK], 1);    // its very first reading, before it had moved
    //  A paddle at rest reading 25 L/min with the pumps off, then the
    //  pumps start slowly and the paddle lifts: never stuck on the start.
    rs_chanq_init (&q);
    int nil = 0;
    for (int i = 0; i < 300; i++, t += 2 * S) {
        s_nan (ch);
        double qin = i < 100 ? 0 : fmin (2200, (i - 100) * 20.0);
        ch[RS_CH_FLOW_IN] = qin;
        ch[RS_CH_FLOW_OUT] = i < 10 ? 25 + i : fmax (25, 0.9 * qin - 200 + 10 * sin (i * 0.9));
        rs_chanq_filter (&q, t, ch);
        nil += i >= 100 && isnan (ch[RS_CH_FLOW_OUT]);
    }
    RS_CHECK_INT (nil, 0);
}

//  The flow in for the sample i (1 s apart) of a scenario, with the
//  standpipe pressure and the flow out it gives; returns the first second
//  the flow in was judged stuck, -1 if never.
typedef void (scenario_fn) (int i, double *qin, double *spp, double *qout);

static int
s_held_at (scenario_fn *fn, int seconds)
{
    rs_chanq_t q;
    rs_chanq_init (&q);
    double ch[RS_CH_COUNT];
    for (int i = 0; i < seconds; i++) {
        s_nan (ch);
        fn (i, &ch[RS_CH_FLOW_IN], &ch[RS_CH_SPP], &ch[RS_CH_FLOW_OUT]);
        rs_chanq_filter (&q, i * S, ch);
        if (isnan (ch[RS_CH_FLOW_IN]))
            return i;
    }
    return -1;
}

//  A flowline 40 s behind the pumps, the pressure 5 s behind.
static double
s_lag (int i, int t0, double from, double to, double tau)
{
    return i < t0 ? from : to + (from - to) * exp (-(i - t0) / tau);
}

//  The flow-in reading froze at 662 L/min during a kill; the pumps stop at
//  600 s and start again at full rate at 700 s.
static void
s_frozen_kill (int i, double *qin, double *spp, double *qout)
{
    *qin = 662;
    double on = i < 700 ? s_lag (i, 600, 662, 0, 5) : s_lag (i, 700, 0, 2200, 5);
    *spp = 14.0 * pow (on / 662, 1.8) + 0.3 * sin (i);
    *qout = (i < 700 ? s_lag (i, 600, 650, 20, 40) : s_lag (i, 700, 20, 2150, 40)) + 10 * sin (i * 0.7);
}

//  A real pump stop: the reading falls to 0 at once, the pressure and the
//  returns follow it down late; then an hour at a rate held to the last
//  digit (strokes x displacement), with noisy pressure and returns.
static void
s_real_stop (int i, double *qin, double *spp, double *qout)
{
    *qin = i < 600 ? 2100 : i < 1200 ? 0 : 2100;
    double q = i < 1200 ? s_lag (i, 600, 2100, 0, 5) : s_lag (i, 1200, 0, 2100, 5);
    *spp = 200 * pow (q / 2100, 1.8) + 2 * sin (i);
    *qout = (i < 1200 ? s_lag (i, 600, 2080, 15, 40) : s_lag (i, 1200, 15, 2080, 40)) + 15 * sin (i * 0.7);
}

//  At a held 2,100 L/min: a pack-off (pressure up 60%, returns down), then
//  a kick (returns up 60%, pressure down a little).
static void
s_events (int i, double *qin, double *spp, double *qout)
{
    *qin = 2100;
    *spp = (i < 600 ? 200 : i < 900 ? 320 : 190) + 2 * sin (i);
    *qout = (i < 600 ? 2080 : i < 900 ? 1500 : i < 1200 ? 2080 : 3300) + 15 * sin (i * 0.7);
}

static void
test_flow_in_held (void)
{
    int t = s_held_at (s_frozen_kill, 1200);
    //  Caught on the stop: the pressure at once, the returns under two
    //  thirds of 650 L/min (and 200 less) 17 s after it, then held 10 s.
    RS_CHECK (t > 600 && t < 600 + 60);
    RS_CHECK_INT (s_held_at (s_real_stop, 4800), -1);
    RS_CHECK_INT (s_held_at (s_events, 1800), -1);
    //  Its reason says what happened.
    rs_chanq_t q;
    rs_chanq_init (&q);
    double ch[RS_CH_COUNT];
    for (int i = 0; i < 700; i++) {
        s_nan (ch);
        s_frozen_kill (i, &ch[RS_CH_FLOW_IN], &ch[RS_CH_SPP], &ch[RS_CH_FLOW_OUT]);
        rs_chanq_filter (&q, i * S, ch);
    }
    char why[160];
    RS_CHECK_INT (rs_chanq_state (&q, RS_CH_FLOW_IN), RS_CHQ_STUCK);
    RS_CHECK (strstr (rs_chanq_reason (&q, RS_CH_FLOW_IN, why, sizeof why), "flow_in held at 662") != NULL);
    //  Held until the reading changes: the pumps back at full rate do not
    //  make it right, a new reading does.
    int held = 0;
    for (int i = 700; i < 1000; i++) {
        s_nan (ch);
        s_frozen_kill (i, &ch[RS_CH_FLOW_IN], &ch[RS_CH_SPP], &ch[RS_CH_FLOW_OUT]);
        rs_chanq_filter (&q, i * S, ch);
        held += isnan (ch[RS_CH_FLOW_IN]);
    }
    RS_CHECK_INT (held, 300);
    s_nan (ch);
    ch[RS_CH_FLOW_IN] = 2200;
    rs_chanq_filter (&q, 1000 * S, ch);
    RS_CHECK_NEAR (ch[RS_CH_FLOW_IN], 2200, 1e-12);
}

typedef struct {
    int kicks;
} count_t;

static void
s_on_alert (const rs_alert_t *a, void *arg)
{
    count_t *c = arg;
    if (a->state == RS_ALERT_RAISED && strcmp (a->type, "kick") == 0)
        c->kicks++;
}

static void
s_on_loss (const rs_alert_t *a, void *arg)
{
    int *n = arg;
    if (a->state == RS_ALERT_RAISED && strcmp (a->type, "lost_circulation") == 0)
        (*n)++;
}

//  Pumps off, string in slips near surface: flow out as given per second.
static int
s_engine_kicks (double (*flow_out) (int), int seconds, uint64_t *stuck)
{
    count_t c = { 0 };
    rs_engine_t *eng = rs_engine_new (NULL, s_on_alert, &c);
    for (int i = 0; i < seconds; i++) {
        rs_value_t v[] = {
            { "flow_in", RS_CH_FLOW_IN, 0 }, { "flow_out", RS_CH_FLOW_OUT, flow_out (i) },
            { "spp", RS_CH_SPP, 1.5 }, { "hook_load", RS_CH_HOOK_LOAD, 660 },
            { "bit_depth", RS_CH_BIT_DEPTH, 180 }, { "hole_depth", RS_CH_HOLE_DEPTH, 1206 },
            { "block_pos", RS_CH_BLOCK_POS, 8 }, { "wob", RS_CH_WOB, -60 },
            { "mud_temp_in", RS_CH_MUD_TEMP_IN, -273.15 }, { "pit_volume", RS_CH_PIT_VOLUME, 310 + i * 0.001 },
        };
        RS_CHECK_INT (rs_engine_feed (eng, "volve", 1475163581LL * S + i * S, v, sizeof v / sizeof v[0]), 0);
    }
    const rs_engine_stats_t *st = rs_engine_stats (eng);
    *stuck = rs_chanq_dropped (st->dropped, RS_CH_FLOW_OUT, RS_CHQ_STUCK);
    RS_CHECK (rs_chanq_dropped (st->dropped, -1, RS_CHQ_STUCK) == *stuck);
    RS_CHECK (st->dropped[RS_CH_MUD_TEMP_IN][RS_CHQ_IMPLAUSIBLE] == (uint64_t) seconds);
    RS_CHECK (rs_chanq_dropped (st->dropped, -1, RS_CHQ_IMPLAUSIBLE) == (uint64_t) seconds);
    rs_engine_destroy (&eng);
    return c.kicks;
}

static double
s_stuck_16 (int i)
{
    return 15.75 + 0.005 * sin (i);
}

static double
s_flowing (int i)
{
    //  A live meter near zero, then the well starts to flow (with noise).
    return (i < 600 ? 1.0 : 1.0 + (i - 600) * 0.5) + 2.0 * sin (i * 1.3);
}

static void
test_engine_quiet_on_stuck (void)
{
    uint64_t stuck;
    RS_CHECK_INT (s_engine_kicks (s_stuck_16, 3600, &stuck), 0);
    RS_CHECK_INT (stuck, 3600);
    RS_CHECK_INT (s_engine_kicks (s_flowing, 1000, &stuck), 1);
    RS_CHECK (stuck <= 1);
}


//  A coarse load cell (3.85 kN steps, the Volve F-9 TripTime log, a row
//  every 30 s) on a still string reads one value for minutes: not pinned.
//  The same value while the block travels is a dead sensor.
static void
test_hook_pinned_needs_travel (void)
{
    rs_chanq_t q;
    rs_chanq_init (&q);
    double ch[RS_CH_COUNT];
    for (int i = 0; i < 20; i++) {
        s_nan (ch);
        ch[RS_CH_HOOK_LOAD] = 735.0;
        ch[RS_CH_BLOCK_POS] = 1.89;
        rs_chanq_filter (&q, i * 30 * S, ch);
        RS_CHECK_NEAR (ch[RS_CH_HOOK_LOAD], 735.0, 1e-12);
    }
    RS_CHECK_INT (rs_chanq_state (&q, RS_CH_HOOK_LOAD), RS_CHQ_OK);
    for (int i = 20; i < 40; i++) {
        s_nan (ch);
        ch[RS_CH_HOOK_LOAD] = 735.0;
        ch[RS_CH_BLOCK_POS] = 1.89 + 0.5 * (i - 19);
        rs_chanq_filter (&q, i * 30 * S, ch);
    }
    RS_CHECK (isnan (ch[RS_CH_HOOK_LOAD]));
    RS_CHECK_INT (rs_chanq_state (&q, RS_CH_HOOK_LOAD), RS_CHQ_PINNED);
    //  Without a block position the repeats alone tell.
    rs_chanq_init (&q);
    for (int i = 0; i < 20; i++) {
        s_nan (ch);
        ch[RS_CH_HOOK_LOAD] = 735.0;
        rs_chanq_filter (&q, i * 30 * S, ch);
    }
    RS_CHECK_INT (rs_chanq_state (&q, RS_CH_HOOK_LOAD), RS_CHQ_PINNED);
}


//  A WOB sensor pinned at its floor (-89 kN, the Volve F-9 feed), a hook
//  load of 0 and a hole depth of 0: none of them reaches a model.
static void
test_pinned_and_placeholder (void)
{
    rs_chanq_t q;
    rs_chanq_init (&q);
    double ch[RS_CH_COUNT];
    char why[128];
    for (int i = 0; i < 40; i++) {
        s_nan (ch);
        ch[RS_CH_WOB] = -89.0;
        ch[RS_CH_HOOK_LOAD] = 800 + 3 * sin (i);
        rs_chanq_filter (&q, i * 3 * S, ch);
        //  Ten readings over 30 s before it is called pinned.
        if (i < RS_CHANQ_PIN_N - 1)
            RS_CHECK_NEAR (ch[RS_CH_WOB], -89.0, 1e-12);
    }
    RS_CHECK (isnan (ch[RS_CH_WOB]));
    RS_CHECK_INT (rs_chanq_state (&q, RS_CH_WOB), RS_CHQ_PINNED);
    RS_CHECK_STR (rs_chanq_reason (&q, RS_CH_WOB, why, sizeof why), "wob pinned at -89 kN");
    RS_CHECK_INT (rs_chanq_state (&q, RS_CH_HOOK_LOAD), RS_CHQ_OK);
    RS_CHECK_STR (rs_chanq_reason (&q, RS_CH_HOOK_LOAD, why, sizeof why), "");
    //  It moves again: good at once.
    s_nan (ch);
    ch[RS_CH_WOB] = 12.5;
    rs_chanq_filter (&q, 200 * S, ch);
    RS_CHECK_NEAR (ch[RS_CH_WOB], 12.5, 1e-12);
    //  An idle torque of exactly 0 for an hour is what a rig reports.
    for (int i = 0; i < 1200; i++) {
        s_nan (ch);
        ch[RS_CH_TORQUE] = 0;
        rs_chanq_filter (&q, (300 + 3 * i) * S, ch);
    }
    RS_CHECK_INT (rs_chanq_state (&q, RS_CH_TORQUE), RS_CHQ_OK);
    //  Zeros that stand for no reading.
    s_nan (ch);
    ch[RS_CH_HOOK_LOAD] = 0;
    ch[RS_CH_HOLE_DEPTH] = 0;
    ch[RS_CH_BIT_DEPTH] = 0;            // a bit at the rotary table is real
    ch[RS_CH_SPP] = 0;
    ch[RS_CH_FLOW_IN] = 2000;           // pumps on, no pressure: no reading
    rs_chanq_filter (&q, 5000 * S, ch);
    RS_CHECK (isnan (ch[RS_CH_HOOK_LOAD]) && isnan (ch[RS_CH_HOLE_DEPTH]) && isnan (ch[RS_CH_SPP]));
    RS_CHECK_NEAR (ch[RS_CH_BIT_DEPTH], 0, 1e-12);
    RS_CHECK_INT (rs_chanq_state (&q, RS_CH_HOOK_LOAD), RS_CHQ_PLACEHOLDER);
    RS_CHECK_STR (rs_chanq_reason (&q, RS_CH_HOLE_DEPTH, why, sizeof why),
                  "hole_depth reads 0 m, a placeholder for no reading");
    //  With the pumps off a zero SPP is real.
    s_nan (ch);
    ch[RS_CH_SPP] = 0;
    ch[RS_CH_FLOW_IN] = 0;
    rs_chanq_filter (&q, 5001 * S, ch);
    RS_CHECK_NEAR (ch[RS_CH_SPP], 0, 1e-12);
    RS_CHECK_STR (rs_chq_name (RS_CHQ_INCONSISTENT), "inconsistent");
}

//  Pits: F-9's GenTime log reads a total pit volume of -100,000 m3 and a
//  gain/loss total of exactly 0 on every row. The first is no volume; the
//  second, held to the last digit for half an hour, is a dead sensor (read
//  as a level pit it would deny every kick). A live pit's ripple keeps it.
static void
test_pits (void)
{
    rs_chanq_t q;
    rs_chanq_init (&q);
    double ch[RS_CH_COUNT];
    char why[128];
    int64_t t = 0;
    for (int i = 0; i < 700; i++, t += 3 * S) {
        s_nan (ch);
        ch[RS_CH_PIT_VOLUME] = -100000 + 3000 * sin (i);
        ch[RS_CH_PIT_GAIN] = 0;
        rs_chanq_filter (&q, t, ch);
        RS_CHECK (isnan (ch[RS_CH_PIT_VOLUME]));
        if ((double) t < RS_CHANQ_PIT_PIN_S * S)
            RS_CHECK_NEAR (ch[RS_CH_PIT_GAIN], 0, 1e-12);
    }
    RS_CHECK_INT (rs_chanq_state (&q, RS_CH_PIT_VOLUME), RS_CHQ_IMPLAUSIBLE);
    RS_CHECK (isnan (ch[RS_CH_PIT_GAIN]));
    RS_CHECK_INT (rs_chanq_state (&q, RS_CH_PIT_GAIN), RS_CHQ_PINNED);
    RS_CHECK_STR (rs_chanq_reason (&q, RS_CH_PIT_GAIN, why, sizeof why), "pit_gain pinned at 0 m3");
    //  A live pit, read to 0.01 m3, repeating itself now and then.
    rs_chanq_init (&q);
    for (int i = 0; i < 2000; i++, t += 3 * S) {
        s_nan (ch);
        ch[RS_CH_PIT_VOLUME] = 85 + round (3 * sin (i * 0.7)) / 100;
        rs_chanq_filter (&q, t, ch);
        RS_CHECK (!isnan (ch[RS_CH_PIT_VOLUME]));
    }
    RS_CHECK_INT (rs_chanq_state (&q, RS_CH_PIT_VOLUME), RS_CHQ_OK);
}

//  Readings that contradict the others: WOB off bottom, a hole getting
//  shallower, and a "hole depth" that moves with the block (a bit depth).
static void
test_inconsistent (void)
{
    rs_chanq_t q;
    rs_chanq_init (&q);
    double ch[RS_CH_COUNT];
    char why[160];
    s_nan (ch);
    ch[RS_CH_HOLE_DEPTH] = 1206;
    ch[RS_CH_BIT_DEPTH] = 210;
    ch[RS_CH_WOB] = 142.6;              // in slips 1 km off bottom
    rs_chanq_filter (&q, 0, ch);
    RS_CHECK (isnan (ch[RS_CH_WOB]));
    RS_CHECK_INT (rs_chanq_state (&q, RS_CH_WOB), RS_CHQ_INCONSISTENT);
    RS_CHECK (strstr (rs_chanq_reason (&q, RS_CH_WOB, why, sizeof why), "off bottom") != NULL);
    //  On bottom WOB is what the bit carries.
    s_nan (ch);
    ch[RS_CH_HOLE_DEPTH] = 1206;
    ch[RS_CH_BIT_DEPTH] = 1205.8;
    ch[RS_CH_WOB] = 142.6;
    rs_chanq_filter (&q, S, ch);
    RS_CHECK_NEAR (ch[RS_CH_WOB], 142.6, 1e-12);
    //  A hole depth 100 m shallower than the deepest seen: not a hole depth,
    //  until it has held long enough to be a new reference.
    s_nan (ch);
    ch[RS_CH_HOLE_DEPTH] = 1106;
    rs_chanq_filter (&q, 2 * S, ch);
    RS_CHECK (isnan (ch[RS_CH_HOLE_DEPTH]));
    RS_CHECK_INT (rs_chanq_state (&q, RS_CH_HOLE_DEPTH), RS_CHQ_INCONSISTENT);
    s_nan (ch);
    ch[RS_CH_HOLE_DEPTH] = 1106;
    rs_chanq_filter (&q, (int64_t) (3 + RS_CHANQ_REBASE_S) * S, ch);
    RS_CHECK (isnan (ch[RS_CH_HOLE_DEPTH]));     // 100 m: never a correction
    //  A mud logger's correction of 10 m is accepted once it has held.
    rs_chanq_init (&q);
    s_nan (ch);
    ch[RS_CH_HOLE_DEPTH] = 1206;
    rs_chanq_filter (&q, 0, ch);
    for (int i = 1; i <= 3; i++) {
        s_nan (ch);
        ch[RS_CH_HOLE_DEPTH] = 1196;
        rs_chanq_filter (&q, (int64_t) (i * RS_CHANQ_REBASE_S / 2) * S, ch);
        if (i < 2)
            RS_CHECK (isnan (ch[RS_CH_HOLE_DEPTH]));
    }
    RS_CHECK_NEAR (ch[RS_CH_HOLE_DEPTH], 1196, 1e-12);

    //  No bit depth channel; "Depth" follows the block up and down: after
    //  three excursions with it, it is read as the bit depth.
    rs_chanq_init (&q);
    double depth = 197.4, block = 2;
    int64_t t = 0;
    bool as_bit = false;
    for (int leg = 0; leg < 6; leg++) {
        double v = leg % 2 ? 0.5 : -0.5;        // block up then down, m/s
        for (int i = 0; i < 60; i++, t += S) {
            block += v;
            depth -= v;
            s_nan (ch);
            ch[RS_CH_HOLE_DEPTH] = depth;
            ch[RS_CH_BLOCK_POS] = block;
            rs_chanq_filter (&q, t, ch);
            as_bit = !isnan (ch[RS_CH_BIT_DEPTH]);
        }
    }
    RS_CHECK (as_bit);
    RS_CHECK_NEAR (ch[RS_CH_BIT_DEPTH], depth, 1e-9);
    RS_CHECK (isnan (ch[RS_CH_HOLE_DEPTH]));
    RS_CHECK (strstr (rs_chanq_reason (&q, RS_CH_HOLE_DEPTH, why, sizeof why), "bit depth") != NULL);
    //  Read as a bit depth, it is judged as one: 0 is the bit at the rotary
    //  table and -3 m a bottom-hole assembly held above it (F-9 CementData
    //  00002: 0.00 for four hours, dropped as a hole depth's placeholder).
    static const double surface[] = { 0, -3, -51 };
    for (size_t i = 0; i < sizeof surface / sizeof surface[0]; i++, t += S) {
        s_nan (ch);
        ch[RS_CH_HOLE_DEPTH] = surface[i];
        ch[RS_CH_BLOCK_POS] = block;
        RS_CHECK_INT (rs_chanq_filter (&q, t, ch), 1);  // the "hole depth", moved to the bit depth
        if (i < 2)
            RS_CHECK_NEAR (ch[RS_CH_BIT_DEPTH], surface[i], 1e-12);
        else
            RS_CHECK (isnan (ch[RS_CH_BIT_DEPTH]));     // above the table by more than a BHA
    }
    RS_CHECK_INT (q.dropped[RS_CH_HOLE_DEPTH][RS_CHQ_PLACEHOLDER], 0);
    RS_CHECK_INT (q.dropped[RS_CH_HOLE_DEPTH][RS_CHQ_IMPLAUSIBLE], 1);
    //  A hole depth that the block does not move stays a hole depth.
    rs_chanq_init (&q);
    for (int i = 0; i < 600; i++) {
        s_nan (ch);
        ch[RS_CH_HOLE_DEPTH] = 1206 + i * 0.01;
        ch[RS_CH_BLOCK_POS] = 30 - (i % 120) * 0.2;
        rs_chanq_filter (&q, i * S, ch);
        RS_CHECK (isnan (ch[RS_CH_BIT_DEPTH]));
    }
    //  Nor does a hole drilled stand after stand: the depth goes down with
    //  the block, 27 m a stand, and the block goes back up in the slips
    //  while the depth stays.
    rs_chanq_init (&q);
    depth = 1206;
    t = 0;
    as_bit = false;
    for (int stand = 0; stand < 4; stand++) {
        for (block = 30; block > 3; block -= 0.01, depth += 0.01, t += S) {
            s_nan (ch);
            ch[RS_CH_HOLE_DEPTH] = depth;
            ch[RS_CH_BLOCK_POS] = block;
            rs_chanq_filter (&q, t, ch);
            as_bit = as_bit || !isnan (ch[RS_CH_BIT_DEPTH]);
        }
        RS_CHECK (!as_bit);
        for (; block < 30; block += 0.5, t += S) {
            s_nan (ch);
            ch[RS_CH_HOLE_DEPTH] = depth;
            ch[RS_CH_BLOCK_POS] = block;
            rs_chanq_filter (&q, t, ch);
        }
    }
    RS_CHECK (isnan (ch[RS_CH_BIT_DEPTH]));
    RS_CHECK_NEAR (ch[RS_CH_HOLE_DEPTH], depth, 1e-9);
}

//  One sample of the pumps running at 2,000 L/min (SPP and returns with
//  their noise), the flow-in meter reading qin.
static void
s_pumping (rs_chanq_t *q, int64_t t, int i, double qin, double *ch)
{
    s_nan (ch);
    ch[RS_CH_FLOW_IN] = qin;
    ch[RS_CH_SPP] = 180 + 2 * sin (i);
    ch[RS_CH_FLOW_OUT] = 1850 + 20 * sin (i * 1.7);
    rs_chanq_filter (q, t, ch);
}

//  A flow in of 0 while the standpipe pressure and the returns stay where
//  the pumps had them is a meter's placeholder, not the pumps stopped; a
//  real stop takes the pressure off, trapped pressure has no returns, and
//  a well flowing with the pumps off has no pressure.
static void
test_zero_flow_in (void)
{
    rs_chanq_t q;
    rs_chanq_init (&q);
    double ch[RS_CH_COUNT];
    char why[160];
    int64_t t = 0;
    for (int i = 0; i < 300; i++, t += S)
        s_pumping (&q, t, i, 2000, ch);
    //  The meter drops out: a pump stop for RS_CHANQ_HELD_S, then no reading.
    int passed = 0;
    for (int i = 0; i < 60; i++, t += S) {
        s_pumping (&q, t, i, 0, ch);
        passed += !isnan (ch[RS_CH_FLOW_IN]);
    }
    RS_CHECK_INT (passed, (int) RS_CHANQ_HELD_S);
    RS_CHECK_INT (rs_chanq_state (&q, RS_CH_FLOW_IN), RS_CHQ_PLACEHOLDER);
    RS_CHECK (strstr (rs_chanq_reason (&q, RS_CH_FLOW_IN, why, sizeof why), "pumps on") != NULL);
    //  A real stop: the pressure is gone at once, the returns drain for a
    //  flowline's lag; the zero is a reading throughout.
    for (int i = 0; i < 120; i++, t += S) {
        s_nan (ch);
        ch[RS_CH_FLOW_IN] = 0;
        ch[RS_CH_SPP] = 2;
        ch[RS_CH_FLOW_OUT] = 1850 * exp (-i / 30.0);
        rs_chanq_filter (&q, t, ch);
        RS_CHECK_NEAR (ch[RS_CH_FLOW_IN], 0, 1e-12);
    }
    //  Pressure trapped after pumping slowly (F-9 CementData: 15 bar for 28
    //  minutes after 111 L/min at 15.7 bar), no returns: a reading.
    rs_chanq_init (&q);
    for (int i = 0; i < 2000; i++, t += S) {
        s_nan (ch);
        ch[RS_CH_FLOW_IN] = i < 100 ? 111 : 0;
        ch[RS_CH_SPP] = i < 100 ? 15.7 : 15.0;
        ch[RS_CH_FLOW_OUT] = i < 100 ? 90 : 0;
        rs_chanq_filter (&q, t, ch);
        RS_CHECK_NEAR (ch[RS_CH_FLOW_IN], i < 100 ? 111 : 0, 1e-12);
    }
    //  The well flowing with the pumps off: returns, no pressure.
    rs_chanq_init (&q);
    for (int i = 0; i < 600; i++, t += S) {
        s_nan (ch);
        ch[RS_CH_FLOW_IN] = i < 300 ? 2000 : 0;
        ch[RS_CH_SPP] = i < 300 ? 180 : 1.5;
        ch[RS_CH_FLOW_OUT] = 1850;
        rs_chanq_filter (&q, t, ch);
        RS_CHECK (!isnan (ch[RS_CH_FLOW_IN]));
    }
}

//  Through the whole engine, on a log without a pit channel to deny it: a
//  flow-in meter that drops to 0 while the pumps run raises no kick.
static void
test_engine_zero_flow_in (void)
{
    count_t c = { 0 };
    rs_engine_t *eng = rs_engine_new (NULL, s_on_alert, &c);
    for (int i = 0; i < 3600; i++) {
        rs_value_t v[] = {
            { "flow_in", RS_CH_FLOW_IN, i < 1800 ? 2000 : 0 },
            { "flow_out", RS_CH_FLOW_OUT, 1850 + 15 * sin (i * 1.7) },
            { "spp", RS_CH_SPP, 180 + 1.5 * sin (i * 0.9) }, { "hook_load", RS_CH_HOOK_LOAD, 900 + 3 * sin (i) },
            { "bit_depth", RS_CH_BIT_DEPTH, 2900 }, { "hole_depth", RS_CH_HOLE_DEPTH, 2950 },
            { "rpm", RS_CH_RPM, 0 },
        };
        RS_CHECK_INT (rs_engine_feed (eng, "rig", 1475163581LL * S + i * S, v, sizeof v / sizeof v[0]), 0);
    }
    RS_CHECK_INT (c.kicks, 0);
    RS_CHECK (rs_chanq_dropped (rs_engine_stats (eng)->dropped, -1, RS_CHQ_PLACEHOLDER) >= 1790);
    rs_engine_destroy (&eng);
}

//  A returns meter that drops to exactly 0 at once with the pumps on is a
//  placeholder (returns drain through the flowline, no faster than its
//  shortest lag), also through a pump stop while it stays 0; a 0 reached
//  as the flowline drains (total losses) is a reading.
static void
test_zero_flow_out (void)
{
    rs_chanq_t q;
    rs_chanq_init (&q);
    double ch[RS_CH_COUNT];
    int64_t t = 0;
    //  Read every 15 s: drilling, then the meter reads 0.
    for (int i = 0; i < 40; i++, t += 15 * S)
        s_pumping (&q, t, i, 2000, ch);
    RS_CHECK (!isnan (ch[RS_CH_FLOW_OUT]));
    for (int i = 0; i < 20; i++, t += 15 * S) {
        s_nan (ch);
        ch[RS_CH_FLOW_IN] = 2000;
        ch[RS_CH_FLOW_OUT] = 0;
        rs_chanq_filter (&q, t, ch);
        RS_CHECK (isnan (ch[RS_CH_FLOW_OUT]));
    }
    RS_CHECK_INT (rs_chanq_state (&q, RS_CH_FLOW_OUT), RS_CHQ_PLACEHOLDER);
    //  A pump stop: with the pumps off a 0 is taken; back on, still 0: none.
    for (int i = 0; i < 40; i++, t += 15 * S) {
        s_nan (ch);
        ch[RS_CH_FLOW_IN] = i < 20 ? 0 : 2000;
        ch[RS_CH_FLOW_OUT] = 0;
        rs_chanq_filter (&q, t, ch);
        RS_CHECK (i < 20 ? ch[RS_CH_FLOW_OUT] == 0 : isnan (ch[RS_CH_FLOW_OUT]));
    }
    //  Its first non-zero reading is live.
    s_pumping (&q, t, 0, 2000, ch);
    RS_CHECK (!isnan (ch[RS_CH_FLOW_OUT]));

    //  Total losses read every second and every 30 s: the returns drain
    //  with a 20-s flowline to a paddle's 0; every zero is a reading.
    for (int every = 1; every <= 30; every += 29) {
        rs_chanq_init (&q);
        t = 0;
        for (int i = 0; i < 600; i += every, t += every * S)
            s_pumping (&q, t, i, 2000, ch);
        int zeros = 0;
        for (int i = 0; i < 600; i += every, t += every * S) {
            s_nan (ch);
            ch[RS_CH_FLOW_IN] = 2000;
            double out = 1850 * exp (-i / 20.0);
            ch[RS_CH_FLOW_OUT] = out < 1 ? 0 : round (out);
            rs_chanq_filter (&q, t, ch);
            RS_CHECK (!isnan (ch[RS_CH_FLOW_OUT]));
            zeros += ch[RS_CH_FLOW_OUT] == 0;
        }
        RS_CHECK (zeros > 0);
    }
}

//  Through the whole engine, on a log without a pit to deny it: a returns
//  meter that drops to 0 while drilling raises no lost circulation.
static void
test_engine_zero_flow_out (void)
{
    int losses[2] = { 0, 0 };
    for (int real = 0; real < 2; real++) {
        rs_engine_t *eng = rs_engine_new (NULL, s_on_loss, &losses[real]);
        for (int i = 0; i < 7200; i += 15) {
            double out = 1850 + 15 * sin (i * 1.7);
            if (i >= 3600)      //  the meter's 0, or the returns draining away
                out = real ? (out * exp (-(i - 3600) / 20.0) < 1 ? 0 : out * exp (-(i - 3600) / 20.0)) : 0;
            rs_value_t v[] = {
                { "flow_in", RS_CH_FLOW_IN, 2000 }, { "flow_out", RS_CH_FLOW_OUT, out },
                { "spp", RS_CH_SPP, 180 + 1.5 * sin (i * 0.9) }, { "hook_load", RS_CH_HOOK_LOAD, 900 + 3 * sin (i) },
                { "bit_depth", RS_CH_BIT_DEPTH, 2900 }, { "hole_depth", RS_CH_HOLE_DEPTH, 2950 },
                { "rpm", RS_CH_RPM, 0 },
            };
            RS_CHECK_INT (rs_engine_feed (eng, "rig", 1475163581LL * S + i * S, v, sizeof v / sizeof v[0]), 0);
        }
        rs_engine_destroy (&eng);
    }
    RS_CHECK_INT (losses[0], 0);
    RS_CHECK_INT (losses[1], 1);        //  the same well losing all its returns
}

//  The engine counts what it dropped by channel and reason, over every
//  well and across a restart (a stream whose time jumped back is a new one).
static void
test_engine_counts_by_channel (void)
{
    rs_engine_t *eng = rs_engine_new (NULL, NULL, NULL);
    int64_t t0 = 1475163581LL * S;
    for (int i = 0; i < 40; i++) {
        //  After 20 s, the same well from two hours earlier: restarted.
        int64_t ts = i < 20 ? t0 + i * S : t0 - 7200 * S + i * S;
        rs_value_t v[] = {
            { "hook_load", RS_CH_HOOK_LOAD, i % 2 ? 0 : 650 + i },      // every other reading a placeholder 0
            { "mud_temp_in", RS_CH_MUD_TEMP_IN, -273.15 }, { "mud_temp_out", RS_CH_MUD_TEMP_OUT, 40 + 0.1 * i },
        };
        RS_CHECK_INT (rs_engine_feed (eng, "volve", ts, v, sizeof v / sizeof v[0]), 0);
        RS_CHECK_INT (rs_engine_feed (eng, "other", t0 + i * S, v + 1, 1), 0);
    }
    const rs_engine_stats_t *st = rs_engine_stats (eng);
    RS_CHECK_INT (st->restarts, 1);
    RS_CHECK_INT (st->dropped[RS_CH_HOOK_LOAD][RS_CHQ_PLACEHOLDER], 20);
    RS_CHECK_INT (st->dropped[RS_CH_MUD_TEMP_IN][RS_CHQ_IMPLAUSIBLE], 80);
    RS_CHECK_INT (rs_chanq_dropped (st->dropped, RS_CH_MUD_TEMP_OUT, -1), 0);
    RS_CHECK_INT (rs_chanq_dropped (st->dropped, -1, RS_CHQ_IMPLAUSIBLE), 80);
    RS_CHECK_INT (rs_chanq_dropped (st->dropped, -1, -1), 100);
    RS_CHECK_INT (rs_chanq_dropped_impossible (st->dropped), 100);     // the heartbeat's readings_implausible
    rs_engine_destroy (&eng);
}

int
main (void)
{
    test_implausible ();
    test_pinned_and_placeholder ();
    test_pits ();
    test_hook_pinned_needs_travel ();
    test_inconsistent ();
    test_stuck_flow_out ();
    test_stuck_through_pump_stop ();
    test_flow_in_held ();
    test_engine_quiet_on_stuck ();
    test_zero_flow_in ();
    test_engine_zero_flow_in ();
    test_zero_flow_out ();
    test_engine_zero_flow_out ();
    test_engine_counts_by_channel ();
    return RS_TEST_DONE ();
}
