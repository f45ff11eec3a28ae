/*  Unit tests for the broker's pure parts (topic prefixes, last-value cache,
    subscription refcounts) plus one engine round trip over loopback TCP. */
#include <czmq.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "rs_broker.h"
#include "rs_curve.h"
#include "rs_lvc.h"
#include "rs_subs.h"
#include "rs_msg.h"
#include "rs_test.h"

#define S(text) text, strlen (text)

static void
test_prefix (void)
{
    RS_CHECK_INT (rs_broker_prefix_of (S ("telemetry.A-01")), RS_BROKER_P_TELEMETRY);
    RS_CHECK_INT (rs_broker_prefix_of (S ("event.A-01")), RS_BROKER_P_EVENT);
    RS_CHECK_INT (rs_broker_prefix_of (S ("kpi.A-01")), RS_BROKER_P_KPI);
    RS_CHECK_INT (rs_broker_prefix_of (S ("alert.A-01")), RS_BROKER_P_ALERT);
    RS_CHECK_INT (rs_broker_prefix_of (S ("sys.broker")), RS_BROKER_P_SYS);
    RS_CHECK_INT (rs_broker_prefix_of (S ("sys")), RS_BROKER_P_SYS);
    RS_CHECK_INT (rs_broker_prefix_of (S ("telemetryX.A")), RS_BROKER_P_OTHER);
    RS_CHECK_INT (rs_broker_prefix_of (S ("tele.A")), RS_BROKER_P_OTHER);
    RS_CHECK_INT (rs_broker_prefix_of (S (".sys")), RS_BROKER_P_OTHER);
    RS_CHECK_INT (rs_broker_prefix_of ("", 0), RS_BROKER_P_OTHER);
    RS_CHECK_INT (rs_broker_prefix_of ("sys\0x", 5), RS_BROKER_P_OTHER);
    RS_CHECK_STR (rs_broker_prefix_name (RS_BROKER_P_KPI), "kpi");
    RS_CHECK_STR (rs_broker_prefix_name (RS_BROKER_P_COUNT), "other");
}

typedef struct {
    char seen[8][32];
    int n;
    int stop_after;
} visit_t;

static int
s_visit (const char *topic, size_t tlen, const void *body, size_t blen, void *arg)
{
    visit_t *v = arg;
    (void) body;
    (void) blen;
    if (v->n < 8)
        snprintf (v->seen [v->n], sizeof v->seen [0], "%.*s", (int) tlen, topic);
    v->n++;
    return v->stop_after && v->n >= v->stop_after ? -1 : 0;
}

//  Control commands are exact bytes.
static void
test_command (void)
{
    RS_CHECK_INT (rs_broker_command_of (S ("PING")), RS_BROKER_CMD_PING);
    RS_CHECK_INT (rs_broker_command_of (S ("STATUS")), RS_BROKER_CMD_STATUS);
    RS_CHECK_INT (rs_broker_command_of (S ("status")), RS_BROKER_CMD_UNKNOWN);
    RS_CHECK_INT (rs_broker_command_of (S ("Ping")), RS_BROKER_CMD_UNKNOWN);
    RS_CHECK_INT (rs_broker_command_of ("STATUS\0junk", 11), RS_BROKER_CMD_UNKNOWN);
    RS_CHECK_INT (rs_broker_command_of ("STATUS\0", 7), RS_BROKER_CMD_UNKNOWN);
    RS_CHECK_INT (rs_broker_command_of (S ("PING\n")), RS_BROKER_CMD_UNKNOWN);
    RS_CHECK_INT (rs_broker_command_of (S (" PING")), RS_BROKER_CMD_UNKNOWN);
    RS_CHECK_INT (rs_broker_command_of ("", 0), RS_BROKER_CMD_UNKNOWN);
    char big[65];
    memset (big, 'P', sizeof big);
    RS_CHECK_INT (rs_broker_command_of (big, 64), RS_BROKER_CMD_UNKNOWN);
    RS_CHECK_INT (rs_broker_command_of (big, 65), RS_BROKER_CMD_TOO_BIG);
}

