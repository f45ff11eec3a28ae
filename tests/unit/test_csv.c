/*  CSV ingest: the Pason and Volve presets on the synthetic files in
    tests/data (nulls, blank and junk cells, unit rows, repeated headers, junk
    rows), Pason's published layout (units in parentheses, split date and
    time), files without a mapping or without any known channel, delimiters
    and quotes, time formats (rs_timeparse), mapping files (rs_mapfile), the
    unit aliases added to rs_chanmap. */
#include <math.h>
#include <stdlib.h>

#include "rs_chanmap.h"
#include "rs_channels.h"
#include "rs_units.h"
#include "rs_clock.h"
#include "rs_csv.h"
#include "rs_mapfile.h"
#include "rs_test.h"
#include "rs_timeparse.h"

#define PASON RS_SOURCE_DIR "/tests/data/pason_edr_synthetic.csv"
#define VOLVE RS_SOURCE_DIR "/tests/data/volve_timelog_synthetic.csv"

static int64_t
iso (const char *text)
{
    int64_t ts = 0;
    if (rs_clock_parse (text, &ts) != 0)
        fprintf (stderr, "bad test time %s\n", text);
    return ts;
}

static double
value (const rs_value_t *ch, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp (ch[i].name, name) == 0)
            return ch[i].value;
    return -12345;      //  absent
}

//  A whole file through a reader; keeps the rows' times and a copy of
//  some rows' values.
typedef struct {
    int rows, bad, errors;
    int64_t ts[200];
    rs_value_t first[RS_MAX_CHANNELS];
    size_t n_first;
    double row_values[200][4];
} run_t;

static void
s_run (rs_csv_t *csv, const char *path, const char *const names[4], run_t *r)
{
    memset (r, 0, sizeof *r);
    FILE *f = fopen (path, "rb");
    RS_CHECK (f != NULL);
    if (!f)
        return;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline (&line, &cap, f)) >= 0) {
        int64_t ts;
        const rs_value_t *ch;
        size_t n;
        rs_csv_result_t res = rs_csv_line (csv, line, (size_t) len, &ts, &ch, &n);
        if (res == RS_CSV_ROW && r->rows < 200) {
            if (r->rows == 0) {
                memcpy (r->first, ch, n * sizeof *ch);
                r->n_first = n;
            }
            for (int k = 0; k < 4; k++)
                r->row_values[r->rows][k] = names[k] ? value (ch, n, names[k]) : 0;
            r->ts[r->rows++] = ts;
        }
        else if (res == RS_CSV_BAD)
            r->bad++;
        else if (res == RS_CSV_ERROR)
            r->errors++;
    }
    free (line);
    fclose (f);
}

static rs_mapfile_t *
s_preset (const char *name)
{
    rs_mapfile_t *map = rs_mapfile_parse (rs_csv_preset (name), name);
    RS_CHECK (map != NULL);
    if (!map)
        fprintf (stderr, "%s\n", rs_errmsg ());
    return map;
}

