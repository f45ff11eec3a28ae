/*  WITSML 1.4 (and 1.3.1) log reading and channel mapping: the committed Volve excerpts,
    crafted logs with blank cells and null values, a truncated copy, files that
    are not logs or not time logs (passed over in a directory), unit
    conversions, mapping by alias and description with its priority, and two
    real logs of the same hours merged (rs_logset). */
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rs_chanmap.h"
#include "rs_channels.h"
#include "rs_logset.h"
#include "rs_units.h"
#include "rs_clock.h"
#include "rs_test.h"
#include "rs_witsml.h"

#define EXCERPT RS_SOURCE_DIR "/tests/data/volve_F-9_excerpt.xml"
#define GENTIME RS_SOURCE_DIR "/tests/data/volve_F-9_merge_GenTime.xml"
#define CEMENT  RS_SOURCE_DIR "/tests/data/volve_F-9_merge_CementData.xml"

static int
column (const rs_witsml_curve_t *curves, size_t n, const char *mnemonic)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp (curves[i].mnemonic, mnemonic) == 0)
            return (int) i;
    return -1;
}

static void
write_file (const char *path, const char *text, size_t len)
{
    FILE *f = fopen (path, "wb");
    fwrite (text, 1, len, f);
    fclose (f);
}

static void
test_excerpt (void)
{
    rs_witsml_t *log = rs_witsml_open (EXCERPT);
    RS_CHECK (log != NULL);
    if (!log) {
        fprintf (stderr, "%s\n", rs_errmsg ());
        return;
    }
    const rs_witsml_curve_t *curves;
    size_t n = rs_witsml_curves (log, &curves);
    RS_CHECK_INT (n, 79);
    RS_CHECK_STR (curves[0].mnemonic, "Time");
    RS_CHECK_STR (rs_witsml_well (log), "NO 15/9-F-9");
    int hkld = column (curves, n, "HKLD_AVG"), bitdep = column (curves, n, "BITDEP");
    int code = column (curves, n, "RigActivityCode");
    RS_CHECK_STR (curves[hkld].unit, "N");
    RS_CHECK_STR (curves[hkld].description, "Hookload");
    RS_CHECK_STR (curves[column (curves, n, "PUMP")].description, "Pump Pressure - Stand Pipe");
    RS_CHECK_STR (rs_witsml_name (log), "GenTime");
    int64_t ts, first = 0, last = 0;
    const double *v;
    uint64_t rows = 0;
    double first_hkld = 0, last_bitdep = 0, last_code = 0;
    while (rs_witsml_next (log, &ts, &v) == 1) {
        if (!rows++) {
            first = ts;
            first_hkld = v[hkld];
        }
        last = ts;
        last_bitdep = v[bitdep];
        last_code = v[code];
    }
    RS_CHECK_INT (rows, 2500);
    RS_CHECK_INT (rs_witsml_rows (log), 2500);
    RS_CHECK_INT (rs_witsml_bad_rows (log), 0);
    int64_t want;
    rs_clock_parse ("2016-09-29T19:33:01Z", &want);
    RS_CHECK_INT (first, want);
    rs_clock_parse ("2016-09-29T21:29:38Z", &want);
    RS_CHECK_INT (last, want);
    RS_CHECK_NEAR (first_hkld, 667088.1, 1e-6);
    RS_CHECK_NEAR (last_bitdep, 114.19341, 1e-9);
    RS_CHECK_NEAR (last_code, 14, 0);
    rs_witsml_close (&log);
    RS_CHECK (log == NULL);
}

static const char *s_small =
    "<?xml version=\"1.0\"?><logs xmlns=\"http://www.witsml.org/schemas/1series\" version=\"1.4.1.1\">"
    "<log><nameWell>W 1</nameWell><nullValue>-999.25</nullValue>"
    "<logCurveInfo><mnemonic>Time</mnemonic><unit>unitless</unit></logCurveInfo>"
    "<logCurveInfo><mnemonic>HKLD_AVG</mnemonic><unit>N</unit></logCurveInfo>"
    "<logCurveInfo><mnemonic>SURF_RPM</mnemonic><unit>c/s</unit></logCurveInfo>"
    "<logData><mnemonicList>Time,HKLD_AVG,SURF_RPM</mnemonicList>"
    "<data>2016-09-29T15:39:41.000Z,1000,2</data>"
    "<data>2016-09-29T15:39:44.000Z,-999.25,</data>"
    "<data>not a time,1,1</data>"
    "<data>2016-09-29T15:39:47.000Z,abc,1</data>"
    "<data>2016-09-29T15:39:50.000Z,5</data>"
    "</logData></log></logs>";

