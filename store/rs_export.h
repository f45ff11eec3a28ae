/*  rs_export: writes query results as CSV or JSON to a stream, for
    rigstream-db. Raw samples are one line (CSV) or one object (JSON) each;
    downsampled points carry min, max and mean per channel. Numbers are
    written in the shortest form that reads back to the same double; a
    missing reading is an empty CSV field or JSON null. Times are ISO 8601
    UTC with milliseconds plus the exact microseconds (ts_us). */
#ifndef RS_EXPORT_H
#define RS_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "rs_query.h"
#include "rs_units.h"

typedef enum {
    RS_EXPORT_CSV = 0,
    RS_EXPORT_JSON
} rs_export_format_t;

//  "csv" or "json"; returns -1 for anything else.
int rs_export_format_parse (const char *text);
//  Writes v in its shortest round-trip form into buf (size >= 32); "" for NaN.
void rs_export_number (char *buf, size_t size, double v);

typedef struct rs_export_t rs_export_t;

//  Starts an export of raw rows (points = false) or downsampled points for
//  the named channels (the array must outlive the exporter). Writes the CSV
//  header or the JSON array's opening. Returns a fresh exporter or NULL.
rs_export_t *rs_export_new (FILE *out, rs_export_format_t format, const char *const *channels,
                            size_t n_channels, bool points);

//  What an operator's CSV of raw rows adds: a rig_state column after seq,
//  and values converted into `views` (one per channel: the unit shown,
//  value * scale + offset), named in a second header row (time "UTC",
//  ts_us "us", the channels' units; empty where a column has none).
typedef struct {
    const rs_unit_view_t *views;
    bool rig_state;
} rs_export_opts_t;
//  rs_export_new for raw rows in CSV with `opts` (NULL: as rs_export_new).
rs_export_t *rs_export_new_csv (FILE *out, const char *const *channels, size_t n_channels,
                                const rs_export_opts_t *opts);
int rs_export_row (rs_export_t *self, const rs_query_row_t *row);
//  rs_export_row with the rig state the row was taken in (NULL or "": none);
//  the state is written only by an exporter made with opts->rig_state.
int rs_export_row_state (rs_export_t *self, const rs_query_row_t *row, const char *rig_state);
int rs_export_point (rs_export_t *self, const rs_query_point_t *point);
//  Closes the JSON array and flushes. Returns 0, or -1 if any write failed.
int rs_export_end (rs_export_t *self);
void rs_export_destroy (rs_export_t **self_p);
//  Rows or points written so far.
size_t rs_export_count (rs_export_t *self);

#endif
