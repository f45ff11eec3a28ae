/*  rs_chanmap: how a recorded curve becomes a rigstream channel. A curve is
    matched by mnemonic against an alias table, else by its description
    (WITSML logCurveInfo/curveDescription); when its unit converts to the
    channel's unit it feeds that known channel. Every other curve is carried
    as an extra channel under a name made from its mnemonic, in the file's
    own unit, never dropped. When several curves of one log match the same
    channel, a fixed priority picks one (docs/REPLAY.md, Curve mapping). */
#ifndef RS_CHANMAP_H
#define RS_CHANMAP_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    RS_CHANMAP_EXTRA = 0,       //  carried as an extra channel
    RS_CHANMAP_MNEMONIC,        //  its mnemonic is an alias of the channel
    RS_CHANMAP_DESCRIPTION      //  its description names the channel
} rs_chanmap_how_t;

typedef struct {
    int channel;            //  rs_chan_id_t, or RS_CH_UNKNOWN for an extra channel
    char name[33];          //  the wire name
    double scale;           //  value * scale + offset is in the channel's unit
    double offset;
    bool unit_unknown;      //  matched a channel, but its unit does not convert
    int how;                //  rs_chanmap_how_t
    int rank;               //  priority of the match, lower first (rs_chanmap_log)
    int matched;            //  the channel it matched (also when it lost it), or RS_CH_UNKNOWN
    int lost_to;            //  rs_chanmap_log: index of the curve that took its channel, or -1
    char mnemonic[33];      //  the curve's mnemonic, cut to 32 bytes
} rs_chanmap_t;

//  Decides the mapping of one curve by mnemonic and unit only. Never fails:
//  at worst the curve becomes an extra channel (see unit_unknown).
void rs_chanmap_curve (const char *mnemonic, const char *unit, rs_chanmap_t *out);
//  The same, with the curve's description as a fallback (NULL or "": none).
void rs_chanmap_curve_desc (const char *mnemonic, const char *unit, const char *description,
                            rs_chanmap_t *out);

//  Settles the curves of one log, already mapped one by one: where several
//  map to one channel, the best rank keeps it (the first on a tie) and the
//  others become extra channels with lost_to set.
void rs_chanmap_log (rs_chanmap_t *map, size_t n);

//  The channels the rig-state classifier reads (hook_load, block_pos,
//  bit_depth, hole_depth, flow_in, spp, rpm, torque, wob), in that order.
size_t rs_chanmap_rig_channels (const int **ids);

//  A one-line report of a settled log (map[0..n), index column included or
//  not): each rig-state channel with the curve and how it was matched, then
//  "missing: ..." for those no curve feeds. Returns the count missing.
int rs_chanmap_report (const rs_chanmap_t *map, size_t n, char *buf, size_t size);
//  "mnemonic", "description" or "extra".
const char *rs_chanmap_how_name (int how);

//  A well id (1-64 of A-Z a-z 0-9 _ -) from a name such as a log's nameWell
//  or a file name: other characters become '_'; "fallback" when name is empty.
void rs_chanmap_well_id (const char *name, const char *fallback, char *id, size_t size);
//  The same from a file's path: its name without directory or extension
//  ("data/Well 7.csv" -> "Well_7"); "fallback" for "-" (standard input).
void rs_chanmap_well_from_path (const char *path, const char *fallback, char *id, size_t size);

#endif
