/*  rs_schema: schema v1, its migrations (v2: the gaps table as an audit; v3:
    the alarm audit view; v4: audit messages, e.g. rule changes) and the
    migration runner. */
#include "rs_schema.h"

#include <czmq.h>
#include <stdio.h>

#include "rs_channels.h"
#include "rs_err.h"
#include "rs_log.h"
#include "rs_msg.h"
#include "rs_strbuf.h"

int
rs_schema_exec (sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec (db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        rs_err_set (rc == SQLITE_NOMEM ? RS_E_NOMEM : RS_E_IO, "%s", msg ? msg : sqlite3_errstr (rc));
    sqlite3_free (msg);
    return rc;
}

//  Appends one column per known channel and suffix ("bit_depth_min REAL"...).
static void
s_channel_columns (rs_strbuf_t *sql, const char *const *suffixes, const char *const *types,
                   size_t n)
{
    for (int c = 0; c < RS_CH_COUNT; c++)
        for (size_t k = 0; k < n; k++)
            rs_strbuf_add (sql, ",\n  %s%s %s", rs_chan_info (c)->name, suffixes[k], types[k]);
}

static const char *const s_agg_suffixes[] = { "_min", "_max", "_sum", "_n" };
static const char *const s_agg_types[] = { "REAL", "REAL", "REAL NOT NULL DEFAULT 0",
                                           "INTEGER NOT NULL DEFAULT 0" };

static void
s_schema_v1 (rs_strbuf_t *sql)
{
    static const char *const sample_suffix[] = { "" };
    static const char *const sample_type[] = { "REAL" };
    rs_strbuf_add (sql,
        "CREATE TABLE wells (\n  id INTEGER PRIMARY KEY,\n  name TEXT NOT NULL UNIQUE\n);\n"
        "CREATE TABLE publishers (\n  id INTEGER PRIMARY KEY,\n  name TEXT NOT NULL UNIQUE\n);\n"
        "CREATE TABLE streams (\n  id INTEGER PRIMARY KEY,\n"
        "  publisher INTEGER NOT NULL REFERENCES publishers (id),\n"
        "  epoch INTEGER NOT NULL,\n  topic TEXT NOT NULL,\n  kind TEXT NOT NULL,\n"
        "  well INTEGER NOT NULL REFERENCES wells (id),\n"
        "  mark INTEGER NOT NULL,\n  closed INTEGER NOT NULL DEFAULT 0,\n"
        "  rows INTEGER NOT NULL DEFAULT 0,\n  first_us INTEGER NOT NULL,\n"
        "  updated_us INTEGER NOT NULL,\n  UNIQUE (publisher, topic, epoch)\n);\n"
        "CREATE TABLE samples (\n  stream INTEGER NOT NULL,\n  seq INTEGER NOT NULL,\n"
        "  well INTEGER NOT NULL,\n  ts INTEGER NOT NULL");
    s_channel_columns (sql, sample_suffix, sample_type, 1);
    rs_strbuf_add (sql,
        ",\n  extra TEXT,\n  UNIQUE (stream, seq)\n);\n"
        "CREATE INDEX samples_well_ts ON samples (well, ts);\n"
        "CREATE TABLE events (\n  stream INTEGER NOT NULL,\n  seq INTEGER NOT NULL,\n"
        "  well INTEGER NOT NULL,\n  ts INTEGER NOT NULL,\n  event TEXT NOT NULL,\n"
        "  phase TEXT NOT NULL,\n  event_id INTEGER NOT NULL,\n  state TEXT,\n  note TEXT,\n"
        "  UNIQUE (stream, seq)\n);\n"
        "CREATE INDEX events_well_ts ON events (well, ts);\n"
        "CREATE TABLE kpis (\n  stream INTEGER NOT NULL,\n  seq INTEGER NOT NULL,\n"
        "  well INTEGER NOT NULL,\n  ts INTEGER NOT NULL,\n  vals TEXT NOT NULL,\n"
        "  UNIQUE (stream, seq)\n);\n"
        "CREATE INDEX kpis_well_ts ON kpis (well, ts);\n"
        "CREATE TABLE alerts (\n  stream INTEGER NOT NULL,\n  seq INTEGER NOT NULL,\n"
        "  well INTEGER NOT NULL,\n  ts INTEGER NOT NULL,\n  body TEXT NOT NULL,\n"
        "  UNIQUE (stream, seq)\n);\n"
        "CREATE INDEX alerts_well_ts ON alerts (well, ts);\n"
        "CREATE TABLE gaps (\n  id INTEGER PRIMARY KEY,\n  stream INTEGER NOT NULL,\n"
        "  from_seq INTEGER NOT NULL,\n  to_seq INTEGER,\n  recorded_us INTEGER NOT NULL,\n"
        "  UNIQUE (stream, from_seq)\n);\n"
        "CREATE TABLE extra_channels (\n  well INTEGER NOT NULL,\n  name TEXT NOT NULL,\n"
        "  first_ts INTEGER NOT NULL,\n  PRIMARY KEY (well, name)\n) WITHOUT ROWID;\n");
    const char *aggs[] = { "agg_1m", "agg_1h" };
    for (int a = 0; a < 2; a++) {
        rs_strbuf_add (sql, "CREATE TABLE %s (\n  well INTEGER NOT NULL,\n  bucket INTEGER NOT NULL,\n"
                       "  n INTEGER NOT NULL", aggs[a]);
        s_channel_columns (sql, s_agg_suffixes, s_agg_types, 4);
        rs_strbuf_add (sql, ",\n  UNIQUE (well, bucket)\n);\n");
    }
    rs_strbuf_add (sql,
        "CREATE TABLE ingest_stats (\n  run INTEGER PRIMARY KEY,\n  started_us INTEGER NOT NULL,\n"
        "  updated_us INTEGER NOT NULL,\n  pid INTEGER NOT NULL,\n"
        "  stored INTEGER NOT NULL DEFAULT 0,\n  ignored INTEGER NOT NULL DEFAULT 0,\n"
        "  gaps INTEGER NOT NULL DEFAULT 0,\n  batches INTEGER NOT NULL DEFAULT 0,\n"
        "  write_errors INTEGER NOT NULL DEFAULT 0,\n  dropped INTEGER NOT NULL DEFAULT 0,\n"
        "  pruned INTEGER NOT NULL DEFAULT 0,\n  buffered_max INTEGER NOT NULL DEFAULT 0\n);\n"
        "CREATE VIEW streams_v AS SELECT s.id, p.name AS publisher, s.epoch, s.topic, s.kind,\n"
        "  w.name AS well, s.mark, s.closed, s.rows, s.first_us, s.updated_us\n"
        "  FROM streams s JOIN publishers p ON p.id = s.publisher JOIN wells w ON w.id = s.well;\n"
        "CREATE VIEW samples_v AS SELECT w.name AS well, p.name AS publisher, s.epoch, x.seq, x.ts");
    for (int c = 0; c < RS_CH_COUNT; c++)
        rs_strbuf_add (sql, ", x.%s", rs_chan_info (c)->name);
    rs_strbuf_add (sql,
        ", x.extra\n  FROM samples x JOIN streams s ON s.id = x.stream JOIN wells w ON w.id = x.well\n"
        "  JOIN publishers p ON p.id = s.publisher;\n"
        "CREATE VIEW events_v AS SELECT w.name AS well, p.name AS publisher, s.epoch, x.seq, x.ts,\n"
        "  x.event, x.phase, x.event_id, x.state, x.note\n"
        "  FROM events x JOIN streams s ON s.id = x.stream JOIN wells w ON w.id = x.well\n"
        "  JOIN publishers p ON p.id = s.publisher;\n"
        "CREATE VIEW kpis_v AS SELECT w.name AS well, p.name AS publisher, s.epoch, x.seq, x.ts, x.vals\n"
        "  FROM kpis x JOIN streams s ON s.id = x.stream JOIN wells w ON w.id = x.well\n"
        "  JOIN publishers p ON p.id = s.publisher;\n"
        "CREATE VIEW alerts_v AS SELECT w.name AS well, p.name AS publisher, s.epoch, x.seq, x.ts, x.body\n"
        "  FROM alerts x JOIN streams s ON s.id = x.stream JOIN wells w ON w.id = x.well\n"
        "  JOIN publishers p ON p.id = s.publisher;\n"
        "CREATE VIEW gaps_v AS SELECT p.name AS publisher, s.epoch, s.topic, w.name AS well,\n"
        "  g.from_seq, g.to_seq, g.recorded_us\n"
        "  FROM gaps g JOIN streams s ON s.id = g.stream JOIN wells w ON w.id = s.well\n"
        "  JOIN publishers p ON p.id = s.publisher;\n");
}

//  Version 2: the gaps table as an audit. Each row is either a proven loss
//  (kind 'loss', from_seq..to_seq) or an unknown tail (kind 'unknown_tail',
//  to_seq NULL: a publisher restarted without saying where its old stream
//  ended); rows of version 1 with no end are the latter. streams.end_seq is
//  the last seq a publisher said it sent when it stopped (its end-of-stream
//  marker), NULL when it did not say.
static void
s_schema_v2 (rs_strbuf_t *sql)
{
    rs_strbuf_add (sql,
        "ALTER TABLE gaps ADD COLUMN kind TEXT NOT NULL DEFAULT 'loss'\n"
        "  CHECK (kind IN ('loss', 'unknown_tail'));\n"
        "UPDATE gaps SET kind = 'unknown_tail' WHERE to_seq IS NULL;\n"
        "ALTER TABLE streams ADD COLUMN end_seq INTEGER;\n"
        "DROP VIEW IF EXISTS gaps_v;\n"
        "CREATE VIEW gaps_v AS SELECT p.name AS publisher, s.epoch, s.topic, w.name AS well,\n"
        "  g.kind, g.from_seq, g.to_seq, g.recorded_us\n"
        "  FROM gaps g JOIN streams s ON s.id = g.stream JOIN wells w ON w.id = s.well\n"
        "  JOIN publishers p ON p.id = s.publisher;\n"
        "DROP VIEW IF EXISTS streams_v;\n"
        "CREATE VIEW streams_v AS SELECT s.id, p.name AS publisher, s.epoch, s.topic, s.kind,\n"
        "  w.name AS well, s.mark, s.closed, s.end_seq, s.rows, s.first_us, s.updated_us\n"
        "  FROM streams s JOIN publishers p ON p.id = s.publisher JOIN wells w ON w.id = s.well;\n");
}

//  Version 3: the audit trail of alarms, read from the alert messages that say
//  what caused them (the engine's "action", "by", "addr", "detail").
static void
s_schema_v3 (rs_strbuf_t *sql)
{
    rs_strbuf_add (sql,
        "CREATE VIEW audit AS SELECT x.ts AS ts_us, json_extract (x.body, '$.by') AS who,\n"
        "  json_extract (x.body, '$.addr') AS addr, json_extract (x.body, '$.action') AS action,\n"
        "  json_extract (x.body, '$.alert_id') AS alert_id, w.name AS well,\n"
        "  json_extract (x.body, '$.detail') AS detail\n"
        "  FROM alerts x JOIN wells w ON w.id = x.well\n"
        "  WHERE json_extract (x.body, '$.action') IS NOT NULL;\n");
}

//  Version 4: audit.<component> messages (rule changes, acknowledgements the
//  web bridge records itself...) in audit_log, and in the audit view beside
//  the alarms' transitions; kpis.rig_state, the engine's rig state of each
//  KPI message (the export's rig state for feeds without rig_state events). Their streams belong to no well (streams.well 0),
//  so the views join wells with LEFT JOIN.
static void
s_schema_v4 (rs_strbuf_t *sql)
{
    rs_strbuf_add (sql,
        "CREATE TABLE audit_log (\n  stream INTEGER NOT NULL,\n  seq INTEGER NOT NULL,\n"
        "  ts INTEGER NOT NULL,\n  component TEXT NOT NULL,\n  action TEXT NOT NULL,\n  who TEXT NOT NULL,\n"
        "  addr TEXT,\n  detail TEXT,\n  well TEXT,\n  body TEXT NOT NULL,\n  UNIQUE (stream, seq)\n);\n"
        "CREATE INDEX audit_log_ts ON audit_log (ts);\n"
        "ALTER TABLE kpis ADD COLUMN rig_state TEXT;\n"
        "DROP VIEW IF EXISTS kpis_v;\n"
        "CREATE VIEW kpis_v AS SELECT w.name AS well, p.name AS publisher, s.epoch, x.seq, x.ts, x.vals, x.rig_state\n"
        "  FROM kpis x JOIN streams s ON s.id = x.stream JOIN wells w ON w.id = x.well\n"
        "  JOIN publishers p ON p.id = s.publisher;\n"
        "DROP VIEW IF EXISTS audit;\n"
        "CREATE VIEW audit AS SELECT x.ts AS ts_us, json_extract (x.body, '$.by') AS who,\n"
        "  json_extract (x.body, '$.addr') AS addr, json_extract (x.body, '$.action') AS action,\n"
        "  json_extract (x.body, '$.alert_id') AS alert_id, w.name AS well,\n"
        "  json_extract (x.body, '$.detail') AS detail\n"
        "  FROM alerts x JOIN wells w ON w.id = x.well\n"
        "  WHERE json_extract (x.body, '$.action') IS NOT NULL\n"
        "UNION ALL SELECT a.ts, a.who, a.addr, a.action, json_extract (a.body, '$.alert_id'), a.well, a.detail\n"
        "  FROM audit_log a;\n"
        "DROP VIEW IF EXISTS streams_v;\n"
        "CREATE VIEW streams_v AS SELECT s.id, p.name AS publisher, s.epoch, s.topic, s.kind,\n"
        "  w.name AS well, s.mark, s.closed, s.end_seq, s.rows, s.first_us, s.updated_us\n"
        "  FROM streams s JOIN publishers p ON p.id = s.publisher LEFT JOIN wells w ON w.id = s.well;\n"
        "DROP VIEW IF EXISTS gaps_v;\n"
        "CREATE VIEW gaps_v AS SELECT p.name AS publisher, s.epoch, s.topic, w.name AS well,\n"
        "  g.kind, g.from_seq, g.to_seq, g.recorded_us\n"
        "  FROM gaps g JOIN streams s ON s.id = g.stream LEFT JOIN wells w ON w.id = s.well\n"
        "  JOIN publishers p ON p.id = s.publisher;\n");
}

//  Migration i brings the schema from version i to i + 1 (SQL appended to
//  sql); s_migrate runs each in its own transaction with the user_version
//  update. Never change a released one: add the next.
typedef void (s_migration_fn) (rs_strbuf_t *sql);
static s_migration_fn *const s_migrations[RS_STORE_SCHEMA] = { s_schema_v1, s_schema_v2, s_schema_v3,
                                                                      s_schema_v4 };

int
rs_schema_migrate (sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &st, NULL);
    int version = 0;
    if (rc == SQLITE_OK && (rc = sqlite3_step (st)) == SQLITE_ROW) {
        version = sqlite3_column_int (st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_OK) {
        rs_err_set (RS_E_IO, "%s", sqlite3_errmsg (db));
        return rc;
    }
    if (version > RS_STORE_SCHEMA || version < 0) {
        rs_err_set (RS_E_VERSION, "schema version %d is newer than this program's (%d): upgrade rigstream",
                    version, RS_STORE_SCHEMA);
        return SQLITE_ERROR;
    }
    for (int v = version; v < RS_STORE_SCHEMA; v++) {
        rs_strbuf_t sql;
        rs_strbuf_init (&sql);
        rs_strbuf_add (&sql, "BEGIN IMMEDIATE;\n");
        s_migrations[v] (&sql);
        rs_strbuf_add (&sql, "PRAGMA user_version = %d;\nCOMMIT;\n", v + 1);
        if (!rs_strbuf_ok (&sql)) {
            rs_strbuf_cleanup (&sql);
            rs_err_set (RS_E_NOMEM, "out of memory");
            return SQLITE_NOMEM;
        }
        rc = rs_schema_exec (db, rs_strbuf_text (&sql));
        rs_strbuf_cleanup (&sql);
        if (rc != SQLITE_OK) {
            if (!sqlite3_get_autocommit (db))
                sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
            char detail[256];
            snprintf (detail, sizeof detail, "%s", rs_errmsg ());
            rs_err_set (rs_errcode (), "migration to schema %d failed: %s", v + 1, detail);
            return rc;
        }
        rs_info ("database schema migrated to version %d", v + 1);
    }
    return SQLITE_OK;
}

//  Adds a column for each known channel that a table lacks (channels added
//  to rs_channels after the database was created).
static int
s_sync_columns (sqlite3 *db, const char *table, const char *const *suffixes,
                const char *const *types, size_t n)
{
    char sql[256];
    snprintf (sql, sizeof sql, "SELECT name FROM pragma_table_info('%s')", table);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2 (db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        rs_err_set (RS_E_IO, "%s", sqlite3_errmsg (db));
        return rc;
    }
    zhashx_t *have = zhashx_new ();
    if (!have) {
        sqlite3_finalize (st);
        rs_err_set (RS_E_NOMEM, "%s", "");
        return SQLITE_NOMEM;
    }
    while (sqlite3_step (st) == SQLITE_ROW)
        zhashx_insert (have, (const char *) sqlite3_column_text (st, 0), (void *) 1);
    sqlite3_finalize (st);
    for (int c = 0; c < RS_CH_COUNT && rc == SQLITE_OK; c++)
        for (size_t k = 0; k < n && rc == SQLITE_OK; k++) {
            char col[RS_MAX_CHNAME + 8];
            snprintf (col, sizeof col, "%s%s", rs_chan_info (c)->name, suffixes[k]);
            if (zhashx_lookup (have, col))
                continue;
            snprintf (sql, sizeof sql, "ALTER TABLE %s ADD COLUMN %s %s", table, col, types[k]);
            rc = rs_schema_exec (db, sql);
            if (rc == SQLITE_OK)
                rs_info ("added column %s.%s for a new known channel", table, col);
        }
    zhashx_destroy (&have);
    return rc;
}

int
rs_schema_sync_columns (sqlite3 *db)
{
    static const char *const sample_suffix[] = { "" };
    static const char *const sample_type[] = { "REAL" };
    int rc = s_sync_columns (db, "samples", sample_suffix, sample_type, 1);
    if (rc == SQLITE_OK)
        rc = s_sync_columns (db, "agg_1m", s_agg_suffixes, s_agg_types, 4);
    if (rc == SQLITE_OK)
        rc = s_sync_columns (db, "agg_1h", s_agg_suffixes, s_agg_types, 4);
    return rc;
}
