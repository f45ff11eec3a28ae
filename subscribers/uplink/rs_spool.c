/*  rs_spool: SQLite store-and-forward queue (see rs_spool.h). */
#include "rs_spool.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "rs_log.h"

//  What a row costs besides its data: the key columns and SQLite's overhead.
#define ROW_OVERHEAD 32
//  How often the age bound is applied (it is in days: no hurry).
#define AGE_CHECK_MS 10000

typedef struct {
    char *well;
    int kind;
    uint64_t seq;
    int64_t ts_ms;
    bool late;
    void *data;
    size_t size;
} pending_t;

typedef struct {
    char *pub, *topic;
    uint64_t epoch, seq;
    bool ended;             //  the stream ended complete: its row goes
} mark_t;

struct rs_spool_t {
    sqlite3 *db;
    rs_spool_opts_t opts;
    sqlite3_stmt *ins, *del, *sel, *mark, *unmark;
    pending_t *adds;
    size_t n_adds, cap_adds;
    mark_t *marks;
    size_t n_marks, cap_marks;
    int64_t *acks;
    size_t n_acks, cap_acks;
    uint8_t *arena;         // data of the last read
    size_t arena_cap;
    char **wells;           // well names of the last read
    size_t n_wells;
    int64_t last_id;
    int64_t age_checked_ms;     // wall clock of the last age check
    rs_spool_stats_t stats;
    rs_log_limit_t log_limit;
};

static const char *s_schema =
    "PRAGMA journal_mode = WAL;"
    "PRAGMA synchronous = NORMAL;"
    "CREATE TABLE IF NOT EXISTS queue (id INTEGER PRIMARY KEY AUTOINCREMENT, well TEXT NOT NULL, "
    "  kind INTEGER NOT NULL, seq INTEGER NOT NULL, ts_ms INTEGER NOT NULL, bytes INTEGER NOT NULL, "
    "  data BLOB NOT NULL, late INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS queue_ts ON queue (ts_ms);"
    "CREATE TABLE IF NOT EXISTS marks (pub TEXT NOT NULL, topic TEXT NOT NULL, epoch INTEGER NOT NULL, "
    "  seq INTEGER NOT NULL, PRIMARY KEY (pub, topic));"
    "CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);";

static int
s_exec (rs_spool_t *self, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec (self->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        rs_log_limited (&self->log_limit, 5000, RS_LOG_ERROR, "spool %s: %s", self->opts.path,
                        err ? err : "error");
        sqlite3_free (err);
        return -1;
    }
    return 0;
}

