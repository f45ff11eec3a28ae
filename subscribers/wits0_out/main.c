/*  rigstream-wits0-out: serves one well's telemetry as WITS0 record 01 frames
    on a TCP port, for third-party rig software: one frame per sample, in
    metric or FPS units (rs_wits0map, the same mapping as rigstream-wits0),
    and a heartbeat frame to any client that has had nothing for a while,
    since WITS0 peers drop a link silent for 30 s. The TCP side is rs_fanout,
    driven from the subscriber's own loop. */
#include <stdio.h>
#include <string.h>

#include "rs_clock.h"
#include "rs_config.h"
#include "rs_curve.h"
#include "rs_fanout.h"
#include "rs_log.h"
#include "rs_sub.h"
#include "rs_wits0.h"
#include "rs_wits0map.h"

static const rs_option_t s_options[] = {
    RS_OPTIONS_BROKER_CLIENT,
    { "port", "WITS0_OUT_PORT", RS_OPT_INT, "5600", "TCP port that WITS0 clients connect to", 1, 65535 },
    { "bind", "WITS0_OUT_BIND", RS_OPT_STRING, "127.0.0.1",
      "interface to listen on; 0.0.0.0 serves the rig network", 0, 0 },
    { "well", "WITS0_OUT_WELL", RS_OPT_STRING, NULL, "well to serve (default: the first well heard)", 0, 0 },
    { "units", "WITS0_OUT_UNITS", RS_OPT_STRING, "metric", "units of the WITS0 side: metric or fps", 0, 0 },
    { "map", "WITS0_OUT_MAP", RS_OPT_STRING, NULL,
      "mapping file, as rigstream-wits0's (default: the built-in record 01 table)", 0, 0 },
    { "null-value", "WITS0_OUT_NULL", RS_OPT_STRING, "-9999.00",
      "sent for a channel without a reading (empty: leave the item out)", 0, 0 },
    { "peer-heartbeat-s", "WITS0_OUT_PEER_HEARTBEAT_S", RS_OPT_INT, "20",
      "send a heartbeat frame to a client that has had nothing for this long, s (peers give up at 30 s)", 1, 29 },
    { "utc-offset", "WITS0_OUT_UTC_OFFSET", RS_OPT_DOUBLE, "0",
      "local time minus UTC, hours, for the date (0105) and time (0106) items", -14, 14 },
    { "max-clients", "WITS0_OUT_MAX_CLIENTS", RS_OPT_INT, "8", "clients served at once", 1, 64 },
    RS_OPTION_END
};

typedef struct {
    rs_fanout_t *fanout;
    rs_wits0map_t *map;
    char well[RS_MAX_ID + 1];
    const char *null_text;
    int64_t offset_us;
    int64_t heartbeat_ms;
    rs_wits0_frame_t frame;
    char text[16384];
    uint64_t samples;
    uint64_t heartbeats;
    uint64_t other_wells;       //  samples of wells not served
    uint64_t empty;             //  samples with no mapped channel
} out_t;

static int
s_on_message (rs_sub_t *sub, const rs_msg_t *msg, void *arg)
{
    (void) sub;
    out_t *self = (out_t *) arg;
    if (msg->kind != RS_KIND_TELEMETRY)
        return 0;
    if (!self->well[0]) {
        snprintf (self->well, sizeof self->well, "%s", msg->id);
        rs_info ("serving well %s (the first heard; --well picks another)", self->well);
    }
    if (strcmp (msg->id, self->well) != 0) {
        self->other_wells++;
        return 0;
    }
    if (rs_wits0map_frame (self->map, msg->values, msg->n_values, msg->hdr.ts_us, self->offset_us,
                           self->null_text, &self->frame) == 0) {
        self->empty++;
        return 0;
    }
    int len = rs_wits0_format (self->frame.items, self->frame.n, self->text, sizeof self->text);
    if (len > 0) {
        rs_fanout_send (self->fanout, self->text, (size_t) len, rs_clock_mono_ms ());
        self->samples++;
    }
    return 0;
}

static int
s_on_tick (rs_sub_t *sub, void *arg)
{
    (void) sub;
    out_t *self = (out_t *) arg;
    int64_t now = rs_clock_mono_ms ();
    rs_fanout_accept (self->fanout, now);
    rs_fanout_service (self->fanout, now);
    self->heartbeats += rs_fanout_send_idle (self->fanout, RS_WITS0_HEARTBEAT, strlen (RS_WITS0_HEARTBEAT), now,
                                             self->heartbeat_ms);
    return 0;
}

static int
s_on_listen (zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    (void) loop;
    (void) item;
    out_t *self = (out_t *) arg;
    rs_fanout_accept (self->fanout, rs_clock_mono_ms ());
    return 0;
}

static size_t
s_stats (rs_sub_t *sub, rs_value_t *out, size_t max, void *arg)
{
    (void) sub;
    out_t *self = (out_t *) arg;
    const rs_fanout_stats_t *f = rs_fanout_stats (self->fanout);
    rs_value_t stats[] = {
        { "clients", -1, (double) rs_fanout_clients (self->fanout) }, { "frames_sent", -1, (double) self->samples },
        { "heartbeats_sent", -1, (double) self->heartbeats }, { "dropped_frames", -1, (double) f->dropped },
        { "clients_accepted", -1, (double) f->accepted }, { "clients_refused", -1, (double) f->refused },
        { "other_wells", -1, (double) self->other_wells }, { "empty_samples", -1, (double) self->empty },
        { "bytes_out", -1, (double) f->bytes_out },
    };
    size_t n = sizeof stats / sizeof stats[0] < max ? sizeof stats / sizeof stats[0] : max;
    memcpy (out, stats, n * sizeof *out);
    return n;
}

