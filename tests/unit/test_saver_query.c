/*  rs_query and rs_export: the recorder's read side over a database filled
    through rs_store with a crafted series: well and channel checks, raw
    exports, the choice of raw / agg_1m / agg_1h for a range in N points and
    the min/max/mean it returns, and the CSV / JSON writers. */
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rs_channels.h"
#include "rs_clock.h"
#include "rs_export.h"
#include "rs_log.h"
#include "rs_msg.h"
#include "rs_query.h"
#include "rs_store.h"
#include "rs_test.h"

#define SEC  1000000LL
#define T0   1795392000000000LL     //  2026-11-23T00:00:00Z, on an hour boundary
#define SPAN 7200                   //  two hours of 1 Hz samples

static char s_dir[64];
static char s_db[128];

//  bit_depth = i (every second); rop = i / 10 on even seconds, nil on odd
//  ones; vendor_gr = 2 i on well A-01 only. Well B-02 has one sample.
static void
s_fill (void)
{
    rs_store_opts_t opts = { .path = s_db, .batch_rows = 1000 };
    rs_store_t *store = rs_store_new (&opts);
    RS_CHECK_INT (rs_store_open (store, 0), SQLITE_OK);
    rs_encoder_t *enc = rs_encoder_new ();
    rs_decoder_t *dec = rs_decoder_new ();
    for (int i = 0; i < SPAN; i++) {
        rs_value_t ch[] = { { "bit_depth", RS_CH_BIT_DEPTH, i }, { "rop", RS_CH_ROP, i % 2 ? NAN : i / 10.0 },
                            { "vendor_gr", RS_CH_UNKNOWN, 2.0 * i } };
        rs_header_t hdr = { "sim", 1, (uint64_t) i + 1, T0 + i * SEC };
        rs_encode_sample (enc, "A-01", &hdr, ch, 3);
        rs_msg_t msg;
        RS_CHECK_INT (rs_decode (dec, "telemetry.A-01", 14, rs_encoder_data (enc), rs_encoder_size (enc), &msg),
                      RS_OK);
        rs_store_add (store, &msg, 0);
        rs_store_tick (store, 0);
    }
    rs_value_t one[] = { { "hook_load", RS_CH_HOOK_LOAD, 900.5 } };
    rs_header_t hdr = { "sim", 1, 1, T0 };
    rs_encode_sample (enc, "B-02", &hdr, one, 1);
    rs_msg_t msg;
    rs_decode (dec, "telemetry.B-02", 14, rs_encoder_data (enc), rs_encoder_size (enc), &msg);
    rs_store_add (store, &msg, 0);
    RS_CHECK_INT (rs_store_drain (store, 5000), 0);
    rs_store_destroy (&store);
    rs_encoder_destroy (&enc);
    rs_decoder_destroy (&dec);
}

typedef struct {
    int n;
    int64_t first_ts, last_ts;
    double sum0;
    int nan1;
    double last[4];
} rows_t;

static int
s_on_row (const rs_query_row_t *row, void *arg)
{
    rows_t *r = arg;
    if (r->n == 0)
        r->first_ts = row->ts_us;
    r->last_ts = row->ts_us;
    r->n++;
    r->sum0 += row->values[0];
    r->nan1 += isnan (row->values[1]);
    memcpy (r->last, row->values, sizeof r->last);
    return 0;
}

typedef struct {
    int n;
    rs_query_point_t p[64];
    double min[64][3], max[64][3], mean[64][3];
} points_t;

static int
s_on_point (const rs_query_point_t *p, void *arg)
{
    points_t *r = arg;
    if (r->n < 64) {
        r->p[r->n] = *p;
        for (int c = 0; c < 3; c++) {
            r->min[r->n][c] = p->min[c];
            r->max[r->n][c] = p->max[c];
            r->mean[r->n][c] = p->mean[c];
        }
    }
    r->n++;
    return 0;
}

