/*  rs_pace: when the replayers (rigstream-replay, rigstream-csv) release a
    recorded row. As fast as possible, at a speed factor (X log seconds per
    real second), or clock-synchronised (real time, and the samples carry
    today's times: the first row replayed maps to now). A replay that falls
    behind sends what is due at once and catches up; it never skips rows.

    The decision (rs_pace_row) is pure, with the clocks passed in, so it is
    unit-tested; rs_pace_wait does the sleeping and keeps heartbeats going;
    rs_pace_publish is the whole step both replayers take for a row. */
#ifndef RS_PACE_H
#define RS_PACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rs_err.h"
#include "rs_msg.h"
#include "rs_pub.h"

struct rs_config_t;

//  The pacing options, shared by every replayer: put in a program's table
//  and pass the config to rs_pace_config.
#define RS_OPTIONS_PACE \
    { "speed", "REPLAY_SPEED", RS_OPT_DOUBLE, "1", "log seconds per real second", 0.001, 1e6 }, \
    { "fast", "REPLAY_FAST", RS_OPT_BOOL, "false", "as fast as possible (ignores --speed)", 0, 0 }, \
    { "clock-sync", "REPLAY_CLOCK_SYNC", RS_OPT_BOOL, "false", \
      "map --start (or the first row) to now: samples carry today's times", 0, 0 }, \
    { "start", "REPLAY_START", RS_OPT_STRING, NULL, \
      "skip rows before this instant of the log (ISO 8601 UTC)", 0, 0 }

//  Called while waiting, when the time it asked for has come (e.g. to send
//  a heartbeat); returns the next monotonic ms it wants to be called at.
typedef int64_t (rs_pace_tick_fn) (void *arg, int64_t now_ms);
//  A replayer's heartbeat, as rs_pub_def_t's on_heartbeat.
typedef void (rs_pace_heartbeat_fn) (rs_pub_t *pub, const char *state, void *arg);

typedef struct {
    double speed;           //  log seconds per real second; 0 = as fast as possible
    bool sync;              //  clock-synchronised: shift times so the first row is now
    int64_t start_us;       //  skip rows before this log time (0 = none)
    //  Set by the first row released.
    bool started;
    int64_t first_ts;       //  its log time
    int64_t start_ms;       //  monotonic ms when it was released
    int64_t shift_us;       //  added to log times (clock-sync)
    double behind_s;        //  how late the last row was released
    uint64_t skipped;       //  rows before start_us
    uint64_t published;     //  rows rs_pace_publish sent
    rs_pace_tick_fn *tick;
    void *tick_arg;
    int64_t next_tick_ms;
    //  rs_pace_set_heartbeat's.
    rs_pace_heartbeat_fn *heartbeat;
    rs_pub_t *heartbeat_pub;
    void *heartbeat_arg;
    int heartbeat_ms;
} rs_pace_t;

//  Sets up pacing from RS_OPTIONS_PACE. Returns RS_OK, or RS_E_CONFIG when
//  --start is not a time (rs_errmsg says so).
rs_err_t rs_pace_config (rs_pace_t *self, struct rs_config_t *cfg);
//  Sets up pacing directly (tests, programs without the options): speed 0
//  is as fast as possible; sync shifts the times (use speed 1 with it).
void rs_pace_init (rs_pace_t *self, double speed, bool sync, int64_t start_us);
//  What the mode is, for a log line: "as fast as possible", ...
const char *rs_pace_mode (const rs_pace_t *self);
//  Registers the function called while waiting (heartbeats); first call at once.
void rs_pace_set_tick (rs_pace_t *self, rs_pace_tick_fn *fn, void *arg);
//  The tick both replayers want: fn (pub, "running", arg) at once, then
//  every every_ms while waiting.
void rs_pace_set_heartbeat (rs_pace_t *self, rs_pub_t *pub, int every_ms, rs_pace_heartbeat_fn *fn, void *arg);

//  Decides about a row with log time ts_us, at monotonic now_ms and wall
//  clock now_us: false when it is before --start (skip it); else true with
//  *due_ms, the monotonic ms it is due at (at or before now_ms: at once).
bool rs_pace_row (rs_pace_t *self, int64_t ts_us, int64_t now_ms, int64_t now_us, int64_t *due_ms);
//  The time to publish a row with log time ts_us under (shifted when clock-synchronised).
int64_t rs_pace_ts (const rs_pace_t *self, int64_t ts_us);
//  Sleeps until due_ms (monotonic), calling the tick function when it asks,
//  and records how late the row is. Returns true when the row is due, false
//  when SIGINT/SIGTERM came first (do not send it).
bool rs_pace_wait (rs_pace_t *self, int64_t due_ms);

//  One recorded row, paced: skipped when before --start, else sent on pub
//  for well once due (rs_pace_row, rs_pace_wait), timed by rs_pace_ts, and
//  counted in published. Returns RS_OK, or RS_E_STOPPED when SIGINT/SIGTERM
//  came while waiting (the row is not sent: stop).
rs_err_t rs_pace_publish (rs_pace_t *self, rs_pub_t *pub, const char *well, int64_t ts_us, const rs_value_t *ch,
                          size_t n);

#endif
