/*  rs_tripdir: a trip's direction, from the string's position (the bit
    depth, or without one the block's travel while the string hangs from
    it). It turns only when the string has gone `flip_m` the other way from
    its extreme since the last turn: picking the string up to pull the slips
    does not turn a trip in round. Pure logic, no allocation. */
#ifndef RS_TRIPDIR_H
#define RS_TRIPDIR_H

typedef struct {
    int dir;                    // +1 in, -1 out, 0 none yet
    double ext;                 // the string's extreme since the last turn
    double anchor;              // where it was when the direction was last forgotten
} rs_tripdir_t;

void rs_tripdir_init (rs_tripdir_t *self);
//  The string's position, m (deeper is larger; NaN: none).
void rs_tripdir_feed (rs_tripdir_t *self, double pos, double flip_m);
//  The trip is over (drilling, the bit at surface): no direction until the
//  string has gone flip_m from `pos`.
void rs_tripdir_reset (rs_tripdir_t *self, double pos);

#endif
