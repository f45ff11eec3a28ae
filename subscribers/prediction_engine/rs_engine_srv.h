/*  rs_engine_srv: the engine's control endpoint on the wire. A ROUTER socket
    (a CURVE server when CURVE is on, checked against the allow-list) in the
    subscriber's loop; each request, [empty][JSON] from a REQ client, is
    answered by rs_engine_ctl. Malformed and refused requests are counted and
    logged, rate-limited. */
#ifndef RS_ENGINE_SRV_H
#define RS_ENGINE_SRV_H

#include <czmq.h>
#include <stdint.h>

#include "rs_curve.h"
#include "rs_engine.h"

typedef struct rs_engine_srv_t rs_engine_srv_t;

typedef struct {
    uint64_t requests, malformed, refused;
} rs_engine_srv_stats_t;

//  Binds endpoint and serves it in loop. config_path is the engine's
//  configuration file (kept by pointer). Returns a fresh server, or NULL
//  with the reason logged (no allow-list for CURVE, address taken).
rs_engine_srv_t *rs_engine_srv_new (rs_engine_t *engine, const char *config_path, const char *endpoint,
                                    const rs_curve_t *curve, zloop_t *loop);
void rs_engine_srv_destroy (rs_engine_srv_t **self_p);
const rs_engine_srv_stats_t *rs_engine_srv_stats (const rs_engine_srv_t *self);

#endif
