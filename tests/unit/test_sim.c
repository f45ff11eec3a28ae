/*  test_sim: the drilling simulator's physics invariants over long seeded
    runs, determinism, operating states, and each event's signature. */
#include "rs_sim.h"
#include "rs_channels.h"
#include "rs_test.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400

//  One sample by channel id; NAN where a channel is absent.
typedef struct {
    double v[RS_CH_COUNT];
    size_t n;
} sample_t;

static void
step (rs_sim_t *sim, double dt, sample_t *s)
{
    rs_value_t out[RS_CH_COUNT + 4];
    s->n = rs_sim_step (sim, dt, out, RS_CH_COUNT + 4);
    for (int i = 0; i < RS_CH_COUNT; i++)
        s->v[i] = NAN;
    for (size_t i = 0; i < s->n; i++)
        s->v[out[i].id] = out[i].value;
}

//  Plausible ranges (wits0 notes), loose enough for event excursions.
static int s_range_reports = 0;

static int
in_range (const sample_t *s, bool strict)
{
    static const struct { int id; double lo, hi, lo_ev, hi_ev; } r[] = {
        { RS_CH_BIT_DEPTH, 0, 10000, 0, 10000 },
        { RS_CH_HOLE_DEPTH, 0, 10000, 0, 10000 },
        { RS_CH_BLOCK_POS, 0, 35, 0, 35 },
        { RS_CH_ROP, 0, 100, 0, 100 },
        { RS_CH_WOB, -10, 250, -450, 300 },
        { RS_CH_HOOK_LOAD, 100, 4500, 100, 4500 },
        { RS_CH_RPM, 0, 220, 0, 220 },
        { RS_CH_TORQUE, 0, 50, 0, 50 },
        { RS_CH_SPP, 0, 350, 0, 350 },
        { RS_CH_SPM1, 0, 200, 0, 200 },
        { RS_CH_SPM2, 0, 200, 0, 200 },
        { RS_CH_FLOW_IN, 0, 4500, 0, 4500 },
        { RS_CH_FLOW_OUT, 0, 4500, 0, 4500 },
        { RS_CH_PIT_VOLUME, 30, 200, 30, 200 },
        { RS_CH_PIT_GAIN, -1.5, 1.5, -60, 60 },
        { RS_CH_GAS, 0, 20, 0, 100 },
        { RS_CH_MUD_TEMP_IN, 5, 90, 5, 90 },
        { RS_CH_MUD_TEMP_OUT, 5, 90, 5, 90 },
        { RS_CH_MUD_DENSITY_IN, 1000, 2200, 1000, 2200 },
        { RS_CH_MUD_DENSITY_OUT, 1000, 2200, 1000, 2200 },
    };
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++) {
        double x = s->v[r[i].id];
        double lo = strict ? r[i].lo : r[i].lo_ev, hi = strict ? r[i].hi : r[i].hi_ev;
        if (!isfinite (x) || x < lo || x > hi) {
            if (s_range_reports++ < 5)
                fprintf (stderr, "  %s = %g outside [%g, %g]\n", rs_chan_info (r[i].id)->name, x, lo, hi);
            return 0;
        }
    }
    double cp = s->v[RS_CH_CASING_PRESSURE];
    if (!isnan (cp) && (!isfinite (cp) || cp < 0 || cp > 200))
        return 0;
    return 1;
}

static void
test_names (void)
{
    RS_CHECK_STR (rs_sim_state_name (RS_SIM_DRILLING), "drilling");
    RS_CHECK_STR (rs_sim_state_name (RS_SIM_TRIPPING_OUT), "tripping_out");
    RS_CHECK_STR (rs_sim_state_name (RS_SIM_SHUT_IN), "shut_in");
    RS_CHECK_STR (rs_sim_state_name (99), "unknown");
    RS_CHECK_STR (rs_sim_event_name (RS_SIM_LOST_CIRCULATION), "lost_circulation");
    RS_CHECK_INT (rs_sim_event_lookup ("bit_balling", 11), RS_SIM_BIT_BALLING);
    RS_CHECK_INT (rs_sim_event_lookup ("kick", 4), RS_SIM_KICK);
    RS_CHECK_INT (rs_sim_event_lookup ("kicks", 5), -1);
    RS_CHECK_INT (rs_sim_event_lookup ("kic", 3), -1);
    for (int i = 0; i < RS_SIM_EVENT_COUNT; i++)
        RS_CHECK (rs_sim_event_default_duration ((rs_sim_event_t) i) > 0);
}

