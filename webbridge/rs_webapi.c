/*  rs_webapi: boundary checks for the web bridge's requests. See rs_webapi.h. */
#include "rs_webapi.h"

#include <civetweb.h>
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
    size_t digits = (size_t) (p - text);
    int64_t unit_us = strcmp (p, "s") == 0 ? 1000000 : strcmp (p, "ms") == 0 ? 1000 : strcmp (p, "us") == 0 ? 1 : 0;
    if (digits > 0 && (*p == 0 || unit_us)) {
        errno = 0;
        char *end;
        long long n = strtoll (text, &end, 10);
        if (errno || end != p || n < 0)
            return -1;
        if (*p == 0 && digits >= 10 && digits <= 14)
            return RS_WEBAPI_TIME_UNIT;
        if (unit_us == 0)
            unit_us = 1;
        if (n > TS_MAX_US / unit_us)
            return -1;
        v = n * unit_us;
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

//  A time query parameter, with the reason when it is not one.
static int
s_time_param (const char *name, const char *text, int64_t *ts_us)
{
    int rc = rs_webapi_parse_time (text, ts_us);
    if (rc == RS_WEBAPI_TIME_UNIT)
        rs_err_set (RS_E_FORMAT, "bad '%s': %.20s looks like seconds or milliseconds since the epoch; give the "
                  "unit (%.20sms or %.20ss), microseconds or ISO 8601", name, text, text, text);
    else if (rc != 0)
        rs_err_set (RS_E_FORMAT, "bad '%s': expected " RS_WEBAPI_TIME_HELP, name);
    return rc == 0 ? 0 : -1;
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
s_add_channel (const char *name, size_t len, char names[][RS_MAX_CHNAME + 1], size_t max, size_t *n)
{
    if (!rs_chan_name_valid (name, len)) {
        rs_err_set (RS_E_FORMAT, "bad channel name '%.*s': 1-32 of a-z 0-9 _, starting with a letter",
                  (int) (len > 40 ? 40 : len), name);
        return -1;
    }
    for (size_t i = 0; i < *n; i++)
        if (strlen (names[i]) == len && memcmp (names[i], name, len) == 0) {
            rs_err_set (RS_E_FORMAT, "channel '%.*s' named twice", (int) len, name);
            return -1;
        }
    if (*n >= max) {
        rs_err_set (RS_E_FORMAT, "too many channels: at most %zu", max);
        return -1;
    }
    memcpy (names[*n], name, len);
    names[*n][len] = 0;
    (*n)++;
    return 0;
}

rs_err_t
rs_webapi_parse_channels (const char *text, char names[][RS_MAX_CHNAME + 1], size_t max, size_t *n)
{
    *n = 0;
    if (!text || !*text) {
        return rs_err_set (RS_E_FORMAT, "empty channel list");
    }
    const char *p = text;
    for (;;) {
        const char *comma = strchr (p, ',');
        size_t len = comma ? (size_t) (comma - p) : strlen (p);
        if (s_add_channel (p, len, names, max, n) != 0)
            return RS_E_FORMAT;
        if (!comma)
            break;
        p = comma + 1;
    }
    return RS_OK;
}

bool
rs_webapi_json_depth_ok (const char *data, size_t len, int max)
{
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
        }
        else if (c == '"')
            in_string = true;
        else if (c == '[' || c == '{') {
            if (++depth > max)
                return false;
        }
        else if (c == ']' || c == '}')
            depth--;
    }
    return true;
}

static const char *s_too_deep = "nested too deeply";

