/*  rs_webapi: the web bridge's boundary checks, as pure functions: request
    parameters (times, channel lists, point counts), WebSocket subscribe
    messages, and the mapping of a URL path to a file of the frontend tree
    (which never leaves that tree). Each rejects with a message for the
    client ("bad 'from': expected ISO 8601 or microseconds since the epoch"). */
#ifndef RS_WEBAPI_H
#define RS_WEBAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rs_hub.h"

#define RS_WEBAPI_MAX_POINTS   10000
#define RS_WEBAPI_MAX_CHANNELS 32

//  A time parameter: ISO 8601 (rs_clock_parse's forms) or an integer of
//  microseconds since the epoch. Returns 0, or -1 for anything else.
int rs_webapi_parse_time (const char *text, int64_t *ts_us);

//  A comma-separated channel list ("hook_load,wob"): valid names (known or
//  not: vendor curves), no repeats, at most `max`. Fills names[] and *n.
//  Returns 0, or -1 with the reason in err.
int rs_webapi_parse_channels (const char *text, char names[][RS_MAX_CHNAME + 1], size_t max,
                              size_t *n, char *err, size_t errsize);

//  A positive integer within [min, max] (decimal digits only). Returns 0 or -1.
int rs_webapi_parse_int (const char *text, long min, long max, long *out);

//  A client's WebSocket message. {"type":"subscribe","wells":[...],
//  "channels":[...],"max_rate_hz":N,"since":"ISO"|µs} fills *filter (absent
//  fields: everything, default rate) and *since_us (0 when absent).
typedef enum {
    RS_WEBAPI_MSG_SUBSCRIBE = 0,
    RS_WEBAPI_MSG_PING
} rs_webapi_msg_t;
//  Returns the message type, or -1 with the reason in err.
int rs_webapi_parse_client_msg (const char *data, size_t len, rs_hub_filter_t *filter,
                                int64_t *since_us, char *err, size_t errsize);

//  Maps a URL path (already percent-decoded, without the query) to a file
//  under root: "/" and paths ending in "/" get index.html. Refuses (-1) any
//  path that is not absolute, contains "..", "//", a backslash, a NUL or
//  control character, a segment starting with '.', or is too long. Writes
//  root + path into out. The caller still checks that the real path stays
//  under the real root (symlinks).
int rs_webapi_static_path (const char *root, const char *path, char *out, size_t size);

//  Content type for a file name by extension (text types with charset
//  utf-8); "application/octet-stream" when unknown.
const char *rs_webapi_mime (const char *path);

#endif