static void
test_small (void)
{
    char path[] = "/tmp/rs-witsml-XXXXXX";
    int fd = mkstemp (path);
    close (fd);
    write_file (path, s_small, strlen (s_small));
    rs_witsml_t *log = rs_witsml_open (path);
    RS_CHECK (log != NULL);
    const rs_witsml_curve_t *curves;
    RS_CHECK_INT (rs_witsml_curves (log, &curves), 3);
    //  No unitList: units come from logCurveInfo.
    RS_CHECK_STR (curves[2].unit, "c/s");
    int64_t ts;
    const double *v;
    RS_CHECK_INT (rs_witsml_next (log, &ts, &v), 1);
    RS_CHECK_NEAR (v[1], 1000, 0);
    RS_CHECK_INT (rs_witsml_next (log, &ts, &v), 1);
    RS_CHECK (isnan (v[1]));        //  the null value
    RS_CHECK (isnan (v[2]));        //  a blank cell
    //  The row with no valid time is skipped; a cell that is not a number
    //  is blank and the row's other cells are kept.
    RS_CHECK_INT (rs_witsml_next (log, &ts, &v), 1);
    RS_CHECK (isnan (v[1]));
    RS_CHECK_NEAR (v[2], 1, 0);
    RS_CHECK_INT (rs_witsml_next (log, &ts, &v), 1);
    RS_CHECK_NEAR (v[1], 5, 0);
    RS_CHECK (isnan (v[2]));        //  a short row: missing cells are blank
    RS_CHECK_INT (rs_witsml_bad_rows (log), 1);
    RS_CHECK_INT (rs_witsml_bad_cells (log), 1);
    RS_CHECK_INT (rs_witsml_next (log, &ts, &v), 0);
    rs_witsml_close (&log);

    //  Truncated in the middle of the data: the rows before the break are
    //  handed out, then an error naming how many that was.
    FILE *in = fopen (EXCERPT, "rb");
    static char big[1 << 21];
    size_t len = in ? fread (big, 1, sizeof big, in) : 0;
    if (in)
        fclose (in);
    write_file (path, big, len * 6 / 10);
    log = rs_witsml_open (path);
    RS_CHECK (log != NULL);
    int rc;
    uint64_t got = 0;
    while ((rc = rs_witsml_next (log, &ts, &v)) == 1)
        got++;
    RS_CHECK_INT (rc, -1);
    RS_CHECK (got > 1000 && got < 2500);
    char want[64];
    snprintf (want, sizeof want, "after %llu data rows", (unsigned long long) got);
    RS_CHECK (strstr (rs_witsml_error (log), "truncated") != NULL);
    RS_CHECK (strstr (rs_witsml_error (log), want) != NULL);
    rs_witsml_close (&log);

    //  Not a log at all, and no file.
    write_file (path, "<html><body>hello</body></html>", 31);
    RS_CHECK (rs_witsml_open (path) == NULL);
    RS_CHECK (strstr (rs_errmsg (), "not a WITSML log") != NULL);
    write_file (path, "garbage", 7);
    RS_CHECK (rs_witsml_open (path) == NULL);
    RS_CHECK (rs_witsml_open ("/nonexistent/log.xml") == NULL);
    RS_CHECK (strstr (rs_errmsg (), "/nonexistent/log.xml") != NULL);
    RS_CHECK_INT (rs_errcode (), RS_E_IO);
    unlink (path);
}

//  WITSML 1.3.1.1, as many stores still serve it: no mnemonicList or
//  unitList, each logCurveInfo at its columnIndex (here the index curve
//  in the second column), and a null value of a curve's own.
static const char *s_131 =
    "<?xml version=\"1.0\"?><logs xmlns=\"http://www.witsml.org/schemas/131\" version=\"1.3.1.1\">"
    "<log uidWell=\"w1\" uidWellbore=\"b1\" uid=\"l1\"><nameWell>W 131</nameWell><name>Time log</name>"
    "<indexType>date time</indexType><direction>increasing</direction><indexCurve columnIndex=\"2\">TIME</indexCurve>"
    "<logCurveInfo uid=\"HKLA\"><mnemonic>HKLA</mnemonic><unit>klbf</unit><columnIndex>1</columnIndex>"
    "<curveDescription>Hookload Average</curveDescription></logCurveInfo>"
    "<logCurveInfo uid=\"TIME\"><mnemonic>TIME</mnemonic><unit>s</unit><columnIndex>2</columnIndex></logCurveInfo>"
    "<logCurveInfo uid=\"BPOS\"><mnemonic>BPOS</mnemonic><unit>ft</unit><nullValue>-9999</nullValue>"
    "<columnIndex>3</columnIndex></logCurveInfo>"
    "<logData>"
    "<data>150.5,2016-09-29T15:39:41.000Z,30.0</data>"
    "<data>151.0,2016-09-29T15:39:44.000Z,-9999</data>"
    "<data>152.0,not a time,31</data>"
    "<data>,2016-09-29T15:39:47.000Z,32.5</data>"
    "</logData></log></logs>";

