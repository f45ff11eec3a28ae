/*  rs_blockweight: what the travelling block weighs, the reference the
    slips are told by. Configured, or learned from what the hook reads with
    the string in the slips (the block seen travelling over them) or the bit
    at surface: the median of the first RS_BW_MIN_N readings, then followed
    slowly, readings with the bit at surface pulling only down (a tool may
    hang under the block). Until then, provisionally, the lowest plateau of
    the hook load (rs_plateau), unless the string has since been seen moving
    at it. docs/PREDICTION.md (Block weight) has the numbers and the
    reasons. Pure logic, no allocation. */
#ifndef RS_BLOCKWEIGHT_H
#define RS_BLOCKWEIGHT_H

#include <stdbool.h>

#include "rs_plateau.h"

#define RS_BW_MIN_N     5           // readings before a learned block weight is used

//  Where the block weight in use comes from.
typedef enum {
    RS_BW_UNKNOWN = 0,          // none yet: states that need it are unknown
    RS_BW_CONFIGURED,           // block_weight_kn
    RS_BW_LEARNED,              // block moving with the bit still, or bit at surface
    RS_BW_PLATEAU,              // provisional: the lowest steady hook load seen so far
} rs_bw_source_t;

//  "unknown", "configured", "learned", "plateau".
const char *rs_bw_source_name (int source);

typedef struct {
    double learned;             // NaN until RS_BW_MIN_N readings
    int samples;
    double seed[RS_BW_MIN_N];   // the first readings: their median seeds the estimate
    rs_plateau_t plateau;       // the provisional weight; fed by the caller
} rs_blockweight_t;

void rs_blockweight_init (rs_blockweight_t *self);
//  A hook load read with the string in the slips (`kin`: the block seen
//  travelling over them) or with the bit at surface.
void rs_blockweight_learn (rs_blockweight_t *self, double hook, bool kin);
//  The weight in use, kN (NaN: unknown), and *source (RS_BW_*): `configured`
//  when over 0, else the learned, else the plateau unless the string was
//  since seen moving at a hook load within a plateau's steadiness of it
//  (`hang_avg`, NaN: not seen).
double rs_blockweight_get (const rs_blockweight_t *self, double configured, double hang_avg,
                           rs_bw_source_t *source);

#endif
