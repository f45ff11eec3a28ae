/*  libFuzzer harness for the web bridge's request bodies (rs_webapi): the
    first byte picks the endpoint (0 mod 4: an acknowledgement of an alert
    the bridge keeps, 2 mod 4: an alarm request, ack to in-service, by the
    byte's upper bits; odd: PUT /api/thresholds), the rest is the body. An accepted body must give what
    the handlers rely on; anything else must come back as an error with a
    reason, never a crash. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rs_webapi.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *body = (const char *) data + 1;
    size_t len = size - 1;
    rs_err_set (RS_OK, "%s", "");
    if (data[0] % 4 == 2) {
        static const char *actions[] = { "ack", "shelve", "unshelve", "out_of_service", "in_service" };
        const char *action = actions[(data[0] >> 2) % 5];
        json_t *req = rs_webapi_parse_alarm_body (action, body, len);
        if (req) {
            json_t *by = json_object_get (req, "by");
            const char *cmd = json_string_value (json_object_get (req, "cmd"));
            if (!cmd || strcmp (cmd, action) != 0 || !json_is_string (by) || json_string_length (by) == 0
                || json_string_length (by) > 4 * RS_WEBAPI_MAX_BY)
                abort ();
            for (const char *c = json_string_value (by); *c; c++)
                if ((unsigned char) *c < 0x20)
                    abort ();
            json_decref (req);
        }
        else if (!*rs_errmsg ())
            abort ();
    }
    else if (data[0] % 2 == 0) {
        char by[RS_WEBAPI_MAX_BY + 1];
        if (rs_webapi_parse_ack_body (body, len, by, sizeof by) == 0) {
            if (strlen (by) > RS_WEBAPI_MAX_BY)
                abort ();
            for (const char *c = by; *c; c++)
                if ((unsigned char) *c < 0x20)
                    abort ();
        }
        else if (!*rs_errmsg ())
            abort ();
    }
    else {
        json_t *req = rs_webapi_parse_thresholds_body (body, len);
        if (req) {
            const char *cmd = json_string_value (json_object_get (req, "cmd"));
            if (!cmd || strcmp (cmd, "set_thresholds") != 0 || !json_is_array (json_object_get (req, "rules")))
                abort ();
            json_decref (req);
        }
        else if (!*rs_errmsg ())
            abort ();
    }
    return 0;
}
