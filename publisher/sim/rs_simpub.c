/*  rs_simpub: rigstream-sim's publishing side (see rs_simpub.h). */
#include "rs_simpub.h"

#include <math.h>
#include <stdio.h>
#include <time.h>

#include "rs_channels.h"
#include "rs_log.h"
#include "rs_signal.h"

static void
s_publish_notes (rs_simpub_t *self, rs_sim_t *w)
{
    const rs_sim_note_t *notes;
    size_t n = rs_sim_notes (w, &notes);
    const char *well = rs_sim_well (w);
    for (size_t i = 0; i < n; i++) {
        const rs_sim_note_t *note = &notes[i];
        int64_t ts = self->start_us + llround (note->t_s * 1e6);
        char text[128];
        int rc;
        if (note->kind == RS_SIM_NOTE_STATE) {
            snprintf (text, sizeof text, "from %s", rs_sim_state_name (note->prev_state));
            rc = rs_pub_event (self->pub, well, ts, "rig_state", "change", 0, text,
                               rs_sim_state_name (note->state));
        }
        else if (note->kind == RS_SIM_NOTE_FAULT_START || note->kind == RS_SIM_NOTE_FAULT_END) {
            bool start = note->kind == RS_SIM_NOTE_FAULT_START;
            snprintf (text, sizeof text, "%s on %s, duration_s=%.0f", rs_simfault_name (note->fault),
                      rs_chan_info (note->channel)->name, note->duration_s);
            rc = rs_pub_event (self->pub, well, ts, "sensor_fault", start ? "start" : "end", 0, text, NULL);
        }
        else {
            bool start = note->kind == RS_SIM_NOTE_EVENT_START;
            snprintf (text, sizeof text, "%s, duration_s=%.0f, %s=%.4g", note->random ? "random" : "injected",
                      note->duration_s, rs_sim_event_unit (note->type), note->size);
            rc = rs_pub_event (self->pub, well, ts, rs_sim_event_name (note->type),
                               start ? "start" : "end", note->event_id, text, NULL);
            rs_info ("%s: %s %s (id %llu, t=%.0f s)", well, rs_sim_event_name (note->type),
                     start ? "start" : "end", (unsigned long long) note->event_id, note->t_s);
        }
        if (rc == 0)
            self->events++;
        else
            self->errors++;
    }
}

static void
s_tick (rs_simpub_t *self)
{
    rs_value_t values[RS_CH_COUNT];
    for (int i = 0; i < self->n_wells; i++) {
        rs_sim_t *w = self->wells[i];
        size_t n = rs_sim_step (w, self->dt, values, RS_CH_COUNT);
        s_publish_notes (self, w);
        int64_t ts = self->start_us + llround (rs_sim_time (w) * 1e6);
        if (rs_pub_sample (self->pub, rs_sim_well (w), ts, values, n) == 0)
            self->samples++;
        else
            self->errors++;
    }
}

static void
s_heartbeat_at (rs_simpub_t *self, int64_t now_ms, const char *state)
{
    double secs = (now_ms - self->hb_ms) / 1000.0;
    uint64_t dropped = 0;
    for (int i = 0; i < self->n_wells; i++)
        dropped += rs_sim_notes_dropped (self->wells[i]);
    double rate = secs > 0 ? (self->samples - self->hb_samples) / secs : 0;
    rs_value_t stats[] = {
        { "samples", RS_CH_UNKNOWN, (double) self->samples },
        { "rate", RS_CH_UNKNOWN, rate },
        { "wells", RS_CH_UNKNOWN, self->n_wells },
        { "sim_time_s", RS_CH_UNKNOWN, rs_sim_time (self->wells[0]) },
        { "events", RS_CH_UNKNOWN, (double) self->events },
        { "errors", RS_CH_UNKNOWN, (double) self->errors },
        { "late_ticks", RS_CH_UNKNOWN, (double) self->late },
        { "notes_dropped", RS_CH_UNKNOWN, (double) dropped },
    };
    rs_text_t info[] = {
        { "state", state },
        { "endpoint", self->endpoint },
        { "rate", self->rate_text },
        { "version", RS_VERSION },
    };
    rs_pub_heartbeat (self->pub, stats, sizeof stats / sizeof stats[0], info, sizeof info / sizeof info[0]);
    rs_pub_ready (self->pub);
    self->hb_ms = now_ms;
    self->hb_samples = self->samples;
}

static int64_t
s_mono_ns (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

//  One loop: samples on a fixed schedule (absolute deadlines, so no drift)
//  or back to back at max rate, and heartbeats on their own deadline, so a
//  slow sample rate does not slow the heartbeats down.
void
rs_simpub_run (rs_simpub_t *self, double rate, uint64_t count, int heartbeat_ms)
{
    int64_t period_ns = rate > 0 ? (int64_t) llround (1e9 / rate) : 0;
    int64_t hb_ns = (int64_t) heartbeat_ms * 1000000;
    int64_t now = s_mono_ns ();
    int64_t next_tick = now, next_hb = now;
    self->hb_ms = now / 1000000;
    uint64_t ticks = 0;
    while (!rs_signal_stopping () && (count == 0 || ticks < count)) {
        if (period_ns == 0 || now >= next_tick) {
            s_tick (self);
            ticks++;
            next_tick += period_ns;
            if (period_ns > 0 && now - next_tick > 1000000000) {
                self->late++;
                next_tick = now + period_ns;
            }
            //  At max rate the clock is read every 64 samples only.
            if (period_ns == 0 && (ticks & 63) != 0)
                continue;
        }
        now = s_mono_ns ();
        if (now >= next_hb) {
            s_heartbeat_at (self, now / 1000000, "running");
            next_hb = now + hb_ns;
        }
        if (period_ns == 0)
            continue;
        int64_t wake = next_tick < next_hb ? next_tick : next_hb;
        if (wake > now) {
            struct timespec ts = { .tv_sec = (time_t) (wake / 1000000000), .tv_nsec = (long) (wake % 1000000000) };
            clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);   // EINTR: the loop checks for a stop
            now = s_mono_ns ();
        }
    }
}

void
rs_simpub_heartbeat (rs_simpub_t *self, const char *state)
{
    s_heartbeat_at (self, s_mono_ns () / 1000000, state);
}

void
rs_simpub_start (rs_simpub_t *self, int64_t start_us)
{
    self->start_us = start_us;
    for (int i = 0; i < self->n_wells; i++)
        rs_pub_event (self->pub, rs_sim_well (self->wells[i]), start_us, "rig_state", "change", 0, "initial",
                      rs_sim_state_name (rs_sim_state (self->wells[i])));
}
