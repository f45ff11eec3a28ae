/*  rs_channels: the known telemetry channels, their units and meaning.
    The table in rs_channels.c is the single source for docs/PROTOCOL.md's
    channel table, the logger's columns and (later) database columns.
    Units are the suite's one internal unit system (metric drilling units). */
#ifndef RS_CHANNELS_H
#define RS_CHANNELS_H

#include <stdbool.h>
#include <stddef.h>

#include "rs_err.h"

typedef enum {
    RS_CH_BIT_DEPTH = 0,    // m, measured depth of the bit
    RS_CH_HOLE_DEPTH,       // m, measured depth of the hole bottom
    RS_CH_BLOCK_POS,        // m, travelling block height above the rig floor
    RS_CH_ROP,              // m/h, rate of penetration
    RS_CH_WOB,              // kN, weight on bit
    RS_CH_HOOK_LOAD,        // kN, hook load
    RS_CH_RPM,              // rev/min, surface rotary speed
    RS_CH_TORQUE,           // kN.m, surface rotary torque
    RS_CH_SPP,              // bar, standpipe pressure
    RS_CH_CASING_PRESSURE,  // bar, casing (choke) pressure
    RS_CH_SPM1,             // strokes/min, mud pump 1
    RS_CH_SPM2,             // strokes/min, mud pump 2
    RS_CH_FLOW_IN,          // L/min, mud flow into the well
    RS_CH_FLOW_OUT,         // L/min, mud flow out of the well
    RS_CH_PIT_VOLUME,       // m3, active pit volume
    RS_CH_PIT_GAIN,         // m3, active pit gain (+) or loss (-) since reference
    RS_CH_GAS,              // %, total gas at the shakers
    RS_CH_MUD_TEMP_IN,      // degC
    RS_CH_MUD_TEMP_OUT,     // degC
    RS_CH_MUD_DENSITY_IN,   // kg/m3
    RS_CH_MUD_DENSITY_OUT,  // kg/m3
    RS_CH_COUNT
} rs_chan_id_t;

#define RS_CH_UNKNOWN (-1)

typedef struct {
    const char *name;       // wire name, e.g. "hook_load"
    const char *unit;       // e.g. "kN"
    const char *label;      // short human label, e.g. "Hook load"
    const char *meaning;    // one sentence
} rs_chan_info_t;

//  Info for a known channel id (0 <= id < RS_CH_COUNT), else NULL.
const rs_chan_info_t *rs_chan_info (int id);
//  Known id for a wire name of `len` bytes (need not be NUL-terminated),
//  or RS_CH_UNKNOWN.
int rs_chan_lookup (const char *name, size_t len);
//  True if `name` (len bytes) is a valid channel name: 1-32 chars of [a-z0-9_],
//  starting with a letter.
int rs_chan_name_valid (const char *name, size_t len);
//  Marks in set[] each known channel a comma-separated list names
//  ("bit_depth,hole_depth"); the others are left as they are. RS_OK, or
//  RS_E_CONFIG with the first name that is no channel (rs_errmsg).
rs_err_t rs_chan_parse_set (const char *list, bool set[RS_CH_COUNT]);

#endif
