/*  test_engine_anomaly: the multivariate detector trains on normal noise,
    stays quiet on it, raises on a joint deviation of several features,
    clears after, keeps quiet while a named alert explains things or outside
    the monitored rig states, and copes with nil features and old samples. */
#include "rs_anomaly.h"
#include "rs_engine.h"
#include "rs_test.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define S 1000000LL

typedef struct {
    int raised, cleared;
    uint64_t next_id;
    char msg[512];
} counts_t;

static void
s_on_alert (const rs_alert_t *a, void *arg)
{
    counts_t *c = arg;
    c->raised += a->state == RS_ALERT_RAISED;
    c->cleared += a->state == RS_ALERT_CLEARED;
    strncpy (c->msg, a->message, sizeof c->msg - 1);
    RS_CHECK_STR (a->type, "anomaly");
}

static uint64_t s_rng = 0x9E3779B97F4A7C15ull;

static double
s_gauss (void)
{
    double u[2];
    for (int i = 0; i < 2; i++) {
        s_rng ^= s_rng << 13;
        s_rng ^= s_rng >> 7;
        s_rng ^= s_rng << 17;
        u[i] = ((double) (s_rng >> 11) + 0.5) / 9007199254740992.0;
    }
    return sqrt (-2 * log (u[0])) * cos (2 * M_PI * u[1]);
}

static void
s_normal (double *x)
{
    x[RS_AF_FLOW_BALANCE] = 5 * s_gauss ();
    x[RS_AF_SPP_DEV] = 0.2 * s_gauss ();
    x[RS_AF_TORQUE] = 9 + 0.3 * s_gauss ();
    x[RS_AF_PIT_SLOPE] = 0.005 * s_gauss ();
    x[RS_AF_DENSITY_DIFF] = 6 + 1.0 * s_gauss ();
}

static void
s_on_engine_alert (const rs_alert_t *a, void *arg)
{
    int *n = arg;
    if (a->state == RS_ALERT_RAISED && strcmp (a->type, "anomaly") == 0)
        (*n)++;
}

//  Through the engine: drilling with a connection every 30 minutes, the
//  crew adding 3 m3 of mud to the pits while the pumps are off, drilling
//  again 10 s after the pumps come back. The pit's 2-minute trend then
//  still holds the mud added: no anomaly of the drilling that follows.
static int
s_engine_connections (void)
{
    int raised = 0;
    rs_engine_t *eng = rs_engine_new (NULL, s_on_engine_alert, &raised);
    double hole = 2500, pit = 300, out = 2000;
    for (int t = 0; t < 6 * 3600; t++) {
        int c = t % 1800;                   //  the pumps off for the first 300 s of each half hour
        bool pumps = t < 1800 || c >= 300;
        bool slips = !pumps && c >= 30 && c < 280;
        double q = pumps ? 2000 : 0;
        out += (q - out) * (1 - exp (-1 / 20.0));
        if (!pumps)
            pit += 3.0 / 300;               //  mud added
        pit += (out - q) / 60000;           //  the flowline draining back, filling again
        bool drilling = pumps && (t < 1800 || c >= 310);
        if (drilling)
            hole += 20.0 / 3600;
        double bit = drilling ? hole : hole - 1;
        rs_value_t v[] = {
            { "hook_load", RS_CH_HOOK_LOAD, (slips ? 600 : drilling ? 900 : 1000) + 2 * s_gauss () },
            { "block_pos", RS_CH_BLOCK_POS, slips ? 20 : 20 - (bit - 2500) * 0.01 },
            { "bit_depth", RS_CH_BIT_DEPTH, bit }, { "hole_depth", RS_CH_HOLE_DEPTH, hole },
            { "wob", RS_CH_WOB, drilling ? 100 + s_gauss () : 0 }, { "rpm", RS_CH_RPM, pumps ? 120 : 0 },
            { "torque", RS_CH_TORQUE, pumps ? 9 + 0.2 * s_gauss () : 0 }, { "flow_in", RS_CH_FLOW_IN, q },
            { "flow_out", RS_CH_FLOW_OUT, out * (1 + 0.01 * s_gauss ()) },
            { "spp", RS_CH_SPP, pumps ? 180 * (1 + 0.003 * s_gauss ()) : 0 },
            { "pit_volume", RS_CH_PIT_VOLUME, pit + 0.01 * s_gauss () },
        };
        RS_CHECK_INT (rs_engine_feed (eng, "A-01", 1475163581LL * S + (int64_t) t * S, v, sizeof v / sizeof v[0]), 0);
    }
    rs_engine_destroy (&eng);
    return raised;
}

