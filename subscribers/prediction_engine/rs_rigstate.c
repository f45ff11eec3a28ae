/*  rs_rigstate: rig-state classification and time breakdown. */
#include "rs_rigstate.h"
#include "rs_blockweight.h"
#include "rs_bottom.h"
#include "rs_descent.h"
#include "rs_since.h"
#include "rs_tripdir.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HIST        128         // (ts, block, bit) points kept for movement
#define HIST_STEP   0.25        // s between points kept
#define MAX_DT_S    60.0        // a longer gap is not counted in the breakdown
#define KIN_STEP_M  0.02        // m: the block moved on this sample (above a position sensor's jitter)
#define BLOCK_VMAX  5.0         // m/s: no block travels faster (bit depth edits without a block)
#define BLOCK_NOISE_K 8.0       // the block travels when it goes this many sigmas of its sensor's noise (or move_m)
#define BLOCK_D2_SKIP 4.0       // ... a second difference over this many times their mean (or move_m) is a start or stop
#define NOISE_ALPHA 0.02        // per sample: the block's noise is learned this fast
#define SETDOWN_REL 0.1         // cold start: a still block's hook load this share ...
#define SETDOWN_KN  50.0        // ... and this many kN under what it held has set the string down
#define HANG_ENTER  0.5         // in slips under this share of the string's hanging weight ...
#define HANG_LEAVE  0.75        // ... out again over this share
#define HANG_GAIN   0.2         // per moving sample: drag up and down and a stop's bounce average out
#define SET_WOB_KN  10.0        // without a bit depth: a WOB reading this much is a bit on bottom ...
#define SET_DOWN_KN 20.0        // ... or, without WOB, a hook load this far under the hanging string
#define RETURNS_LPM 400.0       // L/min of returns alone that are pumps on (a trip pushes out under it)
#define TWO_GAIN    0.1         // without a bit depth: the moving hook loads' two groups learn this fast ...
#define TWO_MIN_N   10          // ... from this many samples each ...
#define TWO_SEP_KN  100.0       // ... and tell the empty block apart this far apart ...
#define TWO_SEP_REL 0.3         // ... or this share of the lower, whichever is more
#define SHED_REL    0.25        // a sparse log's string moved, but the hook holds less than this share of it: in slips
#define BOUNCE_S    10.0        // s: a string that stops bounces on the hook this long (slips trigger, plateaus)
#define SURE_M      0.5         // m: a bit (or a block over a still bit) gone this far since the last sample: no stray reading

static const char *s_names[RS_RIG_COUNT] = {
    "unknown", "drilling_rotary", "drilling_sliding", "reaming", "circulating", "off_bottom",
    "connection", "in_slips", "tripping_in", "tripping_out", "shut_in", "out_of_hole"
};

typedef struct {
    int64_t ts;
    double block, bit;          // bit: with depth re-references taken out
} point_t;

struct rs_rigstate_t {
    rs_rigstate_opts_t o;
    rs_riginfo_t info;
    point_t hist[HIST];
    size_t head, n;             // ring: next write at head
    rs_rig_t cand;              // candidate state waiting for its dwell
    int64_t cand_since;
    int64_t slips_since;        // in-slips run start, INT64_MIN when out
    bool started;
    rs_blockweight_t bw;        // the block weight: configured, learned, or a plateau
    //  Bit depth re-references (a mud logger's edit of the string length)
    //  are taken out of the movement history: bit - bit_shift.
    double bit_shift;
    double last_bit, last_block;
    double block_lo, block_hi;  // the block's travel: the lowest and highest it has read
    double gap_s;               // since the sample before (0 on the first)
    double prev_bitc;           // the last sample's bit depth, references taken out
    //  This sample's state is beyond doubt: a trip with the bit gone SURE_M
    //  since the last sample, or the slips with the block gone as far over
    //  a still bit.
    bool sure;
    int64_t last_ts;
    //  Block and bit where the bit last moved: a block that has since
    //  travelled while the bit stayed is in slips, however slowly it went.
    double kin_block, kin_bit;
    //  The block position's noise, from its second differences (a steady
    //  travel has none): the two readings before and their mean.
    double bk_p1, bk_p2, bk_d2;
    unsigned bk_n;
    int64_t bk_ts;
    double move_m;              // what the block must travel to be moving: o.move_m, or more for a noisy sensor
    //  Cold start: the most the hook held since the block last stood still,
    //  and whether the block travels empty after the string was set down.
    double still_top;
    bool empty_travel;
    double hole_last;           // last valid hole depth
    //  The string's position (bit depth, or block travel out of slips
    //  without one) and the trip's direction from it.
    double spos;
    rs_tripdir_t trip;
    int last_slips;             // -1 never known, 0 out, 1 in
    double hook_hang;           // hook load when the string last moved out of slips
    double hang_avg;            // the moving string's hook load, averaged (HANG_GAIN)
    //  Start of a run of hook-load readings on the other side of the slips
    //  trigger, INT64_MIN when none: the trigger flips only once it holds.
    int64_t flip_since;
    //  Where the log does not measure the bottom; without a bit depth, the
    //  string's position (spos) when it was last on bottom.
    rs_bottom_t bottom;
    double bottom_spos;
    bool bottom_inferred;       // on the last sample
    bool pumps_seen;            // flow in, SPP or returns have read something
    //  Without a bit depth: the hook loads of a travelling block with the
    //  pumps off, in two groups (two-means): the block alone, the string.
    double two_lo, two_hi;
    int two_nlo, two_nhi;
    //  Without a bit depth: the block going steadily down.
    rs_descent_t descent;
};

