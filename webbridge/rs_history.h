/*  rs_history: what the web bridge asks of the recorded history, behind one
    small interface so the storage can change without touching the HTTP
    code. Today it is the recorder's read side (store/: rs_query, read-only
    SQLite).

    A handle is one read-only connection: open one per request (each HTTP
    thread its own), never share it between threads. */
#ifndef RS_HISTORY_H
#define RS_HISTORY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum {
    RS_HIST_OK = 0,
    RS_HIST_E_UNAVAILABLE,  //  no database (missing, unreadable)
    RS_HIST_E_WELL,         //  no such well in the history
    RS_HIST_E_CHANNEL,      //  channel never recorded for that well
    RS_HIST_E_ARG,          //  bad range or point count
    RS_HIST_E_TOO_MANY,     //  more rows than the caller allows
    RS_HIST_E_INTERNAL,     //  read error, no memory
    RS_HIST_E_TIMEOUT       //  past the deadline (rs_history_set_deadline)
} rs_hist_err_t;

typedef struct rs_history_t rs_history_t;

//  Opens the history read-only. Returns a fresh handle, or NULL with the
//  reason recorded (rs_errmsg).
rs_history_t *rs_history_open (const char *path);
void rs_history_close (rs_history_t **self_p);
//  Makes every read still running at deadline_ms (rs_clock_mono_ms) fail
//  with RS_HIST_E_TIMEOUT; 0: no deadline.
void rs_history_set_deadline (rs_history_t *self, int64_t deadline_ms);
//  Why the last call failed ("" when it did not).
const char *rs_history_detail (rs_history_t *self);

//  Wells in the history: [{"well","samples","first_ts","last_ts"}].
int rs_history_wells (rs_history_t *self, json_t **out);
//  The extra (non-standard) channels the well has carried, as a JSON array
//  of names, sorted.
int rs_history_extras (rs_history_t *self, const char *well, json_t **out);

#define RS_HIST_GAP_US 10000000    //  a silence this long is a gap in the range

typedef struct {
    const char *well;
    int64_t from_us, to_us;           //  inclusive
    const char *const *channels;
    size_t n_channels;
} rs_hist_query_t;

//  The range in at most `points` buckets with min/max/mean per channel:
//  {"well","from","to","source","width_us","points":n,"t":[bucket start µs...],
//   "n":[samples per bucket...], "channels":{"<ch>":{"unit","min":[],"max":[],"mean":[]}},
//   "publishers":[ids whose raw samples are in the range]}
//  (null where a bucket has no reading). A silence of at least one whole
//  bucket and RS_HIST_GAP_US shows as one bucket with n 0 and nulls at its
//  start, so that charts break their lines there.
int rs_history_range (rs_history_t *self, const rs_hist_query_t *q, int points, json_t **out);
//  Rows such a range read: the sum of its per-bucket counts ("n").
uint64_t rs_history_range_rows (const json_t *range);

//  Raw samples of the range as {"type":"history","well","channels":[...],
//  "ts":[µs...],"pub":[publisher id...],"seq":[...],"values":{"<ch>":[...]}}, at most max_rows;
//  more than that is RS_HIST_E_TOO_MANY (nothing returned).
int rs_history_samples (rs_history_t *self, const rs_hist_query_t *q, size_t max_rows, json_t **out);

//  Writes the range's raw samples as CSV (header time,ts_us,pub,seq,<channels>)
//  to out, at most max_rows rows (more: RS_HIST_E_TOO_MANY, output partial).
//  *rows, if given, gets the count written. units: -1 for that plain form,
//  or an rs_unit_system_t: then a rig_state column after seq (the well's
//  recorded rig state at each sample) and a second header row with each
//  column's unit, the values converted into that system.
int rs_history_export_csv (rs_history_t *self, const rs_hist_query_t *q, int units, size_t max_rows, FILE *out,
                           size_t *rows);

#endif
