/*  rs_store: the recorder's write side against temporary database files,
    no sockets. Schema and migrations, idempotent inserts, extra channels,
    events/KPIs/alerts, aggregates, retention in steps, stream marks and
    resume, and the failure paths (read-only, full, corrupt, locked,
    buffer overflow) with their recovery. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rs_channels.h"
#include "rs_log.h"
#include "rs_msg.h"
#include "rs_store.h"
#include "rs_test.h"

#define MINUTE 60000000LL
#define DAY    86400000000LL
//  A fixed "now" for retention: 2026-11-23T00:00:00Z.
#define NOW_US 1795392000000000LL

static char s_dir[64];
static rs_encoder_t *s_enc;
static rs_decoder_t *s_dec;

static char *
s_path (const char *name)
{
    static char path[4][256];
    static int next;
    char *p = path[next++ % 4];
    snprintf (p, sizeof path[0], "%s/%s", s_dir, name);
    return p;
}

//  Decodes the encoder's current body on `topic` into *msg.
static void
s_decode (rs_kind_t kind, const char *well, rs_msg_t *msg)
{
    char topic[RS_MAX_TOPIC];
    int len = rs_topic_format (topic, sizeof topic, kind, well);
    int rc = rs_decode (s_dec, topic, (size_t) len, rs_encoder_data (s_enc), rs_encoder_size (s_enc), msg);
    if (rc != RS_OK)
        fprintf (stderr, "decode: %s: %s\n", rs_strerror (rc), rs_decoder_detail (s_dec));
    RS_CHECK_INT (rc, RS_OK);
}

//  Adds a sample with bit_depth = v0 and rop = v1 (NaN = nil) plus any extras.
static int
s_add_sample (rs_store_t *store, const char *pub, uint64_t epoch, const char *well, uint64_t seq,
              int64_t ts, double v0, double v1, const rs_value_t *extra, size_t n_extra)
{
    rs_value_t ch[8] = { { "bit_depth", RS_CH_BIT_DEPTH, v0 }, { "rop", RS_CH_ROP, v1 } };
    for (size_t i = 0; i < n_extra; i++)
        ch[2 + i] = extra[i];
    rs_header_t hdr = { pub, epoch, seq, ts };
    RS_CHECK_INT (rs_encode_sample (s_enc, well, &hdr, ch, 2 + n_extra), RS_OK);
    rs_msg_t msg;
    s_decode (RS_KIND_TELEMETRY, well, &msg);
    return rs_store_add (store, &msg, 0);
}

static int64_t
s_int (sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2 (db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf (stderr, "query failed: %s: %s\n", sql, sqlite3_errmsg (db));
        return -1;
    }
    if (sqlite3_step (st) == SQLITE_ROW)
        v = sqlite3_column_type (st, 0) == SQLITE_NULL ? -2 : sqlite3_column_int64 (st, 0);
    sqlite3_finalize (st);
    return v;
}

static double
s_real (sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    double v = -12345;
    if (sqlite3_prepare_v2 (db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf (stderr, "query failed: %s: %s\n", sql, sqlite3_errmsg (db));
        return v;
    }
    if (sqlite3_step (st) == SQLITE_ROW)
        v = sqlite3_column_type (st, 0) == SQLITE_NULL ? NAN : sqlite3_column_double (st, 0);
    sqlite3_finalize (st);
    return v;
}

static char *
s_text (sqlite3 *db, const char *sql)
{
    static char buf[1024];
    sqlite3_stmt *st = NULL;
    buf[0] = '\0';
    if (sqlite3_prepare_v2 (db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step (st) == SQLITE_ROW
        && sqlite3_column_text (st, 0))
        snprintf (buf, sizeof buf, "%s", (const char *) sqlite3_column_text (st, 0));
    sqlite3_finalize (st);
    return buf;
}

static rs_store_t *
s_store (const char *name, int batch_rows)
{
    rs_store_opts_t opts = { .path = s_path (name), .batch_rows = batch_rows, .flush_ms = 100,
                             .buffer_max = 100000, .retry_max_ms = 1000 };
    rs_store_t *store = rs_store_new (&opts);
    RS_CHECK (store != NULL);
    return store;
}

//  Flushes until the buffer is empty (time moves on past any back-off).
static void
s_flush_all (rs_store_t *store)
{
    static int64_t now = 100000;
    for (int i = 0; i < 1000 && rs_store_buffered (store) > 0; i++) {
        now += 20000;
        rs_store_tick (store, now);
    }
    RS_CHECK_INT (rs_store_buffered (store), 0);
}

static void
test_schema (void)
{
    rs_store_t *store = s_store ("schema.db", 0);
    RS_CHECK_INT (rs_store_open (store, 0), SQLITE_OK);
    sqlite3 *db = rs_store_db (store);
    RS_CHECK_INT (s_int (db, "PRAGMA user_version"), RS_STORE_SCHEMA);
    RS_CHECK_STR (s_text (db, "PRAGMA journal_mode"), "wal");
    RS_CHECK_INT (s_int (db, "PRAGMA synchronous"), 1);     //  NORMAL
    const char *tables[] = { "wells", "publishers", "streams", "samples", "events", "kpis", "alerts", "gaps",
                             "extra_channels", "agg_1m", "agg_1h", "ingest_stats" };
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char sql[128];
        snprintf (sql, sizeof sql, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '%s'",
                  tables[i]);
        RS_CHECK_INT (s_int (db, sql), 1);
    }
    //  One column per known channel in samples and four in each aggregate.
    for (int c = 0; c < RS_CH_COUNT; c++) {
        char sql[160];
        snprintf (sql, sizeof sql, "SELECT count(*) FROM pragma_table_info('samples') WHERE name = '%s'",
                  rs_chan_info (c)->name);
        RS_CHECK_INT (s_int (db, sql), 1);
        snprintf (sql, sizeof sql, "SELECT count(*) FROM pragma_table_info('agg_1h') WHERE name LIKE '%s\\_%%' "
                  "ESCAPE '\\'", rs_chan_info (c)->name);
        RS_CHECK (s_int (db, sql) >= 4);
    }
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'samples_well_ts'"), 1);
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM ingest_stats"), 1);
    rs_store_destroy (&store);

    //  Reopening migrates nothing and starts a new run row.
    store = s_store ("schema.db", 0);
    RS_CHECK_INT (rs_store_open (store, 0), SQLITE_OK);
    RS_CHECK_INT (s_int (rs_store_db (store), "SELECT count(*) FROM ingest_stats"), 2);
    rs_store_destroy (&store);

    //  An existing database at user_version 0 (someone's notes) is migrated
    //  and keeps its own table.
    sqlite3 *raw = NULL;
    sqlite3_open (s_path ("v0.db"), &raw);
    sqlite3_exec (raw, "CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('keep me')", NULL, NULL, NULL);
    sqlite3_close (raw);
    store = s_store ("v0.db", 0);
    RS_CHECK_INT (rs_store_open (store, 0), SQLITE_OK);
    RS_CHECK_INT (s_int (rs_store_db (store), "PRAGMA user_version"), RS_STORE_SCHEMA);
    RS_CHECK_STR (s_text (rs_store_db (store), "SELECT t FROM notes"), "keep me");
    rs_store_destroy (&store);

    //  A migration that fails (a table of the same name exists) is rolled back whole.
    sqlite3_open (s_path ("clash.db"), &raw);
    sqlite3_exec (raw, "CREATE TABLE samples (x)", NULL, NULL, NULL);
    sqlite3_close (raw);
    store = s_store ("clash.db", 0);
    RS_CHECK (rs_store_open (store, 0) != SQLITE_OK);
    RS_CHECK (rs_store_db (store) == NULL);
    RS_CHECK_INT (rs_store_stats (store)->write_errors, 1);
    rs_store_destroy (&store);
    sqlite3_open (s_path ("clash.db"), &raw);
    RS_CHECK_INT (s_int (raw, "PRAGMA user_version"), 0);
    RS_CHECK_INT (s_int (raw, "SELECT count(*) FROM sqlite_master WHERE name = 'wells'"), 0);
    sqlite3_close (raw);

    //  A newer schema is refused, not touched.
    sqlite3_open (s_path ("future.db"), &raw);
    sqlite3_exec (raw, "PRAGMA user_version = 99", NULL, NULL, NULL);
    sqlite3_close (raw);
    store = s_store ("future.db", 0);
    RS_CHECK_INT (rs_store_open (store, 0), SQLITE_ERROR);
    RS_CHECK (!rs_store_stats (store)->db_ok);
    rs_store_destroy (&store);
}

static void
test_insert_idempotent (void)
{
    rs_store_t *store = s_store ("ins.db", 4);
    RS_CHECK_INT (rs_store_open (store, 0), SQLITE_OK);
    for (uint64_t s = 1; s <= 10; s++)
        RS_CHECK_INT (s_add_sample (store, "sim", 7, "A-01", s, NOW_US + (int64_t) s * 1000000, 1000 + (double) s,
                                    20, NULL, 0), 0);
    s_flush_all (store);
    //  Replays and duplicates (5..10 again) are stored once.
    for (uint64_t s = 5; s <= 15; s++)
        s_add_sample (store, "sim", 7, "A-01", s, NOW_US + (int64_t) s * 1000000, 1000 + (double) s, 20, NULL, 0);
    s_flush_all (store);
    sqlite3 *db = rs_store_db (store);
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM samples"), 15);
    RS_CHECK_INT (s_int (db, "SELECT count(DISTINCT seq) FROM samples"), 15);
    RS_CHECK_INT (rs_store_stats (store)->stored, 15);
    RS_CHECK_INT (rs_store_stats (store)->ignored, 6);
    RS_CHECK_NEAR (s_real (db, "SELECT bit_depth FROM samples_v WHERE seq = 12"), 1012, 0);
    RS_CHECK_STR (s_text (db, "SELECT well || '/' || publisher || '/' || epoch FROM samples_v LIMIT 1"), "A-01/sim/7");
    RS_CHECK_INT (s_int (db, "SELECT rows FROM streams"), 15);
    //  Strings are normalised: one well row and one publisher row.
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM wells"), 1);
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM publishers"), 1);
    //  A new epoch of the same publisher is a new stream with its own seqs.
    s_add_sample (store, "sim", 8, "A-01", 1, NOW_US + 100000000, 1, 2, NULL, 0);
    s_flush_all (store);
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM samples"), 16);
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM streams"), 2);
    //  Statistics of this run are in the database.
    RS_CHECK_INT (s_int (db, "SELECT stored FROM ingest_stats ORDER BY run DESC LIMIT 1"), 16);
    RS_CHECK_INT (s_int (db, "SELECT ignored FROM ingest_stats ORDER BY run DESC LIMIT 1"), 6);
    RS_CHECK (s_int (db, "SELECT batches FROM ingest_stats ORDER BY run DESC LIMIT 1") >= 5);
    RS_CHECK (rs_store_stats (store)->db_bytes > 0);
    rs_store_destroy (&store);
}

static void
test_extra_and_kinds (void)
{
    rs_store_t *store = s_store ("kinds.db", 100);
    RS_CHECK_INT (rs_store_open (store, 0), SQLITE_OK);
    rs_value_t extra[] = { { "vendor_mwd_gr", RS_CH_UNKNOWN, 71.5 }, { "vendor_x", RS_CH_UNKNOWN, NAN } };
    s_add_sample (store, "sim", 1, "B-02", 1, NOW_US, 2000, NAN, extra, 2);
    s_add_sample (store, "sim", 1, "B-02", 2, NOW_US + 1000000, 2001, 5, NULL, 0);

    rs_header_t hdr = { "sim", 1, 1, NOW_US };
    RS_CHECK_INT (rs_encode_event (s_enc, "B-02", &hdr, "kick", "start", 3, "pit gain 2 m3", NULL), RS_OK);
    rs_msg_t msg;
    s_decode (RS_KIND_EVENT, "B-02", &msg);
    RS_CHECK_INT (rs_store_add (store, &msg, 0), 0);
    hdr.seq = 2;
    rs_encode_event (s_enc, "B-02", &hdr, "rig_state", "change", 0, "", "drilling");
    s_decode (RS_KIND_EVENT, "B-02", &msg);
    rs_store_add (store, &msg, 0);

    hdr = (rs_header_t) { "engine", 5, 1, NOW_US };
    msgpack_packer *pk = rs_encode_begin (s_enc, RS_KIND_KPI, "B-02", &hdr, 2);
    rs_encode_key (pk, "rig_state");
    rs_encode_string (pk, "drilling_rotary");
    rs_encode_key (pk, "values");
    rs_value_t kv[] = { { "mse", -1, 123.5 }, { "eff.pct", -1, NAN } };
    rs_encode_values (pk, kv, 2);
    s_decode (RS_KIND_KPI, "B-02", &msg);
    RS_CHECK_INT (rs_store_add (store, &msg, 0), 0);

    pk = rs_encode_begin (s_enc, RS_KIND_ALERT, "B-02", &hdr, 2);
    rs_encode_key (pk, "alert");
    rs_encode_string (pk, "kick_suspected");
    rs_encode_key (pk, "level");
    msgpack_pack_int (pk, 2);
    s_decode (RS_KIND_ALERT, "B-02", &msg);
    RS_CHECK_INT (rs_store_add (store, &msg, 0), 0);

    //  An audit record: in audit_log and the audit view, no wells row for
    //  the component; stored once even when it comes again.
    for (int again = 0; again < 2; again++) {
        pk = rs_encode_begin (s_enc, RS_KIND_AUDIT, "prediction_engine", &hdr, 3);
        rs_encode_key (pk, "action");
        rs_encode_string (pk, "rules_set");
        rs_encode_key (pk, "by");
        rs_encode_string (pk, "Ana Lima");
        rs_encode_key (pk, "detail");
        rs_encode_string (pk, "added: \"spp high\"");
        s_decode (RS_KIND_AUDIT, "prediction_engine", &msg);
        RS_CHECK_INT (rs_store_add (store, &msg, 0), 0);
    }

    //  Heartbeats are not stored.
    hdr = (rs_header_t) { "x", 1, 1, NOW_US };
    rs_encode_heartbeat (s_enc, "broker", &hdr, NULL, 0, NULL, 0);
    s_decode (RS_KIND_SYS, "broker", &msg);
    RS_CHECK_INT (rs_store_add (store, &msg, 0), 1);
    s_flush_all (store);

    sqlite3 *db = rs_store_db (store);
    RS_CHECK_NEAR (s_real (db, "SELECT json_extract(extra, '$.vendor_mwd_gr') FROM samples WHERE seq = 1"), 71.5, 0);
    RS_CHECK_INT (s_int (db, "SELECT json_type(extra, '$.vendor_x') = 'null' FROM samples WHERE seq = 1"), 1);
    RS_CHECK_INT (s_int (db, "SELECT extra IS NULL FROM samples WHERE seq = 2"), 1);
    RS_CHECK_INT (s_int (db, "SELECT rop IS NULL FROM samples WHERE seq = 1"), 1);
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM extra_channels"), 2);
    RS_CHECK_STR (s_text (db, "SELECT group_concat(name) FROM (SELECT name FROM extra_channels ORDER BY name)"),
                  "vendor_mwd_gr,vendor_x");
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM events"), 2);
    RS_CHECK_STR (s_text (db, "SELECT event || ' ' || phase || ' ' || event_id || ' ' || note FROM events_v "
                              "WHERE seq = 1"), "kick start 3 pit gain 2 m3");
    RS_CHECK_STR (s_text (db, "SELECT state FROM events WHERE seq = 2"), "drilling");
    RS_CHECK_INT (s_int (db, "SELECT note IS NULL FROM events WHERE seq = 2"), 1);
    RS_CHECK_NEAR (s_real (db, "SELECT json_extract(vals, '$.mse') FROM kpis_v WHERE publisher = 'engine'"), 123.5, 0);
    RS_CHECK_INT (s_int (db, "SELECT json_type(vals, '$.\"eff.pct\"') = 'null' FROM kpis"), 1);
    RS_CHECK_STR (s_text (db, "SELECT rig_state FROM kpis_v WHERE publisher = 'engine'"), "drilling_rotary");
    RS_CHECK_STR (s_text (db, "SELECT json_extract(body, '$.alert') FROM alerts_v"), "kick_suspected");
    RS_CHECK_STR (s_text (db, "SELECT who || '|' || action || '|' || coalesce(addr, '-') || '|' || detail || '|' "
                              "|| coalesce(well, '-') || '|' || component FROM audit_log"),
                  "Ana Lima|rules_set|-|added: \"spp high\"|-|prediction_engine");
    RS_CHECK_STR (s_text (db, "SELECT who || '|' || action || '|' || detail FROM audit WHERE action = 'rules_set'"),
                  "Ana Lima|rules_set|added: \"spp high\"");
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM wells WHERE name = 'prediction_engine'"), 0);
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM streams_v WHERE kind = 'audit' AND well IS NULL"), 1);
    RS_CHECK_INT (s_int (db, "SELECT json_extract(body, '$.level') FROM alerts"), 2);
    RS_CHECK_INT (s_int (db, "SELECT json_extract(body, '$.seq') FROM alerts"), 1);
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM streams"), 5);
    RS_CHECK_STR (s_text (db, "SELECT group_concat(kind) FROM (SELECT kind FROM streams ORDER BY kind)"),
                  "alert,audit,event,kpi,telemetry");
    RS_CHECK_INT (rs_store_stats (store)->events, 2);
    RS_CHECK_INT (rs_store_stats (store)->kpis, 1);
    RS_CHECK_INT (rs_store_stats (store)->alerts, 1);
    rs_store_destroy (&store);
}

static void
test_aggregates (void)
{
    //  Small batches, so buckets are merged across transactions by the upsert.
    rs_store_t *store = s_store ("agg.db", 3);
    RS_CHECK_INT (rs_store_open (store, 0), SQLITE_OK);
    int64_t t0 = 1795392000000000LL;   //  on a minute and an hour boundary
    //  Minute 0: bit_depth 5, 1, nil, 9, 4 (rop nil throughout); minute 1: 2, 8.
    double series[] = { 5, 1, NAN, 9, 4 };
    uint64_t seq = 1;
    for (int i = 0; i < 5; i++)
        s_add_sample (store, "sim", 1, "A-01", seq++, t0 + i * 10000000LL, series[i], NAN, NULL, 0);
    s_add_sample (store, "sim", 1, "A-01", seq++, t0 + MINUTE, 2, 30, NULL, 0);
    s_add_sample (store, "sim", 1, "A-01", seq++, t0 + MINUTE + 59999999, 8, 10, NULL, 0);
    s_flush_all (store);
    //  Duplicates must not count twice.
    s_add_sample (store, "sim", 1, "A-01", 2, t0 + 10000000LL, 1, NAN, NULL, 0);
    s_add_sample (store, "sim", 1, "A-01", 7, t0 + MINUTE + 59999999, 8, 10, NULL, 0);
    s_flush_all (store);
    sqlite3 *db = rs_store_db (store);
    char sql[256];
    snprintf (sql, sizeof sql, "SELECT n FROM agg_1m WHERE bucket = %lld", (long long) t0);
    RS_CHECK_INT (s_int (db, sql), 5);
    snprintf (sql, sizeof sql, "SELECT bit_depth_n FROM agg_1m WHERE bucket = %lld", (long long) t0);
    RS_CHECK_INT (s_int (db, sql), 4);
    snprintf (sql, sizeof sql, "SELECT bit_depth_min FROM agg_1m WHERE bucket = %lld", (long long) t0);
    RS_CHECK_NEAR (s_real (db, sql), 1, 0);
    snprintf (sql, sizeof sql, "SELECT bit_depth_max FROM agg_1m WHERE bucket = %lld", (long long) t0);
    RS_CHECK_NEAR (s_real (db, sql), 9, 0);
    snprintf (sql, sizeof sql, "SELECT bit_depth_sum / bit_depth_n FROM agg_1m WHERE bucket = %lld", (long long) t0);
    RS_CHECK_NEAR (s_real (db, sql), 19.0 / 4, 1e-12);
    snprintf (sql, sizeof sql, "SELECT rop_min IS NULL AND rop_max IS NULL AND rop_n = 0 AND rop_sum = 0 "
              "FROM agg_1m WHERE bucket = %lld", (long long) t0);
    RS_CHECK_INT (s_int (db, sql), 1);
    snprintf (sql, sizeof sql, "SELECT n || ' ' || bit_depth_min || ' ' || bit_depth_max || ' ' || rop_min || ' ' "
              "|| rop_max || ' ' || rop_n FROM agg_1m WHERE bucket = %lld", (long long) (t0 + MINUTE));
    RS_CHECK_STR (s_text (db, sql), "2 2.0 8.0 10.0 30.0 2");
    //  The hour holds all seven samples.
    snprintf (sql, sizeof sql, "SELECT n || ' ' || bit_depth_n || ' ' || bit_depth_min || ' ' || bit_depth_max "
              "|| ' ' || bit_depth_sum || ' ' || rop_n FROM agg_1h WHERE bucket = %lld", (long long) t0);
    RS_CHECK_STR (s_text (db, sql), "7 6 1.0 9.0 29.0 2");
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM agg_1m"), 2);
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM agg_1h"), 1);
    //  A late sample with a reading where the bucket had none fills min/max.
    s_add_sample (store, "sim", 1, "A-01", 100, t0 + 5, 7, 3, NULL, 0);
    s_flush_all (store);
    snprintf (sql, sizeof sql, "SELECT rop_min || ' ' || rop_max || ' ' || rop_n || ' ' || bit_depth_max "
              "FROM agg_1m WHERE bucket = %lld", (long long) t0);
    RS_CHECK_STR (s_text (db, sql), "3.0 3.0 1 9.0");
    rs_store_destroy (&store);
}

static void
test_retention (void)
{
    rs_store_opts_t opts = { .path = s_path ("prune.db"), .batch_rows = 1000, .retention_days = 1,
                             .agg_retention_days = 10, .prune_rows = 10 };
    rs_store_t *store = rs_store_new (&opts);
    RS_CHECK_INT (rs_store_open (store, 0), SQLITE_OK);
    //  35 samples two days old (in 35 different minutes), 5 recent; two wells.
    for (uint64_t s = 1; s <= 35; s++)
        s_add_sample (store, "sim", 1, s % 2 ? "A-01" : "A-02", s, NOW_US - 2 * DAY + (int64_t) s * MINUTE, 1, 1,
                      NULL, 0);
    for (uint64_t s = 36; s <= 40; s++)
        s_add_sample (store, "sim", 1, "A-01", s, NOW_US - 1000000 * (int64_t) s, 1, 1, NULL, 0);
    //  Aggregates eleven days old.
    for (uint64_t s = 41; s <= 43; s++)
        s_add_sample (store, "old", 1, "A-01", s, NOW_US - 11 * DAY + (int64_t) (s - 40) * 3600000000LL, 1, 1, NULL, 0);
    s_flush_all (store);
    sqlite3 *db = rs_store_db (store);
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM samples"), 43);
    int64_t agg1m = s_int (db, "SELECT count(*) FROM agg_1m");
    int64_t agg1h = s_int (db, "SELECT count(*) FROM agg_1h");
    //  Each step deletes at most prune_rows rows, oldest first.
    int total = 0, steps = 0, n;
    while ((n = rs_store_prune (store, NOW_US)) > 0) {
        RS_CHECK (n <= 10);
        total += n;
        steps++;
    }
    RS_CHECK_INT (n, 0);
    RS_CHECK (steps >= 4);
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM samples"), 5);
    RS_CHECK_INT (s_int (db, "SELECT min(seq) FROM samples"), 36);
    //  Aggregates of the 2-day-old samples stay; the 11-day-old ones go.
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM agg_1m"), agg1m - 3);
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM agg_1h WHERE bucket < 1795392000000000 - 10 * 86400000000"), 0);
    RS_CHECK (s_int (db, "SELECT count(*) FROM agg_1h") > 0);
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM agg_1h"), agg1h - 3);
    RS_CHECK_INT (total, (int) rs_store_stats (store)->pruned);
    RS_CHECK_INT (total, 38 + 3 + 3);
    rs_store_destroy (&store);
}

static uint64_t s_resumed_mark[8];
static char s_resumed[8][128];
static int s_n_resumed;

static void
s_on_resume (const char *pub, const char *topic, uint64_t epoch, uint64_t mark, void *arg)
{
    (void) arg;
    if (s_n_resumed < 8) {
        snprintf (s_resumed[s_n_resumed], sizeof s_resumed[0], "%s %s %llu", pub, topic, (unsigned long long) epoch);
        s_resumed_mark[s_n_resumed++] = mark;
    }
}

static void
test_marks_and_resume (void)
{
    rs_store_t *store = s_store ("marks.db", 100);
    RS_CHECK_INT (rs_store_open (store, 0), SQLITE_OK);
    sqlite3 *db = rs_store_db (store);
    //  First seen at seq 1001 (joined late): the mark starts at 1000.
    for (uint64_t s = 1001; s <= 1005; s++)
        s_add_sample (store, "sim", 3, "A-01", s, NOW_US + (int64_t) s, 1, 1, NULL, 0);
    for (uint64_t s = 1008; s <= 1010; s++)
        s_add_sample (store, "sim", 3, "A-01", s, NOW_US + (int64_t) s, 1, 1, NULL, 0);
    s_flush_all (store);
    RS_CHECK_INT (s_int (db, "SELECT mark FROM streams"), 1005);
    //  A repair fills part of the hole, late.
    s_add_sample (store, "sim", 3, "A-01", 1006, NOW_US, 1, 1, NULL, 0);
    s_flush_all (store);
    RS_CHECK_INT (s_int (db, "SELECT mark FROM streams"), 1006);
    //  The rest cannot be repaired: a permanent gap moves the mark on.
    RS_CHECK_INT (rs_store_add_gap (store, "sim", "telemetry.A-01", 3, 1007, 1007, 0), 0);
    s_flush_all (store);
    RS_CHECK_INT (s_int (db, "SELECT mark FROM streams"), 1010);
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM gaps WHERE from_seq = 1007 AND to_seq = 1007"), 1);
    RS_CHECK_INT (rs_store_stats (store)->gaps, 1);
    //  The same gap reported twice is recorded once.
    rs_store_add_gap (store, "sim", "telemetry.A-01", 3, 1007, 1007, 0);
    s_flush_all (store);
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM gaps"), 1);

    //  Another stream of an old epoch, closed by an open-ended gap.
    for (uint64_t s = 1; s <= 3; s++)
        s_add_sample (store, "sim", 2, "A-01", s, NOW_US, 1, 1, NULL, 0);
    rs_store_add_gap (store, "sim", "telemetry.A-01", 2, 4, 0, 0);
    //  Events of epoch 3, with a hole still open at exit.
    rs_header_t hdr = { "sim", 3, 1, NOW_US };
    rs_msg_t msg;
    rs_encode_event (s_enc, "A-01", &hdr, "kick", "start", 1, "", NULL);
    s_decode (RS_KIND_EVENT, "A-01", &msg);
    rs_store_add (store, &msg, 0);
    hdr.seq = 3;
    rs_encode_event (s_enc, "A-01", &hdr, "kick", "end", 1, "", NULL);
    s_decode (RS_KIND_EVENT, "A-01", &msg);
    rs_store_add (store, &msg, 0);
    s_flush_all (store);
    RS_CHECK_INT (s_int (db, "SELECT closed FROM streams WHERE epoch = 2"), 1);
    RS_CHECK_INT (s_int (db, "SELECT mark FROM streams WHERE epoch = 2"), 3);
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM gaps_v WHERE to_seq IS NULL AND epoch = 2"), 1);
    RS_CHECK_INT (s_int (db, "SELECT mark FROM streams WHERE topic = 'event.A-01'"), 1);
    rs_store_destroy (&store);

    //  A new run resumes each (publisher, topic) at its latest open epoch.
    store = s_store ("marks.db", 100);
    RS_CHECK_INT (rs_store_foreach_resume (store, s_on_resume, NULL), -1);     //  not open yet
    RS_CHECK_INT (rs_store_open (store, 0), SQLITE_OK);
    s_n_resumed = 0;
    RS_CHECK_INT (rs_store_foreach_resume (store, s_on_resume, NULL), 2);
    RS_CHECK_STR (s_resumed[0], "sim event.A-01 3");
    RS_CHECK_INT (s_resumed_mark[0], 1);
    RS_CHECK_STR (s_resumed[1], "sim telemetry.A-01 3");
    RS_CHECK_INT (s_resumed_mark[1], 1010);
    //  Continuing after the restart: the mark comes from the database.
    s_add_sample (store, "sim", 3, "A-01", 1012, NOW_US, 1, 1, NULL, 0);
    s_flush_all (store);
    RS_CHECK_INT (s_int (rs_store_db (store), "SELECT mark FROM streams WHERE epoch = 3 AND kind = 'telemetry'"),
                  1010);
    s_add_sample (store, "sim", 3, "A-01", 1011, NOW_US, 1, 1, NULL, 0);
    s_flush_all (store);
    RS_CHECK_INT (s_int (rs_store_db (store), "SELECT mark FROM streams WHERE epoch = 3 AND kind = 'telemetry'"),
                  1012);
    rs_store_destroy (&store);
}

//  The gaps table as an audit: an end-of-stream closes a stream without a
//  row, an open-ended gap is an unknown tail, a bounded one a proven loss.
static void
test_end_of_stream (void)
{
    rs_store_t *store = s_store ("end.db", 100);
    RS_CHECK_INT (rs_store_open (store, 0), SQLITE_OK);
    sqlite3 *db = rs_store_db (store);
    //  The end arrives before the last rows are written: the stream closes
    //  once they are, and no gap is recorded.
    for (uint64_t s = 1; s <= 5; s++)
        s_add_sample (store, "sim", 7, "A-01", s, NOW_US + (int64_t) s, 1, 1, NULL, 0);
    s_flush_all (store);
    s_add_sample (store, "sim", 7, "A-01", 7, NOW_US + 7, 1, 1, NULL, 0);
    RS_CHECK_INT (rs_store_add_end (store, "sim", "telemetry.A-01", 7, 7, 0), 0);
    s_flush_all (store);
    RS_CHECK_INT (s_int (db, "SELECT closed FROM streams WHERE epoch = 7"), 0);    //  6 is missing
    RS_CHECK_INT (s_int (db, "SELECT end_seq FROM streams_v WHERE epoch = 7"), 7);
    s_add_sample (store, "sim", 7, "A-01", 6, NOW_US + 6, 1, 1, NULL, 0);
    s_flush_all (store);
    RS_CHECK_INT (s_int (db, "SELECT closed FROM streams WHERE epoch = 7"), 1);
    RS_CHECK_INT (s_int (db, "SELECT mark FROM streams WHERE epoch = 7"), 7);
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM gaps"), 0);
    //  An end whose tail cannot be repaired: the loss is a bounded 'loss' row.
    s_add_sample (store, "eng", 8, "A-01", 1, NOW_US, 1, 1, NULL, 0);
    rs_store_add_end (store, "eng", "telemetry.A-01", 8, 3, 0);
    rs_store_add_gap (store, "eng", "telemetry.A-01", 8, 2, 3, 0);
    //  A restart without an end: an 'unknown_tail' row, open-ended.
    s_add_sample (store, "wits", 9, "A-01", 1, NOW_US, 1, 1, NULL, 0);
    rs_store_add_gap (store, "wits", "telemetry.A-01", 9, 2, 0, 0);
    //  The end of a stream the database never held is ignored.
    RS_CHECK_INT (rs_store_add_end (store, "other", "telemetry.A-01", 1, 50, 0), 0);
    RS_CHECK_INT (rs_store_add_end (store, "sim", "telemetry.A-01", 7, 0, 0), 1);
    s_flush_all (store);
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM gaps_v WHERE publisher = 'eng' AND kind = 'loss' "
                             "AND from_seq = 2 AND to_seq = 3"), 1);
    RS_CHECK_INT (s_int (db, "SELECT closed FROM streams_v WHERE publisher = 'eng'"), 1);
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM gaps_v WHERE publisher = 'wits' AND kind = 'unknown_tail' "
                             "AND from_seq = 2 AND to_seq IS NULL"), 1);
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM streams_v WHERE publisher = 'other'"), 0);
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM gaps"), 2);
    //  Only the open stream is resumed.
    s_n_resumed = 0;
    RS_CHECK_INT (rs_store_foreach_resume (store, s_on_resume, NULL), 0);
    rs_store_destroy (&store);

    //  A version 1 database: its open-ended gaps become unknown tails.
    sqlite3 *raw = NULL;
    store = s_store ("v1.db", 100);
    RS_CHECK_INT (rs_store_open (store, 0), SQLITE_OK);
    rs_store_destroy (&store);
    sqlite3_open (s_path ("v1.db"), &raw);
    RS_CHECK_INT (sqlite3_exec (raw,
        "DROP VIEW audit; DROP TABLE audit_log; DROP VIEW kpis_v; ALTER TABLE kpis DROP COLUMN rig_state; "
        "DROP VIEW gaps_v; DROP VIEW streams_v; ALTER TABLE gaps DROP COLUMN kind; "
        "ALTER TABLE streams DROP COLUMN end_seq; PRAGMA user_version = 1; "
        "INSERT INTO gaps (stream, from_seq, to_seq, recorded_us) VALUES (1, 5, NULL, 0), (1, 2, 3, 0);",
        NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close (raw);
    store = s_store ("v1.db", 100);
    RS_CHECK_INT (rs_store_open (store, 0), SQLITE_OK);
    db = rs_store_db (store);
    RS_CHECK_INT (s_int (db, "PRAGMA user_version"), RS_STORE_SCHEMA);
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM gaps WHERE kind = 'unknown_tail' AND from_seq = 5"), 1);
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM gaps WHERE kind = 'loss' AND from_seq = 2"), 1);
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM pragma_table_info('streams') WHERE name = 'end_seq'"), 1);
    rs_store_destroy (&store);
}

//  SQLITE_FULL: the batch stays in memory and is written once there is room.
static void
test_full (void)
{
    rs_store_t *store = s_store ("full.db", 500);
    RS_CHECK_INT (rs_store_open (store, 0), SQLITE_OK);
    sqlite3 *db = rs_store_db (store);
    int64_t pages = s_int (db, "PRAGMA page_count");
    char sql[64];
    snprintf (sql, sizeof sql, "PRAGMA max_page_count = %lld", (long long) pages + 2);
    sqlite3_exec (db, sql, NULL, NULL, NULL);
    for (uint64_t s = 1; s <= 2000; s++)
        s_add_sample (store, "sim", 1, "A-01", s, NOW_US + (int64_t) s * 1000, (double) s, 1, NULL, 0);
    int64_t now = 1000;
    RS_CHECK (rs_store_tick (store, now) < 0);
    RS_CHECK_INT (rs_store_stats (store)->last_error, SQLITE_FULL);
    RS_CHECK (!rs_store_stats (store)->db_ok);
    RS_CHECK_INT (rs_store_buffered (store), 2000);
    RS_CHECK_INT (rs_store_stats (store)->write_errors, 1);
    //  The back-off holds the next attempt; then it fails again.
    RS_CHECK_INT (rs_store_tick (store, now + 10), 0);
    RS_CHECK (rs_store_tick (store, now + 5000) < 0);
    RS_CHECK_INT (rs_store_stats (store)->write_errors, 2);
    //  The connection is kept (a full disk needs no reopen): make room.
    RS_CHECK (rs_store_db (store) == db);
    sqlite3_exec (db, "PRAGMA max_page_count = 1000000", NULL, NULL, NULL);
    s_flush_all (store);
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM samples"), 2000);
    RS_CHECK_INT (s_int (db, "SELECT max(seq) - min(seq) + 1 FROM samples"), 2000);
    RS_CHECK_INT (s_int (db, "SELECT mark FROM streams"), 2000);
    RS_CHECK_INT (s_int (db, "SELECT sum(n) FROM agg_1h"), 2000);
    RS_CHECK (rs_store_stats (store)->db_ok);
    RS_CHECK_INT (rs_store_stats (store)->last_error, 0);
    rs_store_destroy (&store);
}

//  Corrupt file: a clear error, no crash, the file left as it was; once it
//  is moved away a new database is created and the buffer written.
static void
test_corrupt (void)
{
    const char *path = s_path ("corrupt.db");
    char garbage[8192];
    for (size_t i = 0; i < sizeof garbage; i++)
        garbage[i] = (char) (i * 7 + 3);
    FILE *f = fopen (path, "wb");
    fwrite (garbage, 1, sizeof garbage, f);
    fclose (f);
    rs_store_t *store = s_store ("corrupt.db", 100);
    int rc = rs_store_open (store, 0);
    RS_CHECK (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT);
    RS_CHECK (rs_store_db (store) == NULL);
    for (uint64_t s = 1; s <= 50; s++)
        RS_CHECK_INT (s_add_sample (store, "sim", 1, "A-01", s, NOW_US, 1, 1, NULL, 0), 0);
    RS_CHECK (rs_store_tick (store, 100000) < 0);
    RS_CHECK_INT (rs_store_buffered (store), 50);
    char back[8192];
    f = fopen (path, "rb");
    RS_CHECK_INT (fread (back, 1, sizeof back, f), sizeof back);
    fclose (f);
    RS_CHECK (memcmp (back, garbage, sizeof back) == 0);
    //  Half a SQLite header and then garbage: still refused cleanly.
    f = fopen (path, "r+b");
    fwrite ("SQLite format 3\0\x10\0\x01\x01\0\x40\x20\x20", 1, 24, f);
    fclose (f);
    RS_CHECK (rs_store_tick (store, 200000) < 0);
    RS_CHECK_INT (rs_store_buffered (store), 50);
    rename (path, s_path ("corrupt.db.bad"));
    s_flush_all (store);
    RS_CHECK_INT (s_int (rs_store_db (store), "SELECT count(*) FROM samples"), 50);
    rs_store_destroy (&store);
}

//  Another writer holds the lock: busy, retried, stored.
static void
test_locked (void)
{
    rs_store_t *store = s_store ("locked.db", 100);
    RS_CHECK_INT (rs_store_open (store, 0), SQLITE_OK);
    sqlite3 *other = NULL;
    sqlite3_open (s_path ("locked.db"), &other);
    RS_CHECK_INT (sqlite3_exec (other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    for (uint64_t s = 1; s <= 10; s++)
        s_add_sample (store, "sim", 1, "A-01", s, NOW_US, 1, 1, NULL, 0);
    RS_CHECK (rs_store_flush (store, 1000) != SQLITE_OK);
    RS_CHECK_INT (rs_store_stats (store)->last_error & 0xff, SQLITE_BUSY);
    RS_CHECK_INT (rs_store_buffered (store), 10);
    sqlite3_exec (other, "COMMIT", NULL, NULL, NULL);
    sqlite3_close (other);
    s_flush_all (store);
    RS_CHECK_INT (s_int (rs_store_db (store), "SELECT count(*) FROM samples"), 10);
    rs_store_destroy (&store);
}

//  The connection turns read-only mid-run: the batch is kept, the store
//  reopens, writes it and goes on in the same ingest_stats row.
static void
test_reopen (void)
{
    rs_store_t *store = s_store ("reopen.db", 100);
    RS_CHECK_INT (rs_store_open (store, 0), SQLITE_OK);
    for (uint64_t s = 1; s <= 10; s++)
        s_add_sample (store, "sim", 1, "A-01", s, NOW_US, 1, 1, NULL, 0);
    s_flush_all (store);
    sqlite3_exec (rs_store_db (store), "PRAGMA query_only = 1", NULL, NULL, NULL);
    for (uint64_t s = 11; s <= 20; s++)
        s_add_sample (store, "sim", 1, "A-01", s, NOW_US, 1, 1, NULL, 0);
    RS_CHECK (rs_store_flush (store, 1000) != SQLITE_OK);
    RS_CHECK_INT (rs_store_stats (store)->last_error, SQLITE_READONLY);
    RS_CHECK (rs_store_db (store) == NULL);
    RS_CHECK_INT (rs_store_buffered (store), 10);
    s_flush_all (store);
    sqlite3 *db = rs_store_db (store);
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM samples"), 20);
    RS_CHECK_INT (s_int (db, "SELECT mark FROM streams"), 20);
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM streams"), 1);
    RS_CHECK_INT (s_int (db, "SELECT count(*) FROM ingest_stats"), 1);
    RS_CHECK_INT (s_int (db, "SELECT stored || write_errors FROM ingest_stats"), 201);
    rs_store_destroy (&store);
}

//  The buffer is bounded: beyond buffer_max, rows are dropped and counted;
//  drain reports what could not be written.
static void
test_overflow_and_drain (void)
{
    rs_store_opts_t opts = { .path = "/proc/rigstream-no-such-dir/x.db", .buffer_max = 1000, .retry_max_ms = 100 };
    rs_store_t *store = rs_store_new (&opts);
    RS_CHECK (rs_store_open (store, 0) != SQLITE_OK);
    int dropped = 0;
    for (uint64_t s = 1; s <= 1500; s++)
        dropped += s_add_sample (store, "sim", 1, "A-01", s, NOW_US, 1, 1, NULL, 0) < 0;
    RS_CHECK_INT (dropped, 500);
    RS_CHECK_INT (rs_store_stats (store)->dropped, 500);
    RS_CHECK_INT (rs_store_buffered (store), 1000);
    RS_CHECK_INT (rs_store_stats (store)->buffered_max, 1000);
    RS_CHECK_INT (rs_store_drain (store, 300), 1000);
    RS_CHECK (rs_store_stats (store)->write_errors >= 2);
    rs_store_destroy (&store);
}

//  A read-only database file. Root ignores file modes, so then the check
//  runs in a child that has dropped to nobody.
static int
s_readonly_checks (const char *path)
{
    int before = rs_test_failures;
    chmod (path, 0444);
    rs_store_t *store = s_store ("ro.db", 100);
    RS_CHECK_INT (rs_store_open (store, 0), SQLITE_READONLY);
    for (uint64_t s = 1; s <= 20; s++)
        s_add_sample (store, "sim", 1, "A-01", s, NOW_US, 1, 1, NULL, 0);
    RS_CHECK (rs_store_tick (store, 100000) < 0);
    RS_CHECK_INT (rs_store_buffered (store), 20);
    RS_CHECK_INT (rs_store_stats (store)->last_error, SQLITE_READONLY);
    chmod (path, 0644);
    s_flush_all (store);
    RS_CHECK_INT (s_int (rs_store_db (store), "SELECT count(*) FROM samples"), 20);
    rs_store_destroy (&store);
    return rs_test_failures - before;
}

static void
test_readonly (void)
{
    const char *path = s_path ("ro.db");
    rs_store_t *store = s_store ("ro.db", 0);
    RS_CHECK_INT (rs_store_open (store, 0), SQLITE_OK);
    rs_store_destroy (&store);      //  closing the last connection removes -wal and -shm
    if (geteuid () != 0) {
        s_readonly_checks (path);
        return;
    }
    RS_CHECK_INT (chown (s_dir, 65534, 65534), 0);
    RS_CHECK_INT (chown (path, 65534, 65534), 0);
    pid_t pid = fork ();
    if (pid == 0) {
        if (setgid (65534) != 0 || setuid (65534) != 0)
            _exit (99);
        _exit (s_readonly_checks (path) == 0 ? 0 : 1);
    }
    int status = 0;
    waitpid (pid, &status, 0);
    RS_CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 0);
    chown (s_dir, 0, 0);
}

int
main (void)
{
    rs_log_init ("test_saver_store", RS_LOG_WARN, NULL);
    snprintf (s_dir, sizeof s_dir, "/tmp/test_saver_XXXXXX");
    if (!mkdtemp (s_dir))
        return 1;
    s_enc = rs_encoder_new ();
    s_dec = rs_decoder_new ();
    test_schema ();
    test_insert_idempotent ();
    test_extra_and_kinds ();
    test_aggregates ();
    test_retention ();
    test_marks_and_resume ();
    test_end_of_stream ();
    test_full ();
    test_corrupt ();
    test_locked ();
    test_reopen ();
    test_overflow_and_drain ();
    test_readonly ();
    rs_encoder_destroy (&s_enc);
    rs_decoder_destroy (&s_dec);
    char cmd[128];
    snprintf (cmd, sizeof cmd, "rm -rf %s", s_dir);
    if (rs_test_failures == 0 && system (cmd) != 0)
        fprintf (stderr, "could not remove %s\n", s_dir);
    return RS_TEST_DONE ();
}
