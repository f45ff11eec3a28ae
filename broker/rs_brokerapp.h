/*  rs_brokerapp: rigstream-broker's engine wiring. Reads the options of
    rigstream-broker's table (bind, ports and endpoints, high-water marks,
    lvc-max, heartbeat-ms, CURVE), makes the broker and runs its loop until
    SIGINT or SIGTERM. */
#ifndef RS_BROKERAPP_H
#define RS_BROKERAPP_H

#include "rs_config.h"

//  Runs the broker cfg describes until a stop signal. Returns the exit
//  status: 0, 1 when the broker could not be made or its loop ended on a
//  socket error, 2 for an endpoint or CURVE setting it cannot listen with
//  (the reason logged).
int rs_brokerapp_run (rs_config_t *cfg);

#endif
