/*  rs_pace: the pacing arithmetic of rigstream-replay, shared. A row is due
    at start + (its log time - the first row's) / speed; nothing else keeps
    state, so a late row never delays the ones after it. */
#include "rs_pace.h"

#include <stdio.h>
#include <time.h>

#include "rs_clock.h"
#include "rs_config.h"
#include "rs_signal.h"

void
rs_pace_init (rs_pace_t *self, double speed, bool sync, int64_t start_us)
{
    *self = (rs_pace_t) { .speed = speed, .sync = sync, .start_us = start_us };
}

rs_err_t
rs_pace_config (rs_pace_t *self, rs_config_t *cfg)
{
    int64_t start_us = 0;
    const char *start = rs_config_str (cfg, "start");
    if (start && *start && rs_clock_parse (start, &start_us) != 0)
        return rs_err_set (RS_E_CONFIG, "invalid --start \"%s\": expected an ISO 8601 time", start);
    bool fast = rs_config_bool (cfg, "fast"), sync = rs_config_bool (cfg, "clock-sync");
    //  --fast wins over --clock-sync's real time, but the times still move to now.
    rs_pace_init (self, fast ? 0 : sync ? 1 : rs_config_double (cfg, "speed"), sync, start_us);
    return RS_OK;
}

const char *
rs_pace_mode (const rs_pace_t *self)
{
    return self->speed <= 0 ? "as fast as possible" : self->sync ? "clock-synchronised" : "at a speed factor";
}

void
rs_pace_set_tick (rs_pace_t *self, rs_pace_tick_fn *fn, void *arg)
{
    self->tick = fn;
    self->tick_arg = arg;
    self->next_tick_ms = 0;
}

static int64_t
s_heartbeat_tick (void *arg, int64_t now_ms)
{
    rs_pace_t *self = (rs_pace_t *) arg;
    self->heartbeat (self->heartbeat_pub, "running", self->heartbeat_arg);
    return now_ms + self->heartbeat_ms;
}

void
rs_pace_set_heartbeat (rs_pace_t *self, rs_pub_t *pub, int every_ms, rs_pace_heartbeat_fn *fn, void *arg)
{
    self->heartbeat = fn;
    self->heartbeat_pub = pub;
    self->heartbeat_arg = arg;
    self->heartbeat_ms = every_ms;
    rs_pace_set_tick (self, s_heartbeat_tick, self);
}

bool
rs_pace_row (rs_pace_t *self, int64_t ts_us, int64_t now_ms, int64_t now_us, int64_t *due_ms)
{
    if (self->start_us && ts_us < self->start_us) {
        self->skipped++;
        return false;
    }
    if (!self->started) {
        self->started = true;
        self->first_ts = ts_us;
        self->start_ms = now_ms;
        if (self->sync)
            self->shift_us = now_us - ts_us;
    }
    *due_ms = self->speed > 0
            ? self->start_ms + (int64_t) ((double) (ts_us - self->first_ts) / 1000.0 / self->speed)
            : now_ms;
    return true;
}

int64_t
rs_pace_ts (const rs_pace_t *self, int64_t ts_us)
{
    return ts_us + self->shift_us;
}

bool
rs_pace_wait (rs_pace_t *self, int64_t due_ms)
{
    int64_t now = rs_clock_mono_ms ();
    for (;;) {
        if (self->tick && now >= self->next_tick_ms)
            self->next_tick_ms = self->tick (self->tick_arg, now);
        if (self->speed <= 0 || now >= due_ms || rs_signal_stopping ())
            break;
        int64_t wake = self->tick && self->next_tick_ms < due_ms ? self->next_tick_ms : due_ms;
        int64_t ms = wake > now ? wake - now : 0;
        struct timespec ts = { (time_t) (ms / 1000), (long) (ms % 1000) * 1000000L };
        nanosleep (&ts, NULL);
        now = rs_clock_mono_ms ();
    }
    if (rs_signal_stopping ())
        return false;
    if (self->speed > 0)
        self->behind_s = (double) (now - due_ms) / 1000.0;
    return true;
}

rs_err_t
rs_pace_publish (rs_pace_t *self, rs_pub_t *pub, const char *well, int64_t ts_us, const rs_value_t *ch, size_t n)
{
    int64_t due;
    if (!rs_pace_row (self, ts_us, rs_clock_mono_ms (), rs_clock_now_us (), &due))
        return RS_OK;
    if (!rs_pace_wait (self, due))
        return RS_E_STOPPED;
    if (rs_pub_sample (pub, well, rs_pace_ts (self, ts_us), ch, n) == RS_OK)
        self->published++;
    return RS_OK;
}
