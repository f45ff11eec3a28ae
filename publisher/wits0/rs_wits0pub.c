/*  rs_wits0pub: rigstream-wits0's engine. The link (rs_link: TCP client or
    server, serial, file) delivers bytes; rs_wits0 cuts them into frames;
    rs_wits0map turns each frame into a sample, published. One poll loop:
    the link, this process's heartbeats and the WITS0 heartbeats the peer
    expects. Rejected input and unknown items are counted and logged,
    rate-limited. */
#include "rs_wits0pub.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rs_clock.h"
#include "rs_curve.h"
#include "rs_link.h"
#include "rs_log.h"
#include "rs_signal.h"
#include "rs_wits0.h"
#include "rs_wits0map.h"

struct rs_wits0pub_t {
    rs_pub_t *pub;
    rs_wits0_t *parser;
    rs_wits0map_t *map;
    rs_link_t *link;
    const char *well;
    const char *mode;
    rs_link_opts_t lo;
    const char *units;
    const char *map_path;
    int64_t offset_us;
    bool carry_unknown;
    int64_t rx_us;              //  when the bytes being parsed arrived
    rs_wits0_sample_t sample;
    uint64_t samples;
    uint64_t unmapped_frames;   //  frames with no item the mapping names
    uint64_t unknown_items;
    uint64_t bad_values;
    uint64_t bad_times;
    uint64_t duplicates;
    uint64_t rejected_logged;
    rs_log_limit_t reject_log;
    rs_log_limit_t time_log;
    rs_log_limit_t unknown_log;
    unsigned char unknown_seen[10000 / 8 + 1];
};

static void
s_on_frame (const rs_wits0_item_t *items, size_t n, void *arg)
{
    rs_wits0pub_t *self = (rs_wits0pub_t *) arg;
    rs_wits0_sample_t *s = &self->sample;
    rs_wits0map_sample (self->map, items, n, self->rx_us, self->offset_us, self->carry_unknown, s);
    self->unknown_items += s->unknown;
    self->bad_values += s->bad_values;
    self->bad_times += s->bad_time;
    self->duplicates += s->duplicates;
    if (s->unknown)
        for (size_t i = 0; i < n; i++) {
            int code = items[i].code;
            if (rs_wits0map_find (self->map, code) || (self->unknown_seen[code / 8] & (1u << (code % 8))))
                continue;
            self->unknown_seen[code / 8] |= (unsigned char) (1u << (code % 8));
            rs_log_limited (&self->unknown_log, 5000, RS_LOG_INFO, "item %04d is not in the mapping: %s",
                            code, self->carry_unknown ? "carried as an extra channel" : "ignored (counted)");
        }
    if (s->bad_time)
        rs_log_limited (&self->time_log, 10000, RS_LOG_WARN,
                        "a frame's date or time is not valid: receive time used");
    if (s->n == 0) {
        self->unmapped_frames++;
        return;
    }
    if (rs_pub_sample (self->pub, self->well, s->ts_us, s->ch, s->n) == RS_OK)
        self->samples++;
}

void
rs_wits0pub_heartbeat (rs_pub_t *pub, const char *state, void *arg)
{
    rs_wits0pub_t *self = (rs_wits0pub_t *) arg;
    const rs_wits0_stats_t *p = rs_wits0_stats (self->parser);
    const rs_link_stats_t *l = rs_link_stats (self->link);
    rs_value_t stats[] = {
        { "frames", -1, (double) p->frames }, { "samples", -1, (double) self->samples },
        { "heartbeats_rx", -1, (double) p->heartbeats }, { "items", -1, (double) p->items },
        { "nulls", -1, (double) p->nulls }, { "noise_bytes", -1, (double) p->noise_bytes },
        { "bad_lines", -1, (double) p->bad_lines }, { "long_lines", -1, (double) p->long_lines },
        { "partial_frames", -1, (double) p->partial_frames }, { "dropped_items", -1, (double) p->dropped_items },
        { "pason_lines", -1, (double) p->pason_lines }, { "unknown_items", -1, (double) self->unknown_items },
        { "bad_values", -1, (double) self->bad_values }, { "bad_times", -1, (double) self->bad_times },
        { "unmapped_frames", -1, (double) self->unmapped_frames },
        { "duplicate_items", -1, (double) self->duplicates },
        { "bytes", -1, (double) l->bytes }, { "connects", -1, (double) l->connects },
        { "disconnects", -1, (double) l->disconnects }, { "attempts_failed", -1, (double) l->attempts_failed },
        { "idle_drops", -1, (double) l->idle_drops }, { "link_up", -1, rs_link_up (self->link) ? 1 : 0 },
    };
    rs_text_t info[] = { { "state", state }, { "source", rs_link_peer (self->link) }, { "mode", self->mode } };
    rs_pub_heartbeat (pub, stats, sizeof stats / sizeof stats[0], info, 3);
}