static void
test_131 (void)
{
    char path[] = "/tmp/rs-witsml-XXXXXX";
    int fd = mkstemp (path);
    close (fd);
    write_file (path, s_131, strlen (s_131));
    rs_witsml_t *log = rs_witsml_open (path);
    RS_CHECK (log != NULL);
    if (!log) {
        fprintf (stderr, "1.3.1: %s\n", rs_errmsg ());
        unlink (path);
        return;
    }
    RS_CHECK_STR (rs_witsml_well (log), "W 131");
    const rs_witsml_curve_t *curves;
    RS_CHECK_INT (rs_witsml_curves (log, &curves), 3);
    RS_CHECK_STR (curves[0].mnemonic, "TIME");      //  the index curve first, wherever its column
    RS_CHECK_STR (curves[1].mnemonic, "HKLA");
    RS_CHECK_STR (curves[1].unit, "klbf");
    RS_CHECK_STR (curves[1].description, "Hookload Average");
    RS_CHECK_STR (curves[2].mnemonic, "BPOS");
    RS_CHECK_STR (curves[2].unit, "ft");
    int64_t ts, t0 = 0;
    const double *v;
    RS_CHECK_INT (rs_clock_parse ("2016-09-29T15:39:41.000Z", &t0), 0);
    RS_CHECK_INT (rs_witsml_next (log, &ts, &v), 1);
    RS_CHECK (ts == t0);
    RS_CHECK_NEAR (v[1], 150.5, 0);
    RS_CHECK_NEAR (v[2], 30, 0);
    RS_CHECK_INT (rs_witsml_next (log, &ts, &v), 1);
    RS_CHECK (ts == t0 + 3000000);
    RS_CHECK_NEAR (v[1], 151, 0);
    RS_CHECK (isnan (v[2]));        //  BPOS's own null value
    RS_CHECK_INT (rs_witsml_next (log, &ts, &v), 1);   //  the row without a time is passed over
    RS_CHECK (isnan (v[1]));        //  a blank cell
    RS_CHECK_NEAR (v[2], 32.5, 0);
    RS_CHECK_INT (rs_witsml_next (log, &ts, &v), 0);
    RS_CHECK_INT (rs_witsml_bad_rows (log), 1);
    rs_witsml_close (&log);

    //  Mapped and converted as any log: klbf and ft to kN and m.
    rs_chanmap_t map;
    rs_chanmap_curve_desc ("HKLA", "klbf", "Hookload Average", &map);
    RS_CHECK_INT (map.channel, RS_CH_HOOK_LOAD);

    //  Neither list nor column indexes (a 1.3.1 log without them, or a 1.4
    //  log cut before its logData): said so, naming both versions.
    char *bare = strdup (s_131);
    for (char *p; (p = strstr (bare, "<columnIndex>2</columnIndex>"));)
        memcpy (p, "<columnIndex>1</columnIndex>", 28);     //  two curves in column 1
    write_file (path, bare, strlen (bare));
    RS_CHECK (rs_witsml_open (path) == NULL);
    RS_CHECK (strstr (rs_errmsg (), "columnIndex") != NULL && strstr (rs_errmsg (), "1.3.1") != NULL);
    RS_CHECK_INT (rs_errcode (), RS_E_FORMAT);
    free (bare);
    unlink (path);
}

static void
test_mapping (void)
{
    rs_chanmap_t m;
    rs_chanmap_curve ("HKLD_AVG", "N", &m);
    RS_CHECK_INT (m.channel, RS_CH_HOOK_LOAD);
    RS_CHECK_STR (m.name, "hook_load");
    RS_CHECK_NEAR (667088.1 * m.scale + m.offset, 667.0881, 1e-9);
    rs_chanmap_curve ("SURF_RPM", "c/s", &m);
    RS_CHECK_INT (m.channel, RS_CH_RPM);
    RS_CHECK_NEAR (2 * m.scale + m.offset, 120, 1e-9);
    rs_chanmap_curve ("MTIN", "K", &m);
    RS_CHECK_NEAR (300 * m.scale + m.offset, 26.85, 1e-9);
    rs_chanmap_curve ("PUMP", "Pa", &m);
    RS_CHECK_NEAR (2e7 * m.scale, 200, 1e-9);
    rs_chanmap_curve ("FLOWIN", "m3/s", &m);
    RS_CHECK_NEAR (0.04 * m.scale, 2400, 1e-9);
    rs_chanmap_curve ("ROP_AVG", "m/s", &m);
    RS_CHECK_NEAR (0.01 * m.scale, 36, 1e-9);
    //  Unknown mnemonics are carried under their own name; a name that is a
    //  known channel's or starts with a digit gets "x_".
    rs_chanmap_curve ("MSE", "Pa", &m);
    RS_CHECK_INT (m.channel, RS_CH_UNKNOWN);
    RS_CHECK_STR (m.name, "mse");
    RS_CHECK_NEAR (m.scale, 1, 0);
    rs_chanmap_curve ("GAS", "Euc", &m);
    RS_CHECK_STR (m.name, "x_gas");
    rs_chanmap_curve ("3RD-CURVE", "", &m);
    RS_CHECK_STR (m.name, "x_3rd_curve");
    //  A known mnemonic in a unit that does not convert stays unconverted, flagged.
    rs_chanmap_curve ("HKLD_AVG", "furlong", &m);
    RS_CHECK_INT (m.channel, RS_CH_UNKNOWN);
    RS_CHECK (m.unit_unknown);
    RS_CHECK_STR (m.name, "hkld_avg");
    double scale, offset;
    RS_CHECK (!rs_units_convert ("N", "bar", &scale, &offset));
    //  Every extra name is a valid channel name.
    RS_CHECK (rs_chan_name_valid (m.name, strlen (m.name)));
}

