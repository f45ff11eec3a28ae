/*  rigstream-logger: prints rigstream messages on stdout, one line each, a
    per-well summary every N seconds, or JSON lines for jq. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rs_config.h"
#include "rs_curve.h"
#include "rs_log.h"
#include "rs_logline.h"
#include "rs_sub.h"

#define MAX_TOPICS 16

static const rs_option_t s_options[] = {
    RS_OPTIONS_BROKER_CLIENT,
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

int
main (int argc, char **argv)
{
    rs_config_t *cfg = rs_config_new ("rigstream-logger", "print live rigstream messages", s_options, NULL);
    int rc = rs_config_start (&cfg, argc, argv, "console_logger");
    if (rc >= 0)
        return rc;
    logger_t self = { .json = rs_config_bool (cfg, "json"), .every = (int) rs_config_int (cfg, "every") };
    const char *color = rs_config_str (cfg, "color");
    if (strcmp (color, "always") == 0)
        self.style.color = true;
    else if (strcmp (color, "auto") == 0)
        self.style.color = isatty (STDOUT_FILENO) && !getenv ("NO_COLOR");
    else if (strcmp (color, "never") != 0) {
        fprintf (stderr, "rigstream-logger: invalid value \"%s\" for --color: expected auto, always or never\n", color);
        rs_config_destroy (&cfg);
        return 2;
    }
    if (self.json)
        self.style.color = false;
    int units = rs_units_system (rs_config_str (cfg, "units"));
    if (units < 0) {
        fprintf (stderr, "rigstream-logger: invalid value \"%s\" for --units: expected metric or imperial\n",
                 rs_config_str (cfg, "units"));
        rs_config_destroy (&cfg);
        return 2;
    }
    self.style.units = (rs_unit_system_t) units;

    char topics_buf[1024];
    const char *topics[MAX_TOPICS + 1];
    int n = rs_config_list (cfg, "topics", topics_buf, sizeof topics_buf, topics, MAX_TOPICS);
    if (n < 0) {
        fprintf (stderr, "rigstream-logger: --topics: at most %d prefixes\n", MAX_TOPICS);
        rs_config_destroy (&cfg);
        return 2;
    }

    rs_curve_t *curve = rs_curve_new_config (cfg);
    if (!curve) {
        rs_config_destroy (&cfg);
        return 2;
    }
    char sub_ep[256], pub_ep[256];
    rs_config_broker_endpoint (cfg, true, sub_ep, sizeof sub_ep);
    rs_config_broker_endpoint (cfg, false, pub_ep, sizeof pub_ep);
    rs_sub_opts_t opts = {
        .component = "console_logger",
        .sub_endpoint = sub_ep,
        .pub_endpoint = pub_ep,
        .topics = n ? topics : NULL,
        .heartbeat_ms = (int) rs_config_int (cfg, "heartbeat-ms"),
        .on_message = s_on_message,
        .arg = &self,
        .durable = rs_config_bool (cfg, "durable"),
        .curve = curve,
    };
    rs_sub_t *sub = rs_sub_new (&opts);
    self.summary = rs_logsum_new ();
    if (!sub || !self.summary) {
        rs_sub_destroy (&sub);
        rs_curve_destroy (&curve);
        rs_config_destroy (&cfg);
        return 1;
    }
    if (self.every > 0)
        rs_sub_timer (sub, self.every * 1000, s_on_summary, &self);
    rs_sub_timer (sub, 250, s_on_flush, NULL);
    rs_info ("ready: printing %s from %s", rs_config_str (cfg, "topics"), sub_ep);
    rc = rs_sub_run (sub);
    fflush (stdout);
    const rs_sub_stats_t *st = rs_sub_stats (sub);
    rs_info ("stopped: %llu received, %llu printed, %llu rejected, %llu lost in %llu gap(s), "
             "%llu recovered, %llu lost for good",
             (unsigned long long) st->received, (unsigned long long) st->delivered,
             (unsigned long long) st->rejected, (unsigned long long) st->missing,
             (unsigned long long) st->gaps, (unsigned long long) st->repaired,
             (unsigned long long) st->lost_permanently);
    rs_sub_destroy (&sub);
    rs_logsum_destroy (&self.summary);
    rs_curve_destroy (&curve);
    rs_config_destroy (&cfg);
    return rc == 0 ? 0 : 1;
}
