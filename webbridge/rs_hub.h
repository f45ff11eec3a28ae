/*  rs_hub: the web bridge's fan-out from one ZeroMQ loop to many browsers.

    The loop thread (producer) puts each message in once; every client has
    its own bounded outgoing state behind its own mutex: per well, the latest
    sample and the latest KPI not yet sent (a newer one replaces it: newest
    value first), and a FIFO of texts that must not be coalesced (alerts,
    events, replies, history). Each client's writer thread drains it with
    rs_hub_client_poll / rs_hub_client_wait and does the socket write with
    no lock held. So the producer never waits for a browser, and a slow
    browser only loses intermediate values of its own: those count as
    dropped and the client is told {"type":"dropped","count":N}.

    A client's samples are rate-limited per well (max_rate_hz). A sample
    replaced while it was due for more than RS_HUB_LATE_MS is counted as
    dropped; one replaced before it was due is plain decimation.

    The hub also keeps what the API shows of the live feed: wells seen, the
    latest sample, KPI and rig-state event of each, and components from
    their heartbeats. No sockets and no clock reading: callers pass times. */
#ifndef RS_HUB_H
#define RS_HUB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rs_msg.h"

#define RS_HUB_MAX_WELLS       64
#define RS_HUB_MAX_COMPONENTS  64
#define RS_HUB_MAX_FILTER      64      //  wells or channels named in one subscription
#define RS_HUB_FIFO_MAX        1024    //  queued texts per client
#define RS_HUB_LATE_MS         250
#define RS_HUB_DEFAULT_RATE_HZ 2.0
#define RS_HUB_MAX_RATE_HZ     50.0
#define RS_HUB_DROP_NOTICE_MS  1000    //  at most one "dropped" notice per client this often
#define RS_HUB_WELL_TIMEOUT_MS 10000   //  a well silent this long is not live

//  What a client asked for. Empty lists mean everything.
typedef struct {
    size_t n_wells;
    char wells[RS_HUB_MAX_FILTER][RS_MAX_ID + 1];
    size_t n_channels;
    char channels[RS_HUB_MAX_FILTER][RS_MAX_CHNAME + 1];
    double max_rate_hz;         //  per well; 0 = RS_HUB_DEFAULT_RATE_HZ
} rs_hub_filter_t;

typedef struct {
    uint64_t samples;           //  samples put in
    uint64_t kpis, texts;       //  KPIs and broadcast texts put in
    uint64_t refused_wells;     //  samples of wells beyond RS_HUB_MAX_WELLS
    uint64_t clients;           //  attached now
    uint64_t sent;              //  texts handed to writers, all clients
    uint64_t dropped;           //  updates dropped for slow clients, all clients
} rs_hub_stats_t;

typedef struct rs_hub_t rs_hub_t;
typedef struct rs_hub_client_t rs_hub_client_t;

//  Returns a fresh hub, or NULL on no memory.
rs_hub_t *rs_hub_new (void);
//  Detach every client first.
void rs_hub_destroy (rs_hub_t **self_p);

//  Producer side (the ZeroMQ loop thread). A telemetry sample: becomes each
//  interested client's pending sample for its well. Returns 0, or -1 when
//  refused (too many wells, no memory).
int rs_hub_sample (rs_hub_t *self, const rs_msg_t *msg, int64_t now_ms);
//  A KPI message as a JSON text ({"type":"kpi",...}): coalesced per well
//  like samples. rig_state, when not NULL, is remembered for /api/wells.
int rs_hub_kpi (rs_hub_t *self, const char *well, const char *text, const char *rig_state,
                int64_t now_ms);
//  A text every client interested in `well` (NULL = every client) gets in
//  order (alerts, events, acks). When keep_as_state is set, it is also
//  remembered as the well's latest rig-state event and given to clients
//  that attach later.
int rs_hub_broadcast (rs_hub_t *self, const char *well, const char *text, bool keep_as_state);
//  Remembers a rig state name for the well (from an event).
void rs_hub_set_rig_state (rs_hub_t *self, const char *well, const char *state);
//  A heartbeat (sys.<component>): remembered for /api/health.
void rs_hub_heartbeat (rs_hub_t *self, const rs_msg_t *msg, int64_t now_ms);

