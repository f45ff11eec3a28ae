/*  rs_brokerapp: rigstream-broker's wiring (see rs_brokerapp.h): the
    options made into endpoints, the CURVE check of every listener, the
    signals that stop the loop, and the counters logged at the end. */
#include <signal.h>

#include "rs_bind.h"
#include "rs_broker.h"
#include "rs_brokerapp.h"
#include "rs_curve.h"
#include "rs_log.h"
#include "rs_signal.h"

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
    rs_err_t rc = ep && *ep ? rs_bind_resolve (ep, buf, size)
                            : rs_bind_endpoint (rs_config_str (cfg, "bind"), rs_config_int (cfg, port), buf, size);
    if (rc != RS_OK)
        rs_error ("cannot listen for the %s (%s): %s", full,
                  ep && *ep ? "its endpoint option" : "BROKER_BIND", rs_errmsg ());
    return rc;
}

int
rs_brokerapp_run (rs_config_t *cfg)
{
    char front[256], back[256], ctl[256];
    if (s_endpoint (cfg, "frontend", "frontend-port", front, sizeof front)
        || s_endpoint (cfg, "backend", "backend-port", back, sizeof back)
        || s_endpoint (cfg, "control", "control-port", ctl, sizeof ctl))
        return 2;
    //  Off the loopback only with CURVE (or the loudly logged override).
    rs_curve_t *curve = rs_curve_new_config (cfg);
    const char *eps[] = { front, back, ctl };
    const char *roles[] = { "broker frontend", "broker backend", "broker control endpoint" };
    for (size_t i = 0; curve && i < 3; i++)
        if (rs_curve_check_bind (curve, eps [i], true, roles [i]) != 0)
            rs_curve_destroy (&curve);
    if (!curve)
        return 2;

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
        return 1;
    }

    //  Our own handler, no SA_RESTART: zmq_poll returns EINTR and the loop
    //  sees the stop flag at once. (libzmq's I/O threads block signals.)
    rs_signal_handle (s_on_signal);

    rs_info ("ready: frontend %s, backend %s, control %s%s",
             rs_broker_endpoint (s_broker, "frontend"), rs_broker_endpoint (s_broker, "backend"),
             rs_broker_endpoint (s_broker, "control"), rs_curve_on (curve) ? ", CURVE on" : "");
    int rc = rs_broker_run (s_broker);
    //  Further signals must not touch the broker while it is being freed.
    rs_signal_handle (SIG_IGN);
    rs_info ("stopping%s", rc == 0 ? "" : " after a socket error");
    rs_broker_log_counters (s_broker);
    rs_broker_destroy (&s_broker);
    rs_curve_destroy (&curve);
    return rc == 0 ? 0 : 1;
}
