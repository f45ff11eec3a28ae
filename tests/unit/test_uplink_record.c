/*  rs_uplink's pure parts: MQTT URLs, and how a decoded rigstream message
    becomes a spool record (values through the budget; KPIs with the rig
    state; alerts whole), and when a record may go out live. */
#include <math.h>
#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "rs_test.h"
#include "rs_uplink.h"

//  The record's map as name -> double (NaN for nil), for checks.
static double
s_get (const msgpack_sbuffer *sb, const char *name, int *found)
{
    msgpack_unpacked u;
    msgpack_unpacked_init (&u);
    size_t off = 0;
    double v = NAN;
    *found = 0;
    if (msgpack_unpack_next (&u, sb->data, sb->size, &off) == MSGPACK_UNPACK_SUCCESS
        && u.data.type == MSGPACK_OBJECT_MAP)
        for (uint32_t i = 0; i < u.data.via.map.size; i++) {
            const msgpack_object_kv *kv = &u.data.via.map.ptr[i];
            if (kv->key.via.str.size != strlen (name) || memcmp (kv->key.via.str.ptr, name, strlen (name)) != 0)
                continue;
            *found = 1;
            if (kv->val.type == MSGPACK_OBJECT_FLOAT64 || kv->val.type == MSGPACK_OBJECT_FLOAT32)
                v = kv->val.via.f64;
            else if (kv->val.type == MSGPACK_OBJECT_POSITIVE_INTEGER)
                v = (double) kv->val.via.u64;
            else if (kv->val.type == MSGPACK_OBJECT_STR)
                v = (double) kv->val.via.str.size;
        }
    msgpack_unpacked_destroy (&u);
    return v;
}

//  The text of a string field of the record in sb, "" when none.
static void
s_text (const msgpack_sbuffer *sb, const char *name, char *buf, size_t size)
{
    msgpack_unpacked u;
    msgpack_unpacked_init (&u);
    size_t off = 0;
    buf[0] = 0;
    if (msgpack_unpack_next (&u, sb->data, sb->size, &off) == MSGPACK_UNPACK_SUCCESS
        && u.data.type == MSGPACK_OBJECT_MAP)
        for (uint32_t i = 0; i < u.data.via.map.size; i++) {
            const msgpack_object_kv *kv = &u.data.via.map.ptr[i];
            if (kv->key.via.str.size == strlen (name) && memcmp (kv->key.via.str.ptr, name, strlen (name)) == 0
                && kv->val.type == MSGPACK_OBJECT_STR)
                snprintf (buf, size, "%.*s", (int) kv->val.via.str.size, kv->val.via.str.ptr);
        }
    msgpack_unpacked_destroy (&u);
}

