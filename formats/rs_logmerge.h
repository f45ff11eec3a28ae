/*  rs_logmerge: several time logs of one wellbore merged into one stream.
    A vendor splits a wellbore's channels over several logs covering the same
    hours, each at its own sampling; the merge is an N-way merge by next-row
    time that emits one sample per distinct row instant (rows of several logs
    at one instant make one sample, times strictly increase, nothing is
    emitted across a span no log covers). Each sample carries the union of
    the channels, each channel's value taken from one source only:

      - a source can supply a channel at time T when its last non-blank
        reading of it is no older than its staleness limit, STALE_INTERVALS
        of the source's own row intervals (its mean interval, gaps left out),
        capped at STALE_CAP_S; otherwise the channel is missing (NaN);
      - among the sources that can, the richest: the smallest mean interval
        between its readings of that channel so far (finest sampling and the
        fewest blanks both make it small); the source in use is kept unless
        another is richer by more than SWITCH_RATIO, so values do not flap
        between two logs sampled alike;
      - except the hole depth: the deepest fresh reading, since a hole is as
        deep as its deepest report (shallower ones are placeholders, or the
        string's depth logged under the hole's mnemonic).

    Pure logic: rows come from a callback per source (rs_logset reads them
    from WITSML files), so the merge is tested with crafted series. */
#ifndef RS_LOGMERGE_H
#define RS_LOGMERGE_H

#include <stddef.h>
#include <stdint.h>

#include "rs_msg.h"

#define RS_LOGMERGE_MAX_SOURCES  64
#define RS_LOGMERGE_MAX_CHANNELS 1024
#define RS_LOGMERGE_STALE_INTERVALS 3
#define RS_LOGMERGE_STALE_CAP_S     90
#define RS_LOGMERGE_SWITCH_RATIO    0.8

//  Hands out a source's next row: 1 with its time and values (one per
//  column given to rs_logmerge_add, NaN when blank), 0 at its end, -1 on an
//  error. The values must stay valid until the next call.
typedef int (rs_logmerge_next_fn) (void *arg, int64_t *ts_us, const double **values);

typedef struct rs_logmerge_t rs_logmerge_t;

rs_logmerge_t *rs_logmerge_new (void);
void rs_logmerge_destroy (rs_logmerge_t **self_p);

//  Adds a source whose columns feed the channels cols[0..n) (name and id;
//  values unused). A second column of one source naming a channel already
//  named is ignored. Sources are numbered 0, 1, ... in the order added.
//  Returns RS_OK, or RS_E_RANGE (too many sources or channels), RS_E_NOMEM,
//  or RS_E_INVAL (after the first rs_logmerge_next), rs_errmsg saying which.
rs_err_t rs_logmerge_add (rs_logmerge_t *self, const rs_value_t *cols, size_t n, rs_logmerge_next_fn *next,
                     void *arg);

//  The next merged sample: 1 with its time and one value per channel of
//  the union (rs_logmerge_channels order; NaN when missing), 0 when every
//  source has ended, -1 when a source's callback failed (rs_logmerge_failed).
int rs_logmerge_next (rs_logmerge_t *self, int64_t *ts_us, const rs_value_t **values, size_t *n);

//  The sample to publish from a merged row: every channel while the union
//  fits a message (RS_MAX_CHANNELS); past that, the known channels first,
//  then the extras with a reading, blank ones left out. out has room for
//  RS_MAX_CHANNELS; returns how many it holds.
size_t rs_logmerge_pack (const rs_value_t *values, size_t n, rs_value_t *out);

//  The union of the channels so far (names and ids; values unused).
size_t rs_logmerge_channels (const rs_logmerge_t *self, const rs_value_t **channels);
//  The channel's index by name, or -1.
int rs_logmerge_channel (const rs_logmerge_t *self, const char *name);
//  The source the channel's value came from in the last sample, or -1.
int rs_logmerge_source_of (const rs_logmerge_t *self, size_t channel);
//  Samples in which the channel's value came from the source.
uint64_t rs_logmerge_used (const rs_logmerge_t *self, size_t channel, size_t source);
//  Rows a source handed out, and those dropped because their time did not
//  follow the source's previous row.
uint64_t rs_logmerge_rows (const rs_logmerge_t *self, size_t source);
uint64_t rs_logmerge_dropped (const rs_logmerge_t *self, size_t source);
//  The source whose callback failed, or -1.
int rs_logmerge_failed (const rs_logmerge_t *self);
//  The staleness limit now in force for a source's readings, s.
double rs_logmerge_stale_s (const rs_logmerge_t *self, size_t source);

#endif
