/*  rigstream-ctl: asks the broker's control endpoint one question (PING or
    STATUS) and prints the answer, or waits until named components are up,
    or shows from STATUS which messages each component rejected and why.
    For scripts and health checks: exit 0 with the reply, 1 when there is no
    answer in time or the broker answers with an error, 2 on bad options. */
#include <errno.h>
#include <jansson.h>
#include <time.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "rs_clock.h"
#include "rs_config.h"
#include "rs_curve.h"
#include "rs_log.h"

static const rs_option_t s_options[] = {
    { "endpoint", "BROKER_CONTROL_ENDPOINT", RS_OPT_ENDPOINT, NULL,
      "broker control endpoint; overrides broker-host and control-port", 0, 0 },
    { "broker-host", "BROKER_HOST", RS_OPT_STRING, "127.0.0.1",
      "host of the broker", 0, 0 },
    { "control-port", "BROKER_CONTROL_PORT", RS_OPT_INT, "5557",
      "broker control port", 1, 65535 },
    { "timeout-ms", NULL, RS_OPT_INT, "2000",
      "how long to wait for the answer (for wait: for every component to be up), ms", 1, 600000 },
    RS_OPTIONS_CURVE_KEYS,
    RS_OPTION_END
};

//  Sends command and waits for the reply. Returns the reply length, or -1
//  on timeout or error (message printed).
static int
s_ask (const rs_curve_t *curve, const char *endpoint, const char *command, int timeout_ms,
       char *reply, size_t size, bool quiet)
{
    void *ctx = zmq_ctx_new ();
    void *req = ctx ? zmq_socket (ctx, ZMQ_REQ) : NULL;
    int rc = -1;
    if (!req) {
        fprintf (stderr, "rigstream-ctl: cannot create socket: %s\n", zmq_strerror (zmq_errno ()));
        goto done;
    }
    int zero = 0;
    zmq_setsockopt (req, ZMQ_LINGER, &zero, sizeof zero);
    if (strchr (endpoint, '[')) {
        int one = 1;
        zmq_setsockopt (req, ZMQ_IPV6, &one, sizeof one);
    }
    if (rs_curve_client (curve, req, NULL) != 0) {
        fprintf (stderr, "rigstream-ctl: cannot set up CURVE: %s\n", zmq_strerror (zmq_errno ()));
        goto done;
    }
    if (zmq_connect (req, endpoint) != 0) {
        fprintf (stderr, "rigstream-ctl: cannot connect to %s: %s\n", endpoint,
                 zmq_strerror (zmq_errno ()));
        goto done;
    }
    //  REQ queues the request until the connection is up; the poll below
    //  covers both connecting and answering.
    if (zmq_send (req, command, strlen (command), 0) < 0) {
        fprintf (stderr, "rigstream-ctl: cannot send to %s: %s\n", endpoint,
                 zmq_strerror (zmq_errno ()));
        goto done;
    }
    int64_t deadline = rs_clock_mono_ms () + timeout_ms;
    for (;;) {
        int64_t left = deadline - rs_clock_mono_ms ();
        if (left < 0)
            left = 0;
        zmq_pollitem_t item = { req, 0, ZMQ_POLLIN, 0 };
        int n = zmq_poll (&item, 1, (long) left);
        if (n == 1) {
            int len = zmq_recv (req, reply, size - 1, 0);
            if (len < 0)
                break;
            if ((size_t) len > size - 1)
                len = (int) size - 1;
            reply [len] = 0;
            rc = len;
            break;
        }
        if (n == 0 || zmq_errno () != EINTR || left == 0)
            break;
    }
    if (rc < 0 && !quiet)
        fprintf (stderr, "rigstream-ctl: no answer from %s within %d ms\n", endpoint, timeout_ms);
done:
    if (req)
        zmq_close (req);
    if (ctx)
        zmq_ctx_term (ctx);
    return rc;
}

//  True when every named component is "up" in a STATUS reply; otherwise
//  writes the first one that is not into `missing`.
static bool
s_all_up (const char *status, rs_config_t *cfg, const char **missing)
{
    json_t *root = json_loads (status, 0, NULL);
    json_t *comps = json_object_get (root, "components");
    bool ok = true;
    for (int i = 1; i < rs_config_argc (cfg) && ok; i++) {
        const char *name = rs_config_argv (cfg, i);
        if (!json_is_true (json_object_get (json_object_get (comps, name), "up"))) {
            *missing = name;
            ok = false;
        }
    }
    json_decref (root);
    return ok;
}

//  wait COMPONENT...: polls STATUS until all are up or the timeout passes.
static int
s_wait (const rs_curve_t *curve, const char *endpoint, rs_config_t *cfg, char *reply, size_t size)
{
    int timeout_ms = (int) rs_config_int (cfg, "timeout-ms");
    int64_t deadline = rs_clock_mono_ms () + timeout_ms;
    const char *missing = "broker";
    while (rs_clock_mono_ms () < deadline) {
        int64_t left = deadline - rs_clock_mono_ms ();
        int ask_ms = left < 1000 ? (int) (left > 0 ? left : 1) : 1000;
        if (s_ask (curve, endpoint, "STATUS", ask_ms, reply, size, true) >= 0) {
            if (s_all_up (reply, cfg, &missing)) {
                printf ("up:");
                for (int i = 1; i < rs_config_argc (cfg); i++)
                    printf (" %s", rs_config_argv (cfg, i));
                printf ("\n");
                return 0;
            }
        }
        else
            missing = "broker";
        nanosleep (&(struct timespec) { 0, 200 * 1000 * 1000 }, NULL);
    }
    fprintf (stderr, "rigstream-ctl: %s not up within %d ms\n", missing, timeout_ms);
    return 1;
}

