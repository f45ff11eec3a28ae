/*  rigstream-wits0: publishes a WITS Level 0 feed from rig equipment (an EDR,
    a mud-logging unit) as telemetry. The link (rs_link: TCP client or
    server, serial, file) delivers bytes; rs_wits0 cuts them into frames;
    rs_wits0map turns each frame into a sample. One poll loop: the link, this
    process's heartbeats and the WITS0 heartbeats the peer expects. This
    file is the options; rs_wits0pub is the engine. */
#include <stdlib.h>

#include "rs_config.h"
#include "rs_pub.h"
#include "rs_wits0pub.h"

static const rs_option_t s_options[] = {
    { "connect", "WITS0_CONNECT", RS_OPT_STRING, NULL,
      "read WITS0 from this TCP server (host:port), reconnecting when the link drops", 0, 0 },
    { "listen", "WITS0_LISTEN", RS_OPT_STRING, NULL,
      "accept the WITS0 sender on this TCP port ([host:]port; host 127.0.0.1 unless given)", 0, 0 },
    { "serial", "WITS0_SERIAL", RS_OPT_STRING, NULL, "read WITS0 from this serial device, e.g. /dev/ttyS0", 0, 0 },
    { "baud", "WITS0_BAUD", RS_OPT_INT, "9600", "serial line speed, baud", 50, 4000000 },
    { "framing", "WITS0_FRAMING", RS_OPT_STRING, "8N1",
      "serial data bits, parity (N, E, O) and stop bits, e.g. 8N1 or 7E1", 0, 0 },
    { "file", "WITS0_FILE", RS_OPT_STRING, NULL,
      "read a recorded WITS0 stream from this file (- = standard input), then stop", 0, 0 },
    { "map", "WITS0_MAP", RS_OPT_STRING, NULL,
      "mapping file: item codes to channels and units (default: built-in record 01, see --print-map)", 0, 0 },
    { "units", "WITS0_UNITS", RS_OPT_STRING, "metric",
      "the sender's units: metric or fps (picks the mapping's unit column)", 0, 0 },
    { "nulls", "WITS0_NULLS", RS_OPT_STRING, "-9999.00,-8888.00",
      "values that mean no reading (comma-separated)", 0, 0 },
    { "well", "WITS0_WELL", RS_OPT_STRING, "wits0", "well id to publish as", 0, 0 },
    { "utc-offset", "WITS0_UTC_OFFSET", RS_OPT_DOUBLE, "0",
      "the sender's clock minus UTC, hours (its date 0105 and time 0106 are local)", -14, 14 },
    { "carry-unknown", "WITS0_CARRY_UNKNOWN", RS_OPT_BOOL, "false",
      "publish items the mapping does not name as extra channels wits_RRII", 0, 0 },
    { "peer-heartbeat-s", "WITS0_PEER_HEARTBEAT_S", RS_OPT_INT, "20",
      "send the peer a WITS0 heartbeat frame this often, s (0 = never; peers drop links silent for 30 s)", 0, 29 },
    { "idle-timeout-s", "WITS0_IDLE_TIMEOUT_S", RS_OPT_INT, "60",
      "drop and re-establish a link that has sent nothing for this long, s (0 = never)", 0, 86400 },
    { "reconnect-max-s", "WITS0_RECONNECT_MAX_S", RS_OPT_INT, "30",
      "longest wait between attempts to reconnect, s (the first wait is 1 s, then doubling)", 1, 3600 },
    { "print-map", NULL, RS_OPT_BOOL, "false", "print the built-in mapping (a start for --map) and exit", 0, 0 },
    RS_OPTION_END
};

int
main (int argc, char **argv)
{
    rs_wits0pub_t *self = rs_wits0pub_new ();
    const rs_pub_def_t def = {
        .component = "wits0", .program = "rigstream-wits0", .acquisition = true,
        .usage = "publish a WITS Level 0 feed (TCP, serial or file)", .options = s_options,
        .on_setup = rs_wits0pub_setup, .on_ready = rs_wits0pub_ready, .on_run = rs_wits0pub_run,
        .on_stop = rs_wits0pub_stop, .on_heartbeat = rs_wits0pub_heartbeat, .on_free = rs_wits0pub_free,
        .arg = self,
    };
    int rc = self ? rs_pub_main (&def, argc, argv) : EXIT_FAILURE;
    rs_wits0pub_destroy (&self);
    return rc;
}
