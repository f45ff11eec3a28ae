/*  rigstream-logger: prints rigstream messages on stdout, one line each, a
    per-well summary every N seconds, or JSON lines for jq. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rs_logline.h"
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

typedef struct {
    bool json;
    rs_logstyle_t style;
    int every;
    rs_logsum_t *summary;
    char line[8192];
} logger_t;

static int
s_on_message (rs_sub_t *sub, const rs_msg_t *msg, void *arg)
{
    (void) sub;
    logger_t *self = (logger_t *) arg;
    if (self->every > 0) {
        rs_logsum_add (self->summary, msg);
        return 0;
    }
    if (self->json) {
        char *text = rs_logline_json (msg);
        if (text) {
            fputs (text, stdout);
            fputc ('\n', stdout);
            free (text);
        }
    }
    else {
        rs_logline_text (msg, &self->style, self->line, sizeof self->line);
        fputs (self->line, stdout);
        fputc ('\n', stdout);
    }
    return 0;
}

static int
s_on_summary (rs_sub_t *sub, void *arg)
{
    (void) sub;
    logger_t *self = (logger_t *) arg;
    if (rs_logsum_flush (self->summary, self->every, &self->style, self->line, sizeof self->line))
        fputs (self->line, stdout);
    fflush (stdout);
    return 0;
}

//  stdout is block-buffered when it is a file or pipe; flushing on a timer
//  keeps the log current without a write per line at high rates.
static int
s_on_flush (rs_sub_t *sub, void *arg)
{
    (void) sub;
    (void) arg;
    fflush (stdout);
    return 0;
}

//  Reads and checks the options; opens the summary.
static int
s_setup (rs_config_t *cfg, rs_sub_opts_t *opts, void *arg)
{
    logger_t *self = (logger_t *) arg;
    self->json = rs_config_bool (cfg, "json");
    self->every = (int) rs_config_int (cfg, "every");
    opts->durable = rs_config_bool (cfg, "durable");
    const char *color = rs_config_str (cfg, "color");
    if (strcmp (color, "always") == 0)
        self->style.color = true;
    else if (strcmp (color, "auto") == 0)
        self->style.color = isatty (STDOUT_FILENO) && !getenv ("NO_COLOR");
    else if (strcmp (color, "never") != 0) {
        fprintf (stderr, "rigstream-logger: invalid value \"%s\" for --color: expected auto, always or never\n", color);
        return RS_E_CONFIG;
    }
    if (self->json)
        self->style.color = false;
    int units = rs_units_system (rs_config_str (cfg, "units"));
    if (units < 0) {
        fprintf (stderr, "rigstream-logger: invalid value \"%s\" for --units: expected metric or imperial\n",
                 rs_config_str (cfg, "units"));
        return RS_E_CONFIG;
    }
    self->style.units = (rs_unit_system_t) units;
    self->summary = rs_logsum_new ();
    return self->summary ? RS_OK : RS_E_NOMEM;
}

static int
s_start (rs_sub_t *sub, void *arg)
{
    logger_t *self = (logger_t *) arg;
    if (self->every > 0 && rs_sub_timer (sub, self->every * 1000, s_on_summary, self) != RS_OK)
        return RS_E_NOMEM;
    return rs_sub_timer (sub, 250, s_on_flush, NULL);
}

static int
s_stop (rs_sub_t *sub, char *summary, size_t size, void *arg)
{
    (void) sub;
    (void) summary;
    (void) size;
    (void) arg;
    fflush (stdout);
    return RS_OK;
}

static void
s_free (void *arg)
{
    logger_t *self = (logger_t *) arg;
    rs_logsum_destroy (&self->summary);
}

int
main (int argc, char **argv)
{
    logger_t self = { 0 };
    rs_sub_def_t def = {
        .component = "console_logger",
        .program = "rigstream-logger",
        .usage = "print live rigstream messages",
        .options = s_options,
        .topics_option = "topics",
        .on_setup = s_setup,
        .on_start = s_start,
        .on_message = s_on_message,
        .on_stop = s_stop,
        .on_free = s_free,
        .arg = &self,
    };
    return rs_sub_main (&def, argc, argv);
}
