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

#include <jansson.h>

#include "rs_err.h"
#include "rs_hub.h"

#define RS_WEBAPI_MAX_POINTS   10000
#define RS_WEBAPI_MAX_CHANNELS 32
#define RS_WEBAPI_MAX_PARAMS   16
#define RS_WEBAPI_MAX_QUERY    4096
#define RS_WEBAPI_MAX_BY       64          //  length of an acknowledger's name

//  A decoded query string ("well=w1&from=...").
typedef struct {
    size_t n;
    char key[RS_WEBAPI_MAX_PARAMS][32];
    char value[RS_WEBAPI_MAX_PARAMS][1024];
} rs_webapi_params_t;

//  Splits and percent-decodes a query string (NULL or "" gives no
//  parameters). Refuses too long a string, too many or too long parameters,
//  a key given twice and a decoded NUL. Returns RS_OK, or RS_E_FORMAT with
//  the reason recorded (rs_errmsg).
rs_err_t rs_webapi_parse_query (const char *query, rs_webapi_params_t *p);
//  The value of `key`, or NULL.
const char *rs_webapi_param (const rs_webapi_params_t *p, const char *key);
//  Refuses a parameter not in the NULL-terminated list. Returns RS_OK, or
//  RS_E_FORMAT with the reason recorded.
rs_err_t rs_webapi_check_params (const rs_webapi_params_t *p, const char *const *allowed);

//  The history and export range: well (required), from/to (default: the
//  last `default_s` seconds up to now_us), channels (default: `defaults`).
//  rs_webapi_parse_range returns RS_OK, or RS_E_FORMAT with the reason
//  recorded.
typedef struct {
    char well[RS_MAX_ID + 1];
    int64_t from_us, to_us;
    char channels[RS_WEBAPI_MAX_CHANNELS][RS_MAX_CHNAME + 1];
    const char *names[RS_WEBAPI_MAX_CHANNELS];  //  points into channels[]
    size_t n_channels;
} rs_webapi_range_t;
rs_err_t rs_webapi_parse_range (const rs_webapi_params_t *p, int64_t now_us, int64_t default_s,
                                const char *const *defaults, size_t n_defaults, rs_webapi_range_t *r);

//  Client JSON nests at most this deep: jansson's parser recurses, and
//  civetweb's worker threads have small stacks (100 KB in Debian's build).
#define RS_WEBAPI_MAX_DEPTH    32

//  True when the arrays and objects in `data` (JSON text, strings skipped)
//  nest at most `max` deep. Checked before parsing anything a client sent.
bool rs_webapi_json_depth_ok (const char *data, size_t len, int max);

#define RS_WEBAPI_MAX_COMMENT  500         //  an acknowledgement's comment
#define RS_WEBAPI_MAX_REASON   200         //  a shelve's or out of service's reason

//  The body of POST /api/alerts/{id}/<action> (action: ack, shelve,
//  unshelve, out_of_service, in_service): a JSON object with "by" (1-64
//  characters) and, by action, "comment" (0-500), "reason" (1-200),
//  "minutes" (1-720). Returns the engine's request without id and addr
//  (fresh reference), or NULL with "<field>: <reason>" recorded (rs_errmsg).
json_t *rs_webapi_parse_alarm_body (const char *action, const char *body, size_t len);

//  The body of POST /api/alerts/{id}/ack: empty, or {"by": "name"} with a
//  name of at most RS_WEBAPI_MAX_BY printable characters. Fills `by` ("" when
//  absent). Returns RS_OK, or RS_E_FORMAT with the reason recorded.
rs_err_t rs_webapi_parse_ack_body (const char *body, size_t len, char *by, size_t bysize);

//  The body of PUT /api/thresholds: {"rules": [...], "save": true|false}
//  (the engine checks the rules themselves). Returns a fresh request for
//  the engine ({"cmd": "set_thresholds", ...}), or NULL with the reason
//  recorded.
json_t *rs_webapi_parse_thresholds_body (const char *body, size_t len);

//  A time parameter: ISO 8601 (rs_clock_parse's forms), an integer of
//  microseconds since the epoch, or an integer with its unit: "s", "ms" or
//  "us" (1796506200000ms). Returns 0; RS_WEBAPI_TIME_UNIT for a bare
//  integer of 10 to 14 digits, which is seconds or milliseconds since the
//  epoch far more often than microseconds of 1970 (taken as microseconds it
//  would name an empty range in 1970); -1 for anything else.
#define RS_WEBAPI_TIME_UNIT (-2)
#define RS_WEBAPI_TIME_HELP "ISO 8601, microseconds since the epoch, or a number with its unit (1796506200000ms, 1796506200s)"
int rs_webapi_parse_time (const char *text, int64_t *ts_us);

//  A comma-separated channel list ("hook_load,wob"): valid names (known or
//  not: vendor curves), no repeats, at most `max`. Fills names[] and *n.
//  Returns RS_OK, or RS_E_FORMAT with the reason recorded.
rs_err_t rs_webapi_parse_channels (const char *text, char names[][RS_MAX_CHNAME + 1], size_t max, size_t *n);

//  A positive integer within [min, max] (decimal digits only). Returns 0 or -1.
int rs_webapi_parse_int (const char *text, long min, long max, long *out);

//  A client's WebSocket message. {"type":"subscribe","wells":[...],
//  "channels":[...],"max_rate_hz":N,"since":"ISO"|µs} fills *filter (absent
//  fields: everything, default rate) and *since_us (0 when absent).
typedef enum {
    RS_WEBAPI_MSG_SUBSCRIBE = 0,
    RS_WEBAPI_MSG_PING
} rs_webapi_msg_t;
//  Returns the message type, or -1 with the reason recorded (rs_errmsg).
int rs_webapi_parse_client_msg (const char *data, size_t len, rs_hub_filter_t *filter, int64_t *since_us);

//  Percent-decodes a URL path into out. Refuses (-1) a decoded NUL byte and
//  a path that does not fit. Returns 0.
int rs_webapi_decode_path (const char *raw, char *out, size_t size);

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

//  The suite's health rules (docs/OPERATIONS.md, "Healthy"), as far as
//  heartbeats tell them: the broker answers (`status`, its STATUS, not
//  NULL); no component that went silent without saying it stopped (a clean
//  stop, its last heartbeat's state "stopped", is not a fault); every
//  subscriber that is up hears the broker and reads at most max_delay_s
//  behind; the saver can write its database. Sets each component's
//  "health" ("up", "stopped", "down", "sick") in `components` ({name:
//  {"up","state",...}}), and for a subscriber its "rejected", "rejected_by"
//  ({reason: n}) and "last_reject" ({pub, reason, topic}); stats and info
//  come from the broker's STATUS. Returns a
//  fresh array of problems ("name: why"), empty when healthy.
json_t *rs_webapi_health (const json_t *status, json_t *components, double max_delay_s);

#endif