static void
test_spec (void)
{
    RS_CHECK_INT (rs_sim_spec_check ("kick@600,washout@1800:1200"), RS_OK);
    RS_CHECK_INT (rs_sim_spec_check (" kick@600 , pack_off@0:60 "), RS_OK);
    RS_CHECK_INT (rs_sim_spec_check (""), RS_OK);
    RS_CHECK_INT (rs_sim_spec_check (NULL), RS_OK);
    RS_CHECK_INT (rs_sim_spec_check ("kick"), RS_E_FORMAT);
    RS_CHECK (strstr (rs_errmsg (), "kick@600") != NULL);
    RS_CHECK_INT (rs_sim_spec_check ("blowout@60"), RS_E_FORMAT);
    RS_CHECK (strstr (rs_errmsg (), "blowout") != NULL);
    RS_CHECK_INT (rs_sim_spec_check ("kick@-5"), RS_E_FORMAT);
    RS_CHECK_INT (rs_sim_spec_check ("kick@abc"), RS_E_FORMAT);
    RS_CHECK_INT (rs_sim_spec_check ("kick@60:0"), RS_E_FORMAT);
    RS_CHECK_INT (rs_sim_spec_check ("kick@60:x"), RS_E_FORMAT);
    RS_CHECK_INT (rs_sim_spec_check ("kick@60x"), RS_E_FORMAT);
    RS_CHECK_INT (rs_sim_spec_check ("kick@inf"), RS_E_FORMAT);
    RS_CHECK_INT (rs_sim_spec_check ("kick@nan"), RS_E_FORMAT);
    RS_CHECK_INT (rs_sim_spec_check ("kick@60"), RS_OK);
    RS_CHECK_INT (rs_sim_spec_check ("kick@x"), RS_E_FORMAT);
    char many[4096] = "";
    for (int i = 0; i < 100; i++)
        strcat (many, "kick@1,");
    RS_CHECK_INT (rs_sim_spec_check (many), RS_E_FORMAT);

    rs_sim_t *sim = rs_sim_new (NULL);
    RS_CHECK (sim != NULL);
    RS_CHECK_STR (rs_sim_well (sim), "A-01");
    RS_CHECK_INT (rs_sim_inject_spec (sim, "kick@10,oops@5"), RS_E_FORMAT);
    //  Nothing scheduled from an invalid spec: no event in a quiet hour.
    sample_t s;
    for (int i = 0; i < 3600; i++) {
        step (sim, 1, &s);
        const rs_sim_note_t *notes;
        size_t n = rs_sim_notes (sim, &notes);
        for (size_t k = 0; k < n; k++)
            RS_CHECK (notes[k].kind == RS_SIM_NOTE_STATE);
    }
    RS_CHECK_INT (rs_sim_inject (sim, (rs_sim_event_t) 99, 10, 10), 0);
    RS_CHECK_INT (rs_sim_inject (sim, RS_SIM_KICK, NAN, 10), 0);
    RS_CHECK_INT (rs_sim_inject (sim, RS_SIM_KICK, -1, 10), 0);
    RS_CHECK (rs_sim_inject (sim, RS_SIM_KICK, 10, 0) > 0);
    rs_sim_destroy (&sim);
    RS_CHECK (sim == NULL);
    rs_sim_destroy (&sim);
    rs_sim_destroy (NULL);
}

static void
test_options (void)
{
    rs_sim_opts_t o = { .start_depth_m = 50 };
    RS_CHECK (rs_sim_new (&o) == NULL);
    o.start_depth_m = NAN;
    RS_CHECK (rs_sim_new (&o) == NULL);
    o.start_depth_m = 3000;
    o.random_events_per_h = -1;
    RS_CHECK (rs_sim_new (&o) == NULL);
    o.random_events_per_h = 0;
    o.well = "B-07";
    rs_sim_t *sim = rs_sim_new (&o);
    RS_CHECK (sim != NULL);
    RS_CHECK_STR (rs_sim_well (sim), "B-07");
    rs_sim_truth_t t;
    rs_sim_truth (sim, &t);
    RS_CHECK_NEAR (t.hole_depth, 3000, 1e-9);
    RS_CHECK_NEAR (t.bit_depth, 3000, 1e-9);
    RS_CHECK_INT (rs_sim_state (sim), RS_SIM_DRILLING);
    //  A sample without advancing time.
    sample_t s;
    step (sim, 0, &s);
    RS_CHECK_INT (s.n, RS_CH_COUNT - 1);
    RS_CHECK_NEAR (rs_sim_time (sim), 0, 0);
    //  Bounded output buffer.
    rs_value_t out[5];
    RS_CHECK_INT (rs_sim_step (sim, 1, out, 5), 5);
    RS_CHECK_STR (out[0].name, "bit_depth");
    RS_CHECK_INT (out[4].id, RS_CH_WOB);
    RS_CHECK_STR (out[4].name, "wob");
    rs_sim_destroy (&sim);
}

