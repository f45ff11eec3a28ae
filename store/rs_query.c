/*  rs_query: read-only queries over the recorder's database. */
#include "rs_query.h"

#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rs_channels.h"
#include "rs_clock.h"
#include "rs_msg.h"
#include "rs_store.h"
#include "rs_strbuf.h"

#define S_MINUTE_US (60 * 1000000LL)
#define S_HOUR_US   (3600 * 1000000LL)

struct rs_query_t {
    sqlite3 *db;
    char detail[512];
    int64_t deadline_ms;            //  0 = none
    bool timed_out;                 //  the progress handler interrupted a read
};

//  A requested channel, resolved: a known column, or a key of samples.extra.
typedef struct {
    int known;                  //  rs_chan_id_t, or RS_CH_UNKNOWN
    char path[RS_MAX_CHNAME + 4];   //  "$.name" for an extra channel
} s_chan_t;

const char *
rs_query_strerror (int err)
{
    switch (err) {
    case RS_QUERY_OK: return "ok";
    case RS_QUERY_E_DB: return "database error";
    case RS_QUERY_E_WELL: return "unknown well";
    case RS_QUERY_E_CHANNEL: return "unknown channel";
    case RS_QUERY_E_ARG: return "invalid argument";
    case RS_QUERY_E_NOMEM: return "out of memory";
    case RS_QUERY_E_STOPPED: return "stopped";
    case RS_QUERY_E_TIMEOUT: return "time limit reached";
    default: return "unknown error";
    }
}

const char *
rs_query_source_name (rs_query_source_t source)
{
    switch (source) {
    case RS_QUERY_AGG_1M: return "agg_1m";
    case RS_QUERY_AGG_1H: return "agg_1h";
    default: return "samples";
    }
}