//  A valid body for topic (a sample with rpm = value, or an event), as the
//  cache now stores only what rs_decode accepts; *len its size. The pointer
//  is the encoder's buffer, valid until the next call.
static const void *
s_body (rs_encoder_t *enc, const char *topic, uint64_t seq, double value, size_t *len)
{
    rs_header_t hdr = { .pub = "tpub", .epoch = 1, .seq = seq, .ts_us = 1000000 };
    const char *id = strchr (topic, '.') + 1;
    if (strncmp (topic, "event.", 6) == 0)
        RS_CHECK_INT (rs_encode_event (enc, id, &hdr, "kick", "start", 1, NULL, NULL), RS_OK);
    else {
        rs_value_t ch = { "rpm", -1, value };
        RS_CHECK_INT (rs_encode_sample (enc, id, &hdr, &ch, 1), RS_OK);
    }
    *len = rs_encoder_size (enc);
    return rs_encoder_data (enc);
}

#define PUT(topic_, seq_, value_) \
    (b = s_body (enc, topic_, seq_, value_, &blen), rs_lvc_put (lvc, S (topic_), b, blen))

static void
test_lvc (void)
{
    RS_CHECK (rs_lvc_new (0) == NULL);
    rs_lvc_t *lvc = rs_lvc_new (3);
    rs_encoder_t *enc = rs_encoder_new ();
    rs_decoder_t *dec = rs_decoder_new ();
    RS_CHECK (lvc != NULL && enc != NULL && dec != NULL);
    if (!lvc || !enc || !dec)
        return;
    const void *b;
    size_t blen;
    RS_CHECK_INT (PUT ("telemetry.A", 1, 1.0), RS_LVC_ADDED);
    RS_CHECK_INT (PUT ("telemetry.A", 2, 2.0), RS_LVC_UPDATED);
    RS_CHECK_INT (PUT ("event.A", 1, 0), RS_LVC_ADDED);
    RS_CHECK_INT (PUT ("telemetry.B", 1, 3.0), RS_LVC_ADDED);
    RS_CHECK_INT (PUT ("telemetry.C", 1, 4.0), RS_LVC_FULL);
    RS_CHECK_INT (rs_lvc_put (lvc, "", 0, S ("x")), RS_LVC_INVALID);
    char longtopic[RS_MAX_TOPIC + 2];
    memset (longtopic, 'a', sizeof longtopic);
    RS_CHECK_INT (rs_lvc_put (lvc, longtopic, RS_MAX_TOPIC + 1, S ("x")), RS_LVC_INVALID);
    RS_CHECK_INT (PUT ("telemetry.B", 2, 5.0), RS_LVC_UPDATED);
    RS_CHECK_INT (rs_lvc_size (lvc), 3);
    RS_CHECK_INT (rs_lvc_refused (lvc), 1);
    RS_CHECK_INT (rs_lvc_rejected (lvc, RS_OK), 0);

    size_t len = 0;
    rs_msg_t msg;
    const char *body = rs_lvc_get (lvc, S ("telemetry.A"), &len);
    RS_CHECK (body && rs_decode (dec, S ("telemetry.A"), body, len, &msg) == RS_OK && msg.hdr.seq == 2
              && rs_msg_value (&msg, "rpm") == 2.0);
    RS_CHECK (rs_lvc_get (lvc, S ("telemetry.C"), &len) == NULL);
    RS_CHECK (rs_lvc_get (lvc, S ("telemetry."), &len) == NULL);

    //  Bodies the SDK would reject are refused, counted by reason, and the
    //  topic keeps its last valid body; an invalid body on a new topic
    //  takes no room.
    RS_CHECK_INT (rs_lvc_put (lvc, S ("telemetry.A"), S ("two!")), RS_LVC_REJECTED);
    RS_CHECK_INT (rs_lvc_put (lvc, S ("telemetry.A"), "", 0), RS_LVC_REJECTED);
    msgpack_sbuffer sb;
    msgpack_sbuffer_init (&sb);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 6);
    rs_encode_key (&pk, "v");
    msgpack_pack_int (&pk, 1);
    rs_encode_key (&pk, "pub");
    rs_encode_string (&pk, "tpub");
    rs_encode_key (&pk, "epoch");
    msgpack_pack_int (&pk, 1);
    rs_encode_key (&pk, "seq");
    msgpack_pack_int (&pk, 3);
    rs_encode_key (&pk, "ts");
    msgpack_pack_double (&pk, 1.5e15);                  //  a float ts
    rs_encode_key (&pk, "well");
    rs_encode_string (&pk, "A");
    RS_CHECK_INT (rs_lvc_put (lvc, S ("telemetry.A"), sb.data, sb.size), RS_LVC_REJECTED);
    RS_CHECK (strstr (rs_lvc_reject_detail (lvc), "type") != NULL);
    //  A valid body on the wrong well's topic.
    b = s_body (enc, "telemetry.B", 9, 1.0, &blen);
    RS_CHECK_INT (rs_lvc_put (lvc, S ("telemetry.A"), b, blen), RS_LVC_REJECTED);
    RS_CHECK_INT (rs_lvc_rejected (lvc, RS_OK), 4);
    RS_CHECK_INT (rs_lvc_rejected (lvc, RS_E_MSGPACK), 2);
    RS_CHECK_INT (rs_lvc_rejected (lvc, RS_E_TYPE), 1);
    RS_CHECK_INT (rs_lvc_rejected (lvc, RS_E_MISMATCH), 1);
    RS_CHECK_INT (rs_lvc_rejected (lvc, RS_E_COUNT), 0);
    body = rs_lvc_get (lvc, S ("telemetry.A"), &len);
    RS_CHECK (body && rs_decode (dec, S ("telemetry.A"), body, len, &msg) == RS_OK && msg.hdr.seq == 2);
    msgpack_sbuffer_destroy (&sb);

    visit_t v = { .n = 0 };
    RS_CHECK_INT (rs_lvc_foreach_prefix (lvc, S ("telemetry"), s_visit, &v), 2);
    RS_CHECK_STR (v.seen [0], "telemetry.A");      // insertion order
    RS_CHECK_STR (v.seen [1], "telemetry.B");
    v = (visit_t) { .n = 0 };
    RS_CHECK_INT (rs_lvc_foreach_prefix (lvc, "", 0, s_visit, &v), 3);
    v = (visit_t) { .n = 0 };
    RS_CHECK_INT (rs_lvc_foreach_prefix (lvc, S ("telemetry.A.more"), s_visit, &v), 0);
    v = (visit_t) { .n = 0, .stop_after = 1 };
    RS_CHECK_INT (rs_lvc_foreach_prefix (lvc, "", 0, s_visit, &v), 1);

    //  A huge body (a sample of 256 long-named channels), then small ones:
    //  memory is given back.
    rs_value_t chans[RS_MAX_CHANNELS];
    char names[RS_MAX_CHANNELS][RS_MAX_CHNAME + 1];
    for (int i = 0; i < RS_MAX_CHANNELS; i++) {
        snprintf (names [i], sizeof names [i], "vendor_channel_%017d", i);
        chans [i] = (rs_value_t) { names [i], -1, i };
    }
    rs_header_t hdr = { .pub = "tpub", .epoch = 1, .seq = 3, .ts_us = 1000000 };
    RS_CHECK_INT (rs_encode_sample (enc, "B", &hdr, chans, RS_MAX_CHANNELS), RS_OK);
    size_t big = rs_encoder_size (enc);
    RS_CHECK (big > 8192);
    RS_CHECK_INT (rs_lvc_put (lvc, S ("telemetry.B"), rs_encoder_data (enc), big), RS_LVC_UPDATED);
    RS_CHECK (rs_lvc_bytes (lvc) >= big);
    RS_CHECK_INT (PUT ("telemetry.B", 4, 1.0), RS_LVC_UPDATED);
    RS_CHECK (rs_lvc_bytes (lvc) < 400);
    rs_lvc_destroy (&lvc);
    RS_CHECK (lvc == NULL);

    //  Many topics: the index keeps working near the cap.
    lvc = rs_lvc_new (5000);
    int ok = 1;
    for (int i = 0; i < 5000 && ok; i++) {
        char t[32];
        snprintf (t, sizeof t, "telemetry.W%d", i);
        ok = PUT (t, 1, i) == RS_LVC_ADDED;
    }
    RS_CHECK (ok);
    for (int i = 0; i < 5000 && ok; i++) {
        char t[32];
        int n = snprintf (t, sizeof t, "telemetry.W%d", i);
        const void *p = rs_lvc_get (lvc, t, (size_t) n, &len);
        ok = p && rs_decode (dec, t, (size_t) n, p, len, &msg) == RS_OK && rs_msg_value (&msg, "rpm") == i;
    }
    RS_CHECK (ok);
    RS_CHECK_INT (PUT ("telemetry.extra", 1, 0), RS_LVC_FULL);
    rs_lvc_destroy (&lvc);
    rs_encoder_destroy (&enc);
    rs_decoder_destroy (&dec);
}

