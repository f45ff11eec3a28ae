/*  bench_engine_mem: the prediction engine's memory and speed at high sample
    rates, in process. The simulator makes each well's samples; they are
    encoded as telemetry bodies (rs_msg), then decoded and fed to rs_engine,
    with the KPIs taken once a second of sample time per well as the process
    does. Two scenarios, each in a child process of its own so that one's
    heap does not count in the other's RSS:

      one    1 well at 1 kHz   (target: RSS <= 30 MB)
      fleet  16 wells at 10 Hz (target: RSS <= 60 MB)

    Baselines measured in the same run: the RSS of the child before the
    engine exists (simulators, codec and the batch of encoded frames
    allocated and touched), and the throughput of decoding the same frames
    and copying their values without feeding them anywhere. Generating and
    encoding the frames is not timed. */
#define _GNU_SOURCE
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rs_channels.h"
#include "rs_engine.h"
#include "rs_msg.h"
#include "rs_sim.h"

#define BATCH       1024        // frames encoded, then decoded and fed, at a time
#define FRAME_MAX   1024
#define MAX_WELLS   64
#define T0_US       1700000000000000LL

typedef struct {
    const char *name;
    int wells;
    double hz;
    double target_mb;
} scenario_t;

static const scenario_t s_scenarios[] = {
    { "one", 1, 1000, 30 },
    { "fleet", 16, 10, 60 },
};

typedef struct {
    char topic[RS_MAX_TOPIC];
    size_t topic_len, body_len;
    unsigned char body[FRAME_MAX];
} frame_t;

