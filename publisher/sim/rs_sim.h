/*  rs_sim: a drilling simulator for one well. Pure logic: no sockets, no wall
    clock, its own seeded PRNG (xoshiro256**), so the same seed and the same
    sequence of step sizes give the same values on every platform with an
    IEEE-754 libm.

    An operations state machine drills stands, picks up, reams and circulates,
    makes connections and now and then trips the bit out and back in. The
    physics keep the channels consistent with one another (depths, block,
    hook load, WOB, torque, pumps, flow, pits, gas, mud). Events (kick, lost
    circulation, washout, stuck pipe, pack-off, bit balling) can be injected
    at chosen times or drawn at random; their start and end, and every change
    of operating state, are reported as notes so the caller can publish
    ground truth.

    Sign conventions: active pit volume changes by (flow_out - flow_in) dt
    (a kick makes flow_out > flow_in and the pit gains); hole fill while
    pulling pipe comes straight from the pit. pit_gain is the pit volume
    change since the reference, compensated for the hole drilled, the steel
    run in or pulled and mud transferred in, so without events it stays
    within the ~0.5 m3 of returns in transit when pumps start or stop. The
    reference is re-zeroed while the bit is changed at surface; a loss stays
    visible in pit_gain until then, a kick's gain goes once it is circulated
    out.

    After a kick ends the well is shut in (state shut_in, casing_pressure
    published), then the influx is circulated out through the choke, then
    work resumes. During stuck pipe the reported state stays what it was
    (e.g. drilling) while the string does not move.

    By default the rig is always the same one (the live demo's). With
    opts.vary the seed also draws the rig and its sensors within physical
    ranges (flowline lag, string, bit size, stand length, pressure-flow
    exponent, ROP model, flow-out meter gain, offset, nonlinearity and
    noise) and events of any size from well below to well above what a
    detector can see, so a detector scored against it cannot lean on the
    simulator's constants. opts.faults_per_h adds sensor faults (rs_simfault.h).
    docs/SIMULATOR.md lists the ranges. */
#ifndef RS_SIM_H
#define RS_SIM_H

#include "rs_err.h"
#include "rs_msg.h"
#include "rs_simfault.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  Operating state (ground truth).
typedef enum {
    RS_SIM_DRILLING = 0,    // on bottom, making hole
    RS_SIM_REAMING,         // moving the string with rotation and pumps (incl. washing to bottom)
    RS_SIM_CIRCULATING,     // off bottom, block still, pumps on
    RS_SIM_OFF_BOTTOM,      // off bottom, out of slips: picking up, pumps ramping
    RS_SIM_CONNECTION,      // in slips adding a stand while drilling, pumps off
    RS_SIM_IN_SLIPS,        // in slips during a trip, or out of hole changing the bit
    RS_SIM_TRIPPING_OUT,    // pulling a stand out of the hole
    RS_SIM_TRIPPING_IN,     // running a stand into the hole
    RS_SIM_SHUT_IN,         // BOP closed after a kick, incl. circulating it out through the choke
    RS_SIM_STATE_COUNT
} rs_sim_state_t;

typedef enum {
    RS_SIM_KICK = 0,
    RS_SIM_LOST_CIRCULATION,
    RS_SIM_WASHOUT,
    RS_SIM_STUCK_PIPE,
    RS_SIM_PACK_OFF,
    RS_SIM_BIT_BALLING,
    RS_SIM_EVENT_COUNT
} rs_sim_event_t;

//  Wire names: "drilling", "tripping_out"...; "kick", "lost_circulation"...
const char *rs_sim_state_name (int state);
const char *rs_sim_event_name (int type);
//  Event type for a name of `len` bytes, or -1.
int rs_sim_event_lookup (const char *name, size_t len);

//  Zero-initialised fields take the default shown.
typedef struct {
    const char *well;             // well id (copied); NULL = "A-01"
    uint64_t seed;                // any value, 0 included
    double start_depth_m;         // hole depth at start; 0 = 2000 m
    double bit_diameter_m;        // 0 = 0.2159 (8 1/2 in)
    int trip_every_stands;        // stands per bit run before a trip; 0 = random 15-45, <0 = never
    double random_events_per_h;   // random events: one at a time, a mean gap of 1/N h
                                  // from one's end to the next's start; 0 = none
    bool vary;                    // draw the rig, its sensors and event sizes from the seed
    double faults_per_h;          // random sensor faults per simulated hour; 0 = none
} rs_sim_opts_t;

//  The rig a run simulates (drawn from the seed with opts.vary): for the
//  scorer to configure an engine the way a rig crew would, and for reports.
typedef struct {
    double bit_diameter_m;
    double pipe_od_m;
    double pipe_disp_m3_m;        // steel displacement of the drill pipe
    double stand_m;
    double flowline_lag_s;        // mean delay of the returns (tau1 + tau2)
    double spp_exp;
    double flow_nominal_lpm;      // drilling pump rate
    double fo_gain, fo_gamma, fo_offset_lpm;
    double motor_bar_kn;    // mud motor's differential pressure per kN on bit; 0 = no motor
} rs_sim_rig_t;

