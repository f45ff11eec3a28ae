/*  rs_chanq: channel readings checked before any model sees them. */
#include "rs_chanq.h"
#include "rs_since.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    int channel;
    double lo, hi;
} range_t;

//  What no sensor on a rig can read: beyond these it is a default or a
//  fault, not a measurement. Wide on purpose: only the impossible goes.
static const range_t s_ranges[] = {
    { RS_CH_BIT_DEPTH, -50, 15000 },        // above the rotary table by a BHA's length at most
    { RS_CH_HOLE_DEPTH, 0, 15000 },
    { RS_CH_BLOCK_POS, -10, 100 },
    { RS_CH_ROP, -1, 1000 },
    { RS_CH_HOOK_LOAD, 0, 20000 },          // the hook always carries the block
    { RS_CH_RPM, -5, 500 },
    { RS_CH_SPP, -10, 1500 },
    { RS_CH_FLOW_IN, -100, 20000 },
    { RS_CH_FLOW_OUT, -100, 20000 },
    { RS_CH_MUD_TEMP_IN, -50, 350 },
    { RS_CH_MUD_TEMP_OUT, -50, 350 },
    { RS_CH_MUD_DENSITY_IN, 500, 3000 },
    { RS_CH_MUD_DENSITY_OUT, 500, 3000 },
    { RS_CH_PIT_VOLUME, 0, 5000 },          // m3: a rig's pits hold 50-1,000 (F-9's GenTime: -100,000)
    { RS_CH_PIT_GAIN, -1000, 1000 },
};

static const range_t *
s_range (int channel)
{
    for (size_t i = 0; i < sizeof s_ranges / sizeof s_ranges[0]; i++)
        if (s_ranges[i].channel == channel)
            return &s_ranges[i];
    return NULL;
}

//  Analog sensors whose live readings never repeat to the last digit for
//  long (computed channels such as flow in from pump strokes may).
//  (Flow out has its own, slower rule: see s_flat.)
static const int s_analog[] = { RS_CH_HOOK_LOAD, RS_CH_WOB, RS_CH_TORQUE, RS_CH_SPP };

static const char *s_names[RS_CHQ_COUNT] = {
    "ok", "missing", "implausible", "placeholder", "pinned", "stuck", "inconsistent"
};

const char *
rs_chq_name (int state)
{
    return state >= 0 && state < RS_CHQ_COUNT ? s_names[state] : "unknown";
}

void
rs_chanq_init (rs_chanq_t *self)
{
    memset (self, 0, sizeof *self);
    self->flow_out.anchor = NAN;
    self->flow_out.qin0 = NAN;
    self->flow_out.qin_moved_us = INT64_MIN;
    self->flow_out.pumps_on_us = INT64_MIN;
    self->flow_in = (rs_chanq_held_t) { .qin = NAN, .spp0 = NAN, .qout0 = NAN, .since_us = INT64_MIN };
    self->flow_in_zero = (rs_chanq_zero_t) { .spp = NAN, .qout = NAN, .since_us = INT64_MIN };
    self->hole_max = NAN;
    self->wob_zero = NAN;
    self->hole_back_since = INT64_MIN;
    self->role_hole = self->role_block = NAN;
    self->out_prev = self->out_prev_qin = NAN;
    for (int i = 0; i < RS_CH_COUNT; i++) {
        self->state[i] = RS_CHQ_MISSING;
        self->bad_value[i] = NAN;
        self->pin[i].value = NAN;
        self->pin[i].block0 = NAN;
    }
}

//  True when the flow out x is stuck, given the flow in qin (see rs_chanq.h).
static bool
s_flat (rs_chanq_flat_t *f, int64_t ts, double x, double qin)
{
    if (isnan (x))
        return false;
    if (isnan (f->anchor) || fabs (x - f->anchor) > RS_CHANQ_FLAT_LPM) {
        f->moved = !isnan (f->anchor);
        f->anchor = x;
        f->changed_us = ts;
        f->qin0 = qin;
        f->qin_moved_us = INT64_MIN;
        f->pumped_n = 0;
    }
    bool pumps = qin > RS_CHANQ_ZERO_Q_ON_LPM;
    f->pumped_n = pumps ? f->pumped_n + 1 : 0;
    rs_since_track (&f->pumps_on_us, pumps, ts);
    if (isnan (f->qin0))
        f->qin0 = qin;
    bool pumps_moved = false;
    if (!isnan (qin) && !isnan (f->qin0)) {
        double dq = fabs (qin - f->qin0);
        bool moved = dq >= RS_CHANQ_FLAT_Q_LPM && dq >= RS_CHANQ_FLAT_Q_REL * fmax (qin, f->qin0);
        pumps_moved = rs_since_held (&f->qin_moved_us, moved, ts, RS_CHANQ_FLAT_Q_S);
    }
    double unchanged_s = (double) (ts - f->changed_us) / 1e6;
    bool pumped = f->pumped_n > RS_CHANQ_FLAT_PUMP_N && unchanged_s >= RS_CHANQ_FLAT_PUMP_S
                  && (double) (ts - f->pumps_on_us) >= RS_CHANQ_FLAT_Q_S * 1e6;
    bool still = !f->moved || pumps_moved || pumped || unchanged_s >= RS_CHANQ_FLAT_S;
    f->stuck = fabs (x) > RS_CHANQ_FLAT_LPM && still;
    return f->stuck;
}