static int64_t
s_query_int (rs_spool_t *self, const char *sql, int64_t def)
{
    sqlite3_stmt *st = NULL;
    int64_t v = def;
    if (sqlite3_prepare_v2 (self->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step (st) == SQLITE_ROW
        && sqlite3_column_type (st, 0) != SQLITE_NULL)
        v = sqlite3_column_int64 (st, 0);
    sqlite3_finalize (st);
    return v;
}

//  Spools written before the `late` column get it (their records are not late).
static int
s_migrate (rs_spool_t *self)
{
    sqlite3_stmt *st = NULL;
    int has = sqlite3_prepare_v2 (self->db, "SELECT late FROM queue LIMIT 0", -1, &st, NULL) == SQLITE_OK;
    sqlite3_finalize (st);
    return has ? 0 : s_exec (self, "ALTER TABLE queue ADD COLUMN late INTEGER NOT NULL DEFAULT 0");
}

rs_spool_t *
rs_spool_new (const rs_spool_opts_t *opts)
{
    if (!opts || !opts->path || !*opts->path) {
        rs_error ("spool: no file given");
        return NULL;
    }
    rs_spool_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->opts = *opts;
    self->opts.path = strdup (opts->path);
    if (!self->opts.path || sqlite3_open (opts->path, &self->db) != SQLITE_OK) {
        rs_error ("cannot open the spool %s: %s", opts->path, self->db ? sqlite3_errmsg (self->db) : "no memory");
        rs_spool_destroy (&self);
        return NULL;
    }
    sqlite3_busy_timeout (self->db, 2000);
    if (s_exec (self, s_schema) != 0 || s_migrate (self) != 0
        || sqlite3_prepare_v2 (self->db, "INSERT INTO queue (well, kind, seq, ts_ms, bytes, data, late) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?)", -1, &self->ins, NULL) != SQLITE_OK
        || sqlite3_prepare_v2 (self->db, "DELETE FROM queue WHERE id = ? RETURNING bytes", -1, &self->del,
                               NULL) != SQLITE_OK
        || sqlite3_prepare_v2 (self->db, "SELECT id, well, kind, seq, ts_ms, bytes, data, late FROM queue "
                               "WHERE id > ? AND id <= ? ORDER BY id LIMIT ?", -1, &self->sel, NULL) != SQLITE_OK
        || sqlite3_prepare_v2 (self->db, "INSERT OR REPLACE INTO marks (pub, topic, epoch, seq) "
                               "VALUES (?, ?, ?, ?)", -1, &self->mark, NULL) != SQLITE_OK
        || sqlite3_prepare_v2 (self->db, "DELETE FROM marks WHERE pub = ? AND topic = ? AND epoch = ?", -1,
                               &self->unmark, NULL) != SQLITE_OK) {
        rs_error ("cannot set up the spool %s: %s", opts->path, sqlite3_errmsg (self->db));
        rs_spool_destroy (&self);
        return NULL;
    }
    self->stats.queued = (uint64_t) s_query_int (self, "SELECT count(*) FROM queue", 0);
    self->stats.queued_bytes = s_query_int (self, "SELECT sum(bytes) FROM queue", 0);
    self->last_id = s_query_int (self, "SELECT max(id) FROM queue", 0);
    int64_t seqno = s_query_int (self, "SELECT seq FROM sqlite_sequence WHERE name = 'queue'", 0);
    if (seqno > self->last_id)
        self->last_id = seqno;
    self->stats.dropped = (uint64_t) rs_spool_state_get (self, "dropped", 0);
    return self;
}

static void
s_clear_pending (rs_spool_t *self)
{
    for (size_t i = 0; i < self->n_adds; i++) {
        free (self->adds[i].well);
        free (self->adds[i].data);
    }
    self->n_adds = 0;
    for (size_t i = 0; i < self->n_marks; i++) {
        free (self->marks[i].pub);
        free (self->marks[i].topic);
    }
    self->n_marks = 0;
    self->n_acks = 0;
}

static void
s_free_wells (rs_spool_t *self)
{
    for (size_t i = 0; i < self->n_wells; i++)
        free (self->wells[i]);
    free (self->wells);
    self->wells = NULL;
    self->n_wells = 0;
}

void
rs_spool_destroy (rs_spool_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rs_spool_t *self = *self_p;
    if (self->db && (self->n_adds || self->n_marks || self->n_acks))
        rs_spool_flush (self, 0);
    sqlite3_finalize (self->ins);
    sqlite3_finalize (self->del);
    sqlite3_finalize (self->sel);
    sqlite3_finalize (self->mark);
    sqlite3_finalize (self->unmark);
    sqlite3_close (self->db);
    s_clear_pending (self);
    free (self->adds);
    free (self->marks);
    free (self->acks);
    free (self->arena);
    s_free_wells (self);
    free ((char *) self->opts.path);
    free (self);
    *self_p = NULL;
}

#define GROW(arr, n, cap) \
    ((n) < (cap) ? 0 : ((cap) = (cap) ? (cap) * 2 : 64, \
      ((arr) = s_realloc ((arr), (cap) * sizeof *(arr))) ? 0 : -1))

static void *
s_realloc (void *p, size_t size)
{
    void *q = realloc (p, size);
    if (!q) {
        free (p);
        return NULL;
    }
    return q;
}

int
rs_spool_add (rs_spool_t *self, const char *well, int kind, uint64_t seq, int64_t ts_ms, bool late,
              const void *data, size_t size)
{
    if (GROW (self->adds, self->n_adds, self->cap_adds) != 0) {
        self->n_adds = self->cap_adds = 0;
        return -1;
    }
    pending_t *p = &self->adds[self->n_adds];
    p->well = strdup (well);
    p->data = malloc (size ? size : 1);
    if (!p->well || !p->data) {
        free (p->well);
        free (p->data);
        return -1;
    }
    memcpy (p->data, data, size);
    p->size = size;
    p->kind = kind;
    p->seq = seq;
    p->ts_ms = ts_ms;
    p->late = late;
    self->n_adds++;
    self->stats.pending = self->n_adds;
    return 0;
}

static int
s_mark (rs_spool_t *self, const char *pub, const char *topic, uint64_t epoch, uint64_t seq, bool ended)
{
    for (size_t i = 0; i < self->n_marks; i++)
        if (strcmp (self->marks[i].pub, pub) == 0 && strcmp (self->marks[i].topic, topic) == 0) {
            //  The row is per (pub, topic): another epoch's pending mark
            //  replaces it anyway.
            if (ended && self->marks[i].epoch != epoch)
                return 0;
            self->marks[i].epoch = epoch;
            self->marks[i].seq = seq;
            self->marks[i].ended = ended;
            return 0;
        }
    if (GROW (self->marks, self->n_marks, self->cap_marks) != 0) {
        self->n_marks = self->cap_marks = 0;
        return -1;
    }
    mark_t *m = &self->marks[self->n_marks];
    m->pub = strdup (pub);
    m->topic = strdup (topic);
    if (!m->pub || !m->topic) {
        free (m->pub);
        free (m->topic);
        return -1;
    }
    m->epoch = epoch;
    m->seq = seq;
    m->ended = ended;
    self->n_marks++;
    return 0;
}

int
rs_spool_set_mark (rs_spool_t *self, const char *pub, const char *topic, uint64_t epoch, uint64_t seq)
{
    return s_mark (self, pub, topic, epoch, seq, false);
}

int
rs_spool_end_mark (rs_spool_t *self, const char *pub, const char *topic, uint64_t epoch)
{
    return s_mark (self, pub, topic, epoch, 0, true);
}

int
rs_spool_ack (rs_spool_t *self, int64_t id)
{
    if (GROW (self->acks, self->n_acks, self->cap_acks) != 0) {
        self->n_acks = self->cap_acks = 0;
        return -1;
    }
    self->acks[self->n_acks++] = id;
    return 0;
}

//  Drops the oldest records until the queue is within its bounds; inside
//  the flush's transaction. Returns how many, or -1.
static int
s_enforce (rs_spool_t *self, int64_t now_ms)
{
    int dropped = 0;
    if (self->opts.max_days > 0 && now_ms > 0 && self->stats.queued > 0
        && (now_ms - self->age_checked_ms >= AGE_CHECK_MS || now_ms < self->age_checked_ms)) {
        self->age_checked_ms = now_ms;
        int64_t cut = now_ms - (int64_t) self->opts.max_days * 86400000LL;
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2 (self->db, "DELETE FROM queue WHERE ts_ms < ? RETURNING bytes", -1, &st, NULL)
            != SQLITE_OK)
            return -1;
        sqlite3_bind_int64 (st, 1, cut);
        int rc;
        while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
            self->stats.queued_bytes -= sqlite3_column_int64 (st, 0);
            self->stats.queued--;
            dropped++;
        }
        sqlite3_finalize (st);
        if (rc != SQLITE_DONE)
            return -1;
    }
    if (self->opts.max_bytes > 0 && self->stats.queued_bytes > self->opts.max_bytes) {
        //  Find the id up to which the oldest rows must go, then delete them.
        int64_t excess = self->stats.queued_bytes - self->opts.max_bytes, freed = 0, cut = 0, n = 0;
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2 (self->db, "SELECT id, bytes FROM queue ORDER BY id", -1, &st, NULL) != SQLITE_OK)
            return -1;
        while (freed < excess && sqlite3_step (st) == SQLITE_ROW) {
            cut = sqlite3_column_int64 (st, 0);
            freed += sqlite3_column_int64 (st, 1);
            n++;
        }
        sqlite3_finalize (st);
        if (sqlite3_prepare_v2 (self->db, "DELETE FROM queue WHERE id <= ?", -1, &st, NULL) != SQLITE_OK)
            return -1;
        sqlite3_bind_int64 (st, 1, cut);
        int rc = sqlite3_step (st);
        sqlite3_finalize (st);
        if (rc != SQLITE_DONE)
            return -1;
        self->stats.queued_bytes -= freed;
        self->stats.queued -= (uint64_t) n;
        dropped += (int) n;
    }
    if (dropped) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2 (self->db, "INSERT OR REPLACE INTO state (key, value) VALUES ('dropped', ?)", -1,
                                &st, NULL) != SQLITE_OK)
            return -1;
        sqlite3_bind_int64 (st, 1, (int64_t) (self->stats.dropped + (uint64_t) dropped));
        int rc = sqlite3_step (st);
        sqlite3_finalize (st);
        if (rc != SQLITE_DONE)
            return -1;
    }
    return dropped;
}