static int
s_on_well (const rs_query_well_t *w, void *arg)
{
    char *out = arg;
    char line[160];
    snprintf (line, sizeof line, "%s:%lld:%lld:%lld;", w->name, (long long) w->samples,
              (long long) (w->first_us - T0) / SEC, (long long) (w->last_us - T0) / SEC);
    strcat (out, line);
    return 0;
}

static void
test_open_and_check (rs_query_t *q)
{
    RS_CHECK (rs_query_new ("/nonexistent/dir/x.db") == NULL);
    RS_CHECK (strstr (rs_errmsg (), "cannot open database") != NULL);
    char empty[160];
    snprintf (empty, sizeof empty, "%s/empty.db", s_dir);
    sqlite3 *db = NULL;
    sqlite3_open (empty, &db);
    sqlite3_exec (db, "CREATE TABLE t (x)", NULL, NULL, NULL);
    sqlite3_close (db);
    RS_CHECK (rs_query_new (empty) == NULL);
    RS_CHECK (strstr (rs_errmsg (), "not a rigstream database") != NULL);

    char wells[512] = "";
    RS_CHECK_INT (rs_query_wells (q, s_on_well, wells), RS_QUERY_OK);
    RS_CHECK_STR (wells, "A-01:7200:0:7199;B-02:1:0:0;");

    const char *chans[] = { "bit_depth", "rop", "vendor_gr" };
    rs_query_spec_t spec = { "A-01", T0, T0 + SPAN * SEC, chans, 3 };
    RS_CHECK_INT (rs_query_check (q, &spec), RS_QUERY_OK);
    spec.well = "Z-99";
    RS_CHECK_INT (rs_query_check (q, &spec), RS_QUERY_E_WELL);
    RS_CHECK (strstr (rs_query_detail (q), "Z-99") != NULL);
    //  vendor_gr is an extra channel of A-01, not of B-02.
    spec.well = "B-02";
    RS_CHECK_INT (rs_query_check (q, &spec), RS_QUERY_E_CHANNEL);
    RS_CHECK (strstr (rs_query_detail (q), "vendor_gr") != NULL);
    spec.well = "A-01";
    const char *bad[] = { "bit_depth", "no_such" };
    spec.channels = bad;
    spec.n_channels = 2;
    RS_CHECK_INT (rs_query_check (q, &spec), RS_QUERY_E_CHANNEL);
    const char *invalid[] = { "Bit-Depth" };
    spec.channels = invalid;
    spec.n_channels = 1;
    RS_CHECK_INT (rs_query_check (q, &spec), RS_QUERY_E_CHANNEL);
    spec.channels = chans;
    spec.n_channels = 3;
    spec.from_us = T0 + 10;
    spec.to_us = T0;
    RS_CHECK_INT (rs_query_check (q, &spec), RS_QUERY_E_ARG);
}

static void
test_samples (rs_query_t *q)
{
    const char *chans[] = { "bit_depth", "rop", "vendor_gr", "hook_load" };
    //  Seconds 100..199 inclusive.
    rs_query_spec_t spec = { "A-01", T0 + 100 * SEC, T0 + 199 * SEC, chans, 4 };
    rows_t r = { 0 };
    RS_CHECK_INT (rs_query_samples (q, &spec, s_on_row, &r), RS_QUERY_OK);
    RS_CHECK_INT (r.n, 100);
    RS_CHECK_INT (r.first_ts, T0 + 100 * SEC);
    RS_CHECK_INT (r.last_ts, T0 + 199 * SEC);
    RS_CHECK_NEAR (r.sum0, (100 + 199) * 50, 0);
    RS_CHECK_INT (r.nan1, 50);
    RS_CHECK_NEAR (r.last[0], 199, 0);
    RS_CHECK (isnan (r.last[1]));
    RS_CHECK_NEAR (r.last[2], 398, 0);
    RS_CHECK (isnan (r.last[3]));
    //  A range with nothing in it.
    spec.from_us = T0 - 100 * SEC;
    spec.to_us = T0 - 1;
    memset (&r, 0, sizeof r);
    RS_CHECK_INT (rs_query_samples (q, &spec, s_on_row, &r), RS_QUERY_OK);
    RS_CHECK_INT (r.n, 0);
}

