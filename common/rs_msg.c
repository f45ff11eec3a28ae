/*  rs_msg: strict decoding and encoding of the wire format (docs/PROTOCOL.md).
    The decoder reuses one msgpack zone and one string arena per decoder, so a
    steady stream decodes without allocating. */
#include "rs_msg.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rs_channels.h"

#define RS_MAX_TOP_KEYS 64
//  Timestamps past 2200-01-01 are rejected as garbage rather than stored.
#define RS_TS_MAX_US 7258118400000000LL

static const char *s_kind_names[RS_KIND_COUNT] = {
    "telemetry", "event", "kpi", "alert", "sys", "audit"
};

const char *
rs_kind_name (rs_kind_t kind)
{
    return kind < RS_KIND_COUNT ? s_kind_names[kind] : "unknown";
}

static bool
s_id_char (char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '_' || c == '-';
}

bool
rs_id_valid (const char *id, size_t len)
{
    if (!id || len == 0 || len > RS_MAX_ID)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!s_id_char (id[i]))
            return false;
    return true;
}

int
rs_topic_parse (const void *topic, size_t len, rs_kind_t *kind, const char **id, size_t *id_len)
{
    const char *t = (const char *) topic;
    if (!t || len == 0 || len > RS_MAX_TOPIC)
        return RS_E_TOPIC;
    const char *dot = memchr (t, '.', len);
    if (!dot)
        return RS_E_TOPIC;
    size_t plen = (size_t) (dot - t);
    int k;
    for (k = 0; k < RS_KIND_COUNT; k++)
        if (strlen (s_kind_names[k]) == plen && memcmp (s_kind_names[k], t, plen) == 0)
            break;
    if (k == RS_KIND_COUNT)
        return RS_E_TOPIC;
    const char *rest = dot + 1;
    size_t rlen = len - plen - 1;
    if (!rs_id_valid (rest, rlen))
        return RS_E_TOPIC;
    if (kind)
        *kind = (rs_kind_t) k;
    if (id)
        *id = rest;
    if (id_len)
        *id_len = rlen;
    return RS_OK;
}

int
rs_topic_format (char *buf, size_t size, rs_kind_t kind, const char *id)
{
    if (kind >= RS_KIND_COUNT || !id || !rs_id_valid (id, strlen (id)))
        return -1;
    int n = snprintf (buf, size, "%s.%s", s_kind_names[kind], id);
    return n < 0 || (size_t) n >= size ? -1 : n;
}

//  --------------------------------------------------------------------------
//  Decoder

struct rs_decoder_t {
    msgpack_unpacked unpacked;
    char *arena;                // NUL-terminated copies of every string handed out
    size_t arena_size;
    size_t arena_used;
    rs_value_t values[RS_MAX_CHANNELS];
    rs_text_t info[RS_MAX_CHANNELS];
    char detail[160];
};

rs_decoder_t *
rs_decoder_new (void)
{
    rs_decoder_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    //  Every string copied out is shorter than its encoding plus one byte, so
    //  body + topic + slack always fits; rs_msg_text lookups use the slack.
    self->arena_size = RS_MAX_BODY + RS_MAX_TOPIC + 8192;
    self->arena = malloc (self->arena_size);
    if (!self->arena) {
        free (self);
        return NULL;
    }
    msgpack_unpacked_init (&self->unpacked);
    return self;
}

void
rs_decoder_destroy (rs_decoder_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rs_decoder_t *self = *self_p;
    msgpack_unpacked_destroy (&self->unpacked);
    free (self->arena);
    free (self);
    *self_p = NULL;
}

const char *
rs_decoder_detail (rs_decoder_t *self)
{
    return self->detail;
}

__attribute__ ((format (printf, 3, 4))) static int
s_reject (rs_decoder_t *self, int err, const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    vsnprintf (self->detail, sizeof self->detail, fmt, args);
    va_end (args);
    return err;
}

static const char *
s_copy (rs_decoder_t *self, const char *ptr, size_t len)
{
    if (self->arena_used + len + 1 > self->arena_size)
        return NULL;
    char *out = self->arena + self->arena_used;
    memcpy (out, ptr, len);
    out[len] = 0;
    self->arena_used += len + 1;
    return out;
}

static bool
s_key_is (const msgpack_object *key, const char *name)
{
    size_t n = strlen (name);
    return key->via.str.size == n && memcmp (key->via.str.ptr, name, n) == 0;
}