//  24 h with no events: every physical invariant, sample by sample.
static void
test_invariants (uint64_t seed, int trip_every, double dt, int seconds)
{
    rs_sim_opts_t o = { .seed = seed, .trip_every_stands = trip_every };
    rs_sim_t *sim = rs_sim_new (&o);
    RS_CHECK (sim != NULL);
    rs_sim_truth_t t0, prev, t;
    rs_sim_truth (sim, &t0);
    prev = t0;
    int seen[RS_SIM_STATE_COUNT] = { 0 };
    rs_sim_state_t state = rs_sim_state (sim);
    seen[state] = 1;
    int bad_hole = 0, bad_bit = 0, bad_rop = 0, bad_block = 0, bad_slips = 0, bad_range = 0;
    int bad_count = 0, bad_hook = 0, bad_wob = 0, bad_flow = 0, bad_notes = 0, bad_advance = 0;
    double slips_since = -1, drill_since = -1;
    double sum_in = 0, sum_out = 0;         // steady drilling
    double sum_bal = 0, pit_first = NAN;    // metered balance until the first trip
    bool tripped = false;
    sample_t s;
    int steps = (int) (seconds / dt);
    for (int i = 0; i < steps; i++) {
        step (sim, dt, &s);
        rs_sim_truth (sim, &t);
        double now = rs_sim_time (sim);
        if (s.n != RS_CH_COUNT - 1 || !isnan (s.v[RS_CH_CASING_PRESSURE]))
            bad_count++;
        if (!in_range (&s, true) && bad_range++ < 3)
            fprintf (stderr, "  at t=%.0f (%s)\n", now, rs_sim_state_name (rs_sim_state (sim)));
        //  Depths
        if (t.hole_depth < prev.hole_depth)
            bad_hole++;
        if (t.bit_depth > t.hole_depth + 1e-9 || t.bit_depth < 0)
            bad_bit++;
        double dh = t.hole_depth - prev.hole_depth;
        if (fabs (s.v[RS_CH_ROP] - dh / dt * 3600) > 1e-6)
            bad_rop++;
        bool drilled = rs_sim_state (sim) == RS_SIM_DRILLING || state == RS_SIM_DRILLING;
        if (dh > 0 && !(drilled && s.v[RS_CH_ROP] > 0))
            bad_advance++;
        if (dh > 0 && dt <= 1 && !t.on_bottom)
            bad_advance++;
        //  Block and string move together out of slips; the bit stays put in slips.
        if (!prev.in_slips && !t.in_slips
            && fabs ((t.bit_depth - prev.bit_depth) + (t.block_pos - prev.block_pos)) > 1e-6)
            bad_block++;
        if (prev.in_slips && t.in_slips && t.bit_depth != prev.bit_depth)
            bad_slips++;
        //  Hook load ~ block weight in slips (after the filter settles).
        slips_since = t.in_slips ? (slips_since < 0 ? now : slips_since) : -1;
        if (slips_since >= 0 && now - slips_since > 15
            && fabs (s.v[RS_CH_HOOK_LOAD] - 343) > 15)
            bad_hook++;
        //  WOB: the setpoint while drilling, small and negative off bottom.
        bool drilling = rs_sim_state (sim) == RS_SIM_DRILLING;
        drill_since = drilling ? (drill_since < 0 ? now : drill_since) : -1;
        if (drilling && now - drill_since > 120 && t.spm > 0 && s.v[RS_CH_WOB] < 50)
            bad_wob++;
        if (!t.on_bottom && (s.v[RS_CH_WOB] > 3 || s.v[RS_CH_WOB] < -6))
            bad_wob++;
        //  Returns track pumped flow while drilling steadily.
        if (drilling && now - drill_since > 120 && s.v[RS_CH_FLOW_IN] > 1000) {
            sum_in += s.v[RS_CH_FLOW_IN];
            sum_out += s.v[RS_CH_FLOW_OUT];
            if (fabs (s.v[RS_CH_FLOW_OUT] - s.v[RS_CH_FLOW_IN]) > 0.08 * s.v[RS_CH_FLOW_IN])
                bad_flow++;
        }
        //  Metered pit balance before any trip (no hole fill from the pits).
        if (rs_sim_state (sim) == RS_SIM_TRIPPING_OUT)
            tripped = true;
        if (dt > 1) {
            //  The metered balance needs the steps the flows were sampled at.
        }
        else if (!tripped) {
            if (isnan (pit_first))
                pit_first = t.pit_volume;
            else
                sum_bal += (s.v[RS_CH_FLOW_OUT] - s.v[RS_CH_FLOW_IN]) * dt / 60000;
        }
        else if (!isnan (pit_first)) {
            RS_CHECK_NEAR (prev.pit_volume - pit_first, sum_bal, 0.3);
            pit_first = NAN;
            sum_bal = 0;
        }
        //  State notes chain.
        const rs_sim_note_t *notes;
        size_t n = rs_sim_notes (sim, &notes);
        for (size_t k = 0; k < n; k++) {
            if (notes[k].kind != RS_SIM_NOTE_STATE) {
                bad_notes++;
                continue;
            }
            if (notes[k].prev_state != state || notes[k].state == state)
                bad_notes++;
            state = notes[k].state;
            seen[state]++;
        }
        if (state != rs_sim_state (sim))
            bad_notes++;
        prev = t;
    }
    RS_CHECK_INT (bad_count, 0);
    RS_CHECK_INT (bad_range, 0);
    RS_CHECK_INT (bad_hole, 0);
    RS_CHECK_INT (bad_bit, 0);
    RS_CHECK_INT (bad_rop, 0);
    RS_CHECK_INT (bad_advance, 0);
    RS_CHECK_INT (bad_block, 0);
    RS_CHECK_INT (bad_slips, 0);
    RS_CHECK_INT (bad_hook, 0);
    RS_CHECK_INT (bad_wob, 0);
    RS_CHECK_INT (bad_flow, 0);
    RS_CHECK_INT (bad_notes, 0);
    RS_CHECK_INT (rs_sim_notes_dropped (sim), 0);
    RS_CHECK (sum_in > 0);
    RS_CHECK_NEAR (sum_out / sum_in, 1.0, 0.02);
    //  Drilled ahead, tripped, and went through every operating state.
    RS_CHECK (t.hole_depth - t0.hole_depth > 50.0 * seconds / DAY);
    RS_CHECK (t.trips >= 1);
    for (int i = 0; i < RS_SIM_STATE_COUNT; i++) {
        if (i == RS_SIM_SHUT_IN)
            RS_CHECK_INT (seen[i], 0);
        else if (!seen[i]) {
            RS_CHECK (seen[i] > 0);
            fprintf (stderr, "  state %s never seen\n", rs_sim_state_name (i));
        }
    }
    //  Mud conservation: pits + returns in transit change only by the hole
    //  drilled, the steel run in or pulled, and transfers.
    double expect = -t.hole_area_m2 * (t.hole_depth - t0.hole_depth)
                    + t.steel_area_m2 * (t.bit_depth - t0.bit_depth) + t.transfer_m3;
    RS_CHECK_NEAR ((t.pit_volume + t.lag_volume) - (t0.pit_volume + t0.lag_volume), expect, 1e-6);
    RS_CHECK_NEAR (t.influx_m3 + t.loss_m3 + t.vent_m3, 0, 0);
    rs_sim_destroy (&sim);
}

