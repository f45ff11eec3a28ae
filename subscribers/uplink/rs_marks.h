/*  rs_marks: the uplink's promise per stream (publisher, topic): every seq up
    to the mark is in the spool, or was filtered by the budget, or is lost
    for good. Messages arrive out of order while gaps are repaired, so each
    stream keeps an rs_wm; the mark it reports is what the spool saves, so a
    restart resumes from there. A new epoch (a restarted publisher) starts
    the stream afresh; an older one is ignored. Pure: no I/O. */
#ifndef RS_MARKS_H
#define RS_MARKS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct rs_marks_t rs_marks_t;
typedef struct rs_mark_t rs_mark_t;

//  Returns a fresh, empty set of streams, or NULL.
rs_marks_t *rs_marks_new (void);
void rs_marks_destroy (rs_marks_t **self_p);

//  The stream (pub, topic) in epoch. A stream not seen, or seen in an older
//  epoch, starts with everything up to `start` accounted for. Returns NULL
//  for an older epoch than the stream's or when out of memory.
rs_mark_t *rs_marks_open (rs_marks_t *self, const char *pub, const char *topic, uint64_t epoch,
                          uint64_t start);
//  The stream when it is in epoch, else NULL.
rs_mark_t *rs_marks_find (rs_marks_t *self, const char *pub, const char *topic, uint64_t epoch);
//  Accounts for [from, to] (to = RS_WM_OPEN: a lost tail). Returns true when
//  the mark moved: save rs_mark_value then.
bool rs_mark_account (rs_mark_t *mark, uint64_t from, uint64_t to);
uint64_t rs_mark_value (const rs_mark_t *mark);
//  The publisher said the stream ended at last_seq (its end-of-stream).
void rs_mark_end (rs_mark_t *mark, uint64_t last_seq);
//  True once the stream ended and the mark reached its last seq: nothing
//  more will come, the stream needs no resume.
bool rs_mark_complete (const rs_mark_t *mark);
const char *rs_mark_pub (const rs_mark_t *mark);
const char *rs_mark_topic (const rs_mark_t *mark);
uint64_t rs_mark_epoch (const rs_mark_t *mark);

#endif