int
rs_webapi_parse_client_msg (const char *data, size_t len, rs_hub_filter_t *filter, int64_t *since_us)
{
    json_error_t jerr;
    if (!rs_webapi_json_depth_ok (data, len, RS_WEBAPI_MAX_DEPTH)) {
        rs_err_set (RS_E_FORMAT, "not JSON: %s", s_too_deep);
        return -1;
    }
    json_t *root = json_loadb (data, len, JSON_REJECT_DUPLICATES, &jerr);
    int rc = -1;
    if (!root) {
        rs_err_set (RS_E_FORMAT, "not JSON: %s", jerr.text);
        return -1;
    }
    const char *type = json_string_value (json_object_get (root, "type"));
    if (!json_is_object (root) || !type) {
        rs_err_set (RS_E_FORMAT, "expected an object with a string \"type\"");
        goto done;
    }
    if (strcmp (type, "ping") == 0) {
        rc = RS_WEBAPI_MSG_PING;
        goto done;
    }
    if (strcmp (type, "subscribe") != 0) {
        rs_err_set (RS_E_FORMAT, "unknown type \"%.40s\": expected subscribe or ping", type);
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
                rs_err_set (RS_E_FORMAT, "\"wells\" must be an array of at most %d well ids", RS_HUB_MAX_FILTER);
                goto done;
            }
            json_array_foreach (value, i, w) {
                const char *s = json_string_value (w);
                if (!s || !rs_id_valid (s, strlen (s))) {
                    rs_err_set (RS_E_FORMAT, "\"wells\"[%zu] is not a well id", i);
                    goto done;
                }
                snprintf (filter->wells[filter->n_wells++], RS_MAX_ID + 1, "%s", s);
            }
        }
        else if (strcmp (key, "channels") == 0) {
            size_t i;
            json_t *c;
            if (!json_is_array (value)) {
                rs_err_set (RS_E_FORMAT, "\"channels\" must be an array of channel names");
                goto done;
            }
            json_array_foreach (value, i, c) {
                const char *s = json_string_value (c);
                if (!s) {
                    rs_err_set (RS_E_FORMAT, "\"channels\"[%zu] is not a string", i);
                    goto done;
                }
                if (s_add_channel (s, strlen (s), filter->channels, RS_HUB_MAX_FILTER, &filter->n_channels) != 0)
                    goto done;
            }
        }
        else if (strcmp (key, "max_rate_hz") == 0) {
            double r = json_number_value (value);
            if (!json_is_number (value) || !(r >= 0.1 && r <= RS_HUB_MAX_RATE_HZ)) {
                rs_err_set (RS_E_FORMAT, "\"max_rate_hz\" must be a number from 0.1 to %g", RS_HUB_MAX_RATE_HZ);
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
            //  0 would read as "no history wanted": said so, not ignored.
            if (ok && ts <= 0) {
                rs_err_set (RS_E_FORMAT, "\"since\" must be after the epoch: 0 asks for no time at all; give "
                          RS_WEBAPI_TIME_HELP);
                goto done;
            }
            if (!ok) {
                rs_err_set (RS_E_FORMAT, "\"since\" must be " RS_WEBAPI_TIME_HELP);
                goto done;
            }
            *since_us = ts;
        }
        else {
            rs_err_set (RS_E_FORMAT, "unknown field \"%.40s\" in subscribe", key);
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

rs_err_t
rs_webapi_parse_query (const char *query, rs_webapi_params_t *p)
{
    p->n = 0;
    if (!query || !*query)
        return RS_OK;
    char buf[RS_WEBAPI_MAX_QUERY];
    size_t qlen = strlen (query);
    if (qlen >= sizeof buf) {
        return rs_err_set (RS_E_FORMAT, "query string too long (at most %d bytes)", RS_WEBAPI_MAX_QUERY - 1);
    }
    memcpy (buf, query, qlen + 1);
    char *save = NULL;
    for (char *part = strtok_r (buf, "&", &save); part; part = strtok_r (NULL, "&", &save)) {
        if (p->n == RS_WEBAPI_MAX_PARAMS) {
            return rs_err_set (RS_E_FORMAT, "too many parameters (at most %d)", RS_WEBAPI_MAX_PARAMS);
        }
        char *eq = strchr (part, '=');
        if (eq)
            *eq = 0;
        const char *value = eq ? eq + 1 : "";
        char *key_out = p->key[p->n], *value_out = p->value[p->n];
        int klen = mg_url_decode (part, (int) strlen (part), key_out, (int) sizeof p->key[0], 1);
        int vlen = mg_url_decode (value, (int) strlen (value), value_out, (int) sizeof p->value[0], 1);
        if (klen < 0 || vlen < 0) {
            return rs_err_set (RS_E_FORMAT, "parameter too long");
        }
        //  "%00" would cut a value short where later checks cannot see it.
        if (strlen (key_out) != (size_t) klen || strlen (value_out) != (size_t) vlen) {
            return rs_err_set (RS_E_FORMAT, "parameter contains a NUL byte");
        }
        for (size_t i = 0; i < p->n; i++)
            if (strcmp (p->key[i], key_out) == 0) {
                return rs_err_set (RS_E_FORMAT, "parameter '%.31s' given twice", p->key[i]);
            }
        p->n++;
    }
    return RS_OK;
}

const char *
rs_webapi_param (const rs_webapi_params_t *p, const char *key)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp (p->key[i], key) == 0)
            return p->value[i];
    return NULL;
}

