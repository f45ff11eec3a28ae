/*  rs_sub: the subscriber SDK. A subscriber is a callback on decoded messages
    plus a few lines of main; rs_sub owns the rest. A program describes itself
    in an rs_sub_def_t (component, options, topics, callbacks) and calls
    rs_sub_start, rs_sub_run and rs_sub_finish: the SDK then owns the
    configuration (flags, environment, .env through rs_config), CURVE (a bad
    or missing key is an error, never plaintext), the broker endpoints,
    signals (SIGINT/SIGTERM stop, SIGHUP calls on_reload), the "ready:" and
    "stopped:" lines and the teardown. Underneath, rs_sub_new: the SUB socket to the
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

#include "rs_config.h"
#include "rs_err.h"
#include "rs_msg.h"
#include "rs_pub.h"

typedef struct rs_sub_t rs_sub_t;

//  Called for each valid message that is not a duplicate. Return 0 to go on,
//  -1 to stop the loop (rs_sub_run then returns RS_OK).
typedef int (rs_sub_fn) (rs_sub_t *sub, const rs_msg_t *msg, void *arg);
//  Called on a timer; same return convention.
typedef int (rs_sub_timer_fn) (rs_sub_t *sub, void *arg);
//  The subscriber's own counters in its heartbeat, added one by one with
//  rs_sub_report_add (names are kept by pointer until the heartbeat is sent:
//  use literals). Those past the heartbeat's room are left out.
typedef struct rs_sub_report_t rs_sub_report_t;
void rs_sub_report_add (rs_sub_report_t *report, const char *name, double value);
typedef void (rs_sub_stats_fn) (rs_sub_t *sub, rs_sub_report_t *report, void *arg);

//  A range of messages [from_seq, to_seq] missing from one stream. In a
//  durable feed the SDK asks the publisher for it; on_gap is told when the gap
//  is found (permanent = false) and again if it cannot be repaired
//  (permanent = true: older than the publisher's journal, or the publisher
//  restarted or vanished). to_seq is 0 when the end is unknown: a publisher
//  restarted without an end-of-stream for its old incarnation, so what came
//  after from_seq - 1 (if anything) is an unknown tail, not a proven loss.
typedef struct {
    const char *pub;
    const char *topic;
    uint64_t epoch;
    uint64_t from_seq;
    uint64_t to_seq;
    bool permanent;
} rs_gap_t;
typedef void (rs_sub_gap_fn) (rs_sub_t *sub, const rs_gap_t *gap, void *arg);
//  A durable feed's end-of-stream: the publisher's last heartbeat said
//  "stopped" with last_seq as the last seq it sent on topic in that epoch
//  (docs/PROTOCOL.md, "End of a stream"). Whatever of 1..last_seq is still
//  missing is being repaired, or reported through on_gap; nothing after
//  last_seq will come, so the stream is complete once that is done.
typedef void (rs_sub_end_fn) (rs_sub_t *sub, const char *pub, const char *topic, uint64_t epoch,
                              uint64_t last_seq, void *arg);

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
    rs_sub_end_fn *on_end;        // optional
    //  On SIGINT/SIGTERM a durable feed keeps reading for up to drain_ms
    //  until every publisher of its topics that is still heard from has
    //  said it stopped (its end-of-stream) and no repair is pending, so a
    //  parallel stop of publishers and subscriber loses nothing. 0 = stop
    //  at once.
    int drain_ms;
    //  CURVE (rs_curve.h) for the broker connections and the repair
    //  connections to publishers' journals; NULL or off = plaintext. The
    //  caller keeps it alive until rs_sub_destroy (rs_curve_new_config).
    const struct rs_curve_t *curve;
    //  Replay journal of the output publisher (pub_endpoint), for a program
    //  whose own messages durable subscribers must be able to repair (the
    //  engine's KPIs and alerts): as in rs_pub_opts_t; 0 = none.
    size_t journal_msgs;
    size_t journal_bytes;
    const char *replay_endpoint;
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

//  A subscriber program, described once. Only component and on_message are
//  required; every callback gets `arg`.
typedef struct {
    const char *component;        //  e.g. "pit_watch": log prefix, heartbeats on sys.<component>
    const char *program;          //  name shown by --help; NULL = component
    const char *usage;            //  one line for --help
    //  The program's own options (RS_OPTION_END-terminated; NULL = none).
    //  The broker client's, RS_OPTIONS_BROKER_CLIENT (endpoints, heartbeat,
    //  CURVE), come first unless the table has them already.
    const rs_option_t *options;
    const char *const *topics;    //  NULL-terminated prefixes; NULL = everything
    const char *topics_option;    //  a list option whose value replaces topics, e.g. "topics"
    bool durable;                 //  see rs_sub_opts_t
    //  The program publishes data (not only heartbeats) that durable
    //  subscribers must be able to repair: its output publisher keeps a
    //  replay journal, configured by RS_OPTIONS_PUBLISHER (added to the
    //  options unless the table has them).
    bool journal;
    bool own_ready_line;          //  the program logs "ready:" itself (e.g. once the broker is heard)
    rs_sub_fn *on_message;
    rs_sub_gap_fn *on_gap;        //  optional
    rs_sub_end_fn *on_end;        //  optional
    rs_sub_stats_fn *on_stats;    //  optional: own counters in the heartbeat
    //  Optional: the configuration is loaded and opts filled from it (endpoints,
    //  CURVE, heartbeat, topics): read and check the program's own options,
    //  open its resources, adjust opts (rcvhwm, durable, topics). Return
    //  RS_OK, RS_E_CONFIG having printed why (exit 2), or another code (exit 1).
    int (*on_setup) (rs_config_t *cfg, rs_sub_opts_t *opts, void *arg);
    //  Optional: the subscriber is connected, the loop not yet running: add
    //  timers and readers, resume streams. Same return convention.
    int (*on_start) (rs_sub_t *sub, void *arg);
    //  Optional: SIGHUP arrived (called in the loop). Without it SIGHUP keeps
    //  its default action.
    void (*on_reload) (rs_sub_t *sub, void *arg);
    //  Optional: the loop has ended: flush and drain, and write the program's
    //  own counters for the "stopped:" line into summary (size bytes).
    //  Return RS_OK, or another code to exit 1 (e.g. data was lost). What it
    //  publishes is counted in the last "stopped" heartbeat (the end of its
    //  streams), sent after it: on_stats is called once more then, so leave
    //  what it reads valid (free it in on_free).
    int (*on_stop) (rs_sub_t *sub, char *summary, size_t size, void *arg);
    //  Optional: frees what on_setup and on_start made. Called once, last,
    //  whenever on_setup was called (also when the start failed after it),
    //  with the configuration still valid.
    void (*on_free) (void *arg);
    void *arg;
} rs_sub_def_t;

//  The start of a subscriber's main: loads the configuration for def
//  (flags, environment, .env), sets up logging, CURVE and the endpoints,
//  calls on_setup, makes the subscriber, installs the signal handlers,
//  calls on_start and logs "ready:". Returns RS_OK with a fresh *sub_p;
//  RS_E_EXIT after --help or --version; RS_E_CONFIG on a bad option, key
//  or endpoint (explained on stderr or in the log); another code when
//  set-up failed (logged). *sub_p is NULL on any code but RS_OK.
int rs_sub_start (const rs_sub_def_t *def, int argc, char **argv, rs_sub_t **sub_p);
//  The end of a subscriber's main, whatever rs_sub_start or rs_sub_run
//  returned (err): calls on_stop, logs the "stopped:" line (the program's
//  summary, then the SDK's counters), frees the subscriber, calls on_free,
//  frees the configuration and CURVE set-up, and returns the exit status
//  (rs_exit_status of the first failure).
int rs_sub_finish (rs_sub_t **sub_p, int err);
//  A subscriber's whole main: rs_sub_start, rs_sub_run, rs_sub_finish.
//  Returns the exit status.
int rs_sub_main (const rs_sub_def_t *def, int argc, char **argv);
//  The configuration rs_sub_start loaded (NULL for a subscriber from rs_sub_new).
rs_config_t *rs_sub_config (rs_sub_t *self);
//  The CURVE set-up the subscriber uses (NULL or off = plaintext), e.g.
//  for a server socket of the program's own (rs_curve_server).
const struct rs_curve_t *rs_sub_curve (rs_sub_t *self);
//  The broker endpoint the subscriber reads from.
const char *rs_sub_endpoint (rs_sub_t *self);

//  The layer under rs_sub_start, for programs and tests that configure
//  themselves: returns a fresh subscriber, or NULL (logged) on bad options
//  or socket error.
rs_sub_t *rs_sub_new (const rs_sub_opts_t *opts);
void rs_sub_destroy (rs_sub_t **self_p);

//  Runs the loop until SIGINT/SIGTERM or a callback returns -1.
//  Returns RS_OK on a clean stop.
int rs_sub_run (rs_sub_t *self);
//  Asks the loop to stop after the current message (safe from callbacks).
void rs_sub_stop (rs_sub_t *self);

//  Adds a periodic timer in the subscriber's loop. Returns RS_OK,
//  RS_E_INVAL (interval not positive) or RS_E_NOMEM.
int rs_sub_timer (rs_sub_t *self, int interval_ms, rs_sub_timer_fn *fn, void *arg);
void rs_sub_set_stats_fn (rs_sub_t *self, rs_sub_stats_fn *fn, void *arg);
//  Tells a durable subscriber what it already holds for a stream (from its
//  own storage), before rs_sub_run: the first live message then reveals
//  what was missed while it was down, and that range is repaired. Returns
//  RS_OK, RS_E_INVAL when the subscriber is not durable, or RS_E_NOMEM.
int rs_sub_resume (rs_sub_t *self, const char *pub, const char *topic, uint64_t epoch,
                   uint64_t last_seq);
//  Adds a subscription prefix at run time. Returns RS_OK, or RS_E_INVAL
//  (too many or too long) or RS_E_NOMEM.
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
