/*  test_rs_pub: the publisher API over inproc://, czmq zproxy_test style: a
    zproxy actor is the broker, a plain SUB socket the subscriber. Covers
    readiness (the broker's subscription), numbering, what a bad value does
    (refused with its code, no gap), rs_pub_start's codes, and the timeout
    of rs_pub_wait_ready with no broker; and rs_pub_main, a publisher
    program from its definition: options, the order of the callbacks, exit
    statuses. */
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

//  A publisher program for rs_pub_main: records which callbacks ran.
typedef struct {
    char calls[64];
    int setup_rc;
    long count;
} prog_t;

static void
s_call (prog_t *self, char c)
{
    size_t n = strlen (self->calls);
    if (n + 1 < sizeof self->calls)
        self->calls[n] = c;
}

static int
s_prog_setup (rs_config_t *cfg, void *arg)
{
    prog_t *self = (prog_t *) arg;
    s_call (self, 'S');
    self->count = rs_config_int (cfg, "count");
    return self->setup_rc;
}

static void
s_prog_ready (rs_pub_t *pub, char *what, size_t size, void *arg)
{
    (void) pub;
    s_call ((prog_t *) arg, 'R');
    snprintf (what, size, "testing");
}

static int
s_prog_run (rs_pub_t *pub, rs_config_t *cfg, void *arg)
{
    prog_t *self = (prog_t *) arg;
    s_call (self, 'U');
    RS_CHECK_STR (rs_config_str (cfg, "publisher-id"), "tp4");
    rs_value_t ch[] = { { "pit_volume", RS_CH_PIT_VOLUME, 7.0 } };
    for (long i = 0; i < self->count; i++)
        RS_CHECK_INT (rs_pub_sample (pub, "W4", 0, ch, 1), RS_OK);
    return RS_OK;
}

static void
s_prog_stop (rs_pub_t *pub, char *summary, size_t size, void *arg)
{
    RS_CHECK_INT (rs_pub_sent (pub), 2);
    s_call ((prog_t *) arg, 'T');
    snprintf (summary, size, "%d samples", 2);
}

static void
s_prog_heartbeat (rs_pub_t *pub, const char *state, void *arg)
{
    RS_CHECK_STR (state, "stopped");
    RS_CHECK_INT (rs_pub_heartbeat (pub, NULL, 0, NULL, 0), RS_OK);
    s_call ((prog_t *) arg, 'H');
}

static void
s_prog_free (void *arg)
{
    s_call ((prog_t *) arg, 'F');
}

static void
s_program_test (zsock_t *sub, rs_decoder_t *dec)
{
    static const rs_option_t own[] = {
        { "count", "PROG_COUNT", RS_OPT_INT, "2", "samples to send", 0, 100 },
        RS_OPTION_END
    };
    prog_t prog = { .setup_rc = RS_OK };
    const rs_pub_def_t def = {
        .component = "pub_prog", .pub_id = "tp4", .usage = "test", .options = own,
        .on_setup = s_prog_setup, .on_ready = s_prog_ready, .on_run = s_prog_run, .on_stop = s_prog_stop,
        .on_heartbeat = s_prog_heartbeat, .on_free = s_prog_free, .arg = &prog,
    };
    //  A whole run: the broker's options and --publisher-id come with the table.
    const char *run[] = { "pub_prog", "--env-file", "/dev/null", "--frontend", FRONT, "--backend", BACK,
                          "--replay-journal", "0", NULL };
    RS_CHECK_INT (rs_pub_main (&def, 9, (char **) run), 0);
    RS_CHECK_STR (prog.calls, "SRUTHF");
    RS_CHECK_INT (s_recv (sub, dec, "telemetry.W4"), 1);
    RS_CHECK_INT (s_recv (sub, dec, "telemetry.W4"), 2);

    //  --help: nothing runs. A bad flag or publisher id: exit 2, nothing runs.
    const char *help[] = { "pub_prog", "--help", NULL };
    const char *bad[] = { "pub_prog", "--env-file", "/dev/null", "--count", "x", NULL };
    const char *bad_id[] = { "pub_prog", "--env-file", "/dev/null", "--publisher-id", "a b", NULL };
    memset (prog.calls, 0, sizeof prog.calls);
    RS_CHECK_INT (rs_pub_main (&def, 2, (char **) help), 0);
    RS_CHECK_INT (rs_pub_main (&def, 5, (char **) bad), 2);
    RS_CHECK_INT (rs_pub_main (&def, 5, (char **) bad_id), 2);
    RS_CHECK_STR (prog.calls, "");

    //  on_setup decides: RS_E_EXIT (done, exit 0), RS_E_CONFIG (exit 2),
    //  another code (exit 1); on_free runs either way, nothing else does.
    const char *quiet[] = { "pub_prog", "--env-file", "/dev/null", "--frontend", FRONT, NULL };
    const int codes[][2] = { { RS_E_EXIT, 0 }, { RS_E_CONFIG, 2 }, { RS_E_IO, 1 } };
    for (size_t i = 0; i < 3; i++) {
        memset (prog.calls, 0, sizeof prog.calls);
        prog.setup_rc = codes[i][0];
        RS_CHECK_INT (rs_pub_main (&def, 5, (char **) quiet), codes[i][1]);
        RS_CHECK_STR (prog.calls, "SF");
    }
    RS_CHECK_INT (rs_pub_main (NULL, 0, NULL), 1);
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

    s_program_test (sub, dec);

    rs_decoder_destroy (&dec);
    zsock_destroy (&sub);
    zactor_destroy (&proxy);
    return RS_TEST_DONE ();
}
