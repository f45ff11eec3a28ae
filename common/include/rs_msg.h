/*  rs_msg: the wire contract (docs/PROTOCOL.md) in code. Every message is two
    ZeroMQ frames: a topic, then a MessagePack map. rs_decode is the one strict
    gate every frame from the network passes: it either fills an rs_msg_t whose
    fields are all checked, or returns an rs_err_t naming what was wrong.
    rs_encoder_t builds bodies; rs_pub (publisher API) uses it. */
#ifndef RS_MSG_H
#define RS_MSG_H

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rs_err.h"

#define RS_SCHEMA_VERSION 1
#define RS_MAX_BODY       (256 * 1024)  // bytes of the MessagePack body
#define RS_MAX_TOPIC      128           // bytes of the topic frame
#define RS_MAX_ID         64            // bytes of a well, publisher or component id
#define RS_MAX_CHANNELS   256           // entries in a "ch" or "stats" map
#define RS_MAX_CHNAME     32            // bytes of a channel or stat name
#define RS_MAX_TEXT       1024          // bytes of a free-text field (event note...)

typedef enum {
    RS_KIND_TELEMETRY = 0,  // telemetry.<well>
    RS_KIND_EVENT,          // event.<well>   simulator ground truth, rig-state changes
    RS_KIND_KPI,            // kpi.<well>     derived values (prediction engine)
    RS_KIND_ALERT,          // alert.<well>   alert lifecycle (prediction engine)
    RS_KIND_SYS,            // sys.<component> heartbeats and stats
    RS_KIND_AUDIT,          // audit.<component> who changed what (rules...), from where
    RS_KIND_COUNT
} rs_kind_t;

//  Topic prefix for a kind ("telemetry", ...).
const char *rs_kind_name (rs_kind_t kind);
//  Parses a topic frame: kind and the id after the first '.'. The id is
//  1..RS_MAX_ID bytes of [A-Za-z0-9_-]; more dot-separated segments are not
//  allowed in schema 1. Returns RS_OK or RS_E_TOPIC.
int rs_topic_parse (const void *topic, size_t len, rs_kind_t *kind,
                    const char **id, size_t *id_len);
//  True when `id` is a valid well / publisher / component id.
bool rs_id_valid (const char *id, size_t len);

//  A named numeric value: a telemetry channel, a KPI or a heartbeat stat.
//  value is NAN when the wire carried nil ("no reading").
typedef struct {
    const char *name;   // NUL-terminated
    int id;             // rs_chan_id_t for telemetry, else RS_CH_UNKNOWN
    double value;
} rs_value_t;

//  A named text value (heartbeat "info", event fields).
typedef struct {
    const char *key;
    const char *value;
} rs_text_t;

//  Header fields every message carries.
typedef struct {
    const char *pub;    // publisher id
    uint64_t epoch;     // publisher incarnation; a restart takes a new, larger one
    uint64_t seq;       // 1, 2, 3... per (pub, epoch, topic)
    int64_t ts_us;      // sample or event time, µs since the Unix epoch, UTC
} rs_header_t;

//  A decoded message. Every pointer refers to the decoder's memory and stays
//  valid until the next rs_decode on the same decoder.
typedef struct {
    rs_kind_t kind;
    const char *topic;          // NUL-terminated copy of the topic frame
    const char *id;             // well (telemetry/event/kpi/alert) or component (sys, audit)
    int version;
    rs_header_t hdr;
    //  telemetry ("ch") and kpi ("values"): numeric values; sys: "stats"
    size_t n_values;
    const rs_value_t *values;
    //  event: type ("kick", "rig_state"...), phase ("start", "end", "change"),
    //  event id, and optional note / state.
    const char *event_type;
    const char *event_phase;
    uint64_t event_id;
    const char *event_note;     // "" when absent
    const char *event_state;    // rig_state events: the new state; "" otherwise
    //  audit: what was done ("rules_set", "ack"...), by whom, from which
    //  address, what changed, and the well it concerns; "" when absent.
    const char *audit_action;
    const char *audit_by;
    const char *audit_addr;
    const char *audit_detail;
    const char *audit_well;
    //  sys: heartbeat "info" (string map; e.g. endpoints, version)
    size_t n_info;
    const rs_text_t *info;
    //  The whole body, for fields this struct does not name (alert, kpi extras).
    const msgpack_object *body;
    //  Set by the subscriber SDK on a message recovered from a publisher's
    //  journal in a durable feed (it arrives late and out of order).
    bool replayed;
} rs_msg_t;

typedef struct rs_decoder_t rs_decoder_t;

rs_decoder_t *rs_decoder_new (void);
void rs_decoder_destroy (rs_decoder_t **self_p);
//  Decodes and validates one message. Returns RS_OK and fills *msg, or an
//  error; rs_decoder_detail then says which field and why.
int rs_decode (rs_decoder_t *self, const void *topic, size_t topic_len,
               const void *body, size_t body_len, rs_msg_t *msg);
const char *rs_decoder_detail (rs_decoder_t *self);

//  Looks up a named value in a decoded message; returns NAN if absent.
double rs_msg_value (const rs_msg_t *msg, const char *name);
//  Value of a known telemetry channel, NAN if absent or nil.
double rs_msg_chan (const rs_msg_t *msg, int chan_id);
//  Looks up a string field of the body by key; NULL if absent or not a string.
//  The result is NUL-terminated and lives in the decoder's memory.
const char *rs_msg_text (rs_decoder_t *self, const rs_msg_t *msg, const char *key);

typedef struct rs_encoder_t rs_encoder_t;

rs_encoder_t *rs_encoder_new (void);
void rs_encoder_destroy (rs_encoder_t **self_p);
//  Starts a body: writes the map header for the common fields plus the kind's
//  own ("well" for well kinds, "component" for sys and audit) plus `n_extra` entries
//  the caller packs with the returned packer (key then value, n_extra times).
//  `id` is the well or component. Returns NULL on invalid arguments.
msgpack_packer *rs_encode_begin (rs_encoder_t *self, rs_kind_t kind, const char *id,
                                 const rs_header_t *hdr, size_t n_extra);
//  Packs a key string (helper for callers of rs_encode_begin).
void rs_encode_key (msgpack_packer *pk, const char *key);
//  Packs a double, or nil when it is NaN or infinite.
void rs_encode_number (msgpack_packer *pk, double value);
void rs_encode_string (msgpack_packer *pk, const char *text);
//  Packs a map of named values (NaN/Inf become nil).
void rs_encode_values (msgpack_packer *pk, const rs_value_t *values, size_t n);

//  Complete bodies for the kinds the backbone defines:
int rs_encode_sample (rs_encoder_t *self, const char *well, const rs_header_t *hdr,
                      const rs_value_t *ch, size_t n);
int rs_encode_event (rs_encoder_t *self, const char *well, const rs_header_t *hdr,
                     const char *type, const char *phase, uint64_t event_id,
                     const char *note, const char *state);
int rs_encode_heartbeat (rs_encoder_t *self, const char *component, const rs_header_t *hdr,
                         const rs_value_t *stats, size_t n_stats,
                         const rs_text_t *info, size_t n_info);

//  The encoded body (valid until the next encode on this encoder).
const void *rs_encoder_data (rs_encoder_t *self);
size_t rs_encoder_size (rs_encoder_t *self);
//  Writes the topic for (kind, id) into buf; returns its length, or -1 if it
//  does not fit or the id is invalid.
int rs_topic_format (char *buf, size_t size, rs_kind_t kind, const char *id);

#endif