rs_err_t
rs_webapi_check_params (const rs_webapi_params_t *p, const char *const *allowed)
{
    for (size_t i = 0; i < p->n; i++) {
        bool ok = false;
        for (size_t j = 0; allowed[j] && !ok; j++)
            ok = strcmp (p->key[i], allowed[j]) == 0;
        if (!ok) {
            //  The key may hold any byte: quote only printable ASCII of it.
            char shown[32];
            size_t k = 0;
            for (const char *c = p->key[i]; *c && k < sizeof shown - 1; c++)
                shown[k++] = *c >= 0x20 && *c < 0x7f ? *c : '?';
            shown[k] = 0;
            return rs_err_set (RS_E_FORMAT, "unknown parameter '%s'", shown);
        }
    }
    return RS_OK;
}

rs_err_t
rs_webapi_parse_range (const rs_webapi_params_t *p, int64_t now_us, int64_t default_s,
                       const char *const *defaults, size_t n_defaults, rs_webapi_range_t *r)
{
    const char *well = rs_webapi_param (p, "well");
    if (!well || !*well) {
        return rs_err_set (RS_E_FORMAT, "missing parameter 'well'");
    }
    if (!rs_id_valid (well, strlen (well))) {
        return rs_err_set (RS_E_FORMAT, "bad 'well': 1-64 characters of A-Z a-z 0-9 _ -");
    }
    snprintf (r->well, sizeof r->well, "%s", well);
    const char *to = rs_webapi_param (p, "to"), *from = rs_webapi_param (p, "from");
    r->to_us = now_us;
    if (to && s_time_param ("to", to, &r->to_us) != 0)
        return RS_E_FORMAT;
    r->from_us = r->to_us - default_s * 1000000;
    if (from && s_time_param ("from", from, &r->from_us) != 0)
        return RS_E_FORMAT;
    if (r->from_us > r->to_us) {
        return rs_err_set (RS_E_FORMAT, "'from' is after 'to'");
    }
    const char *channels = rs_webapi_param (p, "channels");
    if (channels) {
        if (rs_webapi_parse_channels (channels, r->channels, RS_WEBAPI_MAX_CHANNELS, &r->n_channels) != 0)
            return RS_E_FORMAT;
    }
    else {
        r->n_channels = 0;
        for (size_t i = 0; i < n_defaults && i < RS_WEBAPI_MAX_CHANNELS; i++)
            snprintf (r->channels[r->n_channels++], sizeof r->channels[0], "%s", defaults[i]);
    }
    for (size_t i = 0; i < r->n_channels; i++)
        r->names[i] = r->channels[i];
    return RS_OK;
}

rs_err_t
rs_webapi_parse_ack_body (const char *body, size_t len, char *by, size_t bysize)
{
    static const char *usage = "body must be empty or a JSON object {\"by\": \"name\"}";
    if (bysize)
        *by = 0;
    if (!len)
        return RS_OK;
    json_error_t jerr;
    if (!rs_webapi_json_depth_ok (body, len, RS_WEBAPI_MAX_DEPTH)) {
        return rs_err_set (RS_E_FORMAT, "%s; not JSON: %s", usage, s_too_deep);
    }
    json_t *doc = json_loadb (body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        return rs_err_set (RS_E_FORMAT, "%s; not JSON: %s", usage, jerr.text);
    }
    rs_err_t rc = RS_E_FORMAT;
    json_t *b = json_object_get (doc, "by");
    if (!json_is_object (doc) || json_object_size (doc) != (b ? 1u : 0u))
        rs_err_set (RS_E_FORMAT, "%s", usage);
    else if (b && (!json_is_string (b) || json_string_length (b) > RS_WEBAPI_MAX_BY))
        rs_err_set (RS_E_FORMAT, "%s; \"by\" must be a string of at most %d characters", usage, RS_WEBAPI_MAX_BY);
    else {
        const char *s = b ? json_string_value (b) : "";
        size_t slen = b ? json_string_length (b) : 0;
        rc = RS_OK;
        for (size_t i = 0; i < slen && rc == RS_OK; i++)
            if ((unsigned char) s[i] < 0x20 || s[i] == 0x7f) {
                rs_err_set (RS_E_FORMAT, "%s; \"by\" must not hold control characters", usage);
                rc = RS_E_FORMAT;
            }
        if (rc == RS_OK && bysize)
            snprintf (by, bysize, "%s", s);
    }
    json_decref (doc);
    return rc;
}

