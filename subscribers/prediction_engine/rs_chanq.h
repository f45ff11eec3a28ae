/*  rs_chanq: the quality of one well's channel readings, checked before any
    model sees them. Real feeds carry readings no sensor could make, sensors
    that stopped (a value held to the last digit), zeros that stand for "no
    reading", and channels that contradict the others. A reading judged bad
    becomes "no reading" (NaN), so the rig state, the KPIs, the detectors and
    the rules treat it as missing rather than as a fact, and an alarm that
    needs it cannot be raised by it. Each channel's state and the reason are
    kept so the engine can publish them (docs/PREDICTION.md, Data quality).

    - implausible: outside what the channel can physically read (mud
      temperatures -50 to 350 degC, densities 500 to 3,000 kg/m3, a negative
      hook load or depth, RPM over 400...).
    - placeholder: an exact zero where zero is impossible: a hook load of 0
      (the hook always carries the travelling block), a hole depth of 0, a
      standpipe pressure of 0 while the pumps deliver flow.
    - pinned: an analog sensor (hook load, WOB, torque, SPP) that
      repeats one value to the last digit for RS_CHANQ_PIN_N readings and
      RS_CHANQ_PIN_S seconds; live sensors are noisy. Zero readings are
      left alone here (an idle torque or WOB of 0 is what a rig reports).
      A pit volume or gain that holds one value, 0 included, for
      RS_CHANQ_PIT_PIN_S: a pit's level moves with every transfer and the
      hole drilled, and a dead one read as level would deny every kick.
      A hook load with a block position must also hold while the block
      travels RS_CHANQ_PIN_MOVE_M: a still string on a coarse load cell
      (a step of 3.85 kN on the Volve F-9 TripTime log) reads one value for
      minutes, a moving one cannot.
    - stuck (flow out): a non-zero reading that has not moved by more than
      RS_CHANQ_FLAT_LPM since the channel was first seen, or for
      RS_CHANQ_FLAT_S: returns are turbulent, a live meter never holds still
      (a paddle at rest does, and is no reading either until it moves:
      nothing is lost, it is live again at its first change; 10 minutes
      let a meter frozen at its drilling reading teach the flow-out gain
      a false one, then read as a small kick);
      or over RS_CHANQ_FLAT_PUMP_N readings and RS_CHANQ_FLAT_PUMP_S with the
      pumps on (flow in over RS_CHANQ_ZERO_Q_ON_LPM) at each, and on for
      RS_CHANQ_FLAT_Q_S (the returns arrive within a flowline's lag): the
      returns of pumping are turbulent, and read every 15-30 s a meter
      frozen with the pumps on had 20 readings to raise "severe losses"
      before 300 s;
      or for RS_CHANQ_FLAT_Q_S since the flow in moved by RS_CHANQ_FLAT_Q_REL
      and RS_CHANQ_FLAT_Q_LPM from what it was when the flow out last
      changed: returns follow the pumps within a flowline's lag (10-60 s),
      so a meter still frozen after a pump stop or start is dead (a frozen
      meter read "well flowing 2,272 L/min with pumps off" before the
      RS_CHANQ_FLAT_S rule caught it).
    - placeholder (flow out): a reading of exactly 0 that came as a step,
      with the pumps on (flow in over RS_CHANQ_ZERO_Q_ON_LPM) now and at
      the reading before: returns drain through the flowline, no faster
      than its shortest lag (RS_CHANQ_LAG_MIN_S), so from the reading
      before they would still show RS_CHANQ_ZERO_LEFT_LPM or more. Total
      losses are real zeros, reached as the flowline drains; a logging
      unit's "no reading" comes at once. Until the reading is non-zero,
      through pump stops (with the pumps off a 0 is taken as it is).
    - stuck (flow in): a flow in held within RS_CHANQ_FLAT_LPM while the
      standpipe pressure and the flow out both moved the same way, by half
      (RS_CHANQ_HELD_REL) and by RS_CHANQ_HELD_BAR and RS_CHANQ_FLAT_Q_LPM at
      least, from what they read RS_CHANQ_HELD_SETTLE_S after it last changed
      (twice the longest flowline lag: they follow a real change that much
      late), for RS_CHANQ_HELD_S:
      the pumps changed and the reading did not. Two witnesses, since
      nothing else moves both together: a kick or a pack-off moves them
      apart, losses or a washout only one. It stays stuck until it changes.
      A flow in from pump strokes may hold one value for hours at a steady
      rate, so time alone tells nothing.
    - inconsistent: WOB reading more than RS_CHANQ_WOB_OFF_KN either way while
      the bit is clearly off bottom (the bit carries nothing there: a WOB
      sensor with a drifted zero); a hole depth more than RS_CHANQ_HOLE_BACK_M
      shallower than the deepest one seen (a hole does not get shallower: a
      channel that does is a bit depth or a stale value), accepted again as a
      new reference (a mud logger's correction) once it has held for
      RS_CHANQ_REBASE_S within RS_CHANQ_REBASE_M of the deepest.
    - inconsistent (WOB's zero): the detectors read the WOB's zero
      (rs_detect: hanging free and turning off bottom it reads its zero;
      drilling within a few metres of there, WOB + hook load less the
      free-rotating weight); off by more than RS_CHANQ_WOB_OFF_KN they read
      no WOB, and rs_chanq_wob_zero marks it here with that zero as the
      reason.
    - a hole depth that moves with the block, metre for metre, is the bit
      depth (some logs name the string's depth "Depth"): with no bit depth
      channel, once RS_CHANQ_ROLE_N excursions of a metre or more went with
      the block and more than twice as many as did not, its readings are
      taken as the bit depth and the hole depth is left missing; from then on
      they are judged as a bit depth's (0 is the bit at the rotary table).
    A channel is good again at its first reading that passes. */