static int
s_count_subs (const char *prefix, size_t len, uint64_t count, void *arg)
{
    (void) prefix;
    (void) len;
    *(uint64_t *) arg += count;
    return 0;
}

static void
test_subs (void)
{
    rs_subs_t *subs = rs_subs_new (2);
    RS_CHECK (subs != NULL);
    if (!subs)
        return;
    RS_CHECK_INT (rs_subs_add (subs, "", 0), 1);
    RS_CHECK_INT (rs_subs_add (subs, S ("telemetry")), 1);
    RS_CHECK_INT (rs_subs_add (subs, S ("telemetry")), 2);
    RS_CHECK_INT (rs_subs_add (subs, S ("kpi")), -1);      // full
    RS_CHECK_INT (rs_subs_untracked (subs), 1);
    RS_CHECK_INT (rs_subs_total (subs), 3);
    RS_CHECK_INT (rs_subs_size (subs), 2);
    RS_CHECK_INT (rs_subs_count (subs, S ("telemetry")), 2);
    RS_CHECK_INT (rs_subs_count (subs, S ("tele")), 0);
    RS_CHECK_INT (rs_subs_remove (subs, S ("kpi")), -1);
    RS_CHECK_INT (rs_subs_remove (subs, "", 0), 0);
    RS_CHECK_INT (rs_subs_size (subs), 1);
    RS_CHECK_INT (rs_subs_count (subs, S ("telemetry")), 2);
    RS_CHECK_INT (rs_subs_remove (subs, S ("telemetry")), 1);
    uint64_t sum = 0;
    rs_subs_foreach (subs, s_count_subs, &sum);
    RS_CHECK_INT (sum, 1);
    RS_CHECK_INT (rs_subs_remove (subs, S ("telemetry")), 0);
    RS_CHECK_INT (rs_subs_total (subs), 0);
    RS_CHECK_INT (rs_subs_size (subs), 0);
    char longp[RS_MAX_TOPIC + 1];
    memset (longp, 'x', sizeof longp);
    RS_CHECK_INT (rs_subs_add (subs, longp, sizeof longp), -1);
    rs_subs_destroy (&subs);
    RS_CHECK (subs == NULL);
}