//  Same seed and steps: identical bytes. Another seed: a different stream.
static void
test_determinism (void)
{
    rs_sim_opts_t o = { .seed = 7, .random_events_per_h = 1 };
    rs_sim_t *a = rs_sim_new (&o), *b = rs_sim_new (&o);
    o.seed = 8;
    rs_sim_t *c = rs_sim_new (&o);
    rs_value_t va[32], vb[32], vc[32];
    int differ_ab = 0, differ_ac = 0, notes_differ = 0;
    for (int i = 0; i < 20000; i++) {
        double dt = i % 7 == 0 ? 2.5 : 1.0;
        size_t na = rs_sim_step (a, dt, va, 32);
        size_t nb = rs_sim_step (b, dt, vb, 32);
        size_t nc = rs_sim_step (c, dt, vc, 32);
        if (na != nb)
            differ_ab++;
        for (size_t k = 0; k < na && k < nb; k++)
            if (memcmp (&va[k].value, &vb[k].value, sizeof (double)) != 0 || va[k].id != vb[k].id)
                differ_ab++;
        for (size_t k = 0; k < na && k < nc; k++)
            if (va[k].value != vc[k].value)
                differ_ac++;
        const rs_sim_note_t *x, *y;
        size_t nx = rs_sim_notes (a, &x), ny = rs_sim_notes (b, &y);
        if (nx != ny)
            notes_differ++;
        for (size_t k = 0; k < nx && k < ny; k++)
            if (x[k].kind != y[k].kind || x[k].t_s != y[k].t_s || x[k].state != y[k].state
                || x[k].event_id != y[k].event_id)
                notes_differ++;
    }
    RS_CHECK_INT (differ_ab, 0);
    RS_CHECK_INT (notes_differ, 0);
    RS_CHECK (differ_ac > 10000);
    rs_sim_destroy (&a);
    rs_sim_destroy (&b);
    rs_sim_destroy (&c);
}

//  A long quiet run must not look like any event: flow out tracks flow in
//  (one-minute means), pit gain stays within the ~0.5 m3 flowback swing.
static void
test_quiet (uint64_t seed, int hours)
{
    rs_sim_opts_t o = { .seed = seed };
    rs_sim_t *sim = rs_sim_new (&o);
    sample_t s;
    double win_in = 0, win_out = 0;
    int win_n = 0, bad_window = 0, bad_gain = 0, bad_range = 0, events = 0;
    double steady_since = -1, gain_max = -1e9, gain_min = 1e9, prev_spm = 0;
    for (int i = 0; i < hours * 3600; i++) {
        step (sim, 1, &s);
        double now = rs_sim_time (sim);
        if (!in_range (&s, true))
            bad_range++;
        const rs_sim_note_t *notes;
        size_t n = rs_sim_notes (sim, &notes);
        for (size_t k = 0; k < n; k++)
            if (notes[k].kind != RS_SIM_NOTE_STATE)
                events++;
        double g = s.v[RS_CH_PIT_GAIN];
        gain_max = fmax (gain_max, g);
        gain_min = fmin (gain_min, g);
        if (fabs (g) > 1.0)
            bad_gain++;
        rs_sim_truth_t t;
        rs_sim_truth (sim, &t);
        bool full = s.v[RS_CH_FLOW_IN] > 1000 && t.spm == prev_spm;
        prev_spm = t.spm;
        steady_since = full ? (steady_since < 0 ? now : steady_since) : -1;
        if (steady_since >= 0 && now - steady_since > 120) {
            win_in += s.v[RS_CH_FLOW_IN];
            win_out += s.v[RS_CH_FLOW_OUT];
            if (++win_n == 60) {
                if (fabs (win_out / win_in - 1) > 0.03 && bad_window++ < 3)
                    fprintf (stderr, "  t=%.0f %s: flow out/in over a minute %.3f\n", now,
                             rs_sim_state_name (rs_sim_state (sim)), win_out / win_in);
                win_in = win_out = 0;
                win_n = 0;
            }
        }
        else
            win_in = win_out = win_n = 0;
    }
    RS_CHECK_INT (events, 0);
    RS_CHECK_INT (bad_range, 0);
    RS_CHECK_INT (bad_gain, 0);
    RS_CHECK_INT (bad_window, 0);
    RS_CHECK (gain_max - gain_min < 1.5);
    rs_sim_destroy (&sim);
}

//  Runs one injected event and collects what the channels did around it.
typedef struct {
    rs_sim_event_t type;
    uint64_t id;
    double t_start, t_end;
    int starts, ends;
    bool shut_in_seen, casing_seen, reopened;
    double casing_max;
    //  before: the 10 min before the start, while drilling
    double pre_rop, pre_wob, pre_torque, pre_hook, pre_spp, pre_gain;
    //  during
    double max_gain, min_gain, gain_end, max_hook, max_torque, max_spp, max_gas;
    double bit_min, bit_max, hole_min, hole_max;
    double in_sum, out_sum;                 // pumping samples, second half
    double late_rop, late_wob, late_torque; // last 30 %
    double spp_early, spp_late;             // at full strokes: first / last 3 min
    double gain_after;                      // an hour after the end
} ev_run_t;