static void
test_pason (void)
{
    rs_mapfile_t *map = s_preset ("pason");
    rs_csv_opts_t opts = { .map = map, .extras = true };
    rs_csv_t *csv = rs_csv_new (&opts);
    RS_CHECK (csv != NULL);
    const char *names[4] = { "hook_load", "spp", "rpm", "mud_temp_in" };
    run_t r;
    s_run (csv, PASON, names, &r);
    const rs_csv_stats_t *st = rs_csv_stats (csv);
    RS_CHECK_INT (r.rows, 48);
    RS_CHECK_INT (r.bad, 2);                //  the junk row and 2024/02/30
    RS_CHECK_INT (r.errors, 0);
    RS_CHECK_INT (st->unit_rows, 2);
    RS_CHECK_INT (st->repeated_headers, 1);
    RS_CHECK_INT (st->preamble_lines, 2);
    RS_CHECK_INT (st->bad_cells, 1);        //  "ERR" in Rotary Speed
    RS_CHECK_INT (st->nulls, 2);
    RS_CHECK_INT (r.ts[0], iso ("2024-03-14T06:00:00Z"));
    RS_CHECK_INT (r.ts[47], iso ("2024-03-14T06:03:55Z"));
    //  Imperial to the suite's units, by the file's unit row.
    RS_CHECK_NEAR (value (r.first, r.n_first, "hole_depth"), 8000 * 0.3048, 1e-9);
    RS_CHECK_NEAR (value (r.first, r.n_first, "bit_depth"), 7999.5 * 0.3048, 1e-9);
    RS_CHECK_NEAR (value (r.first, r.n_first, "block_pos"), 60 * 0.3048, 1e-9);
    RS_CHECK_NEAR (value (r.first, r.n_first, "rop"), 180 * 0.3048, 1e-9);
    RS_CHECK_NEAR (value (r.first, r.n_first, "rop_1ft"), 175, 1e-9);     //  an extra: unconverted
    RS_CHECK_NEAR (value (r.first, r.n_first, "hook_load"), 210 * 4.4482216, 1e-6);
    RS_CHECK_NEAR (value (r.first, r.n_first, "torque"), 12.5 * 1.3558179, 1e-6);
    RS_CHECK_NEAR (value (r.first, r.n_first, "rpm"), 120, 1e-9);
    RS_CHECK_NEAR (value (r.first, r.n_first, "spp"), 3100 * 0.068947573, 1e-6);
    RS_CHECK_NEAR (value (r.first, r.n_first, "spm1"), 95, 1e-9);
    RS_CHECK_NEAR (value (r.first, r.n_first, "flow_in"), 650 * 3.7854118, 1e-6);
    RS_CHECK_NEAR (value (r.first, r.n_first, "pit_volume"), 480.5 * 0.15898729, 1e-6);
    RS_CHECK_NEAR (value (r.first, r.n_first, "mud_temp_in"), (95 - 32) * 5.0 / 9.0, 1e-9);
    RS_CHECK_NEAR (value (r.first, r.n_first, "mud_temp_out"), (110 - 32) * 5.0 / 9.0, 1e-9);
    //  Flow Out is a paddle in %: no L/min, so it travels as an extra, unconverted.
    RS_CHECK_NEAR (value (r.first, r.n_first, "flow_out"), -12345, 0);
    RS_CHECK_NEAR (value (r.first, r.n_first, "x_flow_out"), 42, 1e-9);
    RS_CHECK_NEAR (value (r.first, r.n_first, "rig_state"), 2, 1e-9);
    //  Blank, null and junk cells of known channels travel as nil.
    RS_CHECK (isnan (r.row_values[2][0]));
    RS_CHECK (isnan (r.row_values[4][1]));
    RS_CHECK (isnan (r.row_values[7][2]));
    RS_CHECK (isnan (r.row_values[11][3]));
    RS_CHECK_NEAR (r.row_values[3][0], 211.5 * 4.4482216, 1e-6);
    const rs_csv_column_t *cols;
    size_t nc = rs_csv_columns (csv, &cols);
    RS_CHECK_INT (nc, 19);
    RS_CHECK_INT (cols[0].role, RS_MAP_DATE);
    RS_CHECK_INT (cols[1].role, RS_MAP_TIME);
    RS_CHECK (cols[14].unit_unknown);
    RS_CHECK_STR (cols[14].unit, "%");
    rs_csv_destroy (&csv);

    //  Rig-local times: 06:00 at UTC-6 is 12:00 UTC.
    opts.offset_us = INT64_C (-6) * 3600 * 1000000;
    csv = rs_csv_new (&opts);
    s_run (csv, PASON, names, &r);
    RS_CHECK_INT (r.ts[0], iso ("2024-03-14T12:00:00Z"));
    rs_csv_destroy (&csv);
    rs_mapfile_destroy (&map);
}

static void
test_volve (void)
{
    rs_mapfile_t *map = s_preset ("volve");
    rs_csv_opts_t opts = { .map = map, .extras = true };
    rs_csv_t *csv = rs_csv_new (&opts);
    const char *names[4] = { "wob", "gas", "rpm", "gamma_ray_api" };
    run_t r;
    s_run (csv, VOLVE, names, &r);
    const rs_csv_stats_t *st = rs_csv_stats (csv);
    RS_CHECK_INT (r.rows, 40);
    RS_CHECK_INT (r.bad, 1);
    RS_CHECK_INT (st->repeated_headers, 1);
    RS_CHECK_INT (st->comment_lines, 1);
    RS_CHECK_INT (st->unit_rows, 0);
    RS_CHECK_INT (st->bad_cells, 1);        //  "N/A" rotary speed
    RS_CHECK_INT (r.ts[0], iso ("2016-09-29T19:33:01Z"));
    RS_CHECK_INT (r.ts[39], iso ("2016-09-29T19:33:40Z"));
    RS_CHECK_NEAR (value (r.first, r.n_first, "bit_depth"), 1100, 1e-9);
    RS_CHECK_NEAR (value (r.first, r.n_first, "hole_depth"), 1100.5, 1e-9);
    RS_CHECK_NEAR (value (r.first, r.n_first, "wob"), 8.5 * 9.80665, 1e-9);
    RS_CHECK_NEAR (value (r.first, r.n_first, "hook_load"), 95 * 9.80665, 1e-9);
    RS_CHECK_NEAR (value (r.first, r.n_first, "spp"), 185, 1e-9);
    RS_CHECK_NEAR (value (r.first, r.n_first, "flow_in"), 3200, 1e-9);
    RS_CHECK_NEAR (value (r.first, r.n_first, "mud_density_in"), 1320, 1e-9);
    RS_CHECK_NEAR (value (r.first, r.n_first, "gas"), 0.4, 1e-12);
    //  Mapped but always empty: known channels travel as nil...
    RS_CHECK (isnan (value (r.first, r.n_first, "flow_out")));
    RS_CHECK (isnan (value (r.first, r.n_first, "mud_density_out")));
    //  ...empty extra columns not at all; extras with a value do.
    RS_CHECK_NEAR (value (r.first, r.n_first, "resistivity_ohm_m"), -12345, 0);
    RS_CHECK_NEAR (value (r.first, r.n_first, "gamma_ray_api"), 60, 1e-9);
    RS_CHECK_NEAR (value (r.first, r.n_first, "total_spm_1_min"), 150, 1e-9);
    RS_CHECK_NEAR (r.row_values[1][3], -12345, 0);
    RS_CHECK (isnan (r.row_values[3][0]));      //  -999.25
    RS_CHECK (isnan (r.row_values[6][1]));      //  blank
    RS_CHECK (isnan (r.row_values[9][2]));      //  N/A
    RS_CHECK (r.n_first < 40);
    rs_csv_destroy (&csv);
    rs_mapfile_destroy (&map);
}