//  Runs the engine for about `ms`.
static void
s_pump (rs_broker_t *broker, int ms)
{
    for (int i = 0; i < ms / 10; i++)
        rs_broker_step (broker, 10);
}

static void
test_engine (void)
{
    rs_broker_opts_t opts = {
        .frontend = "tcp://127.0.0.1:*",
        .backend = "tcp://127.0.0.1:*",
        .control = "tcp://127.0.0.1:*",
        .heartbeat_ms = 100,
    };
    rs_broker_t *broker = rs_broker_new (&opts);
    RS_CHECK (broker != NULL);
    if (!broker)
        return;
    const char *front = rs_broker_endpoint (broker, "frontend");
    RS_CHECK (front && strstr (front, "tcp://127.0.0.1:") && !strchr (front, '*'));

    //  Binding the same port again fails cleanly.
    rs_broker_opts_t clash = opts;
    clash.frontend = front;
    rs_broker_t *second = rs_broker_new (&clash);
    RS_CHECK (second == NULL);

    void *ctx = zmq_ctx_new ();
    void *pub = zmq_socket (ctx, ZMQ_PUB);
    void *sub = zmq_socket (ctx, ZMQ_SUB);
    void *req = zmq_socket (ctx, ZMQ_REQ);
    int zero = 0, timeout = 2000;
    zmq_setsockopt (pub, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (sub, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (req, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (sub, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "telemetry", 9);
    zmq_connect (pub, front);
    zmq_connect (sub, rs_broker_endpoint (broker, "backend"));
    zmq_connect (req, rs_broker_endpoint (broker, "control"));
    s_pump (broker, 300);   // connections and the subscription land

    zmq_send (pub, "telemetry.A", 11, ZMQ_SNDMORE);
    zmq_send (pub, "body", 4, 0);
    zmq_send (pub, "kpi.A", 5, ZMQ_SNDMORE);
    zmq_send (pub, "k", 1, 0);
    zmq_send (pub, "one-frame", 9, 0);
    s_pump (broker, 200);
    char buf[64];
    int n = zmq_recv (sub, buf, sizeof buf, 0);
    RS_CHECK_INT (n, 11);
    n = zmq_recv (sub, buf, sizeof buf, 0);
    RS_CHECK (n == 4 && memcmp (buf, "body", 4) == 0);

    const rs_broker_counters_t *c = rs_broker_counters (broker);
    RS_CHECK_INT (c->msgs_in, 2);
    RS_CHECK_INT (c->dropped_bad_frames, 1);
    RS_CHECK_INT (c->prefix_msgs [RS_BROKER_P_KPI], 1);
    RS_CHECK_INT (c->subscribes, 1);
    RS_CHECK (c->heartbeats_sent >= 1);

    zmq_send (req, "STATUS", 6, 0);
    static char reply[65536];
    n = -1;
    for (int i = 0; i < 200 && n < 0; i++) {
        rs_broker_step (broker, 10);
        n = zmq_recv (req, reply, sizeof reply - 1, ZMQ_DONTWAIT);
    }
    RS_CHECK (n > 0);
    if (n > 0) {
        reply [n] = 0;
        json_t *root = json_loads (reply, 0, NULL);
        RS_CHECK (root != NULL);
        RS_CHECK_STR (json_string_value (json_object_get (root, "component")), "broker");
        json_t *counters = json_object_get (root, "counters");
        RS_CHECK_INT (json_integer_value (json_object_get (counters, "msgs_in")), 2);
        json_t *subs = json_object_get (root, "subscriptions");
        RS_CHECK_INT (json_integer_value (json_object_get (subs, "telemetry")), 1);
        json_t *lvc = json_object_get (root, "lvc");
        //  Only sys.broker is cached: "body" is not MessagePack, "k" is the
        //  integer 107, not a map.
        RS_CHECK_INT (json_integer_value (json_object_get (lvc, "topics")), 1);
        RS_CHECK_INT (json_integer_value (json_object_get (lvc, "rejected")), 2);
        json_t *by = json_object_get (lvc, "rejected_by");
        RS_CHECK_INT (json_integer_value (json_object_get (by, "msgpack")), 1);
        RS_CHECK_INT (json_integer_value (json_object_get (by, "not_map")), 1);
        json_decref (root);
    }
    //  The sys.broker heartbeat passes the strict decoder (from the cache,
    //  replayed at once on subscribe).
    void *hb = zmq_socket (ctx, ZMQ_SUB);
    zmq_setsockopt (hb, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (hb, ZMQ_SUBSCRIBE, "sys.broker", 10);
    zmq_connect (hb, rs_broker_endpoint (broker, "backend"));
    zmq_msg_t t, b;
    zmq_msg_init (&t);
    zmq_msg_init (&b);
    int got = -1;
    for (int i = 0; i < 200 && got < 0; i++) {
        rs_broker_step (broker, 10);
        got = zmq_msg_recv (&t, hb, ZMQ_DONTWAIT);
    }
    RS_CHECK (got > 0 && zmq_msg_more (&t));
    if (got > 0) {
        zmq_msg_recv (&b, hb, 0);
        rs_decoder_t *dec = rs_decoder_new ();
        rs_msg_t msg;
        int rc = rs_decode (dec, zmq_msg_data (&t), zmq_msg_size (&t), zmq_msg_data (&b),
                            zmq_msg_size (&b), &msg);
        RS_CHECK_STR (rs_strerror (rc), rs_strerror (RS_OK));
        if (rc == RS_OK) {
            RS_CHECK_INT (msg.kind, RS_KIND_SYS);
            RS_CHECK_STR (msg.id, "broker");
            RS_CHECK_STR (msg.hdr.pub, "broker");
            RS_CHECK (msg.hdr.seq >= 1);
            RS_CHECK (rs_msg_value (&msg, "msgs_in") >= 2);
            RS_CHECK_INT (rs_msg_value (&msg, "msgs.kpi"), 1);
            RS_CHECK (rs_msg_value (&msg, "pid") > 0);
        }
        rs_decoder_destroy (&dec);
    }
    zmq_msg_close (&t);
    zmq_msg_close (&b);
    zmq_close (hb);

    zmq_close (pub);
    zmq_close (sub);
    zmq_close (req);
    zmq_ctx_term (ctx);
    rs_broker_destroy (&broker);
    RS_CHECK (broker == NULL);
}

//  A CURVE broker: an allowed publisher and subscriber talk through it; a
//  subscriber outside the allow-list and a plaintext one get nothing, and
//  the refusals are counted.
static void
test_curve (void)
{
    char dir[128], allow[160], path[256], secret[300];
    snprintf (dir, sizeof dir, "/tmp/test_broker_curve.%d", (int) getpid ());
    snprintf (allow, sizeof allow, "%s/allowed", dir);
    zsys_dir_create ("%s", allow);
    const char *names[] = { "broker", "pub", "sub", "intruder" };
    for (int i = 0; i < 4; i++) {
        zcert_t *cert = zcert_new ();
        snprintf (path, sizeof path, "%s/%s.cert", dir, names [i]);
        zcert_save (cert, path);
        if (i == 1 || i == 2) {
            snprintf (path, sizeof path, "%s/%s.cert", allow, names [i]);
            zcert_save_public (cert, path);
        }
        zcert_destroy (&cert);
    }
    snprintf (secret, sizeof secret, "%s/broker.cert_secret", dir);
    rs_curve_t *server = rs_curve_new (&(rs_curve_opts_t) { .server = true, .cert = secret,
                                                             .allow_dir = allow });
    RS_CHECK (server != NULL);
    rs_broker_opts_t opts = {
        .frontend = "tcp://127.0.0.1:*",
        .backend = "tcp://127.0.0.1:*",
        .control = "tcp://127.0.0.1:*",
        .heartbeat_ms = 100,
        .curve = server,
    };
    rs_broker_t *broker = server ? rs_broker_new (&opts) : NULL;
    RS_CHECK (broker != NULL);
    if (!broker) {
        rs_curve_destroy (&server);
        return;
    }
    rs_curve_t *clients[4] = { NULL };
    snprintf (path, sizeof path, "%s/broker.cert", dir);
    for (int i = 1; i < 4; i++) {
        snprintf (secret, sizeof secret, "%s/%s.cert_secret", dir, names [i]);
        clients [i] = rs_curve_new (&(rs_curve_opts_t) { .server_key = path, .cert = secret });
        RS_CHECK (clients [i] != NULL);
    }
    void *ctx = zmq_ctx_new ();
    void *pub = zmq_socket (ctx, ZMQ_PUB);
    void *subs[3];     // allowed, intruder, plaintext
    int zero = 0;
    zmq_setsockopt (pub, ZMQ_LINGER, &zero, sizeof zero);
    rs_curve_client (clients [1], pub, NULL);
    zmq_connect (pub, rs_broker_endpoint (broker, "frontend"));
    for (int i = 0; i < 3; i++) {
        subs [i] = zmq_socket (ctx, ZMQ_SUB);
        zmq_setsockopt (subs [i], ZMQ_LINGER, &zero, sizeof zero);
        zmq_setsockopt (subs [i], ZMQ_SUBSCRIBE, "telemetry", 9);
        if (i < 2)
            rs_curve_client (clients [i == 0 ? 2 : 3], subs [i], NULL);
        zmq_connect (subs [i], rs_broker_endpoint (broker, "backend"));
    }
    s_pump (broker, 500);
    zmq_send (pub, "telemetry.A", 11, ZMQ_SNDMORE);
    zmq_send (pub, "body", 4, 0);
    s_pump (broker, 300);
    char buf[64];
    RS_CHECK_INT (zmq_recv (subs [0], buf, sizeof buf, ZMQ_DONTWAIT), 11);
    RS_CHECK_INT (zmq_recv (subs [1], buf, sizeof buf, ZMQ_DONTWAIT), -1);
    RS_CHECK_INT (zmq_recv (subs [2], buf, sizeof buf, ZMQ_DONTWAIT), -1);
    const rs_broker_counters_t *c = rs_broker_counters (broker);
    RS_CHECK_INT (c->msgs_in, 1);
    RS_CHECK (c->auth_rejected >= 1);
    RS_CHECK (c->handshake_failed >= 1);
    char *status = rs_broker_status_json (broker);
    RS_CHECK (status && strstr (status, "\"curve\":true") && strstr (status, "\"auth_rejected\":"));
    free (status);

    zmq_close (pub);
    for (int i = 0; i < 3; i++)
        zmq_close (subs [i]);
    zmq_ctx_term (ctx);
    rs_broker_destroy (&broker);
    for (int i = 1; i < 4; i++)
        rs_curve_destroy (&clients [i]);
    rs_curve_destroy (&server);
    zdir_t *tree = zdir_new (dir, NULL);
    if (tree)
        zdir_remove (tree, true);
    zdir_destroy (&tree);
}

int
main (void)
{
    test_prefix ();
    test_command ();
    test_lvc ();
    test_subs ();
    test_engine ();
    test_curve ();
    return RS_TEST_DONE ();
}
