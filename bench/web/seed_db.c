/*  seed_db: a recorder database holding a simulated well's last N hours at
    1 Hz, written through the saver's own rs_store (so the aggregates and
    marks are what a real run leaves), for the dashboard benchmark.

    seed_db PATH [HOURS] [WELL]      default 24 h of well B-01, ending now;
    keeps 12 channels: what the dashboard's charts show plus the bit depth. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rs_channels.h"
#include "rs_clock.h"
#include "rs_msg.h"
#include "rs_sim.h"
#include "rs_store.h"

static const char *s_keep[] = { "hook_load", "wob", "rpm", "torque", "spp", "flow_in", "flow_out",
                                "pit_volume", "pit_gain", "gas", "rop", "bit_depth" };
#define KEEP ((int) (sizeof s_keep / sizeof s_keep[0]))

int
main (int argc, char **argv)
{
    if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0) {
        fprintf (stderr, "usage: seed_db PATH [HOURS] [WELL]: 1 Hz samples of a simulated well (12 channels)\n"
                         "for the last HOURS (24) into a new recorder database at PATH\n");
        return argc < 2 ? 1 : 0;
    }
    const char *path = argv[1];
    double hours = argc > 2 ? atof (argv[2]) : 24;
    const char *well = argc > 3 ? argv[3] : "B-01";
    if (!(hours > 0 && hours <= 24 * 31)) {
        fprintf (stderr, "seed_db: HOURS must be in (0, 744]\n");
        return 1;
    }
    char topic[128];
    snprintf (topic, sizeof topic, "telemetry.%s", well);
    unlink (path);

    rs_store_opts_t opts = { .path = path, .batch_rows = 5000, .flush_ms = 1000 };
    rs_store_t *store = rs_store_new (&opts);
    rs_sim_opts_t so = { .well = well, .seed = 7 };
    rs_sim_t *sim = rs_sim_new (&so);
    if (!store || !sim || rs_store_open (store, rs_clock_mono_ms ()) != 0) {
        fprintf (stderr, "seed_db: cannot open %s\n", path);
        return 1;
    }
    size_t n = (size_t) (hours * 3600);
    int64_t t0 = rs_clock_now_us () - (int64_t) n * 1000000;
    uint64_t epoch = (uint64_t) t0;
    for (size_t i = 0; i < n; i++) {
        rs_value_t v[RS_CH_COUNT], keep[KEEP];
        size_t k = rs_sim_step (sim, 1.0, v, RS_CH_COUNT), m = 0;
        for (size_t j = 0; j < k; j++)
            for (int c = 0; c < KEEP; c++)
                if (strcmp (v[j].name, s_keep[c]) == 0)
                    keep[m++] = v[j];
        rs_msg_t msg = {
            .kind = RS_KIND_TELEMETRY, .topic = topic, .id = well, .version = 1,
            .hdr = { "seed", epoch, (uint64_t) i + 1, t0 + (int64_t) i * 1000000 },
            .n_values = m, .values = keep,
        };
        int64_t now = rs_clock_mono_ms ();
        if (rs_store_add (store, &msg, now) != 0 || rs_store_tick (store, now) < 0) {
            fprintf (stderr, "seed_db: write failed at sample %zu\n", i);
            return 1;
        }
    }
    size_t left = rs_store_drain (store, 60000);
    const rs_store_stats_t *st = rs_store_stats (store);
    printf ("seed_db: %llu samples of %s (%d channels, %.0f h at 1 Hz) in %s\n",
            (unsigned long long) st->stored, well, KEEP, hours, path);
    rs_sim_destroy (&sim);
    rs_store_destroy (&store);
    return left ? 1 : 0;
}