static void
run_event (rs_sim_event_t type, double start, double dur, ev_run_t *r)
{
    memset (r, 0, sizeof *r);
    r->type = type;
    r->t_start = r->t_end = -1;
    rs_sim_opts_t o = { .seed = 42, .trip_every_stands = -1 };
    rs_sim_t *sim = rs_sim_new (&o);
    r->id = rs_sim_inject (sim, type, start, dur);
    RS_CHECK (r->id > 0);
    sample_t s;
    int pre_n = 0, late_n = 0, early_n = 0, late_spp_n = 0;
    double spm_full = 0;
    r->max_gain = r->max_hook = r->max_torque = r->max_spp = r->max_gas = -1e9;
    r->min_gain = r->bit_min = r->hole_min = 1e9;
    r->bit_max = r->hole_max = -1e9;
    //  Keep the last 10 min of drilling samples to compute "before".
    enum { H = 600 };
    static sample_t hist[H];
    static bool hist_drill[H];
    int hn = 0;
    //  Two passes would need the start time in advance: it is deferred until
    //  applicable, so run once and branch on the notes.
    for (int i = 0; i < 6 * 3600; i++) {
        step (sim, 1, &s);
        double now = rs_sim_time (sim);
        rs_sim_truth_t t;
        rs_sim_truth (sim, &t);
        const rs_sim_note_t *notes;
        size_t n = rs_sim_notes (sim, &notes);
        for (size_t k = 0; k < n; k++) {
            if (notes[k].kind == RS_SIM_NOTE_EVENT_START) {
                r->starts++;
                RS_CHECK_INT (notes[k].event_id, r->id);
                RS_CHECK_INT (notes[k].type, type);
                RS_CHECK (!notes[k].random);
                RS_CHECK_NEAR (notes[k].duration_s, dur, 1e-9);
                r->t_start = notes[k].t_s;
                for (int j = 0; j < hn && j < H; j++) {
                    if (!hist_drill[j])
                        continue;
                    r->pre_rop += hist[j].v[RS_CH_ROP];
                    r->pre_wob += hist[j].v[RS_CH_WOB];
                    r->pre_torque += hist[j].v[RS_CH_TORQUE];
                    r->pre_hook += hist[j].v[RS_CH_HOOK_LOAD];
                    r->pre_spp += hist[j].v[RS_CH_SPP];
                    pre_n++;
                }
                if (pre_n) {
                    r->pre_rop /= pre_n;
                    r->pre_wob /= pre_n;
                    r->pre_torque /= pre_n;
                    r->pre_hook /= pre_n;
                    r->pre_spp /= pre_n;
                }
                r->pre_gain = s.v[RS_CH_PIT_GAIN];
                spm_full = t.spm;
            }
            else if (notes[k].kind == RS_SIM_NOTE_EVENT_END) {
                r->ends++;
                RS_CHECK_INT (notes[k].event_id, r->id);
                r->t_end = notes[k].t_s;
                r->gain_end = s.v[RS_CH_PIT_GAIN];
                RS_CHECK_NEAR (r->t_end - r->t_start, dur, 1.0);
            }
            else if (notes[k].state == RS_SIM_SHUT_IN)
                r->shut_in_seen = true;
            else if (notes[k].prev_state == RS_SIM_SHUT_IN)
                r->reopened = true;
        }
        bool active = rs_sim_event_active (sim, type);
        if (r->t_start < 0) {
            hist[hn % H] = s;
            hist_drill[hn % H] = rs_sim_state (sim) == RS_SIM_DRILLING;
            hn++;
        }
        if (!isnan (s.v[RS_CH_CASING_PRESSURE])) {
            RS_CHECK_INT (rs_sim_state (sim), RS_SIM_SHUT_IN);
            r->casing_seen = true;
            r->casing_max = fmax (r->casing_max, s.v[RS_CH_CASING_PRESSURE]);
        }
        else
            RS_CHECK (rs_sim_state (sim) != RS_SIM_SHUT_IN);
        if (r->t_end > 0 && now - r->t_end >= 3600 && now - r->t_end < 3601)
            r->gain_after = s.v[RS_CH_PIT_GAIN];
        if (!active)
            continue;
        double el = now - r->t_start;
        r->max_gain = fmax (r->max_gain, s.v[RS_CH_PIT_GAIN]);
        r->min_gain = fmin (r->min_gain, s.v[RS_CH_PIT_GAIN]);
        r->max_hook = fmax (r->max_hook, s.v[RS_CH_HOOK_LOAD]);
        r->max_torque = fmax (r->max_torque, s.v[RS_CH_TORQUE]);
        r->max_spp = fmax (r->max_spp, s.v[RS_CH_SPP]);
        r->max_gas = fmax (r->max_gas, s.v[RS_CH_GAS]);
        r->bit_min = fmin (r->bit_min, t.bit_depth);
        r->bit_max = fmax (r->bit_max, t.bit_depth);
        r->hole_min = fmin (r->hole_min, t.hole_depth);
        r->hole_max = fmax (r->hole_max, t.hole_depth);
        if (el > dur / 2 && s.v[RS_CH_FLOW_IN] > 1000) {
            r->in_sum += s.v[RS_CH_FLOW_IN];
            r->out_sum += s.v[RS_CH_FLOW_OUT];
        }
        if (el > 0.7 * dur && rs_sim_state (sim) == RS_SIM_DRILLING) {
            r->late_rop += s.v[RS_CH_ROP];
            r->late_wob += s.v[RS_CH_WOB];
            r->late_torque += s.v[RS_CH_TORQUE];
            late_n++;
        }
        bool full = fabs (t.spm - spm_full) < 0.01;
        if (full && el < 180) {
            r->spp_early += s.v[RS_CH_SPP];
            early_n++;
        }
        if (full && el > dur - 180) {
            r->spp_late += s.v[RS_CH_SPP];
            late_spp_n++;
        }
    }
    if (late_n) {
        r->late_rop /= late_n;
        r->late_wob /= late_n;
        r->late_torque /= late_n;
    }
    r->spp_early = early_n ? r->spp_early / early_n : NAN;
    r->spp_late = late_spp_n ? r->spp_late / late_spp_n : NAN;
    RS_CHECK (pre_n > 60);
    RS_CHECK_INT (r->starts, 1);
    RS_CHECK_INT (r->ends, 1);
    RS_CHECK_INT (rs_sim_notes_dropped (sim), 0);
    RS_CHECK (!rs_sim_event_active (sim, type));
    rs_sim_destroy (&sim);
}