//  A log's curves mapped from logCurveInfo: aliases, the description as a
//  fallback, units converted, one curve per channel by priority.
static void
test_mapping_log (void)
{
    rs_chanmap_t m;
    //  The raw hook load of GwdTime / CementData / TripTime logs.
    rs_chanmap_curve_desc ("HKLD", "N", "Hookload", &m);
    RS_CHECK_INT (m.channel, RS_CH_HOOK_LOAD);
    RS_CHECK_INT (m.how, RS_CHANMAP_MNEMONIC);
    RS_CHECK_NEAR (250000 * m.scale + m.offset, 250, 1e-9);
    //  An unknown mnemonic found by its description, any case, in klbf.
    rs_chanmap_curve_desc ("HOOK_WT", "klbf", " hookLOAD ", &m);
    RS_CHECK_INT (m.channel, RS_CH_HOOK_LOAD);
    RS_CHECK_INT (m.how, RS_CHANMAP_DESCRIPTION);
    RS_CHECK_NEAR (100 * m.scale, 444.82216, 1e-6);
    rs_chanmap_curve_desc ("XYZ", "Pa", "Pump Pressure - Stand Pipe", &m);
    RS_CHECK_INT (m.channel, RS_CH_SPP);
    RS_CHECK_NEAR (1e7 * m.scale, 100, 1e-9);
    rs_chanmap_curve_desc ("TD_SPEED", "c/s", "Surface RPM", &m);
    RS_CHECK_INT (m.channel, RS_CH_RPM);
    RS_CHECK_NEAR (1.5 * m.scale, 90, 1e-9);
    //  The interval's extremes share the description, not the channel.
    rs_chanmap_curve_desc ("HKLD_MAX", "N", "Hookload", &m);
    RS_CHECK_INT (m.channel, RS_CH_UNKNOWN);
    RS_CHECK_STR (m.name, "hkld_max");
    //  Neither a partial description nor one in a unit that does not convert.
    rs_chanmap_curve_desc ("CEMPUMPPR", "Pa", "Cementing Pump Pressure", &m);
    RS_CHECK_INT (m.channel, RS_CH_UNKNOWN);
    rs_chanmap_curve_desc ("TQ_IN_AMPS", "A", "Surface Torque", &m);
    RS_CHECK_INT (m.channel, RS_CH_UNKNOWN);
    RS_CHECK (m.unit_unknown);
    RS_CHECK_INT (m.matched, RS_CH_TORQUE);

    //  One log: the average before the raw hook load, a mnemonic before a
    //  description, a curve whose unit does not convert takes nothing.
    static const struct { const char *mnem, *unit, *desc; } curves[] = {
        { "HKLD", "N", "Hookload" }, { "HKLD_AVG", "N", "Hookload" }, { "BLOCKUCOMP", "m",
        "Block/Topdrive Position Uncompensated" }, { "BLOCKCOMP", "m", "Block/Topdrive Position Compensated" },
        { "SPPX", "Pa", "Standpipe Pressure" }, { "PUMP", "furlong", "Pump Pressure - Stand Pipe" },
        { "RigActivityCode", "unitless", "NoMonitor[0] Drilling[1]" },
    };
    rs_chanmap_t map[7];
    for (size_t i = 0; i < 7; i++)
        rs_chanmap_curve_desc (curves[i].mnem, curves[i].unit, curves[i].desc, &map[i]);
    rs_chanmap_log (map, 7);
    RS_CHECK_INT (map[0].channel, RS_CH_UNKNOWN);
    RS_CHECK_INT (map[0].lost_to, 1);
    RS_CHECK_STR (map[0].name, "hkld");     //  still carried, as an extra channel
    RS_CHECK_NEAR (map[0].scale, 1, 0);
    RS_CHECK_INT (map[1].channel, RS_CH_HOOK_LOAD);
    RS_CHECK_INT (map[2].channel, RS_CH_UNKNOWN);
    RS_CHECK_INT (map[2].lost_to, 3);
    RS_CHECK_INT (map[3].channel, RS_CH_BLOCK_POS);
    RS_CHECK_INT (map[4].channel, RS_CH_SPP);
    RS_CHECK_INT (map[5].channel, RS_CH_UNKNOWN);
    RS_CHECK (map[5].unit_unknown);
    RS_CHECK_STR (map[6].name, "rigactivitycode");
    char line[512];
    RS_CHECK_INT (rs_chanmap_report (map, 7, line, sizeof line), 6);
    RS_CHECK (strstr (line, "hook_load<-HKLD_AVG (mnemonic)") != NULL);
    RS_CHECK (strstr (line, "spp<-SPPX (description)") != NULL);
    RS_CHECK (strstr (line, "missing: bit_depth hole_depth flow_in rpm torque wob") != NULL);
    const int *rig;
    RS_CHECK_INT (rs_chanmap_rig_channels (&rig), 9);
    RS_CHECK_INT (rig[0], RS_CH_HOOK_LOAD);
}

//  Reads every timestamp of a log.
static size_t
s_times (const char *path, int64_t *ts, size_t max)
{
    rs_witsml_t *log = rs_witsml_open (path);
    size_t n = 0;
    const double *v;
    while (log && n < max && rs_witsml_next (log, &ts[n], &v) == 1)
        n++;
    rs_witsml_close (&log);
    return n;
}