int
main (int argc, char **argv)
{
    rs_config_t *cfg = rs_config_new ("rigstream-wits0-out", "serve telemetry as WITS0 record 01 over TCP",
                                      s_options, NULL);
    int rc = rs_config_start (&cfg, argc, argv, "wits0_out");
    if (rc >= 0)
        return rc;
    out_t self = { .null_text = rs_config_str (cfg, "null-value"),
                   .offset_us = (int64_t) (rs_config_double (cfg, "utc-offset") * 3600e6),
                   .heartbeat_ms = rs_config_int (cfg, "peer-heartbeat-s") * 1000 };
    const char *well = rs_config_str (cfg, "well"), *units = rs_config_str (cfg, "units");
    const char *map_path = rs_config_str (cfg, "map");
    char err[600];
    if (well && *well && !rs_id_valid (well, strlen (well))) {
        fprintf (stderr, "rigstream-wits0-out: invalid --well \"%s\": 1-64 of A-Z a-z 0-9 _ -\n", well);
        rs_config_destroy (&cfg);
        return 2;
    }
    if (strcmp (units, "metric") != 0 && strcmp (units, "fps") != 0) {
        fprintf (stderr, "rigstream-wits0-out: invalid value \"%s\" for --units: expected metric or fps\n", units);
        rs_config_destroy (&cfg);
        return 2;
    }
    bool fps = strcmp (units, "fps") == 0;
    self.map = map_path && *map_path ? rs_wits0map_load (map_path, fps, err, sizeof err)
                                     : rs_wits0map_parse (NULL, NULL, fps, err, sizeof err);
    if (!self.map) {
        fprintf (stderr, "rigstream-wits0-out: %s\n", err);
        rs_config_destroy (&cfg);
        return 2;
    }
    snprintf (self.well, sizeof self.well, "%s", well ? well : "");
    //  WITS0 has no authentication: off the loopback only with the override.
    rs_curve_t *curve = rs_curve_new_config (cfg);
    char listen_ep[300];
    snprintf (listen_ep, sizeof listen_ep, strchr (rs_config_str (cfg, "bind"), ':') ? "tcp://[%s]:%ld"
              : "tcp://%s:%ld", rs_config_str (cfg, "bind"), rs_config_int (cfg, "port"));
    if (!curve || rs_curve_check_bind (curve, listen_ep, false, "WITS0 output") != 0) {
        rs_curve_destroy (&curve);
        rs_wits0map_destroy (&self.map);
        rs_config_destroy (&cfg);
        return 2;
    }
    self.fanout = rs_fanout_new (rs_config_str (cfg, "bind"), (int) rs_config_int (cfg, "port"),
                                 (size_t) rs_config_int (cfg, "max-clients"), err, sizeof err);
    if (!self.fanout) {
        rs_error ("%s", err);
        rs_curve_destroy (&curve);
        rs_wits0map_destroy (&self.map);
        rs_config_destroy (&cfg);
        return 1;
    }
    char topic[RS_MAX_TOPIC + 1];
    snprintf (topic, sizeof topic, "telemetry.%s", self.well);
    const char *topics[] = { topic, NULL };
    char sub_ep[256], pub_ep[256];
    rs_config_broker_endpoint (cfg, true, sub_ep, sizeof sub_ep);
    rs_config_broker_endpoint (cfg, false, pub_ep, sizeof pub_ep);
    rs_sub_opts_t opts = {
        .component = "wits0_out",
        .sub_endpoint = sub_ep,
        .pub_endpoint = pub_ep,
        .topics = topics,
        .heartbeat_ms = (int) rs_config_int (cfg, "heartbeat-ms"),
        .on_message = s_on_message,
        .arg = &self,
        .curve = curve,
    };
    rs_sub_t *sub = rs_sub_new (&opts);
    if (!sub) {
        rs_fanout_destroy (&self.fanout);
        rs_curve_destroy (&curve);
        rs_wits0map_destroy (&self.map);
        rs_config_destroy (&cfg);
        return 1;
    }
    rs_sub_set_stats_fn (sub, s_stats, &self);
    rs_sub_timer (sub, 100, s_on_tick, &self);
    zmq_pollitem_t listen_item = { NULL, rs_fanout_fd (self.fanout), ZMQ_POLLIN, 0 };
    zloop_poller (rs_sub_loop (sub), &listen_item, s_on_listen, &self);
    rs_info ("ready: serving %s as WITS0 record 01 (%s units) on %s:%ld from %s",
             self.well[0] ? self.well : "the first well heard", units, rs_config_str (cfg, "bind"),
             rs_config_int (cfg, "port"), sub_ep);
    rc = rs_sub_run (sub);
    const rs_fanout_stats_t *f = rs_fanout_stats (self.fanout);
    rs_info ("stopped: %llu frames sent, %llu clients served, %llu heartbeat frames, %llu frames dropped for slow "
             "clients, %llu samples of other wells",
             (unsigned long long) self.samples, (unsigned long long) f->accepted, (unsigned long long) self.heartbeats,
             (unsigned long long) f->dropped, (unsigned long long) self.other_wells);
    rs_sub_destroy (&sub);
    rs_fanout_destroy (&self.fanout);
    rs_curve_destroy (&curve);
    rs_wits0map_destroy (&self.map);
    rs_config_destroy (&cfg);
    return rc == 0 ? 0 : 1;
}
