/*  rs_simfault: sensor faults for the simulator, the pathologies real logs
    show: a WOB reading pinned at a floor (e.g. -89 kN), a flow-out meter
    stuck at a constant, zeros standing for "no reading", a channel that
    flat-lines at its last value, single-sample spikes, and a WOB whose zero
    is stale (set with another string: tens of kN off, either way). Faults come one
    at a time on a seeded random schedule and are applied to a sample after
    the physics, so ground truth is untouched. Pure logic, own PRNG. */
#ifndef RS_SIMFAULT_H
#define RS_SIMFAULT_H

#include "rs_msg.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    RS_SIMFAULT_WOB_PINNED = 0,     // WOB reads a constant floor
    RS_SIMFAULT_STUCK_VALUE,        // flow out reads a constant (its value when it stuck)
    RS_SIMFAULT_ZEROS,              // a channel reads 0
    RS_SIMFAULT_FLATLINE,           // a channel holds its last value
    RS_SIMFAULT_SPIKES,             // single-sample spikes on a channel
    RS_SIMFAULT_WOB_OFFSET,         // WOB reads off by a constant (a stale zero)
    RS_SIMFAULT_COUNT
} rs_simfault_kind_t;

//  "wob_pinned", "stuck_value", "zeros", "flatline", "spikes", "wob_offset".
const char *rs_simfault_name (int kind);

typedef struct {
    bool active;
    rs_simfault_kind_t kind;
    int channel;                    // rs_chan_id_t
    double start_s, end_s;
    double value;                   // pinned / stuck / held value (NaN = take the first reading), or offset
} rs_simfault_state_t;

typedef struct rs_simfault_t rs_simfault_t;

//  Returns a fresh schedule of per_h faults per hour (mean gap 1/per_h h
//  between one's end and the next's start), or NULL.
rs_simfault_t *rs_simfault_new (uint64_t seed, double per_h);
void rs_simfault_destroy (rs_simfault_t **self_p);
//  Advances the schedule to time t_s. Returns -1 (nothing), 0 (a fault
//  ended) or 1 (a fault started); *state is the fault concerned. Call until
//  it returns -1.
int rs_simfault_update (rs_simfault_t *self, double t_s, rs_simfault_state_t *state);
//  Applies the active fault to a sample (values with ids) at time t_s.
void rs_simfault_apply (rs_simfault_t *self, double t_s, rs_value_t *values, size_t n);

#endif
