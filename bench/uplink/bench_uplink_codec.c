/*  Uplink codec benchmark: bytes on the wire per sample and encoding speed,
    Sparkplug B DDATA (aliases, per-metric timestamps, N samples of one well
    per message) against one JSON object per sample, for a 21-channel sample
    of the suite's known channels. Usage: bench_uplink_codec [SAMPLES] */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rs_channels.h"
#include "rs_spb.h"

static double
s_now (void)
{
    struct timespec t;
    clock_gettime (CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + (double) t.tv_nsec / 1e9;
}

int
main (int argc, char **argv)
{
    long samples = argc > 1 ? atol (argv[1]) : 200000;
    int batches[] = { 1, 5, 20, 100 };
    uint64_t t0 = 1795400000000ULL;
    rs_spb_metric_t *ms = calloc ((size_t) (RS_CH_COUNT + 1) * 100, sizeof *ms);
    if (!ms)
        return 1;
    printf ("%-28s %12s %14s\n", "encoding", "bytes/sample", "samples/s");
    for (size_t b = 0; b < sizeof batches / sizeof batches[0]; b++) {
        int batch = batches[b];
        size_t total = 0;
        double start = s_now ();
        for (long s = 0; s < samples; s += batch) {
            size_t n = 0;
            for (int k = 0; k < batch; k++) {
                uint64_t ts = t0 + (uint64_t) (s + k) * 100;
                ms[n++] = (rs_spb_metric_t) { .alias = 3 + RS_CH_COUNT, .ts_ms = ts, .datatype = RS_SPB_UINT64,
                                              .u = (uint64_t) (s + k + 1) };
                for (int c = 0; c < RS_CH_COUNT; c++)
                    ms[n++] = (rs_spb_metric_t) { .alias = 3 + (uint64_t) c, .ts_ms = ts, .datatype = RS_SPB_DOUBLE,
                                                  .d = 1000.0 * c + 0.001 * (double) (s + k) };
            }
            size_t size = 0;
            uint8_t *bytes = rs_spb_encode (t0 + (uint64_t) s * 100, true, (uint64_t) (s & 255), ms, n, &size);
            if (!bytes)
                return 1;
            total += size;
            free (bytes);
        }
        double dt = s_now () - start;
        char label[64];
        snprintf (label, sizeof label, "Sparkplug DDATA, %d/msg", batch);
        printf ("%-28s %12.1f %14.0f\n", label, (double) total / (double) samples, (double) samples / dt);
    }
    size_t total = 0;
    double start = s_now ();
    for (long s = 0; s < samples; s++) {
        json_t *values = json_object ();
        for (int c = 0; c < RS_CH_COUNT; c++)
            json_object_set_new (values, rs_chan_info (c)->name, json_real (1000.0 * c + 0.001 * (double) s));
        json_t *o = json_pack ("{s:s, s:s, s:s, s:I, s:I, s:b, s:o}", "rig", "rig", "well", "A-01", "kind",
                               "telemetry", "seq", (json_int_t) s + 1, "ts", (json_int_t) (t0 + (uint64_t) s * 100),
                               "historical", 0, "values", values);
        char *text = json_dumps (o, JSON_COMPACT);
        total += strlen (text);
        free (text);
        json_decref (o);
    }
    double dt = s_now () - start;
    printf ("%-28s %12.1f %14.0f\n", "JSON object per sample", (double) total / (double) samples,
            (double) samples / dt);
    free (ms);
    return 0;
}
