/*  test_rs_sub: the subscriber SDK's self-test, in czmq's zproxy_test style:
    a zproxy actor plays the broker over inproc://, rs_pub publishes into it
    and rs_sub reads from it, all in this process. Covers the layer under
    (rs_sub_new, rs_sub_run, timers, the heartbeat report) and the program
    layer (rs_sub_start/rs_sub_finish: options, on_setup/on_start/on_stop,
    SIGHUP as on_reload, --help, a bad option, a bad or half CURVE set-up). */
#include <czmq.h>
#include <signal.h>

#include "rs_channels.h"
#include "rs_clock.h"
#include "rs_sub.h"
#include "rs_test.h"

#define FRONT "inproc://test-front"
#define BACK "inproc://test-back"

typedef struct {
    rs_pub_t *pub;
    int sent, received, heartbeats_with_stat, reloads;
    double threshold;
    bool setup, started, stopped, raised, want_reload;
    int64_t deadline_ms;
} fixture_t;

static zactor_t *
s_broker (void)
{
    zactor_t *proxy = zactor_new (zproxy, NULL);
    zstr_sendx (proxy, "FRONTEND", "XSUB", FRONT, NULL);
    zsock_wait (proxy);
    zstr_sendx (proxy, "BACKEND", "XPUB", BACK, NULL);
    zsock_wait (proxy);
    return proxy;
}

static int
s_on_message (rs_sub_t *sub, const rs_msg_t *msg, void *arg)
{
    (void) sub;
    fixture_t *f = arg;
    if (msg->kind == RS_KIND_TELEMETRY) {
        RS_CHECK_STR (msg->id, "W1");
        RS_CHECK_NEAR (rs_msg_chan (msg, RS_CH_PIT_VOLUME), 40.0 + f->received, 1e-9);
        f->received++;
    }
    else if (msg->kind == RS_KIND_SYS && strcmp (msg->id, "sdk_test") == 0)
        for (size_t i = 0; i < msg->n_values; i++)
            if (strcmp (msg->values[i].name, "own_counter") == 0 && msg->values[i].value == 7)
                f->heartbeats_with_stat++;
    return !f->want_reload && f->received >= 5 && f->heartbeats_with_stat > 0 ? -1 : 0;
}

//  Publishes one sample a tick from the subscriber's own loop; gives up
//  (stops the loop) at the deadline so a broken test cannot hang.
static int
s_on_tick (rs_sub_t *sub, void *arg)
{
    (void) sub;
    fixture_t *f = arg;
    if (rs_clock_mono_ms () > f->deadline_ms)
        return -1;
    if (f->pub && rs_pub_ready (f->pub) && f->sent < 5) {
        rs_value_t ch[] = { { "pit_volume", RS_CH_PIT_VOLUME, 40.0 + f->sent } };
        RS_CHECK_INT (rs_pub_sample (f->pub, "W1", 0, ch, 1), RS_OK);
        f->sent++;
    }
    //  With everything delivered, a SIGHUP; the loop ends once it was handled.
    if (f->want_reload && !f->raised && f->received >= 5) {
        f->raised = true;
        raise (SIGHUP);
    }
    return f->want_reload && f->reloads > 0 && f->heartbeats_with_stat > 0 ? -1 : 0;
}

static void
s_stats (rs_sub_t *sub, rs_sub_report_t *report, void *arg)
{
    (void) sub;
    (void) arg;
    rs_sub_report_add (report, "own_counter", 7);
}

