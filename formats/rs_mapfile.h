/*  rs_mapfile: the mapping files of the ingest publishers (docs/INGEST.md).
    One line per source field, the same format for WITS0 items and CSV
    columns:

        KEY = TARGET [UNIT [FPS_UNIT]]      # comment

    KEY is a WITS0 item code (0108) or a CSV column header; TARGET a known
    channel, another channel name (carried as an extra channel, unconverted)
    or a role: @date, @time, @datetime, @ignore. UNIT is the unit the values
    arrive in; FPS_UNIT, for WITS0, the unit when the sender uses FPS units.
    Parsing and resolving are pure: text in, entries or a message out. */
#ifndef RS_MAPFILE_H
#define RS_MAPFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "rs_chanmap.h"
#include "rs_err.h"

#define RS_MAPFILE_MAX_KEY  128
#define RS_MAPFILE_MAX_UNIT 24

typedef enum {
    RS_MAP_CHANNEL = 0,     //  a channel, known or extra
    RS_MAP_DATE,            //  the date of the sample
    RS_MAP_TIME,            //  the time of day of the sample
    RS_MAP_DATETIME,        //  date and time in one field
    RS_MAP_IGNORE           //  dropped without counting
} rs_map_role_t;

typedef struct {
    char key[RS_MAPFILE_MAX_KEY];
    char target[33];
    char unit[2][RS_MAPFILE_MAX_UNIT];   //  "" when not given; [1] = [0] when only one is
    rs_map_role_t role;
    int line;
} rs_mapfile_entry_t;

typedef struct rs_mapfile_t rs_mapfile_t;

//  Parses a mapping from text; origin names it in messages (a path, or
//  "built-in pason"). Returns a fresh mapping, or NULL with "origin:line:
//  what is wrong" in rs_errmsg ().
rs_mapfile_t *rs_mapfile_parse (const char *text, const char *origin);
//  Reads and parses a file. Returns a fresh mapping, or NULL (rs_errmsg says why).
rs_mapfile_t *rs_mapfile_load (const char *path);
void rs_mapfile_destroy (rs_mapfile_t **self_p);

size_t rs_mapfile_entries (const rs_mapfile_t *self, const rs_mapfile_entry_t **entries);
//  The entry whose key equals key, ignoring case and surrounding spaces, or NULL.
const rs_mapfile_entry_t *rs_mapfile_find (const rs_mapfile_t *self, const char *key);
const char *rs_mapfile_origin (const rs_mapfile_t *self);

//  How values of a channel entry become the channel: for a known channel,
//  the conversion from `unit` (NULL or "" or "-": the channel's own unit) to
//  the channel's unit; for another name, an extra channel, unconverted.
//  Returns RS_OK, or RS_E_FORMAT when the unit does not convert (rs_errmsg says why).
rs_err_t rs_mapfile_channel (const char *target, const char *unit, rs_chanmap_t *out);

#endif