//  True when the flow out x is a 0 standing for no reading (rs_chanq.h):
//  it came as a step faster than the flowline drains, the pumps on.
static bool
s_zero_flow_out (rs_chanq_t *self, int64_t ts, double x, double qin)
{
    if (isnan (x))
        return false;
    bool pumps = qin > RS_CHANQ_ZERO_Q_ON_LPM;
    if (x != 0)
        self->out_zero_step = false;
    else if (pumps && !self->out_zero_step && self->out_prev > 0 && self->out_prev_qin > RS_CHANQ_ZERO_Q_ON_LPM) {
        double dt = (double) (ts - self->out_prev_us) / 1e6;
        self->out_zero_step = self->out_prev * exp (-dt / RS_CHANQ_LAG_MIN_S) >= RS_CHANQ_ZERO_LEFT_LPM;
    }
    self->out_prev = x;
    self->out_prev_qin = qin;
    self->out_prev_us = ts;
    //  Through a pump stop too: a meter that went to 0 at once and never
    //  left it did not come back with the pumps (a 0 with them off is true).
    return self->out_zero_step && pumps;
}

//  +1 when x is up from x0 by RS_CHANQ_HELD_REL and abs_min, -1 when down
//  by as much, 0 otherwise or without both.
static int
s_moved (double x, double x0, double abs_min)
{
    if (isnan (x) || isnan (x0))
        return 0;
    if (x >= fmax (x0 * (1 + RS_CHANQ_HELD_REL), x0 + abs_min))
        return 1;
    if (x <= fmin (x0 / (1 + RS_CHANQ_HELD_REL), x0 - abs_min))
        return -1;
    return 0;
}

//  True when the flow in qin is held while the pumps changed (rs_chanq.h);
//  then until it changes (the pumps may come back through the value it
//  holds, faster than the returns follow). The pressure and the returns
//  are taken as they settled after the flow in's last change: they follow
//  a real pump change a flowline's lag late.
static bool
s_held (rs_chanq_held_t *h, int64_t ts, double qin, double spp, double qout)
{
    if (isnan (qin))
        return false;
    if (isnan (h->qin) || fabs (qin - h->qin) > RS_CHANQ_FLAT_LPM) {
        *h = (rs_chanq_held_t) { .qin = qin, .changed_us = ts, .spp0 = NAN, .qout0 = NAN,
                                 .since_us = INT64_MIN };
        return false;
    }
    if (h->stuck)
        return true;
    if (isnan (spp) || isnan (qout))
        return false;           //  a witness silent: the hold neither grows nor ends
    if (isnan (h->spp0) || isnan (h->qout0)) {
        if ((double) (ts - h->changed_us) >= RS_CHANQ_HELD_SETTLE_S * 1e6) {
            h->spp0 = spp;
            h->qout0 = qout;
        }
        return false;
    }
    int ds = s_moved (spp, h->spp0, RS_CHANQ_HELD_BAR), dq = s_moved (qout, h->qout0, RS_CHANQ_FLAT_Q_LPM);
    h->stuck = rs_since_held (&h->since_us, ds != 0 && ds == dq, ts, RS_CHANQ_HELD_S);
    return h->stuck;
}

//  True when a flow in of 0 stands for no reading: the standpipe pressure
//  and the returns both still where the pumps had them (see rs_chanq.h).
static bool
s_zero_flow_in (rs_chanq_zero_t *z, int64_t ts, double qin, double spp, double qout)
{
    if (qin > RS_CHANQ_ZERO_Q_ON_LPM && !isnan (spp) && !isnan (qout)) {
        z->spp = spp;
        z->qout = qout;
    }
    bool on = qin == 0 && !isnan (z->spp) && z->spp >= RS_CHANQ_HELD_BAR && z->qout >= RS_CHANQ_FLAT_Q_LPM
              && spp >= RS_CHANQ_ZERO_Q_REL * z->spp && qout >= RS_CHANQ_ZERO_Q_REL * z->qout;
    return rs_since_held (&z->since_us, on, ts, RS_CHANQ_HELD_S);
}