//  The layer under: rs_sub_new, a timer, the report in the heartbeat.
static void
s_test_new (void)
{
    fixture_t f = { .deadline_ms = rs_clock_mono_ms () + 10000 };
    rs_pub_opts_t popts = { .endpoint = FRONT, .component = "test_pub", .pub_id = "tp" };
    f.pub = rs_pub_new (&popts);
    RS_CHECK (f.pub != NULL);
    const char *topics[] = { "telemetry.", "sys.sdk_test", NULL };
    rs_sub_opts_t opts = { .component = "sdk_test", .sub_endpoint = BACK, .pub_endpoint = FRONT,
                           .topics = topics, .heartbeat_ms = 100, .on_message = s_on_message, .arg = &f };
    rs_sub_t *sub = rs_sub_new (&opts);
    RS_CHECK (sub != NULL);
    RS_CHECK (rs_sub_config (sub) == NULL);
    RS_CHECK_STR (rs_sub_endpoint (sub), BACK);
    RS_CHECK_INT (rs_sub_timer (sub, 0, s_on_tick, &f), RS_E_INVAL);
    RS_CHECK_INT (rs_sub_timer (sub, 10, s_on_tick, &f), RS_OK);
    RS_CHECK_INT (rs_sub_resume (sub, "tp", "telemetry.W1", 1, 1), RS_E_INVAL);   //  not durable
    rs_sub_set_stats_fn (sub, s_stats, &f);
    RS_CHECK_INT (rs_sub_run (sub), RS_OK);
    RS_CHECK_INT (f.received, 5);
    RS_CHECK (f.heartbeats_with_stat > 0);
    const rs_sub_stats_t *st = rs_sub_stats (sub);
    RS_CHECK (st->delivered >= 5);
    RS_CHECK_INT (st->gaps, 0);
    RS_CHECK_INT (st->rejected, 0);
    rs_sub_destroy (&sub);
    RS_CHECK (sub == NULL);
    rs_pub_destroy (&f.pub);
}

//  The program layer.
static const rs_option_t s_options[] = {
    { "threshold", "SDK_TEST_THRESHOLD", RS_OPT_DOUBLE, "1.0", "a program option", 0.5, 10 },
    RS_OPTION_END
};

static int
s_setup (rs_config_t *cfg, rs_sub_opts_t *opts, void *arg)
{
    fixture_t *f = arg;
    f->setup = true;
    f->threshold = rs_config_double (cfg, "threshold");
    if (f->threshold == 3.5) {
        RS_CHECK_STR (opts->sub_endpoint, BACK);
        RS_CHECK_STR (opts->pub_endpoint, FRONT);
    }
    RS_CHECK (opts->curve != NULL);
    opts->heartbeat_ms = 100;
    return f->threshold > 9 ? RS_E_CONFIG : RS_OK;
}

static int
s_start (rs_sub_t *sub, void *arg)
{
    fixture_t *f = arg;
    f->started = true;
    RS_CHECK (rs_sub_config (sub) != NULL);
    return rs_sub_timer (sub, 10, s_on_tick, f);
}

static void
s_reload (rs_sub_t *sub, void *arg)
{
    (void) sub;
    fixture_t *f = arg;
    f->reloads++;
}

static int
s_stop (rs_sub_t *sub, char *summary, size_t size, void *arg)
{
    (void) sub;
    fixture_t *f = arg;
    f->stopped = true;
    snprintf (summary, size, "%d samples seen", f->received);
    return RS_OK;
}

static int
s_run (fixture_t *f, int argc, const char **argv)
{
    static const char *const topics[] = { "telemetry.", "sys.sdk_test", NULL };
    rs_sub_def_t def = { .component = "sdk_test", .usage = "SDK self-test", .options = s_options,
                         .topics = topics, .on_setup = s_setup, .on_start = s_start, .on_message = s_on_message,
                         .on_stats = s_stats, .on_reload = s_reload, .on_stop = s_stop, .arg = f };
    rs_sub_t *sub = NULL;
    int rc = rs_sub_start (&def, argc, (char **) argv, &sub);
    RS_CHECK ((rc == RS_OK) == (sub != NULL));
    if (rc == RS_OK)
        rc = rs_sub_run (sub);
    return rs_sub_finish (&sub, rc);
}