json_t *
rs_webapi_parse_thresholds_body (const char *body, size_t len)
{
    static const char *usage = "body must be a JSON object {\"rules\": [...], \"save\": true|false}";
    json_error_t jerr;
    if (!rs_webapi_json_depth_ok (body, len, RS_WEBAPI_MAX_DEPTH)) {
        rs_err_set (RS_E_FORMAT, "%s; not JSON: %s", usage, s_too_deep);
        return NULL;
    }
    json_t *doc = len ? json_loadb (body, len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    if (!doc) {
        if (len)
            rs_err_set (RS_E_FORMAT, "%s; not JSON: %s", usage, jerr.text);
        else
            rs_err_set (RS_E_FORMAT, "%s", usage);
        return NULL;
    }
    json_t *save = json_object_get (doc, "save");
    if (!json_is_object (doc) || !json_is_array (json_object_get (doc, "rules")) || json_object_get (doc, "cmd")
        || (save && !json_is_boolean (save))) {
        rs_err_set (RS_E_FORMAT, "%s", usage);
        json_decref (doc);
        return NULL;
    }
    if (json_object_set_new (doc, "cmd", json_string ("set_thresholds")) != 0) {
        rs_err_set (RS_E_NOMEM, "out of memory");
        json_decref (doc);
        return NULL;
    }
    return doc;
}

int
rs_webapi_decode_path (const char *raw, char *out, size_t size)
{
    size_t len = strlen (raw);
    if (len >= size || size > INT32_MAX)
        return -1;
    int n = mg_url_decode (raw, (int) len, out, (int) size, 0);
    return n >= 0 && strlen (out) == (size_t) n ? 0 : -1;
}

json_t *
rs_webapi_health (const json_t *status, json_t *components, double max_delay_s)
{
    json_t *problems = json_array ();
    if (!problems)
        return NULL;
    if (!status)
        json_array_append_new (problems, json_string ("broker: does not answer STATUS"));
    const json_t *known = json_object_get (status, "components");
    const char *name;
    json_t *c;
    json_object_foreach (components, name, c) {
        const char *state = json_string_value (json_object_get (c, "state"));
        const json_t *stats = json_object_get (json_object_get (known, name), "stats");
        const char *health = "up";
        char why[160] = "";
        if (state && strcmp (state, "stopped") == 0)
            health = "stopped";
        else if (!json_is_true (json_object_get (c, "up"))) {
            health = "down";
            snprintf (why, sizeof why, "down (silent without saying it stopped)");
        }
        else {
            json_t *broker_up = json_object_get (stats, "broker_up");
            json_t *delay = json_object_get (stats, "delay_ms");
            json_t *db_ok = json_object_get (stats, "db_ok");
            if (json_is_number (broker_up) && json_number_value (broker_up) == 0)
                snprintf (why, sizeof why, "does not hear the broker");
            else if (json_is_number (db_ok) && json_number_value (db_ok) == 0)
                snprintf (why, sizeof why, "cannot write the database");
            else if (json_is_number (delay) && json_number_value (delay) / 1000.0 > max_delay_s)
                snprintf (why, sizeof why, "reads %.0f s behind (more than %g s)",
                          json_number_value (delay) / 1000.0, max_delay_s);
            if (*why)
                health = "sick";
        }
        json_object_set_new (c, "health", json_string (health));
        //  Rejections explained: counts by the decoder's reason, and who sent the last one.
        const json_t *info = json_object_get (json_object_get (known, name), "info");
        json_t *total = json_object_get (stats, "rejected");
        if (json_is_number (total)) {
            json_t *by = json_object ();
            const char *key;
            json_t *v;
            json_object_foreach ((json_t *) stats, key, v)
                if (strncmp (key, "rejected.", 9) == 0 && json_is_number (v))
                    json_object_set (by, key + 9, v);
            json_object_set (c, "rejected", total);
            json_object_set_new (c, "rejected_by", by);
            if (json_is_string (json_object_get (info, "last_reject_pub")))
                json_object_set_new (c, "last_reject",
                                     json_pack ("{s:O, s:O, s:O}", "pub", json_object_get (info, "last_reject_pub"),
                                                "reason", json_object_get (info, "last_reject_reason"), "topic",
                                                json_object_get (info, "last_reject_topic")));
        }
        if (*why)
            json_array_append_new (problems, json_pack ("s++", name, ": ", why));
    }
    return problems;
}

//  A text field: a string of min..max characters (UTF-8), no control
//  characters, not only spaces when required. -1 with the reason otherwise.
static int
s_text_field (const json_t *v, const char *field, size_t min, size_t max)
{
    if (!v) {
        if (min == 0)
            return 0;
        rs_err_set (RS_E_FORMAT, "%s: required (%zu to %zu characters)", field, min, max);
        return -1;
    }
    if (!json_is_string (v)) {
        rs_err_set (RS_E_FORMAT, "%s: expected a string", field);
        return -1;
    }
    const char *s = json_string_value (v);
    size_t len = json_string_length (v), chars = 0;
    bool blank = true;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) s[i];
        if (c < 0x20 || c == 0x7f) {
            rs_err_set (RS_E_FORMAT, "%s: control characters are not allowed", field);
            return -1;
        }
        if ((c & 0xC0) != 0x80)
            chars++;
        if (c != ' ')
            blank = false;
    }
    if (chars < min || (min > 0 && blank)) {
        rs_err_set (RS_E_FORMAT, "%s: required (%zu to %zu characters)", field, min, max);
        return -1;
    }
    if (chars > max) {
        rs_err_set (RS_E_FORMAT, "%s: %zu characters, at most %zu", field, chars, max);
        return -1;
    }
    return 0;
}

