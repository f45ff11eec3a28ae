/*  rs_spb: Sparkplug B payloads round-trip through protobuf-c, carry the
    wire's field numbers, and bad bytes are rejected. */
#include <stdlib.h>

#include "rs_spb.h"
#include "rs_test.h"

int
main (void)
{
    rs_spb_metric_t birth[] = {
        { .name = "bdSeq", .alias = 1, .ts_ms = 1000, .datatype = RS_SPB_UINT64, .send_datatype = true, .u = 7 },
        { .name = "Node Control/Rebirth", .alias = 2, .ts_ms = 1000, .datatype = RS_SPB_BOOLEAN,
          .send_datatype = true, .b = false },
        { .name = "telemetry/rop", .alias = 3, .ts_ms = 1000, .datatype = RS_SPB_DOUBLE, .send_datatype = true,
          .unit = "m/h", .d = 24.5 },
        { .name = "telemetry/gas", .alias = 4, .ts_ms = 1000, .datatype = RS_SPB_DOUBLE, .send_datatype = true,
          .unit = "%", .is_null = true },
        { .name = "alert/state", .alias = 5, .ts_ms = 1000, .datatype = RS_SPB_STRING, .send_datatype = true,
          .s = "raised" },
    };
    size_t size = 0;
    uint8_t *bytes = rs_spb_encode (1234, true, 0, birth, 5, &size);
    RS_CHECK (bytes && size > 0);
    rs_spb_payload_t p;
    RS_CHECK_INT (rs_spb_decode (bytes, size, &p), 0);
    RS_CHECK_INT (p.ts_ms, 1234);
    RS_CHECK (p.has_seq && p.seq == 0);
    RS_CHECK_INT (p.n, 5);
    RS_CHECK_STR (p.metrics[0].name, "bdSeq");
    RS_CHECK_INT (p.metrics[0].u, 7);
    RS_CHECK_INT (p.metrics[0].datatype, RS_SPB_UINT64);
    RS_CHECK (p.metrics[1].datatype == RS_SPB_BOOLEAN && !p.metrics[1].b);
    RS_CHECK_STR (p.metrics[2].unit, "m/h");
    RS_CHECK_NEAR (p.metrics[2].d, 24.5, 0);
    RS_CHECK_INT (p.metrics[2].alias, 3);
    RS_CHECK (p.metrics[3].is_null);
    RS_CHECK_STR (p.metrics[4].s, "raised");
    RS_CHECK (!rs_spb_is_rebirth (&p, 2));
    rs_spb_decoded_free (&p);
    free (bytes);

    //  Wire facts: field 1 (timestamp, varint) comes first: tag 0x08; a
    //  data metric with alias only and is_historical: Metric field 2 (0x10)
    //  and field 5 (0x28), double_value field 13 (0x69, fixed64).
    rs_spb_metric_t data = { .alias = 3, .ts_ms = 2000, .datatype = RS_SPB_DOUBLE, .is_historical = true, .d = 1.5 };
    bytes = rs_spb_encode (2001, true, 42, &data, 1, &size);
    RS_CHECK (bytes && bytes[0] == 0x08);
    bool alias_tag = false, hist_tag = false, double_tag = false, seq_tag = false;
    for (size_t i = 0; i + 1 < size; i++) {
        alias_tag |= bytes[i] == 0x10 && bytes[i + 1] == 3;
        hist_tag |= bytes[i] == 0x28 && bytes[i + 1] == 1;
        double_tag |= bytes[i] == 0x69;
        seq_tag |= bytes[i] == 0x18 && bytes[i + 1] == 42;
    }
    RS_CHECK (alias_tag && hist_tag && double_tag && seq_tag);
    RS_CHECK_INT (rs_spb_decode (bytes, size, &p), 0);
    RS_CHECK (p.metrics[0].name == NULL && !p.metrics[0].send_datatype);
    RS_CHECK (p.metrics[0].is_historical);
    RS_CHECK_INT (p.metrics[0].datatype, RS_SPB_DOUBLE);   // inferred from the value field
    RS_CHECK_INT (p.seq, 42);
    rs_spb_decoded_free (&p);
    //  Truncated bytes are rejected.
    RS_CHECK_INT (rs_spb_decode (bytes, size - 3, &p), -1);
    free (bytes);
    uint8_t junk[] = { 0xff, 0xff, 0xff, 0xff, 0x0f };
    RS_CHECK_INT (rs_spb_decode (junk, sizeof junk, &p), -1);

    //  Rebirth command, by name or by alias.
    rs_spb_metric_t cmd = { .name = "Node Control/Rebirth", .datatype = RS_SPB_BOOLEAN, .send_datatype = true,
                            .b = true };
    bytes = rs_spb_encode (1, false, 0, &cmd, 1, &size);
    RS_CHECK_INT (rs_spb_decode (bytes, size, &p), 0);
    RS_CHECK (!p.has_seq);
    RS_CHECK (rs_spb_is_rebirth (&p, 0));
    rs_spb_decoded_free (&p);
    free (bytes);
    cmd.name = NULL;
    cmd.alias = 2;
    bytes = rs_spb_encode (1, false, 0, &cmd, 1, &size);
    RS_CHECK_INT (rs_spb_decode (bytes, size, &p), 0);
    RS_CHECK (rs_spb_is_rebirth (&p, 2));
    RS_CHECK (!rs_spb_is_rebirth (&p, 9));
    rs_spb_decoded_free (&p);
    free (bytes);
    //  A string metric without a string is refused.
    rs_spb_metric_t bad = { .name = "x", .datatype = RS_SPB_STRING };
    RS_CHECK (rs_spb_encode (1, false, 0, &bad, 1, &size) == NULL);

    char topic[128];
    RS_CHECK (rs_spb_topic (topic, sizeof topic, "field", "DDATA", "rig7", "A-01") > 0);
    RS_CHECK_STR (topic, "spBv1.0/field/DDATA/rig7/A-01");
    RS_CHECK (rs_spb_topic (topic, sizeof topic, "field", "NBIRTH", "rig7", NULL) > 0);
    RS_CHECK_STR (topic, "spBv1.0/field/NBIRTH/rig7");
    RS_CHECK_INT (rs_spb_topic (topic, 10, "field", "NBIRTH", "rig7", NULL), -1);
    RS_CHECK (rs_spb_id_valid ("rig-7"));
    RS_CHECK (!rs_spb_id_valid ("a/b") && !rs_spb_id_valid ("a+") && !rs_spb_id_valid ("#") && !rs_spb_id_valid (""));
    return RS_TEST_DONE ();
}
