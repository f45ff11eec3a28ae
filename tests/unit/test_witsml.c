/*  WITSML 1.4 log reading and channel mapping: the committed Volve excerpt,
    crafted logs with blank cells and null values, a truncated copy, files that
    are not logs, and unit conversions. */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "rs_chanmap.h"
#include "rs_channels.h"
#include "rs_units.h"
#include "rs_clock.h"
#include "rs_test.h"
#include "rs_witsml.h"

#define EXCERPT RS_SOURCE_DIR "/tests/data/volve_F-9_excerpt.xml"

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
    char err[600];
    rs_witsml_t *log = rs_witsml_open (EXCERPT, err, sizeof err);
    RS_CHECK (log != NULL);
    if (!log) {
        fprintf (stderr, "%s\n", err);
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
    char err[600];
    rs_witsml_t *log = rs_witsml_open (path, err, sizeof err);
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
    log = rs_witsml_open (path, err, sizeof err);
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
    RS_CHECK (rs_witsml_open (path, err, sizeof err) == NULL);
    RS_CHECK (strstr (err, "not a WITSML log") != NULL);
    write_file (path, "garbage", 7);
    RS_CHECK (rs_witsml_open (path, err, sizeof err) == NULL);
    RS_CHECK (rs_witsml_open ("/nonexistent/log.xml", err, sizeof err) == NULL);
    RS_CHECK (strstr (err, "/nonexistent/log.xml") != NULL);
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

int
main (void)
{
    test_excerpt ();
    test_small ();
    test_mapping ();
    return RS_TEST_DONE ();
}