static int
s_cmp_ts (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return x < y ? -1 : x > y;
}

//  Two real logs of the same hours (GenTime 20:40-21:10, CementData
//  20:30-21:20), merged.
static void
test_logset (void)
{
    const char *paths[] = { GENTIME, CEMENT };
    rs_logset_t *set = rs_logset_open (paths, 2);
    RS_CHECK (set != NULL);
    if (!set) {
        fprintf (stderr, "%s\n", rs_errmsg ());
        return;
    }
    RS_CHECK_INT (rs_logset_count (set), 2);
    RS_CHECK_STR (rs_logset_well (set), "NO 15/9-F-9");
    size_t nm;
    const rs_chanmap_t *map = rs_logset_map (set, 1, &nm);
    RS_CHECK_INT (nm, 28);
    bool hkld = false;
    for (size_t i = 1; i < nm; i++)
        hkld = hkld || (strcmp (map[i].mnemonic, "HKLD") == 0 && map[i].channel == RS_CH_HOOK_LOAD);
    RS_CHECK (hkld);

    //  Every instant of either log once, in order.
    static int64_t want[4096];
    size_t n_want = s_times (GENTIME, want, 4096);
    n_want += s_times (CEMENT, want + n_want, 4096 - n_want);
    qsort (want, n_want, sizeof want[0], s_cmp_ts);
    size_t distinct = 0;
    for (size_t i = 0; i < n_want; i++)
        if (!i || want[i] != want[i - 1])
            want[distinct++] = want[i];
    rs_logmerge_t *m = rs_logset_merge (set);
    int hk = rs_logmerge_channel (m, "hook_load"), rpm = rs_logmerge_channel (m, "rpm");
    int mse = rs_logmerge_channel (m, "mse"), cem = rs_logmerge_channel (m, "cemstage");
    int code = rs_logmerge_channel (m, "rigactivitycode");
    RS_CHECK (hk >= 0 && rpm >= 0 && mse >= 0 && cem >= 0 && code >= 0);
    const rs_value_t *chans;
    size_t n_chan = rs_logmerge_channels (m, &chans);
    bool unique = true;
    for (size_t i = 0; i < n_chan; i++)
        for (size_t k = i + 1; k < n_chan; k++)
            unique = unique && strcmp (chans[i].name, chans[k].name) != 0;
    RS_CHECK (unique);
    int64_t ts, gen_first, gen_last, t;
    rs_clock_parse ("2016-09-29T20:40:02Z", &gen_first);
    rs_clock_parse ("2016-09-29T21:10:00Z", &gen_last);
    const rs_value_t *vals;
    size_t nv, got = 0, same = 0, hk_outside = 0, rpm_outside = 0, outside = 0;
    while (rs_logmerge_next (m, &ts, &vals, &nv) == 1) {
        same += got < distinct && want[got] == ts;
        got++;
        RS_CHECK_INT (nv, n_chan);
        if (ts < gen_first || ts > gen_last + 9 * 1000000LL) {
            //  Only CementData there (GenTime's last reading is stale 3 of
            //  its rows, 8.4 s, after its end): its hook load, no rpm.
            outside++;
            hk_outside += !isnan (vals[hk].value);
            rpm_outside += !isnan (vals[rpm].value);
        }
    }
    RS_CHECK_INT (got, distinct);
    RS_CHECK_INT (same, distinct);
    RS_CHECK (outside > 100);
    RS_CHECK_INT (hk_outside, outside);
    RS_CHECK_INT (rpm_outside, 0);
    //  GenTime (about 2.8 s rows) gives hook load while it runs, CementData
    //  (10 s) before and after
    uint64_t from_gen = rs_logmerge_used (m, (size_t) hk, 0), from_cem = rs_logmerge_used (m, (size_t) hk, 1);
    RS_CHECK (from_gen > 600);
    //  (and at GenTime's first row, one reading shows no interval yet)
    RS_CHECK (from_cem >= outside && from_cem <= outside + 1);
    RS_CHECK_INT (from_gen + from_cem, got);
    rs_clock_parse ("2016-09-29T20:30:00Z", &t);
    RS_CHECK_INT (want[0], t);
    rs_logset_destroy (&set);
    RS_CHECK (set == NULL);

    //  A directory: its .xml files in name order.
    char dir[] = "/tmp/rs-logset-XXXXXX";
    RS_CHECK (mkdtemp (dir) != NULL);
    char a[600], b[600], c[600];
    snprintf (a, sizeof a, "%s/b.xml", dir);
    snprintf (b, sizeof b, "%s/a.xml", dir);
    snprintf (c, sizeof c, "%s/notes.txt", dir);
    RS_CHECK (symlink (GENTIME, a) == 0);
    RS_CHECK (symlink (CEMENT, b) == 0);
    write_file (c, "not a log", 9);
    const char *dirs[] = { dir };
    set = rs_logset_open (dirs, 1);
    RS_CHECK (set != NULL);
    if (set) {
        RS_CHECK_INT (rs_logset_count (set), 2);
        RS_CHECK (strstr (rs_logset_path (set, 0), "/a.xml") != NULL);
        RS_CHECK_STR (rs_logset_name (set, 0), "CementData");
        rs_logset_destroy (&set);
    }
    //  A store's export nests a wellbore's logs in folders (log/1/<log>/<part>/):
    //  they are read too, in path order, the hidden ones and other files not.
    char sub[600], deep[600], hidden[600], in_hidden[600];
    snprintf (sub, sizeof sub, "%s/log", dir);
    snprintf (deep, sizeof deep, "%s/log/9", dir);
    snprintf (hidden, sizeof hidden, "%s/.cache", dir);
    RS_CHECK (mkdir (sub, 0700) == 0 && mkdir (deep, 0700) == 0 && mkdir (hidden, 0700) == 0);
    unlink (a);
    snprintf (a, sizeof a, "%s/log/9/00001.xml", dir);
    snprintf (in_hidden, sizeof in_hidden, "%s/.cache/00001.xml", dir);
    RS_CHECK (symlink (GENTIME, a) == 0);
    RS_CHECK (symlink (GENTIME, in_hidden) == 0);
    set = rs_logset_open (dirs, 1);
    RS_CHECK (set != NULL);
    if (set) {
        RS_CHECK_INT (rs_logset_count (set), 2);
        RS_CHECK (strstr (rs_logset_path (set, 0), "/a.xml") != NULL);
        RS_CHECK (strstr (rs_logset_path (set, 1), "/log/9/00001.xml") != NULL);
        RS_CHECK_STR (rs_logset_name (set, 1), "GenTime");
        RS_CHECK_INT (rs_logset_sources (set), 2);
        rs_logset_destroy (&set);
    }
    unlink (in_hidden);
    rmdir (hidden);
    //  Logs of another well are refused, naming both.
    char other[600];
    snprintf (other, sizeof other, "%s/other.log", dir);
    write_file (other, s_small, strlen (s_small));
    const char *mixed[] = { GENTIME, other };
    RS_CHECK (rs_logset_open (mixed, 2) == NULL);
    RS_CHECK (strstr (rs_errmsg (), "W 1") != NULL && strstr (rs_errmsg (), "NO 15/9-F-9") != NULL);
    //  So are logs of another wellbore of the same well (a well's folder
    //  holds each bore's logs): a sidetrack's beside F-9 A's. Of the same
    //  wellbore they merge.
    static const char *bores[] = { "NO 15/9-F-9 B", "NO 15/9-F-9 A" };
    for (size_t i = 0; i < 2; i++) {
        char bore[1024];
        const char *from = strstr (s_small, "<nullValue>");
        snprintf (bore, sizeof bore, "<?xml version=\"1.0\"?><logs xmlns=\"http://www.witsml.org/schemas/1series\" "
                  "version=\"1.4.1.1\"><log><nameWell>NO 15/9-F-9</nameWell><nameWellbore>%s</nameWellbore>%s",
                  bores[i], from);
        write_file (other, bore, strlen (bore));
        rs_logset_t *two = rs_logset_open (mixed, 2);
        if (i == 0) {
            RS_CHECK (two == NULL);
            RS_CHECK (strstr (rs_errmsg (), "wellbore 'NO 15/9-F-9 B'") != NULL);
            RS_CHECK (strstr (rs_errmsg (), "'NO 15/9-F-9 A'") != NULL);
        }
        else
            RS_CHECK (two != NULL);
        rs_logset_destroy (&two);
    }
    unlink (a);
    unlink (b);
    unlink (c);
    unlink (other);
    rmdir (deep);
    rmdir (sub);
    rmdir (dir);
    //  An empty directory, a missing path.
    char empty[] = "/tmp/rs-logset-XXXXXX";
    RS_CHECK (mkdtemp (empty) != NULL);
    const char *none[] = { empty };
    RS_CHECK (rs_logset_open (none, 1) == NULL);
    RS_CHECK (strstr (rs_errmsg (), "no .xml") != NULL);
    //  ... nor does one whose folders hold no .xml either.
    char empty_sub[600];
    snprintf (empty_sub, sizeof empty_sub, "%s/log", empty);
    RS_CHECK (mkdir (empty_sub, 0700) == 0);
    RS_CHECK (rs_logset_open (none, 1) == NULL);
    RS_CHECK (strstr (rs_errmsg (), "no .xml log in the directory or its folders") != NULL);
    rmdir (empty_sub);
    rmdir (empty);
    const char *missing[] = { "/nonexistent/dir" };
    RS_CHECK (rs_logset_open (missing, 1) == NULL);
}

