/*  rs_wits0map: which WITS0 item is which rigstream channel, in which unit.
    Built from a mapping file (rs_mapfile, keys are item codes RRII) or the
    built-in default for record 01, with the sender's units metric or FPS.
    Turns a parsed frame into a sample (rigstream-wits0) and a sample into
    frame items (rigstream-wits0-out). Pure: no I/O, no clock. */
#ifndef RS_WITS0MAP_H
#define RS_WITS0MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rs_chanmap.h"
#include "rs_mapfile.h"
#include "rs_msg.h"
#include "rs_wits0.h"

typedef struct {
    int code;               //  RRII, e.g. 108
    rs_map_role_t role;     //  RS_MAP_CHANNEL, RS_MAP_DATE, RS_MAP_TIME or RS_MAP_IGNORE
    rs_chanmap_t ch;        //  channel, name, and the conversion to its unit
    char unit[RS_MAPFILE_MAX_UNIT];   //  the unit on the WITS0 side ("" = the channel's)
} rs_wits0map_entry_t;

typedef struct rs_wits0map_t rs_wits0map_t;

//  The built-in mapping, in the mapping-file format (--print-map).
const char *rs_wits0map_default (void);

//  Builds a mapping from mapping-file text (NULL = the built-in default),
//  with the unit column for FPS or metric. Returns a fresh map, or NULL with
//  "origin:line: reason" in rs_errmsg ().
rs_wits0map_t *rs_wits0map_parse (const char *text, const char *origin, bool fps);
//  Same from a file.
rs_wits0map_t *rs_wits0map_load (const char *path, bool fps);
//  Reads a --units value: metric or fps. Returns RS_OK, setting *fps, or
//  RS_E_CONFIG (rs_errmsg says why).
rs_err_t rs_wits0map_units (const char *units, bool *fps);
//  The mapping a --map option names: the file at path, or the built-in
//  default when path is NULL or "". Fresh, or NULL (rs_errmsg says why).
rs_wits0map_t *rs_wits0map_open (const char *path, bool fps);
void rs_wits0map_destroy (rs_wits0map_t **self_p);

size_t rs_wits0map_entries (const rs_wits0map_t *self, const rs_wits0map_entry_t **entries);
//  The entry for an item code, or NULL.
const rs_wits0map_entry_t *rs_wits0map_find (const rs_wits0map_t *self, int code);

//  A frame turned into a sample.
typedef struct {
    int64_t ts_us;              //  from the frame's date and time, else the receive time
    bool ts_from_frame;
    bool bad_time;              //  date or time present but not valid: receive time used
    size_t n;                   //  channels in ch
    rs_value_t ch[RS_WITS0_MAX_ITEMS];
    char names[RS_WITS0_MAX_ITEMS][12];   //  storage for unknown items' names (wits_RRII)
    unsigned unknown;           //  items with no entry in the map
    unsigned bad_values;        //  mapped items whose value is text, not a number
    unsigned duplicates;        //  items for a channel already in this sample
} rs_wits0_sample_t;

//  Converts a frame's items. rx_us is the receive time; offset_us the
//  sender's clock minus UTC (its date and time are local). Unknown items are
//  counted, and carried as extra channels wits_RRII when carry_unknown.
void rs_wits0map_sample (const rs_wits0map_t *self, const rs_wits0_item_t *items, size_t n,
                         int64_t rx_us, int64_t offset_us, bool carry_unknown,
                         rs_wits0_sample_t *out);

//  A sample turned into frame items (for rs_wits0_format).
typedef struct {
    size_t n;
    rs_wits0_item_t items[RS_WITS0_MAX_ITEMS];
    char text[RS_WITS0_MAX_ITEMS][24];
} rs_wits0_frame_t;

//  Builds the items for a sample at ts_us: date and time items (local time,
//  offset_us ahead of UTC) when the map has them, then one per mapped
//  channel the sample carries, converted to the WITS0 side's unit, in map
//  order. A channel that is nil travels as null_text (e.g. "-9999.00"), or
//  is left out when null_text is NULL or "". Returns the number of channel
//  items (dates and times not counted).
size_t rs_wits0map_frame (const rs_wits0map_t *self, const rs_value_t *values, size_t n,
                          int64_t ts_us, int64_t offset_us, const char *null_text,
                          rs_wits0_frame_t *out);

#endif
