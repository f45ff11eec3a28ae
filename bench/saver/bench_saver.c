/*  bench_saver: the recorder's insert path against a raw prepared-statement
    batch insert of the same rows into the same schema with the same batch
    size, in one run on the same disk. Rows are realistic 20-channel samples
    of two simulated wells (rs_sim), generated before either clock starts.

      raw    BEGIN; INSERT OR IGNORE INTO samples ... (x batch); COMMIT
      store  rs_store_add + rs_store_tick per message, as the saver does:
             buffering, marks, 1-minute and 1-hour aggregates, statistics

    Usage: bench_saver [rows, default 500000] [batch rows, default 1000] [dir, default /tmp]
    Prints rows/s of each, store / raw, and database bytes per million samples.
    bench/saver/run.sh adds the end-to-end figure (simulator -> broker -> saver). */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rs_channels.h"
#include "rs_clock.h"
#include "rs_log.h"
#include "rs_msg.h"
#include "rs_sim.h"
#include "rs_store.h"

#define WELLS 2

typedef struct {
    size_t n;
    double *values;         //  n x RS_CH_COUNT, NaN = absent
    size_t *n_values;       //  channels in each sample
    int64_t *ts;
} rows_t;

static double
s_now (void)
{
    struct timespec t;
    clock_gettime (CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + (double) t.tv_nsec * 1e-9;
}

static void
s_generate (rows_t *rows, size_t n)
{
    rows->n = n;
    rows->values = malloc (n * RS_CH_COUNT * sizeof (double));
    rows->n_values = malloc (n * sizeof (size_t));
    rows->ts = malloc (n * sizeof (int64_t));
    if (!rows->values || !rows->n_values || !rows->ts) {
        fprintf (stderr, "bench_saver: out of memory\n");
        exit (1);
    }
    rs_sim_t *sims[WELLS];
    const char *names[WELLS] = { "A-01", "A-02" };
    for (int w = 0; w < WELLS; w++) {
        rs_sim_opts_t o = { .well = names[w], .seed = (uint64_t) w + 1 };
        sims[w] = rs_sim_new (&o);
    }
    int64_t t0 = rs_clock_now_us ();
    for (size_t i = 0; i < n; i++) {
        rs_value_t v[RS_CH_COUNT];
        int w = (int) (i % WELLS);
        size_t k = rs_sim_step (sims[w], 1.0, v, RS_CH_COUNT);
        double *row = rows->values + i * RS_CH_COUNT;
        for (int c = 0; c < RS_CH_COUNT; c++)
            row[c] = NAN;
        for (size_t j = 0; j < k; j++)
            row[v[j].id] = v[j].value;
        rows->n_values[i] = k;
        rows->ts[i] = t0 + (int64_t) (i / WELLS) * 1000000;
    }
    for (int w = 0; w < WELLS; w++)
        rs_sim_destroy (&sims[w]);
}

static int64_t
s_db_bytes (const char *path)
{
    sqlite3 *db = NULL;
    int64_t bytes = -1;
    if (sqlite3_open (path, &db) == SQLITE_OK) {
        sqlite3_exec (db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2 (db, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
                                -1, &st, NULL) == SQLITE_OK && sqlite3_step (st) == SQLITE_ROW)
            bytes = sqlite3_column_int64 (st, 0);
        sqlite3_finalize (st);
    }
    sqlite3_close (db);
    return bytes;
}

static void
s_remove (const char *path)
{
    char p[600];
    unlink (path);
    snprintf (p, sizeof p, "%s-wal", path);
    unlink (p);
    snprintf (p, sizeof p, "%s-shm", path);
    unlink (p);
}

//  An empty database with the recorder's schema, made by rs_store.
static void
s_create (const char *path)
{
    s_remove (path);
    rs_store_opts_t opts = { .path = path };
    rs_store_t *store = rs_store_new (&opts);
    if (!store || rs_store_open (store, 0) != 0) {
        fprintf (stderr, "bench_saver: cannot create %s\n", path);
        exit (1);
    }
    rs_store_destroy (&store);
}

static double
s_raw (const rows_t *rows, const char *path, int batch)
{
    s_create (path);
    sqlite3 *db = NULL;
    sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    sqlite3_exec (db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16000;"
                  "INSERT INTO wells (name) VALUES ('A-01'), ('A-02'); INSERT INTO publishers (name) VALUES ('sim');"
                  "INSERT INTO streams (publisher, epoch, topic, kind, well, mark, first_us, updated_us) VALUES "
                  "(1, 1, 'telemetry.A-01', 'telemetry', 1, 0, 0, 0), (1, 1, 'telemetry.A-02', 'telemetry', 2, 0, 0, 0)",
                  NULL, NULL, NULL);
    char sql[2048];
    int n = snprintf (sql, sizeof sql, "INSERT OR IGNORE INTO samples (stream, seq, well, ts");
    for (int c = 0; c < RS_CH_COUNT; c++)
        n += snprintf (sql + n, sizeof sql - (size_t) n, ", %s", rs_chan_info (c)->name);
    n += snprintf (sql + n, sizeof sql - (size_t) n, ", extra) VALUES (?, ?, ?, ?");
    for (int c = 0; c <= RS_CH_COUNT; c++)
        n += snprintf (sql + n, sizeof sql - (size_t) n, ", ?");
    snprintf (sql + n, sizeof sql - (size_t) n, ")");
    sqlite3_stmt *ins = NULL, *begin = NULL, *commit = NULL;
    sqlite3_prepare_v2 (db, sql, -1, &ins, NULL);
    sqlite3_prepare_v2 (db, "BEGIN IMMEDIATE", -1, &begin, NULL);
    sqlite3_prepare_v2 (db, "COMMIT", -1, &commit, NULL);
    double t0 = s_now ();
    for (size_t i = 0; i < rows->n; i += (size_t) batch) {
        sqlite3_step (begin);
        sqlite3_reset (begin);
        for (size_t j = i; j < i + (size_t) batch && j < rows->n; j++) {
            const double *v = rows->values + j * RS_CH_COUNT;
            sqlite3_bind_int64 (ins, 1, (int64_t) (j % WELLS) + 1);
            sqlite3_bind_int64 (ins, 2, (int64_t) (j / WELLS) + 1);
            sqlite3_bind_int64 (ins, 3, (int64_t) (j % WELLS) + 1);
            sqlite3_bind_int64 (ins, 4, rows->ts[j]);
            for (int c = 0; c < RS_CH_COUNT; c++) {
                if (isnan (v[c]))
                    sqlite3_bind_null (ins, 5 + c);
                else
                    sqlite3_bind_double (ins, 5 + c, v[c]);
            }
            sqlite3_bind_null (ins, 5 + RS_CH_COUNT);
            if (sqlite3_step (ins) != SQLITE_DONE) {
                fprintf (stderr, "bench_saver: raw insert: %s\n", sqlite3_errmsg (db));
                exit (1);
            }
            sqlite3_reset (ins);
        }
        if (sqlite3_step (commit) != SQLITE_DONE) {
            fprintf (stderr, "bench_saver: raw commit: %s\n", sqlite3_errmsg (db));
            exit (1);
        }
        sqlite3_reset (commit);
    }
    double dt = s_now () - t0;
    sqlite3_finalize (ins);
    sqlite3_finalize (begin);
    sqlite3_finalize (commit);
    sqlite3_close (db);
    return (double) rows->n / dt;
}

static double
s_store (const rows_t *rows, const char *path, int batch)
{
    s_remove (path);
    rs_store_opts_t opts = { .path = path, .batch_rows = batch, .flush_ms = 200 };
    rs_store_t *store = rs_store_new (&opts);
    if (!store || rs_store_open (store, rs_clock_mono_ms ()) != 0) {
        fprintf (stderr, "bench_saver: cannot open %s\n", path);
        exit (1);
    }
    const char *topics[WELLS] = { "telemetry.A-01", "telemetry.A-02" };
    const char *wells[WELLS] = { "A-01", "A-02" };
    rs_value_t values[RS_CH_COUNT];
    double t0 = s_now ();
    for (size_t i = 0; i < rows->n; i++) {
        const double *v = rows->values + i * RS_CH_COUNT;
        size_t k = 0;
        for (int c = 0; c < RS_CH_COUNT; c++)
            if (!isnan (v[c]))
                values[k++] = (rs_value_t) { rs_chan_info (c)->name, c, v[c] };
        rs_msg_t msg = {
            .kind = RS_KIND_TELEMETRY, .topic = topics[i % WELLS], .id = wells[i % WELLS], .version = 1,
            .hdr = { "sim", 1, (uint64_t) (i / WELLS) + 1, rows->ts[i] },
            .n_values = k, .values = values,
        };
        int64_t now = rs_clock_mono_ms ();
        rs_store_add (store, &msg, now);
        rs_store_tick (store, now);
    }
    size_t left = rs_store_drain (store, 10000);
    double dt = s_now () - t0;
    const rs_store_stats_t *st = rs_store_stats (store);
    if (left || st->stored != rows->n)
        fprintf (stderr, "bench_saver: store path lost rows: %llu stored of %zu\n",
                 (unsigned long long) st->stored, rows->n);
    rs_store_destroy (&store);
    return (double) rows->n / dt;
}

int
main (int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t) atol (argv[1]) : 500000;
    int batch = argc > 2 ? atoi (argv[2]) : 1000;
    const char *dir = argc > 3 ? argv[3] : "/tmp";
    if (n < 1000 || batch < 1) {
        fprintf (stderr, "usage: bench_saver [rows >= 1000] [batch rows] [dir]\n");
        return 2;
    }
    rs_log_init ("bench_saver", RS_LOG_WARN, NULL);
    sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);
    char raw_path[512], store_path[512];
    snprintf (raw_path, sizeof raw_path, "%s/bench_saver_raw_%d.db", dir, (int) getpid ());
    snprintf (store_path, sizeof store_path, "%s/bench_saver_store_%d.db", dir, (int) getpid ());
    rows_t rows;
    s_generate (&rows, n);
    printf ("bench_saver: %zu samples of %d channels, %d wells, batches of %d, SQLite %s, in %s\n", n,
            (int) rows.n_values[0], WELLS, batch, sqlite3_libversion (), dir);
    //  Best of two, alternating, so both see the same disk and cache state.
    double raw = 0, store = 0;
    for (int r = 0; r < 2; r++) {
        double a = s_raw (&rows, raw_path, batch);
        double b = s_store (&rows, store_path, batch);
        raw = a > raw ? a : raw;
        store = b > store ? b : store;
    }
    int64_t raw_bytes = s_db_bytes (raw_path), store_bytes = s_db_bytes (store_path);
    printf ("raw prepared-statement insert: %10.0f rows/s\n", raw);
    printf ("saver insert path (rs_store):  %10.0f rows/s  (%.0f%% of raw)\n", store, 100.0 * store / raw);
    printf ("database size: %.1f MB per million samples (raw table + indexes only: %.1f MB; the rest is "
            "aggregates and bookkeeping)\n", (double) store_bytes / (double) n, (double) raw_bytes / (double) n);
    s_remove (raw_path);
    s_remove (store_path);
    free (rows.values);
    free (rows.n_values);
    free (rows.ts);
    return 0;
}
