/*  rs_store: buffered, batched, idempotent writes into the SQLite recorder.
    See rs_store.h for the contract and docs/STORAGE.md for the schema. */
#include "rs_err.h"
#include "rs_json.h"
#include "rs_store.h"

#include <czmq.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rs_agg.h"
#include "rs_channels.h"
#include "rs_clock.h"
#include "rs_log.h"
#include "rs_resume.h"
#include "rs_schema.h"
#include "rs_strbuf.h"
#include "rs_wm.h"

#define S_US_PER_DAY   86400000000LL
#define S_RETRY_MIN_MS 100
#define S_RING_MIN     4096     //  rows the buffer starts with (it grows to buffer_max)

typedef enum {
    S_ROW_SAMPLE = 0,
    S_ROW_EVENT,
    S_ROW_KPI,
    S_ROW_ALERT,
    S_ROW_AUDIT,
    S_ROW_GAP,
    S_ROW_END                   //  seq: the stream's last seq (end-of-stream)
} s_row_kind_t;

//  One stream (publisher, epoch, topic) as the store knows it.
typedef struct {
    char *pub;
    char *topic;
    char well[RS_MAX_ID + 1];
    uint64_t epoch;
    rs_kind_t kind;
    int64_t id;                 //  streams.id in the open database; 0 = not resolved yet
    int64_t well_id;
    bool wm_loaded;             //  wm holds the committed state
    rs_wm_t wm;
    //  Per transaction: the state to go back to on rollback.
    bool touched;
    rs_wm_t saved;
    int64_t txn_rows;
} s_stream_t;

typedef struct {
    s_stream_t *stream;
    uint64_t seq;               //  gap: first missing seq
    int64_t ts;
    uint8_t kind;               //  s_row_kind_t
    char *text;                 //  sample: unknown channels (JSON); kpi: values (JSON);
                                //  alert, audit: body (JSON); event: type\0phase\0state\0note\0
    union {
        double ch[RS_CH_COUNT]; //  sample: known channels, NaN = NULL
        uint64_t event_id;      //  event
        uint64_t to_seq;        //  gap: last missing seq, 0 = open-ended
    } u;
} s_row_t;

//  An unknown channel seen in a well, to be listed in extra_channels.
typedef struct {
    char well[RS_MAX_ID + 1];
    char name[RS_MAX_CHNAME + 1];
    int64_t ts;
} s_extra_t;

typedef enum {
    S_BEGIN = 0, S_COMMIT, S_ROLLBACK,
    S_INS_SAMPLE, S_INS_EVENT, S_INS_KPI, S_INS_ALERT, S_INS_AUDIT, S_INS_GAP,
    S_INS_PUB, S_SEL_PUB, S_INS_WELL, S_SEL_WELL,
    S_SEL_STREAM, S_INS_STREAM, S_UPD_STREAM, S_UPD_END,
    S_INS_EXTRA, S_UPS_AGG1M, S_UPS_AGG1H, S_UPD_STATS,
    S_SEL_WELLS, S_PRUNE_SAMPLES, S_PRUNE_KPIS, S_PRUNE_AGG1M, S_PRUNE_AGG1H,
    S_STMT_COUNT
} s_stmt_id_t;

struct rs_store_t {
    rs_store_opts_t opts;
    char *path;
    char *wal_path;
    sqlite3 *db;
    sqlite3_stmt *stmt[S_STMT_COUNT];
    int64_t run_id;             //  ingest_stats.run of this process in the open database
    int64_t run_started_us;     //  identifies that row (with the pid) across reopens
    zhashx_t *streams;          //  "pub\x1ftopic\x1fepoch" -> s_stream_t
    s_stream_t *recent[8];      //  streams looked up last: most messages hit one
    size_t recent_next;
    zhashx_t *extra_seen;       //  "well\x1fname" -> non-NULL
    s_extra_t *extras;          //  pending for extra_channels
    size_t n_extras, cap_extras;
    s_stream_t **touched;
    size_t n_touched, cap_touched;
    int64_t *wells;             //  scratch for rs_store_prune
    size_t cap_wells;
    //  The buffer: a ring of rows.
    s_row_t *rows;
    size_t cap, head, count;
    int64_t oldest_ms;          //  when the buffer last went from empty to not empty
    rs_agg_t agg_1m, agg_1h;
    //  Failure and back-off.
    int64_t retry_at_ms;
    int backoff_ms;
    uint64_t failures_in_row;
    bool warned_wal;
    rs_log_limit_t err_limit;
    rs_log_limit_t drop_limit;
    rs_store_stats_t stats;
};

static bool
s_transient (int rc)
{
    rc &= 0xff;
    return rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
}

//  Errors that a new connection may cure (the file replaced or fixed, the
//  directory made writable): the store closes and reopens.
static bool
s_needs_reopen (int rc)
{
    rc &= 0xff;
    return !(s_transient (rc) || rc == SQLITE_FULL || rc == SQLITE_NOMEM
             || rc == SQLITE_CONSTRAINT || rc == SQLITE_TOOBIG);
}

static const char *
s_hint (int rc)
{
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return "another process holds the write lock";
    case SQLITE_FULL:
        return "disk or database full";
    case SQLITE_READONLY:
        return "database is read-only (file or directory permissions, read-only mount)";
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return "file is corrupt or not a SQLite database; it is left untouched: move it away "
               "to start a new database";
    case SQLITE_CANTOPEN:
        return "cannot open or create the file (missing directory or permissions)";
    case SQLITE_IOERR:
        return "I/O error";
    case SQLITE_PERM:
        return "permission denied";
    default:
        return "database error";
    }
}

