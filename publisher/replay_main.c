/*  rigstream-replay: publishes a recorded WITSML 1.4 time log as telemetry,
    as fast as possible, at a speed factor, or clock-synchronised (a chosen
    instant of the log maps to now and rows are released as time passes,
    in batches when the replay is behind). Curves are mapped to channels by
    rs_chanmap; unmapped curves travel as extra channels. */
#include <czmq.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rs_chanmap.h"
#include "rs_channels.h"
#include "rs_clock.h"
#include "rs_config.h"
#include "rs_log.h"
#include "rs_pub.h"
#include "rs_signal.h"
#include "rs_witsml.h"

static const rs_option_t s_options[] = {
    RS_OPTIONS_BROKER_CLIENT,
    RS_OPTIONS_PUBLISHER,
    { "well", "REPLAY_WELL", RS_OPT_STRING, NULL,
      "well id to publish as (default: the log's nameWell, made a valid id)", 0, 0 },
    { "speed", "REPLAY_SPEED", RS_OPT_DOUBLE, "1", "log seconds per real second", 0.001, 1e6 },
    { "fast", "REPLAY_FAST", RS_OPT_BOOL, "false", "as fast as possible (ignores --speed)", 0, 0 },
    { "clock-sync", "REPLAY_CLOCK_SYNC", RS_OPT_BOOL, "false",
      "map --start (or the first row) to now: samples carry today's times", 0, 0 },
    { "start", "REPLAY_START", RS_OPT_STRING, NULL,
      "skip rows before this instant of the log (ISO 8601 UTC)", 0, 0 },
    { "publisher-id", "PUBLISHER_ID", RS_OPT_STRING, "replay", "publisher id (unique per process)", 0, 0 },
    RS_OPTION_END
};

#define MAX_CHANNELS 256

//  The well id from the log's name: characters outside A-Z a-z 0-9 _ - become '_'.
static void
s_well_id (const char *name, char *id, size_t size)
{
    size_t n = 0;
    for (const char *p = name; *p && n + 1 < size && n < 64; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
               || c == '_' || c == '-';
        id[n++] = ok ? c : '_';
    }
    id[n] = 0;
    if (n == 0)
        snprintf (id, size, "replay");
}

typedef struct {
    rs_pub_t *pub;
    rs_witsml_t *log;
    const char *path;
    int heartbeat_ms;
    int64_t next_hb;
    double behind_s;
} replay_t;

static void
s_heartbeat (replay_t *self, const char *state)
{
    rs_value_t stats[] = { { "rows", -1, (double) rs_witsml_rows (self->log) },
                           { "bad_rows", -1, (double) rs_witsml_bad_rows (self->log) },
                           { "behind_s", -1, self->behind_s } };
    rs_text_t info[] = { { "state", state }, { "file", self->path } };
    rs_pub_heartbeat (self->pub, stats, 3, info, 2);
    self->next_hb = rs_clock_mono_ms () + self->heartbeat_ms;
}

//  Sleeps until due (monotonic ms), keeping heartbeats going, unless stopped.
static void
s_wait_until (replay_t *self, int64_t due)
{
    for (int64_t now = rs_clock_mono_ms (); now < due && !rs_signal_stopping ();
         now = rs_clock_mono_ms ()) {
        if (now >= self->next_hb)
            s_heartbeat (self, "running");
        int64_t wake = due < self->next_hb ? due : self->next_hb;
        int64_t ms = wake > now ? wake - now : 0;
        struct timespec ts = { (time_t) (ms / 1000), (long) (ms % 1000) * 1000000L };
        nanosleep (&ts, NULL);
    }
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
    int64_t start_at = 0;
    const char *start_text = rs_config_str (cfg, "start");
    if (start_text && *start_text && rs_clock_parse (start_text, &start_at) != 0) {
        fprintf (stderr, "rigstream-replay: invalid --start \"%s\": expected an ISO 8601 time\n", start_text);
        rs_config_destroy (&cfg);
        return 2;
    }
    char err[600];
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
    s_well_id (well_opt && *well_opt ? well_opt : rs_witsml_well (log), well, sizeof well);

    char endpoint[256];
    rs_config_broker_endpoint (cfg, false, endpoint, sizeof endpoint);
    rs_pub_opts_t popts = { .endpoint = endpoint, .component = "replay",
                            .pub_id = rs_config_str (cfg, "publisher-id") };
    rs_pub_opts_config (&popts, cfg);
    rs_pub_t *pub = rs_pub_new (&popts);
    int exit_code = 0;
    if (!pub) {
        exit_code = 1;
        goto done;
    }
    rs_signal_catch ();
    if (rs_pub_wait_broker (pub) != 0)
        goto done;

    bool fast = rs_config_bool (cfg, "fast"), sync = rs_config_bool (cfg, "clock-sync");
    double speed = fast ? 0 : sync ? 1 : rs_config_double (cfg, "speed");
    replay_t self = { .pub = pub, .log = log, .path = path,
                      .heartbeat_ms = (int) rs_config_int (cfg, "heartbeat-ms") };
    rs_info ("ready: replaying %s as well %s (%zu curves, %zu mapped to known channels) %s to %s",
             path, well, n_curves - 1, mapped,
             fast ? "as fast as possible" : sync ? "clock-synchronised" : "at a speed factor", endpoint);
    int64_t first_ts = 0, start_ms = 0, shift_us = 0;
    uint64_t published = 0, skipped = 0;
    rs_value_t ch[MAX_CHANNELS];
    int64_t ts;
    const double *values;
    s_heartbeat (&self, "running");
    while (!rs_signal_stopping () && (rc = rs_witsml_next (log, &ts, &values)) == 1) {
        if (start_at && ts < start_at) {
            skipped++;
            continue;
        }
        if (!first_ts) {
            first_ts = ts;
            start_ms = rs_clock_mono_ms ();
            if (sync)
                shift_us = rs_clock_now_us () - ts;
        }
        if (speed > 0) {
            //  Rows are due when their log time comes; a replay that falls
            //  behind sends what is due at once, catching up in a batch.
            int64_t due = start_ms + (int64_t) ((double) (ts - first_ts) / 1000.0 / speed);
            s_wait_until (&self, due);
            self.behind_s = (double) (rs_clock_mono_ms () - due) / 1000.0;
        }
        else if (rs_clock_mono_ms () >= self.next_hb)
            s_heartbeat (&self, "running");
        size_t n = 0;
        for (size_t i = 1; i < n_curves && n < MAX_CHANNELS; i++) {
            double v = values[i];
            if (!isnan (v))
                v = v * map[i].scale + map[i].offset;
            ch[n++] = (rs_value_t) { map[i].name, map[i].channel, v };
        }
        if (rs_pub_sample (pub, well, ts + shift_us, ch, n) == RS_OK)
            published++;
    }
    if (rc < 0) {
        rs_error ("%s", rs_witsml_error (log));
        exit_code = 1;
    }
    rs_info ("stopped: %llu rows published, %llu skipped before --start, %llu bad rows, from %s",
             (unsigned long long) published, (unsigned long long) skipped,
             (unsigned long long) rs_witsml_bad_rows (log), path);
    s_heartbeat (&self, "stopped");
done:
    rs_pub_destroy (&pub);
    rs_witsml_close (&log);
    rs_config_destroy (&cfg);
    return exit_code;
}