static void
test_events (void)
{
    ev_run_t r;

    run_event (RS_SIM_KICK, 3600, 480, &r);
    RS_CHECK (r.max_gain - r.pre_gain > 1.0);
    RS_CHECK (r.max_gain - r.pre_gain < 4.0);
    RS_CHECK (r.out_sum > 1.10 * r.in_sum);
    RS_CHECK (r.max_gas > 5);
    RS_CHECK (r.shut_in_seen && r.casing_seen && r.reopened);
    RS_CHECK (r.casing_max > 10);
    //  The influx is circulated out: the gain is back near zero later.
    RS_CHECK (fabs (r.gain_after) < 1.0);

    run_event (RS_SIM_LOST_CIRCULATION, 3600, 900, &r);
    RS_CHECK (r.gain_end - r.pre_gain < -1.0);
    RS_CHECK (r.out_sum < 0.92 * r.in_sum);
    RS_CHECK (!r.shut_in_seen);

    run_event (RS_SIM_WASHOUT, 3600, 1200, &r);
    RS_CHECK (isfinite (r.spp_early) && isfinite (r.spp_late));
    RS_CHECK (r.spp_late < 0.92 * r.spp_early);
    RS_CHECK (fabs (r.gain_end - r.pre_gain) < 1.0);
    RS_CHECK_NEAR (r.out_sum / r.in_sum, 1.0, 0.03);

    run_event (RS_SIM_STUCK_PIPE, 3600, 900, &r);
    RS_CHECK (r.bit_max - r.bit_min < 1e-9);
    RS_CHECK (r.hole_max - r.hole_min < 1e-9);
    RS_CHECK (r.max_hook > r.pre_hook + 150);
    RS_CHECK (r.max_torque > 1.3 * r.pre_torque);

    run_event (RS_SIM_PACK_OFF, 3600, 300, &r);
    RS_CHECK (r.max_spp > 1.10 * r.pre_spp);
    RS_CHECK (r.max_torque > 1.2 * r.pre_torque);
    RS_CHECK (r.out_sum < 0.9 * r.in_sum);

    run_event (RS_SIM_BIT_BALLING, 3600, 1800, &r);
    RS_CHECK (r.late_rop < 0.6 * r.pre_rop);
    RS_CHECK (r.late_wob > 0.95 * r.pre_wob);
    RS_CHECK (r.late_torque < r.pre_torque);
}

//  Stuck pipe while tripping: no movement, overpull.
static void
test_stuck_tripping (void)
{
    rs_sim_opts_t o = { .seed = 3, .trip_every_stands = 1 };
    rs_sim_t *sim = rs_sim_new (&o);
    sample_t s;
    int i = 0;
    while (rs_sim_state (sim) != RS_SIM_TRIPPING_OUT && i++ < 3 * 3600)
        step (sim, 1, &s);
    RS_CHECK_INT (rs_sim_state (sim), RS_SIM_TRIPPING_OUT);
    rs_sim_inject (sim, RS_SIM_STUCK_PIPE, rs_sim_time (sim), 600);
    step (sim, 1, &s);
    RS_CHECK (rs_sim_event_active (sim, RS_SIM_STUCK_PIPE));
    rs_sim_truth_t t0, t;
    rs_sim_truth (sim, &t0);
    double hook_max = 0;
    for (int k = 0; k < 590; k++) {
        step (sim, 1, &s);
        hook_max = fmax (hook_max, s.v[RS_CH_HOOK_LOAD]);
    }
    rs_sim_truth (sim, &t);
    RS_CHECK (t.stuck);
    RS_CHECK_NEAR (t.bit_depth, t0.bit_depth, 1e-9);
    RS_CHECK_NEAR (t.block_pos, t0.block_pos, 1e-9);
    RS_CHECK (hook_max > 343 + 0.85 * 9.81 * 0.032 * t.bit_depth + 150);
    for (int k = 0; k < 600; k++)
        step (sim, 1, &s);
    rs_sim_truth (sim, &t);
    RS_CHECK (!t.stuck);
    RS_CHECK (t.bit_depth < t0.bit_depth);
    rs_sim_destroy (&sim);
}

//  Random events over two days: every start ends, invariants hold.
static void
test_random_events (void)
{
    rs_sim_opts_t o = { .seed = 11, .random_events_per_h = 1 };
    rs_sim_t *sim = rs_sim_new (&o);
    sample_t s;
    int starts = 0, ends = 0, bad = 0, bad_range = 0, open = 0;
    int per_type[RS_SIM_EVENT_COUNT] = { 0 };
    rs_sim_truth_t prev, t;
    rs_sim_truth (sim, &prev);
    for (int i = 0; i < 2 * DAY; i++) {
        step (sim, 1, &s);
        rs_sim_truth (sim, &t);
        if (t.hole_depth < prev.hole_depth || t.bit_depth > t.hole_depth + 1e-9)
            bad++;
        if (!(s.v[RS_CH_PIT_VOLUME] >= 30 && s.v[RS_CH_PIT_VOLUME] <= 200))
            bad++;
        if (!in_range (&s, false))
            bad_range++;
        const rs_sim_note_t *notes;
        size_t n = rs_sim_notes (sim, &notes);
        for (size_t k = 0; k < n; k++) {
            if (notes[k].kind == RS_SIM_NOTE_EVENT_START) {
                starts++;
                open++;
                per_type[notes[k].type]++;
                RS_CHECK (notes[k].random);
            }
            else if (notes[k].kind == RS_SIM_NOTE_EVENT_END) {
                ends++;
                open--;
            }
        }
        if ((open < 0 || open > 1) && bad++ < 3)
            fprintf (stderr, "  t=%.0f: %d events open\n", rs_sim_time (sim), open);
        prev = t;
    }
    RS_CHECK_INT (bad, 0);
    RS_CHECK_INT (bad_range, 0);
    RS_CHECK (starts >= 15 && starts <= 60);
    RS_CHECK (ends >= starts - 1 && ends <= starts);
    int types = 0;
    for (int i = 0; i < RS_SIM_EVENT_COUNT; i++)
        types += per_type[i] > 0;
    RS_CHECK (types >= 4);
    RS_CHECK_INT (rs_sim_notes_dropped (sim), 0);
    rs_sim_destroy (&sim);
}