//  Steps a statement to completion and resets it. Returns SQLITE_OK or the error.
static int
s_run (sqlite3_stmt *st)
{
    int rc;
    while ((rc = sqlite3_step (st)) == SQLITE_ROW)
        ;
    sqlite3_reset (st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static void
s_bind_text (sqlite3_stmt *st, int i, const char *text)
{
    if (text)
        sqlite3_bind_text (st, i, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null (st, i);
}

static void
s_bind_real (sqlite3_stmt *st, int i, double v)
{
    if (isnan (v))
        sqlite3_bind_null (st, i);
    else
        sqlite3_bind_double (st, i, v);
}

static const char *
s_kind_table (rs_kind_t kind)
{
    switch (kind) {
    case RS_KIND_TELEMETRY: return "telemetry";
    case RS_KIND_EVENT: return "event";
    case RS_KIND_KPI: return "kpi";
    case RS_KIND_ALERT: return "alert";
    case RS_KIND_AUDIT: return "audit";
    default: return NULL;
    }
}

static void
s_stream_free (void **item)
{
    s_stream_t *s = (s_stream_t *) *item;
    if (s) {
        free (s->pub);
        free (s->topic);
        rs_wm_cleanup (&s->wm);
        rs_wm_cleanup (&s->saved);
        free (s);
    }
    *item = NULL;
}

rs_store_t *
rs_store_new (const rs_store_opts_t *opts)
{
    if (!opts || !opts->path || !*opts->path || opts->batch_rows < 0 || opts->flush_ms < 0
        || opts->retention_days < 0 || opts->agg_retention_days < 0) {
        rs_error ("store: a database path and non-negative limits are required");
        return NULL;
    }
    rs_store_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->opts = *opts;
    if (!self->opts.batch_rows)
        self->opts.batch_rows = 1000;
    if (!self->opts.flush_ms)
        self->opts.flush_ms = 200;
    if (!self->opts.buffer_max)
        self->opts.buffer_max = 1000000;
    if (!self->opts.busy_timeout_ms)
        self->opts.busy_timeout_ms = 50;
    if (!self->opts.retry_max_ms)
        self->opts.retry_max_ms = 10000;
    if (!self->opts.prune_rows)
        self->opts.prune_rows = 5000;
    self->path = strdup (opts->path);
    size_t n = strlen (opts->path) + 5;
    self->wal_path = malloc (n);
    self->streams = zhashx_new ();
    self->extra_seen = zhashx_new ();
    self->cap = self->opts.buffer_max < S_RING_MIN ? self->opts.buffer_max : S_RING_MIN;
    self->rows = malloc (self->cap * sizeof *self->rows);
    if (!self->path || !self->wal_path || !self->streams || !self->extra_seen || !self->rows) {
        rs_store_destroy (&self);
        return NULL;
    }
    self->opts.path = self->path;
    snprintf (self->wal_path, n, "%s-wal", opts->path);
    zhashx_set_destructor (self->streams, s_stream_free);
    rs_agg_init (&self->agg_1m, 60 * 1000000LL);
    rs_agg_init (&self->agg_1h, 3600 * 1000000LL);
    return self;
}

static void
s_close (rs_store_t *self)
{
    for (int i = 0; i < S_STMT_COUNT; i++) {
        sqlite3_finalize (self->stmt[i]);
        self->stmt[i] = NULL;
    }
    if (self->db) {
        sqlite3_close (self->db);
        self->db = NULL;
    }
    self->stats.db_ok = false;
    self->run_id = 0;
    //  Ids belong to the database: resolve them again in the next one.
    for (s_stream_t *s = zhashx_first (self->streams); s; s = zhashx_next (self->streams))
        s->id = s->well_id = 0;
}

static void
s_row_free (s_row_t *row)
{
    free (row->text);
    row->text = NULL;
}

void
rs_store_destroy (rs_store_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rs_store_t *self = *self_p;
    if (self->streams)
        s_close (self);
    for (size_t i = 0; i < self->count; i++)
        s_row_free (&self->rows[(self->head + i) % self->cap]);
    free (self->rows);
    zhashx_destroy (&self->streams);
    zhashx_destroy (&self->extra_seen);
    free (self->extras);
    free (self->touched);
    free (self->wells);
    rs_agg_cleanup (&self->agg_1m);
    rs_agg_cleanup (&self->agg_1h);
    free (self->path);
    free (self->wal_path);
    free (self);
    *self_p = NULL;
}

static int
s_prepare_all (rs_store_t *self, char *err, size_t errsize)
{
    rs_strbuf_t ins, ups[2];
    rs_strbuf_init (&ins);
    rs_strbuf_add (&ins, "INSERT OR IGNORE INTO samples (stream, seq, well, ts");
    for (int c = 0; c < RS_CH_COUNT; c++)
        rs_strbuf_add (&ins, ", %s", rs_chan_info (c)->name);
    rs_strbuf_add (&ins, ", extra) VALUES (?, ?, ?, ?");
    for (int c = 0; c <= RS_CH_COUNT; c++)
        rs_strbuf_add (&ins, ", ?");
    rs_strbuf_add (&ins, ")");
    const char *aggs[] = { "agg_1m", "agg_1h" };
    for (int a = 0; a < 2; a++) {
        rs_strbuf_t *u = &ups[a];
        rs_strbuf_init (u);
        rs_strbuf_add (u, "INSERT INTO %s (well, bucket, n", aggs[a]);
        for (int c = 0; c < RS_CH_COUNT; c++) {
            const char *name = rs_chan_info (c)->name;
            rs_strbuf_add (u, ", %s_min, %s_max, %s_sum, %s_n", name, name, name, name);
        }
        rs_strbuf_add (u, ") VALUES (?, ?, ?");
        for (int c = 0; c < RS_CH_COUNT; c++)
            rs_strbuf_add (u, ", ?, ?, ?, ?");
        rs_strbuf_add (u, ") ON CONFLICT (well, bucket) DO UPDATE SET n = n + excluded.n");
        //  min() and max() of SQL return NULL when either side is NULL
        //  (no reading yet): coalesce keeps the side that has one.
        for (int c = 0; c < RS_CH_COUNT; c++) {
            const char *m = rs_chan_info (c)->name;
            rs_strbuf_add (u, ",\n %s_min = min(coalesce(%s_min, excluded.%s_min), coalesce(excluded.%s_min, %s_min))"
                           ",\n %s_max = max(coalesce(%s_max, excluded.%s_max), coalesce(excluded.%s_max, %s_max))"
                           ",\n %s_sum = %s_sum + excluded.%s_sum, %s_n = %s_n + excluded.%s_n",
                           m, m, m, m, m, m, m, m, m, m, m, m, m, m, m, m);
        }
    }
    const char *sql[S_STMT_COUNT] = {
        [S_BEGIN] = "BEGIN IMMEDIATE",
        [S_COMMIT] = "COMMIT",
        [S_ROLLBACK] = "ROLLBACK",
        [S_INS_SAMPLE] = rs_strbuf_text (&ins),
        [S_INS_EVENT] = "INSERT OR IGNORE INTO events (stream, seq, well, ts, event, phase, event_id, "
                        "state, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [S_INS_KPI] = "INSERT OR IGNORE INTO kpis (stream, seq, well, ts, vals, rig_state) VALUES (?, ?, ?, ?, ?, ?)",
        [S_INS_ALERT] = "INSERT OR IGNORE INTO alerts (stream, seq, well, ts, body) VALUES (?, ?, ?, ?, ?)",
        //  ?3 (the well id of other rows) is unused: an audit stream belongs to
        //  a component, its row may name a well.
        [S_INS_AUDIT] = "INSERT OR IGNORE INTO audit_log (stream, seq, ts, component, action, who, addr, detail, "
                        "well, body) SELECT ?1, ?2, ?4, json_extract (?5, '$.component'), "
                        "json_extract (?5, '$.action'), json_extract (?5, '$.by'), json_extract (?5, '$.addr'), "
                        "json_extract (?5, '$.detail'), json_extract (?5, '$.well'), ?5",
        [S_INS_GAP] = "INSERT OR IGNORE INTO gaps (stream, from_seq, to_seq, recorded_us, kind) "
                      "VALUES (?, ?, ?, ?, ?)",
        [S_UPD_END] = "UPDATE streams SET end_seq = ? WHERE id = ?",
        [S_INS_PUB] = "INSERT OR IGNORE INTO publishers (name) VALUES (?)",
        [S_SEL_PUB] = "SELECT id FROM publishers WHERE name = ?",
        [S_INS_WELL] = "INSERT OR IGNORE INTO wells (name) VALUES (?)",
        [S_SEL_WELL] = "SELECT id FROM wells WHERE name = ?",
        [S_SEL_STREAM] = "SELECT id, mark, closed FROM streams WHERE publisher = ? AND topic = ? AND epoch = ?",
        [S_INS_STREAM] = "INSERT INTO streams (publisher, epoch, topic, kind, well, mark, closed, first_us, "
                         "updated_us) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)",
        [S_UPD_STREAM] = "UPDATE streams SET mark = ?, closed = ?, rows = rows + ?, updated_us = ? WHERE id = ?",
        [S_INS_EXTRA] = "INSERT OR IGNORE INTO extra_channels (well, name, first_ts) VALUES (?, ?, ?)",
        [S_UPS_AGG1M] = rs_strbuf_text (&ups[0]),
        [S_UPS_AGG1H] = rs_strbuf_text (&ups[1]),
        [S_UPD_STATS] = "UPDATE ingest_stats SET updated_us = ?, stored = ?, ignored = ?, gaps = ?, "
                        "batches = ?, write_errors = ?, dropped = ?, pruned = ?, buffered_max = ? WHERE run = ?",
        [S_SEL_WELLS] = "SELECT id FROM wells ORDER BY id",
        [S_PRUNE_SAMPLES] = "DELETE FROM samples WHERE rowid IN "
                            "(SELECT rowid FROM samples WHERE well = ?1 AND ts < ?2 ORDER BY ts LIMIT ?3)",
        [S_PRUNE_KPIS] = "DELETE FROM kpis WHERE rowid IN "
                         "(SELECT rowid FROM kpis WHERE well = ?1 AND ts < ?2 ORDER BY ts LIMIT ?3)",
        [S_PRUNE_AGG1M] = "DELETE FROM agg_1m WHERE rowid IN "
                          "(SELECT rowid FROM agg_1m WHERE well = ?1 AND bucket < ?2 ORDER BY bucket LIMIT ?3)",
        [S_PRUNE_AGG1H] = "DELETE FROM agg_1h WHERE rowid IN "
                          "(SELECT rowid FROM agg_1h WHERE well = ?1 AND bucket < ?2 ORDER BY bucket LIMIT ?3)",
    };
    int rc = SQLITE_OK;
    if (!rs_strbuf_ok (&ins) || !rs_strbuf_ok (&ups[0]) || !rs_strbuf_ok (&ups[1])) {
        snprintf (err, errsize, "out of memory");
        rc = SQLITE_NOMEM;
    }
    for (int i = 0; i < S_STMT_COUNT && rc == SQLITE_OK; i++) {
        rc = sqlite3_prepare_v3 (self->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &self->stmt[i], NULL);
        if (rc != SQLITE_OK)
            snprintf (err, errsize, "%s", sqlite3_errmsg (self->db));
    }
    rs_strbuf_cleanup (&ins);
    rs_strbuf_cleanup (&ups[0]);
    rs_strbuf_cleanup (&ups[1]);
    return rc;
}

//  Logs a failure (rate-limited) and schedules the next attempt.
static void
s_failed (rs_store_t *self, int rc, const char *what, const char *detail, int64_t now_ms)
{
    self->stats.write_errors++;
    self->stats.last_error = rc;
    self->stats.db_ok = false;
    self->failures_in_row++;
    if (s_transient (rc))
        self->backoff_ms = self->opts.flush_ms;
    else if (self->backoff_ms < S_RETRY_MIN_MS)
        self->backoff_ms = S_RETRY_MIN_MS;
    else
        self->backoff_ms = self->backoff_ms * 2 > self->opts.retry_max_ms ? self->opts.retry_max_ms
                                                                          : self->backoff_ms * 2;
    self->retry_at_ms = now_ms + self->backoff_ms;
    rs_log_limited (&self->err_limit, 10000, s_transient (rc) ? RS_LOG_WARN : RS_LOG_ERROR,
                    "database %s: %s failed: %s (%s); %zu row(s) kept in memory (max %zu), "
                    "retrying in %d ms (attempt %llu)",
                    self->path, what, detail && *detail ? detail : sqlite3_errstr (rc), s_hint (rc),
                    self->count, self->opts.buffer_max, self->backoff_ms,
                    (unsigned long long) self->failures_in_row);
    if (s_needs_reopen (rc))
        s_close (self);
}

static void
s_recovered (rs_store_t *self)
{
    if (self->failures_in_row > 0)
        rs_info ("database %s: writing again after %llu failed attempt(s); %zu row(s) buffered",
                 self->path, (unsigned long long) self->failures_in_row, self->count);
    self->failures_in_row = 0;
    self->backoff_ms = 0;
    self->retry_at_ms = 0;
    self->stats.last_error = 0;
    self->stats.db_ok = true;
}

static void
s_update_size (rs_store_t *self)
{
    struct stat st;
    int64_t bytes = 0;
    if (stat (self->path, &st) == 0)
        bytes += (int64_t) st.st_size;
    if (stat (self->wal_path, &st) == 0)
        bytes += (int64_t) st.st_size;
    self->stats.db_bytes = bytes;
}

//  This process's row of ingest_stats: found again after a reopen of the
//  same file, else started.
static int
s_start_run (rs_store_t *self, char *err, size_t errsize)
{
    if (!self->run_started_us)
        self->run_started_us = rs_clock_now_us ();
    char sql[200];
    snprintf (sql, sizeof sql, "SELECT run FROM ingest_stats WHERE pid = %ld AND started_us = %" PRId64,
              (long) getpid (), self->run_started_us);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2 (self->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step (st)) == SQLITE_ROW) {
        self->run_id = sqlite3_column_int64 (st, 0);
        sqlite3_finalize (st);
        return SQLITE_OK;
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE) {
        snprintf (err, errsize, "%s", sqlite3_errmsg (self->db));
        return rc;
    }
    snprintf (sql, sizeof sql, "INSERT INTO ingest_stats (started_us, updated_us, pid) "
              "VALUES (%" PRId64 ", %" PRId64 ", %ld)", self->run_started_us, rs_clock_now_us (),
              (long) getpid ());
    rc = rs_schema_exec (self->db, sql);
    if (rc != SQLITE_OK)
        snprintf (err, errsize, "%s", rs_errmsg ());
    if (rc == SQLITE_OK)
        self->run_id = sqlite3_last_insert_rowid (self->db);
    return rc;
}

int
rs_store_open (rs_store_t *self, int64_t now_ms)
{
    if (self->db)
        return SQLITE_OK;
    char err[512] = "";
    const char *step = "open";
    //  One connection, used by one thread: SQLite's own locking is not needed.
    int rc = sqlite3_open_v2 (self->path, &self->db,
                              SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout (self->db, self->opts.busy_timeout_ms);
        //  SQLite quietly falls back to read-only when the file is not writable.
        if (sqlite3_db_readonly (self->db, "main") == 1) {
            rc = SQLITE_READONLY;
            snprintf (err, sizeof err, "the file is not writable");
        }
    }
    else
        snprintf (err, sizeof err, "%s", self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
    if (rc == SQLITE_OK) {
        step = "set WAL mode";
        sqlite3_stmt *st = NULL;
        rc = sqlite3_prepare_v2 (self->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
        if (rc == SQLITE_OK && (rc = sqlite3_step (st)) == SQLITE_ROW) {
            const char *mode = (const char *) sqlite3_column_text (st, 0);
            if ((!mode || strcmp (mode, "wal") != 0) && !self->warned_wal) {
                rs_warn ("database %s: journal mode is %s, not WAL: readers may be blocked by writes",
                         self->path, mode ? mode : "?");
                self->warned_wal = true;
            }
            rc = SQLITE_OK;
        }
        if (rc != SQLITE_OK)
            snprintf (err, sizeof err, "%s", sqlite3_errmsg (self->db));
        sqlite3_finalize (st);
    }
    if (rc == SQLITE_OK) {
        step = "configure";
        rc = rs_schema_exec (self->db, "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16000; "
                     "PRAGMA journal_size_limit = 67108864; PRAGMA temp_store = MEMORY");
    }
    if (rc == SQLITE_OK) {
        step = "migrate";
        rc = rs_schema_migrate (self->db);
    }
    if (rc == SQLITE_OK) {
        step = "add channel columns";
        rc = rs_schema_sync_columns (self->db);
    }
    if (rc != SQLITE_OK && !*err)
        snprintf (err, sizeof err, "%s", rs_errmsg ());
    if (rc == SQLITE_OK) {
        step = "prepare statements";
        rc = s_prepare_all (self, err, sizeof err);
    }
    if (rc == SQLITE_OK) {
        step = "start ingest statistics";
        rc = s_start_run (self, err, sizeof err);
    }
    if (rc != SQLITE_OK) {
        s_failed (self, rc, step, err, now_ms);
        s_close (self);
        return rc;
    }
    s_recovered (self);
    s_update_size (self);
    return SQLITE_OK;
}

int
rs_store_foreach_resume (rs_store_t *self, rs_resume_fn *fn, void *arg)
{
    if (!self->db)
        return -1;
    int n = rs_resume_foreach (self->db,
        "SELECT p.name, s.topic, s.epoch, s.mark FROM streams s JOIN publishers p ON p.id = s.publisher "
        "WHERE s.closed = 0 AND s.epoch = (SELECT max(t.epoch) FROM streams t "
        "WHERE t.publisher = s.publisher AND t.topic = s.topic) ORDER BY p.name, s.topic", fn, arg);
    if (n < 0)
        rs_error ("database %s: cannot list streams to resume: %s", self->path, sqlite3_errmsg (self->db));
    return n;
}

static s_stream_t *
s_stream_lookup (rs_store_t *self, const char *pub, const char *topic, uint64_t epoch);

static s_stream_t *
s_stream (rs_store_t *self, const char *pub, const char *topic, uint64_t epoch)
{
    for (size_t i = 0; i < sizeof self->recent / sizeof self->recent[0]; i++) {
        s_stream_t *r = self->recent[i];
        if (r && r->epoch == epoch && strcmp (r->topic, topic) == 0 && strcmp (r->pub, pub) == 0)
            return r;
    }
    s_stream_t *s = s_stream_lookup (self, pub, topic, epoch);
    if (s) {
        self->recent[self->recent_next] = s;
        self->recent_next = (self->recent_next + 1) % (sizeof self->recent / sizeof self->recent[0]);
    }
    return s;
}

static s_stream_t *
s_stream_lookup (rs_store_t *self, const char *pub, const char *topic, uint64_t epoch)
{
    char key[RS_MAX_ID + RS_MAX_TOPIC + 32];
    snprintf (key, sizeof key, "%s\x1f%s\x1f%" PRIu64, pub, topic, epoch);
    s_stream_t *s = zhashx_lookup (self->streams, key);
    if (s)
        return s;
    rs_kind_t kind;
    const char *id;
    size_t id_len;
    if (rs_topic_parse (topic, strlen (topic), &kind, &id, &id_len) != RS_OK || !s_kind_table (kind)
        || !rs_id_valid (pub, strlen (pub)))
        return NULL;
    s = calloc (1, sizeof *s);
    if (!s)
        return NULL;
    s->pub = strdup (pub);
    s->topic = strdup (topic);
    s->epoch = epoch;
    s->kind = kind;
    memcpy (s->well, id, id_len);
    s->well[id_len] = '\0';
    if (!s->pub || !s->topic || zhashx_insert (self->streams, key, s) != 0) {
        void *item = s;
        s_stream_free (&item);
        return NULL;
    }
    return s;
}

//  The next free slot, growing the ring up to buffer_max; NULL when full.
static s_row_t *
s_slot (rs_store_t *self, int64_t now_ms)
{
    if (self->count == self->cap) {
        if (self->cap >= self->opts.buffer_max)
            return NULL;
        size_t cap = self->cap * 2 < self->opts.buffer_max ? self->cap * 2 : self->opts.buffer_max;
        s_row_t *rows = malloc (cap * sizeof *rows);
        if (!rows)
            return NULL;
        for (size_t i = 0; i < self->count; i++)
            rows[i] = self->rows[(self->head + i) % self->cap];
        free (self->rows);
        self->rows = rows;
        self->cap = cap;
        self->head = 0;
    }
    if (self->count == 0)
        self->oldest_ms = now_ms;
    s_row_t *row = &self->rows[(self->head + self->count) % self->cap];
    memset (row, 0, offsetof (s_row_t, u));
    return row;
}

static void
s_commit_slot (rs_store_t *self)
{
    self->count++;
    self->stats.buffered = self->count;
    if (self->count > self->stats.buffered_max)
        self->stats.buffered_max = self->count;
}

static int
s_dropped (rs_store_t *self, const char *topic)
{
    self->stats.dropped++;
    rs_log_limited (&self->drop_limit, 5000, RS_LOG_ERROR,
                    "buffer full (%zu rows) while the database is unavailable: dropped a message on %s "
                    "(%llu dropped so far)", self->count, topic, (unsigned long long) self->stats.dropped);
    return -1;
}

//  Fresh JSON text of named values (NaN as null), or NULL.
static char *
s_values_json (const rs_value_t *values, size_t n, bool unknown_only)
{
    json_t *o = json_object ();
    if (!o)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (unknown_only && values[i].id != RS_CH_UNKNOWN)
            continue;
        json_object_set_new (o, values[i].name,
                             isnan (values[i].value) ? json_null () : json_real (values[i].value));
    }
    char *text = json_dumps (o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref (o);
    return text;
}

static void
s_note_extras (rs_store_t *self, s_stream_t *s, const rs_msg_t *msg)
{
    for (size_t i = 0; i < msg->n_values; i++) {
        if (msg->values[i].id != RS_CH_UNKNOWN)
            continue;
        char key[RS_MAX_ID + RS_MAX_CHNAME + 2];
        snprintf (key, sizeof key, "%s\x1f%s", s->well, msg->values[i].name);
        if (zhashx_lookup (self->extra_seen, key))
            continue;
        if (self->n_extras == self->cap_extras) {
            size_t cap = self->cap_extras ? self->cap_extras * 2 : 8;
            s_extra_t *e = realloc (self->extras, cap * sizeof *e);
            if (!e)
                return;
            self->extras = e;
            self->cap_extras = cap;
        }
        s_extra_t *e = &self->extras[self->n_extras++];
        snprintf (e->well, sizeof e->well, "%s", s->well);
        snprintf (e->name, sizeof e->name, "%s", msg->values[i].name);
        e->ts = msg->hdr.ts_us;
        zhashx_insert (self->extra_seen, key, (void *) 1);
    }
}

//  A short string field of the body (the KPI's rig_state), "" when absent or
//  not a plain id; the result lives in a static buffer until the next call.
static const char *
s_body_text (const rs_msg_t *msg, const char *key)
{
    static char buf[RS_MAX_ID + 1];
    buf[0] = 0;
    if (!msg->body || msg->body->type != MSGPACK_OBJECT_MAP)
        return buf;
    const msgpack_object_map *m = &msg->body->via.map;
    size_t klen = strlen (key);
    for (uint32_t i = 0; i < m->size; i++) {
        const msgpack_object *k = &m->ptr[i].key, *v = &m->ptr[i].val;
        if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == klen && memcmp (k->via.str.ptr, key, klen) == 0
            && v->type == MSGPACK_OBJECT_STR && rs_id_valid (v->via.str.ptr, v->via.str.size)) {
            memcpy (buf, v->via.str.ptr, v->via.str.size);
            buf[v->via.str.size] = 0;
            break;
        }
    }
    return buf;
}

int
rs_store_add (rs_store_t *self, const rs_msg_t *msg, int64_t now_ms)
{
    if (!s_kind_table (msg->kind))
        return 1;
    s_stream_t *s = s_stream (self, msg->hdr.pub, msg->topic, msg->hdr.epoch);
    if (!s)
        return s_dropped (self, msg->topic);
    s_row_t *row = s_slot (self, now_ms);
    if (!row)
        return s_dropped (self, msg->topic);
    row->stream = s;
    row->seq = msg->hdr.seq;
    row->ts = msg->hdr.ts_us;
    bool ok = true;
    switch (msg->kind) {
    case RS_KIND_TELEMETRY: {
        row->kind = S_ROW_SAMPLE;
        for (int c = 0; c < RS_CH_COUNT; c++)
            row->u.ch[c] = NAN;
        bool unknown = false;
        for (size_t i = 0; i < msg->n_values; i++) {
            int id = msg->values[i].id;
            if (id >= 0 && id < RS_CH_COUNT)
                row->u.ch[id] = msg->values[i].value;
            else
                unknown = true;
        }
        if (unknown) {
            row->text = s_values_json (msg->values, msg->n_values, true);
            ok = row->text != NULL;
            s_note_extras (self, s, msg);
        }
        break;
    }
    case RS_KIND_EVENT: {
        row->kind = S_ROW_EVENT;
        row->u.event_id = msg->event_id;
        const char *parts[4] = { msg->event_type ? msg->event_type : "",
                                 msg->event_phase ? msg->event_phase : "",
                                 msg->event_state ? msg->event_state : "",
                                 msg->event_note ? msg->event_note : "" };
        size_t len[4], total = 0;
        for (int i = 0; i < 4; i++)
            total += (len[i] = strlen (parts[i])) + 1;
        row->text = malloc (total);
        ok = row->text != NULL;
        for (size_t i = 0, at = 0; ok && i < 4; at += len[i++] + 1)
            memcpy (row->text + at, parts[i], len[i] + 1);
        break;
    }
    case RS_KIND_KPI: {
        //  values JSON, then the engine's rig state ("" when none): text\0state\0
        row->kind = S_ROW_KPI;
        char *vals = s_values_json (msg->values, msg->n_values, false);
        const char *state = s_body_text (msg, "rig_state");
        size_t nv = vals ? strlen (vals) : 0, ns = strlen (state);
        row->text = vals ? malloc (nv + ns + 2) : NULL;
        if (row->text) {
            memcpy (row->text, vals, nv + 1);
            memcpy (row->text + nv + 1, state, ns + 1);
        }
        free (vals);
        ok = row->text != NULL;
        break;
    }
    default: {
        row->kind = msg->kind == RS_KIND_AUDIT ? S_ROW_AUDIT : S_ROW_ALERT;
        json_t *body = msg->body ? rs_json_from_msgpack (msg->body) : json_object ();
        row->text = body ? json_dumps (body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref (body);
        ok = row->text != NULL;
        break;
    }
    }
    if (!ok) {
        s_row_free (row);
        return s_dropped (self, msg->topic);
    }
    s_commit_slot (self);
    return 0;
}

//  Queues a gap or end row of stream (pub, topic, epoch): 0, or 1 when the
//  stream cannot be had, or s_dropped's answer when the queue is full.
static int
s_stream_mark (rs_store_t *self, const char *pub, const char *topic, uint64_t epoch, s_row_kind_t kind,
               uint64_t seq, uint64_t to_seq, int64_t now_ms)
{
    s_stream_t *s = s_stream (self, pub, topic, epoch);
    if (!s)
        return 1;
    s_row_t *row = s_slot (self, now_ms);
    if (!row)
        return s_dropped (self, topic);
    row->stream = s;
    row->kind = kind;
    row->seq = seq;
    row->u.to_seq = to_seq;
    s_commit_slot (self);
    return 0;
}

int
rs_store_add_gap (rs_store_t *self, const char *pub, const char *topic, uint64_t epoch,
                  uint64_t from_seq, uint64_t to_seq, int64_t now_ms)
{
    if (!pub || !topic || from_seq == 0 || (to_seq != 0 && to_seq < from_seq))
        return 1;
    return s_stream_mark (self, pub, topic, epoch, S_ROW_GAP, from_seq, to_seq, now_ms);
}

int
rs_store_add_end (rs_store_t *self, const char *pub, const char *topic, uint64_t epoch, uint64_t last_seq,
                  int64_t now_ms)
{
    if (!pub || !topic || last_seq == 0)
        return 1;
    return s_stream_mark (self, pub, topic, epoch, S_ROW_END, last_seq, 0, now_ms);
}

static int
s_lookup_id (rs_store_t *self, s_stmt_id_t ins, s_stmt_id_t sel, const char *name, int64_t *id)
{
    sqlite3_bind_text (self->stmt[ins], 1, name, -1, SQLITE_STATIC);
    int rc = s_run (self->stmt[ins]);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_stmt *st = self->stmt[sel];
    sqlite3_bind_text (st, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step (st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64 (st, 0);
        rc = SQLITE_OK;
    }
    else if (rc == SQLITE_DONE)
        rc = SQLITE_INTERNAL;
    sqlite3_reset (st);
    return rc;
}

//  Finds or creates the stream's row in this transaction; a stream new to
//  the database starts its mark just below the first seq it brings.
static int
s_resolve (rs_store_t *self, s_stream_t *s, uint64_t first_seq, bool create)
{
    int64_t pub_id = 0;
    int rc = s_lookup_id (self, S_INS_PUB, S_SEL_PUB, s->pub, &pub_id);
    //  An audit stream is a component's, not a well's: no wells row for it.
    if (rc == SQLITE_OK && s->kind != RS_KIND_AUDIT)
        rc = s_lookup_id (self, S_INS_WELL, S_SEL_WELL, s->well, &s->well_id);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_stmt *st = self->stmt[S_SEL_STREAM];
    sqlite3_bind_int64 (st, 1, pub_id);
    sqlite3_bind_text (st, 2, s->topic, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (st, 3, (sqlite3_int64) s->epoch);
    rc = sqlite3_step (st);
    if (rc == SQLITE_ROW) {
        s->id = sqlite3_column_int64 (st, 0);
        if (!s->wm_loaded) {
            rs_wm_init (&s->wm, (uint64_t) sqlite3_column_int64 (st, 1));
            s->wm.closed = sqlite3_column_int (st, 2) != 0;
            s->wm_loaded = true;
        }
        sqlite3_reset (st);
        return SQLITE_OK;
    }
    sqlite3_reset (st);
    if (rc != SQLITE_DONE)
        return rc;
    if (!create)
        return SQLITE_NOTFOUND;
    if (!s->wm_loaded) {
        rs_wm_init (&s->wm, first_seq > 0 ? first_seq - 1 : 0);
        s->wm_loaded = true;
    }
    int64_t now = rs_clock_now_us ();
    st = self->stmt[S_INS_STREAM];
    sqlite3_bind_int64 (st, 1, pub_id);
    sqlite3_bind_int64 (st, 2, (sqlite3_int64) s->epoch);
    sqlite3_bind_text (st, 3, s->topic, -1, SQLITE_STATIC);
    sqlite3_bind_text (st, 4, s_kind_table (s->kind), -1, SQLITE_STATIC);
    sqlite3_bind_int64 (st, 5, s->well_id);
    sqlite3_bind_int64 (st, 6, (sqlite3_int64) s->wm.mark);
    sqlite3_bind_int64 (st, 7, now);
    sqlite3_bind_int64 (st, 8, now);
    rc = s_run (st);
    if (rc == SQLITE_OK)
        s->id = sqlite3_last_insert_rowid (self->db);
    return rc;
}

static int
s_touch (rs_store_t *self, s_stream_t *s)
{
    if (s->touched)
        return SQLITE_OK;
    if (self->n_touched == self->cap_touched) {
        size_t cap = self->cap_touched ? self->cap_touched * 2 : 16;
        s_stream_t **t = realloc (self->touched, cap * sizeof *t);
        if (!t)
            return SQLITE_NOMEM;
        self->touched = t;
        self->cap_touched = cap;
    }
    if (rs_wm_copy (&s->saved, &s->wm) != 0)
        return SQLITE_NOMEM;
    s->touched = true;
    s->txn_rows = 0;
    self->touched[self->n_touched++] = s;
    return SQLITE_OK;
}

//  Inserts one row; *inserted is 1 when it was new.
static int
s_insert (rs_store_t *self, const s_row_t *row, int *inserted)
{
    s_stream_t *s = row->stream;
    sqlite3_stmt *st;
    switch (row->kind) {
    case S_ROW_SAMPLE:
        st = self->stmt[S_INS_SAMPLE];
        for (int c = 0; c < RS_CH_COUNT; c++)
            s_bind_real (st, 5 + c, row->u.ch[c]);
        s_bind_text (st, 5 + RS_CH_COUNT, row->text);
        break;
    case S_ROW_EVENT: {
        st = self->stmt[S_INS_EVENT];
        const char *type = row->text, *phase = type + strlen (type) + 1;
        const char *state = phase + strlen (phase) + 1, *note = state + strlen (state) + 1;
        sqlite3_bind_text (st, 5, type, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 6, phase, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (st, 7, (sqlite3_int64) row->u.event_id);
        s_bind_text (st, 8, *state ? state : NULL);
        s_bind_text (st, 9, *note ? note : NULL);
        break;
    }
    case S_ROW_KPI: {
        st = self->stmt[S_INS_KPI];
        sqlite3_bind_text (st, 5, row->text, -1, SQLITE_STATIC);
        const char *state = row->text + strlen (row->text) + 1;
        s_bind_text (st, 6, *state ? state : NULL);
        break;
    }
    case S_ROW_ALERT:
    case S_ROW_AUDIT:
        st = self->stmt[row->kind == S_ROW_ALERT ? S_INS_ALERT : S_INS_AUDIT];
        sqlite3_bind_text (st, 5, row->text, -1, SQLITE_STATIC);
        break;
    case S_ROW_END: {
        st = self->stmt[S_UPD_END];
        sqlite3_bind_int64 (st, 1, (sqlite3_int64) row->seq);
        sqlite3_bind_int64 (st, 2, s->id);
        *inserted = 0;
        return s_run (st);
    }
    default:
        st = self->stmt[S_INS_GAP];
        sqlite3_bind_int64 (st, 1, s->id);
        sqlite3_bind_int64 (st, 2, (sqlite3_int64) row->seq);
        if (row->u.to_seq)
            sqlite3_bind_int64 (st, 3, (sqlite3_int64) row->u.to_seq);
        else
            sqlite3_bind_null (st, 3);
        sqlite3_bind_int64 (st, 4, rs_clock_now_us ());
        sqlite3_bind_text (st, 5, row->u.to_seq ? "loss" : "unknown_tail", -1, SQLITE_STATIC);
        int rc = s_run (st);
        *inserted = rc == SQLITE_OK ? sqlite3_changes (self->db) : 0;
        return rc;
    }
    sqlite3_bind_int64 (st, 1, s->id);
    sqlite3_bind_int64 (st, 2, (sqlite3_int64) row->seq);
    sqlite3_bind_int64 (st, 3, s->well_id);
    sqlite3_bind_int64 (st, 4, row->ts);
    int rc = sqlite3_step (st);
    sqlite3_reset (st);
    if (rc != SQLITE_DONE)
        return rc;
    *inserted = sqlite3_changes (self->db);
    return SQLITE_OK;
}

static int
s_upsert_aggs (rs_agg_t *agg, sqlite3_stmt *st)
{
    for (size_t i = 0; i < agg->n; i++) {
        const rs_agg_bucket_t *b = &agg->buckets[i];
        sqlite3_bind_int64 (st, 1, b->well);
        sqlite3_bind_int64 (st, 2, b->bucket);
        sqlite3_bind_int64 (st, 3, b->n);
        for (int c = 0; c < RS_CH_COUNT; c++) {
            int p = 4 + 4 * c;
            if (b->count[c] > 0) {
                sqlite3_bind_double (st, p, b->min[c]);
                sqlite3_bind_double (st, p + 1, b->max[c]);
            }
            else {
                sqlite3_bind_null (st, p);
                sqlite3_bind_null (st, p + 1);
            }
            sqlite3_bind_double (st, p + 2, b->sum[c]);
            sqlite3_bind_int64 (st, p + 3, b->count[c]);
        }
        int rc = s_run (st);
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

static int
s_write_stats (rs_store_t *self, const rs_store_stats_t *st_vals)
{
    sqlite3_stmt *st = self->stmt[S_UPD_STATS];
    sqlite3_bind_int64 (st, 1, rs_clock_now_us ());
    sqlite3_bind_int64 (st, 2, (sqlite3_int64) st_vals->stored);
    sqlite3_bind_int64 (st, 3, (sqlite3_int64) st_vals->ignored);
    sqlite3_bind_int64 (st, 4, (sqlite3_int64) st_vals->gaps);
    sqlite3_bind_int64 (st, 5, (sqlite3_int64) st_vals->batches);
    sqlite3_bind_int64 (st, 6, (sqlite3_int64) st_vals->write_errors);
    sqlite3_bind_int64 (st, 7, (sqlite3_int64) st_vals->dropped);
    sqlite3_bind_int64 (st, 8, (sqlite3_int64) st_vals->pruned);
    sqlite3_bind_int64 (st, 9, (sqlite3_int64) st_vals->buffered_max);
    sqlite3_bind_int64 (st, 10, self->run_id);
    return s_run (st);
}

//  Ends the batch's bookkeeping: after a commit the touched streams keep
//  their new marks; after a rollback they go back to the saved state.
static void
s_end_batch (rs_store_t *self, bool committed)
{
    for (size_t i = 0; i < self->n_touched; i++) {
        s_stream_t *s = self->touched[i];
        if (!committed)
            rs_wm_copy (&s->wm, &s->saved);
        s->touched = false;
    }
    self->n_touched = 0;
    rs_agg_clear (&self->agg_1m);
    rs_agg_clear (&self->agg_1h);
    if (!committed) {
        //  Rows created in the rolled-back transaction are gone.
        for (s_stream_t *s = zhashx_first (self->streams); s; s = zhashx_next (self->streams))
            s->id = s->well_id = 0;
        if (self->db && !sqlite3_get_autocommit (self->db))
            s_run (self->stmt[S_ROLLBACK]);
    }
}

//  Writes the first n buffered rows in one transaction.
static int
s_write (rs_store_t *self, size_t n, int64_t now_ms)
{
    int64_t t0 = rs_clock_mono_ms ();
    int rc = s_run (self->stmt[S_BEGIN]);
    const char *what = "begin a transaction";
    rs_store_stats_t next = self->stats;
    for (size_t i = 0; i < n && rc == SQLITE_OK; i++) {
        s_row_t *row = &self->rows[(self->head + i) % self->cap];
        s_stream_t *s = row->stream;
        what = "insert";
        if (!s->id)
            rc = s_resolve (self, s, row->seq, row->kind != S_ROW_END);
        if (rc == SQLITE_NOTFOUND) {
            rc = SQLITE_OK;     //  the end of a stream this database never held
            continue;
        }
        if (rc == SQLITE_OK)
            rc = s_touch (self, s);
        int inserted = 0;
        if (rc == SQLITE_OK)
            rc = s_insert (self, row, &inserted);
        if (rc != SQLITE_OK)
            break;
        if (row->kind == S_ROW_END) {
            //  Nothing comes after the last seq: the stream closes when the
            //  mark reaches it, with no gap row.
            if (!s->wm.closed && rs_wm_add (&s->wm, row->seq + 1, RS_WM_OPEN) != 0)
                rc = SQLITE_NOMEM;
            continue;
        }
        if (row->kind == S_ROW_GAP) {
            rc = rs_wm_add (&s->wm, row->seq, row->u.to_seq ? row->u.to_seq : RS_WM_OPEN) == 0
                     ? SQLITE_OK : SQLITE_NOMEM;
            next.gaps += (uint64_t) inserted;
            continue;
        }
        if (rs_wm_add (&s->wm, row->seq, row->seq) != 0)
            rc = SQLITE_NOMEM;
        if (!inserted) {
            next.ignored++;
            continue;
        }
        s->txn_rows++;
        next.stored++;
        switch (row->kind) {
        case S_ROW_SAMPLE:
            next.samples++;
            if (rs_agg_add (&self->agg_1m, s->well_id, row->ts, row->u.ch) != 0
                || rs_agg_add (&self->agg_1h, s->well_id, row->ts, row->u.ch) != 0)
                rc = SQLITE_NOMEM;
            break;
        case S_ROW_EVENT: next.events++; break;
        case S_ROW_KPI: next.kpis++; break;
        case S_ROW_AUDIT: break;
        default: next.alerts++; break;
        }
    }
    int64_t now_us = rs_clock_now_us ();
    for (size_t i = 0; i < self->n_touched && rc == SQLITE_OK; i++) {
        what = "update stream marks";
        s_stream_t *s = self->touched[i];
        sqlite3_stmt *st = self->stmt[S_UPD_STREAM];
        sqlite3_bind_int64 (st, 1, (sqlite3_int64) s->wm.mark);
        sqlite3_bind_int (st, 2, s->wm.closed ? 1 : 0);
        sqlite3_bind_int64 (st, 3, s->txn_rows);
        sqlite3_bind_int64 (st, 4, now_us);
        sqlite3_bind_int64 (st, 5, s->id);
        rc = s_run (st);
    }
    for (size_t i = 0; i < self->n_extras && rc == SQLITE_OK; i++) {
        what = "list extra channels";
        s_extra_t *e = &self->extras[i];
        int64_t well_id = 0;
        rc = s_lookup_id (self, S_INS_WELL, S_SEL_WELL, e->well, &well_id);
        if (rc != SQLITE_OK)
            break;
        sqlite3_stmt *st = self->stmt[S_INS_EXTRA];
        sqlite3_bind_int64 (st, 1, well_id);
        sqlite3_bind_text (st, 2, e->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (st, 3, e->ts);
        rc = s_run (st);
    }
    if (rc == SQLITE_OK) {
        what = "update aggregates";
        rc = s_upsert_aggs (&self->agg_1m, self->stmt[S_UPS_AGG1M]);
    }
    if (rc == SQLITE_OK)
        rc = s_upsert_aggs (&self->agg_1h, self->stmt[S_UPS_AGG1H]);
    next.batches++;
    if (rc == SQLITE_OK) {
        what = "update ingest statistics";
        rc = s_write_stats (self, &next);
    }
    if (rc == SQLITE_OK) {
        what = "commit";
        rc = s_run (self->stmt[S_COMMIT]);
    }
    if (rc != SQLITE_OK) {
        char detail[256];
        snprintf (detail, sizeof detail, "%s", self->db ? sqlite3_errmsg (self->db) : "");
        s_end_batch (self, false);
        s_failed (self, rc, what, detail, now_ms);
        return rc;
    }
    s_end_batch (self, true);
    self->n_extras = 0;
    for (size_t i = 0; i < n; i++)
        s_row_free (&self->rows[(self->head + i) % self->cap]);
    self->head = (self->head + n) % self->cap;
    self->count -= n;
    next.buffered = self->count;
    next.last_flush_ms = rs_clock_mono_ms () - t0;
    next.last_flush_at_ms = now_ms;
    self->stats = next;
    if (self->count == 0) {
        self->oldest_ms = 0;
        //  Give back what a backlog made the ring grow to.
        if (self->cap > S_RING_MIN * 16) {
            s_row_t *rows = realloc (self->rows, S_RING_MIN * sizeof *rows);
            if (rows) {
                self->rows = rows;
                self->cap = S_RING_MIN;
                self->head = 0;
            }
        }
    }
    s_recovered (self);
    s_update_size (self);
    return SQLITE_OK;
}

int
rs_store_flush (rs_store_t *self, int64_t now_ms)
{
    if (!self->db) {
        int rc = rs_store_open (self, now_ms);
        if (rc != SQLITE_OK)
            return rc;
    }
    if (self->count == 0)
        return SQLITE_OK;
    size_t n = self->count < (size_t) self->opts.batch_rows ? self->count : (size_t) self->opts.batch_rows;
    return s_write (self, n, now_ms);
}

int
rs_store_tick (rs_store_t *self, int64_t now_ms)
{
    if (self->retry_at_ms && now_ms < self->retry_at_ms)
        return 0;
    if (!self->db)
        return rs_store_open (self, now_ms) == SQLITE_OK ? 1 : -1;
    if (self->count == 0)
        return 0;
    bool due = self->count >= (size_t) self->opts.batch_rows
               || now_ms - self->oldest_ms >= self->opts.flush_ms || self->failures_in_row > 0;
    if (!due)
        return 0;
    return rs_store_flush (self, now_ms) == SQLITE_OK ? 1 : -1;
}

size_t
rs_store_drain (rs_store_t *self, int timeout_ms)
{
    int64_t deadline = rs_clock_mono_ms () + timeout_ms;
    while (self->count > 0) {
        int64_t now = rs_clock_mono_ms ();
        if (self->retry_at_ms > now) {
            if (self->retry_at_ms > deadline)
                break;
            int64_t wait = self->retry_at_ms - now;
            struct timespec ts = { .tv_sec = (time_t) (wait / 1000), .tv_nsec = (long) (wait % 1000) * 1000000 };
            nanosleep (&ts, NULL);
            continue;
        }
        rs_store_flush (self, now);
        if (rs_clock_mono_ms () > deadline)
            break;
    }
    return self->count;
}

int
rs_store_prune (rs_store_t *self, int64_t now_us)
{
    if (!self->db || !self->stats.db_ok || self->failures_in_row > 0)
        return 0;
    if (self->opts.retention_days == 0 && self->opts.agg_retention_days == 0)
        return 0;
    int64_t raw_cut = now_us - (int64_t) self->opts.retention_days * S_US_PER_DAY;
    int64_t agg_cut = now_us - (int64_t) self->opts.agg_retention_days * S_US_PER_DAY;
    //  Wells first, outside the write transaction.
    size_t n_wells = 0;
    sqlite3_stmt *st = self->stmt[S_SEL_WELLS];
    int rc;
    while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        if (n_wells == self->cap_wells) {
            size_t cap = self->cap_wells ? self->cap_wells * 2 : 16;
            int64_t *w = realloc (self->wells, cap * sizeof *w);
            if (!w)
                break;
            self->wells = w;
            self->cap_wells = cap;
        }
        self->wells[n_wells++] = sqlite3_column_int64 (st, 0);
    }
    sqlite3_reset (st);
    if (n_wells == 0)
        return 0;
    int64_t *wells = self->wells;
    rc = s_run (self->stmt[S_BEGIN]);
    int budget = self->opts.prune_rows;
    int deleted = 0;
    struct {
        s_stmt_id_t id;
        bool raw;
    } steps[] = { { S_PRUNE_SAMPLES, true }, { S_PRUNE_KPIS, true },
                  { S_PRUNE_AGG1M, false }, { S_PRUNE_AGG1H, false } };
    for (size_t w = 0; w < n_wells && rc == SQLITE_OK && budget > 0; w++)
        for (size_t k = 0; k < sizeof steps / sizeof steps[0] && rc == SQLITE_OK && budget > 0; k++) {
            int days = steps[k].raw ? self->opts.retention_days : self->opts.agg_retention_days;
            if (days == 0)
                continue;
            st = self->stmt[steps[k].id];
            sqlite3_bind_int64 (st, 1, wells[w]);
            sqlite3_bind_int64 (st, 2, steps[k].raw ? raw_cut : agg_cut);
            sqlite3_bind_int (st, 3, budget);
            rc = s_run (st);
            if (rc == SQLITE_OK) {
                int n = sqlite3_changes (self->db);
                deleted += n;
                budget -= n;
            }
        }
    if (rc == SQLITE_OK)
        rc = s_run (self->stmt[S_COMMIT]);
    if (rc != SQLITE_OK) {
        char detail[256];
        snprintf (detail, sizeof detail, "%s", sqlite3_errmsg (self->db));
        if (!sqlite3_get_autocommit (self->db))
            s_run (self->stmt[S_ROLLBACK]);
        //  A failed prune loses nothing: it is tried again on the next step,
        //  and a flush that fails the same way takes care of the back-off.
        self->stats.write_errors++;
        rs_log_limited (&self->err_limit, 10000, RS_LOG_WARN, "database %s: retention step failed: %s (%s)",
                        self->path, detail, s_hint (rc));
        return -1;
    }
    self->stats.pruned += (uint64_t) deleted;
    return deleted;
}

const rs_store_stats_t *
rs_store_stats (rs_store_t *self)
{
    self->stats.buffered = self->count;
    return &self->stats;
}

size_t
rs_store_buffered (rs_store_t *self)
{
    return self->count;
}

sqlite3 *
rs_store_db (rs_store_t *self)
{
    return self->db;
}
