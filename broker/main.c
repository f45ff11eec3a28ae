/*  rigstream-broker: options, signals, and the broker engine's loop. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "rs_bind.h"
#include "rs_broker.h"
#include "rs_config.h"
#include "rs_curve.h"
#include "rs_log.h"

static const rs_option_t s_options[] = {
    { "bind", "BROKER_BIND", RS_OPT_STRING, "127.0.0.1",
      "interface to listen on; 0.0.0.0 exposes the broker to the network", 0, 0 },
    { "frontend-port", "BROKER_FRONTEND_PORT", RS_OPT_INT, "5555",
      "port publishers connect to (XSUB)", 1, 65535 },
    { "backend-port", "BROKER_BACKEND_PORT", RS_OPT_INT, "5556",
      "port subscribers connect to (XPUB)", 1, 65535 },
    { "control-port", "BROKER_CONTROL_PORT", RS_OPT_INT, "5557",
      "port of the control endpoint (PING, STATUS)", 1, 65535 },
    { "frontend", "BROKER_FRONTEND_ENDPOINT", RS_OPT_ENDPOINT, NULL,
      "full frontend endpoint (tcp://host:port or ipc://path); overrides bind and port", 0, 0 },
    { "backend", "BROKER_BACKEND_ENDPOINT", RS_OPT_ENDPOINT, NULL,
      "full backend endpoint; overrides bind and port", 0, 0 },
    { "control", "BROKER_CONTROL_ENDPOINT", RS_OPT_ENDPOINT, NULL,
      "full control endpoint; overrides bind and port", 0, 0 },
    { "sndhwm", "BROKER_SNDHWM", RS_OPT_INT, "100000",
      "messages queued per subscriber before the broker drops for it", 1, 100000000 },
    { "rcvhwm", "BROKER_RCVHWM", RS_OPT_INT, "100000",
      "messages queued per publisher before it is pushed back", 1, 100000000 },
    { "lvc-max", "BROKER_LVC_MAX", RS_OPT_INT, "10000",
      "topics kept in the last-value cache for late joiners; 0 disables it", 0, 1000000 },
    { "heartbeat-ms", "HEARTBEAT_MS", RS_OPT_INT, "1000",
      "interval between sys.broker stats messages, ms", 100, 60000 },
    { "stop-grace-ms", "BROKER_STOP_GRACE_MS", RS_OPT_INT, "3000",
      "on SIGTERM/SIGINT, how long to route on until every publisher and subscriber connected to the frontend "
      "has gone (their last messages and end-of-stream; 0 = stop at once)", 0, 60000 },
    RS_OPTIONS_CURVE_SERVER,
    RS_OPTION_END
};

static rs_broker_t *s_broker;

static void
s_on_signal (int sig)
{
    (void) sig;
    rs_broker_stop (s_broker);
}

//  The endpoint from its full-endpoint option, else tcp://bind:port; either
//  way "localhost" is the loopback (rs_bind).
static int
s_endpoint (rs_config_t *cfg, const char *full, const char *port, char *buf, size_t size)
{
    const char *ep = rs_config_str (cfg, full);
    char err[400];
    int rc = ep && *ep ? rs_bind_resolve (ep, buf, size, err, sizeof err)
                       : rs_bind_endpoint (rs_config_str (cfg, "bind"), rs_config_int (cfg, port), buf, size,
                                           err, sizeof err);
    if (rc != 0)
        rs_error ("cannot listen for the %s (%s): %s", full,
                  ep && *ep ? "its endpoint option" : "BROKER_BIND", err);
    return rc;
}

int
main (int argc, char **argv)
{
    rs_config_t *cfg = rs_config_new ("rigstream-broker",
                                      "routes rigstream messages from publishers to subscribers",
                                      s_options, NULL);
    int rc = rs_config_start (&cfg, argc, argv, "broker");
    if (rc != RS_OK)
        return rs_exit_status (rc);
    char front[256], back[256], ctl[256];
    if (s_endpoint (cfg, "frontend", "frontend-port", front, sizeof front)
        || s_endpoint (cfg, "backend", "backend-port", back, sizeof back)
        || s_endpoint (cfg, "control", "control-port", ctl, sizeof ctl)) {
        rs_config_destroy (&cfg);
        return 2;
    }
    //  Off the loopback only with CURVE (or the loudly logged override).
    rs_curve_t *curve = rs_curve_new_config (cfg);
    const char *eps[] = { front, back, ctl };
    const char *roles[] = { "broker frontend", "broker backend", "broker control endpoint" };
    for (size_t i = 0; curve && i < 3; i++)
        if (rs_curve_check_bind (curve, eps [i], true, roles [i]) != 0)
            rs_curve_destroy (&curve);
    if (!curve) {
        rs_config_destroy (&cfg);
        return 2;
    }

    long lvc_max = rs_config_int (cfg, "lvc-max");
    rs_broker_opts_t opts = {
        .frontend = front,
        .backend = back,
        .control = ctl,
        .sndhwm = (int) rs_config_int (cfg, "sndhwm"),
        .rcvhwm = (int) rs_config_int (cfg, "rcvhwm"),
        .lvc_max = lvc_max > 0 ? (int) lvc_max : -1,
        .heartbeat_ms = (int) rs_config_int (cfg, "heartbeat-ms"),
        .stop_grace_ms = (int) rs_config_int (cfg, "stop-grace-ms"),
        .curve = curve,
    };
    s_broker = rs_broker_new (&opts);
    if (!s_broker) {
        rs_curve_destroy (&curve);
        rs_config_destroy (&cfg);
        return 1;
    }

    //  Our own handler, no SA_RESTART: zmq_poll returns EINTR and the loop
    //  sees the stop flag at once. (libzmq's I/O threads block signals.)
    struct sigaction sa;
    memset (&sa, 0, sizeof sa);
    sa.sa_handler = s_on_signal;
    sigemptyset (&sa.sa_mask);
    sigaction (SIGINT, &sa, NULL);
    sigaction (SIGTERM, &sa, NULL);

    rs_info ("ready: frontend %s, backend %s, control %s%s",
             rs_broker_endpoint (s_broker, "frontend"), rs_broker_endpoint (s_broker, "backend"),
             rs_broker_endpoint (s_broker, "control"), rs_curve_on (curve) ? ", CURVE on" : "");
    rc = rs_broker_run (s_broker);
    //  Further signals must not touch the broker while it is being freed.
    sa.sa_handler = SIG_IGN;
    sigaction (SIGINT, &sa, NULL);
    sigaction (SIGTERM, &sa, NULL);
    rs_info ("stopping%s", rc == 0 ? "" : " after a socket error");
    rs_broker_log_counters (s_broker);
    rs_broker_destroy (&s_broker);
    rs_curve_destroy (&curve);
    rs_config_destroy (&cfg);
    rs_log_close ();
    return rc == 0 ? 0 : 1;
}
