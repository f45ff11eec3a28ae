/*  rs_wm: one stream's contiguous high-water mark, the recorder's promise
    about what it holds. Every seq up to `mark` is stored or recorded as a
    permanent gap; seqs above it that are already accounted for (stored out
    of order while a hole below them is being repaired) are kept as a short
    sorted list of disjoint ranges, and the mark advances when a hole fills.
    An open-ended permanent gap (a restarted publisher's lost tail) closes
    the stream: nothing more can come for it. Pure data structure. */
#ifndef RS_WM_H
#define RS_WM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  to of an open-ended range (end unknown).
#define RS_WM_OPEN UINT64_MAX

typedef struct {
    uint64_t from, to;
} rs_wm_range_t;

typedef struct {
    uint64_t mark;          //  every seq <= mark is accounted for
    bool closed;            //  an open-ended gap covers everything above mark
    uint64_t open_from;     //  start of an open-ended gap above the mark; 0 = none
    rs_wm_range_t *ranges;  //  sorted, disjoint, non-adjacent, all above mark + 1 (finite)
    size_t n, cap;
} rs_wm_t;

//  Starts a stream at `mark` (0 = nothing yet).
void rs_wm_init (rs_wm_t *self, uint64_t mark);
void rs_wm_cleanup (rs_wm_t *self);
//  Accounts for [from, to] (to = RS_WM_OPEN: everything from `from` on).
//  Returns 0, or -1 when out of memory (the state is then unchanged).
int rs_wm_add (rs_wm_t *self, uint64_t from, uint64_t to);
//  Makes dst (initialised or zeroed) a copy of src. Returns 0 or -1.
int rs_wm_copy (rs_wm_t *dst, const rs_wm_t *src);
//  Number of ranges held above the mark (holes waiting for repair).
size_t rs_wm_pending (const rs_wm_t *self);

#endif
