/*  rs_chanmap: how a recorded curve becomes a rigstream channel. A curve
    whose mnemonic is in the default mapping (docs/REPLAY.md) and whose unit
    converts to the channel's unit feeds that known channel; every other
    curve is carried as an extra channel under a name made from its mnemonic,
    in the file's own unit, never dropped. */
#ifndef RS_CHANMAP_H
#define RS_CHANMAP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    int channel;            //  rs_chan_id_t, or RS_CH_UNKNOWN for an extra channel
    char name[33];          //  the wire name
    double scale;           //  value * scale + offset is in the channel's unit
    double offset;
    bool unit_unknown;      //  mapped mnemonic, but its unit does not convert
} rs_chanmap_t;

//  Decides the mapping of one curve. Never fails: at worst the curve becomes
//  an extra channel (see unit_unknown).
void rs_chanmap_curve (const char *mnemonic, const char *unit, rs_chanmap_t *out);

//  A well id (1-64 of A-Z a-z 0-9 _ -) from a name such as a log's nameWell
//  or a file name: other characters become '_'; "fallback" when name is empty.
void rs_chanmap_well_id (const char *name, const char *fallback, char *id, size_t size);

#endif
