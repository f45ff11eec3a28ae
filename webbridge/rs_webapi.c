/*  rs_webapi: boundary checks for the web bridge's requests. See rs_webapi.h. */
#include "rs_webapi.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rs_channels.h"
#include "rs_clock.h"

#define TS_MAX_US INT64_C(7258118400000000)   //  2200-01-01, as the wire format

int
rs_webapi_parse_time (const char *text, int64_t *ts_us)
{
    if (!text || !*text || strlen (text) > 64)
        return -1;
    const char *p = text;
    while (*p >= '0' && *p <= '9')
        p++;
    int64_t v;
    if (*p == 0) {
        errno = 0;
        char *end;
        long long n = strtoll (text, &end, 10);
        if (errno || *end || n < 0 || n > TS_MAX_US)
            return -1;
        v = n;
    }
    else if (strlen (text) > 4 && text[4] == '-') {
        if (rs_clock_parse (text, &v) != 0 || v < 0 || v > TS_MAX_US)
            return -1;
    }
    else
        return -1;
    *ts_us = v;
    return 0;
}

int
rs_webapi_parse_int (const char *text, long min, long max, long *out)
{
    if (!text || !*text || strlen (text) > 18)
        return -1;
    for (const char *p = text; *p; p++)
        if (*p < '0' || *p > '9')
            return -1;
    long v = strtol (text, NULL, 10);
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int
s_add_channel (const char *name, size_t len, char names[][RS_MAX_CHNAME + 1], size_t max, size_t *n,
               char *err, size_t errsize)
{
    if (!rs_chan_name_valid (name, len)) {
        snprintf (err, errsize, "bad channel name '%.*s': 1-32 of a-z 0-9 _, starting with a letter",
                  (int) (len > 40 ? 40 : len), name);
        return -1;
    }
    for (size_t i = 0; i < *n; i++)
        if (strlen (names[i]) == len && memcmp (names[i], name, len) == 0) {
            snprintf (err, errsize, "channel '%.*s' named twice", (int) len, name);
            return -1;
        }
    if (*n >= max) {
        snprintf (err, errsize, "too many channels: at most %zu", max);
        return -1;
    }
    memcpy (names[*n], name, len);
    names[*n][len] = 0;
    (*n)++;
    return 0;
}

int
rs_webapi_parse_channels (const char *text, char names[][RS_MAX_CHNAME + 1], size_t max, size_t *n,
                          char *err, size_t errsize)
{
    *n = 0;
    if (!text || !*text) {
        snprintf (err, errsize, "empty channel list");
        return -1;
    }
    const char *p = text;
    for (;;) {
        const char *comma = strchr (p, ',');
        size_t len = comma ? (size_t) (comma - p) : strlen (p);
        if (s_add_channel (p, len, names, max, n, err, errsize) != 0)
            return -1;
        if (!comma)
            break;
        p = comma + 1;
    }
    return 0;
}

int
rs_webapi_parse_client_msg (const char *data, size_t len, rs_hub_filter_t *filter, int64_t *since_us,
                            char *err, size_t errsize)
{
    json_error_t jerr;
    json_t *root = json_loadb (data, len, JSON_REJECT_DUPLICATES, &jerr);
    int rc = -1;
    if (!root) {
        snprintf (err, errsize, "not JSON: %s", jerr.text);
        return -1;
    }
    const char *type = json_string_value (json_object_get (root, "type"));
    if (!json_is_object (root) || !type) {
        snprintf (err, errsize, "expected an object with a string \"type\"");
        goto done;
    }
    if (strcmp (type, "ping") == 0) {
        rc = RS_WEBAPI_MSG_PING;
        goto done;
    }
    if (strcmp (type, "subscribe") != 0) {
        snprintf (err, errsize, "unknown type \"%.40s\": expected subscribe or ping", type);
        goto done;
    }
    memset (filter, 0, sizeof *filter);
    filter->max_rate_hz = RS_HUB_DEFAULT_RATE_HZ;
    *since_us = 0;
    const char *key;
    json_t *value;
    json_object_foreach (root, key, value) {
        if (strcmp (key, "type") == 0)
            continue;
        if (strcmp (key, "wells") == 0) {
            size_t i;
            json_t *w;
            if (!json_is_array (value) || json_array_size (value) > RS_HUB_MAX_FILTER) {
                snprintf (err, errsize, "\"wells\" must be an array of at most %d well ids", RS_HUB_MAX_FILTER);
                goto done;
            }
            json_array_foreach (value, i, w) {
                const char *s = json_string_value (w);
                if (!s || !rs_id_valid (s, strlen (s))) {
                    snprintf (err, errsize, "\"wells\"[%zu] is not a well id", i);
                    goto done;
                }
                snprintf (filter->wells[filter->n_wells++], RS_MAX_ID + 1, "%s", s);
            }
        }
        else if (strcmp (key, "channels") == 0) {
            size_t i;
            json_t *c;
            if (!json_is_array (value)) {
                snprintf (err, errsize, "\"channels\" must be an array of channel names");
                goto done;
            }
            json_array_foreach (value, i, c) {
                const char *s = json_string_value (c);
                if (!s) {
                    snprintf (err, errsize, "\"channels\"[%zu] is not a string", i);
                    goto done;
                }
                if (s_add_channel (s, strlen (s), filter->channels, RS_HUB_MAX_FILTER, &filter->n_channels,
                                   err, errsize) != 0)
                    goto done;
            }
        }
        else if (strcmp (key, "max_rate_hz") == 0) {
            double r = json_number_value (value);
            if (!json_is_number (value) || !(r >= 0.1 && r <= RS_HUB_MAX_RATE_HZ)) {
                snprintf (err, errsize, "\"max_rate_hz\" must be a number from 0.1 to %g", RS_HUB_MAX_RATE_HZ);
                goto done;
            }
            filter->max_rate_hz = r;
        }
        else if (strcmp (key, "since") == 0) {
            int64_t ts = 0;
            bool ok = false;
            if (json_is_integer (value)) {
                ts = json_integer_value (value);
                ok = ts >= 0 && ts <= TS_MAX_US;
            }
            else if (json_is_string (value))
                ok = rs_webapi_parse_time (json_string_value (value), &ts) == 0;
            if (!ok) {
                snprintf (err, errsize, "\"since\" must be ISO 8601 or microseconds since the epoch");
                goto done;
            }
            *since_us = ts;
        }
        else {
            snprintf (err, errsize, "unknown field \"%.40s\" in subscribe", key);
            goto done;
        }
    }
    rc = RS_WEBAPI_MSG_SUBSCRIBE;
done:
    json_decref (root);
    return rc;
}

int
rs_webapi_static_path (const char *root, const char *path, char *out, size_t size)
{
    if (!root || !path || path[0] != '/' || strlen (path) > 512)
        return -1;
    for (const char *p = path; *p; p++) {
        unsigned char c = (unsigned char) *p;
        if (c < 0x20 || c == 0x7f || c == '\\')
            return -1;
        if (c == '/' && (p[1] == '/' || p[1] == '.'))
            return -1;         //  empty segment, or one starting with '.' (.., .git, .env)
    }
    const char *index = path[strlen (path) - 1] == '/' ? "index.html" : "";
    int n = snprintf (out, size, "%s%s%s", root, path, index);
    return n > 0 && (size_t) n < size ? 0 : -1;
}

const char *
rs_webapi_mime (const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        { ".html", "text/html; charset=utf-8" },
        { ".js", "text/javascript; charset=utf-8" },
        { ".mjs", "text/javascript; charset=utf-8" },
        { ".css", "text/css; charset=utf-8" },
        { ".json", "application/json" },
        { ".svg", "image/svg+xml" },
        { ".png", "image/png" },
        { ".ico", "image/x-icon" },
        { ".txt", "text/plain; charset=utf-8" },
        { ".woff2", "font/woff2" },
    };
    const char *dot = strrchr (path, '.');
    const char *slash = strrchr (path, '/');
    if (dot && (!slash || dot > slash))
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (strcmp (dot, types[i].ext) == 0)
                return types[i].type;
    return "application/octet-stream";
}
