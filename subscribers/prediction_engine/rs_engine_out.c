/*  rs_engine_out: alert and KPI messages of the prediction engine. */
#include "rs_engine_out.h"

#include <math.h>

#include "rs_channels.h"
#include "rs_clock.h"
#include "rs_log.h"

int
rs_engine_out_alert (rs_pub_t *pub, const rs_alert_t *a)
{
    //  The message's quantities apart, for readers showing other units.
    char tpl[RS_MAX_TEXT + 1];
    rs_alert_qty_t q[RS_ALERT_QTY_MAX];
    size_t nq = rs_alert_template (a->message, tpl, sizeof tpl, q, RS_ALERT_QTY_MAX);
    size_t n = 8 + (nq ? 2 : 0) + (a->channel ? 1 : 0) + (isfinite (a->threshold) ? 1 : 0) + (a->rule ? 1 : 0)
               + (a->alarm_state ? 8 : 0) + (a->action ? 2 : 0) + (a->addr ? 1 : 0) + (a->detail ? 1 : 0);
    msgpack_packer *pk = rs_pub_begin (pub, RS_KIND_ALERT, a->well, a->ts_us, n);
    if (!pk)
        return RS_E_RANGE;
    rs_encode_key (pk, "alert_id");
    msgpack_pack_uint64 (pk, a->alert_id);
    rs_encode_key (pk, "type");
    rs_encode_string (pk, a->type);
    rs_encode_key (pk, "state");
    rs_encode_string (pk, rs_alert_state_name (a->state));
    rs_encode_key (pk, "severity");
    rs_encode_string (pk, rs_severity_name (a->severity));
    rs_encode_key (pk, "message");
    rs_encode_string (pk, a->message ? a->message : "");
    rs_encode_key (pk, "value");
    rs_encode_number (pk, a->value);
    if (nq) {
        rs_encode_key (pk, "message_template");
        rs_encode_string (pk, tpl);
        rs_encode_key (pk, "message_values");
        msgpack_pack_array (pk, nq);
        for (size_t i = 0; i < nq; i++) {
            msgpack_pack_map (pk, 4);
            rs_encode_key (pk, "value");
            rs_encode_number (pk, q[i].value);
            rs_encode_key (pk, "unit");
            rs_encode_string (pk, q[i].unit);
            rs_encode_key (pk, "decimals");
            msgpack_pack_int (pk, q[i].decimals);
            rs_encode_key (pk, "plus");
            (q[i].plus ? msgpack_pack_true : msgpack_pack_false) (pk);
        }
    }
    rs_encode_key (pk, "started_ts");
    msgpack_pack_int64 (pk, a->started_us);
    rs_encode_key (pk, "rig_state");
    rs_encode_string (pk, a->rig_state ? a->rig_state : "unknown");
    if (a->channel) {
        rs_encode_key (pk, "channel");
        rs_encode_string (pk, a->channel);
    }
    if (isfinite (a->threshold)) {
        rs_encode_key (pk, "threshold");
        rs_encode_number (pk, a->threshold);
    }
    if (a->rule) {
        rs_encode_key (pk, "rule");
        rs_encode_string (pk, a->rule);
    }
    if (a->alarm_state) {
        rs_encode_key (pk, "alarm_state");
        rs_encode_string (pk, a->alarm_state);
        rs_encode_key (pk, "acked_by");
        if (a->acked_by)
            rs_encode_string (pk, a->acked_by);
        else
            msgpack_pack_nil (pk);
        rs_encode_key (pk, "ack_comment");
        if (a->acked_by)
            rs_encode_string (pk, a->ack_comment ? a->ack_comment : "");
        else
            msgpack_pack_nil (pk);
        rs_encode_key (pk, "acked_us");
        msgpack_pack_int64 (pk, a->acked_us);
        rs_encode_key (pk, "shelved_until_us");
        msgpack_pack_int64 (pk, a->shelved_until_us);
        rs_encode_key (pk, "out_of_service");
        (a->out_of_service ? msgpack_pack_true : msgpack_pack_false) (pk);
        rs_encode_key (pk, "first_out");
        (a->first_out ? msgpack_pack_true : msgpack_pack_false) (pk);
        rs_encode_key (pk, "flood");
        (a->flood ? msgpack_pack_true : msgpack_pack_false) (pk);
    }
    //  The audit trail: what caused this message, who, from where.
    if (a->action) {
        rs_encode_key (pk, "action");
        rs_encode_string (pk, a->action);
        rs_encode_key (pk, "by");
        rs_encode_string (pk, a->by ? a->by : "engine");
    }
    if (a->addr) {
        rs_encode_key (pk, "addr");
        rs_encode_string (pk, a->addr);
    }
    if (a->detail) {
        rs_encode_key (pk, "detail");
        rs_encode_string (pk, a->detail);
    }
    return rs_pub_send (pub);
}