//  Many seeds and depths with random events: ranges, depths, conservation.
static void
test_sweep (void)
{
    static const double depths[] = { 150, 800, 2500, 4500, 6500, 8000 };
    int bad_range = 0, bad_depth = 0;
    for (int i = 0; i < 12; i++) {
        rs_sim_opts_t o = { .seed = 1000 + (uint64_t) i, .start_depth_m = depths[i % 6],
                            .random_events_per_h = 2 };
        rs_sim_t *sim = rs_sim_new (&o);
        RS_CHECK (sim != NULL);
        rs_sim_truth_t t0, prev, t;
        rs_sim_truth (sim, &t0);
        prev = t0;
        sample_t s;
        for (int k = 0; k < 12 * 3600; k++) {
            step (sim, 1, &s);
            rs_sim_truth (sim, &t);
            if (!in_range (&s, false) && bad_range++ < 3)
                fprintf (stderr, "  seed %d depth %.0f t=%.0f %s\n", 1000 + i, depths[i % 6],
                         rs_sim_time (sim), rs_sim_state_name (rs_sim_state (sim)));
            if (t.hole_depth < prev.hole_depth || t.bit_depth > t.hole_depth + 1e-9 || t.bit_depth < 0)
                bad_depth++;
            prev = t;
        }
        double expect = -t.hole_area_m2 * (t.hole_depth - t0.hole_depth)
                        + t.steel_area_m2 * (t.bit_depth - t0.bit_depth)
                        + t.transfer_m3 + t.influx_m3 - t.loss_m3 - t.vent_m3
                        - (t.balloon_m3 - t0.balloon_m3);
        RS_CHECK_NEAR ((t.pit_volume + t.lag_volume) - (t0.pit_volume + t0.lag_volume), expect, 1e-6);
        RS_CHECK (t.hole_depth > t0.hole_depth);
        RS_CHECK_INT (rs_sim_notes_dropped (sim), 0);
        rs_sim_destroy (&sim);
    }
    RS_CHECK_INT (bad_range, 0);
    RS_CHECK_INT (bad_depth, 0);
}

//  --vary: each seed its own rig within the documented ranges, the demo rig
//  without it; the mass balance holds whatever the rig; event sizes span the
//  range below and above the detection limits.
static void
test_vary (void)
{
    rs_sim_rig_t demo;
    rs_sim_opts_t d = { .seed = 3 };
    rs_sim_t *sim = rs_sim_new (&d);
    rs_sim_rig (sim, &demo);
    RS_CHECK_NEAR (demo.bit_diameter_m, 0.2159, 1e-9);
    RS_CHECK_NEAR (demo.flowline_lag_s, 15, 1e-9);
    RS_CHECK_NEAR (demo.stand_m, 27.432, 1e-9);
    rs_sim_destroy (&sim);
    double lag_lo = 1e9, lag_hi = 0, bit_lo = 1e9, bit_hi = 0, kick_lo = 1, kick_hi = 0;
    int kicks = 0;
    for (int seed = 1; seed <= 40; seed++) {
        rs_sim_opts_t o = { .seed = (uint64_t) seed, .vary = true, .random_events_per_h = 2 };
        sim = rs_sim_new (&o);
        RS_CHECK (sim != NULL);
        if (!sim)
            continue;
        rs_sim_rig_t g;
        rs_sim_rig (sim, &g);
        RS_CHECK (g.bit_diameter_m >= 6 * 0.0254 - 1e-9 && g.bit_diameter_m <= 17.5 * 0.0254 + 1e-9);
        RS_CHECK (g.flowline_lag_s >= 5 - 1e-9 && g.flowline_lag_s <= 60 + 1e-9);
        RS_CHECK (g.stand_m >= 18 && g.stand_m <= 29);
        RS_CHECK (g.spp_exp >= 1.7 && g.spp_exp <= 2.0);
        RS_CHECK (g.pipe_od_m <= 0.6 * g.bit_diameter_m + 1e-9 || g.pipe_od_m <= 3.5 * 0.0254 + 1e-9);
        lag_lo = fmin (lag_lo, g.flowline_lag_s);
        lag_hi = fmax (lag_hi, g.flowline_lag_s);
        bit_lo = fmin (bit_lo, g.bit_diameter_m);
        bit_hi = fmax (bit_hi, g.bit_diameter_m);
        rs_sim_truth_t t0, t;
        rs_sim_truth (sim, &t0);
        rs_value_t v[RS_CH_COUNT + 4];
        for (int i = 0; i < 6 * 3600; i += 5) {
            rs_sim_step (sim, 5, v, RS_CH_COUNT + 4);
            const rs_sim_note_t *notes;
            size_t nn = rs_sim_notes (sim, &notes);
            for (size_t k = 0; k < nn; k++)
                if (notes[k].kind == RS_SIM_NOTE_EVENT_START && notes[k].type == RS_SIM_KICK) {
                    kicks++;
                    kick_lo = fmin (kick_lo, notes[k].size);
                    kick_hi = fmax (kick_hi, notes[k].size);
                    RS_CHECK (notes[k].size >= 0.005 && notes[k].size <= 0.30);
                }
        }
        rs_sim_truth (sim, &t);
        double expect = -t.hole_area_m2 * (t.hole_depth - t0.hole_depth)
                        + t.steel_area_m2 * (t.bit_depth - t0.bit_depth)
                        + t.transfer_m3 + t.influx_m3 - t.loss_m3 - t.vent_m3
                        - (t.balloon_m3 - t0.balloon_m3);
        RS_CHECK_NEAR ((t.pit_volume + t.lag_volume) - (t0.pit_volume + t0.lag_volume), expect, 1e-6);
        rs_sim_destroy (&sim);
    }
    //  40 seeds spread over the ranges, not stuck at one value.
    RS_CHECK (lag_hi - lag_lo > 20);
    RS_CHECK (bit_hi - bit_lo > 0.1);
    RS_CHECK (kicks >= 5 && kick_hi / kick_lo > 5);
}