static int
s_fail (rs_query_t *self, int err, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

static int
s_fail (rs_query_t *self, int err, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (self->detail, sizeof self->detail, fmt, ap);
    va_end (ap);
    return err;
}

static int
s_db_fail (rs_query_t *self)
{
    if (self->timed_out)
        return s_fail (self, RS_QUERY_E_TIMEOUT, "the read took longer than its time limit");
    return s_fail (self, RS_QUERY_E_DB, "%s", sqlite3_errmsg (self->db));
}

//  SQLite calls this every few thousand steps of a statement: non-zero
//  interrupts it (SQLITE_INTERRUPT).
static int
s_progress (void *arg)
{
    rs_query_t *self = arg;
    if (self->deadline_ms && rs_clock_mono_ms () > self->deadline_ms) {
        self->timed_out = true;
        return 1;
    }
    return 0;
}

void
rs_query_set_deadline (rs_query_t *self, int64_t deadline_ms)
{
    self->deadline_ms = deadline_ms;
    self->timed_out = false;
    sqlite3_progress_handler (self->db, deadline_ms ? 1000 : 0, deadline_ms ? s_progress : NULL, self);
}

//  Prepares the statement built in sql, which it frees. Returns RS_QUERY_OK
//  with *st, or the error (recorded).
static int
s_prepare_built (rs_query_t *self, rs_strbuf_t *sql, sqlite3_stmt **st)
{
    *st = NULL;
    if (!rs_strbuf_ok (sql)) {
        rs_strbuf_cleanup (sql);
        return s_fail (self, RS_QUERY_E_NOMEM, "out of memory");
    }
    int rc = sqlite3_prepare_v2 (self->db, rs_strbuf_text (sql), -1, st, NULL);
    rs_strbuf_cleanup (sql);
    return rc == SQLITE_OK ? RS_QUERY_OK : s_db_fail (self);
}

//  Ends a loop over the rows of st, which it finalizes: the caller stopped
//  it (RS_QUERY_E_STOPPED), the rows ran out (last step SQLITE_DONE:
//  RS_QUERY_OK) or a read failed (recorded).
static int
s_rows_done (rs_query_t *self, sqlite3_stmt *st, int rc, bool stopped)
{
    int err = stopped ? RS_QUERY_E_STOPPED : rc == SQLITE_DONE ? RS_QUERY_OK : s_db_fail (self);
    sqlite3_finalize (st);
    return err;
}

rs_query_t *
rs_query_new (const char *path)
{
    rs_query_t *self = calloc (1, sizeof *self);
    if (!self) {
        rs_err_set (RS_E_NOMEM, "out of memory");
        return NULL;
    }
    int rc = sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READONLY, NULL);
    sqlite3_stmt *st = NULL;
    int version = -1;
    if (rc == SQLITE_OK) {
        //  The saver holds its write lock for a few ms at a time; a reader
        //  only waits on it in the rare moments WAL needs to be reset.
        sqlite3_busy_timeout (self->db, 2000);
        rc = sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &st, NULL);
    }
    if (rc == SQLITE_OK && (rc = sqlite3_step (st)) == SQLITE_ROW) {
        version = sqlite3_column_int (st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_OK) {
        rs_err_set (RS_E_IO, "cannot open database %s: %s", path,
                  self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
        rs_query_destroy (&self);
        return NULL;
    }
    if (version == 0) {
        rs_err_set (RS_E_FORMAT, "%s is not a rigstream database (no schema yet: has the saver run?)", path);
        rs_query_destroy (&self);
        return NULL;
    }
    if (version > RS_STORE_SCHEMA) {
        rs_err_set (RS_E_FORMAT, "%s has schema version %d, newer than this program's (%d): upgrade rigstream",
                  path, version, RS_STORE_SCHEMA);
        rs_query_destroy (&self);
        return NULL;
    }
    return self;
}

void
rs_query_destroy (rs_query_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sqlite3_close ((*self_p)->db);
    free (*self_p);
    *self_p = NULL;
}

const char *
rs_query_detail (rs_query_t *self)
{
    return self->detail;
}

int
rs_query_wells (rs_query_t *self, rs_query_well_fn *fn, void *arg)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2 (self->db,
        "SELECT w.name,"
        " (SELECT coalesce(sum(rows), 0) FROM streams s WHERE s.well = w.id AND s.kind = 'telemetry'),"
        " (SELECT coalesce(sum(rows), 0) FROM streams s WHERE s.well = w.id AND s.kind = 'event'),"
        " (SELECT min(ts) FROM samples x WHERE x.well = w.id),"
        " (SELECT max(ts) FROM samples x WHERE x.well = w.id)"
        " FROM wells w ORDER BY w.name", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return s_db_fail (self);
    bool stopped = false;
    while (!stopped && (rc = sqlite3_step (st)) == SQLITE_ROW) {
        rs_query_well_t w = {
            .name = (const char *) sqlite3_column_text (st, 0),
            .samples = sqlite3_column_int64 (st, 1),
            .events = sqlite3_column_int64 (st, 2),
            .first_us = sqlite3_column_int64 (st, 3),
            .last_us = sqlite3_column_int64 (st, 4),
        };
        stopped = fn (&w, arg) != 0;
    }
    return s_rows_done (self, st, rc, stopped);
}

static int
s_well_id (rs_query_t *self, const char *well, int64_t *id)
{
    if (!well || !*well)
        return s_fail (self, RS_QUERY_E_ARG, "no well given");
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2 (self->db, "SELECT id FROM wells WHERE name = ?", -1, &st, NULL) != SQLITE_OK)
        return s_db_fail (self);
    sqlite3_bind_text (st, 1, well, -1, SQLITE_STATIC);
    int rc = sqlite3_step (st);
    int err = RS_QUERY_OK;
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64 (st, 0);
    else if (rc == SQLITE_DONE)
        err = s_fail (self, RS_QUERY_E_WELL, "unknown well \"%s\" (rigstream-db wells lists them)", well);
    else
        err = s_db_fail (self);
    sqlite3_finalize (st);
    return err;
}

int
rs_query_extent (rs_query_t *self, const char *well, int64_t *first_us, int64_t *last_us)
{
    int64_t id;
    int err = s_well_id (self, well, &id);
    if (err != RS_QUERY_OK)
        return err;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2 (self->db, "SELECT (SELECT min(ts) FROM samples WHERE well = ?1), "
                            "(SELECT max(ts) FROM samples WHERE well = ?1)", -1, &st, NULL) != SQLITE_OK)
        return s_db_fail (self);
    sqlite3_bind_int64 (st, 1, id);
    if (sqlite3_step (st) == SQLITE_ROW) {
        *first_us = sqlite3_column_int64 (st, 0);
        *last_us = sqlite3_column_int64 (st, 1);
    }
    else
        err = s_db_fail (self);
    sqlite3_finalize (st);
    return err;
}

