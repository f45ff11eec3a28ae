/*  rs_hub: fan-out, per-well coalescing, rate limiting, channel and well
    filters, drop counting for a client that does not drain, FIFO bounds,
    snapshot for late joiners, heartbeats. Time is passed in, no sockets. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>

#include "rs_hub.h"
#include "rs_test.h"

static rs_encoder_t *s_enc;
static rs_decoder_t *s_dec;

//  A decoded sample of `well` with hook_load = v and rpm = v / 10.
static rs_msg_t
s_sample (const char *well, uint64_t seq, double v)
{
    rs_header_t hdr = { "sim", 1, seq, 1700000000000000LL + (int64_t) seq * 1000000 };
    rs_value_t ch[] = { { "hook_load", 0, v }, { "rpm", 0, v / 10 }, { "gas", 0, NAN } };
    rs_encode_sample (s_enc, well, &hdr, ch, 3);
    char topic[80];
    int n = rs_topic_format (topic, sizeof topic, RS_KIND_TELEMETRY, well);
    rs_msg_t msg;
    rs_decode (s_dec, topic, (size_t) n, rs_encoder_data (s_enc), rs_encoder_size (s_enc), &msg);
    return msg;
}

static json_t *
s_poll (rs_hub_client_t *c, int64_t now)
{
    char *text = rs_hub_client_poll (c, now, NULL);
    json_t *doc = text ? json_loads (text, 0, NULL) : NULL;
    free (text);
    return doc;
}

static const char *
s_type (json_t *doc)
{
    return json_string_value (json_object_get (doc, "type"));
}

int
main (void)
{
    s_enc = rs_encoder_new ();
    s_dec = rs_decoder_new ();
    rs_hub_t *hub = rs_hub_new ();
    int64_t t = 1000;

    //  A fast client gets each sample at once when below its rate.
    rs_hub_client_t *fast = rs_hub_attach (hub, t, NULL);
    RS_CHECK (s_poll (fast, t) == NULL);
    rs_msg_t m = s_sample ("A-01", 1, 900);
    RS_CHECK_INT (rs_hub_sample (hub, &m, t), 0);
    json_t *doc = s_poll (fast, t);
    RS_CHECK_STR (s_type (doc), "sample");
    RS_CHECK_STR (json_string_value (json_object_get (doc, "well")), "A-01");
    RS_CHECK_INT (json_integer_value (json_object_get (doc, "seq")), 1);
    RS_CHECK_NEAR (json_real_value (json_object_get (json_object_get (doc, "ch"), "hook_load")), 900, 1e-9);
    RS_CHECK (json_is_null (json_object_get (json_object_get (doc, "ch"), "gas")));
    RS_CHECK_STR (json_string_value (json_object_get (doc, "time")), "2023-11-14T22:13:21.000Z");
    json_decref (doc);

    //  Default 2 Hz per well: the next sample 100 ms later waits until 500 ms
    //  after the last send; a newer one replaces it (decimation, not a drop).
    m = s_sample ("A-01", 2, 901);
    rs_hub_sample (hub, &m, t + 100);
    int64_t next = 0;
    RS_CHECK (rs_hub_client_poll (fast, t + 100, &next) == NULL);
    RS_CHECK_INT (next, t + 500);
    m = s_sample ("A-01", 3, 902);
    rs_hub_sample (hub, &m, t + 200);
    doc = s_poll (fast, t + 500);
    RS_CHECK_INT (json_integer_value (json_object_get (doc, "seq")), 3);
    json_decref (doc);
    uint64_t sent, dropped;
    rs_hub_client_counts (fast, &sent, &dropped);
    RS_CHECK_INT (sent, 2);
    RS_CHECK_INT (dropped, 0);

    //  Two wells are both served; the one that waited longest goes first.
    t = 10000;
    m = s_sample ("B-02", 1, 500);
    rs_hub_sample (hub, &m, t);
    m = s_sample ("A-01", 4, 903);
    rs_hub_sample (hub, &m, t);
    json_t *d1 = s_poll (fast, t), *d2 = s_poll (fast, t);
    RS_CHECK_STR (json_string_value (json_object_get (d1, "well")), "B-02");
    RS_CHECK_STR (json_string_value (json_object_get (d2, "well")), "A-01");
    json_decref (d1);
    json_decref (d2);

    //  A client that never drains: each replaced value that was overdue
    //  counts as dropped; then one notice with the count, then the newest value.
    rs_hub_client_t *slow = rs_hub_attach (hub, t, NULL);
    json_decref (s_poll (slow, t));     //  snapshot: latest of each well
    json_decref (s_poll (slow, t));
    for (int i = 0; i < 10; i++) {
        m = s_sample ("A-01", 10 + (uint64_t) i, 1000 + i);
        rs_hub_sample (hub, &m, t + 1000 * (i + 1));
        json_decref (s_poll (fast, t + 1000 * (i + 1)));   //  the fast one keeps up
    }
    rs_hub_client_counts (slow, &sent, &dropped);
    RS_CHECK_INT (dropped, 9);
    rs_hub_client_counts (fast, NULL, &dropped);
    RS_CHECK_INT (dropped, 0);
    doc = s_poll (slow, t + 11000);
    RS_CHECK_STR (s_type (doc), "dropped");
    RS_CHECK_INT (json_integer_value (json_object_get (doc, "count")), 9);
    json_decref (doc);
    doc = s_poll (slow, t + 11000);
    RS_CHECK_INT (json_integer_value (json_object_get (doc, "seq")), 19);   //  newest value first
    json_decref (doc);

    //  Filters: one well, one channel, 10 Hz.
    rs_hub_filter_t f = { .n_wells = 1, .n_channels = 1, .max_rate_hz = 10 };
    snprintf (f.wells[0], sizeof f.wells[0], "B-02");
    snprintf (f.channels[0], sizeof f.channels[0], "rpm");
    t = 100000;
    rs_hub_client_filter (hub, slow, &f, "{\"type\":\"subscribed\"}", t);
    doc = s_poll (slow, t);
    RS_CHECK_STR (s_type (doc), "subscribed");
    json_decref (doc);
    doc = s_poll (slow, t);             //  latest B-02 at once
    RS_CHECK_STR (json_string_value (json_object_get (doc, "well")), "B-02");
    RS_CHECK_INT (json_object_size (json_object_get (doc, "ch")), 1);
    RS_CHECK_NEAR (json_real_value (json_object_get (json_object_get (doc, "ch"), "rpm")), 50, 1e-9);
    json_decref (doc);
    RS_CHECK (s_poll (slow, t) == NULL);
    m = s_sample ("A-01", 30, 1);
    rs_hub_sample (hub, &m, t + 10);
    RS_CHECK (s_poll (slow, t + 1000) == NULL);   //  not its well
    m = s_sample ("B-02", 2, 600);
    rs_hub_sample (hub, &m, t + 50);
    RS_CHECK (s_poll (slow, t + 50) == NULL);     //  100 ms period
    doc = s_poll (slow, t + 100);
    RS_CHECK_INT (json_integer_value (json_object_get (doc, "seq")), 2);
    json_decref (doc);

    //  Broadcast texts go in order, filtered by well; the FIFO is bounded
    //  (oldest out, counted).
    rs_hub_broadcast (hub, "A-01", "{\"type\":\"alert\",\"n\":1}", false);
    rs_hub_broadcast (hub, "B-02", "{\"type\":\"alert\",\"n\":2}", false);
    doc = s_poll (slow, t + 200);
    RS_CHECK_INT (json_integer_value (json_object_get (doc, "n")), 2);
    json_decref (doc);
    for (int i = 0; i < RS_HUB_FIFO_MAX + 5; i++)
        rs_hub_broadcast (hub, NULL, "{\"type\":\"event\"}", false);
    rs_hub_client_counts (slow, NULL, &dropped);
    RS_CHECK_INT (dropped, 9 + 5);

    //  KPIs coalesce per well; rig state from a state event reaches late joiners.
    rs_hub_kpi (hub, "A-01", "{\"type\":\"kpi\",\"k\":1}", "drilling", t);
    rs_hub_kpi (hub, "A-01", "{\"type\":\"kpi\",\"k\":2}", NULL, t);
    rs_hub_broadcast (hub, "A-01", "{\"type\":\"event\",\"state\":\"connection\"}", true);
    rs_hub_client_t *late = rs_hub_attach (hub, t, "{\"type\":\"hello\"}");
    doc = s_poll (late, t);
    RS_CHECK_STR (s_type (doc), "hello");      //  the greeting comes first
    json_decref (doc);
    int kpis = 0, events = 0, samples = 0;
    for (int i = 0; i < 10 && (doc = s_poll (late, t)); i++) {
        const char *type = s_type (doc);
        kpis += strcmp (type, "kpi") == 0 && json_integer_value (json_object_get (doc, "k")) == 2;
        events += strcmp (type, "event") == 0;
        samples += strcmp (type, "sample") == 0;
        json_decref (doc);
    }
    RS_CHECK_INT (kpis, 1);
    RS_CHECK_INT (events, 1);
    RS_CHECK_INT (samples, 2);
    json_t *wells = rs_hub_wells_json (hub, t);
    RS_CHECK_INT (json_array_size (wells), 2);
    RS_CHECK_STR (json_string_value (json_object_get (json_array_get (wells, 0), "rig_state")), "drilling");
    json_decref (wells);
    RS_CHECK (rs_hub_has_well (hub, "B-02"));
    RS_CHECK (!rs_hub_has_well (hub, "C-03"));

    //  Well table bound: the 65th well is refused and counted.
    for (int i = 0; i < RS_HUB_MAX_WELLS; i++) {
        char name[16];
        snprintf (name, sizeof name, "W-%02d", i);
        m = s_sample (name, 1, 1);
        rs_hub_sample (hub, &m, t);
    }
    rs_hub_stats_t st;
    rs_hub_stats (hub, &st);
    RS_CHECK_INT (st.refused_wells, 2);
    RS_CHECK_INT (st.clients, 3);

    //  Heartbeats.
    rs_text_t info[] = { { "state", "running" } };
    rs_value_t stats[] = { { "pid", -1, 42 } };
    rs_header_t hdr = { "sim", 1, 1, 1700000000000000LL };
    rs_encode_heartbeat (s_enc, "simulator", &hdr, stats, 1, info, 1);
    rs_decode (s_dec, "sys.simulator", 13, rs_encoder_data (s_enc), rs_encoder_size (s_enc), &m);
    rs_hub_heartbeat (hub, &m, t);
    json_t *comps = rs_hub_components_json (hub, t + 100, 3000);
    RS_CHECK (json_is_true (json_object_get (json_object_get (comps, "simulator"), "up")));
    RS_CHECK_INT (json_integer_value (json_object_get (json_object_get (comps, "simulator"), "pid")), 42);
    json_decref (comps);
    comps = rs_hub_components_json (hub, t + 5000, 3000);
    RS_CHECK (json_is_false (json_object_get (json_object_get (comps, "simulator"), "up")));
    json_decref (comps);

    //  /api/latest: each channel's last reading with its own time; nil skipped.
    rs_hub_t *lh = rs_hub_new ();
    rs_hub_set_well_timeout (lh, 2000);
    m = s_sample ("L-01", 1, 500);
    rs_hub_sample (lh, &m, 0);
    rs_header_t h2 = { "other", 1, 1, 1700000009000000LL };
    rs_value_t only[] = { { "hook_load", 0, 777 }, { "rpm", 0, NAN } };
    rs_encode_sample (s_enc, "L-01", &h2, only, 2);
    rs_decode (s_dec, "telemetry.L-01", 14, rs_encoder_data (s_enc), rs_encoder_size (s_enc), &m);
    rs_hub_sample (lh, &m, 1500);
    json_t *kpi = json_pack ("{s:s, s:{s:s}}", "rig_state", "drilling_rotary", "quality", "rpm", "rpm frozen");
    rs_hub_kpi_meta (lh, "L-01", kpi, 1500);
    json_decref (kpi);
    json_t *lat = rs_hub_latest_json (lh, "L-01", 2500);
    RS_CHECK_INT ((long long) json_array_size (lat), 1);
    json_t *w = json_array_get (lat, 0);
    json_t *chs = json_object_get (w, "channels");
    RS_CHECK (json_is_true (json_object_get (w, "live")));
    RS_CHECK_STR (json_string_value (json_object_get (w, "rig_state")), "drilling_rotary");
    RS_CHECK_NEAR (json_real_value (json_object_get (json_object_get (chs, "hook_load"), "value")), 777, 1e-9);
    RS_CHECK_STR (json_string_value (json_object_get (json_object_get (chs, "hook_load"), "pub")), "other");
    RS_CHECK_STR (json_string_value (json_object_get (json_object_get (chs, "hook_load"), "quality")), "ok");
    //  rpm's last reading (50, from the first sample) is 2.5 s old: stale
    //  beats the engine's verdict; gas only ever carried nil.
    RS_CHECK_NEAR (json_real_value (json_object_get (json_object_get (chs, "rpm"), "value")), 50, 1e-9);
    RS_CHECK_INT (json_integer_value (json_object_get (json_object_get (chs, "rpm"), "ts")), 1700000001000000LL);
    RS_CHECK_STR (json_string_value (json_object_get (json_object_get (chs, "rpm"), "quality")), "stale");
    RS_CHECK (json_object_get (chs, "gas") == NULL);
    json_decref (lat);
    lat = rs_hub_latest_json (lh, "L-01", 1900);
    chs = json_object_get (json_array_get (lat, 0), "channels");
    RS_CHECK_STR (json_string_value (json_object_get (json_object_get (chs, "rpm"), "quality")), "rpm frozen");
    json_decref (lat);
    lat = rs_hub_latest_json (lh, NULL, 9000);
    RS_CHECK (json_is_false (json_object_get (json_array_get (lat, 0), "live")));
    json_decref (lat);
    lat = rs_hub_latest_json (lh, "nope", 9000);
    RS_CHECK_INT ((long long) json_array_size (lat), 0);
    json_decref (lat);
    json_t *wl = rs_hub_wells_json (lh, 9000);
    RS_CHECK_NEAR (json_real_value (json_object_get (json_array_get (wl, 0), "age_s")), 7.5, 1e-9);
    json_decref (wl);
    rs_hub_destroy (&lh);

    //  Replies and history queued for a client are counted in bytes until
    //  its writer takes them (what bounds a WebSocket's "since" requests).
    rs_hub_t *qh = rs_hub_new ();
    rs_hub_client_t *qc = rs_hub_attach (qh, 0, NULL);
    while (rs_hub_client_poll (qc, 0, NULL) != NULL)
        ;
    RS_CHECK_INT ((long long) rs_hub_client_queued_bytes (qc), 0);
    RS_CHECK_INT (rs_hub_client_push (qc, strdup ("{\"type\":\"history\"}")), 0);
    RS_CHECK_INT (rs_hub_client_push (qc, strdup ("{}")), 0);
    RS_CHECK_INT ((long long) rs_hub_client_queued_bytes (qc), 20);
    char *got = rs_hub_client_poll (qc, 0, NULL);
    RS_CHECK (got && strcmp (got, "{\"type\":\"history\"}") == 0);
    free (got);
    RS_CHECK_INT ((long long) rs_hub_client_queued_bytes (qc), 2);
    rs_hub_detach (qh, &qc);
    rs_hub_destroy (&qh);

    //  Closing wakes and stops the writer side.
    rs_hub_client_close (late);
    RS_CHECK (rs_hub_client_closed (late));
    RS_CHECK (rs_hub_client_poll (late, t, NULL) == NULL);
    RS_CHECK_INT (rs_hub_client_push (late, strdup ("{}")), -1);
    rs_hub_client_wait (late, 1000);    //  returns at once

    rs_hub_detach (hub, &late);
    rs_hub_detach (hub, &slow);
    rs_hub_detach (hub, &fast);
    RS_CHECK (fast == NULL);
    rs_hub_destroy (&hub);
    rs_encoder_destroy (&s_enc);
    rs_decoder_destroy (&s_dec);
    return RS_TEST_DONE ();
}
