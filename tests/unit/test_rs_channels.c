/*  The channel table: lookups, name rules, and docs/PROTOCOL.md in step with it. */
#include <stdlib.h>

#include "rs_channels.h"
#include "rs_test.h"

int
main (void)
{
    for (int i = 0; i < RS_CH_COUNT; i++) {
        const rs_chan_info_t *c = rs_chan_info (i);
        RS_CHECK (c && c->name && c->unit && c->meaning);
        RS_CHECK_INT (rs_chan_lookup (c->name, strlen (c->name)), i);
        RS_CHECK (rs_chan_name_valid (c->name, strlen (c->name)));
    }
    RS_CHECK (rs_chan_info (-1) == NULL);
    RS_CHECK (rs_chan_info (RS_CH_COUNT) == NULL);
    RS_CHECK_INT (rs_chan_lookup ("rpmx", 4), RS_CH_UNKNOWN);
    RS_CHECK_INT (rs_chan_lookup ("rpm", 3), RS_CH_RPM);
    RS_CHECK_INT (rs_chan_lookup ("rpm_extra", 3), RS_CH_RPM);   //  length decides, not NUL
    RS_CHECK_INT (rs_chan_lookup ("", 0), RS_CH_UNKNOWN);
    RS_CHECK (!rs_chan_name_valid ("Rpm", 3));
    RS_CHECK (!rs_chan_name_valid ("1x", 2));
    RS_CHECK (!rs_chan_name_valid ("a-b", 3));
    RS_CHECK (rs_chan_name_valid ("a_1", 3));
    RS_CHECK (!rs_chan_name_valid ("abcdefghijabcdefghijabcdefghijabc", 33));

    //  A list of names into a set; an unknown name is an error that names it.
    bool set[RS_CH_COUNT] = { false };
    RS_CHECK_INT (rs_chan_parse_set ("bit_depth,hole_depth", set), RS_OK);
    RS_CHECK (set[RS_CH_BIT_DEPTH] && set[RS_CH_HOLE_DEPTH] && !set[RS_CH_WOB]);
    RS_CHECK_INT (rs_chan_parse_set ("wob,depth_of_bit", set), RS_E_CONFIG);
    RS_CHECK (strstr (rs_errmsg (), "depth_of_bit") != NULL);
    RS_CHECK_INT (rs_chan_parse_set ("", set), RS_OK);

    //  Every channel has its row in the protocol document, with its unit.
    FILE *f = fopen (RS_SOURCE_DIR "/docs/PROTOCOL.md", "r");
    RS_CHECK (f != NULL);
    if (f) {
        static char doc[1 << 17];
        size_t n = fread (doc, 1, sizeof doc - 1, f);
        doc[n] = 0;
        fclose (f);
        for (int i = 0; i < RS_CH_COUNT; i++) {
            const rs_chan_info_t *c = rs_chan_info (i);
            char row[256];
            snprintf (row, sizeof row, "| `%s` | %s | %s |", c->name, c->unit, c->meaning);
            if (!strstr (doc, row))
                fprintf (stderr, "docs/PROTOCOL.md lacks the row: %s\n", row);
            RS_CHECK (strstr (doc, row) != NULL);
        }
    }
    return RS_TEST_DONE ();
}