//  A log indexed by depth, as a wellbore's folder holds beside its time logs.
static const char *s_depth_log =
    "<?xml version=\"1.0\"?><logs xmlns=\"http://www.witsml.org/schemas/1series\" version=\"1.4.1.1\">"
    "<log><nameWell>NO 15/9-F-9</nameWell><indexType>measured depth</indexType><indexCurve>DEPTH</indexCurve>"
    "<logCurveInfo><mnemonic>DEPTH</mnemonic><unit>m</unit></logCurveInfo>"
    "<logCurveInfo><mnemonic>HKLD_AVG</mnemonic><unit>N</unit></logCurveInfo>"
    "<logData><mnemonicList>DEPTH,HKLD_AVG</mnemonicList>"
    "<data>1001.5,700000</data><data>1002.0,705000</data>"
    "</logData></log></logs>";

static void
test_not_time_logs (void)
{
    char dir[] = "/tmp/rs-witsml-kinds-XXXXXX";
    RS_CHECK (mkdtemp (dir) != NULL);
    char depth[600], well[600], time_log[600], bare[600];
    snprintf (depth, sizeof depth, "%s/depth.xml", dir);
    snprintf (well, sizeof well, "%s/well.xml", dir);
    snprintf (time_log, sizeof time_log, "%s/z_gentime.xml", dir);
    snprintf (bare, sizeof bare, "%s/bare.data", dir);
    write_file (depth, s_depth_log, strlen (s_depth_log));

    //  A depth-indexed log named alone is refused, saying so: its depths are
    //  not times.
    RS_CHECK (rs_witsml_open (depth) == NULL);
    RS_CHECK_INT (rs_errcode (), RS_E_TYPE);
    RS_CHECK (strstr (rs_errmsg (), "indexType 'measured depth'") != NULL);
    RS_CHECK (strstr (rs_errmsg (), "not a time log") != NULL);
    const char *alone[] = { depth };
    RS_CHECK (rs_logset_open (alone, 1) == NULL);

    //  The same rows without an indexType: a bare number is no date-time,
    //  so every row is a bad row, not a sample of 1970.
    char *text = strdup (s_depth_log);
    char *it = strstr (text, "<indexType>");
    memmove (it, strstr (it, "</indexType>") + strlen ("</indexType>"),
             strlen (strstr (it, "</indexType>") + strlen ("</indexType>")) + 1);
    write_file (bare, text, strlen (text));
    free (text);
    rs_witsml_t *log = rs_witsml_open (bare);
    RS_CHECK (log != NULL);
    int64_t ts;
    const double *v;
    RS_CHECK_INT (rs_witsml_next (log, &ts, &v), 0);
    RS_CHECK_INT (rs_witsml_bad_rows (log), 2);
    rs_witsml_close (&log);

    //  A time log whose rows run newest first is refused, saying so (read
    //  forwards, all its rows but one would be out of order).
    char *rev = malloc (strlen (s_small) + 64);
    const char *at = strstr (s_small, "<nullValue>");
    snprintf (rev, strlen (s_small) + 64, "%.*s<direction>decreasing</direction>%s", (int) (at - s_small), s_small,
              at);
    write_file (bare, rev, strlen (rev));
    free (rev);
    RS_CHECK (rs_witsml_open (bare) == NULL);
    RS_CHECK (strstr (rs_errmsg (), "direction 'decreasing'") != NULL);

    //  Well-formed XML of another object is RS_E_TYPE, broken XML RS_E_FORMAT.
    const char *obj = "<?xml version=\"1.0\"?><wells xmlns=\"http://www.witsml.org/schemas/1series\">"
                      "<well uid=\"w\"><name>NO 15/9-F-9</name></well></wells>";
    write_file (well, obj, strlen (obj));
    RS_CHECK (rs_witsml_open (well) == NULL);
    RS_CHECK_INT (rs_errcode (), RS_E_TYPE);
    write_file (bare, "<logs><log>", 11);
    RS_CHECK (rs_witsml_open (bare) == NULL);
    RS_CHECK_INT (rs_errcode (), RS_E_FORMAT);
    unlink (bare);

    //  In a directory, both are passed over, each named with why, and the
    //  time log is read.
    const char *dirs[] = { dir };
    RS_CHECK (rs_logset_open (dirs, 1) == NULL);
    RS_CHECK (strstr (rs_errmsg (), "no WITSML time log") != NULL);
    RS_CHECK (symlink (GENTIME, time_log) == 0);
    rs_logset_t *set = rs_logset_open (dirs, 1);
    RS_CHECK (set != NULL);
    if (set) {
        RS_CHECK_INT (rs_logset_count (set), 1);
        RS_CHECK_STR (rs_logset_name (set, 0), "GenTime");
        RS_CHECK_INT (rs_logset_skipped_count (set), 2);
        RS_CHECK (strstr (rs_logset_skipped (set, 0), "depth.xml: indexType") != NULL);
        RS_CHECK (strstr (rs_logset_skipped (set, 1), "well.xml: not a WITSML log") != NULL);
        RS_CHECK_STR (rs_logset_skipped (set, 2), "");
        RS_CHECK_INT (rs_logset_passed_over (set), 2);
        rs_logset_destroy (&set);
    }
    //  A store's export holds many such files: the first 8 are named, all
    //  are counted.
    char more[12][600];
    for (int i = 0; i < 12; i++) {
        snprintf (more[i], sizeof more[i], "%s/depth%02d.xml", dir, i);
        write_file (more[i], s_depth_log, strlen (s_depth_log));
    }
    set = rs_logset_open (dirs, 1);
    RS_CHECK (set != NULL);
    if (set) {
        RS_CHECK_INT (rs_logset_count (set), 1);
        RS_CHECK_INT (rs_logset_skipped_count (set), 8);
        RS_CHECK_INT (rs_logset_passed_over (set), 14);
        rs_logset_destroy (&set);
    }
    for (int i = 0; i < 12; i++)
        unlink (more[i]);
    unlink (depth);
    unlink (well);
    unlink (time_log);
    rmdir (dir);
}