//  Converts a numeric (or nil) object to double; nil becomes NAN.
static int
s_number (rs_decoder_t *self, const msgpack_object *o, const char *field, double *out)
{
    switch (o->type) {
    case MSGPACK_OBJECT_NIL:
        *out = NAN;
        return RS_OK;
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        *out = (double) o->via.u64;
        return RS_OK;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        *out = (double) o->via.i64;
        return RS_OK;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        if (!isfinite (o->via.f64))
            return s_reject (self, RS_E_NONFINITE, "'%s' is %s", field,
                             isnan (o->via.f64) ? "NaN" : "infinite");
        *out = o->via.f64;
        return RS_OK;
    default:
        return s_reject (self, RS_E_TYPE, "'%s' must be a number or nil", field);
    }
}

static int
s_uint (rs_decoder_t *self, const msgpack_object *o, const char *field, uint64_t *out)
{
    if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        return s_reject (self, o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER ? RS_E_RANGE : RS_E_TYPE,
                         "'%s' must be an unsigned integer", field);
    *out = o->via.u64;
    return RS_OK;
}

//  Copies a string field: 1..max bytes, and (if id) only id characters.
static int
s_string (rs_decoder_t *self, const msgpack_object *o, const char *field, size_t max,
          bool id, bool allow_empty, const char **out)
{
    if (o->type != MSGPACK_OBJECT_STR)
        return s_reject (self, RS_E_TYPE, "'%s' must be a string", field);
    size_t len = o->via.str.size;
    if ((!allow_empty && len == 0) || len > max)
        return s_reject (self, RS_E_RANGE, "'%s' must be %s1..%zu bytes", field,
                         allow_empty ? "0 or " : "", max);
    if (id && !rs_id_valid (o->via.str.ptr, len))
        return s_reject (self, RS_E_RANGE, "'%s' may hold only A-Z a-z 0-9 _ -", field);
    if (!id && memchr (o->via.str.ptr, 0, len))
        return s_reject (self, RS_E_RANGE, "'%s' contains a NUL byte", field);
    *out = s_copy (self, o->via.str.ptr, len);
    return *out ? RS_OK : s_reject (self, RS_E_NOMEM, "string arena full");
}

//  Stat and KPI names are a little freer than channel names ("msgs.telemetry").
static bool
s_stat_name_valid (const char *name, size_t len)
{
    if (len == 0 || len > RS_MAX_ID)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!s_id_char (name[i]) && name[i] != '.')
            return false;
    return true;
}

//  Decodes a map of name → number-or-nil into self->values.
static int
s_values (rs_decoder_t *self, const msgpack_object *o, const char *field, bool channels,
          rs_msg_t *msg)
{
    if (o->type != MSGPACK_OBJECT_MAP)
        return s_reject (self, RS_E_TYPE, "'%s' must be a map", field);
    const msgpack_object_map *m = &o->via.map;
    if (m->size > RS_MAX_CHANNELS)
        return s_reject (self, RS_E_RANGE, "'%s' has %u entries, more than %d", field,
                         m->size, RS_MAX_CHANNELS);
    uint64_t known_seen = 0;   //  bit per known channel id, to catch duplicates cheaply
    for (uint32_t i = 0; i < m->size; i++) {
        const msgpack_object *k = &m->ptr[i].key;
        if (k->type != MSGPACK_OBJECT_STR)
            return s_reject (self, RS_E_TYPE, "'%s' keys must be strings", field);
        const char *name = k->via.str.ptr;
        size_t len = k->via.str.size;
        rs_value_t *v = &self->values[i];
        //  A known channel's name is valid by definition: check the others only.
        v->id = channels ? rs_chan_lookup (name, len) : RS_CH_UNKNOWN;
        bool ok = v->id >= 0 || (channels ? rs_chan_name_valid (name, len)
                                          : s_stat_name_valid (name, len));
        if (!ok)
            return s_reject (self, RS_E_RANGE, "'%s' has an invalid name '%.*s'", field,
                             (int) (len > 40 ? 40 : len), name);
        if (v->id >= 0) {
            if (known_seen & (1ULL << v->id))
                return s_reject (self, RS_E_RANGE, "'%s' repeats '%.*s'", field, (int) len, name);
            known_seen |= 1ULL << v->id;
        }
        else
            for (uint32_t j = 0; j < i; j++)
                if (self->values[j].id < 0 && strlen (self->values[j].name) == len
                    && memcmp (self->values[j].name, name, len) == 0)
                    return s_reject (self, RS_E_RANGE, "'%s' repeats '%.*s'", field,
                                     (int) len, name);
        //  Known channels point at the static table: no copy needed.
        v->name = v->id >= 0 ? rs_chan_info (v->id)->name : s_copy (self, name, len);
        if (!v->name)
            return s_reject (self, RS_E_NOMEM, "string arena full");
        int rc = s_number (self, &m->ptr[i].val, v->name, &v->value);
        if (rc)
            return rc;
    }
    msg->values = self->values;
    msg->n_values = m->size;
    return RS_OK;
}