//  Feeds lines from one string (lines separated by \n); returns rows.
static int
s_feed (rs_csv_t *csv, const char *text, int64_t *ts, rs_value_t *last, size_t *n_last)
{
    int rows = 0;
    const char *p = text;
    while (*p) {
        const char *nl = strchr (p, '\n');
        size_t len = nl ? (size_t) (nl - p) : strlen (p);
        const rs_value_t *ch;
        size_t n;
        if (rs_csv_line (csv, p, len, ts, &ch, &n) == RS_CSV_ROW) {
            rows++;
            if (last) {
                memcpy (last, ch, n * sizeof *ch);
                *n_last = n;
            }
        }
        p += len + (nl ? 1 : 0);
    }
    return rows;
}

static void
test_generic (void)
{
    rs_csv_opts_t opts = { .extras = true };
    rs_csv_t *csv = rs_csv_new (&opts);
    int64_t ts = 0;
    rs_value_t last[RS_MAX_CHANNELS];
    size_t n = 0;
    //  Channel names and WITSML mnemonics with a unit row; a quoted header; epoch seconds.
    int rows = s_feed (csv, "\xEF\xBB\xBF" "timestamp,Bit_Depth,HKLD_AVG,\"Pump, note\",SURF_RPM\r\n"
                            ",m,N,,c/s\r\n"
                            "1475177581,1000.5,667088.1,7,2\r\n", &ts, last, &n);
    RS_CHECK_INT (rows, 1);
    RS_CHECK_INT (ts, INT64_C (1475177581000000));
    RS_CHECK_NEAR (value (last, n, "bit_depth"), 1000.5, 1e-9);
    RS_CHECK_NEAR (value (last, n, "hook_load"), 667.0881, 1e-9);
    RS_CHECK_NEAR (value (last, n, "rpm"), 120, 1e-9);
    RS_CHECK_NEAR (value (last, n, "pump__note"), 7, 1e-9);
    rs_csv_destroy (&csv);

    //  Semicolons and decimal commas; separate date and time found by name; day-first dates.
    opts.order = RS_DATE_DMY;
    csv = rs_csv_new (&opts);
    rows = s_feed (csv, "Date;Time;hook_load;wob\n"
                        "14.03.2024;06:00:05;\"1200,5\";12,25\n"
                        "15/03/2024;6:00:05 PM;1300;\n", &ts, last, &n);
    RS_CHECK_INT (rows, 2);
    RS_CHECK_INT (ts, iso ("2024-03-15T18:00:05Z"));
    RS_CHECK_NEAR (value (last, n, "hook_load"), 1300, 1e-9);
    RS_CHECK (isnan (value (last, n, "wob")));
    rs_csv_destroy (&csv);

    //  Two columns for one channel: the second becomes an extra; equal extra names get a suffix.
    opts.order = RS_DATE_MDY;
    csv = rs_csv_new (&opts);
    rows = s_feed (csv, "time,hook_load,Hook Load,x y,x-y\n"
                        "2024-03-14 06:00:00,1,2,3,4\n", &ts, last, &n);
    RS_CHECK_INT (rows, 1);
    RS_CHECK_INT (ts, iso ("2024-03-14T06:00:00Z"));
    RS_CHECK_NEAR (value (last, n, "hook_load"), 1, 0);
    RS_CHECK_NEAR (value (last, n, "x_hook_load"), 2, 0);
    RS_CHECK_NEAR (value (last, n, "x_y"), 3, 0);
    RS_CHECK_NEAR (value (last, n, "x_y_2"), 4, 0);
    rs_csv_destroy (&csv);

    //  --no-extras drops unmapped columns.
    opts.extras = false;
    csv = rs_csv_new (&opts);
    rows = s_feed (csv, "time,rpm,vendor\n2024-03-14T06:00:00Z,100,5\n", &ts, last, &n);
    RS_CHECK_INT (rows, 1);
    RS_CHECK_INT (n, 1);
    rs_csv_destroy (&csv);

    //  No time column: an error that names the columns; with --time-column it works.
    opts.extras = true;
    csv = rs_csv_new (&opts);
    const rs_value_t *ch;
    RS_CHECK_INT (rs_csv_line (csv, "when,rpm", 8, &ts, &ch, &n), RS_CSV_ERROR);
    RS_CHECK (strstr (rs_csv_error (csv), "\"when\"") != NULL);
    rs_csv_destroy (&csv);
    opts.time_column = "when";
    csv = rs_csv_new (&opts);
    RS_CHECK_INT (s_feed (csv, "some preamble\nwhen,rpm\n2024-03-14T06:00:00+01:00,90\n", &ts, NULL, NULL), 1);
    RS_CHECK_INT (ts, iso ("2024-03-14T05:00:00Z"));
    RS_CHECK_INT (rs_csv_stats (csv)->preamble_lines, 1);
    rs_csv_destroy (&csv);
    opts.date_column = "d";
    opts.time_column = "t";
    csv = rs_csv_new (&opts);
    RS_CHECK_INT (s_feed (csv, "d,t,rpm\n03/14/24,061500,90\n", &ts, NULL, NULL), 1);
    RS_CHECK_INT (ts, iso ("2024-03-14T06:15:00Z"));
    rs_csv_destroy (&csv);

    //  An empty file, a file without the mapping's header, bad nulls.
    opts = (rs_csv_opts_t) { .extras = true };
    csv = rs_csv_new (&opts);
    RS_CHECK_INT (rs_csv_finish (csv), RS_CSV_ERROR);
    RS_CHECK (strstr (rs_csv_error (csv), "empty") != NULL);
    rs_csv_destroy (&csv);
    rs_mapfile_t *map = s_preset ("pason");
    opts.map = map;
    csv = rs_csv_new (&opts);
    s_feed (csv, "a,b\n1,2\n", &ts, NULL, NULL);
    RS_CHECK_INT (rs_csv_finish (csv), RS_CSV_ERROR);
    rs_csv_destroy (&csv);
    rs_mapfile_destroy (&map);
    opts = (rs_csv_opts_t) { .nulls = "-999.25,abc" };
    RS_CHECK (rs_csv_new (&opts) == NULL);
    RS_CHECK (rs_csv_preset ("nope") == NULL);
    RS_CHECK (rs_csv_preset ("PASON") != NULL);
}

