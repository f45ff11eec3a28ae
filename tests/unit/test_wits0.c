/*  WITS0 parsing and mapping: clean frames in any chunking and with every
    line ending, Pason prefix lines, null sentinels, heartbeat frames, noise,
    partial and oversized input; the record 01 table in metric and FPS units,
    frame dates and times, mapping-file errors, and frames written for the
    WITS0 output read back by the parser. */
#include <math.h>
#include <stdlib.h>

#include "rs_channels.h"
#include "rs_clock.h"
#include "rs_test.h"
#include "rs_wits0.h"
#include "rs_wits0map.h"

#define MAX_FRAMES 64

//  What the parser handed out.
typedef struct {
    size_t frames;
    size_t n[MAX_FRAMES];
    int code[MAX_FRAMES][8];
    double value[MAX_FRAMES][8];
    bool null[MAX_FRAMES][8];
    char text[MAX_FRAMES][8][32];
} got_t;

static void
s_collect (const rs_wits0_item_t *items, size_t n, void *arg)
{
    got_t *g = (got_t *) arg;
    if (g->frames == MAX_FRAMES)
        return;
    size_t f = g->frames++;
    g->n[f] = n;
    for (size_t i = 0; i < n && i < 8; i++) {
        g->code[f][i] = items[i].code;
        g->value[f][i] = items[i].value;
        g->null[f][i] = items[i].null;
        snprintf (g->text[f][i], sizeof g->text[f][i], "%s", items[i].text);
    }
}

static const char s_clean[] =
    "&&\r\n0105240115\r\n0106093015\r\n01081234.5\r\n0114-9999.00\r\n0121 2850\r\n!!\r\n"
    "&&\r\n01081235.0\r\n0101WELL-1\r\n!!\r\n";

static void
s_check_clean (const got_t *g, const rs_wits0_stats_t *st, const char *what)
{
    int failures = rs_test_failures;
    RS_CHECK_INT (g->frames, 2);
    RS_CHECK_INT (g->n[0], 5);
    RS_CHECK_INT (g->code[0][2], 108);
    RS_CHECK_NEAR (g->value[0][2], 1234.5, 0);
    RS_CHECK (g->null[0][3] && isnan (g->value[0][3]));
    RS_CHECK_INT (g->code[0][4], 121);
    RS_CHECK_NEAR (g->value[0][4], 2850, 0);
    RS_CHECK_STR (g->text[0][0], "240115");
    RS_CHECK_INT (g->n[1], 2);
    RS_CHECK_STR (g->text[1][1], "WELL-1");
    RS_CHECK (isnan (g->value[1][1]) && !g->null[1][1]);
    RS_CHECK_INT (st->frames, 2);
    RS_CHECK_INT (st->items, 7);
    RS_CHECK_INT (st->nulls, 1);
    RS_CHECK_INT (st->noise_bytes + st->bad_lines + st->partial_frames + st->long_lines, 0);
    if (rs_test_failures != failures)
        fprintf (stderr, "  (in: %s)\n", what);
}

static void
test_clean (void)
{
    //  Whole, byte by byte, and in chunks of every size up to 17.
    for (size_t chunk = 0; chunk <= 17; chunk++) {
        rs_wits0_t *p = rs_wits0_new ();
        got_t g = { 0 };
        size_t len = strlen (s_clean);
        size_t step = chunk ? chunk : len;
        for (size_t i = 0; i < len; i += step)
            rs_wits0_feed (p, s_clean + i, len - i < step ? len - i : step, s_collect, &g);
        char what[32];
        snprintf (what, sizeof what, "chunks of %zu", step);
        s_check_clean (&g, rs_wits0_stats (p), what);
        rs_wits0_destroy (&p);
        RS_CHECK (p == NULL);
    }
    //  LF only, CR only, mixed, and blank lines between.
    static const char *variants[] = {
        "&&\n0105240115\n0106093015\n01081234.5\n0114-9999.00\n0121 2850\n!!\n&&\n01081235.0\n0101WELL-1\n!!\n",
        "&&\r0105240115\r0106093015\r01081234.5\r0114-9999.00\r0121 2850\r!!\r&&\r01081235.0\r0101WELL-1\r!!\r",
        ("&&\r\n0105240115\n0106093015\r\r\n\n01081234.5  \n\t0114-9999.00\r\n0121 2850\n!!\n\n&&\n01081235.0\r"
         "0101WELL-1\n!!"),
    };
    for (size_t v = 0; v < 3; v++) {
        rs_wits0_t *p = rs_wits0_new ();
        got_t g = { 0 };
        rs_wits0_feed (p, variants[v], strlen (variants[v]), s_collect, &g);
        rs_wits0_end (p, s_collect, &g);
        s_check_clean (&g, rs_wits0_stats (p), variants[v]);
        rs_wits0_destroy (&p);
    }
}

