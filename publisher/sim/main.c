/*  rigstream-sim: simulates one or more drilling wells (rs_sim) and publishes
    their telemetry on telemetry.<well>, ground truth (injected events and
    rig-state changes) on event.<well>, and heartbeats on sys.simulator
    (rs_simpub). Sample times are simulated time mapped onto the wall clock
    from launch. This file is the options; rs_simapp checks them and
    runs the wells. */
#include <stdlib.h>

#include "rs_config.h"
#include "rs_pub.h"
#include "rs_simapp.h"
#include "rs_simpub.h"

#define MAX_WELLS RS_SIMPUB_MAX_WELLS

static const rs_option_t s_options[] = {
    { "wells", "SIM_WELLS", RS_OPT_INT, "1",
      "number of wells to simulate, named A-01, A-02...", 1, MAX_WELLS },
    { "well-ids", "SIM_WELL_IDS", RS_OPT_STRING, NULL,
      "comma-separated well ids (overrides --wells), e.g. A-01,B-02", 0, 0 },
    { "rate", "SIM_RATE", RS_OPT_STRING, "1",
      "samples per second per well; 0 or max = as fast as possible", 0, 0 },
    { "speed", "SIM_SPEED", RS_OPT_DOUBLE, "1",
      "simulated seconds per real second (at max rate: simulated seconds per sample)", 0.001, 100000 },
    { "seed", "SIM_SEED", RS_OPT_INT, "42", "random seed (well i uses seed + i)", 0, 9e15 },
    { "count", "SIM_COUNT", RS_OPT_INT, "0", "stop after N samples per well (0 = run until stopped)", 0, 9e15 },
    { "events", "SIM_EVENTS", RS_OPT_STRING, NULL,
      "events for every well: type@start_s[:duration_s],... (kick, lost_circulation, washout, "
      "stuck_pipe, pack_off, bit_balling), e.g. kick@600,washout@1800:1200", 0, 0 },
    { "random-events", "SIM_RANDOM_EVENTS", RS_OPT_DOUBLE, "0",
      "random events per simulated hour per well (mean gap 1/N h from one event's end to the next)", 0, 100 },
    { "start-depth", "SIM_START_DEPTH", RS_OPT_DOUBLE, "2000", "hole depth at start, m", 100, 9000 },
    { "trip-every", "SIM_TRIP_EVERY", RS_OPT_INT, "0",
      "stands per bit run before a trip (0 = random 15-45, -1 = never)", -1, 10000 },
    { "vary", "SIM_VARY", RS_OPT_BOOL, "false",
      "draw each well's rig, sensors and event sizes from its seed (docs/SIMULATOR.md); off = the demo rig", 0, 0 },
    { "faults", "SIM_FAULTS", RS_OPT_DOUBLE, "0",
      "random sensor faults per simulated hour per well (pinned WOB, stuck flow out, zeros, "
      "flat lines, spikes, a stale WOB zero)", 0, 100 },
    RS_OPTION_END
};

int
main (int argc, char **argv)
{
    rs_simapp_t *self = rs_simapp_new ();
    const rs_pub_def_t def = {
        .component = "simulator", .program = "rigstream-sim", .pub_id = "sim",
        .usage = "simulate drilling wells and publish their telemetry", .options = s_options,
        .on_setup = rs_simapp_setup, .on_ready = rs_simapp_ready, .on_run = rs_simapp_run,
        .on_stop = rs_simapp_stop, .on_heartbeat = rs_simapp_heartbeat, .on_free = rs_simapp_free,
        .arg = self,
    };
    int rc = self ? rs_pub_main (&def, argc, argv) : EXIT_FAILURE;
    rs_simapp_destroy (&self);
    return rc;
}