//  Resolves the spec: well id and each channel. chans has n_channels entries.
static int
s_resolve (rs_query_t *self, const rs_query_spec_t *spec, int64_t *well_id, s_chan_t *chans)
{
    self->detail[0] = '\0';
    if (spec->from_us > spec->to_us)
        return s_fail (self, RS_QUERY_E_ARG, "the start of the range is after its end");
    if (spec->n_channels == 0 || spec->n_channels > RS_QUERY_MAX_CHANNELS)
        return s_fail (self, RS_QUERY_E_ARG, "give 1 to %d channels", RS_QUERY_MAX_CHANNELS);
    int err = s_well_id (self, spec->well, well_id);
    if (err != RS_QUERY_OK)
        return err;
    sqlite3_stmt *st = NULL;
    for (size_t i = 0; i < spec->n_channels; i++) {
        const char *name = spec->channels[i];
        size_t len = name ? strlen (name) : 0;
        chans[i].known = name ? rs_chan_lookup (name, len) : RS_CH_UNKNOWN;
        chans[i].path[0] = '\0';
        if (chans[i].known != RS_CH_UNKNOWN)
            continue;
        if (!name || !rs_chan_name_valid (name, len)) {
            err = s_fail (self, RS_QUERY_E_CHANNEL, "invalid channel name \"%s\"", name ? name : "");
            break;
        }
        if (!st && sqlite3_prepare_v2 (self->db, "SELECT 1 FROM extra_channels WHERE well = ? AND name = ?",
                                       -1, &st, NULL) != SQLITE_OK) {
            err = s_db_fail (self);
            break;
        }
        sqlite3_bind_int64 (st, 1, *well_id);
        sqlite3_bind_text (st, 2, name, -1, SQLITE_STATIC);
        int rc = sqlite3_step (st);
        sqlite3_reset (st);
        if (rc != SQLITE_ROW) {
            err = rc == SQLITE_DONE
                      ? s_fail (self, RS_QUERY_E_CHANNEL,
                                "unknown channel \"%s\": not a known channel, and well %s never carried it",
                                name, spec->well)
                      : s_db_fail (self);
            break;
        }
        snprintf (chans[i].path, sizeof chans[i].path, "$.%s", name);
    }
    sqlite3_finalize (st);
    return err;
}

int
rs_query_check (rs_query_t *self, const rs_query_spec_t *spec)
{
    s_chan_t chans[RS_QUERY_MAX_CHANNELS];
    int64_t well_id;
    return s_resolve (self, spec, &well_id, chans);
}

//  Appends the SQL expression for channel i; extra channels read samples.extra
//  through a bound JSON path (parameter number *param, then incremented).
static void
s_chan_expr (rs_strbuf_t *sql, const s_chan_t *c, int *param)
{
    if (c->known != RS_CH_UNKNOWN)
        rs_strbuf_add (sql, "x.%s", rs_chan_info (c->known)->name);
    else
        rs_strbuf_add (sql, "json_extract(x.extra, ?%d)", (*param)++);
}

static void
s_bind_paths (sqlite3_stmt *st, const s_chan_t *chans, size_t n, int first)
{
    for (size_t i = 0; i < n; i++)
        if (chans[i].known == RS_CH_UNKNOWN)
            sqlite3_bind_text (st, first++, chans[i].path, -1, SQLITE_STATIC);
}

static double
s_col (sqlite3_stmt *st, int i)
{
    return sqlite3_column_type (st, i) == SQLITE_NULL ? NAN : sqlite3_column_double (st, i);
}