const char *
rs_rig_name (int state)
{
    return state >= 0 && state < RS_RIG_COUNT ? s_names[state] : "unknown";
}

int
rs_rig_lookup (const char *name)
{
    for (int i = 0; name && i < RS_RIG_COUNT; i++)
        if (strcmp (name, s_names[i]) == 0)
            return i;
    return -1;
}

bool
rs_rig_drilling (int state)
{
    return state == RS_RIG_DRILLING_ROTARY || state == RS_RIG_DRILLING_SLIDING;
}

int
rs_rig_code (const rs_riginfo_t *info)
{
    static const int base[RS_RIG_COUNT] = {
        [RS_RIG_UNKNOWN] = 0, [RS_RIG_DRILLING_ROTARY] = 1, [RS_RIG_DRILLING_SLIDING] = 1,
        [RS_RIG_REAMING] = 2, [RS_RIG_CIRCULATING] = 3, [RS_RIG_OFF_BOTTOM] = 3,
        [RS_RIG_CONNECTION] = 5, [RS_RIG_IN_SLIPS] = 8, [RS_RIG_TRIPPING_IN] = 6,
        [RS_RIG_TRIPPING_OUT] = 7, [RS_RIG_SHUT_IN] = 9,
        //  The code set has no out of hole: the hook carries the block alone,
        //  which a mud-logging unit reports as in slips.
        [RS_RIG_OUT_OF_HOLE] = 4,
    };
    if (!info || info->state <= RS_RIG_UNKNOWN || info->state >= RS_RIG_COUNT)
        return 0;
    return base[info->state] + (info->flags.circulating ? 10 : 0) + (info->flags.rotating ? 100 : 0);
}

void
rs_rigstate_opts_default (rs_rigstate_opts_t *o)
{
    *o = (rs_rigstate_opts_t) {
        .flow_lpm = 50, .spp_bar = 5, .rpm = 2, .torque_knm = 0.5, .wob_kn = 1.96, .rop_mh = 1,
        .on_bottom_m = 0.45, .move_m = 0.2, .move_window_s = 10, .block_weight_kn = 0,
        .slips_in_kn = 40, .slips_out_kn = 100, .stand_m = 27.43, .max_connection_s = 1200, .casing_bar = 5,
        .min_dwell_s = 3, .ream_m = 54.86, .surface_m = 5, .trip_flip_m = 1,
        .set_down_tol = 0.06,
    };
}

rs_rigstate_t *
rs_rigstate_new (const rs_rigstate_opts_t *opts)
{
    rs_rigstate_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    if (opts)
        self->o = *opts;
    else
        rs_rigstate_opts_default (&self->o);
    self->slips_since = INT64_MIN;
    rs_blockweight_init (&self->bw);
    self->last_bit = self->last_block = NAN;
    self->block_lo = self->block_hi = NAN;
    self->prev_bitc = NAN;
    self->kin_block = self->kin_bit = NAN;
    self->info.connection_last_s = NAN;
    self->info.block_weight_kn = NAN;
    rs_descent_init (&self->descent);
    self->bk_p1 = self->bk_p2 = self->bk_d2 = NAN;
    self->bk_ts = INT64_MIN;
    self->move_m = self->o.move_m;
    self->still_top = NAN;
    self->hole_last = NAN;
    self->spos = NAN;
    rs_tripdir_init (&self->trip);
    self->last_slips = -1;
    self->hook_hang = NAN;
    self->hang_avg = NAN;
    self->flip_since = INT64_MIN;
    rs_bottom_init (&self->bottom);
    self->bottom_spos = NAN;
    self->two_lo = self->two_hi = NAN;
    return self;
}

