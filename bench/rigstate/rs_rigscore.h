/*  rs_rigscore: scores the engine's rig state against a vendor's own
    per-row labels (Baker Hughes RigActivityCode) in a recorded log. Both
    sides are mapped to one common set of classes; rows are weighted by their
    duration to the next row; the result is a confusion matrix (time in each
    label class x engine class) and the share of labelled time where the
    two agree. Rows the vendor marks NoMonitor (code 0, +10/+100 or not) or
    with a code that is not a RigActivityCode are unlabelled and left out. */
#ifndef RS_RIGSCORE_H
#define RS_RIGSCORE_H

#include <stdint.h>
#include <stdio.h>

typedef enum {
    RS_RC_UNLABELLED = 0,       // vendor NoMonitor / not a code: excluded
    RS_RC_DRILLING,             // on bottom, making hole (rotary or sliding)
    RS_RC_REAMING,              // working the string off bottom with pumps or rotation
    RS_RC_OFF_BOTTOM,           // out of slips, string still: rotating, circulating or idle
    RS_RC_IN_SLIPS,             // in slips away from bottom (trip, BHA work)
    RS_RC_CONNECTION,           // in slips adding pipe near bottom
    RS_RC_TRIPPING_IN,
    RS_RC_TRIPPING_OUT,
    RS_RC_SHUT_IN,
    RS_RC_UNKNOWN,              // the engine cannot tell (no data)
    RS_RC_COUNT
} rs_rigclass_t;

//  The common class of a RigActivityCode: base code (units digit) Drilling 1,
//  Reaming 2, OffBottom 3, InSlips 4, Connection 5, TrippingIn 6,
//  TrippingOut 7, TripInSlips 8, ShutIn 9; +10 circulating and +100
//  rotating are flags and do not change the class. NoMonitor 0, NaN,
//  negative, fractional or other numbers: RS_RC_UNLABELLED.
rs_rigclass_t rs_rigclass_of_code (double code);
//  The common class of an engine state (rs_rig_t).
rs_rigclass_t rs_rigclass_of_state (int state);
//  "drilling", "in_slips"...; "unlabelled" for RS_RC_UNLABELLED.
const char *rs_rigclass_name (int cls);

typedef struct {
    double t[RS_RC_COUNT][RS_RC_COUNT];   // s, [label class][engine class]
    double labelled_s;          // rows with a label
    double agree_s;             // ... where the engine's class is the same
    double unlabelled_s;        // rows left out
    uint64_t rows;
} rs_rigscore_t;

//  Adds one row of duration dt_s (its time to the next row).
void rs_rigscore_add (rs_rigscore_t *self, rs_rigclass_t label, rs_rigclass_t engine, double dt_s);
//  Adds another score's rows (another piece of a log) to this one.
void rs_rigscore_merge (rs_rigscore_t *self, const rs_rigscore_t *other);
//  Agreement over the labelled time, 0..1; NaN when nothing is labelled.
double rs_rigscore_agreement (const rs_rigscore_t *self);
//  The same with a trip's direction not scored (tripping in and tripping
//  out one class). A diagnostic, not the score: Baker Hughes' direction
//  follows its trip record (the log's TRIPNUM), one direction for all of a
//  trip however the string moves within it.
double rs_rigscore_agreement_undirected (const rs_rigscore_t *self);
//  Prints the confusion matrix (minutes; rows: vendor label, columns:
//  engine), per-class recall and the agreement.
void rs_rigscore_print (const rs_rigscore_t *self, FILE *out);

#endif
