/*  example_subscriber: a complete rigstream subscriber, as a developer would
    write one with the SDK (docs/WRITING_A_SUBSCRIBER.md walks through it).

    It watches every well's pit volume and prints a line when the active pit
    has gained or lost more than --threshold m3 since the first sample it saw,
    and reports how many samples it has checked in its heartbeat. */
#include <math.h>
#include <stdio.h>

#include "rs_channels.h"
#include "rs_config.h"
#include "rs_curve.h"
#include "rs_log.h"
#include "rs_sub.h"

static const rs_option_t s_options[] = {
    RS_OPTIONS_BROKER_CLIENT,
    { "threshold", "PIT_WATCH_THRESHOLD", RS_OPT_DOUBLE, "1.0",
      "pit volume change that is reported, m3", 0.01, 100 },
    RS_OPTION_END
};

typedef struct {
    double threshold;
    double reference;       //  pit volume at the first sample (one well, for brevity)
    bool warned;
    uint64_t checked;
} pit_watch_t;

//  Called by the SDK for each valid, new message on the topics we asked for.
static int
s_on_message (rs_sub_t *sub, const rs_msg_t *msg, void *arg)
{
    (void) sub;
    pit_watch_t *self = arg;
    double pit = rs_msg_chan (msg, RS_CH_PIT_VOLUME);
    if (isnan (pit))
        return 0;           //  no reading in this sample
    if (self->checked++ == 0)
        self->reference = pit;
    double change = pit - self->reference;
    if (fabs (change) > self->threshold && !self->warned) {
        printf ("%s: pit %s %.2f m3 since start\n", msg->id, change > 0 ? "gained" : "lost",
                fabs (change));
        fflush (stdout);
        self->warned = true;
    }
    return 0;
}

//  Adds our own counter to the SDK's heartbeat on sys.pit_watch.
static size_t
s_stats (rs_sub_t *sub, rs_value_t *out, size_t max, void *arg)
{
    (void) sub;
    pit_watch_t *self = arg;
    if (max < 1)
        return 0;
    out[0] = (rs_value_t) { "checked", -1, (double) self->checked };
    return 1;
}

int
main (int argc, char **argv)
{
    rs_config_t *cfg = rs_config_new ("example_subscriber", "report pit volume changes", s_options, NULL);
    int rc = rs_config_start (&cfg, argc, argv, "pit_watch");
    if (rc >= 0)
        return rc;             //  --help, or a bad option (already explained)
    pit_watch_t self = { .threshold = rs_config_double (cfg, "threshold") };
    rs_curve_t *curve = rs_curve_new_config (cfg);   //  CURVE keys, if configured
    if (!curve) {
        rs_config_destroy (&cfg);
        return 2;
    }
    char sub_ep[256], pub_ep[256];
    rs_config_broker_endpoint (cfg, true, sub_ep, sizeof sub_ep);
    rs_config_broker_endpoint (cfg, false, pub_ep, sizeof pub_ep);
    const char *topics[] = { "telemetry.", NULL };
    rs_sub_opts_t opts = {
        .component = "pit_watch",
        .sub_endpoint = sub_ep,
        .pub_endpoint = pub_ep,         //  for heartbeats
        .topics = topics,
        .heartbeat_ms = (int) rs_config_int (cfg, "heartbeat-ms"),
        .on_message = s_on_message,
        .arg = &self,
        .curve = curve,
    };
    rs_sub_t *sub = rs_sub_new (&opts);
    if (!sub) {
        rs_curve_destroy (&curve);
        rs_config_destroy (&cfg);
        return 1;
    }
    rs_sub_set_stats_fn (sub, s_stats, &self);
    rs_info ("ready: watching pit volume on %s", sub_ep);
    rc = rs_sub_run (sub);              //  until SIGINT or SIGTERM
    rs_info ("stopped after checking %llu samples", (unsigned long long) self.checked);
    rs_sub_destroy (&sub);
    rs_curve_destroy (&curve);
    rs_config_destroy (&cfg);
    return rc == 0 ? 0 : 1;
}
