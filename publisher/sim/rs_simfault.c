/*  rs_simfault: sensor faults for the simulator (see rs_simfault.h). */
#include "rs_simfault.h"
#include "rs_channels.h"

#include <math.h>
#include <stdlib.h>

struct rs_simfault_t {
    uint64_t s;                     // splitmix64 state
    double per_h;
    double next_s;                  // start of the next fault
    rs_simfault_state_t cur;
};

static const char *s_names[RS_SIMFAULT_COUNT] = {
    "wob_pinned", "stuck_value", "zeros", "flatline", "spikes", "wob_offset"
};

//  Channels each fault may hit.
static const int s_zero_ch[] = { RS_CH_FLOW_IN, RS_CH_FLOW_OUT, RS_CH_SPP, RS_CH_HOOK_LOAD, RS_CH_TORQUE,
                                 RS_CH_RPM };
static const int s_flat_ch[] = { RS_CH_FLOW_IN, RS_CH_FLOW_OUT, RS_CH_SPP, RS_CH_HOOK_LOAD, RS_CH_TORQUE,
                                 RS_CH_PIT_VOLUME, RS_CH_BLOCK_POS, RS_CH_HOLE_DEPTH };
static const int s_spike_ch[] = { RS_CH_FLOW_OUT, RS_CH_SPP, RS_CH_HOOK_LOAD, RS_CH_TORQUE, RS_CH_WOB };

const char *
rs_simfault_name (int kind)
{
    return kind >= 0 && kind < RS_SIMFAULT_COUNT ? s_names[kind] : "unknown";
}

static double
s_u (rs_simfault_t *self)
{
    uint64_t z = (self->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double) (z >> 11) * 0x1.0p-53;
}

static double
s_gap (rs_simfault_t *self)
{
    return -log (1.0 - s_u (self)) * 3600.0 / self->per_h;
}

static int
s_pick (rs_simfault_t *self, const int *list, size_t n)
{
    size_t i = (size_t) (s_u (self) * (double) n);
    return list[i < n ? i : n - 1];
}

rs_simfault_t *
rs_simfault_new (uint64_t seed, double per_h)
{
    if (!isfinite (per_h) || per_h <= 0)
        return NULL;
    rs_simfault_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->s = seed ^ 0x5EED5EED5EEDull;
    self->per_h = per_h;
    self->next_s = s_gap (self);
    return self;
}

void
rs_simfault_destroy (rs_simfault_t **self_p)
{
    if (self_p && *self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}

int
rs_simfault_update (rs_simfault_t *self, double t_s, rs_simfault_state_t *state)
{
    if (!self)
        return -1;
    rs_simfault_state_t *f = &self->cur;
    if (f->active && t_s >= f->end_s) {
        f->active = false;
        self->next_s = t_s + s_gap (self);
        *state = *f;
        return 0;
    }
    if (f->active || t_s < self->next_s)
        return -1;
    f->active = true;
    f->kind = (rs_simfault_kind_t) (s_u (self) * RS_SIMFAULT_COUNT);
    if (f->kind >= RS_SIMFAULT_COUNT)
        f->kind = RS_SIMFAULT_SPIKES;
    f->start_s = t_s;
    f->end_s = t_s + 600 + s_u (self) * 4800;       // 10 to 90 min
    f->value = NAN;
    switch (f->kind) {
        case RS_SIMFAULT_WOB_PINNED:
            f->channel = RS_CH_WOB;
            f->value = -60 - 60 * s_u (self);
            break;
        case RS_SIMFAULT_STUCK_VALUE:
            f->channel = RS_CH_FLOW_OUT;
            break;
        case RS_SIMFAULT_ZEROS:
            f->channel = s_pick (self, s_zero_ch, sizeof s_zero_ch / sizeof s_zero_ch[0]);
            f->value = 0;
            break;
        case RS_SIMFAULT_FLATLINE:
            f->channel = s_pick (self, s_flat_ch, sizeof s_flat_ch / sizeof s_flat_ch[0]);
            break;
        case RS_SIMFAULT_WOB_OFFSET:
            //  Zeroed off bottom with a string 20-80 kN lighter or heavier
            //  than the one now hanging.
            f->channel = RS_CH_WOB;
            f->value = (s_u (self) < 0.5 ? -1 : 1) * (20 + 60 * s_u (self));
            break;
        default:
            f->channel = s_pick (self, s_spike_ch, sizeof s_spike_ch / sizeof s_spike_ch[0]);
            break;
    }
    *state = *f;
    return 1;
}

void
rs_simfault_apply (rs_simfault_t *self, double t_s, rs_value_t *values, size_t n)
{
    if (!self || !self->cur.active || t_s < self->cur.start_s)
        return;
    rs_simfault_state_t *f = &self->cur;
    for (size_t i = 0; i < n; i++) {
        if (values[i].id != f->channel)
            continue;
        if (f->kind == RS_SIMFAULT_SPIKES) {
            //  About one sample in 30: a reading several times too high.
            if (s_u (self) < 1.0 / 30)
                values[i].value = values[i].value * (2 + 4 * s_u (self)) + 50;
        }
        else if (f->kind == RS_SIMFAULT_WOB_OFFSET)
            values[i].value += f->value;
        else {
            if (isnan (f->value))
                f->value = values[i].value;
            values[i].value = f->value;
        }
    }
}
