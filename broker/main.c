/*  rigstream-broker: routes messages from publishers to subscribers. This
    file is the options; rs_brokerapp wires them to the broker engine
    (rs_broker) and runs its loop. */
#include "rs_brokerapp.h"
#include "rs_config.h"
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

int
main (int argc, char **argv)
{
    rs_config_t *cfg = rs_config_new ("rigstream-broker",
                                      "routes rigstream messages from publishers to subscribers",
                                      s_options, NULL);
    int rc = rs_config_start (&cfg, argc, argv, "broker");
    if (rc != RS_OK)
        return rs_exit_status (rc);
    rc = rs_brokerapp_run (cfg);
    rs_config_destroy (&cfg);
    rs_log_close ();
    return rc;
}