//  A part of a log named `name`: rows at t0, t0 + 10 s, ... (n of them).
static void
s_write_part (const char *path, const char *name, int t0, int n)
{
    char text[8192];
    int len = snprintf (text, sizeof text,
                        "<?xml version=\"1.0\"?><logs xmlns=\"http://www.witsml.org/schemas/1series\">"
                        "<log><nameWell>W 1</nameWell><name>%s</name><indexType>date time</indexType>"
                        "<logCurveInfo><mnemonic>Time</mnemonic><unit>unitless</unit></logCurveInfo>"
                        "<logCurveInfo><mnemonic>HKLD_AVG</mnemonic><unit>N</unit></logCurveInfo>"
                        "<logData><mnemonicList>Time,HKLD_AVG</mnemonicList>", name);
    for (int i = 0; i < n; i++) {
        int t = t0 + 10 * i;
        len += snprintf (text + len, sizeof text - (size_t) len,
                         "<data>2016-09-29T%02d:%02d:%02d.000Z,%d</data>", t / 3600, t / 60 % 60, t % 60, 1000 * t);
    }
    len += snprintf (text + len, sizeof text - (size_t) len, "</logData></log></logs>");
    write_file (path, text, (size_t) len);
}

//  The parts of one log (a store cuts a long log into files) are one source
//  of the merge, read in time order whatever their names, one file open at a
//  time: 100 parts (more than the 64 sources a merge takes) and another log.
//  A row a part repeats from the end of the one before is left out, counted.
static void
test_log_parts (void)
{
    char dir[] = "/tmp/rs-logparts-XXXXXX";
    RS_CHECK (mkdtemp (dir) != NULL);
    char path[600];
    for (int p = 0; p < 100; p++) {
        //  Named backwards: part 0 (the earliest) is z099.xml. Each part's
        //  first row repeats the last row of the part before.
        snprintf (path, sizeof path, "%s/z%03d.xml", dir, 99 - p);
        s_write_part (path, "GenTime", 30 * p - (p ? 10 : 0), p ? 4 : 3);
    }
    snprintf (path, sizeof path, "%s/a_other.xml", dir);
    s_write_part (path, "GwdTime", 5, 2);
    const char *dirs[] = { dir };
    rs_logset_t *set = rs_logset_open (dirs, 1);
    RS_CHECK (set != NULL);
    if (set) {
        RS_CHECK_INT (rs_logset_count (set), 101);
        RS_CHECK_INT (rs_logset_sources (set), 2);
        RS_CHECK_INT (rs_logset_source (set, 0), 0);    //  a_other.xml
        RS_CHECK_INT (rs_logset_source (set, 1), 1);
        RS_CHECK_INT (rs_logset_source (set, 100), 1);
        //  Read from the earliest part, whatever the names.
        size_t first = 0;
        RS_CHECK_INT (rs_logset_source_files (set, 1, &first), 100);
        RS_CHECK (strstr (rs_logset_path (set, first), "/z099.xml") != NULL);
        RS_CHECK_INT (rs_logset_source_files (set, 2, &first), 0);
        rs_logmerge_t *m = rs_logset_merge (set);
        int64_t ts, last = INT64_MIN, t0;
        rs_clock_parse ("2016-09-29T00:00:00Z", &t0);
        const rs_value_t *vals;
        size_t n, got = 0, bad = 0;
        int hk = rs_logmerge_channel (m, "hook_load");
        while (rs_logmerge_next (m, &ts, &vals, &n) == 1) {
            bad += ts <= last;
            last = ts;
            got++;
            //  GenTime's rows: hook load 1000 t N, read as t kN.
            int64_t t = (ts - t0) / 1000000;
            if (t % 10 == 0 && fabs (vals[hk].value - (double) t) > 1e-9)
                bad++;
        }
        RS_CHECK_INT (bad, 0);
        //  GenTime every 10 s from 0 to 2990 s, GwdTime's two.
        RS_CHECK_INT (got, 300 + 2);
        uint64_t dropped = 0, rows = 0;
        for (size_t i = 0; i < rs_logset_count (set); i++) {
            dropped += rs_logset_dropped (set, i);
            rows += rs_logset_rows (set, i);
        }
        RS_CHECK_INT (dropped, 99);
        RS_CHECK_INT (rows, 3 + 99 * 4 + 2);
        RS_CHECK_STR (rs_logset_name (set, 100), "GenTime");
        rs_logset_destroy (&set);
    }
    for (int p = 0; p < 100; p++) {
        snprintf (path, sizeof path, "%s/z%03d.xml", dir, p);
        unlink (path);
    }
    snprintf (path, sizeof path, "%s/a_other.xml", dir);
    unlink (path);
    rmdir (dir);
}

int
main (void)
{
    test_excerpt ();
    test_small ();
    test_131 ();
    test_mapping ();
    test_mapping_log ();
    test_logset ();
    test_not_time_logs ();
    test_log_parts ();
    return RS_TEST_DONE ();
}