static int
s_info (rs_decoder_t *self, const msgpack_object *o, rs_msg_t *msg)
{
    if (o->type != MSGPACK_OBJECT_MAP)
        return s_reject (self, RS_E_TYPE, "'info' must be a map");
    const msgpack_object_map *m = &o->via.map;
    if (m->size > RS_MAX_CHANNELS)
        return s_reject (self, RS_E_RANGE, "'info' has more than %d entries", RS_MAX_CHANNELS);
    for (uint32_t i = 0; i < m->size; i++) {
        const msgpack_object *k = &m->ptr[i].key;
        if (k->type != MSGPACK_OBJECT_STR || !s_stat_name_valid (k->via.str.ptr, k->via.str.size))
            return s_reject (self, RS_E_RANGE, "'info' has an invalid key");
        self->info[i].key = s_copy (self, k->via.str.ptr, k->via.str.size);
        int rc = s_string (self, &m->ptr[i].val, self->info[i].key ? self->info[i].key : "info",
                           RS_MAX_TEXT, false, true, &self->info[i].value);
        if (rc)
            return rc;
    }
    msg->info = self->info;
    msg->n_info = m->size;
    return RS_OK;
}

//  msgpack-c allocates a container's elements from its declared count before
//  reading them, so 5 bytes declaring 4 billion entries would ask for 100 GB.
//  This walk checks, without allocating, that every object is complete and
//  that the objects still owed never outnumber the bytes left (each needs at
//  least one), which bounds msgpack-c's allocation by the body's size.
static int
s_prescan (const uint8_t *p, size_t len)
{
    size_t pos = 0;
    uint64_t pending = 1;
    while (pending > 0) {
        if (pos >= len)
            return -1;
        uint8_t b = p[pos];
        uint64_t head = 1, payload = 0, children = 0;
        size_t lenbytes = 0;
        if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
            ;
        else if (b <= 0x8f)
            children = 2 * (uint64_t) (b & 0x0f);
        else if (b <= 0x9f)
            children = b & 0x0f;
        else if (b <= 0xbf)
            payload = b & 0x1f;
        else if (b == 0xc1)
            return -1;
        else if (b >= 0xc4 && b <= 0xc6)
            lenbytes = (size_t) 1 << (b - 0xc4);
        else if (b >= 0xc7 && b <= 0xc9) {
            lenbytes = (size_t) 1 << (b - 0xc7);
            payload = 1;   //  the ext type byte
        }
        else if (b == 0xca)
            payload = 4;
        else if (b == 0xcb)
            payload = 8;
        else if (b >= 0xcc && b <= 0xd3)
            payload = (uint64_t) 1 << ((b - 0xcc) & 3);
        else if (b >= 0xd4 && b <= 0xd8)
            payload = 1 + ((uint64_t) 1 << (b - 0xd4));
        else if (b >= 0xd9 && b <= 0xdb)
            lenbytes = (size_t) 1 << (b - 0xd9);
        else if (b == 0xdc || b == 0xdd)
            lenbytes = b == 0xdc ? 2 : 4;
        else    //  0xde, 0xdf: map16, map32
            lenbytes = b == 0xde ? 2 : 4;
        if (lenbytes) {
            if (len - pos - 1 < lenbytes)
                return -1;
            uint64_t n = 0;
            for (size_t i = 0; i < lenbytes; i++)
                n = (n << 8) | p[pos + 1 + i];
            head += lenbytes;
            if (b == 0xdc || b == 0xdd)
                children = n;
            else if (b == 0xde || b == 0xdf)
                children = 2 * n;
            else
                payload += n;
        }
        if (head + payload > len - pos)
            return -1;
        pos += head + payload;
        pending = pending - 1 + children;
        if (pending > len - pos)
            return -1;
    }
    return 0;
}