//  True when x is the same non-zero value as the last RS_CHANQ_PIN_N
//  readings over RS_CHANQ_PIN_S.
static bool
s_pinned (rs_chanq_pin_t *p, int64_t ts, double x, double min_s, bool zero)
{
    if (isnan (x))
        return false;
    if (x != p->value) {
        p->value = x;
        p->since_us = ts;
        p->n = 0;
    }
    p->n++;
    return (zero || x != 0) && p->n >= RS_CHANQ_PIN_N && (double) (ts - p->since_us) >= min_s * 1e6;
}

//  A reading already dropped (or none) is not dropped again: one reason,
//  the first found, and one count per reading.
static int
s_drop (rs_chanq_t *self, double ch[RS_CH_COUNT], int c, rs_chq_t why)
{
    if (isnan (ch[c]))
        return 0;
    self->state[c] = why;
    self->bad_value[c] = ch[c];
    self->dropped[c][why]++;
    ch[c] = NAN;
    return 1;
}

//  A hole does not get shallower: a reading well above the deepest one is
//  not a hole depth, unless it holds long enough to be a new reference.
static bool
s_hole_back (rs_chanq_t *self, int64_t ts, double hole)
{
    if (isnan (self->hole_max) || hole > self->hole_max - RS_CHANQ_HOLE_BACK_M) {
        if (isnan (self->hole_max) || hole > self->hole_max)
            self->hole_max = hole;
        self->hole_back_since = INT64_MIN;
        return false;
    }
    if (self->hole_back_since == INT64_MIN)
        self->hole_back_since = ts;
    if ((double) (ts - self->hole_back_since) >= RS_CHANQ_REBASE_S * 1e6
        && self->hole_max - hole <= RS_CHANQ_REBASE_M) {
        self->hole_max = hole;
        self->hole_back_since = INT64_MIN;
        return false;
    }
    return true;
}

//  Watches the hole depth's excursions against the block's: a depth that
//  comes up with the block is the string's.
static void
s_role (rs_chanq_t *self, int64_t ts, double hole, double block)
{
    if (isnan (hole) || isnan (block))
        return;
    if (isnan (self->role_hole) || (double) (ts - self->role_ts) > 60e6) {
        self->role_hole = hole;
        self->role_block = block;
        self->role_ts = ts;
        return;
    }
    double dh = hole - self->role_hole, db = block - self->role_block;
    self->role_ts = ts;
    if (fabs (dh) < RS_CHANQ_ROLE_M)
        return;
    //  Deeper with the block going down is drilling as much as a bit
    //  running in: only a depth that comes back up with the block tells.
    if (dh < 0) {
        if (fabs (dh + db) <= 0.25 * fabs (dh))
            self->role_with++;
        else
            self->role_without++;
    }
    self->role_hole = hole;
    self->role_block = block;
    if (self->role_with >= RS_CHANQ_ROLE_N && self->role_with > 2 * self->role_without)
        self->hole_is_bit = true;
}

