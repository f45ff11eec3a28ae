/*  rs_json: MessagePack objects as JSON (jansson), for every program that
    shows or stores a message body as text (logger, saver, web bridge). */
#ifndef RS_JSON_H
#define RS_JSON_H

#include <jansson.h>
#include <msgpack.h>

//  A fresh JSON value for a decoded MessagePack object: maps with string keys
//  become objects (other keys are skipped), NaN, infinity, nil, binary and
//  extension types become null; nesting deeper than 32 levels becomes null.
//  Returns NULL only on out of memory.
json_t *rs_json_from_msgpack (const msgpack_object *o);

#endif