int
rs_engine_out_audit (rs_pub_t *pub, const char *component, const rs_engine_audit_t *rec)
{
    size_t n = 2 + (rec->addr ? 1 : 0) + (rec->detail ? 1 : 0) + (rec->well ? 1 : 0);
    msgpack_packer *pk = rs_pub_begin (pub, RS_KIND_AUDIT, component, rs_clock_now_us (), n);
    if (!pk)
        return RS_E_RANGE;
    rs_encode_key (pk, "action");
    rs_encode_string (pk, rec->action);
    rs_encode_key (pk, "by");
    rs_encode_string (pk, rec->by && *rec->by ? rec->by : "(unnamed)");
    if (rec->addr) {
        rs_encode_key (pk, "addr");
        rs_encode_string (pk, rec->addr);
    }
    if (rec->detail) {
        rs_encode_key (pk, "detail");
        rs_encode_string (pk, rec->detail);
    }
    if (rec->well) {
        rs_encode_key (pk, "well");
        rs_encode_string (pk, rec->well);
    }
    return rs_pub_send (pub);
}

int
rs_engine_out_kpis (rs_pub_t *pub, rs_engine_t *engine, size_t i)
{
    rs_value_t vals[RS_ENGINE_KPI_MAX];
    size_t n = rs_engine_kpis (engine, i, vals, RS_ENGINE_KPI_MAX);
    const char *well = rs_engine_well_id (engine, i);
    const rs_riginfo_t *rig = rs_engine_well_rig (engine, i);
    const rs_chanq_t *q = rs_engine_well_quality (engine, i);
    //  Channels that had readings and have none good now, with why.
    char why[RS_CH_COUNT][160];
    int bad[RS_CH_COUNT], nbad = 0;
    for (int c = 0; c < RS_CH_COUNT; c++)
        if (rs_chanq_state (q, c) != RS_CHQ_OK && rs_chanq_reason (q, c, why[nbad], sizeof why[0])[0])
            bad[nbad++] = c;
    size_t fields = 3 + (rig->reason ? 1 : 0) + (nbad ? 1 : 0);
    msgpack_packer *pk = rs_pub_begin (pub, RS_KIND_KPI, well, rs_engine_well_ts (engine, i), fields);
    if (!pk)
        return RS_E_RANGE;
    rs_encode_key (pk, "values");
    rs_encode_values (pk, vals, n);
    rs_encode_key (pk, "rig_state");
    rs_encode_string (pk, rs_engine_well_state (engine, i));
    rs_encode_key (pk, "block_weight_source");
    rs_encode_string (pk, rs_bw_source_name (rig->bw_source));
    if (rig->reason) {
        rs_encode_key (pk, "rig_state_reason");
        rs_encode_string (pk, rig->reason);
    }
    if (nbad) {
        rs_encode_key (pk, "quality");
        msgpack_pack_map (pk, (size_t) nbad);
        for (int k = 0; k < nbad; k++) {
            rs_encode_key (pk, rs_chan_info (bad[k])->name);
            rs_encode_string (pk, why[k]);
        }
    }
    return rs_pub_send (pub);
}

void
rs_engine_out_block_weight (rs_engine_bwlog_t *log, rs_engine_t *engine, size_t i)
{
    const rs_riginfo_t *rig = rs_engine_well_rig (engine, i);
    const char *well = rs_engine_well_id (engine, i);
    size_t max = sizeof log->logged / sizeof log->logged[0];
    if (i >= max || log->logged[i] == (int) rig->bw_source + 1)
        return;
    log->logged[i] = (int) rig->bw_source + 1;
    if (rig->bw_source == RS_BW_UNKNOWN)
        rs_warn ("%s: block weight unknown: in slips or hanging cannot be told until the block moves with the "
                 "bit still, the bit is at surface or the hook load settles (or set rigstate.block_weight_kn in ENGINE_CONFIG)", well);
    else if (rig->bw_source == RS_BW_PLATEAU)
        rs_warn ("%s: block weight %.1f kN taken from the lowest steady hook load, provisionally", well,
                 rig->block_weight_kn);
    else
        rs_info ("%s: block weight %.1f kN (%s)", well, rig->block_weight_kn, rs_bw_source_name (rig->bw_source));
}
