/*  Codec tests: round trips for every kind, and every rejection path. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include "rs_channels.h"
#include "rs_msg.h"
#include "rs_test.h"

static rs_decoder_t *dec;
static msgpack_sbuffer sb;
static msgpack_packer pk;

//  Packs a body by hand: a fresh map of n entries.
static void
begin (size_t n)
{
    sb.size = 0;
    msgpack_pack_map (&pk, n);
}

static void
kv_str (const char *k, const char *v)
{
    rs_encode_key (&pk, k);
    rs_encode_string (&pk, v);
}

static void
kv_uint (const char *k, uint64_t v)
{
    rs_encode_key (&pk, k);
    msgpack_pack_uint64 (&pk, v);
}

//  The five common fields (v, pub, epoch, seq, ts): 5 entries.
static void
common (void)
{
    kv_uint ("v", 1);
    kv_str ("pub", "sim");
    kv_uint ("epoch", 1700000000000000ULL);
    kv_uint ("seq", 7);
    kv_uint ("ts", 1700000000123456ULL);
}

static int
decode (const char *topic, rs_msg_t *msg)
{
    return rs_decode (dec, topic, strlen (topic), sb.data, sb.size, msg);
}

static void
test_roundtrip_sample (void)
{
    rs_encoder_t *enc = rs_encoder_new ();
    rs_value_t ch[] = {
        { "hook_load", 0, 1234.5 }, { "rpm", 0, 120 }, { "bit_depth", 0, NAN },
        { "vendor_x1", 0, -3.25 },
    };
    rs_header_t hdr = { "sim-1", 42, 1, 1700000000000001LL };
    RS_CHECK_INT (rs_encode_sample (enc, "A-01", &hdr, ch, 4), RS_OK);
    rs_msg_t msg;
    int rc = rs_decode (dec, "telemetry.A-01", 14, rs_encoder_data (enc), rs_encoder_size (enc), &msg);
    RS_CHECK_INT (rc, RS_OK);
    RS_CHECK_INT (msg.kind, RS_KIND_TELEMETRY);
    RS_CHECK_STR (msg.topic, "telemetry.A-01");
    RS_CHECK_STR (msg.id, "A-01");
    RS_CHECK_STR (msg.hdr.pub, "sim-1");
    RS_CHECK_INT (msg.hdr.epoch, 42);
    RS_CHECK_INT (msg.hdr.seq, 1);
    RS_CHECK_INT (msg.hdr.ts_us, 1700000000000001LL);
    RS_CHECK_INT (msg.n_values, 4);
    RS_CHECK_NEAR (rs_msg_chan (&msg, RS_CH_HOOK_LOAD), 1234.5, 1e-9);
    RS_CHECK_NEAR (rs_msg_chan (&msg, RS_CH_RPM), 120, 1e-9);
    RS_CHECK (isnan (rs_msg_chan (&msg, RS_CH_BIT_DEPTH)));   //  nil = no reading
    RS_CHECK (isnan (rs_msg_chan (&msg, RS_CH_WOB)));         //  absent
    RS_CHECK_NEAR (rs_msg_value (&msg, "vendor_x1"), -3.25, 1e-9);
    RS_CHECK_INT (msg.values[3].id, RS_CH_UNKNOWN);
    RS_CHECK_INT (msg.values[0].id, RS_CH_HOOK_LOAD);
    //  Invalid arguments are refused at encode time.
    rs_value_t bad[] = { { "Bad Name", 0, 1 } };
    RS_CHECK_INT (rs_encode_sample (enc, "A-01", &hdr, bad, 1), RS_E_RANGE);
    RS_CHECK_INT (rs_encode_sample (enc, "bad well", &hdr, ch, 1), RS_E_RANGE);
    rs_header_t zero = { "sim", 1, 0, 1 };
    RS_CHECK_INT (rs_encode_sample (enc, "A-01", &zero, ch, 1), RS_E_RANGE);
    rs_encoder_destroy (&enc);
    RS_CHECK (enc == NULL);
}

static void
test_roundtrip_event_and_heartbeat (void)
{
    rs_encoder_t *enc = rs_encoder_new ();
    rs_header_t hdr = { "sim", 5, 3, 1700000000000000LL };
    RS_CHECK_INT (rs_encode_event (enc, "A-01", &hdr, "kick", "start", 9, "pit gain", NULL), RS_OK);
    rs_msg_t msg;
    RS_CHECK_INT (rs_decode (dec, "event.A-01", 10, rs_encoder_data (enc), rs_encoder_size (enc), &msg), RS_OK);
    RS_CHECK_STR (msg.event_type, "kick");
    RS_CHECK_STR (msg.event_phase, "start");
    RS_CHECK_INT (msg.event_id, 9);
    RS_CHECK_STR (msg.event_note, "pit gain");
    RS_CHECK_STR (msg.event_state, "");
    RS_CHECK_INT (rs_encode_event (enc, "A-01", &hdr, "rig_state", "change", 0, NULL, "drilling"), RS_OK);
    RS_CHECK_INT (rs_decode (dec, "event.A-01", 10, rs_encoder_data (enc), rs_encoder_size (enc), &msg), RS_OK);
    RS_CHECK_STR (msg.event_state, "drilling");

    rs_value_t stats[] = { { "received", -1, 10 }, { "msgs.telemetry", -1, 4 } };
    rs_text_t info[] = { { "state", "running" }, { "endpoint", "tcp://127.0.0.1:5555" } };
    RS_CHECK_INT (rs_encode_heartbeat (enc, "broker", &hdr, stats, 2, info, 2), RS_OK);
    RS_CHECK_INT (rs_decode (dec, "sys.broker", 10, rs_encoder_data (enc), rs_encoder_size (enc), &msg), RS_OK);
    RS_CHECK_INT (msg.kind, RS_KIND_SYS);
    RS_CHECK_INT (msg.n_values, 2);
    RS_CHECK_NEAR (rs_msg_value (&msg, "msgs.telemetry"), 4, 0);
    RS_CHECK_INT (msg.n_info, 2);
    RS_CHECK_STR (msg.info[1].value, "tcp://127.0.0.1:5555");
    RS_CHECK_STR (rs_msg_text (dec, &msg, "component"), "broker");
    RS_CHECK (rs_msg_text (dec, &msg, "nope") == NULL);

    //  Generic kinds: a KPI and an alert built with rs_encode_begin.
    msgpack_packer *p = rs_encode_begin (enc, RS_KIND_KPI, "A-01", &hdr, 1);
    RS_CHECK (p != NULL);
    rs_encode_key (p, "values");
    rs_value_t kv[] = { { "mse", -1, 250.5 } };
    rs_encode_values (p, kv, 1);
    RS_CHECK_INT (rs_decode (dec, "kpi.A-01", 8, rs_encoder_data (enc), rs_encoder_size (enc), &msg), RS_OK);
    RS_CHECK_NEAR (rs_msg_value (&msg, "mse"), 250.5, 1e-9);
    p = rs_encode_begin (enc, RS_KIND_ALERT, "A-01", &hdr, 1);
    rs_encode_key (p, "message");
    rs_encode_string (p, "Kick suspected");
    RS_CHECK_INT (rs_decode (dec, "alert.A-01", 10, rs_encoder_data (enc), rs_encoder_size (enc), &msg), RS_OK);
    RS_CHECK_STR (rs_msg_text (dec, &msg, "message"), "Kick suspected");
    RS_CHECK (rs_encode_begin (enc, RS_KIND_ALERT, "bad.id", &hdr, 0) == NULL);
    //  An audit record: component, action, by; addr, detail, well optional.
    p = rs_encode_begin (enc, RS_KIND_AUDIT, "prediction_engine", &hdr, 5);
    rs_encode_key (p, "action");
    rs_encode_string (p, "rules_set");
    rs_encode_key (p, "by");
    rs_encode_string (p, "Ana Lima");
    rs_encode_key (p, "addr");
    rs_encode_string (p, "10.0.0.7");
    rs_encode_key (p, "detail");
    rs_encode_string (p, "added: \"spp high\"");
    rs_encode_key (p, "well");
    rs_encode_string (p, "A-01");
    RS_CHECK_INT (rs_decode (dec, "audit.prediction_engine", 23, rs_encoder_data (enc), rs_encoder_size (enc), &msg),
                  RS_OK);
    RS_CHECK_INT (msg.kind, RS_KIND_AUDIT);
    RS_CHECK_STR (msg.audit_action, "rules_set");
    RS_CHECK_STR (msg.audit_by, "Ana Lima");
    RS_CHECK_STR (msg.audit_addr, "10.0.0.7");
    RS_CHECK_STR (msg.audit_detail, "added: \"spp high\"");
    RS_CHECK_STR (msg.audit_well, "A-01");
    RS_CHECK_INT (rs_decode (dec, "audit.web", 9, rs_encoder_data (enc), rs_encoder_size (enc), &msg),
                  RS_E_MISMATCH);
    //  Without "by": refused, naming the field.
    p = rs_encode_begin (enc, RS_KIND_AUDIT, "web", &hdr, 1);
    rs_encode_key (p, "action");
    rs_encode_string (p, "ack");
    RS_CHECK_INT (rs_decode (dec, "audit.web", 9, rs_encoder_data (enc), rs_encoder_size (enc), &msg), RS_E_MISSING);
    RS_CHECK (strstr (rs_decoder_detail (dec), "'by'") != NULL);
    //  A well that is not an id.
    p = rs_encode_begin (enc, RS_KIND_AUDIT, "web", &hdr, 3);
    rs_encode_key (p, "action");
    rs_encode_string (p, "ack");
    rs_encode_key (p, "by");
    rs_encode_string (p, "Bo");
    rs_encode_key (p, "well");
    rs_encode_string (p, "A 01");
    RS_CHECK_INT (rs_decode (dec, "audit.web", 9, rs_encoder_data (enc), rs_encoder_size (enc), &msg), RS_E_RANGE);
    RS_CHECK (strstr (rs_decoder_detail (dec), "'well'") != NULL);
    rs_encoder_destroy (&enc);
}

static void
test_topics (void)
{
    rs_kind_t k;
    const char *id;
    size_t n;
    RS_CHECK_INT (rs_topic_parse ("telemetry.A-01", 14, &k, &id, &n), RS_OK);
    RS_CHECK_INT (n, 4);
    RS_CHECK_INT (rs_topic_parse ("sys.broker", 10, &k, &id, &n), RS_OK);
    RS_CHECK_INT (k, RS_KIND_SYS);
    RS_CHECK_INT (rs_topic_parse ("", 0, &k, &id, &n), RS_E_TOPIC);
    RS_CHECK_INT (rs_topic_parse ("telemetry", 9, &k, &id, &n), RS_E_TOPIC);
    RS_CHECK_INT (rs_topic_parse ("telemetry.", 10, &k, &id, &n), RS_E_TOPIC);
    RS_CHECK_INT (rs_topic_parse ("weather.A", 9, &k, &id, &n), RS_E_TOPIC);
    RS_CHECK_INT (rs_topic_parse ("telemetry.A.B", 13, &k, &id, &n), RS_E_TOPIC);
    RS_CHECK_INT (rs_topic_parse ("telemetry.A B", 13, &k, &id, &n), RS_E_TOPIC);
    RS_CHECK_INT (rs_topic_parse ("telemetry.A\0B", 13, &k, &id, &n), RS_E_TOPIC);
    char longid[200];
    memset (longid, 'a', sizeof longid);
    memcpy (longid, "kpi.", 4);
    RS_CHECK_INT (rs_topic_parse (longid, 4 + 65, &k, &id, &n), RS_E_TOPIC);
    RS_CHECK_INT (rs_topic_parse (longid, 4 + 64, &k, &id, &n), RS_OK);
    char buf[32];
    RS_CHECK_INT (rs_topic_format (buf, sizeof buf, RS_KIND_EVENT, "W1"), 8);
    RS_CHECK_STR (buf, "event.W1");
    RS_CHECK_INT (rs_topic_format (buf, 5, RS_KIND_EVENT, "W1"), -1);
    RS_CHECK_INT (rs_topic_format (buf, sizeof buf, RS_KIND_EVENT, "W.1"), -1);
}

//  Each rejection path, with the error it must produce.
static void
test_rejections (void)
{
    rs_msg_t msg;
    //  A good sample as the baseline.
    begin (7);
    common ();
    kv_str ("well", "A-01");
    rs_encode_key (&pk, "ch");
    msgpack_pack_map (&pk, 1);
    rs_encode_key (&pk, "rpm");
    msgpack_pack_double (&pk, 100);
    RS_CHECK_INT (decode ("telemetry.A-01", &msg), RS_OK);

    //  Truncated at every length: never RS_OK, never a crash.
    size_t full = sb.size;
    for (size_t len = 0; len < full; len++)
        RS_CHECK (rs_decode (dec, "telemetry.A-01", 14, sb.data, len, &msg) == RS_E_MSGPACK);
    //  Trailing garbage.
    msgpack_pack_nil (&pk);
    RS_CHECK_INT (decode ("telemetry.A-01", &msg), RS_E_MSGPACK);

    RS_CHECK_INT (rs_decode (dec, "telemetry.A-01", 14, "\xc1", 1, &msg), RS_E_MSGPACK);
    //  Declared sizes far beyond the bytes present must not allocate them.
    RS_CHECK_INT (rs_decode (dec, "telemetry.A-01", 14, "\xdd\xff\xff\xff\xff", 5, &msg), RS_E_MSGPACK);
    RS_CHECK_INT (rs_decode (dec, "telemetry.A-01", 14, "\xdf\x7f\xff\xff\xff\x01", 6, &msg), RS_E_MSGPACK);
    RS_CHECK_INT (rs_decode (dec, "telemetry.A-01", 14, "\xdb\xff\xff\xff\xf0", 5, &msg), RS_E_MSGPACK);
    //  Deep nesting.
    char deep[600];
    memset (deep, 0x91, sizeof deep);
    deep[sizeof deep - 1] = 0x01;
    RS_CHECK (rs_decode (dec, "telemetry.A-01", 14, deep, sizeof deep, &msg) != RS_OK);

    begin (0);
    sb.size = 0;
    msgpack_pack_array (&pk, 0);
    RS_CHECK_INT (decode ("telemetry.A-01", &msg), RS_E_NOT_MAP);
    sb.size = 0;
    msgpack_pack_map (&pk, 1);
    msgpack_pack_int (&pk, 1);
    msgpack_pack_int (&pk, 2);
    RS_CHECK_INT (decode ("telemetry.A-01", &msg), RS_E_NOT_MAP);

    //  Missing each required field in turn.
    const char *fields[] = { "v", "pub", "epoch", "seq", "ts", "well", "ch" };
    for (int skip = 0; skip < 7; skip++) {
        begin (6);
        if (skip != 0) kv_uint ("v", 1);
        if (skip != 1) kv_str ("pub", "sim");
        if (skip != 2) kv_uint ("epoch", 1);
        if (skip != 3) kv_uint ("seq", 1);
        if (skip != 4) kv_uint ("ts", 1);
        if (skip != 5) kv_str ("well", "A");
        if (skip != 6) {
            rs_encode_key (&pk, "ch");
            msgpack_pack_map (&pk, 0);
        }
        RS_CHECK_INT (decode ("telemetry.A", &msg), RS_E_MISSING);
        RS_CHECK (strstr (rs_decoder_detail (dec), fields[skip]) != NULL);
    }

    //  Wrong types.
    begin (7);
    kv_str ("v", "1");
    kv_str ("pub", "sim");
    kv_uint ("epoch", 1);
    kv_uint ("seq", 1);
    kv_uint ("ts", 1);
    kv_str ("well", "A");
    rs_encode_key (&pk, "ch");
    msgpack_pack_map (&pk, 0);
    RS_CHECK_INT (decode ("telemetry.A", &msg), RS_E_TYPE);

    begin (7);
    common ();
    kv_str ("well", "A");
    rs_encode_key (&pk, "ch");
    msgpack_pack_array (&pk, 0);
    RS_CHECK_INT (decode ("telemetry.A", &msg), RS_E_TYPE);

    begin (7);
    common ();
    kv_str ("well", "A");
    rs_encode_key (&pk, "ch");
    msgpack_pack_map (&pk, 1);
    rs_encode_key (&pk, "rpm");
    rs_encode_string (&pk, "fast");
    RS_CHECK_INT (decode ("telemetry.A", &msg), RS_E_TYPE);

    begin (7);
    common ();
    kv_str ("well", "A");
    rs_encode_key (&pk, "ch");
    msgpack_pack_map (&pk, 1);
    rs_encode_key (&pk, "rpm");
    msgpack_pack_true (&pk);
    RS_CHECK_INT (decode ("telemetry.A", &msg), RS_E_TYPE);

    //  ts as a float is a type error; negative ts or far future is a range error.
    begin (7);
    kv_uint ("v", 1); kv_str ("pub", "s"); kv_uint ("epoch", 1); kv_uint ("seq", 1);
    rs_encode_key (&pk, "ts");
    msgpack_pack_double (&pk, 1.5);
    kv_str ("well", "A");
    rs_encode_key (&pk, "ch");
    msgpack_pack_map (&pk, 0);
    RS_CHECK_INT (decode ("telemetry.A", &msg), RS_E_TYPE);
    begin (7);
    kv_uint ("v", 1); kv_str ("pub", "s"); kv_uint ("epoch", 1); kv_uint ("seq", 1);
    rs_encode_key (&pk, "ts");
    msgpack_pack_int64 (&pk, -5);
    kv_str ("well", "A");
    rs_encode_key (&pk, "ch");
    msgpack_pack_map (&pk, 0);
    RS_CHECK_INT (decode ("telemetry.A", &msg), RS_E_RANGE);
    begin (7);
    kv_uint ("v", 1); kv_str ("pub", "s"); kv_uint ("epoch", 1); kv_uint ("seq", 1);
    kv_uint ("ts", 9000000000000000000ULL);
    kv_str ("well", "A");
    rs_encode_key (&pk, "ch");
    msgpack_pack_map (&pk, 0);
    RS_CHECK_INT (decode ("telemetry.A", &msg), RS_E_RANGE);

    //  Version.
    begin (7);
    kv_uint ("v", 2); kv_str ("pub", "s"); kv_uint ("epoch", 1); kv_uint ("seq", 1); kv_uint ("ts", 1);
    kv_str ("well", "A");
    rs_encode_key (&pk, "ch");
    msgpack_pack_map (&pk, 0);
    RS_CHECK_INT (decode ("telemetry.A", &msg), RS_E_VERSION);

    //  seq 0, epoch 0, empty pub, pub with bad chars.
    begin (7);
    kv_uint ("v", 1); kv_str ("pub", "s"); kv_uint ("epoch", 1); kv_uint ("seq", 0); kv_uint ("ts", 1);
    kv_str ("well", "A");
    rs_encode_key (&pk, "ch");
    msgpack_pack_map (&pk, 0);
    RS_CHECK_INT (decode ("telemetry.A", &msg), RS_E_RANGE);
    begin (7);
    kv_uint ("v", 1); kv_str ("pub", "s"); kv_uint ("epoch", 0); kv_uint ("seq", 1); kv_uint ("ts", 1);
    kv_str ("well", "A");
    rs_encode_key (&pk, "ch");
    msgpack_pack_map (&pk, 0);
    RS_CHECK_INT (decode ("telemetry.A", &msg), RS_E_RANGE);
    begin (7);
    kv_uint ("v", 1); kv_str ("pub", ""); kv_uint ("epoch", 1); kv_uint ("seq", 1); kv_uint ("ts", 1);
    kv_str ("well", "A");
    rs_encode_key (&pk, "ch");
    msgpack_pack_map (&pk, 0);
    RS_CHECK_INT (decode ("telemetry.A", &msg), RS_E_RANGE);
    begin (7);
    kv_uint ("v", 1); kv_str ("pub", "a b"); kv_uint ("epoch", 1); kv_uint ("seq", 1); kv_uint ("ts", 1);
    kv_str ("well", "A");
    rs_encode_key (&pk, "ch");
    msgpack_pack_map (&pk, 0);
    RS_CHECK_INT (decode ("telemetry.A", &msg), RS_E_RANGE);

    //  NaN and infinity.
    for (int inf = 0; inf < 2; inf++) {
        begin (7);
        common ();
        kv_str ("well", "A");
        rs_encode_key (&pk, "ch");
        msgpack_pack_map (&pk, 1);
        rs_encode_key (&pk, "wob");
        msgpack_pack_double (&pk, inf ? INFINITY : NAN);
        RS_CHECK_INT (decode ("telemetry.A", &msg), RS_E_NONFINITE);
        begin (7);
        common ();
        kv_str ("well", "A");
        rs_encode_key (&pk, "ch");
        msgpack_pack_map (&pk, 1);
        rs_encode_key (&pk, "wob");
        msgpack_pack_float (&pk, inf ? -INFINITY : NAN);
        RS_CHECK_INT (decode ("telemetry.A", &msg), RS_E_NONFINITE);
    }

    //  Channel names: invalid, duplicate known, duplicate unknown.
    const char *names[][2] = { { "RPM", "x" }, { "rpm", "rpm" }, { "zz", "zz" }, { "", "x" } };
    for (int i = 0; i < 4; i++) {
        begin (7);
        common ();
        kv_str ("well", "A");
        rs_encode_key (&pk, "ch");
        msgpack_pack_map (&pk, 2);
        rs_encode_key (&pk, names[i][0]);
        msgpack_pack_int (&pk, 1);
        rs_encode_key (&pk, names[i][1]);
        msgpack_pack_int (&pk, 2);
        RS_CHECK_INT (decode ("telemetry.A", &msg), RS_E_RANGE);
    }
    //  Too many channels.
    begin (7);
    common ();
    kv_str ("well", "A");
    rs_encode_key (&pk, "ch");
    msgpack_pack_map (&pk, RS_MAX_CHANNELS + 1);
    for (int i = 0; i <= RS_MAX_CHANNELS; i++) {
        char name[16];
        snprintf (name, sizeof name, "c%d", i);
        rs_encode_key (&pk, name);
        msgpack_pack_int (&pk, i);
    }
    RS_CHECK_INT (decode ("telemetry.A", &msg), RS_E_RANGE);
    //  Duplicate top-level field.
    begin (8);
    common ();
    kv_uint ("seq", 8);
    kv_str ("well", "A");
    rs_encode_key (&pk, "ch");
    msgpack_pack_map (&pk, 0);
    RS_CHECK_INT (decode ("telemetry.A", &msg), RS_E_RANGE);
    //  Unknown top-level fields are carried over silently (forward compatibility).
    begin (8);
    common ();
    kv_str ("future", "yes");
    kv_str ("well", "A");
    rs_encode_key (&pk, "ch");
    msgpack_pack_map (&pk, 0);
    RS_CHECK_INT (decode ("telemetry.A", &msg), RS_OK);
    //  Well mismatch with the topic.
    RS_CHECK_INT (decode ("telemetry.B", &msg), RS_E_MISMATCH);
    //  Bad topic and oversized body.
    RS_CHECK_INT (decode ("telemetry", &msg), RS_E_TOPIC);
    RS_CHECK_INT (decode ("gossip.A", &msg), RS_E_TOPIC);
    char *big = calloc (1, RS_MAX_BODY + 1);
    RS_CHECK_INT (rs_decode (dec, "telemetry.A", 11, big, RS_MAX_BODY + 1, &msg), RS_E_TOO_BIG);
    free (big);
    //  Event without phase; heartbeat with a component mismatch.
    begin (7);
    common ();
    kv_str ("well", "A");
    kv_str ("event", "kick");
    RS_CHECK_INT (decode ("event.A", &msg), RS_E_MISSING);
    begin (6);
    common ();
    kv_str ("component", "saver");
    RS_CHECK_INT (decode ("sys.broker", &msg), RS_E_MISMATCH);
    //  Error names and texts exist for every code.
    for (int e = 0; e < RS_E_COUNT; e++) {
        RS_CHECK (strlen (rs_strerror (e)) > 0);
        RS_CHECK (strlen (rs_errname (e)) > 0);
    }
    RS_CHECK_STR (rs_errname (999), "unknown");
}

//  The detail of a failure with no object to hold it: rs_err_set records it
//  for the calling thread only, and rs_errmsg reads it until the next one.
static void *
s_other_thread (void *arg)
{
    (void) arg;
    rs_err_set (RS_E_IO, "from the other thread");
    return NULL;
}

static void
test_errmsg (void)
{
    RS_CHECK_INT (rs_err_set (RS_E_FORMAT, "%s:%d: bad", "map", 3), RS_E_FORMAT);
    RS_CHECK_STR (rs_errmsg (), "map:3: bad");
    RS_CHECK_INT (rs_errcode (), RS_E_FORMAT);
    RS_CHECK_STR (rs_errname (RS_E_FORMAT), "format");
    pthread_t t;
    RS_CHECK_INT (pthread_create (&t, NULL, s_other_thread, NULL), 0);
    pthread_join (t, NULL);
    RS_CHECK_STR (rs_errmsg (), "map:3: bad");
    RS_CHECK_INT (rs_exit_status (RS_E_FORMAT), 1);
}

//  A message decoded right after a failed one must be intact (no state leaks).
static void
test_reuse (void)
{
    rs_encoder_t *enc = rs_encoder_new ();
    rs_header_t hdr = { "p", 1, 1, 1 };
    rs_value_t ch[] = { { "wob", 0, 100 } };
    rs_msg_t msg;
    for (int i = 0; i < 10000; i++) {
        hdr.seq = (uint64_t) i + 1;
        rs_encode_sample (enc, "W", &hdr, ch, 1);
        RS_CHECK (rs_decode (dec, "telemetry.W", 11, rs_encoder_data (enc), rs_encoder_size (enc), &msg) == RS_OK);
        RS_CHECK (rs_decode (dec, "telemetry.W", 11, "\x81", 1, &msg) == RS_E_MSGPACK);
    }
    RS_CHECK_INT (rs_decode (dec, "telemetry.W", 11, rs_encoder_data (enc), rs_encoder_size (enc), &msg), RS_OK);
    RS_CHECK_INT (msg.hdr.seq, 10000);
    rs_encoder_destroy (&enc);
}

int
main (void)
{
    dec = rs_decoder_new ();
    msgpack_sbuffer_init (&sb);
    msgpack_packer_init (&pk, &sb, msgpack_sbuffer_write);
    test_roundtrip_sample ();
    test_roundtrip_event_and_heartbeat ();
    test_topics ();
    test_rejections ();
    test_reuse ();
    test_errmsg ();
    msgpack_sbuffer_destroy (&sb);
    rs_decoder_destroy (&dec);
    RS_CHECK (dec == NULL);
    return RS_TEST_DONE ();
}
