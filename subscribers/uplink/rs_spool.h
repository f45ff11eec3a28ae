/*  rs_spool: the uplink's store-and-forward queue, an SQLite file in WAL mode.
    Every sample bound for the centre goes through it: added records (and the
    durable feed's per-stream marks) are written in one transaction per flush,
    read back in order for sending, and deleted once the MQTT broker has
    acknowledged them. The queue is bounded by bytes and by sample age; when a
    bound is passed the oldest records are dropped, and the drops are counted
    (also across restarts). A small key/value table keeps the session state
    that must outlive the process (the Sparkplug bdSeq). */
#ifndef RS_SPOOL_H
#define RS_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rs_resume.h"

typedef struct rs_spool_t rs_spool_t;

typedef struct {
    const char *path;
    int64_t max_bytes;      // 0 = unbounded
    int max_days;           // records older than this (sample time) are dropped; 0 = kept
} rs_spool_opts_t;

typedef struct {
    int64_t id;             // increasing with insertion order
    const char *well;
    int kind;               // rs_kind_t
    uint64_t seq;           // the rigstream message's seq
    int64_t ts_ms;          // sample time, ms since the Unix epoch
    bool late;              // recovered from a publisher's journal: never sent as live
    const void *data;       // the caller's encoded values
    size_t size;
    int64_t bytes;          // what the record counts against max_bytes
} rs_spool_rec_t;

typedef struct {
    uint64_t queued;        // records in the file
    int64_t queued_bytes;
    uint64_t pending;       // added, not yet flushed
    uint64_t added;         // this run
    uint64_t acked;         // deleted after an acknowledgement, this run
    uint64_t dropped;       // dropped by a bound, all runs
    uint64_t dropped_run;   // of which in this run
    uint64_t write_errors;
} rs_spool_stats_t;

//  Opens (creating) the file. Returns a fresh spool, or NULL (logged).
rs_spool_t *rs_spool_new (const rs_spool_opts_t *opts);
//  Flushes what is pending, then closes.
void rs_spool_destroy (rs_spool_t **self_p);

//  Queues a record for the next flush (copies everything). `late`: it was
//  recovered from a publisher's journal (see rs_spool_rec_t). Returns 0 or -1.
int rs_spool_add (rs_spool_t *self, const char *well, int kind, uint64_t seq, int64_t ts_ms, bool late,
                  const void *data, size_t size);
//  Records, for the next flush, that a stream is held up to `seq`.
int rs_spool_set_mark (rs_spool_t *self, const char *pub, const char *topic, uint64_t epoch, uint64_t seq);
//  Forgets a stream's mark at the next flush (if it is still of epoch): the
//  stream ended and everything of it is held, so a restart resumes nothing.
int rs_spool_end_mark (rs_spool_t *self, const char *pub, const char *topic, uint64_t epoch);
//  Deletes a sent record at the next flush (it was acknowledged).
int rs_spool_ack (rs_spool_t *self, int64_t id);
//  Writes pending records, marks and deletions in one transaction, then
//  applies the bounds (now_ms: wall clock, ms since the epoch). Returns the
//  number of records dropped by the bounds, or -1 when the file could not be
//  written (everything stays pending for the next try).
int rs_spool_flush (rs_spool_t *self, int64_t now_ms);

//  Reads up to `max` flushed records with after_id < id <= upto_id (upto_id
//  0 = no limit), in id order. Their pointers stay valid until the next read.
//  Returns how many, or -1.
int rs_spool_read (rs_spool_t *self, int64_t after_id, int64_t upto_id, rs_spool_rec_t *out, size_t max);
//  Largest id written so far (0 when none).
int64_t rs_spool_last_id (rs_spool_t *self);
//  Sample time of the oldest queued record, or 0 when the queue is empty.
int64_t rs_spool_oldest_ts (rs_spool_t *self);

//  Calls fn for every stream mark in the file (rs_resume). Returns how many, or -1.
int rs_spool_foreach_mark (rs_spool_t *self, rs_resume_fn *fn, void *arg);

//  Persistent integers (written at once). get returns `def` when absent.
int64_t rs_spool_state_get (rs_spool_t *self, const char *key, int64_t def);
int rs_spool_state_set (rs_spool_t *self, const char *key, int64_t value);

const rs_spool_stats_t *rs_spool_stats (rs_spool_t *self);

#endif