int
rs_spool_flush (rs_spool_t *self, int64_t now_ms)
{
    if (!self->n_adds && !self->n_marks && !self->n_acks
        && !(self->opts.max_days > 0 && now_ms > 0 && self->stats.queued > 0
             && now_ms - self->age_checked_ms >= AGE_CHECK_MS))
        return 0;
    rs_spool_stats_t saved = self->stats;
    int64_t saved_last = self->last_id;
    if (s_exec (self, "BEGIN IMMEDIATE") != 0) {
        self->stats.write_errors++;
        return -1;
    }
    for (size_t i = 0; i < self->n_adds; i++) {
        pending_t *p = &self->adds[i];
        int64_t bytes = (int64_t) (p->size + strlen (p->well)) + ROW_OVERHEAD;
        sqlite3_reset (self->ins);
        sqlite3_bind_text (self->ins, 1, p->well, -1, SQLITE_STATIC);
        sqlite3_bind_int (self->ins, 2, p->kind);
        sqlite3_bind_int64 (self->ins, 3, (int64_t) p->seq);
        sqlite3_bind_int64 (self->ins, 4, p->ts_ms);
        sqlite3_bind_int64 (self->ins, 5, bytes);
        sqlite3_bind_blob (self->ins, 6, p->data, (int) p->size, SQLITE_STATIC);
        sqlite3_bind_int (self->ins, 7, p->late);
        if (sqlite3_step (self->ins) != SQLITE_DONE)
            goto fail;
        self->last_id = sqlite3_last_insert_rowid (self->db);
        self->stats.queued++;
        self->stats.queued_bytes += bytes;
    }
    for (size_t i = 0; i < self->n_marks; i++) {
        mark_t *m = &self->marks[i];
        sqlite3_stmt *st = m->ended ? self->unmark : self->mark;
        sqlite3_reset (st);
        sqlite3_bind_text (st, 1, m->pub, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 2, m->topic, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (st, 3, (int64_t) m->epoch);
        if (!m->ended)
            sqlite3_bind_int64 (st, 4, (int64_t) m->seq);
        if (sqlite3_step (st) != SQLITE_DONE)
            goto fail;
    }
    uint64_t acked = 0;
    for (size_t i = 0; i < self->n_acks; i++) {
        sqlite3_reset (self->del);
        sqlite3_bind_int64 (self->del, 1, self->acks[i]);
        int rc = sqlite3_step (self->del);
        if (rc == SQLITE_ROW) {
            //  Gone already (dropped by a bound) when no row comes back.
            self->stats.queued_bytes -= sqlite3_column_int64 (self->del, 0);
            self->stats.queued--;
            acked++;
            rc = sqlite3_step (self->del);
        }
        if (rc != SQLITE_DONE)
            goto fail;
    }
    int dropped = s_enforce (self, now_ms);
    if (dropped < 0)
        goto fail;
    sqlite3_reset (self->del);
    if (s_exec (self, "COMMIT") != 0)
        goto fail;
    self->stats.added += self->n_adds;
    self->stats.acked += acked;
    self->stats.dropped += (uint64_t) dropped;
    self->stats.dropped_run += (uint64_t) dropped;
    s_clear_pending (self);
    self->stats.pending = 0;
    return dropped;
fail:
    rs_log_limited (&self->log_limit, 5000, RS_LOG_ERROR, "cannot write the spool %s: %s (kept in memory, "
                    "retrying)", self->opts.path, sqlite3_errmsg (self->db));
    sqlite3_reset (self->ins);
    sqlite3_reset (self->mark);
    sqlite3_reset (self->unmark);
    sqlite3_reset (self->del);
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
    uint64_t errors = self->stats.write_errors + 1;
    self->stats = saved;
    self->stats.write_errors = errors;
    self->last_id = saved_last;
    return -1;
}

int
rs_spool_read (rs_spool_t *self, int64_t after_id, int64_t upto_id, rs_spool_rec_t *out, size_t max)
{
    s_free_wells (self);
    self->wells = calloc (max ? max : 1, sizeof *self->wells);
    if (!self->wells)
        return -1;
    sqlite3_reset (self->sel);
    sqlite3_bind_int64 (self->sel, 1, after_id);
    sqlite3_bind_int64 (self->sel, 2, upto_id > 0 ? upto_id : INT64_MAX);
    sqlite3_bind_int64 (self->sel, 3, (int64_t) max);
    //  Blobs are copied into one arena; offsets first, pointers at the end,
    //  since the arena may move while it grows.
    size_t used = 0, n = 0;
    int rc;
    while (n < max && (rc = sqlite3_step (self->sel)) == SQLITE_ROW) {
        const void *blob = sqlite3_column_blob (self->sel, 6);
        size_t size = (size_t) sqlite3_column_bytes (self->sel, 6);
        if (used + size > self->arena_cap) {
            size_t cap = self->arena_cap ? self->arena_cap : 4096;
            while (cap < used + size)
                cap *= 2;
            uint8_t *a = realloc (self->arena, cap);
            if (!a) {
                sqlite3_reset (self->sel);
                return -1;
            }
            self->arena = a;
            self->arena_cap = cap;
        }
        if (size)
            memcpy (self->arena + used, blob, size);
        rs_spool_rec_t *r = &out[n];
        r->id = sqlite3_column_int64 (self->sel, 0);
        self->wells[n] = strdup ((const char *) sqlite3_column_text (self->sel, 1));
        self->n_wells = n + 1;
        if (!self->wells[n]) {
            sqlite3_reset (self->sel);
            return -1;
        }
        r->well = self->wells[n];
        r->kind = sqlite3_column_int (self->sel, 2);
        r->seq = (uint64_t) sqlite3_column_int64 (self->sel, 3);
        r->ts_ms = sqlite3_column_int64 (self->sel, 4);
        r->bytes = sqlite3_column_int64 (self->sel, 5);
        r->late = sqlite3_column_int (self->sel, 7) != 0;
        r->data = (const void *) (uintptr_t) used;
        r->size = size;
        used += size;
        n++;
    }
    sqlite3_reset (self->sel);
    for (size_t i = 0; i < n; i++)
        out[i].data = self->arena + (uintptr_t) out[i].data;
    return (int) n;
}

int64_t
rs_spool_last_id (rs_spool_t *self)
{
    return self->last_id;
}

int64_t
rs_spool_oldest_ts (rs_spool_t *self)
{
    return self->stats.queued ? s_query_int (self, "SELECT ts_ms FROM queue ORDER BY id LIMIT 1", 0) : 0;
}

int
rs_spool_foreach_mark (rs_spool_t *self, rs_resume_fn *fn, void *arg)
{
    return rs_resume_foreach (self->db, "SELECT pub, topic, epoch, seq FROM marks", fn, arg);
}

int64_t
rs_spool_state_get (rs_spool_t *self, const char *key, int64_t def)
{
    sqlite3_stmt *st = NULL;
    int64_t v = def;
    if (sqlite3_prepare_v2 (self->db, "SELECT value FROM state WHERE key = ?", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text (st, 1, key, -1, SQLITE_STATIC);
        if (sqlite3_step (st) == SQLITE_ROW)
            v = sqlite3_column_int64 (st, 0);
    }
    sqlite3_finalize (st);
    return v;
}

int
rs_spool_state_set (rs_spool_t *self, const char *key, int64_t value)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2 (self->db, "INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", -1, &st, NULL)
        != SQLITE_OK)
        return -1;
    sqlite3_bind_text (st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (st, 2, value);
    int rc = sqlite3_step (st);
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE) {
        rs_error ("cannot write %s to the spool %s: %s", key, self->opts.path, sqlite3_errmsg (self->db));
        return -1;
    }
    return 0;
}

const rs_spool_stats_t *
rs_spool_stats (rs_spool_t *self)
{
    return &self->stats;
}