//  A deadline already past interrupts a read of the whole series; cleared,
//  the same read goes through.
static void
test_deadline (rs_query_t *q)
{
    const char *chans[] = { "bit_depth", "vendor_gr" };
    rs_query_spec_t spec = { "A-01", T0, T0 + SPAN * SEC, chans, 2 };
    rows_t r = { 0 };
    rs_query_set_deadline (q, rs_clock_mono_ms () - 1);
    RS_CHECK_INT (rs_query_samples (q, &spec, s_on_row, &r), RS_QUERY_E_TIMEOUT);
    RS_CHECK (r.n < SPAN && strstr (rs_query_detail (q), "time limit") != NULL);
    rs_query_set_deadline (q, 0);
    memset (&r, 0, sizeof r);
    RS_CHECK_INT (rs_query_samples (q, &spec, s_on_row, &r), RS_QUERY_OK);
    RS_CHECK_INT (r.n, SPAN);
}

static int
s_on_name (const char *name, void *arg)
{
    char *out = arg;
    size_t len = strlen (out);
    snprintf (out + len, 256 - len, "%s%s", len ? "," : "", name);
    return 0;
}

static void
test_names (rs_query_t *q)
{
    char names[256] = "";
    RS_CHECK_INT (rs_query_publishers (q, "A-01", T0, T0 + 199 * SEC, s_on_name, names), RS_QUERY_OK);
    RS_CHECK_STR (names, "sim");
    names[0] = '\0';
    RS_CHECK_INT (rs_query_publishers (q, "A-01", T0 - 100 * SEC, T0 - 1, s_on_name, names), RS_QUERY_OK);
    RS_CHECK_STR (names, "");
    RS_CHECK_INT (rs_query_publishers (q, "NOPE", T0, T0, s_on_name, names), RS_QUERY_E_WELL);
    names[0] = '\0';
    RS_CHECK_INT (rs_query_extras (q, "A-01", s_on_name, names), RS_QUERY_OK);
    RS_CHECK_STR (names, "vendor_gr");
}

static void
test_pick (void)
{
    int64_t w;
    RS_CHECK_INT (rs_query_pick (T0, T0 + 600 * SEC - 1, 600, &w), RS_QUERY_RAW);
    RS_CHECK_INT (w, SEC);
    RS_CHECK_INT (rs_query_pick (T0, T0 + 3600 * SEC - 1, 60, &w), RS_QUERY_AGG_1M);
    RS_CHECK_INT (w, 60 * SEC);
    RS_CHECK_INT (rs_query_pick (T0, T0 + 3600 * SEC - 1, 61, &w), RS_QUERY_RAW);
    //  A point of 90 s reads agg_1m, rounded up to 2 minutes.
    RS_CHECK_INT (rs_query_pick (T0, T0 + 900 * SEC - 1, 10, &w), RS_QUERY_AGG_1M);
    RS_CHECK_INT (w, 120 * SEC);
    RS_CHECK_INT (rs_query_pick (T0, T0 + 86400 * SEC * 30, 500, &w), RS_QUERY_AGG_1H);
    RS_CHECK_INT (w % (3600 * SEC), 0);
    RS_CHECK_INT (rs_query_pick (T0, T0, 1000, &w), RS_QUERY_RAW);
    RS_CHECK_INT (w, 1);
}