void
rs_rigstate_destroy (rs_rigstate_t **self_p)
{
    if (self_p && *self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}

void
rs_rigstate_set_opts (rs_rigstate_t *self, const rs_rigstate_opts_t *opts)
{
    if (self && opts) {
        self->o = *opts;
        self->move_m = fmax (self->move_m, opts->move_m);
    }
}

const rs_riginfo_t *
rs_rigstate_info (const rs_rigstate_t *self)
{
    return &self->info;
}

//  The oldest kept point at least `window` before ts, else the oldest kept.
static const point_t *
s_past (const rs_rigstate_t *self, int64_t ts, double window_s)
{
    if (self->n == 0)
        return NULL;
    int64_t cut = ts - (int64_t) (window_s * 1e6);
    const point_t *best = NULL;
    for (size_t i = 0; i < self->n; i++) {
        const point_t *p = &self->hist[(self->head + HIST - 1 - i) % HIST];
        best = p;
        if (p->ts <= cut)
            break;
    }
    return best;
}

static void
s_push (rs_rigstate_t *self, int64_t ts, double block, double bit)
{
    if (self->n > 0) {
        const point_t *last = &self->hist[(self->head + HIST - 1) % HIST];
        if ((double) (ts - last->ts) < HIST_STEP * 1e6)
            return;
    }
    self->hist[self->head] = (point_t) { ts, block, bit };
    self->head = (self->head + 1) % HIST;
    if (self->n < HIST)
        self->n++;
}

//  How far the bit can have gone down (or up) between the last reading of
//  the block and this one, dt later: with the block, or, where the block had
//  time to reach an end of its travel and come back, with it one way and in
//  the slips the other (pulling a stand and lowering the empty block between
//  two rows of a 30-s log: the block's net travel was 1.5 m down, the bit's
//  2.8 m up, and that "depth reference" put the string's 1,050 kN into the
//  block weight). Only when the string was in the slips at one end of the
//  interval (a still block holding the string at both ends has not moved it:
//  F-9 TripTime's `Depth` 18 m deeper between two such rows is a new
//  reference), and BOUNCE_S or more apart (setting or lifting the slips takes
//  seconds: GenTime's tally edits of 8-15 m 3 s apart are references). Time
//  for more than one stroke: up to half the path.
static double
s_reach (const rs_rigstate_t *self, bool down, double block, double dt, bool slips_end)
{
    double last = self->last_block, lo = self->block_lo, hi = self->block_hi;
    double path = BLOCK_VMAX * dt;
    double direct = down ? last - block : block - last;
    if (isnan (lo) || isnan (hi) || !slips_end || dt < BOUNCE_S)
        return fabs (block - last);
    lo = fmin (lo, fmin (block, last));
    hi = fmax (hi, fmax (block, last));
    if (path >= (last - lo) + 2 * (hi - lo) + (hi - block))
        return path / 2;
    //  Down: lowered with the block to the floor (slips, empty block up), or
    //  the empty block up to the top first, then lowered with it; up: the
    //  mirror.
    double via = down ? fmax (last - lo, hi - block) : fmax (block - lo, hi - last);
    if ((last - lo) + (block - lo) > path && (hi - last) + (hi - block) > path)
        via = 0;                // no time to reach either end
    return fmax (fabs (direct), fmin (via, path));
}

//  The string moves only with the block: a bit depth that changes by more
//  than the block moved (or, without a block position, faster than a block
//  can travel) is a new depth reference, not movement. Returns the bit depth
//  with the references taken out.
static double
s_bit_continuous (rs_rigstate_t *self, int64_t ts, double bit, double block, bool slips_end)
{
    if (isnan (bit)) {
        //  The block is followed still: without a bit depth its travel is
        //  the string's movement.
        self->last_block = block;
        self->last_ts = ts;
        return NAN;
    }
    if (!isnan (self->last_bit)) {
        double dbit = bit - self->last_bit;
        double dt = (double) (ts - self->last_ts) / 1e6;
        double reach = !isnan (block) && !isnan (self->last_block) ? s_reach (self, dbit > 0, block, dt, slips_end)
                       : BLOCK_VMAX * dt;
        if (fabs (dbit) > reach + self->o.move_m)
            self->bit_shift += dbit;
    }
    self->last_bit = bit;
    self->last_block = block;
    self->last_ts = ts;
    if (!isnan (block)) {
        self->block_lo = isnan (self->block_lo) ? block : fmin (self->block_lo, block);
        self->block_hi = isnan (self->block_hi) ? block : fmax (self->block_hi, block);
    }
    return bit - self->bit_shift;
}

//  The block position sensor's noise and the travel that stands out of it.
//  A steady travel cancels out of a second difference (x2 - 2 x1 + x0),
//  noise of sigma does not (mean |d2| = 0.798 * sqrt 6 * sigma = 1.954
//  sigma); a start or stop makes one BLOCK_D2_SKIP times the mean, left out.
//  A clipped mean, not rs_noise's median: on sparse rows of a block at work
//  (TripTime, a row every 30 s) most second differences are starts and
//  stops, more than a median withstands (TripTime 90.1% to 88.1% with it),
//  and learned from the first difference on it follows a noisy sensor from
//  a log's start (10 cm: CementData 00001 91.6%; 55.5% with the median,
//  whose early "still" block moved and no block weight came for 9 hours).
//  F-9's block reads to the centimetre and move_m stands; a sensor jittering
//  by 5 cm spans 0.2 m in a few samples and set "moving" and "the block
//  travelled while the bit stayed" (in slips) on a string hanging still.
static void
s_block_noise (rs_rigstate_t *self, int64_t ts, double block)
{
    const rs_rigstate_opts_t *o = &self->o;
    if (isnan (block))
        return;
    if (self->bk_ts != INT64_MIN && (double) (ts - self->bk_ts) > RS_PLATEAU_S * 1e6)
        self->bk_p1 = self->bk_p2 = NAN;
    self->bk_ts = ts;
    if (!isnan (self->bk_p1) && !isnan (self->bk_p2)) {
        double d2 = fabs (block - 2 * self->bk_p1 + self->bk_p2);
        double skip = fmax (isnan (self->bk_d2) ? 0 : BLOCK_D2_SKIP * self->bk_d2, o->move_m);
        if (d2 <= skip) {
            self->bk_n++;
            double gain = fmax (NOISE_ALPHA, 1.0 / self->bk_n);
            self->bk_d2 = isnan (self->bk_d2) ? d2 : self->bk_d2 + gain * (d2 - self->bk_d2);
        }
    }
    self->bk_p2 = self->bk_p1;
    self->bk_p1 = block;
    double sigma = isnan (self->bk_d2) ? 0 : self->bk_d2 / 1.954;
    self->move_m = fmax (o->move_m, BLOCK_NOISE_K * sigma);
}

//  Weight set on the bit: the WOB reading weight (SET_WOB_KN: more than a
//  WOB sensor's drift off bottom), or, without a WOB, the hook load set down
//  SET_DOWN_KN from what the string weighed moving (the bit takes the rest).
//  A string whose weight is on the bit still hangs from the hook: a hook
//  load down to the block's weight is the slips, whatever a WOB reads (F-9:
//  125-190 kN of WOB offset in the slips).
static bool
s_weight_set (const rs_rigstate_t *self, double wob, double hook)
{
    double bw = self->info.block_weight_kn;
    return !isnan (hook) && !(!isnan (bw) && hook < bw + self->o.slips_in_kn)
           && (!isnan (wob) ? wob > fmax (self->o.wob_kn, SET_WOB_KN)
                            : !isnan (self->hang_avg) && hook < self->hang_avg - SET_DOWN_KN);
}

//  Without a bit depth an empty block's travel (the string in the slips)
//  cannot be told from the string's by the bit; by the hook load it can,
//  once the hook loads of a block travelling with the pumps off fall in two
//  groups far enough apart: the lower is the block alone. True when this
//  reading is the block alone.
static bool
s_empty_block (rs_rigstate_t *self, double hook)
{
    if (isnan (self->two_lo)) {
        self->two_lo = self->two_hi = hook;
        return false;
    }
    bool low = hook < (self->two_lo + self->two_hi) / 2;
    if (low || self->two_lo == self->two_hi) {
        self->two_lo += TWO_GAIN * (fmin (hook, self->two_hi) - self->two_lo);
        self->two_nlo++;
    }
    if (!low || self->two_lo == self->two_hi) {
        self->two_hi += TWO_GAIN * (fmax (hook, self->two_lo) - self->two_hi);
        self->two_nhi++;
    }
    bool apart = self->two_hi - self->two_lo >= fmax (TWO_SEP_KN, TWO_SEP_REL * self->two_lo);
    return low && apart && self->two_nlo >= TWO_MIN_N && self->two_nhi >= TWO_MIN_N;
}

//  What the block and the bit did over the movement window.
typedef struct {
    double dblock, dbit;        // travel over the window (NaN: not known)
    bool block_moving;          // the block travelled more than move_m over it ...
    bool block_now;             // ... and is still going at that mean speed
} move_t;

//  Movement: more than move_m over the last move_window_s, and still
//  going at that mean speed over the last half window (so a stop shows
//  in a few seconds, not a window later; logs repeat a position now and
//  then, so not the last step alone).
static void
s_movement (rs_rigstate_t *self, int64_t ts, double block, double bitc, rs_rigflags_t *f, move_t *m)
{
    const rs_rigstate_opts_t *o = &self->o;
    const point_t *p = s_past (self, ts, o->move_window_s);
    const point_t *q = s_past (self, ts, o->move_window_s / 2);
    m->dblock = p && !isnan (block) && !isnan (p->block) ? block - p->block : NAN;
    m->dbit = p && !isnan (bitc) && !isnan (p->bit) ? bitc - p->bit : NAN;
    double v0 = o->move_m / o->move_window_s;
    double span = q ? (double) (ts - q->ts) / 1e6 : 0;
    bool bit_now = span > 0 && !isnan (bitc) && !isnan (q->bit) && fabs (bitc - q->bit) >= v0 * span;
    m->block_now = span > 0 && !isnan (block) && !isnan (q->block) && fabs (block - q->block) >= v0 * span;
    m->block_moving = !isnan (m->dblock) && fabs (m->dblock) > self->move_m;
    bool bit_moving = !isnan (m->dbit) && fabs (m->dbit) > o->move_m && bit_now;
    if (bit_moving) {
        f->moving = true;
        f->direction = m->dbit > 0 ? 1 : -1;
    }
    else if (isnan (m->dbit) && m->block_moving && m->block_now) {
        f->moving = true;
        f->direction = m->dblock < 0 ? 1 : -1;    // block down = string down
    }
    s_push (self, ts, block, bitc);
}

//  The block moving while the bit does not is only possible in slips:
//  over the window, or since the bit last moved (a block crept up or
//  down slowly); then the hook load is the block weight.
static bool
s_kin_slips (rs_rigstate_t *self, const rs_rigflags_t *f, const move_t *m, double block, double prev_block,
             double bitc, double hook, bool drilling_now)
{
    const rs_rigstate_opts_t *o = &self->o;
    bool kin_slips = m->block_moving && !isnan (m->dbit) && fabs (m->dbit) < 0.1 * fabs (m->dblock);
    if (!isnan (block) && !isnan (bitc)) {
        if (isnan (self->kin_bit) || isnan (self->kin_block) || fabs (bitc - self->kin_bit) > o->move_m / 2) {
            self->kin_block = block;
            self->kin_bit = bitc;
        }
        //  Evidence of now only: the block is moving on this sample.
        double db = block - self->kin_block;
        bool block_step = !isnan (prev_block) && fabs (block - prev_block) > KIN_STEP_M;
        if (block_step && fabs (db) > self->move_m && fabs (bitc - self->kin_bit) < 0.1 * fabs (db))
            kin_slips = true;
    }
    //  Without a bit depth: the lower of two groups of travelling hook
    //  loads, or a block that travels with less than half of what the string
    //  weighed hanging (HANG_ENTER): no string sheds half its weight by
    //  moving (drag is a tenth of it), so the block travels empty (without
    //  this, the first travel after a connection's slips was the string, its
    //  load the "hanging weight", and no plateau or block weight followed).
    if (isnan (bitc) && m->block_moving && m->block_now && !isnan (hook) && !f->circulating
        && s_empty_block (self, hook))
        kin_slips = true;
    if (isnan (bitc) && m->block_moving && m->block_now && !isnan (hook) && !isnan (self->hook_hang)
        && hook < HANG_ENTER * self->hook_hang)
        kin_slips = true;
    //  A cold start without a bit depth, no block weight known yet: a hook
    //  load that fell, the block still, SETDOWN_REL and SETDOWN_KN under
    //  what it held has set the string down (only the slips, or the bottom,
    //  take weight off a still hook), and the block's travel that follows
    //  under that load is empty (F-9 CementData, a log starting at 858 kN
    //  that fell to 659 kN: the block's travel was taken for the string's,
    //  659 kN for its hanging weight, and no block weight came for 2 hours).
    if (isnan (bitc) && isnan (self->info.block_weight_kn) && !isnan (hook)) {
        bool set_down = !isnan (self->still_top)
                        && hook < fmin (self->still_top * (1 - SETDOWN_REL), self->still_top - SETDOWN_KN);
        if (m->block_moving && m->block_now && (set_down || self->empty_travel) && !f->circulating) {
            self->empty_travel = true;
            kin_slips = true;
        }
        else if (!m->block_moving) {
            self->empty_travel = false;
            self->still_top = fmax (isnan (self->still_top) ? hook : self->still_top, hook);
        }
        if (m->block_moving && !self->empty_travel)
            self->still_top = NAN;
    }
    else {
        self->still_top = NAN;
        self->empty_travel = false;
    }
    //  A hole deepening under the bit is being drilled, and a string in the
    //  slips drills nothing: a block position that seems to travel then is
    //  a sensor (one frozen through 48 minutes of drilling came back 17 m
    //  higher, an "empty block travelling" that made the drilling hook load
    //  the block weight and the rest of the stand "in slips").
    if (drilling_now)
        kin_slips = false;
    return kin_slips;
}

//  The hook load has shed all but SHED_REL of what the string weighed over
//  the block when it last moved, and is within the slips trigger.
static bool
s_shed (const rs_rigstate_t *self, double hook, double bw)
{
    if (isnan (hook) || isnan (bw) || isnan (self->hang_avg))
        return false;
    return hook - bw < fmin (self->o.slips_in_kn, SHED_REL * (self->hang_avg - bw));
}

//  In slips (1), out (0) or cannot tell (-1): the block moved and the
//  bit did not, or the hook carries no more than the block's own weight
//  and the string is not moving (near surface the string weighs next to
//  nothing, so a moving string is never in slips). Without a hook load
//  a still string in the slips stays there (it cannot leave them without
//  moving); one that stopped after moving may be in them or hanging.
static int
s_slips (rs_rigstate_t *self, const rs_rigflags_t *f, double hook, double bitc, bool kin_slips,
         bool drilling_now, bool *by_hook)
{
    const rs_rigstate_opts_t *o = &self->o;
    double bw = self->info.block_weight_kn;
    int slips;
    *by_hook = false;
    if (kin_slips)
        slips = 1;
    //  A bit that moved since a reading BOUNCE_S or more ago moved in that
    //  interval, not necessarily now: a hook load that has shed nearly all
    //  of the string's weight is the string in the slips now (a 30-s log:
    //  pulled, then set). Not a light string's: near surface a string
    //  weighs a few tens of kN over the block, within the trigger's noise.
    else if (drilling_now || (f->moving && !isnan (bitc) && !(self->gap_s >= BOUNCE_S && s_shed (self, hook, bw))))
        slips = 0;
    else if (!isnan (hook) && !isnan (bw)) {
        //  A Schmitt trigger: the hook load in slips rises above the block
        //  weight as a stand is made up (up to slips_out_kn), a hanging
        //  string weighs more than slips_in_kn: neither flips the state.
        //  In kN, not shares of the block weight: what the block carries in
        //  the slips (a stand, the make-up's loads) is the same whatever the
        //  top drive weighs.
        double enter = bw + o->slips_in_kn, leave = bw + o->slips_out_kn;
        //  Off bottom, a string that weighed W over the block when it last
        //  moved and now weighs less than half of it has set its weight in
        //  the slips, whatever its share of the hook load (with weight on
        //  the bit it went to the bottom).
        if (!f->on_bottom && !f->weight_on_bit && !isnan (self->hang_avg) && self->hang_avg > bw) {
            enter = fmax (enter, bw + HANG_ENTER * (self->hang_avg - bw));
            leave = fmax (leave, bw + HANG_LEAVE * (self->hang_avg - bw));
        }
        slips = hook < (self->last_slips == 1 ? leave : enter);
        *by_hook = true;
    }
    else if (isnan (hook) && !f->moving)
        slips = self->last_slips == 1 ? 1 : -1;
    else if (f->moving)
        slips = 0;
    else if (self->last_slips == 0 && !isnan (self->hook_hang)
             && hook > self->hook_hang * (1 - o->set_down_tol))
        slips = 0;                      // stopped, still hanging: the hook load did not drop
    //  Off bottom, a still string that lost more than half of what it weighed
    //  hanging has set it down, and only the slips take it there.
    else if (!f->on_bottom && !isnan (self->hook_hang) && hook < HANG_ENTER * self->hook_hang)
        slips = 1;
    else
        slips = -1;
    return slips;
}

//  The slips as remembered for the next sample. The trigger's memory flips
//  only once the hook load has stayed on the other side for BOUNCE_S: a
//  string that stops bounces on the hook (one reading 50 kN light, then
//  back), which sets no slips; the sample itself still shows it, and the
//  dwell filter judges the state.
static void
s_slips_remember (rs_rigstate_t *self, int64_t ts, int slips, bool by_hook)
{
    if (slips < 0)
        return;
    bool flip = by_hook && self->last_slips >= 0 && slips != self->last_slips;
    if (flip && !rs_since_held (&self->flip_since, true, ts, BOUNCE_S))
        return;
    self->last_slips = slips;
    self->flip_since = INT64_MIN;
}

static rs_rig_t
s_unknown (rs_rigstate_t *self, const char *why)
{
    self->info.reason = why;
    return RS_RIG_UNKNOWN;
}

//  The rig state from the sample's flags and the slips: shut in, out of
//  the hole, in slips or a connection, drilling, and off bottom, reaming
//  or tripping by where the bit is and how it moves.
static rs_rig_t
s_state (rs_rigstate_t *self, int64_t ts, const rs_rigflags_t *f, const double *ch, double hole, bool at_surface,
         int slips)
{
    const rs_rigstate_opts_t *o = &self->o;
    double hook = ch[RS_CH_HOOK_LOAD], wob = ch[RS_CH_WOB];
    double bit = ch[RS_CH_BIT_DEPTH], block = ch[RS_CH_BLOCK_POS];
    if (f->shut_in)
        return RS_RIG_SHUT_IN;
    if (isnan (hook) && isnan (block) && isnan (bit))
        return s_unknown (self, "no hook load, block position or bit depth");
    if (at_surface && !f->moving) {
        rs_tripdir_reset (&self->trip, self->spos);
        return RS_RIG_OUT_OF_HOLE;
    }
    //  Without a bit depth, how far the string has come up since the bit was
    //  last on bottom.
    if (isnan (bit) && f->on_bottom)
        self->bottom_spos = self->spos;
    double rel = isnan (bit) ? self->spos - self->bottom_spos : NAN;
    if (f->in_slips) {
        bool near_bottom = !isnan (hole) && !isnan (bit) ? hole - bit <= o->stand_m : rel >= -o->stand_m;
        bool short_stop = (double) (ts - self->slips_since) <= o->max_connection_s * 1e6;
        return near_bottom && short_stop ? RS_RIG_CONNECTION : RS_RIG_IN_SLIPS;
    }
    //  Weight on the bit on bottom: the string hangs from the hook, whatever
    //  the block weighs.
    if (f->on_bottom && f->weight_on_bit) {
        rs_tripdir_reset (&self->trip, self->spos);
        if (slips < 0)
            self->last_slips = 0;
        //  What the string weighs hanging: the hook load plus what rests on the bit.
        if (!isnan (hook))
            self->hook_hang = hook + (f->weight_on_bit && !isnan (wob) ? wob : 0);
        return f->rotating ? RS_RIG_DRILLING_ROTARY : RS_RIG_DRILLING_SLIDING;
    }
    if (slips < 0)
        return s_unknown (self, isnan (hook) ? "no hook load: a still string may be in slips or hanging"
                                             : "block weight not known yet: in slips or hanging cannot be told");
    //  Near bottom, working the string with pumps or rotation is reaming;
    //  farther up, moving it is a trip whatever else runs (washing in,
    //  back-reaming out: the code's +10 and +100 say so), and so is a pause
    //  with the string hanging between movements.
    bool known_depths = !isnan (hole) && !isnan (bit);
    bool near = known_depths ? hole - bit <= o->ream_m : rel >= -o->ream_m;
    if (f->moving) {
        if ((f->circulating || f->rotating) && near)
            return RS_RIG_REAMING;
        return f->direction > 0 ? RS_RIG_TRIPPING_IN : RS_RIG_TRIPPING_OUT;
    }
    if (!near && self->trip.dir != 0)
        return self->trip.dir > 0 ? RS_RIG_TRIPPING_IN : RS_RIG_TRIPPING_OUT;
    if (isnan (bit) && isnan (block))
        return s_unknown (self, "no block position or bit depth: a string out of slips may be moving");
    return f->circulating ? RS_RIG_CIRCULATING : RS_RIG_OFF_BOTTOM;
}

static rs_rig_t
s_classify (rs_rigstate_t *self, int64_t ts, const double *ch, rs_rigflags_t *f)
{
    const rs_rigstate_opts_t *o = &self->o;
    double flow = ch[RS_CH_FLOW_IN], spp = ch[RS_CH_SPP], rpm = ch[RS_CH_RPM];
    double torque = ch[RS_CH_TORQUE], wob = ch[RS_CH_WOB], rop = ch[RS_CH_ROP];
    double hole = ch[RS_CH_HOLE_DEPTH], bit = ch[RS_CH_BIT_DEPTH], block = ch[RS_CH_BLOCK_POS];
    double hook = ch[RS_CH_HOOK_LOAD], casing = ch[RS_CH_CASING_PRESSURE];

    //  The hole depth held while its channel is silent: only one seen with
    //  a bit depth above it (a "hole depth" alone may be a mislabelled bit
    //  depth).
    if (!isnan (hole) && !isnan (bit) && hole >= bit - o->on_bottom_m)
        self->hole_last = hole;
    else if (isnan (hole))
        hole = self->hole_last;

    //  In the slips on the last sample, or by the hook load on this one.
    double bw = self->info.block_weight_kn;
    bool slips_end = f->in_slips || (!isnan (hook) && !isnan (bw) && hook < bw + o->slips_in_kn);
    memset (f, 0, sizeof *f);
    self->info.reason = NULL;
    bool deepening = rs_bottom_hole (&self->bottom, ts, ch[RS_CH_HOLE_DEPTH]);
    //  Without flow in or SPP (a log with returns only), returns well over
    //  what a paddle reads at rest or a trip pushes out are pumps on.
    double returns = ch[RS_CH_FLOW_OUT];
    f->circulating = !isnan (flow)    ? flow > o->flow_lpm
                     : !isnan (spp)   ? spp > o->spp_bar
                                      : !isnan (returns) && returns > RETURNS_LPM;
    //  A bit drills only with the pumps on; a log that carries no pump
    //  channel cannot say they are off.
    self->pumps_seen = self->pumps_seen || !isnan (flow) || !isnan (spp) || !isnan (returns);
    bool may_pump = f->circulating || !self->pumps_seen;
    double prev_block = self->last_block;
    double bitc = s_bit_continuous (self, ts, bit, block, slips_end);
    //  No hole depth ever: found from the bit (in its frame: references out).
    self->info.hole_from_bit = false;
    if (isnan (hole) && isnan (self->hole_last)) {
        //  Without a WOB, before the string has been seen moving (a log that
        //  starts while drilling), nothing weighs the bit: the advance alone.
        bool weighed = !isnan (wob) || !isnan (self->hang_avg);
        bool set = !weighed || s_weight_set (self, wob, hook);
        hole = rs_bottom_from_bit (&self->bottom, ts, bitc, o->on_bottom_m, may_pump, set, &deepening)
               + self->bit_shift;
        self->info.hole_from_bit = !isnan (hole);
    }
    self->info.hole_depth_m = hole;
    f->rotating = !isnan (rpm) ? rpm > o->rpm : !isnan (torque) && torque > o->torque_knm;
    f->weight_on_bit = !isnan (wob) ? wob > o->wob_kn : !isnan (rop) && rop > o->rop_mh;
    f->on_bottom = !isnan (hole) && !isnan (bit) && hole - bit < o->on_bottom_m;
    //  The hole deepening under the bit is the bit drilling, whatever a WOB
    //  reads (a WOB zeroed with another string reads tens of kN off).
    bool drilling_now = deepening && f->on_bottom;
    if (drilling_now)
        f->weight_on_bit = true;
    f->shut_in = !isnan (casing) && casing > o->casing_bar;

    move_t m;
    s_block_noise (self, ts, block);
    //  Still, for the load cell's noise and a descent: within the position
    //  sensor's own jitter, when that is noisy.
    double jitter = self->move_m > o->move_m ? self->move_m / 2 : KIN_STEP_M;
    //  Without a bit depth, a block going steadily down at a drilling rate
    //  with the pumps on is a bit making hole: before any block weight tells
    //  the slips, or, with one, when the string hangs clear of the slips
    //  and has not been weighed moving (what a set-down is judged from).
    //  Once it has, the hook load and the set-down judge: F-9 lowers light
    //  strings so, pumping, that are not drilling.
    bool descending = rs_descent_feed (&self->descent, ts, block, jitter, self->move_m, RS_BOTTOM_VMAX) && isnan (bitc)
                      && f->circulating;
    if (descending && (isnan (bw) || (isnan (self->hang_avg) && hook > bw + o->slips_out_kn))) {
        drilling_now = true;
        deepening = true;
    }
    s_movement (self, ts, block, bitc, f, &m);
    bool kin_slips = s_kin_slips (self, f, &m, block, prev_block, bitc, hook, drilling_now);
    //  At surface nothing hangs below the block but a few metres of BHA.
    bool deep = isnan (hole) || hole > o->surface_m + o->stand_m;
    bool at_surface = !isnan (bit) && bit <= o->surface_m && deep;
    if ((kin_slips || (at_surface && !f->moving)) && o->block_weight_kn <= 0 && !isnan (hook))
        rs_blockweight_learn (&self->bw, hook, kin_slips);
    //  A string sitting on bottom, in a shut-in well, going deeper at a
    //  drilling rate (no string in the slips does), or last seen out of the
    //  slips with its hook load not dropped since, hangs from the hook: its
    //  steady load is no block weight (setting the slips takes the string's
    //  weight off the hook). With the pumps on it may hang still for hours
    //  (circulating off bottom, bottoms up): no plateau then either.
    bool hanging = f->shut_in || f->circulating || (f->on_bottom && f->weight_on_bit) || self->bottom_inferred
                   || self->bottom.bit_advancing
                   || (self->last_slips == 0 && !isnan (self->hook_hang) && !isnan (hook)
                       && hook > self->hook_hang * (1 - o->set_down_tol));
    rs_plateau_feed (&self->bw.plateau, ts, hook, block, hanging, self->move_m, jitter);
    rs_plateau_undercut (&self->bw.plateau, ts, hook, block, f->on_bottom && f->weight_on_bit, o->set_down_tol,
                         BOUNCE_S, self->move_m);
    self->info.block_weight_kn = rs_blockweight_get (&self->bw, o->block_weight_kn, self->hang_avg,
                                                     &self->info.bw_source);

    bool by_hook;
    int slips = s_slips (self, f, hook, bitc, kin_slips, drilling_now, &by_hook);
    //  The hanging weight is taken only while the string moves on this very
    //  sample: the movement window shows a stop a few seconds late, when the
    //  slips may be set already. The average takes in the stop's bounce.
    bool step = (!isnan (block) && !isnan (prev_block) && fabs (block - prev_block) > KIN_STEP_M)
                || (!isnan (bitc) && !isnan (self->prev_bitc) && fabs (bitc - self->prev_bitc) > KIN_STEP_M);
    double dbit = !isnan (bitc) && !isnan (self->prev_bitc) ? fabs (bitc - self->prev_bitc) : NAN;
    bool sure_move = dbit >= SURE_M;
    bool sure_slips = kin_slips && dbit < KIN_STEP_M && !isnan (block) && !isnan (prev_block)
                      && fabs (block - prev_block) >= SURE_M;
    self->prev_bitc = bitc;
    if (slips == 0 && f->moving && !isnan (hook)) {
        if (step)
            self->hook_hang = hook;
        self->hang_avg = isnan (self->hang_avg) ? hook : self->hang_avg + HANG_GAIN * (hook - self->hang_avg);
    }
    f->in_slips = slips == 1;
    //  Without a bit depth, a string out of the slips may be on bottom: the
    //  slips take all its weight, the bottom the WOB.
    self->bottom_inferred = rs_bottom_inferred (&self->bottom, ts, !isnan (bit), may_pump, f->circulating,
                                                f->moving && f->direction < 0, deepening,
                                                s_weight_set (self, wob, hook))
                            && !f->in_slips;
    if (self->bottom_inferred)
        f->on_bottom = f->weight_on_bit = true;
    if (f->in_slips) {
        f->moving = false;
        f->direction = 0;
    }
    rs_since_track (&self->slips_since, f->in_slips, ts);
    s_slips_remember (self, ts, slips, by_hook);

    //  The string's position for the trip: the bit, or without one the
    //  block's travel while the string hangs from it.
    if (!isnan (bitc))
        self->spos = bitc;
    else if (!isnan (block) && !isnan (prev_block) && slips == 0)
        self->spos = (isnan (self->spos) ? 0 : self->spos) - (block - prev_block);
    rs_tripdir_feed (&self->trip, self->spos, o->trip_flip_m);
    rs_rig_t raw = s_state (self, ts, f, ch, hole, at_surface, slips);
    self->sure = (sure_move && (raw == RS_RIG_TRIPPING_IN || raw == RS_RIG_TRIPPING_OUT))
                 || (sure_slips && (raw == RS_RIG_IN_SLIPS || raw == RS_RIG_CONNECTION));
    return raw;
}

static void
s_enter (rs_rigstate_t *self, rs_rig_t state, int64_t since)
{
    rs_riginfo_t *in = &self->info;
    if (in->state == RS_RIG_CONNECTION && state != RS_RIG_CONNECTION) {
        double d = (double) (since - in->since_us) / 1e6;
        if (d > 0) {
            in->connections++;
            in->connection_last_s = d;
            in->connection_sum_s += d;
        }
    }
    in->prev = in->state;
    in->state = state;
    in->since_us = since;
    in->changed = true;
}

const rs_riginfo_t *
rs_rigstate_feed (rs_rigstate_t *self, int64_t ts_us, const double ch[RS_CH_COUNT])
{
    rs_riginfo_t *in = &self->info;
    in->changed = false;
    if (self->started && ts_us <= in->ts_us)
        return in;
    double dt = self->started ? (double) (ts_us - in->ts_us) / 1e6 : 0;
    if (dt > MAX_DT_S)
        dt = 0;
    double gap_s = self->started ? (double) (ts_us - in->ts_us) / 1e6 : 0;
    in->ts_us = ts_us;

    self->gap_s = gap_s;
    rs_rig_t raw = s_classify (self, ts_us, ch, &in->flags);
    in->raw = raw;
    //  Time so far belongs to the state we were in.
    if (self->started) {
        in->total_s += dt;
        in->state_s[in->state] += dt;
        if (in->flags.circulating)
            in->circulating_s += dt;
    }
    if (!self->started) {
        self->started = true;
        in->state = raw;
        in->prev = raw;
        in->since_us = ts_us;
        in->changed = true;
        self->cand = raw;
        self->cand_since = ts_us;
        return in;
    }
    if (raw == in->state) {
        self->cand = raw;
        self->cand_since = ts_us;
        return in;
    }
    if (raw != self->cand) {
        self->cand = raw;
        self->cand_since = ts_us;
    }
    //  Samples farther apart than the dwell cannot show a blip shorter than
    //  it: the sample itself is the evidence (30-s logs were a row late).
    //  Nor is a trip's run a blip: a bit gone SURE_M since the last sample
    //  (with the block: a depth edit is taken out as a reference) is
    //  moving, and a 1-s feed showed each pull 3 s late; nor a block gone
    //  as far over a still bit, which only the slips allow.
    if ((double) (ts_us - self->cand_since) >= self->o.min_dwell_s * 1e6 || gap_s >= self->o.min_dwell_s
        || self->sure)
        s_enter (self, raw, self->cand_since);
    return in;
}