enum {
    F_V = 1 << 0, F_PUB = 1 << 1, F_EPOCH = 1 << 2, F_SEQ = 1 << 3, F_TS = 1 << 4,
    F_WELL = 1 << 5, F_CH = 1 << 6, F_EVENT = 1 << 7, F_PHASE = 1 << 8, F_EVID = 1 << 9,
    F_COMPONENT = 1 << 10, F_VALUES = 1 << 11, F_STATS = 1 << 12, F_ACTION = 1 << 13, F_BY = 1 << 14
};

int
rs_decode (rs_decoder_t *self, const void *topic, size_t topic_len, const void *body,
           size_t body_len, rs_msg_t *msg)
{
    self->detail[0] = 0;
    self->arena_used = 0;
    memset (msg, 0, sizeof *msg);
    msg->event_note = "";
    msg->event_state = "";
    msg->audit_action = msg->audit_by = msg->audit_addr = msg->audit_detail = msg->audit_well = "";

    const char *id;
    size_t id_len;
    rs_kind_t kind;
    if (rs_topic_parse (topic, topic_len, &kind, &id, &id_len) != RS_OK)
        return s_reject (self, RS_E_TOPIC,
                         "topic must be <telemetry|event|kpi|alert|sys|audit>.<id> with id of 1..%d "
                         "chars A-Z a-z 0-9 _ -", RS_MAX_ID);
    if (body_len > RS_MAX_BODY)
        return s_reject (self, RS_E_TOO_BIG, "body of %zu bytes exceeds %d", body_len, RS_MAX_BODY);
    msg->kind = kind;
    msg->topic = s_copy (self, topic, topic_len);
    msg->id = msg->topic + (id - (const char *) topic);

    if (s_prescan (body, body_len) != 0)
        return s_reject (self, RS_E_MSGPACK, "truncated or invalid MessagePack");
    if (self->unpacked.zone)
        msgpack_zone_clear (self->unpacked.zone);
    size_t off = 0;
    msgpack_unpack_return urc = msgpack_unpack_next (&self->unpacked, body, body_len, &off);
    if (urc == MSGPACK_UNPACK_NOMEM_ERROR)
        return s_reject (self, RS_E_NOMEM, "out of memory decoding %zu bytes", body_len);
    if (urc != MSGPACK_UNPACK_SUCCESS)
        return s_reject (self, RS_E_MSGPACK, "%s",
                         urc == MSGPACK_UNPACK_CONTINUE ? "truncated MessagePack"
                         : urc == MSGPACK_UNPACK_EXTRA_BYTES ? "bytes after the MessagePack object"
                         : "invalid MessagePack");
    if (off != body_len)
        return s_reject (self, RS_E_MSGPACK, "%zu bytes after the MessagePack object", body_len - off);
    const msgpack_object *root = &self->unpacked.data;
    if (root->type != MSGPACK_OBJECT_MAP)
        return s_reject (self, RS_E_NOT_MAP, "body must be a map");
    const msgpack_object_map *map = &root->via.map;
    if (map->size > RS_MAX_TOP_KEYS)
        return s_reject (self, RS_E_RANGE, "body has %u keys, more than %d", map->size, RS_MAX_TOP_KEYS);
    msg->body = root;

    unsigned seen = 0;
    uint64_t version = 0;
    const char *own_id = NULL;
    int rc = RS_OK;
    for (uint32_t i = 0; i < map->size && rc == RS_OK; i++) {
        const msgpack_object *k = &map->ptr[i].key;
        const msgpack_object *v = &map->ptr[i].val;
        if (k->type != MSGPACK_OBJECT_STR)
            return s_reject (self, RS_E_NOT_MAP, "body keys must be strings");
        unsigned flag = 0;
        if (s_key_is (k, "v")) {
            flag = F_V;
            rc = s_uint (self, v, "v", &version);
        }
        else if (s_key_is (k, "pub")) {
            flag = F_PUB;
            rc = s_string (self, v, "pub", RS_MAX_ID, true, false, &msg->hdr.pub);
        }
        else if (s_key_is (k, "epoch")) {
            flag = F_EPOCH;
            rc = s_uint (self, v, "epoch", &msg->hdr.epoch);
        }
        else if (s_key_is (k, "seq")) {
            flag = F_SEQ;
            rc = s_uint (self, v, "seq", &msg->hdr.seq);
        }
        else if (s_key_is (k, "ts")) {
            flag = F_TS;
            if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER && v->via.u64 <= (uint64_t) RS_TS_MAX_US)
                msg->hdr.ts_us = (int64_t) v->via.u64;
            else if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER || v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
                rc = s_reject (self, RS_E_RANGE, "'ts' must lie between 1970 and 2200");
            else
                rc = s_reject (self, RS_E_TYPE, "'ts' must be an integer of microseconds");
        }
        else if (kind == RS_KIND_AUDIT && s_key_is (k, "well"))
            rc = s_string (self, v, "well", RS_MAX_ID, true, false, &msg->audit_well);
        else if (kind == RS_KIND_AUDIT && s_key_is (k, "action")) {
            flag = F_ACTION;
            rc = s_string (self, v, "action", RS_MAX_ID, true, false, &msg->audit_action);
        }
        else if (kind == RS_KIND_AUDIT && s_key_is (k, "by")) {
            flag = F_BY;
            rc = s_string (self, v, "by", RS_MAX_ID, false, false, &msg->audit_by);
        }
        else if (kind == RS_KIND_AUDIT && s_key_is (k, "addr"))
            rc = s_string (self, v, "addr", RS_MAX_ID, false, true, &msg->audit_addr);
        else if (kind == RS_KIND_AUDIT && s_key_is (k, "detail"))
            rc = s_string (self, v, "detail", RS_MAX_TEXT, false, true, &msg->audit_detail);
        else if (kind != RS_KIND_SYS && s_key_is (k, "well")) {
            flag = F_WELL;
            rc = s_string (self, v, "well", RS_MAX_ID, true, false, &own_id);
        }
        else if ((kind == RS_KIND_SYS || kind == RS_KIND_AUDIT) && s_key_is (k, "component")) {
            flag = F_COMPONENT;
            rc = s_string (self, v, "component", RS_MAX_ID, true, false, &own_id);
        }
        else if (kind == RS_KIND_TELEMETRY && s_key_is (k, "ch")) {
            flag = F_CH;
            rc = s_values (self, v, "ch", true, msg);
        }
        else if (kind == RS_KIND_KPI && s_key_is (k, "values")) {
            flag = F_VALUES;
            rc = s_values (self, v, "values", false, msg);
        }
        else if (kind == RS_KIND_SYS && s_key_is (k, "stats")) {
            flag = F_STATS;
            rc = s_values (self, v, "stats", false, msg);
        }
        else if (kind == RS_KIND_SYS && s_key_is (k, "info"))
            rc = s_info (self, v, msg);
        else if (kind == RS_KIND_EVENT && s_key_is (k, "event")) {
            flag = F_EVENT;
            rc = s_string (self, v, "event", RS_MAX_ID, true, false, &msg->event_type);
        }
        else if (kind == RS_KIND_EVENT && s_key_is (k, "phase")) {
            flag = F_PHASE;
            rc = s_string (self, v, "phase", RS_MAX_ID, true, false, &msg->event_phase);
        }
        else if (kind == RS_KIND_EVENT && s_key_is (k, "event_id")) {
            flag = F_EVID;
            rc = s_uint (self, v, "event_id", &msg->event_id);
        }
        else if (kind == RS_KIND_EVENT && s_key_is (k, "note"))
            rc = s_string (self, v, "note", RS_MAX_TEXT, false, true, &msg->event_note);
        else if (kind == RS_KIND_EVENT && s_key_is (k, "state"))
            rc = s_string (self, v, "state", RS_MAX_ID, true, true, &msg->event_state);
        //  Other keys are allowed and ignored: newer minor versions may add them.
        if (flag & seen)
            return s_reject (self, RS_E_RANGE, "field '%.*s' appears twice",
                             (int) k->via.str.size, k->via.str.ptr);
        seen |= flag;
    }
    if (rc)
        return rc;

    unsigned need = F_V | F_PUB | F_EPOCH | F_SEQ | F_TS;
    const char *names[] = { "v", "pub", "epoch", "seq", "ts", "well", "ch", "event", "phase",
                            "event_id", "component", "values", "stats", "action", "by" };
    switch (kind) {
    case RS_KIND_TELEMETRY: need |= F_WELL | F_CH; break;
    case RS_KIND_EVENT: need |= F_WELL | F_EVENT | F_PHASE; break;
    case RS_KIND_KPI: need |= F_WELL | F_VALUES; break;
    case RS_KIND_ALERT: need |= F_WELL; break;
    case RS_KIND_SYS: need |= F_COMPONENT; break;
    case RS_KIND_AUDIT: need |= F_COMPONENT | F_ACTION | F_BY; break;
    default: break;
    }
    unsigned missing = need & ~seen;
    if (missing) {
        int bit = __builtin_ctz (missing);
        return s_reject (self, RS_E_MISSING, "required field '%s' is missing", names[bit]);
    }
    if (version != RS_SCHEMA_VERSION)
        return s_reject (self, RS_E_VERSION, "schema version %llu not supported (this build speaks %d)",
                         (unsigned long long) version, RS_SCHEMA_VERSION);
    msg->version = (int) version;
    if (msg->hdr.epoch == 0)
        return s_reject (self, RS_E_RANGE, "'epoch' must be at least 1");
    if (msg->hdr.seq == 0)
        return s_reject (self, RS_E_RANGE, "'seq' must be at least 1");
    if (strlen (own_id) != id_len || memcmp (own_id, id, id_len) != 0)
        return s_reject (self, RS_E_MISMATCH, "body says '%s' but topic says '%.*s'", own_id,
                         (int) id_len, id);
    return RS_OK;
}

