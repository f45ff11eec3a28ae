/*  rs_spb: Sparkplug B payload encoding and decoding (see rs_spb.h). */
#include "rs_spb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sparkplug_b.pb-c.h"

typedef RsSpb__Payload Payload;
typedef RsSpb__Payload__Metric Metric;
typedef RsSpb__Payload__PropertySet PropertySet;
typedef RsSpb__Payload__PropertyValue PropertyValue;

#define RS_SPB_REBIRTH "Node Control/Rebirth"

uint8_t *
rs_spb_encode (uint64_t ts_ms, bool has_seq, uint64_t seq, const rs_spb_metric_t *metrics, size_t n,
               size_t *size)
{
    if (!size || (n && !metrics))
        return NULL;
    //  Everything lives on arrays sized up front: one allocation per kind.
    Metric *ms = calloc (n ? n : 1, sizeof *ms);
    Metric **mp = calloc (n ? n : 1, sizeof *mp);
    PropertySet *ps = calloc (n ? n : 1, sizeof *ps);
    PropertyValue *pv = calloc (n ? n : 1, sizeof *pv);
    PropertyValue **pvp = calloc (n ? n : 1, sizeof *pvp);
    char **keys = calloc (n ? n : 1, sizeof *keys);
    uint8_t *out = NULL;
    if (!ms || !mp || !ps || !pv || !pvp || !keys)
        goto done;
    static char eng_unit[] = "engUnit";
    for (size_t i = 0; i < n; i++) {
        const rs_spb_metric_t *in = &metrics[i];
        Metric *m = &ms[i];
        rs_spb__payload__metric__init (m);
        mp[i] = m;
        m->name = (char *) in->name;
        if (in->alias) {
            m->has_alias = true;
            m->alias = in->alias;
        }
        if (in->ts_ms) {
            m->has_timestamp = true;
            m->timestamp = in->ts_ms;
        }
        if (in->send_datatype) {
            m->has_datatype = true;
            m->datatype = in->datatype;
        }
        if (in->is_historical) {
            m->has_is_historical = true;
            m->is_historical = true;
        }
        if (in->unit) {
            rs_spb__payload__property_set__init (&ps[i]);
            rs_spb__payload__property_value__init (&pv[i]);
            pv[i].has_type = true;
            pv[i].type = RS_SPB_STRING;
            pv[i].value_case = RS_SPB__PAYLOAD__PROPERTY_VALUE__VALUE_STRING_VALUE;
            pv[i].string_value = (char *) in->unit;
            pvp[i] = &pv[i];
            keys[i] = eng_unit;
            ps[i].n_keys = 1;
            ps[i].keys = &keys[i];
            ps[i].n_values = 1;
            ps[i].values = &pvp[i];
            m->properties = &ps[i];
        }
        if (in->is_null) {
            m->has_is_null = true;
            m->is_null = true;
            continue;
        }
        switch (in->datatype) {
        case RS_SPB_DOUBLE:
            m->value_case = RS_SPB__PAYLOAD__METRIC__VALUE_DOUBLE_VALUE;
            m->double_value = in->d;
            break;
        case RS_SPB_UINT64:
        case RS_SPB_INT64:
            m->value_case = RS_SPB__PAYLOAD__METRIC__VALUE_LONG_VALUE;
            m->long_value = in->u;
            break;
        case RS_SPB_BOOLEAN:
            m->value_case = RS_SPB__PAYLOAD__METRIC__VALUE_BOOLEAN_VALUE;
            m->boolean_value = in->b;
            break;
        case RS_SPB_STRING:
            if (!in->s)
                goto done;
            m->value_case = RS_SPB__PAYLOAD__METRIC__VALUE_STRING_VALUE;
            m->string_value = (char *) in->s;
            break;
        default:
            goto done;
        }
    }
    Payload p = RS_SPB__PAYLOAD__INIT;
    p.has_timestamp = true;
    p.timestamp = ts_ms;
    if (has_seq) {
        p.has_seq = true;
        p.seq = seq;
    }
    p.n_metrics = n;
    p.metrics = mp;
    size_t len = rs_spb__payload__get_packed_size (&p);
    out = malloc (len ? len : 1);
    if (out)
        *size = rs_spb__payload__pack (&p, out);
done:
    free (ms);
    free (mp);
    free (ps);
    free (pv);
    free (pvp);
    free (keys);
    return out;
}