#ifndef RS_CHANQ_H
#define RS_CHANQ_H

#include <stdbool.h>
#include <stdint.h>

#include "rs_channels.h"

#define RS_CHANQ_FLAT_LPM    0.5     // L/min: less change than this is no change
#define RS_CHANQ_FLAT_S      300.0   // s without change: stuck
#define RS_CHANQ_FLAT_PUMP_N 4       // readings without change, the pumps on at each ...
#define RS_CHANQ_FLAT_PUMP_S 45.0    // ... over at least this long, s: stuck
#define RS_CHANQ_FLAT_Q_S    90.0    // s without change after the flow in moved: stuck ...
#define RS_CHANQ_FLAT_Q_REL  0.25    // ... by this share of the larger of the two flows in ...
#define RS_CHANQ_FLAT_Q_LPM  200.0   // ... and at least this many L/min
#define RS_CHANQ_HELD_REL    0.5     // flow in held: SPP and flow out both moved by this share ...
#define RS_CHANQ_HELD_BAR    5.0     // ... the SPP by at least this many bar ...
#define RS_CHANQ_HELD_S      10.0    // ... for this long, s, from what they read ...
#define RS_CHANQ_HELD_SETTLE_S 120.0 // ... this long after the flow in's last change
#define RS_CHANQ_ZERO_Q_ON_LPM 100.0 // L/min: a flow in over this is the pumps' reference ...
#define RS_CHANQ_ZERO_Q_REL  0.5     // ... and a flow in of 0 with SPP and returns at this share of it is none
#define RS_CHANQ_LAG_MIN_S   10.0    // s: the shortest flowline lag: returns drain no faster ...
#define RS_CHANQ_ZERO_LEFT_LPM 50.0  // ... so a 0 with this still to drain is a placeholder
#define RS_CHANQ_PIN_N       10      // readings of exactly one value ...
#define RS_CHANQ_PIN_S       30.0    // ... over at least this long, s: pinned
#define RS_CHANQ_PIN_MOVE_M  1.0     // m: a hook load pinned through this much block travel
#define RS_CHANQ_PIT_PIN_S   1800.0  // s: a pit volume or gain held to the last digit this long (0 too): pinned
#define RS_CHANQ_WOB_OFF_KN  20.0    // kN: |WOB| beyond this off bottom is a zero offset
#define RS_CHANQ_OFF_BOTTOM_M 5.0    // m: bit this far above the hole bottom is off bottom for sure
#define RS_CHANQ_HOLE_BACK_M 1.0     // m: a hole depth this much shallower than the deepest seen
#define RS_CHANQ_REBASE_S    1800.0  // s: ... is a new reference once it has held this long
#define RS_CHANQ_REBASE_M    30.0    // m: ... and is within this (a stand) of the deepest
#define RS_CHANQ_ROLE_N      3       // excursions with the block before a hole depth is a bit depth
#define RS_CHANQ_ROLE_M      1.0     // m: an excursion

typedef enum {
    RS_CHQ_OK = 0,
    RS_CHQ_MISSING,             // no reading (absent or NaN)
    RS_CHQ_IMPLAUSIBLE,
    RS_CHQ_PLACEHOLDER,
    RS_CHQ_PINNED,
    RS_CHQ_STUCK,
    RS_CHQ_INCONSISTENT,
    RS_CHQ_COUNT
} rs_chq_t;

