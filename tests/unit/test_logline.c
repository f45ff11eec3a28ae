/*  Console renderings: text line, JSON line, per-well summary. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>

#include "rs_logline.h"
#include "rs_test.h"

int
main (void)
{
    rs_encoder_t *enc = rs_encoder_new ();
    rs_decoder_t *dec = rs_decoder_new ();
    rs_header_t hdr = { "sim", 1, 12, 1700000000123000LL };
    rs_value_t ch[] = { { "hole_depth", 0, 1523.4 }, { "rop", 0, 25.12 }, { "rpm", 0, NAN },
                        { "gas", 0, 0.5 }, { "vendor_x", 0, 1 } };
    RS_CHECK_INT (rs_encode_sample (enc, "A-01", &hdr, ch, 5), RS_OK);
    rs_msg_t msg;
    RS_CHECK_INT (rs_decode (dec, "telemetry.A-01", 14, rs_encoder_data (enc), rs_encoder_size (enc), &msg), RS_OK);

    char line[2048];
    rs_logstyle_t plain = { false, RS_UNITS_METRIC }, colour = { true, RS_UNITS_METRIC };
    rs_logstyle_t imperial = { false, RS_UNITS_IMPERIAL };
    rs_logline_text (&msg, &plain, line, sizeof line);
    RS_CHECK (strstr (line, "2023-11-14T22:13:20.123Z A-01 #12") == line);
    RS_CHECK (strstr (line, "hole_depth=1523.40m") != NULL);   //  depths to the centimetre
    RS_CHECK (strstr (line, "rop=25.12m/h") != NULL);
    RS_CHECK (strstr (line, "rpm=-") != NULL);          //  nil shows as a dash
    RS_CHECK (strstr (line, "gas=0.50%") != NULL);
    RS_CHECK (strstr (line, " vendor_x=1.00") != NULL);       //  custom channels by name
    RS_CHECK (strstr (line, "more)") == NULL);
    RS_CHECK (strchr (line, '\033') == NULL);
    rs_logline_text (&msg, &colour, line, sizeof line);
    RS_CHECK (strchr (line, '\033') != NULL);
    //  Imperial: converted at print time, with the imperial units.
    rs_logline_text (&msg, &imperial, line, sizeof line);
    RS_CHECK (strstr (line, "hole_depth=4998.03ft") != NULL);  //  1523.4 m
    RS_CHECK (strstr (line, "rop=82.41ft/h") != NULL);         //  25.12 m/h
    RS_CHECK (strstr (line, "gas=0.50%") != NULL);
    RS_CHECK (strstr (line, "rpm=- ") != NULL);
    //  (A second codec: msg above still points into the first one's buffer.)
    rs_encoder_t *enc2 = rs_encoder_new ();
    rs_decoder_t *dec2 = rs_decoder_new ();
    //  A bit 0.3 m above a 3000.1 m hole: two depths, not both "3000".
    {
        rs_value_t d[] = { { "hole_depth", 0, 3000.1 }, { "bit_depth", 0, 2999.8 } };
        RS_CHECK_INT (rs_encode_sample (enc2, "A-01", &hdr, d, 2), RS_OK);
        rs_msg_t m2;
        RS_CHECK_INT (rs_decode (dec2, "telemetry.A-01", 14, rs_encoder_data (enc2), rs_encoder_size (enc2), &m2),
                      RS_OK);
        char l2[2048];
        rs_logline_text (&m2, &plain, l2, sizeof l2);
        RS_CHECK (strstr (l2, "hole_depth=3000.10m bit_depth=2999.80m") != NULL);
    }
    //  Past RS_LOGLINE_EXTRAS custom channels, the rest are counted.
    {
        rs_value_t x[RS_LOGLINE_EXTRAS + 3];
        char names[RS_LOGLINE_EXTRAS + 3][16];
        for (int i = 0; i < RS_LOGLINE_EXTRAS + 3; i++) {
            snprintf (names[i], sizeof names[i], "custom_%d", i);
            x[i] = (rs_value_t) { names[i], 0, i };
        }
        RS_CHECK_INT (rs_encode_sample (enc2, "A-01", &hdr, x, RS_LOGLINE_EXTRAS + 3), RS_OK);
        rs_msg_t m3;
        RS_CHECK_INT (rs_decode (dec2, "telemetry.A-01", 14, rs_encoder_data (enc2), rs_encoder_size (enc2), &m3),
                      RS_OK);
        char l3[4096];
        rs_logline_text (&m3, &plain, l3, sizeof l3);
        RS_CHECK (strstr (l3, " custom_0=0.00") != NULL);
        RS_CHECK (strstr (l3, " custom_8=") == NULL);
        RS_CHECK (strstr (l3, "(+3 more)") != NULL);
    }
    rs_encoder_destroy (&enc2);
    rs_decoder_destroy (&dec2);
    //  Truncation is safe.
    char tiny[16];
    RS_CHECK (rs_logline_text (&msg, &plain, tiny, sizeof tiny) < sizeof tiny);
    RS_CHECK_INT (strlen (tiny), 15);

    char *json = rs_logline_json (&msg);
    RS_CHECK (json != NULL);
    json_error_t err;
    json_t *root = json_loads (json, 0, &err);
    RS_CHECK (root != NULL);
    RS_CHECK_STR (json_string_value (json_object_get (root, "topic")), "telemetry.A-01");
    RS_CHECK_STR (json_string_value (json_object_get (root, "time")), "2023-11-14T22:13:20.123Z");
    RS_CHECK_INT (json_integer_value (json_object_get (root, "seq")), 12);
    json_t *chj = json_object_get (root, "ch");
    RS_CHECK_NEAR (json_real_value (json_object_get (chj, "rop")), 25.12, 1e-9);
    RS_CHECK (json_is_null (json_object_get (chj, "rpm")));
    json_decref (root);
    free (json);

    RS_CHECK_INT (rs_encode_event (enc, "A-01", &hdr, "kick", "start", 3, "pit gain 2 m3", NULL), RS_OK);
    RS_CHECK_INT (rs_decode (dec, "event.A-01", 10, rs_encoder_data (enc), rs_encoder_size (enc), &msg), RS_OK);
    rs_logline_text (&msg, &plain, line, sizeof line);
    RS_CHECK (strstr (line, "EVENT kick start (id 3): pit gain 2 m3") != NULL);

    //  A note that is not valid UTF-8 still gives a JSON line.
    RS_CHECK_INT (rs_encode_event (enc, "A-01", &hdr, "kick", "start", 3, "bad \xff\xfe bytes", NULL), RS_OK);
    RS_CHECK_INT (rs_decode (dec, "event.A-01", 10, rs_encoder_data (enc), rs_encoder_size (enc), &msg), RS_OK);
    json = rs_logline_json (&msg);
    RS_CHECK (json != NULL && strstr (json, "bad ?? bytes") != NULL);
    free (json);

    rs_logsum_t *sum = rs_logsum_new ();
    for (int i = 0; i < 10; i++) {
        hdr.seq = 100 + (uint64_t) i;
        ch[1].value = 10 + i;
        rs_encode_sample (enc, "B-02", &hdr, ch, 5);
        rs_decode (dec, "telemetry.B-02", 14, rs_encoder_data (enc), rs_encoder_size (enc), &msg);
        rs_logsum_add (sum, &msg);
    }
    char text[4096];
    rs_logsum_flush (sum, 5.0, &plain, text, sizeof text);
    RS_CHECK (strstr (text, "B-02 10 samples (2.0/s, seq 100-109)") != NULL);
    RS_CHECK (strstr (text, "rop=19.00[10.00..19.00]m/h") != NULL);
    //  The window resets.
    rs_logsum_flush (sum, 5.0, &plain, text, sizeof text);
    RS_CHECK (strstr (text, "B-02") == NULL);
    for (int i = 0; i < 2; i++) {
        hdr.seq = 200 + (uint64_t) i;
        ch[1].value = 10 + 20 * i;
        rs_encode_sample (enc, "B-02", &hdr, ch, 5);
        rs_decode (dec, "telemetry.B-02", 14, rs_encoder_data (enc), rs_encoder_size (enc), &msg);
        rs_logsum_add (sum, &msg);
    }
    rs_logsum_flush (sum, 5.0, &imperial, text, sizeof text);
    RS_CHECK (strstr (text, "rop=98.43[32.81..98.43]ft/h") != NULL);
    rs_logsum_destroy (&sum);
    rs_encoder_destroy (&enc);
    rs_decoder_destroy (&dec);
    return RS_TEST_DONE ();
}