//  Factors written from the definitions, apart from rs_units.
#define FT 0.3048
#define KLBF (0.45359237 * 9.80665)                      //  kN per klbf
#define GAL (231 * 0.0254 * 0.0254 * 0.0254)              //  m3
#define PSI (0.45359237 * 9.80665 / (0.0254 * 0.0254) / 1e5)  //  bar per psi

//  Pason's published EDR layout: quoted header, separate YYYY/MM/DD and
//  HH:MM:SS, units in parentheses in Pason's words.
static void
test_pason_published (void)
{
    rs_mapfile_t *map = s_preset ("pason");
    rs_csv_opts_t opts = { .map = map, .extras = true, .offset_us = INT64_C (-6) * 3600 * 1000000 };
    rs_csv_t *csv = rs_csv_new (&opts);
    int64_t ts = 0;
    rs_value_t last[RS_MAX_CHANNELS];
    size_t n = 0;
    int rows = s_feed (csv,
        "\"YYYY/MM/DD\",\"HH:MM:SS\",\"Hole Depth (feet)\",\"Bit Depth (feet)\",\"Rate Of Penetration (ft_per_hr)\","
        "\"Weight on Bit (klbs)\",\"Hook Load (klbs)\",\"Rotary RPM (RPM)\",\"Rotary Torque (kft_lb)\","
        "\"Standpipe Pressure (psi)\",\"Total Pump Output (gal_per_min)\",\"Total Mud Volume (barrels)\","
        "\"Flow (flow_percent)\",\"Mud Weight In (lbs_per_gal)\",\"Pump 1 strokes/min (SPM)\",\"Total Gas (units)\","
        "\"Line Wear (ton_miles)\"\n"
        "2024/03/14,06:00:00,8000,7999.5,180,25,210,120,12.5,3100,650,480.5,42,10.5,95,12,300\n",
        &ts, last, &n);
    RS_CHECK_INT (rows, 1);
    RS_CHECK_INT (ts, iso ("2024-03-14T12:00:00Z"));       //  06:00 at UTC-6
    RS_CHECK_NEAR (value (last, n, "hole_depth"), 8000 * FT, 1e-9);
    RS_CHECK_NEAR (value (last, n, "bit_depth"), 7999.5 * FT, 1e-9);
    RS_CHECK_NEAR (value (last, n, "rop"), 180 * FT, 1e-9);
    RS_CHECK_NEAR (value (last, n, "wob"), 25 * KLBF, 25 * KLBF * 1e-7);
    RS_CHECK_NEAR (value (last, n, "hook_load"), 210 * KLBF, 210 * KLBF * 1e-7);
    RS_CHECK_NEAR (value (last, n, "rpm"), 120, 0);
    RS_CHECK_NEAR (value (last, n, "torque"), 12.5 * KLBF * FT, 12.5 * KLBF * FT * 1e-7);
    RS_CHECK_NEAR (value (last, n, "spp"), 3100 * PSI, 3100 * PSI * 1e-7);
    RS_CHECK_NEAR (value (last, n, "flow_in"), 650 * GAL * 1000, 650 * GAL * 1000 * 1e-7);
    RS_CHECK_NEAR (value (last, n, "pit_volume"), 480.5 * GAL * 42, 480.5 * GAL * 42 * 1e-7);
    RS_CHECK_NEAR (value (last, n, "mud_density_in"), 10.5 * 0.45359237 / GAL, 1e-4);
    RS_CHECK_NEAR (value (last, n, "spm1"), 95, 0);
    //  The paddle is a percentage: its own channel, never flow_out.
    RS_CHECK_NEAR (value (last, n, "flow_out_pct"), 42, 0);
    RS_CHECK_NEAR (value (last, n, "flow_out"), -12345, 0);
    //  Gas in "units" is not %: carried as an extra, unconverted; unknown columns too.
    RS_CHECK_NEAR (value (last, n, "gas"), -12345, 0);
    RS_CHECK_NEAR (value (last, n, "total_gas"), 12, 0);
    RS_CHECK_NEAR (value (last, n, "line_wear"), 300, 0);
    const rs_csv_column_t *cols;
    size_t nc = rs_csv_columns (csv, &cols);
    RS_CHECK_INT (nc, 17);
    RS_CHECK_INT (cols[0].role, RS_MAP_DATE);
    RS_CHECK_INT (cols[1].role, RS_MAP_TIME);
    RS_CHECK_STR (cols[2].name, "Hole Depth");
    RS_CHECK_STR (cols[2].unit, "feet");
    RS_CHECK_STR (cols[2].unit_from, "header");
    RS_CHECK (cols[15].unit_unknown);
    RS_CHECK_STR (cols[16].unit, "ton_miles");
    rs_csv_destroy (&csv);

    //  A header's unit wins over the mapping's; a key spelling the whole
    //  header gives its own unit; brackets work as parentheses.
    char mtext[] = "t = @datetime\nDepth = hole_depth m\nLoad (tonnes) = hook_load kkgf\n";
    rs_mapfile_t *mine = rs_mapfile_parse (mtext, "test");
    opts = (rs_csv_opts_t) { .map = mine, .extras = true };
    csv = rs_csv_new (&opts);
    rows = s_feed (csv, "t,Depth [ft],Load (tonnes)\n2024-03-14T06:00:00Z,100,10\n", &ts, last, &n);
    RS_CHECK_INT (rows, 1);
    RS_CHECK_NEAR (value (last, n, "hole_depth"), 100 * FT, 1e-9);
    RS_CHECK_NEAR (value (last, n, "hook_load"), 10 * 9.80665, 1e-9);
    rs_csv_columns (csv, &cols);
    RS_CHECK_STR (cols[1].unit_from, "header");
    RS_CHECK_STR (cols[2].unit_from, "mapping");
    rs_csv_destroy (&csv);
    rs_mapfile_destroy (&mine);

    //  Volve's keys carry the unit after a space; "(m)" or "[m]" finds them too.
    rs_mapfile_t *volve = s_preset ("volve");
    opts = (rs_csv_opts_t) { .map = volve, .extras = true };
    csv = rs_csv_new (&opts);
    rows = s_feed (csv, "Time,Bit Depth (m),Weight on Bit [kkgf]\n2016-09-29T19:33:01Z,1100,8.5\n", &ts, last, &n);
    RS_CHECK_INT (rows, 1);
    RS_CHECK_NEAR (value (last, n, "bit_depth"), 1100, 1e-9);
    RS_CHECK_NEAR (value (last, n, "wob"), 8.5 * 9.80665, 1e-9);
    rs_csv_destroy (&csv);
    rs_mapfile_destroy (&volve);

    //  Without a mapping: channel names with spaces and a unit in parentheses.
    opts = (rs_csv_opts_t) { .extras = true };
    csv = rs_csv_new (&opts);
    rows = s_feed (csv, "YYYY/MM/DD,HH:MM:SS,Hole Depth (feet),Hook Load (klbs),Pump Note (text)\n"
                        "2024/03/14,06:00:00,1000,100,5\n", &ts, last, &n);
    RS_CHECK_INT (rows, 1);
    RS_CHECK_INT (ts, iso ("2024-03-14T06:00:00Z"));
    RS_CHECK_NEAR (value (last, n, "hole_depth"), 1000 * FT, 1e-9);
    RS_CHECK_NEAR (value (last, n, "hook_load"), 100 * KLBF, 100 * KLBF * 1e-7);
    RS_CHECK_NEAR (value (last, n, "pump_note"), 5, 0);
    rs_csv_destroy (&csv);

    //  No known channel at all: an error naming the columns, not a silent run of extras.
    csv = rs_csv_new (&opts);
    const rs_value_t *ch;
    RS_CHECK_INT (s_feed (csv, "time,Vendor A (x),Vendor B\n", &ts, NULL, NULL), 0);
    RS_CHECK_INT (rs_csv_line (csv, "2024-03-14T06:00:00Z,1,2", 24, &ts, &ch, &n), RS_CSV_ERROR);
    RS_CHECK (strstr (rs_csv_error (csv), "none of the 3 columns is a known channel") != NULL);
    RS_CHECK (strstr (rs_csv_error (csv), "\"Vendor A (x)\" (extra vendor_a)") != NULL);
    RS_CHECK (strstr (rs_csv_error (csv), "\"time\" (time)") != NULL);
    rs_csv_destroy (&csv);
    //  Also when a unit row turns the only known channel into an extra.
    csv = rs_csv_new (&opts);
    RS_CHECK_INT (s_feed (csv, "time,rpm\n,%\n", &ts, NULL, NULL), 0);
    RS_CHECK_INT (rs_csv_line (csv, "2024-03-14T06:00:00Z,1", 22, &ts, &ch, &n), RS_CSV_ERROR);
    rs_csv_destroy (&csv);
    rs_mapfile_destroy (&map);
}

