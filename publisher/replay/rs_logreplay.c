/*  rs_logreplay: rigstream-replay's engine. Opens the logs of one wellbore
    (rs_logset), says how their curves map and which rig-state channels no
    log feeds, then publishes the merged rows paced by rs_pace: every
    channel while the union fits a sample, else the known channels first. */
#include "rs_logreplay.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rs_chanmap.h"
#include "rs_channels.h"
#include "rs_log.h"
#include "rs_logset.h"
#include "rs_pace.h"
#include "rs_signal.h"

#define MAX_PATHS 64

struct rs_logreplay_t {
    rs_logset_t *set;
    rs_logmerge_t *merge;
    rs_pace_t pace;
    char what[600];         //  the file, or "N logs merged"
    char well[65];
    size_t n_chans;
    int heartbeat_ms;
};

static uint64_t
s_rows (const rs_logset_t *set, bool bad)
{
    uint64_t n = 0;
    for (size_t i = 0; i < rs_logset_count (set); i++)
        n += bad ? rs_logset_bad_rows (set, i) : rs_logset_rows (set, i);
    return n;
}

void
rs_logreplay_heartbeat (rs_pub_t *pub, const char *state, void *arg)
{
    rs_logreplay_t *self = (rs_logreplay_t *) arg;
    rs_value_t stats[] = { { "rows", -1, (double) s_rows (self->set, false) },
                           { "bad_rows", -1, (double) s_rows (self->set, true) },
                           { "logs", -1, (double) rs_logset_count (self->set) },
                           { "behind_s", -1, self->pace.behind_s } };
    rs_text_t info[] = { { "state", state }, { "file", self->what } };
    rs_pub_heartbeat (pub, stats, 4, info, 2);
}

//  Logs, per log, which curve feeds each rig-state channel and how (INFO),
//  curves whose unit does not convert, and the rig-state channels no log
//  feeds (WARN).
static void
s_report (const rs_logset_t *set)
{
    size_t shown = rs_logset_skipped_count (set), passed = rs_logset_passed_over (set);
    for (size_t i = 0; i < shown; i++)
        rs_warn ("passed over %s", rs_logset_skipped (set, i));
    if (passed > shown)
        rs_warn ("passed over %zu more file(s) of other kinds (depth-indexed logs, other WITSML objects)", passed - shown);
    bool fed[RS_CH_COUNT] = { false };
    for (size_t s = 0; s < rs_logset_count (set); s++) {
        size_t n;
        const rs_chanmap_t *map = rs_logset_map (set, s, &n);
        char line[1024];
        rs_chanmap_report (map + 1, n - 1, line, sizeof line);
        size_t mapped = 0;
        for (size_t i = 1; i < n; i++) {
            if (map[i].channel != RS_CH_UNKNOWN) {
                fed[map[i].channel] = true;
                mapped++;
            }
            else if (map[i].unit_unknown)
                rs_warn ("%s: curve %s: its unit does not convert to %s's unit (%s); carried unconverted as "
                         "'%s'", rs_logset_path (set, s), map[i].mnemonic, rs_chan_info (map[i].matched)->name,
                         rs_chan_info (map[i].matched)->unit, map[i].name);
            else if (map[i].lost_to > 0)
                rs_info ("%s: curve %s also matches %s; %s takes it, %s is carried as '%s'",
                         rs_logset_path (set, s), map[i].mnemonic, rs_chan_info (map[i].matched)->name,
                         map[map[i].lost_to].mnemonic, map[i].mnemonic, map[i].name);
        }
        rs_info ("log %s (%s): %zu curves, %zu mapped to known channels; rig-state channels: %s",
                 rs_logset_path (set, s), rs_logset_name (set, s), n - 1, mapped, line);
    }
    const int *rig;
    size_t n_rig = rs_chanmap_rig_channels (&rig);
    char gone[256] = "";
    size_t len = 0;
    for (size_t r = 0; r < n_rig; r++)
        if (!fed[rig[r]]) {
            int w = snprintf (gone + len, len < sizeof gone ? sizeof gone - len : 0, "%s%s", len ? " " : "",
                              rs_chan_info (rig[r])->name);
            if (w > 0)
                len += (size_t) w;
        }
    if (len)
        rs_warn ("rig-state channels that no log feeds: %s (the rig state is computed without them)", gone);
}