static void
test_pason_and_heartbeats (void)
{
    rs_wits0_t *p = rs_wits0_new ();
    got_t g = { 0 };
    static const char text[] =
        "1984PASON/EDR\r\n&&\r\n0108100.0\r\n0169 7.5\r\n6301 3\r\n!!\r\n"
        "&&\r\n0111-9999\r\n!!\r\n"                     //  a heartbeat
        "&&\r\n!!\r\n"                                  //  empty: a heartbeat too
        "1984PASON/EDR\r\n&&\r\n0108-8888.00\r\n0110\r\n!!\r\n";   //  nothing but nulls
    rs_wits0_feed (p, text, strlen (text), s_collect, &g);
    const rs_wits0_stats_t *st = rs_wits0_stats (p);
    RS_CHECK_INT (g.frames, 1);
    RS_CHECK_INT (g.n[0], 3);
    RS_CHECK_INT (g.code[0][1], 169);
    RS_CHECK_INT (g.code[0][2], 6301);
    RS_CHECK_INT (st->pason_lines, 2);
    RS_CHECK_INT (st->heartbeats, 3);
    RS_CHECK_INT (rs_wits0_rejected (p), 0);
    RS_CHECK_INT (st->noise_bytes, 0);
    //  Other null sentinels: -9999 becomes a reading, -999.25 is none.
    RS_CHECK_INT (rs_wits0_set_nulls (p, "-999.25"), RS_OK);
    g = (got_t) { 0 };
    rs_wits0_feed (p, "&&\n0108-9999\n0110-999.25\n!!\n", 28, s_collect, &g);
    RS_CHECK_INT (g.frames, 1);
    RS_CHECK (!g.null[0][0] && g.value[0][0] == -9999);
    RS_CHECK (g.null[0][1]);
    RS_CHECK_INT (rs_wits0_set_nulls (p, "-1, x"), RS_E_FORMAT);
    RS_CHECK_INT (rs_wits0_set_nulls (p, "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17"), RS_E_RANGE);
    RS_CHECK_INT (rs_wits0_set_nulls (p, ""), RS_OK);
    g = (got_t) { 0 };
    rs_wits0_feed (p, "&&\n0111-9999\n!!\n", 16, s_collect, &g);
    RS_CHECK_INT (g.frames, 1);
    rs_wits0_destroy (&p);
}

