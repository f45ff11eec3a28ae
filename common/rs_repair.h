/*  rs_repair: the bookkeeping of a durable feed, apart from its sockets.
    Holds the ranges still missing per (pub, epoch, topic), what each
    publisher's replay endpoint is, which requests are in flight, and decides
    when a range is beyond repair. rs_sub feeds it and does the I/O. */
#ifndef RS_REPAIR_H
#define RS_REPAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rs_sub.h"

typedef struct rs_repair_t rs_repair_t;

//  A request to send: REPLAY topic epoch from to, to endpoint.
typedef struct {
    const char *endpoint;
    const char *pub;
    const char *topic;
    uint64_t epoch;
    uint64_t from;
    uint64_t to;
} rs_repair_req_t;

//  Told about each permanent gap the repairer gives up on.
typedef void (rs_repair_lost_fn) (const rs_gap_t *gap, void *arg);

//  chunk: messages asked for per request; timeout_ms: answer deadline;
//  tries: attempts before giving up; unknown_ms: how long to wait for a
//  publisher's replay endpoint to be announced before giving up.
rs_repair_t *rs_repair_new (size_t chunk, int timeout_ms, int tries, int unknown_ms,
                            rs_repair_lost_fn *lost, void *arg);
void rs_repair_destroy (rs_repair_t **self_p);

//  A publisher announced (epoch, endpoint) in its heartbeat. A range of an
//  older epoch of that publisher can no longer be repaired.
void rs_repair_endpoint (rs_repair_t *self, const char *pub, uint64_t epoch, const char *endpoint,
                         int64_t now_ms);
//  Adds the missing range [from, to] of a stream. A quiet range is a best
//  effort back-fill (history from before the stream was known): what cannot
//  be had is not reported as lost.
void rs_repair_add (rs_repair_t *self, const char *pub, const char *topic, uint64_t epoch,
                    uint64_t from, uint64_t to, bool quiet, int64_t now_ms);
//  Returns true and fills *req with the next request to send (and marks it in
//  flight), or false when nothing is due. Strings live in the repairer.
bool rs_repair_next (rs_repair_t *self, int64_t now_ms, rs_repair_req_t *req);
//  A replayed message arrived. Returns true if it was wanted (deliver it).
bool rs_repair_got (rs_repair_t *self, const char *pub, const char *topic, uint64_t epoch,
                    uint64_t seq);
//  The answer to a request ended: the publisher holds [first, last] of topic
//  in its epoch `epoch` (0, 0 when none).
void rs_repair_end (rs_repair_t *self, const char *endpoint, const char *topic, uint64_t epoch,
                    uint64_t first, uint64_t last);
//  Expires overdue requests and gives up on hopeless ranges.
void rs_repair_tick (rs_repair_t *self, int64_t now_ms);
//  Messages still missing in all ranges.
uint64_t rs_repair_pending (rs_repair_t *self);
//  True if (pub, topic, epoch, seq) lies in a missing range.
bool rs_repair_wants (rs_repair_t *self, const char *pub, const char *topic, uint64_t epoch,
                      uint64_t seq);

#endif