int
rs_spb_decode (const void *data, size_t size, rs_spb_payload_t *out)
{
    memset (out, 0, sizeof *out);
    Payload *p = rs_spb__payload__unpack (NULL, size, data);
    if (!p)
        return -1;
    out->impl = p;
    out->ts_ms = p->has_timestamp ? p->timestamp : 0;
    out->has_seq = p->has_seq;
    out->seq = p->seq;
    out->n = p->n_metrics;
    out->metrics = calloc (p->n_metrics ? p->n_metrics : 1, sizeof *out->metrics);
    if (!out->metrics) {
        rs_spb_decoded_free (out);
        return -1;
    }
    for (size_t i = 0; i < p->n_metrics; i++) {
        const Metric *m = p->metrics[i];
        rs_spb_metric_t *o = &out->metrics[i];
        o->name = m->name;
        o->alias = m->has_alias ? m->alias : 0;
        o->ts_ms = m->has_timestamp ? m->timestamp : 0;
        o->datatype = m->has_datatype ? m->datatype : 0;
        o->send_datatype = m->has_datatype;
        o->is_historical = m->has_is_historical && m->is_historical;
        o->is_null = m->has_is_null && m->is_null;
        if (m->properties) {
            for (size_t k = 0; k < m->properties->n_keys && k < m->properties->n_values; k++) {
                const PropertyValue *v = m->properties->values[k];
                if (strcmp (m->properties->keys[k], "engUnit") == 0
                    && v->value_case == RS_SPB__PAYLOAD__PROPERTY_VALUE__VALUE_STRING_VALUE)
                    o->unit = v->string_value;
            }
        }
        switch (m->value_case) {
        case RS_SPB__PAYLOAD__METRIC__VALUE_DOUBLE_VALUE:
            o->d = m->double_value;
            if (!o->datatype)
                o->datatype = RS_SPB_DOUBLE;
            break;
        case RS_SPB__PAYLOAD__METRIC__VALUE_LONG_VALUE:
            o->u = m->long_value;
            if (!o->datatype)
                o->datatype = RS_SPB_UINT64;
            break;
        case RS_SPB__PAYLOAD__METRIC__VALUE_BOOLEAN_VALUE:
            o->b = m->boolean_value;
            if (!o->datatype)
                o->datatype = RS_SPB_BOOLEAN;
            break;
        case RS_SPB__PAYLOAD__METRIC__VALUE_STRING_VALUE:
            o->s = m->string_value;
            if (!o->datatype)
                o->datatype = RS_SPB_STRING;
            break;
        default:
            o->is_null = true;
            break;
        }
    }
    return 0;
}

void
rs_spb_decoded_free (rs_spb_payload_t *p)
{
    if (!p)
        return;
    if (p->impl)
        rs_spb__payload__free_unpacked ((Payload *) p->impl, NULL);
    free (p->metrics);
    memset (p, 0, sizeof *p);
}

bool
rs_spb_is_rebirth (const rs_spb_payload_t *p, uint64_t rebirth_alias)
{
    for (size_t i = 0; i < p->n; i++) {
        const rs_spb_metric_t *m = &p->metrics[i];
        bool named = m->name ? strcmp (m->name, RS_SPB_REBIRTH) == 0 : (rebirth_alias && m->alias == rebirth_alias);
        if (named && !m->is_null && m->datatype == RS_SPB_BOOLEAN && m->b)
            return true;
    }
    return false;
}

int
rs_spb_topic (char *buf, size_t size, const char *group, const char *verb, const char *node, const char *device)
{
    int n = device ? snprintf (buf, size, "spBv1.0/%s/%s/%s/%s", group, verb, node, device)
                   : snprintf (buf, size, "spBv1.0/%s/%s/%s", group, verb, node);
    return n < 0 || (size_t) n >= size ? -1 : n;
}

bool
rs_spb_id_valid (const char *id)
{
    return id && *id && !strpbrk (id, "+#/");
}