static void
test_corrupted (void)
{
    rs_wits0_t *p = rs_wits0_new ();
    got_t g = { 0 };
    char text[4096];
    char longline[600];
    memset (longline, '7', sizeof longline - 1);
    longline[sizeof longline - 1] = 0;
    int first = snprintf (text, sizeof text,
                          "0108 joined mid-frame\r\n!!\r\n"       //  a frame's tail: noise
                          "garbage \x01\x02\xff\r\n"              //  noise
                          "&&\r\n01081.0\r\n0110\x03" "bad\r\nXYZ\r\n0008 1\r\n0100 1\r\n%s\r\n01102.0\r\n!!\r\n"
                          "&&\r\n0108 3.0\r\n",                   //  cut short by the next frame
                          longline);
    rs_wits0_feed (p, text, (size_t) first, s_collect, &g);
    //  NULs before && (noise), then a frame cut short by the end of input.
    static const char tail[] = "\x00\x00&&\r\n01084.0\r\n!!\r\n&&\r\n01085.0\r\n";
    rs_wits0_feed (p, tail, sizeof tail - 1, s_collect, &g);
    rs_wits0_end (p, s_collect, &g);
    const rs_wits0_stats_t *st = rs_wits0_stats (p);
    RS_CHECK_INT (g.frames, 2);
    RS_CHECK_INT (g.n[0], 2);
    RS_CHECK_NEAR (g.value[0][0], 1.0, 0);
    RS_CHECK_NEAR (g.value[0][1], 2.0, 0);
    RS_CHECK_INT (g.n[1], 1);
    RS_CHECK_NEAR (g.value[1][0], 4.0, 0);
    RS_CHECK_INT (st->bad_lines, 4);        //  control byte, XYZ, record 00, item 00
    RS_CHECK_INT (st->long_lines, 1);
    RS_CHECK_INT (st->partial_frames, 2);
    RS_CHECK (st->noise_bytes >= strlen ("0108 joined mid-frame!!garbage ") + 2);
    RS_CHECK_INT (rs_wits0_rejected (p), 7);
    RS_CHECK (strstr (rs_wits0_last_reject (p), "cut short") != NULL);

    //  Too many items in one frame: the rest are dropped, the frame kept.
    rs_wits0_t *q = rs_wits0_new ();
    got_t h = { 0 };
    rs_wits0_feed (q, "&&\n", 3, s_collect, &h);
    for (int i = 0; i < 300; i++) {
        char line[32];
        int n = snprintf (line, sizeof line, "%04d%d\n", 101 + i % 90, i);
        rs_wits0_feed (q, line, (size_t) n, s_collect, &h);
    }
    rs_wits0_feed (q, "!!\n", 3, s_collect, &h);
    RS_CHECK_INT (h.frames, 1);
    RS_CHECK_INT (h.n[0], RS_WITS0_MAX_ITEMS);
    RS_CHECK_INT (rs_wits0_stats (q)->dropped_items, 300 - RS_WITS0_MAX_ITEMS);
    rs_wits0_destroy (&q);

    //  Random bytes then a clean frame: the parser recovers.
    srand (7);
    char noise[20000];
    for (size_t i = 0; i < sizeof noise; i++)
        noise[i] = (char) (rand () & 0xff);
    got_t r = { 0 };
    rs_wits0_feed (p, noise, sizeof noise, s_collect, &r);
    rs_wits0_feed (p, "\r\n!!\r\n&&\r\n010842\r\n!!\r\n", 22, s_collect, &r);
    RS_CHECK (r.frames >= 1);
    RS_CHECK_NEAR (r.value[r.frames - 1][0], 42, 0);
    rs_wits0_destroy (&p);
}

static void
test_format (void)
{
    char buf[256];
    RS_CHECK_STR (rs_wits0_number (2451.2, buf, sizeof buf), "2451.2");
    RS_CHECK_STR (rs_wits0_number (120, buf, sizeof buf), "120");
    RS_CHECK_STR (rs_wits0_number (-0.5, buf, sizeof buf), "-0.5");
    RS_CHECK_STR (rs_wits0_number (-0.0001, buf, sizeof buf), "0");
    RS_CHECK_STR (rs_wits0_number (0.12345, buf, sizeof buf), "0.123");
    RS_CHECK_STR (rs_wits0_number (1e15, buf, sizeof buf), "1e+15");
    rs_wits0_item_t items[] = { { 108, 2451.25, false, NULL }, { 101, NAN, false, "WELL-1" },
                                { 121, NAN, true, "-9999.00" } };
    int len = rs_wits0_format (items, 3, buf, sizeof buf);
    RS_CHECK_STR (buf, "&&\r\n01082451.25\r\n0101WELL-1\r\n0121-9999.00\r\n!!\r\n");
    RS_CHECK_INT (len, (int) strlen (buf));
    RS_CHECK_INT (rs_wits0_format (items, 3, buf, 20), -1);
    rs_wits0_item_t bad[] = { { 100, 1, false, NULL } };
    RS_CHECK_INT (rs_wits0_format (bad, 1, buf, sizeof buf), -1);
    rs_wits0_item_t nan_item[] = { { 108, NAN, false, NULL } };
    RS_CHECK_INT (rs_wits0_format (nan_item, 1, buf, sizeof buf), -1);
    RS_CHECK_INT (rs_wits0_format (NULL, 0, buf, sizeof buf), 8);
    //  What we write, we read.
    rs_wits0_t *p = rs_wits0_new ();
    got_t g = { 0 };
    len = rs_wits0_format (items, 3, buf, sizeof buf);
    rs_wits0_feed (p, buf, (size_t) len, s_collect, &g);
    RS_CHECK_INT (g.frames, 1);
    RS_CHECK_NEAR (g.value[0][0], 2451.25, 0);
    RS_CHECK (g.null[0][2]);
    rs_wits0_feed (p, RS_WITS0_HEARTBEAT, strlen (RS_WITS0_HEARTBEAT), s_collect, &g);
    RS_CHECK_INT (rs_wits0_stats (p)->heartbeats, 1);
    rs_wits0_destroy (&p);
}

static const rs_value_t *
s_find (const rs_wits0_sample_t *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp (s->ch[i].name, name) == 0)
            return &s->ch[i];
    return NULL;
}