int
rs_chanq_filter (rs_chanq_t *self, int64_t ts_us, double ch[RS_CH_COUNT])
{
    int n = 0;
    for (int c = 0; c < RS_CH_COUNT; c++) {
        if (!isnan (ch[c]))
            self->seen[c] = true;
        self->state[c] = isnan (ch[c]) ? RS_CHQ_MISSING : RS_CHQ_OK;
    }
    //  A "hole depth" found to be the string's depth (below) reads what a
    //  bit depth can: 0 is the bit at the rotary table, not "no reading".
    for (size_t i = 0; i < sizeof s_ranges / sizeof s_ranges[0]; i++) {
        int c = s_ranges[i].channel;
        const range_t *r = c == RS_CH_HOLE_DEPTH && self->hole_is_bit ? s_range (RS_CH_BIT_DEPTH) : &s_ranges[i];
        if (!isnan (ch[c]) && (ch[c] < r->lo || ch[c] > r->hi))
            n += s_drop (self, ch, c, RS_CHQ_IMPLAUSIBLE);
    }
    if (ch[RS_CH_HOOK_LOAD] == 0)
        n += s_drop (self, ch, RS_CH_HOOK_LOAD, RS_CHQ_PLACEHOLDER);
    if (ch[RS_CH_HOLE_DEPTH] == 0 && !self->hole_is_bit)
        n += s_drop (self, ch, RS_CH_HOLE_DEPTH, RS_CHQ_PLACEHOLDER);
    if (s_flat (&self->flow_out, ts_us, ch[RS_CH_FLOW_OUT], ch[RS_CH_FLOW_IN]))
        n += s_drop (self, ch, RS_CH_FLOW_OUT, RS_CHQ_STUCK);
    else if (s_zero_flow_out (self, ts_us, ch[RS_CH_FLOW_OUT], ch[RS_CH_FLOW_IN]))
        n += s_drop (self, ch, RS_CH_FLOW_OUT, RS_CHQ_PLACEHOLDER);
    if (s_held (&self->flow_in, ts_us, ch[RS_CH_FLOW_IN], ch[RS_CH_SPP], ch[RS_CH_FLOW_OUT]))
        n += s_drop (self, ch, RS_CH_FLOW_IN, RS_CHQ_STUCK);
    else if (s_zero_flow_in (&self->flow_in_zero, ts_us, ch[RS_CH_FLOW_IN], ch[RS_CH_SPP], ch[RS_CH_FLOW_OUT]))
        n += s_drop (self, ch, RS_CH_FLOW_IN, RS_CHQ_PLACEHOLDER);
    //  After the flow in's check: an SPP of 0 with the pumps stopped and the
    //  flow in reading held at its rate is a reading.
    if (ch[RS_CH_SPP] == 0 && ch[RS_CH_FLOW_IN] > 100)
        n += s_drop (self, ch, RS_CH_SPP, RS_CHQ_PLACEHOLDER);
    for (size_t i = 0; i < sizeof s_analog / sizeof s_analog[0]; i++) {
        int c = s_analog[i];
        rs_chanq_pin_t *pin = &self->pin[c];
        bool pinned = s_pinned (pin, ts_us, ch[c], RS_CHANQ_PIN_S, false);
        //  A hook load is a dead sensor only if it held while the block
        //  travelled: a still string may sit within one step of the cell.
        if (c == RS_CH_HOOK_LOAD && !isnan (ch[RS_CH_BLOCK_POS])) {
            if (pin->n == 1 || isnan (pin->block0))
                pin->block0 = ch[RS_CH_BLOCK_POS];
            pinned = pinned && fabs (ch[RS_CH_BLOCK_POS] - pin->block0) > RS_CHANQ_PIN_MOVE_M;
        }
        if (pinned)
            n += s_drop (self, ch, c, RS_CHQ_PINNED);
    }
    //  A pit's level moves with every transfer, the hole drilled and the
    //  surface's ripple; one that holds one value (0 too: a gain/loss total
    //  standing for "no reading") for RS_CHANQ_PIT_PIN_S is a dead sensor,
    //  and read as a level pit it would deny every kick.
    static const int pits[] = { RS_CH_PIT_VOLUME, RS_CH_PIT_GAIN };
    for (size_t i = 0; i < sizeof pits / sizeof pits[0]; i++)
        if (s_pinned (&self->pin[pits[i]], ts_us, ch[pits[i]], RS_CHANQ_PIT_PIN_S, true))
            n += s_drop (self, ch, pits[i], RS_CHQ_PINNED);
    if (isnan (ch[RS_CH_BIT_DEPTH])) {
        s_role (self, ts_us, ch[RS_CH_HOLE_DEPTH], ch[RS_CH_BLOCK_POS]);
        if (self->hole_is_bit && !isnan (ch[RS_CH_HOLE_DEPTH])) {
            ch[RS_CH_BIT_DEPTH] = ch[RS_CH_HOLE_DEPTH];
            self->state[RS_CH_BIT_DEPTH] = RS_CHQ_OK;
            n += s_drop (self, ch, RS_CH_HOLE_DEPTH, RS_CHQ_INCONSISTENT);
        }
    }
    if (!isnan (ch[RS_CH_HOLE_DEPTH]) && s_hole_back (self, ts_us, ch[RS_CH_HOLE_DEPTH]))
        n += s_drop (self, ch, RS_CH_HOLE_DEPTH, RS_CHQ_INCONSISTENT);
    //  Off bottom the bit carries nothing: a WOB reading there is the
    //  sensor's zero offset (hook-load based WOB not re-zeroed).
    double hole = !isnan (ch[RS_CH_HOLE_DEPTH]) ? ch[RS_CH_HOLE_DEPTH] : self->hole_max;
    double bit = ch[RS_CH_BIT_DEPTH];
    if (!isnan (ch[RS_CH_WOB]) && !isnan (hole) && !isnan (bit) && hole - bit > RS_CHANQ_OFF_BOTTOM_M
        && fabs (ch[RS_CH_WOB]) > RS_CHANQ_WOB_OFF_KN)
        n += s_drop (self, ch, RS_CH_WOB, RS_CHQ_INCONSISTENT);
    return n;
}