//  Logs rejected input, at most every 10 s, with the counts and the latest reason.
static void
s_log_rejects (rs_wits0pub_t *self)
{
    uint64_t rejected = rs_wits0_rejected (self->parser) + rs_wits0_stats (self->parser)->noise_bytes;
    if (rejected == self->rejected_logged)
        return;
    const rs_wits0_stats_t *p = rs_wits0_stats (self->parser);
    self->rejected_logged = rejected;
    rs_log_limited (&self->reject_log, 10000, RS_LOG_WARN,
                    "input rejected so far: %llu noise bytes, %llu bad lines, %llu long lines, %llu partial "
                    "frames, %llu dropped items; latest: %s",
                    (unsigned long long) p->noise_bytes, (unsigned long long) p->bad_lines,
                    (unsigned long long) p->long_lines, (unsigned long long) p->partial_frames,
                    (unsigned long long) p->dropped_items, rs_wits0_last_reject (self->parser));
}

//  Which of --connect, --listen, --serial, --file was given (exactly one).
static int
s_link_opts (rs_config_t *cfg, rs_link_opts_t *lo, const char **mode)
{
    static const struct {
        const char *flag;
        rs_link_kind_t kind;
    } kinds[] = { { "connect", RS_LINK_CONNECT }, { "listen", RS_LINK_LISTEN },
                  { "serial", RS_LINK_SERIAL }, { "file", RS_LINK_FILE } };
    int given = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        const char *v = rs_config_str (cfg, kinds[i].flag);
        if (v && *v) {
            given++;
            lo->kind = kinds[i].kind;
            lo->target = v;
            *mode = kinds[i].flag;
        }
    }
    lo->baud = (int) rs_config_int (cfg, "baud");
    lo->framing = rs_config_str (cfg, "framing");
    lo->backoff_max_ms = (int) rs_config_int (cfg, "reconnect-max-s") * 1000;
    lo->idle_timeout_ms = (int) rs_config_int (cfg, "idle-timeout-s") * 1000;
    return given == 1 ? 0 : -1;
}

//  WITS0 has no authentication: a listener off the loopback lets anyone on
//  that network inject data, so it needs the explicit insecure override.
static bool
s_listen_allowed (rs_config_t *cfg, const char *target)
{
    char endpoint[300];
    if (!strchr (target, ':'))
        return true;            //  a bare port listens on 127.0.0.1
    snprintf (endpoint, sizeof endpoint, "tcp://%s", target);
    rs_curve_opts_t co = { .insecure_bind = rs_config_bool (cfg, "allow-insecure-bind") };
    rs_curve_t *curve = rs_curve_new (&co);
    bool ok = curve && rs_curve_check_bind (curve, endpoint, false, "WITS0 listener") == 0;
    rs_curve_destroy (&curve);
    return ok;
}

int
rs_wits0pub_setup (rs_config_t *cfg, void *arg)
{
    rs_wits0pub_t *self = (rs_wits0pub_t *) arg;
    if (rs_config_bool (cfg, "print-map")) {
        fputs (rs_wits0map_default (), stdout);
        return RS_E_EXIT;
    }
    self->well = rs_config_str (cfg, "well");
    self->carry_unknown = rs_config_bool (cfg, "carry-unknown");
    self->offset_us = (int64_t) (rs_config_double (cfg, "utc-offset") * 3600e6);
    rs_link_opts_t *lo = &self->lo;
    self->units = rs_config_str (cfg, "units");
    self->map_path = rs_config_str (cfg, "map");
    bool fps = false;
    if (s_link_opts (cfg, lo, &self->mode) != 0)
        fprintf (stderr, "rigstream-wits0: give exactly one of --connect, --listen, --serial or --file "
                 "(see --help)\n");
    else if (rs_link_check (lo) != RS_OK)
        fprintf (stderr, "rigstream-wits0: --%s: %s\n", self->mode, rs_errmsg ());
    else if (lo->kind == RS_LINK_LISTEN && !s_listen_allowed (cfg, lo->target))
        ;   //  refused, with the reason logged
    else if (rs_wits0map_units (self->units, &fps) != RS_OK)
        fprintf (stderr, "rigstream-wits0: %s\n", rs_errmsg ());
    else if (!rs_id_valid (self->well, strlen (self->well)))
        fprintf (stderr, "rigstream-wits0: invalid --well \"%s\": 1-64 of A-Z a-z 0-9 _ -\n", self->well);
    else if (!(self->parser = rs_wits0_new ())
             || rs_wits0_set_nulls (self->parser, rs_config_str (cfg, "nulls")) != RS_OK)
        fprintf (stderr, "rigstream-wits0: invalid --nulls \"%s\": expected numbers separated by commas\n",
                 rs_config_str (cfg, "nulls"));
    else {
        self->map = rs_wits0map_open (self->map_path, fps);
        if (!self->map)
            fprintf (stderr, "rigstream-wits0: %s\n", rs_errmsg ());
        else if (!(self->link = rs_link_new (lo))) {
            rs_error ("%s", rs_errmsg ());
            return RS_E_IO;
        }
        else
            return RS_OK;
    }
    return RS_E_CONFIG;
}

