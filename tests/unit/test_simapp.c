/*  rigstream-sim's option checks (rs_simapp), pure: --rate and the well
    ids, with their reasons for a bad value in rs_errmsg. */
#include <stdio.h>
#include <string.h>

#include "rs_simapp.h"
#include "rs_simpub.h"
#include "rs_test.h"

static void
test_rate (void)
{
    double rate = -1;
    RS_CHECK_INT (rs_simapp_rate ("max", &rate), RS_OK);
    RS_CHECK (rate == 0);
    RS_CHECK_INT (rs_simapp_rate ("2.5", &rate), RS_OK);
    RS_CHECK (rate == 2.5);
    const char *bad[] = { "", "fast", "-1", "1e9", "nan", "3x" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        RS_CHECK_INT (rs_simapp_rate (bad[i], &rate), RS_E_CONFIG);
        RS_CHECK (strstr (rs_errmsg (), "for --rate") != NULL);
    }
}

static void
test_well_ids (void)
{
    static char ids[RS_SIMPUB_MAX_WELLS][RS_MAX_ID + 1];
    int n = -1;
    //  No list: A-01 .. A-<wells>.
    RS_CHECK_INT (rs_simapp_well_ids (NULL, 3, ids, &n), RS_OK);
    RS_CHECK_INT (n, 3);
    RS_CHECK_STR (ids[2], "A-03");
    //  A list, spaces trimmed, empty entries passed over.
    RS_CHECK_INT (rs_simapp_well_ids (" B-02 ,,C_1", 1, ids, &n), RS_OK);
    RS_CHECK_INT (n, 2);
    RS_CHECK_STR (ids[0], "B-02");
    RS_CHECK_STR (ids[1], "C_1");
    RS_CHECK_INT (rs_simapp_well_ids ("A-01,bad id", 1, ids, &n), RS_E_CONFIG);
    RS_CHECK (strstr (rs_errmsg (), "invalid well id \"bad id\"") != NULL);
    RS_CHECK_INT (rs_simapp_well_ids ("X,Y,X", 1, ids, &n), RS_E_CONFIG);
    RS_CHECK (strstr (rs_errmsg (), "\"X\" given twice") != NULL);
    RS_CHECK_INT (rs_simapp_well_ids (" , ", 1, ids, &n), RS_E_CONFIG);
    RS_CHECK (strstr (rs_errmsg (), "names no well") != NULL);
    //  One past the limit.
    char list[RS_SIMPUB_MAX_WELLS * 8] = "";
    for (int i = 0; i <= RS_SIMPUB_MAX_WELLS; i++)
        snprintf (list + strlen (list), sizeof list - strlen (list), "%sW%d", i ? "," : "", i);
    RS_CHECK_INT (rs_simapp_well_ids (list, 1, ids, &n), RS_E_CONFIG);
    RS_CHECK (strstr (rs_errmsg (), "too many wells") != NULL);
}

int
main (void)
{
    test_rate ();
    test_well_ids ();
    return RS_TEST_DONE ();
}
