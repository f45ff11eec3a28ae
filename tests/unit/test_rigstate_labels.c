/*  test_rigstate_labels: the common classes that score the engine's rig
    state against a vendor's RigActivityCode (bench/rigstate/rs_rigscore):
    every base code with and without the circulating and rotating flags,
    NoMonitor and malformed codes left out, every engine state mapped, and
    the time-weighted confusion matrix and agreement. */
#include "rs_rigscore.h"
#include "rs_rigstate.h"
#include "rs_test.h"

#include <math.h>

static void
test_vendor_codes (void)
{
    static const rs_rigclass_t base[10] = {
        RS_RC_UNLABELLED, RS_RC_DRILLING, RS_RC_REAMING, RS_RC_OFF_BOTTOM, RS_RC_IN_SLIPS,
        RS_RC_CONNECTION, RS_RC_TRIPPING_IN, RS_RC_TRIPPING_OUT, RS_RC_IN_SLIPS, RS_RC_SHUT_IN
    };
    //  +10 circulating and +100 rotating are flags: the class is the base's.
    for (int b = 0; b < 10; b++)
        for (int flags = 0; flags <= 110; flags += 10) {
            if (flags == 20 || (flags > 20 && flags < 100))
                continue;
            RS_CHECK_INT (rs_rigclass_of_code (b + flags), base[b]);
        }
    //  The codes of the Volve F-9 log.
    RS_CHECK_INT (rs_rigclass_of_code (0), RS_RC_UNLABELLED);
    RS_CHECK_INT (rs_rigclass_of_code (10), RS_RC_UNLABELLED);
    RS_CHECK_INT (rs_rigclass_of_code (13), RS_RC_OFF_BOTTOM);
    RS_CHECK_INT (rs_rigclass_of_code (113), RS_RC_OFF_BOTTOM);
    RS_CHECK_INT (rs_rigclass_of_code (14), RS_RC_IN_SLIPS);
    RS_CHECK_INT (rs_rigclass_of_code (114), RS_RC_IN_SLIPS);
    RS_CHECK_INT (rs_rigclass_of_code (16), RS_RC_TRIPPING_IN);
    RS_CHECK_INT (rs_rigclass_of_code (116), RS_RC_TRIPPING_IN);
    RS_CHECK_INT (rs_rigclass_of_code (17), RS_RC_TRIPPING_OUT);
    RS_CHECK_INT (rs_rigclass_of_code (111), RS_RC_DRILLING);
    RS_CHECK_INT (rs_rigclass_of_code (112), RS_RC_REAMING);
    RS_CHECK_INT (rs_rigclass_of_code (5), RS_RC_CONNECTION);
    RS_CHECK_INT (rs_rigclass_of_code (18), RS_RC_IN_SLIPS);
    RS_CHECK_INT (rs_rigclass_of_code (9), RS_RC_SHUT_IN);
    //  Not a RigActivityCode: unlabelled, never a guess.
    RS_CHECK_INT (rs_rigclass_of_code (NAN), RS_RC_UNLABELLED);
    RS_CHECK_INT (rs_rigclass_of_code (-999.25), RS_RC_UNLABELLED);
    RS_CHECK_INT (rs_rigclass_of_code (-4), RS_RC_UNLABELLED);
    RS_CHECK_INT (rs_rigclass_of_code (14.5), RS_RC_UNLABELLED);
    RS_CHECK_INT (rs_rigclass_of_code (24), RS_RC_UNLABELLED);
    RS_CHECK_INT (rs_rigclass_of_code (214), RS_RC_UNLABELLED);
    RS_CHECK_INT (rs_rigclass_of_code (INFINITY), RS_RC_UNLABELLED);
    RS_CHECK_STR (rs_rigclass_name (RS_RC_IN_SLIPS), "in_slips");
    RS_CHECK_STR (rs_rigclass_name (RS_RC_UNLABELLED), "unlabelled");
    RS_CHECK_STR (rs_rigclass_name (99), "unlabelled");
}

