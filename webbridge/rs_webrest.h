/*  rs_webrest: the REST API's handlers (docs/WEB.md), one per rs_webroute:
    health, wells, channels, history, the CSV export, alerts and their
    acknowledgement, the engine's thresholds, and the sign-in probe. They
    run in civetweb's worker threads (small stacks: anything big is on the
    heap) after rs_webguard has admitted the request and rs_webroute has
    matched it. They read the hub and the alert store (both locked), open
    the history read-only per request, and ask the broker's and the
    engine's control endpoints with a REQ socket of their own, created per
    request with a short timeout. */
#ifndef RS_WEBREST_H
#define RS_WEBREST_H

#include <civetweb.h>

#include "rs_webapi.h"
#include "rs_webreply.h"
#include "rs_webroute.h"

//  Answers one admitted, routed request. Returns the HTTP status sent.
int rs_webrest_answer (rs_web_t *web, struct mg_connection *conn, const rs_webroute_t *route,
                       const rs_webapi_params_t *params);

#endif
