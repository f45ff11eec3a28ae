/*  rs_rigstate: what the rig is doing, from hook load, block position,
    depths, WOB, RPM, torque, flow and pressure, with the physical thresholds
    a commercial rig-state system ships as defaults (docs/PREDICTION.md).

    Each sample gives booleans (circulating, rotating, weight on bit, on
    bottom, string moving, in slips, shut in); they classify the sample; a
    new state is adopted only after it has lasted min_dwell_s, and its start
    is then dated back to when it first appeared.

    In slips: the hook carries only the travelling equipment (hook load
    under block weight + slips_in_kn, out again over + slips_out_kn), or the
    block moves while the bit does not (only possible in slips). The block
    weight (rs_blockweight) is configured, or learned from evidence, in
    order of strength: the block travelling while the bit stays (in slips),
    the bit at surface (nothing hangs below the block), and, until one of
    those comes, the lowest steady hook-load plateau seen (provisional).
    Which one is in use is published (block_weight_source).

    A trip is one operation: out of slips and far from bottom, a string that
    hangs still between movements is still tripping in the direction it last
    went (rs_tripdir: flipped only by a movement of trip_flip_m the other
    way), as a mud-logging unit counts trip time. Near bottom a still string
    is circulating or off bottom. Where no depth measures the bottom, it is
    inferred (rs_bottom, rs_descent).

    With channels missing it says what it can and no more: without a hook
    load a still string seen in the slips stays in them, one that stopped
    after moving cannot be told in them or hanging; when
    the channels cannot tell (no hook load, block position or bit depth; a
    hook load before any block weight is known) the state is unknown with the
    reason. A bit at surface in a deep hole is out of hole.

    Real feeds: the string moves only with the block, so a bit depth that
    jumps further than the block moved is a new depth reference (a mud
    logger's edit), not movement; a block creeping while the bit stays is
    in slips however slowly it creeps; a string counts as moving only while
    it still moves (a stop shows within half the movement window). The last
    valid hole depth is held while the channel has no valid reading.

    Also keeps the time breakdown: time in each state, on-bottom and
    circulating time, connections and their durations. Samples whose time is
    not after the previous one are ignored. */
#ifndef RS_RIGSTATE_H
#define RS_RIGSTATE_H

#include <stdbool.h>
#include <stdint.h>

#include "rs_blockweight.h"
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
    RS_RIG_OUT_OF_HOLE,         // bit at surface (within surface_m of the rotary table)
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
    double slips_in_kn;         // goes into slips: hook load under block weight + this, kN (40) ...
    double slips_out_kn;        // ... comes out over block weight + this, kN (100)
    double set_down_tol;        // a still string whose hook load fell this share under what it hung at
                                // has been set down (0.06)
    double stand_m;             // in slips within this of bottom: a connection, m (27.43)
    double max_connection_s;    // a connection longer than this is something else, s (1200)
    double casing_bar;          // shut in: casing pressure above, bar (5)
    double min_dwell_s;         // a new state must last this long, s (3)
    double ream_m;              // reaming only within this of bottom; farther up a trip, m (54.86 = 2 stands)
    double surface_m;           // bit depth at or above this: out of hole, m (5)
    double trip_flip_m;         // a trip changes direction after this movement the other way, m (1)
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
    rs_bw_source_t bw_source;
    const char *reason;         // why the state is unknown (static text), NULL otherwise
    double hole_depth_m;        // the hole depth in use (NaN: unknown) ...
    bool hole_from_bit;         // ... found from the bit drilling, none reported
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