static int64_t
iso (const char *text)
{
    int64_t ts = 0;
    rs_clock_parse (text, &ts);
    return ts;
}

static void
test_map (void)
{
    rs_wits0map_t *metric = rs_wits0map_parse (NULL, NULL, false);
    rs_wits0map_t *fps = rs_wits0map_parse (NULL, NULL, true);
    RS_CHECK (metric && fps);
    if (!metric || !fps)
        return;
    //  The record 01 codes, per the WITS table (not what some parsers say).
    static const struct {
        int code;
        const char *channel;
        double metric_scale, fps_scale;
    } table[] = {
        { 108, "bit_depth", 1, 0.3048 }, { 110, "hole_depth", 1, 0.3048 }, { 112, "block_pos", 1, 0.3048 },
        { 113, "rop", 1, 0.3048 }, { 114, "hook_load", 10, 4.4482216 }, { 116, "wob", 10, 4.4482216 },
        { 118, "torque", 1, 1.3558179 }, { 120, "rpm", 1, 1 }, { 121, "spp", 0.01, 0.068947573 },
        { 122, "casing_pressure", 0.01, 0.068947573 }, { 123, "spm1", 1, 1 }, { 124, "spm2", 1, 1 },
        { 125, "spm3", 1, 1 }, { 126, "pit_volume", 1, 0.15898729 }, { 127, "pit_gain", 1, 0.15898729 },
        { 129, "flow_out", 1, 3.7854118 }, { 130, "flow_in", 1, 3.7854118 },
        { 131, "mud_density_out", 1, 119.82643 }, { 132, "mud_density_in", 1, 119.82643 },
        { 133, "mud_temp_out", 1, 5.0 / 9.0 }, { 134, "mud_temp_in", 1, 5.0 / 9.0 }, { 140, "gas", 1, 1 },
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const rs_wits0map_entry_t *m = rs_wits0map_find (metric, table[i].code);
        const rs_wits0map_entry_t *f = rs_wits0map_find (fps, table[i].code);
        if (!m || !f || strcmp (m->ch.name, table[i].channel) != 0
            || fabs (m->ch.scale - table[i].metric_scale) > 1e-12 || fabs (f->ch.scale - table[i].fps_scale) > 1e-12) {
            fprintf (stderr, "item %04d\n", table[i].code);
            RS_CHECK (0);
        }
    }
    RS_CHECK (rs_wits0map_find (metric, 105)->role == RS_MAP_DATE);
    RS_CHECK (rs_wits0map_find (metric, 106)->role == RS_MAP_TIME);
    RS_CHECK (rs_wits0map_find (metric, 169) == NULL);
    RS_CHECK (rs_wits0map_find (metric, 12345) == NULL);
    RS_CHECK_NEAR (rs_wits0map_find (fps, 134)->ch.offset, -160.0 / 9.0, 1e-12);

    //  A frame in FPS units becomes a sample in the suite's units, at the frame's time.
    rs_wits0_item_t items[] = {
        { 105, 240115, false, "240115" }, { 106, 93015, false, "093015" }, { 108, 1000, false, "1000" },
        { 114, 200, false, "200" }, { 121, NAN, true, "-9999.00" }, { 134, 212, false, "212" },
        { 169, 7, false, "7" }, { 120, NAN, false, "fast" }, { 108, 1001, false, "1001" },
    };
    rs_wits0_sample_t *s = malloc (sizeof *s);
    int64_t rx = iso ("2024-01-15T10:00:00Z");
    rs_wits0map_sample (fps, items, 9, rx, 0, false, s);
    RS_CHECK (s->ts_from_frame && !s->bad_time);
    RS_CHECK_INT (s->ts_us, iso ("2024-01-15T09:30:15Z"));
    RS_CHECK_INT (s->n, 5);
    RS_CHECK_NEAR (s_find (s, "bit_depth")->value, 304.8, 1e-9);
    RS_CHECK_INT (s_find (s, "bit_depth")->id, RS_CH_BIT_DEPTH);
    RS_CHECK_NEAR (s_find (s, "hook_load")->value, 889.64432, 1e-6);
    RS_CHECK (isnan (s_find (s, "spp")->value));
    RS_CHECK_NEAR (s_find (s, "mud_temp_in")->value, 100, 1e-9);
    RS_CHECK (isnan (s_find (s, "rpm")->value));
    RS_CHECK_INT (s->unknown, 1);
    RS_CHECK_INT (s->bad_values, 1);
    RS_CHECK_INT (s->duplicates, 1);
    RS_CHECK (s_find (s, "wits_0169") == NULL);
    rs_wits0map_sample (fps, items, 9, rx, 0, true, s);
    RS_CHECK_NEAR (s_find (s, "wits_0169")->value, 7, 0);
    //  Local times: the sender is at UTC+1.
    rs_wits0map_sample (metric, items, 2, rx, 3600000000, false, s);
    RS_CHECK_INT (s->ts_us, iso ("2024-01-15T08:30:15Z"));
    RS_CHECK_INT (s->n, 0);
    //  A time without a date: the receive day, or the nearer neighbour.
    rs_wits0map_sample (metric, items + 1, 1, rx, 0, false, s);
    RS_CHECK_INT (s->ts_us, iso ("2024-01-15T09:30:15Z"));
    rs_wits0_item_t late[] = { { 106, 235959, false, "235959" } };
    rs_wits0map_sample (metric, late, 1, iso ("2024-01-16T00:00:02Z"), 0, false, s);
    RS_CHECK_INT (s->ts_us, iso ("2024-01-15T23:59:59Z"));
    //  Numbers that lost their leading zeros.
    rs_wits0_item_t numeric[] = { { 105, 50115, false, "50115.0" }, { 106, 93015.5, false, "93015.5" } };
    rs_wits0map_sample (metric, numeric, 2, rx, 0, false, s);
    RS_CHECK_INT (s->ts_us, iso ("2005-01-15T09:30:15.5Z"));
    //  A bad date: the receive time, flagged.
    rs_wits0_item_t bad_date[] = { { 105, 241315, false, "241315" }, { 106, 93015, false, "093015" },
                                   { 108, 1, false, "1" } };
    rs_wits0map_sample (metric, bad_date, 3, rx, 0, false, s);
    RS_CHECK (s->bad_time && !s->ts_from_frame && s->ts_us == rx && s->n == 1);
    rs_wits0_item_t no_time[] = { { 108, 1, false, "1" } };
    rs_wits0map_sample (metric, no_time, 1, rx, 0, false, s);
    RS_CHECK (!s->bad_time && !s->ts_from_frame && s->ts_us == rx);

    //  A sample becomes a frame in the sender's units; nil is the null text, absent is left out.
    rs_value_t values[] = { { "bit_depth", RS_CH_BIT_DEPTH, 304.8 }, { "hook_load", RS_CH_HOOK_LOAD, 889.64432 },
                            { "spp", RS_CH_SPP, NAN }, { "mud_temp_in", RS_CH_MUD_TEMP_IN, 100 },
                            { "vendor", RS_CH_UNKNOWN, 3 } };
    rs_wits0_frame_t *f = malloc (sizeof *f);
    size_t nch = rs_wits0map_frame (fps, values, 5, iso ("2024-01-15T09:30:15Z"), 0, "-9999.00", f);
    RS_CHECK_INT (nch, 4);
    RS_CHECK_INT (f->n, 6);
    RS_CHECK_INT (f->items[0].code, 105);
    RS_CHECK_STR (f->items[0].text, "240115");
    RS_CHECK_STR (f->items[1].text, "093015");
    RS_CHECK_INT (f->items[2].code, 108);
    RS_CHECK_STR (f->items[2].text, "1000");
    RS_CHECK_STR (f->items[3].text, "200");
    RS_CHECK_STR (f->items[4].text, "-9999.00");
    RS_CHECK_INT (f->items[5].code, 134);
    RS_CHECK_STR (f->items[5].text, "212");
    RS_CHECK_INT (rs_wits0map_frame (metric, values, 5, iso ("2024-01-15T23:30:00Z"), 3600000000, NULL, f), 3);
    RS_CHECK_STR (f->items[0].text, "240116");
    RS_CHECK_STR (f->items[1].text, "003000");
    RS_CHECK_STR (f->items[3].text, "88.964");

    //  Round trip: sample -> frame text -> parser -> sample.
    char buf[1024];
    rs_wits0map_frame (fps, values, 5, iso ("2024-01-15T09:30:15Z"), 0, "-9999.00", f);
    int len = rs_wits0_format (f->items, f->n, buf, sizeof buf);
    RS_CHECK (len > 0);
    rs_wits0_t *p = rs_wits0_new ();
    got_t g = { 0 };
    rs_wits0_feed (p, buf, (size_t) len, s_collect, &g);
    RS_CHECK_INT (g.frames, 1);
    rs_wits0_item_t back[8];
    for (size_t i = 0; i < g.n[0]; i++)
        back[i] = (rs_wits0_item_t) { g.code[0][i], g.value[0][i], g.null[0][i], g.text[0][i] };
    rs_wits0map_sample (fps, back, g.n[0], 0, 0, false, s);
    RS_CHECK_INT (s->ts_us, iso ("2024-01-15T09:30:15Z"));
    RS_CHECK_NEAR (s_find (s, "bit_depth")->value, 304.8, 1e-3);
    RS_CHECK_NEAR (s_find (s, "hook_load")->value, 889.64432, 1e-2);
    RS_CHECK (isnan (s_find (s, "spp")->value));
    RS_CHECK_NEAR (s_find (s, "mud_temp_in")->value, 100, 1e-3);
    rs_wits0_destroy (&p);
    free (f);
    free (s);
    rs_wits0map_destroy (&metric);
    rs_wits0map_destroy (&fps);
    RS_CHECK (metric == NULL);
}

