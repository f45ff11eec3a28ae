/*  rs_broker: the broker engine. Publishers connect their XPUB sockets to our
    XSUB (frontend); subscribers connect SUB sockets to our XPUB (backend);
    operators and scripts ask a ROUTER (control) for PING / STATUS.

    One thread, one zmq_poll loop that owns all sockets. The hot path moves
    raw zmq_msg_t frames from XSUB to XPUB in batches, counting them, keeping
    a last-value cache per topic, and never decoding bodies except the rare
    sys.* heartbeats (for the components table in STATUS). Subscriptions from
    the XPUB side are counted, not forwarded: our XSUB subscribes to
    everything, because the cache and counters need every topic.

    Own stats go out on sys.broker every heartbeat_ms. */
#ifndef RS_BROKER_H
#define RS_BROKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *frontend;   // XSUB bind endpoint, publishers connect ("tcp://127.0.0.1:*" = any free port)
    const char *backend;    // XPUB bind endpoint, subscribers connect
    const char *control;    // ROUTER bind endpoint for PING/STATUS; NULL = no control socket
    int sndhwm;             // XPUB send high-water mark per subscriber; 0 = 100000
    int rcvhwm;             // XSUB receive high-water mark per publisher; 0 = 100000
    int lvc_max;            // topics in the last-value cache; 0 = 10000, < 0 = no cache
    int heartbeat_ms;       // sys.broker interval; 0 = 1000
    //  After rs_broker_stop, route on for at most this long until every
    //  connection to the frontend has closed (publishers sending their last
    //  messages and end-of-stream, durable subscribers reading them); 0 = stop at once.
    int stop_grace_ms;
    //  CURVE for all three endpoints, clients checked against its allow-list;
    //  NULL or off = plaintext (loopback use).
    const struct rs_curve_t *curve;
} rs_broker_opts_t;

//  Where a topic's first segment falls, for per-prefix counters.
typedef enum {
    RS_BROKER_P_TELEMETRY = 0,
    RS_BROKER_P_EVENT,
    RS_BROKER_P_KPI,
    RS_BROKER_P_ALERT,
    RS_BROKER_P_SYS,
    RS_BROKER_P_OTHER,
    RS_BROKER_P_COUNT
} rs_broker_prefix_t;

typedef struct {
    uint64_t msgs_in;               // valid 2-frame messages read from publishers
    uint64_t bytes_in;              // topic + body bytes of those
    uint64_t msgs_out;              // messages sent on XPUB: forwarded + replayed + own heartbeats
    uint64_t bytes_out;
    uint64_t dropped_bad_frames;    // not exactly 2 frames, or empty topic
    uint64_t dropped_too_big;       // topic > RS_MAX_TOPIC or body > RS_MAX_BODY
    uint64_t dropped_send;          // XPUB refused a send (should not happen: XPUB drops silently)
    uint64_t prefix_msgs[RS_BROKER_P_COUNT];
    uint64_t prefix_bytes[RS_BROKER_P_COUNT];
    uint64_t subscribes;            // subscribe messages seen on XPUB
    uint64_t unsubscribes;
    uint64_t backend_other;         // XPUB messages that were not (un)subscriptions
    uint64_t lvc_replayed;          // cached messages sent to late joiners
    uint64_t lvc_refused;           // new topics not cached: cache full
    uint64_t sys_seen;              // sys.* heartbeats decoded
    uint64_t sys_rejected;          // sys.* messages that failed rs_decode (still forwarded)
    uint64_t control_requests;
    uint64_t control_malformed;     // wrong envelope or more than one frame: answered with an error
    uint64_t control_unknown;       // not exactly PING or STATUS: answered with an error
    uint64_t control_too_big;       // a command frame over 64 bytes: answered with an error
    uint64_t heartbeats_sent;
    uint64_t auth_rejected;         // CURVE handshakes refused by the allow-list (ZAP)
    uint64_t handshake_failed;      // other failed handshakes (e.g. a client without CURVE)
    int64_t publishers_connected;   // TCP/IPC connections on the frontend
    int64_t subscribers_connected;  // ... and on the backend
} rs_broker_counters_t;

typedef struct rs_broker_t rs_broker_t;

//  What a control request frame asks for.
typedef enum {
    RS_BROKER_CMD_PING,
    RS_BROKER_CMD_STATUS,
    RS_BROKER_CMD_UNKNOWN,          // anything else up to 64 bytes
    RS_BROKER_CMD_TOO_BIG           // longer than any command
} rs_broker_command_t;

//  Parses a control frame: the exact bytes "PING" or "STATUS", nothing else
//  (no lowercase, no trailing newline or NUL) (pure).
rs_broker_command_t rs_broker_command_of (const void *data, size_t len);

//  Creates the sockets and binds them. Returns a fresh broker, or NULL with
//  the reason logged ("cannot bind frontend tcp://...: Address already in use").
rs_broker_t *rs_broker_new (const rs_broker_opts_t *opts);
//  Closes the sockets (linger 0) and frees.
void rs_broker_destroy (rs_broker_t **self_p);

//  Runs the loop until rs_broker_stop, then for the stop grace (see
//  rs_broker_opts_t). Returns 0 on a clean stop, -1 on a socket error (logged).
int rs_broker_run (rs_broker_t *self);
//  One loop iteration: waits up to timeout_ms (or the next timer, whichever
//  is sooner), then handles what is ready. Returns 0, or -1 on a socket error.
int rs_broker_step (rs_broker_t *self, int timeout_ms);
//  Asks rs_broker_run to return. Safe from a signal handler or another thread.
void rs_broker_stop (rs_broker_t *self);

//  The endpoint actually bound (with the real port when bound to "*"):
//  which = "frontend", "backend" or "control". NULL if unknown.
const char *rs_broker_endpoint (rs_broker_t *self, const char *which);
const rs_broker_counters_t *rs_broker_counters (rs_broker_t *self);
//  The STATUS reply as compact JSON. Fresh string: the caller frees it.
char *rs_broker_status_json (rs_broker_t *self);
//  Logs one info line with the totals (used at shutdown).
void rs_broker_log_counters (rs_broker_t *self);

//  Classifies a topic by the segment before its first '.' (pure).
rs_broker_prefix_t rs_broker_prefix_of (const void *topic, size_t len);
//  "telemetry", "event", "kpi", "alert", "sys", "other".
const char *rs_broker_prefix_name (rs_broker_prefix_t prefix);

#endif