static void
test_timeparse (void)
{
    int64_t d, us, ts;
    RS_CHECK_INT (rs_timeparse_date ("2024-03-14", RS_DATE_MDY, &d), 0);
    RS_CHECK_INT (d * 86400, iso ("2024-03-14T00:00:00Z") / 1000000);
    int64_t want = d;
    RS_CHECK (rs_timeparse_date ("2024/03/14", RS_DATE_MDY, &d) == 0 && d == want);
    RS_CHECK (rs_timeparse_date ("20240314", RS_DATE_MDY, &d) == 0 && d == want);
    RS_CHECK (rs_timeparse_date ("240314", RS_DATE_MDY, &d) == 0 && d == want);
    RS_CHECK (rs_timeparse_date ("03/14/2024", RS_DATE_MDY, &d) == 0 && d == want);
    RS_CHECK (rs_timeparse_date ("14/03/2024", RS_DATE_DMY, &d) == 0 && d == want);
    RS_CHECK (rs_timeparse_date ("14.03.2024", RS_DATE_MDY, &d) == 0 && d == want);
    RS_CHECK (rs_timeparse_date ("3/14/24", RS_DATE_MDY, &d) == 0 && d == want);
    RS_CHECK (rs_timeparse_date ("50115", RS_DATE_MDY, &d) == 0 && d * 86400 == iso ("2005-01-15T00:00:00Z") / 1000000);
    RS_CHECK (rs_timeparse_date ("990101", RS_DATE_MDY, &d) == 0 && d * 86400 == iso ("1999-01-01T00:00:00Z") / 1000000);
    RS_CHECK (rs_timeparse_date ("2024-02-30", RS_DATE_MDY, &d) != 0);
    RS_CHECK (rs_timeparse_date ("2023-02-29", RS_DATE_MDY, &d) != 0);
    RS_CHECK (rs_timeparse_date ("2024-02-29", RS_DATE_MDY, &d) == 0);
    RS_CHECK (rs_timeparse_date ("14/03/2024", RS_DATE_MDY, &d) != 0);
    RS_CHECK (rs_timeparse_date ("", RS_DATE_MDY, &d) != 0);
    RS_CHECK (rs_timeparse_date ("yesterday", RS_DATE_MDY, &d) != 0);
    RS_CHECK (rs_timeparse_date ("2024-3-14x", RS_DATE_MDY, &d) != 0);
    RS_CHECK (rs_timeparse_time ("06:05:04", &us) == 0 && us == (6 * 3600 + 5 * 60 + 4) * INT64_C (1000000));
    RS_CHECK (rs_timeparse_time ("6:05", &us) == 0 && us == (6 * 3600 + 5 * 60) * INT64_C (1000000));
    RS_CHECK (rs_timeparse_time ("06:05:04.25", &us) == 0 && us == (6 * 3600 + 5 * 60 + 4) * INT64_C (1000000) + 250000);
    RS_CHECK (rs_timeparse_time ("12:00:00 AM", &us) == 0 && us == 0);
    RS_CHECK (rs_timeparse_time ("12:30:00 pm", &us) == 0 && us == (12 * 3600 + 1800) * INT64_C (1000000));
    RS_CHECK (rs_timeparse_time ("093015", &us) == 0 && us == (9 * 3600 + 30 * 60 + 15) * INT64_C (1000000));
    RS_CHECK (rs_timeparse_time ("93015", &us) == 0 && us == (9 * 3600 + 30 * 60 + 15) * INT64_C (1000000));
    RS_CHECK (rs_timeparse_time ("24:00:00", &us) != 0);
    RS_CHECK (rs_timeparse_time ("13:00 PM", &us) != 0);
    RS_CHECK (rs_timeparse_time ("10:61", &us) != 0);
    RS_CHECK (rs_timeparse_time ("1234567", &us) != 0);
    RS_CHECK (rs_timeparse_datetime ("2016-09-29T19:33:01.000Z", RS_DATE_MDY, 3600000000, &ts) == 0
              && ts == iso ("2016-09-29T19:33:01Z"));
    RS_CHECK (rs_timeparse_datetime ("2016-09-29 19:33:01", RS_DATE_MDY, 3600000000, &ts) == 0
              && ts == iso ("2016-09-29T18:33:01Z"));
    RS_CHECK (rs_timeparse_datetime ("09/29/2016 7:33:01 PM", RS_DATE_MDY, 0, &ts) == 0
              && ts == iso ("2016-09-29T19:33:01Z"));
    RS_CHECK (rs_timeparse_datetime ("2016-09-29T21:33:01+02:00", RS_DATE_MDY, 0, &ts) == 0
              && ts == iso ("2016-09-29T19:33:01Z"));
    RS_CHECK (rs_timeparse_datetime ("1475177581.5", RS_DATE_MDY, 0, &ts) == 0 && ts == INT64_C (1475177581500000));
    RS_CHECK (rs_timeparse_datetime ("2016-09-29", RS_DATE_MDY, 0, &ts) != 0);
    RS_CHECK (rs_timeparse_datetime ("not a time", RS_DATE_MDY, 0, &ts) != 0);
    RS_CHECK (rs_timeparse_datetime ("", RS_DATE_MDY, 0, &ts) != 0);
    RS_CHECK (rs_timeparse_datetime ("1 2Z", RS_DATE_MDY, 0, &ts) != 0);
}

