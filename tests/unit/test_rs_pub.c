/*  test_rs_pub: the publisher API over inproc://, czmq zproxy_test style: a
    zproxy actor is the broker, a plain SUB socket the subscriber. Covers
    readiness (the broker's subscription), numbering, what a bad value does
    (refused with its code, no gap), rs_pub_start's codes, and the timeout
    of rs_pub_wait_ready with no broker. */
#include <czmq.h>

#include "rs_channels.h"
#include "rs_config.h"
#include "rs_pub.h"
#include "rs_test.h"

#define FRONT "inproc://pub-front"
#define BACK "inproc://pub-back"

static const rs_option_t s_options[] = {
    RS_OPTIONS_BROKER_CLIENT,
    RS_OPTIONS_PUBLISHER,
    { "publisher-id", "PUBLISHER_ID", RS_OPT_STRING, "tp", "publisher id", 0, 0 },
    RS_OPTION_END
};

//  Receives one message from sub and decodes it; returns its seq, 0 on failure.
static uint64_t
s_recv (zsock_t *sub, rs_decoder_t *dec, const char *topic)
{
    zmsg_t *m = zmsg_recv (sub);
    RS_CHECK (m && zmsg_size (m) == 2);
    if (!m || zmsg_size (m) != 2) {
        zmsg_destroy (&m);
        return 0;
    }
    zframe_t *t = zmsg_first (m), *b = zmsg_next (m);
    rs_msg_t msg;
    int rc = rs_decode (dec, zframe_data (t), zframe_size (t), zframe_data (b), zframe_size (b), &msg);
    RS_CHECK_INT (rc, RS_OK);
    uint64_t seq = rc == RS_OK ? msg.hdr.seq : 0;
    if (rc == RS_OK)
        RS_CHECK_STR (msg.topic, topic);
    zmsg_destroy (&m);
    return seq;
}

static rs_config_t *
s_config (int argc, const char **argv)
{
    rs_config_t *cfg = rs_config_new ("pub_test", "test", s_options, NULL);
    RS_CHECK (cfg && rs_config_load (cfg, argc, (char **) argv) == 0);
    return cfg;
}

int
main (void)
{
    zsys_init ();
    zactor_t *proxy = zactor_new (zproxy, NULL);
    zstr_sendx (proxy, "FRONTEND", "XSUB", FRONT, NULL);
    zsock_wait (proxy);
    zstr_sendx (proxy, "BACKEND", "XPUB", BACK, NULL);
    zsock_wait (proxy);
    zsock_t *sub = zsock_new_sub (BACK, "telemetry.");
    zsock_set_rcvtimeo (sub, 5000);
    rs_decoder_t *dec = rs_decoder_new ();

    //  rs_pub_start: connects, waits for the broker, owns its CURVE set-up.
    const char *argv[] = { "pub_test", "--env-file", "/dev/null", "--frontend", FRONT, "--backend", BACK,
                           "--replay-endpoint", "inproc://pub-journal", NULL };
    rs_config_t *cfg = s_config (9, argv);
    rs_pub_t *pub = NULL;
    RS_CHECK_INT (rs_pub_start (cfg, "pub_test", rs_config_str (cfg, "publisher-id"), &pub), RS_OK);
    RS_CHECK (pub != NULL);
    RS_CHECK_STR (rs_pub_endpoint (pub), FRONT);
    RS_CHECK_STR (rs_pub_replay_endpoint (pub), "inproc://pub-journal");
    rs_value_t ch[] = { { "pit_volume", RS_CH_PIT_VOLUME, 41.0 } };
    RS_CHECK_INT (rs_pub_sample (pub, "W1", 0, ch, 1), RS_OK);
    RS_CHECK_INT (s_recv (sub, dec, "telemetry.W1"), 1);
    //  A bad well is refused with its code and takes no number.
    RS_CHECK_INT (rs_pub_sample (pub, "bad well", 0, ch, 1), RS_E_TOPIC);
    RS_CHECK_INT (rs_pub_sample (pub, "W1", 0, ch, 1), RS_OK);
    RS_CHECK_INT (s_recv (sub, dec, "telemetry.W1"), 2);
    RS_CHECK_INT (rs_pub_sent (pub), 2);
    rs_pub_destroy (&pub);
    rs_config_destroy (&cfg);

    //  A bad key is a configuration error, never a plaintext run.
    const char *badkey[] = { "pub_test", "--env-file", "/dev/null", "--frontend", FRONT,
                             "--curve-server-key", "not-a-key", NULL };
    cfg = s_config (7, badkey);
    RS_CHECK_INT (rs_pub_start (cfg, "pub_test", "tp", &pub), RS_E_CONFIG);
    RS_CHECK (pub == NULL);
    RS_CHECK_INT (rs_exit_status (RS_E_CONFIG), 2);
    rs_config_destroy (&cfg);

    //  No broker: the wait times out.
    rs_pub_opts_t opts = { .endpoint = "inproc://nobody-here", .component = "pub_test", .pub_id = "tp3" };
    pub = rs_pub_new (&opts);
    RS_CHECK (pub != NULL);
    RS_CHECK_INT (rs_pub_wait_ready (pub, 50), RS_E_TIMEOUT);
    RS_CHECK (!rs_pub_ready (pub));
    rs_pub_destroy (&pub);

    rs_decoder_destroy (&dec);
    zsock_destroy (&sub);
    zactor_destroy (&proxy);
    return RS_TEST_DONE ();
}
