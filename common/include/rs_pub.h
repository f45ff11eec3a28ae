/*  rs_pub: the publisher API. Connects to the broker's frontend (XSUB side),
    numbers every message per topic, stamps epoch and publisher id, and sends
    heartbeats on sys.<component>. Never blocks: when the broker is away, the
    socket queues up to the high-water mark and then drops (counted by
    subscribers as sequence gaps).

    It uses an XPUB socket, not PUB, so that it can see the broker's
    subscription and tell when the broker is connected (rs_pub_wait_ready). */
#ifndef RS_PUB_H
#define RS_PUB_H

#include "rs_config.h"
#include "rs_err.h"
#include "rs_msg.h"

typedef struct {
    const char *endpoint;    // broker frontend, e.g. "tcp://127.0.0.1:5555"
    const char *pub_id;      // publisher id (valid id chars), stable across restarts;
                             // NULL = the component's instance name
    const char *component;   // heartbeat topic sys.<component>, e.g. "simulator"
    int sndhwm;              // 0 = default (100000 messages)
    //  Replay journal for durable subscribers: the last journal_msgs messages
    //  (and at most journal_bytes of bodies) of each topic, served on a ROUTER
    //  bound to replay_endpoint (default tcp://127.0.0.1:*) and announced in
    //  heartbeats as info "replay". journal_msgs 0 = no journal.
    size_t journal_msgs;
    size_t journal_bytes;
    const char *replay_endpoint;
    //  The journal kept on disk too, in journal_dir (NULL, "" or "off" =
    //  memory only), at most journal_disk_bytes and journal_disk_age_s old: a
    //  publisher restarted after a crash continues the same epoch and serves
    //  what durable subscribers missed from it. A clean stop (the last
    //  "stopped" heartbeat sent) removes it. Needs journal_msgs > 0.
    const char *journal_dir;
    size_t journal_disk_bytes;
    int64_t journal_disk_age_s;
    //  CURVE (rs_curve.h): a client of the broker, and the replay ROUTER a
    //  CURVE server with the publisher's own key (announced in heartbeats as
    //  info "replay_key"). NULL or off = plaintext. Must outlive the publisher.
    const struct rs_curve_t *curve;
} rs_pub_opts_t;

//  The options of a publisher with a journal; put in a program's table and
//  pass the config to rs_pub_opts_config.
#define RS_OPTIONS_PUBLISHER \
    { "replay-journal", "REPLAY_JOURNAL", RS_OPT_INT, "200000", \
      "messages kept per topic for durable subscribers to recover (0 = none)", 0, 100000000 }, \
    { "replay-journal-mb", "REPLAY_JOURNAL_MB", RS_OPT_INT, "64", \
      "megabytes of messages kept per topic at most", 1, 65536 }, \
    { "replay-endpoint", "REPLAY_ENDPOINT", RS_OPT_ENDPOINT, "tcp://127.0.0.1:*", \
      "where the journal is served (tcp://host:* picks a free port)", 0, 0 }, \
    { "replay-journal-dir", "REPLAY_JOURNAL_DIR", RS_OPT_STRING, "", \
      "directory where the journal is also kept on disk, so a crashed publisher's restart continues its " \
      "stream and serves what subscribers missed (off = memory only; empty = the program's default: " \
      "./data/journal for the acquisition readers wits0, csv and replay, off for the others)", 0, 0 }, \
    { "replay-journal-disk-mb", "REPLAY_JOURNAL_DISK_MB", RS_OPT_INT, "256", \
      "megabytes of journal kept on disk at most (whole segments of a quarter each are dropped)", 1, 1048576 }, \
    { "replay-journal-disk-hours", "REPLAY_JOURNAL_DISK_HOURS", RS_OPT_INT, "24", \
      "hours of journal kept on disk at most", 1, 87600 }

//  Fills the journal fields of opts from RS_OPTIONS_PUBLISHER options.
void rs_pub_opts_config (rs_pub_opts_t *opts, rs_config_t *cfg);

typedef struct rs_pub_t rs_pub_t;

//  Returns a fresh publisher, or NULL (logged) on bad options or socket error.
rs_pub_t *rs_pub_new (const rs_pub_opts_t *opts);
//  Flushes queued messages (up to linger_ms, 2 s) and frees.
void rs_pub_destroy (rs_pub_t **self_p);

//  Waits until the broker has subscribed (connected), up to timeout_ms.
//  Returns RS_OK when ready, RS_E_TIMEOUT, RS_E_STOPPED (SIGINT/SIGTERM) or
//  RS_E_IO.
int rs_pub_wait_ready (rs_pub_t *self, int timeout_ms);
//  The usual start of a publisher program: connects to the broker given by
//  cfg's RS_OPTIONS_BROKER_CLIENT with the journal of RS_OPTIONS_PUBLISHER,
//  installs rs_signal's handlers and waits for the broker. Returns RS_OK
//  with a fresh *pub_p, RS_E_STOPPED when a signal stopped the wait (a clean
//  exit; *pub_p is still set), RS_E_SOCKET (logged) when the publisher
//  cannot be made, or RS_E_CONFIG (logged) on a configuration error such as
//  bad CURVE keys or a refused listening address. rs_exit_status gives the
//  exit status for each. The publisher owns the CURVE set-up it made from cfg.
int rs_pub_start (rs_config_t *cfg, const char *component, const char *pub_id,
                  rs_pub_t **pub_p);
