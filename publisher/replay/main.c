/*  rigstream-replay: publishes recorded WITSML 1.4 time logs as telemetry,
    as fast as possible, at a speed factor, or clock-synchronised (a chosen
    instant of the log maps to now and rows are released as time passes,
    in batches when the replay is behind: rs_pace). Several logs of one
    wellbore (files, or a directory of them) are merged by time into one
    stream (rs_logset, rs_logmerge); curves are mapped to channels by
    rs_chanmap; unmapped curves travel as extra channels. This file is the
    options; rs_logreplay is the engine. */
#include <stdlib.h>

#include "rs_config.h"
#include "rs_logreplay.h"
#include "rs_pace.h"
#include "rs_pub.h"

static const rs_option_t s_options[] = {
    { "well", "REPLAY_WELL", RS_OPT_STRING, NULL,
      "well id to publish as (default: the logs' nameWell, made a valid id)", 0, 0 },
    RS_OPTIONS_PACE,
    RS_OPTION_END
};

int
main (int argc, char **argv)
{
    rs_logreplay_t *self = rs_logreplay_new ();
    const rs_pub_def_t def = {
        .component = "replay", .program = "rigstream-replay", .acquisition = true, .positional = "FILE|DIR...",
        .usage = "replay recorded WITSML 1.4 time logs of one wellbore (several files or a directory are "
                 "merged by time)",
        .options = s_options, .on_setup = rs_logreplay_setup, .on_ready = rs_logreplay_ready,
        .on_run = rs_logreplay_run, .on_stop = rs_logreplay_stop, .on_heartbeat = rs_logreplay_heartbeat,
        .on_free = rs_logreplay_free, .arg = self,
    };
    int rc = self ? rs_pub_main (&def, argc, argv) : EXIT_FAILURE;
    rs_logreplay_destroy (&self);
    return rc;
}
