/*  rs_descent: a block going steadily down at no more than a drilling rate.
    Without a bit depth, and before the block weight is known, it is the one
    sign that a string hangs from the block and its bit is making hole: an
    empty block is lowered over the slips at a metre a second, and one
    creeping while a stand is made up moves centimetres, in one go. The
    block's positions are kept RS_DESCENT_STEP_S apart over the last
    RS_DESCENT_MAX_S. docs/PREDICTION.md (Drilling without a bit depth) has
    the numbers and the reasons. Pure logic, no allocation. */
#ifndef RS_DESCENT_H
#define RS_DESCENT_H

#include <stdbool.h>
#include <stdint.h>

#define RS_DESCENT_S        120.0   // s: going steadily down this long ...
#define RS_DESCENT_MAX_S    240.0   // ... judged over at most this long ...
#define RS_DESCENT_STEP_S   10.0    // ... from positions this far apart
#define RS_DESCENT_N        26      // positions kept: RS_DESCENT_MAX_S / RS_DESCENT_STEP_S and two

typedef struct {
    int64_t ts[RS_DESCENT_N];
    double block[RS_DESCENT_N];
    int head, n;                // ring: next write at head
} rs_descent_t;

void rs_descent_init (rs_descent_t *self);
//  One block position (NaN: none, and false). True when the block has gone
//  down for RS_DESCENT_S or more, `move_m` or more in all, each half of the
//  time a quarter of it or more, never rising beyond `jitter` from one kept
//  position to the next nor falling faster than `vmax_ms` between them.
bool rs_descent_feed (rs_descent_t *self, int64_t ts_us, double block, double jitter, double move_m,
                      double vmax_ms);

#endif