double
rs_msg_value (const rs_msg_t *msg, const char *name)
{
    for (size_t i = 0; i < msg->n_values; i++)
        if (strcmp (msg->values[i].name, name) == 0)
            return msg->values[i].value;
    return NAN;
}

double
rs_msg_chan (const rs_msg_t *msg, int chan_id)
{
    if (msg->kind != RS_KIND_TELEMETRY)
        return NAN;
    for (size_t i = 0; i < msg->n_values; i++)
        if (msg->values[i].id == chan_id)
            return msg->values[i].value;
    return NAN;
}

const char *
rs_msg_text (rs_decoder_t *self, const rs_msg_t *msg, const char *key)
{
    if (!msg->body || msg->body->type != MSGPACK_OBJECT_MAP)
        return NULL;
    const msgpack_object_map *map = &msg->body->via.map;
    for (uint32_t i = 0; i < map->size; i++) {
        const msgpack_object *k = &map->ptr[i].key;
        const msgpack_object *v = &map->ptr[i].val;
        if (k->type == MSGPACK_OBJECT_STR && s_key_is (k, key) && v->type == MSGPACK_OBJECT_STR
            && !memchr (v->via.str.ptr, 0, v->via.str.size))
            return s_copy (self, v->via.str.ptr, v->via.str.size);
    }
    return NULL;
}

