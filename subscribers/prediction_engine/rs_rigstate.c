/*  rs_rigstate: rig-state classification and time breakdown. */
#include "rs_rigstate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HIST        128         // (ts, block, bit) points kept for movement
#define HIST_STEP   0.25        // s between points kept
#define MAX_DT_S    60.0        // a longer gap is not counted in the breakdown
#define BW_ALPHA    0.05        // block weight learning rate per sample
#define KIN_STEP_M  0.02        // m: the block moved on this sample (above a position sensor's jitter)
#define BLOCK_VMAX  5.0         // m/s: no block travels faster (bit depth edits without a block)

static const char *s_names[RS_RIG_COUNT] = {
    "unknown", "drilling_rotary", "drilling_sliding", "reaming", "circulating", "off_bottom",
    "connection", "in_slips", "tripping_in", "tripping_out", "shut_in"
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
    double bw_learned;          // block weight, NaN until learned
    int bw_samples;
    //  Bit depth re-references (a mud logger's edit of the string length)
    //  are taken out of the movement history: bit - bit_shift.
    double bit_shift;
    double last_bit, last_block;
    int64_t last_ts;
    //  Block and bit where the bit last moved: a block that has since
    //  travelled while the bit stayed is in slips, however slowly it went.
    double kin_block, kin_bit;
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
        .block_weight_tol = 0.15, .stand_m = 27.43, .max_connection_s = 1200, .casing_bar = 5,
        .min_dwell_s = 10, .ream_m = 54.86,
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
    self->bw_learned = NAN;
    self->last_bit = self->last_block = NAN;
    self->kin_block = self->kin_bit = NAN;
    self->info.connection_last_s = NAN;
    self->info.block_weight_kn = NAN;
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
    if (self && opts)
        self->o = *opts;
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

//  The string moves only with the block: a bit depth that changes by more
//  than the block moved (or, without a block position, faster than a block
//  can travel) is a new depth reference, not movement. Returns the bit depth
//  with the references taken out.
static double
s_bit_continuous (rs_rigstate_t *self, int64_t ts, double bit, double block)
{
    if (isnan (bit))
        return NAN;
    if (!isnan (self->last_bit)) {
        double dbit = bit - self->last_bit;
        double dt = (double) (ts - self->last_ts) / 1e6;
        double reach = !isnan (block) && !isnan (self->last_block) ? fabs (block - self->last_block)
                       : BLOCK_VMAX * dt;
        if (fabs (dbit) > reach + self->o.move_m)
            self->bit_shift += dbit;
    }
    self->last_bit = bit;
    self->last_block = block;
    self->last_ts = ts;
    return bit - self->bit_shift;
}

static rs_rig_t
s_classify (rs_rigstate_t *self, int64_t ts, const double *ch, rs_rigflags_t *f)
{
    const rs_rigstate_opts_t *o = &self->o;
    double flow = ch[RS_CH_FLOW_IN], spp = ch[RS_CH_SPP], rpm = ch[RS_CH_RPM];
    double torque = ch[RS_CH_TORQUE], wob = ch[RS_CH_WOB], rop = ch[RS_CH_ROP];
    double hole = ch[RS_CH_HOLE_DEPTH], bit = ch[RS_CH_BIT_DEPTH], block = ch[RS_CH_BLOCK_POS];
    double hook = ch[RS_CH_HOOK_LOAD], casing = ch[RS_CH_CASING_PRESSURE];

    memset (f, 0, sizeof *f);
    f->circulating = !isnan (flow) ? flow > o->flow_lpm : !isnan (spp) && spp > o->spp_bar;
    f->rotating = !isnan (rpm) ? rpm > o->rpm : !isnan (torque) && torque > o->torque_knm;
    f->weight_on_bit = !isnan (wob) ? wob > o->wob_kn : !isnan (rop) && rop > o->rop_mh;
    f->on_bottom = !isnan (hole) && !isnan (bit) && hole - bit < o->on_bottom_m;
    f->shut_in = !isnan (casing) && casing > o->casing_bar;

    //  Movement: more than move_m over the last move_window_s, and still
    //  going at that mean speed over the last half window (so a stop shows
    //  in a few seconds, not a window later; logs repeat a position now and
    //  then, so not the last step alone).
    double prev_block = self->last_block;
    double bitc = s_bit_continuous (self, ts, bit, block);
    const point_t *p = s_past (self, ts, o->move_window_s);
    const point_t *q = s_past (self, ts, o->move_window_s / 2);
    double dblock = p && !isnan (block) && !isnan (p->block) ? block - p->block : NAN;
    double dbit = p && !isnan (bitc) && !isnan (p->bit) ? bitc - p->bit : NAN;
    double v0 = o->move_m / o->move_window_s;
    double span = q ? (double) (ts - q->ts) / 1e6 : 0;
    bool bit_now = span > 0 && !isnan (bitc) && !isnan (q->bit) && fabs (bitc - q->bit) >= v0 * span;
    bool block_now = span > 0 && !isnan (block) && !isnan (q->block) && fabs (block - q->block) >= v0 * span;
    bool block_moving = !isnan (dblock) && fabs (dblock) > o->move_m;
    bool bit_moving = !isnan (dbit) && fabs (dbit) > o->move_m && bit_now;
    if (bit_moving) {
        f->moving = true;
        f->direction = dbit > 0 ? 1 : -1;
    }
    else if (isnan (dbit) && block_moving && block_now) {
        f->moving = true;
        f->direction = dblock < 0 ? 1 : -1;    // block down = string down
    }
    s_push (self, ts, block, bitc);

    //  The block moving while the bit does not is only possible in slips:
    //  over the window, or since the bit last moved (a block crept up or
    //  down slowly); then the hook load is the block weight.
    bool kin_slips = block_moving && !isnan (dbit) && fabs (dbit) < 0.1 * fabs (dblock);
    if (!isnan (block) && !isnan (bitc)) {
        if (isnan (self->kin_bit) || isnan (self->kin_block) || fabs (bitc - self->kin_bit) > o->move_m / 2) {
            self->kin_block = block;
            self->kin_bit = bitc;
        }
        //  Evidence of now only: the block is moving on this sample.
        double db = block - self->kin_block;
        bool block_step = !isnan (prev_block) && fabs (block - prev_block) > KIN_STEP_M;
        if (block_step && fabs (db) > o->move_m && fabs (bitc - self->kin_bit) < 0.1 * fabs (db))
            kin_slips = true;
    }
    if (kin_slips && o->block_weight_kn <= 0 && !isnan (hook)) {
        self->bw_learned = isnan (self->bw_learned) ? hook
                           : self->bw_learned + BW_ALPHA * (hook - self->bw_learned);
        self->bw_samples++;
    }
    self->info.block_weight_kn = o->block_weight_kn > 0 ? o->block_weight_kn
                                 : self->bw_samples >= 5 ? self->bw_learned : NAN;
    //  In slips: the block moved and the bit did not (only possible in
    //  slips), or the hook carries no more than the block's own weight and
    //  the string is not moving (near surface the string weighs next to
    //  nothing, so a moving string is never in slips).
    double bw = self->info.block_weight_kn;
    bool hook_slips = !isnan (hook) && !isnan (bw) && !bit_moving && hook < bw * (1 + o->block_weight_tol);
    f->in_slips = kin_slips || hook_slips;
    if (f->in_slips) {
        f->moving = false;
        f->direction = 0;
        if (self->slips_since == INT64_MIN)
            self->slips_since = ts;
    }
    else
        self->slips_since = INT64_MIN;

    if (f->shut_in)
        return RS_RIG_SHUT_IN;
    if (f->in_slips) {
        bool near_bottom = !isnan (hole) && !isnan (bit) && hole - bit <= o->stand_m;
        bool short_stop = (double) (ts - self->slips_since) <= o->max_connection_s * 1e6;
        return near_bottom && short_stop ? RS_RIG_CONNECTION : RS_RIG_IN_SLIPS;
    }
    if (f->on_bottom && f->weight_on_bit)
        return f->rotating ? RS_RIG_DRILLING_ROTARY : RS_RIG_DRILLING_SLIDING;
    //  Near bottom, working the string with pumps or rotation is reaming;
    //  farther up, moving it is a trip whatever else runs (washing in,
    //  back-reaming out: the code's +10 and +100 say so).
    bool far = !isnan (hole) && !isnan (bit) && hole - bit > o->ream_m;
    if (f->moving) {
        if ((f->circulating || f->rotating) && !far)
            return RS_RIG_REAMING;
        return f->direction > 0 ? RS_RIG_TRIPPING_IN : RS_RIG_TRIPPING_OUT;
    }
    if (isnan (flow) && isnan (spp) && isnan (hook) && isnan (bit))
        return RS_RIG_UNKNOWN;
    return f->circulating ? RS_RIG_CIRCULATING : RS_RIG_OFF_BOTTOM;
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
    in->ts_us = ts_us;

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
    if ((double) (ts_us - self->cand_since) >= self->o.min_dwell_s * 1e6)
        s_enter (self, raw, self->cand_since);
    return in;
}
