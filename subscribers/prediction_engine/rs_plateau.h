/*  rs_plateau: the rig state's provisional block weight, the lowest steady
    hook load seen with the block still. A run of readings that stays
    within RS_PLATEAU_REL of its mean, 10 kN, or five sigmas of the load
    cell's own noise (learned from its steps with the block still, rs_noise:
    a cell noisier than F-9's would never read steady otherwise) for
    RS_PLATEAU_S, the block travelling less than it must to be moving and
    the string not known to hang from the hook, is a plateau; the lowest is
    kept: with the string in the slips or out of the hole it is what the
    block weighs. A hook load that then stays clearly under it for a dwell
    time shows it was a string hanging still (the hook always carries the
    block): the plateau falls to that reading, or is dropped while the bit
    drills. Readings farther apart than a plateau (a log of snapshots, a row
    a connection) are each a still reading of their own.
    docs/PREDICTION.md (Block weight) has the numbers and the reasons.
    Pure logic, no allocation. */
#ifndef RS_PLATEAU_H
#define RS_PLATEAU_H

#include <stdbool.h>
#include <stdint.h>

#include "rs_noise.h"

#define RS_PLATEAU_S    60.0        // s: a steady hook load this long is a plateau ...
#define RS_PLATEAU_REL  0.03        // ... when it stays within this share of its mean (or 10 kN, or the noise)

typedef struct {
    int64_t since;              // the run being watched started (INT64_MIN: none)
    int64_t last;               // the last sample's time
    double min, max, sum;       // the run's hook loads
    double bmin, bmax;          // ... and block positions
    unsigned n;
    rs_noise_t noise;           // the load cell's steps with the block still ...
    double hk_prev, bk_prev;    // ... from the reading at hk_ts, the block then at bk_prev
    int64_t hk_ts;
    double weight;              // the lowest plateau, NaN: none yet
    int64_t low_since;          // a hook load clearly under it since (INT64_MIN: not) ...
    double low_block;           // ... with the block here
} rs_plateau_t;

void rs_plateau_init (rs_plateau_t *self);
//  One sample's hook load and block position (NaN: none). `hanging`: the
//  string is known to hang from the hook, so no steady load now is the
//  block's; `move_m`: what the block must travel to be moving; `jitter`:
//  within what it counts as still for the load cell's noise.
void rs_plateau_feed (rs_plateau_t *self, int64_t ts_us, double hook, double block, bool hanging, double move_m,
                      double jitter);
//  A hook load `drop` (a share) under the plateau for `dwell_s`, the block
//  within `move_m`, was the weight of a string left hanging: the plateau
//  becomes that reading, or none when `drilling`.
void rs_plateau_undercut (rs_plateau_t *self, int64_t ts_us, double hook, double block, bool drilling, double drop,
                          double dwell_s, double move_m);
//  The lowest plateau, kN; NaN when none.
double rs_plateau_weight (const rs_plateau_t *self);

#endif
