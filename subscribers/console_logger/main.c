/*  rigstream-logger: prints rigstream messages on stdout, one line each, a
    per-well summary every N seconds, or JSON lines for jq. This file is the
    options; rs_logger is the engine. */
#include <stdlib.h>

#include "rs_logger.h"
#include "rs_sub.h"

static const rs_option_t s_options[] = {
    { "topics", "LOGGER_TOPICS", RS_OPT_STRING, "telemetry.,event.,alert.",
      "comma-separated topic prefixes to print (e.g. telemetry.A-01,event.)", 0, 0 },
    { "every", "LOGGER_EVERY", RS_OPT_INT, "0",
      "print a per-well summary every N seconds instead of every sample (0 = every sample)", 0, 86400 },
    { "json", "LOGGER_JSON", RS_OPT_BOOL, "false", "print one JSON object per message", 0, 0 },
    { "durable", "LOGGER_DURABLE", RS_OPT_BOOL, "false",
      "recover lost messages from the publishers' journals (printed late, marked replayed)", 0, 0 },
    { "color", "LOGGER_COLOR", RS_OPT_STRING, "auto", "colour: auto (only on a terminal), always, never", 0, 0 },
    { "units", "DISPLAY_UNITS", RS_OPT_STRING, "metric",
      "units values are shown in: metric (as stored) or imperial (ft, klbf, psi, gal/min, bbl, degF, ppg)", 0, 0 },
    RS_OPTION_END
};

int
main (int argc, char **argv)
{
    rs_logger_t *self = rs_logger_new ();
    const rs_sub_def_t def = {
        .component = "console_logger",
        .program = "rigstream-logger",
        .usage = "print live rigstream messages",
        .options = s_options,
        .topics_option = "topics",
        .on_setup = rs_logger_setup,
        .on_start = rs_logger_start,
        .on_message = rs_logger_message,
        .on_stop = rs_logger_stop,
        .on_free = rs_logger_free,
        .arg = self,
    };
    int rc = self ? rs_sub_main (&def, argc, argv) : EXIT_FAILURE;
    rs_logger_destroy (&self);
    return rc;
}
