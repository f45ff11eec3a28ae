/*  rs_simpub: rigstream-sim's publishing side. Steps its simulated wells
    (rs_sim) on a fixed schedule, or back to back at max rate, and publishes
    each step's sample on telemetry.<well>, its notes (injected and random
    events, rig-state changes, sensor faults) on event.<well> and the
    simulator's heartbeats on their own deadline. Sample times are simulated
    time mapped onto the wall clock from start_us. */
#ifndef RS_SIMPUB_H
#define RS_SIMPUB_H

#include <stdint.h>

#include "rs_pub.h"
#include "rs_sim.h"

#define RS_SIMPUB_MAX_WELLS 64

typedef struct {
    rs_pub_t *pub;
    rs_sim_t *wells[RS_SIMPUB_MAX_WELLS];
    int n_wells;
    double dt;                  // simulated seconds per sample
    char endpoint[256];         // for the heartbeat
    char rate_text[32];         // for the heartbeat: "10", "max"
    int64_t start_us;           // wall clock of simulated time 0
    uint64_t samples;           // all wells
    uint64_t events;            // event messages published
    uint64_t errors;
    uint64_t late;              // ticks skipped because the loop fell behind
    uint64_t hb_samples;        // samples at the last heartbeat
    int64_t hb_ms;
} rs_simpub_t;

//  Maps simulated time 0 to start_us and publishes every well's initial rig state.
void rs_simpub_start (rs_simpub_t *self, int64_t start_us);
//  Publishes at `rate` samples per second per well (0 = as fast as possible)
//  until SIGINT/SIGTERM or `count` samples per well (0 = no limit), with a
//  heartbeat every heartbeat_ms.
void rs_simpub_run (rs_simpub_t *self, double rate, uint64_t count, int heartbeat_ms);
//  Publishes a heartbeat now, in `state` ("running", "stopped").
void rs_simpub_heartbeat (rs_simpub_t *self, const char *state);

#endif