static void
test_range (rs_query_t *q)
{
    const char *chans[] = { "bit_depth", "rop", "hook_load" };
    //  Ten minutes in 20 points: raw, one point every 30 s.
    rs_query_spec_t spec = { "A-01", T0, T0 + 600 * SEC - 1, chans, 3 };
    points_t r = { 0 };
    rs_query_source_t used;
    RS_CHECK_INT (rs_query_range (q, &spec, 20, s_on_point, &r, &used), RS_QUERY_OK);
    RS_CHECK_INT (used, RS_QUERY_RAW);
    RS_CHECK_INT (r.n, 20);
    RS_CHECK_INT (r.p[6].t_us, T0 + 180 * SEC);
    RS_CHECK_INT (r.p[6].width_us, 30 * SEC);
    RS_CHECK_INT (r.p[6].n, 30);
    RS_CHECK_NEAR (r.min[6][0], 180, 0);
    RS_CHECK_NEAR (r.max[6][0], 209, 0);
    RS_CHECK_NEAR (r.mean[6][0], 194.5, 1e-9);
    //  rop: even seconds only, i / 10.
    RS_CHECK_NEAR (r.min[6][1], 18.0, 1e-9);
    RS_CHECK_NEAR (r.max[6][1], 20.8, 1e-9);
    RS_CHECK_NEAR (r.mean[6][1], 19.4, 1e-9);
    RS_CHECK (isnan (r.min[6][2]) && isnan (r.mean[6][2]));

    //  Two hours in 12 points: agg_1m, 10-minute points, same answers as raw.
    spec.to_us = T0 + SPAN * SEC - 1;
    memset (&r, 0, sizeof r);
    RS_CHECK_INT (rs_query_range (q, &spec, 12, s_on_point, &r, &used), RS_QUERY_OK);
    RS_CHECK_INT (used, RS_QUERY_AGG_1M);
    RS_CHECK_INT (r.n, 12);
    RS_CHECK_INT (r.p[5].t_us, T0 + 3000 * SEC);
    RS_CHECK_INT (r.p[5].n, 600);
    RS_CHECK_NEAR (r.min[5][0], 3000, 0);
    RS_CHECK_NEAR (r.max[5][0], 3599, 0);
    RS_CHECK_NEAR (r.mean[5][0], 3299.5, 1e-9);
    RS_CHECK_NEAR (r.min[5][1], 300, 1e-9);
    RS_CHECK_NEAR (r.max[5][1], 359.8, 1e-9);
    RS_CHECK_NEAR (r.mean[5][1], 329.9, 1e-9);

    //  Two days in 8 points: agg_1h, 6-hour points; only the first has data.
    spec.to_us = T0 + 2 * 86400 * SEC - 1;
    memset (&r, 0, sizeof r);
    RS_CHECK_INT (rs_query_range (q, &spec, 8, s_on_point, &r, &used), RS_QUERY_OK);
    RS_CHECK_INT (used, RS_QUERY_AGG_1H);
    RS_CHECK_INT (r.n, 1);
    RS_CHECK_INT (r.p[0].width_us, 6 * 3600 * SEC);
    RS_CHECK_INT (r.p[0].n, SPAN);
    RS_CHECK_NEAR (r.min[0][0], 0, 0);
    RS_CHECK_NEAR (r.max[0][0], SPAN - 1, 0);
    RS_CHECK_NEAR (r.mean[0][0], (SPAN - 1) / 2.0, 1e-9);

    //  An extra channel is only in raw samples: a wide range still reads raw.
    const char *extra[] = { "vendor_gr" };
    spec.channels = extra;
    spec.n_channels = 1;
    spec.to_us = T0 + SPAN * SEC - 1;
    memset (&r, 0, sizeof r);
    RS_CHECK_INT (rs_query_range (q, &spec, 12, s_on_point, &r, &used), RS_QUERY_OK);
    RS_CHECK_INT (used, RS_QUERY_RAW);
    RS_CHECK_INT (r.n, 12);
    RS_CHECK_NEAR (r.max[11][0], 2.0 * (SPAN - 1), 0);
    RS_CHECK_NEAR (r.min[0][0], 0, 0);

    RS_CHECK_INT (rs_query_range (q, &spec, 0, s_on_point, &r, &used), RS_QUERY_E_ARG);
}