static void
test_mapfile (void)
{
    rs_mapfile_t *m = rs_mapfile_parse ("# a comment\n"
                                        "  Pump #1 SPM = spm1 spm     # the pump\n"
                                        "\n"
                                        "Depth = hole_depth ft m\n"
                                        "Vendor X = vendor_x kPa\n"
                                        "Stamp=@datetime\n"
                                        "Junk = @ignore\n", "test");
    RS_CHECK (m != NULL);
    if (!m) {
        fprintf (stderr, "%s\n", rs_errmsg ());
        return;
    }
    const rs_mapfile_entry_t *entries;
    RS_CHECK_INT (rs_mapfile_entries (m, &entries), 5);
    const rs_mapfile_entry_t *e = rs_mapfile_find (m, " pump #1 spm ");
    RS_CHECK (e && strcmp (e->target, "spm1") == 0 && strcmp (e->unit[0], "spm") == 0 && e->line == 2);
    e = rs_mapfile_find (m, "Depth");
    RS_CHECK (e && strcmp (e->unit[0], "ft") == 0 && strcmp (e->unit[1], "m") == 0);
    RS_CHECK (rs_mapfile_find (m, "Stamp")->role == RS_MAP_DATETIME);
    RS_CHECK (rs_mapfile_find (m, "Junk")->role == RS_MAP_IGNORE);
    RS_CHECK (rs_mapfile_find (m, "nothing") == NULL);
    rs_mapfile_destroy (&m);
    RS_CHECK (m == NULL);

    static const struct {
        const char *text;
        const char *error;
    } bad[] = {
        { "Depth hole_depth\n", "test:1: expected KEY = TARGET" },
        { "\n = rpm\n", "test:2: empty key" },
        { "A =\n", "test:1: no target" },
        { "A = Hole_Depth\n", "is not a channel name" },
        { "A = hole_depth furlongs\n", "unit 'furlongs' does not convert to hole_depth's unit (m)" },
        { "A = hole_depth m F ft\n", "too many fields" },
        { "A = @when\n", "unknown role '@when'" },
        { "A = rpm\na = rop\n", "test:2: 'a' is already mapped on line 1" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        m = rs_mapfile_parse (bad[i].text, "test");
        RS_CHECK (m == NULL && rs_errcode () == RS_E_FORMAT);
        if (!strstr (rs_errmsg (), bad[i].error)) {
            fprintf (stderr, "expected \"%s\" in \"%s\"\n", bad[i].error, rs_errmsg ());
            RS_CHECK (0);
        }
        rs_mapfile_destroy (&m);
    }
    RS_CHECK (rs_mapfile_load ("/nonexistent.map") == NULL && strstr (rs_errmsg (), "cannot open"));
    RS_CHECK_INT (rs_errcode (), RS_E_IO);
    //  Every preset parses.
    for (const char *names[] = { "pason", "volve", NULL }, **p = names; *p; p++) {
        m = rs_mapfile_parse (rs_csv_preset (*p), *p);
        RS_CHECK (m != NULL);
        rs_mapfile_destroy (&m);
    }
}

static void
test_units (void)
{
    double scale, offset;
    static const struct {
        const char *from, *to;
        double scale, offset;
    } cases[] = {
        { "ft/hr", "m/h", 0.3048, 0 }, { "F/HR", "m/h", 0.3048, 0 }, { "klbs", "kN", 4.4482216, 0 },
        { "KLB", "kN", 4.4482216, 0 }, { "KDN", "kN", 10, 0 }, { "kkgf", "kN", 9.80665, 0 },
        { "kft-lbs", "kN.m", 1.3558179, 0 }, { "KFLB", "kN.m", 1.3558179, 0 }, { "KNM", "kN.m", 1, 0 },
        { "PSI", "bar", 0.068947573, 0 }, { "KPA", "bar", 0.01, 0 }, { "MPa", "bar", 10, 0 },
        { "gpm", "L/min", 3.7854118, 0 }, { "L/M", "L/min", 1, 0 }, { "bbls", "m3", 0.15898729, 0 },
        { "deg F", "degC", 5.0 / 9.0, -160.0 / 9.0 }, { "DEGC", "degC", 1, 0 }, { "PPG", "kg/m3", 119.82643, 0 },
        { "KGM3", "kg/m3", 1, 0 }, { "RPM", "rpm", 1, 0 }, { "SPM", "spm", 1, 0 }, { "F", "m", 0.3048, 0 },
        { "M", "m", 1, 0 }, { "M3", "m3", 1, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool ok = rs_units_convert (cases[i].from, cases[i].to, &scale, &offset);
        if (!ok || fabs (scale - cases[i].scale) > 1e-12 || fabs (offset - cases[i].offset) > 1e-12) {
            fprintf (stderr, "%s -> %s\n", cases[i].from, cases[i].to);
            RS_CHECK (0);
        }
    }
    RS_CHECK (!rs_units_convert ("%", "L/min", &scale, &offset));
    RS_CHECK (!rs_units_convert ("F", "degC", &scale, &offset));    //  WITS0's F is the foot
    RS_CHECK_STR (rs_units_spelling ("kdn"), "kdaN");
    RS_CHECK_STR (rs_units_spelling ("N"), "N");
    RS_CHECK_STR (rs_units_spelling ("furlong"), "furlong");
    char id[65];
    rs_chanmap_well_id ("NO 15/9-F-9", "x", id, sizeof id);
    RS_CHECK_STR (id, "NO_15_9-F-9");
    rs_chanmap_well_id ("", "csv", id, sizeof id);
    RS_CHECK_STR (id, "csv");
    rs_chanmap_well_from_path ("data/Well 7.csv", "csv", id, sizeof id);
    RS_CHECK_STR (id, "Well_7");
    rs_chanmap_well_from_path (".hidden", "csv", id, sizeof id);
    RS_CHECK_STR (id, "_hidden");
    rs_chanmap_well_from_path ("-", "csv", id, sizeof id);
    RS_CHECK_STR (id, "csv");
}

int
main (void)
{
    test_pason ();
    test_pason_published ();
    test_volve ();
    test_generic ();
    test_timeparse ();
    test_mapfile ();
    test_units ();
    return RS_TEST_DONE ();
}