//  rejects: per component, the messages it rejected by reason and the last
//  offender, from the heartbeats in a STATUS reply. Returns 0, or 1 when the
//  reply is not a STATUS.
static int
s_rejects (const char *status)
{
    json_t *root = json_loads (status, 0, NULL);
    json_t *comps = json_object_get (root, "components");
    if (!json_is_object (comps)) {
        fprintf (stderr, "rigstream-ctl: the broker's answer has no components\n");
        json_decref (root);
        return 1;
    }
    printf ("%-20s %9s %10s  %-40s %s\n", "component", "rejected", "bad_frames", "by reason", "last offender");
    const char *name;
    json_t *c;
    json_object_foreach (comps, name, c) {
        json_t *stats = json_object_get (c, "stats");
        json_t *info = json_object_get (c, "info");
        json_t *rejected = json_object_get (stats, "rejected");
        if (!json_is_number (rejected))
            continue;       //  not a subscriber: it reads no messages
        char reasons[256] = "";
        size_t used = 0;
        const char *key;
        json_t *v;
        json_object_foreach (stats, key, v) {
            if (strncmp (key, "rejected.", 9) == 0 && json_is_number (v) && used < sizeof reasons) {
                int n = snprintf (reasons + used, sizeof reasons - used, "%s%s=%.0f", used ? " " : "", key + 9,
                                  json_number_value (v));
                used += n > 0 ? (size_t) n : 0;
            }
        }
        const char *pub = json_string_value (json_object_get (info, "last_reject_pub"));
        const char *why = json_string_value (json_object_get (info, "last_reject_reason"));
        const char *topic = json_string_value (json_object_get (info, "last_reject_topic"));
        json_t *bad = json_object_get (stats, "bad_frames");
        printf ("%-20s %9.0f %10.0f  %-40s ", name, json_number_value (rejected),
                json_is_number (bad) ? json_number_value (bad) : 0.0, *reasons ? reasons : "-");
        if (pub)
            printf ("pub=%s reason=%s topic=%s\n", pub, why ? why : "?", topic ? topic : "?");
        else
            printf ("-\n");
    }
    json_decref (root);
    return 0;
}

int
main (int argc, char **argv)
{
    rs_config_t *cfg = rs_config_new ("rigstream-ctl",
                                      "asks the rigstream broker PING or STATUS and prints the answer",
                                      s_options, "[PING|STATUS|rejects|wait COMPONENT...]");
    int rc = rs_config_start (&cfg, argc, argv, "ctl");
    if (rc != RS_OK)
        return rs_exit_status (rc);
    bool wait = rs_config_argc (cfg) >= 1 && strcmp (rs_config_argv (cfg, 0), "wait") == 0;
    if (wait ? rs_config_argc (cfg) < 2 : rs_config_argc (cfg) > 1) {
        fprintf (stderr, "rigstream-ctl: give one command: PING, STATUS, rejects, or wait COMPONENT...\n");
        rs_config_destroy (&cfg);
        return 2;
    }
    const char *command = rs_config_argc (cfg) == 1 ? rs_config_argv (cfg, 0) : "STATUS";
    bool rejects = strcmp (command, "rejects") == 0;
    if (rejects)
        command = "STATUS";
    char endpoint[256];
    const char *ep = rs_config_str (cfg, "endpoint");
    const char *host = rs_config_str (cfg, "broker-host");
    int n = ep && *ep ? snprintf (endpoint, sizeof endpoint, "%s", ep)
          : snprintf (endpoint, sizeof endpoint, strchr (host, ':') ? "tcp://[%s]:%ld" : "tcp://%s:%ld",
                      host, rs_config_int (cfg, "control-port"));
    if (n < 0 || (size_t) n >= sizeof endpoint) {
        fprintf (stderr, "rigstream-ctl: endpoint too long\n");
        rs_config_destroy (&cfg);
        return 2;
    }
    rs_curve_t *curve = rs_curve_new_config (cfg);
    if (!curve) {
        rs_config_destroy (&cfg);
        return 2;
    }
    //  STATUS replies grow with the number of components; 1 MiB is plenty.
    static char reply[1024 * 1024];
    if (wait) {
        rc = s_wait (curve, endpoint, cfg, reply, sizeof reply);
        rs_curve_destroy (&curve);
        rs_config_destroy (&cfg);
        return rc;
    }
    int len = s_ask (curve, endpoint, command, (int) rs_config_int (cfg, "timeout-ms"), reply,
                     sizeof reply, false);
    rs_curve_destroy (&curve);
    rs_config_destroy (&cfg);
    if (len < 0)
        return 1;
    if (rejects)
        return s_rejects (reply);
    printf ("%s\n", reply);
    return strncmp (reply, "{\"error\"", 8) == 0 ? 1 : 0;
}
