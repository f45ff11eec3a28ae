/*  libFuzzer harness for the WITSML 1.4 time-log reader (rs_witsml) and the
    wellbore's log set (rs_logset: curve mapping, unit conversion, the merge
    by time). The input is written to a file (the reader streams from one)
    and read to its end: whatever the bytes, opening fails with a message or
    every merged sample has strictly increasing times and values that are
    numbers or NaN, never infinite. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rs_err.h"
#include "rs_logset.h"

static char s_path[64];

static void
s_cleanup (void)
{
    unlink (s_path);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    const char *path = s_path;
    if (!s_path[0]) {
        snprintf (s_path, sizeof s_path, "/tmp/fuzz_witsml-%d.xml", (int) getpid ());
        atexit (s_cleanup);
    }
    FILE *f = fopen (path, "wb");
    if (!f)
        return 0;
    fwrite (data, 1, size, f);
    fclose (f);
    const char *paths[] = { path };
    rs_logset_t *set = rs_logset_open (paths, 1);
    if (!set) {
        if (!rs_errmsg () || !*rs_errmsg ())
            abort ();
        return 0;
    }
    rs_logmerge_t *merge = rs_logset_merge (set);
    int64_t ts, last = INT64_MIN;
    const rs_value_t *vals;
    size_t n;
    int rc;
    while ((rc = rs_logmerge_next (merge, &ts, &vals, &n)) == 1) {
        if (ts <= last)
            abort ();
        last = ts;
        for (size_t i = 0; i < n; i++)
            if (isinf (vals[i].value) || !vals[i].name)
                abort ();
    }
    if (rc < 0 && !*rs_logset_error (set))
        abort ();
    rs_logset_destroy (&set);
    return 0;
}