static double
s_now (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

//  A field of /proc/self/status in MB (VmRSS, VmHWM), NaN if unreadable.
static double
s_status_mb (const char *field)
{
    FILE *f = fopen ("/proc/self/status", "r");
    if (!f)
        return NAN;
    char line[256];
    double mb = NAN;
    size_t len = strlen (field);
    while (fgets (line, sizeof line, f))
        if (strncmp (line, field, len) == 0 && line[len] == ':') {
            mb = strtod (line + len + 1, NULL) / 1024;
            break;
        }
    fclose (f);
    return mb;
}

//  Resets VmHWM to the current RSS (Linux >= 4.0), so the peak is this
//  scenario's, not the parent's before the fork.
static void
s_reset_peak (void)
{
    FILE *f = fopen ("/proc/self/clear_refs", "w");
    if (f) {
        fputs ("5", f);
        fclose (f);
    }
}

//  Runs one scenario; returns 0 when the target holds (or is not asserted).
static int
s_run (const scenario_t *sc, double minutes, bool assert_)
{
    rs_sim_t *sims[MAX_WELLS] = { 0 };
    char wells[MAX_WELLS][16];
    for (int w = 0; w < sc->wells; w++) {
        snprintf (wells[w], sizeof wells[w], "W-%02d", w + 1);
        rs_sim_opts_t so = { .well = wells[w], .seed = (uint64_t) w + 1, .random_events_per_h = 1 };
        sims[w] = rs_sim_new (&so);
        if (!sims[w]) {
            fprintf (stderr, "bench_engine_mem: no simulator\n");
            return 2;
        }
    }
    rs_encoder_t *enc = rs_encoder_new ();
    rs_decoder_t *dec = rs_decoder_new ();
    frame_t *frames = calloc (BATCH, sizeof *frames);
    if (!enc || !dec || !frames) {
        fprintf (stderr, "bench_engine_mem: no memory\n");
        return 2;
    }
    memset (frames, 1, BATCH * sizeof *frames);        // touched: part of the baseline RSS
    int64_t next_kpi[MAX_WELLS];
    for (int w = 0; w < sc->wells; w++)
        next_kpi[w] = T0_US + 1000000;

    double rss0 = s_status_mb ("VmRSS");
    s_reset_peak ();
    rs_engine_opts_t eo = { .max_wells = (size_t) sc->wells };
    rs_engine_t *eng = rs_engine_new (&eo, NULL, NULL);
    if (!eng) {
        fprintf (stderr, "bench_engine_mem: no engine\n");
        return 2;
    }

    uint64_t steps = (uint64_t) llround (minutes * 60 * sc->hz), samples = 0, refused = 0;
    double dt = 1 / sc->hz, raw_s = 0, eng_s = 0, check = 0, rss_max = rss0;
    uint64_t seq = 0;
    size_t nf = 0;
    for (uint64_t k = 0; k < steps; k++) {
        int64_t ts = T0_US + (int64_t) llround ((double) (k + 1) * dt * 1e6);
        for (int w = 0; w < sc->wells; w++) {
            rs_value_t vals[RS_CH_COUNT + 4];
            size_t n = rs_sim_step (sims[w], dt, vals, RS_CH_COUNT + 4);
            rs_header_t hdr = { "bench", 1, ++seq, ts };
            frame_t *f = &frames[nf];
            int tl = rs_topic_format (f->topic, sizeof f->topic, RS_KIND_TELEMETRY, wells[w]);
            if (tl < 0 || rs_encode_sample (enc, wells[w], &hdr, vals, n) != RS_OK
                || rs_encoder_size (enc) > FRAME_MAX) {
                fprintf (stderr, "bench_engine_mem: cannot encode a sample\n");
                return 2;
            }
            f->topic_len = (size_t) tl;
            f->body_len = rs_encoder_size (enc);
            memcpy (f->body, rs_encoder_data (enc), f->body_len);
            nf++;
        }
        if (nf + (size_t) sc->wells <= BATCH && k + 1 < steps)
            continue;

        //  Raw baseline: decode and copy the values out.
        double t0 = s_now ();
        for (size_t i = 0; i < nf; i++) {
            rs_msg_t msg;
            rs_value_t copy[RS_MAX_CHANNELS];
            if (rs_decode (dec, frames[i].topic, frames[i].topic_len, frames[i].body, frames[i].body_len,
                           &msg) != RS_OK) {
                fprintf (stderr, "bench_engine_mem: decode: %s\n", rs_decoder_detail (dec));
                return 2;
            }
            memcpy (copy, msg.values, msg.n_values * sizeof *copy);
            check += copy[0].value;
        }
        double t1 = s_now ();
        //  The engine: decode, feed, KPIs once a second per well.
        for (size_t i = 0; i < nf; i++) {
            rs_msg_t msg;
            rs_decode (dec, frames[i].topic, frames[i].topic_len, frames[i].body, frames[i].body_len, &msg);
            if (rs_engine_feed (eng, msg.id, msg.hdr.ts_us, msg.values, msg.n_values) < 0)
                refused++;
            int w = (int) (i % (size_t) sc->wells);
            if (msg.hdr.ts_us >= next_kpi[w]) {
                next_kpi[w] += 1000000;
                for (size_t j = 0; j < rs_engine_wells (eng); j++)
                    if (strcmp (rs_engine_well_id (eng, j), msg.id) == 0) {
                        rs_value_t kv[RS_ENGINE_KPI_MAX];
                        size_t nk = rs_engine_kpis (eng, j, kv, RS_ENGINE_KPI_MAX);
                        check += nk ? kv[0].value == kv[0].value : 0;
                    }
            }
        }
        double t2 = s_now ();
        raw_s += t1 - t0;
        eng_s += t2 - t1;
        samples += nf;
        nf = 0;
        double rss = s_status_mb ("VmRSS");
        if (rss > rss_max)
            rss_max = rss;
    }
    double rss_end = s_status_mb ("VmRSS"), hwm = s_status_mb ("VmHWM");
    double peak = isnan (hwm) ? rss_max : fmax (hwm, rss_max);
    const rs_engine_stats_t *st = rs_engine_stats (eng);
    double raw_rate = samples / raw_s, eng_rate = samples / eng_s;
    bool ok = peak <= sc->target_mb && refused == 0 && st->samples == samples;

    printf ("%-5s %2d well%s x %6.0f Hz x %4.0f min: %9llu samples fed (%llu processed)\n", sc->name, sc->wells,
            sc->wells > 1 ? "s" : " ", sc->hz, minutes, (unsigned long long) samples,
            (unsigned long long) st->samples);
    printf ("      RSS before the engine %6.1f MB, peak %6.1f MB, at the end %6.1f MB: engine %+6.1f MB "
            "(%.1f kB per well), peak / before %.2f\n", rss0, peak, rss_end, peak - rss0,
            (peak - rss0) * 1024 / sc->wells, peak / rss0);
    printf ("      throughput (one core): decode+copy %9.0f samples/s, decode+engine %9.0f samples/s, "
            "ratio %.3f\n", raw_rate, eng_rate, eng_rate / raw_rate);
    printf ("      engine alone %.2f us/sample; target RSS <= %.0f MB: %s%s\n",
            (eng_s - raw_s) / (double) samples * 1e6, sc->target_mb, peak <= sc->target_mb ? "holds" : "MISSED",
            refused ? " (samples refused)" : "");
    fflush (stdout);
    if (check == 42.4242)
        printf ("\n");                                  // keeps the copies from being optimised out

    rs_engine_destroy (&eng);
    for (int w = 0; w < sc->wells; w++)
        rs_sim_destroy (&sims[w]);
    rs_encoder_destroy (&enc);
    rs_decoder_destroy (&dec);
    free (frames);
    return assert_ && !ok ? 1 : 0;
}

static void
s_usage (FILE *out)
{
    fprintf (out,
             "usage: bench_engine_mem [--minutes M] [--scenario one|fleet|all] [--assert]\n"
             "  The prediction engine in process, fed simulated samples through the telemetry codec:\n"
             "  one = 1 well at 1 kHz (target RSS <= 30 MB), fleet = 16 wells at 10 Hz (<= 60 MB).\n"
             "  --minutes M   minutes of sample time per scenario (default 20)\n"
             "  --scenario S  which to run (default all; each runs in a child process)\n"
             "  --assert      exit 1 when a target is missed\n");
}

int
main (int argc, char **argv)
{
    double minutes = 20;
    const char *which = "all";
    bool assert_ = false;
    static const struct option longopts[] = {
        { "minutes", required_argument, NULL, 'm' },
        { "scenario", required_argument, NULL, 's' },
        { "assert", no_argument, NULL, 'a' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;
    while ((c = getopt_long (argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm':
            minutes = strtod (optarg, NULL);
            break;
        case 's':
            which = optarg;
            break;
        case 'a':
            assert_ = true;
            break;
        case 'h':
            s_usage (stdout);
            return 0;
        default:
            s_usage (stderr);
            return 2;
        }
    }
    if (!(minutes > 0) || minutes > 24 * 60) {
        fprintf (stderr, "bench_engine_mem: --minutes must be in (0, 1440]\n");
        return 2;
    }
    int status = 0, ran = 0;
    for (size_t i = 0; i < sizeof s_scenarios / sizeof s_scenarios[0]; i++) {
        const scenario_t *sc = &s_scenarios[i];
        if (strcmp (which, "all") != 0 && strcmp (which, sc->name) != 0)
            continue;
        ran++;
        fflush (stdout);
        pid_t pid = fork ();
        if (pid < 0) {
            perror ("bench_engine_mem: fork");
            return 2;
        }
        if (pid == 0)
            _exit (s_run (sc, minutes, assert_));
        int ws = 0;
        if (waitpid (pid, &ws, 0) < 0 || !WIFEXITED (ws))
            status = 2;
        else if (WEXITSTATUS (ws) != 0 && status == 0)
            status = WEXITSTATUS (ws);
    }
    if (!ran) {
        fprintf (stderr, "bench_engine_mem: unknown scenario %s\n", which);
        return 2;
    }
    return status;
}
