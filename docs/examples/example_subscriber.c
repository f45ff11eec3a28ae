/*  example_subscriber: a complete rigstream subscriber, as a developer would
    write one with the SDK (docs/WRITING_A_SUBSCRIBER.md walks through it).

    It watches every well's pit volume and prints a line when the active pit
    has gained or lost more than --threshold m3 since the first sample it saw,
    and reports how many samples it has checked in its heartbeat. */
#include <math.h>
#include <stdio.h>

#include "rs_channels.h"
#include "rs_sub.h"

//  The program's own options; the SDK adds the broker's, CURVE's and logging's.
static const rs_option_t s_options[] = {
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

//  Called once the configuration is loaded: read our own options.
static int
s_setup (rs_config_t *cfg, rs_sub_opts_t *opts, void *arg)
{
    (void) opts;
    pit_watch_t *self = arg;
    self->threshold = rs_config_double (cfg, "threshold");
    return RS_OK;
}

//  Called for each valid, new message on the topics we asked for.
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

//  Adds our own counter to the heartbeat on sys.pit_watch.
static void
s_stats (rs_sub_t *sub, rs_sub_report_t *report, void *arg)
{
    (void) sub;
    pit_watch_t *self = arg;
    rs_sub_report_add (report, "checked", (double) self->checked);
}

//  Our part of the "stopped:" line.
static int
s_stop (rs_sub_t *sub, char *summary, size_t size, void *arg)
{
    (void) sub;
    pit_watch_t *self = arg;
    snprintf (summary, size, "%llu samples checked", (unsigned long long) self->checked);
    return RS_OK;
}

int
main (int argc, char **argv)
{
    pit_watch_t self = { 0 };
    static const char *const topics[] = { "telemetry.", NULL };
    rs_sub_def_t def = {
        .component = "pit_watch",
        .program = "example_subscriber",
        .usage = "report pit volume changes",
        .options = s_options,
        .topics = topics,
        .on_setup = s_setup,
        .on_message = s_on_message,
        .on_stats = s_stats,
        .on_stop = s_stop,
        .arg = &self,
    };
    return rs_sub_main (&def, argc, argv);        //  runs until SIGINT or SIGTERM
}