//  Raw samples pruned: a narrow range falls back to agg_1m.
static void
test_fallback (void)
{
    sqlite3 *db = NULL;
    sqlite3_open (s_db, &db);
    RS_CHECK_INT (sqlite3_exec (db, "DELETE FROM samples WHERE ts < 1795392000000000 + 1200000000", NULL, NULL,
                                NULL), SQLITE_OK);
    sqlite3_close (db);
    rs_query_t *q = rs_query_new (s_db);
    RS_CHECK (q != NULL);
    const char *chans[] = { "bit_depth" };
    rs_query_spec_t spec = { "A-01", T0 + 60 * SEC, T0 + 180 * SEC - 1, chans, 1 };
    points_t r = { 0 };
    rs_query_source_t used;
    RS_CHECK_INT (rs_query_range (q, &spec, 100, s_on_point, &r, &used), RS_QUERY_OK);
    RS_CHECK_INT (used, RS_QUERY_AGG_1M);
    RS_CHECK_INT (r.n, 2);
    RS_CHECK_NEAR (r.min[1][0], 120, 0);
    RS_CHECK_NEAR (r.max[1][0], 179, 0);
    rs_query_stats_t st;
    RS_CHECK_INT (rs_query_stats (q, &st), RS_QUERY_OK);
    RS_CHECK_INT (st.schema, RS_STORE_SCHEMA);
    RS_CHECK_INT (st.wells, 2);
    RS_CHECK_INT (st.samples_stored, SPAN + 1);
    RS_CHECK_INT (st.run_stored, SPAN + 1);
    RS_CHECK_INT (st.agg_1m_rows, 121);
    RS_CHECK (st.db_bytes > 0);
    rs_query_destroy (&q);
}

