/*  rs_uplink: the MQTT side of the uplink, one session at a time through
    libmosquitto, driven from the subscriber's loop by rs_uplink_tick (no
    thread of its own). Everything it sends comes out of the spool and is
    deleted from it only when the MQTT broker acknowledges it (QoS 1), so a
    lost link, a dead broker or a killed process loses nothing.

    Sparkplug B mode (Eclipse Sparkplug 3.0): the rig is an Edge Node, each
    well a Device. The will is NDEATH with a bdSeq kept in the spool across
    restarts; after CONNACK: NCMD/DCMD (and the primary host's STATE)
    subscriptions, NBIRTH, a DBIRTH per well, then DDATA with aliases and
    millisecond timestamps, payload seq 0-255; the node's health (queue
    depth, oldest queued, dropped) in NBIRTH and periodic NDATA. A primary
    host's STATE offline ends the session (data is held in the spool); online
    again starts a new one; a STATE older than the last one acted on is
    ignored. NCMD Node Control/Rebirth re-sends the births. A clean stop
    publishes NDEATH at QoS 1 and waits for its PUBACK.
    JSON mode: one object per sample on <prefix>/<node>/<well>/<kind>.

    Live data first: when a session starts, what the spool holds is backlog
    and goes behind the live records at a capped rate, flagged historical.
    Live is also strictly in time order per stream: a record recovered from
    a journal goes behind live data within the same cap, and one older than
    what its stream already sent live is flagged historical too. */
#ifndef RS_UPLINK_H
#define RS_UPLINK_H

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rs_budget.h"
#include "rs_msg.h"
#include "rs_spool.h"

typedef struct rs_uplink_t rs_uplink_t;

typedef enum { RS_UPLINK_SPARKPLUG = 0, RS_UPLINK_JSON } rs_uplink_mode_t;

typedef struct {
    rs_uplink_mode_t mode;
    const char *url;                // mqtt://host:port or mqtts://host:port
    const char *username, *password; // "" or NULL = none
    const char *ca_file, *cert_file, *key_file;
    const char *client_id;
    int keepalive_s;
    int reconnect_min_ms, reconnect_max_ms;
    int connect_timeout_ms;         // 0 = 10000
    const char *group, *node;       // Sparkplug group id and edge node id
    const char *primary_host;       // "" = none
    const char *json_prefix;
    int batch;                      // samples per DDATA, at most
    int max_inflight;               // unacknowledged messages, at most
    double backlog_rate;            // backlog samples per second; 0 = unlimited
    double max_bytes_per_s;         // payload bytes per second; 0 = unlimited
    int health_ms;                  // node health NDATA this often; 0 = in births only
    rs_spool_t *spool;              // not owned
} rs_uplink_opts_t;

typedef struct {
    bool connected;                 // a session is up (CONNACK accepted)
    bool online;                    // sending (births done; primary host online)
    uint64_t sessions;
    uint64_t connect_failures;
    uint64_t messages_sent;         // acknowledged
    uint64_t samples_sent;          // acknowledged
    uint64_t historical_sent;       // of which backlog
    uint64_t bytes_sent;            // payload bytes acknowledged
    uint64_t births;                // NBIRTH sent
    uint64_t rebirths;              // NCMD rebirth requests answered
    uint64_t publish_errors;
    uint64_t bad_records;           // spool records that could not be read (dropped)
    uint64_t inflight;
    uint64_t bdseq;
    uint64_t backlog;               // records still to send as backlog
    uint64_t stale_states;          // primary host STATEs ignored as older than the last
    double sent_per_s, bytes_per_s; // over the last second
    uint64_t bytes_hour;            // payload bytes acknowledged in the last hour
} rs_uplink_stats_t;

//  Returns a fresh uplink (not connected yet), or NULL on bad options (logged).
rs_uplink_t *rs_uplink_new (const rs_uplink_opts_t *opts);
//  For a clean stop: sends the live records still queued (what the
//  subscriber read while it drained its publishers' last messages) and
//  waits for their acknowledgements, for up to 2 s; the rest stays in the
//  spool. Nothing when offline.
void rs_uplink_finish (rs_uplink_t *self);
//  Ends the session cleanly (rs_uplink_finish, then NDEATH in Sparkplug
//  mode), then frees.
void rs_uplink_destroy (rs_uplink_t **self_p);
//  Does the session's work: flushes the spool, connects or reconnects with
//  back-off, reads and writes the socket, sends live then backlog records.
//  now_ms: monotonic, wall_ms: ms since the Unix epoch.
void rs_uplink_tick (rs_uplink_t *self, int64_t now_ms, int64_t wall_ms);
const rs_uplink_stats_t *rs_uplink_stats (rs_uplink_t *self);

//  Splits an MQTT URL (mqtt://host[:port], mqtts://host[:port]; 1883 and
//  8883 by default). Returns 0, or -1 with nothing written when malformed.
int rs_uplink_parse_url (const char *url, char *host, size_t host_size, int *port, bool *tls);

//  True when a record may go out live: not backlog (queued before the
//  session went online), not late (recovered from a publisher's journal),
//  and not older than the newest timestamp its stream already sent live
//  (0 = none yet). Anything else is sent flagged historical, so a host's
//  live value never steps back in time.
bool rs_uplink_live (bool backlog, bool late, uint64_t ts_ms, uint64_t newest_live_ms);

//  How a spool record goes out: live at once; or behind live data within
//  the backlog's rate cap, flagged historical: the backlog (queued before
//  the session went online) and the journal's catch-up (recovered late from
//  a publisher's journal while the session is online) share that cap.
typedef enum { RS_UPLINK_LIVE = 0, RS_UPLINK_BACKLOG, RS_UPLINK_CATCHUP } rs_uplink_lane_t;
rs_uplink_lane_t rs_uplink_lane (bool backlog, bool late);
//  How many capped records may go now from `bucket` (tokens per second =
//  the cap; debit what went from bucket->tokens): -1 = no cap (rate 0).
int rs_uplink_allowance (rs_bucket_t *bucket, int64_t now_ms);

//  Turns a decoded message into a spool record: its values (telemetry
//  channels, KPIs, or the alert's fields) packed as a MessagePack map,
//  through the budget (NULL = everything passes). Returns the number of
//  values packed (0: nothing to send), or -1 for a kind it does not carry.
int rs_uplink_record (const rs_msg_t *msg, rs_decoder_t *dec, rs_budget_t *budget, msgpack_sbuffer *out);

#endif