int
main (void)
{
    RS_CHECK_INT (s_engine_connections (), 0);
    rs_anomaly_opts_t o = { .threshold = 6, .train_s = 1800 };
    rs_anomaly_t *an = rs_anomaly_new (&o);
    counts_t c = { 0 };
    rs_alert_sink_t sink = { .fn = s_on_alert, .arg = &c, .next_id = &c.next_id, .well = "A-01" };
    double x[RS_AF_COUNT];
    int64_t t = 0;
    //  Training, then three hours of the same: no alert.
    for (int i = 0; i < 4 * 3600; i++, t += S) {
        s_normal (x);
        rs_anomaly_feed (an, t, x, RS_RIG_DRILLING_ROTARY, false, false, &sink);
        if (i == 600)
            RS_CHECK (isnan (rs_anomaly_score (an)));      // still training
    }
    RS_CHECK_INT (c.raised, 0);
    RS_CHECK (rs_anomaly_score (an) < 3);
    //  Returns down, pressure down, pit falling together: raised within a minute.
    int raised_at = -1;
    for (int i = 0; i < 300; i++, t += S) {
        s_normal (x);
        x[RS_AF_FLOW_BALANCE] -= 100;
        x[RS_AF_SPP_DEV] -= 3;
        x[RS_AF_PIT_SLOPE] -= 0.08;
        rs_anomaly_feed (an, t, x, RS_RIG_DRILLING_ROTARY, false, false, &sink);
        if (c.raised && raised_at < 0)
            raised_at = i;
    }
    RS_CHECK_INT (c.raised, 1);
    RS_CHECK (raised_at >= 30 && raised_at < 60);
    RS_CHECK (rs_anomaly_raised (an));
    RS_CHECK (strstr (c.msg, "sigma") != NULL);
    //  The baseline does not learn the anomaly: back to normal clears it.
    for (int i = 0; i < 300; i++, t += S) {
        s_normal (x);
        rs_anomaly_feed (an, t, x, RS_RIG_DRILLING_ROTARY, false, false, &sink);
    }
    RS_CHECK_INT (c.cleared, 1);
    //  Explained by a named alert: quiet.
    for (int i = 0; i < 300; i++, t += S) {
        s_normal (x);
        x[RS_AF_FLOW_BALANCE] -= 60;
        x[RS_AF_SPP_DEV] -= 2;
        rs_anomaly_feed (an, t, x, RS_RIG_DRILLING_ROTARY, true, false, &sink);
    }
    RS_CHECK_INT (c.raised, 1);
    //  Other states are not scored; the circulating group has not trained.
    for (int i = 0; i < 300; i++, t += S) {
        s_normal (x);
        x[RS_AF_FLOW_BALANCE] -= 60;
        rs_anomaly_feed (an, t, x, RS_RIG_TRIPPING_OUT, false, false, &sink);
        RS_CHECK (isnan (rs_anomaly_score (an)));
        rs_anomaly_feed (an, t + S / 2, x, RS_RIG_CIRCULATING, false, false, &sink);
    }
    RS_CHECK_INT (c.raised, 1);
    //  Nil features and samples from the past: no crash, no change.
    for (int i = 0; i < RS_AF_COUNT; i++)
        x[i] = NAN;
    rs_anomaly_feed (an, t, x, RS_RIG_DRILLING_ROTARY, false, false, &sink);
    rs_anomaly_feed (an, t - 100 * S, x, RS_RIG_DRILLING_ROTARY, false, false, &sink);
    RS_CHECK_STR (rs_afeature_name (RS_AF_PIT_SLOPE), "pit_slope");
    //  Switched off: clears and stays quiet.
    for (int i = 0; i < 100; i++, t += S) {
        s_normal (x);
        x[RS_AF_FLOW_BALANCE] -= 200;
        x[RS_AF_SPP_DEV] -= 5;
        rs_anomaly_feed (an, t + S, x, RS_RIG_DRILLING_ROTARY, false, true, &sink);
    }
    RS_CHECK_INT (c.raised, 1);
    rs_anomaly_destroy (&an);
    RS_CHECK (an == NULL);
    return RS_TEST_DONE ();
}
