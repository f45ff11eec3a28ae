/*  rigstream-wits0-out: serves one well's telemetry as WITS0 record 01 frames
    on a TCP port, for third-party rig software: one frame per sample, in
    metric or FPS units (rs_wits0map, the same mapping as rigstream-wits0),
    and a heartbeat frame to any client that has had nothing for a while,
    since WITS0 peers drop a link silent for 30 s. The TCP side is rs_fanout,
    driven from the subscriber's own loop. This file is the options;
    rs_wits0out is the engine. */
#include <stdlib.h>

#include "rs_sub.h"
#include "rs_wits0out.h"

static const rs_option_t s_options[] = {
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

int
main (int argc, char **argv)
{
    rs_wits0out_t *self = rs_wits0out_new ();
    const rs_sub_def_t def = {
        .component = "wits0_out",
        .program = "rigstream-wits0-out",
        .usage = "serve telemetry as WITS0 record 01 over TCP",
        .options = s_options,
        .own_ready_line = true,
        .on_setup = rs_wits0out_setup,
        .on_start = rs_wits0out_start,
        .on_message = rs_wits0out_message,
        .on_stats = rs_wits0out_stats,
        .on_stop = rs_wits0out_stop,
        .on_free = rs_wits0out_free,
        .arg = self,
    };
    int rc = self ? rs_sub_main (&def, argc, argv) : EXIT_FAILURE;
    rs_wits0out_destroy (&self);
    return rc;
}