//  --------------------------------------------------------------------------
//  Encoder

struct rs_encoder_t {
    msgpack_sbuffer sbuf;
    msgpack_packer pk;
};

rs_encoder_t *
rs_encoder_new (void)
{
    rs_encoder_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    msgpack_sbuffer_init (&self->sbuf);
    msgpack_packer_init (&self->pk, &self->sbuf, msgpack_sbuffer_write);
    return self;
}

void
rs_encoder_destroy (rs_encoder_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    msgpack_sbuffer_destroy (&(*self_p)->sbuf);
    free (*self_p);
    *self_p = NULL;
}

const void *
rs_encoder_data (rs_encoder_t *self)
{
    return self->sbuf.data;
}

size_t
rs_encoder_size (rs_encoder_t *self)
{
    return self->sbuf.size;
}

void
rs_encode_key (msgpack_packer *pk, const char *key)
{
    size_t n = strlen (key);
    msgpack_pack_str (pk, n);
    msgpack_pack_str_body (pk, key, n);
}

void
rs_encode_string (msgpack_packer *pk, const char *text)
{
    rs_encode_key (pk, text ? text : "");
}

void
rs_encode_number (msgpack_packer *pk, double value)
{
    if (!isfinite (value))
        msgpack_pack_nil (pk);
    else
        msgpack_pack_double (pk, value);
}

void
rs_encode_values (msgpack_packer *pk, const rs_value_t *values, size_t n)
{
    msgpack_pack_map (pk, n);
    for (size_t i = 0; i < n; i++) {
        rs_encode_key (pk, values[i].name);
        rs_encode_number (pk, values[i].value);
    }
}

