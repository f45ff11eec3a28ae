/*  rs_store: the recorder's write side. Messages (samples, events, KPIs,
    alerts) and permanent gaps go into a bounded memory buffer; batches of
    it are written to SQLite (WAL, synchronous=NORMAL) in one transaction
    each, with prepared statements. The same transaction inserts the rows
    (INSERT OR IGNORE on (stream, seq), so replays and duplicates are stored
    once), moves each stream's contiguous high-water mark (rs_wm), upserts
    the 1-minute and 1-hour aggregates of the rows it really inserted, and
    updates this run's ingest statistics. docs/STORAGE.md is the schema.

    When the database cannot be written (locked, disk full, read-only,
    corrupt, missing directory...) the batch is rolled back and stays in the
    buffer; the store logs the reason (rate-limited), retries with back-off
    and reopens the file when needed. The buffer holds at most buffer_max
    rows; beyond that new rows are dropped and counted.

    No sockets, and every decision about time (batch age, back-off,
    retention) uses the times the caller passes, so tests drive it with a
    temporary file, crafted messages and a fake clock. */
#ifndef RS_STORE_H
#define RS_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rs_msg.h"
#include "rs_resume.h"
#include "rs_schema.h"

typedef struct {
    const char *path;             //  database file (its directory must exist)
    int batch_rows;               //  rows per transaction; 0 = 1000
    int flush_ms;                 //  oldest buffered row waits at most this long; 0 = 200
    int retention_days;           //  raw samples and KPIs, by sample time; 0 = keep forever
    int agg_retention_days;       //  agg_1m and agg_1h; 0 = keep forever
    size_t buffer_max;            //  rows held while the database is unavailable; 0 = 1,000,000
    int busy_timeout_ms;          //  wait for another writer's lock; 0 = 50
    int retry_max_ms;             //  back-off ceiling between failed attempts; 0 = 10,000
    int prune_rows;               //  rows deleted per table per prune step; 0 = 5000
} rs_store_opts_t;

typedef struct {
    uint64_t stored;              //  rows inserted (samples + events + kpis + alerts)
    uint64_t samples, events, kpis, alerts;
    uint64_t ignored;             //  rows already in the database (replays, duplicates)
    uint64_t gaps;                //  permanent gaps recorded
    uint64_t batches;             //  transactions committed
    uint64_t write_errors;        //  failed attempts (open, migrate, flush, prune)
    uint64_t dropped;             //  rows lost because the buffer was full
    uint64_t pruned;              //  rows deleted by retention
    uint64_t buffered;            //  rows waiting in memory
    uint64_t buffered_max;        //  high-water mark of buffered
    int64_t db_bytes;             //  database + WAL file sizes (updated by rs_store_tick)
    int64_t last_flush_ms;        //  duration of the last committed batch
    int64_t last_flush_at_ms;     //  monotonic time of the last commit; 0 = none yet
    int last_error;               //  SQLite result code of the last failure; 0 when healthy
    bool db_ok;                   //  database open and the last write succeeded
} rs_store_stats_t;

typedef struct rs_store_t rs_store_t;

//  Returns a fresh store, or NULL on bad options or no memory. Does not
//  touch the database yet: call rs_store_open.
rs_store_t *rs_store_new (const rs_store_opts_t *opts);
//  Closes the database and frees the buffer (call rs_store_drain first to
//  keep its rows).
void rs_store_destroy (rs_store_t **self_p);

//  Opens the database, sets WAL mode, migrates the schema to
//  RS_STORE_SCHEMA and starts this run's ingest_stats row. Returns 0, or a
//  SQLite result code (the reason is logged; rs_store_tick retries later).
int rs_store_open (rs_store_t *self, int64_t now_ms);

//  Streams to resume from storage: for each (publisher, topic), its latest
//  epoch and mark, unless that stream was closed by an open-ended gap.
//  Calls fn for each; returns how many, or -1 when the database is not open
//  or cannot be read (logged).
int rs_store_foreach_resume (rs_store_t *self, rs_resume_fn *fn, void *arg);

//  Buffers a message (telemetry, event, kpi, alert; other kinds are
//  ignored). Returns 0 when buffered, 1 when ignored, -1 when dropped
//  (buffer full or no memory; counted).
int rs_store_add (rs_store_t *self, const rs_msg_t *msg, int64_t now_ms);
//  Buffers a permanent gap [from_seq, to_seq] of a stream (topic
//  "<kind>.<well>"): a row of kind 'loss'; to_seq 0 = open-ended, a row of
//  kind 'unknown_tail' that closes the stream. Returns as rs_store_add.
int rs_store_add_gap (rs_store_t *self, const char *pub, const char *topic, uint64_t epoch,
                      uint64_t from_seq, uint64_t to_seq, int64_t now_ms);

//  Buffers the end of a stream: its publisher stopped cleanly with last_seq
//  as the last seq of topic in that epoch. Once every seq up to last_seq is
//  stored or recorded as a gap, the stream is closed without any gap row;
//  streams.end_seq keeps last_seq. Ignored for a stream the database does
//  not hold. Returns as rs_store_add.
int rs_store_add_end (rs_store_t *self, const char *pub, const char *topic, uint64_t epoch,
                      uint64_t last_seq, int64_t now_ms);

//  Does the one piece of work that is due, if any: reopen the database, or
//  write one batch when batch_rows are waiting or the oldest row is flush_ms
//  old, respecting the back-off after a failure. Returns 1 when it wrote or
//  opened something (call again to continue), 0 when nothing was due, or a
//  negative value after a failure (logged, retried later).
int rs_store_tick (rs_store_t *self, int64_t now_ms);
//  Writes one batch now, whatever its size or age (still respecting
//  nothing else). Returns 0 (also when empty) or a SQLite result code.
int rs_store_flush (rs_store_t *self, int64_t now_ms);
//  Writes everything buffered, retrying failures for up to timeout_ms of
//  wall time (this one sleeps: it is for shutdown). Returns the number of
//  rows still buffered (0 = all stored).
size_t rs_store_drain (rs_store_t *self, int timeout_ms);

//  One retention step at wall time now_us: deletes at most prune_rows rows
//  per table (per well) older than the retention. Returns rows deleted, or
//  -1 on failure (logged).
int rs_store_prune (rs_store_t *self, int64_t now_us);

//  Counters and gauges.
const rs_store_stats_t *rs_store_stats (rs_store_t *self);
//  Rows waiting in the buffer.
size_t rs_store_buffered (rs_store_t *self);
//  The open connection (NULL when closed), for tests and diagnostics.
sqlite3 *rs_store_db (rs_store_t *self);

#endif
