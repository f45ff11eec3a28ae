/*  rs_sub: the subscriber SDK. A subscriber is a callback on decoded messages
    plus a few lines of main; rs_sub owns the rest: the SUB socket to the
    broker's backend (XPUB side), topic filters, strict decoding (rejections
    counted by reason and logged, rate-limited), sequence tracking (gaps,
    duplicates, publisher restarts, time going backwards), heartbeats on
    sys.<component> with all those counters, broker-silence detection,
    and clean shutdown on SIGINT/SIGTERM.

    One loop per process: rs_sub_run drives a czmq zloop. Add timers with
    rs_sub_timer, or other readers via rs_sub_loop. ZeroMQ reconnects by itself
    and replays subscriptions, so a restarted broker needs nothing from you. */
#ifndef RS_SUB_H
#define RS_SUB_H

#include <czmq.h>
#include <stdbool.h>

#include "rs_msg.h"
#include "rs_pub.h"

typedef struct rs_sub_t rs_sub_t;

//  Called for each valid message that is not a duplicate. Return 0 to go on,
//  -1 to stop the loop (rs_sub_run then returns 0).
typedef int (rs_sub_fn) (rs_sub_t *sub, const rs_msg_t *msg, void *arg);
//  Called on a timer; same return convention.
typedef int (rs_sub_timer_fn) (rs_sub_t *sub, void *arg);
//  Adds the subscriber's own counters to its heartbeat: fill up to `max`
//  entries of `out`, return how many.
typedef size_t (rs_sub_stats_fn) (rs_sub_t *sub, rs_value_t *out, size_t max, void *arg);

//  A range of messages [from_seq, to_seq] missing from one stream. In a
//  durable feed the SDK asks the publisher for it; on_gap is told when the gap
//  is found (permanent = false) and again if it cannot be repaired
//  (permanent = true: older than the publisher's journal, or the publisher
//  restarted or vanished). to_seq is 0 when the end is unknown (a restarted
//  publisher's old incarnation).
typedef struct {
    const char *pub;
    const char *topic;
    uint64_t epoch;
    uint64_t from_seq;
    uint64_t to_seq;
    bool permanent;
} rs_gap_t;
typedef void (rs_sub_gap_fn) (rs_sub_t *sub, const rs_gap_t *gap, void *arg);

typedef struct {
    const char *component;        // e.g. "console_logger": log prefix, sys.<component>
    const char *sub_endpoint;     // broker backend, e.g. "tcp://127.0.0.1:5556"
    const char *pub_endpoint;     // broker frontend, for heartbeats and any output; NULL = none
    const char *const *topics;    // NULL-terminated prefixes; NULL = everything ("")
    int heartbeat_ms;             // 0 = 1000
    int rcvhwm;                   // 0 = 100000 messages
    int broker_timeout_ms;        // warn when no sys.broker heartbeat for this long; 0 = 5000
    rs_sub_fn *on_message;
    void *arg;
    //  Durable feed: repair gaps (and, for streams given to rs_sub_resume,
    //  what was published while this process was down) from the publishers'
    //  replay journals. Repaired messages reach on_message late, out of order,
    //  with msg->replayed set. See docs/PROTOCOL.md, "Durable feeds".
    bool durable;
    rs_sub_gap_fn *on_gap;        // optional
    //  CURVE (rs_curve.h) for the broker connections and the repair
    //  connections to publishers' journals; NULL or off = plaintext. The
    //  caller keeps it alive until rs_sub_destroy (rs_curve_new_config).
    const struct rs_curve_t *curve;
} rs_sub_opts_t;

typedef struct {
    uint64_t received;            // messages read from the socket
    uint64_t bad_frames;          // not exactly two frames: dropped
    uint64_t delivered;           // passed to on_message
    uint64_t rejected;            // failed rs_decode (sum of rejected_by)
    uint64_t rejected_by[RS_E_COUNT];
    uint64_t gaps;                // gap events across all streams
    uint64_t missing;             // messages lost in those gaps
    uint64_t duplicates;          // dropped as already seen (e.g. last-value replays)
    uint64_t old_epoch;           // dropped: from an older publisher incarnation
    uint64_t restarts;            // publisher restarts seen (new epoch)
    uint64_t time_backwards;      // delivered, but ts earlier than the stream's last
    size_t streams;
    bool broker_up;
    int64_t delay_ms;             // age of the broker's last heartbeat on arrival: how far
                                  // behind this subscriber reads (its queue), by the wall clock
    uint64_t repaired;            // messages recovered from publishers' journals
    uint64_t repair_pending;      // messages still being asked for
    uint64_t lost_permanently;    // messages reported as permanent gaps
} rs_sub_stats_t;

//  Returns a fresh subscriber, or NULL (logged) on bad options or socket error.
rs_sub_t *rs_sub_new (const rs_sub_opts_t *opts);
void rs_sub_destroy (rs_sub_t **self_p);

//  Runs the loop until SIGINT/SIGTERM or a callback returns -1.
//  Returns 0 on a clean stop, -1 on a loop error.
int rs_sub_run (rs_sub_t *self);
//  Asks the loop to stop after the current message (safe from callbacks).
void rs_sub_stop (rs_sub_t *self);

//  Adds a periodic timer in the subscriber's loop. Returns 0 or -1.
int rs_sub_timer (rs_sub_t *self, int interval_ms, rs_sub_timer_fn *fn, void *arg);
void rs_sub_set_stats_fn (rs_sub_t *self, rs_sub_stats_fn *fn, void *arg);
//  Tells a durable subscriber what it already holds for a stream (from its
//  own storage), before rs_sub_run: the first live message then reveals
//  what was missed while it was down, and that range is repaired. Returns 0,
//  or -1 when the subscriber is not durable.
int rs_sub_resume (rs_sub_t *self, const char *pub, const char *topic, uint64_t epoch,
                   uint64_t last_seq);
//  Adds a subscription prefix at run time.
int rs_sub_subscribe (rs_sub_t *self, const char *prefix);

const rs_sub_stats_t *rs_sub_stats (rs_sub_t *self);
//  The publisher used for heartbeats (NULL when pub_endpoint is NULL); a
//  subscriber that also publishes (e.g. KPIs) uses it for its output.
rs_pub_t *rs_sub_pub (rs_sub_t *self);
//  The decoder, e.g. for rs_msg_text on a delivered message.
rs_decoder_t *rs_sub_decoder (rs_sub_t *self);
zloop_t *rs_sub_loop (rs_sub_t *self);
const char *rs_sub_component (rs_sub_t *self);

#endif