typedef enum {
    RS_SIM_NOTE_STATE = 0,        // operating state changed: state (new), prev_state
    RS_SIM_NOTE_EVENT_START,      // event started: type, event_id, duration_s
    RS_SIM_NOTE_EVENT_END,        // event ended: type, event_id
    RS_SIM_NOTE_FAULT_START,      // sensor fault started: fault, channel, duration_s
    RS_SIM_NOTE_FAULT_END         // sensor fault ended: fault, channel
} rs_sim_note_kind_t;

typedef struct {
    rs_sim_note_kind_t kind;
    double t_s;                   // simulated time of the transition
    rs_sim_state_t state;
    rs_sim_state_t prev_state;
    rs_sim_event_t type;
    uint64_t event_id;
    double duration_s;
    double size;                  // event size in rs_sim_event_unit(type)
    bool random;                  // event drawn by the random schedule
    rs_simfault_kind_t fault;     // fault notes: the fault and its channel (rs_chan_id_t)
    int channel;
} rs_sim_note_t;

//  Internal quantities for tests and diagnostics (no noise).
typedef struct {
    double hole_depth, bit_depth, block_pos;  // m
    double rop;                   // m/h
    double flow_in, flow_out;     // L/min
    double pit_volume;            // m3
    double lag_volume;            // m3 of returns in transit (flowback when pumps stop)
    double influx_m3, loss_m3;    // cumulative formation influx and losses
    double vent_m3, transfer_m3;  // cumulative gas vented in kills, mud transferred into the pits
    double balloon_m3;            // mud a ballooning formation holds now
    double hole_area_m2, steel_area_m2;
    double spm;                   // current pump 1 + pump 2 strokes/min
    bool in_slips, on_bottom, stuck;
    int stands_drilled, trips;
} rs_sim_truth_t;

typedef struct rs_sim_t rs_sim_t;

//  Returns a fresh simulator, or NULL on invalid options or no memory.
rs_sim_t *rs_sim_new (const rs_sim_opts_t *opts);
void rs_sim_destroy (rs_sim_t **self_p);

//  Advances the simulation by dt_s seconds (internally in steps of at most
//  1 s) and writes one sample, ordered by channel id, into out[0..max).
//  Names are rs_chan_info(id)->name. 20 channels normally; casing_pressure
//  only while shut in. Returns the number of values written. dt_s <= 0 or
//  not finite samples the current state without advancing.
size_t rs_sim_step (rs_sim_t *self, double dt_s, rs_value_t *out, size_t max);

//  Transitions during the last rs_sim_step, in order; valid until the next
//  step. Returns the count and sets *notes.
size_t rs_sim_notes (rs_sim_t *self, const rs_sim_note_t **notes);
//  Notes lost because one step produced more than the queue holds.
uint64_t rs_sim_notes_dropped (const rs_sim_t *self);

//  Schedules an event at simulated time start_s lasting duration_s (<= 0 =
//  the type's default). The event starts at the first moment at or after
//  start_s when it can happen (e.g. bit balling needs drilling, stuck pipe a
//  moving or rotating string). Returns its id (> 0), or 0 on bad arguments
//  or when too many events are pending.
uint64_t rs_sim_inject (rs_sim_t *self, rs_sim_event_t type, double start_s, double duration_s);
//  Parses and schedules "type@start_s[:duration_s],..." (e.g.
//  "kick@600,washout@1800:1200"). Returns RS_OK, or RS_E_FORMAT with the
//  reason in rs_errmsg () (rs_err.h). Nothing is scheduled when the spec is
//  invalid.
rs_err_t rs_sim_inject_spec (rs_sim_t *self, const char *spec);
//  Checks a spec without a simulator: RS_OK or RS_E_FORMAT, as above.
rs_err_t rs_sim_spec_check (const char *spec);
//  Default duration of an event type, s.
double rs_sim_event_default_duration (rs_sim_event_t type);
//  What an event's size measures: kick "influx_frac" (peak influx / flow
//  in), lost_circulation "loss_frac" (loss / flow in), washout
//  "spp_loss_frac" (standpipe pressure lost), stuck_pipe "overpull_kn",
//  pack_off "spp_rise_frac", bit_balling "rop_loss_frac".
const char *rs_sim_event_unit (int type);

const char *rs_sim_well (const rs_sim_t *self);
double rs_sim_time (const rs_sim_t *self);
rs_sim_state_t rs_sim_state (const rs_sim_t *self);
//  True while an event of this type is active.
bool rs_sim_event_active (const rs_sim_t *self, rs_sim_event_t type);
void rs_sim_truth (const rs_sim_t *self, rs_sim_truth_t *truth);
void rs_sim_rig (const rs_sim_t *self, rs_sim_rig_t *rig);

#endif