int
rs_query_samples (rs_query_t *self, const rs_query_spec_t *spec, rs_query_row_fn *fn, void *arg)
{
    s_chan_t chans[RS_QUERY_MAX_CHANNELS];
    int64_t well_id;
    int err = s_resolve (self, spec, &well_id, chans);
    if (err != RS_QUERY_OK)
        return err;
    rs_strbuf_t sql;
    rs_strbuf_init (&sql);
    int param = 4;
    rs_strbuf_add (&sql, "SELECT x.ts, x.seq, p.name");
    for (size_t i = 0; i < spec->n_channels; i++) {
        rs_strbuf_add (&sql, ", ");
        s_chan_expr (&sql, &chans[i], &param);
    }
    //  Streams and publishers are few and keyed by id: the join costs a
    //  lookup per row, and names each sample's publisher.
    rs_strbuf_add (&sql, " FROM samples x JOIN streams s ON s.id = x.stream JOIN publishers p ON p.id = s.publisher"
                   " WHERE x.well = ?1 AND x.ts BETWEEN ?2 AND ?3 ORDER BY x.ts, x.seq");
    sqlite3_stmt *st;
    if ((err = s_prepare_built (self, &sql, &st)) != RS_QUERY_OK)
        return err;
    sqlite3_bind_int64 (st, 1, well_id);
    sqlite3_bind_int64 (st, 2, spec->from_us);
    sqlite3_bind_int64 (st, 3, spec->to_us);
    s_bind_paths (st, chans, spec->n_channels, 4);
    double values[RS_QUERY_MAX_CHANNELS];
    bool stopped = false;
    int rc = SQLITE_OK;
    while (!stopped && (rc = sqlite3_step (st)) == SQLITE_ROW) {
        for (size_t i = 0; i < spec->n_channels; i++)
            values[i] = s_col (st, 3 + (int) i);
        rs_query_row_t row = { sqlite3_column_int64 (st, 0), (uint64_t) sqlite3_column_int64 (st, 1), values,
                               (const char *) sqlite3_column_text (st, 2) };
        stopped = fn (&row, arg) != 0;
    }
    return s_rows_done (self, st, rc, stopped);
}

//  Runs st (parameters bound) and calls fn with column 0 of every row.
static int
s_names (rs_query_t *self, sqlite3_stmt *st, rs_query_name_fn *fn, void *arg)
{
    bool stopped = false;
    int rc = SQLITE_OK;
    while (!stopped && (rc = sqlite3_step (st)) == SQLITE_ROW)
        stopped = fn ((const char *) sqlite3_column_text (st, 0), arg) != 0;
    return s_rows_done (self, st, rc, stopped);
}

//  Prepares sql for one well and a time range: ?1 the well's id, ?2 and ?3
//  the range. RS_QUERY_OK with *st set, else the error (said).
static int
s_well_range (rs_query_t *self, const char *well, const char *sql, int64_t from_us, int64_t to_us,
              sqlite3_stmt **st)
{
    int64_t id;
    int err = s_well_id (self, well, &id);
    if (err != RS_QUERY_OK)
        return err;
    *st = NULL;
    if (sqlite3_prepare_v2 (self->db, sql, -1, st, NULL) != SQLITE_OK)
        return s_db_fail (self);
    sqlite3_bind_int64 (*st, 1, id);
    sqlite3_bind_int64 (*st, 2, from_us);
    sqlite3_bind_int64 (*st, 3, to_us);
    return RS_QUERY_OK;
}

//  Runs st and calls fn with every (ts, state) row.
static int
s_states (rs_query_t *self, sqlite3_stmt *st, rs_query_state_fn *fn, void *arg)
{
    bool stopped = false;
    int rc = SQLITE_OK;
    while (!stopped && (rc = sqlite3_step (st)) == SQLITE_ROW) {
        rs_query_state_t s = { sqlite3_column_int64 (st, 0), (const char *) sqlite3_column_text (st, 1) };
        stopped = fn (&s, arg) != 0;
    }
    return s_rows_done (self, st, rc, stopped);
}

int
rs_query_publishers (rs_query_t *self, const char *well, int64_t from_us, int64_t to_us,
                     rs_query_name_fn *fn, void *arg)
{
    //  A well has a handful of telemetry streams; each is probed with the
    //  (well, ts) index for one sample in the range, not counted.
    sqlite3_stmt *st;
    int err = s_well_range (self, well,
            "SELECT DISTINCT p.name FROM streams s JOIN publishers p ON p.id = s.publisher"
            " WHERE s.well = ?1 AND s.kind = 'telemetry' AND EXISTS (SELECT 1 FROM samples x"
            " INDEXED BY samples_well_ts WHERE x.well = ?1 AND x.ts BETWEEN ?2 AND ?3 AND x.stream = s.id)"
            " ORDER BY p.name", from_us, to_us, &st);
    return err == RS_QUERY_OK ? s_names (self, st, fn, arg) : err;
}

