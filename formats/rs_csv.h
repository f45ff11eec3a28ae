/*  rs_csv: recorded rig data in CSV, one line at a time, into samples. The
    header names the columns, each perhaps with its unit in parentheses or
    brackets ("Hole Depth (feet)"); a mapping (a preset or a mapping file, see
    rs_mapfile) says which column is which channel in which unit and where
    the time is; columns it does not name are matched to known channels and
    WITSML mnemonics, else carried as extra channels. A file in which no
    column is a known channel is refused: it would feed nobody. Tolerant of what real
    exports contain: lines before the header, a unit row after it, repeated
    headers, blank cells, null values (-999.25), junk cells and rows, a
    UTF-8 BOM, CR LF, ';' or tab delimiters with decimal commas, quotes.
    Pure: no I/O, no clock. */
#ifndef RS_CSV_H
#define RS_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rs_chanmap.h"
#include "rs_mapfile.h"
#include "rs_msg.h"
#include "rs_timeparse.h"

#define RS_CSV_MAX_COLUMNS 2048
#define RS_CSV_MAX_LINE    (256 * 1024)
//  Lines searched for a header naming the mapping's time column(s).
#define RS_CSV_HEADER_SEARCH 200

typedef struct {
    const rs_mapfile_t *map;    //  the mapping (a preset's or a file's), borrowed; NULL = none
    const char *nulls;          //  values meaning no reading, e.g. "-999.25,-9999"; NULL = that
    const char *time_column;    //  the column with the time (date and time, or epoch s); NULL = mapping/auto
    const char *date_column;    //  a separate date column (then time_column is the time of day)
    rs_date_order_t order;      //  for d/d/yyyy dates
    int64_t offset_us;          //  local time minus UTC, for times without a zone
    bool extras;                //  carry columns that map to no known channel as extra channels
} rs_csv_opts_t;

typedef struct {
    char header[RS_MAPFILE_MAX_KEY];  //  as in the file, trimmed
    char name[RS_MAPFILE_MAX_KEY];    //  the header without a unit in parentheses or brackets
    rs_map_role_t role;
    rs_chanmap_t ch;            //  for RS_MAP_CHANNEL: name, channel and conversion
    char unit[RS_MAPFILE_MAX_UNIT];   //  the unit the values are in ("" = not known)
    const char *unit_from;      //  where that unit was read: "unit row", "header", "mapping" or ""
    bool mapped;                //  by the mapping, or as a known channel name or mnemonic
    bool unit_unknown;          //  mapped, but the unit does not convert: carried as extra
} rs_csv_column_t;

typedef struct {
    uint64_t lines;
    uint64_t rows;              //  rows handed out
    uint64_t bad_rows;          //  rows whose time is missing or not understood
    uint64_t bad_cells;         //  cells of mapped columns that are not numbers (sent as nil;
                                //  text in columns nobody mapped is skipped silently)
    uint64_t nulls;             //  null values
    uint64_t unit_rows;
    uint64_t repeated_headers;
    uint64_t preamble_lines;    //  lines before the header
    uint64_t comment_lines;     //  lines starting with '#'
    uint64_t dropped_cells;     //  values past RS_MAX_CHANNELS in one row
} rs_csv_stats_t;

typedef enum {
    RS_CSV_SKIP = 0,            //  not a data row (header, unit row, blank, comment...)
    RS_CSV_ROW = 1,             //  a sample: *ts_us, *ch, *n are set
    RS_CSV_BAD = -1,            //  a data row that cannot be used (counted; rs_csv_last_reject says why)
    RS_CSV_ERROR = -2           //  the file cannot be read as mapped, or no column is a known
                                //  channel (rs_csv_error says why): stop
} rs_csv_result_t;

typedef struct rs_csv_t rs_csv_t;

//  Returns a fresh reader, or NULL (rs_errmsg says why: a bad null list, a
//  date column without a time column). The mapping must outlive it.
rs_csv_t *rs_csv_new (const rs_csv_opts_t *opts);
void rs_csv_destroy (rs_csv_t **self_p);

//  Feeds one line (without its line end; a trailing CR is ignored). The
//  values are valid until the next call.
rs_csv_result_t rs_csv_line (rs_csv_t *self, const char *line, size_t len, int64_t *ts_us,
                             const rs_value_t **ch, size_t *n);
//  At the end of the input: RS_CSV_ERROR when no header was found, else RS_CSV_SKIP.
rs_csv_result_t rs_csv_finish (rs_csv_t *self);

//  The columns, once the header (and any unit row) is read; 0 before.
size_t rs_csv_columns (const rs_csv_t *self, const rs_csv_column_t **columns);
//  True once columns changed (header or unit row read) since the last call.
bool rs_csv_columns_changed (rs_csv_t *self);
const rs_csv_stats_t *rs_csv_stats (const rs_csv_t *self);
//  Why the reader returned RS_CSV_ERROR, "" before (the reader's own
//  detail, as sqlite3_errmsg: rs_err.h).
const char *rs_csv_error (const rs_csv_t *self);
//  Why the last row or cell was rejected, for a rate-limited log line.
const char *rs_csv_last_reject (const rs_csv_t *self);

//  A preset's mapping text ("pason", "volve"), or NULL.
const char *rs_csv_preset (const char *name);
//  The presets' names, comma-separated, for messages.
const char *rs_csv_preset_names (void);

#endif
