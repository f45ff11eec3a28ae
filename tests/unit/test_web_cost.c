/*  The web bridge's history cost ledger (rs_webcost) and audit file
    (rs_webaudit), without a server: slots at once per client and in total,
    row and CPU budgets that refill per minute with the wait told, loopback
    counted as one client; audit lines appended across reopenings, rotated
    by size, refusal floods summarised. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rs_err.h"
#include "rs_test.h"
#include "rs_webaudit.h"
#include "rs_webcost.h"

static void
s_test_slots (void)
{
    rs_webcost_opts_t opts = { .max_active = 2, .max_active_client = 1 };
    rs_webcost_t *c = rs_webcost_new (&opts);
    rs_webcost_ticket_t a, b, x;
    rs_webcost_verdict_t v;
    RS_CHECK (rs_webcost_begin (c, "127.0.0.1", 0, &a, &v) == 0);
    //  Another loopback address is the same client.
    RS_CHECK (rs_webcost_begin (c, "127.9.8.7", 0, &x, &v) == RS_WEBCOST_CLIENT_BUSY);
    RS_CHECK (v.retry_after_s >= 1 && strstr (v.message, "WEB_HISTORY_CLIENT_CONCURRENT"));
    RS_CHECK (rs_webcost_begin (c, "10.0.0.1", 0, &b, &v) == 0);
    RS_CHECK (rs_webcost_begin (c, "10.0.0.2", 0, &x, &v) == RS_WEBCOST_BUSY);
    RS_CHECK (strstr (v.message, "WEB_HISTORY_CONCURRENT") != NULL);
    rs_webcost_charge (c, &a, 10, 1, 10);
    RS_CHECK (rs_webcost_begin (c, "127.0.0.2", 10, &a, &v) == 0);
    rs_webcost_charge (c, &a, 10, 1, 20);
    rs_webcost_charge (c, &b, 10, 1, 20);
    rs_webcost_stats_t st;
    rs_webcost_stats (c, &st);
    RS_CHECK (st.admitted == 3 && st.refused_busy == 2 && st.rows == 30 && st.active == 0);
    rs_webcost_destroy (&c);
}

static void
s_test_budgets (void)
{
    rs_webcost_opts_t opts = { .max_active = 4, .max_active_client = 2, .client_rows_min = 6000,
                               .total_rows_min = 10000, .client_cpu_ms_min = 600 };
    rs_webcost_t *c = rs_webcost_new (&opts);
    rs_webcost_ticket_t t;
    rs_webcost_verdict_t v;
    //  A whole minute's rows at once, then refused until it is paid back.
    RS_CHECK (rs_webcost_begin (c, "10.0.0.1", 1000, &t, &v) == 0);
    rs_webcost_charge (c, &t, 9000, 0, 1000);
    RS_CHECK (rs_webcost_begin (c, "10.0.0.1", 1000, &t, &v) == RS_WEBCOST_CLIENT_ROWS);
    //  3000 rows over the 6000 budget at 100 rows/s: 30 s.
    RS_CHECK (v.retry_after_s >= 29 && v.retry_after_s <= 31 && strstr (v.message, "WEB_HISTORY_CLIENT_ROWS"));
    //  Another client has its own budget, but not beyond the total.
    RS_CHECK (rs_webcost_begin (c, "10.0.0.2", 1000, &t, &v) == 0);
    rs_webcost_charge (c, &t, 2000, 0, 1000);
    RS_CHECK (rs_webcost_begin (c, "10.0.0.3", 1000, &t, &v) == RS_WEBCOST_TOTAL_ROWS);
    //  31 s later the first client is under its budget again.
    RS_CHECK (rs_webcost_begin (c, "10.0.0.1", 32000, &t, &v) == 0);
    //  CPU: 700 ms charged against 600 per minute.
    rs_webcost_charge (c, &t, 0, 700, 32000);
    RS_CHECK (rs_webcost_begin (c, "10.0.0.1", 32000, &t, &v) == RS_WEBCOST_CLIENT_ROWS
              || v.reason == RS_WEBCOST_CLIENT_CPU);
    RS_CHECK (rs_webcost_begin (c, "10.0.0.1", 200000, &t, &v) == 0);
    rs_webcost_charge (c, &t, 0, 0, 200000);
    //  The thread's real CPU clock is what rs_webcost_end charges.
    RS_CHECK (rs_webcost_begin (c, "10.0.0.9", 200000, &t, &v) == 0);
    volatile double sink = 0;
    for (int i = 0; i < 3000000; i++)
        sink += i * 0.5;
    (void) sink;
    double ms = rs_webcost_end (c, &t, 1, 200001);
    RS_CHECK (ms > 0 && ms < 5000);
    rs_webcost_destroy (&c);
}

static void
s_test_trim (void)
{
    rs_webcost_opts_t opts = { 0 };
    rs_webcost_t *c = rs_webcost_new (&opts);
    rs_webcost_sent (c, 1000);
    RS_CHECK (!rs_webcost_trim_due (c));
    rs_webcost_sent (c, RS_WEBCOST_TRIM_BYTES);
    RS_CHECK (rs_webcost_trim_due (c));
    RS_CHECK (!rs_webcost_trim_due (c));
    rs_webcost_destroy (&c);
}

static int
s_lines (const char *path)
{
    FILE *f = fopen (path, "r");
    if (!f)
        return -1;
    int n = 0, ch;
    while ((ch = fgetc (f)) != EOF)
        n += ch == '\n';
    fclose (f);
    return n;
}

static void
s_test_audit (void)
{
    char dir[] = "/tmp/test_web_audit_XXXXXX";
    RS_CHECK (mkdtemp (dir) != NULL);
    char path[256], rotated[300];
    snprintf (path, sizeof path, "%s/logs/audit.log", dir);
    rs_webaudit_t *a = rs_webaudit_new (path, 4096, 2);
    RS_CHECK (a != NULL);
    rs_webaudit_entry_t w = { .event = "write", .method = "PUT", .path = "/api/thresholds",
                              .remote_addr = "127.0.0.1", .origin = "http://127.0.0.1:8080",
                              .host = "127.0.0.1:8080", .auth = "x-rigstream", .status = 200 };
    RS_CHECK (rs_webaudit_write (a, &w, 1700000000000000LL) == 0);
    rs_webaudit_destroy (&a);
    //  Reopened (a restart): appended to, not emptied.
    a = rs_webaudit_new (path, 4096, 2);
    RS_CHECK (rs_webaudit_write (a, &w, 1700000000000000LL) == 0);
    RS_CHECK_INT (s_lines (path), 2);
    FILE *f = fopen (path, "r");
    char line[1024] = "";
    RS_CHECK (f && fgets (line, sizeof line, f));
    if (f)
        fclose (f);
    json_t *doc = json_loads (line, 0, NULL);
    RS_CHECK (doc && strcmp (json_string_value (json_object_get (doc, "auth")), "x-rigstream") == 0
              && json_integer_value (json_object_get (doc, "status")) == 200
              && json_object_get (doc, "reason") == NULL
              && strcmp (json_string_value (json_object_get (doc, "time")), "2023-11-14T22:13:20.000Z") == 0);
    json_decref (doc);
    //  A refusal flood in one second: RS_WEBAUDIT_REFUSALS_S lines, the
    //  rest counted in one "suppressed" line when the next second starts.
    rs_webaudit_entry_t r = w;
    r.event = "refused";
    r.status = 403;
    r.reason = "origin http://evil.example not allowed";
    for (int i = 0; i < RS_WEBAUDIT_REFUSALS_S + 30; i++)
        rs_webaudit_write (a, &r, 1700000001000000LL);
    rs_webaudit_write (a, &w, 1700000002000000LL);
    uint64_t lines = 0, suppressed = 0;
    rs_webaudit_counts (a, &lines, &suppressed);
    RS_CHECK (suppressed == 30 && lines == 1 + RS_WEBAUDIT_REFUSALS_S + 2);     //  this opening's lines
    //  4 KB files: rotated into .1 and .2, never a .3, each within 4 KB.
    snprintf (rotated, sizeof rotated, "%s.1", path);
    struct stat st;
    RS_CHECK (stat (rotated, &st) == 0 && st.st_size <= 4096);
    snprintf (rotated, sizeof rotated, "%s.3", path);
    RS_CHECK (stat (rotated, &st) != 0);
    RS_CHECK (stat (path, &st) == 0 && st.st_size <= 4096);
    rs_webaudit_destroy (&a);
    //  A file that cannot be made: NULL with the reason.
    a = rs_webaudit_new ("/proc/no/such/audit.log", 4096, 2);
    RS_CHECK (a == NULL && strstr (rs_errmsg (), "/proc/no/such") != NULL);
    char cmd[300];
    snprintf (cmd, sizeof cmd, "rm -rf %s", dir);
    RS_CHECK (system (cmd) == 0);
}

int
main (void)
{
    s_test_slots ();
    s_test_budgets ();
    s_test_trim ();
    s_test_audit ();
    return RS_TEST_DONE ();
}