bool
rs_chanq_wob_zero (rs_chanq_t *self, double zero_kn)
{
    self->wob_zero = NAN;
    if (self->state[RS_CH_WOB] != RS_CHQ_OK || !(fabs (zero_kn) > RS_CHANQ_WOB_OFF_KN))
        return false;
    self->wob_zero = zero_kn;
    self->state[RS_CH_WOB] = RS_CHQ_INCONSISTENT;
    self->bad_value[RS_CH_WOB] = zero_kn;
    self->dropped[RS_CH_WOB][RS_CHQ_INCONSISTENT]++;
    return true;
}

uint64_t
rs_chanq_dropped (const uint64_t dropped[RS_CH_COUNT][RS_CHQ_COUNT], int channel, int state)
{
    uint64_t n = 0;
    for (int c = 0; c < RS_CH_COUNT; c++)
        for (int s = 0; s < RS_CHQ_COUNT; s++)
            if ((channel < 0 || c == channel) && (state < 0 || s == state))
                n += dropped[c][s];
    return n;
}

uint64_t
rs_chanq_dropped_impossible (const uint64_t dropped[RS_CH_COUNT][RS_CHQ_COUNT])
{
    return rs_chanq_dropped (dropped, -1, RS_CHQ_IMPLAUSIBLE) + rs_chanq_dropped (dropped, -1, RS_CHQ_PLACEHOLDER);
}

rs_chq_t
rs_chanq_state (const rs_chanq_t *self, int channel)
{
    return channel >= 0 && channel < RS_CH_COUNT ? self->state[channel] : RS_CHQ_MISSING;
}

const char *
rs_chanq_reason (const rs_chanq_t *self, int channel, char *buf, size_t size)
{
    const rs_chan_info_t *info = rs_chan_info (channel);
    if (size)
        buf[0] = 0;
    if (!info || !size)
        return buf;
    double v = self->bad_value[channel];
    switch (self->state[channel]) {
    case RS_CHQ_OK:
        break;
    case RS_CHQ_MISSING:
        if (self->seen[channel])
            snprintf (buf, size, "%s: no reading", info->name);
        break;
    case RS_CHQ_IMPLAUSIBLE:
        snprintf (buf, size, "%s reads %.6g %s, which it cannot", info->name, v, info->unit);
        break;
    case RS_CHQ_PLACEHOLDER:
        if (channel == RS_CH_FLOW_IN)
            snprintf (buf, size, "%s reads 0 %s while the standpipe pressure and the returns show the pumps"
                      " on: a placeholder for no reading", info->name, info->unit);
        else
            snprintf (buf, size, "%s reads 0 %s, a placeholder for no reading", info->name, info->unit);
        break;
    case RS_CHQ_PINNED:
        snprintf (buf, size, "%s pinned at %.6g %s", info->name, v, info->unit);
        break;
    case RS_CHQ_STUCK:
        if (channel == RS_CH_FLOW_IN)
            snprintf (buf, size, "%s held at %.6g %s while the standpipe pressure and the returns changed",
                      info->name, v, info->unit);
        else
            snprintf (buf, size, "%s stuck at %.6g %s", info->name, v, info->unit);
        break;
    case RS_CHQ_INCONSISTENT:
        if (channel == RS_CH_WOB && !isnan (self->wob_zero))
            snprintf (buf, size, "%s's zero is %.0f %s off (against the string's free weight): re-zero it off bottom",
                      info->name, v, info->unit);
        else if (channel == RS_CH_WOB)
            snprintf (buf, size, "%s reads %.6g %s with the bit off bottom (zero offset)", info->name, v,
                      info->unit);
        else if (channel == RS_CH_HOLE_DEPTH && self->hole_is_bit)
            snprintf (buf, size, "%s moves with the block: read as the bit depth", info->name);
        else if (channel == RS_CH_HOLE_DEPTH)
            snprintf (buf, size, "%s %.6g m is shallower than the deepest seen, %.6g m", info->name, v,
                      self->hole_max);
        else
            snprintf (buf, size, "%s reads %.6g %s, against the other channels", info->name, v, info->unit);
        break;
    default:
        break;
    }
    return buf;
}