//  --vary: the hook load read as a deadline sensor reads it. In the slips
//  the hook holds the block alone, and the reading falls as the block rises
//  (the drilling line's weight, 0.2-1.2 kN/m); some cells read in steps.
static void
test_hook_sensor (void)
{
    int rigs = 0, falling = 0, stepped = 0;
    for (int seed = 1; seed <= 16; seed++) {
        rs_sim_opts_t o = { .seed = (uint64_t) seed, .vary = true };
        rs_sim_t *sim = rs_sim_new (&o);
        RS_CHECK (sim != NULL);
        if (!sim)
            continue;
        //  Least squares of the reading on the block's height in the slips.
        //  After the hook's own lag has settled (15 s in the slips).
        double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        bool steps = true;
        int slips_s = 0;
        for (int i = 0; i < 6 * 3600; i++) {
            sample_t s;
            step (sim, 1, &s);
            rs_sim_truth_t t;
            rs_sim_truth (sim, &t);
            double x = s.v[RS_CH_BLOCK_POS], y = s.v[RS_CH_HOOK_LOAD];
            steps = steps && fabs (y / 3.85 - round (y / 3.85)) < 1e-6;
            slips_s = t.in_slips ? slips_s + 1 : 0;
            if (slips_s > 15) {
                n++;
                sx += x;
                sy += y;
                sxx += x * x;
                sxy += x * y;
            }
        }
        double var = sxx / n - (sx / n) * (sx / n);
        if (n > 100 && var > 25) {
            rigs++;
            double slope = (sxy / n - sx / n * sy / n) / var;
            falling += slope < -0.1 && slope > -1.5;
        }
        stepped += steps;
        rs_sim_destroy (&sim);
    }
    RS_CHECK (rigs >= 8);
    RS_CHECK_INT (falling, rigs);
    RS_CHECK (stepped >= 1 && stepped < 16);
}

//  Sensor faults: announced by notes, applied to the readings only.
static void
test_faults (void)
{
    rs_sim_opts_t o = { .seed = 9, .faults_per_h = 2 };
    rs_sim_t *sim = rs_sim_new (&o);
    rs_value_t v[RS_CH_COUNT + 4];
    int started = 0, ended = 0, pinned_ok = 0, pinned_bad = 0, wob_faults = 0;
    bool active = false;
    rs_simfault_kind_t kind = RS_SIMFAULT_COUNT;
    int channel = -1;
    for (int i = 0; i < 24 * 3600; i++) {
        size_t n = rs_sim_step (sim, 1, v, RS_CH_COUNT + 4);
        const rs_sim_note_t *notes;
        size_t nn = rs_sim_notes (sim, &notes);
        for (size_t k = 0; k < nn; k++) {
            if (notes[k].kind == RS_SIM_NOTE_FAULT_START) {
                started++;
                active = true;
                kind = notes[k].fault;
                channel = notes[k].channel;
                wob_faults += kind == RS_SIMFAULT_WOB_PINNED;
            }
            else if (notes[k].kind == RS_SIM_NOTE_FAULT_END) {
                ended++;
                active = false;
            }
        }
        for (size_t k = 0; active && k < n; k++)
            if (v[k].id == channel && kind == RS_SIMFAULT_WOB_PINNED) {
                if (v[k].value <= -60 && v[k].value >= -120)
                    pinned_ok++;
                else
                    pinned_bad++;
            }
            else if (v[k].id == channel && kind == RS_SIMFAULT_ZEROS && v[k].value != 0)
                pinned_bad++;
    }
    RS_CHECK (started >= 10);
    RS_CHECK (ended >= started - 1);
    RS_CHECK_INT (pinned_bad, 0);
    RS_CHECK_STR (rs_simfault_name (RS_SIMFAULT_WOB_PINNED), "wob_pinned");
    RS_CHECK (wob_faults == 0 || pinned_ok > 0);
    rs_sim_destroy (&sim);
}

//  A stale WOB zero: the reading is off the same well's fault-free reading
//  by one constant of 20-80 kN, either way, for the fault's length.
static void
test_wob_offset (void)
{
    rs_sim_opts_t o = { .seed = 9, .faults_per_h = 2 }, c = { .seed = 9 };
    rs_sim_t *sim = rs_sim_new (&o), *clean = rs_sim_new (&c);
    rs_value_t v[RS_CH_COUNT + 4], w[RS_CH_COUNT + 4];
    int faults = 0, samples = 0, bad = 0;
    bool active = false;
    double offset = NAN;
    for (int i = 0; i < 48 * 3600; i++) {
        size_t n = rs_sim_step (sim, 1, v, RS_CH_COUNT + 4);
        size_t m = rs_sim_step (clean, 1, w, RS_CH_COUNT + 4);
        const rs_sim_note_t *notes;
        size_t nn = rs_sim_notes (sim, &notes);
        for (size_t k = 0; k < nn; k++)
            if (notes[k].kind == RS_SIM_NOTE_FAULT_START || notes[k].kind == RS_SIM_NOTE_FAULT_END) {
                active = notes[k].kind == RS_SIM_NOTE_FAULT_START && notes[k].fault == RS_SIMFAULT_WOB_OFFSET;
                faults += active;
                offset = NAN;
            }
        for (size_t k = 0; active && k < n && k < m; k++)
            if (v[k].id == RS_CH_WOB && w[k].id == RS_CH_WOB) {
                double d = v[k].value - w[k].value;
                if (isnan (offset))
                    offset = d;
                samples++;
                bad += fabs (d - offset) > 1e-9 || fabs (d) < 20 || fabs (d) > 80;
            }
    }
    RS_CHECK (faults > 0 && samples > 0);
    RS_CHECK_INT (bad, 0);
    RS_CHECK_STR (rs_simfault_name (RS_SIMFAULT_WOB_OFFSET), "wob_offset");
    rs_sim_destroy (&sim);
    rs_sim_destroy (&clean);
}

int
main (void)
{
    test_vary ();
    test_hook_sensor ();
    test_faults ();
    test_wob_offset ();
    test_names ();
    test_spec ();
    test_options ();
    test_invariants (42, 4, 1.0, DAY);
    test_invariants (1234, 3, 1.0, DAY);
    test_invariants (5, 4, 7.0, DAY);
    test_invariants (77, 2, 0.25, DAY / 2);
    test_determinism ();
    test_quiet (42, 48);
    test_quiet (99, 48);
    test_events ();
    test_stuck_tripping ();
    test_random_events ();
    test_sweep ();
    return RS_TEST_DONE ();
}
