/*  rs_tripdir: a trip's direction (see rs_tripdir.h). */
#include "rs_tripdir.h"

#include <math.h>

void
rs_tripdir_init (rs_tripdir_t *self)
{
    *self = (rs_tripdir_t) { .dir = 0, .ext = NAN, .anchor = NAN };
}

void
rs_tripdir_feed (rs_tripdir_t *self, double pos, double flip)
{
    if (isnan (pos))
        return;
    if (self->dir == 0) {
        if (isnan (self->anchor))
            self->anchor = pos;
        if (fabs (pos - self->anchor) >= flip) {
            self->dir = pos > self->anchor ? 1 : -1;
            self->ext = pos;
        }
        return;
    }
    if (self->dir > 0) {
        self->ext = fmax (self->ext, pos);
        if (self->ext - pos >= flip) {
            self->dir = -1;
            self->ext = pos;
        }
    }
    else {
        self->ext = fmin (self->ext, pos);
        if (pos - self->ext >= flip) {
            self->dir = 1;
            self->ext = pos;
        }
    }
}

void
rs_tripdir_reset (rs_tripdir_t *self, double pos)
{
    self->dir = 0;
    self->anchor = pos;
}