static void
test_map_files (void)
{
    rs_wits0map_t *m = rs_wits0map_parse ("0208 = bit_depth F M\n0169 = pason_169 -\n0105=@date\n0150 = @ignore\n",
                                          "my.map", false);
    RS_CHECK (m != NULL);
    if (m) {
        RS_CHECK_NEAR (rs_wits0map_find (m, 208)->ch.scale, 0.3048, 1e-12);
        RS_CHECK_STR (rs_wits0map_find (m, 169)->ch.name, "pason_169");
        RS_CHECK_INT (rs_wits0map_find (m, 169)->ch.channel, RS_CH_UNKNOWN);
        RS_CHECK (rs_wits0map_find (m, 108) == NULL);
        rs_wits0_item_t items[] = { { 150, 1, false, "1" }, { 208, 10, false, "10" } };
        rs_wits0_sample_t *s = malloc (sizeof *s);
        rs_wits0map_sample (m, items, 2, 5, 0, false, s);
        RS_CHECK (s->n == 1 && s->unknown == 0);
        free (s);
        rs_wits0map_destroy (&m);
    }
    static const struct {
        const char *text;
        const char *error;
    } bad[] = {
        { "108 = bit_depth\n", "my.map:1: '108' is not a WITS0 item code" },
        { "0100 = bit_depth\n", "is not a WITS0 item code" },
        { "\n0106 = @datetime\n", "my.map:2: WITS0 sends the date and the time as two items" },
        { "0108 = bit_depth M GPM\n", "unit 'GPM' does not convert" },
        { "0108 = rpm\n0108 = rop\n", "already mapped" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        m = rs_wits0map_parse (bad[i].text, "my.map", false);
        RS_CHECK (m == NULL);
        if (!strstr (rs_errmsg (), bad[i].error)) {
            fprintf (stderr, "expected \"%s\" in \"%s\"\n", bad[i].error, rs_errmsg ());
            RS_CHECK (0);
        }
        rs_wits0map_destroy (&m);
    }
    RS_CHECK (rs_wits0map_load ("/nonexistent.map", false) == NULL);
    RS_CHECK_INT (rs_errcode (), RS_E_IO);
    //  --map and --units as both WITS0 programs read them.
    RS_CHECK (rs_wits0map_open ("/nonexistent.map", false) == NULL && strstr (rs_errmsg (), "/nonexistent.map"));
    m = rs_wits0map_open ("", true);
    RS_CHECK (m != NULL && rs_wits0map_find (m, 108) != NULL);
    rs_wits0map_destroy (&m);
    bool fps = false;
    RS_CHECK_INT (rs_wits0map_units ("fps", &fps), RS_OK);
    RS_CHECK (fps);
    RS_CHECK_INT (rs_wits0map_units ("metric", &fps), RS_OK);
    RS_CHECK (!fps);
    RS_CHECK_INT (rs_wits0map_units ("imperial", &fps), RS_E_CONFIG);
    RS_CHECK_STR (rs_errmsg (), "invalid value \"imperial\" for --units: expected metric or fps");
    //  The built-in text is a valid mapping file, as --print-map promises.
    RS_CHECK (strstr (rs_wits0map_default (), "0121 = spp") != NULL);
}

int
main (void)
{
    test_clean ();
    test_pason_and_heartbeats ();
    test_corrupted ();
    test_format ();
    test_map ();
    test_map_files ();
    return RS_TEST_DONE ();
}
