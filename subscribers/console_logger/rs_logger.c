/*  rs_logger: rigstream-logger's engine: each message printed on stdout as
    a line (rs_logline_text) or a JSON object, or added to a per-well summary
    printed every N seconds; stdout flushed on a timer. */
#include "rs_logger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rs_logline.h"

struct rs_logger_t {
    bool json;
    rs_logstyle_t style;
    int every;
    rs_logsum_t *summary;
    char line[8192];
};

int
rs_logger_message (rs_sub_t *sub, const rs_msg_t *msg, void *arg)
{
    (void) sub;
    rs_logger_t *self = (rs_logger_t *) arg;
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
    rs_logger_t *self = (rs_logger_t *) arg;
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
int
rs_logger_setup (rs_config_t *cfg, rs_sub_opts_t *opts, void *arg)
{
    rs_logger_t *self = (rs_logger_t *) arg;
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

int
rs_logger_start (rs_sub_t *sub, void *arg)
{
    rs_logger_t *self = (rs_logger_t *) arg;
    if (self->every > 0 && rs_sub_timer (sub, self->every * 1000, s_on_summary, self) != RS_OK)
        return RS_E_NOMEM;
    return rs_sub_timer (sub, 250, s_on_flush, NULL);
}

int
rs_logger_stop (rs_sub_t *sub, char *summary, size_t size, void *arg)
{
    (void) sub;
    (void) summary;
    (void) size;
    (void) arg;
    fflush (stdout);
    return RS_OK;
}

void
rs_logger_free (void *arg)
{
    rs_logger_t *self = (rs_logger_t *) arg;
    rs_logsum_destroy (&self->summary);
}

rs_logger_t *
rs_logger_new (void)
{
    return calloc (1, sizeof (rs_logger_t));
}

void
rs_logger_destroy (rs_logger_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free (*self_p);
    *self_p = NULL;
}
