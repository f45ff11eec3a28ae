/*  rigstream-replay: publishes a recorded WITSML 1.4 time log as telemetry,
    as fast as possible, at a speed factor, or clock-synchronised (a chosen
    instant of the log maps to now and rows are released as time passes,
    in batches when the replay is behind: rs_pace). Curves are mapped to
    channels by rs_chanmap; unmapped curves travel as extra channels. */
#include <czmq.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rs_chanmap.h"
#include "rs_channels.h"
#include "rs_clock.h"
#include "rs_config.h"
#include "rs_log.h"
#include "rs_pace.h"
#include "rs_pub.h"
#include "rs_signal.h"
#include "rs_witsml.h"

static const rs_option_t s_options[] = {
    RS_OPTIONS_BROKER_CLIENT,
    RS_OPTIONS_PUBLISHER,
    { "well", "REPLAY_WELL", RS_OPT_STRING, NULL,
      "well id to publish as (default: the log's nameWell, made a valid id)", 0, 0 },
    RS_OPTIONS_PACE,
    { "publisher-id", "PUBLISHER_ID", RS_OPT_STRING, "replay", "publisher id (unique per process)", 0, 0 },
    RS_OPTION_END
};

#define MAX_CHANNELS 256

typedef struct {
    rs_pub_t *pub;
    rs_witsml_t *log;
    rs_pace_t *pace;
    const char *path;
    int heartbeat_ms;
} replay_t;

static void
s_heartbeat (replay_t *self, const char *state)
{
    rs_value_t stats[] = { { "rows", -1, (double) rs_witsml_rows (self->log) },
                           { "bad_rows", -1, (double) rs_witsml_bad_rows (self->log) },
                           { "behind_s", -1, self->pace->behind_s } };
    rs_text_t info[] = { { "state", state }, { "file", self->path } };
    rs_pub_heartbeat (self->pub, stats, 3, info, 2);
}

static int64_t
s_tick (void *arg, int64_t now_ms)
{
    replay_t *self = (replay_t *) arg;
    s_heartbeat (self, "running");
    return now_ms + self->heartbeat_ms;
}

int
main (int argc, char **argv)
{
    rs_config_t *cfg = rs_config_new ("rigstream-replay", "replay a recorded WITSML 1.4 time log",
                                      s_options, "FILE");
    int rc = rs_config_start (&cfg, argc, argv, "replay");
    if (rc >= 0)
        return rc;
    if (rs_config_argc (cfg) != 1) {
        fprintf (stderr, "rigstream-replay: give one WITSML log file (see --help)\n");
        rs_config_destroy (&cfg);
        return 2;
    }
    const char *path = rs_config_argv (cfg, 0);
    char err[600];
    rs_pace_t pace;
    if (rs_pace_config (&pace, cfg, err, sizeof err) != 0) {
        fprintf (stderr, "rigstream-replay: %s\n", err);
        rs_config_destroy (&cfg);
        return 2;
    }
    rs_witsml_t *log = rs_witsml_open (path, err, sizeof err);
    if (!log) {
        rs_error ("%s", err);
        rs_config_destroy (&cfg);
        return 1;
    }
    const rs_witsml_curve_t *curves;
    size_t n_curves = rs_witsml_curves (log, &curves);
    static rs_chanmap_t map[1024];
    size_t mapped = 0;
    for (size_t i = 1; i < n_curves; i++) {
        rs_chanmap_curve (curves[i].mnemonic, curves[i].unit, &map[i]);
        if (map[i].channel != RS_CH_UNKNOWN)
            mapped++;
        else if (map[i].unit_unknown)
            rs_warn ("curve %s: unit '%s' does not convert to a known channel's unit; "
                     "carried unconverted as '%s'", curves[i].mnemonic, curves[i].unit, map[i].name);
    }
    if (n_curves - 1 > MAX_CHANNELS)
        rs_warn ("%zu curves: only the first %d travel in each sample", n_curves - 1, MAX_CHANNELS);
    char well[65];
    const char *well_opt = rs_config_str (cfg, "well");
    rs_chanmap_well_id (well_opt && *well_opt ? well_opt : rs_witsml_well (log), "replay", well, sizeof well);

    rs_pub_t *pub;
    int exit_code = 0;
    int started = rs_pub_start (cfg, "replay", rs_config_str (cfg, "publisher-id"), &pub);
    if (started != 0) {
        exit_code = started == -2 ? 2 : started < 0 ? 1 : 0;
        goto done;
    }
    const char *endpoint = rs_pub_endpoint (pub);

    replay_t self = { .pub = pub, .log = log, .pace = &pace, .path = path,
                      .heartbeat_ms = (int) rs_config_int (cfg, "heartbeat-ms") };
    rs_pace_set_tick (&pace, s_tick, &self);
    rs_info ("ready: replaying %s as well %s (%zu curves, %zu mapped to known channels) %s to %s",
             path, well, n_curves - 1, mapped, rs_pace_mode (&pace), endpoint);
    uint64_t published = 0;
    rs_value_t ch[MAX_CHANNELS];
    int64_t ts;
    const double *values;
    while (!rs_signal_stopping () && (rc = rs_witsml_next (log, &ts, &values)) == 1) {
        int64_t due;
        if (!rs_pace_row (&pace, ts, rs_clock_mono_ms (), rs_clock_now_us (), &due))
            continue;
        if (!rs_pace_wait (&pace, due))
            break;
        size_t n = 0;
        for (size_t i = 1; i < n_curves && n < MAX_CHANNELS; i++) {
            double v = values[i];
            if (!isnan (v))
                v = v * map[i].scale + map[i].offset;
            ch[n++] = (rs_value_t) { map[i].name, map[i].channel, v };
        }
        if (rs_pub_sample (pub, well, rs_pace_ts (&pace, ts), ch, n) == RS_OK)
            published++;
    }
    if (rc < 0) {
        rs_error ("%s", rs_witsml_error (log));
        exit_code = 1;
    }
    rs_info ("stopped: %llu rows published, %llu skipped before --start, %llu bad rows, from %s",
             (unsigned long long) published, (unsigned long long) pace.skipped,
             (unsigned long long) rs_witsml_bad_rows (log), path);
    s_heartbeat (&self, "stopped");
done:
    rs_pub_destroy (&pub);
    rs_witsml_close (&log);
    rs_config_destroy (&cfg);
    return exit_code;
}
