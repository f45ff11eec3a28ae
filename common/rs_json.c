/*  rs_json: one recursive conversion, bounded in depth. */
#include "rs_json.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

//  A JSON string; text that is not valid UTF-8 has its non-ASCII bytes shown
//  as '?', so every writer can dump it.
static json_t *
s_string (const char *text, size_t len)
{
    json_t *s = json_stringn (text, len);
    if (s)
        return s;
    char *copy = malloc (len + 1);
    if (!copy)
        return NULL;
    for (size_t i = 0; i < len; i++)
        copy[i] = (unsigned char) text[i] < 0x80 && text[i] ? text[i] : '?';
    s = json_stringn (copy, len);
    free (copy);
    return s;
}

static json_t *
s_convert (const msgpack_object *o, int depth)
{
    if (depth > 32)
        return json_null ();
    switch (o->type) {
    case MSGPACK_OBJECT_BOOLEAN:
        return json_boolean (o->via.boolean);
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        return o->via.u64 > (uint64_t) INT64_MAX ? json_real ((double) o->via.u64)
                                                 : json_integer ((json_int_t) o->via.u64);
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        return json_integer ((json_int_t) o->via.i64);
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        return isfinite (o->via.f64) ? json_real (o->via.f64) : json_null ();
    case MSGPACK_OBJECT_STR:
        return s_string (o->via.str.ptr, o->via.str.size);
    case MSGPACK_OBJECT_ARRAY: {
        json_t *a = json_array ();
        for (uint32_t i = 0; a && i < o->via.array.size; i++)
            json_array_append_new (a, s_convert (&o->via.array.ptr[i], depth + 1));
        return a;
    }
    case MSGPACK_OBJECT_MAP: {
        json_t *m = json_object ();
        for (uint32_t i = 0; m && i < o->via.map.size; i++) {
            const msgpack_object *k = &o->via.map.ptr[i].key;
            if (k->type != MSGPACK_OBJECT_STR)
                continue;
            char key[1025];
            snprintf (key, sizeof key, "%.*s", (int) (k->via.str.size < 1024 ? k->via.str.size : 1024),
                      k->via.str.ptr);
            json_object_set_new_nocheck (m, key, s_convert (&o->via.map.ptr[i].val, depth + 1));
        }
        return m;
    }
    default:
        return json_null ();
    }
}

json_t *
rs_json_from_msgpack (const msgpack_object *o)
{
    return s_convert (o, 0);
}
