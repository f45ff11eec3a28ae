/*  libFuzzer harness for what a browser may send on the web bridge's
    WebSocket (rs_webapi_parse_client_msg): subscribe and ping messages. An
    accepted subscribe must give a filter within its bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rs_webapi.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    rs_hub_filter_t *f = malloc (sizeof *f);
    if (!f)
        return 0;
    int64_t since = -1;
    rs_err_set (RS_OK, "%s", "");
    int type = rs_webapi_parse_client_msg ((const char *) data, size, f, &since);
    if (type == RS_WEBAPI_MSG_SUBSCRIBE) {
        if (f->n_wells > RS_HUB_MAX_FILTER || f->n_channels > RS_HUB_MAX_FILTER || since < 0
            || !(f->max_rate_hz >= 0.1 && f->max_rate_hz <= RS_HUB_MAX_RATE_HZ))
            abort ();
        for (size_t i = 0; i < f->n_wells; i++)
            if (!rs_id_valid (f->wells[i], strlen (f->wells[i])))
                abort ();
    }
    else if (type < 0 && !*rs_errmsg ())
        abort ();
    //  Nesting the depth check lets through must parse on a small stack.
    if (type >= 0 && !rs_webapi_json_depth_ok ((const char *) data, size, RS_WEBAPI_MAX_DEPTH))
        abort ();
    free (f);
    return 0;
}