//  "ok", "missing", "implausible", "placeholder", "pinned", "stuck",
//  "inconsistent".
const char *rs_chq_name (int state);

typedef struct {
    double anchor;              // reading at the last change; NaN before the first
    int64_t changed_us;         // time of that change
    bool moved;                 // changed at least once since first seen
    bool stuck;                 // judged stuck on the last reading
    double qin0;                // flow in at that change (NaN: none yet)
    int64_t qin_moved_us;       // flow in away from qin0 since; INT64_MIN when not
    unsigned pumped_n;          // readings since that change, the pumps on at each
    int64_t pumps_on_us;        // flow in on since; INT64_MIN when off
} rs_chanq_flat_t;

typedef struct {
    double qin;                 // flow in at its last change; NaN before one
    int64_t changed_us;         // ... when
    double spp0, qout0;         // standpipe pressure and flow out settled since (NaN: not yet)
    int64_t since_us;           // both moved since; INT64_MIN when not
    bool stuck;                 // judged held: until the flow in changes
} rs_chanq_held_t;

typedef struct {
    double spp, qout;           // at the last flow in over RS_CHANQ_ZERO_Q_ON_LPM (NaN: none)
    int64_t since_us;           // a flow in of 0 with both still there since; INT64_MIN when not
} rs_chanq_zero_t;

typedef struct {
    double value;               // the value repeated
    int64_t since_us;
    unsigned n;                 // readings of exactly it in a row
    double block0;              // hook load: block position when the run began
} rs_chanq_pin_t;

typedef struct {
    rs_chq_t state[RS_CH_COUNT];     // of the last sample
    double bad_value[RS_CH_COUNT];   // the reading judged bad (NaN if none)
    bool seen[RS_CH_COUNT];          // the channel has had a reading
    rs_chanq_flat_t flow_out;
    rs_chanq_held_t flow_in;
    rs_chanq_zero_t flow_in_zero;
    double out_prev;            // flow out and flow in at the last flow out reading (NaN: none) ...
    double out_prev_qin;
    int64_t out_prev_us;        // ... and when
    bool out_zero_step;         // the flow out's 0 came as a step with the pumps on: a placeholder
    rs_chanq_pin_t pin[RS_CH_COUNT];
    double role_hole, role_block;    // where the current excursion started
    int64_t role_ts;
    unsigned role_with, role_without;   // excursions that went with the block, or not
    bool hole_is_bit;           // the "hole depth" channel is the bit depth
    double wob_zero;            // the detectors' reading of the WOB's zero when off (NaN: none)
    double hole_max;            // deepest hole depth accepted; NaN before one
    int64_t hole_back_since;    // shallower readings since, INT64_MIN when none
    uint64_t dropped[RS_CH_COUNT][RS_CHQ_COUNT];    // readings dropped, by channel and state
} rs_chanq_t;

void rs_chanq_init (rs_chanq_t *self);
//  Checks one sample's channels in place (ch[] by rs_chan_id_t, NaN = no
//  reading): bad readings become NaN and their state is kept (a reading is
//  dropped once, for the first reason found). Returns how many readings it
//  dropped.
int rs_chanq_filter (rs_chanq_t *self, int64_t ts_us, double ch[RS_CH_COUNT]);
//  The detectors' reading of the WOB's zero on this sample, kN (NaN: none):
//  off by more than RS_CHANQ_WOB_OFF_KN, a WOB that passed is inconsistent.
//  True when that dropped it.
bool rs_chanq_wob_zero (rs_chanq_t *self, double zero_kn);
//  Readings dropped of one channel, or of all (channel -1), for one state or
//  all (state -1).
uint64_t rs_chanq_dropped (const uint64_t dropped[RS_CH_COUNT][RS_CHQ_COUNT], int channel, int state);
//  Readings of any channel dropped as no sensor could make them: implausible
//  ones and placeholders together (the engine's readings_implausible).
uint64_t rs_chanq_dropped_impossible (const uint64_t dropped[RS_CH_COUNT][RS_CHQ_COUNT]);
//  The channel's state on the last sample (RS_CHQ_MISSING for a bad id).
rs_chq_t rs_chanq_state (const rs_chanq_t *self, int channel);
//  Writes a one-line reason for a channel that is not ok ("wob pinned at
//  -89 kN", "hole_depth 0 m stands for no reading"...) into buf; "" when ok
//  or never seen. Returns buf.
const char *rs_chanq_reason (const rs_chanq_t *self, int channel, char *buf, size_t size);

#endif