int
rs_query_rig_states (rs_query_t *self, const char *well, int64_t from_us, int64_t to_us,
                     rs_query_state_fn *fn, void *arg)
{
    sqlite3_stmt *st;
    int err = s_well_range (self, well,
            "SELECT ts, state FROM events INDEXED BY events_well_ts WHERE well = ?1 AND event = 'rig_state'"
            " AND state IS NOT NULL AND ts BETWEEN coalesce((SELECT max(ts) FROM events INDEXED BY events_well_ts"
            " WHERE well = ?1 AND event = 'rig_state' AND state IS NOT NULL AND ts <= ?2), ?2) AND ?3"
            " ORDER BY ts", from_us, to_us, &st);
    return err == RS_QUERY_OK ? s_states (self, st, fn, arg) : err;
}

int
rs_query_kpi_rig_states (rs_query_t *self, const char *well, int64_t from_us, int64_t to_us,
                         rs_query_state_fn *fn, void *arg)
{
    sqlite3_stmt *st;
    int err = s_well_range (self, well,
            "SELECT ts, rig_state FROM (SELECT ts, rig_state, lag (rig_state) OVER (ORDER BY ts) AS prev"
            " FROM kpis INDEXED BY kpis_well_ts WHERE well = ?1 AND rig_state IS NOT NULL AND rig_state != 'unknown'"
            " AND ts BETWEEN coalesce((SELECT max(ts) FROM kpis INDEXED BY kpis_well_ts WHERE well = ?1"
            " AND rig_state IS NOT NULL AND rig_state != 'unknown' AND ts <= ?2), ?2) AND ?3)"
            " WHERE prev IS NULL OR prev != rig_state ORDER BY ts", from_us, to_us, &st);
    //  A database older than schema 4 has no KPI rig states.
    if (err == RS_QUERY_E_DB && strstr (sqlite3_errmsg (self->db), "no such column"))
        return RS_QUERY_OK;
    return err == RS_QUERY_OK ? s_states (self, st, fn, arg) : err;
}

int
rs_query_extras (rs_query_t *self, const char *well, rs_query_name_fn *fn, void *arg)
{
    int64_t id;
    int err = s_well_id (self, well, &id);
    if (err != RS_QUERY_OK)
        return err;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2 (self->db, "SELECT name FROM extra_channels WHERE well = ? ORDER BY name", -1, &st,
                            NULL) != SQLITE_OK)
        return s_db_fail (self);
    sqlite3_bind_int64 (st, 1, id);
    return s_names (self, st, fn, arg);
}

rs_query_source_t
rs_query_pick (int64_t from_us, int64_t to_us, int points, int64_t *width_us)
{
    if (points < 1)
        points = 1;
    int64_t span = to_us >= from_us ? to_us - from_us + 1 : 1;
    int64_t width = (span + points - 1) / points;
    if (width < 1)
        width = 1;
    rs_query_source_t source = RS_QUERY_RAW;
    int64_t unit = 1;
    if (width >= S_HOUR_US) {
        source = RS_QUERY_AGG_1H;
        unit = S_HOUR_US;
    }
    else if (width >= S_MINUTE_US) {
        source = RS_QUERY_AGG_1M;
        unit = S_MINUTE_US;
    }
    *width_us = (width + unit - 1) / unit * unit;
    return source;
}

//  True when raw samples of the well exist anywhere in the range.
static int
s_has_raw (rs_query_t *self, int64_t well_id, int64_t from, int64_t to, bool *has)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2 (self->db, "SELECT 1 FROM samples WHERE well = ? AND ts BETWEEN ? AND ? LIMIT 1",
                            -1, &st, NULL) != SQLITE_OK)
        return s_db_fail (self);
    sqlite3_bind_int64 (st, 1, well_id);
    sqlite3_bind_int64 (st, 2, from);
    sqlite3_bind_int64 (st, 3, to);
    int rc = sqlite3_step (st);
    sqlite3_finalize (st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return s_db_fail (self);
    *has = rc == SQLITE_ROW;
    return RS_QUERY_OK;
}