int
main (void)
{
    char host[64];
    int port = 0;
    bool tls = true;
    RS_CHECK_INT (rs_uplink_parse_url ("mqtt://centre.example.com", host, sizeof host, &port, &tls), 0);
    RS_CHECK_STR (host, "centre.example.com");
    RS_CHECK (port == 1883 && !tls);
    RS_CHECK_INT (rs_uplink_parse_url ("mqtts://10.0.0.5:9883", host, sizeof host, &port, &tls), 0);
    RS_CHECK (port == 9883 && tls);
    RS_CHECK_INT (rs_uplink_parse_url ("mqtts://h", host, sizeof host, &port, &tls), 0);
    RS_CHECK_INT (port, 8883);
    const char *bad[] = { "", "tcp://h:1", "mqtt://", "mqtt://:1883", "mqtt://h:0", "mqtt://h:70000",
                          "mqtt://h:x", "mqtt://user@h", "mqtt://h/path:1" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        RS_CHECK_INT (rs_uplink_parse_url (bad[i], host, sizeof host, &port, &tls), -1);
    RS_CHECK_INT (rs_uplink_parse_url ("mqtt://a-very-long-host-name-that-does-not-fit-in-the-buffer-given.example",
                                       host, 16, &port, &tls), -1);

    rs_encoder_t *enc = rs_encoder_new ();
    rs_decoder_t *dec = rs_decoder_new ();
    rs_msg_t msg;
    rs_header_t hdr = { .pub = "sim", .epoch = 1, .seq = 1, .ts_us = 1000000 };
    rs_value_t ch[] = { { "rop", -1, 20.0 }, { "wob", -1, 100.0 }, { "gas", -1, NAN } };
    RS_CHECK_INT (rs_encode_sample (enc, "A-01", &hdr, ch, 3), RS_OK);
    RS_CHECK_INT (rs_decode (dec, "telemetry.A-01", 14, rs_encoder_data (enc), rs_encoder_size (enc), &msg), RS_OK);
    msgpack_sbuffer sb;
    msgpack_sbuffer_init (&sb);
    int found;
    RS_CHECK_INT (rs_uplink_record (&msg, dec, NULL, &sb), 3);
    RS_CHECK_NEAR (s_get (&sb, "rop", &found), 20.0, 0);
    RS_CHECK (isnan (s_get (&sb, "gas", &found)) && found);

    //  Through a deadband of 1: the second sample keeps only what moved.
    rs_budget_opts_t bo = { .deadband = 1.0 };
    rs_budget_t *budget = rs_budget_new (&bo);
    sb.size = 0;
    RS_CHECK_INT (rs_uplink_record (&msg, dec, budget, &sb), 3);
    hdr.seq = 2;
    hdr.ts_us = 2000000;
    ch[0].value = 20.5;
    ch[1].value = 102.0;
    rs_encode_sample (enc, "A-01", &hdr, ch, 3);
    rs_decode (dec, "telemetry.A-01", 14, rs_encoder_data (enc), rs_encoder_size (enc), &msg);
    sb.size = 0;
    RS_CHECK_INT (rs_uplink_record (&msg, dec, budget, &sb), 1);
    RS_CHECK_NEAR (s_get (&sb, "wob", &found), 102.0, 0);
    s_get (&sb, "rop", &found);
    RS_CHECK (!found);
    hdr.seq = 3;
    ch[1].value = 102.5;
    rs_encode_sample (enc, "A-01", &hdr, ch, 3);
    rs_decode (dec, "telemetry.A-01", 14, rs_encoder_data (enc), rs_encoder_size (enc), &msg);
    sb.size = 0;
    RS_CHECK_INT (rs_uplink_record (&msg, dec, budget, &sb), 0);      // nothing moved enough

    //  An alert: its fields, whatever the budget.
    hdr.seq = 1;
    msgpack_packer *pk = rs_encode_begin (enc, RS_KIND_ALERT, "A-01", &hdr, 5);
    rs_encode_key (pk, "alert_id");
    msgpack_pack_uint64 (pk, 7);
    rs_encode_key (pk, "type");
    rs_encode_string (pk, "kick");
    rs_encode_key (pk, "state");
    rs_encode_string (pk, "raised");
    rs_encode_key (pk, "severity");
    rs_encode_string (pk, "critical");
    rs_encode_key (pk, "value");
    msgpack_pack_double (pk, 250.5);
    RS_CHECK_INT (rs_decode (dec, "alert.A-01", 10, rs_encoder_data (enc), rs_encoder_size (enc), &msg), RS_OK);
    sb.size = 0;
    RS_CHECK_INT (rs_uplink_record (&msg, dec, budget, &sb), 5);
    RS_CHECK_NEAR (s_get (&sb, "alert_id", &found), 7, 0);
    RS_CHECK_NEAR (s_get (&sb, "value", &found), 250.5, 0);
    RS_CHECK_NEAR (s_get (&sb, "type", &found), 4, 0);                 // "kick": a string of 4
    s_get (&sb, "message", &found);
    RS_CHECK (!found);

    //  KPIs: their values and the rig state as text.
    hdr.seq = 1;
    pk = rs_encode_begin (enc, RS_KIND_KPI, "A-01", &hdr, 2);
    rs_encode_key (pk, "values");
    rs_value_t kpis[] = { { "mse_mpa", -1, 42.0 }, { "stands", -1, 3 } };
    rs_encode_values (pk, kpis, 2);
    rs_encode_key (pk, "rig_state");
    rs_encode_string (pk, "drilling_rotary");
    RS_CHECK_INT (rs_decode (dec, "kpi.A-01", 8, rs_encoder_data (enc), rs_encoder_size (enc), &msg), RS_OK);
    sb.size = 0;
    RS_CHECK_INT (rs_uplink_record (&msg, dec, NULL, &sb), 5);
    RS_CHECK_NEAR (s_get (&sb, "mse_mpa", &found), 42.0, 0);
    RS_CHECK_NEAR (s_get (&sb, "rig_state", &found), 15, 0);           // "drilling_rotary": a string of 15
    //  Nothing said beside it: empty texts, so that a host sees them clear.
    RS_CHECK_NEAR (s_get (&sb, "rig_state_reason", &found), 0, 0);
    RS_CHECK (found);
    RS_CHECK_NEAR (s_get (&sb, "quality", &found), 0, 0);
    RS_CHECK (found);

    //  An unknown state with its reason, the block weight's source and the
    //  engine's verdicts on two channels, as texts.
    hdr.seq = 2;
    pk = rs_encode_begin (enc, RS_KIND_KPI, "A-01", &hdr, 5);
    rs_encode_key (pk, "values");
    rs_encode_values (pk, kpis, 2);
    rs_encode_key (pk, "rig_state");
    rs_encode_string (pk, "unknown");
    rs_encode_key (pk, "block_weight_source");
    rs_encode_string (pk, "unknown");
    rs_encode_key (pk, "rig_state_reason");
    rs_encode_string (pk, "block weight not known yet");
    rs_encode_key (pk, "quality");
    msgpack_pack_map (pk, 2);
    rs_encode_key (pk, "wob");
    rs_encode_string (pk, "wob pinned at -89 kN");
    rs_encode_key (pk, "flow_out");
    rs_encode_string (pk, "flow_out stuck at 2000 L/min");
    RS_CHECK_INT (rs_decode (dec, "kpi.A-01", 8, rs_encoder_data (enc), rs_encoder_size (enc), &msg), RS_OK);
    sb.size = 0;
    RS_CHECK_INT (rs_uplink_record (&msg, dec, NULL, &sb), 6);
    char text[256];
    s_text (&sb, "rig_state_reason", text, sizeof text);
    RS_CHECK_STR (text, "block weight not known yet");
    s_text (&sb, "block_weight_source", text, sizeof text);
    RS_CHECK_STR (text, "unknown");
    s_text (&sb, "quality", text, sizeof text);
    RS_CHECK_STR (text, "wob: wob pinned at -89 kN; flow_out: flow_out stuck at 2000 L/min");

    //  Kinds it does not carry.
    rs_encode_event (enc, "A-01", &hdr, "kick", "start", 1, "", "");
    RS_CHECK_INT (rs_decode (dec, "event.A-01", 10, rs_encoder_data (enc), rs_encoder_size (enc), &msg), RS_OK);
    sb.size = 0;
    RS_CHECK_INT (rs_uplink_record (&msg, dec, budget, &sb), -1);

    //  Live or historical: backlog, journal catch-up and anything older than
    //  the stream's newest live sample go historical; the same time may repeat.
    RS_CHECK (rs_uplink_live (false, false, 5000, 0));
    RS_CHECK (rs_uplink_live (false, false, 5000, 5000));
    RS_CHECK (rs_uplink_live (false, false, 5001, 5000));
    RS_CHECK (!rs_uplink_live (false, false, 4999, 5000));
    RS_CHECK (!rs_uplink_live (true, false, 9000, 5000));
    RS_CHECK (!rs_uplink_live (false, true, 9000, 5000));

    //  Lanes: only what is neither backlog nor recovered from a journal goes
    //  at once; both others share the backlog's cap.
    RS_CHECK_INT (rs_uplink_lane (false, false), RS_UPLINK_LIVE);
    RS_CHECK_INT (rs_uplink_lane (true, false), RS_UPLINK_BACKLOG);
    RS_CHECK_INT (rs_uplink_lane (true, true), RS_UPLINK_BACKLOG);
    RS_CHECK_INT (rs_uplink_lane (false, true), RS_UPLINK_CATCHUP);
    //  A journal catch-up of 3,000 records at once, a tick every 10 ms for
    //  2 s at a cap of 500/s: at most 500/s go (plus the 50 of burst), and
    //  about that many (the cap is a rate, not a stall).
    rs_bucket_t cap;
    rs_bucket_init (&cap, 500, 50);
    int catchup = 3000, caught = 0, most = 0;
    for (int64_t t = 0; t <= 2000; t += 10) {
        int allowed = rs_uplink_allowance (&cap, t);
        RS_CHECK (allowed >= 0);
        int n = allowed < catchup ? allowed : catchup;
        cap.tokens -= n;
        catchup -= n;
        caught += n;
        most = n > most ? n : most;
    }
    RS_CHECK (caught >= 950 && caught <= 1050);
    RS_CHECK (most <= 50);
    //  No cap (rate 0): everything may go.
    rs_bucket_t none;
    rs_bucket_init (&none, 0, 0);
    RS_CHECK_INT (rs_uplink_allowance (&none, 0), -1);

    msgpack_sbuffer_destroy (&sb);
    rs_budget_destroy (&budget);
    rs_encoder_destroy (&enc);
    rs_decoder_destroy (&dec);
    return RS_TEST_DONE ();
}