//  A publisher program, described once: the twin of rs_sub_def_t. Only
//  component and on_run are required; every callback gets `arg`.
typedef struct {
    const char *component;        //  e.g. "simulator": log prefix, heartbeats on sys.<component>
    const char *program;          //  name shown by --help; NULL = component
    const char *usage;            //  one line for --help
    const char *positional;       //  the arguments after the flags, for --help; NULL = none accepted
    //  The program's own options (RS_OPTION_END-terminated; NULL = none).
    //  RS_OPTIONS_BROKER_CLIENT and RS_OPTIONS_PUBLISHER come before them and
    //  --publisher-id (default pub_id) after, unless the table has them.
    const rs_option_t *options;
    const char *pub_id;           //  the default publisher id; NULL = component
    //  Reads from the rig (WITS0, CSV, log replay): what it read exists
    //  nowhere else, so its replay journal is kept on disk too
    //  (./data/journal) unless REPLAY_JOURNAL_DIR says otherwise.
    bool acquisition;
    //  Optional: the configuration is loaded: read and check the program's
    //  own options and open its input, before the broker is waited for.
    //  Return RS_OK, RS_E_CONFIG having printed why (exit 2), RS_E_EXIT when
    //  there is nothing more to do (exit 0, e.g. after --print-map), or
    //  another code, logged (exit 1).
    int (*on_setup) (rs_config_t *cfg, void *arg);
    //  Optional: the broker is connected: say what is published, for the
    //  "ready: <what> to <endpoint>" line.
    void (*on_ready) (rs_pub_t *pub, char *what, size_t size, void *arg);
    //  The program's loop, until it is done or rs_signal_stopping. Return
    //  RS_OK, or the code of what failed (logged).
    int (*on_run) (rs_pub_t *pub, rs_config_t *cfg, void *arg);
    //  Optional: the loop has ended: the program's own counters for the
    //  "stopped:" line, written into summary (size bytes).
    void (*on_stop) (rs_pub_t *pub, char *summary, size_t size, void *arg);
    //  Optional: sends a heartbeat in `state`; called with "stopped" last.
    void (*on_heartbeat) (rs_pub_t *pub, const char *state, void *arg);
    //  Optional: frees what on_setup made. Called once, last, whenever
    //  on_setup was called, with the configuration still valid.
    void (*on_free) (void *arg);
    void *arg;
} rs_pub_def_t;

//  A publisher's whole main: loads the configuration for def (flags,
//  environment, .env), sets up logging, checks --publisher-id, calls
//  on_setup, connects (rs_pub_start: CURVE, journal, signals, the wait for
//  the broker), logs "ready:", calls on_run, logs "stopped:" (on_stop's
//  summary, then the messages sent), sends the last heartbeat and tears all
//  down. Returns the exit status (rs_exit_status of the first failure).
int rs_pub_main (const rs_pub_def_t *def, int argc, char **argv);
//  The broker endpoint the publisher connects to.
const char *rs_pub_endpoint (rs_pub_t *self);
//  Waits as long as it takes for the broker, saying so in the log every
//  10 s. Returns RS_OK when connected, RS_E_STOPPED when interrupted
//  (SIGINT/SIGTERM).
int rs_pub_wait_broker (rs_pub_t *self);
//  Processes pending subscription messages without waiting; true when the
//  broker is connected. Call from the main loop now and then.
bool rs_pub_ready (rs_pub_t *self);

//  The senders below return RS_OK or the rs_err_t of what failed (a bad
//  value: RS_E_RANGE, RS_E_NONFINITE...; the socket: RS_E_IO).
//  Publishes a telemetry sample on telemetry.<well>. ts_us 0 = now.
int rs_pub_sample (rs_pub_t *self, const char *well, int64_t ts_us,
                   const rs_value_t *ch, size_t n);
//  Publishes an event on event.<well>.
int rs_pub_event (rs_pub_t *self, const char *well, int64_t ts_us, const char *type,
                  const char *phase, uint64_t event_id, const char *note, const char *state);
//  Publishes a heartbeat on sys.<component> with the publisher's own counters
//  (sent, errors, uptime_s, pid) plus the given stats and info.
int rs_pub_heartbeat (rs_pub_t *self, const rs_value_t *stats, size_t n_stats,
                      const rs_text_t *info, size_t n_info);

//  Generic form for other kinds (kpi, alert): begin returns a packer for
//  n_extra more key/value pairs; send numbers and sends it.
msgpack_packer *rs_pub_begin (rs_pub_t *self, rs_kind_t kind, const char *id,
                              int64_t ts_us, size_t n_extra);
int rs_pub_send (rs_pub_t *self);

//  The journal's replay endpoint actually bound ("" when no journal).
const char *rs_pub_replay_endpoint (rs_pub_t *self);
uint64_t rs_pub_epoch (rs_pub_t *self);
uint64_t rs_pub_sent (rs_pub_t *self);
//  The underlying libzmq socket (void *), for zmq_poll in the caller's loop.
void *rs_pub_socket (rs_pub_t *self);

#endif