static void
s_test_start (void)
{
    fixture_t f = { .deadline_ms = rs_clock_mono_ms () + 10000, .want_reload = true };
    rs_pub_opts_t popts = { .endpoint = FRONT, .component = "test_pub", .pub_id = "tp2" };
    f.pub = rs_pub_new (&popts);
    const char *argv[] = { "sdk_test", "--env-file", "/dev/null", "--frontend", FRONT, "--backend", BACK,
                           "--threshold", "3.5", NULL };
    RS_CHECK_INT (s_run (&f, 9, argv), 0);
    RS_CHECK (f.setup && f.started && f.stopped);
    RS_CHECK_NEAR (f.threshold, 3.5, 1e-9);
    RS_CHECK_INT (f.received, 5);
    RS_CHECK_INT (f.reloads, 1);        //  SIGHUP called on_reload, and the process lives on
    rs_pub_destroy (&f.pub);
}

static void
s_test_refusals (void)
{
    fixture_t f = { 0 };
    const char *help[] = { "sdk_test", "--help", NULL };
    RS_CHECK_INT (s_run (&f, 2, help), 0);
    RS_CHECK (!f.setup);
    const char *bad[] = { "sdk_test", "--env-file", "/dev/null", "--threshold", "0", NULL };
    RS_CHECK_INT (s_run (&f, 5, bad), 2);
    RS_CHECK (!f.setup);
    const char *refused[] = { "sdk_test", "--env-file", "/dev/null", "--threshold", "9.5", NULL };
    RS_CHECK_INT (s_run (&f, 5, refused), 2);
    RS_CHECK (f.setup && !f.started && !f.stopped);
    //  A key that is not a key is an error, never a plaintext run.
    f.setup = false;
    const char *badkey[] = { "sdk_test", "--env-file", "/dev/null", "--curve-server-key", "not-a-key", NULL };
    RS_CHECK_INT (s_run (&f, 5, badkey), 2);
    RS_CHECK (!f.setup);
    //  A good server key without this program's own certificate: also refused.
    zcert_t *cert = zcert_new ();
    const char *nocert[] = { "sdk_test", "--env-file", "/dev/null", "--curve-server-key",
                             zcert_public_txt (cert), NULL };
    RS_CHECK_INT (s_run (&f, 5, nocert), 2);
    RS_CHECK (!f.setup);
    zcert_destroy (&cert);
    //  rs_sub_main: the same, in one call.
    rs_sub_def_t minimal = { .component = "sdk_test", .options = s_options, .on_message = s_on_message, .arg = &f };
    RS_CHECK_INT (rs_sub_main (&minimal, 2, (char **) help), 0);
    RS_CHECK_INT (rs_sub_main (&minimal, 5, (char **) bad), 2);
    //  Without a definition or a callback.
    rs_sub_t *sub = NULL;
    RS_CHECK_INT (rs_sub_start (NULL, 0, NULL, &sub), RS_E_INVAL);
    RS_CHECK_INT (rs_sub_finish (&sub, RS_E_INVAL), 1);
}

static void
s_test_errors (void)
{
    for (int e = 0; e < RS_E_COUNT; e++) {
        RS_CHECK (strlen (rs_strerror (e)) > 0);
        RS_CHECK (strcmp (rs_errname (e), "unknown") != 0);
    }
    RS_CHECK_STR (rs_strerror (RS_E_COUNT), "unknown error");
    RS_CHECK_INT (rs_exit_status (RS_OK), 0);
    RS_CHECK_INT (rs_exit_status (RS_E_EXIT), 0);
    RS_CHECK_INT (rs_exit_status (RS_E_STOPPED), 0);
    RS_CHECK_INT (rs_exit_status (RS_E_CONFIG), 2);
    RS_CHECK_INT (rs_exit_status (RS_E_SOCKET), 1);
    RS_CHECK_INT (rs_exit_status (RS_E_IO), 1);
}

int
main (void)
{
    zsys_init ();
    zactor_t *broker = s_broker ();
    s_test_errors ();
    s_test_new ();
    s_test_start ();
    s_test_refusals ();
    zactor_destroy (&broker);
    return RS_TEST_DONE ();
}