int
rs_logreplay_setup (rs_config_t *cfg, void *arg)
{
    rs_logreplay_t *self = (rs_logreplay_t *) arg;
    int n_paths = rs_config_argc (cfg);
    if (n_paths < 1 || n_paths > MAX_PATHS) {
        fprintf (stderr, "rigstream-replay: give one or more WITSML log files or directories, at most %d "
                 "(see --help)\n", MAX_PATHS);
        return RS_E_CONFIG;
    }
    const char *paths[MAX_PATHS];
    for (int i = 0; i < n_paths; i++)
        paths[i] = rs_config_argv (cfg, i);
    if (rs_pace_config (&self->pace, cfg) != RS_OK) {
        fprintf (stderr, "rigstream-replay: %s\n", rs_errmsg ());
        return RS_E_CONFIG;
    }
    self->set = rs_logset_open (paths, (size_t) n_paths);
    if (!self->set) {
        rs_error ("%s", rs_errmsg ());
        return RS_E_IO;
    }
    s_report (self->set);
    self->merge = rs_logset_merge (self->set);
    const rs_value_t *chans;
    self->n_chans = rs_logmerge_channels (self->merge, &chans);
    if (self->n_chans > RS_MAX_CHANNELS)
        rs_warn ("%zu channels in all: more than a sample carries (%d); each sample carries the known channels "
                 "and the extra channels that have a reading", self->n_chans, RS_MAX_CHANNELS);
    const char *well_opt = rs_config_str (cfg, "well");
    rs_chanmap_well_id (well_opt && *well_opt ? well_opt : rs_logset_well (self->set), "replay", self->well,
                        sizeof self->well);
    size_t n_logs = rs_logset_count (self->set);
    if (n_logs == 1)
        snprintf (self->what, sizeof self->what, "%s", rs_logset_path (self->set, 0));
    else
        snprintf (self->what, sizeof self->what, "%zu logs merged", n_logs);
    self->heartbeat_ms = (int) rs_config_int (cfg, "heartbeat-ms");
    return RS_OK;
}

void
rs_logreplay_ready (rs_pub_t *pub, char *what, size_t size, void *arg)
{
    rs_logreplay_t *self = (rs_logreplay_t *) arg;
    rs_pace_set_heartbeat (&self->pace, pub, self->heartbeat_ms, rs_logreplay_heartbeat, self);
    snprintf (what, size, "replaying %s as well %s (%zu channels) %s", self->what, self->well, self->n_chans,
              rs_pace_mode (&self->pace));
}

int
rs_logreplay_run (rs_pub_t *pub, rs_config_t *cfg, void *arg)
{
    (void) cfg;
    rs_logreplay_t *self = (rs_logreplay_t *) arg;
    static rs_value_t ch[RS_MAX_CHANNELS];
    int64_t ts;
    const rs_value_t *vals;
    size_t n;
    int rc = 0;
    while (!rs_signal_stopping () && (rc = rs_logmerge_next (self->merge, &ts, &vals, &n)) == 1)
        if (rs_pace_publish (&self->pace, pub, self->well, ts, ch, rs_logmerge_pack (vals, n, ch)) == RS_E_STOPPED)
            break;
    if (rc < 0) {
        rs_error ("%s", rs_logset_error (self->set));
        return RS_E_IO;
    }
    return RS_OK;
}

void
rs_logreplay_stop (rs_pub_t *pub, char *summary, size_t size, void *arg)
{
    (void) pub;
    rs_logreplay_t *self = (rs_logreplay_t *) arg;
    uint64_t dropped = 0;
    for (size_t s = 0; s < rs_logset_count (self->set); s++)
        dropped += rs_logset_dropped (self->set, s);
    snprintf (summary, size, "%llu rows published, %llu skipped before --start, %llu bad rows, %llu rows out "
              "of order dropped, from %s", (unsigned long long) self->pace.published,
              (unsigned long long) self->pace.skipped, (unsigned long long) s_rows (self->set, true),
              (unsigned long long) dropped, self->what);
}

void
rs_logreplay_free (void *arg)
{
    rs_logset_destroy (&((rs_logreplay_t *) arg)->set);
}

rs_logreplay_t *
rs_logreplay_new (void)
{
    return calloc (1, sizeof (rs_logreplay_t));
}

void
rs_logreplay_destroy (rs_logreplay_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free (*self_p);
    *self_p = NULL;
}
