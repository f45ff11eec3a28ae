/*  rs_simapp: rigstream-sim's engine. Checks the options (--rate, the
    well ids, --events), builds one simulator per well (rs_sim) and hands
    them to rs_simpub, which steps and publishes them. */
#include "rs_simapp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rs_channels.h"
#include "rs_clock.h"
#include "rs_log.h"
#include "rs_sim.h"
#include "rs_simpub.h"

#define MAX_WELLS RS_SIMPUB_MAX_WELLS
#define MAX_RATE  10000.0

rs_err_t
rs_simapp_rate (const char *text, double *rate)
{
    if (strcmp (text, "max") == 0) {
        *rate = 0;
        return RS_OK;
    }
    char *end;
    double v = strtod (text, &end);
    if (end == text || *end || !isfinite (v) || v < 0 || v > MAX_RATE)
        return rs_err_set (RS_E_CONFIG, "invalid value \"%s\" for --rate: expected a number of Hz "
                           "(0 < rate <= %.0f), 0 or max", text, MAX_RATE);
    *rate = v;
    return RS_OK;
}

rs_err_t
rs_simapp_well_ids (const char *list, int wells, char ids[][RS_MAX_ID + 1], int *count)
{
    *count = 0;
    if (!list || !*list) {
        for (int i = 0; i < wells; i++)
            snprintf (ids[i], RS_MAX_ID + 1, "A-%02d", i + 1);
        *count = wells;
        return RS_OK;
    }
    int n = 0;
    const char *p = list;
    while (*p) {
        size_t len = strcspn (p, ",");
        while (len > 0 && p[0] == ' ') {
            p++;
            len--;
        }
        while (len > 0 && p[len - 1] == ' ')
            len--;
        if (len > 0) {
            if (!rs_id_valid (p, len))
                return rs_err_set (RS_E_CONFIG, "invalid well id \"%.*s\" in --well-ids: 1-%d chars of "
                                   "A-Z a-z 0-9 _ -", (int) len, p, RS_MAX_ID);
            if (n == MAX_WELLS)
                return rs_err_set (RS_E_CONFIG, "too many wells in --well-ids (at most %d)", MAX_WELLS);
            memcpy (ids[n], p, len);
            ids[n][len] = '\0';
            for (int i = 0; i < n; i++)
                if (strcmp (ids[i], ids[n]) == 0)
                    return rs_err_set (RS_E_CONFIG, "well id \"%s\" given twice", ids[n]);
            n++;
        }
        p += strcspn (p, ",");
        if (*p == ',')
            p++;
    }
    if (n == 0)
        return rs_err_set (RS_E_CONFIG, "--well-ids names no well");
    *count = n;
    return RS_OK;
}

struct rs_simapp_t {
    rs_simpub_t pub;
    double rate;
    double speed;
    long seed;
    char ids[MAX_WELLS][RS_MAX_ID + 1];
};

int
rs_simapp_setup (rs_config_t *cfg, void *arg)
{
    rs_simapp_t *self = (rs_simapp_t *) arg;
    if (rs_simapp_rate (rs_config_str (cfg, "rate"), &self->rate) != RS_OK) {
        fprintf (stderr, "rigstream-sim: %s\n", rs_errmsg ());
        return RS_E_CONFIG;
    }
    const char *events = rs_config_str (cfg, "events");
    if (rs_sim_spec_check (events) != RS_OK) {
        fprintf (stderr, "rigstream-sim: invalid value for --events: %s\n", rs_errmsg ());
        return RS_E_CONFIG;
    }
    rs_simpub_t *sp = &self->pub;
    int n_wells;
    if (rs_simapp_well_ids (rs_config_str (cfg, "well-ids"), (int) rs_config_int (cfg, "wells"), self->ids,
                            &n_wells) != RS_OK) {
        fprintf (stderr, "rigstream-sim: %s\n", rs_errmsg ());
        return RS_E_CONFIG;
    }
    if (rs_config_broker_endpoint (cfg, false, sp->endpoint, sizeof sp->endpoint) != 0)
        return RS_E_CONFIG;
    self->speed = rs_config_double (cfg, "speed");
    sp->dt = self->rate > 0 ? self->speed / self->rate : self->speed;
    if (self->rate > 0)
        snprintf (sp->rate_text, sizeof sp->rate_text, "%g", self->rate);
    else
        snprintf (sp->rate_text, sizeof sp->rate_text, "max");
    self->seed = rs_config_int (cfg, "seed");
    sp->n_wells = n_wells;
    for (int i = 0; i < n_wells; i++) {
        rs_sim_opts_t o = {
            .well = self->ids[i],
            .seed = (uint64_t) self->seed + (uint64_t) i,
            .start_depth_m = rs_config_double (cfg, "start-depth"),
            .trip_every_stands = (int) rs_config_int (cfg, "trip-every"),
            .random_events_per_h = rs_config_double (cfg, "random-events"),
            .vary = rs_config_bool (cfg, "vary"),
            .faults_per_h = rs_config_double (cfg, "faults"),
        };
        sp->wells[i] = rs_sim_new (&o);
        if (!sp->wells[i] || rs_sim_inject_spec (sp->wells[i], events) != RS_OK) {
            rs_error ("cannot create the simulator for well %s", self->ids[i]);
            return RS_E_NOMEM;
        }
    }
    return RS_OK;
}

void
rs_simapp_ready (rs_pub_t *pub, char *what, size_t size, void *arg)
{
    rs_simapp_t *self = (rs_simapp_t *) arg;
    self->pub.pub = pub;
    rs_simpub_start (&self->pub, rs_clock_now_us ());
    snprintf (what, size, "publishing %d well(s) at %s Hz (speed %g, seed %ld)", self->pub.n_wells,
              self->pub.rate_text, self->speed, self->seed);
}

int
rs_simapp_run (rs_pub_t *pub, rs_config_t *cfg, void *arg)
{
    (void) pub;
    rs_simapp_t *self = (rs_simapp_t *) arg;
    rs_simpub_run (&self->pub, self->rate, (uint64_t) rs_config_int (cfg, "count"),
                   (int) rs_config_int (cfg, "heartbeat-ms"));
    return RS_OK;
}

void
rs_simapp_stop (rs_pub_t *pub, char *summary, size_t size, void *arg)
{
    (void) pub;
    rs_simpub_t *sp = &((rs_simapp_t *) arg)->pub;
    snprintf (summary, size, "%llu samples, %llu events, %llu errors, %.0f s simulated",
              (unsigned long long) sp->samples, (unsigned long long) sp->events,
              (unsigned long long) sp->errors, rs_sim_time (sp->wells[0]));
}

void
rs_simapp_heartbeat (rs_pub_t *pub, const char *state, void *arg)
{
    (void) pub;
    rs_simpub_heartbeat (&((rs_simapp_t *) arg)->pub, state);
}

void
rs_simapp_free (void *arg)
{
    rs_simpub_t *sp = &((rs_simapp_t *) arg)->pub;
    for (int i = 0; i < sp->n_wells; i++)
        rs_sim_destroy (&sp->wells[i]);
}

rs_simapp_t *
rs_simapp_new (void)
{
    return calloc (1, sizeof (rs_simapp_t));
}

void
rs_simapp_destroy (rs_simapp_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free (*self_p);
    *self_p = NULL;
}
