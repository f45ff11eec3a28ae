/*  libFuzzer harness for rs_decode: the first byte picks a topic, the rest is
    the body. Every input must end in RS_OK or an error code, never a crash,
    and an accepted message must satisfy the documented invariants. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rs_msg.h"

static const char *s_topics[] = { "telemetry.A-01", "event.A-01", "kpi.A-01", "alert.A-01",
                                  "sys.broker", "telemetry.", "bogus.x", "" };

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    static rs_decoder_t *dec;
    if (!dec)
        dec = rs_decoder_new ();
    if (size < 1)
        return 0;
    const char *topic = s_topics[data[0] % (sizeof s_topics / sizeof s_topics[0])];
    rs_msg_t msg;
    int rc = rs_decode (dec, topic, strlen (topic), data + 1, size - 1, &msg);
    if (rc == RS_OK) {
        if (msg.hdr.seq == 0 || msg.hdr.epoch == 0 || !msg.hdr.pub || msg.n_values > RS_MAX_CHANNELS)
            abort ();
        for (size_t i = 0; i < msg.n_values; i++)
            if (isinf (msg.values[i].value) || !msg.values[i].name)
                abort ();
    }
    else if (rc < 0 || rc >= RS_E_COUNT || !rs_decoder_detail (dec)[0])
        abort ();
    return 0;
}
