/*  rs_wits0out: rigstream-wits0-out's engine, the fan-out wiring: telemetry
    of one well (the first heard unless --well) turned into WITS0 record 01
    frames by rs_wits0map and sent to every client by rs_fanout, whose
    listener and timers are driven from the subscriber's own loop; a
    heartbeat frame goes to any client that has had nothing for a while. */
#include "rs_wits0out.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rs_bind.h"
#include "rs_clock.h"
#include "rs_curve.h"
#include "rs_fanout.h"
#include "rs_log.h"
#include "rs_wits0.h"
#include "rs_wits0map.h"

struct rs_wits0out_t {
    rs_fanout_t *fanout;
    rs_wits0map_t *map;
    char well[RS_MAX_ID + 1];
    const char *null_text;
    int64_t offset_us;
    int64_t heartbeat_ms;
    rs_wits0_frame_t frame;
    char topic[RS_MAX_TOPIC + 1];
    const char *topics[2];
    char text[16384];
    uint64_t samples;
    uint64_t heartbeats;
    uint64_t other_wells;       //  samples of wells not served
    uint64_t empty;             //  samples with no mapped channel
};

int
rs_wits0out_message (rs_sub_t *sub, const rs_msg_t *msg, void *arg)
{
    (void) sub;
    rs_wits0out_t *self = (rs_wits0out_t *) arg;
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
    rs_wits0out_t *self = (rs_wits0out_t *) arg;
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
    rs_wits0out_t *self = (rs_wits0out_t *) arg;
    rs_fanout_accept (self->fanout, rs_clock_mono_ms ());
    return 0;
}

void
rs_wits0out_stats (rs_sub_t *sub, rs_sub_report_t *r, void *arg)
{
    (void) sub;
    rs_wits0out_t *self = (rs_wits0out_t *) arg;
    const rs_fanout_stats_t *f = rs_fanout_stats (self->fanout);
    rs_sub_report_add (r, "clients", (double) rs_fanout_clients (self->fanout));
    rs_sub_report_add (r, "frames_sent", (double) self->samples);
    rs_sub_report_add (r, "heartbeats_sent", (double) self->heartbeats);
    rs_sub_report_add (r, "dropped_frames", (double) f->dropped);
    rs_sub_report_add (r, "clients_accepted", (double) f->accepted);
    rs_sub_report_add (r, "clients_refused", (double) f->refused);
    rs_sub_report_add (r, "other_wells", (double) self->other_wells);
    rs_sub_report_add (r, "empty_samples", (double) self->empty);
    rs_sub_report_add (r, "bytes_out", (double) f->bytes_out);
}

//  Checks the options, loads the map and listens; subscribes to the well's
//  telemetry (or every well's, to serve the first heard).
int
rs_wits0out_setup (rs_config_t *cfg, rs_sub_opts_t *opts, void *arg)
{
    rs_wits0out_t *self = (rs_wits0out_t *) arg;
    self->null_text = rs_config_str (cfg, "null-value");
    self->offset_us = (int64_t) (rs_config_double (cfg, "utc-offset") * 3600e6);
    self->heartbeat_ms = rs_config_int (cfg, "peer-heartbeat-s") * 1000;
    const char *well = rs_config_str (cfg, "well"), *units = rs_config_str (cfg, "units");
    const char *map_path = rs_config_str (cfg, "map"), *bind = rs_config_str (cfg, "bind");
    if (*well && !rs_id_valid (well, strlen (well))) {
        fprintf (stderr, "rigstream-wits0-out: invalid --well \"%s\": 1-64 of A-Z a-z 0-9 _ -\n", well);
        return RS_E_CONFIG;
    }
    bool fps;
    if (rs_wits0map_units (units, &fps) != RS_OK) {
        fprintf (stderr, "rigstream-wits0-out: %s\n", rs_errmsg ());
        return RS_E_CONFIG;
    }
    self->map = rs_wits0map_open (map_path, fps);
    if (!self->map) {
        fprintf (stderr, "rigstream-wits0-out: %s\n", rs_errmsg ());
        return RS_E_CONFIG;
    }
    snprintf (self->well, sizeof self->well, "%s", well);
    snprintf (self->topic, sizeof self->topic, "telemetry.%s", well);
    self->topics[0] = self->topic;
    opts->topics = self->topics;
    //  "localhost" is 127.0.0.1 here as for every listener (rs_bind), not
    //  whatever the resolver lists first.
    char host[128], listen_ep[300];
    if (rs_bind_host (bind, host, sizeof host) != RS_OK
        || rs_bind_endpoint (bind, rs_config_int (cfg, "port"), listen_ep, sizeof listen_ep) != RS_OK) {
        fprintf (stderr, "rigstream-wits0-out: invalid --bind (WITS0_OUT_BIND): %s\n", rs_errmsg ());
        return RS_E_CONFIG;
    }
    //  WITS0 has no authentication: off the loopback only with the override.
    if (rs_curve_check_bind (opts->curve, listen_ep, false, "WITS0 output") != 0)
        return RS_E_CONFIG;
    self->fanout = rs_fanout_new (strcmp (host, "*") == 0 ? "0.0.0.0" : host, (int) rs_config_int (cfg, "port"),
                                  (size_t) rs_config_int (cfg, "max-clients"));
    if (!self->fanout) {
        rs_error ("%s", rs_errmsg ());
        return RS_E_SOCKET;
    }
    return RS_OK;
}

int
rs_wits0out_start (rs_sub_t *sub, void *arg)
{
    rs_wits0out_t *self = (rs_wits0out_t *) arg;
    rs_config_t *cfg = rs_sub_config (sub);
    zmq_pollitem_t listen_item = { NULL, rs_fanout_fd (self->fanout), ZMQ_POLLIN, 0 };
    if (rs_sub_timer (sub, 100, s_on_tick, self) != RS_OK
        || zloop_poller (rs_sub_loop (sub), &listen_item, s_on_listen, self) != 0)
        return RS_E_NOMEM;
    rs_info ("ready: serving %s as WITS0 record 01 (%s units) on %s:%ld from %s",
             self->well[0] ? self->well : "the first well heard", rs_config_str (cfg, "units"),
             rs_config_str (cfg, "bind"), rs_config_int (cfg, "port"), rs_sub_endpoint (sub));
    return RS_OK;
}

int
rs_wits0out_stop (rs_sub_t *sub, char *summary, size_t size, void *arg)
{
    (void) sub;
    rs_wits0out_t *self = (rs_wits0out_t *) arg;
    const rs_fanout_stats_t *f = rs_fanout_stats (self->fanout);
    snprintf (summary, size, "%llu frames sent, %llu clients served, %llu heartbeat frames, %llu frames dropped "
              "for slow clients, %llu samples of other wells",
              (unsigned long long) self->samples, (unsigned long long) f->accepted,
              (unsigned long long) self->heartbeats, (unsigned long long) f->dropped,
              (unsigned long long) self->other_wells);
    return RS_OK;
}

void
rs_wits0out_free (void *arg)
{
    rs_wits0out_t *self = (rs_wits0out_t *) arg;
    rs_fanout_destroy (&self->fanout);
    rs_wits0map_destroy (&self->map);
}

rs_wits0out_t *
rs_wits0out_new (void)
{
    return calloc (1, sizeof (rs_wits0out_t));
}

void
rs_wits0out_destroy (rs_wits0out_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free (*self_p);
    *self_p = NULL;
}
