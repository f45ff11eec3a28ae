/*  rs_spb: Sparkplug B payloads (Eclipse Sparkplug 3.0.0, chapter 6) through
    protobuf-c and sparkplug_b.proto. The uplink describes a message as a flat
    list of rs_spb_metric_t; this module turns it into protobuf bytes and back,
    and knows the topic namespace. Pure: no sockets. */
#ifndef RS_SPB_H
#define RS_SPB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  Data type indexes (spec 6.4.16) the uplink uses.
enum {
    RS_SPB_INT64 = 4,
    RS_SPB_UINT64 = 8,
    RS_SPB_DOUBLE = 10,
    RS_SPB_BOOLEAN = 11,
    RS_SPB_STRING = 12,
};

typedef struct {
    const char *name;       // NULL = alias only (data messages)
    uint64_t alias;         // 0 = none
    uint64_t ts_ms;         // 0 = none
    uint32_t datatype;      // one of the above; its value field is used
    bool send_datatype;     // births name the type; data messages omit it
    bool is_null;
    bool is_historical;
    const char *unit;       // property "engUnit" (String); NULL = none
    double d;               // RS_SPB_DOUBLE
    uint64_t u;             // RS_SPB_UINT64 / RS_SPB_INT64 (two's complement)
    bool b;                 // RS_SPB_BOOLEAN
    const char *s;          // RS_SPB_STRING
} rs_spb_metric_t;

//  Encodes a payload: timestamp, seq (when has_seq) and the metrics. Returns
//  fresh bytes (caller frees) and sets *size, or NULL on a bad argument or
//  out of memory.
uint8_t *rs_spb_encode (uint64_t ts_ms, bool has_seq, uint64_t seq, const rs_spb_metric_t *metrics,
                        size_t n, size_t *size);

//  A decoded payload: metrics point into it; free with rs_spb_decoded_free.
typedef struct {
    uint64_t ts_ms;
    bool has_seq;
    uint64_t seq;
    size_t n;
    rs_spb_metric_t *metrics;
    void *impl;
} rs_spb_payload_t;

//  Decodes bytes strictly (protobuf-c's unpack; values of types the uplink
//  does not use read as is_null). Returns 0, or -1 when not a valid payload.
int rs_spb_decode (const void *data, size_t size, rs_spb_payload_t *out);
void rs_spb_decoded_free (rs_spb_payload_t *p);

//  True when an NCMD payload asks for a rebirth: a metric named
//  "Node Control/Rebirth" (or carrying `rebirth_alias`, when not 0) with
//  boolean value true.
bool rs_spb_is_rebirth (const rs_spb_payload_t *p, uint64_t rebirth_alias);

//  Writes "spBv1.0/<group>/<verb>/<node>[/<device>]" into buf. Returns its
//  length, or -1 when it does not fit.
int rs_spb_topic (char *buf, size_t size, const char *group, const char *verb, const char *node,
                  const char *device);
//  True when `id` is a valid Sparkplug id: non-empty UTF-8 without + # /.
bool rs_spb_id_valid (const char *id);

#endif