static void
test_export (void)
{
    char buf[64];
    rs_export_number (buf, sizeof buf, 0.1);
    RS_CHECK_STR (buf, "0.1");
    rs_export_number (buf, sizeof buf, 2451.2);
    RS_CHECK_STR (buf, "2451.2");
    rs_export_number (buf, sizeof buf, 1.0 / 3);
    RS_CHECK (strtod (buf, NULL) == 1.0 / 3);
    rs_export_number (buf, sizeof buf, NAN);
    RS_CHECK_STR (buf, "");
    RS_CHECK_INT (rs_export_format_parse ("csv"), RS_EXPORT_CSV);
    RS_CHECK_INT (rs_export_format_parse ("json"), RS_EXPORT_JSON);
    RS_CHECK_INT (rs_export_format_parse ("xml"), -1);

    const char *chans[] = { "bit_depth", "rop" };
    double v1[] = { 1.5, NAN }, v2[] = { 2, 0.25 };
    rs_query_row_t rows[] = { { T0, 1, v1, "sim-a" }, { T0 + 1500, 2, v2, "sim-b" } };
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    rs_export_t *ex = rs_export_new (out, RS_EXPORT_CSV, chans, 2, false);
    rs_export_row (ex, &rows[0]);
    rs_export_row (ex, &rows[1]);
    RS_CHECK_INT (rs_export_end (ex), 0);
    rs_export_destroy (&ex);
    fclose (out);
    RS_CHECK_STR (text, "time,ts_us,pub,seq,bit_depth,rop\n"
                        "2026-11-23T00:00:00.000Z,1795392000000000,sim-a,1,1.5,\n"
                        "2026-11-23T00:00:00.001Z,1795392000001500,sim-b,2,2,0.25\n");
    free (text);

    out = open_memstream (&text, &size);
    ex = rs_export_new (out, RS_EXPORT_JSON, chans, 2, false);
    rs_export_row (ex, &rows[0]);
    rs_export_row (ex, &rows[1]);
    rs_export_end (ex);
    rs_export_destroy (&ex);
    fclose (out);
    json_error_t jerr;
    json_t *root = json_loads (text, 0, &jerr);
    RS_CHECK (json_is_array (root) && json_array_size (root) == 2);
    json_t *o = json_array_get (root, 0);
    RS_CHECK_STR (json_string_value (json_object_get (o, "time")), "2026-11-23T00:00:00.000Z");
    RS_CHECK_INT (json_integer_value (json_object_get (o, "ts_us")), T0);
    RS_CHECK_STR (json_string_value (json_object_get (o, "pub")), "sim-a");
    RS_CHECK_NEAR (json_number_value (json_object_get (o, "bit_depth")), 1.5, 0);
    RS_CHECK (json_is_null (json_object_get (o, "rop")));
    json_decref (root);
    free (text);

    //  Points, and an empty JSON export.
    double mn[] = { 1, NAN }, mx[] = { 3, NAN }, me[] = { 2, NAN };
    rs_query_point_t p = { T0, 60 * SEC, 3, mn, mx, me };
    out = open_memstream (&text, &size);
    ex = rs_export_new (out, RS_EXPORT_CSV, chans, 2, true);
    rs_export_point (ex, &p);
    rs_export_end (ex);
    rs_export_destroy (&ex);
    fclose (out);
    RS_CHECK_STR (text, "time,ts_us,width_us,n,bit_depth_min,bit_depth_max,bit_depth_mean,rop_min,rop_max,rop_mean\n"
                        "2026-11-23T00:00:00.000Z,1795392000000000,60000000,3,1,3,2,,,\n");
    free (text);
    out = open_memstream (&text, &size);
    ex = rs_export_new (out, RS_EXPORT_JSON, chans, 2, true);
    rs_export_end (ex);
    rs_export_destroy (&ex);
    fclose (out);
    RS_CHECK_STR (text, "[]\n");
    free (text);

    //  The operator's CSV: rig state after seq, a units row, values converted
    //  (imperial: m -> ft, m/h -> ft/h); a state that would need quoting is
    //  left out.
    rs_unit_view_t views[] = { rs_units_view ("m", RS_UNITS_IMPERIAL), rs_units_view ("m/h", RS_UNITS_IMPERIAL) };
    rs_export_opts_t opts = { views, true };
    out = open_memstream (&text, &size);
    ex = rs_export_new_csv (out, chans, 2, &opts);
    rs_export_row_state (ex, &rows[0], "drilling");
    rs_export_row_state (ex, &rows[1], "bad,state");
    RS_CHECK_INT (rs_export_end (ex), 0);
    rs_export_destroy (&ex);
    fclose (out);
    RS_CHECK_STR (text, "time,ts_us,pub,seq,rig_state,bit_depth,rop\n"
                        "UTC,us,,,,ft,ft/h\n"
                        "2026-11-23T00:00:00.000Z,1795392000000000,sim-a,1,drilling,4.921259842519684,\n"
                        "2026-11-23T00:00:00.001Z,1795392000001500,sim-b,2,,6.561679790026246,0.8202099737532808\n");
    free (text);
}

int
main (void)
{
    rs_log_init ("test_saver_query", RS_LOG_WARN, NULL);
    snprintf (s_dir, sizeof s_dir, "/tmp/test_saver_query_XXXXXX");
    if (!mkdtemp (s_dir))
        return 1;
    snprintf (s_db, sizeof s_db, "%s/q.db", s_dir);
    s_fill ();
    rs_query_t *q = rs_query_new (s_db);
    RS_CHECK (q != NULL);
    if (!q) {
        fprintf (stderr, "%s\n", rs_errmsg ());
        return RS_TEST_DONE ();
    }
    test_open_and_check (q);
    test_samples (q);
    test_names (q);
    test_deadline (q);
    test_pick ();
    test_range (q);
    rs_query_destroy (&q);
    test_fallback ();
    test_export ();
    char cmd[128];
    snprintf (cmd, sizeof cmd, "rm -rf %s", s_dir);
    if (rs_test_failures == 0 && system (cmd) != 0)
        fprintf (stderr, "could not remove %s\n", s_dir);
    return RS_TEST_DONE ();
}