int
rs_query_range (rs_query_t *self, const rs_query_spec_t *spec, int points,
                rs_query_point_fn *fn, void *arg, rs_query_source_t *used)
{
    if (points < 1 || points > RS_QUERY_MAX_POINTS)
        return s_fail (self, RS_QUERY_E_ARG, "points must be 1 to %d", RS_QUERY_MAX_POINTS);
    s_chan_t chans[RS_QUERY_MAX_CHANNELS];
    int64_t well_id;
    int err = s_resolve (self, spec, &well_id, chans);
    if (err != RS_QUERY_OK)
        return err;
    int64_t width;
    rs_query_source_t source = rs_query_pick (spec->from_us, spec->to_us, points, &width);
    bool extras = false;
    for (size_t i = 0; i < spec->n_channels; i++)
        extras |= chans[i].known == RS_CH_UNKNOWN;
    if (extras)
        source = RS_QUERY_RAW;
    else if (source == RS_QUERY_RAW) {
        bool has = true;
        if ((err = s_has_raw (self, well_id, spec->from_us, spec->to_us, &has)) != RS_QUERY_OK)
            return err;
        if (!has) {
            source = RS_QUERY_AGG_1M;
            width = (width + S_MINUTE_US - 1) / S_MINUTE_US * S_MINUTE_US;
        }
    }
    if (source == RS_QUERY_RAW && width < 1)
        width = 1;
    //  Bucket b covers [from + b * width, from + (b + 1) * width). Aggregate
    //  rows are taken whole by their start time (rounded down to the
    //  source's own bucket), so a point's edges fall on minute or hour marks
    //  of the source rather than splitting one of its rows.
    rs_strbuf_t sql;
    rs_strbuf_init (&sql);
    int param = 5;
    if (source == RS_QUERY_RAW) {
        rs_strbuf_add (&sql, "SELECT (ts - ?2) / ?4 AS b, count(*)");
        for (size_t i = 0; i < spec->n_channels; i++) {
            const char *fns[] = { "min", "max", "avg" };
            for (int k = 0; k < 3; k++) {
                rs_strbuf_add (&sql, ", %s(", fns[k]);
                if (chans[i].known != RS_CH_UNKNOWN)
                    rs_strbuf_add (&sql, "%s", rs_chan_info (chans[i].known)->name);
                else
                    //  Every use of an extra channel binds its own copy of the path.
                    rs_strbuf_add (&sql, "json_extract(extra, ?%d)", param++);
                rs_strbuf_add (&sql, ")");
            }
        }
        rs_strbuf_add (&sql, " FROM samples WHERE well = ?1 AND ts BETWEEN ?2 AND ?3 GROUP BY b ORDER BY b");
    }
    else {
        const char *table = source == RS_QUERY_AGG_1M ? "agg_1m" : "agg_1h";
        rs_strbuf_add (&sql, "SELECT (bucket - ?2) / ?4 AS b, sum(n)");
        for (size_t i = 0; i < spec->n_channels; i++) {
            const char *c = rs_chan_info (chans[i].known)->name;
            rs_strbuf_add (&sql, ", min(%s_min), max(%s_max), sum(%s_sum) / nullif(sum(%s_n), 0)", c, c, c, c);
        }
        rs_strbuf_add (&sql, " FROM %s WHERE well = ?1 AND bucket BETWEEN ?2 AND ?3 GROUP BY b ORDER BY b",
                       table);
    }
    sqlite3_stmt *st;
    if ((err = s_prepare_built (self, &sql, &st)) != RS_QUERY_OK)
        return err;
    int64_t unit = source == RS_QUERY_AGG_1H ? S_HOUR_US : source == RS_QUERY_AGG_1M ? S_MINUTE_US : 1;
    //  Aggregate rows start on their unit: the first point starts at the
    //  unit boundary at or before `from`.
    int64_t from = spec->from_us;
    if (unit > 1) {
        int64_t q = from / unit;
        if (from % unit < 0)
            q--;
        from = q * unit;
    }
    sqlite3_bind_int64 (st, 1, well_id);
    sqlite3_bind_int64 (st, 2, from);
    sqlite3_bind_int64 (st, 3, spec->to_us);
    sqlite3_bind_int64 (st, 4, width);
    param = 5;
    for (size_t i = 0; i < spec->n_channels; i++)
        if (chans[i].known == RS_CH_UNKNOWN)
            for (int k = 0; k < 3; k++)
                sqlite3_bind_text (st, param++, chans[i].path, -1, SQLITE_STATIC);
    double mins[RS_QUERY_MAX_CHANNELS], maxs[RS_QUERY_MAX_CHANNELS], means[RS_QUERY_MAX_CHANNELS];
    bool stopped = false;
    int rc = SQLITE_OK;
    while (!stopped && (rc = sqlite3_step (st)) == SQLITE_ROW) {
        for (size_t i = 0; i < spec->n_channels; i++) {
            mins[i] = s_col (st, 2 + 3 * (int) i);
            maxs[i] = s_col (st, 3 + 3 * (int) i);
            means[i] = s_col (st, 4 + 3 * (int) i);
        }
        rs_query_point_t p = {
            .t_us = from + sqlite3_column_int64 (st, 0) * width,
            .width_us = width,
            .n = sqlite3_column_int64 (st, 1),
            .min = mins, .max = maxs, .mean = means,
        };
        stopped = fn (&p, arg) != 0;
    }
    if (used)
        *used = source;
    return s_rows_done (self, st, rc, stopped);
}

