/*  rs_rigstate: what the rig is doing, from hook load, block position,
    depths, WOB, RPM, torque, flow and pressure, with the physical thresholds
    a commercial rig-state system ships as defaults (docs/PREDICTION.md).

    Each sample gives booleans (circulating, rotating, weight on bit, on
    bottom, string moving, in slips, shut in); they classify the sample; a
    new state is adopted only after it has lasted min_dwell_s, and its start
    is then dated back to when it first appeared. The block weight (hook load
    in slips) is configured or learned from samples where the block moves
    and the bit does not, which can only happen in slips.

    Real feeds: the string moves only with the block, so a bit depth that
    jumps further than the block moved is a new depth reference (a mud
    logger's edit), not movement; a block creeping while the bit stays is
    in slips however slowly it creeps; a string counts as moving only while
    it still moves (a stop shows within half the movement window).

    Also keeps the time breakdown: time in each state, on-bottom and
    circulating time, connections and their durations. Samples whose time is
    not after the previous one are ignored. */
#ifndef RS_RIGSTATE_H
#define RS_RIGSTATE_H

#include <stdbool.h>
#include <stdint.h>

#include "rs_channels.h"

typedef enum {
    RS_RIG_UNKNOWN = 0,
    RS_RIG_DRILLING_ROTARY,     // on bottom, weight on bit, rotating
    RS_RIG_DRILLING_SLIDING,    // on bottom, weight on bit, not rotating (motor)
    RS_RIG_REAMING,             // string moving with pumps or rotation within ream_m of bottom
    RS_RIG_CIRCULATING,         // string still, pumps on
    RS_RIG_OFF_BOTTOM,          // out of slips, string still, no pumps
    RS_RIG_CONNECTION,          // in slips within a stand of bottom, up to max_connection_s
    RS_RIG_IN_SLIPS,            // in slips otherwise (trip, bit change, long stop)
    RS_RIG_TRIPPING_IN,         // string moving down (farther than ream_m from bottom: also with pumps or rotation)
    RS_RIG_TRIPPING_OUT,        // string moving up (likewise)
    RS_RIG_SHUT_IN,             // casing pressure: BOP closed
    RS_RIG_COUNT
} rs_rig_t;

//  Thresholds; rs_rigstate_opts_default gives the documented defaults.
typedef struct {
    double flow_lpm;            // circulating: flow in above, L/min (50)
    double spp_bar;             // ... or, without flow in, SPP above, bar (5)
    double rpm;                 // rotating: RPM above (2)
    double torque_knm;          // ... or, without RPM, torque above, kN.m (0.5)
    double wob_kn;              // weight on bit above, kN (1.96 = 200 kgf)
    double rop_mh;              // ... or, without WOB, ROP above, m/h (1)
    double on_bottom_m;         // on bottom: hole depth - bit depth below, m (0.45)
    double move_m;              // string / block moving: moved more than, m (0.2) ...
    double move_window_s;       // ... within this time, s (10)
    double block_weight_kn;     // travelling equipment weight; 0 = learn (0)
    double block_weight_tol;    // in slips: hook load below block weight x (1 + tol) (0.15)
    double stand_m;             // in slips within this of bottom: a connection, m (27.43)
    double max_connection_s;    // a connection longer than this is something else, s (1200)
    double casing_bar;          // shut in: casing pressure above, bar (5)
    double min_dwell_s;         // a new state must last this long, s (10)
    double ream_m;              // reaming only within this of bottom; farther up a trip, m (54.86 = 2 stands)
} rs_rigstate_opts_t;

void rs_rigstate_opts_default (rs_rigstate_opts_t *opts);

typedef struct {
    bool circulating, rotating, weight_on_bit, on_bottom, moving, in_slips, shut_in;
    int direction;              // string: +1 moving down, -1 up, 0 still
} rs_rigflags_t;

typedef struct {
    rs_rig_t state;             // after the dwell filter
    rs_rig_t raw;               // this sample alone
    rs_rig_t prev;              // state before the last change
    bool changed;               // state changed on this sample
    int64_t since_us;           // start of the current state
    int64_t ts_us;              // last sample accepted
    rs_rigflags_t flags;
    double block_weight_kn;     // in use; NaN until known
    //  Time breakdown since the start, s.
    double total_s;
    double state_s[RS_RIG_COUNT];
    double circulating_s;
    uint64_t connections;       // connections completed
    double connection_last_s;   // NaN until one is completed
    double connection_sum_s;
} rs_riginfo_t;

typedef struct rs_rigstate_t rs_rigstate_t;

//  Returns a fresh classifier (NULL opts = defaults), or NULL on no memory.
rs_rigstate_t *rs_rigstate_new (const rs_rigstate_opts_t *opts);
void rs_rigstate_destroy (rs_rigstate_t **self_p);
//  New thresholds; the state and breakdown carry on.
void rs_rigstate_set_opts (rs_rigstate_t *self, const rs_rigstate_opts_t *opts);
//  Feeds one sample (ch[] by rs_chan_id_t, NaN = no reading) and returns
//  the updated info (owned by the classifier).
const rs_riginfo_t *rs_rigstate_feed (rs_rigstate_t *self, int64_t ts_us, const double ch[RS_CH_COUNT]);
const rs_riginfo_t *rs_rigstate_info (const rs_rigstate_t *self);

//  "drilling_rotary", "connection"...
const char *rs_rig_name (int state);
//  State for a name, or -1.
int rs_rig_lookup (const char *name);
//  Baker Hughes RigActivityCode style number: Drilling 1, Reaming 2,
//  OffBottom 3, InSlips 4, Connection 5, TrippingIn 6, TrippingOut 7,
//  TripInSlips 8, ShutIn 9, NoMonitor 0; +10 circulating, +100 rotating.
int rs_rig_code (const rs_riginfo_t *info);
//  True for the drilling states.
bool rs_rig_drilling (int state);

#endif
