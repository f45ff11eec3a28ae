/*  rs_webroute: the REST API's routing table as a pure function: which
    handler a path and method go to, and which query parameters each
    accepts. A request reaches it only after rs_webguard has admitted it,
    so an unknown path answers 404 only to a client allowed to ask. */
#ifndef RS_WEBROUTE_H
#define RS_WEBROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "rs_webapi.h"

typedef enum {
    RS_WEBROUTE_AUTH,               //  GET  /api/auth: what the token may do
    RS_WEBROUTE_HEALTH,             //  GET  /api/health
    RS_WEBROUTE_WELLS,              //  GET  /api/wells
    RS_WEBROUTE_LATEST,             //  GET  /api/latest?well
    RS_WEBROUTE_CHANNELS,           //  GET  /api/channels
    RS_WEBROUTE_HISTORY,            //  GET  /api/history?well&from&to&channels&points
    RS_WEBROUTE_ALERTS,             //  GET  /api/alerts?well
    RS_WEBROUTE_THRESHOLDS,         //  GET or PUT /api/thresholds
    RS_WEBROUTE_EXPORT,             //  GET  /api/export.csv?well&from&to&channels
    RS_WEBROUTE_ACK,                //  POST /api/alerts/<id>/(ack|shelve|unshelve|out-of-service|in-service)
    RS_WEBROUTE_AUDIT               //  GET  /api/audit?since&until&well&action&limit
} rs_webroute_id_t;

typedef struct {
    rs_webroute_id_t id;
    bool write;                     //  the method changes state (POST, PUT)
    char arg[32];                   //  RS_WEBROUTE_ACK: the alert id as given
    char action[24];                //  RS_WEBROUTE_ACK: the engine's command (ack, shelve, ..., in_service)
} rs_webroute_t;

//  Matches `path` and `method` (HEAD counts as GET) and checks `params`
//  against what the route accepts. Returns 0, or the HTTP status to answer
//  (400, 404, 405) with the reason recorded (rs_errmsg).
int rs_webroute_match (const char *path, const char *method, const rs_webapi_params_t *params, rs_webroute_t *out);

#endif
