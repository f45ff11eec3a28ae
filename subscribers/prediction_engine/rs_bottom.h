/*  rs_bottom: the bottom of the hole where a log does not measure it. The
    hole depth's growth (a bit drilling, and whether the "hole depth" is
    one: a depth that falls, or grows a stand at a time, is the string's);
    with a bit depth but no hole depth, the bottom found where the bit
    advances at a drilling rate with weight set on it; without a bit depth,
    a bit on bottom inferred from the hole deepening or weight set with the
    pumps on. Whether weight is set on the bit is the caller's (it needs the
    block weight and what the string weighs hanging). docs/PREDICTION.md
    (Drilling without a bit depth, Drilling with a bit depth but no hole
    depth) has the numbers and the reasons. Pure logic, no allocation. */
#ifndef RS_BOTTOM_H
#define RS_BOTTOM_H

#include <stdbool.h>
#include <stdint.h>

#define RS_BOTTOM_DEEPEN_M  0.01    // m: the hole deepening by this ...
#define RS_BOTTOM_DEEPEN_S  30.0    // ... within this long is a bit drilling
#define RS_BOTTOM_VMAX      0.05    // m/s: no bit drills faster (180 m/h); one going deeper faster is tripping

typedef struct {
    //  The hole depth: the deepest seen, when it last grew, and what its
    //  growth says of it.
    double hole_max;
    int64_t hole_grew;          // INT64_MIN: never
    bool hole_fell;             // it fell more than HOLE_FALL_M: not the hole's (F-9 TripConn)
    bool grew_seen;             // its last two growths came at a drilling rate, each within 2 DEEPEN_S of the one before
    int64_t grew_rate_ts;       // the last growth at a drilling rate (INT64_MIN: the last was not)
    int64_t hole_ts;            // when it was last read
    //  With a bit depth but no hole depth: the deepest the bit has been,
    //  when it last went deeper at a drilling rate, and the bottom found
    //  from it (NaN: unknown).
    double bit_max;
    int64_t bit_max_ts, bit_grew;
    int64_t bit_set_since;      // at the deepest point, drilling rate and weight set since
    bool bit_advancing;         // on the last sample: the bit going deeper at a drilling rate
    double hole_est;
    //  Without a bit depth: weight set with the pumps on since (INT64_MIN: not).
    int64_t set_since;
} rs_bottom_t;

void rs_bottom_init (rs_bottom_t *self);
//  A hole depth reading (NaN: none). True when the hole deepened within
//  RS_BOTTOM_DEEPEN_S: a bit is drilling.
bool rs_bottom_hole (rs_bottom_t *self, int64_t ts_us, double hole);
//  No hole depth: the bit depth `bit` (NaN: none; depth references taken
//  out). `may_pump`: the pumps are on or no channel says they are off;
//  `set`: weight is set on the bit (or nothing weighs it). Returns the
//  hole depth found (NaN: unknown); *deepening when the bit drilled within
//  RS_BOTTOM_DEEPEN_S.
double rs_bottom_from_bit (rs_bottom_t *self, int64_t ts_us, double bit, double on_bottom_m, bool may_pump, bool set,
                           bool *deepening);
//  No bit depth (`has_bit` false): a bit on bottom, from `deepening` (with
//  the pumps seen on, or a hole depth that grows as a hole does) or weight
//  `set` for a minute with the pumps on (`circulating`); never with the
//  string going up or the pumps known off (`may_pump` false).
bool rs_bottom_inferred (rs_bottom_t *self, int64_t ts_us, bool has_bit, bool may_pump, bool circulating,
                         bool going_up, bool deepening, bool set);

#endif