//  Every engine state has a class; the engine's own code (rs_rig_code)
//  maps back to the same class, so the two sides speak one language.
static void
test_engine_states (void)
{
    RS_CHECK_INT (rs_rigclass_of_state (RS_RIG_DRILLING_ROTARY), RS_RC_DRILLING);
    RS_CHECK_INT (rs_rigclass_of_state (RS_RIG_DRILLING_SLIDING), RS_RC_DRILLING);
    RS_CHECK_INT (rs_rigclass_of_state (RS_RIG_REAMING), RS_RC_REAMING);
    RS_CHECK_INT (rs_rigclass_of_state (RS_RIG_CIRCULATING), RS_RC_OFF_BOTTOM);
    RS_CHECK_INT (rs_rigclass_of_state (RS_RIG_OFF_BOTTOM), RS_RC_OFF_BOTTOM);
    RS_CHECK_INT (rs_rigclass_of_state (RS_RIG_CONNECTION), RS_RC_CONNECTION);
    RS_CHECK_INT (rs_rigclass_of_state (RS_RIG_IN_SLIPS), RS_RC_IN_SLIPS);
    RS_CHECK_INT (rs_rigclass_of_state (RS_RIG_TRIPPING_IN), RS_RC_TRIPPING_IN);
    RS_CHECK_INT (rs_rigclass_of_state (RS_RIG_TRIPPING_OUT), RS_RC_TRIPPING_OUT);
    RS_CHECK_INT (rs_rigclass_of_state (RS_RIG_SHUT_IN), RS_RC_SHUT_IN);
    RS_CHECK_INT (rs_rigclass_of_state (RS_RIG_UNKNOWN), RS_RC_UNKNOWN);
    RS_CHECK_INT (rs_rigclass_of_state (-1), RS_RC_UNKNOWN);
    for (int s = RS_RIG_UNKNOWN + 1; s < RS_RIG_COUNT; s++) {
        rs_riginfo_t info = { .state = s };
        for (int f = 0; f < 4; f++) {
            info.flags.circulating = f & 1;
            info.flags.rotating = f & 2;
            RS_CHECK_INT (rs_rigclass_of_code (rs_rig_code (&info)), rs_rigclass_of_state (s));
        }
    }
}

static void
test_score (void)
{
    rs_rigscore_t sc = { 0 };
    RS_CHECK (isnan (rs_rigscore_agreement (&sc)));
    rs_rigscore_add (&sc, RS_RC_IN_SLIPS, RS_RC_IN_SLIPS, 30);
    rs_rigscore_add (&sc, RS_RC_IN_SLIPS, RS_RC_OFF_BOTTOM, 10);
    rs_rigscore_add (&sc, RS_RC_TRIPPING_IN, RS_RC_TRIPPING_IN, 50);
    rs_rigscore_add (&sc, RS_RC_TRIPPING_OUT, RS_RC_UNKNOWN, 10);
    //  Unlabelled rows are counted apart, whatever the engine says.
    rs_rigscore_add (&sc, RS_RC_UNLABELLED, RS_RC_IN_SLIPS, 20);
    //  No duration, a bad duration or a bad class: ignored.
    rs_rigscore_add (&sc, RS_RC_IN_SLIPS, RS_RC_TRIPPING_IN, 0);
    rs_rigscore_add (&sc, RS_RC_IN_SLIPS, RS_RC_TRIPPING_IN, NAN);
    rs_rigscore_add (&sc, RS_RC_COUNT, RS_RC_IN_SLIPS, 5);
    RS_CHECK_NEAR (sc.labelled_s, 100, 1e-9);
    RS_CHECK_NEAR (sc.unlabelled_s, 20, 1e-9);
    RS_CHECK_NEAR (sc.t[RS_RC_IN_SLIPS][RS_RC_OFF_BOTTOM], 10, 1e-9);
    RS_CHECK_NEAR (sc.t[RS_RC_IN_SLIPS][RS_RC_TRIPPING_IN], 0, 1e-9);
    RS_CHECK_NEAR (rs_rigscore_agreement (&sc), 0.8, 1e-9);
    RS_CHECK_INT (sc.rows, 5);
    //  A trip's direction not scored: tripping out called in agrees then,
    //  nothing else does.
    RS_CHECK_NEAR (rs_rigscore_agreement_undirected (&sc), 0.8, 1e-9);
    rs_rigscore_t dir = sc;
    rs_rigscore_add (&dir, RS_RC_TRIPPING_OUT, RS_RC_TRIPPING_IN, 20);
    rs_rigscore_add (&dir, RS_RC_TRIPPING_IN, RS_RC_IN_SLIPS, 5);
    RS_CHECK_NEAR (rs_rigscore_agreement (&dir), 80.0 / 125, 1e-9);
    RS_CHECK_NEAR (rs_rigscore_agreement_undirected (&dir), 100.0 / 125, 1e-9);
    FILE *out = tmpfile ();
    RS_CHECK (out != NULL);
    if (out) {
        rs_rigscore_print (&sc, out);
        rewind (out);
        char text[2048];
        size_t n = fread (text, 1, sizeof text - 1, out);
        text[n] = 0;
        RS_CHECK (strstr (text, "time-weighted agreement: 80.0%") != NULL);
        RS_CHECK (strstr (text, "in_slips") != NULL);
        fclose (out);
    }
    //  Two pieces of a log scored apart add up to the whole.
    rs_rigscore_t piece = { 0 };
    rs_rigscore_add (&piece, RS_RC_TRIPPING_OUT, RS_RC_TRIPPING_OUT, 100);
    rs_rigscore_merge (&sc, &piece);
    RS_CHECK_NEAR (sc.labelled_s, 200, 1e-9);
    RS_CHECK_NEAR (sc.t[RS_RC_TRIPPING_OUT][RS_RC_TRIPPING_OUT], 100, 1e-9);
    RS_CHECK_NEAR (rs_rigscore_agreement (&sc), 0.9, 1e-9);
    RS_CHECK_INT (sc.rows, 6);
}

int
main (void)
{
    test_vendor_codes ();
    test_engine_states ();
    test_score ();
    return RS_TEST_DONE ();
}