//  The rest of the engine's view of a well from its KPI message (a JSON
//  object): rig_state, block_weight_source, rig_state_reason and the
//  quality map (channel -> why its readings are not good), for /api/latest.
void rs_hub_kpi_meta (rs_hub_t *self, const char *well, const json_t *kpi, int64_t now_ms);
//  A well with no sample for this long is not live, and a channel whose
//  last reading is this old is stale (0 = RS_HUB_WELL_TIMEOUT_MS).
void rs_hub_set_well_timeout (rs_hub_t *self, int64_t timeout_ms);
int64_t rs_hub_well_timeout (rs_hub_t *self);

//  API side (any thread). Fresh JSON references.
//  [{"well","last_ts","last_seq","age_s","live","rig_state","samples"}] for
//  wells seen live; age_s is the time since the well's last sample arrived
//  (null: none yet), live is age_s within the well time-out.
json_t *rs_hub_wells_json (rs_hub_t *self, int64_t now_ms);
//  /api/latest: [{"well","ts","time","age_s","live","rig_state",
//  "channels": {name: {"value","unit","ts","time","pub","quality"}}}] for
//  every well with samples (or only `well`, when not NULL: then [] if it
//  has none). A channel keeps its last reading (nil readings skipped) with
//  that reading's time; quality is "stale" when it arrived longer ago than
//  the well time-out, else the engine's verdict for it when its latest KPI
//  (within the time-out) named one, else "ok".
json_t *rs_hub_latest_json (rs_hub_t *self, const char *well, int64_t now_ms);
//  True when the well has been seen live.
bool rs_hub_has_well (rs_hub_t *self, const char *well);
//  {"<component>": {"up","last_seen_ms_ago","state","pid","uptime_s"}} from
//  heartbeats; up = heard within stale_ms and not "stopped".
json_t *rs_hub_components_json (rs_hub_t *self, int64_t now_ms, int64_t stale_ms);
void rs_hub_stats (rs_hub_t *self, rs_hub_stats_t *out);

//  Client side. Attaches a client with the default filter (every well,
//  every channel, default rate) and queues `greeting` (if not NULL) then
//  what the hub knows now (latest sample and KPI per well, rig-state
//  events), so a new page fills at once. Returns a fresh client or NULL.
rs_hub_client_t *rs_hub_attach (rs_hub_t *self, int64_t now_ms, const char *greeting);
//  Removes the client from the hub and frees it; the caller's writer must
//  have stopped using it.
void rs_hub_detach (rs_hub_t *self, rs_hub_client_t **client_p);
//  Replaces the client's filter and re-queues the latest values it now asks
//  for; `ack` (if not NULL) is queued in the same step, so everything the
//  writer hands out after it follows the new filter.
void rs_hub_client_filter (rs_hub_t *self, rs_hub_client_t *client, const rs_hub_filter_t *filter,
                           const char *ack, int64_t now_ms);
//  Queues a text for this client only (a reply, history); takes ownership
//  of `text` (malloc'd). Returns 0, or -1 when the client is closed (text freed).
int rs_hub_client_push (rs_hub_client_t *client, char *text);
//  The next text to send at now_ms, or NULL when nothing is due (then
//  *next_ms, if given, is when something falls due, or -1 for "only when
//  new data comes"). Returns a fresh string: free it.
char *rs_hub_client_poll (rs_hub_client_t *client, int64_t now_ms, int64_t *next_ms);
//  Blocks up to timeout_ms (real time) until the client has new data or is
//  closed. Writers call it when rs_hub_client_poll returned NULL.
void rs_hub_client_wait (rs_hub_client_t *client, int timeout_ms);
//  Marks the client closed and wakes its writer.
void rs_hub_client_close (rs_hub_client_t *client);
bool rs_hub_client_closed (rs_hub_client_t *client);
uint64_t rs_hub_client_id (rs_hub_client_t *client);
//  Texts handed out and updates dropped for this client so far.
void rs_hub_client_counts (rs_hub_client_t *client, uint64_t *sent, uint64_t *dropped);
//  Bytes of the replies and history queued for this client and not yet
//  handed to its writer (live values are not counted: they coalesce).
size_t rs_hub_client_queued_bytes (rs_hub_client_t *client);
//  Copies the client's current filter.
void rs_hub_client_get_filter (rs_hub_client_t *client, rs_hub_filter_t *out);

//  The sample JSON text for a decoded telemetry message, all channels:
//  {"type":"sample","well","pub","seq","ts","time","ch":{...}}. Fresh string.
char *rs_hub_sample_text (const rs_msg_t *msg);

#endif
