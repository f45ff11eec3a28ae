/*  rs_engine_out: the prediction engine's messages on the wire: alert
    transitions on alert.<well> and a well's KPIs, rig state and channel
    quality on kpi.<well> (docs/PROTOCOL.md), packed onto an rs_pub. Also
    says once per change where a well's block weight comes from. */
#ifndef RS_ENGINE_OUT_H
#define RS_ENGINE_OUT_H

#include "rs_engine.h"
#include "rs_pub.h"

//  Publishes one alert transition. Returns RS_OK or the rs_err_t of the failure.
int rs_engine_out_alert (rs_pub_t *pub, const rs_alert_t *a);
//  Publishes an audit record on audit.<component> at the current time.
int rs_engine_out_audit (rs_pub_t *pub, const char *component, const rs_engine_audit_t *rec);
//  Publishes the KPI message of well index i. Returns RS_OK or the failure.
int rs_engine_out_kpis (rs_pub_t *pub, rs_engine_t *engine, size_t i);

//  The block weight source last logged per well (+ 1; 0 = never).
typedef struct {
    int logged[4096];
} rs_engine_bwlog_t;
//  Logs the block weight source of well index i when it changed: the rig
//  state of a well whose block weight is unknown cannot tell slips from a
//  hanging string, and a provisional one may be wrong.
void rs_engine_out_block_weight (rs_engine_bwlog_t *log, rs_engine_t *engine, size_t i);

#endif
