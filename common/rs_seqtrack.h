/*  rs_seqtrack: per-stream sequence bookkeeping. A stream is (publisher, topic);
    each carries (epoch, seq). Pure logic, no I/O: the SDK feeds it every
    decoded message and counts what it says. */
#ifndef RS_SEQTRACK_H
#define RS_SEQTRACK_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    RS_SEQ_FIRST,      // first message seen on this stream
    RS_SEQ_NEXT,       // seq == last + 1
    RS_SEQ_GAP,        // seq > last + 1: *missing messages were lost
    RS_SEQ_DUP,        // seq <= last in the same epoch: duplicate or late; drop it
    RS_SEQ_NEW_EPOCH,  // the publisher restarted (larger epoch); starts afresh
    RS_SEQ_OLD_EPOCH   // a message from an older incarnation; drop it
} rs_seq_result_t;

typedef struct rs_seqtrack_t rs_seqtrack_t;

typedef struct {
    const char *pub;
    const char *topic;
    uint64_t epoch;
    uint64_t first_seq;   // first seq seen in this epoch
    uint64_t last_seq;
    int64_t last_ts_us;
    uint64_t received;
    uint64_t gaps;        // gap events
    uint64_t missing;     // messages lost in gaps
    uint64_t duplicates;
    uint64_t time_backwards;  // messages whose ts went back in time
} rs_stream_info_t;

rs_seqtrack_t *rs_seqtrack_new (void);
void rs_seqtrack_destroy (rs_seqtrack_t **self_p);
//  Records one message. For RS_SEQ_GAP, *missing (if not NULL) gets the count
//  lost. Time going backwards is counted but does not change the result.
rs_seq_result_t rs_seqtrack_check (rs_seqtrack_t *self, const char *pub, const char *topic,
                                   uint64_t epoch, uint64_t seq, int64_t ts_us,
                                   uint64_t *missing);
//  Records that a stream is known up to last_seq (e.g. from storage), as if
//  that message had just been seen. Returns 0, or -1 on out of memory.
int rs_seqtrack_seed (rs_seqtrack_t *self, const char *pub, const char *topic, uint64_t epoch,
                      uint64_t last_seq);
//  The stream's current epoch and last seq; returns -1 if it is unknown.
int rs_seqtrack_last (rs_seqtrack_t *self, const char *pub, const char *topic, uint64_t *epoch,
                      uint64_t *last_seq);
size_t rs_seqtrack_size (rs_seqtrack_t *self);
//  Calls fn for each stream (order unspecified).
void rs_seqtrack_foreach (rs_seqtrack_t *self,
                          void (*fn) (const rs_stream_info_t *info, void *arg), void *arg);
const char *rs_seq_result_name (rs_seq_result_t result);

#endif
