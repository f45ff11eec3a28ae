/*  rs_bottom: the bottom of the hole where a log does not measure it (see
    rs_bottom.h). */
#include "rs_bottom.h"
#include "rs_since.h"

#include <math.h>

#define DEEPEN_M    RS_BOTTOM_DEEPEN_M
#define DEEPEN_S    RS_BOTTOM_DEEPEN_S
#define DRILL_VMAX  RS_BOTTOM_VMAX
#define HOLE_FALL_M 1.0         // a hole depth that falls more than this is some other depth
#define SET_HOLD_S  60.0        // the weight must stay set this long (a bit drills for minutes)

void
rs_bottom_init (rs_bottom_t *self)
{
    *self = (rs_bottom_t) {
        .hole_max = NAN, .hole_grew = INT64_MIN, .grew_rate_ts = INT64_MIN, .hole_ts = INT64_MIN,
        .bit_max = NAN, .bit_max_ts = INT64_MIN, .bit_grew = INT64_MIN, .bit_set_since = INT64_MIN,
        .hole_est = NAN, .set_since = INT64_MIN,
    };
}

bool
rs_bottom_hole (rs_bottom_t *self, int64_t ts, double hole)
{
    if (!isnan (hole) && hole < self->hole_max - HOLE_FALL_M)
        self->hole_fell = true;
    if (!isnan (hole) && (isnan (self->hole_max) || hole > self->hole_max + DEEPEN_M)) {
        if (!isnan (self->hole_max)) {
            double secs = (double) (ts - self->hole_ts) / 1e6;
            bool drilling_rate = secs <= 2 * DEEPEN_S && hole - self->hole_max <= DRILL_VMAX * secs + DEEPEN_M;
            //  ... and again within 2 DEEPEN_S of the last growth at that
            //  rate: a bit drills on, a string's depth on a trip moves a
            //  stand and stops in the slips.
            self->grew_seen = drilling_rate && self->grew_rate_ts != INT64_MIN
                              && (double) (ts - self->grew_rate_ts) <= 2 * DEEPEN_S * 1e6;
            self->grew_rate_ts = drilling_rate ? ts : INT64_MIN;
            self->hole_grew = ts;
        }
        self->hole_max = hole;
    }
    if (!isnan (hole))
        self->hole_ts = ts;
    return self->hole_grew != INT64_MIN && (double) (ts - self->hole_grew) <= DEEPEN_S * 1e6;
}

//  A log that carries the string's depth only, or a hole depth of
//  placeholders, shows the bottom all the same: a bit at the deepest point
//  it has reached, going deeper no faster than a bit drills, with the pumps
//  on and weight set on it for SET_HOLD_S, is drilling, and the hole ends
//  there. From then on the hole follows the bit down at a drilling rate; a
//  bit that goes deeper faster is tripping into hole not seen drilled, and
//  the bottom is unknown again.
double
rs_bottom_from_bit (rs_bottom_t *self, int64_t ts, double bitc, double on_bottom_m, bool may_pump, bool set,
                    bool *deepening)
{
    *deepening = false;
    self->bit_advancing = false;
    if (isnan (bitc))
        return self->hole_est;
    if (isnan (self->bit_max) || bitc > self->bit_max + DEEPEN_M) {
        double secs = self->bit_max_ts == INT64_MIN ? 0 : (double) (ts - self->bit_max_ts) / 1e6;
        //  Over a short step only: readings minutes apart average a trip's
        //  runs with its pauses in the slips down to a drilling rate.
        bool slow = !isnan (self->bit_max) && secs > 0 && secs <= 2 * DEEPEN_S
                    && (bitc - self->bit_max) / secs <= DRILL_VMAX;
        self->bit_grew = slow ? ts : INT64_MIN;
        self->bit_max = bitc;
        self->bit_max_ts = ts;
    }
    else if (bitc < self->bit_max - on_bottom_m)
        self->bit_max_ts = ts;      // the speed of the next advance counts from here
    bool advancing = self->bit_grew != INT64_MIN && (double) (ts - self->bit_grew) <= DEEPEN_S * 1e6;
    self->bit_advancing = advancing;
    if (!isnan (self->hole_est)) {
        if (bitc > self->hole_est + on_bottom_m && !advancing)
            self->hole_est = NAN;
        else {
            self->hole_est = fmax (self->hole_est, bitc);
            *deepening = advancing;
        }
        return self->hole_est;
    }
    bool at_deepest = bitc >= self->bit_max - on_bottom_m;
    if (!rs_since_held (&self->bit_set_since, may_pump && at_deepest && advancing && set, ts, SET_HOLD_S))
        return NAN;
    self->hole_est = self->bit_max;
    *deepening = true;
    return self->hole_est;
}

//  Without a bit depth the bottom cannot be measured; a bit drilling shows
//  it all the same, with the pumps on and the string not going up: the hole
//  deepening, or weight set on the bit. A string set down off bottom (a
//  ledge, a hanger) reads as drilling here.
bool
rs_bottom_inferred (rs_bottom_t *self, int64_t ts, bool has_bit, bool may_pump, bool circulating, bool going_up,
                    bool deepening, bool set)
{
    if (has_bit || !may_pump || going_up) {
        self->set_since = INT64_MIN;
        return false;
    }
    //  The hole deepens only under a drilling bit: with the pumps seen on,
    //  or in a log that carries no pump channel at all (may_pump) when its
    //  hole depth has never fallen (a "Depth" that goes up and down is some
    //  other depth: F-9 TripConn's) and was seen growing from one reading
    //  to the next (not a log of snapshots, a row a connection) no faster
    //  than a bit drills, twice running (a string's depth on a trip in runs
    //  a stand and stops). A weight set down is drilling only with the
    //  pumps seen on (on a trip, a string set down on a ledge weighs as
    //  little).
    if (deepening && (circulating || (!self->hole_fell && self->grew_seen)))
        return true;
    //  For a minute: a string set down for a moment (F-9: 15 s on a trip) is
    //  not drilling, and a bottom wrongly placed turns a trip into reaming.
    return rs_since_held (&self->set_since, circulating && set, ts, SET_HOLD_S);
}