void
rs_wits0pub_ready (rs_pub_t *pub, char *what, size_t size, void *arg)
{
    rs_wits0pub_t *self = (rs_wits0pub_t *) arg;
    self->pub = pub;
    const rs_wits0map_entry_t *entries;
    size_t n_entries = rs_wits0map_entries (self->map, &entries);
    snprintf (what, size, "WITS0 from %s %s (%s units, %zu items mapped by %s) as well %s", self->mode,
              self->lo.target, self->units, n_entries,
              self->map_path && *self->map_path ? self->map_path : "the built-in record 01 table", self->well);
}

//  One poll loop: the link, this process's heartbeats and the WITS0
//  heartbeats the peer expects.
int
rs_wits0pub_run (rs_pub_t *pub, rs_config_t *cfg, void *arg)
{
    rs_wits0pub_t *self = (rs_wits0pub_t *) arg;
    int hb_ms = (int) rs_config_int (cfg, "heartbeat-ms");
    int peer_hb_ms = (int) rs_config_int (cfg, "peer-heartbeat-s") * 1000;
    bool peer_hb = peer_hb_ms > 0 && self->lo.kind != RS_LINK_FILE;
    int64_t next_hb = 0, next_peer_hb = 0;
    bool was_up = false;
    static char buf[65536];
    while (!rs_signal_stopping ()) {
        int64_t now = rs_clock_mono_ms ();
        if (now >= next_hb) {
            rs_wits0pub_heartbeat (pub, "running", self);
            next_hb = now + hb_ms;
        }
        bool up = rs_link_up (self->link);
        if (up && !was_up)
            next_peer_hb = now + peer_hb_ms;
        was_up = up;
        if (up && peer_hb && now >= next_peer_hb) {
            rs_link_write (self->link, RS_WITS0_HEARTBEAT, strlen (RS_WITS0_HEARTBEAT));
            next_peer_hb = now + peer_hb_ms;
        }
        int64_t wake = next_hb;
        if (up && peer_hb && next_peer_hb < wake)
            wake = next_peer_hb;
        struct pollfd fds[2];
        int n = rs_link_fds (self->link, fds, 2, now, &wake);
        int timeout = wake > now ? (int) (wake - now) : 0;
        if (poll (fds, (nfds_t) n, timeout) < 0 && errno != EINTR) {
            rs_error ("poll: %s", strerror (errno));
            return RS_E_IO;
        }
        if (rs_signal_stopping ())
            break;
        ssize_t got = rs_link_service (self->link, fds, n, rs_clock_mono_ms (), buf, sizeof buf);
        if (got > 0) {
            self->rx_us = rs_clock_now_us ();
            rs_wits0_feed (self->parser, buf, (size_t) got, s_on_frame, self);
        }
        else if (got == RS_LINK_DOWN || got == RS_LINK_END)
            rs_wits0_end (self->parser, s_on_frame, self);
        s_log_rejects (self);
        if (got == RS_LINK_END)
            break;
    }
    return RS_OK;
}

void
rs_wits0pub_stop (rs_pub_t *pub, char *summary, size_t size, void *arg)
{
    (void) pub;
    rs_wits0pub_t *self = (rs_wits0pub_t *) arg;
    const rs_wits0_stats_t *p = rs_wits0_stats (self->parser);
    snprintf (summary, size, "%llu frames, %llu samples published, %llu heartbeats received, %llu items unknown, "
              "%llu rejected (%llu bad lines, %llu partial frames), %llu noise bytes, from %s",
              (unsigned long long) p->frames, (unsigned long long) self->samples,
              (unsigned long long) p->heartbeats, (unsigned long long) self->unknown_items,
              (unsigned long long) rs_wits0_rejected (self->parser), (unsigned long long) p->bad_lines,
              (unsigned long long) p->partial_frames, (unsigned long long) p->noise_bytes, self->lo.target);
}

void
rs_wits0pub_free (void *arg)
{
    rs_wits0pub_t *self = (rs_wits0pub_t *) arg;
    rs_link_destroy (&self->link);
    rs_wits0map_destroy (&self->map);
    rs_wits0_destroy (&self->parser);
}

rs_wits0pub_t *
rs_wits0pub_new (void)
{
    return calloc (1, sizeof (rs_wits0pub_t));
}

void
rs_wits0pub_destroy (rs_wits0pub_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free (*self_p);
    *self_p = NULL;
}