static int64_t
s_int (rs_query_t *self, const char *sql, int *err)
{
    sqlite3_stmt *st = NULL;
    int64_t v = 0;
    if (*err != RS_QUERY_OK)
        return 0;
    if (sqlite3_prepare_v2 (self->db, sql, -1, &st, NULL) != SQLITE_OK) {
        *err = s_db_fail (self);
        return 0;
    }
    int rc = sqlite3_step (st);
    if (rc == SQLITE_ROW)
        v = sqlite3_column_int64 (st, 0);
    else if (rc != SQLITE_DONE)
        *err = s_db_fail (self);
    sqlite3_finalize (st);
    return v;
}

int
rs_query_stats (rs_query_t *self, rs_query_stats_t *out)
{
    memset (out, 0, sizeof *out);
    int err = RS_QUERY_OK;
    out->schema = (int) s_int (self, "PRAGMA user_version", &err);
    out->db_bytes = s_int (self, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()", &err);
    out->wells = s_int (self, "SELECT count(*) FROM wells", &err);
    out->publishers = s_int (self, "SELECT count(*) FROM publishers", &err);
    out->streams = s_int (self, "SELECT count(*) FROM streams", &err);
    out->open_streams = s_int (self, "SELECT count(*) FROM streams WHERE closed = 0", &err);
    out->samples_stored = s_int (self, "SELECT coalesce(sum(rows), 0) FROM streams WHERE kind = 'telemetry'", &err);
    out->events = s_int (self, "SELECT count(*) FROM events", &err);
    out->kpis = s_int (self, "SELECT count(*) FROM kpis", &err);
    out->alerts = s_int (self, "SELECT count(*) FROM alerts", &err);
    out->gaps = s_int (self, "SELECT count(*) FROM gaps", &err);
    out->open_gaps = s_int (self, "SELECT count(*) FROM gaps WHERE to_seq IS NULL", &err);
    out->agg_1m_rows = s_int (self, "SELECT count(*) FROM agg_1m", &err);
    out->agg_1h_rows = s_int (self, "SELECT count(*) FROM agg_1h", &err);
    out->runs = s_int (self, "SELECT count(*) FROM ingest_stats", &err);
    if (err != RS_QUERY_OK)
        return err;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2 (self->db, "SELECT started_us, updated_us, stored, ignored, batches, write_errors, "
                            "dropped, pruned FROM ingest_stats ORDER BY run DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
        return s_db_fail (self);
    if (sqlite3_step (st) == SQLITE_ROW) {
        out->run_started_us = sqlite3_column_int64 (st, 0);
        out->run_updated_us = sqlite3_column_int64 (st, 1);
        out->run_stored = sqlite3_column_int64 (st, 2);
        out->run_ignored = sqlite3_column_int64 (st, 3);
        out->run_batches = sqlite3_column_int64 (st, 4);
        out->run_write_errors = sqlite3_column_int64 (st, 5);
        out->run_dropped = sqlite3_column_int64 (st, 6);
        out->run_pruned = sqlite3_column_int64 (st, 7);
    }
    sqlite3_finalize (st);
    return RS_QUERY_OK;
}
