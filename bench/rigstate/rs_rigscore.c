/*  rs_rigscore: vendor rig-activity labels against the engine's rig state. */
#include "rs_rigscore.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "rs_rigstate.h"

static const char *s_names[RS_RC_COUNT] = {
    "unlabelled", "drilling", "reaming", "off_bottom", "in_slips", "connection",
    "tripping_in", "tripping_out", "shut_in", "unknown"
};

const char *
rs_rigclass_name (int cls)
{
    return cls >= 0 && cls < RS_RC_COUNT ? s_names[cls] : "unlabelled";
}

rs_rigclass_t
rs_rigclass_of_code (double code)
{
    if (!(code >= 0 && code < 200) || code != floor (code))
        return RS_RC_UNLABELLED;
    int c = (int) code, base = c % 10, circ = c / 10 % 10, rot = c / 100;
    if (circ > 1 || rot > 1)
        return RS_RC_UNLABELLED;
    static const rs_rigclass_t of_base[10] = {
        RS_RC_UNLABELLED, RS_RC_DRILLING, RS_RC_REAMING, RS_RC_OFF_BOTTOM, RS_RC_IN_SLIPS,
        RS_RC_CONNECTION, RS_RC_TRIPPING_IN, RS_RC_TRIPPING_OUT, RS_RC_IN_SLIPS, RS_RC_SHUT_IN
    };
    return of_base[base];
}

rs_rigclass_t
rs_rigclass_of_state (int state)
{
    switch (state) {
        case RS_RIG_DRILLING_ROTARY:
        case RS_RIG_DRILLING_SLIDING: return RS_RC_DRILLING;
        case RS_RIG_REAMING: return RS_RC_REAMING;
        case RS_RIG_CIRCULATING:
        case RS_RIG_OFF_BOTTOM: return RS_RC_OFF_BOTTOM;
        case RS_RIG_CONNECTION: return RS_RC_CONNECTION;
        case RS_RIG_IN_SLIPS:
        //  The vendor's codes have no out of hole: with the bit at surface the
        //  hook carries the block alone, which it reports as in slips.
        case RS_RIG_OUT_OF_HOLE: return RS_RC_IN_SLIPS;
        case RS_RIG_TRIPPING_IN: return RS_RC_TRIPPING_IN;
        case RS_RIG_TRIPPING_OUT: return RS_RC_TRIPPING_OUT;
        case RS_RIG_SHUT_IN: return RS_RC_SHUT_IN;
        default: return RS_RC_UNKNOWN;
    }
}

void
rs_rigscore_add (rs_rigscore_t *self, rs_rigclass_t label, rs_rigclass_t engine, double dt_s)
{
    if (!(dt_s > 0) || label < 0 || label >= RS_RC_COUNT || engine < 0 || engine >= RS_RC_COUNT)
        return;
    self->rows++;
    if (label == RS_RC_UNLABELLED) {
        self->unlabelled_s += dt_s;
        return;
    }
    self->t[label][engine] += dt_s;
    self->labelled_s += dt_s;
    if (label == engine)
        self->agree_s += dt_s;
}

void
rs_rigscore_merge (rs_rigscore_t *self, const rs_rigscore_t *other)
{
    for (int a = 0; a < RS_RC_COUNT; a++)
        for (int b = 0; b < RS_RC_COUNT; b++)
            self->t[a][b] += other->t[a][b];
    self->labelled_s += other->labelled_s;
    self->agree_s += other->agree_s;
    self->unlabelled_s += other->unlabelled_s;
    self->rows += other->rows;
}

double
rs_rigscore_agreement (const rs_rigscore_t *self)
{
    return self->labelled_s > 0 ? self->agree_s / self->labelled_s : NAN;
}

double
rs_rigscore_agreement_undirected (const rs_rigscore_t *self)
{
    double crossed = self->t[RS_RC_TRIPPING_IN][RS_RC_TRIPPING_OUT] + self->t[RS_RC_TRIPPING_OUT][RS_RC_TRIPPING_IN];
    return self->labelled_s > 0 ? (self->agree_s + crossed) / self->labelled_s : NAN;
}

void
rs_rigscore_print (const rs_rigscore_t *self, FILE *out)
{
    bool used[RS_RC_COUNT] = { false };
    for (int l = 1; l < RS_RC_COUNT; l++)
        for (int e = 1; e < RS_RC_COUNT; e++)
            if (self->t[l][e] > 0)
                used[l] = used[e] = true;
    fprintf (out, "time in minutes; rows: vendor label, columns: engine\n%-14s", "label \\ engine");
    for (int e = 1; e < RS_RC_COUNT; e++)
        if (used[e])
            fprintf (out, " %12s", s_names[e]);
    fprintf (out, " %8s %7s\n", "total", "agree");
    for (int l = 1; l < RS_RC_COUNT; l++) {
        double row = 0;
        for (int e = 1; e < RS_RC_COUNT; e++)
            row += self->t[l][e];
        if (row <= 0)
            continue;
        fprintf (out, "%-14s", s_names[l]);
        for (int e = 1; e < RS_RC_COUNT; e++)
            if (used[e])
                fprintf (out, " %12.1f", self->t[l][e] / 60);
        fprintf (out, " %8.1f %6.1f%%\n", row / 60, 100 * self->t[l][l] / row);
    }
    fprintf (out, "labelled %.1f min, unlabelled (NoMonitor, excluded) %.1f min, %llu rows\n",
             self->labelled_s / 60, self->unlabelled_s / 60, (unsigned long long) self->rows);
    fprintf (out, "time-weighted agreement: %.1f%%\n", 100 * rs_rigscore_agreement (self));
}
