/*  bench_broker: throughput of the rigstream broker engine against a raw
    zmq_proxy (XSUB/XPUB), same machine, same load: one publisher thread
    sending realistic telemetry (topic telemetry.A-0n, encoded 21-channel
    sample body) over loopback TCP, one subscriber thread counting what
    arrives. High-water marks are set above the message count so nothing is
    dropped and the figure is the forwarding rate, measured at the subscriber.

    Usage: bench_broker [messages per run, default 500000] [repeats, default 3]
    Prints msgs/s for each case (best of the repeats) and broker / raw. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "rs_broker.h"
#include "rs_channels.h"
#include "rs_clock.h"
#include "rs_log.h"
#include "rs_msg.h"

typedef struct {
    void *ctx;
    char front[256];
    char back[256];
    int n_topics;
    int count;
    int hwm;
    const void *body;
    size_t body_len;
    atomic_int sub_ready;
    int received;
    double elapsed_s;
} run_t;

static void
s_set_int (void *sock, int opt, int value)
{
    zmq_setsockopt (sock, opt, &value, sizeof value);
}

static void *
s_publisher (void *arg)
{
    run_t *run = arg;
    void *pub = zmq_socket (run->ctx, ZMQ_PUB);
    s_set_int (pub, ZMQ_LINGER, 0);
    s_set_int (pub, ZMQ_SNDHWM, run->hwm);
    zmq_connect (pub, run->front);
    //  Warm up until the subscriber sees traffic: connections and the
    //  subscription path are then in place.
    while (!atomic_load (&run->sub_ready)) {
        zmq_send (pub, "warmup", 6, ZMQ_SNDMORE);
        zmq_send (pub, "w", 1, 0);
        struct timespec ts = { 0, 1000000 };
        nanosleep (&ts, NULL);
    }
    char topics[4][32];
    for (int t = 0; t < 4; t++)
        snprintf (topics [t], sizeof topics [t], "telemetry.A-0%d", t + 1);
    size_t tlen = strlen (topics [0]);
    for (int i = 0; i < run->count; i++) {
        zmq_send (pub, topics [i % run->n_topics], tlen, ZMQ_SNDMORE);
        zmq_send (pub, run->body, run->body_len, 0);
    }
    //  Let the I/O thread drain before the socket goes (linger 0 would drop).
    while (atomic_load (&run->sub_ready) != 2) {
        struct timespec ts = { 0, 10000000 };
        nanosleep (&ts, NULL);
    }
    zmq_close (pub);
    return NULL;
}

static void *
s_subscriber (void *arg)
{
    run_t *run = arg;
    void *sub = zmq_socket (run->ctx, ZMQ_SUB);
    s_set_int (sub, ZMQ_LINGER, 0);
    s_set_int (sub, ZMQ_RCVHWM, run->hwm);
    s_set_int (sub, ZMQ_RCVTIMEO, 3000);
    zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "", 0);
    zmq_connect (sub, run->back);
    zmq_msg_t topic, body;
    zmq_msg_init (&topic);
    zmq_msg_init (&body);
    int64_t t0 = 0, t1 = 0;
    while (run->received < run->count) {
        if (zmq_msg_recv (&topic, sub, 0) == -1)
            break;      // timeout: something was lost
        if (zmq_msg_more (&topic))
            zmq_msg_recv (&body, sub, 0);
        if (zmq_msg_size (&topic) < 10 || memcmp (zmq_msg_data (&topic), "telemetry.", 10) != 0) {
            //  Warm-up proves the whole path; sys.broker only proves ours.
            if (zmq_msg_size (&topic) == 6 && memcmp (zmq_msg_data (&topic), "warmup", 6) == 0)
                atomic_store (&run->sub_ready, 1);
            continue;
        }
        if (run->received++ == 0)
            t0 = rs_clock_now_us ();
        t1 = rs_clock_now_us ();
    }
    run->elapsed_s = (double) (t1 - t0) / 1e6;
    atomic_store (&run->sub_ready, 2);
    zmq_msg_close (&topic);
    zmq_msg_close (&body);
    zmq_close (sub);
    return NULL;
}

//  Runs publisher and subscriber against the given endpoints; returns msgs/s.
static double
s_measure (run_t *run)
{
    pthread_t pt, st;
    run->received = 0;
    atomic_store (&run->sub_ready, 0);
    run->ctx = zmq_ctx_new ();
    pthread_create (&st, NULL, s_subscriber, run);
    pthread_create (&pt, NULL, s_publisher, run);
    pthread_join (st, NULL);
    pthread_join (pt, NULL);
    zmq_ctx_term (run->ctx);
    if (run->received < run->count)
        fprintf (stderr, "  (received %d of %d)\n", run->received, run->count);
    return run->elapsed_s > 0 ? (run->received - 1) / run->elapsed_s : 0;
}

typedef struct {
    void *xsub;
    void *xpub;
    void *control;
} raw_proxy_t;

static void *
s_raw_proxy (void *arg)
{
    raw_proxy_t *p = arg;
    zmq_proxy_steerable (p->xsub, p->xpub, NULL, p->control);
    return NULL;
}

static double
s_run_raw (run_t *run)
{
    void *ctx = zmq_ctx_new ();
    raw_proxy_t p = {
        zmq_socket (ctx, ZMQ_XSUB), zmq_socket (ctx, ZMQ_XPUB), zmq_socket (ctx, ZMQ_PAIR)
    };
    void *ctl = zmq_socket (ctx, ZMQ_PAIR);
    s_set_int (p.xsub, ZMQ_RCVHWM, run->hwm);
    s_set_int (p.xpub, ZMQ_SNDHWM, run->hwm);
    s_set_int (p.xsub, ZMQ_LINGER, 0);
    s_set_int (p.xpub, ZMQ_LINGER, 0);
    s_set_int (p.control, ZMQ_LINGER, 0);
    s_set_int (ctl, ZMQ_LINGER, 0);
    zmq_bind (p.xsub, "tcp://127.0.0.1:*");
    zmq_bind (p.xpub, "tcp://127.0.0.1:*");
    zmq_bind (p.control, "inproc://bench-raw-control");
    zmq_connect (ctl, "inproc://bench-raw-control");
    size_t len = sizeof run->front;
    zmq_getsockopt (p.xsub, ZMQ_LAST_ENDPOINT, run->front, &len);
    len = sizeof run->back;
    zmq_getsockopt (p.xpub, ZMQ_LAST_ENDPOINT, run->back, &len);
    pthread_t t;
    pthread_create (&t, NULL, s_raw_proxy, &p);
    double rate = s_measure (run);
    zmq_send (ctl, "TERMINATE", 9, 0);
    pthread_join (t, NULL);
    zmq_close (p.xsub);
    zmq_close (p.xpub);
    zmq_close (p.control);
    zmq_close (ctl);
    zmq_ctx_term (ctx);
    return rate;
}

static void *
s_broker_thread (void *arg)
{
    rs_broker_run (arg);
    return NULL;
}

static double
s_run_broker (run_t *run)
{
    rs_broker_opts_t opts = {
        .frontend = "tcp://127.0.0.1:*",
        .backend = "tcp://127.0.0.1:*",
        .control = NULL,
        .sndhwm = run->hwm,
        .rcvhwm = run->hwm,
        .lvc_max = 10000,
        .heartbeat_ms = 1000,
    };
    rs_broker_t *broker = rs_broker_new (&opts);
    if (!broker)
        exit (1);
    snprintf (run->front, sizeof run->front, "%s", rs_broker_endpoint (broker, "frontend"));
    snprintf (run->back, sizeof run->back, "%s", rs_broker_endpoint (broker, "backend"));
    pthread_t t;
    pthread_create (&t, NULL, s_broker_thread, broker);
    double rate = s_measure (run);
    rs_broker_stop (broker);
    pthread_join (t, NULL);
    const rs_broker_counters_t *c = rs_broker_counters (broker);
    if (c->lvc_refused || c->dropped_bad_frames)
        fprintf (stderr, "  (broker: lvc_refused %llu, bad %llu)\n",
                 (unsigned long long) c->lvc_refused, (unsigned long long) c->dropped_bad_frames);
    rs_broker_destroy (&broker);
    return rate;
}

int
main (int argc, char **argv)
{
    int count = argc > 1 ? atoi (argv [1]) : 500000;
    int repeats = argc > 2 ? atoi (argv [2]) : 3;
    if (count < 1000 || repeats < 1) {
        fprintf (stderr, "usage: bench_broker [messages >= 1000] [repeats >= 1]\n");
        return 2;
    }
    rs_log_init ("bench", RS_LOG_WARN, NULL);

    //  A realistic body: every known channel, like the simulator sends.
    rs_encoder_t *enc = rs_encoder_new ();
    rs_value_t ch[RS_CH_COUNT];
    for (int i = 0; i < RS_CH_COUNT; i++)
        ch [i] = (rs_value_t) { rs_chan_info (i)->name, i, 1234.5678 + i };
    rs_header_t hdr = { "sim-01", (uint64_t) rs_clock_now_us (), 1, rs_clock_now_us () };
    if (!enc || rs_encode_sample (enc, "A-01", &hdr, ch, RS_CH_COUNT) != RS_OK) {
        fprintf (stderr, "bench_broker: cannot encode a sample\n");
        return 1;
    }
    run_t run = {
        .count = count, .hwm = count + 10000,
        .body = rs_encoder_data (enc), .body_len = rs_encoder_size (enc)
    };
    printf ("bench_broker: %d messages per run, best of %d, topic 14 B + body %zu B, tcp loopback\n",
            count, repeats, run.body_len);
    printf ("%-10s %14s %14s %8s\n", "topics", "raw msg/s", "broker msg/s", "ratio");
    int cases[] = { 1, 4 };
    for (size_t k = 0; k < sizeof cases / sizeof cases [0]; k++) {
        run.n_topics = cases [k];
        double best_raw = 0, best_broker = 0;
        for (int r = 0; r < repeats; r++) {
            double raw = s_run_raw (&run);
            double brk = s_run_broker (&run);
            if (raw > best_raw)
                best_raw = raw;
            if (brk > best_broker)
                best_broker = brk;
        }
        printf ("%-10d %14.0f %14.0f %7.1f%%\n", run.n_topics, best_raw, best_broker,
                best_raw > 0 ? 100.0 * best_broker / best_raw : 0);
        fflush (stdout);
    }
    rs_encoder_destroy (&enc);
    return 0;
}