json_t *
rs_webapi_parse_alarm_body (const char *action, const char *body, size_t len)
{
    bool ack = strcmp (action, "ack") == 0, shelve = strcmp (action, "shelve") == 0;
    bool oos = strcmp (action, "out_of_service") == 0;
    if (!len) {
        rs_err_set (RS_E_FORMAT, "by: required (1 to %d characters)", RS_WEBAPI_MAX_BY);
        return NULL;
    }
    json_error_t jerr;
    if (!rs_webapi_json_depth_ok (body, len, RS_WEBAPI_MAX_DEPTH)) {
        rs_err_set (RS_E_FORMAT, "body: not JSON: %s", s_too_deep);
        return NULL;
    }
    json_t *doc = json_loadb (body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object (doc)) {
        rs_err_set (RS_E_FORMAT, "body: expected a JSON object%s%s", doc ? "" : ": ", doc ? "" : jerr.text);
        json_decref (doc);
        return NULL;
    }
    const char *key;
    json_t *v;
    json_object_foreach (doc, key, v) {
        bool known = strcmp (key, "by") == 0 || (ack && strcmp (key, "comment") == 0)
                     || ((shelve || oos) && strcmp (key, "reason") == 0) || (shelve && strcmp (key, "minutes") == 0);
        if (!known) {
            rs_err_set (RS_E_FORMAT, "%.40s: not a field of this request", key);
            json_decref (doc);
            return NULL;
        }
    }
    json_t *minutes = json_object_get (doc, "minutes");
    int rc = s_text_field (json_object_get (doc, "by"), "by", 1, RS_WEBAPI_MAX_BY);
    if (rc == 0 && ack)
        rc = s_text_field (json_object_get (doc, "comment"), "comment", 0, RS_WEBAPI_MAX_COMMENT);
    if (rc == 0 && (shelve || oos))
        rc = s_text_field (json_object_get (doc, "reason"), "reason", 1, RS_WEBAPI_MAX_REASON);
    if (rc == 0 && shelve && (!json_is_integer (minutes) || json_integer_value (minutes) < 1
                              || json_integer_value (minutes) > 720)) {
        rs_err_set (RS_E_FORMAT, "minutes: a whole number from 1 to 720");
        rc = -1;
    }
    if (rc != 0) {
        json_decref (doc);
        return NULL;
    }
    json_object_set_new (doc, "cmd", json_string (action));
    return doc;
}
