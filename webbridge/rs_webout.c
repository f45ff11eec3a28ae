/*  rs_webout: the bridge's audit records on audit.<component> (see rs_webout.h). */
#include "rs_webout.h"

#include <string.h>

#include "rs_clock.h"
#include "rs_log.h"
#include "rs_msg.h"

static const char *s_text_keys[] = { "action", "by", "addr", "detail", "well" };

size_t
rs_webout_audit (rs_alerts_t *alerts, rs_pub_t *pub, const char *component)
{
    json_t *list = rs_alerts_audit_take (alerts);
    size_t sent = 0, i;
    json_t *rec;
    json_array_foreach (list, i, rec) {
        size_t n = 0;
        for (size_t k = 0; k < sizeof s_text_keys / sizeof *s_text_keys; k++)
            n += json_is_string (json_object_get (rec, s_text_keys[k])) ? 1 : 0;
        json_t *id = json_object_get (rec, "alert_id");
        int64_t ts = json_integer_value (json_object_get (rec, "ts_us"));
        msgpack_packer *pk = rs_pub_begin (pub, RS_KIND_AUDIT, component, ts > 0 ? ts : rs_clock_now_us (),
                                           n + (json_is_integer (id) ? 1 : 0));
        if (!pk) {
            rs_error ("audit record not published (%s by %s): the publisher refused it",
                      json_string_value (json_object_get (rec, "action")),
                      json_string_value (json_object_get (rec, "by")));
            continue;
        }
        for (size_t k = 0; k < sizeof s_text_keys / sizeof *s_text_keys; k++) {
            const char *v = json_string_value (json_object_get (rec, s_text_keys[k]));
            if (v) {
                rs_encode_key (pk, s_text_keys[k]);
                rs_encode_string (pk, v);
            }
        }
        if (json_is_integer (id)) {
            rs_encode_key (pk, "alert_id");
            msgpack_pack_int64 (pk, json_integer_value (id));
        }
        if (rs_pub_send (pub) == RS_OK)
            sent++;
        else
            rs_error ("audit record not published (%s by %s): send failed",
                      json_string_value (json_object_get (rec, "action")),
                      json_string_value (json_object_get (rec, "by")));
    }
    json_decref (list);
    return sent;
}