msgpack_packer *
rs_encode_begin (rs_encoder_t *self, rs_kind_t kind, const char *id, const rs_header_t *hdr,
                 size_t n_extra)
{
    if (kind >= RS_KIND_COUNT || !id || !rs_id_valid (id, strlen (id)) || !hdr || !hdr->pub
        || !rs_id_valid (hdr->pub, strlen (hdr->pub)) || hdr->epoch == 0 || hdr->seq == 0)
        return NULL;
    msgpack_packer *pk = &self->pk;
    self->sbuf.size = 0;
    msgpack_pack_map (pk, 6 + n_extra);
    rs_encode_key (pk, "v");
    msgpack_pack_uint32 (pk, RS_SCHEMA_VERSION);
    rs_encode_key (pk, "pub");
    rs_encode_string (pk, hdr->pub);
    rs_encode_key (pk, "epoch");
    msgpack_pack_uint64 (pk, hdr->epoch);
    rs_encode_key (pk, "seq");
    msgpack_pack_uint64 (pk, hdr->seq);
    rs_encode_key (pk, "ts");
    msgpack_pack_int64 (pk, hdr->ts_us);
    rs_encode_key (pk, kind == RS_KIND_SYS || kind == RS_KIND_AUDIT ? "component" : "well");
    rs_encode_string (pk, id);
    return pk;
}

int
rs_encode_sample (rs_encoder_t *self, const char *well, const rs_header_t *hdr,
                  const rs_value_t *ch, size_t n)
{
    if (n > RS_MAX_CHANNELS || (n && !ch))
        return RS_E_RANGE;
    for (size_t i = 0; i < n; i++)
        if (!ch[i].name || !rs_chan_name_valid (ch[i].name, strlen (ch[i].name)))
            return RS_E_RANGE;
    msgpack_packer *pk = rs_encode_begin (self, RS_KIND_TELEMETRY, well, hdr, 1);
    if (!pk)
        return RS_E_RANGE;
    rs_encode_key (pk, "ch");
    rs_encode_values (pk, ch, n);
    return RS_OK;
}

int
rs_encode_event (rs_encoder_t *self, const char *well, const rs_header_t *hdr, const char *type,
                 const char *phase, uint64_t event_id, const char *note, const char *state)
{
    if (!type || !rs_id_valid (type, strlen (type)) || !phase || !rs_id_valid (phase, strlen (phase)))
        return RS_E_RANGE;
    bool has_note = note && *note;
    bool has_state = state && *state;
    if ((has_note && strlen (note) > RS_MAX_TEXT) || (has_state && !rs_id_valid (state, strlen (state))))
        return RS_E_RANGE;
    msgpack_packer *pk = rs_encode_begin (self, RS_KIND_EVENT, well, hdr, 3 + has_note + has_state);
    if (!pk)
        return RS_E_RANGE;
    rs_encode_key (pk, "event");
    rs_encode_string (pk, type);
    rs_encode_key (pk, "phase");
    rs_encode_string (pk, phase);
    rs_encode_key (pk, "event_id");
    msgpack_pack_uint64 (pk, event_id);
    if (has_note) {
        rs_encode_key (pk, "note");
        rs_encode_string (pk, note);
    }
    if (has_state) {
        rs_encode_key (pk, "state");
        rs_encode_string (pk, state);
    }
    return RS_OK;
}

int
rs_encode_heartbeat (rs_encoder_t *self, const char *component, const rs_header_t *hdr,
                     const rs_value_t *stats, size_t n_stats, const rs_text_t *info, size_t n_info)
{
    if (n_stats > RS_MAX_CHANNELS || n_info > RS_MAX_CHANNELS)
        return RS_E_RANGE;
    msgpack_packer *pk = rs_encode_begin (self, RS_KIND_SYS, component, hdr, 2);
    if (!pk)
        return RS_E_RANGE;
    rs_encode_key (pk, "stats");
    rs_encode_values (pk, stats, n_stats);
    rs_encode_key (pk, "info");
    msgpack_pack_map (pk, n_info);
    for (size_t i = 0; i < n_info; i++) {
        rs_encode_key (pk, info[i].key);
        rs_encode_string (pk, info[i].value);
    }
    return RS_OK;
}
