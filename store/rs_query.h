/*  rs_query: the recorder's read side, shared by rigstream-db and the web
    bridge. Opens the database read-only (WAL: never blocks the saver, and
    the saver never blocks it), lists wells, checks channel names, returns
    raw samples of one well in a time range, and answers "this range in N
    points" with per-bucket min/max/mean, reading raw samples, agg_1m or
    agg_1h depending on how wide each point is. docs/STORAGE.md describes
    the tables it reads. */
#ifndef RS_QUERY_H
#define RS_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rs_err.h"

typedef enum {
    RS_QUERY_OK = 0,
    RS_QUERY_E_DB,          //  the database cannot be opened or read
    RS_QUERY_E_WELL,        //  no such well in the database
    RS_QUERY_E_CHANNEL,     //  not a known channel, nor an extra channel of the well
    RS_QUERY_E_ARG,         //  bad argument: from > to, points out of range, too many channels
    RS_QUERY_E_NOMEM,
    RS_QUERY_E_STOPPED,     //  a callback asked to stop
    RS_QUERY_E_TIMEOUT      //  past the deadline set with rs_query_set_deadline
} rs_query_err_t;

//  Static text for an rs_query_err_t.
const char *rs_query_strerror (int err);

#define RS_QUERY_MAX_CHANNELS 64
#define RS_QUERY_MAX_POINTS   100000

typedef struct rs_query_t rs_query_t;

//  Opens `path` read-only and checks it is a rigstream database of a
//  schema this code reads. Returns a fresh handle, or NULL with the reason
//  in rs_errmsg () (rs_err.h).
rs_query_t *rs_query_new (const char *path);
void rs_query_destroy (rs_query_t **self_p);
//  The reason for the last error on this handle ("" when none).
const char *rs_query_detail (rs_query_t *self);
//  Interrupts any read still running at deadline_ms (rs_clock_mono_ms):
//  it fails with RS_QUERY_E_TIMEOUT. 0 removes the deadline. A server
//  bounds the time one request may hold a core with it.
void rs_query_set_deadline (rs_query_t *self, int64_t deadline_ms);

typedef struct {
    const char *name;
    int64_t samples;            //  samples stored (before retention)
    int64_t events;
    int64_t first_us, last_us;  //  time of the oldest and newest sample held; 0 when none
} rs_query_well_t;
//  Return 0 to go on, non-zero to stop.
typedef int (rs_query_well_fn) (const rs_query_well_t *well, void *arg);
int rs_query_wells (rs_query_t *self, rs_query_well_fn *fn, void *arg);

//  Time of the well's oldest and newest sample held (both 0 when it has
//  none). Returns RS_QUERY_OK or RS_QUERY_E_WELL / RS_QUERY_E_DB.
int rs_query_extent (rs_query_t *self, const char *well, int64_t *first_us, int64_t *last_us);

//  What to read: one well, [from_us, to_us] inclusive, named channels
//  (known channels, or extra channels the well has carried).
typedef struct {
    const char *well;
    int64_t from_us, to_us;
    const char *const *channels;
    size_t n_channels;
} rs_query_spec_t;

//  Checks the well and every channel name. Returns RS_QUERY_OK or the
//  error (rs_query_detail names the offender).
int rs_query_check (rs_query_t *self, const rs_query_spec_t *spec);

//  A raw sample: the publisher that sent it (its id; seq counts within
//  that publisher's stream, so (pub, seq) names one sample), values[i] for
//  spec->channels[i], NaN = no reading.
typedef struct {
    int64_t ts_us;
    uint64_t seq;
    const double *values;
    const char *pub;
} rs_query_row_t;
typedef int (rs_query_row_fn) (const rs_query_row_t *row, void *arg);
//  Calls fn for every sample in the range, oldest first.
int rs_query_samples (rs_query_t *self, const rs_query_spec_t *spec, rs_query_row_fn *fn, void *arg);

//  Calls fn with the id of every publisher whose raw samples of the well
//  fall in [from_us, to_us], sorted by name. Only raw samples carry their
//  publisher: a range held only in agg_1m/agg_1h names none.
typedef int (rs_query_name_fn) (const char *name, void *arg);
int rs_query_publishers (rs_query_t *self, const char *well, int64_t from_us, int64_t to_us,
                         rs_query_name_fn *fn, void *arg);

//  A change of rig state recorded for a well (a rig_state event).
typedef struct {
    int64_t ts_us;
    const char *state;
} rs_query_state_t;
typedef int (rs_query_state_fn) (const rs_query_state_t *state, void *arg);
//  Calls fn with the well's rig-state changes in the range, oldest first,
//  starting with the last one at or before from_us (the state the range
//  starts in).
//  The same from the engine's KPI messages (kpis.rig_state, schema 4; none
//  in an older database): its rig state where it changes, "unknown" left out.
int rs_query_kpi_rig_states (rs_query_t *self, const char *well, int64_t from_us, int64_t to_us,
                             rs_query_state_fn *fn, void *arg);
int rs_query_rig_states (rs_query_t *self, const char *well, int64_t from_us, int64_t to_us,
                         rs_query_state_fn *fn, void *arg);

//  Calls fn with every extra (non-standard) channel the well has carried,
//  sorted by name.
int rs_query_extras (rs_query_t *self, const char *well, rs_query_name_fn *fn, void *arg);

typedef enum {
    RS_QUERY_RAW = 0,
    RS_QUERY_AGG_1M,
    RS_QUERY_AGG_1H
} rs_query_source_t;
const char *rs_query_source_name (rs_query_source_t source);

//  One point of a downsampled range: the bucket [t_us, t_us + width_us),
//  how many samples fell in it, and per channel min, max and mean (NaN
//  when the bucket has no reading of that channel).
typedef struct {
    int64_t t_us;
    int64_t width_us;
    int64_t n;
    const double *min, *max, *mean;
} rs_query_point_t;
typedef int (rs_query_point_fn) (const rs_query_point_t *point, void *arg);

//  The table a range query reads and its bucket width for `points` points
//  over [from_us, to_us]: raw samples while a point covers less than a
//  minute, agg_1m while it covers less than an hour, agg_1h beyond. The
//  width is rounded up to whole source buckets. Pure function.
rs_query_source_t rs_query_pick (int64_t from_us, int64_t to_us, int points, int64_t *width_us);

//  Downsamples the range to at most `points` points (empty buckets are
//  skipped), oldest first. Extra channels exist only in raw samples, so a
//  spec naming one always reads raw. When the picked raw samples have been
//  pruned for the whole range, agg_1m answers instead. *used (optional)
//  tells which table answered.
int rs_query_range (rs_query_t *self, const rs_query_spec_t *spec, int points,
                    rs_query_point_fn *fn, void *arg, rs_query_source_t *used);

typedef struct {
    int schema;                 //  PRAGMA user_version
    int64_t db_bytes;           //  pages in use x page size (WAL not included)
    int64_t wells, publishers, streams, open_streams;
    int64_t samples_stored, events, kpis, alerts;
    int64_t gaps, open_gaps;    //  permanent gaps; open_gaps = open-ended ones
    int64_t agg_1m_rows, agg_1h_rows;
    //  The latest run of the saver (ingest_stats).
    int64_t runs;
    int64_t run_started_us, run_updated_us;
    int64_t run_stored, run_ignored, run_batches, run_write_errors, run_dropped, run_pruned;
} rs_query_stats_t;
int rs_query_stats (rs_query_t *self, rs_query_stats_t *out);

#endif
